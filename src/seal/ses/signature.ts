/**
 * The electronic seal signature `SES_Signature` (电子签章): reading GB/T 38540-2020 ("v4") and
 * GM/T 0031-2014 signatures, and making v4 signatures with a sealer's (签章者) key.
 *
 * Design rationale: the sealer signs the raw `TBS_Sign` TLV, which embeds the whole seal object
 * (standards.md §2.2). The reader keeps that TLV as `slices.tbsSign` and never re-encodes it. Extra
 * elements, an unexpected timestamp form or a non-zero unused-bits octet make the structure ambiguous
 * (security.md §1.3) and are refused.
 */
import {
  DER_TAG,
  derBitString,
  derChildren,
  derContextTag,
  derExplicit,
  derGeneralizedTime,
  derIa5String,
  derInteger,
  derOctetString,
  derOid,
  derSequence,
  expectDerTag,
  isDerTag,
  readDer,
  readDerBitStringOctets,
  readDerOctetString,
  readDerOid,
  readDerSmallInteger,
  readDerString,
  readDerTime,
} from '../../encoding/der.js';
import type { DerNode } from '../../encoding/der.js';
import { parsePublicKey, verifyMessage } from '../../crypto/index.js';
import { EvoucherError } from '../../errors.js';
import { checkMakerArguments } from '../arguments.js';
import type { KeyProvider } from '../../keys/provider.js';
import {
  MAX_VERSION,
  SM2_WITH_SM3_OID,
  certificateSpki,
  decodeContext,
  decodeExtDatas,
  decodeSchema,
  encodeExtDatas,
  malformed,
  sesReadLimits,
  tolerate,
} from './asn1.js';
import type { SesDecodeContext } from './asn1.js';
import { matchSealerToSeal } from './checks.js';
import { SES_VERSION_V4, decodeSealNode, parseSeal } from './seal_object.js';
import type { SealObject, SesExtData, SesLegacyTimeInfo, SesParseOptions, SesSignature } from './types.js';

/** Longest `dataHash` accepted when making a signature (SM3 is 32 bytes; room for 64-byte hashes). */
const MAX_DATA_HASH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function legacyTimeInfo(bytes: Uint8Array): SesLegacyTimeInfo {
  try {
    const text = utf8.decode(bytes);
    // Only printable text is reported as text: a timestamp token is binary.
    if (/^[\P{C}]*$/u.test(text)) return Object.freeze({ bytes, text });
  } catch {
    // not UTF-8: a binary timestamp
  }
  return Object.freeze({ bytes });
}

/** Reads a 2014 BIT STRING field, or, in lenient mode, an OCTET STRING (ofdrw "兼容非标签章"). */
function legacyBits(node: DerNode | undefined, path: string, ctx: SesDecodeContext): Uint8Array {
  if (node !== undefined && isDerTag(node, DER_TAG.OCTET_STRING)) {
    tolerate(ctx, node, 'legacy-octet-string', `seal: 2014 ${path} is an OCTET STRING`);
    return node.value;
  }
  return readDerBitStringOctets(node, path);
}

