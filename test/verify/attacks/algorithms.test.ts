/**
 * security.md §1.8: only allow-listed algorithms; the document never chooses a weaker one. SHA-1, MD5, an
 * unknown OID, algorithm confusion (an ECDSA OID over an SM2 key), an SM2 signature with the empty ID, and an
 * RSA key under 2048 bits: each fails with its code, never VALID.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { signMessage } from '../../../src/crypto/index.js';
import type { KeyProvider } from '../../../src/keys/provider.js';
import { b64, craftStamp, failures, issueSealer, replaceBytes, replaceLast, seal, stampsOf, T, unsealed, verifyOne } from '../helpers.js';

const OID = {
  sha256WithRsa: [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b],
  sha1WithRsa: [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05],
  md5WithRsa: [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04],
  unknownRsa: [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x63],
  sm2WithSm3: [0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75],
  ecdsaWithSha256: [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02],
  sm2WithSha1: [0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x76], // 1.2.156.10197.1.502 (…1.503 is in algorithms_confusion.test.ts)
};

let rsaSealed: Uint8Array;
let sm2Sealed: Uint8Array;
beforeAll(async () => {
  rsaSealed = await seal(await seal(unsealed(), 'dw_gz', 'dw-rsa', T(0)), 'cz_zfzyz', 'cz-rsa', T(10));
  sm2Sealed = await seal(await seal(unsealed(), 'dw_gz', 'dw-sm2', T(0)), 'cz_zfzyz', 'cz-sm2', T(10));
});

/** The envelope with the cz stamp's bytes transformed. */
function patchCz(envelope: Uint8Array, f: (stamp: Uint8Array) => Uint8Array): Uint8Array {
  const cz = stampsOf(envelope)[1];
  if (cz === undefined) throw new Error('no stamp');
  return replaceBytes(envelope, Buffer.from(b64(cz.bytes)), Buffer.from(b64(f(cz.bytes))));
}

describe('weak and unknown algorithms', () => {
  for (const [name, oid, code] of [
    ['sha1WithRSAEncryption', OID.sha1WithRsa, 'CRYPTO_ALGORITHM_FORBIDDEN'],
    ['md5WithRSAEncryption', OID.md5WithRsa, 'CRYPTO_ALGORITHM_FORBIDDEN'],
    ['an unknown RSA OID', OID.unknownRsa, 'CRYPTO_ALGORITHM_UNSUPPORTED'],
  ] as const) {
    it(`${name} as the seal's signature algorithm → the format check fails with ${code}`, async () => {
      const r = await verifyOne(patchCz(rsaSealed, (s) => replaceLast(s, OID.sha256WithRsa, oid)));
      expect(r.status).toBe('INVALID');
      expect(failures(r)).toEqual([`seals[1].format:${code}`]);
    });
  }

  it('SM2-with-SHA1 (1.2.156.10197.1.502) on an SM2 seal → CRYPTO_ALGORITHM_FORBIDDEN', async () => {
    const r = await verifyOne(patchCz(sm2Sealed, (s) => replaceLast(s, OID.sm2WithSm3, OID.sm2WithSha1)));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].format:CRYPTO_ALGORITHM_FORBIDDEN']);
  });

  it('algorithm confusion: an ECDSA OID over an SM2 signature → never VALID (format failure)', async () => {
    const r = await verifyOne(patchCz(sm2Sealed, (s) => replaceLast(s, OID.sm2WithSm3, OID.ecdsaWithSha256)));
    expect(r.status).toBe('INVALID');
    expect(r.errors.map((e) => e.where)).toEqual(['seals[1].format']);
  });
});

describe('weak keys and wrong SM2 IDs', () => {
  it('an SM2 seal signed with the empty signer ID → SEAL_SIGNATURE_INVALID (only the default ID is accepted)', async () => {
    const s = issueSealer('sm2', { party: 'cz' });
    const emptyId: KeyProvider = { ...s.provider, sign: async (d) => signMessage('sm2-sm3', s.key, d, { id: new Uint8Array(0) }) };
    const e = await craftStamp(await seal(unsealed(), 'dw_gz', 'dw-sm2', T(0)), { position: 'cz_zfzyz', sequence: 2, provider: emptyId, time: T(10) });
    const r = await verifyOne(e);
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].signature:SEAL_SIGNATURE_INVALID']);
  });

  it('an RSA-1024 signer (certificate made by OpenSSL) → the signature check refuses the key (CRYPTO_KEY_TOO_WEAK)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evoucher-rsa1024-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-subj', '/C=CN/O=Weak/OU=cz/CN=weak', '-days', '3650', '-sha256',
        '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation', '-set_serial', '7'], { cwd: dir, stdio: 'pipe' });
      const keyPem = await readFile(join(dir, 'k.pem'), 'utf8');
      const certPem = await readFile(join(dir, 'c.pem'), 'utf8');
      const certDer = new Uint8Array(Buffer.from(certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
      const weak: KeyProvider = {
        algorithm: 'rsa-pkcs1-sha256',
        certificate: async () => certDer,
        chain: async () => [],
        sign: async (d) => new Uint8Array(nodeSign('sha256', d, createPrivateKey(keyPem))),
      };
      const e = await craftStamp(await seal(unsealed(), 'dw_gz', 'dw-rsa', T(0)), { position: 'cz_zfzyz', sequence: 2, provider: weak, time: T(10) });
      const r = await verifyOne(e);
      expect(r.status).toBe('INVALID');
      expect(r.seals[1]?.checks.find((c) => c.check === 'signature')).toMatchObject({ status: 'failed', code: 'CRYPTO_KEY_TOO_WEAK' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
