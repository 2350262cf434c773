/**
 * The bench's SM2 section (bench/sections/raw.ts) sets our repeated-signer verify, which keeps a table per public
 * key, beside sm-crypto-v2's plain call, which keeps nothing. sm-crypto-v2 has its own per-key precomputation
 * (`precomputePublicKey`); the section also measures that, so the report can print the like-for-like ratio.
 */
import { describe, expect, it } from 'vitest';
import { measureSm2 } from '../../bench/sections/raw.js';

describe('bench: SM2 section', () => {
  it('measures sm-crypto-v2 with its precomputed public key beside its plain call', async () => {
    const r = await measureSm2({ reps: 5, minMs: 5, warmupMs: 5 }, 5);
    expect(r.smCryptoV2VerifyPrecomputed.reps).toHaveLength(5);
    expect(r.smCryptoV2VerifyPrecomputed.median).toBeGreaterThan(0);
    expect(r.verifyRatio.reps).toHaveLength(5);
    // Like for like in interleaved pairs too: as many pair ratios as pairs, each ours ÷ theirs of its pair.
    expect(r.precomputedRatio.reps).toHaveLength(5);
    expect(r.precomputedRatio.median).toBeGreaterThan(0);
  }, 60_000);
});
