/**
 * evoucher/keys: the key-provider contract and the URI opener (design.md §6).
 *
 * `openKeyProvider('file:…' | 'pkcs12:…' | 'pkcs11:…')` turns a key URI into a {@link KeyProvider}.
 * Token support (`pkcs11:`) is imported on demand, so this module never loads the native pkcs11js
 * binding unless a `pkcs11:` URI is opened. See docs/keys.md.
 */
import { isAbsolute, resolve } from 'node:path';
import type { SignatureAlgorithm } from '../crypto/types.js';
import { readBoundedFile } from '../encoding/read_bounded.js';
import { KeyProviderError } from './errors.js';
import type { KeyProvider } from './provider.js';
import { CERTIFICATE_LABELS } from '../encoding/pem.js';
import { readPemBlocks, isPem, MAX_PEM_BYTES } from './software/pem.js';
import { openSoftwareKey } from './software/pkcs8.js';
import { MAX_PKCS12_BYTES, openPkcs12 } from './software/pkcs12.js';
import { parseKeyUri } from './uri.js';
import { checkOpenKeyProviderOptions } from './arguments.js';
import type { FileKeyUri, Pkcs11KeyUri, Pkcs12KeyUri } from './uri.js';

export type { KeyProvider } from './provider.js';
export { KeyProviderError } from './errors.js';
export type { KeyProviderErrorOptions } from './errors.js';
export { parseKeyUri, encodePkcs11UriValue, MAX_KEY_URI_LENGTH } from './uri.js';
export type { KeyUri, FileKeyUri, Pkcs12KeyUri, Pkcs11KeyUri } from './uri.js';
export * from './software/index.js';

/** Largest PIN or password file read. */
export const MAX_SECRET_FILE_BYTES = 4096;

/** Options of {@link openKeyProvider}. */
export interface OpenKeyProviderOptions {
  /** Directory relative paths in the URI are resolved against. Default `process.cwd()`. */
  readonly cwd?: string;
  /**
   * Environment read for `EVOUCHER_KEY_PASSWORD`, `EVOUCHER_PIN` and `EVOUCHER_PKCS11_MODULE`.
   * Default `process.env`.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Key or PKCS#12 password; wins over `password-source` and `EVOUCHER_KEY_PASSWORD`. */
  readonly password?: string;
  /** Token PIN; wins over `pin-value`, `pin-source` and `EVOUCHER_PIN`. */
  readonly pin?: string;
  /** `rsa-pss-sha256` to sign RSA keys with PSS; otherwise the key decides. */
  readonly algorithm?: SignatureAlgorithm;
  /** SM2 signer ID (default `1234567812345678`). */
  readonly sm2Id?: Uint8Array;
  /** Vendor mechanism for SM2 on a token; wins over the URI's `x-sm2-mechanism`. */
  readonly sm2Mechanism?: number;
}

/**
 * Opens the key a URI names.
 *
 * - `file:<key.pem>?cert=<cert.pem>[&chain=<pem>][&password-source=file:<path>]` — a PEM/DER key
 *   (PKCS#8 plain or encrypted, SEC1, PKCS#1) and its certificate; without `cert=`, the key file's
 *   own `CERTIFICATE` blocks are used.
 * - `pkcs12:<file.p12>[?password-source=file:<path>]`.
 * - `pkcs11:token=…;object=…;id=…?module-path=…&pin-source=file:…` (RFC 7512; also `pin-value`,
 *   `module-name`, `x-sm2-mechanism`).
 *
 * Passwords come from `options.password`, else `password-source`, else `EVOUCHER_KEY_PASSWORD`.
 * PINs come from `options.pin`, else `pin-value`, else `pin-source`, else `EVOUCHER_PIN`. The
 * module path from `module-path`, else `module-name`, else `EVOUCHER_PKCS11_MODULE`. Relative
 * paths are resolved against `cwd`. Neither the PIN nor the password ever appears in an error.
 *
 * @param uri - the key URI
 * @param options - cwd, environment, password, PIN, algorithm, SM2 settings
 * @returns the provider; call `close()` when done (it logs out of a token)
 * @throws KeyProviderError `KEY_URI_INVALID`, `KEY_FILE_UNREADABLE`, `KEY_PASSWORD_REQUIRED`,
 *   `KEY_PASSWORD_WRONG`, `KEY_FORMAT_UNSUPPORTED`, `KEY_CERT_NOT_FOUND`, `KEY_CERT_MISMATCH`, and
 *   for tokens `KEY_MODULE_NOT_FOUND`, `KEY_TOKEN_ABSENT`, `KEY_PIN_REQUIRED`, `KEY_PIN_INCORRECT`,
 *   `KEY_PIN_LOCKED`, `KEY_NOT_FOUND`, `KEY_MECHANISM_UNSUPPORTED`, `KEY_AMBIGUOUS`,
 *   `KEY_DEVICE_ERROR`; `ARG_INVALID` for options of the wrong type or value (an `algorithm` off the list, an
 *   `sm2Mechanism` that is not an integer from 0, `env` or `cwd` given as `null`); EvoucherError `CRYPTO_*` for
 *   refused keys
 * @example
 * const signer = await openKeyProvider('pkcs12:keys/finance.p12?password-source=file:/run/secrets/p12')
 * const signature = await signer.sign(bytes)
 * await signer.close?.()
 */
