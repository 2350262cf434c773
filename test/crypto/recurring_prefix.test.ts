/**
 * Digests continued from the remembered state of a recurring prefix: always the digest of the whole input,
 * whatever was remembered before and whoever owns the arrays; bounded; and SM2 verification with the hint
 * decides exactly as without it.
 */
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_RECURRING_PREFIX,
  MIN_RECURRING_PREFIX,
  RECURRING_PREFIX_ENTRIES,
  clearRecurringPrefixes,
  digestWithRecurringPrefix,
  recurringPrefixCount,
} from '../../src/crypto/recurring_prefix.js';
import { sm2PublicKeyFromPrivate, sm2Sign, sm2Verify } from '../../src/crypto/sm2.js';
import type { HashAlgorithm } from '../../src/crypto/types.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** The oracle: OpenSSL's digest of head ‖ data in one go. */
const whole = (alg: HashAlgorithm, head: Uint8Array, data: Uint8Array): string => createHash(alg).update(head).update(data).digest('hex');
const bytes = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

describe('digestWithRecurringPrefix', () => {
  it('equals the digest of head ‖ data for any sequence of calls, hits and misses alike', () => {
    const prefixes = [bytes(MIN_RECURRING_PREFIX), bytes(25_000), bytes(40_000)];
    const tails = [bytes(0), bytes(1), bytes(63), bytes(2_100)];
    const heads = [new Uint8Array(0), bytes(32), bytes(32)];
    fc.assert(
      fc.property(
        fc.array(fc.record({
          alg: fc.constantFrom<HashAlgorithm>('sm3', 'sha256'),
          p: fc.nat({ max: prefixes.length - 1 }),
          t: fc.nat({ max: tails.length - 1 }),
          h: fc.nat({ max: heads.length - 1 }),
          cut: fc.integer({ min: -70, max: 70 }),
        }), { maxLength: 30 }),
        (calls) => {
          for (const c of calls) {
            const prefix = prefixes[c.p] as Uint8Array;
            const data = Uint8Array.from([...prefix, ...(tails[c.t] as Uint8Array)]);
            const head = heads[c.h] as Uint8Array;
            // The hint is sometimes off the real boundary, or out of range: it must never change the digest.
            const hint = prefix.length + c.cut;
            expect(hex(digestWithRecurringPrefix(c.alg, head, data, hint))).toBe(whole(c.alg, head, data));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('remembers a prefix once and answers from it only for bytes equal to it, all of them', () => {
    clearRecurringPrefixes();
    const prefix = bytes(30_000);
    const a = Uint8Array.from([...prefix, 1, 2, 3]);
    const z = bytes(32);
    expect(hex(digestWithRecurringPrefix('sm3', z, a, prefix.length))).toBe(whole('sm3', z, a));
    expect(recurringPrefixCount('sm3')).toBe(1);
    // Another tail after the same prefix: the remembered state goes on, the count stays.
    const b = Uint8Array.from([...prefix, 9, 9]);
    expect(hex(digestWithRecurringPrefix('sm3', z, b, prefix.length))).toBe(whole('sm3', z, b));
    expect(recurringPrefixCount('sm3')).toBe(1);
    // The same length, first 16 and last 64 bytes of the prefix (what the map hashes), one byte changed in the
    // middle: not the same prefix.
    const c = Uint8Array.from(a);
    c[15_000] = (c[15_000] as number) ^ 0x80;
    expect(hex(digestWithRecurringPrefix('sm3', z, c, prefix.length))).toBe(whole('sm3', z, c));
    expect(recurringPrefixCount('sm3')).toBe(2);
    // The same prefix after another head (another signer's Z_A).
    const z2 = bytes(32);
    expect(hex(digestWithRecurringPrefix('sm3', z2, a, prefix.length))).toBe(whole('sm3', z2, a));
    // The caller changes its array after it was remembered: the answer is for the new bytes.
    a[100] = (a[100] as number) ^ 1;
    expect(hex(digestWithRecurringPrefix('sm3', z, a, prefix.length))).toBe(whole('sm3', z, a));
    z[0] = (z[0] as number) ^ 1;
    expect(hex(digestWithRecurringPrefix('sm3', z, a, prefix.length))).toBe(whole('sm3', z, a));
  });

  it('remembers nothing outside its bounds, and at most RECURRING_PREFIX_ENTRIES prefixes', () => {
    clearRecurringPrefixes();
    const small = bytes(MIN_RECURRING_PREFIX - 1);
    expect(hex(digestWithRecurringPrefix('sha256', new Uint8Array(0), small, small.length))).toBe(whole('sha256', new Uint8Array(0), small));
    const big = bytes(MAX_RECURRING_PREFIX + 1);
    expect(hex(digestWithRecurringPrefix('sha256', new Uint8Array(0), big, big.length))).toBe(whole('sha256', new Uint8Array(0), big));
    const longHead = bytes(65);
    const data = bytes(MIN_RECURRING_PREFIX);
    expect(hex(digestWithRecurringPrefix('sha256', longHead, data, data.length))).toBe(whole('sha256', longHead, data));
    expect(recurringPrefixCount('sha256')).toBe(0);
    for (let i = 0; i < RECURRING_PREFIX_ENTRIES + 10; i++) {
      const d = bytes(MIN_RECURRING_PREFIX + 10);
      expect(hex(digestWithRecurringPrefix('sha256', new Uint8Array(0), d, MIN_RECURRING_PREFIX))).toBe(whole('sha256', new Uint8Array(0), d));
    }
    expect(recurringPrefixCount('sha256')).toBe(RECURRING_PREFIX_ENTRIES);
  });

  it('refuses other algorithms and non-byte input', () => {
    const data = bytes(MIN_RECURRING_PREFIX);
    expect(() => digestWithRecurringPrefix('md5' as HashAlgorithm, new Uint8Array(0), data, data.length)).toThrow(expect.objectContaining({ code: 'CRYPTO_ALGORITHM_UNSUPPORTED' }));
    expect(() => digestWithRecurringPrefix('sm3', new Uint8Array(0), 'x' as unknown as Uint8Array, 1)).toThrow(expect.objectContaining({ code: 'ARG_INVALID' }));
  });
});

describe('sm2Verify with recurringPrefix', () => {
  it('decides as without the hint, before and after the prefix is remembered', () => {
    clearRecurringPrefixes();
    const d = Uint8Array.from(Buffer.from('3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8', 'hex'));
    const pub = sm2PublicKeyFromPrivate(d);
    const sealObject = bytes(20_000);
    const message = (tail: number[]): Uint8Array => Uint8Array.from([...sealObject, ...tail]);
    const m1 = message([1, 2, 3]);
    const m2 = message([4, 5, 6, 7]);
    const s1 = sm2Sign(d, m1);
    const s2 = sm2Sign(d, m2);
    const hint = { recurringPrefix: sealObject.length };
    for (let round = 0; round < 2; round++) {
      expect(sm2Verify(pub, m1, s1, hint)).toBe(true);
      expect(sm2Verify(pub, m2, s2, hint)).toBe(true);
      expect(sm2Verify(pub, m1, s2, hint)).toBe(false);
      // A change inside the recurring part, where the map's short hash does not look.
      const forged = Uint8Array.from(m1);
      forged[10_000] = (forged[10_000] as number) ^ 1;
      expect(sm2Verify(pub, forged, s1, hint)).toBe(false);
      expect(sm2Verify(pub, forged, s1)).toBe(false);
      // Another signer ID changes Z_A, the head before the remembered part.
      expect(sm2Verify(pub, m1, s1, { ...hint, id: new TextEncoder().encode('1234567812345679') })).toBe(false);
    }
    expect(recurringPrefixCount('sm3')).toBeGreaterThanOrEqual(1);
  });
});
