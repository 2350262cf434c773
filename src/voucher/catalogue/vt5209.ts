/** 5209 收入退付凭证: revenue refund voucher (domain.md §5.5). */
import type { VoucherTypeDef } from '../types.js';
import { amount, billRefs, detailId, f, financeToPbocPositions, header, holds, MAX_DETAILS, pair, payee, payer, treasuryAndFinance, xf } from './common.js';

/** The 5209 definition. */
export const VT_5209: VoucherTypeDef = {
  vtCode: '5209',
  zh: '收入退付凭证',
  en: 'revenue refund voucher',
  flow: '财政 → 人行; the PBOC fills XPayAmt and XPayDate',
  fields: [
    ...header(),
    ...treasuryAndFinance(),
    ...pair('IncomeSort', '收入分类科目', 'revenue classification subject', { required: true }),
    f('ReturnReasonName', '退付原因', 'refund reason', 'text', { maxBytes: 200 }),
    ...payee({ required: true }),
    ...payer(true),
    amount('PayAmt', '退付金额', 'refund amount'),
    f('Remark', '备注', 'remark', 'text', { maxBytes: 200 }),
    xf('XPayAmt', '实际退付金额', 'actual refund amount', 'amount', { requiredInReceipt: true }),
    xf('XPayDate', '实际退付日期', 'actual refund date', 'date', { requiredInReceipt: true, notFuture: true }),
    ...holds(2),
  ],
  detail: {
    min: 1,
    max: MAX_DETAILS,
    fields: [
      detailId(),
      ...billRefs(),
      ...pair('IncomeSort', '收入分类科目', 'revenue classification subject'),
      ...payee({ nameMax: 120 }),
      amount('PayAmt', '退付金额', 'refund amount'),
      f('Remark', '备注', 'remark', 'text', { maxBytes: 200 }),
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
    'The detail schema and the sign rule (refunded amounts are written positive) are evoucher\'s choice; the field list of the national 5209 detail is not available.',
    'Payee names are checked for characters GBK cannot carry (rare characters).',
  ],
};
