/**
 * PEM (RFC 7468) reading and writing for certificates, CRLs and keys. Strict: only the standard base64
 * alphabet, whitespace between lines, and matching BEGIN/END labels.
 */
import { EvoucherError } from '../errors.js';
import type { ErrorCode } from '../errors.js';

/** One PEM block. */
export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

// RFC 7468 §3: label characters are printable ASCII except '-'; no nested blocks.
const BLOCK = /-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[\x20-\x2c\x2e-\x7e]*[\x21-\x2c\x2e-\x7e])?)-----([\s\S]*?)-----END ([^-]*)-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

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
  for (const m of text.matchAll(BLOCK)) {
    const label = m[1] as string;
    if (m[3] !== label) throw new EvoucherError(code, `pem end label does not match '${label}'`);
    const body = (m[2] as string).replace(/[ \t\r\n]/g, '');
    if (!BASE64.test(body) || body.length % 4 !== 0) throw new EvoucherError(code, `pem block '${label}' has invalid base64`);
    const der = new Uint8Array(Buffer.from(body, 'base64'));
    if (der.length === 0) throw new EvoucherError(code, `pem block '${label}' is empty`);
    out.push({ label, der });
  }
  return out;
}

/** True when `bytes` look like PEM text rather than DER. */
export function looksLikePem(bytes: Uint8Array): boolean {
  // DER starts with a tag byte (0x30 for every structure here); PEM starts with '-' or whitespace.
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1').trimStart();
  return head.startsWith('-----BEGIN ');
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