export async function openKeyProvider(uri: string, options: OpenKeyProviderOptions = {}): Promise<KeyProvider> {
  if (typeof options !== 'object' || options === null) throw new KeyProviderError('ARG_INVALID', 'openKeyProvider options must be an object', { detail: { argument: 'options' } });
  // Before the URI is read: `env: null` was process.env, a `cwd` that is no string a TypeError deep inside.
  checkOpenKeyProviderOptions(options as unknown as Readonly<Record<string, unknown>>);
  const parsed = parseKeyUri(uri);
  const cwd = options.cwd === undefined ? process.cwd() : options.cwd;
  const env = options.env === undefined ? process.env : options.env;
  switch (parsed.scheme) {
    case 'file':
      return openFileUri(parsed, cwd, env, options);
    case 'pkcs12':
      return openPkcs12Uri(parsed, cwd, env, options);
    case 'pkcs11':
      return openPkcs11Uri(parsed, cwd, env, options);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

async function openFileUri(uri: FileKeyUri, cwd: string, env: Env, options: OpenKeyProviderOptions): Promise<KeyProvider> {
  const password = await resolveSecret(options.password, undefined, uri.passwordSource, env['EVOUCHER_KEY_PASSWORD'], cwd, 'password-source');
  const key = await readBounded(resolve(cwd, uri.keyPath), 'key', MAX_PEM_BYTES);
  let certificate: Uint8Array;
  if (uri.certPath !== undefined) {
    certificate = await readBounded(resolve(cwd, uri.certPath), 'certificate', MAX_PEM_BYTES);
  } else if (isPem(key) && readPemBlocks(key).some((b) => CERTIFICATE_LABELS.includes(b.label))) {
    certificate = key;
  } else {
    throw new KeyProviderError('KEY_CERT_NOT_FOUND', 'no cert= in the uri and no certificate in the key file', {
      detail: { path: uri.keyPath },
    });
  }
  const chain: Uint8Array[] = [];
  for (const p of uri.chainPaths) chain.push(await readBounded(resolve(cwd, p), 'chain', MAX_PEM_BYTES));
  return openSoftwareKey({
    key,
    certificate,
    chain,
    ...(password === undefined ? {} : { password }),
    ...(options.algorithm === undefined ? {} : { algorithm: options.algorithm }),
    ...(options.sm2Id === undefined ? {} : { sm2Id: options.sm2Id }),
  });
}

async function openPkcs12Uri(uri: Pkcs12KeyUri, cwd: string, env: Env, options: OpenKeyProviderOptions): Promise<KeyProvider> {
  const password = await resolveSecret(options.password, undefined, uri.passwordSource, env['EVOUCHER_KEY_PASSWORD'], cwd, 'password-source');
  const data = await readBounded(resolve(cwd, uri.path), 'pkcs12', MAX_PKCS12_BYTES);
  if (password === undefined) {
    throw new KeyProviderError('KEY_PASSWORD_REQUIRED', 'a pkcs12 file needs a password (password-source or EVOUCHER_KEY_PASSWORD)', {
      detail: { path: uri.path },
    });
  }
  return openPkcs12({
    data,
    password,
    ...(options.algorithm === undefined ? {} : { algorithm: options.algorithm }),
    ...(options.sm2Id === undefined ? {} : { sm2Id: options.sm2Id }),
  });
}

async function openPkcs11Uri(uri: Pkcs11KeyUri, cwd: string, env: Env, options: OpenKeyProviderOptions): Promise<KeyProvider> {
  // The only place the token code (and with it the native binding) is loaded.
  const pkcs11 = await import('./pkcs11/index.js');
  let modulePath: string;
  if (uri.modulePath !== undefined) modulePath = resolve(cwd, uri.modulePath);
  else if (uri.moduleName !== undefined) modulePath = await pkcs11.findPkcs11Module(uri.moduleName);
  else {
    const fromEnv = env['EVOUCHER_PKCS11_MODULE'];
    if (fromEnv === undefined || fromEnv === '') {
      throw new KeyProviderError('KEY_URI_INVALID', 'pkcs11 uri names no module (module-path, module-name or EVOUCHER_PKCS11_MODULE)', {
        detail: { scheme: 'pkcs11', attribute: 'module-path' },
      });
    }
    modulePath = isAbsolute(fromEnv) ? fromEnv : resolve(cwd, fromEnv);
  }
  const pin = await resolveSecret(options.pin, uri.pinValue, uri.pinSource, env['EVOUCHER_PIN'], cwd, 'pin-source');
  const sm2Mechanism = options.sm2Mechanism ?? uri.sm2Mechanism;
  const copy = <K extends keyof Pkcs11KeyUri>(k: K): Partial<Pick<Pkcs11KeyUri, K>> =>
    uri[k] === undefined ? {} : ({ [k]: uri[k] } as Partial<Pick<Pkcs11KeyUri, K>>);
  return pkcs11.openPkcs11({
    modulePath,
    ...copy('token'),
    ...copy('manufacturer'),
    ...copy('serial'),
    ...copy('model'),
    ...copy('slotId'),
    ...copy('slotDescription'),
    ...copy('slotManufacturer'),
    ...copy('libraryManufacturer'),
    ...copy('libraryDescription'),
    ...copy('libraryVersion'),
    ...copy('object'),
    ...copy('id'),
    ...(pin === undefined ? {} : { pin }),
    ...(options.algorithm === undefined ? {} : { algorithm: options.algorithm }),
    ...(sm2Mechanism === undefined ? {} : { sm2Mechanism }),
    ...(options.sm2Id === undefined ? {} : { sm2Id: options.sm2Id }),
  });
}

/** First defined of: explicit value, URI value, URI source file, environment. */
async function resolveSecret(
  explicit: string | undefined,
  inUri: string | undefined,
  source: string | undefined,
  fromEnv: string | undefined,
  cwd: string,
  attribute: 'pin-source' | 'password-source',
): Promise<string | undefined> {
  if (explicit !== undefined) return explicit;
  if (inUri !== undefined) return inUri;
  if (source !== undefined) return readSecretSource(source, cwd, attribute);
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

async function readSecretSource(source: string, cwd: string, attribute: 'pin-source' | 'password-source'): Promise<string> {
  let path: string;
  if (source.startsWith('file:')) {
    path = source.slice(5);
    // RFC 8089: file:///abs and file://localhost/abs.
    if (path.startsWith('//')) {
      const slash = path.indexOf('/', 2);
      const host = slash < 0 ? path.slice(2) : path.slice(2, slash);
      if (host !== '' && host !== 'localhost') {
        throw new KeyProviderError('KEY_URI_INVALID', `${attribute} names a remote host`, { detail: { attribute } });
      }
      path = slash < 0 ? '' : path.slice(slash);
    }
  } else if (/^[A-Za-z][A-Za-z0-9+.-]*:/u.test(source) || source.startsWith('|')) {
    // Only files: running commands or fetching URLs for a PIN is not this library's business.
    throw new KeyProviderError('KEY_URI_INVALID', `${attribute} must be a file`, { detail: { attribute } });
  } else {
    path = source;
  }
  if (path === '') throw new KeyProviderError('KEY_URI_INVALID', `${attribute} names no file`, { detail: { attribute } });
  const bytes = await readBounded(resolve(cwd, path), attribute, MAX_SECRET_FILE_BYTES);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new KeyProviderError('KEY_FILE_UNREADABLE', `${attribute} file is not UTF-8 text`, { detail: { role: attribute } });
  }
  // One trailing line break is the file's, not the secret's (`echo 1234 > pin`).
  return text.replace(/\r?\n$/u, '');
}

/**
 * Reads a key, certificate, chain, PKCS#12, PIN or password file through the one bounded reader
 * (src/encoding/read_bounded.ts): one handle opened without blocking and checked with fstat, so
 * what is read is what was checked, a named pipe is refused instead of waited on (for ever), a
 * device is refused instead of read without end, and a procfs file that claims size 0 (such as
 * `/proc/self/pagemap`, as large as the address space) is read no further than `limit + 1` bytes.
 */
async function readBounded(path: string, role: string, limit: number): Promise<Uint8Array> {
  return readBoundedFile(path, limit, (failure) => {
    switch (failure.reason) {
      case 'too-large':
        return new KeyProviderError('KEY_FILE_UNREADABLE', `${role} file too large`, {
          detail: { role, path, limit: String(limit) },
        });
      case 'not-regular':
        return new KeyProviderError('KEY_FILE_UNREADABLE', `${role} file is not a regular file`, {
          detail: { role, path, reason: 'not a regular file' },
        });
      default:
        return new KeyProviderError('KEY_FILE_UNREADABLE', `cannot read ${role} file`, {
          cause: failure.cause,
          detail: { role, path, ...(failure.code === undefined ? {} : { reason: failure.code }) },
        });
    }
  });
}
