/**
 * PEM (RFC 7468) reading for key and certificate files: strict base64, bounded sizes, and the
 * label of every block kept so that a key file may also carry its certificate.
 */
import { nextPemBegin, pemTextStart } from '../../crypto/keys.js';
import { KeyProviderError } from '../errors.js';

/** Largest key or certificate file read (hostile-input bound). */
export const MAX_PEM_BYTES = 1024 * 1024;
/** Most PEM blocks read from one file. */
export const MAX_PEM_BLOCKS = 64;

/** One PEM block. */
export interface PemBlock {
  /** The label, e.g. `CERTIFICATE`, `PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`. */
  readonly label: string;
  /** The decoded bytes. */
  readonly der: Uint8Array;
  /** True when the block carries RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`...). */
  readonly headers: boolean;
}

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
 * @throws KeyProviderError `KEY_FORMAT_UNSUPPORTED` for a file too large, bad base64, a block
 *   without its END line, or more than {@link MAX_PEM_BLOCKS} blocks
 * @example
 * readPemBlocks(await readFile('chain.pem', 'utf8')).filter((b) => b.label === 'CERTIFICATE')
 */
export function readPemBlocks(input: Uint8Array | string): PemBlock[] {
  if (input.length > MAX_PEM_BYTES) {
    throw new KeyProviderError('KEY_FORMAT_UNSUPPORTED', 'pem file too large', { detail: { limit: String(MAX_PEM_BYTES) } });
  }
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  const blocks: PemBlock[] = [];
  // Only a BEGIN that opens a line opens a block (RFC 7468), as for the key importer: one inside a line of
  // explanatory text is text.
  for (let at = nextPemBegin(text, 0); at >= 0; ) {
    const m = /^-----BEGIN ([A-Z0-9 ]{1,64})-----/u.exec(text.slice(at, at + 80));
    if (m === null) {
      at = nextPemBegin(text, at + 1);
      continue;
    }
    const label = m[1] ?? '';
    const endMarker = `-----END ${label}-----`;
    const bodyStart = at + m[0].length;
    const end = text.indexOf(endMarker, bodyStart);
    if (end < 0) {
      throw new KeyProviderError('KEY_FORMAT_UNSUPPORTED', 'pem block without end line', { detail: { label } });
    }
    const body = text.slice(bodyStart, end);
    at = nextPemBegin(text, end + endMarker.length);
    // RFC 1421 §4.6 headers ("Name: value") before a blank line.
    const headers = /^[ \t]*[A-Za-z][A-Za-z0-9-]*:/mu.test(body);
    const b64 = body.replace(/^[ \t]*[A-Za-z][A-Za-z0-9-]*:.*$/gmu, '').replace(/[\s]+/gu, '');
    // RFC 7468 §3: strict base64 (RFC 4648 §4), padded.
    if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/u.test(b64)) {
      throw new KeyProviderError('KEY_FORMAT_UNSUPPORTED', 'bad base64 in pem block', { detail: { label } });
    }
    blocks.push(Object.freeze({ label, der: new Uint8Array(Buffer.from(b64, 'base64')), headers }));
    if (blocks.length > MAX_PEM_BLOCKS) {
      throw new KeyProviderError('KEY_FORMAT_UNSUPPORTED', 'too many pem blocks', { detail: { limit: String(MAX_PEM_BLOCKS) } });
    }
  }
  return blocks;
}

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
    return readPemBlocks(input)
      .filter((b) => b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE')
      .map((b) => b.der);
  }
  if (typeof input === 'string') {
    throw new KeyProviderError('KEY_FORMAT_UNSUPPORTED', 'certificate text is not pem');
  }
  if (input.length > MAX_PEM_BYTES) {
    throw new KeyProviderError('KEY_FORMAT_UNSUPPORTED', 'certificate too large', { detail: { limit: String(MAX_PEM_BYTES) } });
  }
  return [input.slice()];
}
