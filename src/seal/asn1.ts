/**
 * A small, strict DER reader and writer for the structures the sealing layer defines or reads itself:
 * the to-be-sealed structure (`tbs.ts`) and the CMS seal profile (`formats/cms.ts`). Internal: not exported
 * from the package.
 *
 * Design rationale: seals arrive from hostile envelopes, and the verifier recomputes the to-be-sealed
 * structure and compares it byte for byte. A strict reader refuses every encoding freedom BER allows
 * (indefinite and non-minimal lengths, non-minimal integers, high tag numbers, trailing bytes, constructed
 * strings), so one value has exactly one accepted encoding (ITU-T X.690 §10, DER). It keeps every TLV as a
 * view of the received bytes, so signatures are always checked over the received slices.
 */
import { EvoucherError } from '../errors.js';
import type { ErrorCode } from '../errors.js';

/** A decoded TLV: the tag byte, the whole encoding and the content octets (views, not copies). */
export interface Tlv {
  readonly tag: number;
  readonly encoded: Uint8Array;
  readonly content: Uint8Array;
}

/** Lengths above this are refused: no seal structure is anywhere near it (security.md §1.12). */
export const MAX_DER_LENGTH = 8 * 1024 * 1024;

/** Universal and context tags used by the sealing layer. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/**
 * A reader bound to one error code: every violation becomes an {@link EvoucherError} with that code and a
 * message naming the field, so callers report `SEAL_TBS_MALFORMED` or `SEAL_CMS_MALFORMED` as fits.
 */
export class DerReader {
  readonly code: ErrorCode;

  constructor(code: ErrorCode) {
    this.code = code;
  }

  /** Throws this reader's coded error. */
  fail(message: string, detail?: Record<string, string>): never {
    throw new EvoucherError(this.code, message, detail === undefined ? {} : { detail });
  }

  /** Reads one TLV at `pos`; returns it and the offset just after it. */
  readTlv(buf: Uint8Array, pos: number, what: string): { tlv: Tlv; next: number } {
    if (pos >= buf.length) this.fail(`${what}: truncated (no tag)`);
    const tag = buf[pos] as number;
    // X.690 §8.1.2.4: tag numbers >= 31 use the multi-byte form; none of our structures has one.
    if ((tag & 0x1f) === 0x1f) this.fail(`${what}: high tag number`);
    let p = pos + 1;
    if (p >= buf.length) this.fail(`${what}: truncated (no length)`);
    const first = buf[p++] as number;
    let len: number;
    if (first < 0x80) {
      len = first;
    } else if (first === 0x80) {
      this.fail(`${what}: indefinite length`); // X.690 §10.1
    } else {
      const count = first & 0x7f;
      if (count > 4) this.fail(`${what}: length too large`);
      if (p + count > buf.length) this.fail(`${what}: truncated (length)`);
      if (buf[p] === 0) this.fail(`${what}: non-minimal length`);
      len = 0;
      for (let i = 0; i < count; i++) len = len * 256 + (buf[p + i] as number);
      p += count;
      if (len < 0x80) this.fail(`${what}: non-minimal length`); // X.690 §10.1
    }
    if (len > MAX_DER_LENGTH) this.fail(`${what}: length too large`);
    if (p + len > buf.length) this.fail(`${what}: truncated (content)`);
    const end = p + len;
    return { tlv: { tag, encoded: buf.subarray(pos, end), content: buf.subarray(p, end) }, next: end };
  }

  /** Reads exactly one TLV covering all of `buf` (no trailing bytes), with the expected tag. */
  single(buf: Uint8Array, tag: number, what: string): Tlv {
    const { tlv, next } = this.readTlv(buf, 0, what);
    if (next !== buf.length) this.fail(`${what}: trailing bytes`);
    return this.expect(tlv, tag, what);
  }

  /** Splits the content of a constructed TLV into its children (at most `max`). */
  children(t: Tlv, what: string, max = 64): Tlv[] {
    if ((t.tag & 0x20) === 0) this.fail(`${what}: not constructed`);
    const out: Tlv[] = [];
    let pos = 0;
    while (pos < t.content.length) {
      if (out.length >= max) this.fail(`${what}: too many elements (max ${max})`);
      const { tlv, next } = this.readTlv(t.content, pos, what);
      out.push(tlv);
      pos = next;
    }
    return out;
  }

