import { describe, expect, it } from 'vitest';
import { createTrustStore } from '../../src/pki/index.js';
import { verifyEnvelope } from '../../src/verify/index.js';
import { buildVoucher, createEnvelope } from '../../src/voucher/index.js';
import { rejectedCode as codeOf } from '../helpers/codes.js';
import { AT, BUILD_NOW, allAnchors, anchor, codes, example, seal, sealedOriginal, sealedReceipt, T, unsealed, verifyAll, verifyOne, type Family } from './helpers.js';

describe('verifyEnvelope: valid chains', () => {
  for (const family of ['p256', 'rsa', 'sm2'] as Family[]) {
    it(`${family}: a 5201 original sealed dw_gz → cz_zfzyz is VALID with every check passed or revocation skipped`, async () => {
      const r = await verifyOne(await sealedOriginal(family), { trust: [anchor(family)] });
      expect(codes(r)).toEqual([]);
      expect(r.status).toBe('VALID');
      expect(r.seals.map((s) => [s.index, s.position, s.sequence, s.status])).toEqual([
        [0, 'dw_gz', 1, 'VALID'],
        [1, 'cz_zfzyz', 2, 'VALID'],
      ]);
      for (const s of r.seals) {
        expect(s.checks.filter((c) => c.status !== 'passed').map((c) => c.check)).toEqual(['revocation']);
        expect(s.checks.find((c) => c.check === 'revocation')?.status).toBe('skipped');
      }
      expect(r.policy).toEqual({ source: 'built-in', complete: true, missing: [], unknown: [], duplicates: [] });
      expect(r.indeterminate).toEqual([]);
    });
  }

  it('the receipt (yh_zqz over the original seals) is VALID and its scope names the earlier seals', async () => {
    const r = await verifyOne(await sealedReceipt('p256'));
    expect(codes(r)).toEqual([]);
    expect(r.status).toBe('VALID');
    expect(r.voucher?.view).toBe('receipt');
    const yh = r.seals[2];
    expect(yh?.position).toBe('yh_zqz');
    expect(yh?.scope?.previousSeals.map((p) => p.position)).toEqual(['dw_gz', 'cz_zfzyz']);
    expect(yh?.scope?.voucher.originalDigest).toBeDefined();
    expect(r.checks.find((c) => c.check === 'receipt-diff')?.status).toBe('passed');
  });

  it('reports the voucher from the verified bytes, the signer, the algorithm and the validation time', async () => {
    const r = await verifyOne(await sealedOriginal('p256'));
    expect(r.reportVersion).toBe(1);
    expect(r.validationTime).toBe(AT.toISOString());
    expect(r.voucher).toMatchObject({ admDivCode: '110000', stYear: '2025', vtCode: '5201', voucherNo: 'ZF2025112800001', amount: '12680.50', view: 'original' });
    expect(r.voucher?.payee).toEqual({ name: '北京某某办公用品有限公司', account: '0200001234567890123' });
    expect(r.voucher?.digest).toMatch(/^[0-9a-f]{64}$/);
    const cz = r.seals[1];
    expect(cz?.signer).toMatchObject({ party: 'cz', org: 'cz:110101' });
    expect(cz?.algorithm).toBe('ecdsa-p256-sha256');
    expect(cz?.signingTime).toBe('2025-12-01T08:10:00.000Z');
    expect(cz?.chain?.length).toBe(3);
  });

  it('the report is frozen and survives a JSON round trip unchanged', async () => {
    const r = await verifyOne(await sealedOriginal('p256'));
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(r.seals[0]?.checks)).toBe(true);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('an unsealed voucher is never VALID (SEAL_MISSING, policy incomplete)', async () => {
    const r = await verifyOne(unsealed());
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toContain('SEAL_MISSING');
    expect(r.policy.complete).toBe(false);
    expect(r.policy.missing).toEqual(['cz_zfzyz']);
  });
});

describe('verifyEnvelope: several vouchers', () => {
  it('one report per VoucherBody, each judged on its own', async () => {
    const two = createEnvelope([
      buildVoucher('5201', example('5201'), { now: BUILD_NOW }),
      buildVoucher('8202', example('8202'), { now: BUILD_NOW }),
    ]);
    let e = await seal(two, 'dw_gz', 'dw-p256', T(0), { body: 0 });
    e = await seal(e, 'cz_zfzyz', 'cz-p256', T(1), { body: 0 });
    e = await seal(e, 'dw_cwzyz', 'dw-rsa', T(2), { body: 1 });
    const reports = await verifyAll(e);
    expect(reports.map((r) => [r.body, r.voucher?.vtCode, r.status])).toEqual([
      [0, '5201', 'VALID'],
      [1, '8202', 'VALID'],
    ]);
    const partial = await verifyAll(await seal(two, 'dw_gz', 'dw-p256', T(0), { body: 0 }));
    expect(partial.map((r) => [r.body, r.status, r.policy.missing])).toEqual([
      [0, 'INVALID', ['cz_zfzyz']],
      [1, 'INVALID', ['dw_cwzyz']],
    ]);
  });
});

describe('verifyEnvelope: misuse throws, bad input never does', () => {
  it('no trust, empty trust, empty store → TRUST_NO_ANCHORS', async () => {
    const bytes = await sealedOriginal('p256');
    expect(await codeOf(verifyEnvelope(bytes, {} as never))).toBe('TRUST_NO_ANCHORS');
    expect(await codeOf(verifyEnvelope(bytes, { trust: [] }))).toBe('TRUST_NO_ANCHORS');
    expect(await codeOf(verifyEnvelope(bytes, { trust: { anchors: [] } }))).toBe('TRUST_NO_ANCHORS');
    expect(await codeOf(verifyEnvelope(bytes, undefined as never))).toBe('TRUST_NO_ANCHORS');
  });

  it('wrong option types → ARG_INVALID', async () => {
    const bytes = await sealedOriginal('p256');
    const trust = createTrustStore(allAnchors());
    expect(await codeOf(verifyEnvelope(bytes, { trust: 'x' as never }))).toBe('ARG_INVALID');
    expect(await codeOf(verifyEnvelope(bytes, { trust, at: 'yesterday' as never }))).toBe('ARG_INVALID');
    expect(await codeOf(verifyEnvelope(bytes, { trust, at: new Date('x') }))).toBe('ARG_INVALID');
    expect(await codeOf(verifyEnvelope(bytes, { trust, crls: 'x' as never }))).toBe('ARG_INVALID');
    expect(await codeOf(verifyEnvelope('x' as never, { trust }))).toBe('ARG_INVALID');
  });

  it('garbage bytes give one INVALID report, not a throw', async () => {
    const reports = await verifyEnvelope(new TextEncoder().encode('not xml at all'), { trust: allAnchors(), at: AT });
    expect(reports.length).toBe(1);
    expect(reports[0]?.status).toBe('INVALID');
    expect(reports[0]?.errors[0]?.where).toBe('envelope');
    expect(reports[0]?.errors[0]?.code).toMatch(/^(XML|ENVELOPE|ENCODING)_/);
  });
});