function decodeSignature(root: DerNode, ctx: SesDecodeContext): Omit<SesSignature, 'quirks'> {
  const sig = expectDerTag(root, DER_TAG.SEQUENCE, 'SES_Signature');
  const elements = derChildren(sig, 'SES_Signature', 1, 16);
  const tbs = expectDerTag(elements[0], DER_TAG.SEQUENCE, 'TBS_Sign');
  // standards.md §2.1: 2 elements = GM/T 0031-2014; 4 or 5 = GB/T 38540-2020.
  if (elements.length === 2) {
    // GM/T 0031-2014: TBS_Sign ::= SEQUENCE { version, eseal, timeInfo BIT STRING, dataHash BIT STRING,
    //   propertyInfo IA5String, cert OCTET STRING, signatureAlgorithm OID }
    const [version, eseal, timeInfo, dataHash, propertyInfo, cert, alg] = derChildren(tbs, 'TBS_Sign', 7, 7);
    const seal = decodeSealNode(eseal, ctx);
    if (seal.version !== 2014) malformed('seal: a GM/T 0031-2014 SES_Signature embeds a GB/T 38540 seal', eseal);
    const tbsVersion = readDerSmallInteger(version, 'TBS_Sign.version', 0, MAX_VERSION);
    // GB/T 38540-2020 §7.3 step 1, applied to 2014 too: the signature version equals the seal's.
    if (tbsVersion !== seal.header.version) malformed(`seal: TBS_Sign.version ${tbsVersion} differs from the seal header version ${seal.header.version}`, version);
    return {
      version: 2014,
      tbsVersion,
      seal: Object.freeze(Object.assign({}, seal, { quirks: Object.freeze([]) })),
      timeInfo: legacyTimeInfo(legacyBits(timeInfo, 'TBS_Sign.timeInfo', ctx)),
      dataHash: legacyBits(dataHash, 'TBS_Sign.dataHash', ctx),
      propertyInfo: readDerString(propertyInfo, 'ia5', 'TBS_Sign.propertyInfo'),
      sealerCert: readDerOctetString(cert, 'TBS_Sign.cert'),
      signAlgorithmOid: readDerOid(alg, 'TBS_Sign.signatureAlgorithm'),
      signature: readDerBitStringOctets(elements[1], 'SES_Signature.signature'),
      slices: Object.freeze({ tbsSign: tbs.raw }),
      raw: sig.raw,
    };
  }
  if (elements.length !== 4 && elements.length !== 5) malformed(`seal: SES_Signature has ${elements.length} elements (2, 4 or 5 expected)`, sig);
  // GB/T 38540-2020: TBS_Sign ::= SEQUENCE { version, eseal, timeInfo GeneralizedTime, dataHash BIT STRING,
  //   propertyInfo IA5String, extDatas [0] EXPLICIT ExtensionDatas OPTIONAL }
  const parts = derChildren(tbs, 'TBS_Sign', 5, 6);
  const [version, eseal, timeInfo, dataHash, propertyInfo, ext] = parts;
  const seal = decodeSealNode(eseal, ctx);
  if (seal.version !== 4) malformed('seal: a GB/T 38540 SES_Signature embeds a GM/T 0031-2014 seal', eseal);
  const tbsVersion = readDerSmallInteger(version, 'TBS_Sign.version', 0, MAX_VERSION);
  if (tbsVersion !== SES_VERSION_V4) {
    if (tbsVersion > SES_VERSION_V4) {
      throw new EvoucherError('SEAL_VERSION_UNSUPPORTED', `seal: TBS_Sign.version ${tbsVersion} is not supported`, { detail: { version: String(tbsVersion) } });
    }
    malformed(`seal: TBS_Sign.version ${tbsVersion} differs from the seal header version 4`, version);
  }
  let extDatas: readonly SesExtData[] | undefined;
  if (ext !== undefined) {
    if (!isDerTag(ext, derContextTag(0))) malformed('seal: TBS_Sign.extDatas must be tagged [0] EXPLICIT', ext);
    extDatas = decodeExtDatas(derChildren(ext, 'TBS_Sign.extDatas', 1, 1)[0] as DerNode, ctx, 'TBS_Sign.extDatas');
  }
  const certNode = expectDerTag(elements[1], DER_TAG.OCTET_STRING, 'SES_Signature.cert');
  let timeStamp: Uint8Array | undefined;
  const ts = elements[4];
  if (ts !== undefined) {
    // timeStamp [0] EXPLICIT BIT STRING OPTIONAL; one C++ verifier reads it untagged, so both forms are
    // read (standards.md §2 "Tolerances"); the untagged one is listed as a quirk.
    if (isDerTag(ts, derContextTag(0))) {
      timeStamp = readDerBitStringOctets(derChildren(ts, 'SES_Signature.timeStamp', 1, 1)[0], 'SES_Signature.timeStamp');
    } else if (isDerTag(ts, DER_TAG.BIT_STRING)) {
      ctx.quirks.push(Object.freeze({ quirk: 'timestamp-untagged', offset: ts.start, message: 'seal: SES_Signature.timeStamp is untagged' }));
      timeStamp = readDerBitStringOctets(ts, 'SES_Signature.timeStamp');
    } else {
      malformed('seal: SES_Signature has an unexpected fifth element', sig);
    }
  }
  const sealerCert = readDerOctetString(certNode, 'SES_Signature.cert');
  if (sealerCert.length === 0) malformed('seal: the sealer certificate is empty', certNode);
  return {
    version: 4,
    tbsVersion,
    seal: Object.freeze(Object.assign({}, seal, { quirks: Object.freeze([]) })),
    timeInfo: readDerTime(timeInfo, 'generalized', 'TBS_Sign.timeInfo'),
    dataHash: readDerBitStringOctets(dataHash, 'TBS_Sign.dataHash'),
    propertyInfo: readDerString(propertyInfo, 'ia5', 'TBS_Sign.propertyInfo'),
    sealerCert,
    signAlgorithmOid: readDerOid(elements[2], 'SES_Signature.signatureAlgID'),
    signature: readDerBitStringOctets(elements[3], 'SES_Signature.signature'),
    ...(timeStamp === undefined ? {} : { timeStamp }),
    ...(extDatas === undefined ? {} : { extDatas }),
    slices: Object.freeze({ tbsSign: tbs.raw }),
    raw: sig.raw,
  };
}

