/**
 * PEM (RFC 7468): the one reader and writer of the package, used by key import (crypto), key files (keys) and
 * certificates, CRLs and trust bundles (pki), so that a file is PEM to all of them or to none and its blocks
 * read the same everywhere.
 *
 * - A block starts at a `-----BEGIN ` that opens a line (after optional blanks): a BEGIN inside a line of
 *   explanatory text is text (OpenSSL reads such files alike). Text before, between and after the blocks is
 *   allowed (RFC 7468 §5.2: `openssl x509 -text` output, `Bag Attributes` lines).
 * - Its label follows RFC 7468 §3 (printable ASCII but `-`, no blank at either end); its END line is the next
 *   `-----END ` and names the same label; its body is strict base64 (RFC 4648 §4, padded) with whitespace
 *   between the characters; an empty body is refused.
 * - A byte-order mark before the first line is part of no line (OpenSSL reads such files alike).
 * - RFC 1421 header lines (`Proc-Type: 4,ENCRYPTED`) are set aside and reported (`headers`); a block with
 *   them is refused by whoever uses it ({@link selectPem}; the key importer names legacy encrypted PEM).
 * - Linear in the text whatever it holds: every search is one `indexOf` from where the last one stopped, no
 *   regular expression runs over more than one block's body (a lazy body with a back-reference rescans the
 *   rest of the text for every BEGIN without an END: hours at 16 MiB).
 */
import { ERROR_CODES, EvoucherError, type ErrorCode } from '../errors.js';

/** One PEM block. */
export interface PemBlock {
  /** The label, e.g. `CERTIFICATE`, `PRIVATE KEY`, `X509 CRL`. */
  readonly label: string;
  /** The decoded bytes. */
  readonly der: Uint8Array;
  /** The block carries RFC 1421 header lines (`Proc-Type: 4,ENCRYPTED`...), set aside from `der`. */
  readonly headers: boolean;
}

/** How {@link readPem} reports a malformed text. */
export interface ReadPemOptions {
  /**
   * The error code of a malformed text (each layer reports under its own: `CERT_MALFORMED`, `CRYPTO_KEY_INVALID`...):
   * one of `ERROR_CODES`, or `ARG_INVALID` (a misspelt code would make an error no caller matches on).
   */
  readonly code: ErrorCode;
  /** The most blocks read, an integer from 0; more is an error. Default: no bound but the text's length. */
  readonly maxBlocks?: number;
  /** Makes the error thrown (a layer with an error class of its own); default an {@link EvoucherError}. */
  readonly error?: (code: ErrorCode, message: string, detail: Readonly<Record<string, string>>) => Error;
}

/** The labels of a certificate (RFC 7468 §5.1; `X509 CERTIFICATE` is an older form of it). */
export const CERTIFICATE_LABELS: readonly string[] = Object.freeze(['CERTIFICATE', 'X509 CERTIFICATE']);

const BEGIN = '-----BEGIN ';
const END = '-----END ';
const DASHES = '-----';
/** The longest label read (the labels in use are under 30 characters). */
const MAX_LABEL = 64;
// RFC 7468 §3: label characters are printable ASCII except '-', with no space at either end.
const LABEL = /^[\x21-\x2c\x2e-\x7e](?:[\x20-\x2c\x2e-\x7e]*[\x21-\x2c\x2e-\x7e])?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// RFC 1421 §4.6 header lines ("Name: value"); a base64 line holds no colon.
const HEADER_LINE = /^[ \t]*[A-Za-z][A-Za-z0-9-]*:.*$/gm;
const WHITESPACE = /[ \t\r\n]+/g;

/**
 * The next `-----BEGIN ` at or after `from` that opens a line (after optional blanks), or -1: RFC 7468's
 * encapsulation boundaries are lines, so a BEGIN inside a line of explanatory text opens no block. One pass
 * with `indexOf`.
 *
 * @param text - the text (bytes read as Latin-1 will do)
 * @param from - where to look from; a line is taken to start there
 * @returns the offset of the BEGIN, or -1
 * @example
 * nextPemBegin('see -----BEGIN X----- here\n-----BEGIN CERTIFICATE-----\n', 0) // 27
 */
export function nextPemBegin(text: string, from: number): number {
  const bom = bomLength(text);
  for (let at = text.indexOf(BEGIN, from); at >= 0; at = text.indexOf(BEGIN, at + 1)) {
    // The blanks walked back over lie between this match and the previous one: the walks add up to one pass.
    let i = at;
    while (i > from && (text.charCodeAt(i - 1) === 0x20 || text.charCodeAt(i - 1) === 0x09)) i--;
    if (i === 0 || i === from || i === bom || text.charCodeAt(i - 1) === 0x0a || text.charCodeAt(i - 1) === 0x0d) return at;
  }
  return -1;
}

