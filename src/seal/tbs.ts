/**
 * The to-be-sealed structure, `EvoucherTbs` version 1: the exact bytes every evoucher seal signs.
 *
 * Design rationale (design.md §3, security.md §2): a seal never signs XML, it signs the DER of this
 * structure, which binds
 *   1. the digest of the exact voucher bytes of the view (and, for a receipt, of the original bytes),
 *   2. the voucher identity (AdmDivCode, StYear, VtCode, VoucherNo) and the view,
 *   3. the seal's own position id, sequence and format,
 *   4. the digest of every earlier seal of the body, in chain order,
 *   5. the signing time, the signer certificate and, for `ses`, the seal object.
 * Removing, replacing or reordering an earlier seal therefore breaks every later seal, a seal cannot be
 * moved to another voucher, view or position, and the signer cannot be swapped. Truncation (dropping the
 * last seals) is caught by the policy's completeness check, not here.
 *
 * The ASN.1 module is in docs/formats.md ("The to-be-sealed structure"). It is evoucher's own format, not
 * the national voucher library's (domain.md §6). The encoding is DER; {@link decodeTbs} accepts only the
 * one encoding {@link encodeTbs} produces (it re-encodes and compares), so a verifier can rebuild the
 * structure from the envelope and compare bytes.
 */
import { equalBytes } from '@noble/curves/utils.js';
import { digestHinted, type Digester } from '../crypto/digest_memo.js';
import { digestOfRepeated } from '../crypto/digest_cache.js';
import type { HashAlgorithm, SignatureAlgorithm } from '../crypto/types.js';
import { hashForSignatureAlgorithm } from '../crypto/algorithms.js';
import {
  DER_LOW_TAG_LIMITS,
  DER_TAG,
  derChildren,
  derContextTag,
  derEnumerated,
  derGeneralizedTime,
  derIa5String,
  derInteger,
  derOctetString,
  derOid,
  derPending,
  derTlv,
  derUtf8String,
  derWrite,
  expectDerTag,
  mapDerErrors,
  readDerEnumerated,
  readDerOctetString,
  readDerOid,
  readDerSequence,
  readDerSmallInteger,
  readDerString,
  readDerTime,
} from '../encoding/der.js';
import type { DerNode, DerPending } from '../encoding/der.js';
import { EvoucherError } from '../errors.js';
import { sealObjectEnd } from './ses/asn1.js';

/** The version this implementation writes and reads. */
export const TBS_VERSION = 1;

/**
 * evoucher's object-identifier arc: a UUID-derived OID (ITU-T X.667 / RFC 4122 `2.25`), which needs no
 * registration and cannot collide with another organisation's arc.
 */
export const EVOUCHER_OID_ARC = '2.25.42372295347284084581784898730529086157';

/** OIDs of the sealing layer (documented in docs/formats.md). */
export const SEAL_OID = Object.freeze({
  /** The ASN.1 module `EvoucherSeal`. */
  module: `${EVOUCHER_OID_ARC}.1`,
  /** `TBS_Sign.extDatas` entry of an `ses` stamp whose value is the `EvoucherTbs` DER it seals. */
  extTbs: `${EVOUCHER_OID_ARC}.2`,
  /** `TBS_Sign.extDatas` entry of an `ses` stamp whose value is `SEQUENCE OF Certificate`: the sealer's chain (untrusted). */
  extChain: `${EVOUCHER_OID_ARC}.3`,
  /** SM3 (GB/T 32905), the digest of `sm2-sm3` seals. */
  sm3: '1.2.156.10197.1.401',
  /** SHA-256 (FIPS 180-4), the digest of ECDSA and RSA seals. */
  sha256: '2.16.840.1.101.3.4.2.1',
});

/** Largest number of earlier seals a structure may reference (security.md §1.12). */
export const MAX_CHAIN_SEALS = 64;

/** Largest `EvoucherTbs` accepted by {@link decodeTbs}. */
export const MAX_TBS_BYTES = 16 * 1024;

