/**
 * The verifier: one report per `VoucherBody` of an untrusted MOF envelope.
 *
 * Design rationale (design.md §7, security.md):
 * - **Never throws on bad input.** Every check runs under a guard; a coded error becomes a failed check with
 *   its code, any other exception a failed check with `VERIFY_INTERNAL_ERROR`, so an internal fault is never
 *   VALID. Only misuse throws (no anchors, wrong option types).
 * - **Parse once.** The envelope and vouchers are read once by the hardened readers; every later check works
 *   on those bytes and slices, never on a re-serialisation.
 * - **Order from the chain.** Seals are verified in chain order (ascending signed sequence, original view first);
 *   each seal's to-be-sealed structure is recomputed from the received voucher bytes and the earlier stamps,
 *   so removing, replacing, reordering or transplanting a seal fails a digest, and truncation fails the
 *   policy's completeness.
 * - **Every seal, every check.** A failure in one seal never stops the others from being checked and reported.
 *
 * Not checked (reported, never passed silently): timestamps (no seal carries one; the signing time is the one
 * the signer claims), OCSP, and revocation when no CRLs are given (`revocation: skipped`).
 */
import { memoDigest, type Digester } from '../crypto/digest_memo.js';
import { EvoucherError } from '../errors.js';
import type { CertificateInfo } from '../pki/index.js';
import { bodyView } from '../seal/chain.js';
import { resolvePolicy, type ResolvedPolicy } from '../seal/policy.js';
import { chainOrder } from '../seal/tbs.js';
import type { EnvelopeBody, StampEntry } from '../voucher/index.js';
import { certificatesOf, pathChecks } from './checks/chain.js';
import { recompute, scopeSummary } from './checks/digest.js';
import { attributesCheck, readEnvelope } from './checks/envelope.js';
import { readStamp } from './checks/format.js';
import { failedFrom } from './checks/guard.js';
import { duplicatesCheck, signingTimeCheck, skewStart } from './checks/order.js';
import { completenessChecks, positionCheck, signerPermissionCheck } from './checks/policy.js';
import { receiptChecks } from './checks/receipt.js';
import { sealObjectChecks } from './checks/seal_object.js';
import { stampChecks } from './checks/signature.js';
import { parseCheck, rulesCheck, summarizeVoucher } from './checks/voucher.js';
import { resolveOptions, type ResolvedOptions, type VerifyOptions } from './options.js';
import {
  REQUIRED_SEAL_CHECKS,
  deepFreeze,
  errorsOf,
  indeterminateKinds,
  failed,
  skipped,
  statusOf,
  worse,
  type PolicySummary,
  type ReportCheck,
  type ReportError,
  type SealReport,
  signerSummary,
  type VerificationReport,
} from './report.js';

/** Where each body-level check appears in `errors[].where`. */
const BODY_WHERE: Readonly<Record<string, string>> = {
  envelope: 'envelope',
  attributes: 'envelope.attributes',
  voucher: 'voucher',
  'voucher-rules': 'voucher.rules',
  original: 'original',
  'original-rules': 'original.rules',
  'receipt-diff': 'receipt',
  policy: 'policy',
  seals: 'seals',
  duplicates: 'seals.duplicates',
  completeness: 'policy.completeness',
};

const EMPTY_POLICY: PolicySummary = { source: 'unknown', complete: false, missing: [], unknown: [], duplicates: [] };

/**
 * Verifies every voucher of an MOF envelope and its seal chain.
 *
 * Checks, each reported with a stable code (docs/verification.md): the envelope is well-formed and within its
 * limits; the VoucherBody attributes match the voucher; the voucher parses and passes its catalogue rules for
 * its view; per seal, in chain order: the format parses strictly, the to-be-sealed structure recomputed from
 * the received voucher bytes and the earlier seals is what the seal signs, the signature, the signer's path to
 * the anchors at the signing time, key usage, revocation when CRLs are given, the seal object (`ses`), the
 * position, the signer's permission (party, organisation, registry), signing times; per body: no duplicate
 * position or sequence, completeness, and for receipts the original and the X-field-only difference.
 *
 * @param bytes - the envelope bytes (GBK or UTF-8 per its declaration).
 * @param options - trust anchors (required, never empty), policy, validation time, CRLs, limits, intermediates.
 * @returns one frozen report per VoucherBody (one INVALID report when the envelope itself cannot be read).
 * @throws EvoucherError only on misuse: `TRUST_NO_ANCHORS` (trust missing or empty), `ARG_INVALID` (bytes not a
 *   Uint8Array, an option of the wrong type, `null` or outside its range, such as a `clockSkewMs` over
 *   `MAX_CLOCK_SKEW_MS`), `CERT_MALFORMED` (an anchor that is not a certificate), `POLICY_INVALID`.
 * @example
 * const [report] = await verifyEnvelope(bytes, { trust: [rootPem], at: new Date('2026-01-15T00:00:00Z') })
 * if (report.status !== 'VALID') console.log(report.errors)
 */
export async function verifyEnvelope(bytes: Uint8Array, options: VerifyOptions): Promise<readonly VerificationReport[]> {
  return verifyEnvelopeSync(bytes, resolveOptions(options));
}

