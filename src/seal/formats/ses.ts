/**
 * The `ses` seal format: a GB/T 38540-2020 (v4) `SES_Signature` whose `dataHash` is the SM3 of the DER of the
 * to-be-sealed structure.
 *
 * Profile (docs/formats.md "How each format carries the structure"):
 * - `TBS_Sign.version` 4; `eseal` the seal object (`SESeal` v4) byte for byte; `timeInfo` the signing time
 *   (whole seconds, equal to the structure's `signingTime`); `dataHash` SM3(`EvoucherTbs` DER);
 *   `propertyInfo` `evoucher-tbs/1;vt=…;no=…;view=…;pos=…;seq=…`; `extDatas [0]` exactly one
 *   `ExtData { id-evoucher-ext-tbs, <EvoucherTbs DER> }`, so a reader can show what was sealed.
 * - Sealer signature: SM2/SM3 with ID `1234567812345678` over the raw `TBS_Sign` slice; the sealer
 *   certificate must be in the seal's certList.
 *
 * The seal objects and the SES DER codec are in `../ses/`; this module adds the evoucher binding.
 */
import { equalBytes } from '@noble/curves/utils.js';
import { digest } from '../../crypto/index.js';
import type { Digester } from '../../crypto/digest_memo.js';
import { DER_LOW_TAG_LIMITS, DER_TAG, derSequence, expectDerTag, mapDerErrors, readDerSequence } from '../../encoding/der.js';
import { clipText } from '../../encoding/charset.js';
import { EvoucherError } from '../../errors.js';
import { checkMakerArguments } from '../arguments.js';
import type { KeyProvider } from '../../keys/provider.js';
import { matchSealerToSeal, unknownCriticalExtension, verifySesSignatureValue } from '../ses/checks.js';
import { makeSesSignature, parseSesSignature } from '../ses/signature.js';
import type { SesSignature } from '../ses/types.js';
import { decodeTbs, SEAL_OID, TBS_VERSION, type TbsFields } from '../tbs.js';
import { certificateParts } from './cert_parts.js';
import { MAX_CMS_CERTIFICATES, MAX_STAMP_BYTES } from './cms.js';
import type { SealCheck } from './types.js';

/** A parsed `ses` stamp. Byte fields are views of the received stamp. */
export interface SesStamp {
  readonly format: 'ses';
  /** The complete stamp (`SES_Signature` DER). */
  readonly bytes: Uint8Array;
  /** The decoded `SES_Signature` (embedded seal object, slices, extDatas). */
  readonly ses: SesSignature;
  readonly digestAlgorithm: 'sm3';
  readonly signatureAlgorithm: 'sm2-sm3';
  /** `SES_Signature.cert`: the sealer certificate. */
  readonly signerCertificate: Uint8Array;
  /** The sealer's chain carried in `TBS_Sign.extDatas` (untrusted; intermediates at most); may be empty. */
  readonly certificates: readonly Uint8Array[];
  /** `TBS_Sign.timeInfo`. */
  readonly signingTime: Date;
  /** `TBS_Sign.dataHash`. */
  readonly dataHash: Uint8Array;
  /** `TBS_Sign.propertyInfo`. */
  readonly propertyInfo: string;
  /** The `EvoucherTbs` DER carried in `TBS_Sign.extDatas`. */
  readonly tbs: Uint8Array;
  /** The embedded seal object: its esID, complete `SESeal` bytes and maker certificate (DER). */
  readonly sealObject: { readonly esId: string; readonly bytes: Uint8Array; readonly makerCertificate: Uint8Array };
}

/** What `propertyInfo` states, in ASCII. */
export interface SesScope {
  readonly vtCode: string;
  readonly voucherNo: string;
  readonly view: string;
  readonly position: string;
  readonly sequence: number;
}