/** The view a seal covers: the original voucher, or the receipt (回单). */
export type TbsView = 'original' | 'receipt';

/** A seal format: GB/T 38540 `SES_Signature` or RFC 5652 `SignedData`. */
export type SealFormat = 'ses' | 'cms';

/** Every seal format, in a stable order. */
export const SEAL_FORMATS: readonly SealFormat[] = Object.freeze(['ses', 'cms']);

/** Identity and digest of the voucher view a seal covers (`VoucherRef`). */
export interface TbsVoucherRef {
  readonly admDivCode: string;
  readonly stYear: string;
  readonly vtCode: string;
  readonly voucherNo: string;
  readonly view: TbsView;
  /** Digest of the exact voucher bytes of this view (the receipt bytes for a receipt). */
  readonly voucherDigest: Uint8Array;
  /** Receipt view only: digest of the exact original voucher bytes. */
  readonly originalDigest?: Uint8Array;
}

/** The position a seal fills (`PositionRef`). */
export interface TbsPositionRef {
  /** Position id, e.g. `cz_zfzyz`. */
  readonly id: string;
  /** The position's sequence number (policy). */
  readonly sequence: number;
  /** The seal format. */
  readonly format: SealFormat;
}

/** One earlier seal of the chain (`SealRef`). */
export interface TbsSealRef {
  readonly positionId: string;
  readonly sequence: number;
  readonly view: TbsView;
  /** Digest of the complete earlier stamp bytes (`SES_Signature` or CMS `ContentInfo` DER). */
  readonly digest: Uint8Array;
}

/** The seal object an `ses` seal carries (`SealObjectRef`). */
export interface TbsSealObjectRef {
  /** The seal's `esID`. */
  readonly esId: string;
  /** Digest of the complete `SESeal` DER. */
  readonly digest: Uint8Array;
}

/** The decoded `EvoucherTbs`. Every digest uses {@link TbsFields.digestAlgorithm}. */
export interface TbsFields {
  /** Always {@link TBS_VERSION}. */
  readonly version: number;
  /** The one digest algorithm of every digest in the structure: `sm3` for `sm2-sm3` signers, `sha256` otherwise. */
  readonly digestAlgorithm: HashAlgorithm;
  readonly voucher: TbsVoucherRef;
  readonly position: TbsPositionRef;
  /** Every earlier seal of the body in chain order (ascending sequence: original-view seals, then receipt-view seals). */
  readonly previousSeals: readonly TbsSealRef[];
  /** Signing time, whole seconds, UTC. */
  readonly signingTime: Date;
  /** Digest of the signer certificate DER. */
  readonly signerCertificateDigest: Uint8Array;
  /** `ses` only: the seal object. */
  readonly sealObject?: TbsSealObjectRef;
}

const VIEW_CODES: Readonly<Record<TbsView, number>> = { original: 0, receipt: 1 };
/** Bound of the INTEGERs and ENUMERATEDs read here: six contents octets (the range checks follow). */
const MAX_SMALL_INTEGER = 2 ** 47 - 1;
const DIGEST_OIDS: Readonly<Record<HashAlgorithm, string>> = { sm3: SEAL_OID.sm3, sha256: SEAL_OID.sha256 };
const POSITION_ID = /^(dw|cz|yh|rh)_[a-z]+$/;

function bad(message: string, detail?: Record<string, string>): never {
  throw new EvoucherError('SEAL_TBS_MALFORMED', message, detail === undefined ? {} : { detail });
}

function checkDigest(alg: HashAlgorithm, d: Uint8Array, what: string): void {
  if (d.length !== 32) bad(`${what}: a ${alg} digest has 32 bytes, got ${d.length}`, { field: what });
}

function checkSequence(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 1 || n > 9999) bad(`${what}: sequence must be 1..9999, got ${n}`, { field: what });
}

