/**
 * Building blocks of the catalogue data: field constructors, the shared header and reserved fields, the
 * code tables and the seal positions. Only data lives here; the rules that read it are in `../validate.ts`.
 *
 * Sources: domain.md §3 (conventions), §5 (field tables), §6 (seal positions), §8.1 (format rules).
 */
import type { CodeTable, FieldDef, FieldType, PartyCode, RequiredWhen, SealPositionDef, VoucherView } from '../types.js';

/** Optional parts of a field definition. */
export interface FieldOptions {
  readonly required?: boolean;
  readonly requiredWhen?: RequiredWhen;
  readonly requiredInReceipt?: boolean;
  readonly pattern?: string;
  readonly patternHint?: string;
  readonly codeTable?: string;
  readonly allowedCodes?: readonly string[];
  readonly notFuture?: boolean;
  readonly ref?: string;
  readonly aliases?: readonly string[];
  readonly maxBytes?: number;
}

/** Default byte limit per value kind (domain.md §8.1; codes over 30 bytes are truncated by the PBOC front-end). */
const DEFAULT_MAX: Readonly<Record<FieldType, number>> = {
  id: 64,
  text: 60,
  code: 30,
  amount: 19,
  date: 8,
  year: 4,
  month: 2,
  account: 32,
  bankNo: 12,
  integer: 10,
};

function make(name: string, zh: string, en: string, type: FieldType, x: boolean, o: FieldOptions): FieldDef {
  return {
    name,
    zh,
    en,
    type,
    maxBytes: o.maxBytes ?? DEFAULT_MAX[type],
    required: o.required ?? false,
    x,
    ...(o.requiredWhen === undefined ? {} : { requiredWhen: o.requiredWhen }),
    ...(o.requiredInReceipt === undefined ? {} : { requiredInReceipt: o.requiredInReceipt }),
    ...(o.pattern === undefined ? {} : { pattern: o.pattern }),
    ...(o.patternHint === undefined ? {} : { patternHint: o.patternHint }),
    ...(o.codeTable === undefined ? {} : { codeTable: o.codeTable }),
    ...(o.allowedCodes === undefined ? {} : { allowedCodes: o.allowedCodes }),
    ...(o.notFuture === undefined ? {} : { notFuture: o.notFuture }),
    ...(o.ref === undefined ? {} : { ref: o.ref }),
    ...(o.aliases === undefined ? {} : { aliases: o.aliases }),
  };
}

/** A field filled by the issuer. */
export function f(name: string, zh: string, en: string, type: FieldType, o: FieldOptions = {}): FieldDef {
  return make(name, zh, en, type, false, o);
}

/** An X-field: empty in the original, filled by the processing party in the receipt. */
export function xf(name: string, zh: string, en: string, type: FieldType, o: FieldOptions = {}): FieldDef {
  return make(name, zh, en, type, true, o);
}

/** A `<prefix>Code` / `<prefix>Name` pair. */
export function pair(
  prefix: string,
  zh: string,
  en: string,
  code: FieldOptions = {},
  name: FieldOptions = {},
): FieldDef[] {
  return [
    f(`${prefix}Code`, `${zh}编码`, `${en} code`, 'code', code),
    f(`${prefix}Name`, `${zh}名称`, `${en} name`, 'text', name),
  ];
}

/** 6-digit administrative-division code (GB/T 2260), e.g. `110000`. */
export const ADM_DIV_PATTERN = '^[0-9]{6}$';

/** The voucher header every type starts with (domain.md §3 "Header"). */
export function header(voucherNoMaxBytes = 20): FieldDef[] {
  return [
    f('Id', '凭证ID', 'voucher id', 'id', { required: true }),
    f('AdmDivCode', '行政区划代码', 'administrative division code', 'code', {
      required: true,
      pattern: ADM_DIV_PATTERN,
      patternHint: '6 digits',
    }),
    f('StYear', '业务年度', 'budget year', 'year', { required: true, notFuture: true }),
    f('VtCode', '凭证类型编号', 'voucher type code', 'code', { required: true, pattern: '^[0-9]{4}$', patternHint: '4 digits' }),
    f('VouDate', '凭证日期', 'voucher date', 'date', { required: true, notFuture: true }),
    f('VoucherNo', '凭证号', 'voucher number', 'text', { required: true, maxBytes: voucherNoMaxBytes }),
  ];
}

