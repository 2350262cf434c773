/**
 * evoucher/verify: the chain verifier and its report (docs/verification.md).
 */
export { verifyEnvelope } from './verify.js';
export { createVerifier } from './verifier.js';
export type { EnvelopeVerifier } from './verifier.js';
export { MAX_CLOCK_SKEW_MS } from './options.js';
export type { VerifyOptions } from './options.js';
export { REQUIRED_SEAL_CHECKS, firstError, indeterminateKinds } from './report.js';
export type {
  IndeterminateKind,
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
export { createVerifierPool, verifyFiles, verifyFilesJson, DEFAULT_MAX_FILE_BYTES, MAX_JOBS } from './batch/index.js';
export type { FileError, FileVerification, FileVerificationJson, JsonReport, JsonReportOptions, VerifierPool, VerifyFilesOptions } from './batch/index.js';
export { readFileBounded } from './batch/index.js';
