/**
 * The error type of the key providers: an {@link EvoucherError} that may also carry the PKCS#11
 * return value name (`CKR_*`) of the device call that failed.
 */
import { EvoucherError } from '../errors.js';
import type { ErrorCode, EvoucherErrorOptions } from '../errors.js';

/** Options of {@link KeyProviderError}. */
export interface KeyProviderErrorOptions extends EvoucherErrorOptions {
  /** The PKCS#11 return value name, e.g. `CKR_DEVICE_ERROR`. Also copied to `detail.ckr`. */
  readonly ckr?: string;
}

/**
 * A key-provider failure. `code` is one of the `KEY_*` codes (or an `ARG_*`/`CRYPTO_*` code for
 * bad arguments and keys); `ckr` names the PKCS#11 return value when a device call failed.
 *
 * The message and `detail` never hold a PIN, a password or key bytes.
 *
 * @example
 * try { await openKeyProvider(uri) } catch (e) {
 *   if (e instanceof KeyProviderError && e.code === 'KEY_PIN_INCORRECT') askAgain()
 * }
 */
export class KeyProviderError extends EvoucherError {
  /** The PKCS#11 return value name (`CKR_*`) of the failing device call, if any. */
  readonly ckr: string | undefined;

  constructor(code: ErrorCode, message: string, options: KeyProviderErrorOptions = {}) {
    const detail: Record<string, string> = { ...(options.detail ?? {}) };
    if (options.ckr !== undefined) detail['ckr'] = options.ckr;
    super(code, message, options.cause === undefined ? { detail } : { cause: options.cause, detail });
    this.name = 'KeyProviderError';
    this.ckr = options.ckr;
  }
}
