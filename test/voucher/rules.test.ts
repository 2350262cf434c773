/**
 * Every voucher validation rule has at least one failing case (the rule fires, at the expected path) and
 * one passing case (a neighbouring value that is accepted, so the rule is not simply always on).
 */
import { describe, expect, it } from 'vitest';
import {
  buildVoucher,
  fillReceipt,
  validateVoucher,
  VOUCHER_RULE_CODES,
  VoucherValidationError,
} from '../../src/voucher/index.js';
import type { ValidationIssue, VoucherRuleCode } from '../../src/voucher/index.js';
import { asData, example, lines5201, NOW } from './helpers.js';

type Data = ReturnType<typeof example>;

interface Case {
  readonly name: string;
  readonly vt: string;
  readonly code: VoucherRuleCode;
  readonly path?: string;
  readonly bad: (d: Data) => unknown;
  readonly good: (d: Data) => unknown;
  readonly now?: Date;
}

function issuesOf(vt: string, data: unknown, now: Date = NOW): readonly ValidationIssue[] {
  try {
    buildVoucher(vt, asData(data), { now });
    return [];
  } catch (e) {
    if (e instanceof VoucherValidationError) return e.issues;
    throw e;
  }
}

const set = (patch: Record<string, unknown>) => (d: Data) => ({ ...d, ...patch });
const setDetail = (i: number, patch: Record<string, unknown>) => (d: Data) => ({
  ...d,
  DetailList: (d.DetailList ?? []).map((x, k) => (k === i ? { ...x, ...patch } : x)),
});
const same = (d: Data) => d;

