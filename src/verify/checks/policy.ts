/**
 * Policy checks (design.md §5, security.md §1.10, §2 lesson 4):
 * - `position`: the stamp's position is a position of the voucher type under the policy in force, its view and
 *   sequence are the position's, the body's view admits it, and the format is allowed there;
 * - `signer-permission`: the signer may seal at that position: the party in the certificate's subject OU is the
 *   position's party, the organisation is allowed, and the registry bindings hold (`checkSigner`, the rule the
 *   sealer applies). A valid certificate of another party at a position is `POLICY_POSITION_FORBIDDEN`, with
 *   the precise reason in `detail.reason` (`POLICY_PARTY_MISMATCH`, `CERT_PARTY_MISSING`, `POLICY_ORG_MISMATCH`);
 * - `completeness` (per body): every required position of the judged views carries a seal; no seal at all is
 *   `SEAL_MISSING`. Signatures cannot catch a dropped last seal; this can.
 * The certificate facts mean something only once its path is valid; the `chain` check says whether it is.
 */
import { certificateFingerprint, type CertificateInfo } from '../../pki/index.js';
import type { StampFacts } from '../../seal/formats/index.js';
import { checkSigner, evaluateCompleteness, type Completeness, type PolicyPosition, type ResolvedPolicy } from '../../seal/policy.js';
import type { SealFormat, TbsView } from '../../seal/tbs.js';
import type { StampEntry } from '../../voucher/index.js';
import { failed, passed, skipped, type ReportCheck } from '../report.js';
import { failedFrom } from './guard.js';

/**
 * The `position` check.
 *
 * @param entry - the stamp.
 * @param resolved - the policy in force (undefined when the voucher could not be read).
 * @param bodyView - the body's view.
 * @returns the check and the policy position when known.
 */
/** How a message names where the positions came from. */
const POLICY_SOURCE: Readonly<Record<'built-in' | 'policy' | 'policy-adm-div', string>> = {
  'built-in': 'the built-in policy',
  policy: 'the given policy',
  'policy-adm-div': "the given policy's section for this AdmDivCode",
};

export function positionCheck(entry: StampEntry, resolved: ResolvedPolicy | undefined, bodyView: TbsView): { check: ReportCheck; position?: PolicyPosition } {
  if (resolved === undefined) return { check: skipped('position', 'no policy: the voucher type is not known') };
  const position = resolved.positions.find((p) => p.id === entry.position);
  if (position === undefined) {
    return {
      check: failed('position', 'POLICY_POSITION_UNKNOWN', `${entry.position} is not a position of voucher type ${resolved.vtCode} (${resolved.source} policy: ${resolved.positions.map((p) => p.id).join(', ')})`),
    };
  }
  const at = { position: position.id };
  if (entry.view !== position.view) {
    return { check: failed('position', 'POLICY_VIEW_MISMATCH', `${position.id} belongs to the ${position.view} view, the stamp claims the ${entry.view} view`, at), position };
  }
  if (entry.view === 'receipt' && bodyView === 'original') {
    return { check: failed('position', 'POLICY_VIEW_MISMATCH', `a receipt-view seal (${position.id}) on an original (VoucherFlag 0)`, at), position };
  }
  if (entry.sequence !== position.sequence) {
    return { check: failed('position', 'POLICY_OUT_OF_SEQUENCE', `${position.id} has sequence ${position.sequence}, the stamp claims ${entry.sequence}`, at), position };
  }
  if (!position.formats.includes(entry.format as SealFormat)) {
    return { check: failed('position', 'POLICY_FORMAT_FORBIDDEN', `${position.id} does not accept ${entry.format} seals (allowed: ${position.formats.join(', ')})`, at), position };
  }
  return { check: passed('position', `${position.id} (${position.name}), sequence ${position.sequence}, ${position.view} view, party ${position.party}`), position };
}

/** Reasons that mean "this signer may not seal here", reported as `POLICY_POSITION_FORBIDDEN`. */
const FORBIDDEN_REASONS: readonly string[] = ['POLICY_PARTY_MISMATCH', 'CERT_PARTY_MISSING', 'POLICY_ORG_MISMATCH', 'POLICY_POSITION_FORBIDDEN'];