function pct(s: string): string {
  return Array.from(new TextEncoder().encode(s), (b) =>
    /[A-Za-z0-9._-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');
}

/**
 * The `propertyInfo` of an `ses` stamp: `evoucher-tbs/1;vt=<VtCode>;no=<VoucherNo>;view=<view>;pos=<id>;seq=<n>`
 * (values outside `[A-Za-z0-9._-]` percent-encoded as UTF-8), so the scope is readable in any SES tool.
 *
 * @param scope - voucher type and number, view, position and sequence.
 * @returns the ASCII text.
 * @example
 * sesPropertyInfo({ vtCode: '5201', voucherNo: 'ZF1', view: 'original', position: 'cz_zfzyz', sequence: 2 })
 * // 'evoucher-tbs/1;vt=5201;no=ZF1;view=original;pos=cz_zfzyz;seq=2'
 */
export function sesPropertyInfo(scope: SesScope): string {
  return `evoucher-tbs/${TBS_VERSION};vt=${pct(scope.vtCode)};no=${pct(scope.voucherNo)};view=${pct(scope.view)};pos=${pct(scope.position)};seq=${scope.sequence}`;
}

/** Options of {@link makeSesStamp}. */
export interface MakeSesStampOptions {
  /** The DER of the to-be-sealed structure. */
  readonly tbs: Uint8Array;
  /** The sealer (SM2). */
  readonly key: KeyProvider;
  /** The seal object (`SESeal` DER, v4); its certList must hold the sealer certificate. */
  readonly seal: Uint8Array;
  /** The signing time (whole seconds; it must equal the structure's signingTime). */
  readonly signingTime: Date;
  /** The scope written to `propertyInfo`. */
  readonly scope: SesScope;
  /** The sealer's chain (issuer first), carried in `TBS_Sign.extDatas` so a verifier can build the path. */
  readonly chain?: readonly Uint8Array[];
}

/** The scope a stamp is made with, as a JavaScript caller may get it wrong: it is written into the stamp as it is. */
function checkScope(scope: unknown): void {
  const bad = (what: string): never => {
    throw new EvoucherError('ARG_INVALID', `makeSesStamp scope${what}`, { detail: { option: 'scope' } });
  };
  if (typeof scope !== 'object' || scope === null) return bad(' must be an object (vtCode, voucherNo, view, position, sequence)');
  const s = scope as Record<string, unknown>;
  for (const k of ['vtCode', 'voucherNo', 'position']) if (typeof s[k] !== 'string') bad(`.${k} must be a string`);
  if (s['view'] !== 'original' && s['view'] !== 'receipt') bad(".view must be 'original' or 'receipt'");
  const seq = s['sequence'];
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) bad('.sequence must be a positive integer');
}

/**
 * Makes an `ses` stamp over `tbs`.
 *
 * @param options - the structure, sealer, seal object, time and scope.
 * @returns the `SES_Signature` DER.
 * @throws EvoucherError the codes of `makeSesSignature`: `SEAL_SES_REQUIRES_SM2`, `SEAL_SIGNER_NOT_IN_SEAL`,
 *   `SEAL_PERIOD_INVALID`, `SEAL_VERSION_UNSUPPORTED`, `SEAL_MALFORMED`, `KEY_CERT_MISMATCH`, key-provider codes;
 *   `ARG_INVALID` for options of the wrong type, a scope whose view is not `original` or `receipt` or whose
 *   sequence is not a positive integer.
 * @example
 * const stamp = await makeSesStamp({ tbs: der, key, seal, signingTime, scope })
 */
export async function makeSesStamp(options: MakeSesStampOptions): Promise<Uint8Array> {
  checkMakerArguments(options, 'makeSesStamp', { key: 'key', bytes: ['tbs', 'seal'], dates: ['signingTime'], optionalChains: ['chain'] });
  checkScope(options.scope);
  return makeSesSignature({
    seal: options.seal,
    signer: options.key,
    dataHash: digest('sm3', options.tbs),
    propertyInfo: sesPropertyInfo(options.scope),
    time: options.signingTime,
    extDatas: [
      { oid: SEAL_OID.extTbs, critical: false, value: options.tbs },
      ...(options.chain === undefined || options.chain.length === 0 ? [] : [{ oid: SEAL_OID.extChain, critical: false, value: derSequence(...options.chain) }]),
    ],
  });
}

/**
 * Parses an `ses` stamp strictly (no vendor quirks: evoucher stamps are made by evoucher-conformant writers).
 *
 * @param bytes - the stamp (`SES_Signature` DER).
 * @returns the parsed stamp.
 * @throws EvoucherError `SEAL_MALFORMED` (not a v4 `SES_Signature`, timeInfo not a GeneralizedTime, no or several
 *   carried structures, a critical unknown extension, an algorithm other than SM2-with-SM3), `SEAL_VERSION_UNSUPPORTED`
 *   (a GM/T 0031-2014 signature), the SES codec's `DER_*` codes.
 * @example
 * const s = parseSesStamp(entry.bytes); s.sealObject.esId
 */
export function parseSesStamp(bytes: Uint8Array): SesStamp {
  const bad = (message: string): never => {
    throw new EvoucherError('SEAL_MALFORMED', `ses stamp: ${message}`);
  };
  if (bytes.length > MAX_STAMP_BYTES) bad(`larger than ${MAX_STAMP_BYTES} bytes`);
  const ses = parseSesSignature(bytes, { mode: 'strict' });
  if (ses.version !== 4 || ses.tbsVersion !== 4) {
    throw new EvoucherError('SEAL_VERSION_UNSUPPORTED', 'ses stamp: evoucher ses seals are GB/T 38540-2020 (v4) signatures');
  }
  if (!(ses.timeInfo instanceof Date)) bad('timeInfo is not a GeneralizedTime');
  // The structure binds whole seconds; a fraction here would be a second, unbound signing time.
  if ((ses.timeInfo as Date).getUTCMilliseconds() !== 0) bad('timeInfo has a fraction of a second (the profile signs whole seconds)');
  if (ses.signAlgorithmOid !== '1.2.156.10197.1.501' || ses.seal.signAlgorithmOid !== '1.2.156.10197.1.501') bad('the signature algorithm is not SM2-with-SM3');
  if (ses.dataHash.length !== 32) bad('dataHash is not an SM3 digest (32 bytes)');
  const exts = ses.extDatas ?? [];
  const carried = exts.filter((e) => e.oid === SEAL_OID.extTbs);
  if (carried.length !== 1) bad('TBS_Sign.extDatas must carry exactly one evoucher to-be-sealed structure');
  const unknownCritical = unknownCriticalExtension(ses, [SEAL_OID.extTbs, SEAL_OID.extChain]);
  if (unknownCritical !== undefined) bad(`unknown critical extension ${unknownCritical.oid} in the ${unknownCritical.where}`);
  const chainExts = exts.filter((e) => e.oid === SEAL_OID.extChain);
  if (chainExts.length > 1) bad('TBS_Sign.extDatas carries the certificate chain more than once');
  const certificates = chainExts.length === 0 ? [] : readChain((chainExts[0] as { value: Uint8Array }).value);
  if (ses.timeStamp !== undefined) bad('a timestamp token is not part of the evoucher ses profile yet');
  return Object.freeze({
    format: 'ses',
    bytes,
    ses,
    digestAlgorithm: 'sm3',
    signatureAlgorithm: 'sm2-sm3',
    signerCertificate: ses.sealerCert,
    certificates: Object.freeze(certificates),
    signingTime: ses.timeInfo as Date,
    dataHash: ses.dataHash,
    propertyInfo: ses.propertyInfo,
    tbs: (carried[0] as { value: Uint8Array }).value,
    sealObject: Object.freeze({ esId: ses.seal.esId, bytes: ses.seal.raw, makerCertificate: ses.seal.makerCert }),
  });
}

/**
 * `property-info`: `propertyInfo`, which other SES readers show as what the seal protects, states the scope the
 * carried structure binds (voucher type and number, view, position, sequence), so that no reader is shown
 * another. Whether that structure is the one recomputed from the envelope is `embedded-tbs`.
 */
function propertyInfoCheck(stamp: SesStamp, known: TbsFields | undefined): SealCheck {
  let expected: string;
  try {
    const f = known ?? decodeTbs(stamp.tbs);
    expected = sesPropertyInfo({ vtCode: f.voucher.vtCode, voucherNo: f.voucher.voucherNo, view: f.voucher.view, position: f.position.id, sequence: f.position.sequence });
  } catch (e) {
    return { check: 'property-info', status: 'failed', code: e instanceof EvoucherError ? e.code : 'SEAL_TBS_MALFORMED', message: e instanceof Error ? e.message : String(e) };
  }
  return stamp.propertyInfo === expected
    ? { check: 'property-info', status: 'passed', message: `propertyInfo states the sealed scope (${quote(expected)})` }
    : { check: 'property-info', status: 'failed', code: 'SEAL_SCOPE_MISMATCH', message: `propertyInfo ${quote(stamp.propertyInfo)} differs from the sealed scope ${quote(expected)}` };
}

/** A quote of stamp text for a message, at most 120 characters (the stamp is the sender's: up to 256 KiB). */
function quote(text: string): string {
  return JSON.stringify(text.length > 120 ? `${clipText(text, 120)}…` : text);
}

/** `SEQUENCE OF Certificate`, strictly: each a DER certificate, at most {@link MAX_CMS_CERTIFICATES}. */
function readChain(value: Uint8Array): Uint8Array[] {
  return mapDerErrors('SEAL_MALFORMED', () => {
    const list = readDerSequence(value, 'ses certificate chain', 0, MAX_CMS_CERTIFICATES, DER_LOW_TAG_LIMITS);
    return list.map((t, i) => certificateParts(expectDerTag(t, DER_TAG.SEQUENCE, `chain[${i}]`).raw, 'SEAL_MALFORMED', `chain[${i}]`).der);
  });
}

/**
 * Checks a parsed `ses` stamp against the to-be-sealed structure the verifier recomputed: `dataHash`, the
 * carried structure, the sealer signature over the received `TBS_Sign` slice, and that the sealer is in the
 * seal's certList. Never throws. The seal object itself (maker signature, maker path, validity period) is judged
 * separately (see the SES seal-object checks).
 *
 * @param stamp - from {@link parseSesStamp}.
 * @param tbs - the recomputed `EvoucherTbs` DER.
 * @param hash - the digest function (default `digest`).
 * @param fields - the recomputed structure's fields, when the caller has them (spares decoding the carried one).
 * @returns the checks `message-digest`, `embedded-tbs`, `signature`, `seal-match`.
 * @example
 * checkSesStamp(stamp, der).every((c) => c.status === 'passed')
 */
export function checkSesStamp(stamp: SesStamp, tbs: Uint8Array, hash: Digester = digest, fields?: TbsFields): readonly SealCheck[] {
  const checks: SealCheck[] = [];
  checks.push(
    equalBytes(hash('sm3', tbs), stamp.dataHash)
      ? { check: 'message-digest', status: 'passed', message: 'dataHash is the SM3 of the to-be-sealed structure' }
      : { check: 'message-digest', status: 'failed', code: 'SEAL_DIGEST_MISMATCH', message: 'dataHash differs from the SM3 of the to-be-sealed structure' },
  );
  const carriedIsRecomputed = equalBytes(stamp.tbs, tbs);
  checks.push(
    carriedIsRecomputed
      ? { check: 'embedded-tbs', status: 'passed', message: 'the carried to-be-sealed structure equals the recomputed one' }
      : { check: 'embedded-tbs', status: 'failed', code: 'SEAL_TBS_MISMATCH', message: 'the carried to-be-sealed structure differs from the recomputed one' },
  );
  // The carried structure's fields: those of the recomputed one when they are the same bytes (no second decode).
  checks.push(propertyInfoCheck(stamp, carriedIsRecomputed ? fields : undefined));
  const sig = verifySesSignatureValue(stamp.ses);
  checks.push(
    sig.ok
      ? { check: 'signature', status: 'passed', message: sig.message }
      : { check: 'signature', status: 'failed', code: sig.code ?? 'SEAL_SIGNATURE_INVALID', message: sig.message },
  );
  try {
    const m = matchSealerToSeal(stamp.ses.seal, stamp.signerCertificate);
    checks.push(
      m.ok
        ? { check: 'seal-match', status: 'passed', message: m.message }
        : { check: 'seal-match', status: 'failed', code: m.code ?? 'SEAL_SIGNER_NOT_IN_SEAL', message: m.message },
    );
  } catch (e) {
    checks.push({ check: 'seal-match', status: 'failed', code: e instanceof EvoucherError ? e.code : 'SEAL_SIGNER_NOT_IN_SEAL', message: e instanceof Error ? e.message : String(e) });
  }
  return Object.freeze(checks);
}
