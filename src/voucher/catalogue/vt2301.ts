/** 2301 申请划款凭证: clearing request from the agent bank to the PBOC (domain.md §5.3). */
import type { FieldDef, VoucherTypeDef } from '../types.js';
import { amount, detailId, f, header, holds, MAX_DETAILS, pair, pos, treasuryAndFinance, xf } from './common.js';

/** Main fields of 2301 up to (and without) the X-fields; 2302 inserts its own fields after them. */
export function clearingMainHead(): FieldDef[] {
  return [
    ...header(),
    ...treasuryAndFinance(),
    ...pair('BgtType', '预算类型', 'budget type'),
    ...pair('FundType', '资金性质', 'fund type'),
    ...pair('PayType', '支付方式', 'payment method', {
      required: true,
      pattern: '^[0-9]{2,6}$',
      patternHint: '2–6 digits',
      codeTable: 'PayTypeCode',
      allowedCodes: ['11', '12', '001001', '001002'],
    }),
    f('AgentAcctNo', '代理银行清算账号', 'agent bank clearing account (payee)', 'account', { required: true }),
    f('AgentAcctName', '代理银行清算账户名称', 'agent bank clearing account name', 'text', { required: true }),
    f('AgentAcctBankName', '代理银行清算账户开户行', 'agent bank clearing account bank', 'text'),
    f('ClearAcctNo', '国库清算账号', 'treasury clearing account (payer)', 'account', { required: true }),
    f('ClearAcctName', '国库清算账户名称', 'treasury clearing account name', 'text', { required: true }),
    f('ClearAcctBankName', '国库清算账户开户行', 'treasury clearing account bank', 'text'),
    amount('PayAmt', '汇总清算金额', 'total clearing amount'),
    f('PayBankName', '代理银行名称', 'agent bank name', 'text'),
    f('PayBankNo', '代理银行行号', 'agent bank number', 'bankNo'),
    f('Remark', '备注', 'remark', 'text', { maxBytes: 200 }),
    f('MoneyCorpCode', '金融机构编码', 'financial institution code', 'code'),
  ];
}

/** The X-fields and reserved fields that end a 2301/2302 main part. */
export function clearingMainTail(): FieldDef[] {
  return [
    xf('XPaySndBnkNo', '支付发起行行号', 'sending bank number', 'code', { pattern: '^[0-9]{1,14}$', patternHint: '1–14 digits' }),
    xf('XAddWord', '附言', 'note', 'text', { maxBytes: 200 }),
    xf('XClearDate', '清算日期', 'clearing date', 'date', { requiredInReceipt: true, notFuture: true }),
    xf('XPayAmt', '实际清算金额', 'actual clearing amount', 'amount', { requiredInReceipt: true }),
    ...holds(2),
  ];
}

/** Detail fields of 2301 (2302 adds its own). */
export function clearingDetailHead(): FieldDef[] {
  return [
    detailId(),
    f('VoucherNo', '支付凭证单号', 'payment voucher number', 'text', { maxBytes: 20 }),
    ...pair('SupDep', '一级预算单位', 'first-level budget unit'),
    ...pair('ExpFunc', '支出功能分类科目', 'expenditure function subject'),
    amount('PayAmt', '金额', 'amount'),
    f('PaySummaryName', '用途', 'purpose', 'text', { maxBytes: 200 }),
  ];
}

/** The 2301 definition. */
export const VT_2301: VoucherTypeDef = {
  vtCode: '2301',
  zh: '申请划款凭证',
  en: 'clearing request',
  flow: '代理银行 → 人行; the PBOC fills the X-fields; the 回单 goes to the bank, a full-signature copy to 财政',
  fields: [...clearingMainHead(), ...clearingMainTail()],
  detail: { min: 1, max: MAX_DETAILS, fields: [...clearingDetailHead(), ...holds(4)] },
  signRules: [{ field: 'PayAmt', scope: 'main', sign: 'positive' }],
  totals: [{ field: 'PayAmt', detailField: 'PayAmt' }],
  positions: [pos('yh_ywzyz', 1, true, 'original'), pos('rh_zqz', 2, true, 'receipt'), pos('rh_qm', 3, false, 'receipt')],
  positionsChosen: false,
  notes: ['PayTypeCode 11 clears direct payments, 12 authorized payments.'],
};
