/**
 * security.md §1.10 and §1.2: seal stripping, reordering, truncation and duplication, on the 3-seal chain
 * (dw_gz → cz_zfzyz → cz_sz) and on the receipt. Order comes from the signed sequence, never from the document.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { codes, failures, rewriteBody, seal, sealedReceipt, stampsOf, T, unsealed, verifyOne } from '../helpers.js';

let three: Uint8Array;
beforeAll(async () => {
  let e = unsealed();
  e = await seal(e, 'dw_gz', 'dw-p256', T(0));
  e = await seal(e, 'cz_zfzyz', 'cz-p256', T(10));
  three = await seal(e, 'cz_sz', 'cz-p256', T(20));
});

describe('stripping and reordering', () => {
  it('the intact 3-seal chain is VALID', async () => {
    const r = await verifyOne(three);
    expect(codes(r)).toEqual([]);
    expect(r.status).toBe('VALID');
  });

  it('zero seals → never VALID (SEAL_MISSING)', async () => {
    const r = await verifyOne(rewriteBody(three, () => ({ stamps: [] })));
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toEqual(['SEAL_MISSING', 'POLICY_INCOMPLETE']);
  });

  it('middle seal dropped → every later seal fails its chain digest', async () => {
    const r = await verifyOne(rewriteBody(three, (b) => ({ stamps: [b.stamps[0], b.stamps[2]].filter((s) => s !== undefined) })));
    expect(r.status).toBe('INVALID');
    expect(r.seals.map((s) => [s.position, s.status])).toEqual([
      ['dw_gz', 'VALID'],
      ['cz_sz', 'INVALID'],
    ]);
    expect(failures(r)).toEqual(['seals[1].message-digest:SEAL_DIGEST_MISMATCH', 'policy.completeness:POLICY_INCOMPLETE']);
    expect(r.policy.missing).toEqual(['cz_zfzyz']);
  });

  it('first seal dropped → both later seals fail', async () => {
    const r = await verifyOne(rewriteBody(three, (b) => ({ stamps: b.stamps.slice(1) })));
    expect(r.seals.map((s) => s.status)).toEqual(['INVALID', 'INVALID']);
    expect(r.status).toBe('INVALID');
  });

  it('last seal dropped → the remaining seals verify, but the policy is incomplete: never VALID, missing[] set', async () => {
    const r = await verifyOne(rewriteBody(three, (b) => ({ stamps: b.stamps.slice(0, 1) })));
    expect(r.seals.map((s) => s.status)).toEqual(['VALID']);
    expect(r.status).toBe('INVALID');
    expect(r.policy).toMatchObject({ complete: false, missing: ['cz_zfzyz'] });
    expect(codes(r)).toEqual(['POLICY_INCOMPLETE']);
  });

  it('the last receipt seal dropped → the original seals verify, the receipt view is incomplete', async () => {
    const receipt = await sealedReceipt('p256');
    const r = await verifyOne(rewriteBody(receipt, (b) => ({ stamps: b.stamps.slice(0, 2) })));
    expect(r.seals.map((s) => s.status)).toEqual(['VALID', 'VALID']);
    expect(r.status).toBe('INVALID');
    expect(r.policy.missing).toEqual(['yh_zqz']);
  });

  it('seals reordered in the container → same verdict: order comes from the signed sequence', async () => {
    const r = await verifyOne(rewriteBody(three, (b) => ({ stamps: [...b.stamps].reverse() })));
    expect(r.status).toBe('VALID');
    expect(r.seals.map((s) => [s.index, s.stampIndex, s.position])).toEqual([
      [0, 2, 'dw_gz'],
      [1, 1, 'cz_zfzyz'],
      [2, 0, 'cz_sz'],
    ]);
  });

  it('sequence attributes swapped to fake another order → the seals fail their scope (position and sequence are signed)', async () => {
    const r = await verifyOne(
      rewriteBody(three, (b) => {
        const [a, c, d] = b.stamps;
        if (a === undefined || c === undefined || d === undefined) throw new Error('stamps');
        return { stamps: [{ ...a, sequence: 2 }, { ...c, sequence: 1 }, d] };
      }),
    );
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toContain('SEAL_DIGEST_MISMATCH');
    expect(codes(r)).toContain('POLICY_OUT_OF_SEQUENCE');
  });

  it('a seal duplicated → INVALID (POLICY_DUPLICATE_POSITION) and the copy breaks the chain', async () => {
    const r = await verifyOne(rewriteBody(three, (b) => ({ stamps: [...b.stamps, b.stamps[1]].filter((s) => s !== undefined) })));
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toContain('POLICY_DUPLICATE_POSITION');
  });

  it('a second, validly signed seal at one position → INVALID (POLICY_DUPLICATE_POSITION)', async () => {
    // Another cz_sz seal made over the same first two seals, then added next to the original cz_sz.
    const alt = await seal(rewriteBody(three, (b) => ({ stamps: b.stamps.slice(0, 2) })), 'cz_sz', 'cz-p256', T(30));
    const second = (await verifyOne(alt)).status;
    expect(second).toBe('VALID');
    const altStamp = stampsOf(alt)[2];
    if (altStamp === undefined) throw new Error('no alt stamp');
    const r = await verifyOne(rewriteBody(three, (b) => ({ stamps: [...b.stamps, altStamp] })));
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toContain('POLICY_DUPLICATE_POSITION');
    expect(r.policy.duplicates).toEqual(['cz_sz']);
  });

  it('one sequence number used twice → INVALID (VERIFY_DUPLICATE_SEQUENCE)', async () => {
    const r = await verifyOne(
      rewriteBody(three, (b) => {
        const last = b.stamps[2];
        if (last === undefined) throw new Error('stamps');
        return { stamps: [...b.stamps.slice(0, 2), { ...last, sequence: 2 }] };
      }),
    );
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toContain('VERIFY_DUPLICATE_SEQUENCE');
  });
});
