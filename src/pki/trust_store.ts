/**
 * Trust stores: the configured anchors, and nothing else (security.md §3 "Trust"). A certificate is never
 * trusted because it was embedded in a seal or listed as an intermediate.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readBoundedFile } from '../encoding/read_bounded.js';
import { EvoucherError } from '../errors.js';
import { parseCertificate } from './cert.js';
import { CERTIFICATE_LABELS, decodePemBlocks, looksLikePem, MAX_PEM_SIZE } from './pem.js';
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
      const blocks = decodePemBlocks(text, 'CERT_MALFORMED', CERTIFICATE_LABELS);
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

/**
 * Reads one trust file whole, bounded by {@link MAX_PEM_SIZE}, through the one bounded reader of the package:
 * a named pipe is refused at once instead of waited on for ever, a device (`/dev/zero`), socket or directory
 * instead of read without end, and a file that grows after the check is still bounded.
 */
async function readTrustFile(path: string): Promise<Uint8Array> {
  const bytes = await readBoundedFile(path, MAX_PEM_SIZE, (failure) => {
    const detail = { path };
    switch (failure.reason) {
      case 'not-regular':
        return new EvoucherError('ARG_IO', `trust file ${path} is not a regular file`, { detail });
      case 'too-large':
        return new EvoucherError('ARG_IO', `trust file ${path} is larger than ${MAX_PEM_SIZE} bytes`, { detail });
      default:
        return new EvoucherError('ARG_IO', `cannot read trust file ${path}: ${failure.code ?? 'error'}`, { cause: failure.cause, detail });
    }
  });
  // A copy of exactly the file: anchors keep their DER, which must not be a view of a larger buffer.
  return bytes.slice();
}

async function readCertificates(path: string): Promise<CertificateInfo[]> {
  const bytes = await readTrustFile(path);
  try {
    if (looksLikePem(bytes)) {
      return decodePemBlocks(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1'), 'CERT_MALFORMED', CERTIFICATE_LABELS).map((b) => parseCertificate(b.der));
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
 * The trust files of a directory, in name order: its entries named `*.pem`, `*.crt` or `*.cer` that are regular
 * files, or symbolic links to regular files (Kubernetes ConfigMap and Secret mounts, `c_rehash` directories).
 * Sub-directories, named pipes, devices, sockets and links to any of them are skipped; they are not read.
 */
async function listTrustFiles(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new EvoucherError('ARG_IO', `cannot read trust directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e, detail: { path: dir } });
  }
  const candidates = entries.filter((d) => TRUST_FILE_EXTENSIONS.some((x) => d.name.toLowerCase().endsWith(x))).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names: string[] = [];
  for (const d of candidates) {
    let regular = d.isFile();
    if (d.isSymbolicLink()) {
      // stat, not lstat: what the link names decides. A link that leads nowhere is an error, not a silent gap.
      const path = join(dir, d.name);
      try {
        regular = (await stat(path)).isFile();
      } catch (e) {
        throw new EvoucherError('ARG_IO', `cannot read trust file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e, detail: { path } });
      }
    }
    if (!regular) continue;
    names.push(d.name);
    if (names.length > MAX_ANCHORS) throw new EvoucherError('ARG_INVALID', `more than ${MAX_ANCHORS} files in ${dir}`);
  }
  return names;
}

/**
 * Loads a trust store from a PEM bundle file (one or more `CERTIFICATE` blocks, or one DER certificate) or
 * from a directory, whose `.pem`, `.crt` and `.cer` files are read in name order. In a directory, symbolic
 * links to regular files are followed (Kubernetes ConfigMap mounts, `c_rehash` directories); sub-directories
 * and anything else that is not a regular file are skipped. Every file is read through one handle opened
 * without blocking, and anything but a regular file is refused at once (a named pipe is not waited on, a
 * device is not read without end); each file is at most `MAX_PEM_SIZE` bytes.
 *
 * @param pathToPemOrDir - a file or directory path
 * @returns a frozen trust store
 * @throws EvoucherError `ARG_IO` when the path, or a trust file in the directory, cannot be read, is not a
 *   regular file (a named pipe, a device, a socket) or is too large; `ARG_INVALID` for more than
 *   {@link MAX_ANCHORS} files or anchors; `TRUST_NO_ANCHORS` when it holds no certificate; `CERT_MALFORMED`
 *   when a certificate does not parse
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
    for (const n of await listTrustFiles(pathToPemOrDir)) anchors.push(...(await readCertificates(join(pathToPemOrDir, n))));
  } else {
    // A named pipe, a device or a socket is not a directory: readCertificates refuses it without reading.
    anchors.push(...(await readCertificates(pathToPemOrDir)));
  }
  if (anchors.length === 0) {
    throw new EvoucherError('TRUST_NO_ANCHORS', `no certificate found in ${pathToPemOrDir}`, { detail: { path: pathToPemOrDir } });
  }
  return freezeStore(anchors);
}
