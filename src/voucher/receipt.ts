/**
 * Receipts (回单): the processing party fills the X-fields of an original (design.md §4, domain.md §3).
 * A receipt may differ from its original only in X-fields; {@link diffVouchers} shows every difference
 * and marks which are allowed.
 */
import { EvoucherError } from '../errors.js';
import { checkOptionsArgument, checkVoucherArgument, isObject } from './arguments.js';
import { getVoucherType } from './catalogue/index.js';
import { VoucherValidationError, writtenForm } from './build.js';
import type { FieldDef, ValidationIssue, Voucher } from './types.js';
import { checkField, todayCst } from './validate.js';

function forbidden(path: string, why: string): never {
  throw new EvoucherError('VOUCHER_RECEIPT_FIELD_FORBIDDEN', `${path} ${why}; a receipt may set X-fields only`, { detail: { path } });
}

function apply(
  fields: readonly FieldDef[],
  base: Readonly<Record<string, string>>,
  set: Readonly<Record<string, string>>,
  where: string,
  issues: ValidationIssue[],
  today: string,
): Record<string, string> {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const merged: Record<string, string> = { ...base };
  for (const [k, v] of Object.entries(set)) {
    const fd = byName.get(k);
    if (fd === undefined) forbidden(`${where}${k}`, 'is not an element of this voucher type');
    if (!fd.x) forbidden(`${where}${k}`, 'is not an X-field');
    if (typeof v !== 'string') {
      issues.push({ path: `${where}${k}`, code: 'VOUCHER_FIELD_TYPE', message: `${where}${k} must be a string` });
      continue;
    }
    // As the builder takes them: a date may be given as yyyy-MM-dd and is written yyyyMMdd (domain.md §3).
    const w = writtenForm(fd, v);
    issues.push(...checkField(fd, w, `${where}${k}`, 'receipt', today));
    merged[k] = w;
  }
  // Keep catalogue order, so the receipt serializes canonically.
  const out: Record<string, string> = {};
  for (const fd of fields) {
    const v = merged[fd.name];
    if (v !== undefined) out[fd.name] = v;
  }
  return out;
}

/**
 * Fills the X-fields of an original to make its receipt (回单).
 *
 * @param original - the original voucher.
 * @param set - main X-fields to set, e.g. `{ XPayDate: '20261128', XPayAmt: '100.00' }`.
 * @param detailSet - per detail line (by index), the X-fields to set; may be shorter than the details.
 * @param options - `now`: the clock for "not in the future" checks.
 * @returns the receipt voucher; everything but the given X-fields is the original's.
 * @throws EvoucherError `VOUCHER_RECEIPT_FIELD_FORBIDDEN` for a non-X or unknown element or a detail index
 *   beyond the details; {@link VoucherValidationError} (`VOUCHER_INVALID`) for a malformed value; `ARG_INVALID`
 *   when `options.now` is not a valid Date, or an argument has the wrong type.
 * @example const receipt = fillReceipt(original, { XPayDate: '20261128', XPayAmt: '100.00' });
 */
export function fillReceipt(
  original: Voucher,
  set: Readonly<Record<string, string>>,
  detailSet: readonly Readonly<Record<string, string>>[] = [],
  options: { readonly now?: Date } = {},
): Voucher {
  checkVoucherArgument(original, 'the original voucher');
  if (!isObject(set)) throw new EvoucherError('ARG_INVALID', 'fillReceipt set must be an object of X-field values', { detail: { argument: 'set' } });
  if (!Array.isArray(detailSet as unknown) || !detailSet.every(isObject)) {
    throw new EvoucherError('ARG_INVALID', 'fillReceipt detailSet must be an array of objects (one per detail line)', { detail: { argument: 'detailSet' } });
  }
  checkOptionsArgument(options, 'fillReceipt');
  const def = getVoucherType(original.vtCode);
  // `null` is no clock: only a missing `now` reads the clock (todayCst refuses anything but a valid Date).
  const today = todayCst(options.now === undefined ? new Date() : options.now);
  if (detailSet.length > original.details.length) {
    // The last line given, which is the one asked for (`--detail-set 9999:…`), not the first line past the end.
    forbidden(`DetailList[${detailSet.length - 1}]`, 'does not exist in the original');
  }
  const issues: ValidationIssue[] = [];
  const fields = apply(def.fields, original.fields, set, '', issues, today);
  const details = original.details.map((d, i) => {
    const s = detailSet[i];
    return Object.freeze(s === undefined ? { ...d } : apply(def.detail.fields, d, s, `DetailList[${i}].`, issues, today));
  });
  if (issues.length > 0) throw new VoucherValidationError(issues, def.vtCode);
  return Object.freeze({ vtCode: original.vtCode, fields: Object.freeze(fields), details: Object.freeze(details), encoding: original.encoding });
}

/** One difference between two vouchers. */
export interface VoucherDifference {
  /** `PayAmt`, `DetailList[2].XPayAmt`, or `DetailList` for a different number of lines. */
  readonly path: string;
  /** The value in the first voucher (absent: the element is missing). */
  readonly a?: string;
  /** The value in the second voucher. */
  readonly b?: string;
  /** True when the element is an X-field (a receipt may change it). */
  readonly x: boolean;
}

function diffPart(
  fields: readonly FieldDef[],
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
  where: string,
  out: VoucherDifference[],
): void {
  const names = fields.map((f) => f.name);
  const known = new Set(names);
  for (const k of [...Object.keys(a), ...Object.keys(b)]) {
    if (!known.has(k)) {
      known.add(k);
      names.push(k);
    }
  }
  const xByName = new Map(fields.map((f) => [f.name, f.x]));
  for (const k of names) {
    const va = a[k];
    const vb = b[k];
    if (va === vb) continue;
    out.push({ path: `${where}${k}`, ...(va === undefined ? {} : { a: va }), ...(vb === undefined ? {} : { b: vb }), x: xByName.get(k) ?? false });
  }
}

/**
 * Lists every difference between two vouchers, element by element.
 *
 * A receipt is acceptable against its original only when every difference has `x: true`. An element
 * present in one voucher and absent in the other is a difference (`a` or `b` missing).
 *
 * @param a - the first voucher (e.g. the original).
 * @param b - the second voucher (e.g. the receipt).
 * @returns the differences, main elements first (catalogue order of `a`'s type), then detail lines.
 * @throws EvoucherError `VOUCHER_UNKNOWN_TYPE` when `a`'s type is unknown; `ARG_INVALID` when either is not a voucher.
 * @example diffVouchers(original, receipt).filter((d) => !d.x) // [] for a well-formed receipt
 */
export function diffVouchers(a: Voucher, b: Voucher): readonly VoucherDifference[] {
  checkVoucherArgument(a, 'the first voucher');
  checkVoucherArgument(b, 'the second voucher');
  const def = getVoucherType(a.vtCode);
  const out: VoucherDifference[] = [];
  diffPart(def.fields, a.fields, b.fields, '', out);
  if (a.details.length !== b.details.length) {
    out.push({ path: 'DetailList', a: String(a.details.length), b: String(b.details.length), x: false });
  }
  const n = Math.min(a.details.length, b.details.length);
  for (let i = 0; i < n; i++) diffPart(def.detail.fields, a.details[i] ?? {}, b.details[i] ?? {}, `DetailList[${i}].`, out);
  return Object.freeze(out);
}