const CASES: readonly Case[] = [
  { name: 'data is not an object', vt: '5201', code: 'VOUCHER_DATA_SHAPE', path: '', bad: () => ['x'], good: same },
  { name: 'DetailList is not an array', vt: '5201', code: 'VOUCHER_DATA_SHAPE', path: 'DetailList', bad: set({ DetailList: { Id: 'D1' } }), good: same },
  { name: 'a detail line is not an object', vt: '5201', code: 'VOUCHER_DATA_SHAPE', path: 'DetailList[1]', bad: (d) => ({ ...d, DetailList: [d.DetailList?.[0], 'x'] }), good: same },
  { name: 'an element the type lacks', vt: '5201', code: 'VOUCHER_FIELD_UNKNOWN', path: 'Payee', bad: set({ Payee: 'x' }), good: set({ GovExpEcoCode: '30201', ExpEcoCode: undefined }) },
  { name: 'an unknown detail element', vt: '5201', code: 'VOUCHER_FIELD_UNKNOWN', path: 'DetailList[0].Amount', bad: setDetail(0, { Amount: '1.00' }), good: setDetail(0, { Remark: '备注' }) },
  { name: 'a JSON number for an amount', vt: '5201', code: 'VOUCHER_FIELD_TYPE', path: 'PayAmt', bad: set({ PayAmt: 12680.5 }), good: set({ PayAmt: '12680.50' }) },
  { name: 'null for a code', vt: '5201', code: 'VOUCHER_FIELD_TYPE', path: 'DetailList[0].PayAmt', bad: setDetail(0, { PayAmt: null }), good: same },
  { name: 'a blank required element', vt: '5201', code: 'VOUCHER_FIELD_REQUIRED', path: 'PayeeAcctName', bad: set({ PayeeAcctName: '' }), good: set({ PayeeAcctName: '某公司' }) },
  { name: 'a required element of spaces only', vt: '5201', code: 'VOUCHER_FIELD_REQUIRED', path: 'PayeeAcctName', bad: set({ PayeeAcctName: '  ' }), good: set({ PayeeAcctName: '某公司' }) },
  { name: 'a required element of an ideographic space', vt: '5201', code: 'VOUCHER_FIELD_REQUIRED', path: 'PayeeAcctName', bad: set({ PayeeAcctName: '\u3000' }), good: set({ PayeeAcctName: '某 公司' }) },
  { name: 'a VoucherNo with a trailing space (ZF1 and ZF1 were two identities)', vt: '5201', code: 'VOUCHER_ID_SPACE', path: 'VoucherNo', bad: set({ VoucherNo: 'ZF2025112800001 ' }), good: set({ VoucherNo: 'ZF2025112800001' }) },
  { name: 'a VoucherNo with a leading ideographic space', vt: '5201', code: 'VOUCHER_ID_SPACE', path: 'VoucherNo', bad: set({ VoucherNo: '\u3000ZF2025112800001' }), good: same },
  { name: 'a referred voucher number with a trailing space (OriginalVoucherNo)', vt: '8207', code: 'VOUCHER_ID_SPACE', path: 'OriginalVoucherNo', bad: (d: Data) => Object.assign({}, d, { OriginalVoucherNo: `${String(d['OriginalVoucherNo'])} ` }), good: same },
  { name: 'a detail Id with a leading space', vt: '5201', code: 'VOUCHER_ID_SPACE', path: 'DetailList[0].Id', bad: setDetail(0, { Id: ' D1' }), good: same },
  { name: 'a missing required detail Id', vt: '5201', code: 'VOUCHER_FIELD_REQUIRED', path: 'DetailList[0].Id', bad: setDetail(0, { Id: undefined }), good: same },
  { name: 'VoucherNo over 20 bytes', vt: '5201', code: 'VOUCHER_FIELD_TOO_LONG', path: 'VoucherNo', bad: set({ VoucherNo: 'A'.repeat(21) }), good: set({ VoucherNo: 'A'.repeat(20) }) },
  { name: '5106 VoucherNo over 17 bytes', vt: '5106', code: 'VOUCHER_FIELD_TOO_LONG', path: 'VoucherNo', bad: set({ VoucherNo: 'Q'.repeat(18) }), good: set({ VoucherNo: 'Q'.repeat(17) }) },
  { name: 'a name over 60 GBK bytes (31 CJK characters)', vt: '5201', code: 'VOUCHER_FIELD_TOO_LONG', path: 'PayeeAcctName', bad: set({ PayeeAcctName: '财'.repeat(31) }), good: set({ PayeeAcctName: '财'.repeat(30) }) },
  { name: 'a character GBK cannot encode', vt: '5201', code: 'VOUCHER_CHAR_UNMAPPABLE', path: 'PayeeAcctName', bad: set({ PayeeAcctName: '某某😀公司' }), good: set({ PayeeAcctName: '某某·公司—' }) },
  { name: 'a character only some GBK readers read (GB18030 FE55, U+3473)', vt: '5201', code: 'VOUCHER_CHAR_UNMAPPABLE', path: 'PayeeAcctName', bad: set({ PayeeAcctName: '张\u3473' }), good: set({ PayeeAcctName: '张三' }) },
  { name: 'a private-use character (a GBK user-defined area)', vt: '5201', code: 'VOUCHER_CHAR_UNMAPPABLE', path: 'PayeeAcctName', bad: set({ PayeeAcctName: '张\uE000' }), good: set({ PayeeAcctName: '张三' }) },
  { name: 'a control character', vt: '5201', code: 'VOUCHER_CHAR_FORBIDDEN', path: 'PaySummaryName', bad: set({ PaySummaryName: 'a\u0001b' }), good: set({ PaySummaryName: 'a b & <c>' }) },
  { name: 'a line break in a value', vt: '5201', code: 'VOUCHER_CHAR_FORBIDDEN', path: 'DetailList[0].Remark', bad: setDetail(0, { Remark: 'a\nb' }), good: setDetail(0, { Remark: 'a b' }) },
  { name: 'header VtCode differs from the type', vt: '5201', code: 'VOUCHER_VTCODE_MISMATCH', path: 'VtCode', bad: set({ VtCode: '5207' }), good: set({ VtCode: undefined }) },
  { name: 'TreCode not 10 digits', vt: '2301', code: 'VOUCHER_CODE_FORMAT', path: 'TreCode', bad: set({ TreCode: '01000000' }), good: set({ TreCode: '0100000001' }) },
  { name: 'AdmDivCode not 6 digits', vt: '5201', code: 'VOUCHER_CODE_FORMAT', path: 'AdmDivCode', bad: set({ AdmDivCode: '11000A' }), good: set({ AdmDivCode: '310000' }) },
  { name: 'PayTypeCode not 2–6 digits', vt: '5201', code: 'VOUCHER_CODE_FORMAT', path: 'PayTypeCode', bad: set({ PayTypeCode: '1' }), good: set({ PayTypeCode: '001001' }) },
  { name: 'FundTypeCode outside 1/2/3/8/9… or …1/2', vt: '5201', code: 'VOUCHER_CODE_FORMAT', path: 'FundTypeCode', bad: set({ FundTypeCode: '45' }), good: set({ FundTypeCode: '42' }) },
  { name: 'BusinessTypeCode not allowed for 5201', vt: '5201', code: 'VOUCHER_CODE_VALUE', path: 'BusinessTypeCode', bad: set({ BusinessTypeCode: '2' }), good: set({ BusinessTypeCode: '3' }) },
  { name: 'PayTypeCode outside 5207 values (92* prefix allowed)', vt: '5207', code: 'VOUCHER_CODE_VALUE', path: 'PayTypeCode', bad: set({ PayTypeCode: '93' }), good: set({ PayTypeCode: '921' }) },
  { name: 'OriginalVtCode outside its closed table', vt: '8207', code: 'VOUCHER_CODE_VALUE', path: 'OriginalVtCode', bad: set({ OriginalVtCode: '5209' }), good: set({ OriginalVtCode: '8202' }) },
  { name: 'amount without decimals', vt: '5201', code: 'VOUCHER_AMOUNT_FORMAT', path: 'DetailList[0].PayAmt', bad: setDetail(0, { PayAmt: '8000' }), good: setDetail(0, { PayAmt: '8000.00' }) },
  { name: 'amount with a thousands separator', vt: '5201', code: 'VOUCHER_AMOUNT_FORMAT', path: 'PayAmt', bad: set({ PayAmt: '12,680.50' }), good: same },
  { name: 'amount with a plus sign', vt: '5201', code: 'VOUCHER_AMOUNT_FORMAT', path: 'PayAmt', bad: set({ PayAmt: '+12680.50' }), good: same },
  { name: 'amount with a leading zero', vt: '5201', code: 'VOUCHER_AMOUNT_FORMAT', path: 'PayAmt', bad: set({ PayAmt: '012680.50' }), good: same },
  { name: 'negative zero', vt: '3501', code: 'VOUCHER_AMOUNT_FORMAT', path: 'DetailList[0].Amt', bad: setDetail(0, { Amt: '-0.00' }), good: (d) => ({ ...setDetail(0, { Amt: '0.00' })(d), AllAmt: '12680.50' }) },
  {
    name: '16 integer digits (15 is the most)',
    vt: '5201',
    code: 'VOUCHER_AMOUNT_FORMAT',
    path: 'PayAmt',
    bad: (d) => ({ ...d, PayAmt: '1000000000000000.00', DetailList: [{ Id: 'D1', PayAmt: '1000000000000000.00' }] }),
    good: (d) => ({ ...d, PayAmt: '999999999999999.99', DetailList: [{ Id: 'D1', PayAmt: '999999999999999.99' }] }),
  },
  { name: '5201 amount not > 0', vt: '5201', code: 'VOUCHER_AMOUNT_SIGN', path: 'PayAmt', bad: (d) => ({ ...d, PayAmt: '-1.00', DetailList: [{ Id: 'D1', PayAmt: '1.00' }, { Id: 'D2', PayAmt: '-2.00' }] }), good: same },
  { name: '2302 amount not < 0', vt: '2302', code: 'VOUCHER_AMOUNT_SIGN', path: 'PayAmt', bad: (d) => ({ ...d, PayAmt: '12680.50', DetailList: d.DetailList?.map((x) => ({ ...x, PayAmt: String(x.PayAmt).slice(1) })) }), good: same },
  { name: '2302 detail not < 0', vt: '2302', code: 'VOUCHER_AMOUNT_SIGN', path: 'DetailList[1].PayAmt', bad: (d) => ({ ...d, PayAmt: '-3319.50', DetailList: [d.DetailList?.[0], { ...d.DetailList?.[1], PayAmt: '4680.50' }] }), good: same },
  { name: '5106 PlanAmt = 0', vt: '5106', code: 'VOUCHER_AMOUNT_SIGN', path: 'PlanAmt', bad: (d) => ({ ...d, PlanAmt: '0.00', DetailList: [{ ...d.DetailList?.[0], PlanAmt: '15000.00' }, { ...d.DetailList?.[1], PlanAmt: '-15000.00' }] }), good: (d) => ({ ...d, PlanAmt: '-1.00', DetailList: [{ ...d.DetailList?.[0], PlanAmt: '-1.00' }] }) },
  { name: 'main amount ≠ detail sum', vt: '5201', code: 'VOUCHER_AMOUNT_SUM', path: 'PayAmt', bad: set({ PayAmt: '12680.51' }), good: same },
  { name: 'exact decimal sum (0.10 + 0.20 = 0.30)', vt: '5201', code: 'VOUCHER_AMOUNT_SUM', path: 'PayAmt', bad: (d) => ({ ...d, PayAmt: '0.31', DetailList: [{ Id: 'D1', PayAmt: '0.10' }, { Id: 'D2', PayAmt: '0.20' }] }), good: (d) => ({ ...d, PayAmt: '0.30', DetailList: [{ Id: 'D1', PayAmt: '0.10' }, { Id: 'D2', PayAmt: '0.20' }] }) },
  { name: '8207 SumAmt ≠ detail sum', vt: '8207', code: 'VOUCHER_AMOUNT_SUM', path: 'SumAmt', bad: set({ SumAmt: '15300.01' }), good: same },
  { name: 'an impossible date', vt: '5201', code: 'VOUCHER_DATE_FORMAT', path: 'VouDate', bad: set({ VouDate: '20250230' }), good: set({ VouDate: '20240229' }) },
  { name: 'yyyy-MM-dd is accepted and written yyyyMMdd; other forms are not', vt: '5201', code: 'VOUCHER_DATE_FORMAT', path: 'VouDate', bad: set({ VouDate: '2025/11/28' }), good: set({ VouDate: '2025-11-28' }) },
  { name: 'VouDate tomorrow', vt: '5201', code: 'VOUCHER_DATE_FUTURE', path: 'VouDate', bad: set({ StYear: '2026', VouDate: '20260116' }), good: set({ StYear: '2026', VouDate: '20260115' }) },
  {
    name: 'VouDate is compared in China Standard Time (00:30 CST is already the next day)',
    vt: '5201',
    code: 'VOUCHER_DATE_FUTURE',
    path: 'VouDate',
    now: new Date('2026-01-14T16:30:00Z'),
    bad: set({ StYear: '2026', VouDate: '20260116' }),
    good: set({ StYear: '2026', VouDate: '20260115' }),
  },
  { name: 'StYear not 4 digits', vt: '5201', code: 'VOUCHER_YEAR_FORMAT', path: 'StYear', bad: set({ StYear: '25' }), good: set({ StYear: '2026' }) },
  { name: 'StYear after this year', vt: '5201', code: 'VOUCHER_YEAR_FUTURE', path: 'StYear', bad: set({ StYear: '2027' }), good: set({ StYear: '2024' }) },
  { name: 'SetMonth outside 01–12', vt: '5106', code: 'VOUCHER_MONTH_FORMAT', path: 'SetMonth', bad: set({ SetMonth: '13' }), good: set({ SetMonth: '12' }) },
  { name: 'account with lower-case letters', vt: '5201', code: 'VOUCHER_ACCOUNT_FORMAT', path: 'PayeeAcctNo', bad: set({ PayeeAcctNo: '0200-abc' }), good: set({ PayeeAcctNo: '0200-ABC' }) },
  { name: 'account over 32 characters', vt: '5201', code: 'VOUCHER_ACCOUNT_FORMAT', path: 'PayAcctNo', bad: set({ PayAcctNo: '1'.repeat(33) }), good: set({ PayAcctNo: '1'.repeat(32) }) },
  { name: '5207 detail payee account: digits, up to 42', vt: '5207', code: 'VOUCHER_ACCOUNT_FORMAT', path: 'DetailList[0].PayeeAcctNo', bad: setDetail(0, { PayeeAcctNo: '0200-98765' }), good: setDetail(0, { PayeeAcctNo: '1'.repeat(42) }) },
  { name: 'bank number not 12 digits', vt: '5201', code: 'VOUCHER_BANK_NO_FORMAT', path: 'PayeeAcctBankNo', bad: set({ PayeeAcctBankNo: '10510000001' }), good: set({ PayeeAcctBankNo: '105100000018' }) },
  { name: 'count with a leading zero', vt: '5106', code: 'VOUCHER_INTEGER_FORMAT', path: 'DeptNum', bad: set({ DeptNum: '02' }), good: set({ DeptNum: '0' }) },
  { name: 'no detail line', vt: '5201', code: 'VOUCHER_DETAIL_COUNT', path: 'DetailList', bad: set({ DetailList: [] }), good: same },
  { name: '500 detail lines (fewer than 500 allowed)', vt: '5201', code: 'VOUCHER_DETAIL_COUNT', path: 'DetailList', bad: set({ PayAmt: '500.00', DetailList: lines5201(500) }), good: set({ PayAmt: '499.00', DetailList: lines5201(499) }) },
  { name: 'two detail lines with one Id', vt: '5201', code: 'VOUCHER_DETAIL_ID_DUPLICATE', path: 'DetailList[1].Id', bad: setDetail(1, { Id: '5201D001' }), good: setDetail(1, { Id: '5201D003' }) },
  { name: 'VoucherBillId differs from the main Id', vt: '5201', code: 'VOUCHER_DETAIL_REF', path: 'DetailList[0].VoucherBillId', bad: setDetail(0, { VoucherBillId: 'OTHER' }), good: setDetail(0, { VoucherBillId: '5201A0000000000000000000000000001' }) },
  { name: 'VoucherBillNo differs from the main VoucherNo', vt: '8202', code: 'VOUCHER_DETAIL_REF', path: 'DetailList[1].VoucherBillNo', bad: setDetail(1, { VoucherBillNo: 'SQ0' }), good: setDetail(1, { VoucherBillNo: 'SQ2025112800001' }) },
  { name: 'AllNum ≠ number of lines', vt: '3501', code: 'VOUCHER_COUNT_MISMATCH', path: 'AllNum', bad: set({ AllNum: '3' }), good: set({ AllNum: '2' }) },
  { name: 'an X-field filled in an original', vt: '5201', code: 'VOUCHER_X_FIELD_NOT_EMPTY', path: 'XPayDate', bad: set({ XPayDate: '20251128' }), good: set({ XPayDate: '' }) },
  { name: 'a detail X-field filled in an original', vt: '5207', code: 'VOUCHER_X_FIELD_NOT_EMPTY', path: 'DetailList[0].XAddWord', bad: setDetail(0, { XAddWord: '成功' }), good: same },
];

