/**
 * Token sessions: find the token a URI names, open a session, log in once, and serialise every
 * use of the session.
 *
 * A PKCS#11 session is single-threaded (PKCS#11 v2.40 §5.6: "an application should not run
 * concurrent operations on one session"), and a signature is two calls (`C_SignInit`, `C_Sign`)
 * that must not interleave with another signature. Every call therefore goes through a promise
 * queue, which is what makes parallel `sign()` calls on one provider safe.
 *
 * The PIN is handed to `C_Login` and dropped: it is never stored, logged or put into an error.
 */
import type * as Pkcs11Js from 'pkcs11js';
import { KeyProviderError } from '../errors.js';
import { acquireModule, ckrName, deviceError, pinTag, releaseModule, samePinTag } from './module.js';
import type { Pkcs11Lib, Pkcs11ModuleHandle, SharedLogin } from './module.js';
import type { TokenSelector } from './selector.js';

// CK_TOKEN_INFO flags (PKCS#11 v2.40 §3.2, table 11).
const CKF_LOGIN_REQUIRED = 0x4;
const CKF_USER_PIN_INITIALIZED = 0x8;
const CKF_PROTECTED_AUTHENTICATION_PATH = 0x100;
const CKF_TOKEN_INITIALIZED = 0x400;
const CKF_USER_PIN_COUNT_LOW = 0x10000;
const CKF_USER_PIN_FINAL_TRY = 0x20000;
const CKF_USER_PIN_LOCKED = 0x40000;

/** An open, logged-in session on one token. */
export class TokenSession {
  /** The module the session belongs to. */
  readonly module: Pkcs11ModuleHandle;
  /** The slot handle. */
  readonly slot: Buffer;
  /** The token label (padding removed). */
  readonly tokenLabel: string;
  readonly #session: Buffer;
  readonly #slotKey: string;
  #queue: Promise<unknown> = Promise.resolve();
  #login: SharedLogin | undefined;
  #closed: Promise<void> | undefined;

  constructor(module: Pkcs11ModuleHandle, slot: Buffer, tokenLabel: string, session: Buffer) {
    this.module = module;
    this.slot = slot;
    this.tokenLabel = tokenLabel;
    this.#session = session;
    this.#slotKey = slot.toString('hex');
  }

