/**
 * The PKCS#11 provider on a SoftHSM2 token, for what needs a real token: a pin-value typed with the wrong
 * separator (it lands in a token label or an object label), a key that may not sign (CKA_SIGN false), and a
 * token already logged in by other code of the process (docs/keys.md, "PIN handling"), and the module opened
 * under a second path to the same file. Token-less cases (a named pipe as the module, NUL in module-path, a
 * pin-value in module-path) are in hostile_inputs.test.ts.
 */
import { link, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyMessage } from '../../src/crypto/index.js';
import { openKeyProvider } from '../../src/keys/index.js';
import { createTestToken, softHsmUnavailableReason, withUserSession } from '../helpers/softhsm.js';
import type { TestToken } from '../helpers/softhsm.js';
import { makeKeyFixture } from './fixtures.js';

const SECRET = '918273';
const WRONG = '000000';
/** CK_STATE of a read-only session with the user logged in (PKCS#11 v2.40 §5.6; pkcs11js has no constant). */
const CKS_RO_USER_FUNCTIONS = 1;

/** Every text an error shows: message, detail, stack, JSON, util.inspect, and the same for its causes. */
function everyText(e: unknown): string {
  const err = e as Error & { detail?: unknown };
  const parts = [String(err.message), JSON.stringify(err.detail), err.stack ?? '', inspect(err, { depth: 10 }), JSON.stringify(err)];
  let cause: unknown = err.cause;
  for (let i = 0; i < 10 && cause !== undefined; i++) {
    const c = cause as Error;
    parts.push(String(c.message ?? c), c.stack ?? '', inspect(c, { depth: 10 }));
    cause = c.cause;
  }
  return parts.join('\n');
}

async function openError(uri: string, options: Parameters<typeof openKeyProvider>[1] = {}): Promise<Error & { code?: string; detail?: Record<string, string> }> {
  try {
    const p = await openKeyProvider(uri, options);
    await p.close?.();
  } catch (e) {
    return e as Error & { code?: string; detail?: Record<string, string> };
  }
  return new Error(`${uri} opened`);
}

/** Runs `f` with a session of other code of the process logged in to the token. */
async function withForeignLogin<T>(token: TestToken, f: (state: () => number) => Promise<T>): Promise<T> {
  return withUserSession(token, false, (p11, _lib, session) => f(() => p11.C_GetSessionInfo(session).state));
}

const skipReason = await softHsmUnavailableReason();

