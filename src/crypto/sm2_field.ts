/**
 * The field of sm2p256v1 for the verifier's table sums (`sm2_tables.ts`): elements as 11 limbs of 24 bits in a
 * `Float64Array`, in Montgomery form (a ↦ a·R mod p, R = 2^264), always fully reduced (value below p, every limb
 * in [0, 2^24), the top one below 2^16).
 *
 * Why this is written here rather than taken from a library: V8's BigInt is the only big-number arithmetic at
 * hand (noble, sm-crypto-v2 and the verifier before this module all use it), and a BigInt product reduced with
 * `%` costs about 350 ns, 270 of them the division, with an allocation for every intermediate value. Doubles
 * hold integers exactly below 2^53, and a product of two limbs is below 2^48, so a column of the product (up to
 * 11 products of a·b, 11 of the reduction's m·p, and carries) stays exact without carrying in between:
 * `largestColumn()` in `scripts/sm2_field_gen.mjs` bounds every column below 2^52.1, and the generator refuses to
 * write code for which it cannot. The Montgomery product (`sm2_field_unrolled.ts`, written out by that script)
 * takes about 150 ns. This p is ≡ −1 (mod 2^24), so the reduction's factor −p⁻¹ mod 2^24 is 1 and needs no
 * product.
 *
 * Only the verifier's sums use it; everything public or secret elsewhere stays on noble's arithmetic. It is not
 * constant-time, which a verification of public values does not need.
 */
import { invert } from '@noble/curves/abstract/modular.js';
import { SM2P256V1 } from './sm2_curve.js';

export { feMul, feMulAt, feSqr, feSub } from './sm2_field_unrolled.js';

/** Limbs of a field element. */
export const FE_LIMBS = 11;
/** Bits per limb. */
const LIMB_BITS = 24n;

const P = SM2P256V1.p;
/** R = 2^264 (11 × 24 bits). */
const R = 1n << (LIMB_BITS * BigInt(FE_LIMBS));
const R_MOD_P = R % P;
const R_INV = invert(R_MOD_P, P);

function limbsOf(x: bigint): Float64Array {
  const out = new Float64Array(FE_LIMBS);
  for (let i = 0; i < FE_LIMBS; i++) {
    out[i] = Number(x & 0xffffffn);
    x >>= LIMB_BITS;
  }
  return out;
}

/**
 * The Montgomery form of `x`, written into `o` (a new element when absent).
 *
 * @param x - a field value, 0 ≤ x < p.
 * @param o - where to write it.
 * @returns `o`.
 */
export function feFromBigInt(x: bigint, o: Float64Array = new Float64Array(FE_LIMBS)): Float64Array {
  if (x < 0n || x >= P) throw new RangeError('field element out of range');
  o.set(limbsOf((x * R_MOD_P) % P));
  return o;
}

/**
 * The value of an element (out of Montgomery form).
 *
 * @param a - an element.
 * @returns its value, 0 ≤ value < p.
 */
export function feToBigInt(a: Float64Array): bigint {
  let x = 0n;
  for (let i = FE_LIMBS - 1; i >= 0; i--) x = (x << LIMB_BITS) | BigInt(a[i] as number);
  return (x * R_INV) % P;
}

/**
 * Whether an element is zero (elements are fully reduced, so zero has one form).
 *
 * @param a - an element.
 * @returns true for 0.
 */
export function feIsZero(a: Float64Array): boolean {
  for (let i = 0; i < FE_LIMBS; i++) if (a[i] !== 0) return false;
  return true;
}
