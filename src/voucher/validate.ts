/**
 * Business validation of a voucher against its catalogue type (domain.md §8.1, §8.2).
 *
 * Every rule reads the catalogue data (field kinds, patterns, code tables, sign and total rules); no rule
 * branches on a VtCode. Validation collects every problem instead of stopping at the first, so a caller
 * fixes a voucher in one round. Rules that need reference tables (domain.md §8.3) or another voucher
 * (§8.4, §8.5) are not checked here.
 */
import { clipText, findUnmappableIn, gbkLengthOfMappable } from '../encoding/charset.js';
import { EvoucherError } from '../errors.js';
import { centsOfAmount, centsToAmount, isAmount } from './amount.js';
import { checkOptionValue, checkOptionsArgument, checkVoucherArgument } from './arguments.js';
import { getCodeTable, getVoucherType } from './catalogue/index.js';
import type { VoucherRuleCode } from './rules.js';
import type { AmountSign, FieldDef, ValidationIssue, Voucher, VoucherTypeDef, VoucherView } from './types.js';

/** Options of {@link validateVoucher}. */
export interface ValidateOptions {
  /** `original` (default): X-fields must be empty. `receipt`: X-fields the receipt needs must be filled. */
  readonly view?: VoucherView;
  /** The current time, for "not in the future" rules; defaults to the clock. Dates are compared in China Standard Time. */
  readonly now?: Date;
}

const VIEWS: readonly string[] = ['original', 'receipt'];

const DEFAULT_PATTERNS: Partial<Record<FieldDef['type'], RegExp>> = {
  code: /^[0-9A-Za-z._-]+$/,
  account: /^[0-9A-Z-]{1,32}$/,
  bankNo: /^[0-9]{12}$/,
  integer: /^(0|[1-9][0-9]*)$/,
  year: /^[0-9]{4}$/,
  month: /^(0[1-9]|1[0-2])$/,
};

const FORMAT_CODE: Readonly<Record<FieldDef['type'], VoucherRuleCode | undefined>> = {
  id: undefined,
  text: undefined,
  code: 'VOUCHER_CODE_FORMAT',
  amount: 'VOUCHER_AMOUNT_FORMAT',
  date: 'VOUCHER_DATE_FORMAT',
  year: 'VOUCHER_YEAR_FORMAT',
  month: 'VOUCHER_MONTH_FORMAT',
  account: 'VOUCHER_ACCOUNT_FORMAT',
  bankNo: 'VOUCHER_BANK_NO_FORMAT',
  integer: 'VOUCHER_INTEGER_FORMAT',
};

const PATTERN_CACHE = new Map<string, RegExp>();
function compiled(source: string): RegExp {
  let r = PATTERN_CACHE.get(source);
  if (r === undefined) {
    r = new RegExp(source);
    PATTERN_CACHE.set(source, r);
  }
  return r;
}

/**
 * Tells whether `s` is a real calendar date written `yyyyMMdd`.
 *
 * @param s - the text.
 * @returns true for e.g. `20240229`, false for `20230229`.
 * @example isCompactDate('20261128') // true
 */
export function isCompactDate(s: string): boolean {
  const m = /^([0-9]{4})([0-9]{2})([0-9]{2})$/.exec(s);
  if (m === null) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= days;
}

/**
 * Today's date `yyyyMMdd` in China Standard Time (UTC+8, no daylight saving), compared as text with 8-digit
 * dates. After year 9999 it is `99991231`: every date that can be written is then in the past, where a 5-digit
 * year (`100000101`) would sort before `20251128` and call it the future.
 *
 * @param now - the clock.
 * @returns the date.
 * @throws EvoucherError `ARG_INVALID` when `now` is not a valid Date (every date would read as in the future).
 */
export function todayCst(now: Date): string {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new EvoucherError('ARG_INVALID', 'now must be a valid Date', { detail: { option: 'now' } });
  const t = new Date(now.getTime() + 8 * 3600_000);
  if (t.getUTCFullYear() > 9999) return '99991231';
  return `${t.getUTCFullYear().toString().padStart(4, '0')}${(t.getUTCMonth() + 1).toString().padStart(2, '0')}${t.getUTCDate().toString().padStart(2, '0')}`;
}

function hasForbiddenChar(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0xfffe || c === 0xffff) return true;
  }
  return false;
}

function codeAllowed(v: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => (a.endsWith('*') ? v.startsWith(a.slice(0, -1)) : v === a));
}

