/**
 * security.md §1.10 ("one seal throws internally ⇒ overall not VALID, with that seal's reason; the verifier itself
 * never throws") at every stage after the format checks (internal_error.test.ts injects into `checkStamp`): the
 * path validation of one seal, the signer-permission rule of one seal, the voucher rules and the completeness
 * evaluation of the body, and a receipt's X-field comparison. A TypeError, as a bug would raise, is injected; the
 * report is never VALID, names VERIFY_INTERNAL_ERROR where it happened, and every seal is still verified and
 * reported (docs/verification.md: "An unexpected exception inside a check becomes that check's failure with
 * VERIFY_INTERNAL_ERROR; the report is never VALID and the other seals are still checked"). A fault in the
 * voucher rules or the completeness used to abort the body: one report with no seals, the fault put on `voucher`.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { codes, sealedOriginal, sealedReceipt, verifyOne } from '../helpers.js';

const fault = vi.hoisted(() => ({ at: '' }));
/** The finance seal's signer (its subject CN) is the one that hits a per-seal fault. */
const isCz = (cert: unknown): boolean => {
  const c = cert as { subject?: unknown } | undefined;
  return typeof c?.subject === 'string' && /OU=cz/.test(c.subject);
};

vi.mock('../../../src/pki/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/pki/index.js')>();
  return {
    ...real,
    validatePath: (leaf: Parameters<typeof real.validatePath>[0], options: Parameters<typeof real.validatePath>[1]) => {
      if (fault.at === 'path' && isCz(typeof leaf === 'object' && 'subject' in leaf ? leaf : real.parseCertificate(leaf))) throw new TypeError('injected path fault');
      return real.validatePath(leaf, options);
    },
    validatePathCached: (leaf: Parameters<typeof real.validatePathCached>[0], options: Parameters<typeof real.validatePathCached>[1], cache: Parameters<typeof real.validatePathCached>[2]) => {
      if (fault.at === 'path' && isCz(typeof leaf === 'object' && 'subject' in leaf ? leaf : real.parseCertificate(leaf))) throw new TypeError('injected path fault');
      return real.validatePathCached(leaf, options, cache);
    },
  };
});

vi.mock('../../../src/seal/policy.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/seal/policy.js')>();
  return {
    ...real,
    checkSigner: (...args: Parameters<typeof real.checkSigner>) => {
      if (fault.at === 'signer' && args[0].id === 'cz_zfzyz') throw new TypeError('injected signer fault');
      return real.checkSigner(...args);
    },
    evaluateCompleteness: (...args: Parameters<typeof real.evaluateCompleteness>) => {
      if (fault.at === 'completeness') throw new TypeError('injected completeness fault');
      return real.evaluateCompleteness(...args);
    },
  };
});

vi.mock('../../../src/voucher/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/voucher/index.js')>();
  return {
    ...real,
    validateVoucher: (...args: Parameters<typeof real.validateVoucher>) => {
      if (fault.at === 'rules') throw new TypeError('injected rules fault');
      return real.validateVoucher(...args);
    },
    diffVouchers: (...args: Parameters<typeof real.diffVouchers>) => {
      if (fault.at === 'diff') throw new TypeError('injected diff fault');
      return real.diffVouchers(...args);
    },
  };
});

let sealed: Uint8Array;
let receipt: Uint8Array;
beforeAll(async () => {
  sealed = await sealedOriginal('p256');
  receipt = await sealedReceipt('p256');
});

describe('an internal exception at each stage', () => {
  it('control: without a fault the envelope is VALID', async () => {
    fault.at = '';
    expect((await verifyOne(sealed)).status).toBe('VALID');
  });

  for (const [stage, where, sealStatuses] of [
    ['path', /^seals\[1\]\./, ['VALID', 'INVALID']],
    ['signer', /^seals\[1\]\./, ['VALID', 'INVALID']],
    ['rules', /^voucher\.rules$/, ['VALID', 'VALID']],
    ['completeness', /^policy\.completeness$/, ['VALID', 'VALID']],
  ] as const) {
    it(`a fault in the ${stage} stage → never VALID, VERIFY_INTERNAL_ERROR named, nothing thrown`, async () => {
      fault.at = stage;
      try {
        const r = await verifyOne(sealed);
        expect(r.status).not.toBe('VALID');
        expect(codes(r)).toContain('VERIFY_INTERNAL_ERROR');
        expect(r.errors.find((e) => e.code === 'VERIFY_INTERNAL_ERROR')?.where).toMatch(where);
        expect(r.seals.map((s) => s.status)).toEqual(sealStatuses);
      } finally {
        fault.at = '';
      }
    });
  }

  it('a fault in the X-field comparison of a receipt → never VALID, VERIFY_INTERNAL_ERROR on receipt, every seal verified', async () => {
    fault.at = 'diff';
    try {
      const r = await verifyOne(receipt);
      expect(r.status).not.toBe('VALID');
      expect(r.errors.map((e) => `${e.where}:${e.code}`)).toEqual(['receipt:VERIFY_INTERNAL_ERROR']);
      expect(r.seals.map((s) => s.status)).toEqual(['VALID', 'VALID', 'VALID']);
    } finally {
      fault.at = '';
    }
  });
});
