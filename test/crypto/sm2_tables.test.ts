/**
 * The verifier's fixed-base tables (`src/crypto/sm2_tables.ts`) against noble's generic arithmetic: the same
 * s·G + t·P for random scalars and points, the exceptional cases of the mixed addition (the sum meeting a
 * table point or its negation), the signed digits, and whole verifications on the table path against signatures
 * of other implementations.
 */
import fc from 'fast-check';
import { sm2 as smCrypto } from 'sm-crypto-v2';
import { describe, expect, it } from 'vitest';
import { invert } from '@noble/curves/abstract/modular.js';
import { sm2Verify } from '../../src/crypto/index.js';
import { sm2PointVerificationCount } from '../../src/crypto/sm2.js';
import { createSm2Curve, sm2p256v1, type Sm2Point } from '../../src/crypto/sm2_curve.js';
import { buildFixedBaseTable, signedDigits, sumFixedBase, type FixedBaseTable, type JacobianPoint } from '../../src/crypto/sm2_tables.js';
import { ascii, unhex } from './helpers.js';

const { p, n } = sm2p256v1.params;
const G = sm2p256v1.Point.BASE;

/** The affine point of a Jacobian one, or undefined for the identity. */
function affine(R: JacobianPoint): { x: bigint; y: bigint } | undefined {
  if (R === undefined) return undefined;
  const zi = invert(R.Z, p);
  const zi2 = (zi * zi) % p;
  return { x: (R.X * zi2) % p, y: (((R.Y * zi2) % p) * zi) % p };
}

/** noble's s·G + t·Q, affine, or undefined for the identity. */
function reference(s: bigint, Q: Sm2Point, t: bigint): { x: bigint; y: bigint } | undefined {
  const sG = s % n === 0n ? sm2p256v1.Point.ZERO : G.multiplyUnsafe(s % n);
  const tQ = t % n === 0n ? sm2p256v1.Point.ZERO : Q.multiplyUnsafe(t % n);
  const R = sG.add(tQ);
  return R.is0() ? undefined : R.toAffine();
}

const tables = new Map<string, FixedBaseTable>();
function tableOf(Q: Sm2Point, w: number): FixedBaseTable {
  const k = `${Q.toHex(true)}/${w}`;
  let t = tables.get(k);
  if (t === undefined) tables.set(k, (t = buildFixedBaseTable(sm2p256v1, Q, w)));
  return t;
}

const sum = (s: bigint, Q: Sm2Point, t: bigint, wG = 8, wQ = 6): JacobianPoint => {
  const a = tableOf(G, wG);
  const b = tableOf(Q, wQ);
  return sumFixedBase(sm2p256v1, [
    [a, signedDigits(s, a.w, a.windows)],
    [b, signedDigits(t, b.w, b.windows)],
  ]);
};

const scalar = fc.bigInt({ min: 1n, max: n - 1n });

describe('sm2 fixed-base tables', () => {
  it('signed digits add up to the scalar, for every window width used and the edges of the range', () => {
    for (const w of [5, 6, 7, 8]) {
      const windows = Math.ceil(256 / w) + 1;
      for (const k of [0n, 1n, n - 1n, p - 1n, (1n << 256n) - 1n, 0x8000000000000000000000000000000000000000000000000000000000000000n]) {
        const d = signedDigits(k, w, windows);
        let back = 0n;
        d.forEach((x, j) => (back += BigInt(x) << BigInt(j * w)));
        expect(back, `${k} w=${w}`).toBe(k);
        for (const x of d) expect(Math.abs(x)).toBeLessThanOrEqual(1 << (w - 1));
      }
    }
    expect(() => signedDigits(-1n, 6, 44)).toThrow(RangeError);
    expect(() => signedDigits(1n << 256n, 6, 44)).toThrow(RangeError);
  });

  it('s·G + t·Q equals noble’s for random scalars and points, with windows that straddle 32-bit limbs', () => {
    fc.assert(
      fc.property(scalar, scalar, scalar, fc.constantFrom(5, 6, 7), (u, s, t, w) => {
        const Q = G.multiply(u);
        expect(affine(sum(s, Q, t, 8, w))).toEqual(reference(s, Q, t));
      }),
      { numRuns: 40 },
    );
  });

  it('the sum meeting a table point (doubling) or its negation (the identity, mid-way and at the end)', () => {
    // The sum is taken table by table: after s·G, the first point of Q's table meets it.
    for (const [s, t] of [[5n, 5n], [300n, 300n], [5n + (7n << 8n), 5n + (7n << 8n)]] as [bigint, bigint][]) {
      expect(affine(sum(s, G, t, 8, 8)), `doubling ${s}`).toEqual(reference(s, G, t));
      // Q = −G: the first point of Q's table cancels the sum (the identity mid-way), and the rest goes on from it.
      expect(affine(sum(s, G.negate(), t + (3n << 16n), 8, 8)), `cancel ${s}`).toEqual(reference(s, G.negate(), t + (3n << 16n)));
      expect(sum(s, G.negate(), t, 8, 8), `identity ${s}`).toBeUndefined();
    }
    fc.assert(
      fc.property(scalar, (s) => {
        // Q = u·G, t = −s/u: the identity at the end only.
        const u = 0x1234567n;
        const t = (((n - s) % n) * invert(u, n)) % n;
        expect(sum(s, G.multiply(u), t)).toBeUndefined();
        expect(affine(sum(s, G.multiply(u), (t + 1n) % n))).toEqual(reference(s, G.multiply(u), (t + 1n) % n));
      }),
      { numRuns: 20 },
    );
  });

  it('refuses another curve: the field arithmetic of the sums is sm2p256v1\'s alone', () => {
    // The same curve parameters in another curve object still count as another curve (no field check by value).
    const other = createSm2Curve(sm2p256v1.params);
    expect(() => buildFixedBaseTable(other, other.Point.BASE, 6)).toThrow(RangeError);
    const t = tableOf(G, 6);
    expect(() => sumFixedBase(other, [[t, signedDigits(5n, t.w, t.windows)]])).toThrow(RangeError);
  });

  it('verifies on the table path what other implementations signed, and nothing else', () => {
    const kp = smCrypto.generateKeyPairHex();
    const pub = unhex(kp.publicKey);
    const c0 = sm2PointVerificationCount();
    for (let i = 0; i < 12; i++) {
      const msg = ascii(`voucher ${i}`);
      const sig = unhex(smCrypto.doSignature(msg, kp.privateKey, { hash: true, der: true }));
      // From the fourth use on, the key's table is built and the table path answers.
      expect(sm2Verify(pub, msg, sig), `signature ${i}`).toBe(true);
      expect(sm2Verify(pub, ascii(`voucher ${i + 1}`), sig)).toBe(false);
      const bad = Uint8Array.from(sig);
      bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
      expect(sm2Verify(pub, msg, bad)).toBe(false);
    }
    expect(sm2PointVerificationCount() - c0).toBe(36);
  });
});
