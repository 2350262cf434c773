/**
 * The key providers on hostile or unusual inputs: files that are not regular files or lie about their size,
 * PEM with explanatory text, PEM with two private keys, NUL in URI attributes, and PINs typed into the
 * wrong place of a URI. PKCS#11 cases that need a token are in pkcs11_hostile.test.ts.
 *
 * Two cases run in a child process on the built package (dist/, built by test/global_setup.ts), because
 * what they guard against cannot be bounded inside the test process: a named pipe given to dlopen blocks the
 * whole event loop, and reading /proc/self/pagemap whole exhausts the memory. The child is killed after
 * 10 s, and the pagemap child runs under a 2 GiB address-space limit.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPrivateKey } from '../../src/crypto/keys.js';
import { pemTextStart } from '../../src/encoding/pem.js';
import { isEvoucherError } from '../../src/errors.js';
import { KeyProviderError, MAX_SECRET_FILE_BYTES, openKeyProvider, openSoftwareKey, parseKeyUri } from '../../src/keys/index.js';
import { redactCause, redactUriSecrets } from '../../src/keys/errors.js';
import { isPem } from '../../src/keys/software/pem.js';
import { makeChainFixture, makeKeyFixture, openssl, TEST_PASSWORD } from './fixtures.js';
import type { ChainFixture, KeyFixture } from './fixtures.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DIST_KEYS = pathToFileURL(join(ROOT, 'dist', 'keys', 'index.js')).href;
const SECRET = '918273';
const LIMIT_MS = 10_000;

let dir: string;
let a: KeyFixture;
let b: KeyFixture;
let chain: ChainFixture;
let fifo: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-hostile-'));
  a = await makeKeyFixture(dir, 'p256', 'a');
  b = await makeKeyFixture(dir, 'p256', 'b');
  chain = await makeChainFixture(dir);
  fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
});

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Bounds what could wait for ever (a named pipe) to {@link LIMIT_MS}: a regression fails instead of hanging. */
function within<T>(p: Promise<T>, ms = LIMIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The error an opening rejects with (an Error saying so when it opened). */
async function openError(uri: string, options: Parameters<typeof openKeyProvider>[1] = {}): Promise<Error & { code?: string; detail?: Record<string, string> }> {
  try {
    const p = await within(openKeyProvider(uri, options));
    await p.close?.();
  } catch (e) {
    return e as Error & { code?: string; detail?: Record<string, string> };
  }
  return new Error(`${uri} opened`);
}

/** Every text an error shows: message, detail, stack, JSON, util.inspect, and the same for its causes. */
function everyText(e: unknown): string {
  const err = e as Error & { detail?: unknown };
  const parts = [String(err.message), JSON.stringify(err.detail), err.stack ?? '', inspect(err, { depth: 10 }), JSON.stringify(err)];
  let cause: unknown = err.cause;
  for (let i = 0; i < 10 && cause !== undefined; i++) {
    const c = cause as Error & { path?: unknown };
    parts.push(String(c.message ?? c), c.stack ?? '', inspect(c, { depth: 10 }), String(c.path ?? ''));
    cause = c.cause;
  }
  return parts.join('\n');
}

const CHILD_SCRIPT = `
const [keysUrl, uri] = process.argv.slice(1);
const { openKeyProvider } = await import(keysUrl);
try {
  const p = await openKeyProvider(uri);
  await p.close?.();
  console.log('OPENED');
} catch (e) {
  console.log('CODE ' + String(e?.code));
}`;

/**
 * Opens a URI in a child process on dist/, killed after {@link LIMIT_MS}.
 *
 * @returns `CODE <code>`, `OPENED`, or what went wrong (`TIMEOUT`, `EXIT <code/signal>`)
 */
function openInChild(uri: string, addressSpaceKiB?: number): Promise<string> {
  const node = [process.execPath, '--input-type=module', '-e', CHILD_SCRIPT, DIST_KEYS, uri];
  const child =
    addressSpaceKiB === undefined
      ? spawn(node[0] as string, node.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('/bin/sh', ['-c', `ulimit -v ${addressSpaceKiB} && exec "$0" "$@"`, ...node], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.resume();
  return new Promise((done) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done('TIMEOUT');
    }, LIMIT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('CODE ') || l === 'OPENED');
      done(line ?? `EXIT ${code ?? signal ?? '?'}`);
    });
  });
}

