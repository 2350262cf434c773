/**
 * The options of the key openers as a JavaScript caller may get them wrong: each is checked before any file,
 * key or token is touched, and a value of the wrong type or outside its set is `ARG_INVALID` naming the option,
 * never read as the default (`null`), nor left to fail later under another code.
 */
import { SIGNATURE_ALGORITHMS } from '../crypto/types.js';
import { KeyProviderError } from './errors.js';

/** The largest CK_MECHANISM_TYPE and CK_SLOT_ID accepted (a CK_ULONG of a 32-bit platform). */
const MAX_CK_ULONG = 0xffffffff;

function bad(fn: string, option: string, what: string): never {
  throw new KeyProviderError('ARG_INVALID', `${fn} ${option} must be ${what}`, { detail: { option } });
}

/**
 * Checks the options the key openers share: `algorithm` (one of the signature algorithms; whether it fits the
 * key is judged when the key is read), `sm2Id` (bytes) and `password` (a string).
 *
 * @param o - the caller's options, known to be an object.
 * @param fn - the function, for messages.
 * @throws KeyProviderError `ARG_INVALID`.
 */
export function checkKeyOptions(o: Readonly<Record<string, unknown>>, fn: string): void {
  if (o['algorithm'] !== undefined && !(SIGNATURE_ALGORITHMS as readonly unknown[]).includes(o['algorithm'])) {
    bad(fn, 'algorithm', `one of ${SIGNATURE_ALGORITHMS.map((a) => `'${a}'`).join(', ')}, or left out for the key's own`);
  }
  if (o['sm2Id'] !== undefined && !(o['sm2Id'] instanceof Uint8Array)) bad(fn, 'sm2Id', 'a Uint8Array, or left out for the default 1234567812345678');
  if (o['password'] !== undefined && typeof o['password'] !== 'string') bad(fn, 'password', 'a string');
}

/**
 * Checks a CK_ULONG option (`sm2Mechanism`, `slotId`): an integer from 0 to 2^32 - 1. A string (`'0x80000001'`)
 * or a fraction would never equal what the token lists, and the open would fail with a misleading code.
 *
 * @param value - the caller's value.
 * @param fn - the function, for messages.
 * @param option - the option's name.
 * @throws KeyProviderError `ARG_INVALID`.
 */
export function checkCkUlong(value: unknown, fn: string, option: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_CK_ULONG)) {
    bad(fn, option, 'an integer from 0 to 4294967295 (0xffffffff)');
  }
}

/**
 * Checks the options of {@link openKeyProvider}: `cwd` and the secrets are strings, `env` an object.
 *
 * @param o - the caller's options, known to be an object.
 * @throws KeyProviderError `ARG_INVALID`.
 */
export function checkOpenKeyProviderOptions(o: Readonly<Record<string, unknown>>): void {
  const fn = 'openKeyProvider';
  checkKeyOptions(o, fn);
  if (o['cwd'] !== undefined && typeof o['cwd'] !== 'string') bad(fn, 'cwd', 'a directory path string, or left out for process.cwd()');
  const env = o['env'];
  if (env !== undefined && (typeof env !== 'object' || env === null || Array.isArray(env))) bad(fn, 'env', 'an object of environment variables, or left out for process.env');
  if (o['pin'] !== undefined && typeof o['pin'] !== 'string') bad(fn, 'pin', 'a string');
  checkCkUlong(o['sm2Mechanism'], fn, 'sm2Mechanism');
}

/**
 * Checks the options of `openPkcs11` that are not secrets or selectors matched as text.
 *
 * @param o - the caller's options, known to be an object.
 * @throws KeyProviderError `ARG_INVALID`.
 */
export function checkPkcs11Options(o: Readonly<Record<string, unknown>>): void {
  const fn = 'openPkcs11';
  checkKeyOptions(o, fn);
  if (typeof o['modulePath'] !== 'string' || o['modulePath'] === '') bad(fn, 'modulePath', 'the path of the PKCS#11 library');
  if (o['pin'] !== undefined && typeof o['pin'] !== 'string') bad(fn, 'pin', 'a string');
  if (o['object'] !== undefined && typeof o['object'] !== 'string') bad(fn, 'object', 'a string (CKA_LABEL)');
  if (o['id'] !== undefined && !(o['id'] instanceof Uint8Array)) bad(fn, 'id', 'a Uint8Array (CKA_ID)');
  // `'false'` or 0 was read as true (the check runs), `null` too.
  if (o['checkCertificate'] !== undefined && o['checkCertificate'] !== true && o['checkCertificate'] !== false) bad(fn, 'checkCertificate', 'true or false, or left out (true)');
  checkCkUlong(o['sm2Mechanism'], fn, 'sm2Mechanism');
  checkCkUlong(o['slotId'], fn, 'slotId');
  for (const k of ['token', 'manufacturer', 'serial', 'model', 'slotDescription', 'slotManufacturer', 'libraryManufacturer', 'libraryDescription']) {
    if (o[k] !== undefined && typeof o[k] !== 'string') bad(fn, k, 'a string');
  }
  const v = o['libraryVersion'] as { major?: unknown; minor?: unknown } | null | undefined;
  if (v !== undefined) {
    const byte = (x: unknown): boolean => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && x <= 255;
    if (typeof v !== 'object' || v === null || !byte(v.major) || !byte(v.minor)) bad(fn, 'libraryVersion', '{ major, minor }, each an integer from 0 to 255');
  }
}
