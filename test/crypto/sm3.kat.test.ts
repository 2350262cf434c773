import { describe, expect, it } from 'vitest';
import { digest } from '../../src/crypto/index.js';
import { ascii, codeOf, hex, vector } from './helpers.js';

interface Sm3Vectors {
  tests: { name: string; messageAscii: string; digest: string }[];
}

describe('SM3 known answers (GB/T 32905-2016 Appendix A)', () => {
  const v = vector<Sm3Vectors>('sm3/gbt32905-annex-a.json');
  for (const t of v.tests) {
    it(t.name, () => {
      expect(hex(digest('sm3', ascii(t.messageAscii)))).toBe(t.digest);
    });
  }

  it('SHA-256 of "abc" (FIPS 180-4 example)', () => {
    expect(hex(digest('sha256', ascii('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('refuses hashes off the list', () => {
    expect(codeOf(() => digest('sha1' as 'sm3', ascii('abc')))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
    expect(codeOf(() => digest('toString' as 'sm3', ascii('abc')))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
  });
});
