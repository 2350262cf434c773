/**
 * Stable codes of voucher validation rules.
 *
 * These are the `code` of each {@link ValidationIssue} inside a `VOUCHER_INVALID` error. Like error codes
 * they are a public contract (listed in `docs/errors.md`, section "Voucher validation rules"): removing or
 * renaming one is a breaking change.
 */

/** Every voucher validation rule, with its one-line meaning. */
export const VOUCHER_RULES = {
  VOUCHER_DATA_SHAPE: 'builder input is not an object, DetailList is not an array of objects, or an element is given twice (name and alias)',
  VOUCHER_FIELD_UNKNOWN: 'an element name that the voucher type does not define',
  VOUCHER_FIELD_TYPE: 'a value that is not a string (e.g. a JSON number for an amount); never coerced',
  VOUCHER_FIELD_REQUIRED: 'a required element is missing or blank',
  VOUCHER_ID_SPACE: 'an identifier (Id, VoucherNo, the numbers of the vouchers it refers to, and the detail elements that repeat them) that starts or ends with a space or an ideographic space: a peer that trims would read another voucher',
  VOUCHER_FIELD_TOO_LONG: 'a value longer than the element\'s limit in GBK bytes (VoucherNo ≤ 20, 5106 ≤ 17)',
  VOUCHER_CHAR_UNMAPPABLE: 'a character that GBK cannot encode',
  VOUCHER_CHAR_FORBIDDEN: 'a control character (U+0000–U+001F, U+007F) or a non-character in a value',
  VOUCHER_VTCODE_MISMATCH: 'the header VtCode differs from the voucher type',
  VOUCHER_CODE_FORMAT: 'a code that does not match its pattern (e.g. TreCode 10 digits, PayTypeCode 2–6 digits)',
  VOUCHER_CODE_VALUE: 'a code outside its closed code table or the values allowed for this type',
  VOUCHER_AMOUNT_FORMAT: 'an amount that is not [-]digits(1–15).dd (no +, no separators, no -0.00)',
  VOUCHER_AMOUNT_SIGN: 'an amount whose sign breaks the type\'s rule (5201 > 0, 2302 < 0, 5106 ≠ 0, ...)',
  VOUCHER_AMOUNT_SUM: 'a main amount that differs from the exact sum of the detail amounts',
  VOUCHER_DATE_FORMAT: 'a date that is not a real calendar date written yyyyMMdd',
  VOUCHER_DATE_FUTURE: 'a date (VouDate, ...) after today in China Standard Time',
  VOUCHER_YEAR_FORMAT: 'a year that is not 4 digits',
  VOUCHER_YEAR_FUTURE: 'StYear after the current year',
  VOUCHER_MONTH_FORMAT: 'a month that is not 01–12',
  VOUCHER_ACCOUNT_FORMAT: 'an account number outside [0-9A-Z-]{1,32} (or the element\'s own pattern)',
  VOUCHER_BANK_NO_FORMAT: 'a bank number that is not 12 digits',
  VOUCHER_INTEGER_FORMAT: 'a count that is not a non-negative integer without leading zeros',
  VOUCHER_DETAIL_COUNT: 'too few detail lines, or 500 or more',
  VOUCHER_DETAIL_ID_DUPLICATE: 'two detail lines with the same Id',
  VOUCHER_DETAIL_REF: 'a detail element that must repeat a main element (VoucherBillId = Id, VoucherBillNo = VoucherNo) differs',
  VOUCHER_COUNT_MISMATCH: 'a count element (AllNum) that differs from the number of detail lines',
  VOUCHER_X_FIELD_NOT_EMPTY: 'an X-field filled in an original (X-fields belong to the receipt)',
  VOUCHER_X_FIELD_REQUIRED: 'a receipt without an X-field the receipt must carry (XPayDate, XPayAmt, ...)',
} as const;

/** A stable voucher validation rule code. */
export type VoucherRuleCode = keyof typeof VOUCHER_RULES;

/** Every voucher validation rule code. */
export const VOUCHER_RULE_CODES: readonly VoucherRuleCode[] = Object.freeze(
  Object.keys(VOUCHER_RULES) as VoucherRuleCode[],
);
