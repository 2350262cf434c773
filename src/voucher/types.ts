/**
 * The voucher model and the catalogue types.
 *
 * A voucher is plain data keyed by XML element names: the names are the vocabulary of the national
 * exchange, of the JSON the CLI builds from, and of the seal policy, so translating them would only add a
 * mapping to get wrong. The catalogue (`catalogue/`) says which names exist for each voucher type.
 */
import type { Charset } from '../encoding/charset.js';
import type { VoucherRuleCode } from './rules.js';

/** The party that holds a seal position: 预算单位 budget unit, 财政 finance, 代理银行 agent bank, 人行 PBOC treasury. */
export type PartyCode = 'dw' | 'cz' | 'yh' | 'rh';

/** Which view of a voucher a seal covers: the original (VoucherFlag 0) or the receipt, 回单 (VoucherFlag 1). */
export type VoucherView = 'original' | 'receipt';

/**
 * A parsed or built voucher: one inner `<Voucher>` document.
 *
 * `fields` holds every main element present, by XML name, in catalogue order (the header first: Id,
 * AdmDivCode, StYear, VtCode, VouDate, VoucherNo). `details` holds the `DetailList/Detail` lines the same way.
 * A built voucher carries every catalogue element (absent data is `''`); a parsed one carries exactly the
 * elements its bytes had, so `serializeVoucher(parseVoucher(b))` gives `b` back for canonical bytes.
 */
export interface Voucher {
  /** The voucher type code (VtCode), e.g. `5201`. */
  readonly vtCode: string;
  /** Main elements by XML name. */
  readonly fields: Readonly<Record<string, string>>;
  /** Detail lines (`DetailList/Detail`), each by XML name. */
  readonly details: readonly Readonly<Record<string, string>>[];
  /** The charset of the bytes (declared in the XML declaration). */
  readonly encoding: Charset;
}

/** A detail line of builder input: XML element name → string value. */
export type VoucherDetailData = Readonly<Record<string, string>>;

/**
 * Builder input: XML element name → string value, and the detail lines under `DetailList`.
 * Values must be strings (amounts too: `"100.00"`); anything else is reported, never coerced.
 */
export type VoucherData = { readonly DetailList?: readonly VoucherDetailData[] } & Readonly<
  Record<string, string | readonly VoucherDetailData[] | undefined>
>;

/**
 * The kind of a field's value; each kind has a format rule (see `docs/voucher-types.md`).
 * - `id`, `text`: any text (no control characters) within the byte limit.
 * - `code`: `[0-9A-Za-z._-]+` unless the field gives its own pattern; may be tied to a code table.
 * - `amount`: optional `-`, 1–15 integer digits, `.`, 2 decimals; no `+`, no `-0.00`.
 * - `date`: `yyyyMMdd`, a real calendar date. `year`: 4 digits. `month`: `01`–`12`.
 * - `account`: `[0-9A-Z-]{1,32}` unless the field gives its own pattern. `bankNo`: 12 digits (CNAPS).
 * - `integer`: a non-negative integer without leading zeros.
 */
export type FieldType = 'id' | 'text' | 'code' | 'amount' | 'date' | 'year' | 'month' | 'account' | 'bankNo' | 'integer';

/** One element of a voucher type (main or detail). */
export interface FieldDef {
  /** XML element name, e.g. `PayAmt`. */
  readonly name: string;
  /** Meaning in Chinese, e.g. `支付金额`. */
  readonly zh: string;
  /** Meaning in English. */
  readonly en: string;
  /** Value kind. */
  readonly type: FieldType;
  /** Largest length in GBK bytes. */
  readonly maxBytes: number;
  /** True when the value must be non-blank in every view. */
  readonly required: boolean;
  /**
   * Required only when another field of the same part holds one of some values: a batch (`BusinessTypeCode` 4)
   * must carry the payee bank number that a single item may leave blank (domain.md §8.2).
   */
  readonly requiredWhen?: RequiredWhen;
  /** True for an `X*` field: empty in the original, filled by the processing party in the receipt (回单). */
  readonly x: boolean;
  /** True when the receipt view requires the (X-)field to be filled. */
  readonly requiredInReceipt?: boolean;
  /** A stricter pattern (anchored regular expression source) replacing the type's default. */
  readonly pattern?: string;
  /** Human description of `pattern`, for docs and messages. */
  readonly patternHint?: string;
  /** Name of the code table the value comes from (see {@link CodeTable}). */
  readonly codeTable?: string;
  /** Allowed values for this type; an entry ending in `*` allows every value with that prefix. */
  readonly allowedCodes?: readonly string[];
  /** True for a date (or year) that may not lie after today (China Standard Time). */
  readonly notFuture?: boolean;
  /** Detail fields only: the main field whose value this one repeats (`VoucherBillId` = main `Id`). */
  readonly ref?: string;
  /** Other element names read as this field (regional or DA/T 95 spellings); never written. */
  readonly aliases?: readonly string[];
}