function checkIdentity(s: string, what: string): void {
  // eslint-disable-next-line no-control-regex
  if (s.length === 0 || s.length > 64 || /[\u0000-\u001f\u007f]/.test(s)) bad(`${what}: empty, too long or control characters`, { field: what });
  // A lone surrogate has no UTF-8 encoding: it would be signed as U+FFFD, not as the identity given.
  if (/\p{Cs}/u.test(s)) bad(`${what}: a lone surrogate`, { field: what });
}

function checkPositionId(s: string, what: string): void {
  if (!POSITION_ID.test(s) || s.length > 64) bad(`${what}: not a position id: ${JSON.stringify(s.slice(0, 70))}`, { field: what });
}

/** Validates the fields (shared by encode and decode so that both accept exactly the same set). */
function checkFields(f: TbsFields): void {
  if (f.version !== TBS_VERSION) {
    throw new EvoucherError('SEAL_VERSION_UNSUPPORTED', `evoucher-tbs version ${f.version} is not supported`, {
      detail: { version: String(f.version) },
    });
  }
  if (!Object.hasOwn(DIGEST_OIDS, f.digestAlgorithm)) bad(`digestAlgorithm: ${String(f.digestAlgorithm)} is not allowed`);
  const alg = f.digestAlgorithm;
  const v = f.voucher;
  checkIdentity(v.admDivCode, 'voucher.admDivCode');
  checkIdentity(v.stYear, 'voucher.stYear');
  checkIdentity(v.vtCode, 'voucher.vtCode');
  checkIdentity(v.voucherNo, 'voucher.voucherNo');
  if (!Object.hasOwn(VIEW_CODES, v.view)) bad(`voucher.view: ${String(v.view)}`);
  checkDigest(alg, v.voucherDigest, 'voucher.voucherDigest');
  if (v.view === 'receipt') {
    if (v.originalDigest === undefined) bad('voucher.originalDigest: required for the receipt view');
    checkDigest(alg, v.originalDigest, 'voucher.originalDigest');
  } else if (v.originalDigest !== undefined) {
    bad('voucher.originalDigest: only the receipt view carries it');
  }
  checkPositionId(f.position.id, 'position.id');
  checkSequence(f.position.sequence, 'position.sequence');
  if (f.position.format !== 'ses' && f.position.format !== 'cms') bad(`position.format: ${String(f.position.format)}`);
  if (f.previousSeals.length > MAX_CHAIN_SEALS) bad(`previousSeals: more than ${MAX_CHAIN_SEALS}`);
  let last = 0;
  let sawReceipt = false;
  f.previousSeals.forEach((s, i) => {
    const w = `previousSeals[${i}]`;
    checkPositionId(s.positionId, `${w}.positionId`);
    checkSequence(s.sequence, `${w}.sequence`);
    if (!Object.hasOwn(VIEW_CODES, s.view)) bad(`${w}.view: ${String(s.view)}`);
    checkDigest(alg, s.digest, `${w}.digest`);
    // Chain order: strictly ascending sequence; original-view seals before receipt-view seals.
    if (s.sequence <= last) bad(`${w}.sequence: not ascending`, { field: `${w}.sequence` });
    if (s.view === 'original' && sawReceipt) bad(`${w}.view: an original-view seal after a receipt-view seal`);
    if (s.view === 'receipt' && v.view === 'original') bad(`${w}.view: an original-view seal cannot chain over a receipt-view seal`);
    sawReceipt ||= s.view === 'receipt';
    last = s.sequence;
  });
  if (f.position.sequence <= last) bad('position.sequence: not after the previous seals', { field: 'position.sequence' });
  const t = f.signingTime;
  if (!(t instanceof Date) || Number.isNaN(t.getTime())) bad('signingTime: not a date');
  if (t.getUTCMilliseconds() !== 0) bad('signingTime: must be whole seconds');
  if (t.getUTCFullYear() < 1970 || t.getUTCFullYear() > 9999) bad('signingTime: year out of range');
  checkDigest(alg, f.signerCertificateDigest, 'signerCertificateDigest');
  if (f.sealObject !== undefined) {
    if (f.position.format !== 'ses') bad('sealObject: only an ses seal carries a seal object');
    const id = f.sealObject.esId;
    if (id.length === 0 || id.length > 128 || !/^[\x20-\x7e]+$/.test(id)) bad('sealObject.esId: empty, too long or not printable ASCII');
    checkDigest(alg, f.sealObject.digest, 'sealObject.digest');
  } else if (f.position.format === 'ses') {
    bad('sealObject: an ses seal must bind its seal object');
  }
}

