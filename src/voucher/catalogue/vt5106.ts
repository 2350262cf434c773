/** 5106 财政授权支付汇总清算额度通知单: authorized-payment clearing quota notice (domain.md §5.4). */
import type { FieldDef, VoucherTypeDef } from '../types.js';
import { amount, detailId, expEco, expFunc, f, financeToPbocPositions, header, holds, MAX_DETAILS, pair, treasuryAndFinance, xf } from './common.js';

/** Main fields shared by the clearing-quota notices 5106 and 5108, around the amount. */
export function quotaMain(voucherNoMaxBytes: number, amountField: FieldDef, extra: readonly FieldDef[]): FieldDef[] {
  return [
    ...header(voucherNoMaxBytes),
    ...treasuryAndFinance(),
    amountField,
    f('ClearVoucherNo', '清算凭证号', 'clearing voucher number', 'text', { maxBytes: 20 }),
    ...extra,
    f('PayAcctNo', '付款人账号', 'payer account number', 'account'),
    f('PayAcctName', '付款人名称', 'payer name', 'text'),
    f('PayeeAcctNo', '收款人账号', 'payee account number', 'account'),
    f('PayeeAcctName', '收款人名称', 'payee name', 'text'),
    f('SetMonth', '计划月份', 'plan month', 'month'),
    f('DeptNum', '一级预算单位数量', 'number of first-level budget units', 'integer'),
    ...pair('FundType', '资金性质', 'fund type'),
    ...pair('ClearBank', '人民银行', 'clearing bank (PBOC)'),
    ...pair('PayBank', '代理银行', 'agent bank'),
    f('PayBankNo', '代理银行行号', 'agent bank number', 'bankNo'),
    xf('XAcctDate', '入账日期', 'booking date', 'date', { requiredInReceipt: true, notFuture: true }),
    ...holds(2),
  ];
}

/** Detail fields shared by 5106 and 5108 around the amount. */
export function quotaDetail(amountField: FieldDef, extra: readonly FieldDef[]): FieldDef[] {
  return [
    detailId(),
    ...pair('SupDep', '一级预算单位', 'first-level budget unit'),
    ...expFunc(3),
    ...pair('ProCat', '收支管理', 'revenue/expenditure category'),
    amountField,
    ...pair('FundType', '资金性质', 'fund type'),
    ...pair('Agency', '基层预算单位', 'budget unit', {}, { maxBytes: 120 }),
    ...expEco(0),
    ...pair('DepPro', '预算项目', 'budget project'),
    ...extra,
    ...holds(4),
  ];
}

/** The 5106 definition. */
export const VT_5106: VoucherTypeDef = {
  vtCode: '5106',
  zh: '财政授权支付汇总清算额度通知单',
  en: 'authorized-payment clearing quota notice',
  flow: '财政 → 人行; the PBOC fills XAcctDate',
  fields: quotaMain(17, amount('PlanAmt', '合计清算额度', 'total clearing quota'), []),
  detail: {
    min: 1,
    max: MAX_DETAILS,
    fields: quotaDetail(amount('PlanAmt', '清算额度', 'clearing quota'), [
      f('AgencyAccoCode', '单位零余额账户', 'unit zero-balance account', 'account'),
      f('AgencyBankName', '零余额账户开户行', 'zero-balance account bank', 'text'),
    ]),
  },
  signRules: [{ field: 'PlanAmt', scope: 'main', sign: 'nonzero' }],
  totals: [{ field: 'PlanAmt', detailField: 'PlanAmt' }],
  positions: financeToPbocPositions(),
  positionsChosen: false,
  notes: [
    'VoucherNo is at most 17 bytes.',
    'ClearVoucherNo is the VoucherNo of the 2301 (or 5351 when the amount is 0) it clears.',
    'PlanAmt ≠ 0 outside Shanghai; Shanghai variants need a profile that relaxes the sign rule.',
  ],
};
