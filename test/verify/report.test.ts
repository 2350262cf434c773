/**
 * The report helpers the verdict rests on: statusOf (failed > indeterminate > a required check missing or
 * skipped > VALID) against its definition written out plainly, and deepFreeze.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepFreeze, statusOf, type ReportCheck, type ReportStatus } from '../../src/verify/report.js';

const NAMES = ['chain', 'signature', 'scope', 'revocation'] as const;

/** The definition: any failed → INVALID; any indeterminate → INDETERMINATE; a required name absent, or any check of it skipped → INDETERMINATE. */
function reference(checks: readonly ReportCheck[], required: readonly string[]): ReportStatus {
  if (checks.some((c) => c.status === 'failed')) return 'INVALID';
  if (checks.some((c) => c.status === 'indeterminate')) return 'INDETERMINATE';
  for (const name of required) {
    const found = checks.filter((c) => c.check === name);
    if (found.length === 0 || found.some((c) => c.status === 'skipped')) return 'INDETERMINATE';
  }
  return 'VALID';
}

const check = fc.record({
  check: fc.constantFrom(...NAMES),
  status: fc.constantFrom('passed' as const, 'failed' as const, 'indeterminate' as const, 'skipped' as const),
});

describe('statusOf', () => {
  it('equals its definition on any list of checks and required names', () => {
    fc.assert(
      fc.property(fc.array(check, { maxLength: 8 }), fc.subarray([...NAMES]), (raw, required) => {
        const checks = raw.map((c): ReportCheck => (c.status === 'failed' || c.status === 'indeterminate' ? { ...c, code: 'VERIFY_INTERNAL_ERROR', message: 'm' } : { ...c, message: 'm' }) as ReportCheck);
        expect(statusOf(checks, required)).toBe(reference(checks, required));
      }),
      { numRuns: 2000 },
    );
  });

  it('a required check that passed once but was skipped once is not VALID', () => {
    const checks: ReportCheck[] = [
      { check: 'chain', status: 'passed', message: 'm' },
      { check: 'chain', status: 'skipped', message: 'm' },
    ];
    expect(statusOf(checks, ['chain'])).toBe('INDETERMINATE');
    expect(statusOf(checks, [])).toBe('VALID');
  });
});

describe('deepFreeze', () => {
  it('freezes every nested object and array, and leaves primitives alone', () => {
    const v = deepFreeze({ a: [{ b: { c: 1 } }, 'x'], d: { e: [1, 2] }, f: null, g: 'y' });
    expect(Object.isFrozen(v)).toBe(true);
    expect(Object.isFrozen(v.a)).toBe(true);
    expect(Object.isFrozen(v.a[0])).toBe(true);
    expect(Object.isFrozen((v.a[0] as { b: object }).b)).toBe(true);
    expect(Object.isFrozen(v.d.e)).toBe(true);
    expect(deepFreeze('s')).toBe('s');
    expect(deepFreeze(null)).toBe(null);
  });
});
