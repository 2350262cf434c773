/**
 * Options of the verifier and their checking. Misuse (no anchors, wrong types) throws here, before any input
 * is read: a bad voucher is reported, a bad call is the caller's bug (style.md §6).
 */
import { EvoucherError } from '../errors.js';
import { createTrustStore, isPathCache, parseCertificate, pathCacheFor, type CertificateInfo, type Crl, type PathCache, type TrustStore } from '../pki/index.js';
import { validatePolicy, type SealPolicy } from '../seal/policy.js';
import { envelopeLimits, type ParseEnvelopeOptions } from '../voucher/index.js';

/** Options of {@link verifyEnvelope}. */
export interface VerifyOptions {
  /**
   * The trust anchors: a trust store, or certificates (DER bytes or PEM text). Required and never empty:
   * only these are trusted; certificates embedded in seals count as intermediates at most.
   */
  readonly trust: TrustStore | readonly (Uint8Array | string)[];
  /** The seal policy (from `parsePolicy`); default the catalogue's built-in positions per voucher type. */
  readonly policy?: SealPolicy;
  /** The validation time; default now. Reported as `validationTime`. */
  readonly at?: Date;
  /**
   * How far, in milliseconds, a seal's signing time may be after the validation time and still pass the
   * `signing-time` check: the clock of the machine that sealed may run ahead of this one. Default 0 (a signing
   * time after `at` is INDETERMINATE, `VERIFY_SIGNING_TIME_AFTER_VALIDATION`); at most {@link MAX_CLOCK_SKEW_MS}.
   * It relaxes nothing else: certificates, revocation and the seal period are judged at the signing time as
   * without it, and a certificate or seal object whose validity starts after the validation time is never
   * accepted through it (docs/verification.md, "Clock skew").
   */
  readonly clockSkewMs?: number;
  /** CRLs to consult. When given, revocation is required: a certificate without a usable CRL is INDETERMINATE. */
  readonly crls?: readonly Crl[];
  /** Override the revocation requirement (default: required exactly when `crls` are given). */
  readonly requireRevocation?: boolean;
  /** Envelope and voucher limits (sizes, counts, depth); default the closed defaults of `parseEnvelope`. */
  readonly limits?: ParseEnvelopeOptions['limits'];
  /** Extra untrusted certificates that may complete a path (DER or PEM), e.g. a sealer CA. Never trusted. */
  readonly intermediates?: readonly (Uint8Array | string)[];
  /**
   * Where valid certification paths are remembered between seals and calls (see `createPathCache`); default
   * the cache of the trust store (`pathCacheFor(trust)`), `false` to validate every path afresh.
   */
  readonly pathCache?: PathCache | false;
}

/** The checked options. */
export interface ResolvedOptions {
  readonly trust: TrustStore;
  readonly policy?: SealPolicy;
  readonly at: Date;
  /** The allowed clock skew, ms (0 when not given). */
  readonly clockSkewMs: number;
  readonly crls: readonly Crl[];
  readonly requireRevocation: boolean;
  readonly limits?: ParseEnvelopeOptions['limits'];
  readonly intermediates: readonly CertificateInfo[];
  /** The path cache, or undefined when disabled. */
  readonly pathCache?: PathCache;
}

function argInvalid(message: string): never {
  throw new EvoucherError('ARG_INVALID', message);
}

/**
 * The largest clock skew a verifier accepts (`clockSkewMs`): one hour. Far more than the drift of any machine
 * that sets its clock at all (seconds, at worst minutes), and less than the eight hours of China Standard Time
 * taken for UTC, the usual wrong clock, which must stay visible as INDETERMINATE rather than be tolerated. A
 * clock further off is a fault to fix, not a skew to allow.
 */
export const MAX_CLOCK_SKEW_MS = 3_600_000;

/**
 * Checks a clock-skew option: a finite number of milliseconds from 0 to {@link MAX_CLOCK_SKEW_MS}.
 *
 * @param value - the caller's value; undefined means 0.
 * @param option - the option's name, for the message.
 * @returns the skew in milliseconds.
 * @throws EvoucherError `ARG_INVALID` for anything else (a string, NaN, an infinity, a negative or larger number).
 */
export function checkClockSkew(value: unknown, option: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_CLOCK_SKEW_MS) {
    throw new EvoucherError('ARG_INVALID', `${option} must be a number of milliseconds from 0 to ${MAX_CLOCK_SKEW_MS} (one hour)`, { detail: { option } });
  }
  // -0 reads as 0 in messages and details.
  return value === 0 ? 0 : value;
}

