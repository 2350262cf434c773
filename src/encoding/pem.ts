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
 * - RFC 1421 header lines (`Proc-Type: 4,ENCRYPTED`) are set aside and reported (`headers`): each caller
 *   decides (the key importer refuses legacy encrypted PEM by name, pki refuses headers in certificates).
 * - Linear in the text whatever it holds: every search is one `indexOf` from where the last one stopped, no
 *   regular expression runs over more than one block's body (a lazy body with a back-reference rescans the
 *   rest of the text for every BEGIN without an END: hours at 16 MiB).
 */
import { EvoucherError, type ErrorCode } from '../errors.js';

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
  /** The error code of a malformed text (each layer reports under its own: `CERT_MALFORMED`, `CRYPTO_KEY_INVALID`...). */
  readonly code: ErrorCode;
  /** The most blocks read; more is an error. Default: no bound but the text's length. */
  readonly maxBlocks?: number;
  /** Makes the error thrown (a layer with an error class of its own); default an {@link EvoucherError}. */
  readonly error?: (code: ErrorCode, message: string, detail: Readonly<Record<string, string>>) => Error;
}

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
  for (let at = text.indexOf(BEGIN, from); at >= 0; at = text.indexOf(BEGIN, at + 1)) {
    // The blanks walked back over lie between this match and the previous one: the walks add up to one pass.
    let i = at;
    while (i > from && (text.charCodeAt(i - 1) === 0x20 || text.charCodeAt(i - 1) === 0x09)) i--;
    if (i === 0 || i === from || text.charCodeAt(i - 1) === 0x0a || text.charCodeAt(i - 1) === 0x0d) return at;
  }
  return -1;
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
 * @throws EvoucherError with `options.code` (or what `options.error` makes) for a malformed block or too many
 * @example
 * readPem(await readFile('chain.pem', 'latin1'), { code: 'CERT_MALFORMED' }).filter((b) => b.label === 'CERTIFICATE')
 */
export function readPem(text: string, options: ReadPemOptions): PemBlock[] {
  const fail = (message: string, detail: Record<string, string> = {}): never => {
    throw options.error === undefined ? new EvoucherError(options.code, message, { detail }) : options.error(options.code, message, detail);
  };
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
    if (options.maxBlocks !== undefined && blocks.length > options.maxBlocks) fail(`more than ${options.maxBlocks} pem blocks`, { limit: String(options.maxBlocks) });
    at = nextPemBegin(text, end);
  }
  return blocks;
}

/**
 * Writes one PEM block with 64-character lines (RFC 7468 §2).
 *
 * @param label - e.g. `CERTIFICATE`
 * @param der - the DER bytes
 * @returns the PEM text, ending with a newline
 * @example
 * encodePem('CERTIFICATE', cert.der) // '-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----\n'
 */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