  /** pkcs11js constants. */
  get lib(): Pkcs11Lib {
    return this.module.lib;
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /**
   * Runs `fn` with exclusive use of the session, after every earlier call finished.
   *
   * @param fn - the session work
   * @returns what `fn` returns
   * @throws KeyProviderError `KEY_PROVIDER_CLOSED` when the session is closed; whatever `fn` throws
   */
  run<T>(fn: (p11: Pkcs11Js.PKCS11, session: Buffer) => Promise<T> | T): Promise<T> {
    if (this.#closed !== undefined) {
      return Promise.reject(
        new KeyProviderError('KEY_PROVIDER_CLOSED', 'pkcs11 provider is closed'),
      );
    }
    const next = this.#queue.then(() => fn(this.module.p11, this.#session));
    // The queue goes on whatever this call's outcome was.
    this.#queue = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  /**
   * Logs the user in (CKU_USER), or joins a login another provider of this process already holds
   * on this token after checking it was made with the same PIN.
   *
   * @param pin - the user PIN; undefined (an empty PIN counts as none) for a token with a protected
   *   authentication path (PIN pad)
   * @throws KeyProviderError `KEY_PIN_LOCKED`, `KEY_PIN_INCORRECT`, `KEY_PIN_REQUIRED`, `KEY_DEVICE_ERROR`
   */
  async login(pin: string | undefined): Promise<void> {
    // An empty PIN is no PIN (as an empty EVOUCHER_PIN already is): an empty pin-source file
    // (`echo "$PIN" > pin` with PIN unset) or `pin-value=` is a configuration slip, and handed to
    // C_Login it spent one of the token's retries (SoftHSM2 counts it; a UKey locks after a few).
    const given = pin === '' ? undefined : pin;
    const info = this.#tokenInfo();
    // Checked before C_Login so that a locked token never burns another retry (and because some
    // tokens, SoftHSM2 among them, report the lock only in the flags).
    if ((info.flags & CKF_USER_PIN_LOCKED) !== 0) {
      throw new KeyProviderError('KEY_PIN_LOCKED', 'token user pin is locked', {
        detail: { token: this.tokenLabel },
      });
    }
    if ((info.flags & CKF_USER_PIN_INITIALIZED) === 0) {
      throw new KeyProviderError('KEY_DEVICE_ERROR', 'token user pin is not initialised', {
        detail: { token: this.tokenLabel },
      });
    }
    if ((info.flags & CKF_LOGIN_REQUIRED) === 0) return;
    const protectedPath = (info.flags & CKF_PROTECTED_AUTHENTICATION_PATH) !== 0;
    if (given === undefined && !protectedPath) {
      throw new KeyProviderError('KEY_PIN_REQUIRED', 'token needs a pin (pin-source, pin-value or EVOUCHER_PIN)', {
        detail: { token: this.tokenLabel },
      });
    }
    const tag = pinTag(this.#slotKey, given);
    // The check of the shared table and C_Login run in one synchronous step of the queue, so two
    // providers opening the same token at once cannot both log in.
    await this.run((p11, session) => {
      const shared = this.module.logins.get(this.#slotKey);
      if (shared !== undefined) {
        // The token is logged in for the whole application already; a different PIN cannot be the
        // right one (the token accepted the first), so refuse it rather than ride on that login.
        if (!samePinTag(shared.pinTag, tag)) {
          throw new KeyProviderError('KEY_PIN_INCORRECT', 'token pin is incorrect', {
            detail: { token: this.tokenLabel },
          });
        }
        shared.refs += 1;
        this.#login = shared;
        return;
      }
      try {
        // A PIN pad is asked for with no PIN (PKCS#11 v2.40 §5.6: pPin NULL_PTR). pkcs11js takes only a
        // string and threw a TypeError for undefined before calling the token, so a PIN-pad token could
        // never open; an empty string is the nearest it can pass (a zero-length PIN, which OpenSC takes
        // as "use the pad").
        p11.C_Login(session, this.lib.CKU_USER, given ?? '');
        this.#register({ refs: 1, pinTag: tag, owned: true });
      } catch (cause) {
        if (ckrName(cause) === 'CKR_USER_ALREADY_LOGGED_IN') {
          // Logged in by code outside this registry: usable, but not ours to log out.
          this.#register({ refs: 1, pinTag: tag, owned: false });
          return;
        }
        throw this.#loginError(cause);
      }
    });
  }

  #register(login: SharedLogin): void {
    this.module.logins.set(this.#slotKey, login);
    this.#login = login;
  }

  #loginError(cause: unknown): KeyProviderError {
    const ckr = ckrName(cause);
    const detail: Record<string, string> = { token: this.tokenLabel };
    let flags = 0;
    try {
      flags = this.#tokenInfo().flags;
    } catch {
      // the flags only add detail
    }
    if (ckr === 'CKR_PIN_LOCKED' || (flags & CKF_USER_PIN_LOCKED) !== 0) {
      return new KeyProviderError('KEY_PIN_LOCKED', 'token user pin is locked', { detail, ckr: ckr ?? 'CKR_PIN_LOCKED' });
    }
    if (ckr === 'CKR_PIN_INCORRECT' || ckr === 'CKR_PIN_LEN_RANGE' || ckr === 'CKR_PIN_INVALID') {
      // PKCS#11 v2.40 §3.2: the token may warn that few retries remain.
      if ((flags & CKF_USER_PIN_FINAL_TRY) !== 0) detail['retries'] = 'final-try';
      else if ((flags & CKF_USER_PIN_COUNT_LOW) !== 0) detail['retries'] = 'low';
      // No cause: nothing about the attempt beyond the return value is kept.
      return new KeyProviderError('KEY_PIN_INCORRECT', 'token pin is incorrect', { detail, ckr });
    }
    return deviceError('C_Login', cause);
  }

  #tokenInfo(): Pkcs11Js.TokenInfo {
    try {
      return this.module.p11.C_GetTokenInfo(this.slot);
    } catch (cause) {
      throw deviceError('C_GetTokenInfo', cause);
    }
  }

  /**
   * Waits for queued work, logs out (when this is the last provider on the token), closes the
   * session and releases the module. Idempotent.
   *
   * @returns when everything is released
   */
  close(): Promise<void> {
    this.#closed ??= this.#queue.then(() => {
      const p11 = this.module.p11;
      const login = this.#login;
      this.#login = undefined;
      if (login !== undefined) {
        login.refs -= 1;
        if (login.refs === 0) {
          this.module.logins.delete(this.#slotKey);
          if (login.owned) {
            try {
              p11.C_Logout(this.#session);
            } catch {
              // best effort: the token may be gone
            }
          }
        }
      }
      try {
        p11.C_CloseSession(this.#session);
      } catch {
        // best effort
      }
      releaseModule(this.module);
    });
    return this.#closed;
  }
}

/**
 * Opens a session on the token a selector names and logs in.
 *
 * @param modulePath - the PKCS#11 library
 * @param selector - which token
 * @param pin - the user PIN (undefined only for PIN-pad tokens)
 * @returns a logged-in session; close it to log out and release the module
 * @throws KeyProviderError `KEY_MODULE_NOT_FOUND`, `KEY_TOKEN_ABSENT`, `KEY_AMBIGUOUS`, `KEY_PIN_*`,
 *   `KEY_DEVICE_ERROR`
 */
export async function openTokenSession(
  modulePath: string,
  selector: TokenSelector,
  pin: string | undefined,
): Promise<TokenSession> {
  const module = await acquireModule(modulePath);
  let session: TokenSession | undefined;
  try {
    const { slot, label } = findSlot(module, selector);
    let handle: Buffer;
    try {
      handle = module.p11.C_OpenSession(slot, module.lib.CKF_SERIAL_SESSION);
    } catch (cause) {
      throw deviceError('C_OpenSession', cause);
    }
    session = new TokenSession(module, slot, label, handle);
    await session.login(pin);
    return session;
  } catch (e) {
    if (session !== undefined) await session.close();
    else releaseModule(module);
    throw e;
  }
}

function findSlot(module: Pkcs11ModuleHandle, selector: TokenSelector): { slot: Buffer; label: string } {
  const { p11 } = module;
  const want = describe(selector);
  if (
    selector.libraryManufacturer !== undefined ||
    selector.libraryDescription !== undefined ||
    selector.libraryVersion !== undefined
  ) {
    let info: Pkcs11Js.ModuleInfo;
    try {
      info = p11.C_GetInfo();
    } catch (cause) {
      throw deviceError('C_GetInfo', cause);
    }
    const v = selector.libraryVersion;
    if (
      !matches(selector.libraryManufacturer, info.manufacturerID) ||
      !matches(selector.libraryDescription, info.libraryDescription) ||
      (v !== undefined && (v.major !== info.libraryVersion.major || v.minor !== info.libraryVersion.minor))
    ) {
      throw new KeyProviderError('KEY_TOKEN_ABSENT', 'pkcs11 library does not match the uri', { detail: want });
    }
  }
  let slots: Buffer[];
  try {
    slots = p11.C_GetSlotList(true);
  } catch (cause) {
    throw deviceError('C_GetSlotList', cause);
  }
  const found: { slot: Buffer; label: string }[] = [];
  for (const slot of slots) {
    let token: Pkcs11Js.TokenInfo;
    try {
      token = p11.C_GetTokenInfo(slot);
    } catch (cause) {
      // A token pulled out between the two calls is simply not there.
      if (ckrName(cause) === 'CKR_TOKEN_NOT_PRESENT' || ckrName(cause) === 'CKR_DEVICE_REMOVED') continue;
      throw deviceError('C_GetTokenInfo', cause);
    }
    // An uninitialised token (SoftHSM2's spare slot) holds no keys.
    if ((token.flags & CKF_TOKEN_INITIALIZED) === 0) continue;
    if (!matches(selector.token, token.label)) continue;
    if (!matches(selector.manufacturer, token.manufacturerID)) continue;
    if (!matches(selector.serial, token.serialNumber)) continue;
    if (!matches(selector.model, token.model)) continue;
    if (selector.slotId !== undefined && slotIdOf(slot) !== selector.slotId) continue;
    if (selector.slotDescription !== undefined || selector.slotManufacturer !== undefined) {
      let slotInfo: Pkcs11Js.SlotInfo;
      try {
        slotInfo = p11.C_GetSlotInfo(slot);
      } catch (cause) {
        throw deviceError('C_GetSlotInfo', cause);
      }
      if (!matches(selector.slotDescription, slotInfo.slotDescription)) continue;
      if (!matches(selector.slotManufacturer, slotInfo.manufacturerID)) continue;
    }
    found.push({ slot, label: unpad(token.label) });
  }
  const first = found[0];
  if (first === undefined) {
    throw new KeyProviderError('KEY_TOKEN_ABSENT', 'no token matches the uri', { detail: want });
  }
  if (found.length > 1) {
    throw new KeyProviderError('KEY_AMBIGUOUS', 'several tokens match the uri; add token= or serial=', {
      detail: Object.assign({}, want, { matches: String(found.length) }),
    });
  }
  return first;
}

/** CK_UTF8CHAR fields are blank-padded (PKCS#11 v2.40 §3.2); compare without the padding. */
function unpad(s: string): string {
  return s.replace(/[\u0000 ]+$/u, '');
}

function matches(want: string | undefined, have: string): boolean {
  return want === undefined || unpad(want) === unpad(have);
}

function slotIdOf(slot: Buffer): number {
  // pkcs11js hands out CK_SLOT_ID as a native-endian CK_ULONG buffer.
  if (slot.length === 8) return Number(slot.readBigUInt64LE(0));
  if (slot.length === 4) return slot.readUInt32LE(0);
  return -1;
}

/**
 * The URI values an error about the token names. They may hold a `pin-value` typed with the wrong
 * separator (`token=t&pin-value=…`): KeyProviderError redacts it from every detail value.
 */
function describe(selector: TokenSelector): Record<string, string> {
  const out: Record<string, string> = {};
  if (selector.token !== undefined) out['token'] = selector.token;
  if (selector.serial !== undefined) out['serial'] = selector.serial;
  if (selector.slotId !== undefined) out['slotId'] = String(selector.slotId);
  return out;
}
