/**
 * Shared pieces of the SES decoders and encoders: the decoding context (mode and quirk list), the
 * `SES_Header`, `SES_ESPictrueInfo` and `ExtensionDatas` structures, and the few certificate fields
 * the seal checks need. Internal to `seal/ses`.
 *
 * Schema errors inside a seal become `SEAL_MALFORMED`; errors of the DER reader itself (truncation,
 * trailing bytes, indefinite lengths, depth, size) keep their `DER_*` codes (see {@link decodeSchema}).
 */
import {
  DER_TAG,
  derBoolean,
  derChildren,
  derContextTag,
  derIa5String,
  derInteger,
  derOctetString,
  derOid,
  derSequence,
  expectDerTag,
  isDerTag,
  mapDerErrors,
  readDer,
  readDerBoolean,
  readDerOctetString,
  readDerOid,
  readDerSmallInteger,
  readDerString,
  readTlv,
} from '../../encoding/der.js';
import type { DerLimits, DerNode, DerQuirk } from '../../encoding/der.js';
import { EvoucherError } from '../../errors.js';
import type { SesExtData, SesHeader, SesParseMode, SesPicture } from './types.js';

/** Largest `SESeal` or `SES_Signature` accepted: 4 MiB (real ones are 6–18 KB, pictures included). */
export const MAX_SES_BYTES = 4 * 1024 * 1024;
/**
 * Largest seal object `makeSeal` makes: 192 KiB. An evoucher `ses` stamp embeds the whole `SESeal` and is read
 * only up to `MAX_STAMP_BYTES` (256 KiB, security.md §1.12); the rest is left for the to-be-sealed structure,
 * the sealer certificate and its chain (up to 8 certificates). A larger seal object could never seal a voucher.
 */
export const MAX_SEAL_OBJECT_BYTES = 192 * 1024;
/** Most entries accepted in a `certList`. */
export const MAX_CERT_LIST = 256;
/** Most `ExtData` entries accepted in one `ExtensionDatas`. */
export const MAX_EXT_DATAS = 64;
/** SM2 with SM3, the only `signAlgID` GB/T 38540 allows. */
export const SM2_WITH_SM3_OID = '1.2.156.10197.1.501';
/**
 * Bound of the version INTEGERs read (six contents octets): a version above the ones known is
 * `SEAL_VERSION_UNSUPPORTED`, not malformed; a longer INTEGER is malformed.
 */
export const MAX_VERSION = 2 ** 47 - 1;

/** The decoding context: the mode and the quirks found so far. */
export interface SesDecodeContext {
  readonly mode: SesParseMode;
  readonly quirks: DerQuirk[];
}

/**
 * The decoding context of a parse: `mode` as given, `lenient` by default. Any other mode is `ARG_INVALID`: read
 * as lenient, a misspelt `'strict'` would accept what the caller asked to refuse.
 *
 * @param mode - the caller's `options.mode`.
 * @returns a fresh context.
 * @throws EvoucherError `ARG_INVALID` for a mode other than `strict` or `lenient`.
 */
export function decodeContext(mode: unknown): SesDecodeContext {
  if (mode !== undefined && mode !== 'strict' && mode !== 'lenient') throw new EvoucherError('ARG_INVALID', "the parse mode must be 'strict' or 'lenient'", { detail: { option: 'mode' } });
  return { mode: mode ?? 'lenient', quirks: [] };
}

/**
 * The DER reader limits of a parse: {@link MAX_SES_BYTES} as the size limit, with the caller's `options.limits` over
 * it. Limits that are not an object (`null`, a number) are `ARG_INVALID`: spread, they were read as none.
 *
 * @param limits - the caller's `options.limits`.
 * @param fn - the function, for the message.
 * @returns the limits to read with (the reader checks each value).
 * @throws EvoucherError `ARG_INVALID`.
 */
export function sesReadLimits(limits: unknown, fn: string): DerLimits {
  if (limits === undefined) return { maxSize: MAX_SES_BYTES };
  if (typeof limits !== 'object' || limits === null) throw new EvoucherError('ARG_INVALID', `${fn} limits must be an object of DER limits`, { detail: { option: 'limits' } });
  return Object.assign({ maxSize: MAX_SES_BYTES }, limits);
}

