/**
 * Character sets of voucher XML: GBK (the national exchange) and UTF-8.
 *
 * Design rationale: iconv-lite silently writes `?` for a character its table lacks and U+FFFD for a byte
 * sequence it cannot read. Both would change a payee name without telling anyone, so nothing here goes
 * through them unchecked: GBK is read and written through tables of the pairs that iconv-lite decodes and
 * encodes back to the same bytes (a round trip, checked once per pair when the tables are built), and UTF-8
 * by the fatal decoder and an encoder that refuses lone surrogates. One byte string has exactly one reading
 * (security.md §1.11, parser differentials).
 *
 * GBK here is the part of GBK every common reader reads alike: iconv-lite's, CP936's (Windows, Python's `gbk`)
 * and GB18030's readings agree on every byte sequence accepted and written. Left out, as unmappable on writing
 * and invalid on reading: the user-defined areas (private-use characters, which CP936 and Python refuse or map
 * to whatever a site defined), the single byte 0x80 (the euro sign of CP936 only, not GB18030), and the
 * sequences A8BC, A8BF, A989–A995 and FE50–FEA0, which GB18030 reads as characters that CP936 does not have
 * (iconv-lite writes U+3473 as FE55, which CP936 refuses and an older GB18030 reads as a private-use character).
 * Under the label `GB2312`, A1A4 and A1AA are refused as well: GB2312 readers read them as U+30FB and U+2015,
 * GBK readers as U+00B7 and U+2014 (test/encoding/gbk_fast.test.ts checks the tables).
 */
import { isAscii } from 'node:buffer';
import iconv from 'iconv-lite';
import { EvoucherError } from '../errors.js';

/** A charset evoucher reads and writes. GB2312 and the 2-byte subset of GB18030 are read as GBK. */
export type Charset = 'GBK' | 'UTF-8';

const UTF8_DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const UTF8_ENCODER = new TextEncoder();
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Only U+0000..U+007F: the same bytes in GBK and in ASCII. */
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const UTF16_DECODER = new TextDecoder('utf-16le');

/** The charset argument of {@link encodeText} and {@link decodeText}, as a JavaScript caller may get it wrong. */
function checkCharset(charset: unknown): void {
  if (charset !== 'GBK' && charset !== 'UTF-8') {
    throw new EvoucherError('ARG_INVALID', "the charset must be 'GBK' or 'UTF-8'", { detail: { argument: 'charset' } });
  }
}

/**
 * Fast GBK tables, derived once (lazily, about 60 ms) from iconv-lite itself so they cannot disagree with it:
 * `pairs[(lead - 0x81) * 191 + (trail - 0x40)]` is the UTF-16 code unit of a two-byte sequence when iconv-lite
 * decodes it to one BMP character that it encodes back to the same two bytes, and every common reader reads it
 * alike (not {@link ambiguousPair}; else 0); `width[u]` is the byte count of code unit `u`: 1 for ASCII, 2 for the
 * reading of such a pair, 0 when it has no GBK encoding here.
 *
 * These tables are what GBK is in this package: text decodes pair by pair (iconv-lite's GBK decoder keeps no
 * state across characters), nothing outside them is read or written, and what is written is iconv-lite's
 * encoding of characters whose pairs are in them, which gives those same pairs back.
 */
let gbkTables: { readonly pairs: Uint16Array; readonly width: Uint8Array } | undefined;

