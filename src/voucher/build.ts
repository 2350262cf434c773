/**
 * The typed builder: plain data keyed by XML element names → a validated {@link Voucher}.
 */
import { EvoucherError } from '../errors.js';
import type { Charset } from '../encoding/charset.js';
import { checkOptionsArgument } from './arguments.js';
import { fieldIndex, getVoucherType } from './catalogue/index.js';
import type { VoucherRuleCode } from './rules.js';
import type { FieldDef, ValidationIssue, Voucher, VoucherData } from './types.js';
import { validateAgainst } from './validate.js';

/**
 * A voucher that breaks one or more rules. `code` is always `VOUCHER_INVALID`; `issues` lists every
 * problem with its path, rule code and message.
 *
 * @example
 * try { buildVoucher('5201', data) } catch (e) { if (e instanceof VoucherValidationError) e.issues.map((i) => i.code) }
 */
export class VoucherValidationError extends EvoucherError {
  /** Every problem found, in catalogue order. */
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], vtCode: string) {
    const first = issues[0];
    super('VOUCHER_INVALID', `voucher ${vtCode} has ${issues.length} problem(s)${first === undefined ? '' : `; first: ${first.path}: ${first.code}`}`, {
      detail: { vtCode, count: String(issues.length) },
    });
    this.name = 'VoucherValidationError';
    this.issues = Object.freeze(issues.map((i) => Object.freeze({ ...i })));
  }
}

/** Options of {@link buildVoucher}. */
export interface BuildOptions {
  /** Charset the voucher will be written in: `GBK` (default, the national exchange) or `UTF-8`. */
  readonly encoding?: Charset;
  /** The current time for "not in the future" rules; defaults to the clock. */
  readonly now?: Date;
}

const DASHED_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/**
 * The value as it is written: a date given as `yyyy-MM-dd` becomes `yyyyMMdd` (domain.md §3: both forms are
 * accepted on input, `yyyyMMdd` is written), everything else is kept. Internal: the builder and receipts share it.
 *
 * @param fd - the element.
 * @param value - the given value.
 * @returns the value to check and write.
 */
export function writtenForm(fd: FieldDef, value: string): string {
  const m = fd.type === 'date' ? DASHED_DATE.exec(value) : null;
  return m === null ? value : `${m[1] ?? ''}${m[2] ?? ''}${m[3] ?? ''}`;
}

function isRecord(x: unknown): x is Readonly<Record<string, unknown>> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function collect(
  input: Readonly<Record<string, unknown>>,
  fields: readonly FieldDef[],
  index: ReadonlyMap<string, FieldDef>,
  where: string,
  skip: string | undefined,
  issues: ValidationIssue[],
  badPaths: Set<string>,
): Record<string, string> {
  const given = new Map<string, string>();
  const add = (path: string, code: VoucherRuleCode, message: string): void => {
    issues.push({ path, code, message });
    badPaths.add(path);
  };
  for (const [key, value] of Object.entries(input)) {
    if (key === skip) continue;
    const fd = index.get(key);
    if (fd === undefined) {
      add(`${where}${key}`, 'VOUCHER_FIELD_UNKNOWN', `${where}${key} is not an element of this voucher type`);
      continue;
    }
    const path = `${where}${fd.name}`;
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      add(path, 'VOUCHER_FIELD_TYPE', `${path} must be a string, not ${value === null ? 'null' : typeof value}`);
      continue;
    }
    if (given.has(fd.name)) {
      add(path, 'VOUCHER_DATA_SHAPE', `${path} is given twice (as ${fd.name} and an alias)`);
      continue;
    }
    given.set(fd.name, writtenForm(fd, value));
  }
  const out: Record<string, string> = {};
  for (const fd of fields) out[fd.name] = given.get(fd.name) ?? '';
  return out;
}

/**
 * Builds and validates a voucher from plain data.
 *
 * Keys are XML element names (`AdmDivCode`, `PayAmt`, ...); detail lines go under `DetailList`. Values
 * must be strings: amounts as `"100.00"`, dates as `yyyyMMdd` (or `yyyy-MM-dd`, written `yyyyMMdd`).
 * `VtCode` defaults to the type; a detail's `VoucherBillId`/`VoucherBillNo` default to the main `Id` and
 * `VoucherNo`. Every catalogue element is present in the result (`''` when not given).
 *
 * @param vtCode - the voucher type, e.g. `5201`.
 * @param data - the element values.
 * @param options - charset and clock.
 * @returns the frozen voucher (an original: X-fields empty).
 * @throws EvoucherError `VOUCHER_UNKNOWN_TYPE`, `ARG_INVALID` (`options.now` not a valid Date, another `encoding`,
 *   `options` not an object, `vtCode` not a string); {@link VoucherValidationError}
 *   (`VOUCHER_INVALID`) listing every problem.
 * @example
 * const v = buildVoucher('5201', {
 *   Id: 'V1', AdmDivCode: '110000', StYear: '2025', VouDate: '20251128', VoucherNo: 'ZF001',
 *   FundTypeCode: '1', PayTypeCode: '11', BusinessTypeCode: '1', PayAmt: '100.00',
 *   PayAcctNo: '1100000000000001', PayAcctName: '北京市某区财政局',
 *   PayeeAcctNo: '0200001234567890123', PayeeAcctName: '北京某某办公用品有限公司',
 *   DetailList: [{ Id: 'D1', PayAmt: '100.00' }],
 * });
 * v.fields.PayAmt; // '100.00'
 */
