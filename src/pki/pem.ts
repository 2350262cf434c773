/**
 * PEM (RFC 7468) reading and writing for certificates, CRLs and keys. Strict: only the standard base64
 * alphabet, whitespace between lines, and matching BEGIN/END labels.
 */
import { nextPemBegin, pemTextStart } from '../crypto/keys.js';
import { EvoucherError } from '../errors.js';
import type { ErrorCode } from '../errors.js';

/** One PEM block. */
export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

// RFC 7468 §3: label characters are printable ASCII except '-' (and no space at either end); no nested blocks.
const LABEL = /^[\x21-\x2c\x2e-\x7e](?:[\x20-\x2c\x2e-\x7e]*[\x21-\x2c\x2e-\x7e])?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BEGIN = '-----BEGIN ';
const END = '-----END ';
const DASHES = '-----';
/** The longest label looked for (the labels used here are under 30 characters). */
const MAX_LABEL = 64;

/** The upper bound on PEM input read by this module (a trust bundle of a few hundred certificates). */
export const MAX_PEM_SIZE = 16 * 1024 * 1024;

/**
 * Reads every PEM block of `text`.
 * @param text - PEM text
 * @param code - the error code to throw on malformed input
 * @returns the blocks in order
 * @throws EvoucherError with `code` when a block is malformed
 */
export function decodePemBlocks(text: string, code: ErrorCode): PemBlock[] {
  if (text.length > MAX_PEM_SIZE) throw new EvoucherError(code, 'pem input too large');
  const out: PemBlock[] = [];
  // One pass with indexOf: a regular expression with a lazy body took time quadratic in the number of BEGIN
  // lines without an END (2 s for 256 KB, hours at the size bound).
  const labelAt = (from: number, what: string): { label: string; end: number } => {
    const close = text.slice(from, from + MAX_LABEL + DASHES.length).indexOf(DASHES);
    const label = close < 0 ? '' : text.slice(from, from + close);
    if (close <= 0 || !LABEL.test(label)) throw new EvoucherError(code, `pem ${what} line without a valid label`);
    return { label, end: from + close + DASHES.length };
  };
  // Only a BEGIN that opens a line opens a block (RFC 7468): one inside a line of text is text.
  for (let at = nextPemBegin(text, 0); at >= 0; at = nextPemBegin(text, at)) {
    const { label, end: bodyStart } = labelAt(at + BEGIN.length, 'BEGIN');
    const endAt = text.indexOf(END, bodyStart);
    if (endAt < 0) throw new EvoucherError(code, `pem block '${label}' has no END line`);
    const { label: endLabel, end } = labelAt(endAt + END.length, 'END');
    if (endLabel !== label) throw new EvoucherError(code, `pem end label does not match '${label}'`);
    const body = text.slice(bodyStart, endAt).replace(/[ \t\r\n]/g, '');
    if (!BASE64.test(body) || body.length % 4 !== 0) throw new EvoucherError(code, `pem block '${label}' has invalid base64`);
    const der = new Uint8Array(Buffer.from(body, 'base64'));
    if (der.length === 0) throw new EvoucherError(code, `pem block '${label}' is empty`);
    out.push({ label, der });
    at = end;
  }
  return out;
}

/** True when `bytes` look like PEM text rather than DER. */
export function looksLikePem(bytes: Uint8Array): boolean {
  // DER starts with a tag and length bytes no text line holds; PEM may have explanatory text before its first
  // block (RFC 7468 §5.2: `openssl x509 -text` output, `Bag Attributes` lines), which pemTextStart allows.
  return pemTextStart(bytes) >= 0;
}

/**
 * Returns the DER of a single object given as DER bytes, PEM bytes or a PEM string.
 * @throws EvoucherError with `code` when there is not exactly one block with one of `labels`
 */
export function derFromInput(input: Uint8Array | string, labels: readonly string[], code: ErrorCode): Uint8Array {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new EvoucherError('ARG_INVALID', 'expected a Uint8Array or a PEM string');
  }
  if (typeof input === 'string' || looksLikePem(input)) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
    const blocks = decodePemBlocks(text, code).filter((b) => labels.includes(b.label));
    if (blocks.length !== 1) {
      throw new EvoucherError(code, `expected exactly one pem block labelled ${labels.join(' or ')}, found ${blocks.length}`);
    }
    return (blocks[0] as PemBlock).der;
  }
  return input;
}

/**
 * Writes one PEM block with 64-character lines (RFC 7468 §2).
 * @param label - e.g. `CERTIFICATE`
 * @param der - the DER bytes
 * @returns the PEM text, ending with a newline
 */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
