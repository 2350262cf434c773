/** 3501 人民银行与财政凭证对账 / 3502 人民银行与代理银行凭证对账: reconciliation (domain.md §2, §5.5). */
import type { FieldDef, VoucherTypeDef } from '../types.js';
import { amount, detailId, f, header, holds, MAX_DETAILS, pos } from './common.js';

/** Fields of a reconciliation voucher; `bank` is the counterpart bank block. */
export function reconciliationMain(bank: readonly FieldDef[]): FieldDef[] {
  return [
    ...header(),
    f('TreCode', '国库主体代码', 'treasury code', 'code', { required: true, pattern: '^[0-9]{10}$', patternHint: '10 digits' }),
    ...bank,
    f('CheckDate', '对账日期', 'reconciliation date', 'date', { required: true, notFuture: true }),
    f('EVoucherType', '对账凭证类型', 'reconciled voucher type', 'code', { required: true, pattern: '^[0-9]{4}$', patternHint: '4 digits' }),
    f('AllNum', '总笔数', 'number of vouchers', 'integer', { required: true }),
    amount('AllAmt', '总金额', 'total amount'),
    ...holds(4),
  ];
}

/** Detail lines: one reconciled voucher each. */
export function reconciliationDetail(): FieldDef[] {
  return [
    detailId(),
    f('VoucherNo', '凭证号', 'voucher number', 'text', { required: true, maxBytes: 20 }),
    amount('Amt', '金额', 'amount'),
    f('ProState', '处理状态', 'processing state', 'code'),
    ...holds(4),
  ];
}

/** The 3501 definition. */
export const VT_3501: VoucherTypeDef = {
  vtCode: '3501',
  zh: '人民银行与财政凭证对账',
  en: 'PBOC–finance voucher reconciliation',
  flow: '人行 → 财政 (reply 5502)',
  fields: reconciliationMain([
    f('ClearBankCode', '人民银行编码', 'clearing bank (PBOC) code', 'code'),
    f('ClearBankName', '人民银行名称', 'clearing bank (PBOC) name', 'text'),
  ]),
  detail: { min: 1, max: MAX_DETAILS, fields: reconciliationDetail() },
  signRules: [],
  totals: [{ field: 'AllAmt', detailField: 'Amt' }],
  detailCountField: 'AllNum',
  positions: [pos('rh_qm', 1, true, 'original')],
  positionsChosen: true,
  notes: [
    'Seal position rh_qm is evoucher\'s choice: PBOC self-generated vouchers carry signature positions only (domain.md §6).',
    'The reply is a separate voucher (5502), so 3501 has no receipt view.',
    'AllNum must equal the number of detail lines and AllAmt their exact sum (amounts may be negative).',
  ],
};
