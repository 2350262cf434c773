/** 3502 人民银行与代理银行凭证对账: PBOC–agent bank reconciliation (domain.md §2, §5.5). */
import type { VoucherTypeDef } from '../types.js';
import { f, MAX_DETAILS, pos } from './common.js';
import { reconciliationDetail, reconciliationMain } from './vt3501.js';

/** The 3502 definition. */
export const VT_3502: VoucherTypeDef = {
  vtCode: '3502',
  zh: '人民银行与代理银行凭证对账',
  en: 'PBOC–agent bank voucher reconciliation',
  flow: '人行 → 代理银行 (reply 2502)',
  fields: reconciliationMain([
    f('PayBankCode', '代理银行编码', 'agent bank code', 'code', { required: true }),
    f('PayBankName', '代理银行名称', 'agent bank name', 'text'),
  ]),
  detail: { min: 1, max: MAX_DETAILS, fields: reconciliationDetail() },
  signRules: [],
  totals: [{ field: 'AllAmt', detailField: 'Amt' }],
  detailCountField: 'AllNum',
  positions: [pos('rh_qm', 1, true, 'original'), pos('yh_ywzyz', 2, false, 'receipt')],
  positionsChosen: true,
  notes: [
    'Seal positions are evoucher\'s choice: rh_qm (the PBOC signs what it generates) and, when the bank acknowledges in a receipt view, yh_ywzyz.',
    'AllNum must equal the number of detail lines and AllAmt their exact sum (amounts may be negative).',
  ],
};