/** Reserved fields `Hold1`..`HoldN` (the main part has 2, detail lines 4). */
export function holds(n: number): FieldDef[] {
  const out: FieldDef[] = [];
  for (let i = 1; i <= n; i++) out.push(f(`Hold${i}`, `预留字段${i}`, `reserved ${i}`, 'text', { maxBytes: 200 }));
  return out;
}

/** The first fields of every detail line. */
export function detailId(): FieldDef {
  return f('Id', '明细ID', 'detail line id', 'id', { required: true });
}

/** `VoucherBillId` / `VoucherBillNo`: the detail repeats the main Id and VoucherNo (filled by the builder). */
export function billRefs(): FieldDef[] {
  return [
    f('VoucherBillId', '主单ID', 'main voucher id', 'id', { required: true, ref: 'Id' }),
    f('VoucherBillNo', '主单凭证号', 'main voucher number', 'text', { required: true, ref: 'VoucherNo', maxBytes: 20 }),
  ];
}

/** 10-digit treasury code (国库主体代码) and ≤ 12-digit finance-organ code (domain.md §8.1). */
export function treasuryAndFinance(required = true): FieldDef[] {
  return [
    f('TreCode', '国库主体代码', 'treasury code', 'code', { required, pattern: '^[0-9]{10}$', patternHint: '10 digits' }),
    f('FinOrgCode', '财政机关代码', 'finance organ code', 'code', {
      required,
      pattern: '^[0-9]{1,12}$',
      patternHint: '1–12 digits',
    }),
  ];
}

/**
 * A batch item (`BusinessTypeCode` 4) must carry the payee bank number; a single item may leave it blank, to be
 * filled from a bank-name table (domain.md §5.1 and §8.2).
 */
export const BANK_NO_REQUIRED_FOR_BATCH: RequiredWhen = Object.freeze({ field: 'BusinessTypeCode', values: Object.freeze(['4']) });

/** A payee block: account number, name, bank name and (optionally) the 12-digit bank number. */
export function payee(
  o: { readonly required?: boolean; readonly bankNo?: boolean; readonly bankNoRequiredWhen?: RequiredWhen; readonly account?: FieldOptions; readonly nameMax?: number } = {},
): FieldDef[] {
  const required = o.required ?? false;
  const out = [
    f('PayeeAcctNo', '收款人账号', 'payee account number', 'account', { required, ...(o.account ?? {}) }),
    f('PayeeAcctName', '收款人名称', 'payee name', 'text', { required, maxBytes: o.nameMax ?? 60 }),
    f('PayeeAcctBankName', '收款人开户行', 'payee bank name', 'text', { maxBytes: 60 }),
  ];
  if (o.bankNo ?? true) out.push(f('PayeeAcctBankNo', '收款人开户行行号', 'payee bank number (CNAPS)', 'bankNo', o.bankNoRequiredWhen === undefined ? {} : { requiredWhen: o.bankNoRequiredWhen }));
  return out;
}

/**
 * The actual-payee X-fields the paying bank fills in the receipt (实际收款人): bank name, account number
 * and name, in that order.
 */
export function actualPayee(o: { readonly nameMax?: number } = {}): FieldDef[] {
  return [
    xf('XPayeeAcctBankName', '实际收款人开户行', 'actual payee bank name', 'text'),
    xf('XPayeeAcctNo', '实际收款人账号', 'actual payee account number', 'account'),
    xf('XPayeeAcctName', '实际收款人名称', 'actual payee name', 'text', o.nameMax === undefined ? {} : { maxBytes: o.nameMax }),
  ];
}

