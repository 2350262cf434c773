/**
 * Strict base64 (RFC 4648 §4): the standard alphabet, `=` padding to a multiple of 4, no whitespace, no
 * line breaks and zero pad bits. One byte string therefore has exactly one text form, so two readers can
 * never disagree about what an envelope carries (RFC 4648 §3.5 "canonical encoding").
 */
import { EvoucherError } from '../errors.js';

const ALPHABET = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Encodes bytes as base64 with padding and no line breaks.
 *
 * @param bytes - the bytes.
 * @returns the base64 text.
 * @throws EvoucherError `ARG_INVALID` when `bytes` is not a Uint8Array.
 * @example encodeBase64(new Uint8Array([1, 2, 3])) // 'AQID'
 */
export function encodeBase64(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new EvoucherError('ARG_INVALID', 'base64: the bytes must be a Uint8Array');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Decodes canonical base64 and rejects anything else.
 *
 * @param text - the base64 text.
 * @param options - `maxLength`: the largest accepted text length (checked before any work), an integer from 0;
 *   without it, no bound but the text's own length.
 * @returns the bytes.
 * @throws EvoucherError `BASE64_INVALID` for a character outside the alphabet, whitespace, bad padding,
 *   non-zero pad bits, or a text longer than `maxLength`; `ARG_INVALID` for a text that is not a string, options
 *   that are not an object, or a `maxLength` that is not an integer from 0 (`NaN`, `-1`, `1.5`, `'10'`,
 *   `Infinity`: each would compare false against every length, or refuse every text, instead of bounding it).
 * @example decodeBase64('AQID') // Uint8Array [1, 2, 3]
 */
export function decodeBase64(text: string, options: { readonly maxLength?: number } = {}): Uint8Array {
  if (typeof text !== 'string') throw new EvoucherError('ARG_INVALID', 'base64: the text must be a string');
  if (typeof options !== 'object' || options === null) throw new EvoucherError('ARG_INVALID', 'base64: the options must be an object', { detail: { argument: 'options' } });
  const maxLength = options.maxLength;
  if (maxLength !== undefined && (!Number.isSafeInteger(maxLength) || maxLength < 0)) {
    throw new EvoucherError('ARG_INVALID', 'base64: maxLength must be an integer from 0 (leave it out for no bound)', { detail: { option: 'maxLength' } });
  }
  return decodeCanonicalBase64(text, maxLength);
}

/**
 * {@link decodeBase64} with its arguments already checked (internal: the envelope reader, whose limits were checked
 * once when its options were read).
 *
 * @param text - the base64 text.
 * @param maxLength - the largest accepted text length, a checked integer, or undefined for none.
 * @returns the bytes.
 * @throws EvoucherError `BASE64_INVALID` as {@link decodeBase64}.
 */
export function decodeCanonicalBase64(text: string, maxLength: number | undefined): Uint8Array {
  if (maxLength !== undefined && text.length > maxLength) {
    throw new EvoucherError('BASE64_INVALID', `base64 text of ${text.length} characters exceeds ${maxLength}`, {
      detail: { length: String(text.length), max: String(maxLength) },
    });
  }
  // Decoded straight into an array of its own, of the size a canonical text has: one allocation per text.
  // (`Buffer.from(text, 'base64')` hands out slices of a shared pool, which would have to be copied, and each
  // copy of more than 64 bytes is one more allocation outside V8's heap, freed on a background thread.)
  const out = new Uint8Array(text.length % 4 === 0 ? (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0) : 0);
  const bytes = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  bytes.write(text, 'base64');
  // The canonical text of the decoded bytes uses only the alphabet, padding in place and zero pad bits; so
  // equality with it proves every rule at once (the decoder skips characters outside the alphabet, and
  // "AQJ=" decodes like "AQI="; a text of another length than its canonical one cannot equal it). The
  // alphabet regex only chooses the message of a refusal.
  if (bytes.toString('base64') !== text) {
    const alphabet = ALPHABET.test(text);
    throw new EvoucherError('BASE64_INVALID', alphabet ? 'base64 text is not canonical (non-zero pad bits)' : 'base64 text has a character outside the alphabet or bad padding', {
      detail: { length: String(text.length) },
    });
  }
  return out;
}
