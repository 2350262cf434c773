/**
 * The verification report: plain, frozen, JSON-serialisable data (design.md §7, style.md §6), and the small
 * builders the checks use to fill it.
 *
 * Design rationale:
 * - Every check is reported separately with a stable code, so a reader (or a CI system) sees exactly what
 *   failed and where (`where: 'seals[1].chain'`).
 * - The status is derived, never set by hand: any failed check makes the report INVALID; otherwise any
 *   indeterminate check makes it INDETERMINATE. A check marked `skipped` never counts as a pass: a skipped
 *   check that the verdict needs (see {@link REQUIRED_SEAL_CHECKS}) makes the seal INDETERMINATE at best
 *   (security.md §1.10: "no signature, or all skipped, ⇒ true" is exactly the bug this prevents).
 * - Business data in the report (amount, payee, identity) comes only from the verified voucher bytes, never
 *   from envelope attributes or `Attach` (security.md §1.9).
 */
import type { SignatureAlgorithm, HashAlgorithm } from '../crypto/types.js';
import type { ErrorCode } from '../errors.js';
import type { CertificateInfo, Party } from '../pki/index.js';

/** The overall verdict (design.md §7). */
export type ReportStatus = 'VALID' | 'INVALID' | 'INDETERMINATE';

/** The outcome of one check. `skipped` never counts as a pass. */
export type ReportCheckStatus = 'passed' | 'failed' | 'indeterminate' | 'skipped';

/** One check, as reported. */
export interface ReportCheck {
  /** What was checked, e.g. `signature`, `chain`, `completeness` (docs/verification.md lists every name). */
  readonly check: string;
  readonly status: ReportCheckStatus;
  /** The stable code of a failed or indeterminate check (docs/errors.md). */
  readonly code?: ErrorCode;
  /** A lower-case human message naming the facts (position, certificate, time). */
  readonly message: string;
  /** Go-style facts, e.g. `{ reason: 'POLICY_PARTY_MISMATCH' }` or `{ notAfter, signingTime }`. */
  readonly detail?: Readonly<Record<string, string>>;
}

/** One entry of the flat error list: every failed or indeterminate check, with where it happened. */
export interface ReportError {
  readonly code: ErrorCode;
  /** `failed` (a proven failure) or `indeterminate` (could not decide: trust, revocation or time). */
  readonly status: 'failed' | 'indeterminate';
  readonly message: string;
  /** A path into the report: `envelope`, `voucher.rules`, `seals[1].chain`, `policy.completeness`. */
  readonly where: string;
}

/** The verified voucher, read only from its verified bytes. */
export interface VoucherSummary {
  readonly admDivCode: string;
  readonly stYear: string;
  readonly vtCode: string;
  readonly voucherNo: string;
  /** The main amount (the type's total field, e.g. `PayAmt`, `AllAmt`), when the type has one. */
  readonly amount?: string;
  /**
   * Receipts only: the amount the processing party reports (the type's main X amount, `XPayAmt` or `XSumAmt`;
   * `0.00` for a failed payment), when the type has one and it is filled. `amount` stays the requested total.
   */
  readonly processedAmount?: string;
  /** The payee, when the type names one. */
  readonly payee?: { readonly name?: string; readonly account?: string };
  /** `original` (VoucherFlag 0) or `receipt` (VoucherFlag 1). */
  readonly view: 'original' | 'receipt';
  /** SHA-256 of the exact voucher bytes of this view, lower-case hex. */
  readonly digest: string;
  /** Receipts: SHA-256 of the exact original voucher bytes, lower-case hex. */
  readonly originalDigest?: string;
}

/** Who signed a seal (from the signer certificate; meaningful only when the `chain` check passed). */
export interface SignerSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  /** Subject organizationIdentifier (2.5.4.97). */
  readonly org?: string;
  /** Subject OU party code. */
  readonly party?: Party;
  /** SHA-256 of the certificate DER, lower-case hex. */
  readonly fingerprint: string;
  readonly notBefore: string;
  readonly notAfter: string;
}

/**
 * The report's summary of a signer certificate.
 *
 * @param c - the parsed certificate.
 * @returns subject, issuer, serial number, organisation, party, fingerprint and validity.
 */
export function signerSummary(c: CertificateInfo): SignerSummary {
  return {
    subject: c.subject,
    issuer: c.issuer,
    serialNumber: c.serialNumber,
    ...(c.organizationIdentifier === undefined ? {} : { org: c.organizationIdentifier }),
    ...(c.party === undefined ? {} : { party: c.party }),
    fingerprint: c.fingerprintSha256,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
  };
}

/** The seal object of an `ses` seal. */
export interface SealObjectSummary {
  /** The seal's esID. */
  readonly id: string;
  /** The seal's name. */
  readonly name: string;
  readonly validStart?: string;
  readonly validEnd?: string;
}

/** One earlier seal a seal covers. */
export interface ScopeSealRef {
  readonly position: string;
  readonly sequence: number;
  readonly view: 'original' | 'receipt';
  /** Digest of the complete earlier stamp, hex, in the scope's digest algorithm. */
  readonly digest: string;
}

