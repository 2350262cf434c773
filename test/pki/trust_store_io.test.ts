/**
 * loadTrustStore reads its files the way every CLI input is read (docs/performance.md, `readFileBounded`): one
 * handle opened without blocking, anything but a regular file refused at once with `ARG_IO`, every file bounded.
 * A trust directory follows symbolic links to regular files (Kubernetes ConfigMap mounts, c_rehash folders).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTrustStore, parseCertificate } from '../../src/pki/index.js';
import { MAX_PEM_SIZE } from '../../src/pki/pem.js';

const TRUST = join(import.meta.dirname, '..', '..', 'fixtures', 'pki', 'trust');
const P256_ROOT = join(TRUST, 'p256-root.cert.pem');
const SM2_ROOT = join(TRUST, 'sm2-root.cert.pem');
const p256Subject = parseCertificate(readFileSync(P256_ROOT, 'utf8')).subject;
const sm2Subject = parseCertificate(readFileSync(SM2_ROOT, 'utf8')).subject;

const dir = mkdtempSync(join(tmpdir(), 'evoucher-trust-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Makes a named pipe, or returns why it cannot (then the FIFO tests are skipped with that reason). */
function makeFifo(path: string): string | undefined {
  try {
    execFileSync('mkfifo', [path], { stdio: 'pipe' });
    return undefined;
  } catch (e) {
    return `mkfifo is unavailable here (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  }
}

const FIFO = join(dir, 'trust.fifo');
const fifoUnavailable = makeFifo(FIFO);
if (fifoUnavailable !== undefined) process.stderr.write(`trust_store_io.test.ts: FIFO tests skipped: ${fifoUnavailable}\n`);

/** Settles with the promise, or rejects after `ms` (a hang is a failure here, not a test timeout). */
async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('loadTrustStore refuses what is not a regular file, at once', () => {
  it.skipIf(fifoUnavailable !== undefined)('a named pipe (FIFO) given as the trust path: ARG_IO without waiting for a writer', async () => {
    const started = Date.now();
    await expect(within(5_000, loadTrustStore(FIFO))).rejects.toMatchObject({
      code: 'ARG_IO',
      message: `trust file ${FIFO} is not a regular file`,
      detail: { path: FIFO },
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a character device (/dev/zero, /dev/null): ARG_IO, nothing read', async () => {
    await expect(within(5_000, loadTrustStore('/dev/zero'))).rejects.toMatchObject({ code: 'ARG_IO', message: 'trust file /dev/zero is not a regular file' });
    await expect(within(5_000, loadTrustStore('/dev/null'))).rejects.toMatchObject({ code: 'ARG_IO', message: 'trust file /dev/null is not a regular file' });
  });

  it('a socket: ARG_IO', async () => {
    const path = join(dir, 'trust.sock');
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      await expect(within(5_000, loadTrustStore(path))).rejects.toMatchObject({ code: 'ARG_IO', detail: { path } });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a file over MAX_PEM_SIZE: ARG_IO, as before', async () => {
    const big = join(dir, 'big.pem');
    writeFileSync(big, '');
    truncateSync(big, MAX_PEM_SIZE + 1);
    await expect(loadTrustStore(big)).rejects.toMatchObject({ code: 'ARG_IO', message: `trust file ${big} is larger than ${MAX_PEM_SIZE} bytes` });
  });
});

describe('trust directories', () => {
  it('follow symbolic links to regular files: a Kubernetes ConfigMap mount loads its anchors', async () => {
    // ConfigMap layout: ca.pem -> ..data/ca.pem, ..data -> ..2026_01_01_00_00_00.123/ (a directory link).
    const mount = join(dir, 'configmap');
    const version = join(mount, '..2026_01_01_00_00_00.123');
    mkdirSync(version, { recursive: true });
    copyFileSync(P256_ROOT, join(version, 'p256-root.pem'));
    copyFileSync(SM2_ROOT, join(version, 'sm2-root.crt'));
    symlinkSync('..2026_01_01_00_00_00.123', join(mount, '..data'));
    symlinkSync(join('..data', 'p256-root.pem'), join(mount, 'p256-root.pem'));
    symlinkSync(join('..data', 'sm2-root.crt'), join(mount, 'sm2-root.crt'));
    const trust = await loadTrustStore(mount);
    expect(trust.anchors.map((a) => a.subject).sort()).toEqual([p256Subject, sm2Subject].sort());
  });

  it('a symlinked PEM (absolute link, as c_rehash folders and hand-made links have) is an anchor', async () => {
    const d = join(dir, 'linked');
    mkdirSync(d);
    symlinkSync(P256_ROOT, join(d, 'p256-root.cert.pem'));
    const trust = await loadTrustStore(d);
    expect(trust.anchors.map((a) => a.subject)).toEqual([p256Subject]);
  });

  it('skip entries that are not regular files, links to them included; a FIFO there is never opened', async () => {
    const d = join(dir, 'mixed');
    mkdirSync(d);
    copyFileSync(P256_ROOT, join(d, 'a.pem'));
    mkdirSync(join(d, 'sub.pem'));
    symlinkSync(join(d, 'sub.pem'), join(d, 'link-to-dir.pem'));
    symlinkSync('/dev/zero', join(d, 'zero.pem'));
    if (fifoUnavailable === undefined) {
      execFileSync('mkfifo', [join(d, 'pipe.pem')]);
      symlinkSync(join(d, 'pipe.pem'), join(d, 'link-to-pipe.crt'));
    }
    const trust = await within(5_000, loadTrustStore(d));
    expect(trust.anchors.map((a) => a.subject)).toEqual([p256Subject]);
  });

  it('refuse a dangling link to a trust file with ARG_IO rather than silently lose an anchor', async () => {
    const d = join(dir, 'dangling');
    mkdirSync(d);
    copyFileSync(P256_ROOT, join(d, 'a.pem'));
    symlinkSync(join(d, 'gone.pem.orig'), join(d, 'b.pem'));
    await expect(loadTrustStore(d)).rejects.toMatchObject({ code: 'ARG_IO', message: `cannot read trust file ${join(d, 'b.pem')}: ENOENT` });
  });
});