/**
 * The `signer-permission` check.
 *
 * @param position - the policy position (undefined when unknown).
 * @param signer - the signer certificate (undefined when it does not parse).
 * @param facts - the stamp's facts (format, seal object).
 * @param resolved - the policy in force.
 * @returns the check.
 */
export function signerPermissionCheck(position: PolicyPosition | undefined, signer: CertificateInfo | undefined, facts: StampFacts | undefined, resolved: ResolvedPolicy | undefined): ReportCheck {
  if (position === undefined || resolved === undefined) return skipped('signer-permission', 'no known position');
  if (signer === undefined || facts === undefined) return skipped('signer-permission', 'no readable signer certificate');
  const v = checkSigner(
    position,
    {
      certificateSha256: signer.fingerprintSha256,
      format: facts.format,
      ...(signer.party === undefined ? {} : { party: signer.party }),
      ...(signer.organizationIdentifier === undefined ? {} : { organizationIdentifier: signer.organizationIdentifier }),
      ...(facts.sealObject === undefined ? {} : { esId: facts.sealObject.esId, makerCertificateSha256: certificateFingerprint(facts.sealObject.makerCertificate) }),
    },
    resolved,
  );
  if (v === undefined) {
    return passed('signer-permission', `${signer.party ?? '?'} ${signer.organizationIdentifier ?? ''} may seal at ${position.id}`.replace(/ +/g, ' '));
  }
  const detail = { reason: v.code, position: position.id, ...(signer.party === undefined ? {} : { party: signer.party }) };
  if (FORBIDDEN_REASONS.includes(v.code)) {
    return failed('signer-permission', 'POLICY_POSITION_FORBIDDEN', `the signer may not seal at ${position.id}: ${v.message}`, detail);
  }
  return failed('signer-permission', v.code, v.message, detail);
}

/**
 * The body-level `seals` and `completeness` checks and the completeness summary.
 *
 * @param stamps - the body's stamps.
 * @param resolved - the policy in force.
 * @param bodyView - the body's view (`receipt` also judges the receipt positions).
 * @returns the checks and the completeness (undefined without a policy).
 */
export function completenessChecks(stamps: readonly StampEntry[], resolved: ResolvedPolicy | undefined, bodyView: TbsView): { checks: ReportCheck[]; completeness?: Completeness } {
  const checks: ReportCheck[] = [
    stamps.length === 0 ? failed('seals', 'SEAL_MISSING', 'the voucher carries no seal') : passed('seals', `${stamps.length} seal(s)`),
  ];
  if (resolved === undefined) {
    checks.push(skipped('completeness', 'no policy: the voucher type is not known'));
    return { checks };
  }
  let c: Completeness;
  try {
    c = evaluateCompleteness(stamps, resolved, bodyView);
  } catch (e) {
    // Never VALID (a required check failed), and the seals verified before it stay in the report.
    checks.push(failedFrom('completeness', e));
    return { checks };
  }
  if (c.receiptUnsealed && !c.originalUnsealed && c.missing.length === 0 && c.unknown.length === 0 && c.duplicates.length === 0) {
    // The receipt's X-fields (what the bank or the PBOC filled in) would otherwise be covered by no seal.
    checks.push(failed('completeness', 'POLICY_RECEIPT_UNSEALED', `the receipt carries no receipt-view seal, so no seal covers its X-fields (${resolved.source} policy receipt positions: ${resolved.positions.filter((p) => p.view === 'receipt').map((p) => p.id).join(', ') || 'none'})`));
  } else if (c.complete) {
    checks.push(passed('completeness', `every required ${bodyView === 'receipt' ? 'original and receipt' : 'original'} position is sealed`));
  } else {
    const parts = [
      ...(c.originalUnsealed ? ['no original-view seal'] : []),
      ...(c.receiptUnsealed ? ['no receipt-view seal'] : []),
      ...(c.missing.length > 0 ? [`missing ${c.missing.join(', ')}`] : []),
      ...(c.unknown.length > 0 ? [`unknown ${c.unknown.join(', ')}`] : []),
      ...(c.duplicates.length > 0 ? [`duplicated ${c.duplicates.join(', ')}`] : []),
    ];
    checks.push(failed('completeness', 'POLICY_INCOMPLETE', `not fully sealed under ${POLICY_SOURCE[resolved.source]}: ${parts.join('; ')}`, { missing: c.missing.join(',') }));
  }
  return { checks, completeness: c };
}
