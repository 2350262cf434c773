/**
 * Receipt checks (design.md §4): a receipt body keeps the exact original bytes; the original parses and passes
 * the original-view rules; the receipt differs from the original only in X-fields (`diffVouchers`). That the
 * original seals are valid over the original bytes, and that the receipt seals chain onto them, is proven by
 * the seal checks: their recomputed to-be-sealed structures bind those bytes and seals.
 */
import { diffVouchers, type EnvelopeBody } from '../../voucher/index.js';
import { failed, passed, skipped, type ReportCheck } from '../report.js';
import { failedFrom } from './guard.js';
import { parseCheck, rulesCheck } from './voucher.js';

/** How many forbidden differences a message names. */
const MAX_DIFFS_NAMED = 5;

/**
 * The checks of a receipt body (VoucherFlag 1): `original`, `original-rules`, `receipt-diff`.
 *
 * @param body - a receipt body.
 * @param at - the validation time.
 * @returns the three checks.
 */
export function receiptChecks(body: EnvelopeBody, at: Date): ReportCheck[] {
  if (body.originalVoucherBytes === undefined) {
    return [
      failed('original', 'VERIFY_ORIGINAL_MISSING', 'the receipt carries no <OriginalVoucher>; its original seals and X-field changes cannot be checked'),
      skipped('original-rules', 'no original voucher'),
      skipped('receipt-diff', 'no original voucher'),
    ];
  }
  const original = body.originalVoucher;
  const err = body.originalVoucherError;
  const checks: ReportCheck[] = [
    parseCheck('original', original, err === undefined ? undefined : { code: err.code, message: err.message }),
    rulesCheck('original-rules', original, 'original', at),
  ];
  const receipt = body.voucher;
  if (original === undefined || receipt === undefined) {
    checks.push(skipped('receipt-diff', 'the original or the receipt could not be read'));
    return checks;
  }
  let diffs: ReturnType<typeof diffVouchers>;
  try {
    diffs = diffVouchers(original, receipt);
  } catch (e) {
    checks.push(failedFrom('receipt-diff', e));
    return checks;
  }
  const forbidden = diffs.filter((d) => !d.x);
  if (forbidden.length > 0) {
    const named = forbidden.slice(0, MAX_DIFFS_NAMED).map((d) => d.path);
    const more = forbidden.length > MAX_DIFFS_NAMED ? ` and ${forbidden.length - MAX_DIFFS_NAMED} more` : '';
    checks.push(
      failed('receipt-diff', 'VOUCHER_RECEIPT_FIELD_FORBIDDEN', `the receipt changes non-X elements of the original: ${named.join(', ')}${more}`, {
        paths: forbidden.slice(0, 50).map((d) => d.path).join(','),
      }),
    );
  } else {
    checks.push(passed('receipt-diff', diffs.length === 0 ? 'the receipt equals the original' : `the receipt differs from the original only in X-fields: ${diffs.slice(0, 10).map((d) => d.path).join(', ')}`));
  }
  return checks;
}