/**
 * Parses an electronic seal signature (`SES_Signature`, e.g. an OFD `SignedValue.dat` or an `ses`
 * stamp): GB/T 38540-2020 (4 or 5 elements) or GM/T 0031-2014 (2 elements), with its embedded seal.
 * It checks the structure only; see {@link verifySesSignatureValue}, {@link verifySealMaker} and
 * {@link matchSealerToSeal} for the signatures and the certList.
 *
 * @param der - the `SES_Signature` DER (exactly one TLV).
 * @param options - `mode` (`lenient` by default) and DER `limits`, as for {@link parseSeal}.
 * @returns the frozen signature; byte fields are views of `der`. `quirks` lists every tolerated quirk,
 *   those of the embedded seal included (the embedded `seal.quirks` is left empty).
 * @throws EvoucherError `DER_*` (not DER), `SEAL_MALFORMED` (extra or missing elements, wrong tags,
 *   `TBS_Sign.version` not the seal's, a v4 signature embedding a 2014 seal or the reverse, non-zero
 *   unused bits), `SEAL_VERSION_UNSUPPORTED`.
 * @example
 * const sig = parseSesSignature(signedValueDat); console.log(sig.seal.name, sig.timeInfo);
 */
export function parseSesSignature(der: Uint8Array, options: SesParseOptions = {}): SesSignature {
  if (typeof options !== 'object' || options === null) throw new EvoucherError('ARG_INVALID', 'parseSesSignature options must be an object');
  const ctx = decodeContext(options.mode);
  const root = readDer(der, sesReadLimits(options.limits, 'parseSesSignature'));
  const sig = decodeSchema(() => decodeSignature(root, ctx));
  return Object.freeze(Object.assign({}, sig, { quirks: Object.freeze(ctx.quirks) }));
}

/** Options of {@link makeSesSignature}. */
export interface MakeSesSignatureOptions {
  /** The seal object (`SESeal` DER, v4), embedded byte for byte. */
  readonly seal: Uint8Array;
  /** The sealer's key (SM2); its certificate must be in the seal's certList. */
  readonly signer: KeyProvider;
  /** `dataHash`: the hash of the protected data (evoucher: SM3 of the to-be-sealed DER). */
  readonly dataHash: Uint8Array;
  /** `propertyInfo`: what is protected, ASCII. */
  readonly propertyInfo: string;
  /** `timeInfo`: the signing time; must lie in the seal's validity period. */
  readonly time: Date;
  /** `TBS_Sign.extDatas`, written as `[0] EXPLICIT`; omitted when absent. */
  readonly extDatas?: readonly SesExtData[];
}