/**
 * Encodes the to-be-sealed structure as DER (docs/formats.md, `EvoucherTbs`).
 *
 * @param fields - the structure; `version` must be {@link TBS_VERSION}, `signingTime` whole seconds.
 * @returns the DER bytes a seal signs.
 * @throws EvoucherError `SEAL_TBS_MALFORMED` when a field is out of its range (wrong digest length, bad position
 *   id, chain not ascending, ...), `SEAL_VERSION_UNSUPPORTED` for another version.
 * @example
 * const der = encodeTbs({ version: 1, digestAlgorithm: 'sm3', voucher, position, previousSeals: [], signingTime, signerCertificateDigest })
 */
export function encodeTbs(fields: TbsFields): Uint8Array {
  checkFields(fields);
  const v = fields.voucher;
  // The nested SEQUENCEs are written at the end, in one allocation (derPending / derWrite).
  const voucherRef = derPending(
    DER_TAG.SEQUENCE,
    derUtf8String(v.admDivCode),
    derUtf8String(v.stYear),
    derUtf8String(v.vtCode),
    derUtf8String(v.voucherNo),
    derEnumerated(VIEW_CODES[v.view]),
    derOctetString(v.voucherDigest),
    ...(v.originalDigest === undefined ? [] : [derTlv(derContextTag(0, false), v.originalDigest)]), // [0] IMPLICIT OCTET STRING
  );
  const positionRef = derPending(DER_TAG.SEQUENCE, derIa5String(fields.position.id), derInteger(fields.position.sequence), derIa5String(fields.position.format));
  const chain = derPending(
    DER_TAG.SEQUENCE,
    ...fields.previousSeals.map((s) =>
      derPending(DER_TAG.SEQUENCE, derIa5String(s.positionId), derInteger(s.sequence), derEnumerated(VIEW_CODES[s.view]), derOctetString(s.digest)),
    ),
  );
  const parts: (Uint8Array | DerPending)[] = [
    derInteger(fields.version),
    derPending(DER_TAG.SEQUENCE, derOid(DIGEST_OIDS[fields.digestAlgorithm])), // AlgorithmIdentifier, parameters absent (RFC 5754 §2 / GM/T 0006)
    voucherRef,
    positionRef,
    chain,
    derGeneralizedTime(fields.signingTime),
    derPending(DER_TAG.SEQUENCE, derOctetString(fields.signerCertificateDigest)),
  ];
  if (fields.sealObject !== undefined) {
    // [0] IMPLICIT SealObjectRef
    parts.push(derPending(derContextTag(0), derIa5String(fields.sealObject.esId), derOctetString(fields.sealObject.digest)));
  }
  return derWrite(derPending(DER_TAG.SEQUENCE, ...parts));
}

/**
 * Decodes an `EvoucherTbs` strictly: DER only, every field in range, and the bytes must equal the
 * re-encoding of the decoded fields (so there is exactly one accepted encoding per value).
 *
 * @param der - the structure, e.g. the `TBS_Sign.extDatas` value of an `ses` stamp.
 * @returns the frozen fields.
 * @throws EvoucherError `SEAL_TBS_MALFORMED` (any structural or range violation, trailing bytes, over
 *   {@link MAX_TBS_BYTES}), `SEAL_VERSION_UNSUPPORTED`.
 * @example
 * const fields = decodeTbs(der); fields.position.id // 'cz_zfzyz'
 */
