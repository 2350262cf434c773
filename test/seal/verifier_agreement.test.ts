/**
 * What sealVoucher accepts, the verifier must call VALID: certificates and seal objects the verifier fails on
 * their own (key usage, a maker certificate expired or untrusted at the signing time) and receipt bodies it fails
 * whatever their seals (non-X changes) are refused before anything is signed. Demo PKI (fixtures/pki).
 */
import { describe, expect, it } from 'vitest';
import { createTrustStore } from '../../src/pki/index.js';
import { sealVoucher } from '../../src/seal/apply.js';
import { createReceipt } from '../../src/seal/receipt.js';
import { parseEnvelope, serializeVoucher, type Voucher } from '../../src/voucher/index.js';
import { rejectedCode } from '../helpers/codes.js';
import { T, anchor, attackerPki, codes, craftSealObject, issueSealer, key, makeSealObject, rewriteBody, seal, sealedOriginal, unsealed, verifyOne } from '../verify/helpers.js';

describe('sealVoucher refuses what the verifier fails', () => {
  it('a signer certificate without digitalSignature/nonRepudiation, even without trust anchors (CERT_KEY_USAGE)', async () => {
    const bad = issueSealer('p256', { party: 'dw', org: 'dw:110101001', keyUsage: ['keyEncipherment'] });
    const e = unsealed('5201');
    // The verifier's judgement of such a seal (made outside the sealer's refusals would be the same).
    expect(await rejectedCode(sealVoucher(e, { position: 'dw_gz', key: bad.provider, time: T(0), format: 'cms' }))).toBe('CERT_KEY_USAGE');
    const good = issueSealer('p256', { party: 'dw', org: 'dw:110101001' });
    const sealed = await sealVoucher(e, { position: 'dw_gz', key: good.provider, time: T(0), format: 'cms' });
    expect(parseEnvelope(sealed).bodies[0]?.stamps).toHaveLength(1);
  });

  it('an ses seal object whose maker certificate expired before the signing time (CERT_EXPIRED)', async () => {
    const maker = issueSealer('sm2', { party: 'cz', cn: 'Short-lived maker', notAfter: new Date('2025-06-01T00:00:00Z') });
    // makeSeal refuses a seal valid past its maker certificate; one made elsewhere must still be refused here.
    const object = await craftSealObject(maker.provider, [await key('cz-sm2').certificate()]);
    const e = await seal(unsealed('5201'), 'dw_gz', 'dw-sm2', T(0));
    expect(await rejectedCode(sealVoucher(e, { position: 'cz_zfzyz', key: key('cz-sm2'), time: T(10), seal: object }))).toBe('CERT_EXPIRED');
  });

  it('an ses seal object whose maker certificate may not sign (CERT_KEY_USAGE)', async () => {
    const maker = issueSealer('sm2', { party: 'cz', cn: 'Encrypt-only maker', keyUsage: ['keyEncipherment'] });
    // makeSeal refuses such a maker; a seal object made elsewhere must still be refused here.
    const object = await craftSealObject(maker.provider, [await key('cz-sm2').certificate()]);
    const e = await seal(unsealed('5201'), 'dw_gz', 'dw-sm2', T(0));
    expect(await rejectedCode(sealVoucher(e, { position: 'cz_zfzyz', key: key('cz-sm2'), time: T(10), seal: object }))).toBe('CERT_KEY_USAGE');
  });

  it('with trust anchors: a seal object made by a maker outside them (CERT_UNTRUSTED), while a trusted maker seals VALID', async () => {
    const trust = createTrustStore([anchor('sm2')]);
    const e = await seal(unsealed('5201'), 'dw_gz', 'dw-sm2', T(0));
    const foreign = attackerPki('sm2').sealer('cz');
    const forged = await makeSealObject(foreign.provider, [await key('cz-sm2').certificate()]);
    expect(await rejectedCode(sealVoucher(e, { position: 'cz_zfzyz', key: key('cz-sm2'), time: T(10), seal: forged, trust }))).toBe('CERT_UNTRUSTED');
    const real = await makeSealObject(key('maker-sm2'), [await key('cz-sm2').certificate()]);
    const out = await sealVoucher(e, { position: 'cz_zfzyz', key: key('cz-sm2'), time: T(10), seal: real, trust });
    expect((await verifyOne(out)).status).toBe('VALID');
  });

  it('a receipt-view seal on a receipt that changes a non-X element of its original (VOUCHER_RECEIPT_FIELD_FORBIDDEN)', async () => {
    const receipt = createReceipt(await sealedOriginal('p256'), { set: { XPayDate: '20251202', XPayAmt: '12680.50' }, now: new Date('2025-12-02T12:00:00+08:00') });
    const v = parseEnvelope(receipt).bodies[0]?.voucher as Voucher;
    const payee = serializeVoucher({ ...v, fields: { ...v.fields, PayeeAcctName: 'Mallory Trading Ltd' } }, { encoding: v.encoding });
    const tampered = rewriteBody(receipt, () => ({ voucherBytes: payee }));
    // The verifier fails this body whatever its seals...
    expect(codes(await verifyOne(tampered))).toContain('VOUCHER_RECEIPT_FIELD_FORBIDDEN');
    // ...so the bank's seal must not vouch for it.
    expect(await rejectedCode(seal(tampered, 'yh_zqz', 'yh-p256', T(60 * 24 + 120)))).toBe('VOUCHER_RECEIPT_FIELD_FORBIDDEN');
    const sealed = await seal(receipt, 'yh_zqz', 'yh-p256', T(60 * 24 + 120));
    expect((await verifyOne(sealed)).status).toBe('VALID');
  });
});
