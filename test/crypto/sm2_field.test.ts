/**
 * The field arithmetic of the verifier's SM2 table sums (`src/crypto/sm2_field.ts`) against BigInt: products,
 * squares and differences of random values and of the edges of the field (0, 1, p − 1, values whose limbs are all
 * at their largest), results always fully reduced; the generated module is what its generator writes, and the
 * generator's bound on every column stays below 2^53.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FE_LIMBS, feFromBigInt, feIsZero, feMul, feMulAt, feSqr, feSub, feToBigInt } from '../../src/crypto/sm2_field.js';
import { sm2p256v1 } from '../../src/crypto/sm2_curve.js';
// @ts-expect-error -- a plain .mjs script without declarations
import { largestColumn, renderSm2FieldMul } from '../../scripts/sm2_field_gen.mjs';

const { p } = sm2p256v1.params;
const LIMB = 2 ** 24;

/** Every limb an integer in [0, 2^24) and the value below p. */
function expectReduced(a: Float64Array): void {
  for (const x of a) {
    expect(Number.isInteger(x)).toBe(true);
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThan(LIMB);
  }
  let v = 0n;
  for (let i = FE_LIMBS - 1; i >= 0; i--) v = (v << 24n) | BigInt(a[i] as number);
  expect(v < p).toBe(true);
}

const mod = (x: bigint): bigint => ((x % p) + p) % p;

// Values whose Montgomery limbs are at their largest: x·R mod p = 2^256 − 1 − k is the value below p with every limb
// full; back out of Montgomery form, those are the inputs that fill every column of the product.
const R_INV = (() => {
  const R = (1n << 264n) % p;
  let [a, b, x0, x1] = [p, R, 0n, 1n];
  while (b !== 0n) {
    const q = a / b;
    [a, b, x0, x1] = [b, a - q * b, x1, x0 - q * x1];
  }
  return mod(x0);
})();
const fullLimbs = [p - 1n, p - 2n, p - (1n << 64n), (1n << 255n) - 1n].map((m) => mod(m * R_INV));
const EDGES = [0n, 1n, 2n, p - 1n, p - 2n, (p + 1n) / 2n, 1n << 255n, ...fullLimbs];
const value = fc.oneof(fc.constantFrom(...EDGES), fc.bigInt({ min: 0n, max: p - 1n }));

describe('sm2 field (Montgomery, 11 × 24-bit limbs)', () => {
  it('round-trips every value and refuses values outside [0, p)', () => {
    fc.assert(
      fc.property(value, (x) => {
        const a = feFromBigInt(x);
        expectReduced(a);
        expect(feToBigInt(a)).toBe(x);
        expect(feIsZero(a)).toBe(x === 0n);
      }),
      { numRuns: 300 },
    );
    expect(() => feFromBigInt(p)).toThrow(RangeError);
    expect(() => feFromBigInt(-1n)).toThrow(RangeError);
  });

  it('multiplies, squares and subtracts as BigInt does, reduced, also in place', () => {
    const o = new Float64Array(FE_LIMBS);
    const table = new Int32Array(3 * FE_LIMBS);
    fc.assert(
      fc.property(value, value, (x, y) => {
        const a = feFromBigInt(x);
        const b = feFromBigInt(y);
        feMul(o, a, b);
        expectReduced(o);
        expect(feToBigInt(o)).toBe(mod(x * y));
        // b read from a table of 32-bit integers, at an offset.
        table.set(b, FE_LIMBS);
        feMulAt(o, a, table, FE_LIMBS);
        expect(feToBigInt(o)).toBe(mod(x * y));
        feSqr(o, a);
        expectReduced(o);
        expect(feToBigInt(o)).toBe(mod(x * x));
        feSub(o, a, b);
        expectReduced(o);
        expect(feToBigInt(o)).toBe(mod(x - y));
        // In place: the result written over an operand.
        const c = Float64Array.from(a);
        feMul(c, c, b);
        expect(feToBigInt(c)).toBe(mod(x * y));
        const d = Float64Array.from(b);
        feSub(d, a, d);
        expect(feToBigInt(d)).toBe(mod(x - y));
        feSqr(d, d);
        expect(feToBigInt(d)).toBe(mod((x - y) * (x - y)));
      }),
      { numRuns: 2000 },
    );
    // Every pair of edges, the full-limb ones against each other included.
    for (const x of EDGES) {
      for (const y of EDGES) {
        feMul(o, feFromBigInt(x), feFromBigInt(y));
        expect(feToBigInt(o), `${x}·${y}`).toBe(mod(x * y));
        feSub(o, feFromBigInt(x), feFromBigInt(y));
        expect(feToBigInt(o), `${x}−${y}`).toBe(mod(x - y));
      }
    }
  });

  it('keeps every column of the product below 2^53 (exact doubles), and the module is what the generator writes', () => {
    expect(largestColumn()).toBeLessThan(2 ** 53);
    const written = readFileSync(new URL('../../src/crypto/sm2_field_unrolled.ts', import.meta.url), 'utf8');
    expect(written, 'run npm run gen:sm2-field').toBe(renderSm2FieldMul());
  });
});