/** Exactly what one seal covers: the recomputed to-be-sealed structure, in readable form (security.md §1.9). */
export interface SealScope {
  readonly digestAlgorithm: HashAlgorithm;
  readonly voucher: {
    readonly admDivCode: string;
    readonly stYear: string;
    readonly vtCode: string;
    readonly voucherNo: string;
    readonly view: 'original' | 'receipt';
    /** Digest of the exact voucher bytes of the view, hex. */
    readonly digest: string;
    /** Receipt view: digest of the exact original bytes, hex. */
    readonly originalDigest?: string;
  };
  readonly position: { readonly id: string; readonly sequence: number; readonly format: string };
  /** The earlier seals, in chain order. */
  readonly previousSeals: readonly ScopeSealRef[];
  readonly signingTime: string;
  /** Digest of the signer certificate, hex. */
  readonly signerCertificateDigest: string;
  /** `ses`: the seal object (esID and digest of the `SESeal`, hex). */
  readonly sealObject?: { readonly esId: string; readonly digest: string };
  /** Digest of the whole to-be-sealed DER, hex: what the signature ultimately covers. */
  readonly tbsDigest: string;
}

/** One seal of a body, in chain order. */
export interface SealReport {
  /** Index in chain order (0 = first layer). `where` paths use it: `seals[1].chain`. */
  readonly index: number;
  /** Index of the `<Stamp>` in the document (document order is never used for verification). */
  readonly stampIndex: number;
  readonly position: string;
  readonly sequence: number;
  readonly view: 'original' | 'receipt';
  readonly format: string;
  readonly status: ReportStatus;
  readonly signer?: SignerSummary;
  readonly seal?: SealObjectSummary;
  /** The signing time the seal states (ISO 8601). */
  readonly signingTime?: string;
  readonly algorithm?: SignatureAlgorithm;
  /** What the seal covers (present when the structure could be recomputed). */
  readonly scope?: SealScope;
  /** Subjects of the certification path that was built, leaf first. */
  readonly chain?: readonly string[];
  readonly checks: readonly ReportCheck[];
}

/** Completeness under the policy in force. */
export interface PolicySummary {
  /** Where the positions come from: the catalogue's built-in defaults or the given policy. */
  readonly source: 'built-in' | 'policy' | 'policy-adm-div' | 'unknown';
  /** True when every required position of the judged views carries a seal (and none is duplicated or unknown). */
  readonly complete: boolean;
  /** Required positions without a seal, in sequence order. */
  readonly missing: readonly string[];
  /** Seals at positions the policy does not know. */
  readonly unknown: readonly string[];
  /** Positions sealed more than once. */
  readonly duplicates: readonly string[];
}

/** What could not be established when a check is indeterminate. */
export type IndeterminateKind = 'trust' | 'revocation' | 'time' | 'other';

/** The report of one `VoucherBody`. */
export interface VerificationReport {
  readonly reportVersion: 1;
  readonly status: ReportStatus;
  /** The validation time actually used (ISO 8601). */
  readonly validationTime: string;
  /** Index of the `VoucherBody` in the envelope (0 when the envelope itself could not be read). */
  readonly body: number;
  /** The verified voucher (absent when its bytes could not be read). */
  readonly voucher?: VoucherSummary;
  /** Checks of the envelope, the voucher, the receipt and the body as a whole. */
  readonly checks: readonly ReportCheck[];
  /** The seals, in chain order. */
  readonly seals: readonly SealReport[];
  readonly policy: PolicySummary;
  /** Every failed or indeterminate check, flat, with where it happened. */
  readonly errors: readonly ReportError[];
  /** What could not be established (from the indeterminate errors): trust, revocation, time; empty when none. */
  readonly indeterminate: readonly IndeterminateKind[];
}

/**
 * Seal checks the verdict needs: if one of them is `skipped` (or absent) the seal is never VALID.
 * Format-specific checks (`message-digest`, `data-hash`, `embedded-tbs`, `property-info`, `seal-match`, `maker-*`, `seal-period`)
 * are required when the format produced them.
 */
export const REQUIRED_SEAL_CHECKS: readonly string[] = Object.freeze(['format', 'scope', 'signature', 'chain', 'key-usage', 'position', 'signer-permission', 'signing-time']);

/**
 * A passed check.
 *
 * @param check - the check name.
 * @param message - what was found.
 * @param detail - optional facts.
 * @returns the check.
 */
export function passed(check: string, message: string, detail?: Record<string, string>): ReportCheck {
  return detail === undefined ? { check, status: 'passed', message } : { check, status: 'passed', message, detail };
}

/**
 * A failed check (a proven failure).
 *
 * @param check - the check name.
 * @param code - the stable code.
 * @param message - what failed, naming the facts.
 * @param detail - optional facts.
 * @returns the check.
 */
export function failed(check: string, code: ErrorCode, message: string, detail?: Record<string, string>): ReportCheck {
  return detail === undefined ? { check, status: 'failed', code, message } : { check, status: 'failed', code, message, detail };
}

