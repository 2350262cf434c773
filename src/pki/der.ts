/**
 * A small strict DER reader that keeps raw slices.
 *
 * Design rationale: signatures are verified over the *received* bytes (security.md §3 "Bytes"), so the
 * TBS part of a certificate or CRL must be cut out of the input, never re-encoded by an ASN.1 library.
 * This reader only walks TLVs: it rejects indefinite lengths, non-minimal length octets, high tag numbers
 * and lengths that run past their parent (X.690 §10.1), and it never allocates: every value is a view.
 *
 * Internal to `src/pki`; not exported from the package.
 */

/** One tag-length-value: offsets into the buffer it was read from. */
export interface Tlv {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  readonly tag: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first content octet. */
  readonly contentStart: number;
  /** Offset just past the last content octet. */
  readonly end: number;
}

/** A violation of DER; callers turn it into their own coded error. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** Common universal tags. */
export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  teletexString: 0x14,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  universalString: 0x1c,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
} as const;

/**
 * Reads the TLV that starts at `offset`, which must end at or before `limit`.
 * @throws DerError on any encoding that is not DER
 */
export function readTlv(buf: Uint8Array, offset: number, limit: number = buf.length): Tlv {
  if (offset >= limit) throw new DerError('unexpected end of data');
  const tag = buf[offset] as number;
  // High-tag-number form never occurs in X.509 or CRLs.
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not supported');
  if (offset + 1 >= limit) throw new DerError('truncated length');
  const first = buf[offset + 1] as number;
  let length: number;
  let pos = offset + 2;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    // X.690 §10.1: definite form only; 0x80 is the indefinite form.
    if (count === 0) throw new DerError('indefinite length');
    if (count > 4) throw new DerError('length too large');
    if (pos + count > limit) throw new DerError('truncated length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (buf[pos + i] as number);
    // X.690 §10.1: the fewest octets; long form only for lengths >= 128.
    if ((buf[pos] as number) === 0 || length < 0x80) throw new DerError('non-minimal length');
    pos += count;
  }
  const end = pos + length;
  if (end > limit) throw new DerError('length runs past the enclosing value');
  return { tag, start: offset, contentStart: pos, end };
}

/** Reads the TLV at `offset` and requires the given tag. */
export function expectTlv(buf: Uint8Array, offset: number, limit: number, tag: number, what: string): Tlv {
  const t = readTlv(buf, offset, limit);
  if (t.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${t.tag.toString(16)}`);
  return t;
}

/** Reads the whole content of a constructed TLV as a list of children. */
export function children(buf: Uint8Array, parent: Tlv, max = 10_000): Tlv[] {
  const out: Tlv[] = [];
  let pos = parent.contentStart;
  while (pos < parent.end) {
    if (out.length >= max) throw new DerError('too many elements');
    const t = readTlv(buf, pos, parent.end);
    out.push(t);
    pos = t.end;
  }
  return out;
}

/** Reads a whole buffer as exactly one TLV (no trailing bytes). */
export function readSingle(buf: Uint8Array): Tlv {
  const t = readTlv(buf, 0, buf.length);
  if (t.end !== buf.length) throw new DerError('trailing bytes after the value');
  return t;
}

/** The full encoding (header and content) of a TLV, as a view. */
export function raw(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.start, t.end);
}

/** The content octets of a TLV, as a view. */
export function content(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.contentStart, t.end);
}

/** Decodes an OBJECT IDENTIFIER's content octets to dotted form. */
export function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0 || bytes.length > 64) throw new DerError('bad object identifier length');
  const parts: number[] = [];
  let value = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    // X.690 §8.19.2: no leading 0x80 padding in a sub-identifier.
    if (value === 0 && b === 0x80) throw new DerError('non-minimal object identifier');
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerError('object identifier arc too large');
    if ((b & 0x80) === 0) {
      parts.push(value);
      value = 0;
    } else if (i === bytes.length - 1) {
      throw new DerError('truncated object identifier');
    }
  }
  const head = parts[0] as number;
  const first = head < 40 ? 0 : head < 80 ? 1 : 2;
  return [first, head - first * 40, ...parts.slice(1)].join('.');
}

/** Reads a BIT STRING's content as its bytes; requires zero unused bits when `whole` is set. */
export function bitStringBytes(bytes: Uint8Array, whole: boolean): { readonly unused: number; readonly bytes: Uint8Array } {
  if (bytes.length === 0) throw new DerError('empty bit string');
  const unused = bytes[0] as number;
  if (unused > 7 || (bytes.length === 1 && unused !== 0)) throw new DerError('bad unused-bits count');
  if (whole && unused !== 0) throw new DerError('bit string with unused bits');
  return { unused, bytes: bytes.subarray(1) };
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
