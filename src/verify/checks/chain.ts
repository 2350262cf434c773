/**
 * Certificate checks of a signer (or a seal maker): the certification path to the configured anchors at the
 * signing time (`validatePath`), reported as three checks:
 * - `chain`: anchor reached, name chaining, every signature, validity at the signing time, CA constraints,
 *   critical extensions (`CERT_UNTRUSTED` is INDETERMINATE: no configured anchor; the rest INVALID);
 * - `key-usage`: the leaf may sign content (digitalSignature or nonRepudiation);
 * - `revocation`: CRLs at the signing time. With CRLs given, missing revocation data is INDETERMINATE; without
 *   CRLs the check is `skipped` and says so ("not checked", never a pass).
 *
 * Trust (security.md §1.5, §3): only the configured anchors are trusted; certificates embedded in the stamp
 * and the caller's `intermediates` only fill gaps. The signing time is the one the seal claims (there is no
 * timestamp); so a certificate revoked after the claimed time but before the validation time makes the result
 * INDETERMINATE (`VERIFY_REVOKED_AFTER_SIGNING`): nothing proves the seal was made before the revocation
 * (security.md §1.13). For the same reason the CRLs must also be current at the validation time: CRLs that
 * covered only the claimed signing time leave it INDETERMINATE (`CRL_EXPIRED`, `CERT_REVOCATION_UNKNOWN`).
 *
 * The clock skew a caller allows (`clockSkewMs`) never reaches these checks: a signing time ahead of the
 * validation time is judged here exactly as without it, at the signing time, so the path results (and the path
 * cache, whose key and time windows know nothing of the skew) are the same whatever the skew. Judged at such a
 * time, revocation already covers the validation time before it (a revocation at or before it is one at or
 * before the signing time, and the CRLs must be current at the later signing time), which is why the second
 * look below is made only for a signing time before the validation time.
 */
import { validatePath, validatePathCached, type CertificateInfo, type CertificateUsage, type PathCheck, type PathResult } from '../../pki/index.js';
import type { ResolvedOptions } from '../options.js';
import { failed, indeterminate, passed, skipped, type ReportCheck } from '../report.js';
import { equalBytes } from '@noble/curves/utils.js';
import { failedFrom } from './guard.js';

/** The outcome of {@link pathChecks}. */
export interface PathChecks {
  readonly checks: readonly ReportCheck[];
  /** Subjects of the path that was built, leaf first. */
  readonly chain: readonly string[];
  readonly result?: PathResult;
}

/**
 * The certificates a path check relied on, leaf first: the path built, or the certificate alone when none was
 * (what the clock-skew rule judges, checks/order.ts).
 *
 * @param cert - the certificate whose path was checked.
 * @param path - its path checks.
 * @returns the certificates.
 */
export function certificatesOf(cert: CertificateInfo, path: PathChecks): readonly CertificateInfo[] {
  return path.result === undefined || path.result.chain.length === 0 ? [cert] : path.result.chain;
}

function group(name: string, checks: readonly PathCheck[], okMessage: string): ReportCheck {
  const bad = checks.find((c) => c.status === 'failed') ?? checks.find((c) => c.status === 'indeterminate');
  if (bad !== undefined) {
    const msg = `${bad.certificate === undefined ? '' : `${bad.certificate}: `}${bad.message}`;
    const code = bad.code ?? (bad.status === 'failed' ? 'CERT_MALFORMED' : 'CERT_UNTRUSTED');
    return bad.status === 'failed' ? failed(name, code, msg) : indeterminate(name, code, msg);
  }
  return passed(name, okMessage);
}

function ownKeyUsage(name: string, cert: CertificateInfo): ReportCheck {
  // Judged from the certificate itself when no path was built (it is a property of the leaf alone).
  const ok = cert.hasKeyUsage && (cert.keyUsage.includes('digitalSignature') || cert.keyUsage.includes('nonRepudiation'));
  return ok
    ? passed(name, `keyUsage ${cert.keyUsage.join(', ')}`)
    : failed(name, 'CERT_KEY_USAGE', `needs keyUsage digitalSignature or nonRepudiation (has: ${cert.hasKeyUsage ? cert.keyUsage.join(', ') || 'none' : 'no keyUsage extension'})`);
}

/**
 * Validates the path of `cert` at `at` and splits the outcome into `chain`, `key-usage` and `revocation`
 * checks (named with `prefix`, e.g. `maker-` for the seal maker). Never throws.
 *
 * @param cert - the leaf certificate.
 * @param embedded - certificates the stamp carries (untrusted; used as intermediates).
 * @param at - the signing time.
 * @param options - anchors, intermediates, CRLs, validation time.
 * @param usage - `sealer` or `maker`.
 * @param prefix - check-name prefix (`''` or `maker-`).
 * @returns the checks and the built chain.
 */