/** Records a tolerated quirk, or refuses it in strict mode. */
export function tolerate(ctx: SesDecodeContext, node: DerNode, quirk: string, message: string): void {
  if (ctx.mode === 'strict') {
    throw new EvoucherError('SEAL_MALFORMED', `${message} (refused in strict mode)`, { detail: { offset: String(node.start), quirk } });
  }
  ctx.quirks.push(Object.freeze({ quirk, offset: node.start, message }));
}

/** A schema failure inside a seal structure. */
export function malformed(message: string, node?: DerNode): never {
  throw new EvoucherError('SEAL_MALFORMED', message, { detail: node === undefined ? {} : { offset: String(node.start) } });
}

/**
 * Runs a schema decoder: `DER_MALFORMED` raised by a field decoder means the bytes are DER but not the
 * structure, so it becomes `SEAL_MALFORMED` (with the same detail); other codes pass through.
 */
export function decodeSchema<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof EvoucherError && e.code === 'DER_MALFORMED') {
      throw new EvoucherError('SEAL_MALFORMED', e.message.replace(/^der: /, 'seal: '), { cause: e, detail: e.detail });
    }
    throw e;
  }
}

/** Decodes `SES_Header ::= SEQUENCE { ID IA5String, version INTEGER, Vid IA5String }` (ID must be `ES`). */
export function decodeHeader(node: DerNode | undefined): SesHeader {
  const n = expectDerTag(node, DER_TAG.SEQUENCE, 'SES_Header');
  const [id, version, vid] = derChildren(n, 'SES_Header', 3, 3);
  const header = Object.freeze({
    id: readDerString(id, 'ia5', 'SES_Header.ID'),
    version: readDerSmallInteger(version, 'SES_Header.version', 0, MAX_VERSION),
    vid: readDerString(vid, 'ia5', 'SES_Header.Vid'),
  });
  // GB/T 38540-2020 §6.3 step 1 (format): the header identifies an electronic seal.
  if (header.id !== 'ES') malformed(`seal: SES_Header.ID is ${JSON.stringify(header.id)}, not "ES"`, n);
  return header;
}

/** Decodes `SES_ESPictrueInfo ::= SEQUENCE { type IA5String, data OCTET STRING, width INTEGER, height INTEGER }`. */
export function decodePicture(node: DerNode | undefined): SesPicture {
  const n = expectDerTag(node, DER_TAG.SEQUENCE, 'SES_ESPictrueInfo');
  const [type, data, width, height] = derChildren(n, 'SES_ESPictrueInfo', 4, 4);
  return Object.freeze({
    type: readDerString(type, 'ia5', 'picture.type'),
    data: readDerOctetString(data, 'picture.data'),
    width: readDerSmallInteger(width, 'picture.width', 0, 100_000),
    height: readDerSmallInteger(height, 'picture.height', 0, 100_000),
  });
}

/**
 * Decodes `ExtensionDatas ::= SEQUENCE OF ExtData`,
 * `ExtData ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }`.
 * An explicitly encoded FALSE breaks DER's DEFAULT rule (X.690 §11.5) but GOMAIN tax seals write it
 * (standards.md §2.3): tolerated in lenient mode as `explicit-default-boolean`.
 */
export function decodeExtDatas(node: DerNode, ctx: SesDecodeContext, path: string): readonly SesExtData[] {
  const n = expectDerTag(node, DER_TAG.SEQUENCE, path);
  const items = derChildren(n, path, 0, MAX_EXT_DATAS);
  return Object.freeze(items.map((item, i) => {
    const p = `${path}[${i}]`;
    const e = expectDerTag(item, DER_TAG.SEQUENCE, p);
    const parts = derChildren(e, p, 2, 3);
    const oid = readDerOid(parts[0], `${p}.extnID`);
    let critical = false;
    if (parts.length === 3) {
      critical = readDerBoolean(parts[1], `${p}.critical`);
      if (!critical) tolerate(ctx, parts[1] as DerNode, 'explicit-default-boolean', `seal: ${p}.critical encodes its DEFAULT FALSE explicitly`);
    }
    const value = readDerOctetString(parts[parts.length - 1], `${p}.extnValue`);
    return Object.freeze({ oid, critical, value });
  }));
}

