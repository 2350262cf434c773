/**
 * The SM2 elliptic curve (GB/T 32918.5-2017 / GM/T 0003.5-2012, `sm2p256v1`) on @noble/curves.
 *
 * Design rationale. SM2 signatures are written here rather than taken from a library because:
 * - node:crypto (OpenSSL 3.0) cannot make a *standard* SM2 signature through its public API: a
 *   PEM SM2 key with `crypto.sign('sm3')` uses an empty signer ID, `createSign('sm3')` skips Z_A
 *   altogether, and a key made by `generateKeyPairSync('ec', {namedCurve:'SM2'})` signs plain
 *   ECDSA (docs/crypto.md, "Why SM2 is assembled here");
 * - @noble/curves has no SM2 *scheme*, only generic short-Weierstrass arithmetic. Its ECDSA on
 *   the SM2 curve is not SM2 (different equations, no Z_A);
 * - sm-crypto-v2 interoperates but verifies with two constant-time multiplications over a JS SM3
 *   and hex strings, which is several times slower than necessary for public inputs.
 *
 * So the curve arithmetic (audited, well kept) comes from noble's `weierstrass()` fed with the
 * sm2p256v1 parameters, and only the short GB/T 32918.2 §6/§7 equations live in `sm2.ts`.
 * The factory takes curve parameters, so the GB/T 32918.2 Annex A test-curve vector can exercise
 * the same code; only sm2p256v1 is ever used for real keys (the test curve is forbidden).
 */
import { weierstrass } from '@noble/curves/abstract/weierstrass.js';
import type { WeierstrassPoint, WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { numberToBytesBE } from '@noble/curves/utils.js';

/** Domain parameters of a prime-field SM2 curve (cofactor 1). */
export interface Sm2CurveParams {
  readonly p: bigint;
  readonly a: bigint;
  readonly b: bigint;
  readonly n: bigint;
  readonly Gx: bigint;
  readonly Gy: bigint;
}

/** sm2p256v1, GB/T 32918.5-2017 §3 (OID 1.2.156.10197.1.301). */
export const SM2P256V1: Sm2CurveParams = Object.freeze({
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
});

/** Window of the base-point table: 33 windows × 128 points, built lazily on first use. */
export const BASE_WINDOW = 8;

/** A ready-to-use curve: the noble point type plus the constant Z_A prefix material. */
export interface Sm2Curve {
  readonly params: Sm2CurveParams;
  readonly Point: WeierstrassPointCons<bigint>;
  /** Field element size in bytes (32 for sm2p256v1). */
  readonly size: number;
  /** a ‖ b ‖ xG ‖ yG, the curve part of Z_A (GB/T 32918.2 §5.5). */
  readonly zCurveBytes: Uint8Array;
}

/** Build an SM2 curve on noble's generic short-Weierstrass arithmetic. */
export function createSm2Curve(params: Sm2CurveParams, baseWindow = BASE_WINDOW): Sm2Curve {
  const Point = weierstrass({ p: params.p, n: params.n, h: 1n, a: params.a, b: params.b, Gx: params.Gx, Gy: params.Gy });
  // noble enables a W=6 table for BASE by default; a wider one halves the additions of k·G and
  // s·G again for a one-time cost of a few milliseconds (lazy: built on the first multiply).
  Point.BASE.precompute(baseWindow);
  const size = Math.ceil(params.p.toString(16).length / 2);
  const zCurveBytes = new Uint8Array(size * 4);
  zCurveBytes.set(numberToBytesBE(params.a, size), 0);
  zCurveBytes.set(numberToBytesBE(params.b, size), size);
  zCurveBytes.set(numberToBytesBE(params.Gx, size), size * 2);
  zCurveBytes.set(numberToBytesBE(params.Gy, size), size * 3);
  return Object.freeze({ params, Point, size, zCurveBytes });
}

/** The sm2p256v1 curve, built once. */
export const sm2p256v1: Sm2Curve = createSm2Curve(SM2P256V1);

/** A curve point (noble projective point). */
export type Sm2Point = WeierstrassPoint<bigint>;
