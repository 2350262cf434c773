/**
 * Helpers of the SES tests: the real seal files, the demo PKI's keys as KeyProviders (real SM2 / ECDSA
 * signatures through the crypto module), DER cutting and OpenSSL runs in temp folders.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importPrivateKey, signMessage } from '../../../src/crypto/index.js';
import type { SignatureAlgorithm } from '../../../src/crypto/index.js';
import type { KeyProvider } from '../../../src/keys/provider.js';

export const REAL_SEALS = fileURLToPath(new URL('../../vectors/real-seals/', import.meta.url));
export const PKI = fileURLToPath(new URL('../../../fixtures/pki/', import.meta.url));

export { codeOf, codeOfAsync, hex } from '../../helpers/codes.js';

/** The dates of the seals the SES tests make: the seal's validity, its making, and the signing. */
export const validStart = new Date('2025-01-01T00:00:00Z');
export const validEnd = new Date('2030-01-01T00:00:00Z');
export const createDate = new Date('2025-01-01T08:00:00Z');
export const signTime = new Date('2026-11-28T10:30:00Z');

export function readReal(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(join(REAL_SEALS, rel)));
}

export function pemToDer(pem: string): Uint8Array {
  return new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
}

/** A KeyProvider over a demo PKI role (`sm2/maker`, `sm2/dw`, `p256/cz`, ...). */
export function demoProvider(role: string, algorithm?: SignatureAlgorithm): KeyProvider & { readonly certDer: Uint8Array } {
  const key = importPrivateKey(readFileSync(join(PKI, `${role}.key.pem`), 'utf8'), { password: 'evoucher-demo' });
  const certDer = pemToDer(readFileSync(join(PKI, `${role}.cert.pem`), 'utf8'));
  const alg: SignatureAlgorithm = algorithm ?? (role.startsWith('sm2/') ? 'sm2-sm3' : role.startsWith('p256/') ? 'ecdsa-p256-sha256' : 'rsa-pkcs1-sha256');
  return {
    algorithm: alg,
    certDer,
    certificate: async () => certDer,
    sign: async (data) => signMessage(alg, key, data),
  };
}

/** An SM2 demo key that signs under the signer ID `id` instead of the default. */
export function demoProviderWithId(role: string, id: Uint8Array): KeyProvider & { readonly certDer: Uint8Array } {
  const key = importPrivateKey(readFileSync(join(PKI, `${role}.key.pem`), 'utf8'), { password: 'evoucher-demo' });
  const certDer = pemToDer(readFileSync(join(PKI, `${role}.cert.pem`), 'utf8'));
  return { algorithm: 'sm2-sm3', certDer, certificate: async () => certDer, sign: async (data) => signMessage('sm2-sm3', key, data, { id }) };
}

/** Flips one bit of a copy of `b`. */
export function flipBit(b: Uint8Array, offset: number, bit = 0): Uint8Array {
  const c = b.slice();
  c[offset] = (c[offset] as number) ^ (1 << bit);
  return c;
}

/** Offset of `slice` (a subarray view) inside `whole` (the buffer it views). */
export function offsetIn(whole: Uint8Array, slice: Uint8Array): number {
  if (slice.buffer !== whole.buffer) throw new Error('not a view of the same buffer');
  return slice.byteOffset - whole.byteOffset;
}

/**
 * Verifies an SM2 signature with the OpenSSL CLI (the independent oracle): writes the signed bytes, the
 * DER signature and the certificate to a temp folder, extracts the public key with `openssl x509` and
 * runs `openssl dgst -sm3 -verify ... -sigopt distid:1234567812345678`. Returns true on "Verified OK".
 */
export function opensslSm2Verify(certDer: Uint8Array, signed: Uint8Array, signatureDer: Uint8Array, distid = '1234567812345678'): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'evoucher-ses-openssl-'));
  try {
    writeFileSync(join(dir, 'tbs.der'), signed);
    writeFileSync(join(dir, 'sig.der'), signatureDer);
    writeFileSync(join(dir, 'cert.der'), certDer);
    execFileSync('openssl', ['x509', '-inform', 'DER', '-in', 'cert.der', '-pubkey', '-noout', '-out', 'pub.pem'], { cwd: dir, stdio: 'pipe' });
    try {
      const out = execFileSync('openssl', ['dgst', '-sm3', '-verify', 'pub.pem', '-sigopt', `distid:${distid}`, '-signature', 'sig.der', 'tbs.der'], { cwd: dir, stdio: 'pipe' });
      return out.toString().includes('Verified OK');
    } catch (e) {
      const out = String((e as { stdout?: Buffer }).stdout ?? '');
      if (out.includes('Verification failure')) return false;
      throw e;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