if (skipReason !== undefined) {
  console.warn(`PKCS#11 tests skipped: ${skipReason}`);
  it.skip(`PKCS#11 hostile-input tests skipped: ${skipReason}`, () => undefined);
} else {
  describe('PKCS#11 on hostile or unusual input (SoftHSM2)', () => {
    let dir: string;
    let token: TestToken;
    let pinFile: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'evoucher-p11-hostile-'));
      const a = await makeKeyFixture(dir, 'p256', 'a');
      const t = await createTestToken({
        keys: [
          { label: 'good', keyPkcs8Der: a.keyPkcs8Der, certDer: a.certDer, id: '01' },
          { label: 'nosign', keyPkcs8Der: a.keyPkcs8Der, certDer: a.certDer, id: '02' },
        ],
      });
      if (t === null) throw new Error('SoftHSM2 vanished');
      token = t;
      pinFile = join(dir, 'pin');
      await writeFile(pinFile, `${token.pin}\n`);
      // CKA_SIGN false on 'nosign' (softhsm2-util imports keys with CKA_SIGN true), before any provider
      // initialises the module in this process.
      await withUserSession(token, true, (p11, lib, s) => {
        p11.C_FindObjectsInit(s, [
          { type: lib.CKA_CLASS, value: lib.CKO_PRIVATE_KEY },
          { type: lib.CKA_LABEL, value: 'nosign' },
        ]);
        const [key] = p11.C_FindObjects(s, 1);
        p11.C_FindObjectsFinal(s);
        if (key === undefined) throw new Error('nosign key not found');
        p11.C_SetAttributeValue(s, key, [{ type: lib.CKA_SIGN, value: false }]);
      });
    });

    afterAll(async () => {
      await token?.cleanup();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    describe('a pin-value typed with the wrong separator', () => {
      it('is redacted from the token label, the serial and the object label in errors (before: verbatim in detail)', async () => {
        const q = `module-path=${token.modulePath}&pin-source=file:${pinFile}`;
        for (const [uri, code, field] of [
          [`pkcs11:token=${token.label}&pin-value=${SECRET};object=good?module-path=${token.modulePath}`, 'KEY_TOKEN_ABSENT', 'token'],
          [`pkcs11:serial=1&pin-value=${SECRET};object=good?${q}`, 'KEY_TOKEN_ABSENT', 'serial'],
          [`pkcs11:token=${token.label};object=good&pin-value=${SECRET}?${q}`, 'KEY_NOT_FOUND', 'object'],
        ] as const) {
          const e = await openError(uri);
          expect(e, uri).toMatchObject({ code });
          expect(everyText(e), uri).not.toContain(SECRET);
          expect(e.detail?.[field], uri).toContain('pin-value=(redacted)');
        }
      });

      it('is redacted from the module path, its realpath error and its load error', async () => {
        const uri = `pkcs11:token=${token.label};object=good?module-path=${token.modulePath}?pin-value=${SECRET}`;
        const e = await openError(uri);
        expect(e).toMatchObject({ code: 'KEY_MODULE_NOT_FOUND', detail: { modulePath: `${token.modulePath}?pin-value=(redacted)` } });
        expect(everyText(e)).not.toContain(SECRET);
        expect((e.cause as NodeJS.ErrnoException | undefined)?.code).toBe('ENOENT');
        // A library file whose very name holds the text: the load error names the file.
        const odd = join(dir, `lib?pin-value=${SECRET}.so`);
        await writeFile(odd, 'not a library\n');
        const loadError = await openError(`pkcs11:token=${token.label};object=good?module-path=${encodeURIComponent(odd).replaceAll('%2F', '/')}&pin-value=1`);
        expect(loadError).toMatchObject({ code: 'KEY_MODULE_NOT_FOUND' });
        expect(everyText(loadError)).not.toContain(SECRET);
      });
    });

    describe('a key that may not sign (CKA_SIGN false)', () => {
      it('is KEY_DEVICE_ERROR with ckr CKR_KEY_FUNCTION_NOT_PERMITTED from C_SignInit, at open and at sign', async () => {
        const uri = `pkcs11:token=${token.label};object=nosign?module-path=${token.modulePath}&pin-source=file:${pinFile}`;
        expect(await openError(uri)).toMatchObject({
          code: 'KEY_DEVICE_ERROR',
          ckr: 'CKR_KEY_FUNCTION_NOT_PERMITTED',
          detail: { call: 'C_SignInit', ckr: 'CKR_KEY_FUNCTION_NOT_PERMITTED' },
        });
        const { openPkcs11 } = await import('../../src/keys/pkcs11/index.js');
        const p = await openPkcs11({ modulePath: token.modulePath, token: token.label, object: 'nosign', pin: token.pin, checkCertificate: false });
        try {
          await expect(p.sign(new Uint8Array([1]))).rejects.toMatchObject({ code: 'KEY_DEVICE_ERROR', ckr: 'CKR_KEY_FUNCTION_NOT_PERMITTED' });
        } finally {
          await p.close?.();
        }
      });
    });

    describe('a token other code of the process has logged in (CKR_USER_ALREADY_LOGGED_IN)', () => {
      // What docs/keys.md says is and is not checked then. The PIN cannot be checked without logging that
      // code out (C_Logout ends the login for the whole application), so it is not.
      it('checks that a PIN is given, not the PIN; later openers must give the first opener\'s PIN; close() leaves the login', async () => {
        const uri = `pkcs11:token=${token.label};object=good?module-path=${token.modulePath}`;
        await withForeignLogin(token, async (state) => {
          expect(state()).toBe(CKS_RO_USER_FUNCTIONS);
          expect(await openError(uri, { env: {} })).toMatchObject({ code: 'KEY_PIN_REQUIRED' });
          // A wrong PIN is not detected: the provider uses the existing login.
          const first = await openKeyProvider(uri, { pin: WRONG });
          try {
            expect((await first.sign(new Uint8Array([1]))).length).toBeGreaterThan(0);
            // The first opener's PIN is what later openers of this process are compared with.
            expect(await openError(uri, { pin: token.pin })).toMatchObject({ code: 'KEY_PIN_INCORRECT' });
            const second = await openKeyProvider(uri, { pin: WRONG });
            await second.close?.();
          } finally {
            await first.close?.();
          }
          // Not ours to end: the other code is still logged in.
          expect(state()).toBe(CKS_RO_USER_FUNCTIONS);
        });
        // Without the other login, the token checks the PIN again.
        expect(await openError(uri, { pin: WRONG })).toMatchObject({ code: 'KEY_PIN_INCORRECT', detail: { ckr: 'CKR_PIN_INCORRECT' } });
        const p = await openKeyProvider(uri, { pin: token.pin });
        await p.close?.();
      });
    });

    describe('the module under a second path to the same file (a hard link or a bind mount)', () => {
      // The dynamic loader hands out the library already loaded for the same file, so both paths share one
      // Cryptoki state: one login, and one C_Finalize for both.
      it('is one module: closing the first provider leaves the second signing, and a wrong PIN is refused (before: CKR_CRYPTOKI_NOT_INITIALIZED; opened)', async (context) => {
        const linked = join(dir, 'libsofthsm2-link.so');
        try {
          await link(await realpath(token.modulePath), linked);
        } catch (e) {
          // Another file system (EXDEV) or protected hard links for a non-root user (EPERM).
          console.warn(`hard-link test skipped: ${(e as Error).message}`);
          context.skip();
        }
        const viaLink = `pkcs11:token=${token.label};object=good?module-path=${linked}&pin-source=file:${pinFile}`;
        const first = await openKeyProvider(`pkcs11:token=${token.label};object=good?module-path=${token.modulePath}&pin-source=file:${pinFile}`);
        let second: Awaited<ReturnType<typeof openKeyProvider>> | undefined;
        try {
          // The login is the first provider's: another PIN must not ride on it.
          expect(await openError(viaLink, { pin: WRONG })).toMatchObject({ code: 'KEY_PIN_INCORRECT' });
          second = await openKeyProvider(viaLink);
        } finally {
          await first.close?.();
        }
        try {
          const message = new Uint8Array([4, 5, 6]);
          const { X509Certificate } = await import('node:crypto');
          const spki = new Uint8Array(new X509Certificate(Buffer.from(await second.certificate())).publicKey.export({ type: 'spki', format: 'der' }));
          expect(verifyMessage(second.algorithm, spki, message, await second.sign(message))).toBe(true);
        } finally {
          await second.close?.();
        }
      });
    });
  });
}
