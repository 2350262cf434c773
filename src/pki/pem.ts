/**
 * PEM for certificates, CRLs and trust bundles, through the package's one PEM reader (encoding/pem.ts): the
 * errors under pki's codes, and no RFC 1421 headers in a block (they belong to legacy encrypted keys).
 */
import { ERROR_CODES, EvoucherError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { pemTextStart, readPem, selectPem, type PemBlock } from '../encoding/pem.js';

export { CERTIFICATE_LABELS, encodePem, type PemBlock } from '../encoding/pem.js';

/** The upper bound on PEM input read by this module (a trust bundle of a few hundred certificates). */
export const MAX_PEM_SIZE = 16 * 1024 * 1024;

/**
 * Reads the PEM blocks of `text`: every block, or those with one of `labels`.
 * @param text - PEM text
 * @param code - the error code to throw on malformed input
 * @param labels - the labels wanted (e.g. `CERTIFICATE_LABELS`); default every block
 * @returns the blocks in order
 * @throws EvoucherError with `code` when a block is malformed (see encoding/pem.ts), a block returned carries
 *   header lines, certificates are asked for and a `TRUSTED CERTIFICATE` block is found, or the text is over
 *   {@link MAX_PEM_SIZE}; `ARG_INVALID` when `text` is not a string, `code` is not one of `ERROR_CODES` or
 *   `labels` is given but not an array of labels
 */
export function decodePemBlocks(text: string, code: ErrorCode, labels?: readonly string[]): PemBlock[] {
  if (typeof text !== 'string') throw new EvoucherError('ARG_INVALID', 'pem text must be a string');
  if (!(ERROR_CODES as readonly unknown[]).includes(code)) throw new EvoucherError('ARG_INVALID', 'decodePemBlocks code must be one of ERROR_CODES', { detail: { argument: 'code' } });
  if (labels !== undefined && !(Array.isArray(labels) && labels.every((l) => typeof l === 'string'))) {
    throw new EvoucherError('ARG_INVALID', 'decodePemBlocks labels must be an array of labels (leave them out for every block)', { detail: { argument: 'labels' } });
  }
  if (text.length > MAX_PEM_SIZE) throw new EvoucherError(code, 'pem input too large');
  const blocks = readPem(text, { code });
  return selectPem(blocks, labels ?? [...new Set(blocks.map((b) => b.label))], { code });
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
    const blocks = decodePemBlocks(text, code, labels);
    if (blocks.length !== 1) {
      throw new EvoucherError(code, `expected exactly one pem block labelled ${labels.join(' or ')}, found ${blocks.length}`);
    }
    return (blocks[0] as PemBlock).der;
  }
  return input;
}
