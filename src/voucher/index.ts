/**
 * Vouchers: the catalogue of voucher types, the typed builder and validation, the canonical XML writer,
 * the hardened reader, the MOF envelope and receipts.
 */
export type {
  AmountSign,
  CodeTable,
  DetailDef,
  FieldDef,
  FieldType,
  PartyCode,
  RequiredWhen,
  SealPositionDef,
  SignRule,
  TotalRule,
  ValidationIssue,
  Voucher,
  VoucherData,
  VoucherDetailData,
  VoucherTypeDef,
  VoucherView,
} from './types.js';
export { VOUCHER_RULE_CODES, VOUCHER_RULES } from './rules.js';
export type { VoucherRuleCode } from './rules.js';
export { getCodeTable, getVoucherType, hasVoucherType, listCodeTables, listVoucherTypes } from './catalogue/index.js';
export { AMOUNT_PATTERN, amountToCents, centsToAmount, isAmount } from './amount.js';
export { isCompactDate, validateVoucher } from './validate.js';
export type { ValidateOptions } from './validate.js';
export { buildVoucher, VoucherValidationError } from './build.js';
export type { BuildOptions } from './build.js';
export { serializeVoucher } from './xml/serialize.js';
export type { SerializeOptions } from './xml/serialize.js';
export { parseVoucher } from './xml/parse.js';
export type { ParseVoucherOptions } from './xml/parse.js';
export {
  DEFAULT_XML_LIMITS,
  MAX_VOUCHER_BYTES,
  MAX_VOUCHER_DETAILS,
  MAX_XML_ATTRIBUTES,
  MAX_XML_NAME,
  MAX_XML_DEPTH,
  MAX_XML_NODES,
} from './xml/strict_xml.js';
export type { XmlLimits } from './xml/strict_xml.js';
export {
  createEnvelope,
  DEFAULT_ENVELOPE_LIMITS,
  envelopeLimits,
  MAX_ENVELOPE_BODIES,
  MAX_ENVELOPE_BYTES,
  MAX_ENVELOPE_STAMPS,
  MAX_STAMP_BASE64,
  MAX_VOUCHER_BASE64,
  parseEnvelope,
  POSITION_ID_PATTERN,
  writeEnvelope,
} from './envelope.js';
export type {
  CreateEnvelopeOptions,
  Envelope,
  EnvelopeAttributes,
  EnvelopeBody,
  EnvelopeBodyInput,
  EnvelopeLimits,
  ParseEnvelopeOptions,
  StampEntry,
  WriteEnvelopeOptions,
} from './envelope.js';
export { diffVouchers, fillReceipt } from './receipt.js';
export type { VoucherDifference } from './receipt.js';