function signOk(cents: bigint, sign: AmountSign): boolean {
  switch (sign) {
    case 'positive':
      return cents > 0n;
    case 'negative':
      return cents < 0n;
    case 'zero':
      return cents === 0n;
    case 'nonzero':
      return cents !== 0n;
    case 'nonnegative':
      return cents >= 0n;
    case 'any':
      return true;
  }
}

const SIGN_TEXT: Readonly<Record<AmountSign, string>> = {
  positive: '> 0',
  negative: '< 0',
  zero: '= 0.00',
  nonzero: '≠ 0',
  nonnegative: '≥ 0',
  any: 'any',
};

function show(v: string): string {
  return JSON.stringify(v.length > 40 ? `${clipText(v, 40)}…` : v);
}

/**
 * Checks one value against its field definition (format, length, characters, code table, dates).
 *
 * @param fd - the field definition.
 * @param value - the value (`''` when blank).
 * @param path - the issue path, e.g. `DetailList[2].PayAmt`.
 * @param view - the view being validated.
 * @param today - today's date `yyyyMMdd`.
 * @returns the issues found.
 */
export function checkField(fd: FieldDef, value: string, path: string, view: VoucherView, today: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  checkFieldInto(issues, fd, value, '', path, view, today);
  return issues;
}

/** Appends one issue; its path and message are made here, only when a rule fails. */
function addIssue(issues: ValidationIssue[], where: string, name: string, code: VoucherRuleCode, message: (path: string) => string): void {
  const path = `${where}${name}`;
  issues.push({ path, code, message: message(path) });
}

/** The codes of a code table, listed once per table (the catalogue's tables are frozen). */
const TABLE_CODES = new WeakMap<object, readonly string[]>();

function tableCodes(table: { readonly values: readonly { readonly code: string }[] }): readonly string[] {
  let codes = TABLE_CODES.get(table);
  if (codes === undefined) {
    codes = table.values.map((x) => x.code);
    if (Object.isFrozen(table) && Object.isFrozen(table.values)) TABLE_CODES.set(table, codes);
  }
  return codes;
}

/** Only spaces and ideographic spaces (tabs and line breaks are forbidden characters anyway): no value for a peer that trims. */
const BLANK = /^[ \u3000]+$/;
const EDGE_SPACE = /^[ \u3000]|[ \u3000]$/;

/**
 * Identifiers: `id` elements, every voucher number (`VoucherNo` and the numbers of the vouchers it refers to:
 * `OriginalVoucherNo`, `PayVoucherNo`...), and the detail elements that repeat them.
 */
function isIdentifier(fd: FieldDef): boolean {
  return fd.type === 'id' || fd.name.endsWith('VoucherNo') || fd.ref === 'VoucherNo' || fd.ref === 'Id';
}

