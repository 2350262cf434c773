/**
 * evoucher/seal: layered sealing. The to-be-sealed structure every seal signs, the `ses` (GB/T 38540) and
 * `cms` (RFC 5652) seal formats, the seal policy (positions, parties, order, completeness), sealing and
 * cancelling, and receipts (回单). See docs/sealing.md and docs/formats.md.
 */
export {
  EVOUCHER_OID_ARC,
  MAX_CHAIN_SEALS,
  MAX_TBS_BYTES,
  SEAL_FORMATS,
  SEAL_OID,
  TBS_VERSION,
  buildTbs,
  chainOrder,
  decodeTbs,
  digestAlgorithmFor,
  encodeTbs,
  wholeSeconds,
} from './tbs.js';
export type {
  BuildTbsInput,
  SealFormat,
  TbsFields,
  TbsPositionRef,
  TbsSealObjectRef,
  TbsSealRef,
  TbsStampInput,
  TbsView,
  TbsVoucherRef,
} from './tbs.js';
export { bodyView, previousStamps, tbsForStamp } from './chain.js';
export type { SignedFacts, StampScope } from './chain.js';
export {
  CMS_OID,
  MAX_CMS_CERTIFICATES,
  MAX_STAMP_BYTES,
  checkCmsStamp,
  checkStamp,
  makeCmsStamp,
  parseCmsStamp,
  parseStamp,
  stampFacts,
  checkSesStamp,
  makeSesStamp,
  parseSesStamp,
  sesPropertyInfo,
} from './formats/index.js';
export type {
  CmsStamp,
  MakeCmsStampOptions,
  MakeSesStampOptions,
  ParsedStamp,
  SealCheck,
  SealCheckStatus,
  SesScope,
  SesStamp,
  StampFacts,
} from './formats/index.js';
export {
  MAX_POLICY_BYTES,
  MAX_POLICY_POSITIONS,
  MAX_POLICY_REGISTRY,
  checkPlacement,
  checkSigner,
  evaluateCompleteness,
  findPosition,
  isViewLocked,
  parsePolicy,
  positionsFor,
  resolvePolicy,
  validatePolicy,
} from './policy.js';
export type {
  Completeness,
  PlacedSeal,
  PolicyPosition,
  PolicyRegistryEntry,
  PolicyTypeSection,
  PolicyViolation,
  ResolvedPolicy,
  SealPolicy,
  SignerFacts,
} from './policy.js';
export { cancelLastSeal, sealVoucher } from './apply.js';
export type { CancelLastSealOptions, SealVoucherOptions } from './apply.js';
export { createReceipt } from './receipt.js';
export type { CreateReceiptOptions } from './receipt.js';
export * from './ses/index.js';
