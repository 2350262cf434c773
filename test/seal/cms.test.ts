import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, exportPrivateKeyPkcs8, type SignatureAlgorithm } from '../../src/crypto/index.js';
import { EvoucherError } from '../../src/errors.js';
import { caughtCode } from '../helpers/codes.js';
import { checkCmsStamp, makeCmsStamp, parseCmsStamp } from '../../src/seal/formats/cms.js';
import { keyProvider, opensslPki, type OpensslPki } from './helpers.js';

let pki: OpensslPki;
const tbs = new TextEncoder().encode('not really a tbs, but any bytes can be sealed');
const time = new Date('2026-11-27T08:30:00Z');

beforeAll(async () => {
  pki = await opensslPki({ ec: 'ec', rsa: 'rsa' });
}, 60_000);
afterAll(async () => {
  await pki?.cleanup();
});

function provider(name: 'ec' | 'rsa', alg: SignatureAlgorithm) {
  const l = pki.leaves[name];
  if (l === undefined) throw new Error('missing leaf');
  return keyProvider(l.keyPem, l.certDer, alg);
}

describe('cms stamps', () => {
  for (const [name, alg] of [
    ['ec', 'ecdsa-p256-sha256'],
    ['rsa', 'rsa-pkcs1-sha256'],
    ['rsa', 'rsa-pss-sha256'],
  ] as const) {
    it(`${alg}: parses back, checks pass, and a changed byte fails the digest`, async () => {
      const stamp = await makeCmsStamp({ tbs, key: provider(name, alg), signingTime: time });
      const p = parseCmsStamp(stamp);
      expect(p.signatureAlgorithm).toBe(alg);
      expect(p.digestAlgorithm).toBe('sha256');
      expect(p.profile).toBe('rfc5652');
      expect(p.signingTime.toISOString()).toBe(time.toISOString());
      expect(checkCmsStamp(p, tbs).map((c) => c.status)).toEqual(['passed', 'passed', 'passed']);
      const changed = Uint8Array.from(tbs);
      changed[0] = (changed[0] as number) ^ 1;
      const checks = checkCmsStamp(p, changed);
      expect(checks.find((c) => c.check === 'message-digest')?.code).toBe('SEAL_DIGEST_MISMATCH');
    });

    it(`${alg}: openssl cms -verify accepts it, and refuses a changed tbs`, async () => {
      const stamp = await makeCmsStamp({ tbs, key: provider(name, alg), signingTime: time });
      const f = join(pki.dir, `${alg}.p7s`);
      const content = join(pki.dir, `${alg}.tbs`);
      await writeFile(f, stamp);
      await writeFile(content, tbs);
      const args = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', f, '-content', content, '-CAfile', pki.rootFile, '-purpose', 'any', '-out', '/dev/null'];
      execFileSync('openssl', args, { stdio: 'pipe' });
      const bad = Uint8Array.from(tbs);
      bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 0x20;
      await writeFile(content, bad);
      expect(() => execFileSync('openssl', args, { stdio: 'pipe' })).toThrow();
    });
  }

  it('carries the signer certificate and its chain as their exact bytes, signer first; openssl accepts it', async () => {
    const l = pki.leaves.ec;
    if (l === undefined) throw new Error('missing leaf');
    const root = new Uint8Array(new X509Certificate(pki.rootPem).raw);
    const stamp = await makeCmsStamp({ tbs, key: keyProvider(l.keyPem, l.certDer, 'ecdsa-p256-sha256', [root]), signingTime: time });
    const p = parseCmsStamp(stamp);
    expect(p.certificates.map((c) => Buffer.from(c).toString('hex'))).toEqual([l.certDer, root].map((c) => Buffer.from(c).toString('hex')));
    expect(Buffer.from(p.signerCertificate).equals(Buffer.from(l.certDer))).toBe(true);
    const f = join(pki.dir, 'chain.p7s');
    const content = join(pki.dir, 'chain.tbs');
    await writeFile(f, stamp);
    await writeFile(content, tbs);
    // OpenSSL lists both certificates, in the order written, and verifies the stamp.
    const listed = execFileSync('openssl', ['pkcs7', '-inform', 'DER', '-in', f, '-print_certs', '-noout'], { encoding: 'utf8' });
    expect([...listed.matchAll(/^subject=(.*)$/gm)].map((m) => m[1])).toHaveLength(2);
    execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', f, '-content', content, '-CAfile', pki.rootFile, '-purpose', 'any', '-out', '/dev/null'], { stdio: 'pipe' });
  });

  it('a stamp of the profile made by openssl cms -sign -cades with a chain (the set in DER order, the signer not first) reads and checks', async () => {
    const fx = (f: string): string => join(import.meta.dirname, '../../fixtures/pki/p256', f);
    const content = join(pki.dir, 'ossl.tbs');
    const out = join(pki.dir, 'ossl.p7s');
    await writeFile(content, tbs);
    const args = ['-signer', fx('cz.cert.pem'), '-inkey', fx('cz.key.pem'), '-passin', 'pass:evoucher-demo', '-certfile', fx('ca.cert.pem')];
    execFileSync('openssl', ['cms', '-sign', '-binary', '-in', content, ...args, '-md', 'sha256', '-nosmimecap', '-cades', '-outform', 'DER', '-out', out], { stdio: 'pipe' });
    const p = parseCmsStamp(new Uint8Array(await readFile(out)));
    expect(p.certificates).toHaveLength(2);
    expect(Buffer.from(p.certificates[0] as Uint8Array).equals(Buffer.from(p.signerCertificate))).toBe(false);
    expect(checkCmsStamp(p, tbs).map((c) => c.status)).toEqual(['passed', 'passed', 'passed']);
  });

  it('a chain that repeats the signer or a certificate (a full-chain file) is written once each, and reads back', async () => {
    const l = pki.leaves.ec;
    if (l === undefined) throw new Error('missing leaf');
    const root = new Uint8Array(new X509Certificate(pki.rootPem).raw);
    const stamp = await makeCmsStamp({ tbs, key: keyProvider(l.keyPem, l.certDer, 'ecdsa-p256-sha256', [Uint8Array.from(l.certDer), root, Uint8Array.from(root)]), signingTime: time });
    expect(parseCmsStamp(stamp).certificates.map((c) => Buffer.from(c).toString('hex'))).toEqual([l.certDer, root].map((c) => Buffer.from(c).toString('hex')));
  });

  it('sm2-sm3 uses the GB/T 35275 profile and verifies with the SDK', async () => {
    // SM2 leaf issued by OpenSSL needs an SM2 CA; the stamp itself only needs a certificate with the SM2 key.
    const k = generateKeyPair('sm2');
    const dir = pki.dir;
    await writeFile(join(dir, 'sm2.key'), pem(exportPrivateKeyPkcs8(k), 'PRIVATE KEY'));
    execFileSync('openssl', ['req', '-new', '-x509', '-key', 'sm2.key', '-sm3', '-sigopt', 'distid:1234567812345678', '-subj', '/C=CN/O=Test/OU=cz/CN=sm2', '-days', '30', '-out', 'sm2.pem'], { cwd: dir, stdio: 'pipe' });
    const certPem = execFileSync('openssl', ['x509', '-in', 'sm2.pem', '-outform', 'DER'], { cwd: dir });
    const key = keyProvider(pem(exportPrivateKeyPkcs8(k), 'PRIVATE KEY'), new Uint8Array(certPem), 'sm2-sm3');
    const stamp = await makeCmsStamp({ tbs, key, signingTime: time });
    const p = parseCmsStamp(stamp);
    expect(p.profile).toBe('gbt35275');
    expect(p.digestAlgorithm).toBe('sm3');
    expect(p.signingCertificateHash.algorithm).toBe('sm3');
    expect(checkCmsStamp(p, tbs).every((c) => c.status === 'passed')).toBe(true);
    const out = execFileSync('openssl', ['asn1parse', '-inform', 'DER'], { input: stamp, encoding: 'utf8' });
    expect(out).toContain('1.2.156.10197.6.1.4.2.2');
    expect(out).toMatch(/SM2-with-SM3|1\.2\.156\.10197\.1\.501/);
  });

  it('a wrong signature value fails the signature check, never throws', async () => {
    const stamp = await makeCmsStamp({ tbs, key: provider('ec', 'ecdsa-p256-sha256'), signingTime: time });
    const p = parseCmsStamp(stamp);
    const sig = Uint8Array.from(p.signature);
    sig[sig.length - 1] = (sig[sig.length - 1] as number) ^ 1;
    const checks = checkCmsStamp({ ...p, signature: sig }, tbs);
    expect(checks.find((c) => c.check === 'signature')?.code).toBe('SEAL_SIGNATURE_INVALID');
  });

  it('refuses anything off the profile with SEAL_CMS_MALFORMED', async () => {
    const stamp = await makeCmsStamp({ tbs, key: provider('ec', 'ecdsa-p256-sha256'), signingTime: time });
    expect(caughtCode(() => parseCmsStamp(Uint8Array.of(...stamp, 0)))).toBe('SEAL_CMS_MALFORMED');
    expect(caughtCode(() => parseCmsStamp(stamp.subarray(0, 100)))).toBe('SEAL_CMS_MALFORMED');
    expect(caughtCode(() => parseCmsStamp(new Uint8Array(300_000)))).toBe('SEAL_CMS_MALFORMED');
    // Every single-byte mutation either still parses or is a coded error.
    for (let i = 0; i < stamp.length; i += 7) {
      const m = Uint8Array.from(stamp);
      m[i] = (m[i] as number) ^ 0x55;
      try {
        parseCmsStamp(m);
      } catch (e) {
        expect(e).toBeInstanceOf(EvoucherError);
      }
    }
  });
});

function pem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
