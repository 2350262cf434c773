/** 5207 实拨拨款凭证: direct appropriation voucher (domain.md §5.5). */
import type { VoucherTypeDef } from '../types.js';
import { amount, detailId, f, financeToPbocPositions, header, holds, MAX_DETAILS, pair, payee, payer, treasuryAndFinance, xf } from './common.js';

/** The 5207 definition. */
export const VT_5207: VoucherTypeDef = {
  vtCode: '5207',
  zh: '实拨拨款凭证',
  en: 'direct appropriation voucher',
  flow: '财政 → 人行; the PBOC fills the X-fields',
  fields: [
    ...header(),
    ...treasuryAndFinance(),
    ...pair('PayType', '支付方式', 'payment method', {
      required: true,
      pattern: '^[0-9]{2,6}$',
      patternHint: '2–6 digits',
      codeTable: 'PayTypeCode',
      allowedCodes: ['91', '002', '92*', '21'],
    }),
    ...pair('FundType', '资金性质', 'fund type'),
    ...pair('Agency', '预算单位', 'budget unit', {}, { maxBytes: 120 }),
    ...payee({ required: true }),
    ...payer(true),
    amount('PayAmt', '拨款金额', 'appropriation amount'),
    ...pair('BusinessType', '业务类型', 'business type', {
      required: true,
      codeTable: 'BusinessTypeCode',
      allowedCodes: ['1', '4'],
    }),
    f('Remark', '备注', 'remark', 'text', { maxBytes: 200 }),
    xf('XPayAmt', '实际拨款金额', 'actual appropriation amount', 'amount', { requiredInReceipt: true, aliases: ['XpayAmt'] }),
    xf('XPayDate', '实际拨款日期', 'actual appropriation date', 'date', { requiredInReceipt: true, notFuture: true }),
    xf('XAgentBusinessNo', '交易流水号', 'transaction number', 'text'),
    ...holds(2),
  ],
  detail: {
    min: 1,
    max: MAX_DETAILS,
    fields: [
      detailId(),
      f('VoucherBillId', '主单ID', 'main voucher id', 'id', { required: true, ref: 'Id' }),
      f('VoucherDetailNo', '明细序号', 'detail number', 'text', { maxBytes: 42 }),
      ...payee({
        required: true,
        bankNo: true,
        account: { pattern: '^[0-9]{1,42}$', patternHint: '1–42 digits', maxBytes: 42 },
        nameMax: 120,
      }),
      amount('PayAmt', '拨款金额', 'appropriation amount'),
      ...pair('PaySummary', '用途', 'purpose', {}, { maxBytes: 200 }),
      xf('XAddWord', '附言/失败原因', 'note or failure reason', 'text', { maxBytes: 200 }),
      ...holds(4),
    ],
  },
  signRules: [
    { field: 'PayAmt', scope: 'main', sign: 'positive' },
    { field: 'PayAmt', scope: 'detail', sign: 'positive' },
  ],
  totals: [{ field: 'PayAmt', detailField: 'PayAmt' }],
  positions: financeToPbocPositions(),
  positionsChosen: false,
  notes: [
    'XPayAmt is also spelled XpayAmt in some regions; the reader accepts both and the writer uses XPayAmt.',
    'BusinessTypeCode 1 is a single item, 4 a batch (details in 8207).',
    'A large PayAmt is flagged for manual attention by a pre-send rule, not rejected (domain.md §8.6).',
  ],
};