/**
 * An indeterminate check (trust, revocation or time could not be established).
 *
 * @param check - the check name.
 * @param code - the stable code saying what could not be established.
 * @param message - why.
 * @param detail - optional facts.
 * @returns the check.
 */
export function indeterminate(check: string, code: ErrorCode, message: string, detail?: Record<string, string>): ReportCheck {
  return detail === undefined ? { check, status: 'indeterminate', code, message } : { check, status: 'indeterminate', code, message, detail };
}

/**
 * A skipped check (not made; never a pass).
 *
 * @param check - the check name.
 * @param message - why it was not made.
 * @returns the check.
 */
export function skipped(check: string, message: string): ReportCheck {
  return { check, status: 'skipped', message };
}

/**
 * The status of a list of checks: INVALID if any failed, else INDETERMINATE if any is indeterminate, or if a
 * check named in `required` is skipped or missing, else VALID.
 *
 * @param checks - the checks.
 * @param required - check names that must be present and not skipped.
 * @returns the derived status.
 * @example
 * statusOf([passed('signature', 'ok'), skipped('chain', 'no path')], ['signature', 'chain']) // 'INDETERMINATE'
 */
export function statusOf(checks: readonly ReportCheck[], required: readonly string[] = []): ReportStatus {
  let indeterminate = false;
  for (const c of checks) {
    if (c.status === 'failed') return 'INVALID';
    if (c.status === 'indeterminate') indeterminate = true;
  }
  if (indeterminate) return 'INDETERMINATE';
  // A required check must be present, and no check of that name skipped.
  for (const name of required) {
    let found = false;
    for (const c of checks) {
      if (c.check !== name) continue;
      if (c.status === 'skipped') return 'INDETERMINATE';
      found = true;
    }
    if (!found) return 'INDETERMINATE';
  }
  return 'VALID';
}

/**
 * The worse of two statuses (INVALID > INDETERMINATE > VALID).
 *
 * @param a - a status.
 * @param b - another status.
 * @returns the worse one.
 */
export function worse(a: ReportStatus, b: ReportStatus): ReportStatus {
  const rank = (s: ReportStatus): number => (s === 'INVALID' ? 2 : s === 'INDETERMINATE' ? 1 : 0);
  return rank(a) >= rank(b) ? a : b;
}

/**
 * The flat error entries of a list of checks: every failed or indeterminate check with a code.
 *
 * @param checks - the checks.
 * @param where - where each check is, e.g. `seals[1].chain`.
 * @returns the entries, in the checks' order.
 */
export function errorsOf(checks: readonly ReportCheck[], where: (c: ReportCheck) => string): ReportError[] {
  const out: ReportError[] = [];
  for (const c of checks) {
    if ((c.status === 'failed' || c.status === 'indeterminate') && c.code !== undefined) {
      out.push({ code: c.code, status: c.status, message: c.message, where: where(c) });
    }
  }
  return out;
}

/**
 * Freezes a plain value and everything it holds (the report is immutable once returned).
 *
 * @param value - a plain object, array or primitive.
 * @returns the same value, deeply frozen.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  const o = value as Record<string, unknown>;
  // Own enumerable properties (as Object.values), without a values array per object; primitives skip the call.
  for (const k in o) {
    if (!Object.hasOwn(o, k)) continue;
    const v = o[k];
    if (typeof v === 'object' && v !== null) deepFreeze(v);
  }
  return value;
}

/**
 * The first failing (else indeterminate) place of a report, for one-line summaries: the seal (if any) and the
 * check with its code.
 *
 * @param report - a verification report.
 * @returns the first error, or undefined for a VALID report.
 * @example
 * const e = firstError(report); if (e) console.log(`${e.where}: ${e.code}`)
 */
export function firstError(report: VerificationReport): ReportError | undefined {
  return report.errors.find((e) => e.status === 'failed') ?? report.errors[0];
}

const KIND_BY_CODE: Readonly<Record<string, IndeterminateKind>> = {
  CERT_UNTRUSTED: 'trust',
  CERT_CHAIN_TOO_LONG: 'trust',
  CERT_REVOCATION_UNKNOWN: 'revocation',
  CRL_BAD_SIGNATURE: 'revocation',
  CRL_EXPIRED: 'revocation',
  VERIFY_REVOKED_AFTER_SIGNING: 'revocation',
  VERIFY_SIGNING_TIME_AFTER_VALIDATION: 'time',
  VERIFY_SIGNING_TIME_UNKNOWN: 'time',
};

/**
 * What the indeterminate errors of a report could not establish, each kind once, in a stable order.
 *
 * @param errors - the report's errors.
 * @returns the kinds (`trust`, `revocation`, `time`, `other`).
 * @example
 * indeterminateKinds([{ code: 'CERT_UNTRUSTED', status: 'indeterminate', message: '', where: 'seals[0].chain' }]) // ['trust']
 */
export function indeterminateKinds(errors: readonly ReportError[]): IndeterminateKind[] {
  const found = new Set(errors.filter((e) => e.status === 'indeterminate').map((e) => KIND_BY_CODE[e.code] ?? 'other'));
  return (['trust', 'revocation', 'time', 'other'] as const).filter((k) => found.has(k));
}
