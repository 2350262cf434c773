/**
 * Runs one check so that it can never throw: a coded error becomes a failed check with its code, anything
 * else a failed check with `VERIFY_INTERNAL_ERROR` (security.md §1.10: "one seal throws internally ⇒ overall
 * not VALID, with that seal's reason; the verifier itself never throws").
 */
import { clipText } from '../../encoding/charset.js';
import { EvoucherError } from '../../errors.js';
import { failed, type ReportCheck } from '../report.js';

/** The message of an unknown thrown value, bounded (never a payload dump). */
export function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.length > 300 ? `${clipText(m, 300)}...` : m;
}

/**
 * The failed check for a thrown value.
 *
 * @param check - the check name.
 * @param e - what was thrown.
 * @returns a failed check: the error's code, or `VERIFY_INTERNAL_ERROR`.
 */
export function failedFrom(check: string, e: unknown): ReportCheck {
  if (e instanceof EvoucherError) return failed(check, e.code, messageOf(e));
  return failed(check, 'VERIFY_INTERNAL_ERROR', `internal error: ${messageOf(e)}`);
}

/**
 * Runs `fn`; a throw becomes one failed check named `check`.
 *
 * @param check - the name of the check `fn` makes.
 * @param fn - the check.
 * @returns what `fn` returned, or the failed check(s).
 */
export function guard(check: string, fn: () => ReportCheck | readonly ReportCheck[]): ReportCheck[] {
  try {
    const r = fn();
    return Array.isArray(r) ? [...(r as readonly ReportCheck[])] : [r as ReportCheck];
  } catch (e) {
    return [failedFrom(check, e)];
  }
}
