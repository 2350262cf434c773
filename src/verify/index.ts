/**
 * evoucher/verify: the chain verifier and its report (docs/verification.md).
 */
export { verifyEnvelope } from './verify.js';
export type { VerifyOptions } from './options.js';
export { REQUIRED_SEAL_CHECKS, firstError } from './report.js';
export type {
  PolicySummary,
  ReportCheck,
  ReportCheckStatus,
  ReportError,
  ReportStatus,
  ScopeSealRef,
  SealObjectSummary,
  SealReport,
  SealScope,
  SignerSummary,
  VerificationReport,
  VoucherSummary,
} from './report.js';
export { verifySesSignatureOverData } from './seal_signature.js';
export type { SealSignatureOptions, SealSignatureReport } from './seal_signature.js';
