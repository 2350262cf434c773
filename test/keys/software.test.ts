import { readFileSync as fsReadFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DER_TAG, derExplicit, derInteger, derOctetString, derOid, derSequence, derTlv } from '../../src/encoding/der.js';
import { openKeyProvider, openPkcs12, openSoftwareKey, readPkcs12, MAX_PBE_ITERATIONS } from '../../src/keys/index.js';
import { describeConformance } from './conformance.js';
import { makeChainFixture, makeKeyFixture, openssl, TEST_PASSWORD } from './fixtures.js';
import type { ChainFixture, FixtureKind, KeyFixture } from './fixtures.js';

let dir: string;
const fixtures = new Map<string, KeyFixture>();
let chain: ChainFixture;

// One key per kind plus a second one (for key/certificate mismatches), all made by OpenSSL.
const ready = (async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-keys-'));
  for (const kind of ['p256', 'rsa', 'sm2'] as const) {
    fixtures.set(kind, await makeKeyFixture(dir, kind));
    fixtures.set(`${kind}-other`, await makeKeyFixture(dir, kind, `${kind}-other`));
  }
  chain = await makeChainFixture(dir);
})();

function fx(name: string): KeyFixture {
  const f = fixtures.get(name);
  if (f === undefined) throw new Error(`no fixture ${name}`);
  return f;
}

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const ALG = { p256: 'ecdsa-p256-sha256', rsa: 'rsa-pkcs1-sha256', sm2: 'sm2-sm3' } as const;

for (const kind of ['p256', 'rsa', 'sm2'] as const satisfies readonly FixtureKind[]) {
  describeConformance(`PEM PKCS#8 ${kind}`, async () => {
    await ready;
    const f = fx(kind);
    return {
      expectedAlgorithm: ALG[kind],
      certDer: f.certDer,
      chain: [],
      open: async () => openSoftwareKey({ key: f.keyPem, certificate: f.certPem }),
      openMismatched: async () => openSoftwareKey({ key: f.keyPem, certificate: fx(`${kind}-other`).certPem }),
    };
  });

  describeConformance(`encrypted PKCS#8 ${kind}`, async () => {
    await ready;
    const f = fx(kind);
    return {
      expectedAlgorithm: ALG[kind],
      certDer: f.certDer,
      open: async () => openSoftwareKey({ key: f.encryptedKeyPem, certificate: f.certDer, password: TEST_PASSWORD }),
      openMismatched: async () =>
        openSoftwareKey({ key: f.encryptedKeyPem, certificate: fx(`${kind}-other`).certDer, password: TEST_PASSWORD }),
    };
  });

  describeConformance(`PKCS#12 ${kind} (openssl pkcs12 -export)`, async () => {
    await ready;
    const f = fx(kind);
    return {
      expectedAlgorithm: ALG[kind],
      certDer: f.certDer,
      chain: [],
      open: async () => openPkcs12({ data: f.p12, password: TEST_PASSWORD }),
      // A PKCS#12 file holding the key and another key's certificate (OpenSSL refuses the pair
      // with -in, not with -nocerts -certfile).
      openMismatched: async () => {
        const p12 = join(dir, `${kind}-mismatch.p12`);
        await openssl(['pkcs12', '-export', '-inkey', f.keyPath, '-nocerts', '-certfile', fx(`${kind}-other`).certPath, '-passout', `pass:${TEST_PASSWORD}`, '-out', p12]);
        return openPkcs12({ data: new Uint8Array(await readFile(p12)), password: TEST_PASSWORD });
      },
    };
  });
}

for (const kind of ['p256', 'sm2'] as const) {
  describeConformance(`SEC1 ${kind}`, async () => {
    await ready;
    const f = fx(kind);
    return {
      expectedAlgorithm: ALG[kind],
      certDer: f.certDer,
      open: async () => openSoftwareKey({ key: f.sec1Pem as string, certificate: f.certPem }),
      openMismatched: async () => openSoftwareKey({ key: f.sec1Pem as string, certificate: fx(`${kind}-other`).certPem }),
    };
  });
}

describeConformance('RSA with PSS', async () => {
  await ready;
  const f = fx('rsa');
  return {
    expectedAlgorithm: 'rsa-pss-sha256',
    certDer: f.certDer,
    open: async () => openSoftwareKey({ key: f.keyPem, certificate: f.certPem, algorithm: 'rsa-pss-sha256' }),
    openMismatched: async () => openSoftwareKey({ key: f.keyPem, certificate: fx('rsa-other').certPem, algorithm: 'rsa-pss-sha256' }),
  };
});