function tables(): { readonly pairs: Uint16Array; readonly width: Uint8Array } {
  if (gbkTables !== undefined) return gbkTables;
  const pairs = new Uint16Array(126 * 191);
  const width = new Uint8Array(65536);
  width.fill(1, 0, 0x80);
  const canonical = (bytes: Buffer): number => {
    const s = iconv.decode(bytes, 'gbk');
    if (s.length !== 1) return 0;
    const c = s.charCodeAt(0);
    if (c < 0x80 || c === 0xfffd || (c >= 0xd800 && c <= 0xdfff)) return 0;
    return Buffer.compare(iconv.encode(s, 'gbk'), bytes) === 0 ? c : 0;
  };
  const two = Buffer.alloc(2);
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      two[0] = lead;
      two[1] = trail;
      const c = canonical(two);
      if (c !== 0 && !ambiguousPair(lead, trail, c)) {
        pairs[(lead - 0x81) * 191 + (trail - 0x40)] = c;
        width[c] = 2;
      }
    }
  }
  // No single byte above ASCII: iconv-lite's one (0x80, the euro sign) is CP936's alone.
  gbkTables = { pairs, width };
  return gbkTables;
}

/**
 * A pair that GBK readers read differently, or as a private-use character (see the module notes): a user-defined
 * area, A8BC, A8BF, A989–A995 or FE50–FEA0.
 */
function ambiguousPair(lead: number, trail: number, c: number): boolean {
  if (c >= 0xe000 && c <= 0xf8ff) return true;
  const v = (lead << 8) | trail;
  return v === 0xa8bc || v === 0xa8bf || (v >= 0xa989 && v <= 0xa995) || (v >= 0xfe50 && v <= 0xfea0);
}

/**
 * Decodes ASCII and the pairs of the tables, the only sequences accepted; `ENCODING_INVALID_BYTES` at the
 * offset of the first other one.
 */
function decodeGbkStrict(bytes: Uint8Array): string {
  const { pairs } = tables();
  const out = new Uint16Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      out[n++] = b;
      continue;
    }
    const t = bytes[i + 1];
    const c = b < 0x81 || b > 0xfe || t === undefined || t < 0x40 || t > 0xfe ? 0 : (pairs[(b - 0x81) * 191 + (t - 0x40)] as number);
    if (c === 0) {
      throw new EvoucherError('ENCODING_INVALID_BYTES', `invalid GBK byte sequence at offset ${i}`, { detail: { charset: 'GBK', offset: String(i) } });
    }
    out[n++] = c;
    i++;
  }
  return UTF16_DECODER.decode(out.subarray(0, n));
}

/** True when every code unit of `text` is ASCII or has a canonical GBK encoding (no surrogates). */
function allGbkEncodable(text: string): boolean {
  const { width } = tables();
  for (let i = 0; i < text.length; i++) if (width[text.charCodeAt(i)] === 0) return false;
  return true;
}

/**
 * The first `max` UTF-16 units of a text, one fewer when the cut would split a surrogate pair: a quote of
 * untrusted text in a message stays well-formed Unicode (a lone surrogate turns into U+FFFD or `\ud83d` in
 * whatever prints or serialises it).
 *
 * @param text - the text.
 * @param max - the most UTF-16 units kept, an integer from 0.
 * @returns the text, or its clipped start.
 * @throws EvoucherError `ARG_INVALID` when `text` is not a string or `max` is not an integer from 0 (`NaN` would
 *   clip every text to nothing, `-1` would drop its last unit).
 * @example clipText('a😀', 2) // 'a'
 */
