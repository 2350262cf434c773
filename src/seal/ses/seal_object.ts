/**
 * The electronic seal object `SESeal` (电子印章): reading GB/T 38540-2020 ("v4") and GM/T 0031-2014
 * seals, and making v4 seals with a seal maker's (制章者) key.
 *
 * Design rationale: the maker's signature covers received bytes, never a re-encoding (standards.md
 * §2.2), so the reader keeps `slices.makerSigned` as exactly what was signed: the raw `SES_SealInfo`
 * TLV (v4), or a new SEQUENCE header around the raw `SES_SealInfo`, `cert` and `signatureAlgorithm`
 * TLVs (2014). The structure version comes from the element count and must agree with the header
 * version (standards.md §2.1), so a 2014 seal cannot be read as a v4 one or the reverse.
 */
import {
  DER_TAG,
  derBitString,
  derChildren,
  derContextTag,
  derGeneralizedTime,
  derIa5String,
  derInteger,
  derOctetString,
  derOid,
  derSequence,
  derUtf8String,
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
import { parseCertificate } from '../../pki/cert.js';
import { refuseLeafUse } from '../../pki/chain.js';
import {
  MAX_CERT_LIST,
  MAX_SEAL_OBJECT_BYTES,
  SM2_WITH_SM3_OID,
  certificateSpki,
  decodeContext,
  decodeExtDatas,
  decodeHeader,
  decodePicture,
  decodeSchema,
  encodeExtDatas,
  encodeHeader,
  malformed,
  sesReadLimits,
  tolerate,
} from './asn1.js';
import type { SesDecodeContext } from './asn1.js';
import type { SealObject, SesCertDigest, SesCertList, SesExtData, SesParseOptions, SesStructureVersion } from './types.js';

/** The header version a GB/T 38540-2020 seal carries. */
export const SES_VERSION_V4 = 4;

/**
 * Decodes an `SESeal` node of an already-read DER tree. Internal: {@link parseSeal} and the
 * `SES_Signature` reader call it.
 */
export function decodeSealNode(node: DerNode | undefined, ctx: SesDecodeContext): Omit<SealObject, 'quirks'> {
  const seal = expectDerTag(node, DER_TAG.SEQUENCE, 'SESeal');
  const elements = derChildren(seal, 'SESeal', 1, 16);
  // standards.md §2.1: 2 elements = GM/T 0031-2014, 4 = GB/T 38540-2020; then the header must agree.
  const sealInfo = expectDerTag(elements[0], DER_TAG.SEQUENCE, 'SES_SealInfo');
  const infoParts = derChildren(sealInfo, 'SES_SealInfo', 4, 5);
  const header = decodeHeader(infoParts[0]);
  if (header.version > SES_VERSION_V4) {
    throw new EvoucherError('SEAL_VERSION_UNSUPPORTED', `seal: header version ${header.version} is not supported (GM/T 0031-2014 and GB/T 38540-2020 only)`, {
      detail: { version: String(header.version) },
    });
  }
  let version: SesStructureVersion;
  if (elements.length === 4) {
    version = 4;
    if (header.version !== SES_VERSION_V4) malformed(`seal: a 4-element SESeal with header version ${header.version}`, seal);
  } else if (elements.length === 2) {
    version = 2014;
    if (header.version < 1 || header.version > 3) malformed(`seal: a 2-element SESeal with header version ${header.version}`, seal);
  } else {
    malformed(`seal: SESeal has ${elements.length} elements (2 or 4 expected)`, seal);
  }

  const esId = readDerString(infoParts[1], 'ia5', 'SES_SealInfo.esID');
  const property = decodeProperty(infoParts[2], version, ctx);
  const picture = decodePicture(infoParts[3]);
  let extDatas: readonly SesExtData[] = Object.freeze([]);
  const ext = infoParts[4];
  if (ext !== undefined) {
    if (isDerTag(ext, derContextTag(0))) {
      // One vendor guide tags extDatas [0] EXPLICIT (standards.md §2 "Tolerances").
      tolerate(ctx, ext, 'extdatas-explicit-tag', 'seal: SES_SealInfo.extDatas is tagged [0] EXPLICIT');
      extDatas = decodeExtDatas(derChildren(ext, 'SES_SealInfo.extDatas', 1, 1)[0] as DerNode, ctx, 'SES_SealInfo.extDatas');
    } else {
      extDatas = decodeExtDatas(ext, ctx, 'SES_SealInfo.extDatas');
    }
  }

  let certNode: DerNode;
  let algNode: DerNode;
  let sigNode: DerNode | undefined;
  let makerSigned: Uint8Array;
  if (version === 4) {
    // GB/T 38540-2020: SESeal ::= SEQUENCE { eSealInfo, cert OCTET STRING, signAlgID OID, signedValue BIT STRING }
    certNode = expectDerTag(elements[1], DER_TAG.OCTET_STRING, 'SESeal.cert');
    algNode = expectDerTag(elements[2], DER_TAG.OID, 'SESeal.signAlgID');
    sigNode = elements[3];
    makerSigned = sealInfo.raw;
  } else {
    // GM/T 0031-2014: SES_SignInfo ::= SEQUENCE { cert OCTET STRING, signatureAlgorithm OID, signData BIT STRING }
    const signInfo = expectDerTag(elements[1], DER_TAG.SEQUENCE, 'SES_SignInfo');
    const parts = derChildren(signInfo, 'SES_SignInfo', 3, 3);
    certNode = expectDerTag(parts[0], DER_TAG.OCTET_STRING, 'SES_SignInfo.cert');
    algNode = expectDerTag(parts[1], DER_TAG.OID, 'SES_SignInfo.signatureAlgorithm');
    sigNode = parts[2];
    // standards.md §2.2: the 2014 maker signs SEQUENCE { SES_SealInfo, cert, signatureAlgorithm } built
    // around the three TLVs exactly as received.
    makerSigned = derSequence(sealInfo.raw, certNode.raw, algNode.raw);
  }
  const makerCert = readDerOctetString(certNode, 'SESeal.cert');
  if (makerCert.length === 0) malformed('seal: the maker certificate is empty', certNode);
  return {
    version,
    header,
    esId,
    ...property,
    picture,
    extDatas,
    makerCert,
    signAlgorithmOid: readDerOid(algNode, 'SESeal.signAlgID'),
    signature: readDerBitStringOctets(sigNode, 'SESeal.signedValue'),
    slices: Object.freeze({ sealInfo: sealInfo.raw, makerSigned }),
    raw: seal.raw,
  };
}

/** The fields of `SES_ESPropertyInfo`, as they appear on the seal object. */
type Property = Pick<SealObject, 'type' | 'name' | 'certListType' | 'certList' | 'createDate' | 'validStart' | 'validEnd'>;

function decodeProperty(node: DerNode | undefined, version: SesStructureVersion, ctx: SesDecodeContext): Property {
  const p = expectDerTag(node, DER_TAG.SEQUENCE, 'SES_ESPropertyInfo');
  if (version === 4) {
    // GB/T 38540-2020: { type, name, certListType, certList, createDate, validStart, validEnd }
    const [type, name, listType, list, c, s, e] = derChildren(p, 'SES_ESPropertyInfo', 7, 7);
    const certListType = readDerSmallInteger(listType, 'property.certListType', 1, 2) as 1 | 2;
    return {
      type: readDerSmallInteger(type, 'property.type', 0, 0x7fffffff),
      name: readDerString(name, 'utf8', 'property.name'),
      certListType,
      certList: decodeCertList(list, certListType),
      createDate: readDerTime(c, 'generalized', 'property.createDate'),
      validStart: readDerTime(s, 'generalized', 'property.validStart'),
      validEnd: readDerTime(e, 'generalized', 'property.validEnd'),
    };
  }
  // GM/T 0031-2014: { type, name, certList SEQUENCE OF cert, createDate, validStart, validEnd } in UTCTime.
  const [type, name, list, c, s, e] = derChildren(p, 'SES_ESPropertyInfo', 6, 6);
  const time = (n: DerNode | undefined, path: string): Date => {
    if (n !== undefined && isDerTag(n, DER_TAG.GENERALIZED_TIME)) {
      // ofdrw reads GeneralizedTime here ("兼容非标签章"), standards.md §2 "Tolerances".
      tolerate(ctx, n, 'legacy-generalized-time', `seal: 2014 ${path} is a GeneralizedTime`);
      return readDerTime(n, 'generalized', path);
    }
    return readDerTime(n, 'utc', path);
  };
  return {
    type: readDerSmallInteger(type, 'property.type', 0, 0x7fffffff),
    name: readDerString(name, 'utf8', 'property.name'),
    certList: decodeCertList(list, 1),
    createDate: time(c, 'property.createDate'),
    validStart: time(s, 'property.validStart'),
    validEnd: time(e, 'property.validEnd'),
  };
}

function decodeCertList(node: DerNode | undefined, type: 1 | 2): SesCertList {
  // Both alternatives are SEQUENCE OF: certListType selects, not the tag (standards.md §2).
  const list = expectDerTag(node, DER_TAG.SEQUENCE, 'property.certList');
  const items = derChildren(list, 'property.certList', 0, MAX_CERT_LIST);
  if (type === 1) {
    const certs = items.map((c, i) => readDerOctetString(c, `property.certList[${i}]`));
    return Object.freeze({ kind: 'certs', certs: Object.freeze(certs) });
  }
  const digests: SesCertDigest[] = items.map((d, i) => {
    const path = `property.certList[${i}]`;
    const [alg, value] = derChildren(expectDerTag(d, DER_TAG.SEQUENCE, path), path, 2, 2);
    return Object.freeze({ algorithm: readDerString(alg, 'printable', `${path}.type`), value: readDerOctetString(value, `${path}.value`) });
  });
  return Object.freeze({ kind: 'digests', digests: Object.freeze(digests) });
}

/**
 * Parses an electronic seal (`SESeal`, e.g. a `.esl` file): GB/T 38540-2020 or GM/T 0031-2014.
 * It checks the structure only; the maker's signature is checked by {@link verifySealMaker}.
 *
 * @param der - the `SESeal` DER (exactly one TLV).
 * @param options - `mode` (`lenient` by default: the vendor quirks of standards.md §2.3 are tolerated
 *   and listed in `quirks`; `strict` refuses them) and DER `limits`.
 * @returns the frozen seal object; its byte fields are views of `der`.
 * @throws EvoucherError `DER_MALFORMED`, `DER_TRAILING_BYTES`, `DER_INDEFINITE_LENGTH`, `DER_TOO_DEEP`,
 *   `DER_TOO_LARGE` (not DER), `SEAL_MALFORMED` (DER but not an `SESeal`: wrong element count, tag or
 *   type, ID not `ES`, header version disagreeing with the structure, non-zero unused bits),
 *   `SEAL_VERSION_UNSUPPORTED` (header version 5 or more).
 * @example
 * const seal = parseSeal(await readFile('seal.esl')); console.log(seal.name, seal.esId, seal.validEnd);
 */
export function parseSeal(der: Uint8Array, options: SesParseOptions = {}): SealObject {
  if (typeof options !== 'object' || options === null) throw new EvoucherError('ARG_INVALID', 'parseSeal options must be an object');
  const ctx = decodeContext(options.mode);
  const root = readDer(der, sesReadLimits(options.limits, 'parseSeal'));
  const seal = decodeSchema(() => decodeSealNode(root, ctx));
  return Object.freeze(Object.assign({}, seal, { quirks: Object.freeze(ctx.quirks) }));
}

/** Picture input of {@link makeSeal}. */
export interface SealPictureInput {
  /** Image type written to `SES_ESPictrueInfo.type`. */
  readonly type: 'PNG' | 'JPG' | 'GIF' | 'BMP' | 'SVG';
  readonly data: Uint8Array;
  /** Printed width in millimetres. */
  readonly widthMm: number;
  /** Printed height in millimetres. */
  readonly heightMm: number;
}

/** Options of {@link makeSeal}. */
export interface MakeSealOptions {
  /** The seal maker's key (SM2: GB/T 38540 seals are SM2/SM3 only). Its certificate becomes `SESeal.cert`. */
  readonly maker: KeyProvider;
  /** The certificates (DER) of those allowed to seal with it (`certList`, certListType 1). At least one; SM2. */
  readonly holders: readonly Uint8Array[];
  /** The seal's name (e.g. the organisation's name). */
  readonly name: string;
  /** `esID`; default 32 random lowercase hex digits. ASCII. */
  readonly esId?: string;
  /** Property `type`; default 1 (an organisation seal). */
  readonly type?: number;
  /** `SES_Header.Vid`; default `evoucher`. ASCII. */
  readonly vid?: string;
  readonly validStart: Date;
  readonly validEnd: Date;
  /** Default: now, whole seconds. */
  readonly createDate?: Date;
  /** The seal picture; default a generated round red seal (see {@link renderSealPng}), 40 × 40 mm. */
  readonly picture?: SealPictureInput;
  /** `SES_SealInfo.extDatas`, written untagged; omitted when absent or empty. */
  readonly extDatas?: readonly SesExtData[];
}

/** Default printed size of a generated seal picture, in millimetres. */
export const DEFAULT_SEAL_PICTURE_MM = 40;

function randomEsId(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function argInvalid(message: string): never {
  throw new EvoucherError('ARG_INVALID', message);
}

/** Checks that a certificate carries an SM2 key; returns its public key info. */
function requireSm2Certificate(certDer: Uint8Array, role: string): ReturnType<typeof parsePublicKey> {
  const key = parsePublicKey(certificateSpki(certDer));
  if (key.kind !== 'sm2') {
    throw new EvoucherError('SEAL_SES_REQUIRES_SM2', `seal: the ${role} certificate has a ${key.kind} key; GB/T 38540 seals are SM2 only`, {
      detail: { role, keyKind: key.kind },
    });
  }
  return key;
}

/**
 * Makes a GB/T 38540-2020 (v4) electronic seal: `SES_SealInfo` (header `ES`/4/vid, esID, property with
 * certListType 1 and the holders' certificates, GeneralizedTime dates, picture, extDatas), signed by
 * the maker with SM2/SM3 (ID `1234567812345678`) over the exact `SES_SealInfo` DER.
 *
 * @param options - see {@link MakeSealOptions}.
 * @returns the `SESeal` DER (a `.esl` file).
 * @throws EvoucherError `SEAL_SES_REQUIRES_SM2` (maker or a holder not SM2), `SEAL_PERIOD_INVALID`
 *   (validStart not before validEnd, validEnd not after createDate, or validEnd after the maker certificate's
 *   notAfter or before its notBefore),
 *   `CERT_KEY_USAGE` / `CERT_UNKNOWN_CRITICAL_EXTENSION` (the maker certificate may not sign a seal),
 *   `ARG_INVALID` (no holder, a holder given twice, empty name, non-ASCII esID or vid, a `type` that is not an integer
 *   from 0 to 2^31 - 1, a `createDate`, `vid` or `picture` of the wrong type (`null` included), bad picture size, a seal object over
 *   {@link MAX_SEAL_OBJECT_BYTES}), `CERT_MALFORMED` (a certificate is not one), `KEY_CERT_MISMATCH` (the maker's
 *   signature does not verify with its certificate), key-provider codes from `maker.sign`.
 * @example
 * const esl = await makeSeal({ maker, holders: [sealerCertDer], name: '示例预算单位', validStart, validEnd });
 */
export async function makeSeal(options: MakeSealOptions): Promise<Uint8Array> {
  checkMakerArguments(options, 'makeSeal', { key: 'maker' });
  const { maker, holders, name } = options;
  if (maker.algorithm !== 'sm2-sm3') {
    throw new EvoucherError('SEAL_SES_REQUIRES_SM2', `seal: the maker key is ${maker.algorithm}; GB/T 38540 seals are SM2/SM3 only`, {
      detail: { algorithm: maker.algorithm },
    });
  }
  if (!Array.isArray(holders) || holders.length === 0) argInvalid('seal: at least one holder certificate is required');
  if (holders.length > MAX_CERT_LIST) argInvalid(`seal: more than ${MAX_CERT_LIST} holder certificates`);
  if (typeof name !== 'string' || name.trim() === '') argInvalid('seal: the seal name is empty');
  const check = (d: Date, what: string): void => {
    if (!(d instanceof Date) || Number.isNaN(d.getTime())) argInvalid(`seal: ${what} is not a valid date`);
  };
  check(options.validStart, 'validStart');
  check(options.validEnd, 'validEnd');
  if (options.validStart.getTime() >= options.validEnd.getTime()) {
    throw new EvoucherError('SEAL_PERIOD_INVALID', 'seal: validStart must be before validEnd', {
      detail: { validStart: options.validStart.toISOString(), validEnd: options.validEnd.toISOString() },
    });
  }
  // Only a missing createDate, type, vid or picture takes its default: `null` is refused, not read as left out.
  const createDate = options.createDate === undefined ? new Date(Math.floor(Date.now() / 1000) * 1000) : options.createDate;
  check(createDate, 'createDate');
  // A seal whose period has ended when it is made could seal nothing (seal-period fails at every signing time
  // from then on): not made. A past period is stated by a past createDate.
  if (options.validEnd.getTime() <= createDate.getTime()) {
    throw new EvoucherError('SEAL_PERIOD_INVALID', `seal: validEnd ${options.validEnd.toISOString()} is not after createDate ${createDate.toISOString()}: the seal would have expired when made`, {
      detail: { validEnd: options.validEnd.toISOString(), createDate: createDate.toISOString() },
    });
  }
  // The esID a seal of evoucher binds (docs/formats.md): 1-128 printable ASCII characters. A seal made with any
  // other could never seal a voucher (SEAL_TBS_MALFORMED), so it is not made.
  if (options.esId !== undefined && (typeof options.esId !== 'string' || options.esId.length === 0 || options.esId.length > 128 || !/^[\x20-\x7e]+$/.test(options.esId))) {
    argInvalid('seal: esId must be 1 to 128 printable ASCII characters');
  }
  const type = options.type === undefined ? 1 : options.type;
  if (!Number.isSafeInteger(type) || type < 0 || type > 0x7fffffff) argInvalid('seal: type must be an integer from 0 to 2147483647');
  const vid = options.vid === undefined ? 'evoucher' : options.vid;
  if (typeof vid !== 'string') argInvalid('seal: vid must be an ASCII string, or left out');
  if (options.picture !== undefined && (typeof options.picture !== 'object' || options.picture === null)) argInvalid('seal: picture must be an object (type, data, widthMm, heightMm), or left out');
  if (options.extDatas !== undefined) encodeExtDatas(options.extDatas);
  holders.forEach((h, i) => requireSm2Certificate(h, `holder[${i}]`));
  // A certList names each holder once: a repeated certificate adds bytes and no holder.
  const seen = new Set<string>();
  holders.forEach((h, i) => {
    const hex = Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString('hex');
    if (seen.has(hex)) argInvalid(`seal: holder[${i}] repeats an earlier holder certificate`);
    seen.add(hex);
  });
  const makerCert = await maker.certificate();
  const makerKey = requireSm2Certificate(makerCert, 'maker');
  // The sealer and the verifier judge the maker certificate at every stamp (maker-key-usage, maker-chain at the
  // signing time): a seal they would fail is not made.
  const makerInfo = parseCertificate(makerCert);
  refuseLeafUse(makerInfo, 'maker', 'seal: maker certificate');
  // A stamp made after the maker certificate's notAfter fails maker-chain (CERT_EXPIRED): a seal valid beyond it
  // would state a period it cannot be used in, and one that ends before its notBefore could never be used. A start
  // before notBefore is accepted (a date in China Standard Time starts 8 hours before a UTC-midnight notBefore).
  if (options.validEnd.getTime() > makerInfo.notAfter.getTime() || options.validEnd.getTime() < makerInfo.notBefore.getTime()) {
    throw new EvoucherError('SEAL_PERIOD_INVALID', `seal: validEnd ${options.validEnd.toISOString()} is outside the maker certificate's validity (${makerInfo.notBefore.toISOString()} .. ${makerInfo.notAfter.toISOString()})`, {
      detail: { validEnd: options.validEnd.toISOString(), notBefore: makerInfo.notBefore.toISOString(), notAfter: makerInfo.notAfter.toISOString() },
    });
  }

  let picture = options.picture;
  if (picture === undefined) {
    // Loaded lazily: only a seal without a supplied picture needs the renderer.
    const { renderSealPng } = await import('./picture.js');
    picture = { type: 'PNG', data: await renderSealPng(name), widthMm: DEFAULT_SEAL_PICTURE_MM, heightMm: DEFAULT_SEAL_PICTURE_MM };
  }
  for (const [v, what] of [[picture.widthMm, 'widthMm'], [picture.heightMm, 'heightMm']] as const) {
    if (!Number.isInteger(v) || v <= 0 || v > 1000) argInvalid(`seal: picture ${what} must be an integer number of millimetres (1..1000)`);
  }
  if (!(picture.data instanceof Uint8Array) || picture.data.length === 0) argInvalid('seal: picture data is empty');

  // GB/T 38540-2020 §6.1: SES_SealInfo ::= SEQUENCE { header, esID, property, picture, extDatas OPTIONAL }
  const sealInfo = derSequence(
    encodeHeader({ id: 'ES', version: SES_VERSION_V4, vid }),
    derIa5String(options.esId ?? randomEsId()),
    derSequence(
      derInteger(type),
      derUtf8String(name),
      derInteger(1),
      derSequence(...holders.map((h) => derOctetString(h))),
      derGeneralizedTime(createDate),
      derGeneralizedTime(options.validStart),
      derGeneralizedTime(options.validEnd),
    ),
    derSequence(derIa5String(picture.type), derOctetString(picture.data), derInteger(picture.widthMm), derInteger(picture.heightMm)),
    ...(options.extDatas !== undefined && options.extDatas.length > 0 ? [encodeExtDatas(options.extDatas)] : []),
  );
  // Measured with the longest DER SM2 signature (72 bytes), before the maker's key is asked to sign.
  const size = derSequence(sealInfo, derOctetString(makerCert), derOid(SM2_WITH_SM3_OID), derBitString(new Uint8Array(72))).length;
  if (size > MAX_SEAL_OBJECT_BYTES) {
    argInvalid(`seal: the seal object would be ${size} bytes, more than the ${MAX_SEAL_OBJECT_BYTES} an ses stamp can embed (a smaller picture or fewer holders)`);
  }
  const signature = await maker.sign(sealInfo);
  // Refuse to emit a seal whose maker signature would not verify (wrong key for the certificate, or a
  // provider that signed with another ID or returned raw r||s).
  if (!verifyMessage('sm2-sm3', makerKey, sealInfo, signature)) {
    throw new EvoucherError('KEY_CERT_MISMATCH', 'seal: the maker signature does not verify with the maker certificate under the default SM2 signer ID that GB/T 38540 seals use (a wrong key, or a key provider set to another sm2Id)');
  }
  return derSequence(sealInfo, derOctetString(makerCert), derOid(SM2_WITH_SM3_OID), derBitString(signature));
}
