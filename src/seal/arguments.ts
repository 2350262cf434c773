/**
 * The options of the seal makers (`makeSeal`, `makeSesSignature`, `makeSesStamp`, `makeCmsStamp`), as a
 * JavaScript caller may get them wrong: a coded `ARG_INVALID` (the promise rejects), never a `TypeError` from
 * deep inside.
 */
import { EvoucherError } from '../errors.js';

/** What one maker requires of its options. */
export interface MakerArguments {
  /** The option that holds the key provider. */
  readonly key: string;
  /** Options that must be bytes. */
  readonly bytes?: readonly string[];
  /** Options that must be valid Dates. */
  readonly dates?: readonly string[];
  /** Options that may be left out, and must be bytes when given (`null` is not left out). */
  readonly optionalBytes?: readonly string[];
  /** Options that may be left out, and must be arrays of bytes (DER certificates) when given. */
  readonly optionalChains?: readonly string[];
}

/**
 * Checks a maker's options object, its key provider, its required bytes and dates and its optional bytes.
 *
 * @param options - the caller's options.
 * @param fn - the function, for messages.
 * @param spec - what it requires.
 * @throws EvoucherError `ARG_INVALID`, `detail.option` naming the option.
 */
export function checkMakerArguments(options: unknown, fn: string, spec: MakerArguments): void {
  const bad = (option: string, what: string): never => {
    throw new EvoucherError('ARG_INVALID', `${fn} ${option} must be ${what}`, { detail: { option } });
  };
  if (typeof options !== 'object' || options === null) return bad('options', 'an object');
  const o = options as Record<string, unknown>;
  const key = o[spec.key] as Record<string, unknown> | null | undefined;
  if (typeof key !== 'object' || key === null || typeof key['certificate'] !== 'function' || typeof key['sign'] !== 'function' || typeof key['algorithm'] !== 'string') {
    bad(spec.key, 'a KeyProvider (algorithm, certificate(), sign())');
  }
  for (const b of spec.bytes ?? []) if (!(o[b] instanceof Uint8Array)) bad(b, 'a Uint8Array');
  for (const d of spec.dates ?? []) {
    const v = o[d];
    if (!(v instanceof Date) || Number.isNaN(v.getTime())) bad(d, 'a valid Date');
  }
  // Given as null, each would have been read as left out (the key's own certificate or chain) without a word.
  for (const b of spec.optionalBytes ?? []) if (o[b] !== undefined && !(o[b] instanceof Uint8Array)) bad(b, 'a Uint8Array, or left out');
  for (const c of spec.optionalChains ?? []) {
    const v = o[c];
    if (v !== undefined && !(Array.isArray(v) && v.every((x) => x instanceof Uint8Array))) bad(c, 'an array of DER certificates (Uint8Array), or left out');
  }
}