describeConformance('file: URI with a relative path and the password from the environment', async () => {
  await ready;
  const f = fx('sm2');
  const env = { EVOUCHER_KEY_PASSWORD: TEST_PASSWORD };
  return {
    expectedAlgorithm: 'sm2-sm3',
    certDer: f.certDer,
    open: async () => openKeyProvider('file:sm2.key.enc.pem?cert=sm2.cert.pem', { cwd: dir, env }),
    openMismatched: async () => openKeyProvider('file:sm2.key.enc.pem?cert=sm2-other.cert.pem', { cwd: dir, env }),
  };
});

describe('software keys: passwords', () => {
  beforeAll(() => ready);

  it('refuses an encrypted key without a password, and with a wrong one', async () => {
    for (const kind of ['p256', 'rsa', 'sm2']) {
      const f = fx(kind);
      expect(() => openSoftwareKey({ key: f.encryptedKeyPem, certificate: f.certPem })).toThrow(
        expect.objectContaining({ code: 'KEY_PASSWORD_REQUIRED' }),
      );
      expect(() => openSoftwareKey({ key: f.encryptedKeyPem, certificate: f.certPem, password: 'wrong' })).toThrow(
        expect.objectContaining({ code: 'KEY_PASSWORD_WRONG' }),
      );
    }
  });

  it('refuses a PKCS#12 file with a wrong password (MAC) and never shows the password', () => {
    for (const kind of ['p256', 'rsa', 'sm2']) {
      let error: unknown;
      try {
        openPkcs12({ data: fx(kind).p12, password: 'hunter2-wrong' });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'KEY_PASSWORD_WRONG' });
      expect(JSON.stringify({ m: (error as Error).message, d: (error as { detail: unknown }).detail, s: (error as Error).stack })).not.toContain('hunter2');
    }
  });

  it('reads the password from password-source, with the trailing newline removed', async () => {
    await writeFile(join(dir, 'p12.pass'), `${TEST_PASSWORD}\n`);
    const p = await openKeyProvider(`pkcs12:p256.p12?password-source=file:p12.pass`, { cwd: dir, env: {} });
    expect(p.algorithm).toBe('ecdsa-p256-sha256');
    // The explicit option wins over the source file.
    await expect(openKeyProvider(`pkcs12:p256.p12?password-source=file:p12.pass`, { cwd: dir, env: {}, password: 'nope' })).rejects.toMatchObject({
      code: 'KEY_PASSWORD_WRONG',
    });
  });

  it('needs a password for a PKCS#12 URI', async () => {
    await expect(openKeyProvider('pkcs12:p256.p12', { cwd: dir, env: {} })).rejects.toMatchObject({ code: 'KEY_PASSWORD_REQUIRED' });
  });
});