/** The length of a UTF-8 byte-order mark that starts `text` (as a character, or as its bytes read as Latin-1), or -1. */
function bomLength(text: string): number {
  if (text.charCodeAt(0) === 0xfeff) return 1;
  return text.startsWith('\xef\xbb\xbf') ? 3 : -1;
}

/** `ARG_INVALID` unless `input` is text or bytes. */
function checkInput(input: unknown, name: string): asserts input is Uint8Array | string {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) throw new EvoucherError('ARG_INVALID', `${name} must be a string or a Uint8Array`);
}

/**
 * Where the PEM of a text starts: the offset of the first `-----BEGIN ` that opens a line when everything
 * before it is text, or -1 when the input is not PEM. Text means no control character but tab, CR and LF:
 * DER starts with a tag and length bytes that no text line holds, so a DER structure that happens to contain
 * `-----BEGIN ` is not taken for PEM. Linear on any input.
 *
 * @param input - text, or bytes read as Latin-1 (one character per byte, so offsets are byte offsets)
 * @returns the offset of the first block, or -1
 * @example
 * pemTextStart('Bag Attributes\n    friendlyName: finance\n-----BEGIN PRIVATE KEY-----\n…') // 41
 */
export function pemTextStart(input: Uint8Array | string): number {
  checkInput(input, 'pem input');
  const text = typeof input === 'string' ? input : latin1(input);
  const at = nextPemBegin(text, 0);
  if (at < 0) return -1;
  for (let i = 0; i < at; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return -1;
  }
  return at;
}

/**
 * The text of a PEM input: a string as it is, bytes as Latin-1 when they are PEM ({@link pemTextStart}),
 * `undefined` for bytes that are not (DER).
 *
 * @param input - a PEM string, or bytes
 * @returns the text to give {@link readPem}, or `undefined`
 * @example
 * pemText(await readFile('key.der')) // undefined
 */