/**
 * A payer block: account number, name and bank name. `required` makes the account number and name required (the
 * PBOC front-end's 5201 rule), `bankNameRequired` the bank name too (DA/T 95's 8202: all three are M).
 */
export function payer(required = false, bankNameRequired = false): FieldDef[] {
  return [
    f('PayAcctNo', '付款人账号', 'payer account number', 'account', { required }),
    f('PayAcctName', '付款人名称', 'payer name', 'text', { required }),
    f('PayAcctBankName', '付款人开户行', 'payer bank name', 'text', { required: bankNameRequired, maxBytes: 60 }),
  ];
}

/** Budget-classification pairs (功能分类 类/款/项, 经济分类). */
export function expFunc(levels: number, o: { readonly required?: boolean } = {}): FieldDef[] {
  const out = pair('ExpFunc', '支出功能分类科目', 'expenditure function subject', { required: o.required ?? false });
  for (let i = 1; i <= levels; i++) {
    out.push(f(`ExpFuncCode${i}`, `支出功能分类${'类款项'[i - 1] ?? i}级编码`, `function subject level ${i} code`, 'code'));
    out.push(f(`ExpFuncName${i}`, `支出功能分类${'类款项'[i - 1] ?? i}级名称`, `function subject level ${i} name`, 'text'));
  }
  return out;
}

/** Economic-classification pairs; `GovExpEcoCode` (DA/T 95 naming) is read as `ExpEcoCode`. */
export function expEco(levels: number, o: { readonly required?: boolean } = {}): FieldDef[] {
  const out = [
    f('ExpEcoCode', '支出经济分类编码', 'economic classification code', 'code', {
      required: o.required ?? false,
      aliases: ['GovExpEcoCode'],
    }),
    f('ExpEcoName', '支出经济分类名称', 'economic classification name', 'text', { aliases: ['GovExpEcoName'] }),
  ];
  for (let i = 1; i <= levels; i++) {
    out.push(f(`ExpEcoCode${i}`, `支出经济分类${i}级编码`, `economic classification level ${i} code`, 'code'));
    out.push(f(`ExpEcoName${i}`, `支出经济分类${i}级名称`, `economic classification level ${i} name`, 'text'));
  }
  return out;
}

/** An amount field. */
export function amount(name: string, zh: string, en: string, required = true): FieldDef {
  return f(name, zh, en, 'amount', { required });
}

/** Largest number of detail lines: the national rule is "fewer than 500" (domain.md §8.2). */
export const MAX_DETAILS = 499;

// ---------------------------------------------------------------------------------------------------------
// Code tables (domain.md §2, §5, §8.1)
// ---------------------------------------------------------------------------------------------------------

