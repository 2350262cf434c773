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
 * The message and `detail` never hold a PIN, a password or key bytes: a `pin-value=…` written
 * into another attribute of a URI (see {@link redactUriSecrets}) is redacted from the message,
 * from every `detail` value and from the `cause`.
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
    // Redacted here, once for every error of the key providers, rather than at each place that
    // puts a path, a label or a library's message into an error: a place forgotten would leak.
    const detail: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.detail ?? {})) detail[k] = redactUriSecrets(v);
    if (options.ckr !== undefined) detail['ckr'] = options.ckr;
    const safeMessage = redactUriSecrets(message);
    super(code, safeMessage, options.cause === undefined ? { detail } : { cause: redactCause(options.cause), detail });
    this.name = 'KeyProviderError';
    this.ckr = options.ckr;
  }
}

// `pin-value=` and what follows up to the next URI separator. No nested quantifier: linear on any input.
const PIN_VALUE = /pin-value=[^;&?]*/giu;

/**
 * Removes what looks like a PIN from a text taken from a key URI. A `pin-value` written with the
 * wrong separator (`pkcs11:token=t&pin-value=1234;object=k`, or a second `?` after
 * `module-path=…`) is not an attribute of its own but part of the value before it, which ends up
 * in an error as a token label, a module path or a file path. Every `pin-value=…` (any case), up
 * to the next `;`, `&`, `?` or the end, becomes `pin-value=(redacted)`. A PIN that itself holds
 * one of those characters (percent-encoded in the URI) is cut at it; the rest of the text is
 * kept so that the operator can still see which attribute was wrong.
 *
 * @param text - a path, label or message that may come from a key URI
 * @returns the text without PIN values
 * @example
 * redactUriSecrets('t&pin-value=1234') // 't&pin-value=(redacted)'
 */
export function redactUriSecrets(text: string): string {
  return text.replace(PIN_VALUE, 'pin-value=(redacted)');
}

/** True when a text holds a `pin-value=`. */
function holdsPinValue(text: unknown): boolean {
  return typeof text === 'string' && /pin-value=/iu.test(text);
}

/** Most causes followed when looking for a PIN in a cause chain. */
const MAX_CAUSE_DEPTH = 8;

/**
 * The cause to keep in a key-provider error. Node's file errors carry the path in their message
 * and in `path`/`dest`; a library's load error names the file. When any of those (in the cause or
 * its own causes) holds a `pin-value=`, the cause is replaced by a plain `Error` with the redacted
 * message and the same `code`, `errno` and `syscall`, and the chain below it is dropped; any
 * other cause is kept as it is.
 *
 * @param cause - what a file, module or device call threw
 * @returns the cause, or its redacted stand-in
 */
export function redactCause(cause: unknown): unknown {
  if (typeof cause === 'string') return redactUriSecrets(cause);
  if (!(cause instanceof Error)) return cause;
  let leaks = false;
  let e: unknown = cause;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && e instanceof Error && !leaks; depth++) {
    const fields = e as Error & { readonly path?: unknown; readonly dest?: unknown };
    leaks = [fields.message, fields.stack, fields.path, fields.dest].some(holdsPinValue);
    e = fields.cause;
  }
  if (!leaks && typeof e === 'string') leaks = holdsPinValue(e);
  if (!leaks) return cause;
  const original = cause as Error & { readonly code?: unknown; readonly errno?: unknown; readonly syscall?: unknown };
  const safe = new Error(redactUriSecrets(original.message)) as Error & { code?: unknown; errno?: unknown; syscall?: unknown };
  safe.name = original.name;
  // The error codes tell what went wrong (ENOENT, a dlopen failure) and hold no text of the URI.
  if (typeof original.code === 'string') safe.code = original.code;
  if (typeof original.errno === 'number') safe.errno = original.errno;
  if (typeof original.syscall === 'string') safe.syscall = original.syscall;
  return safe;
}
