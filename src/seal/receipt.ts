/**
 * Receipts (回单, design.md §4): the processing party fills the X-fields of a fully sealed original and seals
 * the receipt. The receipt body keeps the exact original bytes (`<OriginalVoucher>`) and the original seals,
 * and carries the receipt bytes in `<Voucher>` with VoucherFlag 1. Receipt-view seals then chain onto the
 * original seals (their to-be-sealed structure binds the original seals' digests and both voucher digests),
 * so a verifier can prove: the original seals are valid over the original, the receipt differs from the
 * original only in X-fields, and the receipt seals are valid and chained to the original seals.
 */
import { EvoucherError } from '../errors.js';
import { fillReceipt, serializeVoucher, validateVoucher, VoucherValidationError } from '../voucher/index.js';
import { openBody, writeBody } from './apply.js';
import { bodyView } from './chain.js';
import { evaluateCompleteness, resolvePolicy, type SealPolicy } from './policy.js';

/** Options of {@link createReceipt}. */
export interface CreateReceiptOptions {
  /** Main X-fields to fill, e.g. `{ XPayDate: '20261128', XPayAmt: '100.00' }`; default none. */
  readonly set?: Readonly<Record<string, string>>;
  /** Per detail line (by index), the X-fields to fill. */
  readonly detailSet?: readonly Readonly<Record<string, string>>[];
  /** Index of the `VoucherBody`; default 0. */
  readonly body?: number;
  /** The policy that decides whether the original view is complete; default the built-in positions. */
  readonly policy?: SealPolicy;
  /** The clock for "not in the future" checks of dates; default now. */
  readonly now?: Date;
}

/**
 * Turns a fully sealed original body into a receipt body: fills the X-fields, keeps the original bytes and
 * seals, and sets VoucherFlag 1. Seal the receipt positions next with `sealVoucher`.
 *
 * It does not verify the original seals (that needs trust anchors: run the verifier first); it does
 * require the original view to be complete under the policy, since only a sent original gets a receipt.
 *
 * @param envelope - the MOF envelope bytes.
 * @param options - the X-field values, body index, policy.
 * @returns the new envelope bytes.
 * @throws EvoucherError `SEAL_RECEIPT_EXISTS` (the body already is a receipt), `POLICY_RECEIPT_UNSEALED` (the
 *   policy has no receipt-view position for the type, so no seal could cover the receipt: it could never
 *   verify), `POLICY_INCOMPLETE` (a required
 *   original position is not sealed), `VOUCHER_RECEIPT_FIELD_FORBIDDEN` (a non-X or unknown field, or a detail
 *   index beyond the details), `VOUCHER_INVALID` (a malformed value, or the receipt breaks the receipt-view rules,
 *   e.g. a required X-field left empty; a `VoucherValidationError` with every issue), `ARG_INVALID`, envelope parse codes.
 * @example
 * const receipt = createReceipt(envelope, { set: { XPayDate: '20261128', XPayAmt: '100.00' } })
 */
export function createReceipt(envelope: Uint8Array, options: CreateReceiptOptions = {}): Uint8Array {
  if (typeof options !== 'object' || options === null) throw new EvoucherError('ARG_INVALID', 'createReceipt options must be an object');
  if (options.set !== undefined && (typeof options.set !== 'object' || options.set === null || Array.isArray(options.set))) {
    throw new EvoucherError('ARG_INVALID', 'createReceipt set must be an object of X-field values', { detail: { option: 'set' } });
  }
  if (options.now !== undefined && !(options.now instanceof Date && !Number.isNaN(options.now.getTime()))) {
    throw new EvoucherError('ARG_INVALID', 'createReceipt now must be a valid Date', { detail: { option: 'now' } });
  }
  if (options.detailSet !== undefined && (!Array.isArray(options.detailSet) || !options.detailSet.every((d) => typeof d === 'object' && d !== null && !Array.isArray(d)))) {
    throw new EvoucherError('ARG_INVALID', 'createReceipt detailSet must be an array of objects (one per detail line)', { detail: { option: 'detailSet' } });
  }
  const { env, body, index } = openBody(envelope, options.body);
  if (bodyView(body) === 'receipt') {
    throw new EvoucherError('SEAL_RECEIPT_EXISTS', 'the body already is a receipt (VoucherFlag 1)', { detail: { body: String(index) } });
  }
  if (body.voucherError !== undefined) throw body.voucherError;
  const original = body.voucher;
  if (original === undefined) throw new EvoucherError('ENVELOPE_MALFORMED', 'the voucher of the body was not parsed');
  const resolved = resolvePolicy(original.vtCode, original.fields['AdmDivCode'], options.policy);
  if (!resolved.positions.some((p) => p.view === 'receipt')) {
    throw new EvoucherError(
      'POLICY_RECEIPT_UNSEALED',
      `voucher type ${original.vtCode} has no receipt-view position under the ${resolved.source} policy: no seal could cover the receipt's X-fields, so it could never verify (a policy can add one)`,
    );
  }
  const completeness = evaluateCompleteness(body.stamps, resolved, 'original');
  if (!completeness.complete) {
    throw new EvoucherError('POLICY_INCOMPLETE', `the original is not fully sealed (${completeness.originalUnsealed ? 'no seal at all; ' : ''}missing: ${completeness.missing.join(', ') || 'none'}${completeness.duplicates.length > 0 ? `; duplicated: ${completeness.duplicates.join(', ')}` : ''}${completeness.unknown.length > 0 ? `; unknown: ${completeness.unknown.join(', ')}` : ''})`, {
      detail: { missing: completeness.missing.join(',') },
    });
  }
  const now = options.now === undefined ? {} : { now: options.now };
  const receipt = fillReceipt(original, options.set ?? {}, options.detailSet ?? [], now);
  // The receipt view has its own rules (the X-fields it needs must be filled): refuse a receipt the verifier
  // would reject rather than seal it.
  const issues = validateVoucher(receipt, { view: 'receipt', ...now });
  if (issues.length > 0) throw new VoucherValidationError(issues, original.vtCode);
  const receiptBytes = serializeVoucher(receipt, { encoding: original.encoding });
  return writeBody(env, index, body.stamps, {
    voucherFlag: '1',
    voucherBytes: receiptBytes,
    originalVoucherBytes: body.voucherBytes,
  });
}
