/**
 * A small, strict DER reader and writer for the few structures the crypto module handles itself
 * (signature values, SPKI, PKCS#8, SEC1). Internal: not exported from the package.
 *
 * Design rationale: signature values and keys arrive from hostile files. A strict reader refuses
 * every encoding freedom BER allows (indefinite lengths, non-minimal lengths and integers,
 * high tag numbers, trailing bytes), so that one value has exactly one accepted encoding and a
 * signature cannot be made malleable by re-encoding it (ITU-T X.690 §10, DER rules).
 */

/** A decoded TLV: the tag byte, the whole encoding and the content octets (views, not copies). */
export interface Tlv {
  readonly tag: number;
  readonly encoded: Uint8Array;
  readonly content: Uint8Array;
}

/** Thrown by the reader on any DER violation; callers translate it into a coded EvoucherError. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** Refuse lengths above 16 MiB: no key or signature is anywhere near that large. */
const MAX_LENGTH = 16 * 1024 * 1024;

/** DER tags used here (universal class). */
export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
} as const;

/**
 * Read one TLV at `pos` of `buf`.
 * @returns the TLV and the offset just after it.
 */
export function readTlv(buf: Uint8Array, pos: number): { tlv: Tlv; next: number } {
  if (pos >= buf.length) throw new DerError('truncated: missing tag');
  const tag = buf[pos] as number;
  // X.690 §8.1.2.4: tag numbers >= 31 use the multi-byte form; nothing we parse needs it.
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not supported');
  let p = pos + 1;
  if (p >= buf.length) throw new DerError('truncated: missing length');
  const first = buf[p++] as number;
  let len: number;
  if (first < 0x80) {
    len = first;
  } else if (first === 0x80) {
    // X.690 §10.1: DER forbids the indefinite form.
    throw new DerError('indefinite length');
  } else {
    const count = first & 0x7f;
    if (count > 4) throw new DerError('length too large');
    if (p + count > buf.length) throw new DerError('truncated: length bytes');
    if (buf[p] === 0) throw new DerError('non-minimal length (leading zero)');
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + (buf[p + i] as number);
    p += count;
    // X.690 §10.1: the definite form must use the fewest octets; < 128 must be short form.
    if (len < 0x80) throw new DerError('non-minimal length (long form for short length)');
  }
  if (len > MAX_LENGTH) throw new DerError('length too large');
  if (p + len > buf.length) throw new DerError('truncated: content');
  const end = p + len;
  return {
    tlv: { tag, encoded: buf.subarray(pos, end), content: buf.subarray(p, end) },
    next: end,
  };
}

/** Read exactly one TLV covering all of `buf` (no trailing bytes). */
export function readSingle(buf: Uint8Array, expectedTag?: number): Tlv {
  const { tlv, next } = readTlv(buf, 0);
  if (next !== buf.length) throw new DerError('trailing bytes');
  if (expectedTag !== undefined && tlv.tag !== expectedTag) {
    throw new DerError(`unexpected tag 0x${tlv.tag.toString(16)}`);
  }
  return tlv;
}

/** Split the content of a constructed TLV into its children. */
export function readChildren(content: Uint8Array, maxChildren = 64): Tlv[] {
  const out: Tlv[] = [];
  let pos = 0;
  while (pos < content.length) {
    if (out.length >= maxChildren) throw new DerError('too many elements');
    const { tlv, next } = readTlv(content, pos);
    out.push(tlv);
    pos = next;
  }
  return out;
}

/** Children of a SEQUENCE that must be all of `buf`. */
export function readSequence(buf: Uint8Array, maxChildren = 64): Tlv[] {
  return readChildren(readSingle(buf, TAG.SEQUENCE).content, maxChildren);
}

/** Expect a tag on a TLV. */
export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (tlv === undefined) throw new DerError(`missing ${what}`);
  if (tlv.tag !== tag) throw new DerError(`${what}: unexpected tag 0x${tlv.tag.toString(16)}`);
  return tlv;
}

/**
 * Decode a DER INTEGER that must be non-negative, minimally encoded (X.690 §8.3.2).
 */
export function readUnsignedInteger(tlv: Tlv | undefined, what: string): bigint {
  const t = expectTag(tlv, TAG.INTEGER, what);
  const c = t.content;
  if (c.length === 0) throw new DerError(`${what}: empty integer`);
  const b0 = c[0] as number;
  if (b0 & 0x80) throw new DerError(`${what}: negative integer`);
  if (c.length > 1 && b0 === 0 && ((c[1] as number) & 0x80) === 0) {
    throw new DerError(`${what}: non-minimal integer`);
  }
  return bytesToBigInt(c);
}

