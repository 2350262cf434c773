/**
 * security.md §1.10 ("one seal throws internally ⇒ overall not VALID, with that seal's reason; the verifier
 * itself never throws"): a fault is injected into the format checks of one seal (a TypeError, as a bug would
 * raise); the report is INVALID, names that seal and `VERIFY_INTERNAL_ERROR`, and the other seal is still
 * verified. The cryptography is untouched: only the dispatcher is wrapped.
 */
import { describe, expect, it, vi } from 'vitest';
import { failures, sealedOriginal, verifyOne } from '../helpers.js';

const fault = vi.hoisted(() => ({ armed: false }));

vi.mock('../../../src/seal/formats/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/seal/formats/index.js')>();
  return {
    ...real,
    checkStamp: (stamp: Parameters<typeof real.checkStamp>[0], tbs: Uint8Array) => {
      // The finance seal (signed at minute 10) hits the injected bug.
      if (fault.armed && real.stampFacts(stamp).signingTime.getUTCMinutes() === 10) throw new TypeError('injected fault');
      return real.checkStamp(stamp, tbs);
    },
  };
});

describe('an internal exception inside a check', () => {
  it('becomes a failed check with VERIFY_INTERNAL_ERROR on that seal; the report is never VALID; nothing is thrown', async () => {
    const sealed = await sealedOriginal('p256');
    fault.armed = true;
    const r = await verifyOne(sealed);
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].signature:VERIFY_INTERNAL_ERROR']);
    expect(r.seals.map((s) => s.status)).toEqual(['VALID', 'INVALID']);
  });
});
