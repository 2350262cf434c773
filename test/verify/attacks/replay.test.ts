/**
 * security.md §1.9, §1.10: a valid signature over a different voucher (replay), a seal transplanted from another
 * voucher, moved between the original and receipt views, or re-labelled with another position: the
 * to-be-sealed structure binds the voucher identity and digest, the view, the position and the sequence.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { codes, failures, rewriteBody, seal, sealedOriginal, sealedReceipt, stampsOf, T, unsealed, verifyOne } from '../helpers.js';

let a: Uint8Array;
let b: Uint8Array;
let receipt: Uint8Array;
beforeAll(async () => {
  a = await sealedOriginal('p256');
  // Another voucher: same type, another number and amount.
  let e = unsealed('5201', { VoucherNo: 'ZF2025112800002' });
  e = await seal(e, 'dw_gz', 'dw-p256', T(0));
  b = await seal(e, 'cz_zfzyz', 'cz-p256', T(10));
  receipt = await sealedReceipt('p256');
});

describe('replay and transplanting', () => {
  it('both seals of voucher B put on voucher A → INVALID, SEAL_DIGEST_MISMATCH on each', async () => {
    const r = await verifyOne(rewriteBody(a, () => ({ stamps: stampsOf(b) })));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[0].message-digest:SEAL_DIGEST_MISMATCH', 'seals[1].message-digest:SEAL_DIGEST_MISMATCH']);
  });

  it("B's finance seal replacing A's → INVALID on that seal only (the first seal stays valid)", async () => {
    const r = await verifyOne(rewriteBody(a, (x) => ({ stamps: [x.stamps[0], stampsOf(b)[1]].filter((s) => s !== undefined) })));
    expect(r.seals.map((s) => s.status)).toEqual(['VALID', 'INVALID']);
    expect(failures(r)).toEqual(['seals[1].message-digest:SEAL_DIGEST_MISMATCH']);
  });

  it('a seal re-labelled with another position (cz_zfzyz → cz_sz) → INVALID', async () => {
    const r = await verifyOne(
      rewriteBody(a, (x) => {
        const [dw, cz] = x.stamps;
        if (dw === undefined || cz === undefined) throw new Error('stamps');
        return { stamps: [dw, { ...cz, position: 'cz_sz', sequence: 3 }] };
      }),
    );
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toContain('SEAL_DIGEST_MISMATCH');
    expect(r.policy.missing).toEqual(['cz_zfzyz']);
  });
});

describe('moving seals between views', () => {
  it('an original seal re-labelled as a receipt seal → INVALID', async () => {
    const r = await verifyOne(
      rewriteBody(receipt, (x) => {
        const [dw, cz, yh] = x.stamps;
        if (dw === undefined || cz === undefined || yh === undefined) throw new Error('stamps');
        return { stamps: [dw, { ...cz, view: 'receipt' }, yh] };
      }),
    );
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toEqual(expect.arrayContaining(['POLICY_VIEW_MISMATCH', 'SEAL_DIGEST_MISMATCH']));
  });

  it('the receipt seal moved onto the original view → INVALID', async () => {
    const r = await verifyOne(
      rewriteBody(receipt, (x) => {
        const yh = x.stamps[2];
        if (yh === undefined) throw new Error('stamps');
        return { stamps: [...x.stamps.slice(0, 2), { ...yh, view: 'original' }] };
      }),
    );
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toEqual(expect.arrayContaining(['POLICY_VIEW_MISMATCH', 'SEAL_DIGEST_MISMATCH']));
  });

  it('the receipt seal copied onto the original envelope (VoucherFlag 0) → INVALID (SEAL_SCOPE_MISMATCH)', async () => {
    const yh = stampsOf(receipt)[2];
    if (yh === undefined) throw new Error('stamps');
    const r = await verifyOne(rewriteBody(a, (x) => ({ stamps: [...x.stamps, yh] })));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(expect.arrayContaining(['seals[2].scope:SEAL_SCOPE_MISMATCH', 'seals[2].position:POLICY_VIEW_MISMATCH']));
  });

  it("another voucher's original seals under this receipt's seal → INVALID", async () => {
    const r = await verifyOne(rewriteBody(receipt, (x) => ({ stamps: [...stampsOf(b), ...x.stamps.slice(2)] })));
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toContain('SEAL_DIGEST_MISMATCH');
  });
});