  /** Checks the tag of a TLV that must be present. */
  expect(t: Tlv | undefined, tag: number, what: string): Tlv {
    if (t === undefined) this.fail(`${what}: missing`);
    if (t.tag !== tag) this.fail(`${what}: unexpected tag 0x${t.tag.toString(16)}`);
    return t;
  }

  /** A non-negative INTEGER (or ENUMERATED with `tag`) that fits a safe JS number, minimally encoded (X.690 §8.3.2). */
  smallInt(t: Tlv | undefined, what: string, tag: number = TAG.INTEGER): number {
    const c = this.expect(t, tag, what).content;
    if (c.length === 0) this.fail(`${what}: empty integer`);
    if (c.length > 6) this.fail(`${what}: integer too large`);
    const b0 = c[0] as number;
    if (b0 & 0x80) this.fail(`${what}: negative integer`);
    if (c.length > 1 && b0 === 0 && ((c[1] as number) & 0x80) === 0) this.fail(`${what}: non-minimal integer`);
    let v = 0;
    for (const b of c) v = v * 256 + b;
    return v;
  }

  /** An INTEGER of any size as lower-case hex of its content octets (serial numbers). */
  integerHex(t: Tlv | undefined, what: string): string {
    const c = this.expect(t, TAG.INTEGER, what).content;
    if (c.length === 0) this.fail(`${what}: empty integer`);
    if (c.length > 1 && ((c[0] === 0 && ((c[1] as number) & 0x80) === 0) || (c[0] === 0xff && ((c[1] as number) & 0x80) !== 0))) {
      this.fail(`${what}: non-minimal integer`);
    }
    return hex(c);
  }

  /** An OBJECT IDENTIFIER in dotted form (arcs of any size), strictly decoded (X.690 §8.19). */
  oid(t: Tlv | undefined, what: string): string {
    const c = this.expect(t, TAG.OID, what).content;
    if (c.length === 0 || c.length > 64) this.fail(`${what}: bad OID length`);
    const arcs: bigint[] = [];
    let value = 0n;
    let started = false;
    for (const b of c) {
      if (!started && b === 0x80) this.fail(`${what}: non-minimal OID arc`);
      started = true;
      value = (value << 7n) | BigInt(b & 0x7f);
      if ((b & 0x80) === 0) {
        arcs.push(value);
        value = 0n;
        started = false;
      }
    }
    if (started) this.fail(`${what}: truncated OID`);
    const first = arcs[0] as bigint;
    const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
    return [...head, ...arcs.slice(1)].map(String).join('.');
  }

  /** OCTET STRING content (primitive only). */
  octets(t: Tlv | undefined, what: string, tag: number = TAG.OCTET_STRING): Uint8Array {
    return this.expect(t, tag, what).content;
  }

  /** BIT STRING content that must have 0 unused bits. */
  bits(t: Tlv | undefined, what: string): Uint8Array {
    const c = this.expect(t, TAG.BIT_STRING, what).content;
    if (c.length === 0 || c[0] !== 0) this.fail(`${what}: unused bits must be 0`);
    return c.subarray(1);
  }

  /** A UTF8String (valid UTF-8, no control characters). */
  utf8(t: Tlv | undefined, what: string): string {
    const c = this.expect(t, TAG.UTF8_STRING, what).content;
    let s: string;
    try {
      s = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(c);
    } catch {
      this.fail(`${what}: invalid UTF-8`);
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(s)) this.fail(`${what}: control character`);
    return s;
  }

  /** An IA5String of printable ASCII (0x20–0x7e). */
  ia5(t: Tlv | undefined, what: string, tag: number = TAG.IA5_STRING): string {
    const c = this.expect(t, tag, what).content;
    for (const b of c) if (b < 0x20 || b > 0x7e) this.fail(`${what}: not printable ASCII`);
    return String.fromCharCode(...c);
  }

  /** A DER GeneralizedTime `YYYYMMDDHHMMSSZ` (X.690 §11.7: UTC, no fraction here). */
  generalizedTime(t: Tlv | undefined, what: string): Date {
    const s = this.ia5(t, what, TAG.GENERALIZED_TIME);
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (m === null) this.fail(`${what}: not YYYYMMDDHHMMSSZ`);
    return checkedDate(this, what, Number(m[1]), m.slice(2).map(Number));
  }

