/**
 * memoDigest answers exactly as digest: same bytes for every algorithm and array, a fresh array per call (a
 * caller that changes one cannot change the next answer), and an unsupported algorithm throws every time.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { memoDigest } from '../../src/crypto/digest_memo.js';
import { digest } from '../../src/crypto/index.js';
import type { HashAlgorithm } from '../../src/crypto/index.js';

describe('memoDigest', () => {
  it('returns digest() of every (algorithm, array), repeatedly, in fresh arrays', () => {
    const hash = memoDigest();
    const arrays = [new Uint8Array(0), ...Array.from({ length: 6 }, (_, i) => new Uint8Array(randomBytes(i * 97)))];
    const whole = new Uint8Array(randomBytes(64));
    arrays.push(whole.subarray(0, 32), whole.subarray(32), whole.subarray(0, 32));
    for (let round = 0; round < 3; round++) {
      for (const a of arrays) {
        for (const alg of ['sha256', 'sm3'] as HashAlgorithm[]) {
          const got = hash(alg, a);
          expect(got).toEqual(digest(alg, a));
          got.fill(0); // the caller's copy: the memo keeps its own
        }
      }
    }
  });

  it('throws for an unsupported algorithm each time, and stores nothing for it', () => {
    const hash = memoDigest();
    const a = new Uint8Array([1, 2, 3]);
    for (let i = 0; i < 2; i++) expect(() => hash('md5' as HashAlgorithm, a)).toThrow(expect.objectContaining({ code: 'CRYPTO_ALGORITHM_UNSUPPORTED' }));
    expect(hash('sha256', a)).toEqual(digest('sha256', a));
  });
});