describe('voucher validation rules', () => {
  it('every rule code has a case', () => {
    const covered = new Set(CASES.map((c) => c.code));
    // VOUCHER_X_FIELD_REQUIRED concerns the receipt view and has its own test below.
    covered.add('VOUCHER_X_FIELD_REQUIRED');
    expect(VOUCHER_RULE_CODES.filter((c) => !covered.has(c))).toEqual([]);
  });

  for (const c of CASES) {
    it(`${c.code}: ${c.name}`, () => {
      const bad = issuesOf(c.vt, c.bad(example(c.vt)), c.now);
      expect(bad.map((i) => i.code)).toContain(c.code);
      if (c.path !== undefined) expect(bad.filter((i) => i.code === c.code).map((i) => i.path)).toContain(c.path);
      expect(issuesOf(c.vt, c.good(example(c.vt)), c.now)).toEqual([]);
    });
  }

  it('VOUCHER_X_FIELD_REQUIRED: a receipt must carry the X-fields its type requires', () => {
    const original = buildVoucher('5201', asData(example('5201')), { now: NOW });
    expect(validateVoucher(original, { view: 'original', now: NOW })).toEqual([]);
    const missing = validateVoucher(original, { view: 'receipt', now: NOW });
    expect(missing.map((i) => [i.code, i.path])).toEqual([
      ['VOUCHER_X_FIELD_REQUIRED', 'XPayDate'],
      ['VOUCHER_X_FIELD_REQUIRED', 'XPayAmt'],
    ]);
    const receipt = fillReceipt(original, { XPayDate: '20251128', XPayAmt: '12680.50' }, [], { now: NOW });
    expect(validateVoucher(receipt, { view: 'receipt', now: NOW })).toEqual([]);
    // Spaces only are blank here too.
    for (const blank of ['  ', '\u3000']) {
      const spaced = Object.assign({}, receipt, { fields: Object.assign({}, receipt.fields, { XPayDate: blank }) });
      expect(validateVoucher(spaced, { view: 'receipt', now: NOW }).map((i) => [i.code, i.path])).toEqual([['VOUCHER_X_FIELD_REQUIRED', 'XPayDate']]);
    }
    // ...and the same receipt is not a valid original.
    expect(validateVoucher(receipt, { view: 'original', now: NOW }).map((i) => i.code)).toEqual([
      'VOUCHER_X_FIELD_NOT_EMPTY',
      'VOUCHER_X_FIELD_NOT_EMPTY',
    ]);
  });

  it('reports every problem at once, in one VOUCHER_INVALID error', () => {
    const d = { ...example('5201'), PayAmt: 1, VouDate: '2025-13-01', Foo: 'x', XPayAmt: '1.00' };
    let error: unknown;
    try {
      buildVoucher('5201', asData(d), { now: NOW });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VoucherValidationError);
    const ve = error as VoucherValidationError;
    expect(ve.code).toBe('VOUCHER_INVALID');
    expect(ve.issues.map((i) => i.code).sort()).toEqual(
      ['VOUCHER_DATE_FORMAT', 'VOUCHER_FIELD_TYPE', 'VOUCHER_FIELD_UNKNOWN', 'VOUCHER_X_FIELD_NOT_EMPTY'].sort(),
    );
  });

  it('normalises dashed dates and fills VtCode and detail references', () => {
    const v = buildVoucher('5201', asData({ ...example('5201'), VtCode: undefined, VouDate: '2025-11-28' }), { now: NOW });
    expect(v.fields.VouDate).toBe('20251128');
    expect(v.fields.VtCode).toBe('5201');
    expect(v.details[1]?.VoucherBillId).toBe(v.fields.Id);
    expect(v.details[1]?.VoucherBillNo).toBe(v.fields.VoucherNo);
    expect(Object.keys(v.fields)[0]).toBe('Id');
    expect(Object.isFrozen(v.fields)).toBe(true);
  });

  it('5201 requires the payee bank number of a batch (BusinessTypeCode 4), not of a single item (domain.md §5.1, §8.2)', () => {
    const batch = { ...example('5201'), BusinessTypeCode: '4', PayeeAcctBankNo: '' };
    expect(issuesOf('5201', batch)).toEqual([
      expect.objectContaining({ path: 'PayeeAcctBankNo', code: 'VOUCHER_FIELD_REQUIRED', message: 'PayeeAcctBankNo is required when BusinessTypeCode is 4' }),
    ]);
    expect(issuesOf('5201', { ...batch, PayeeAcctBankNo: undefined }).map((i) => i.path)).toEqual(['PayeeAcctBankNo']);
    expect(issuesOf('5201', { ...batch, PayeeAcctBankNo: '105100000017' })).toEqual([]);
    expect(issuesOf('5201', { ...batch, BusinessTypeCode: '1' })).toEqual([]);
    expect(issuesOf('5201', { ...batch, BusinessTypeCode: '3' })).toEqual([]);
    // Blank spaces are a bad bank number whatever the type, reported once.
    expect(issuesOf('5201', { ...batch, PayeeAcctBankNo: '   ' }).map((i) => i.code)).toEqual(['VOUCHER_BANK_NO_FORMAT']);
  });

  it('8202 requires the payer bank name (DA/T 95 B.1: PayAcctNo / PayAcctName / PayAcctBankName are M)', () => {
    expect(issuesOf('8202', { ...example('8202'), PayAcctBankName: '' })).toEqual([
      expect.objectContaining({ path: 'PayAcctBankName', code: 'VOUCHER_FIELD_REQUIRED' }),
    ]);
    expect(issuesOf('8202', example('8202'))).toEqual([]);
  });

  it('a detail reference the builder fills from a bad main element is reported at the main element only', () => {
    // Each line's VoucherBillId / VoucherBillNo is a copy the caller never wrote: one problem per line on top of
    // the main one (499 for a full voucher) would send them to fix lines they did not give.
    const noId = { ...example('5201'), Id: undefined };
    expect(issuesOf('5201', noId).map((i) => `${i.path}: ${i.code}`)).toEqual(['Id: VOUCHER_FIELD_REQUIRED']);
    const longNo = { ...example('5201'), VoucherNo: 'A'.repeat(21) };
    expect(issuesOf('5201', longNo).map((i) => `${i.path}: ${i.code}`)).toEqual(['VoucherNo: VOUCHER_FIELD_TOO_LONG']);
    const numberNo = { ...example('8202'), VoucherNo: 1 };
    expect(issuesOf('8202', numberNo).map((i) => `${i.path}: ${i.code}`)).toEqual(['VoucherNo: VOUCHER_FIELD_TYPE']);
    // A reference the caller wrote is still checked where it was written.
    const given = { ...example('5201'), VoucherNo: 'A'.repeat(21), DetailList: [{ ...example('5201').DetailList?.[0], VoucherBillNo: 'B'.repeat(21) }] };
    expect(issuesOf('5201', given).map((i) => `${i.path}: ${i.code}`)).toEqual([
      'VoucherNo: VOUCHER_FIELD_TOO_LONG',
      'DetailList[0].VoucherBillNo: VOUCHER_FIELD_TOO_LONG',
      'DetailList[0].VoucherBillNo: VOUCHER_DETAIL_REF',
      'PayAmt: VOUCHER_AMOUNT_SUM',
    ]);
  });

  it('rejects an unknown voucher type with VOUCHER_UNKNOWN_TYPE', () => {
    expect(() => buildVoucher('9999', asData({}))).toThrow(expect.objectContaining({ code: 'VOUCHER_UNKNOWN_TYPE' }));
  });

  it('a clock in year 10000 in China Standard Time (9999-12-31T16:00Z on) finds no date in the future, and an invalid clock is ARG_INVALID', () => {
    // "100000101" sorted before "20251128": every voucher was "after today", its year "after the current year 1000".
    const v = buildVoucher('5201', asData(example('5201')), { now: NOW });
    for (const now of [new Date('9999-12-31T16:00:00Z'), new Date('+010000-06-01T00:00:00Z')]) {
      expect(validateVoucher(v, { now })).toEqual([]);
      expect(buildVoucher('5201', asData({ ...example('5201'), StYear: '9999', VouDate: '99991231' }), { now }).fields.VouDate).toBe('99991231');
      expect(fillReceipt(v, { XPayDate: '99991231', XPayAmt: '12680.50' }, [], { now }).fields.XPayDate).toBe('99991231');
    }
    // The last CST day of year 9999 still has its tomorrow.
    const last = buildVoucher('5201', asData({ ...example('5201'), StYear: '9999', VouDate: '99991231' }), { now: new Date('9999-12-31T00:00:00Z') });
    expect(validateVoucher(last, { now: new Date('9999-12-30T15:59:59Z') }).map((i) => i.code)).toEqual(['VOUCHER_DATE_FUTURE']);
    // Not "VouDate 20251128 is after today (0NaNNaNNaN)", nor a RangeError from fillReceipt.
    for (const call of [() => validateVoucher(v, { now: new Date(NaN) }), () => buildVoucher('5201', asData(example('5201')), { now: new Date('x') }), () => fillReceipt(v, {}, [], { now: new Date(NaN) })]) {
      expect(call).toThrow(expect.objectContaining({ code: 'ARG_INVALID' }));
    }
  });

  it('uses the real clock when no `now` is given', () => {
    const d = { ...example('5201'), StYear: '2999', VouDate: '29990101' };
    expect(() => buildVoucher('5201', asData(d))).toThrow(VoucherValidationError);
    expect(buildVoucher('5201', asData(example('5201'))).fields.VouDate).toBe('20251128');
  });
});

describe('field names of a type definition', () => {
  it('are read again from a definition that can change (only frozen catalogue lists are remembered)', async () => {
    const { validateAgainst } = await import('../../src/voucher/validate.js');
    const { getVoucherType } = await import('../../src/voucher/catalogue/index.js');
    const v = buildVoucher('5201', asData(example('5201')), { now: NOW });
    const frozen = getVoucherType('5201');
    expect(validateAgainst(frozen, v, { now: NOW })).toEqual([]);
    const fields = frozen.fields.map((f) => ({ ...f }));
    const def = { ...frozen, fields };
    expect(validateAgainst(def, v, { now: NOW })).toEqual([]);
    const payee = fields.find((f) => f.name === 'PayeeAcctName');
    if (payee === undefined) throw new Error('5201 has PayeeAcctName');
    payee.name = 'PayeeAcctNameX';
    expect(validateAgainst(def, v, { now: NOW }).map((i) => i.code)).toContain('VOUCHER_FIELD_UNKNOWN');
    expect(validateAgainst(frozen, v, { now: NOW })).toEqual([]);
  });
});
