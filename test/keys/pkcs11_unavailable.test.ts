/**
 * pkcs11js is an optional dependency: an install without a C++ toolchain has no native binding. Software keys
 * still open and sign, and a `pkcs11:` key is refused with a coded error that says what is missing. The binding
 * is made unloadable here by mocking the package (this file runs in its own forked process).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openKeyProvider } from '../../src/keys/index.js';
import { openPkcs11 } from '../../src/keys/pkcs11/index.js';

vi.mock('pkcs11js', () => {
  throw new Error("Cannot find package 'pkcs11js'");
});

const PKI = resolve(import.meta.dirname, '../../fixtures/pki');
let dir: string;
let fakeModule: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-no-pkcs11js-'));
  fakeModule = join(dir, 'libvendor.so');
  await writeFile(fakeModule, 'a library file; never loaded without the binding');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('without the pkcs11js binding', () => {
  it('software keys open and sign', async () => {
    const key = await openKeyProvider(`pkcs12:${join(PKI, 'p256/cz.p12')}`, { password: 'evoucher-demo' });
    expect(key.algorithm).toBe('ecdsa-p256-sha256');
    expect((await key.sign(new Uint8Array([1, 2, 3]))).length).toBeGreaterThan(0);
  });

  it('a pkcs11: key is KEY_MODULE_NOT_FOUND naming the optional dependency', async () => {
    const expected = { code: 'KEY_MODULE_NOT_FOUND', detail: { module: 'pkcs11js' }, message: expect.stringContaining('optional dependency pkcs11js') as unknown };
    await expect(openKeyProvider(`pkcs11:token=t;object=k?module-path=${fakeModule}&pin-value=1234`)).rejects.toMatchObject(expected);
    await expect(openPkcs11({ modulePath: fakeModule, token: 't', object: 'k', pin: '1234' })).rejects.toMatchObject(expected);
  });
});