export function decodeTbs(der: Uint8Array): TbsFields {
  if (der.length > MAX_TBS_BYTES) bad(`evoucher-tbs larger than ${MAX_TBS_BYTES} bytes`);
  const fields = mapDerErrors('SEAL_TBS_MALFORMED', () => decodeFields(der));
  // One value, one encoding: anything the encoder would write differently is refused.
  if (!equalBytes(encodeTbs(fields), der)) bad('EvoucherTbs: not the canonical DER encoding');
  return fields;
}

/** The children of a SEQUENCE field, at most `max`. */
function sequenceField(node: DerNode | undefined, what: string, max: number): readonly DerNode[] {
  return derChildren(expectDerTag(node, DER_TAG.SEQUENCE, what), what, 0, max);
}

/**
 * Reads the fields; their ranges (identities, position ids, chain order, whole seconds) are checked by
 * `encodeTbs` on the way back to bytes.
 */
function decodeFields(der: Uint8Array): TbsFields {
  const top = readDerSequence(der, 'EvoucherTbs', 0, 8, DER_LOW_TAG_LIMITS);
  const version = readDerSmallInteger(top[0], 'version', 0, MAX_SMALL_INTEGER);
  if (version !== TBS_VERSION) {
    throw new EvoucherError('SEAL_VERSION_UNSUPPORTED', `evoucher-tbs version ${version} is not supported`, {
      detail: { version: String(version) },
    });
  }
  if (top.length < 7 || top.length > 8) bad(`EvoucherTbs: expected 7 or 8 elements, got ${top.length}`);
  const algSeq = sequenceField(top[1], 'digestAlgorithm', 2);
  if (algSeq.length !== 1) bad('digestAlgorithm: parameters must be absent');
  const algOid = readDerOid(algSeq[0], 'digestAlgorithm.algorithm');
  const digestAlgorithm = (Object.keys(DIGEST_OIDS) as HashAlgorithm[]).find((k) => DIGEST_OIDS[k] === algOid);
  if (digestAlgorithm === undefined) bad(`digestAlgorithm: ${algOid} is not allowed`, { oid: algOid });

  const vr = sequenceField(top[2], 'voucher', 8);
  if (vr.length < 6 || vr.length > 7) bad(`voucher: expected 6 or 7 elements, got ${vr.length}`);
  const view = viewOf(vr[4], 'voucher.view');
  const voucher: TbsVoucherRef = {
    admDivCode: readDerString(vr[0], 'utf8', 'voucher.admDivCode'),
    stYear: readDerString(vr[1], 'utf8', 'voucher.stYear'),
    vtCode: readDerString(vr[2], 'utf8', 'voucher.vtCode'),
    voucherNo: readDerString(vr[3], 'utf8', 'voucher.voucherNo'),
    view,
    voucherDigest: copy(readDerOctetString(vr[5], 'voucher.voucherDigest')),
    ...(vr.length === 7 ? { originalDigest: copy(expectDerTag(vr[6], derContextTag(0, false), 'voucher.originalDigest').value) } : {}),
  };

  const pr = sequenceField(top[3], 'position', 4);
  if (pr.length !== 3) bad(`position: expected 3 elements, got ${pr.length}`);
  const format = readDerString(pr[2], 'ia5', 'position.format');
  if (format !== 'ses' && format !== 'cms') bad(`position.format: ${format}`);
  const position: TbsPositionRef = {
    id: readDerString(pr[0], 'ia5', 'position.id'),
    sequence: readDerSmallInteger(pr[1], 'position.sequence', 0, MAX_SMALL_INTEGER),
    format,
  };

  const chainNodes = sequenceField(top[4], 'previousSeals', MAX_CHAIN_SEALS);
  const previousSeals = chainNodes.map((t, i): TbsSealRef => {
    const w = `previousSeals[${i}]`;
    const c = sequenceField(t, w, 5);
    if (c.length !== 4) bad(`${w}: expected 4 elements, got ${c.length}`);
    return Object.freeze({
      positionId: readDerString(c[0], 'ia5', `${w}.positionId`),
      sequence: readDerSmallInteger(c[1], `${w}.sequence`, 0, MAX_SMALL_INTEGER),
      view: viewOf(c[2], `${w}.view`),
      digest: copy(readDerOctetString(c[3], `${w}.digest`)),
    });
  });

  const signingTime = readDerTime(top[5], 'generalized', 'signingTime');
  const sr = sequenceField(top[6], 'signer', 2);
  if (sr.length !== 1) bad(`signer: expected 1 element, got ${sr.length}`);
  const signerCertificateDigest = copy(readDerOctetString(sr[0], 'signer.certificateDigest'));

  let sealObject: TbsSealObjectRef | undefined;
  if (top.length === 8) {
    const so = derChildren(expectDerTag(top[7], derContextTag(0), 'sealObject'), 'sealObject', 0, 3);
    if (so.length !== 2) bad(`sealObject: expected 2 elements, got ${so.length}`);
    sealObject = Object.freeze({
      esId: readDerString(so[0], 'ia5', 'sealObject.esId'),
      digest: copy(readDerOctetString(so[1], 'sealObject.digest')),
    });
  }

  return Object.freeze({
    version,
    digestAlgorithm,
    voucher: Object.freeze(voucher),
    position: Object.freeze(position),
    previousSeals: Object.freeze(previousSeals),
    signingTime,
    signerCertificateDigest,
    ...(sealObject === undefined ? {} : { sealObject }),
  });
}

