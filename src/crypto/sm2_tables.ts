/**
 * Fixed-base tables for SM2 verification: s·G + t·P as one sum of table points, with no doublings.
 *
 * Why this is written here rather than taken from noble: noble's tables serve its generic point type, whose
 * every addition is the complete projective formula (12 multiplications, 2 by b, 3 by a) with a reduction (a
 * BigInt division) after each of its 23 additions and subtractions. A verification only handles public values,
 * so a faster formula that has to treat its exceptional cases explicitly is fine: here each table point is
 * affine, the running sum is Jacobian, and one mixed addition costs 8 multiplications and 3 squarings. The
 * field arithmetic is `sm2_field.ts` (Montgomery form in 11 limbs of 24 bits, about 2.3 times faster per
 * product than a BigInt product reduced with `%`), and every table of a window is one flat array of limbs, so
 * the sum allocates nothing.
 *
 * Signed fixed windows: a scalar k < 2^256 is written as Σ d_j·2^(jW) with d_j ∈ [−2^(W−1), 2^(W−1)], and the
 * table of a point Q holds i·2^(jW)·Q for every window j and i ∈ [1, 2^(W−1)]; a negative digit adds the
 * point's negation (x, p − y). The tables are correct for any scalar; the caller checks the ranges of the
 * signature values (GB/T 32918.2 §7.1 B1, B2) as before.
 */
import { invert } from '@noble/curves/abstract/modular.js';
import { sm2p256v1, type Sm2Curve, type Sm2Point } from './sm2_curve.js';
import { FE_LIMBS, feFromBigInt, feIsZero, feMul, feMulAt, feSqr, feSub, feToBigInt } from './sm2_field.js';

/** The table of one point: affine multiples for each window, in the Montgomery form of `sm2_field.ts`. */
export interface FixedBaseTable {
  /** The window width W in bits. */
  readonly w: number;
  /** Number of windows: ⌈256 / W⌉ + 1 (the last one takes the carry of a negative digit). */
  readonly windows: number;
  /**
   * For window j and i ∈ [1, 2^(W−1)], point number k = j·2^(W−1) + i − 1: the limbs of x at `22·k` and those of y
   * right after them (the limbs are below 2^24, so 32-bit integers hold them in half the memory of doubles).
   */
  readonly limbs: Int32Array;
}

/** Scalars the tables cover: below 2^256 (sm2p256v1's n and p are both below it). */
const SCALAR_BITS = 256;

// Scratch elements of the sums and of the table builds (both synchronous, so one set serves every call).
const fe = (): Float64Array => new Float64Array(FE_LIMBS);
const ZERO = fe();
/** One, in Montgomery form. */
const ONE = feFromBigInt(1n);
const [X, Y, Z, zz, u2, s2, h, r, hh, hhh, v, t] = Array.from({ length: 12 }, fe) as [
  Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array,
  Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array,
];

/**
 * Builds the table of `point` (a validated point, not the identity) for windows of `w` bits.
 *
 * Per window j, the window's base 2^(jW)·Q comes from noble's doublings and is made affine (one inversion per
 * window); its multiples i·base are mixed additions in the field arithmetic of the sums, and all of them are made
 * affine together with one more inversion (Montgomery's trick). About 2^(W−1) · (⌈256 / W⌉ + 1) mixed additions,
 * W · ⌈256 / W⌉ noble doublings and ⌈256 / W⌉ + 2 inversions.
 *
 * @param curve - the curve the point is on (sm2p256v1).
 * @param point - the point Q.
 * @param w - the window width, 2 to 12.
 * @returns the table.
 */