/** {@link checkField} appending to `issues`; the path (`where` + `name`) is only made for an issue. */
function checkFieldInto(issues: ValidationIssue[], fd: FieldDef, value: string, where: string, name: string, view: VoucherView, today: string): void {
  if (value === '' || ((fd.required || (fd.x && fd.requiredInReceipt === true && view === 'receipt')) && BLANK.test(value))) {
    if (fd.required) addIssue(issues, where, name, 'VOUCHER_FIELD_REQUIRED', (path) => (value === '' ? `${path} is required` : `${path} is blank`));
    else if (fd.x && fd.requiredInReceipt === true && view === 'receipt') addIssue(issues, where, name, 'VOUCHER_X_FIELD_REQUIRED', (path) => `${path} must be filled in the receipt`);
    return;
  }
  if (isIdentifier(fd) && EDGE_SPACE.test(value)) {
    addIssue(issues, where, name, 'VOUCHER_ID_SPACE', (path) => `${path} ${show(value)} starts or ends with a space`);
  }
  if (fd.x && view === 'original') addIssue(issues, where, name, 'VOUCHER_X_FIELD_NOT_EMPTY', (path) => `${path} is an X-field and must be empty in an original`);
  if (hasForbiddenChar(value)) {
    addIssue(issues, where, name, 'VOUCHER_CHAR_FORBIDDEN', (path) => `${path} holds a control character`);
  }
  const bad = findUnmappableIn(value, 'GBK');
  if (bad !== undefined) {
    addIssue(issues, where, name, 'VOUCHER_CHAR_UNMAPPABLE', (path) => `${path} holds ${bad.char}, which GBK cannot encode`);
  } else {
    const len = gbkLengthOfMappable(value); // every character maps: checked just above
    if (len > fd.maxBytes) addIssue(issues, where, name, 'VOUCHER_FIELD_TOO_LONG', (path) => `${path} is ${len} GBK bytes, more than ${fd.maxBytes}`);
  }
  const formatCode = FORMAT_CODE[fd.type];
  let formatOk = true;
  if (fd.type === 'amount') {
    formatOk = isAmount(value);
  } else if (fd.type === 'date') {
    formatOk = isCompactDate(value);
  } else if (formatCode !== undefined) {
    const re = fd.pattern === undefined ? DEFAULT_PATTERNS[fd.type] : compiled(fd.pattern);
    formatOk = re === undefined || re.test(value);
  }
  if (!formatOk && formatCode !== undefined) {
    addIssue(issues, where, name, formatCode, (path) => `${path} ${show(value)} is not a valid ${fd.type}${fd.patternHint === undefined ? '' : ` (${fd.patternHint})`}`);
    return;
  }
  if (fd.type === 'date' && fd.notFuture === true && value > today) {
    addIssue(issues, where, name, 'VOUCHER_DATE_FUTURE', (path) => `${path} ${value} is after today (${today})`);
  }
  if (fd.type === 'year' && fd.notFuture === true && value > today.slice(0, 4)) {
    addIssue(issues, where, name, 'VOUCHER_YEAR_FUTURE', (path) => `${path} ${value} is after the current year ${today.slice(0, 4)}`);
  }
  if (fd.allowedCodes !== undefined) {
    const codes = fd.allowedCodes;
    if (!codeAllowed(value, codes)) addIssue(issues, where, name, 'VOUCHER_CODE_VALUE', (path) => `${path} ${show(value)} is not one of ${codes.join(', ')}`);
  } else if (fd.codeTable !== undefined) {
    const table = getCodeTable(fd.codeTable);
    if (table?.closed === true && !codeAllowed(value, tableCodes(table))) {
      addIssue(issues, where, name, 'VOUCHER_CODE_VALUE', (path) => `${path} ${show(value)} is not in code table ${table.name}`);
    }
  }
}

/** Names of a frozen list of frozen field definitions (the catalogue's), made once per list. */
const KNOWN_NAMES = new WeakMap<readonly FieldDef[], ReadonlySet<string>>();

function knownNames(fields: readonly FieldDef[]): ReadonlySet<string> {
  const cached = KNOWN_NAMES.get(fields);
  if (cached !== undefined) return cached;
  const names = new Set(fields.map((f) => f.name));
  // Only a list nobody can change is remembered; a caller's own mutable definitions are read every time.
  if (Object.isFrozen(fields) && fields.every((f) => Object.isFrozen(f))) KNOWN_NAMES.set(fields, names);
  return names;
}

function checkPart(
  fields: readonly FieldDef[],
  values: Readonly<Record<string, string>>,
  where: string,
  view: VoucherView,
  today: string,
  issues: ValidationIssue[],
): void {
  const known = knownNames(fields);
  for (const k of Object.keys(values)) {
    if (!known.has(k)) issues.push({ path: `${where}${k}`, code: 'VOUCHER_FIELD_UNKNOWN', message: `${where}${k} is not an element of this voucher type` });
    else if (typeof values[k] !== 'string') issues.push({ path: `${where}${k}`, code: 'VOUCHER_FIELD_TYPE', message: `${where}${k} must be a string` });
  }
  for (const fd of fields) {
    const v = values[fd.name];
    checkFieldInto(issues, fd, typeof v === 'string' ? v : '', where, fd.name, view, today);
    if (fd.requiredWhen !== undefined && !fd.required && (v === undefined || v === '')) {
      const when = values[fd.requiredWhen.field];
      if (typeof when === 'string' && fd.requiredWhen.values.includes(when)) {
        const field = fd.requiredWhen.field;
        addIssue(issues, where, fd.name, 'VOUCHER_FIELD_REQUIRED', (path) => `${path} is required when ${where}${field} is ${when}`);
      }
    }
  }
}

/**
 * Validates a voucher against the rules of its type and collects every problem.
 *
 * @param v - the voucher (built or parsed).
 * @param options - the view (`original` by default) and the clock.
 * @returns the issues, empty when the voucher is valid; each has a path, a rule code from
 *   `VOUCHER_RULE_CODES` and a message.
 * @throws EvoucherError `VOUCHER_UNKNOWN_TYPE` when the catalogue has no such type, `ARG_INVALID` when `now` is
 *   not a valid Date, `view` is another value, `v` is not a voucher or `options` not an object.
 * @example validateVoucher(parseVoucher(bytes), { view: 'receipt' }).map((i) => i.code)
 */
