/**
 * Order checks (security.md §1.2, §1.10): one seal per position and per sequence number; signing times never
 * decrease along the chain and are not after the validation time, but for the clock skew the caller allows.
 * The chain order itself comes from the sequence numbers each seal signs (`chainOrder`), never from document
 * order.
 */
import type { CertificateInfo } from '../../pki/index.js';
import type { StampEntry } from '../../voucher/index.js';
import { failed, indeterminate, passed, type ReportCheck } from '../report.js';

/**
 * The body-level `duplicates` check.
 *
 * @param stamps - the body's stamps.
 * @returns failed with `POLICY_DUPLICATE_POSITION` or `VERIFY_DUPLICATE_SEQUENCE`, else passed.
 */
export function duplicatesCheck(stamps: readonly StampEntry[]): ReportCheck {
  const positions = new Map<string, number>();
  const sequences = new Map<number, number>();
  for (const s of stamps) {
    positions.set(s.position, (positions.get(s.position) ?? 0) + 1);
    sequences.set(s.sequence, (sequences.get(s.sequence) ?? 0) + 1);
  }
  const dupPositions = [...positions].filter(([, n]) => n > 1).map(([p]) => p);
  if (dupPositions.length > 0) {
    return failed('duplicates', 'POLICY_DUPLICATE_POSITION', `more than one seal at ${dupPositions.join(', ')}`, { positions: dupPositions.join(',') });
  }
  const dupSequences = [...sequences].filter(([, n]) => n > 1).map(([q]) => String(q));
  if (dupSequences.length > 0) {
    return failed('duplicates', 'VERIFY_DUPLICATE_SEQUENCE', `more than one seal with sequence ${dupSequences.join(', ')}`, { sequences: dupSequences.join(',') });
  }
  return passed('duplicates', 'one seal per position and per sequence');
}

/** The latest start of validity among what a seal relies on (its certificates, its seal object). */
export interface ValidityStart {
  /** What it is, e.g. `certificate CN=…` or `seal DEMO-CZ`. */
  readonly what: string;
  /** When its validity starts (`notBefore`, `validStart`). */
  readonly from: Date;
}

/**
 * The latest start of validity among certificates and a seal object: a signing time ahead of the validation
 * time passes within the allowed clock skew only when none of them starts after the validation time. Called
 * only for such a seal, never on the common path.
 *
 * @param paths - certification paths (the signer's, the seal maker's), any certificate of which counts.
 * @param seal - the seal object of an `ses` stamp, if any.
 * @returns the latest start, or undefined when there is nothing to judge.
 */
export function latestStart(paths: readonly (readonly CertificateInfo[])[], seal?: { readonly esId: string; readonly validStart: Date }): ValidityStart | undefined {
  let latest: ValidityStart | undefined;
  for (const path of paths) {
    for (const c of path) if (latest === undefined || c.notBefore.getTime() > latest.from.getTime()) latest = { what: `certificate ${c.subject}`, from: c.notBefore };
  }
  if (seal !== undefined && (latest === undefined || seal.validStart.getTime() > latest.from.getTime())) latest = { what: `seal ${seal.esId}`, from: seal.validStart };
  return latest;
}

/**
 * For a signing time ahead of the validation time within the allowed skew, the latest start of validity of what
 * the seal relies on ({@link latestStart}); otherwise undefined, without looking at the paths.
 *
 * @param time - the signing time.
 * @param at - the validation time.
 * @param clockSkewMs - the allowed skew, ms.
 * @param paths - the certification paths the seal relies on, asked for only when needed.
 * @param seal - the seal object of an `ses` stamp, if any.
 * @returns the latest start, or undefined.
 */
export function skewStart(time: Date, at: Date, clockSkewMs: number, paths: () => readonly (readonly CertificateInfo[])[], seal?: { readonly esId: string; readonly validStart: Date }): ValidityStart | undefined {
  const ahead = time.getTime() - at.getTime();
  return ahead > 0 && ahead <= clockSkewMs ? latestStart(paths(), seal) : undefined;
}

/**
 * The per-seal `signing-time` check.
 *
 * A signing time after the validation time passes only within the allowed clock skew (`clockSkewMs`, resolved
 * once per verifier), and then only when nothing the seal relies on becomes valid after the validation time
 * (`start`): the allowance is for the sealing machine's clock, never for a certificate or seal that is not yet
 * valid. The message and `detail` say when the allowance was used and by how much.
 *
 * @param time - the seal's signing time.
 * @param previous - the signing time of the seal before it in chain order, if known.
 * @param at - the validation time.
 * @param clockSkewMs - how far, in ms, the signing time may be after `at` (0: not at all).
 * @param start - for a signing time after `at` within the skew: the latest start of validity the seal relies on
 *   ({@link latestStart}).
 * @returns failed with `VERIFY_SIGNING_TIME_ORDER`, indeterminate with `VERIFY_SIGNING_TIME_AFTER_VALIDATION`, or passed.
 */
export function signingTimeCheck(time: Date, previous: Date | undefined, at: Date, clockSkewMs = 0, start?: ValidityStart): ReportCheck {
  if (previous !== undefined && time.getTime() < previous.getTime()) {
    return failed('signing-time', 'VERIFY_SIGNING_TIME_ORDER', `signed at ${time.toISOString()}, before the previous seal (${previous.toISOString()})`, {
      signingTime: time.toISOString(),
      previous: previous.toISOString(),
    });
  }
  const claimed = `(claimed by the signer${previous === undefined ? '' : `; not before the previous seal`})`;
  const ahead = time.getTime() - at.getTime();
  if (ahead > 0) {
    const signed = `signed at ${time.toISOString()}, after the validation time ${at.toISOString()}`;
    if (clockSkewMs === 0) {
      return indeterminate('signing-time', 'VERIFY_SIGNING_TIME_AFTER_VALIDATION', signed, { signingTime: time.toISOString(), validationTime: at.toISOString() });
    }
    const detail = { signingTime: time.toISOString(), validationTime: at.toISOString(), aheadMs: String(ahead), clockSkewMs: String(clockSkewMs) };
    if (ahead > clockSkewMs) {
      return indeterminate('signing-time', 'VERIFY_SIGNING_TIME_AFTER_VALIDATION', `${signed} by ${ahead} ms, beyond the allowed clock skew of ${clockSkewMs} ms`, detail);
    }
    // A start after the signing time too is the certificate's or seal's own failure (`chain`, `seal-period`).
    if (start !== undefined && start.from.getTime() > at.getTime() && start.from.getTime() <= time.getTime()) {
      return indeterminate(
        'signing-time',
        'VERIFY_SIGNING_TIME_AFTER_VALIDATION',
        `${signed} by ${ahead} ms, within the allowed clock skew of ${clockSkewMs} ms, but ${start.what} is valid only from ${start.from.toISOString()}, after the validation time: the skew allowed is for the sealing machine's clock, not for a certificate or seal that is not yet valid`,
        Object.assign(detail, { notBefore: start.from.toISOString() }),
      );
    }
    return passed('signing-time', `${signed} by ${ahead} ms, within the allowed clock skew of ${clockSkewMs} ms ${claimed}`, detail);
  }
  return passed('signing-time', `signed at ${time.toISOString()} ${claimed}`);
}