export function buildFixedBaseTable(curve: Sm2Curve, point: Sm2Point, w: number): FixedBaseTable {
  if (!Number.isInteger(w) || w < 2 || w > 12) throw new RangeError('window width must be 2..12');
  // The field arithmetic of the sums is sm2p256v1's alone.
  if (curve !== sm2p256v1) throw new RangeError('fixed-base tables are for sm2p256v1 only');
  const half = 1 << (w - 1);
  const windows = Math.ceil(SCALAR_BITS / w) + 1;
  const count = windows * half;
  // Every multiple in Jacobian coordinates first: X, Y, Z of point k at 3·11·k.
  const jac = new Float64Array(3 * FE_LIMBS * count);
  const baseAffine = new Int32Array(2 * FE_LIMBS);
  const out = fe();
  let base = point;
  for (let j = 0; j < windows; j++) {
    // A multiple of a point of prime order n by a number below 2^270 · n that n does not divide is never the
    // identity, so neither the base nor any sum below is (checked all the same).
    if (base.is0()) throw new RangeError('a table point is the identity');
    const { x, y } = base.toAffine();
    baseAffine.set(feFromBigInt(x, out), 0);
    baseAffine.set(feFromBigInt(y, out), FE_LIMBS);
    startAt(baseAffine, 0, false);
    for (let i = 1; i <= half; i++) {
      // Point number j·2^(W−1) + i − 1 is i·base.
      if (i > 1 && !addTablePoint(baseAffine, 0, false)) throw new RangeError('a table point is the identity');
      const at = 3 * FE_LIMBS * (j * half + i - 1);
      jac.set(X, at);
      jac.set(Y, at + FE_LIMBS);
      jac.set(Z, at + 2 * FE_LIMBS);
    }
    if (j + 1 < windows) for (let i = 0; i < w; i++) base = base.double();
  }
  // One inversion for all: with prefix products, 1/Z_k = (1/∏Z) · ∏_{i<k} Z_i · ∏_{i>k} Z_i.
  const prefix = new Float64Array(FE_LIMBS * count);
  const acc = Float64Array.from(ONE);
  for (let k = 0; k < count; k++) {
    prefix.set(acc, FE_LIMBS * k);
    feMul(acc, acc, jac.subarray(3 * FE_LIMBS * k + 2 * FE_LIMBS, 3 * FE_LIMBS * (k + 1)));
  }
  const inv = feFromBigInt(invert(feToBigInt(acc), sm2p256v1.params.p));
  const limbs = new Int32Array(2 * FE_LIMBS * count);
  const zInv = new Float64Array(FE_LIMBS);
  const zInv2 = new Float64Array(FE_LIMBS);
  for (let k = count - 1; k >= 0; k--) {
    const X_ = jac.subarray(3 * FE_LIMBS * k, 3 * FE_LIMBS * k + FE_LIMBS);
    const Y_ = jac.subarray(3 * FE_LIMBS * k + FE_LIMBS, 3 * FE_LIMBS * k + 2 * FE_LIMBS);
    const Z_ = jac.subarray(3 * FE_LIMBS * k + 2 * FE_LIMBS, 3 * FE_LIMBS * (k + 1));
    feMul(zInv, inv, prefix.subarray(FE_LIMBS * k, FE_LIMBS * (k + 1)));
    feMul(inv, inv, Z_);
    // Jacobian: x = X/Z², y = Y/Z³.
    feSqr(zInv2, zInv);
    feMul(out, X_, zInv2);
    limbs.set(out, 2 * FE_LIMBS * k);
    feMul(zInv2, zInv2, zInv);
    feMul(out, Y_, zInv2);
    limbs.set(out, 2 * FE_LIMBS * k + FE_LIMBS);
  }
  return Object.freeze({ w, windows, limbs });
}

/**
 * The signed digits of `k` in windows of `w` bits (see the module notes).
 *
 * @param k - the scalar, 0 ≤ k < 2^256.
 * @param w - the window width.
 * @param windows - the table's window count.
 * @returns one digit per window, least significant first.
 */
export function signedDigits(k: bigint, w: number, windows: number): Int32Array {
  if (k < 0n || k >> BigInt(SCALAR_BITS) !== 0n) throw new RangeError('scalar out of range');
  const out = new Int32Array(windows);
  const full = 1 << w;
  const half = full >> 1;
  // 32-bit limbs, least significant first, read as plain numbers: no BigInt per window.
  // Two spare limbs: the last window may start in the ninth and read into the tenth.
  const limbs = new Uint32Array(SCALAR_BITS / 32 + 2);
  for (let i = 0; i < SCALAR_BITS / 32; i++) limbs[i] = Number((k >> BigInt(32 * i)) & 0xffffffffn);
  let carry = 0;
  for (let j = 0; j < windows; j++) {
    const bit = j * w;
    const limb = bit >>> 5;
    const shift = bit & 31;
    let v = (limbs[limb] as number) >>> shift;
    if (shift + w > 32) v |= (limbs[limb + 1] as number) << (32 - shift);
    let d = (v & (full - 1)) + carry;
    carry = 0;
    if (d > half) {
      d -= full;
      carry = 1;
    }
    out[j] = d;
  }
  if (carry !== 0) throw new RangeError('scalar does not fit the windows');
  return out;
}

/** A point in Jacobian coordinates (x = X/Z², y = Y/Z³), or the identity (`undefined`). */
export type JacobianPoint = { readonly X: bigint; readonly Y: bigint; readonly Z: bigint } | undefined;

