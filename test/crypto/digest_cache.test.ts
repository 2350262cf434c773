/**
 * The content-keyed digest cache: always the digest of the bytes given, whatever was cached before, whoever
 * owns the arrays, and bounded.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digest } from '../../src/crypto/hash.js';
import { DIGEST_CACHE_ENTRIES, MAX_CACHED_INPUT, digestCacheCount, digestOfRepeated } from '../../src/crypto/digest_cache.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('digestOfRepeated', () => {
  it('equals digest for any sequence of inputs, repeated or not, in both algorithms', () => {
    const pool = Array.from({ length: 6 }, (_, i) => new Uint8Array(randomBytes(1500 + i * 700)));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('sm3' as const, 'sha256' as const), fc.nat({ max: pool.length - 1 }), fc.boolean()), { maxLength: 40 }), (ops) => {
        for (const [alg, i, copy] of ops) {
          const data = pool[i] as Uint8Array;
          expect(hex(digestOfRepeated(alg, copy ? data.slice() : data))).toBe(hex(digest(alg, data)));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('recognises bytes it has hashed, keeps its own copies, and hands out fresh arrays', () => {
    const data = new Uint8Array(randomBytes(25_000));
    const before = digestCacheCount('sm3');
    const first = digestOfRepeated('sm3', data);
    expect(digestCacheCount('sm3')).toBe(Math.min(before + 1, DIGEST_CACHE_ENTRIES));
    first.fill(0);
    const second = digestOfRepeated('sm3', data.slice());
    expect(hex(second)).toBe(hex(digest('sm3', data)));
    // The caller changes its array after it was cached: the cache answers for the new bytes.
    data[12_345] = (data[12_345] as number) ^ 1;
    expect(hex(digestOfRepeated('sm3', data))).toBe(hex(digest('sm3', data)));
  });

  it('keeps at most DIGEST_CACHE_ENTRIES inputs per algorithm, none over MAX_CACHED_INPUT, and stays exact', () => {
    const inputs = Array.from({ length: DIGEST_CACHE_ENTRIES + 10 }, () => new Uint8Array(randomBytes(2000)));
    for (const d of inputs) digestOfRepeated('sha256', d);
    expect(digestCacheCount('sha256')).toBe(DIGEST_CACHE_ENTRIES);
    for (const d of inputs) expect(hex(digestOfRepeated('sha256', d))).toBe(hex(digest('sha256', d)));
    const huge = new Uint8Array(MAX_CACHED_INPUT + 1).fill(3);
    const n = digestCacheCount('sha256');
    expect(hex(digestOfRepeated('sha256', huge))).toBe(hex(digest('sha256', huge)));
    expect(digestCacheCount('sha256')).toBe(n);
  });

  it('refuses an unknown algorithm as digest does, and stores nothing for it', () => {
    expect(() => digestOfRepeated('md5' as never, new Uint8Array(10))).toThrow(expect.objectContaining({ code: 'CRYPTO_ALGORITHM_UNSUPPORTED' }));
    expect(digestCacheCount('md5' as never)).toBe(0);
  });
});
