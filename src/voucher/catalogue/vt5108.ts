/** 5108 财政直接支付汇总清算额度通知单: direct-payment clearing quota notice (domain.md §5.4). */
import type { VoucherTypeDef } from '../types.js';
import { amount, f, financeToPbocPositions, MAX_DETAILS, payee, payer } from './common.js';
import { quotaDetail, quotaMain } from './vt5106.js';

/** The 5108 definition. */
export const VT_5108: VoucherTypeDef = {
  vtCode: '5108',
  zh: '财政直接支付汇总清算额度通知单',
  en: 'direct-payment clearing quota notice',
  flow: '财政 → 人行; the PBOC fills XAcctDate',
  fields: quotaMain(20, amount('PayAmt', '合计清算金额', 'total clearing amount'), [
    f('PayVoucherNo', '支付凭证号/调整凭证号', 'payment or adjustment voucher number', 'text', { maxBytes: 20 }),
  ]),
  detail: {
    min: 1,
    max: MAX_DETAILS,
    fields: quotaDetail(amount('PayAmt', '清算金额', 'clearing amount'), [
      f('DirectVoucherNo', '直接支付凭证号', 'direct payment voucher number', 'text', { maxBytes: 20 }),
      ...payee({ nameMax: 120 }),
      ...payer(),
    ]),
  },
  signRules: [{ field: 'PayAmt', scope: 'main', sign: 'nonzero' }],
  totals: [{ field: 'PayAmt', detailField: 'PayAmt' }],
  positions: financeToPbocPositions(),
  positionsChosen: false,
  notes: ['Matched with the 5201 it clears (≠ 0) or a 5253 (= 0).'],
};
