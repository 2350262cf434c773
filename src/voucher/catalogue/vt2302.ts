/** 2302 申请退款凭证: refund request from the agent bank to the PBOC (domain.md §5.3, §8.5). */
import type { VoucherTypeDef } from '../types.js';
import { f, holds, MAX_DETAILS, payee, payer, pos } from './common.js';
import { clearingDetailHead, clearingMainHead, clearingMainTail } from './vt2301.js';

/** The 2302 definition. */
export const VT_2302: VoucherTypeDef = {
  vtCode: '2302',
  zh: '申请退款凭证',
  en: 'refund request',
  flow: '代理银行 → 人行; the PBOC fills the X-fields as for 2301',
  fields: [
    ...clearingMainHead(),
    f('PayDictateNo', '支付交易序号', 'payment transaction number', 'code', { pattern: '^[0-9]{1,8}$', patternHint: '1–8 digits' }),
    f('PayMsgNo', '支付报文编号', 'payment message number', 'code', { pattern: '^[0-9]{3}$', patternHint: '3 digits', codeTable: 'PayMsgNo' }),
    f('PayEntrustDate', '委托日期', 'entrust date', 'date', { notFuture: true }),
    f('TKLX', '退款类型', 'refund type (Shanghai)', 'code'),
    f('ReturnDate', '退款日期', 'return date', 'date', { notFuture: true }),
    ...clearingMainTail(),
  ],
  detail: {
    min: 1,
    max: MAX_DETAILS,
    fields: [
      ...clearingDetailHead(),
      f('OriVoucherNo', '原支付凭证号', 'original voucher number', 'text', { maxBytes: 20 }),
      f('OriVouDetailNo', '原明细号', 'original detail number', 'text', { maxBytes: 42 }),
      ...payee({ nameMax: 120 }),
      ...payer(),
      ...holds(4),
    ],
  },
  signRules: [
    { field: 'PayAmt', scope: 'main', sign: 'negative' },
    { field: 'PayAmt', scope: 'detail', sign: 'negative' },
  ],
  totals: [{ field: 'PayAmt', detailField: 'PayAmt' }],
  positions: [pos('yh_ywzyz', 1, true, 'original'), pos('rh_zqz', 2, true, 'receipt'), pos('rh_qm', 3, false, 'receipt')],
  positionsChosen: false,
  notes: [
    'Each detail refunds one original 2301 detail (OriVoucherNo, OriVouDetailNo) with an equal, negated amount.',
    'Matching a refund against its original is a cross-voucher check (domain.md §8.5), not a rule of this type.',
  ],
};
