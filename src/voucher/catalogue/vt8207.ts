/** 8207 财政批量业务支付明细: batch payment details of a 5201/5207/8202 (domain.md §5.5). */
import type { VoucherTypeDef } from '../types.js';
import { amount, detailId, f, header, holds, MAX_DETAILS, pair, payee, pos, xf } from './common.js';

/** The 8207 definition. */
export const VT_8207: VoucherTypeDef = {
  vtCode: '8207',
  zh: '财政批量业务支付明细',
  en: 'batch payment details',
  flow: '财政 → 人行 / 代理银行; not returned as a 回单 (the flag stays 0)',
  fields: [
    ...header(),
    f('OriginalVtCode', '主单凭证类型', 'main voucher type', 'code', {
      required: true,
      codeTable: 'OriginalVtCode',
      pattern: '^[0-9]{4}$',
      patternHint: '4 digits',
    }),
    f('OriginalVoucherNo', '主单凭证号', 'main voucher number', 'text', { required: true, maxBytes: 20 }),
    ...pair('PayBank', '代理银行', 'agent bank'),
    amount('SumAmt', '合计金额', 'total amount'),
    f('PayDictateNo', '支付交易序号', 'payment transaction number', 'code', { pattern: '^[0-9]{1,8}$', patternHint: '1–8 digits' }),
    f('PayMsgNo', '支付报文编号', 'payment message number', 'code', { pattern: '^[0-9]{3}$', patternHint: '3 digits', codeTable: 'PayMsgNo' }),
    f('PayEntrustDate', '委托日期', 'entrust date', 'date', { notFuture: true }),
    f('PaySndBnkNo', '支付发起行行号', 'sending bank number', 'code', { pattern: '^[0-9]{1,14}$', patternHint: '1–14 digits' }),
    xf('XSumAmt', '实际合计金额', 'actual total amount', 'amount'),
    ...holds(2),
  ],
  detail: {
    min: 1,
    max: MAX_DETAILS,
    fields: [
      detailId(),
      f('VoucherBillId', '主单ID', 'batch voucher id', 'id', { required: true, ref: 'Id' }),
      ...pair('Agency', '基层预算单位', 'budget unit', {}, { maxBytes: 120 }),
      ...pair('ExpFunc', '支出功能分类科目', 'expenditure function subject'),
      ...payee({ required: true, nameMax: 120 }),
      amount('PayAmt', '金额', 'amount'),
      f('Remark', '备注', 'remark', 'text', { maxBytes: 200 }),
      xf('XPayAmt', '实际支付金额', 'actual payment amount', 'amount'),
      xf('XAddWordCode', '失败原因代码', 'failure reason code', 'code'),
      xf('XAddWord', '失败原因', 'failure reason', 'text', { maxBytes: 200 }),
      ...holds(4),
    ],
  },
  signRules: [
    { field: 'SumAmt', scope: 'main', sign: 'positive' },
    { field: 'PayAmt', scope: 'detail', sign: 'positive' },
  ],
  totals: [{ field: 'SumAmt', detailField: 'PayAmt' }],
  positions: [pos('cz_bkzyz', 1, true, 'original')],
  positionsChosen: true,
  notes: [
    'Seal position cz_bkzyz is evoucher\'s choice: domain.md lists no default for 8207.',
    'Batch items (BusinessTypeCode 4 in the main voucher) must carry PayeeAcctBankNo; checking that needs the main voucher (a cross-voucher rule).',
  ],
};