/**
 * Makes a GB/T 38540-2020 (v4) seal signature: `TBS_Sign { 4, seal, timeInfo, dataHash, propertyInfo,
 * [0] extDatas }` signed by the sealer with SM2/SM3 (ID `1234567812345678`) over the exact `TBS_Sign`
 * DER, then `SES_Signature { TBS_Sign, cert, 1.2.156.10197.1.501, signature }` (no timestamp).
 *
 * @param options - see {@link MakeSesSignatureOptions}.
 * @returns the `SES_Signature` DER.
 * @throws EvoucherError `SEAL_SES_REQUIRES_SM2` (signer not SM2), `SEAL_VERSION_UNSUPPORTED` (a 2014
 *   seal), seal parse codes (`SEAL_MALFORMED`, `DER_*`), `SEAL_SIGNER_NOT_IN_SEAL` (the signer's
 *   certificate is not allowed by the seal), `SEAL_PERIOD_INVALID` (time outside the seal period),
 *   `ARG_INVALID` (empty or over-long dataHash, non-ASCII propertyInfo, invalid time), `CERT_MALFORMED`,
 *   `KEY_CERT_MISMATCH` (the signature does not verify with the signer certificate), provider codes.
 * @example
 * const stamp = await makeSesSignature({ seal: esl, signer, dataHash: digest('sm3', tbs), propertyInfo: 'evoucher-tbs', time });
 */
export async function makeSesSignature(options: MakeSesSignatureOptions): Promise<Uint8Array> {
  checkMakerArguments(options, 'makeSesSignature', { key: 'signer', bytes: ['seal', 'dataHash'], dates: ['time'] });
  const { signer, dataHash, propertyInfo, time } = options;
  if (signer.algorithm !== 'sm2-sm3') {
    throw new EvoucherError('SEAL_SES_REQUIRES_SM2', `seal: the signer key is ${signer.algorithm}; GB/T 38540 seals are SM2/SM3 only`, {
      detail: { algorithm: signer.algorithm },
    });
  }
  if (!(dataHash instanceof Uint8Array) || dataHash.length === 0 || dataHash.length > MAX_DATA_HASH) {
    throw new EvoucherError('ARG_INVALID', `seal: dataHash must be 1..${MAX_DATA_HASH} bytes`);
  }
  if (!(time instanceof Date) || Number.isNaN(time.getTime())) throw new EvoucherError('ARG_INVALID', 'seal: time is not a valid date');
  if (typeof propertyInfo !== 'string') throw new EvoucherError('ARG_INVALID', 'seal: propertyInfo must be an ASCII string', { detail: { option: 'propertyInfo' } });
  // Checked before the key signs anything (encoded again below).
  if (options.extDatas !== undefined) encodeExtDatas(options.extDatas);
  const seal: SealObject = parseSeal(options.seal);
  if (seal.version !== 4) {
    throw new EvoucherError('SEAL_VERSION_UNSUPPORTED', 'seal: a GB/T 38540 seal signature needs a GB/T 38540 (v4) seal; this one is GM/T 0031-2014', {
      detail: { version: String(seal.header.version) },
    });
  }
  const cert = await signer.certificate();
  const key = parsePublicKey(certificateSpki(cert));
  if (key.kind !== 'sm2') {
    throw new EvoucherError('SEAL_SES_REQUIRES_SM2', `seal: the signer certificate has a ${key.kind} key`, { detail: { keyKind: key.kind } });
  }
  // GB/T 38540-2020 §7.3 step 4 (the sealer matches the seal), checked before signing rather than after.
  const match = matchSealerToSeal(seal, cert);
  if (!match.ok) throw new EvoucherError(match.code ?? 'SEAL_SIGNER_NOT_IN_SEAL', match.message);
  if (time.getTime() < seal.validStart.getTime() || time.getTime() > seal.validEnd.getTime()) {
    throw new EvoucherError('SEAL_PERIOD_INVALID', 'seal: the signing time is outside the seal validity period', {
      detail: { time: time.toISOString(), validStart: seal.validStart.toISOString(), validEnd: seal.validEnd.toISOString() },
    });
  }
  const tbsSign = derSequence(
    derInteger(SES_VERSION_V4),
    seal.raw,
    derGeneralizedTime(time),
    derBitString(dataHash),
    derIa5String(propertyInfo),
    ...(options.extDatas === undefined ? [] : [derExplicit(0, encodeExtDatas(options.extDatas))]),
  );
  const signature = await signer.sign(tbsSign);
  if (!verifyMessage('sm2-sm3', key, tbsSign, signature)) {
    throw new EvoucherError('KEY_CERT_MISMATCH', 'seal: the sealer signature does not verify with the signer certificate under the default SM2 signer ID that GB/T 38540 seals use (a wrong key, or a key provider set to another sm2Id)');
  }
  return derSequence(tbsSign, derOctetString(cert), derOid(SM2_WITH_SM3_OID), derBitString(signature));
}
