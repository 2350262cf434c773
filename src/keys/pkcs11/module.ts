/**
 * Loading PKCS#11 libraries.
 *
 * Design rationale:
 * - The native binding (pkcs11js) is imported with a dynamic `import()` here and nowhere else, so
 *   that importing the SDK never needs a compiled addon.
 * - A Cryptoki library is process-global state: a second `C_Initialize` answers
 *   `CKR_CRYPTOKI_ALREADY_INITIALIZED` and one `C_Finalize` ends every session of the process
 *   (PKCS#11 v2.40 §5.4). Modules are therefore reference-counted by file (device and inode, as the
 *   dynamic loader tells libraries apart): the first provider initialises, the last one to close
 *   finalises.
 * - The user login is also per application and token, not per session (PKCS#11 v2.40 §5.6): two
 *   providers on one token share one login, counted here too, so that one provider's logout does not
 *   invalidate the other's key handles (SoftHSM2 drops private-object handles on logout).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { access, realpath, stat } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { isAbsolute } from 'node:path';
import type * as Pkcs11Js from 'pkcs11js';
import { KeyProviderError } from '../errors.js';

/** The pkcs11js module object (constants and the PKCS11 class). */
export type Pkcs11Lib = typeof Pkcs11Js;

/** A loaded and initialised PKCS#11 library, shared by every provider that uses it. */
export interface Pkcs11ModuleHandle {
  /** Real path of the library. */
  readonly path: string;
  /** Device and inode of the library file: what the registry is keyed by. */
  readonly identity: string;
  /** pkcs11js constants. */
  readonly lib: Pkcs11Lib;
  /** The Cryptoki function table. */
  readonly p11: Pkcs11Js.PKCS11;
  /** Logins shared by the providers of this module, keyed by slot. */
  readonly logins: Map<string, SharedLogin>;
}

/** One token login shared by several providers of the process. */
export interface SharedLogin {
  refs: number;
  /** HMAC of the PIN under a per-process random key: lets a second opener prove the same PIN. */
  readonly pinTag: Buffer;
  /** False when the token was already logged in by code outside this registry: never log it out. */
  readonly owned: boolean;
}

interface ActiveModule {
  readonly handle: Pkcs11ModuleHandle;
  refs: number;
  readonly ownsInitialize: boolean;
}

// Libraries stay loaded (dlclose/dlopen cycles are not safe with every vendor library); only
// C_Initialize/C_Finalize follow the reference count.
const loaded = new Map<string, { readonly lib: Pkcs11Lib; readonly p11: Pkcs11Js.PKCS11 }>();
const active = new Map<string, ActiveModule>();
const pinTagKey = randomBytes(32);

let libPromise: Promise<Pkcs11Lib> | undefined;

/** Loads pkcs11js once, lazily. */
async function loadBinding(): Promise<Pkcs11Lib> {
  libPromise ??= import('pkcs11js').then(
    (ns) => {
      // pkcs11js is CommonJS: its constants live on the default export only.
      const withDefault = ns as unknown as { readonly default?: Pkcs11Lib };
      return withDefault.default ?? (ns as unknown as Pkcs11Lib);
    },
    (cause: unknown) => {
      libPromise = undefined;
      // pkcs11js is an optional dependency: an install without a C++ toolchain (or with --ignore-scripts)
      // goes on without it, and only pkcs11: keys need it.
      throw new KeyProviderError('KEY_MODULE_NOT_FOUND', 'the pkcs11js native binding cannot be loaded: install the optional dependency pkcs11js (built with a C++ toolchain) to use pkcs11: keys', {
        cause,
        detail: { module: 'pkcs11js' },
      });
    },
  );
  return libPromise;
}

/**
 * Loads (once) and initialises (reference-counted) a PKCS#11 library.
 *
 * @param modulePath - absolute path of the library (`.so`)
 * @returns a handle to pass to {@link releaseModule} exactly once
 * @throws KeyProviderError `KEY_MODULE_NOT_FOUND` (missing file, not a regular file — a named
 *   pipe, a device or a directory is refused before it is opened —, not a loadable library, or
 *   pkcs11js unavailable), `KEY_DEVICE_ERROR` (C_Initialize failed; `ckr` set)
 */
