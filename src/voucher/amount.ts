/**
 * Exact decimal amounts. Amounts are strings with exactly two decimals and are never converted to
 * floating point: `0.1 + 0.2` is not `0.3` in a double, and a treasury total must be exact. Sums use
 * BigInt cents.
 */
import { EvoucherError } from '../errors.js';

/** An amount: optional `-`, 1–15 integer digits without leading zeros, `.`, 2 decimals (domain.md §3). */
export const AMOUNT_PATTERN = /^-?(0|[1-9][0-9]{0,14})\.[0-9]{2}$/;

/**
 * Tells whether a string is a well-formed amount (`-0.00` is not: zero has no sign).
 *
 * @param s - the text.
 * @returns true for e.g. `8979.05`, `-12.00`, `0.00`.
 * @example isAmount('100.00') // true
 */
export function isAmount(s: string): boolean {
  return AMOUNT_PATTERN.test(s) && s !== '-0.00';
}

/**
 * Converts a well-formed amount to cents.
 *
 * @param s - a string accepted by {@link isAmount}.
 * @returns the amount in cents.
 * @throws EvoucherError `ARG_INVALID` for anything {@link isAmount} refuses (`1.5` would read as 15 cents).
 * @example amountToCents('-1.05') // -105n
 */
export function amountToCents(s: string): bigint {
  if (typeof s !== 'string' || !isAmount(s)) throw new EvoucherError('ARG_INVALID', 'not an amount ([-]digits.dd)', { detail: { argument: 'amount' } });
  return centsOfAmount(s);
}

/**
 * Internal: {@link amountToCents} of an amount the caller has already checked with {@link isAmount} (the
 * validator, once per amount element: no second pattern test).
 *
 * @param s - a string accepted by {@link isAmount}.
 * @returns the amount in cents.
 */
export function centsOfAmount(s: string): bigint {
  const neg = s.startsWith('-');
  const digits = (neg ? s.slice(1) : s).replace('.', '');
  const v = BigInt(digits);
  return neg ? -v : v;
}

/**
 * Formats cents as an amount string (a sign only when negative).
 *
 * @param cents - the amount in cents.
 * @returns e.g. `-1.05`.
 * @throws EvoucherError `ARG_INVALID` when `cents` is not a bigint (`1.5` would write `1..5`).
 * @example centsToAmount(105n) // '1.05'
 */
export function centsToAmount(cents: bigint): string {
  if (typeof cents !== 'bigint') throw new EvoucherError('ARG_INVALID', 'cents must be a bigint', { detail: { argument: 'cents' } });
  const neg = cents < 0n;
  const abs = (neg ? -cents : cents).toString().padStart(3, '0');
  return `${neg ? '-' : ''}${abs.slice(0, -2)}.${abs.slice(-2)}`;
}