describe('software keys: PKCS#12 structure', () => {
  beforeAll(() => ready);

  it('finds the leaf by its key; its self-signed CA is the anchor, not part of the chain it hands out', async () => {
    const contents = readPkcs12(chain.p12, TEST_PASSWORD);
    expect(Buffer.from(contents.certificate.der).equals(Buffer.from(chain.leafCertDer))).toBe(true);
    expect(contents.chain).toEqual([]);
    expect(await openPkcs12({ data: chain.p12, password: TEST_PASSWORD }).chain?.()).toEqual([]);
  });

  it('reads legacy files: PKCS#12 PBE with triple DES and a SHA-1 MAC', async () => {
    const f = fx('p256');
    const p12 = join(dir, 'legacy-3des.p12');
    await openssl(['pkcs12', '-export', '-inkey', f.keyPath, '-in', f.certPath, '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1', '-passout', `pass:${TEST_PASSWORD}`, '-out', p12]);
    const p = openPkcs12({ data: new Uint8Array(await readFile(p12)), password: TEST_PASSWORD });
    expect(Buffer.from(await p.certificate()).equals(Buffer.from(f.certDer))).toBe(true);
    expect(() => openPkcs12({ data: readFileSync(p12), password: 'x' })).toThrow(expect.objectContaining({ code: 'KEY_PASSWORD_WRONG' }));
  });

  it('says KEY_CERT_NOT_FOUND for a file with a key and no certificate', async () => {
    const p12 = join(dir, 'keyonly.p12');
    await openssl(['pkcs12', '-export', '-inkey', fx('p256').keyPath, '-nocerts', '-passout', `pass:${TEST_PASSWORD}`, '-out', p12]);
    expect(() => openPkcs12({ data: readFileSync(p12), password: TEST_PASSWORD })).toThrow(expect.objectContaining({ code: 'KEY_CERT_NOT_FOUND' }));
  });

  it('says KEY_NOT_FOUND for a file with certificates only', async () => {
    const p12 = join(dir, 'certonly.p12');
    await openssl(['pkcs12', '-export', '-nokeys', '-in', fx('p256').certPath, '-passout', `pass:${TEST_PASSWORD}`, '-out', p12]);
    expect(() => openPkcs12({ data: readFileSync(p12), password: TEST_PASSWORD })).toThrow(expect.objectContaining({ code: 'KEY_NOT_FOUND' }));
  });

  it('reads a file whose key is in an unencrypted safe (openssl -keypbe NONE)', async () => {
    const f = fx('sm2');
    const p12 = join(dir, 'plainkey.p12');
    await openssl(['pkcs12', '-export', '-inkey', f.keyPath, '-in', f.certPath, '-keypbe', 'NONE', '-certpbe', 'NONE', '-passout', `pass:${TEST_PASSWORD}`, '-out', p12]);
    const p = openPkcs12({ data: new Uint8Array(await readFile(p12)), password: TEST_PASSWORD });
    expect(p.algorithm).toBe('sm2-sm3');
  });

  it('detects a damaged file through the MAC', () => {
    const damaged = fx('rsa').p12.slice();
    // Flip a byte in the middle of the authenticated content.
    const i = Math.floor(damaged.length / 2);
    damaged[i] = (damaged[i] ?? 0) ^ 0x01;
    let code: string | undefined;
    try {
      openPkcs12({ data: damaged, password: TEST_PASSWORD });
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    expect(['KEY_PASSWORD_WRONG', 'KEY_FORMAT_UNSUPPORTED']).toContain(code);
  });

  it('takes the certificate of the key, whichever certificate carries its localKeyId (before: KEY_CERT_MISMATCH)', async () => {
    // PFX without MAC, one plain data safe: a keyBag and certBags with or without a localKeyId (RFC 7292 §4.2).
    const set = (...x: Uint8Array[]): Uint8Array => derTlv(DER_TAG.SET, ...x);
    const tag = (id: number | undefined): Uint8Array[] =>
      id === undefined ? [] : [set(derSequence(derOid('1.2.840.113549.1.9.21'), set(derOctetString(Uint8Array.of(id)))))];
    const keyBag = (id?: number): Uint8Array => derSequence(derOid('1.2.840.113549.1.12.10.1.1'), derExplicit(0, fx('p256').keyPkcs8Der), ...tag(id));
    const certBag = (cert: Uint8Array, id?: number): Uint8Array =>
      derSequence(
        derOid('1.2.840.113549.1.12.10.1.3'),
        derExplicit(0, derSequence(derOid('1.2.840.113549.1.9.22.1'), derExplicit(0, derOctetString(cert)))),
        ...tag(id),
      );
    const data = (inner: Uint8Array): Uint8Array => derSequence(derOid('1.2.840.113549.1.7.1'), derExplicit(0, derOctetString(inner)));
    const pfx = (...bags: Uint8Array[]): Uint8Array => derSequence(derInteger(3n), data(derSequence(data(derSequence(...bags)))));
    const right = fx('p256').certDer;
    const wrong = fx('p256-other').certDer;
    // A second certificate of the same key (renewed), written by OpenSSL.
    const renewedPath = join(dir, 'p256-renewed.cert.pem');
    await openssl(['req', '-x509', '-new', '-key', fx('p256').keyPath, '-sha256', '-subj', '/CN=p256 renewed/O=evoucher test', '-days', '30', '-out', renewedPath]);
    const renewed = new Uint8Array(Buffer.from((await readFile(renewedPath, 'utf8')).replace(/-----[^-]+-----/gu, '').replace(/\s+/gu, ''), 'base64'));
    const leafOf = (file: Uint8Array): string => Buffer.from(readPkcs12(file, 'unused').certificate.der).toString('hex');
    const hex = (d: Uint8Array): string => Buffer.from(d).toString('hex');
    expect(leafOf(pfx(keyBag(1), certBag(wrong, 1), certBag(right)))).toBe(hex(right));
    expect(leafOf(pfx(keyBag(1), certBag(wrong, 1), certBag(right, 1)))).toBe(hex(right));
    // Among certificates of the key, the localKeyId still picks (whatever the order).
    expect(leafOf(pfx(keyBag(7), certBag(renewed), certBag(right, 7)))).toBe(hex(right));
    expect(leafOf(pfx(keyBag(7), certBag(right), certBag(renewed, 7)))).toBe(hex(renewed));
    expect(() => readPkcs12(pfx(keyBag(1), certBag(wrong, 1)), 'unused')).toThrow(expect.objectContaining({ code: 'KEY_CERT_MISMATCH' }));
  });

  it('refuses bytes that are not PKCS#12, and iteration counts above the limit', async () => {
    expect(() => openPkcs12({ data: fx('p256').certDer, password: 'x' })).toThrow(expect.objectContaining({ code: 'KEY_FORMAT_UNSUPPORTED' }));
    expect(() => openPkcs12({ data: new Uint8Array([0x30, 0x80, 0xff]), password: 'x' })).toThrow(expect.objectContaining({ code: 'KEY_FORMAT_UNSUPPORTED' }));
    const f = fx('p256');
    const p12 = join(dir, 'many-iterations.p12');
    await openssl(['pkcs12', '-export', '-inkey', f.keyPath, '-in', f.certPath, '-iter', String(MAX_PBE_ITERATIONS + 1), '-passout', `pass:${TEST_PASSWORD}`, '-out', p12]);
    const started = Date.now();
    expect(() => openPkcs12({ data: readFileSync(p12), password: TEST_PASSWORD })).toThrow(
      expect.objectContaining({ code: 'KEY_FORMAT_UNSUPPORTED' }),
    );
    expect(Date.now() - started).toBeLessThan(1000);
  }, 120_000);
});

describe('software keys: certificates and algorithms', () => {
  beforeAll(() => ready);

  it('uses the certificate in the key file when the URI has no cert=', async () => {
    const f = fx('p256');
    await writeFile(join(dir, 'combined.pem'), f.certPem + f.keyPem);
    const p = await openKeyProvider('file:combined.pem', { cwd: dir });
    expect(Buffer.from(await p.certificate()).equals(Buffer.from(f.certDer))).toBe(true);
    await expect(openKeyProvider('file:p256.key.pem', { cwd: dir })).rejects.toMatchObject({ code: 'KEY_CERT_NOT_FOUND' });
  });

  it('hands out the chain= certificates on the signer\'s path, issuer first, without the root or a stranger', async () => {
    // The demo PKI: dw.cert.pem is issued by ca.cert.pem, which root.cert.pem (self-signed) issued. The chain file is
    // given root first with an unrelated self-signed CA between, as a CA bundle may be.
    const pki = join(import.meta.dirname, '..', '..', 'fixtures', 'pki', 'p256');
    const pemOf = (f: string): string => fsReadFileSync(join(pki, f), 'utf8');
    const bundle = join(dir, 'bundle.pem');
    await writeFile(bundle, pemOf('root.cert.pem') + (await readFile(chain.caPath, 'utf8')) + pemOf('ca.cert.pem'));
    const uri = `file:${join(pki, 'dw.key.pem')}?cert=${join(pki, 'dw.cert.pem')}&chain=${bundle}`;
    const p = await openKeyProvider(uri, { password: 'evoucher-demo' });
    const got = (await p.chain?.()) ?? [];
    const derOf = (f: string): string => Buffer.from(pemOf(f).replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('hex');
    expect(got.map((d) => Buffer.from(d).toString('hex'))).toEqual([derOf('ca.cert.pem')]);
    // The same through openSoftwareKey, the chain given as separate entries.
    const q = openSoftwareKey({ key: pemOf('dw.key.pem'), certificate: pemOf('dw.cert.pem'), chain: [pemOf('root.cert.pem'), pemOf('ca.cert.pem')], password: 'evoucher-demo' });
    expect(((await q.chain?.()) ?? []).map((d) => Buffer.from(d).toString('hex'))).toEqual([derOf('ca.cert.pem')]);
    // A certificate issued by a self-signed CA has no intermediates: the CA given with chain= is the anchor.
    const f = fx('p256');
    const r = await openKeyProvider(`file:p256.key.pem?cert=p256.cert.pem&chain=${chain.caPath}`, { cwd: dir });
    expect((await r.chain?.()) ?? []).toEqual([]);
    expect(f.kind).toBe('p256');
  });

  it('reports unreadable files with KEY_FILE_UNREADABLE', async () => {
    await expect(openKeyProvider('file:missing.pem?cert=p256.cert.pem', { cwd: dir })).rejects.toMatchObject({ code: 'KEY_FILE_UNREADABLE' });
    await expect(openKeyProvider('file:p256.key.pem?cert=missing.pem', { cwd: dir })).rejects.toMatchObject({ code: 'KEY_FILE_UNREADABLE' });
    await expect(openKeyProvider('pkcs12:missing.p12', { cwd: dir, password: 'x' })).rejects.toMatchObject({ code: 'KEY_FILE_UNREADABLE' });
    await expect(openKeyProvider('pkcs12:p256.p12?password-source=file:missing', { cwd: dir })).rejects.toMatchObject({ code: 'KEY_FILE_UNREADABLE' });
    await expect(openKeyProvider(`file:${dir}?cert=p256.cert.pem`, { cwd: dir })).rejects.toMatchObject({ code: 'KEY_FILE_UNREADABLE' });
  });

  it('refuses an algorithm that does not fit the key', () => {
    const f = fx('p256');
    expect(() => openSoftwareKey({ key: f.keyPem, certificate: f.certPem, algorithm: 'rsa-pss-sha256' })).toThrow(
      expect.objectContaining({ code: 'CRYPTO_ALGORITHM_FORBIDDEN' }),
    );
    const s = fx('sm2');
    expect(() => openSoftwareKey({ key: s.keyPem, certificate: s.certPem, algorithm: 'ecdsa-p256-sha256' })).toThrow(
      expect.objectContaining({ code: 'CRYPTO_ALGORITHM_FORBIDDEN' }),
    );
  });

  it('refuses a certificate with bytes after its end, as DER and as PEM (before: certificate() returned them, and sealing failed on them)', () => {
    const f = fx('p256');
    const padded = new Uint8Array([...f.certDer, 0x00, 0x00]);
    const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(padded).toString('base64')}\n-----END CERTIFICATE-----\n`;
    for (const certificate of [padded, pem]) {
      expect(() => openSoftwareKey({ key: f.keyPem, certificate })).toThrow(expect.objectContaining({ code: 'CERT_MALFORMED' }));
    }
    expect(() => openSoftwareKey({ key: f.keyPem, certificate: f.certDer, chain: [padded] })).toThrow(expect.objectContaining({ code: 'CERT_MALFORMED' }));
  });

  it('detects a key of another kind than the certificate', () => {
    expect(() => openSoftwareKey({ key: fx('sm2').keyPem, certificate: fx('p256').certPem })).toThrow(
      expect.objectContaining({ code: 'KEY_CERT_MISMATCH' }),
    );
    expect(() => openSoftwareKey({ key: fx('rsa').keyPem, certificate: fx('p256').certPem })).toThrow(
      expect.objectContaining({ code: 'KEY_CERT_MISMATCH' }),
    );
  });

  it('signs SM2 with a custom signer ID that the default ID does not verify', async () => {
    const { verifyMessage } = await import('../../src/crypto/index.js');
    const { X509Certificate } = await import('node:crypto');
    const f = fx('sm2');
    const id = new TextEncoder().encode('evoucher@finance');
    const p = openSoftwareKey({ key: f.keyPem, certificate: f.certPem, sm2Id: id });
    const spki = new Uint8Array(new X509Certificate(f.certDer).publicKey.export({ type: 'spki', format: 'der' }));
    const sig = await p.sign(new Uint8Array([1, 2, 3]));
    expect(verifyMessage('sm2-sm3', spki, new Uint8Array([1, 2, 3]), sig, { id })).toBe(true);
    expect(verifyMessage('sm2-sm3', spki, new Uint8Array([1, 2, 3]), sig)).toBe(false);
  });
});

function readFileSync(path: string): Uint8Array {
  return new Uint8Array(fsReadFileSync(path));
}