export function clipText(text: string, max: number): string {
  if (typeof text !== 'string') throw new EvoucherError('ARG_INVALID', 'the text to clip must be a string', { detail: { argument: 'text' } });
  if (!Number.isSafeInteger(max) || max < 0) throw new EvoucherError('ARG_INVALID', 'clipText max must be an integer from 0', { detail: { argument: 'max' } });
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/**
 * Maps an XML `encoding` label to a supported charset.
 *
 * GB2312 is a subset of GBK (read as GBK, and its two sequences that GB2312 readers read otherwise are refused
 * by the XML reader under that label). GB18030 is read as GBK: the 2-byte sequences accepted here are read alike
 * by GB18030, and a 4-byte sequence fails the strict decode (we never need the characters only GB18030 has).
 *
 * @param label - the declared label, any case (`gbk`, `GB2312`, `utf-8`, `UTF8`).
 * @returns the charset, or `undefined` when the label is not supported.
 * @throws EvoucherError `ARG_INVALID` when `label` is not a string.
 * @example charsetFromLabel('gb2312') // 'GBK'
 */
export function charsetFromLabel(label: string): Charset | undefined {
  if (typeof label !== 'string') throw new EvoucherError('ARG_INVALID', 'the charset label must be a string', { detail: { argument: 'label' } });
  switch (label.trim().toUpperCase()) {
    case 'GBK':
    case 'GB2312':
    case 'GB18030':
    case 'CP936':
      return 'GBK';
    case 'UTF-8':
    case 'UTF8':
      return 'UTF-8';
    default:
      return undefined;
  }
}

/**
 * Encodes text strictly: a character the charset cannot carry is an error, never a `?`.
 *
 * @param text - the text.
 * @param charset - `GBK` or `UTF-8`.
 * @returns the encoded bytes.
 * @throws EvoucherError `ENCODING_UNMAPPABLE_CHAR` (detail: `char` as U+XXXX, `index`) for a character outside
 *   the charset or a lone surrogate; `ARG_INVALID` for text that is not a string or another charset.
 * @example encodeText('中文', 'GBK') // d6 d0 ce c4
 */
export function encodeText(text: string, charset: Charset): Uint8Array {
  if (typeof text !== 'string') throw new EvoucherError('ARG_INVALID', 'the text to encode must be a string', { detail: { argument: 'text' } });
  checkCharset(charset);
  if (charset === 'GBK' && ASCII_ONLY.test(text)) {
    // ASCII is itself in GBK: an envelope is ASCII but for its vouchers' base64, and was encoded character by
    // character by iconv-lite at every seal.
    const out = new Uint8Array(text.length);
    Buffer.from(out.buffer, out.byteOffset, out.length).write(text, 'latin1');
    return out;
  }
  const bad = findUnmappableIn(text, charset);
  if (bad !== undefined) {
    throw new EvoucherError(
      'ENCODING_UNMAPPABLE_CHAR',
      `character ${bad.char} at index ${bad.index} cannot be encoded in ${charset}`,
      { detail: { char: bad.char, index: String(bad.index), charset } },
    );
  }
  if (charset === 'UTF-8') return UTF8_ENCODER.encode(text);
  return new Uint8Array(iconv.encode(text, 'gbk'));
}

/**
 * Finds the first character of `text` the charset cannot carry.
 *
 * @param text - the text.
 * @param charset - `GBK` or `UTF-8`.
 * @returns the character (as `U+XXXX`) and its UTF-16 index, or `undefined` when every character maps.
 * @throws EvoucherError `ARG_INVALID` for text that is not a string or another charset (never judged as GBK).
 * @example findUnmappable('a😀', 'GBK') // { char: 'U+1F600', index: 1 }
 */
export function findUnmappable(text: string, charset: Charset): { char: string; index: number } | undefined {
  if (typeof text !== 'string') throw new EvoucherError('ARG_INVALID', 'the text must be a string', { detail: { argument: 'text' } });
  checkCharset(charset);
  return findUnmappableIn(text, charset);
}

/**
 * {@link findUnmappable} with its arguments already checked (internal: the voucher validation, once per field).
 *
 * @param text - the text.
 * @param charset - `GBK` or `UTF-8`.
 * @returns the character and its index, or `undefined`.
 */
export function findUnmappableIn(text: string, charset: Charset): { char: string; index: number } | undefined {
  if (charset === 'UTF-8') {
    // Only a lone surrogate is unrepresentable in UTF-8; TextEncoder would silently write U+FFFD.
    if (!LONE_SURROGATE.test(text)) return undefined;
  } else {
    // Fastest path: ASCII maps to itself in GBK (most voucher fields are codes, dates and amounts).
    if (ASCII_ONLY.test(text)) return undefined;
    // Every code unit in the tables (see tables()): nothing else is written.
    if (allGbkEncodable(text)) return undefined;
  }
  const { width } = tables();
  let index = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const lone = cp >= 0xd800 && cp <= 0xdfff;
    // Beyond the BMP nothing is GBK (GB18030's four-byte sequences are not read either).
    const ok = !lone && (charset === 'UTF-8' || (ch.length === 1 && width[cp] !== 0));
    if (!ok) return { char: `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`, index };
    index += ch.length;
  }
  /* c8 ignore next */
  return undefined;
}

