/**
 * Finding a PKCS#11 library by its RFC 7512 `module-name`. Apart from the module loader (which loads the native
 * binding) so that the public declarations of `evoucher/keys/pkcs11` never need the optional `pkcs11js` package.
 */
import { access } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { join } from 'node:path';
import { KeyProviderError } from '../errors.js';

/** Directories searched for a `module-name` (RFC 7512 §2.3), after p11-kit's conventions. */
export const PKCS11_MODULE_DIRECTORIES: readonly string[] = Object.freeze([
  '/usr/lib/x86_64-linux-gnu/pkcs11',
  '/usr/lib/aarch64-linux-gnu/pkcs11',
  '/usr/lib64/pkcs11',
  '/usr/lib/pkcs11',
  '/usr/local/lib/pkcs11',
  '/usr/lib/x86_64-linux-gnu/softhsm',
  '/usr/lib/softhsm',
  '/usr/local/lib/softhsm',
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
]);

/**
 * Finds a PKCS#11 library by its RFC 7512 `module-name` (the file name without `lib` prefix or
 * `.so` suffix, e.g. `softhsm2` or `opensc-pkcs11`).
 *
 * @param name - the module name
 * @returns the absolute path of the first match in {@link PKCS11_MODULE_DIRECTORIES}
 * @throws KeyProviderError `KEY_MODULE_NOT_FOUND` when no directory holds it
 * @example
 * await findPkcs11Module('softhsm2') // '/usr/lib/softhsm/libsofthsm2.so'
 */
export async function findPkcs11Module(name: string): Promise<string> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/u.test(name)) {
    throw new KeyProviderError('KEY_MODULE_NOT_FOUND', 'invalid pkcs11 module name', { detail: { moduleName: name.slice(0, 64) } });
  }
  const candidates = name.endsWith('.so') ? [name] : [`${name}.so`, `lib${name}.so`];
  for (const dir of PKCS11_MODULE_DIRECTORIES) {
    for (const file of candidates) {
      const path = join(dir, file);
      try {
        await access(path, fsConstants.R_OK);
        return path;
      } catch {
        // try the next one
      }
    }
  }
  throw new KeyProviderError('KEY_MODULE_NOT_FOUND', 'pkcs11 module not found', { detail: { moduleName: name } });
}