/** The condition of {@link FieldDef.requiredWhen}. */
export interface RequiredWhen {
  /** Another field of the same part (main or detail line). */
  readonly field: string;
  /** The values of that field that make this one required. */
  readonly values: readonly string[];
}

/** A seal position of the built-in default policy (domain.md §6). */
export interface SealPositionDef {
  /** Position id `<party>_<type>`, e.g. `cz_zfzyz`. */
  readonly id: string;
  /** Display name, e.g. `财政支付专用章`. */
  readonly name: string;
  /** The party that seals here. */
  readonly party: PartyCode;
  /** Allowed seal types: the suffix of the id (`zfzyz`, `qm`, ...). */
  readonly sealTypes: readonly string[];
  /** Order of sealing, ascending across both views. */
  readonly sequence: number;
  /** True when the view is incomplete without this seal. */
  readonly required: boolean;
  /** The view this seal covers. */
  readonly view: VoucherView;
}

/** Sign rule of an amount. */
export type AmountSign = 'positive' | 'negative' | 'zero' | 'nonzero' | 'nonnegative' | 'any';

/** A sign rule on an amount field of the main part or of every detail line. */
export interface SignRule {
  readonly field: string;
  readonly scope: 'main' | 'detail';
  readonly sign: AmountSign;
}

/** A total rule: a main amount equals the exact sum of a detail amount. */
export interface TotalRule {
  readonly field: string;
  readonly detailField: string;
}

/** A code table (PayTypeCode, BusinessTypeCode, ...). */
export interface CodeTable {
  /** Table name, usually the code element's name. */
  readonly name: string;
  readonly zh: string;
  readonly en: string;
  /** True when a value outside the table is an error; false when the table is informative only. */
  readonly closed: boolean;
  readonly values: readonly { readonly code: string; readonly zh: string; readonly en: string }[];
  /** Where the values come from. */
  readonly source: string;
}

/** The detail-line schema of a voucher type. */
export interface DetailDef {
  /** Detail elements, in document order. */
  readonly fields: readonly FieldDef[];
  /** Fewest detail lines. */
  readonly min: number;
  /** Most detail lines (the national rule is "fewer than 500": 499). */
  readonly max: number;
}

/** A voucher type of the catalogue. Adding a type is adding one of these, never code. */
export interface VoucherTypeDef {
  /** VtCode, e.g. `5201`. */
  readonly vtCode: string;
  /** Chinese name, e.g. `财政直接支付凭证`. */
  readonly zh: string;
  /** English name. */
  readonly en: string;
  /** Who issues the voucher and who receives it. */
  readonly flow: string;
  /** Main elements, in document order (the header first, Hold fields last). */
  readonly fields: readonly FieldDef[];
  /** The detail-line schema (`DetailList/Detail`). */
  readonly detail: DetailDef;
  /** Amount sign rules. */
  readonly signRules: readonly SignRule[];
  /** Total rules (main amount = Σ detail amount). */
  readonly totals: readonly TotalRule[];
  /** A main field that must equal the number of detail lines (3501's AllNum). */
  readonly detailCountField?: string;
  /** Default seal positions (domain.md §6 "Built-in default policy"). */
  readonly positions: readonly SealPositionDef[];
  /** True when the positions are evoucher's own choice, not taken from domain.md's table. */
  readonly positionsChosen: boolean;
  /** Notes for the docs (sources, regional variants, evoucher choices). */
  readonly notes: readonly string[];
}

/** One problem found by validation. */
export interface ValidationIssue {
  /** Where: `PayAmt`, `DetailList[3].PayAmt`, or `` for the whole voucher. */
  readonly path: string;
  /** The stable rule code, e.g. `VOUCHER_AMOUNT_FORMAT`. */
  readonly code: VoucherRuleCode;
  /** A human message naming the field and the value. */
  readonly message: string;
}