/**
 * Encodes `ExtensionDatas` (DER: `critical` only when TRUE).
 *
 * @param items - the extensions, as a maker's `extDatas` option gives them.
 * @returns the DER.
 * @throws EvoucherError `ARG_INVALID` for a list that is not an array, or an item whose `critical` is not `true` or
 *   `false` (`'false'` was written TRUE), whose `oid` is no string or whose `value` is no bytes.
 */
export function encodeExtDatas(items: readonly SesExtData[]): Uint8Array {
  if (!Array.isArray(items as unknown)) throw new EvoucherError('ARG_INVALID', 'extDatas must be an array of { oid, critical, value }', { detail: { option: 'extDatas' } });
  for (const e of items) {
    if (typeof e !== 'object' || e === null || typeof e.oid !== 'string' || (e.critical !== true && e.critical !== false) || !(e.value instanceof Uint8Array)) {
      throw new EvoucherError('ARG_INVALID', 'extDatas items must be { oid: string, critical: true or false, value: Uint8Array }', { detail: { option: 'extDatas' } });
    }
  }
  return derSequence(...items.map((e) => (e.critical
    ? derSequence(derOid(e.oid), derBoolean(true), derOctetString(e.value))
    : derSequence(derOid(e.oid), derOctetString(e.value)))));
}

/** Encodes `SES_Header`. */
export function encodeHeader(h: SesHeader): Uint8Array {
  return derSequence(derIa5String(h.id), derInteger(h.version), derIa5String(h.vid));
}

/**
 * Where the seal object ends in the bytes of an `SES_Signature`: both GB/T 38540-2020 and GM/T 0031-2014 open
 * it with `TBS_Sign`, and `TBS_Sign` with its version and the whole `SESeal`. Reads four TLV headers and
 * nothing else; a hint for hashing only (the parsers check the structure), so any other shape gives undefined.
 *
 * @param stamp - the `SES_Signature` DER.
 * @returns the offset just after the `SESeal` TLV, or undefined.
 * @example sealObjectEnd(stampBytes) // e.g. 25,431 for a seal object with its picture
 */
export function sealObjectEnd(stamp: Uint8Array): number | undefined {
  try {
    const outer = readTlv(stamp, 0, { maxSize: MAX_SES_BYTES });
    const tbs = readTlv(stamp, outer.start + outer.headerLength, { maxSize: MAX_SES_BYTES });
    const version = readTlv(stamp, tbs.start + tbs.headerLength, { maxSize: MAX_SES_BYTES });
    const seal = readTlv(stamp, version.end, { maxSize: MAX_SES_BYTES });
    const nested = isDerTag(outer, DER_TAG.SEQUENCE) && isDerTag(tbs, DER_TAG.SEQUENCE) && isDerTag(version, DER_TAG.INTEGER) && isDerTag(seal, DER_TAG.SEQUENCE);
    return nested && tbs.end <= outer.end && seal.end <= tbs.end ? seal.end : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The SubjectPublicKeyInfo TLV of an X.509 certificate (RFC 5280 §4.1), found structurally so that the
 * seal checks do not depend on full certificate validation (the verifier validates paths apart).
 *
 * @throws EvoucherError `CERT_MALFORMED` when the bytes are not a certificate shape.
 */
export function certificateSpki(certDer: Uint8Array): Uint8Array {
  return mapDerErrors('CERT_MALFORMED', () => {
    const cert = readDer(certDer, { maxSize: MAX_SES_BYTES });
    const [tbs] = derChildren(expectDerTag(cert, DER_TAG.SEQUENCE, 'Certificate'), 'Certificate', 3, 3);
    const fields = derChildren(expectDerTag(tbs, DER_TAG.SEQUENCE, 'tbsCertificate'), 'tbsCertificate', 6, 10);
    // RFC 5280 §4.1: version [0] EXPLICIT is optional; serial, signature, issuer, validity, subject, spki follow.
    const first = isDerTag(fields[0], derContextTag(0)) ? 1 : 0;
    return expectDerTag(fields[first + 5], DER_TAG.SEQUENCE, 'subjectPublicKeyInfo').raw;
  }, 'certificate');
}
