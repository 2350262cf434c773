/**
 * Seal-object checks of an `ses` stamp (GB/T 38540-2020 §6.3; standards.md §8 "Seal"): the maker's signature
 * over the raw `SES_SealInfo` slice, the maker certificate's path to the configured anchors at the signing time
 * (embedded certificates only as intermediates), and the seal's validity period at the signing time. The
 * sealer's place in the seal's certList is checked with the stamp (`seal-match`). A `cms` stamp carries no
 * seal object.
 *
 * Trust (security.md §1.5): an attacker can make his own maker certificate, seal and sealer certificate and
 * embed them all; the maker path then reaches no configured anchor (`CERT_UNTRUSTED`, never VALID).
 */
import { parseCertificate, type CertificateInfo } from '../../pki/index.js';
import type { ParsedStamp, StampFacts } from '../../seal/formats/index.js';
import { verifySealMaker } from '../../seal/ses/checks.js';
import type { SealObject } from '../../seal/ses/types.js';
import type { ResolvedOptions } from '../options.js';
import { failed, passed, skipped, type ReportCheck, type SealObjectSummary } from '../report.js';
import { certificatesOf, pathChecks } from './chain.js';
import { failedFrom, guard } from './guard.js';

/** The seal object's summary for the report. */
export function sealSummary(seal: SealObject): SealObjectSummary {
  return { id: seal.esId, name: seal.name, validStart: seal.validStart.toISOString(), validEnd: seal.validEnd.toISOString() };
}

/**
 * `seal-period`: validStart ≤ T ≤ validEnd at the signing time T (GB/T 38540-2020 §6.3 step 4). T is the time the
 * signer claims (no timestamp); a seal that expired since is reported apart from one never valid at T.
 *
 * @param seal - the seal object.
 * @param at - the signing time.
 * @returns the check.
 */
export function sealPeriodCheck(seal: SealObject, at: Date): ReportCheck {
  const detail = { validStart: seal.validStart.toISOString(), validEnd: seal.validEnd.toISOString(), signingTime: at.toISOString() };
  if (at.getTime() < seal.validStart.getTime()) {
    return failed('seal-period', 'SEAL_PERIOD_INVALID', `seal ${seal.esId} is not valid before ${detail.validStart} (signed ${detail.signingTime})`, detail);
  }
  if (at.getTime() > seal.validEnd.getTime()) {
    return failed('seal-period', 'SEAL_PERIOD_INVALID', `seal ${seal.esId} expired at ${detail.validEnd} (signed ${detail.signingTime})`, detail);
  }
  return passed('seal-period', `seal ${seal.esId} valid from ${detail.validStart} to ${detail.validEnd}, signed within`);
}

/**
 * The seal-object checks of a stamp: `maker-signature`, `maker-chain`, `maker-key-usage`, `maker-revocation`,
 * `seal-period`. Never throws.
 *
 * @param stamp - the parsed stamp.
 * @param facts - its facts (signing time, carried certificates).
 * @param options - anchors, CRLs, intermediates, validation time.
 * @returns the checks (none for `cms`), the seal summary, and the maker's certification path as built (leaf
 *   first; the maker certificate alone when no path was built).
 */
export function sealObjectChecks(stamp: ParsedStamp, facts: StampFacts, options: ResolvedOptions): { checks: ReportCheck[]; seal?: SealObjectSummary; makerPath?: readonly CertificateInfo[] } {
  if (stamp.format !== 'ses') return { checks: [] };
  const seal = stamp.ses.seal;
  const checks: ReportCheck[] = [];
  let makerPath: readonly CertificateInfo[] | undefined;
  checks.push(
    ...guard('maker-signature', () => {
      // verifySealMaker keeps the successes: a party's seal object is verified once, not per voucher.
      const r = verifySealMaker(seal);
      return r.ok ? passed('maker-signature', `${r.message} (seal ${seal.esId})`) : failed('maker-signature', r.code ?? 'SEAL_MAKER_SIGNATURE_INVALID', r.message);
    }),
  );
  try {
    const maker = parseCertificate(seal.makerCert);
    const path = pathChecks(maker, facts.certificates, facts.signingTime, options, 'maker', 'maker-');
    checks.push(...path.checks);
    makerPath = certificatesOf(maker, path);
  } catch (e) {
    checks.push(failedFrom('maker-chain', e), skipped('maker-key-usage', 'the maker certificate does not parse'), skipped('maker-revocation', 'the maker certificate does not parse'));
  }
  checks.push(...guard('seal-period', () => sealPeriodCheck(seal, facts.signingTime)));
  return makerPath === undefined ? { checks, seal: sealSummary(seal) } : { checks, seal: sealSummary(seal), makerPath };
}
