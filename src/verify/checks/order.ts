/**
 * Order checks (security.md §1.2, §1.10): one seal per position and per sequence number; signing times never
 * decrease along the chain and are not after the validation time. The chain order itself comes from the
 * sequence numbers each seal signs (`chainOrder`), never from document order.
 */
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

/**
 * The per-seal `signing-time` check.
 *
 * @param time - the seal's signing time.
 * @param previous - the signing time of the seal before it in chain order, if known.
 * @param at - the validation time.
 * @returns failed with `VERIFY_SIGNING_TIME_ORDER`, indeterminate with `VERIFY_SIGNING_TIME_AFTER_VALIDATION`, or passed.
 */
export function signingTimeCheck(time: Date, previous: Date | undefined, at: Date): ReportCheck {
  if (previous !== undefined && time.getTime() < previous.getTime()) {
    return failed('signing-time', 'VERIFY_SIGNING_TIME_ORDER', `signed at ${time.toISOString()}, before the previous seal (${previous.toISOString()})`, {
      signingTime: time.toISOString(),
      previous: previous.toISOString(),
    });
  }
  if (time.getTime() > at.getTime()) {
    return indeterminate('signing-time', 'VERIFY_SIGNING_TIME_AFTER_VALIDATION', `signed at ${time.toISOString()}, after the validation time ${at.toISOString()}`, {
      signingTime: time.toISOString(),
      validationTime: at.toISOString(),
    });
  }
  return passed('signing-time', `signed at ${time.toISOString()} (claimed by the signer${previous === undefined ? '' : `; not before the previous seal`})`);
}
