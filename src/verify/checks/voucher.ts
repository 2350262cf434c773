/**
 * Voucher checks: the voucher bytes parse under the hardened reader and pass the catalogue's business rules
 * for their view; and the summary of the verified voucher (identity, amount, payee, digest), read only from
 * those bytes (security.md §1.1, §1.9).
 */
import { digest } from '../../crypto/index.js';
import type { Digester } from '../../crypto/digest_memo.js';
import { getVoucherType, validateVoucher, type EnvelopeBody, type Voucher } from '../../voucher/index.js';
import { hex } from '../util.js';
import { failed, passed, skipped, type ReportCheck, type VoucherSummary } from '../report.js';
import { failedFrom } from './guard.js';

/** How many validation issues a message names (the rest are counted). */
const MAX_ISSUES_NAMED = 5;

/**
 * The voucher bytes of the body parse (strict XML: no DTD, comments, PIs, CDATA, namespaces; catalogue
 * elements only, each once).
 *
 * @param body - the body.
 * @param check - the check name (`voucher`, or `original` for a receipt's original).
 * @param voucher - the parsed voucher, if any.
 * @param error - the parse error, if any.
 * @returns the check.
 */
export function parseCheck(check: string, voucher: Voucher | undefined, error: { code: ReportCheck['code']; message: string } | undefined): ReportCheck {
  if (voucher !== undefined) return passed(check, `voucher type ${voucher.vtCode} (${voucher.encoding}) parses`);
  if (error?.code !== undefined) return failed(check, error.code, error.message);
  return failed(check, 'ENVELOPE_MALFORMED', 'the voucher bytes could not be read');
}

/**
 * The catalogue's business rules for the view (`validateVoucher`).
 *
 * @param check - the check name.
 * @param voucher - the parsed voucher, if any.
 * @param view - `original` (X-fields empty) or `receipt` (required X-fields filled).
 * @param at - the validation time (the clock of "not in the future" rules).
 * @returns the check; failed with `VOUCHER_INVALID` and `detail.issues` (the rule codes), or with the thrown code
 *   (`VERIFY_INTERNAL_ERROR` for an unexpected exception: the other checks and the seals still run).
 */
export function rulesCheck(check: string, voucher: Voucher | undefined, view: 'original' | 'receipt', at: Date): ReportCheck {
  if (voucher === undefined) return skipped(check, 'the voucher could not be read');
  let issues: ReturnType<typeof validateVoucher>;
  try {
    issues = validateVoucher(voucher, { view, now: at });
  } catch (e) {
    return failedFrom(check, e);
  }
  if (issues.length === 0) return passed(check, `passes the ${voucher.vtCode} rules for the ${view} view`);
  const named = issues.slice(0, MAX_ISSUES_NAMED).map((i) => `${i.path || '(voucher)'}: ${i.code}`);
  const more = issues.length > MAX_ISSUES_NAMED ? ` and ${issues.length - MAX_ISSUES_NAMED} more` : '';
  return failed(check, 'VOUCHER_INVALID', `breaks the ${voucher.vtCode} rules for the ${view} view: ${named.join('; ')}${more}`, {
    issues: [...new Set(issues.map((i) => i.code))].join(','),
    paths: issues.slice(0, 50).map((i) => i.path).join(','),
  });
}

function mainAmount(v: Voucher): string | undefined {
  try {
    const def = getVoucherType(v.vtCode);
    const total = def.totals[0]?.field;
    if (total !== undefined && v.fields[total] !== undefined) return v.fields[total];
    const first = def.fields.find((f) => f.type === 'amount' && !f.x && v.fields[f.name] !== undefined);
    return first === undefined ? undefined : v.fields[first.name];
  } catch {
    return undefined;
  }
}

/**
 * The amount the processing party reports in a receipt: the type's main X amount field (`XPayAmt`, `XSumAmt`),
 * `0.00` for a failed payment. Undefined when the type has none or it is not filled.
 */
function processedAmount(v: Voucher): string | undefined {
  try {
    const field = getVoucherType(v.vtCode).fields.find((f) => f.x && f.type === 'amount');
    const value = field === undefined ? undefined : v.fields[field.name];
    return value === '' ? undefined : value;
  } catch {
    return undefined;
  }
}

/**
 * The summary of the verified voucher, read only from the parsed voucher bytes of the body's view.
 *
 * @param body - the body.
 * @param hash - the body's digest function (default `digest`).
 * @returns the summary, or undefined when the voucher could not be read.
 */
export function summarizeVoucher(body: EnvelopeBody, hash: Digester = digest): VoucherSummary | undefined {
  const v = body.voucher;
  if (v === undefined) return undefined;
  const f = v.fields;
  const amount = mainAmount(v);
  // A receipt's `amount` is still the requested total (a non-X field, equal to the original's); what was paid
  // is its X amount, reported apart so that a failed payment (XPayAmt 0.00) is not read as paid.
  const processed = body.voucherFlag === '1' ? processedAmount(v) : undefined;
  const name = f['PayeeAcctName'];
  const account = f['PayeeAcctNo'];
  let payee: { name?: string; account?: string } | undefined;
  if (name !== undefined || account !== undefined) {
    payee = {};
    if (name !== undefined) payee.name = name;
    if (account !== undefined) payee.account = account;
  }
  return {
    admDivCode: f['AdmDivCode'] ?? '',
    stYear: f['StYear'] ?? '',
    vtCode: f['VtCode'] ?? v.vtCode,
    voucherNo: f['VoucherNo'] ?? '',
    ...(amount === undefined ? {} : { amount }),
    ...(processed === undefined ? {} : { processedAmount: processed }),
    ...(payee === undefined ? {} : { payee }),
    view: body.voucherFlag === '1' ? 'receipt' : 'original',
    digest: hex(hash('sha256', body.voucherBytes)),
    ...(body.originalVoucherBytes === undefined ? {} : { originalDigest: hex(hash('sha256', body.originalVoucherBytes)) }),
  };
}