function viewOf(node: DerNode | undefined, what: string): TbsView {
  const n = readDerEnumerated(node, what, 0, MAX_SMALL_INTEGER);
  if (n === 0) return 'original';
  if (n === 1) return 'receipt';
  return bad(`${what}: unknown view ${n}`);
}

function copy(b: Uint8Array): Uint8Array {
  return Uint8Array.from(b);
}

// ---------------------------------------------------------------------------------------------------------
// Building the structure from an envelope body: the sealer and the verifier share this one function, so
// the bytes a seal signs and the bytes a verifier recomputes cannot drift apart.

/** An earlier stamp of the body, as stored in the envelope (`StampEntry`). */
export interface TbsStampInput {
  readonly position: string;
  readonly sequence: number;
  readonly view: TbsView;
  readonly bytes: Uint8Array;
  /** `ses` or `cms`, when known: only a hint for hashing (an `ses` stamp's seal object is hashed once). */
  readonly format?: string;
}

/** Input of {@link buildTbs}. */
export interface BuildTbsInput {
  /** `sm3` for `sm2-sm3` signers and for every `ses` seal, `sha256` otherwise (see {@link digestAlgorithmFor}). */
  readonly digestAlgorithm: HashAlgorithm;
  /** Voucher identity, taken from the parsed voucher header (never from envelope attributes). */
  readonly identity: { readonly admDivCode: string; readonly stYear: string; readonly vtCode: string; readonly voucherNo: string };
  /** The view the seal covers. */
  readonly view: TbsView;
  /** Exact voucher bytes of that view (`<Voucher>`; the receipt bytes for a receipt). */
  readonly voucherBytes: Uint8Array;
  /** Receipt view: the exact original voucher bytes (`<OriginalVoucher>`). */
  readonly originalVoucherBytes?: Uint8Array;
  /** The seal's position id, sequence and format. */
  readonly position: TbsPositionRef;
  /** The earlier stamps of the body, in chain order (see {@link chainOrder}). */
  readonly previousStamps: readonly TbsStampInput[];
  /** Signing time; milliseconds are dropped. */
  readonly signingTime: Date;
  /** Signer certificate DER. */
  readonly signerCertificate: Uint8Array;
  /** `ses` only: the seal object (`SESeal` DER) and its esID. */
  readonly sealObject?: { readonly esId: string; readonly bytes: Uint8Array };
}