/**
 * Internal: the synchronous body of {@link verifyEnvelope} (options already resolved).
 *
 * @param bytes - the envelope bytes.
 * @param o - resolved options.
 * @param freeze - false only where the reports are serialised at once and never handed out (batch workers,
 *   which send them as JSON text): freezing about 100 objects per report is then wasted work.
 * @returns one report per VoucherBody, deeply frozen unless `freeze` is false.
 * @throws EvoucherError `ARG_INVALID` when `bytes` is not a Uint8Array.
 */
export function verifyEnvelopeSync(bytes: Uint8Array, o: ResolvedOptions, freeze = true): readonly VerificationReport[] {
  if (!(bytes instanceof Uint8Array)) throw new EvoucherError('ARG_INVALID', 'the envelope must be a Uint8Array');
  const done = freeze ? deepFreeze : <T>(x: T): T => x;
  const read = readEnvelope(bytes, o);
  if (read.envelope === undefined) {
    const checks = [read.check];
    return done([
      {
        reportVersion: 1,
        status: statusOf(checks),
        validationTime: o.at.toISOString(),
        body: 0,
        checks,
        seals: [],
        policy: EMPTY_POLICY,
        errors: errorsOf(checks, () => 'envelope'),
        indeterminate: [],
      } satisfies VerificationReport,
    ]);
  }
  const reports = read.envelope.bodies.map((b, i) => {
    try {
      return verifyBody(b, i, read.check, o);
    } catch (e) {
      // Defence in depth: verifyBody guards every check, but a report must come out whatever happens.
      const checks = [read.check, failedFrom('voucher', e)];
      return { reportVersion: 1, status: 'INVALID', validationTime: o.at.toISOString(), body: i, checks, seals: [], policy: EMPTY_POLICY, errors: errorsOf(checks, () => 'voucher'), indeterminate: [] } satisfies VerificationReport;
    }
  });
  return done(reports);
}

function verifyBody(body: EnvelopeBody, index: number, envelopeCheck: ReportCheck, o: ResolvedOptions): VerificationReport {
  const view = bodyView(body);
  const voucher = body.voucher;
  // The body's bytes are the verifier's own copies (decoded from the envelope), unchanged until the report is made.
  const hash = memoDigest();
  const checks: ReportCheck[] = [envelopeCheck, attributesCheck(body)];
  const err = body.voucherError;
  checks.push(parseCheck('voucher', voucher, err === undefined ? undefined : { code: err.code, message: err.message }));
  checks.push(rulesCheck('voucher-rules', voucher, view, o.at));
  if (view === 'receipt') checks.push(...receiptChecks(body, o.at));

  let resolved: ResolvedPolicy | undefined;
  if (voucher !== undefined) {
    try {
      resolved = resolvePolicy(voucher.vtCode, voucher.fields['AdmDivCode'], o.policy);
    } catch (e) {
      checks.push(failedFrom('policy', e));
    }
  }

  const ordered = chainOrder(body.stamps);
  checks.push(duplicatesCheck(body.stamps));
  const seals: SealReport[] = [];
  let previousTime: Date | undefined;
  ordered.forEach((entry, k) => {
    const seal = verifySeal(body, entry, k, ordered.slice(0, k), previousTime, resolved, view, o, hash);
    seals.push(seal.report);
    if (seal.time !== undefined) previousTime = seal.time;
  });

  const completeness = completenessChecks(body.stamps, resolved, view);
  checks.push(...completeness.checks);
  const policy: PolicySummary =
    completeness.completeness === undefined || resolved === undefined
      ? EMPTY_POLICY
      : {
          source: resolved.source,
          complete: completeness.completeness.complete && body.stamps.length > 0,
          missing: completeness.completeness.missing,
          unknown: completeness.completeness.unknown,
          duplicates: completeness.completeness.duplicates,
        };

  const required = ['envelope', 'attributes', 'voucher', 'voucher-rules', 'seals', 'duplicates', 'completeness', ...(view === 'receipt' ? ['original', 'original-rules', 'receipt-diff'] : [])];
  let status = statusOf(checks, required);
  for (const s of seals) status = worse(status, s.status);
  if (status === 'VALID' && !policy.complete) status = 'INVALID';

  // Reading order: the envelope and voucher, then each seal in chain order, then completeness.
  const whereOf = (c: ReportCheck): string => BODY_WHERE[c.check] ?? c.check;
  const errors: ReportError[] = [
    ...errorsOf(checks.filter((c) => c.check !== 'completeness'), whereOf),
    ...seals.flatMap((s) => errorsOf(s.checks, (c) => `seals[${s.index}].${c.check}`)),
    ...errorsOf(checks.filter((c) => c.check === 'completeness'), whereOf),
  ];
  if (status !== 'VALID' && errors.length === 0) {
    // Defence in depth: a verdict other than VALID always names a reason (a required check that never ran).
    const missing = [...required.filter((n) => !checks.some((c) => c.check === n && c.status === 'passed')), ...seals.filter((s) => s.status !== 'VALID').map((s) => `seals[${s.index}]`)];
    errors.push({ code: 'VERIFY_INTERNAL_ERROR', status: 'indeterminate', message: `not VALID: required checks did not run (${missing.join(', ') || 'completeness'})`, where: 'report' });
  }
  const summary = summarizeVoucher(body, hash);
  return {
    reportVersion: 1,
    status,
    validationTime: o.at.toISOString(),
    body: index,
    ...(summary === undefined ? {} : { voucher: summary }),
    checks,
    seals,
    policy,
    errors,
    indeterminate: indeterminateKinds(errors),
  };
}

