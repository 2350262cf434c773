/**
 * PIN retries and a locked PIN on a dedicated SoftHSM2 token.
 *
 * SoftHSM2 2.6 has no retry counter: after a wrong PIN it sets CKF_USER_PIN_COUNT_LOW and never
 * locks (checked below, so a future SoftHSM2 that does lock makes this test say so). A hardware
 * UKey whose counter reaches zero sets CKF_USER_PIN_LOCKED in its token flags. The test puts the
 * token into that state by setting the flag in SoftHSM2's persisted token flags (the
 * CKA_OS_TOKENFLAGS attribute of token.object) while the library is finalised; SoftHSM2 then
 * reports the lock through C_GetTokenInfo like any locked token, and the provider must refuse to
 * log in without spending a retry. A PIN pad (CKF_PROTECTED_AUTHENTICATION_PATH) is set the same way.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKeyProvider } from '../../src/keys/index.js';
import { createTestToken, softHsmUnavailableReason, withUserSession } from '../helpers/softhsm.js';
import type { TestToken } from '../helpers/softhsm.js';
import { makeKeyFixture } from './fixtures.js';

const CKF_PROTECTED_AUTHENTICATION_PATH = 0x100;
const CKF_USER_PIN_COUNT_LOW = 0x10000;
const CKF_USER_PIN_LOCKED = 0x40000;
// SoftHSM2 object file: attribute type (8 bytes) CKA_OS_TOKENFLAGS 0x8000534b, value kind 2 (ulong), value (8 bytes, big-endian).
const TOKEN_FLAGS_ATTRIBUTE = Buffer.from('000000008000534b0000000000000002', 'hex');

async function tokenObjectFile(token: TestToken): Promise<string> {
  const label = Buffer.from(token.label.padEnd(32, ' '));
  for (const entry of await readdir(token.tokenDir)) {
    const file = join(token.tokenDir, entry, 'token.object');
    const bytes = await readFile(file).catch(() => undefined);
    if (bytes !== undefined && bytes.includes(label)) return file;
  }
  throw new Error(`token.object of ${token.label} not found`);
}

async function readFlags(token: TestToken): Promise<number> {
  const bytes = await readFile(await tokenObjectFile(token));
  const at = bytes.indexOf(TOKEN_FLAGS_ATTRIBUTE);
  if (at < 0) throw new Error('CKA_OS_TOKENFLAGS not found');
  return Number(bytes.readBigUInt64BE(at + TOKEN_FLAGS_ATTRIBUTE.length));
}

async function setFlags(token: TestToken, flags: number): Promise<void> {
  const file = await tokenObjectFile(token);
  const bytes = await readFile(file);
  const at = bytes.indexOf(TOKEN_FLAGS_ATTRIBUTE);
  bytes.writeBigUInt64BE(BigInt(flags), at + TOKEN_FLAGS_ATTRIBUTE.length);
  await writeFile(file, bytes);
}

const skipReason = await softHsmUnavailableReason();

if (skipReason !== undefined) {
  console.warn(`PKCS#11 tests skipped: ${skipReason}`);
  it.skip(`PKCS#11 PIN lock tests skipped: ${skipReason}`, () => undefined);
} else {
  describe('PKCS#11: PIN retries and lock (dedicated token)', () => {
    let dir: string;
    let token: TestToken;
    const WRONG = '000000';

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'evoucher-p11-lock-'));
      const f = await makeKeyFixture(dir, 'p256');
      const t = await createTestToken({ label: 'evoucher-lock', keys: [{ label: 'k', keyPkcs8Der: f.keyPkcs8Der, certDer: f.certDer, id: '01' }] });
      if (t === null) throw new Error('SoftHSM2 vanished');
      token = t;
    });
    afterAll(async () => {
      await token?.cleanup();
      await rm(dir, { recursive: true, force: true });
    });

    it('answers KEY_PIN_INCORRECT to repeated wrong PINs, with the low-retries warning', async () => {
      for (let i = 0; i < 5; i++) {
        let error: unknown;
        try {
          await openKeyProvider(token.uri('k'), { pin: WRONG });
        } catch (e) {
          error = e;
        }
        expect(error).toMatchObject({ code: 'KEY_PIN_INCORRECT', detail: expect.objectContaining({ ckr: 'CKR_PIN_INCORRECT', retries: 'low' }) });
      }
      expect((await readFlags(token)) & CKF_USER_PIN_COUNT_LOW).not.toBe(0);
      // SoftHSM2 never locks by itself: the right PIN still works (and clears the warning).
      const p = await openKeyProvider(token.uri('k'));
      await p.close?.();
      expect((await readFlags(token)) & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_LOCKED)).toBe(0);
    });

    it('takes an empty PIN for none: KEY_PIN_REQUIRED without C_Login (before: sent to the token, a retry spent)', async () => {
      // `echo "$PIN" > pin` with PIN unset leaves a file holding one line break; `pin-value=` is empty too.
      const emptyPinFile = join(dir, 'empty-pin');
      await writeFile(emptyPinFile, '\n');
      const base = `pkcs11:token=${token.label};object=k?module-path=${token.modulePath}`;
      await expect(openKeyProvider(`${base}&pin-source=file:${emptyPinFile}`)).rejects.toMatchObject({ code: 'KEY_PIN_REQUIRED' });
      await expect(openKeyProvider(`${base}&pin-value=`)).rejects.toMatchObject({ code: 'KEY_PIN_REQUIRED' });
      await expect(openKeyProvider(base, { pin: '' })).rejects.toMatchObject({ code: 'KEY_PIN_REQUIRED' });
      // No login was attempted: SoftHSM2 raises the low-retries flag on every wrong PIN.
      expect((await readFlags(token)) & CKF_USER_PIN_COUNT_LOW).toBe(0);
    });

    it('logs a PIN-pad token in without a PIN (before: KEY_DEVICE_ERROR, a TypeError of the binding, the token never asked)', async () => {
      // SoftHSM2 has no PIN pad: the flag is set as the lock is below, and the login comes from other code
      // of the process (C_Login then answers CKR_USER_ALREADY_LOGGED_IN, as it would after the pad).
      const flags = await readFlags(token);
      await setFlags(token, flags | CKF_PROTECTED_AUTHENTICATION_PATH);
      try {
        await withUserSession(token, false, async (p11, _lib, session) => {
          expect(p11.C_GetTokenInfo(p11.C_GetSessionInfo(session).slotID).flags & CKF_PROTECTED_AUTHENTICATION_PATH).not.toBe(0);
          const p = await openKeyProvider(`pkcs11:token=${token.label};object=k?module-path=${token.modulePath}`, { env: {} });
          try {
            expect((await p.sign(new Uint8Array([1, 2, 3]))).length).toBeGreaterThan(0);
          } finally {
            await p.close?.();
          }
        });
      } finally {
        await setFlags(token, flags);
      }
    });

    it('answers KEY_PIN_LOCKED for a locked token, to the right PIN too, without trying it', async () => {
      // Every provider of this process is closed, so the library is finalised and re-reads the flags.
      await setFlags(token, (await readFlags(token)) | CKF_USER_PIN_LOCKED);
      await expect(openKeyProvider(token.uri('k'))).rejects.toMatchObject({ code: 'KEY_PIN_LOCKED' });
      await expect(openKeyProvider(token.uri('k'), { pin: WRONG })).rejects.toMatchObject({ code: 'KEY_PIN_LOCKED' });
      // No login was attempted: the wrong PIN above did not raise the low-retries flag.
      expect((await readFlags(token)) & CKF_USER_PIN_COUNT_LOW).toBe(0);
    });
  });
}
