/**
 * Types shared by the seal formats: the result of one check on a stamp.
 */
import type { ErrorCode } from '../../errors.js';

/** The outcome of one check. `skipped` never counts as a pass. */
export type SealCheckStatus = 'passed' | 'failed' | 'indeterminate' | 'skipped';

/**
 * One check made on a stamp by {@link checkStamp} (or the format's own check function).
 * Names: `message-digest` (the signed data hash equals the digest of the to-be-sealed structure),
 * `signature` (over the received signed bytes), `signing-certificate` (the signer certificate is the one
 * the signed part names), `signing-time` (the signed time equals the structure's), `embedded-tbs` (`ses`:
 * the carried structure equals the recomputed one), `property-info` (`ses`: `propertyInfo` states the carried
 * structure's scope), `seal-match` (`ses`: the signer is in the seal's certList).
 */
export interface SealCheck {
  readonly check: string;
  readonly status: SealCheckStatus;
  /** The code of a failed or indeterminate check. */
  readonly code?: ErrorCode;
  /** A lower-case human message. */
  readonly message: string;
}
