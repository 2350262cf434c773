/**
 * PEM (RFC 7468) reading for key and certificate files, through the package's one PEM reader
 * (encoding/pem.ts) with bounded sizes and the key providers' error: the label of every block is
 * kept so that a key file may also carry its certificate.
 */
import { CERTIFICATE_LABELS, pemTextStart, readPem, selectPem, type PemBlock, type ReadPemOptions } from '../../encoding/pem.js';
import { KeyProviderError } from '../errors.js';

export type { PemBlock } from '../../encoding/pem.js';

/** Largest key or certificate file read (hostile-input bound). */
export const MAX_PEM_BYTES = 1024 * 1024;
/** Most PEM blocks read from one file. */
export const MAX_PEM_BLOCKS = 64;

/**
 * True when the input is PEM text: a `-----BEGIN ` line, after nothing but text. RFC 7468 §5.2 lets
 * explanatory text come before the first block (`openssl pkcs12 -nodes` writes `Bag Attributes`
 * lines there); DER, whose first bytes are a tag and a length, never passes for it. The same test
 * as the key importer's (crypto's `pemTextStart`), so a file is PEM to both or to neither; linear on
 * any input.
 *
 * @param input - text or bytes
 * @returns whether to read it as PEM
 */
export function isPem(input: Uint8Array | string): boolean {
  return pemTextStart(input) >= 0;
}

/**
 * Reads every PEM block of a text.
 *
 * @param input - PEM text or its bytes
 * @returns the blocks in file order
 * @throws KeyProviderError `KEY_FORMAT_UNSUPPORTED` for a file too large, a malformed block (see
 *   encoding/pem.ts), or more than {@link MAX_PEM_BLOCKS} blocks
 * @example
 * readPemBlocks(await readFile('chain.pem', 'utf8')).filter((b) => b.label === 'CERTIFICATE')
 */
export function readPemBlocks(input: Uint8Array | string): PemBlock[] {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) throw new KeyProviderError('ARG_INVALID', 'a key or certificate must be a string or a Uint8Array');
  if (input.length > MAX_PEM_BYTES) {
    throw new KeyProviderError('KEY_FORMAT_UNSUPPORTED', 'pem file too large', { detail: { limit: String(MAX_PEM_BYTES) } });
  }
  const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1');
  return readPem(text, PEM_OPTIONS);
}

/** Malformed PEM is the key providers' `KEY_FORMAT_UNSUPPORTED`, as a {@link KeyProviderError}. */
const PEM_OPTIONS: ReadPemOptions = {
  code: 'KEY_FORMAT_UNSUPPORTED',
  maxBlocks: MAX_PEM_BLOCKS,
  error: (code, message, detail) => new KeyProviderError(code, message, { detail }),
};

/**
 * Reads certificates from PEM (any number of `CERTIFICATE` blocks) or from one DER certificate.
 *
 * @param input - PEM text or bytes, or DER bytes
 * @returns DER certificates in file order (possibly none for PEM without certificates)
 * @throws KeyProviderError `KEY_FORMAT_UNSUPPORTED` as {@link readPemBlocks}; for DER input over
 *   {@link MAX_PEM_BYTES}
 */
export function readCertificates(input: Uint8Array | string): Uint8Array[] {
  if (isPem(input)) {
    return selectPem(readPemBlocks(input), CERTIFICATE_LABELS, PEM_OPTIONS).map((b) => b.der);
  }
  if (typeof input === 'string') {
    throw new KeyProviderError('KEY_FORMAT_UNSUPPORTED', 'certificate text is not pem');
  }
  if (input.length > MAX_PEM_BYTES) {
    throw new KeyProviderError('KEY_FORMAT_UNSUPPORTED', 'certificate too large', { detail: { limit: String(MAX_PEM_BYTES) } });
  }
  return [input.slice()];
}