export function pathChecks(cert: CertificateInfo, embedded: readonly Uint8Array[], at: Date, options: ResolvedOptions, usage: CertificateUsage, prefix = ''): PathChecks {
  const names = { chain: `${prefix}chain`, usage: `${prefix}key-usage`, revocation: `${prefix}revocation` };
  let result: PathResult;
  const intermediates = [...embedded.filter((c) => !equalBytes(c, cert.der)), ...options.intermediates];
  // Valid paths are remembered per (certificate, anchors, intermediates, time window) and forgotten when the
  // CRLs change (pki/cache.ts): a stream of vouchers from the same sealers validates each path once.
  const cache = options.pathCache;
  const validate = (t: Date): PathResult => {
    const o = { trust: options.trust, intermediates, crls: options.crls, requireRevocation: options.requireRevocation, usage, at: t };
    return cache === undefined ? validatePath(cert, o) : validatePathCached(cert, o, cache);
  };
  try {
    result = validate(at);
  } catch (e) {
    return { checks: [failedFrom(names.chain, e), skipped(names.usage, 'no path'), skipped(names.revocation, 'no path')], chain: [] };
  }
  const chain = result.chain.map((c) => c.subject);
  // evaluate() judges the leaf first, so the first key-usage check of a built path is the leaf's.
  const leafUsageCheck = result.checks.find((c) => c.check === 'key-usage');
  const leafUsage = leafUsageCheck === undefined ? [] : [leafUsageCheck];
  const revocation = result.checks.filter((c) => c.check === 'revocation');
  const rest = result.checks.filter((c) => !leafUsage.includes(c) && c.check !== 'revocation' && c.status !== 'skipped');

  const anchor = result.chain[result.chain.length - 1];
  const chainCheck = group(names.chain, rest, `valid path of ${result.chain.length} certificate(s) to anchor ${anchor?.subject ?? '?'} at ${at.toISOString()}`);
  const usageCheck = leafUsage.length > 0 ? group(names.usage, leafUsage, leafUsage[0]?.message ?? 'key usage allowed') : ownKeyUsage(names.usage, cert);

  let revocationCheck: ReportCheck;
  if (result.status === 'indeterminate' && revocation.length === 0) {
    revocationCheck = skipped(names.revocation, 'no path to an anchor, so no issuer to ask');
  } else if (options.crls.length === 0 && !options.requireRevocation) {
    revocationCheck = skipped(names.revocation, 'not checked: no CRLs were given');
  } else if (result.status === 'valid' && result.chain.length === 1) {
    // RFC 5280 §6.1: a trust anchor is trusted as configured, and has no issuer whose CRL could revoke it.
    revocationCheck = skipped(names.revocation, 'the certificate is itself a configured trust anchor: trusted as configured, never checked for revocation (RFC 5280 §6.1); trust its issuer instead to have it checked');
  } else if (revocation.some((c) => c.status === 'failed' || c.status === 'indeterminate')) {
    revocationCheck = group(names.revocation, revocation, '');
  } else if (revocation.length === 0 || revocation.some((c) => c.status === 'skipped')) {
    // Only reachable with requireRevocation switched off explicitly: some certificate had no usable CRL.
    const why = revocation.filter((c) => c.status === 'skipped').map((c) => `${c.certificate ?? ''}: ${c.message}`);
    revocationCheck = skipped(names.revocation, `not fully checked: ${why.join('; ') || 'no revocation data'}`);
  } else {
    revocationCheck = passed(names.revocation, `no certificate of the path revoked at ${at.toISOString()}`);
    // The claimed signing time is not proven: a revocation between it and the validation time leaves the
    // seal undecided (no proof of existence before the revocation).
    if (revocationCheck.status === 'passed' && options.crls.length > 0 && at.getTime() < options.at.getTime()) {
      try {
        const later = validate(options.at);
        const laterRevocation = later.checks.filter((c) => c.check === 'revocation');
        const revoked = laterRevocation.find((c) => c.status === 'failed' && c.code === 'CERT_REVOKED');
        // Without revocation data current at the validation time, nothing shows that the certificate was not
        // revoked between the claimed signing time and now (e.g. only a CRL from before a back-dated signing).
        const unknown = laterRevocation.find((c) => c.status === 'failed' || c.status === 'indeterminate');
        if (revoked !== undefined) {
          revocationCheck = indeterminate(
            names.revocation,
            'VERIFY_REVOKED_AFTER_SIGNING',
            `${revoked.certificate ?? 'a certificate of the path'}: ${revoked.message}; revoked after the claimed signing time ${at.toISOString()} and no timestamp proves the seal existed before`,
          );
        } else if (unknown !== undefined) {
          revocationCheck = indeterminate(
            names.revocation,
            unknown.code ?? 'CERT_REVOCATION_UNKNOWN',
            `${unknown.certificate ?? 'a certificate of the path'}: ${unknown.message}; not revoked at the claimed signing time ${at.toISOString()}, but no revocation data current at the validation time ${options.at.toISOString()} shows it was not revoked since, and no timestamp proves the seal existed before`,
          );
        }
      } catch (e) {
        revocationCheck = failedFrom(names.revocation, e);
      }
    }
  }
  return { checks: [chainCheck, usageCheck, revocationCheck], chain, result };
}