function isTrustStore(x: unknown): x is TrustStore {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && Array.isArray((x as { anchors?: unknown }).anchors);
}

/**
 * Checks and normalises the options.
 *
 * @param options - the caller's options.
 * @returns the resolved options.
 * @throws EvoucherError `TRUST_NO_ANCHORS` (trust missing or empty), `ARG_INVALID` (a wrong type, `null` for an option,
 *   a `clockSkewMs` outside 0 to {@link MAX_CLOCK_SKEW_MS}, a `requireRevocation` other than true or false),
 *   `CERT_MALFORMED` (an anchor or intermediate that is not a certificate), `POLICY_INVALID` (a bad policy).
 */
export function resolveOptions(options: VerifyOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new EvoucherError('TRUST_NO_ANCHORS', 'verification needs options with trust anchors');
  }
  const t: unknown = options.trust;
  let trust: TrustStore;
  if (t === undefined || t === null) {
    // security.md §1.5: verifying with no anchors is a usage error, never "trust all".
    throw new EvoucherError('TRUST_NO_ANCHORS', 'no trust anchors given (options.trust)');
  } else if (Array.isArray(t)) {
    for (const c of t) if (!(c instanceof Uint8Array) && typeof c !== 'string') argInvalid('options.trust entries must be DER bytes or PEM text');
    trust = createTrustStore(t as readonly (Uint8Array | string)[]);
  } else if (isTrustStore(t)) {
    if (t.anchors.length === 0) throw new EvoucherError('TRUST_NO_ANCHORS', 'the trust store has no anchors');
    trust = t;
  } else {
    argInvalid('options.trust must be a TrustStore or an array of certificates');
  }
  if (trust.anchors.length === 0) throw new EvoucherError('TRUST_NO_ANCHORS', 'the trust store has no anchors');

  // Only a missing option takes its default: `at: null` was the clock, `crls: null` none, without a word.
  const at = options.at === undefined ? new Date() : options.at;
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) argInvalid('options.at must be a valid Date');
  const clockSkewMs = checkClockSkew(options.clockSkewMs, 'options.clockSkewMs');

  const crls = options.crls === undefined ? [] : options.crls;
  if (!Array.isArray(crls)) argInvalid('options.crls must be an array of parsed CRLs');
  for (const c of crls) {
    if (typeof c !== 'object' || c === null || !((c as { der?: unknown }).der instanceof Uint8Array)) argInvalid('options.crls entries must come from parseCrl');
  }
  if (options.requireRevocation !== undefined && typeof options.requireRevocation !== 'boolean') argInvalid('options.requireRevocation must be a boolean');

  const inter = options.intermediates === undefined ? [] : options.intermediates;
  if (!Array.isArray(inter)) argInvalid('options.intermediates must be an array');
  const intermediates = inter.map((c) => {
    if (!(c instanceof Uint8Array) && typeof c !== 'string') argInvalid('options.intermediates entries must be DER bytes or PEM text');
    return parseCertificate(c);
  });

  // Checked now (ARG_INVALID), not when the first envelope is read.
  if (options.limits !== undefined) envelopeLimits(options.limits);
  const policy = options.policy === undefined ? undefined : validatePolicy(options.policy);
  if (options.pathCache !== undefined && options.pathCache !== false && !isPathCache(options.pathCache)) argInvalid('options.pathCache must come from createPathCache, or be false');
  const pathCache = options.pathCache === false ? undefined : (options.pathCache ?? pathCacheFor(trust));

  return {
    trust,
    ...(policy === undefined ? {} : { policy }),
    at: new Date(at.getTime()),
    clockSkewMs,
    crls,
    requireRevocation: options.requireRevocation ?? crls.length > 0,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    intermediates,
    ...(pathCache === undefined ? {} : { pathCache }),
  };
}

/**
 * The options of one verification made by a long-lived verifier (`createVerifier`, a batch's workers): the
 * resolved options as they are when the caller fixed `at`, else the same options at the time of this call.
 *
 * @param resolved - the options resolved once.
 * @param fixedAt - whether the caller gave `at`.
 * @returns the options to verify with now.
 */
export function atCallTime(resolved: ResolvedOptions, fixedAt: boolean): ResolvedOptions {
  return fixedAt ? resolved : Object.assign({}, resolved, { at: new Date() });
}
