/**
 * Trust stores: the configured anchors, and nothing else (security.md §3 "Trust"). A certificate is never
 * trusted because it was embedded in a seal or listed as an intermediate.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EvoucherError } from '../errors.js';
import { parseCertificate } from './cert.js';
import { decodePemBlocks, looksLikePem, MAX_PEM_SIZE } from './pem.js';
import type { CertificateInfo, TrustStore } from './types.js';

/** The most anchors a trust store holds. */
export const MAX_ANCHORS = 1000;

/** File name endings read from a trust directory. */
export const TRUST_FILE_EXTENSIONS: readonly string[] = Object.freeze(['.pem', '.crt', '.cer']);

function freezeStore(anchors: CertificateInfo[]): TrustStore {
  if (anchors.length === 0) {
    // security.md §1.5: verifying with no anchors is a usage error, never "trust all".
    throw new EvoucherError('TRUST_NO_ANCHORS', 'the trust store has no anchors');
  }
  if (anchors.length > MAX_ANCHORS) throw new EvoucherError('ARG_INVALID', `more than ${MAX_ANCHORS} trust anchors`);
  const seen = new Set<string>();
  const unique = anchors.filter((a) => (seen.has(a.fingerprintSha256) ? false : (seen.add(a.fingerprintSha256), true)));
  return Object.freeze({ anchors: Object.freeze(unique) });
}

/**
 * Makes a trust store from certificates (DER bytes, PEM bytes or PEM strings; a PEM string may hold several).
 *
 * @param certs - the anchor certificates
 * @returns a frozen trust store, deduplicated by SHA-256 fingerprint
 * @throws EvoucherError `TRUST_NO_ANCHORS` when no certificate is given; `CERT_MALFORMED` (or a `CRYPTO_*` key
 *   code) when one does not parse
 * @example
 * const trust = createTrustStore([fs.readFileSync('fixtures/pki/trust/sm2-root.cert.pem', 'utf8')]);
 */
export function createTrustStore(certs: readonly (Uint8Array | string | CertificateInfo)[]): TrustStore {
  if (!Array.isArray(certs)) throw new EvoucherError('ARG_INVALID', 'createTrustStore expects an array of certificates');
  const anchors: CertificateInfo[] = [];
  for (const c of certs) {
    if (typeof c === 'string' || (c instanceof Uint8Array && looksLikePem(c))) {
      const text = typeof c === 'string' ? c : Buffer.from(c).toString('latin1');
      const blocks = decodePemBlocks(text, 'CERT_MALFORMED').filter((b) => b.label === 'CERTIFICATE');
      if (blocks.length === 0) throw new EvoucherError('CERT_MALFORMED', 'pem input holds no CERTIFICATE block');
      for (const b of blocks) anchors.push(parseCertificate(b.der));
    } else if (c instanceof Uint8Array) {
      anchors.push(parseCertificate(c));
    } else if (typeof c === 'object' && c !== null && c.der instanceof Uint8Array) {
      // Re-parse: a hand-made CertificateInfo is trusted for its bytes only.
      anchors.push(parseCertificate(c.der));
    } else {
      throw new EvoucherError('ARG_INVALID', 'trust anchors must be Uint8Array, PEM strings or CertificateInfo');
    }
  }
  return freezeStore(anchors);
}

async function readCertificates(path: string): Promise<CertificateInfo[]> {
  let data: Buffer;
  try {
    const st = await stat(path);
    if (st.size > MAX_PEM_SIZE) throw new EvoucherError('ARG_IO', `trust file ${path} is too large`);
    data = await readFile(path);
  } catch (e) {
    if (e instanceof EvoucherError) throw e;
    throw new EvoucherError('ARG_IO', `cannot read trust file ${path}`, { cause: e, detail: { path } });
  }
  const bytes = new Uint8Array(data);
  try {
    if (looksLikePem(bytes)) {
      return decodePemBlocks(data.toString('latin1'), 'CERT_MALFORMED')
        .filter((b) => b.label === 'CERTIFICATE')
        .map((b) => parseCertificate(b.der));
    }
    return [parseCertificate(bytes)];
  } catch (e) {
    if (e instanceof EvoucherError) {
      throw new EvoucherError(e.code, `${path}: ${e.message}`, { cause: e, detail: Object.assign({}, e.detail, { path }) });
    }
    throw e;
  }
}

/**
 * Loads a trust store from a PEM bundle file (one or more `CERTIFICATE` blocks, or one DER certificate) or
 * from a directory, whose `.pem`, `.crt` and `.cer` files (not sub-directories) are read in name order.
 *
 * @param pathToPemOrDir - a file or directory path
 * @returns a frozen trust store
 * @throws EvoucherError `ARG_IO` when the path cannot be read; `TRUST_NO_ANCHORS` when it holds no certificate;
 *   `CERT_MALFORMED` when a certificate does not parse
 * @example
 * const trust = await loadTrustStore('fixtures/pki/trust');
 */
export async function loadTrustStore(pathToPemOrDir: string): Promise<TrustStore> {
  if (typeof pathToPemOrDir !== 'string' || pathToPemOrDir === '') throw new EvoucherError('ARG_INVALID', 'trust path must be a non-empty string');
  let isDir: boolean;
  try {
    isDir = (await stat(pathToPemOrDir)).isDirectory();
  } catch (e) {
    throw new EvoucherError('ARG_IO', `cannot read trust path ${pathToPemOrDir}`, { cause: e, detail: { path: pathToPemOrDir } });
  }
  const anchors: CertificateInfo[] = [];
  if (isDir) {
    const names = (await readdir(pathToPemOrDir, { withFileTypes: true }))
      .filter((d) => d.isFile() && TRUST_FILE_EXTENSIONS.some((x) => d.name.toLowerCase().endsWith(x)))
      .map((d) => d.name)
      .sort();
    if (names.length > MAX_ANCHORS) throw new EvoucherError('ARG_INVALID', `more than ${MAX_ANCHORS} files in ${pathToPemOrDir}`);
    for (const n of names) anchors.push(...(await readCertificates(join(pathToPemOrDir, n))));
  } else {
    anchors.push(...(await readCertificates(pathToPemOrDir)));
  }
  if (anchors.length === 0) {
    throw new EvoucherError('TRUST_NO_ANCHORS', `no certificate found in ${pathToPemOrDir}`, { detail: { path: pathToPemOrDir } });
  }
  return freezeStore(anchors);
}