function verifySeal(
  body: EnvelopeBody,
  entry: StampEntry,
  index: number,
  previous: readonly StampEntry[],
  previousTime: Date | undefined,
  resolved: ResolvedPolicy | undefined,
  view: 'original' | 'receipt',
  o: ResolvedOptions,
  hash: Digester,
): { report: SealReport; time?: Date } {
  const checks: ReportCheck[] = [];
  const pos = positionCheck(entry, resolved, view);
  // Filled as the checks run; the report lists them in this order.
  let signerPart: SealReport['signer'];
  let signingTime: string | undefined;
  let algorithm: SealReport['algorithm'];
  let scope: SealReport['scope'];
  let chain: SealReport['chain'];
  let sealPart: SealReport['seal'];
  let time: Date | undefined;
  const required: string[] = [...REQUIRED_SEAL_CHECKS];
  try {
    const read = readStamp(entry);
    checks.push(read.check);
    const { stamp, facts, signer } = read;
    if (stamp === undefined || facts === undefined) {
      checks.push(
        skipped('scope', 'the stamp does not parse'),
        skipped('signature', 'the stamp does not parse'),
        skipped('chain', 'the stamp does not parse'),
        skipped('key-usage', 'the stamp does not parse'),
        pos.check,
        skipped('signer-permission', 'the stamp does not parse'),
        skipped('signing-time', 'the stamp does not parse'),
      );
    } else {
      time = facts.signingTime;
      if (signer !== undefined) signerPart = signerSummary(signer);
      signingTime = facts.signingTime.toISOString();
      algorithm = facts.signatureAlgorithm;
      const tbs = recompute(body, entry, previous, facts, hash);
      checks.push(tbs.check);
      if (tbs.der !== undefined && tbs.fields !== undefined) {
        const formatChecks = stampChecks(stamp, tbs.der, hash, tbs.fields);
        checks.push(...formatChecks);
        for (const c of formatChecks) required.push(c.check);
        scope = scopeSummary(tbs.fields, tbs.der, hash);
      } else {
        checks.push(skipped('signature', 'the to-be-sealed structure could not be recomputed'));
      }
      let signerPath: readonly CertificateInfo[] | undefined;
      if (signer === undefined) {
        checks.push(read.signerError ?? failed('chain', 'CERT_MALFORMED', 'the signer certificate does not parse'), skipped('key-usage', 'no signer certificate'));
      } else {
        const path = pathChecks(signer, facts.certificates, facts.signingTime, o, 'sealer');
        checks.push(...path.checks);
        chain = path.chain;
        signerPath = certificatesOf(signer, path);
      }
      const object = sealObjectChecks(stamp, facts, o);
      checks.push(...object.checks);
      // The maker's revocation is optional exactly like the sealer's (checked when CRLs are given).
      for (const c of object.checks) if (c.check !== 'maker-revocation') required.push(c.check);
      if (object.seal !== undefined) sealPart = object.seal;
      // A signing time ahead of the validation time, within the allowed skew: what the seal relies on must be
      // valid already at the validation time. One subtraction and one comparison for every other seal.
      const start = skewStart(facts.signingTime, o.at, o.clockSkewMs, () => [signerPath ?? [], ...(object.makerPath === undefined ? [] : [object.makerPath])], stamp.format === 'ses' ? stamp.ses.seal : undefined);
      checks.push(pos.check, signerPermissionCheck(pos.position, signer, facts, resolved), signingTimeCheck(facts.signingTime, previousTime, o.at, o.clockSkewMs, start));
    }
  } catch (e) {
    checks.push(failedFrom('seal', e));
  }
  // Assigned in report order (JSON keeps it), an optional part only when present. Written out rather than
  // spread from a base object: see docs/performance.md (one hidden class for every report).
  const report: { -readonly [K in keyof SealReport]?: SealReport[K] } = {
    index,
    stampIndex: body.stamps.indexOf(entry),
    position: entry.position,
    sequence: entry.sequence,
    view: entry.view,
    format: entry.format,
    status: statusOf(checks, required),
  };
  if (signerPart !== undefined) report.signer = signerPart;
  if (signingTime !== undefined) report.signingTime = signingTime;
  if (algorithm !== undefined) report.algorithm = algorithm;
  if (scope !== undefined) report.scope = scope;
  if (chain !== undefined) report.chain = chain;
  if (sealPart !== undefined) report.seal = sealPart;
  report.checks = checks;
  return time === undefined ? { report: report as SealReport } : { report: report as SealReport, time };
}