/**
 * Computes every digest and encodes the to-be-sealed structure for one seal.
 *
 * @param input - the voucher bytes, identity, position, earlier stamps, time, signer and seal object.
 * @param hash - the digest function (default `digestHinted`; the verifier passes one that remembers the digests of
 *   one body, see `crypto/digest_memo.ts`).
 * @returns the fields and their DER.
 * @throws EvoucherError `SEAL_TBS_MALFORMED` when an input is out of range (see {@link encodeTbs}).
 * @example
 * const { der } = buildTbs({ digestAlgorithm: 'sha256', identity, view: 'original', voucherBytes, position: { id: 'dw_gz', sequence: 1, format: 'cms' }, previousStamps: [], signingTime: new Date(), signerCertificate })
 */
export function buildTbs(input: BuildTbsInput, hash: Digester = digestHinted): { readonly fields: TbsFields; readonly der: Uint8Array } {
  const alg = input.digestAlgorithm;
  if (!Object.hasOwn(DIGEST_OIDS, alg)) bad(`digestAlgorithm: ${String(alg)} is not allowed`);
  const h = (b: Uint8Array): Uint8Array => hash(alg, b);
  const fields: TbsFields = {
    version: TBS_VERSION,
    digestAlgorithm: alg,
    voucher: {
      admDivCode: input.identity.admDivCode,
      stYear: input.identity.stYear,
      vtCode: input.identity.vtCode,
      voucherNo: input.identity.voucherNo,
      view: input.view,
      voucherDigest: h(input.voucherBytes),
      ...(input.view === 'receipt' && input.originalVoucherBytes !== undefined ? { originalDigest: h(input.originalVoucherBytes) } : {}),
    },
    position: input.position,
    // An ses stamp starts with its holder's seal object, the same in each of its seals: a hint to hash it once.
    previousSeals: input.previousStamps.map((s) => ({
      positionId: s.position,
      sequence: s.sequence,
      view: s.view,
      digest: s.format === 'ses' ? hash(alg, s.bytes, sealObjectEnd(s.bytes)) : h(s.bytes),
    })),
    signingTime: wholeSeconds(input.signingTime),
    signerCertificateDigest: h(input.signerCertificate),
    // A holder's seal object comes back whole in every seal it makes: its digest is recognised by content.
    ...(input.sealObject === undefined ? {} : { sealObject: { esId: input.sealObject.esId, digest: digestOfRepeated(alg, input.sealObject.bytes) } }),
  };
  return { fields, der: encodeTbs(fields) };
}

/** Drops the milliseconds: the structure, `TBS_Sign.timeInfo` and CMS `signing-time` all carry whole seconds. */
export function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/**
 * The digest algorithm a seal uses: SM3 for `sm2-sm3` signers and for every `ses` seal, SHA-256 otherwise.
 *
 * @param signatureAlgorithm - the signer's algorithm, one of `SIGNATURE_ALGORITHMS`.
 * @returns `sm3` or `sha256`.
 * @throws EvoucherError `CRYPTO_ALGORITHM_UNSUPPORTED` for a name not on the list (never read as a SHA-256 one).
 * @example
 * digestAlgorithmFor('ecdsa-p256-sha256') // 'sha256'
 */
export function digestAlgorithmFor(signatureAlgorithm: string): HashAlgorithm {
  return hashForSignatureAlgorithm(signatureAlgorithm as SignatureAlgorithm);
}

/**
 * Sorts stamps into chain order: ascending sequence (the policy makes sequences unique per body and puts
 * every receipt position after every original position). The verifier derives the order from this, never
 * from document order (security.md §1.10).
 *
 * @param stamps - the stamps of one body, in any order.
 * @returns a new array in chain order.
 * @example
 * chainOrder(body.stamps).map((s) => s.position)
 */
export function chainOrder<T extends { readonly sequence: number; readonly view: TbsView }>(stamps: readonly T[]): T[] {
  return [...stamps].sort((a, b) => (a.view === b.view ? a.sequence - b.sequence : a.view === 'original' ? -1 : 1));
}
