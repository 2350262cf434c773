/**
 * The PKCS#11 provider on a real SoftHSM2 token: P-256 and RSA-2048 keys made by OpenSSL,
 * imported with softhsm2-util, certificates written with pkcs11-tool, and every coded failure.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyMessage } from '../../src/crypto/index.js';
import { openKeyProvider } from '../../src/keys/index.js';
import type { KeyProvider } from '../../src/keys/index.js';
import { openPkcs11 } from '../../src/keys/pkcs11/index.js';
import { createTestToken, softHsmUnavailableReason } from '../helpers/softhsm.js';
import type { TestToken } from '../helpers/softhsm.js';
import { describeConformance } from './conformance.js';
import { makeKeyFixture } from './fixtures.js';
import type { KeyFixture } from './fixtures.js';

const skipReason = await softHsmUnavailableReason();

if (skipReason !== undefined) {
  console.warn(`PKCS#11 tests skipped: ${skipReason}`);
  it.skip(`PKCS#11 tests skipped: ${skipReason}`, () => undefined);
} else {
  let dir: string;
  let token: TestToken;
  let p256: KeyFixture;
  let rsa: KeyFixture;
  let other: KeyFixture;
  let rsaOther: KeyFixture;
  let sm2: KeyFixture;

  const ready = (async () => {
    dir = await mkdtemp(join(tmpdir(), 'evoucher-p11-'));
    p256 = await makeKeyFixture(dir, 'p256');
    rsa = await makeKeyFixture(dir, 'rsa');
    other = await makeKeyFixture(dir, 'p256', 'p256-other');
    rsaOther = await makeKeyFixture(dir, 'rsa', 'rsa-other');
    sm2 = await makeKeyFixture(dir, 'sm2');
    const t = await createTestToken({
      keys: [
        { label: 'p256', keyPkcs8Der: p256.keyPkcs8Der, certDer: p256.certDer, id: '01' },
        { label: 'rsa', keyPkcs8Der: rsa.keyPkcs8Der, certDer: rsa.certDer, id: '02' },
        // A key stored with another key's certificate.
        { label: 'mismatch', keyPkcs8Der: p256.keyPkcs8Der, certDer: other.certDer, id: '03' },
        { label: 'nocert', keyPkcs8Der: p256.keyPkcs8Der, id: '04' },
        // SoftHSM2 cannot hold SM2 keys ("Cannot handle this algorithm"): a P-256 key object under
        // an SM2 certificate is enough to exercise SM2 mechanism selection, which comes first.
        { label: 'sm2', keyPkcs8Der: p256.keyPkcs8Der, certDer: sm2.certDer, id: '05' },
        { label: 'rsa-mismatch', keyPkcs8Der: rsa.keyPkcs8Der, certDer: rsaOther.certDer, id: '06' },
        { label: 'rsa-under-ec', keyPkcs8Der: rsa.keyPkcs8Der, certDer: p256.certDer, id: '07' },
      ],
    });
    if (t === null) throw new Error('SoftHSM2 vanished');
    token = t;
  })();

  afterAll(async () => {
    await token?.cleanup();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  describeConformance('PKCS#11 P-256 (SoftHSM2, CKM_ECDSA over a host SHA-256)', async () => {
    await ready;
    return {
      expectedAlgorithm: 'ecdsa-p256-sha256',
      certDer: p256.certDer,
      chain: [],
      open: () => openKeyProvider(token.uri('p256')),
      openMismatched: () => openKeyProvider(token.uri('mismatch')),
    };
  });

  describeConformance('PKCS#11 RSA-2048 (SoftHSM2, CKM_SHA256_RSA_PKCS)', async () => {
    await ready;
    return {
      expectedAlgorithm: 'rsa-pkcs1-sha256',
      certDer: rsa.certDer,
      open: () => openKeyProvider(token.uri('rsa')),
      openMismatched: () => openKeyProvider(token.uri('rsa-mismatch')),
    };
  });

  describeConformance('PKCS#11 RSA-2048 with PSS (CKM_SHA256_RSA_PKCS_PSS)', async () => {
    await ready;
    return {
      expectedAlgorithm: 'rsa-pss-sha256',
      certDer: rsa.certDer,
      open: () => openKeyProvider(token.uri('rsa'), { algorithm: 'rsa-pss-sha256' }),
      openMismatched: () => openKeyProvider(token.uri('rsa-mismatch'), { algorithm: 'rsa-pss-sha256' }),
    };
  });

  describe('PKCS#11: finding keys', () => {
    beforeAll(() => ready);

    it('finds a key by id alone (RFC 7512 id=%02)', async () => {
      const p = await openKeyProvider(`pkcs11:token=${token.label};id=%02?module-path=${token.modulePath}`, { pin: token.pin });
      try {
        expect(p.algorithm).toBe('rsa-pkcs1-sha256');
        expect(Buffer.from(await p.certificate()).equals(Buffer.from(rsa.certDer))).toBe(true);
      } finally {
        await p.close?.();
      }
    });

    it('takes the PIN from EVOUCHER_PIN and the module from EVOUCHER_PKCS11_MODULE', async () => {
      const p = await openKeyProvider(`pkcs11:token=${token.label};object=p256`, {
        env: { EVOUCHER_PIN: token.pin, EVOUCHER_PKCS11_MODULE: token.modulePath },
      });
      await p.close?.();
      expect(p.algorithm).toBe('ecdsa-p256-sha256');
    });

    it('finds the module by module-name', async () => {
      const p = await openKeyProvider(`pkcs11:token=${token.label};object=p256?module-name=softhsm2&pin-value=${token.pin}`);
      await p.close?.();
      expect(p.algorithm).toBe('ecdsa-p256-sha256');
    });

    it('says KEY_NOT_FOUND for an unknown object or id', async () => {
      await expect(openKeyProvider(token.uri('no-such-key'))).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
      await expect(openKeyProvider(token.uri('p256').replace('object=p256', 'object=p256;id=%02'))).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    });

    it('says KEY_CERT_NOT_FOUND for a key without a certificate', async () => {
      await expect(openKeyProvider(token.uri('nocert'))).rejects.toMatchObject({ code: 'KEY_CERT_NOT_FOUND' });
    });

    it('says KEY_TOKEN_ABSENT for a token label that is not there', async () => {
      await expect(openKeyProvider(token.uri('p256').replace(`token=${token.label}`, 'token=no-such-token'))).rejects.toMatchObject({
        code: 'KEY_TOKEN_ABSENT',
      });
      await expect(openKeyProvider(`${token.uri('p256')}`.replace('pkcs11:', 'pkcs11:serial=0000000000000000;'))).rejects.toMatchObject({
        code: 'KEY_TOKEN_ABSENT',
      });
    });

    it('says KEY_MODULE_NOT_FOUND for a missing module and for a file that is not a library', async () => {
      const missing = token.uri('p256').replace(token.modulePath, '/nonexistent/libnothing.so');
      await expect(openKeyProvider(missing)).rejects.toMatchObject({ code: 'KEY_MODULE_NOT_FOUND' });
      const notLibrary = join(dir, 'not-a-library.so');
      await writeFile(notLibrary, 'plain text\n');
      await expect(openKeyProvider(token.uri('p256').replace(token.modulePath, notLibrary))).rejects.toMatchObject({ code: 'KEY_MODULE_NOT_FOUND' });
      await expect(openKeyProvider(`pkcs11:object=a?module-name=no-such-module&pin-value=1`)).rejects.toMatchObject({ code: 'KEY_MODULE_NOT_FOUND' });
    });

    it('needs object or id', async () => {
      await expect(openPkcs11({ modulePath: token.modulePath, token: token.label, pin: token.pin })).rejects.toMatchObject({ code: 'ARG_MISSING' });
    });
  });

  describe('PKCS#11: mechanisms', () => {
    beforeAll(() => ready);

    it('says KEY_MECHANISM_UNSUPPORTED for an SM2 key without a vendor mechanism', async () => {
      await expect(openKeyProvider(token.uri('sm2'))).rejects.toMatchObject({ code: 'KEY_MECHANISM_UNSUPPORTED' });
    });

    it('says KEY_MECHANISM_UNSUPPORTED when the token does not list the SM2 vendor mechanism', async () => {
      await expect(openKeyProvider(`${token.uri('sm2')}&x-sm2-mechanism=0x80000101`)).rejects.toMatchObject({
        code: 'KEY_MECHANISM_UNSUPPORTED',
        detail: expect.objectContaining({ mechanism: '0x80000101' }),
      });
    });

    it('runs the SM2 host path (e = SM3(Z ‖ M)) and catches a token that does not make SM2 signatures', async () => {
      // CKM_ECDSA (0x1041) stands in for a vendor mechanism: the token signs e, but with ECDSA on
      // P-256, so the open-time test signature does not verify under the SM2 certificate.
      await expect(openKeyProvider(token.uri('sm2'), { sm2Mechanism: 0x1041 })).rejects.toMatchObject({ code: 'KEY_CERT_MISMATCH' });
    });

    it('reports a failing device call as KEY_DEVICE_ERROR with the CKR name', async () => {
      // CKM_SHA256_RSA_PKCS (0x40) is on SoftHSM2's list, but not for an EC key: SoftHSM2 2.6
      // accepts C_SignInit and fails C_Sign (CKR_GENERAL_ERROR).
      await expect(openKeyProvider(token.uri('sm2'), { sm2Mechanism: 0x40 })).rejects.toMatchObject({
        code: 'KEY_DEVICE_ERROR',
        detail: expect.objectContaining({ ckr: expect.stringMatching(/^CKR_[A-Z_]+$/u), call: expect.stringMatching(/^C_Sign/u) }),
      });
    });

    it('says KEY_CERT_MISMATCH for a key type that does not fit the certificate', async () => {
      await expect(openKeyProvider(token.uri('rsa-under-ec'))).rejects.toMatchObject({ code: 'KEY_CERT_MISMATCH' });
    });

    it('refuses an algorithm that does not fit the certificate', async () => {
      await expect(openKeyProvider(token.uri('p256'), { algorithm: 'rsa-pss-sha256' })).rejects.toMatchObject({ code: 'CRYPTO_ALGORITHM_FORBIDDEN' });
    });
  });

  describe('PKCS#11: PINs', () => {
    beforeAll(() => ready);
    const WRONG = '740219';

    function leaks(e: unknown, secret: string): boolean {
      const err = e as Error & { detail?: unknown; cause?: unknown };
      const parts = [err.message, JSON.stringify(err.detail), err.stack ?? '', inspect(err, { depth: 10 }), JSON.stringify(err)];
      let cause = err.cause as (Error & { cause?: unknown }) | undefined;
      while (cause !== undefined) {
        parts.push(String(cause.message), cause.stack ?? '', inspect(cause, { depth: 10 }));
        cause = cause.cause as (Error & { cause?: unknown }) | undefined;
      }
      return parts.some((p) => p.includes(secret));
    }

    it('says KEY_PIN_INCORRECT for a wrong PIN and never shows it', async () => {
      let error: unknown;
      try {
        await openKeyProvider(token.uri('p256'), { pin: WRONG });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'KEY_PIN_INCORRECT', detail: expect.objectContaining({ ckr: 'CKR_PIN_INCORRECT' }) });
      expect(leaks(error, WRONG)).toBe(false);
    });

    it('does not leak a pin-value through any error', async () => {
      const uris = [
        `pkcs11:token=${token.label};object=p256?module-path=${token.modulePath}&pin-value=${WRONG}`,
        `pkcs11:token=no-such-token;object=p256?module-path=${token.modulePath}&pin-value=${WRONG}`,
        `pkcs11:token=${token.label};object=p256?module-path=/nonexistent.so&pin-value=${WRONG}`,
        `pkcs11:token=${token.label};object=p256;bad=1?module-path=${token.modulePath}&pin-value=${WRONG}`,
      ];
      for (const uri of uris) {
        let error: unknown;
        try {
          await openKeyProvider(uri);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(Error);
        expect(leaks(error, WRONG)).toBe(false);
      }
    });

    it('says KEY_PIN_REQUIRED when no PIN is given anywhere', async () => {
      await expect(openKeyProvider(`pkcs11:token=${token.label};object=p256?module-path=${token.modulePath}`, { env: {} })).rejects.toMatchObject({
        code: 'KEY_PIN_REQUIRED',
      });
    });

    it('shares one login between providers on one token, and refuses a second opener with another PIN', async () => {
      const a = await openKeyProvider(token.uri('p256'));
      const b = await openKeyProvider(token.uri('rsa'));
      let error: unknown;
      try {
        await openKeyProvider(token.uri('p256'), { pin: WRONG });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'KEY_PIN_INCORRECT' });
      expect(leaks(error, WRONG)).toBe(false);
      // Closing one provider must not log the other out (SoftHSM2 drops key handles on logout).
      await a.close?.();
      const message = new Uint8Array([7, 7, 7]);
      const sig = await b.sign(message);
      const { X509Certificate } = await import('node:crypto');
      const spki = new Uint8Array(new X509Certificate(rsa.certDer).publicKey.export({ type: 'spki', format: 'der' }));
      expect(verifyMessage('rsa-pkcs1-sha256', spki, message, sig)).toBe(true);
      await b.close?.();
    });

    it('keeps parallel signs of two providers apart', async () => {
      const providers: KeyProvider[] = [await openKeyProvider(token.uri('p256')), await openKeyProvider(token.uri('rsa'))];
      const { X509Certificate } = await import('node:crypto');
      const spkis = [p256, rsa].map((f) => new Uint8Array(new X509Certificate(f.certDer).publicKey.export({ type: 'spki', format: 'der' })));
      const jobs = Array.from({ length: 20 }, (_, i) => {
        const which = i % 2;
        const message = new TextEncoder().encode(`job ${i}`);
        return (providers[which] as KeyProvider).sign(message).then((sig) => ({ which, message, sig }));
      });
      for (const { which, message, sig } of await Promise.all(jobs)) {
        const p = providers[which] as KeyProvider;
        expect(verifyMessage(p.algorithm, spkis[which] as Uint8Array, message, sig)).toBe(true);
      }
      await Promise.all(providers.map((p) => p.close?.()));
    });
  });
}