/**
 * Where the first ill-formed UTF-8 sequence starts (the error path only: the native decoder found one). The
 * rules are the Encoding Standard's, which the fatal `TextDecoder` applies: no overlong forms, no surrogates,
 * nothing above U+10FFFF, no truncated sequence.
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = 0; i < n; ) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return n;
}

/**
 * Decodes bytes strictly: an invalid byte sequence, or a GBK one that common readers read otherwise (see the
 * module notes), is an error, never U+FFFD.
 *
 * @param bytes - the encoded text.
 * @param charset - `GBK` or `UTF-8`.
 * @returns the text.
 * @throws EvoucherError `ENCODING_INVALID_BYTES` (detail `offset`: where the first sequence refused starts);
 *   `ARG_INVALID` for bytes that are not a Uint8Array or another charset.
 * @example decodeText(new Uint8Array([0xd6, 0xd0]), 'GBK') // '中'
 */
export function decodeText(bytes: Uint8Array, charset: Charset): string {
  if (!(bytes instanceof Uint8Array)) throw new EvoucherError('ARG_INVALID', 'the bytes to decode must be a Uint8Array', { detail: { argument: 'bytes' } });
  checkCharset(charset);
  let text: string;
  if (charset === 'UTF-8') {
    try {
      text = UTF8_DECODER.decode(bytes);
    } catch (e) {
      const offset = firstInvalidUtf8(bytes);
      throw new EvoucherError('ENCODING_INVALID_BYTES', `invalid UTF-8 byte sequence at offset ${offset}`, {
        cause: e,
        detail: { charset, offset: String(offset) },
      });
    }
    return text;
  }
  // Fastest path: ASCII bytes are the same characters in GBK (an envelope is tags and base64); one native
  // check and one native latin1 conversion give exactly what the pair-by-pair path below gives.
  if (isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  // ASCII and the pairs of the tables, each of which iconv-lite decodes to its character and encodes back to
  // the same two bytes: the one reading every common GBK reader agrees on.
  return decodeGbkStrict(bytes);
}

/**
 * Counts the bytes `text` takes in GBK, the unit of every voucher length limit (a CJK character is 2 bytes, as
 * the writer encodes them).
 *
 * @param text - the text.
 * @returns the byte count, or `undefined` when a character has no GBK encoding.
 * @throws EvoucherError `ARG_INVALID` when `text` is not a string.
 * @example gbkByteLength('财政a') // 5
 */
export function gbkByteLength(text: string): number | undefined {
  if (typeof text !== 'string') throw new EvoucherError('ARG_INVALID', 'the text must be a string', { detail: { argument: 'text' } });
  if (findUnmappableIn(text, 'GBK') !== undefined) return undefined;
  return gbkLengthOfMappable(text);
}

/**
 * {@link gbkByteLength} of text already known to map (`findUnmappable(text, 'GBK')` returned undefined), without
 * checking it again.
 *
 * @param text - text whose every character has a GBK encoding.
 * @returns the byte count.
 * @example gbkLengthOfMappable('财政a') // 5
 */
export function gbkLengthOfMappable(text: string): number {
  if (ASCII_ONLY.test(text)) return text.length;
  const { width } = tables();
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const w = width[text.charCodeAt(i)] as number;
    // Not in the tables (no mappable text gets here): the encoder itself counts.
    if (w === 0) return iconv.encode(text, 'gbk').length;
    n += w;
  }
  return n;
}