/** Decode a small non-negative INTEGER (versions). */
export function readSmallInteger(tlv: Tlv | undefined, what: string): number {
  const v = readUnsignedInteger(tlv, what);
  if (v > 0xffffn) throw new DerError(`${what}: integer too large`);
  return Number(v);
}

/** Decode an OBJECT IDENTIFIER to dotted form, strictly (X.690 §8.19). */
export function readOid(tlv: Tlv | undefined, what: string): string {
  const c = expectTag(tlv, TAG.OID, what).content;
  if (c.length === 0 || c.length > 64) throw new DerError(`${what}: bad OID length`);
  const arcs: number[] = [];
  let value = 0;
  let started = false;
  for (let i = 0; i < c.length; i++) {
    const b = c[i] as number;
    // X.690 §8.19.2: a subidentifier must not start with 0x80 (non-minimal).
    if (!started && b === 0x80) throw new DerError(`${what}: non-minimal OID arc`);
    started = true;
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 256) throw new DerError(`${what}: OID arc too large`);
    if ((b & 0x80) === 0) {
      arcs.push(value);
      value = 0;
      started = false;
    }
  }
  if (started) throw new DerError(`${what}: truncated OID`);
  const first = arcs[0] as number;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}

/** Content of a BIT STRING that must have 0 unused bits. */
export function readBitStringBytes(tlv: Tlv | undefined, what: string): Uint8Array {
  const c = expectTag(tlv, TAG.BIT_STRING, what).content;
  if (c.length === 0) throw new DerError(`${what}: empty bit string`);
  if (c[0] !== 0) throw new DerError(`${what}: unused bits must be 0`);
  return c.subarray(1);
}

/** Big-endian unsigned bytes to bigint. */
export function bytesToBigInt(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  return BigInt('0x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex'));
}

/** bigint to fixed-width big-endian bytes. */
export function bigIntToBytes(v: bigint, size: number): Uint8Array {
  if (v < 0n) throw new RangeError('negative');
  const hex = v.toString(16).padStart(size * 2, '0');
  if (hex.length > size * 2) throw new RangeError('value too large');
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

// ---- writer ----

function encodeLength(len: number): Uint8Array {
  if (len < 0x80) return Uint8Array.of(len);
  const bytes: number[] = [];
  let l = len;
  while (l > 0) {
    bytes.unshift(l & 0xff);
    l = Math.floor(l / 256);
  }
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** Encode a TLV. */
export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
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

/** Encode a SEQUENCE of already encoded elements. */
export function sequence(...parts: Uint8Array[]): Uint8Array {
  return tlv(TAG.SEQUENCE, ...parts);
}

/** Encode a non-negative INTEGER minimally. */
export function integer(v: bigint): Uint8Array {
  if (v < 0n) throw new RangeError('negative integer');
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let bytes = new Uint8Array(Buffer.from(hex, 'hex'));
  if ((bytes[0] as number) & 0x80) bytes = Uint8Array.of(0, ...bytes);
  return tlv(TAG.INTEGER, bytes);
}

/** Encode an OCTET STRING. */
export function octetString(b: Uint8Array): Uint8Array {
  return tlv(TAG.OCTET_STRING, b);
}

/** Encode a BIT STRING with 0 unused bits. */
export function bitString(b: Uint8Array): Uint8Array {
  return tlv(TAG.BIT_STRING, Uint8Array.of(0), b);
}

/** Encode an OBJECT IDENTIFIER from dotted form. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw new RangeError(`bad OID ${dotted}`);
    return Number(s);
  });
  if (arcs.length < 2) throw new RangeError(`bad OID ${dotted}`);
  const out: number[] = [];
  const push = (n: number): void => {
    const tmp: number[] = [n & 0x7f];
    let v = Math.floor(n / 128);
    while (v > 0) {
      tmp.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...tmp);
  };
  push((arcs[0] as number) * 40 + (arcs[1] as number));
  for (const a of arcs.slice(2)) push(a);
  return tlv(TAG.OID, Uint8Array.from(out));
}

/** Context-specific constructed tag `[n]`. */
export function explicit(n: number, inner: Uint8Array): Uint8Array {
  return tlv(0xa0 | n, inner);
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
