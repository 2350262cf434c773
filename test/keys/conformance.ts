/**
 * One conformance suite for every KeyProvider: software keys, PKCS#12 files and PKCS#11 tokens
 * all run it. Signatures are checked twice: with the SDK's `verifyMessage`, and with an
 * independent oracle (node:crypto for ECDSA and RSA, the OpenSSL CLI for SM2, which node cannot
 * verify with a signer ID).
 */
import { X509Certificate, constants, verify as nodeVerify } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyMessage } from '../../src/crypto/index.js';
import type { SignatureAlgorithm } from '../../src/crypto/types.js';
import type { KeyProvider } from '../../src/keys/index.js';
import { openssl } from './fixtures.js';

/** What the suite needs to know about one provider. */
export interface ConformanceCase {
  /** The algorithm the provider must report. */
  readonly expectedAlgorithm: SignatureAlgorithm;
  /** The certificate the provider must return. */
  readonly certDer: Uint8Array;
  /** Opens a fresh provider. */
  readonly open: () => Promise<KeyProvider>;
  /** Opens the same key with another key's certificate: must fail with KEY_CERT_MISMATCH. */
  readonly openMismatched: () => Promise<KeyProvider>;
  /** Chain the provider must return, if it is known. */
  readonly chain?: readonly Uint8Array[];
}

function spkiOf(certDer: Uint8Array): Uint8Array {
  const cert = new X509Certificate(certDer);
  return new Uint8Array(cert.publicKey.export({ type: 'spki', format: 'der' }));
}

/**
 * Verifies with an implementation that is not ours.
 *
 * @param alg - the algorithm
 * @param certDer - the signer certificate
 * @param message - the message
 * @param signature - DER (EC) or the RSA block
 * @returns the oracle's verdict
 */
export async function oracleVerify(alg: SignatureAlgorithm, certDer: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (alg === 'sm2-sm3') {
    const dir = await mkdtemp(join(tmpdir(), 'evoucher-oracle-'));
    try {
      const cert = join(dir, 'cert.der');
      const pub = join(dir, 'pub.pem');
      const msg = join(dir, 'msg');
      const sig = join(dir, 'sig');
      await writeFile(cert, certDer);
      await writeFile(msg, message);
      await writeFile(sig, signature);
      await openssl(['x509', '-inform', 'DER', '-in', cert, '-pubkey', '-noout', '-out', pub]);
      // GB/T 35276 §5: default signer ID 1234567812345678.
      const out = await openssl(['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-digest', 'sm3', '-in', msg, '-sigfile', sig, '-pkeyopt', 'distid:1234567812345678']).catch(
        (e: unknown) => String(e),
      );
      return /Signature Verified Successfully/u.test(out);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const key = new X509Certificate(certDer).publicKey;
  if (alg === 'rsa-pss-sha256') {
    return nodeVerify('sha256', message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
  }
  if (alg === 'rsa-pkcs1-sha256') {
    return nodeVerify('sha256', message, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  }
  return nodeVerify('sha256', message, { key, dsaEncoding: 'der' }, signature);
}

/**
 * Declares the conformance tests for one provider.
 *
 * @param name - the describe title
 * @param setup - builds the case (runs in beforeAll)
 */
export function describeConformance(name: string, setup: () => Promise<ConformanceCase>): void {
  describe(`KeyProvider conformance: ${name}`, () => {
    let c: ConformanceCase;
    let provider: KeyProvider;

    beforeAll(async () => {
      c = await setup();
      provider = await c.open();
    });
    afterAll(async () => {
      await provider?.close?.();
    });

    it('reports the algorithm of its key', () => {
      expect(provider.algorithm).toBe(c.expectedAlgorithm);
    });

    it('returns its certificate (a copy each time)', async () => {
      const cert = await provider.certificate();
      expect(Buffer.from(cert).equals(Buffer.from(c.certDer))).toBe(true);
      cert.fill(0);
      expect(Buffer.from(await provider.certificate()).equals(Buffer.from(c.certDer))).toBe(true);
      if (c.chain !== undefined) {
        const chain = (await provider.chain?.()) ?? [];
        expect(chain.map((d) => Buffer.from(d).toString('hex'))).toEqual(c.chain.map((d) => Buffer.from(d).toString('hex')));
      }
    });

    it('signs so that our verifier and an independent one both accept, and reject a changed message', async () => {
      const message = new TextEncoder().encode('国库集中支付电子凭证 conformance ✓');
      const signature = await provider.sign(message);
      const spki = spkiOf(c.certDer);
      expect(verifyMessage(provider.algorithm, spki, message, signature)).toBe(true);
      expect(await oracleVerify(provider.algorithm, c.certDer, message, signature)).toBe(true);
      const changed = message.slice();
      changed[0] = (changed[0] ?? 0) ^ 1;
      expect(verifyMessage(provider.algorithm, spki, changed, signature)).toBe(false);
      expect(await oracleVerify(provider.algorithm, c.certDer, changed, signature)).toBe(false);
    });

    it('signs the empty message and a large one', async () => {
      const spki = spkiOf(c.certDer);
      for (const message of [new Uint8Array(0), new Uint8Array(256 * 1024).fill(0x5a)]) {
        const signature = await provider.sign(message);
        expect(verifyMessage(provider.algorithm, spki, message, signature)).toBe(true);
      }
    });

    it('makes 20 concurrent signatures that all verify', async () => {
      const spki = spkiOf(c.certDer);
      const messages = Array.from({ length: 20 }, (_, i) => new TextEncoder().encode(`message ${i}`));
      const signatures = await Promise.all(messages.map((m) => provider.sign(m)));
      messages.forEach((m, i) => {
        expect(verifyMessage(provider.algorithm, spki, m, signatures[i] as Uint8Array)).toBe(true);
      });
      // Each signature belongs to its own message, not to a neighbour's (no crossed results).
      expect(verifyMessage(provider.algorithm, spki, messages[0] as Uint8Array, signatures[1] as Uint8Array)).toBe(false);
    });

    it('refuses data that is not bytes', async () => {
      await expect(provider.sign('text' as unknown as Uint8Array)).rejects.toMatchObject({ code: 'ARG_INVALID' });
    });

    it('detects a key that does not belong to the certificate', async () => {
      await expect(c.openMismatched()).rejects.toMatchObject({ code: 'KEY_CERT_MISMATCH' });
    });

    it('closes idempotently and refuses to sign afterwards', async () => {
      const p = await c.open();
      await p.close?.();
      await p.close?.();
      await expect(p.sign(new Uint8Array([1]))).rejects.toMatchObject({ code: 'KEY_PROVIDER_CLOSED' });
    });
  });
}