  /** A DER UTCTime `YYMMDDHHMMSSZ` (RFC 5280 §4.1.2.5.1 window: 50–99 → 19xx). */
  utcTime(t: Tlv | undefined, what: string): Date {
    const s = this.ia5(t, what, TAG.UTC_TIME);
    const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (m === null) this.fail(`${what}: not YYMMDDHHMMSSZ`);
    const yy = Number(m[1]);
    return checkedDate(this, what, yy >= 50 ? 1900 + yy : 2000 + yy, m.slice(2).map(Number));
  }
}

function checkedDate(r: DerReader, what: string, year: number, rest: number[]): Date {
  const [mo = 0, d = 0, h = 0, mi = 0, s = 0] = rest;
  const date = new Date(Date.UTC(year, mo - 1, d, h, mi, s));
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    date.getUTCHours() !== h ||
    date.getUTCMinutes() !== mi ||
    date.getUTCSeconds() !== s
  ) {
    r.fail(`${what}: not a calendar time`);
  }
  return date;
}

// ---- writer ----

function encodeLength(len: number): Uint8Array {
  if (len < 0x80) return Uint8Array.of(len);
  const bytes: number[] = [];
  for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** Encodes a TLV from its parts. */
export function tlv(tag: number, ...parts: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const head = encodeLength(len);
  const out = new Uint8Array(1 + head.length + len);
  out[0] = tag;
  out.set(head, 1);
  let o = 1 + head.length;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** SEQUENCE of encoded elements. */
export function seq(...parts: readonly Uint8Array[]): Uint8Array {
  return tlv(TAG.SEQUENCE, ...parts);
}

/** A non-negative INTEGER (or ENUMERATED with `tag`), minimally encoded. */
export function int(v: number | bigint, tag: number = TAG.INTEGER): Uint8Array {
  let b = BigInt(v);
  if (b < 0n) throw new RangeError('negative integer');
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(b & 0xffn));
    b >>= 8n;
  } while (b > 0n);
  if ((bytes[0] as number) & 0x80) bytes.unshift(0);
  return tlv(tag, Uint8Array.from(bytes));
}

/** OCTET STRING (or an IMPLICIT primitive tag). */
export function octets(b: Uint8Array, tag: number = TAG.OCTET_STRING): Uint8Array {
  return tlv(tag, b);
}

/** UTF8String. */
export function utf8(s: string): Uint8Array {
  return tlv(TAG.UTF8_STRING, new TextEncoder().encode(s));
}

/** IA5String (the caller checks the characters). */
export function ia5(s: string): Uint8Array {
  return tlv(TAG.IA5_STRING, Uint8Array.from(s, (c) => c.charCodeAt(0)));
}

/** OBJECT IDENTIFIER from dotted form (arcs of any size). */
export function oid(dotted: string): Uint8Array {
  if (!/^[0-2](\.\d+)+$/.test(dotted)) throw new RangeError(`bad OID ${dotted}`);
  const arcs = dotted.split('.').map((s) => BigInt(s));
  const out: number[] = [];
  const push = (n: bigint): void => {
    const tmp: number[] = [Number(n & 0x7fn)];
    for (let v = n >> 7n; v > 0n; v >>= 7n) tmp.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...tmp);
  };
  push((arcs[0] as bigint) * 40n + (arcs[1] as bigint));
  for (const a of arcs.slice(2)) push(a);
  return tlv(TAG.OID, Uint8Array.from(out));
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** GeneralizedTime `YYYYMMDDHHMMSSZ` (seconds precision; the caller truncates). */
export function generalizedTime(d: Date): Uint8Array {
  const s =
    String(d.getUTCFullYear()).padStart(4, '0') +
    two(d.getUTCMonth() + 1) +
    two(d.getUTCDate()) +
    two(d.getUTCHours()) +
    two(d.getUTCMinutes()) +
    two(d.getUTCSeconds()) +
    'Z';
  return tlv(TAG.GENERALIZED_TIME, new TextEncoder().encode(s));
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lower-case hex. */
export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Compares two encodings as DER SET OF requires (X.690 §11.6: as octet strings, shorter padded with zeros). */
export function compareDer(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x - y;
  }
  return 0;
}