export function validateVoucher(v: Voucher, options: ValidateOptions = {}): readonly ValidationIssue[] {
  checkVoucherArgument(v, 'the voucher');
  checkOptionsArgument(options, 'validateVoucher');
  checkOptionValue(options.view, VIEWS, 'validateVoucher', 'view');
  const def = getVoucherType(v.vtCode);
  return validateAgainst(def, v, options);
}

/**
 * Validates against an explicit type definition (used by the builder, which has already resolved it).
 *
 * @param def - the voucher type.
 * @param v - the voucher.
 * @param options - view and clock.
 * @returns the issues.
 */
export function validateAgainst(def: VoucherTypeDef, v: Voucher, options: ValidateOptions = {}): ValidationIssue[] {
  const view = options.view ?? 'original';
  // `null` is no clock: only a missing `now` reads the clock (todayCst refuses anything but a valid Date).
  const today = todayCst(options.now === undefined ? new Date() : options.now);
  const issues: ValidationIssue[] = [];
  checkPart(def.fields, v.fields, '', view, today, issues);
  const headerVt = v.fields.VtCode;
  if (typeof headerVt === 'string' && headerVt !== '' && headerVt !== def.vtCode) {
    issues.push({ path: 'VtCode', code: 'VOUCHER_VTCODE_MISMATCH', message: `VtCode ${show(headerVt)} differs from the voucher type ${def.vtCode}` });
  }
  const n = v.details.length;
  if (n < def.detail.min || n > def.detail.max) {
    issues.push({
      path: 'DetailList',
      code: 'VOUCHER_DETAIL_COUNT',
      message: `${n} detail lines; ${def.vtCode} needs ${def.detail.min} to ${def.detail.max}`,
    });
  }
  const ids = new Map<string, number>();
  v.details.forEach((d, i) => {
    const where = `DetailList[${i}].`;
    checkPart(def.detail.fields, d, where, view, today, issues);
    const id = d.Id;
    if (typeof id === 'string' && id !== '') {
      const first = ids.get(id);
      if (first !== undefined) {
        issues.push({ path: `${where}Id`, code: 'VOUCHER_DETAIL_ID_DUPLICATE', message: `${where}Id ${show(id)} repeats DetailList[${first}].Id` });
      } else {
        ids.set(id, i);
      }
    }
    for (const fd of def.detail.fields) {
      if (fd.ref === undefined) continue;
      const mine = d[fd.name];
      const main = v.fields[fd.ref];
      if (typeof mine === 'string' && mine !== '' && typeof main === 'string' && mine !== main) {
        issues.push({ path: `${where}${fd.name}`, code: 'VOUCHER_DETAIL_REF', message: `${where}${fd.name} ${show(mine)} differs from ${fd.ref} ${show(main)}` });
      }
    }
  });
  for (const rule of def.signRules) {
    const values = rule.scope === 'main' ? [{ path: rule.field, value: v.fields[rule.field] }] : v.details.map((d, i) => ({ path: `DetailList[${i}].${rule.field}`, value: d[rule.field] }));
    for (const { path, value } of values) {
      if (typeof value !== 'string' || !isAmount(value)) continue;
      if (!signOk(centsOfAmount(value), rule.sign)) {
        issues.push({ path, code: 'VOUCHER_AMOUNT_SIGN', message: `${path} ${value} breaks the ${def.vtCode} sign rule (${SIGN_TEXT[rule.sign]})` });
      }
    }
  }
  for (const t of def.totals) {
    const main = v.fields[t.field];
    if (typeof main !== 'string' || !isAmount(main) || n === 0) continue;
    let sum = 0n;
    let complete = true;
    for (const d of v.details) {
      const x = d[t.detailField];
      if (typeof x !== 'string' || !isAmount(x)) {
        complete = false;
        break;
      }
      sum += centsOfAmount(x);
    }
    if (complete && sum !== centsOfAmount(main)) {
      issues.push({ path: t.field, code: 'VOUCHER_AMOUNT_SUM', message: `${t.field} ${main} differs from the detail sum ${centsToAmount(sum)}` });
    }
  }
  if (def.detailCountField !== undefined) {
    const c = v.fields[def.detailCountField];
    if (typeof c === 'string' && /^(0|[1-9][0-9]*)$/.test(c) && Number(c) !== n) {
      issues.push({ path: def.detailCountField, code: 'VOUCHER_COUNT_MISMATCH', message: `${def.detailCountField} ${c} but ${n} detail lines` });
    }
  }
  return issues;
}