/**
 * Σ d_j · (table points) over every table and digit list given: s·G + t·P for a verification.
 *
 * @param curve - the curve of the tables (sm2p256v1).
 * @param terms - pairs of a table and the signed digits of its scalar (same window width as the table).
 * @returns the sum in Jacobian coordinates, or `undefined` for the identity.
 */
export function sumFixedBase(curve: Sm2Curve, terms: readonly (readonly [FixedBaseTable, Int32Array])[]): JacobianPoint {
  if (curve !== sm2p256v1) throw new RangeError('fixed-base tables are for sm2p256v1 only');
  let identity = true;
  for (const [table, digits] of terms) {
    const half = 1 << (table.w - 1);
    const limbs = table.limbs;
    for (let j = 0; j < digits.length; j++) {
      const d = digits[j] as number;
      if (d === 0) continue;
      const at = 2 * FE_LIMBS * (j * half + (d > 0 ? d : -d) - 1);
      if (identity) {
        startAt(limbs, at, d < 0);
        identity = false;
      } else if (!addTablePoint(limbs, at, d < 0)) {
        identity = true;
      }
    }
  }
  return identity ? undefined : { X: feToBigInt(X), Y: feToBigInt(Y), Z: feToBigInt(Z) };
}

/**
 * (X, Y, Z) = ±(x2, y2) with Z = 1: the sum starts at an affine point stored in `limbs` (x, then y) from `at`.
 *
 * @param limbs - where the point is stored.
 * @param at - where its x starts.
 * @param negative - start at (x2, −y2).
 */
function startAt(limbs: Int32Array, at: number, negative: boolean): void {
  for (let k = 0; k < FE_LIMBS; k++) {
    X[k] = limbs[at + k] as number;
    Y[k] = limbs[at + FE_LIMBS + k] as number;
  }
  if (negative) feSub(Y, ZERO, Y);
  Z.set(ONE);
}

/**
 * (X, Y, Z) += ±(x2, y2): a mixed addition (Jacobian + affine), "madd-2007-bl" without its doubling of the result,
 * the affine point's coordinates read where they are stored, and a negation applied to s2 = ±y2·Z³ instead of y2.
 * The sum is not the identity before.
 *
 * @param limbs - where the affine point is stored (x, then y).
 * @param at - where its x starts.
 * @param negative - add (x2, −y2).
 * @returns false when the sum became the identity.
 */
function addTablePoint(limbs: Int32Array, at: number, negative: boolean): boolean {
  feSqr(zz, Z);
  feMulAt(u2, zz, limbs, at);
  feMulAt(s2, Z, limbs, at + FE_LIMBS);
  feMul(s2, s2, zz);
  if (negative) feSub(s2, ZERO, s2);
  feSub(h, u2, X);
  feSub(r, s2, Y);
  if (feIsZero(h)) {
    // The point is the negation of the sum (the identity) or the sum itself (double it).
    if (!feIsZero(r)) return false;
    doubleInPlace();
    return true;
  }
  feSqr(hh, h);
  feMul(hhh, h, hh);
  feMul(v, X, hh);
  // x3 = r² − hhh − 2v
  feSqr(t, r);
  feSub(t, t, hhh);
  feSub(t, t, v);
  feSub(t, t, v);
  // y3 = r·(v − x3) − Y·hhh
  feSub(v, v, t);
  feMul(v, r, v);
  feMul(hhh, Y, hhh);
  feSub(Y, v, hhh);
  X.set(t);
  feMul(Z, Z, h);
  return true;
}

/**
 * (X, Y, Z) = 2·(X, Y, Z), "dbl-2007-bl" for any a, in BigInt: met only when the running sum equals the next
 * table point, which random signatures never bring about (the tests do).
 */
function doubleInPlace(): void {
  const { p, a } = sm2p256v1.params;
  const x = feToBigInt(X);
  const y = feToBigInt(Y);
  const z = feToBigInt(Z);
  const xx = (x * x) % p;
  const yy = (y * y) % p;
  const yyyy = (yy * yy) % p;
  const z2 = (z * z) % p;
  const sd = (4n * ((x * yy) % p)) % p;
  const m = (3n * xx + ((a * ((z2 * z2) % p)) % p)) % p;
  let x3 = (m * m - 2n * sd) % p;
  if (x3 < 0n) x3 += p;
  let sx = sd - x3;
  if (sx < 0n) sx += p;
  let y3 = (m * sx - 8n * yyyy) % p;
  if (y3 < 0n) y3 += p;
  // A point of odd order has no y = 0, so the double is never the identity.
  feFromBigInt(x3, X);
  feFromBigInt(y3, Y);
  feFromBigInt((2n * y * z) % p, Z);
}