export async function acquireModule(modulePath: string): Promise<Pkcs11ModuleHandle> {
  if (!isAbsolute(modulePath)) {
    throw new KeyProviderError('KEY_MODULE_NOT_FOUND', 'pkcs11 module path must be absolute', {
      detail: { modulePath },
    });
  }
  let path: string;
  let regular: boolean;
  let identity: string;
  try {
    path = await realpath(modulePath);
    const facts = await stat(path);
    regular = facts.isFile();
    // The dynamic loader knows a library by its file (device and inode), not by its path: a hard link
    // or a bind mount of the same file under another path gets the already loaded library, whose
    // C_Initialize answers CKR_CRYPTOKI_ALREADY_INITIALIZED. Keyed by path, that made a second
    // registry entry with its own logins: closing the first provider logged out and finalised the
    // library under the second (CKR_CRYPTOKI_NOT_INITIALIZED), and the second's PIN went unchecked.
    identity = `${facts.dev}:${facts.ino}`;
    await access(path, fsConstants.R_OK);
  } catch (cause) {
    throw new KeyProviderError('KEY_MODULE_NOT_FOUND', 'pkcs11 module not found', {
      cause,
      detail: { modulePath },
    });
  }
  if (!regular) {
    // dlopen opens the path and reads it: a named pipe would hold the whole process until a writer
    // came (for ever), a device would be read from. A library is a regular file; anything else is
    // refused before the loader sees it (realpath first, so a link to a library is still fine).
    throw new KeyProviderError('KEY_MODULE_NOT_FOUND', 'pkcs11 module is not a regular file', {
      detail: { modulePath, reason: 'not a regular file' },
    });
  }
  const lib = await loadBinding();
  // From here to the registration everything is synchronous, so concurrent openers cannot both
  // initialise the same library.
  const existing = active.get(identity);
  if (existing !== undefined) {
    existing.refs += 1;
    return existing.handle;
  }
  let entry = loaded.get(identity);
  if (entry === undefined) {
    const p11 = new lib.PKCS11();
    try {
      p11.load(path);
    } catch (cause) {
      throw new KeyProviderError('KEY_MODULE_NOT_FOUND', 'pkcs11 module cannot be loaded', {
        cause,
        detail: { modulePath: path, reason: firstLine(cause) },
      });
    }
    entry = { lib, p11 };
    loaded.set(identity, entry);
  }
  let ownsInitialize = true;
  try {
    // CKF_OS_LOCKING_OK: signatures run on libuv worker threads (C_SignAsync).
    entry.p11.C_Initialize({ flags: lib.CKF_OS_LOCKING_OK });
  } catch (cause) {
    const ckr = ckrName(cause);
    if (ckr === 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
      ownsInitialize = false;
    } else if (ckr === 'CKR_CANT_LOCK') {
      try {
        entry.p11.C_Initialize();
      } catch (again) {
        throw deviceError('C_Initialize', again);
      }
    } else {
      throw deviceError('C_Initialize', cause);
    }
  }
  const handle: Pkcs11ModuleHandle = { path, identity, lib, p11: entry.p11, logins: new Map() };
  active.set(identity, { handle, refs: 1, ownsInitialize });
  return handle;
}

/**
 * Releases a module handle; the last release finalises the library (only if this registry
 * initialised it).
 *
 * @param handle - a handle from {@link acquireModule}
 */
export function releaseModule(handle: Pkcs11ModuleHandle): void {
  const entry = active.get(handle.identity);
  if (entry === undefined || entry.handle !== handle) return;
  entry.refs -= 1;
  if (entry.refs > 0) return;
  active.delete(handle.identity);
  if (entry.ownsInitialize) {
    try {
      handle.p11.C_Finalize();
    } catch {
      // Finalising is best effort: the process may be exiting, the device may be gone.
    }
  }
}

/**
 * Computes the tag that stands for a PIN in the shared-login table (never the PIN itself).
 *
 * @param slotKey - the slot the login belongs to
 * @param pin - the PIN
 * @returns HMAC-SHA-256 under a per-process random key
 */
export function pinTag(slotKey: string, pin: string | undefined): Buffer {
  return createHmac('sha256', pinTagKey)
    .update(slotKey)
    .update('\u0000')
    .update(pin === undefined ? '\u0001protected-path' : `\u0002${pin}`)
    .digest();
}

/**
 * Compares two PIN tags in constant time.
 *
 * @param a - a tag from {@link pinTag}
 * @param b - another tag
 * @returns true when the PINs were the same
 */
export function samePinTag(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The `CKR_*` name of a pkcs11js error, or undefined for other errors.
 *
 * @param e - anything thrown by pkcs11js
 * @returns e.g. `CKR_PIN_INCORRECT`
 */
export function ckrName(e: unknown): string | undefined {
  if (e instanceof Error) {
    const m = /\b(CKR_[A-Z0-9_]+)\b/u.exec(e.message);
    if (m !== null) return m[1];
  }
  return undefined;
}

/** Device errors that mean the token went away. */
const TOKEN_GONE = new Set([
  'CKR_DEVICE_REMOVED',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_TOKEN_NOT_RECOGNIZED',
  'CKR_SLOT_ID_INVALID',
  'CKR_SESSION_CLOSED',
  'CKR_SESSION_HANDLE_INVALID',
]);

/**
 * Wraps a failed Cryptoki call in a coded error: token gone → `KEY_TOKEN_ABSENT`, mechanism
 * refused → `KEY_MECHANISM_UNSUPPORTED`, PIN states → `KEY_PIN_*`, anything else →
 * `KEY_DEVICE_ERROR`. `ckr` carries the return value name.
 *
 * @param call - the Cryptoki function that failed, e.g. `C_Sign`
 * @param cause - what pkcs11js threw
 * @returns the error to throw
 */
export function deviceError(call: string, cause: unknown): KeyProviderError {
  const ckr = ckrName(cause);
  const detail = { call };
  const options = ckr === undefined ? { cause, detail } : { cause, detail, ckr };
  if (ckr !== undefined && TOKEN_GONE.has(ckr)) {
    return new KeyProviderError('KEY_TOKEN_ABSENT', `token not available during ${call}`, options);
  }
  if (ckr === 'CKR_MECHANISM_INVALID' || ckr === 'CKR_MECHANISM_PARAM_INVALID') {
    return new KeyProviderError('KEY_MECHANISM_UNSUPPORTED', `token refused the mechanism in ${call}`, options);
  }
  if (ckr === 'CKR_PIN_LOCKED') {
    return new KeyProviderError('KEY_PIN_LOCKED', 'token pin is locked', options);
  }
  if (ckr === 'CKR_PIN_INCORRECT' || ckr === 'CKR_PIN_LEN_RANGE' || ckr === 'CKR_PIN_INVALID') {
    return new KeyProviderError('KEY_PIN_INCORRECT', 'token pin is incorrect', options);
  }
  return new KeyProviderError('KEY_DEVICE_ERROR', `pkcs11 ${call} failed${ckr === undefined ? '' : `: ${ckr}`}`, options);
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return (text.split('\n')[0] ?? '').slice(0, 200);
}