export function buildVoucher(vtCode: string, data: VoucherData, options: BuildOptions = {}): Voucher {
  const def = getVoucherType(vtCode);
  checkOptionsArgument(options, 'buildVoucher');
  if (options.encoding !== undefined && options.encoding !== 'GBK' && options.encoding !== 'UTF-8') {
    throw new EvoucherError('ARG_INVALID', "buildVoucher encoding must be 'GBK' or 'UTF-8'", { detail: { option: 'encoding' } });
  }
  const ix = fieldIndex(def);
  const issues: ValidationIssue[] = [];
  const badPaths = new Set<string>();
  const input: unknown = data;
  if (!isRecord(input)) {
    throw new VoucherValidationError([{ path: '', code: 'VOUCHER_DATA_SHAPE', message: 'voucher data must be an object' }], vtCode);
  }
  const fields = collect(input, def.fields, ix.main, '', 'DetailList', issues, badPaths);
  if (fields.VtCode === '' && !badPaths.has('VtCode')) fields.VtCode = def.vtCode;
  const details: Record<string, string>[] = [];
  // Detail references the builder filled in (VoucherBillId, VoucherBillNo): their path → the main element copied.
  const copied = new Map<string, string>();
  const list = input.DetailList;
  if (list !== undefined) {
    if (!Array.isArray(list)) {
      issues.push({ path: 'DetailList', code: 'VOUCHER_DATA_SHAPE', message: 'DetailList must be an array of objects' });
      badPaths.add('DetailList');
    } else if (list.length > def.detail.max) {
      // Refused before any line is looked at: a list of a million lines (a few MB of JSON) would otherwise make
      // millions of issues, gigabytes and a stack overflow, to say what this one issue says.
      issues.push({ path: 'DetailList', code: 'VOUCHER_DETAIL_COUNT', message: `${list.length} detail lines; ${def.vtCode} needs ${def.detail.min} to ${def.detail.max}` });
      badPaths.add('DetailList');
    } else {
      (list as readonly unknown[]).forEach((item, i) => {
        const where = `DetailList[${i}].`;
        if (!isRecord(item)) {
          issues.push({ path: `DetailList[${i}]`, code: 'VOUCHER_DATA_SHAPE', message: `DetailList[${i}] must be an object` });
          details.push(Object.fromEntries(def.detail.fields.map((f) => [f.name, ''])));
          return;
        }
        const d = collect(item, def.detail.fields, ix.detail, where, undefined, issues, badPaths);
        for (const fd of def.detail.fields) {
          if (fd.ref !== undefined && d[fd.name] === '' && !badPaths.has(`${where}${fd.name}`)) {
            d[fd.name] = fields[fd.ref] ?? '';
            copied.set(`${where}${fd.name}`, fd.ref);
          }
        }
        details.push(d);
      });
    }
  }
  const voucher: Voucher = Object.freeze({
    vtCode: def.vtCode,
    fields: Object.freeze(fields),
    details: Object.freeze(details.map((d) => Object.freeze(d))),
    encoding: options.encoding ?? 'GBK',
  });
  const rest = validateAgainst(def, voucher, {
    view: 'original',
    ...(options.now === undefined ? {} : { now: options.now }),
  }).filter((i) => !badPaths.has(i.path) && !(badPaths.has('DetailList') && i.path === 'DetailList'));
  const flagged = new Set([...badPaths, ...rest.map((i) => i.path)]);
  for (const issue of rest) {
    // A copy the caller never wrote repeats the problem of the main element it copies (a missing Id made every
    // line's VoucherBillId "required"): said once, where the value was given.
    const from = copied.get(issue.path);
    if (from !== undefined && flagged.has(from)) continue;
    issues.push(issue);
  }
  if (issues.length > 0) throw new VoucherValidationError(issues, def.vtCode);
  return voucher;
}
