/**
 * Which certificate a token key is paired with, and what is checked of the pair without the open-time test
 * signature (`checkCertificate: false`, for tokens that ask for a button press per signature): the key's
 * CKA_ID picks its certificate (PKCS#11 v2.40 §4.4), an RSA key's modulus and an EC key's curve must fit the
 * certificate, and a token answer that is no signature of the provider's algorithm is an error, not the
 * signature (SoftHSM2).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { p256 as p256Curve } from '@noble/curves/nist.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePublicKey, sm2ComputeDigest, verifyMessage } from '../../src/crypto/index.js';
import { openPkcs11 } from '../../src/keys/pkcs11/index.js';
import type { Pkcs11Options } from '../../src/keys/pkcs11/index.js';
import { createTestToken, softHsmUnavailableReason } from '../helpers/softhsm.js';
import type { TestToken } from '../helpers/softhsm.js';
import { makeKeyFixture } from './fixtures.js';
import type { KeyFixture } from './fixtures.js';

const skipReason = await softHsmUnavailableReason();

/** CKM_ECDSA, standing in for an SM2 vendor mechanism that signs a precomputed digest. */
const CKM_ECDSA = 0x1041;

if (skipReason !== undefined) {
  console.warn(`PKCS#11 tests skipped: ${skipReason}`);
  it.skip(`PKCS#11 pairing tests skipped: ${skipReason}`, () => undefined);
} else {
  describe('PKCS#11: the certificate of a token key', () => {
    let dir: string;
    let token: TestToken;
    let p256: KeyFixture;
    let rsa: KeyFixture;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'evoucher-p11-pairing-'));
      p256 = await makeKeyFixture(dir, 'p256');
      const other = await makeKeyFixture(dir, 'p256', 'p256-other');
      rsa = await makeKeyFixture(dir, 'rsa');
      const rsaOther = await makeKeyFixture(dir, 'rsa', 'rsa-other');
      const sm2 = await makeKeyFixture(dir, 'sm2');
      const p384 = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'der', type: 'pkcs8' }));
      const t = await createTestToken({
        keys: [
          // The key's label also names another key's certificate (CKA_ID 22); its own is under another label.
          { label: 'fin', keyPkcs8Der: p256.keyPkcs8Der, certDer: other.certDer, id: '21', certId: '22' },
          { label: 'fin-cert', certDer: p256.certDer, id: '21' },
          // Only another key's certificate under the key's label.
          { label: 'stray', keyPkcs8Der: p256.keyPkcs8Der, certDer: other.certDer, id: '31', certId: '32' },
          // The key's own certificate under its label, numbered apart (another CKA_ID, no other certificate).
          { label: 'renum', keyPkcs8Der: p256.keyPkcs8Der, certDer: p256.certDer, id: '71', certId: '72' },
          // A certificate written without CKA_ID is still found by its label.
          { label: 'noid', keyPkcs8Der: p256.keyPkcs8Der, certDer: p256.certDer, id: '41', certId: '' },
          { label: 'p384-under-p256', keyPkcs8Der: p384, certDer: p256.certDer, id: '51' },
          { label: 'p384-under-sm2', keyPkcs8Der: p384, certDer: sm2.certDer, id: '52' },
          // A P-256 key standing in for an SM2 key (SoftHSM2 has no SM2): CKM_ECDSA signs the SM2 digest e.
          { label: 'p256-under-sm2', keyPkcs8Der: p256.keyPkcs8Der, certDer: sm2.certDer, id: '53' },
          { label: 'rsa-mismatch', keyPkcs8Der: rsa.keyPkcs8Der, certDer: rsaOther.certDer, id: '61' },
          { label: 'rsa', keyPkcs8Der: rsa.keyPkcs8Der, certDer: rsa.certDer, id: '62' },
        ],
      });
      if (t === null) throw new Error('SoftHSM2 vanished');
      token = t;
    });

    afterAll(async () => {
      await token?.cleanup();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    const options = (object: string, more: Partial<Pkcs11Options> = {}): Pkcs11Options => ({
      modulePath: token.modulePath,
      token: token.label,
      object,
      pin: token.pin,
      ...more,
    });

    async function openedCertificate(o: Pkcs11Options): Promise<Buffer> {
      const p = await openPkcs11(o);
      try {
        const message = new TextEncoder().encode('pairing');
        const { X509Certificate } = await import('node:crypto');
        const cert = Buffer.from(await p.certificate());
        const spki = new Uint8Array(new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' }));
        expect(verifyMessage(p.algorithm, spki, message, await p.sign(message))).toBe(true);
        return cert;
      } finally {
        await p.close?.();
      }
    }

    it("takes the certificate with the key's CKA_ID, not another key's under the same label (before: KEY_CERT_MISMATCH, or that certificate)", async () => {
      for (const checkCertificate of [true, false]) {
        expect((await openedCertificate(options('fin', { checkCertificate }))).equals(Buffer.from(p256.certDer))).toBe(true);
      }
    });

    it("refuses a certificate whose CKA_ID is another key's, also without the test signature (before: opened with it)", async () => {
      await expect(openPkcs11(options('stray', { checkCertificate: false }))).rejects.toMatchObject({ code: 'KEY_CERT_MISMATCH' });
      await expect(openPkcs11(options('stray'))).rejects.toMatchObject({ code: 'KEY_CERT_MISMATCH' });
    });

    it("takes the only certificate under the key's label with another CKA_ID when the test signature proves it; refuses it unproven", async () => {
      expect((await openedCertificate(options('renum'))).equals(Buffer.from(p256.certDer))).toBe(true);
      await expect(openPkcs11(options('renum', { checkCertificate: false }))).rejects.toMatchObject({ code: 'KEY_CERT_MISMATCH' });
    });

    it('finds a certificate without CKA_ID by its label', async () => {
      expect((await openedCertificate(options('noid', { checkCertificate: false }))).equals(Buffer.from(p256.certDer))).toBe(true);
    });

    it('refuses a P-384 key under a P-256 certificate and an RSA key under another modulus without the test signature (before: opened)', async () => {
      await expect(openPkcs11(options('p384-under-p256', { checkCertificate: false }))).rejects.toMatchObject({
        code: 'KEY_CERT_MISMATCH',
        detail: expect.objectContaining({ attribute: 'CKA_EC_PARAMS' }),
      });
      await expect(openPkcs11(options('rsa-mismatch', { checkCertificate: false }))).rejects.toMatchObject({
        code: 'KEY_CERT_MISMATCH',
        detail: expect.objectContaining({ attribute: 'CKA_MODULUS' }),
      });
      expect((await openedCertificate(options('rsa', { checkCertificate: false }))).equals(Buffer.from(rsa.certDer))).toBe(true);
    });

    it('keeps its own copy of the signer ID: a caller refilling its array later does not change what is signed', async () => {
      const id = new TextEncoder().encode('bank-0000000001');
      const p = await openPkcs11(options('p256-under-sm2', { checkCertificate: false, sm2Mechanism: CKM_ECDSA, sm2Id: id }));
      try {
        id.fill(0x41);
        const message = new TextEncoder().encode('voucher');
        const signature = await p.sign(message);
        const sm2Point = parsePublicKey(new X509Certificate(Buffer.from(await p.certificate())).publicKey.export({ type: 'spki', format: 'der' })).point as Uint8Array;
        const e = sm2ComputeDigest(sm2Point, message, { id: new TextEncoder().encode('bank-0000000001') });
        // The stand-in key signed e itself (CKM_ECDSA takes the digest as given): e under the ID given at opening.
        const publicKey = new Uint8Array(createPublicKey(createPrivateKey({ key: Buffer.from(p256.keyPkcs8Der), format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' })).subarray(-65);
        expect(p256Curve.verify(signature, e, publicKey, { prehash: false, format: 'der', lowS: false })).toBe(true);
      } finally {
        await p.close?.();
      }
    });

    it('answers a token signature that is not r ‖ s of a 256-bit curve with KEY_DEVICE_ERROR (before: its 96 raw bytes as the DER signature)', async () => {
      const p = await openPkcs11(options('p384-under-sm2', { checkCertificate: false, sm2Mechanism: CKM_ECDSA }));
      try {
        await expect(p.sign(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({
          code: 'KEY_DEVICE_ERROR',
          detail: expect.objectContaining({ call: 'C_Sign', length: '96' }),
        });
        // The session is still usable: the failure was the answer, not the operation.
        await expect(p.sign(new Uint8Array([4]))).rejects.toMatchObject({ code: 'KEY_DEVICE_ERROR' });
      } finally {
        await p.close?.();
      }
    });
  });
}
