import { describe, expect, it } from 'vitest';
import {
  buildVoucher,
  diffVouchers,
  fillReceipt,
  parseVoucher,
  serializeVoucher,
  VoucherValidationError,
} from '../../src/voucher/index.js';
import type { Voucher } from '../../src/voucher/index.js';
import { thrownCode } from '../helpers/codes.js';
import { asData, example, NOW } from './helpers.js';

const original = buildVoucher('5201', asData(example('5201')), { now: NOW });

describe('fillReceipt', () => {
  it('takes a date as yyyy-MM-dd, as the builder does, and writes it yyyyMMdd (domain.md §3)', () => {
    const r = fillReceipt(original, { XPayDate: '2025-11-28', XPayAmt: '12680.50' }, [], { now: NOW });
    expect(r.fields['XPayDate']).toBe('20251128');
    expect(thrownCode(() => fillReceipt(original, { XPayDate: '2025-02-30' }, [], { now: NOW }))).toBe('VOUCHER_INVALID');
    expect(thrownCode(() => fillReceipt(original, { XPayDate: '2025-11-2' }, [], { now: NOW }))).toBe('VOUCHER_INVALID');
  });
  it('sets main and detail X-fields and nothing else', () => {
    const r = fillReceipt(original, { XPayDate: '20251128', XPayAmt: '12680.50', XAgentBusinessNo: 'B001' }, [{ XPayAmt: '8000.00' }, { XAddWord: '成功' }], { now: NOW });
    expect(r.fields.XPayDate).toBe('20251128');
    expect(r.details[0]?.XPayAmt).toBe('8000.00');
    expect(r.details[1]?.XAddWord).toBe('成功');
    expect(Object.keys(r.fields)).toEqual(Object.keys(original.fields));
    const diff = diffVouchers(original, r);
    expect(diff.map((d) => d.path)).toEqual(['XPayDate', 'XAgentBusinessNo', 'XPayAmt', 'DetailList[0].XPayAmt', 'DetailList[1].XAddWord']);
    expect(diff.every((d) => d.x)).toBe(true);
    expect(parseVoucher(serializeVoucher(r))).toEqual(r);
  });

  it('refuses a non-X field, an unknown field and a detail beyond the original', () => {
    expect(thrownCode(() => fillReceipt(original, { PayAmt: '1.00' }))).toBe('VOUCHER_RECEIPT_FIELD_FORBIDDEN');
    expect(thrownCode(() => fillReceipt(original, { XFoo: '1' }))).toBe('VOUCHER_RECEIPT_FIELD_FORBIDDEN');
    expect(thrownCode(() => fillReceipt(original, {}, [{ PayeeAcctName: 'x' }]))).toBe('VOUCHER_RECEIPT_FIELD_FORBIDDEN');
    expect(thrownCode(() => fillReceipt(original, {}, [{}, {}, { XAddWord: 'x' }]))).toBe('VOUCHER_RECEIPT_FIELD_FORBIDDEN');
  });

  it('refuses a malformed X value with the rule codes', () => {
    try {
      fillReceipt(original, { XPayAmt: '1', XPayDate: '20991231' }, [], { now: NOW });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(VoucherValidationError);
      expect((e as VoucherValidationError).issues.map((i) => i.code)).toEqual(['VOUCHER_AMOUNT_FORMAT', 'VOUCHER_DATE_FUTURE']);
    }
  });
});

describe('diffVouchers', () => {
  it('finds nothing between equal vouchers', () => {
    expect(diffVouchers(original, parseVoucher(serializeVoucher(original)))).toEqual([]);
  });

  it('marks a changed non-X field, a missing element and a changed line count', () => {
    const changed: Voucher = {
      ...original,
      fields: { ...original.fields, PayeeAcctNo: '6200000000000000', XPayAmt: '1.00' },
      details: [{ ...original.details[0] }],
    };
    delete (changed.fields as Record<string, string>).Hold2;
    expect(diffVouchers(original, changed)).toEqual([
      { path: 'PayeeAcctNo', a: '0200001234567890123', b: '6200000000000000', x: false },
      { path: 'XPayAmt', a: '', b: '1.00', x: true },
      { path: 'Hold2', a: '', x: false },
      { path: 'DetailList', a: '2', b: '1', x: false },
    ]);
  });

  it('names unknown elements as non-X differences', () => {
    const odd: Voucher = { ...original, fields: { ...original.fields, Extra: 'x' } };
    expect(diffVouchers(original, odd)).toEqual([{ path: 'Extra', b: 'x', x: false }]);
  });
});
