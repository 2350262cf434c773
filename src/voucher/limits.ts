/**
 * Caller-given reader limits merged with the defaults. A limit that is not a positive integer (`NaN`,
 * `undefined` spelled out, `-1`, `'10'`) or a name that is no limit (`maxDeph`) is a usage error: a bound that
 * compares false against everything would switch the check off, and a misspelt one would leave the default
 * where the caller meant another.
 */
import { EvoucherError } from '../errors.js';

/**
 * `defaults` with the limits `given` in their place (a limit given as `undefined` keeps its default); keys whose
 * default is an object (the envelope's `voucher`) are left for the caller to merge.
 *
 * @param defaults - the default limits.
 * @param given - the caller's limits, or `undefined`.
 * @param name - how the caller names them, for messages (`options.limits`).
 * @returns the merged limits (the defaults themselves when none are given).
 * @throws EvoucherError `ARG_INVALID` for a non-object, an unknown name, or a value that is not a positive safe integer.
 * @example mergeLimits(DEFAULT_XML_LIMITS, { maxDepth: 64 }, 'options.limits').maxDepth // 64
 */
export function mergeLimits<T extends object>(defaults: T, given: unknown, name: string): T {
  if (given === undefined) return defaults;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new EvoucherError('ARG_INVALID', `${name} must be an object`);
  const out: Record<string, unknown> = Object.assign({}, defaults) as Record<string, unknown>;
  for (const [key, value] of Object.entries(given)) {
    if (!Object.hasOwn(defaults, key)) throw new EvoucherError('ARG_INVALID', `${name}.${key} is not a limit`, { detail: { option: `${name}.${key}` } });
    if (value === undefined || typeof out[key] === 'object') continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new EvoucherError('ARG_INVALID', `${name}.${key} must be a positive integer`, { detail: { option: `${name}.${key}` } });
    }
    out[key] = value;
  }
  return out as T;
}
