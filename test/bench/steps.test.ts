import { beforeAll, describe, expect, it } from 'vitest';
import { measureSteps, stepBreakdown, type StepRates } from '../../bench/sections/steps.js';
import { summarize, type Rate } from '../../bench/lib/measure.js';
import { AT, seal, sealedOriginal, T } from '../verify/helpers.js';

const QUICK = { reps: 5, minMs: 5, warmupMs: 5 };
const rate = (perS: number): Rate => summarize([perS]);

let threeSeals: Uint8Array;
let twoSeals: Uint8Array;

beforeAll(async () => {
  twoSeals = await sealedOriginal('p256');
  threeSeals = await seal(twoSeals, 'cz_sz', 'cz-p256', T(20));
}, 60_000);

describe('bench: the steps of a verification', () => {
  it('measures each step of a real 3-seal voucher', () => {
    const r = measureSteps([threeSeals], AT, QUICK);
    for (const step of [r.readEnvelope, r.rules, r.stamps]) {
      expect(step.reps).toHaveLength(5);
      expect(step.median).toBeGreaterThan(0);
      expect(Number.isFinite(step.median)).toBe(true);
    }
  });

  it('refuses envelopes that are not what the steps assume', () => {
    expect(() => measureSteps([twoSeals], AT, QUICK)).toThrow(/3 cms stamps/);
    expect(() => measureSteps([], AT, QUICK)).toThrow(/no envelopes/);
    // A voucher that breaks its rules at the validation time (dated after it) stops the bench.
    expect(() => measureSteps([threeSeals], new Date('2025-01-01T00:00:00Z'), QUICK)).toThrow(/breaks its rules/);
  });

  it('sets the steps against what the target leaves beside the signatures', () => {
    const steps: StepRates = { readEnvelope: rate(10_000), rules: rate(40_000), stamps: rate(20_000) };
    // 12,000 raw verifications/s: 250 µs for three; 1,000 vouchers/s: 1,000 µs each.
    const b = stepBreakdown(12_000, 1_000, steps, 0.7);
    expect(b.signaturesUs).toBeCloseTo(250, 9);
    expect(b.verifyUs).toBeCloseTo(1000, 9);
    expect(b.besideSignaturesUs).toBeCloseTo(750, 9);
    // At 0.7 of the bound a voucher may take 250 ÷ 0.7 = 357.1 µs: 107.1 beside the signatures.
    expect(b.allowedBesideUs).toBeCloseTo(250 / 0.7 - 250, 9);
    expect([b.readEnvelopeUs, b.rulesUs, b.stampsUs]).toEqual([100, 25, 50]);
    expect(b.stepsUs).toBeCloseTo(175, 9);
    expect(b.stepsOfAllowed).toBeCloseTo(175 / (250 / 0.7 - 250), 9);
    // A verification at exactly the target spends exactly what it allows.
    const atTarget = stepBreakdown(12_000, 0.7 * (12_000 / 3), steps, 0.7);
    expect(atTarget.besideSignaturesUs).toBeCloseTo(atTarget.allowedBesideUs, 9);
  });
});