/** Code tables referenced by catalogue fields. */
export const CODE_TABLES: readonly CodeTable[] = [
  {
    name: 'PayTypeCode',
    zh: '支付方式',
    en: 'payment method',
    closed: false,
    source: 'domain.md §5.1, §5.3, §5.5; which values a type allows is given per field',
    values: [
      { code: '11', zh: '财政直接支付', en: 'direct payment' },
      { code: '12', zh: '财政授权支付', en: 'authorized payment' },
      { code: '001001', zh: '财政直接支付 (2019 编码)', en: 'direct payment (2019 code)' },
      { code: '001002', zh: '财政授权支付 (2019 编码)', en: 'authorized payment (2019 code)' },
      { code: '91', zh: '实拨', en: 'direct appropriation' },
      { code: '002', zh: '实拨 (2019 编码)', en: 'direct appropriation (2019 code)' },
      { code: '92*', zh: '实拨 (92 开头)', en: 'direct appropriation (codes starting 92)' },
      { code: '21', zh: '实拨 (甘肃)', en: 'direct appropriation (Gansu)' },
    ],
  },
  {
    name: 'BusinessTypeCode',
    zh: '业务类型',
    en: 'business type',
    closed: true,
    source: 'domain.md §2 "Payroll", §5.1, §5.2',
    values: [
      { code: '1', zh: '普通/单笔业务', en: 'single item' },
      { code: '2', zh: '公务卡', en: 'official card' },
      { code: '3', zh: '工资业务', en: 'payroll' },
      { code: '4', zh: '其他批量业务', en: 'other batch' },
    ],
  },
  {
    name: 'OriginalVtCode',
    zh: '原凭证类型',
    en: 'main voucher type of a batch',
    closed: true,
    source: 'domain.md §5.5, §8.1',
    values: [
      { code: '5201', zh: '财政直接支付凭证', en: 'direct payment' },
      { code: '5207', zh: '实拨拨款凭证', en: 'direct appropriation' },
      { code: '8202', zh: '财政授权支付凭证', en: 'authorized payment' },
    ],
  },
  {
    name: 'SetModeCode',
    zh: '结算方式',
    en: 'settlement method',
    closed: false,
    source: 'domain.md §5.1 (only 2 is confirmed)',
    values: [{ code: '2', zh: '转账', en: 'transfer' }],
  },
  {
    name: 'FundDealModeCode',
    zh: '办理方式',
    en: 'handling mode',
    closed: false,
    source: 'domain.md §5.2',
    values: [
      { code: '0', zh: '默认', en: 'default' },
      { code: '2', zh: '自助柜面', en: 'self-service counter' },
    ],
  },
  {
    name: 'PayMsgNo',
    zh: '支付报文编号',
    en: 'payment message number',
    closed: false,
    source: 'domain.md §8.1 (2252 payment fields)',
    values: [
      { code: '100', zh: '大额', en: 'high value' },
      { code: '103', zh: '大额', en: 'high value' },
      { code: '111', zh: '大额', en: 'high value' },
      { code: '112', zh: '大额', en: 'high value' },
      { code: '001', zh: '小额', en: 'low value' },
      { code: '121', zh: '小额', en: 'low value' },
      { code: '122', zh: '小额', en: 'low value' },
    ],
  },
  {
    name: 'CheckResult',
    zh: '对账结果',
    en: 'reconciliation result',
    closed: false,
    source: 'domain.md §2 "Reconciliation"',
    values: [
      { code: '0', zh: '相符', en: 'match' },
      { code: '1', zh: '不符', en: 'mismatch' },
    ],
  },
];

// ---------------------------------------------------------------------------------------------------------
// Seal positions (domain.md §6)
// ---------------------------------------------------------------------------------------------------------

const POSITION_NAMES: Readonly<Record<string, string>> = {
  dw_gz: '预算单位公章',
  dw_cwzyz: '单位财务专用章',
  dw_sz: '单位法人私章',
  cz_zfzyz: '财政支付专用章',
  cz_bkzyz: '财政拨款专用章',
  cz_sz: '财政负责人私章',
  yh_zqz: '代理银行转讫章',
  yh_ywzyz: '代理银行业务专用章',
  rh_zqz: '人民银行转讫章',
  rh_qm: '人民银行签名',
};

/** A seal position; party and seal type come from the id `<party>_<type>`. */
export function pos(id: string, sequence: number, required: boolean, view: VoucherView): SealPositionDef {
  const [party, type] = id.split('_') as [PartyCode, string];
  return { id, name: POSITION_NAMES[id] ?? id, party, sealTypes: [type], sequence, required, view };
}

/**
 * The seal positions of a voucher the finance bureau sends to the PBOC (财政 → 人行: 5106, 5108, 5207,
 * 5209): 财政拨款专用章 (required) and 财政负责人私章 on the original, 人民银行转讫章 (required) and
 * 人民银行签名 on the receipt.
 */
export function financeToPbocPositions(): SealPositionDef[] {
  return [pos('cz_bkzyz', 1, true, 'original'), pos('cz_sz', 2, false, 'original'), pos('rh_zqz', 3, true, 'receipt'), pos('rh_qm', 4, false, 'receipt')];
}