export function pemText(input: Uint8Array | string): string | undefined {
  checkInput(input, 'pem input');
  if (typeof input === 'string') return input;
  return pemTextStart(input) < 0 ? undefined : latin1(input);
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/**
 * Reads every PEM block of a text, in order. Text outside the blocks is skipped; a block is refused when its
 * label is not RFC 7468's, its END line is missing or names another label, or its body is not strict base64
 * or is empty.
 *
 * @param text - the text (a file's bytes read as Latin-1 will do: PEM is ASCII)
 * @param options - the error code, and a bound on the number of blocks
 * @returns the blocks in text order (none when the text has no BEGIN line)
 * @throws EvoucherError with `options.code` (or what `options.error` makes) for a malformed block or too many;
 *   `ARG_INVALID` when `text` is not a string, `options` has no code of `ERROR_CODES`, `maxBlocks` is not an integer
 *   from 0 (`NaN` would bound nothing) or `error` is not a function
 * @example
 * readPem(await readFile('chain.pem', 'latin1'), { code: 'CERT_MALFORMED' }).filter((b) => b.label === 'CERTIFICATE')
 */
export function readPem(text: string, options: ReadPemOptions): PemBlock[] {
  if (typeof text !== 'string') throw new EvoucherError('ARG_INVALID', 'readPem reads a string (bytes of a file: read them as latin1)');
  const fail = failure(options);
  const maxBlocks = options.maxBlocks;
  if (maxBlocks !== undefined && (!Number.isSafeInteger(maxBlocks) || maxBlocks < 0)) {
    throw new EvoucherError('ARG_INVALID', 'readPem maxBlocks must be an integer from 0', { detail: { option: 'maxBlocks' } });
  }
  const labelAt = (from: number, what: string): { label: string; end: number } => {
    // Looked for in a window of the longest label, not in the rest of the text.
    const close = text.slice(from, from + MAX_LABEL + DASHES.length).indexOf(DASHES);
    const label = close < 0 ? '' : text.slice(from, from + close);
    if (close <= 0 || !LABEL.test(label)) fail(`pem ${what} line without a valid label`);
    return { label, end: from + close + DASHES.length };
  };
  const blocks: PemBlock[] = [];
  for (let at = nextPemBegin(text, 0); at >= 0; ) {
    const { label, end: bodyStart } = labelAt(at + BEGIN.length, 'BEGIN');
    const endAt = text.indexOf(END, bodyStart);
    if (endAt < 0) fail(`pem block '${label}' has no END line`, { label });
    const { label: endLabel, end } = labelAt(endAt + END.length, 'END');
    if (endLabel !== label) fail(`pem END line names '${endLabel}', not '${label}'`, { label });
    const body = text.slice(bodyStart, endAt);
    HEADER_LINE.lastIndex = 0;
    const headers = HEADER_LINE.test(body);
    const b64 = (headers ? body.replace(HEADER_LINE, '') : body).replace(WHITESPACE, '');
    if (b64.length % 4 !== 0 || !BASE64.test(b64)) fail(`pem block '${label}' has invalid base64`, { label });
    if (b64.length === 0) fail(`pem block '${label}' is empty`, { label });
    blocks.push(Object.freeze({ label, der: new Uint8Array(Buffer.from(b64, 'base64')), headers }));
    if (maxBlocks !== undefined && blocks.length > maxBlocks) fail(`more than ${maxBlocks} pem blocks`, { limit: String(maxBlocks) });
    at = nextPemBegin(text, end);
  }
  return blocks;
}

/** The stable codes, for checking `options.code`. */
const CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** The thrower of `options`; `ARG_INVALID` when it has no code of {@link ERROR_CODES} or an `error` that is no function. */
function failure(options: ReadPemOptions): (message: string, detail?: Record<string, string>) => never {
  if (typeof options !== 'object' || options === null || typeof options.code !== 'string') throw new EvoucherError('ARG_INVALID', 'pem options must name an error code');
  if (!CODES.has(options.code)) throw new EvoucherError('ARG_INVALID', `pem options code '${options.code.slice(0, 64)}' is not an error code of ERROR_CODES`, { detail: { option: 'code' } });
  if (options.error !== undefined && typeof options.error !== 'function') throw new EvoucherError('ARG_INVALID', 'pem options error must be a function', { detail: { option: 'error' } });
  return (message, detail = {}) => {
    throw options.error === undefined ? new EvoucherError(options.code, message, { detail }) : options.error(options.code, message, detail);
  };
}

/**
 * The blocks a caller uses: those with one of `labels`, each refused when it carries RFC 1421 header lines
 * (which belong to legacy encrypted keys; OpenSSL refuses them in a certificate too). When certificates are
 * asked for, OpenSSL's `TRUSTED CERTIFICATE` (a certificate followed by trust settings that would be lost)
 * is refused rather than skipped, so that no anchor of a bundle goes missing without a word.
 *
 * @param blocks - what {@link readPem} read
 * @param labels - the labels wanted, e.g. {@link CERTIFICATE_LABELS}
 * @param options - as for {@link readPem}
 * @returns the blocks wanted, in order
 * @throws EvoucherError with `options.code` (or what `options.error` makes), as above
 * @example
 * selectPem(readPem(text, { code: 'CERT_MALFORMED' }), CERTIFICATE_LABELS, { code: 'CERT_MALFORMED' })
 */
export function selectPem(blocks: readonly PemBlock[], labels: readonly string[], options: ReadPemOptions): PemBlock[] {
  const fail = failure(options);
  const out: PemBlock[] = [];
  for (const b of blocks) {
    if (b.label === 'TRUSTED CERTIFICATE' && labels.includes('CERTIFICATE') && !labels.includes(b.label)) {
      fail("pem block 'TRUSTED CERTIFICATE' (a certificate with OpenSSL's trust settings) is not read: write the certificate alone (openssl x509 -in file)", { label: b.label });
    }
    if (!labels.includes(b.label)) continue;
    if (b.headers) fail(`pem block '${b.label}' has header lines`, { label: b.label });
    out.push(b);
  }
  return out;
}

/**
 * Writes one PEM block with 64-character lines (RFC 7468 §2).
 *
 * @param label - e.g. `CERTIFICATE`
 * @param der - the DER bytes
 * @returns the PEM text, ending with a newline
 * @throws EvoucherError `ARG_INVALID` for a label RFC 7468 does not allow or empty content
 * @example
 * encodePem('CERTIFICATE', cert.der) // '-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----\n'
 */
export function encodePem(label: string, der: Uint8Array): string {
  if (typeof label !== 'string' || label.length > MAX_LABEL || !LABEL.test(label)) throw new EvoucherError('ARG_INVALID', 'a pem label is printable ASCII without a dash (RFC 7468), at most 64 characters');
  if (!(der instanceof Uint8Array) || der.length === 0) throw new EvoucherError('ARG_INVALID', 'pem content must be non-empty bytes');
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