describe('files that are not regular files or lie about their size', () => {
  it('a named pipe as the PKCS#11 module is refused at once with KEY_MODULE_NOT_FOUND (dlopen would wait for a writer)', async () => {
    expect(await openInChild(`pkcs11:object=k?module-path=${fifo}&pin-value=1`)).toBe('CODE KEY_MODULE_NOT_FOUND');
  }, 20_000);

  it('a device or a directory as the PKCS#11 module is KEY_MODULE_NOT_FOUND, saying it is not a regular file', async () => {
    for (const path of ['/dev/zero', dir]) {
      const e = await openError(`pkcs11:object=k?module-path=${path}&pin-value=1`);
      expect(e).toMatchObject({ code: 'KEY_MODULE_NOT_FOUND', detail: { reason: 'not a regular file' } });
    }
  });

  it('/proc/self/pagemap as the key (fstat says 0; it is as large as the address space) is refused, not read whole', async () => {
    expect(await openInChild(`file:/proc/self/pagemap?cert=${a.certPath}`, 2 * 1024 * 1024)).toBe('CODE KEY_FILE_UNREADABLE');
  }, 20_000);

  it('a password or PIN file larger than 4 KiB is refused even when fstat says 0 (/proc/self/maps)', async () => {
    const pw = await openError(`file:${a.encryptedKeyPath}?cert=${a.certPath}&password-source=file:/proc/self/maps`);
    expect(pw).toMatchObject({ code: 'KEY_FILE_UNREADABLE', detail: { role: 'password-source', path: '/proc/self/maps', limit: String(MAX_SECRET_FILE_BYTES) } });
    const p12 = await openError(`pkcs12:${a.p12Path}?password-source=/proc/self/maps`);
    expect(p12).toMatchObject({ code: 'KEY_FILE_UNREADABLE', detail: { role: 'password-source' } });
    // The PIN is read before the module is loaded: no token needed.
    const pin = await openError('pkcs11:object=k?module-path=/nonexistent/libp11.so&pin-source=file:/proc/self/maps');
    expect(pin).toMatchObject({ code: 'KEY_FILE_UNREADABLE', detail: { role: 'pin-source', limit: String(MAX_SECRET_FILE_BYTES) } });
  });

  it('a named pipe, a device or a directory as any file of a URI is KEY_FILE_UNREADABLE at once', async () => {
    for (const bad of [fifo, '/dev/zero', dir]) {
      for (const [uri, role] of [
        [`file:${bad}?cert=${a.certPath}`, 'key'],
        [`file:${a.keyPath}?cert=${bad}`, 'certificate'],
        [`file:${a.keyPath}?cert=${a.certPath}&chain=${bad}`, 'chain'],
        [`file:${a.encryptedKeyPath}?cert=${a.certPath}&password-source=file:${bad}`, 'password-source'],
        [`pkcs12:${bad}?password-source=${bad}`, 'password-source'],
        [`pkcs12:${bad}`, 'pkcs12'],
      ] as const) {
        // A password option would win over password-source, which would then not be read.
        const e = await openError(uri, uri.includes('password-source') ? {} : { password: 'x' });
        expect(e, uri).toMatchObject({ code: 'KEY_FILE_UNREADABLE', detail: { role } });
      }
    }
  }, 60_000);
});

