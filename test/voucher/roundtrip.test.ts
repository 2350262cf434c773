/**
 * Round trips: canonical bytes survive parse → serialize unchanged, and any voucher survives
 * serialize → parse unchanged (property test over generated vouchers of every catalogue type).
 */
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  buildVoucher,
  listVoucherTypes,
  parseVoucher,
  serializeVoucher,
  validateVoucher,
} from '../../src/voucher/index.js';
import type { Voucher } from '../../src/voucher/index.js';
import { asData, example, NOW } from './helpers.js';

const NAMES = ['北京某某科技有限公司', '张三', '李四', '上海浦东发展银行', '国家金库', '内蒙古自治区', '鄂尔多斯', '龘', '·', '—'];

describe('GBK 5201 with Chinese names and 20 detail lines', () => {
  const details = Array.from({ length: 20 }, (_, i) => ({
    Id: `D${String(i + 1).padStart(3, '0')}`,
    AgencyName: `${NAMES[i % NAMES.length] ?? ''}第${i + 1}单位`,
    PayeeAcctNo: `62220202000${String(i).padStart(8, '0')}`,
    PayeeAcctName: NAMES[(i + 3) % NAMES.length] ?? '',
    PayAmt: `${i + 1}00.${String(i).padStart(2, '0')}`,
    Remark: `第${i + 1}笔 & <备注>`,
  }));
  const total = details.reduce((s, d) => s + BigInt(d.PayAmt.replace('.', '')), 0n);
  const amount = `${total / 100n}.${String(total % 100n).padStart(2, '0')}`;
  const v = buildVoucher('5201', asData({ ...example('5201'), PayAmt: amount, DetailList: details }), { now: NOW });
  const bytes = serializeVoucher(v);

  it('is valid and really GBK-encoded', () => {
    expect(validateVoucher(v, { now: NOW })).toEqual([]);
    expect(v.details).toHaveLength(20);
    // 财 is B2 C6 in GBK.
    expect(Buffer.from(bytes).includes(Buffer.from([0xb2, 0xc6]))).toBe(true);
    expect(iconv.decode(Buffer.from(bytes), 'gbk')).toContain('<PayeeAcctName>北京某某办公用品有限公司</PayeeAcctName>');
  });

  it('round-trips byte-exact', () => {
    const parsed = parseVoucher(bytes);
    expect(parsed).toEqual(v);
    expect(serializeVoucher(parsed)).toEqual(bytes);
  });

  it('bytes that are not canonical are read but re-serialize canonically', () => {
    const text = iconv.decode(Buffer.from(bytes), 'gbk').replace('<Hold1/>', '<Hold1></Hold1>').replace('<Voucher>', '<Voucher>\n  ');
    const loose = new Uint8Array(iconv.encode(text, 'gbk'));
    expect(parseVoucher(loose)).toEqual(v);
    expect(serializeVoucher(parseVoucher(loose))).toEqual(bytes);
  });
});

// Values: printable ASCII (including the XML specials), Chinese, TAB/LF/CR (which XML would normalise
// unless escaped), and the empty string.
const char = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.constantFrom(...'财政直接支付凭证北京某某有限公司龘鄂尔多斯·—'.split('')),
  fc.constantFrom('\t', '\n', '\r', '&', '<', '>', '"', "'"),
);
const value = fc.array(char, { maxLength: 12 }).map((a) => a.join(''));

function recordOf(names: readonly string[]): fc.Arbitrary<Record<string, string>> {
  return fc
    .tuple(fc.subarray([...names]), fc.array(value, { minLength: names.length, maxLength: names.length }))
    .map(([keys, vals]) => Object.fromEntries(keys.map((k, i) => [k, vals[i] ?? ''])));
}

const voucherArb: fc.Arbitrary<Voucher> = fc
  .constantFrom(...listVoucherTypes())
  .chain((def) =>
    fc.record({
      vtCode: fc.constant(def.vtCode),
      fields: recordOf(def.fields.map((f) => f.name).filter((n) => n !== 'VtCode')).map((f) => ({ ...f, VtCode: def.vtCode })),
      details: fc.array(recordOf(def.detail.fields.map((f) => f.name)), { maxLength: 4 }),
      encoding: fc.constantFrom('GBK' as const, 'UTF-8' as const),
    }),
  );

describe('property: parse(serialize(v)) deep-equals v', () => {
  it('over generated vouchers of every type, GBK and UTF-8, Chinese included', () => {
    fc.assert(
      fc.property(voucherArb, (v) => {
        const bytes = serializeVoucher(v);
        const back = parseVoucher(bytes);
        expect(back).toEqual(v);
        expect(serializeVoucher(back)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });
});
