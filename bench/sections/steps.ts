/**
 * Where a 3-seal P-256 verification's time goes: three of its steps measured alone, in the same run, beside the
 * time that the crypto bound's target leaves for everything but the three signatures. The steps are public
 * functions that every verification runs: reading the envelope (its XML, the base64 of the voucher and the stamps,
 * and the inner voucher's XML), the voucher type's rules, and parsing the three `cms` stamps. Measured alone, warm,
 * they are a lower bound of what they cost inside a verification. This explains the P-256 target's figure; it is
 * no target itself.
 */
import { parseCmsStamp } from '../../src/seal/index.js';
import { parseEnvelope, validateVoucher, type Voucher } from '../../src/voucher/index.js';
import { measureSync, type MeasureOptions, type Rate } from '../lib/measure.js';

/** The steps, each in operations per second. */
export interface StepRates {
  /** `parseEnvelope`: the envelope's XML, the base64 texts and the inner voucher's XML. */
  readonly readEnvelope: Rate;
  /** `validateVoucher`: the voucher type's rules for the original view. */
  readonly rules: Rate;
  /** `parseCmsStamp` of each of the voucher's stamps (one operation parses all of them). */
  readonly stamps: Rate;
}

/** The stamps of every envelope, and its voucher: what the steps after reading need. */
interface Parsed {
  readonly voucher: Voucher;
  readonly stamps: readonly Uint8Array[];
}

/**
 * Reads an envelope and checks that it is what the steps assume: one body whose voucher parses, and `seals`
 * stamps, every one `cms`.
 */
function readChecked(envelope: Uint8Array, seals: number): Parsed {
  const env = parseEnvelope(envelope);
  const body = env.bodies[0];
  if (env.bodies.length !== 1 || body === undefined || body.voucher === undefined) throw new Error('bench self-check: a step envelope must hold one readable voucher');
  if (body.stamps.length !== seals || body.stamps.some((s) => s.format !== 'cms')) throw new Error(`bench self-check: a step envelope must hold ${seals} cms stamps`);
  return { voucher: body.voucher, stamps: body.stamps.map((s) => s.bytes) };
}

/**
 * Measures the steps alone over the envelopes in turn; each step checks its result, so a broken step cannot look
 * fast.
 *
 * @param envelopes - sealed envelopes, each with one voucher that passes its rules and `seals` `cms` stamps.
 * @param at - the validation time (the rules' clock).
 * @param m - repetitions and durations.
 * @param seals - the stamps each envelope must hold.
 * @returns the rate of each step.
 * @throws Error when an envelope is not of that kind.
 */
export function measureSteps(envelopes: readonly Uint8Array[], at: Date, m: MeasureOptions, seals = 3): StepRates {
  if (envelopes.length === 0) throw new Error('bench self-check: no envelopes for the steps');
  const parsed = envelopes.map((e) => readChecked(e, seals));
  let i = 0;
  const readEnvelope = measureSync(() => {
    const env = parseEnvelope(envelopes[i++ % envelopes.length] as Uint8Array);
    if (env.bodies[0]?.stamps.length !== seals) throw new Error('bench self-check: the envelope read differently');
  }, m);
  let j = 0;
  const rules = measureSync(() => {
    const issues = validateVoucher((parsed[j++ % parsed.length] as Parsed).voucher, { now: at });
    if (issues.length > 0) throw new Error(`bench self-check: the voucher breaks its rules: ${issues[0]?.code}`);
  }, m);
  let k = 0;
  const stamps = measureSync(() => {
    for (const s of (parsed[k++ % parsed.length] as Parsed).stamps) {
      if (parseCmsStamp(s).signature.length === 0) throw new Error('bench self-check: a stamp without a signature');
    }
  }, m);
  return { readEnvelope, rules, stamps };
}

/** Microseconds per voucher: the whole, the signatures, and the steps against what the target allows. */
export interface StepBreakdown {
  /** The voucher's signatures at the raw verify rate: seals ÷ raw rate. */
  readonly signaturesUs: number;
  /** One whole verification. */
  readonly verifyUs: number;
  /** The whole less the signatures. */
  readonly besideSignaturesUs: number;
  /** What the whole may spend beside the signatures and still reach `target` of the bound. */
  readonly allowedBesideUs: number;
  readonly target: number;
  readonly readEnvelopeUs: number;
  readonly rulesUs: number;
  readonly stampsUs: number;
  /** The three steps together. */
  readonly stepsUs: number;
  /** The steps together ÷ what the target allows beside the signatures. */
  readonly stepsOfAllowed: number;
}

/**
 * Sets the steps' medians against the verification and the bound.
 *
 * @param rawVerifyPerS - raw signature verifications per second.
 * @param voucherVerifyPerS - whole voucher verifications per second.
 * @param steps - from {@link measureSteps}.
 * @param target - the share of the bound aimed at (0.7).
 * @param seals - signatures per voucher.
 * @returns microseconds per voucher.
 * @example stepBreakdown(12_000, 1_000, steps, 0.7).allowedBesideUs // 107.1: 250 µs of signatures × (1 ÷ 0.7 − 1)
 */
export function stepBreakdown(rawVerifyPerS: number, voucherVerifyPerS: number, steps: StepRates, target: number, seals = 3): StepBreakdown {
  const us = (perS: number): number => 1e6 / perS;
  const signaturesUs = seals * us(rawVerifyPerS);
  const verifyUs = us(voucherVerifyPerS);
  const allowedBesideUs = signaturesUs * (1 / target - 1);
  const readEnvelopeUs = us(steps.readEnvelope.median);
  const rulesUs = us(steps.rules.median);
  const stampsUs = us(steps.stamps.median);
  const stepsUs = readEnvelopeUs + rulesUs + stampsUs;
  return {
    signaturesUs,
    verifyUs,
    besideSignaturesUs: verifyUs - signaturesUs,
    allowedBesideUs,
    target,
    readEnvelopeUs,
    rulesUs,
    stampsUs,
    stepsUs,
    stepsOfAllowed: stepsUs / allowedBesideUs,
  };
}
