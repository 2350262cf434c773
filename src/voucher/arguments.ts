/**
 * The arguments of the public voucher functions, as a JavaScript (or Java glue) caller may get them wrong: a
 * coded `ARG_INVALID`, never a `TypeError` from deep inside. Each check is O(1) but for a voucher's detail
 * lines, which the function then reads anyway.
 */
import { EvoucherError } from '../errors.js';

/**
 * Whether an argument is an object that is not an array (options, a voucher's fields, a set of values).
 *
 * @param x - the caller's value.
 * @returns true for such an object.
 */
export function isObject(x: unknown): x is object {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Refuses an options argument that is given but is not an object (`null`, a number, an array).
 *
 * @param options - the caller's options.
 * @param fn - the function, for the message.
 * @throws EvoucherError `ARG_INVALID`.
 */
export function checkOptionsArgument(options: unknown, fn: string): void {
  if (options !== undefined && !isObject(options)) throw new EvoucherError('ARG_INVALID', `${fn} options must be an object`, { detail: { argument: 'options' } });
}

/**
 * Refuses a voucher argument that does not have the shape of a `Voucher` (an object with `fields`, an object,
 * and `details`, an array of objects); the VtCode is checked by the catalogue look-up.
 *
 * @param v - the caller's voucher.
 * @param what - how the function names it, for the message.
 * @throws EvoucherError `ARG_INVALID`.
 */
export function checkVoucherArgument(v: unknown, what: string): void {
  const bad = (): never => {
    throw new EvoucherError('ARG_INVALID', `${what} must be a voucher (from buildVoucher or parseVoucher)`, { detail: { argument: what } });
  };
  if (!isObject(v)) return bad();
  const { fields, details } = v as { fields?: unknown; details?: unknown };
  if (!isObject(fields) || !Array.isArray(details)) return bad();
  for (const d of details as unknown[]) if (!isObject(d)) bad();
}

/**
 * The accepted values of an option as a message lists them: `'a' or 'b'`, `'a', 'b' or 'c'`.
 *
 * @param allowed - the values.
 * @returns the list.
 */
export function listValues(allowed: readonly string[]): string {
  const q = allowed.map((a) => `'${a}'`);
  return q.length <= 1 ? (q[0] ?? '') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1] as string}`;
}

/**
 * Refuses an option of a fixed set of values given with another one. `undefined` is the default; any other value
 * (`null`, another case, a misspelling) is refused, never read as the default or as the nearest value.
 *
 * @param value - the caller's value.
 * @param allowed - the values the option accepts.
 * @param fn - the function, for the message.
 * @param option - the option's name, for the message and `detail.option`.
 * @throws EvoucherError `ARG_INVALID` naming the option and the values it accepts.
 */
export function checkOptionValue(value: unknown, allowed: readonly string[], fn: string, option: string): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    throw new EvoucherError('ARG_INVALID', `${fn} ${option} must be ${listValues(allowed)}`, { detail: { option } });
  }
}