describe('PEM with explanatory text (RFC 7468 §5.2)', () => {
  let combined: string;
  let caWithProse: string;

  beforeAll(async () => {
    // What `openssl pkcs12 -nodes` really writes: "Bag Attributes", "subject=", "issuer=" and "Key
    // Attributes" lines before each block.
    combined = join(dir, 'combined.pem');
    await openssl(['pkcs12', '-in', a.p12Path, '-nodes', '-passin', `pass:${TEST_PASSWORD}`, '-out', combined]);
    caWithProse = join(dir, 'ca-prose.pem');
    const caPem = await readFile(chain.caPath, 'utf8');
    await writeFile(caWithProse, `Bag Attributes\n    friendlyName: test ca\nsubject=CN = test ca\n\n${caPem}trailing words\n`);
  });

  it('the fixture really starts with text, as openssl writes it', async () => {
    const text = await readFile(combined, 'utf8');
    expect(text.startsWith('Bag Attributes')).toBe(true);
    expect(text).toContain('-----BEGIN PRIVATE KEY-----');
    expect(text).toContain('-----BEGIN CERTIFICATE-----');
  });

  it('opens as file:combined.pem, as the key with cert=, and as cert= (before: KEY_CERT_NOT_FOUND, CRYPTO_KEY_INVALID, CERT_MALFORMED)', async () => {
    for (const uri of [`file:${combined}`, `file:${combined}?cert=${a.certPath}`, `file:${a.keyPath}?cert=${combined}`]) {
      const p = await within(openKeyProvider(uri));
      expect(p.algorithm, uri).toBe('ecdsa-p256-sha256');
      expect(Buffer.from(await p.certificate()).equals(Buffer.from(a.certDer)), uri).toBe(true);
      await p.close?.();
    }
  });

  it('reads chain= files with text around the certificate', async () => {
    const leafKey = join(dir, 'leaf.key.pem');
    const leafCert = join(dir, 'leaf.cert.pem');
    const p = await openKeyProvider(`file:${leafKey}?cert=${leafCert}&chain=${caWithProse}`);
    // Read, and not handed out: the leaf's issuer is self-signed, the anchor.
    expect(await p.chain?.()).toEqual([]);
    // An intermediate with the same text around it is read and handed out (the demo PKI: dw is issued by ca).
    const pki = join(import.meta.dirname, '..', '..', 'fixtures', 'pki', 'p256');
    const caPem = await readFile(join(pki, 'ca.cert.pem'), 'utf8');
    const interWithProse = join(dir, 'inter-prose.pem');
    await writeFile(interWithProse, `Bag Attributes\n    friendlyName: ca\nsubject=CN = ca\n\n${caPem}trailing words\n`);
    const q = await openKeyProvider(`file:${join(pki, 'dw.key.pem')}?cert=${join(pki, 'dw.cert.pem')}&chain=${interWithProse}`, { password: 'evoucher-demo' });
    const caDer = Buffer.from(caPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect((await q.chain?.())?.map((c) => Buffer.from(c).toString('hex'))).toEqual([caDer.toString('hex')]);
  });

  it('opens in code from text and from bytes, certificate first, with text between the blocks', async () => {
    const text = `Bag Attributes\n  friendlyName: a\n${a.certPem}some words between\n${a.keyPem}trailing text`;
    for (const input of [text, new TextEncoder().encode(text)]) {
      const p = openSoftwareKey({ key: input, certificate: input });
      expect(p.algorithm).toBe('ecdsa-p256-sha256');
    }
    expect(importPrivateKey(new TextEncoder().encode(`Key Attributes: <No Attributes>\r\n${a.keyPem}`)).kind).toBe('ec-p256');
  });

  it('still tells DER from PEM: a tag and a length are not text', () => {
    expect(isPem(a.keyPkcs8Der)).toBe(false);
    expect(isPem(a.certDer)).toBe(false);
    // DER holding `-----BEGIN ` (in a string of some attribute) is still DER.
    const der = Uint8Array.from([0x30, 0x20, 0x0c, 0x1e, ...new TextEncoder().encode('\n-----BEGIN PRIVATE KEY-----\n')]);
    expect(pemTextStart(der)).toBe(-1);
    expect(pemTextStart('\u0000\n-----BEGIN A-----')).toBe(-1);
  });

  it('finds the first BEGIN that opens a line, after blanks, whatever the line endings', () => {
    expect(pemTextStart('-----BEGIN A-----')).toBe(0);
    expect(pemTextStart('  \t-----BEGIN A-----')).toBe(3);
    expect(pemTextStart('text\r\n-----BEGIN A-----')).toBe(6);
    expect(pemTextStart('text\r-----BEGIN A-----')).toBe(5);
    expect(pemTextStart('see -----BEGIN A----- below\n  -----BEGIN B-----')).toBe(30);
    expect(pemTextStart('no block here')).toBe(-1);
    expect(pemTextStart('mid line only: x-----BEGIN A-----')).toBe(-1);
  });

  it('stays linear on hostile text: many BEGIN lines without END, BEGINs inside lines, long prose', () => {
    const hostile = [
      '-----BEGIN A-----\n'.repeat(3600),
      `-----BEGIN ${'A'.repeat(60)}-----\n`.repeat(1000),
      `x -----BEGIN `.repeat(5000),
      `${'Bag Attributes '.repeat(4000)}\n-----BEGIN PRIVATE KEY-----\n`,
      '-----BEGIN A-----' + '-----END B-----'.repeat(4000),
    ];
    const started = Date.now();
    for (const text of hostile) {
      for (const input of [text, new TextEncoder().encode(text)]) {
        try {
          importPrivateKey(input);
          throw new Error('imported');
        } catch (e) {
          expect(isEvoucherError(e, 'CRYPTO_KEY_INVALID'), String(e)).toBe(true);
        }
        expect(() => openSoftwareKey({ key: input, certificate: a.certPem })).toThrow();
      }
    }
    // About 10 ms here; the bound only catches a quadratic scan (seconds on these inputs).
    expect(Date.now() - started).toBeLessThan(3_000);
    // Keys' own PEM detection on a 1 MiB file is one pass as well.
    const big = 'x -----BEGIN '.repeat(80_000);
    const t = Date.now();
    expect(isPem(big)).toBe(false);
    expect(Date.now() - t).toBeLessThan(1_000);
  });

  it('a block whose END line is missing or names another label is refused, not skipped', () => {
    for (const text of [`-----BEGIN PRIVATE KEY-----\nAAAA\n`, `-----BEGIN PRIVATE KEY-----\nAAAA\n-----END CERTIFICATE-----\n`]) {
      expect(() => importPrivateKey(text)).toThrow(expect.objectContaining({ code: 'CRYPTO_KEY_INVALID' }));
    }
  });
});

describe('a BEGIN inside a line of text', () => {
  it('opens no block: the key and certificate after such a line open (before: bad base64)', async () => {
    const prose = 'The key goes between -----BEGIN PRIVATE KEY----- and -----END PRIVATE KEY----- lines:\n';
    const f = join(dir, 'midline.pem');
    await writeFile(f, prose + a.keyPem + prose.replaceAll('PRIVATE KEY', 'CERTIFICATE') + a.certPem);
    const p = await openKeyProvider(`file:${f}`);
    expect(Buffer.from(await p.certificate()).equals(Buffer.from(a.certDer))).toBe(true);
    expect(p.algorithm).toBe('ecdsa-p256-sha256');
    await p.close?.();
  });
});

describe('bad PEM in a key file', () => {
  it('is KEY_FORMAT_UNSUPPORTED with or without cert= (before: CRYPTO_KEY_INVALID with it)', async () => {
    const bad = join(dir, 'bad64.pem');
    await writeFile(bad, a.keyPem.replace(/\n([A-Za-z0-9+/]{10})/u, '\n!!!!!!!!!!') + a.certPem);
    expect(await openError(`file:${bad}`)).toMatchObject({ code: 'KEY_FORMAT_UNSUPPORTED' });
    expect(await openError(`file:${bad}?cert=${a.certPath}`)).toMatchObject({ code: 'KEY_FORMAT_UNSUPPORTED' });
  });
});

describe('PEM with more than one private key', () => {
  it('is KEY_AMBIGUOUS, whichever key comes first and whether or not cert= names the certificate', async () => {
    const aFirst = join(dir, 'two-a-first.pem');
    const bFirst = join(dir, 'two-b-first.pem');
    await writeFile(aFirst, a.keyPem + b.keyPem + a.certPem);
    await writeFile(bFirst, `Bag Attributes\n${b.keyPem}Bag Attributes\n${a.keyPem}${a.certPem}`);
    for (const uri of [`file:${aFirst}`, `file:${bFirst}`, `file:${aFirst}?cert=${a.certPath}`, `file:${bFirst}?cert=${a.certPath}`]) {
      expect(await openError(uri), uri).toMatchObject({ code: 'KEY_AMBIGUOUS' });
    }
  });

  it('counts every private key label: plain and encrypted PKCS#8, SEC1', () => {
    expect(() => importPrivateKey(a.keyPem + a.encryptedKeyPem, { password: TEST_PASSWORD })).toThrow(expect.objectContaining({ code: 'KEY_AMBIGUOUS' }));
    expect(() => importPrivateKey(a.keyPem + (a.sec1Pem ?? ''))).toThrow(expect.objectContaining({ code: 'KEY_AMBIGUOUS' }));
    expect(() => openSoftwareKey({ key: a.keyPem + a.keyPem, certificate: a.certPem })).toThrow(expect.objectContaining({ code: 'KEY_AMBIGUOUS' }));
  });

  it('does not count blocks that are not keys: EC PARAMETERS before a SEC1 key, certificates', async () => {
    const params = await openssl(['ecparam', '-name', 'prime256v1']);
    const p = openSoftwareKey({ key: params + (a.sec1Pem ?? '') + a.certPem + b.certPem, certificate: a.certPem });
    expect(p.algorithm).toBe('ecdsa-p256-sha256');
  });
});

describe('NUL in a URI attribute that names a file', () => {
  it('is KEY_URI_INVALID in cert=, chain= and password-source= as in the path (before: KEY_FILE_UNREADABLE)', async () => {
    for (const [uri, attribute] of [
      [`file:${a.keyPath}?cert=${a.certPath}%00x`, 'cert'],
      [`file:${a.keyPath}?cert=${a.certPath}&chain=%00`, 'chain'],
      [`file:${a.keyPath}?cert=${a.certPath}&password-source=file:pw%00x`, 'password-source'],
      [`pkcs12:${a.p12Path}?password-source=pw%00`, 'password-source'],
      ['pkcs11:object=k?module-path=/usr/lib/x%00.so&pin-value=1', 'module-path'],
      ['pkcs11:object=k?module-name=softhsm2%00&pin-value=1', 'module-name'],
      ['pkcs11:object=k?module-path=/m.so&pin-source=file:pin%00', 'pin-source'],
    ] as const) {
      expect(() => parseKeyUri(uri), uri).toThrow(expect.objectContaining({ code: 'KEY_URI_INVALID', detail: expect.objectContaining({ attribute }) }));
      expect(await openError(uri), uri).toMatchObject({ code: 'KEY_URI_INVALID' });
    }
    expect(await openError(`file:${a.keyPath}%00x?cert=${a.certPath}`)).toMatchObject({ code: 'KEY_URI_INVALID' });
  });
});

describe('a pin-value typed into another attribute never reaches an error', () => {
  it('is redacted from file paths (detail, and the file system error kept as cause)', async () => {
    for (const uri of [
      `file:${a.keyPath}?cert=${dir}/missing.pem?pin-value=${SECRET}`,
      `file:${a.keyPath}?cert=${a.certPath}&chain=${dir}/ca.pem?pin-value=${SECRET}`,
      `pkcs11:object=k?module-path=/nonexistent/lib.so&pin-source=file:${dir}/pin?pin-value=${SECRET}`,
    ]) {
      const e = await openError(uri);
      expect(e, uri).toMatchObject({ code: 'KEY_FILE_UNREADABLE', detail: { reason: 'ENOENT' } });
      expect(everyText(e), uri).not.toContain(SECRET);
      // The operator still sees where the mistake is.
      expect(e.detail?.['path'], uri).toContain('pin-value=(redacted)');
      expect((e.cause as NodeJS.ErrnoException | undefined)?.code, uri).toBe('ENOENT');
    }
  });

  it('is redacted from a module path or name (before: detail.modulePath and the realpath error held it)', async () => {
    for (const uri of [
      `pkcs11:token=t;object=k?module-path=/nonexistent/libsofthsm2.so?pin-value=${SECRET}`,
      `pkcs11:token=t;object=k?module-path=/nonexistent/libsofthsm2.so?pin-value=${SECRET}?x`,
      `pkcs11:token=t;object=k?module-name=softhsm2?pin-value=${SECRET}`,
      `pkcs11:token=t;object=k?module-name=x${SECRET}?pin-value=${SECRET}`,
    ]) {
      const e = await openError(uri);
      expect(e, uri).toMatchObject({ code: 'KEY_MODULE_NOT_FOUND' });
      expect(everyText(e).replaceAll(`x${SECRET}?`, ''), uri).not.toContain(SECRET);
      expect(JSON.stringify(e.detail), uri).toContain('pin-value=(redacted)');
    }
  });

  it('redactUriSecrets cuts every pin-value up to the next ; & ? or the end, in any case', () => {
    expect(redactUriSecrets(`t&pin-value=${SECRET};object=k`)).toBe('t&pin-value=(redacted);object=k');
    expect(redactUriSecrets(`/lib.so?pin-value=${SECRET}`)).toBe('/lib.so?pin-value=(redacted)');
    expect(redactUriSecrets(`a&PIN-VALUE=${SECRET}&pin-value=1?b`)).toBe('a&pin-value=(redacted)&pin-value=(redacted)?b');
    expect(redactUriSecrets('pin-source=file:/run/pin')).toBe('pin-source=file:/run/pin');
    expect(redactUriSecrets(redactUriSecrets(`x?pin-value=${SECRET}`))).toBe('x?pin-value=(redacted)');
  });

  it('redactCause keeps a harmless cause and replaces one that holds a pin-value, keeping its code', () => {
    const harmless = Object.assign(new Error("ENOENT: no such file or directory, open '/x'"), { code: 'ENOENT', path: '/x' });
    expect(redactCause(harmless)).toBe(harmless);
    const leaking = Object.assign(new Error(`ENOENT: no such file or directory, open '/x?pin-value=${SECRET}'`), {
      code: 'ENOENT',
      errno: -2,
      syscall: 'open',
      path: `/x?pin-value=${SECRET}`,
    });
    const safe = redactCause(leaking) as NodeJS.ErrnoException;
    expect(safe).not.toBe(leaking);
    expect(safe).toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'open' });
    // Up to the end: the closing quote goes with the PIN (a PIN may hold any character but the separators).
    expect(safe.message).toBe("ENOENT: no such file or directory, open '/x?pin-value=(redacted)");
    expect(everyText(safe)).not.toContain(SECRET);
    const deep = new Error('outer', { cause: new Error(`inner pin-value=${SECRET}`) });
    expect(everyText(redactCause(deep))).not.toContain(SECRET);
    expect(redactCause(`pin-value=${SECRET}`)).toBe('pin-value=(redacted)');
  });

  it('KeyProviderError redacts its message, every detail value and its cause, whoever builds it', () => {
    const e = new KeyProviderError('KEY_NOT_FOUND', `no key named k&pin-value=${SECRET}`, {
      detail: { object: `k&pin-value=${SECRET}`, token: 't' },
      cause: new Error(`label k&pin-value=${SECRET}`),
      ckr: 'CKR_OK',
    });
    expect(everyText(e)).not.toContain(SECRET);
    expect(e.detail).toEqual({ object: 'k&pin-value=(redacted)', token: 't', ckr: 'CKR_OK' });
  });
});
