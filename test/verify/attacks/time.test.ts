/**
 * security.md §1.13, §1.10: certificates are judged at each seal's signing time; expired, not-yet-valid or
 * revoked certificates at that time are INVALID; a revocation after the claimed time (without a timestamp)
 * and missing revocation data are INDETERMINATE; signing times must not decrease and must not be after the
 * validation time.
 */
import { describe, expect, it } from 'vitest';
import { importPrivateKey } from '../../../src/crypto/index.js';
import { issueCrl, parseCertificate, type Crl } from '../../../src/pki/index.js';
import { anchor, codes, craftStamp, crl, failures, issueSealer, key, manifest, pkiText, seal, T, unsealed, verifyOne } from '../helpers.js';

const REVOKED_CRLS = () => [crl('p256/ca-revoked.crl.pem'), crl('p256/root.crl.pem')];

describe('certificate validity at the signing time', () => {
  it('a certificate expired at the signing time → INVALID, CERT_EXPIRED', async () => {
    const s = issueSealer('p256', { notAfter: new Date('2025-11-30T00:00:00Z') });
    const e = await craftStamp(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), { position: 'cz_zfzyz', sequence: 2, provider: s.provider, time: T(10) });
    const r = await verifyOne(e);
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].chain:CERT_EXPIRED']);
  });

  it('a certificate not yet valid at the signing time → INVALID, CERT_NOT_YET_VALID', async () => {
    const s = issueSealer('rsa', { notBefore: new Date('2025-12-31T00:00:00Z') });
    const e = await craftStamp(await seal(unsealed(), 'dw_gz', 'dw-rsa', T(0)), { position: 'cz_zfzyz', sequence: 2, provider: s.provider, time: T(10) });
    const r = await verifyOne(e);
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].chain:CERT_NOT_YET_VALID']);
  });

  it('a certificate that expired after the signing time is still fine (judged at the signing time)', async () => {
    const s = issueSealer('p256', { notAfter: new Date('2025-12-31T00:00:00Z') });
    const e = await craftStamp(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), { position: 'cz_zfzyz', sequence: 2, provider: s.provider, time: T(10) });
    const r = await verifyOne(e);
    expect(codes(r)).toEqual([]);
    expect(r.status).toBe('VALID');
  });
});

describe('revocation', () => {
  it('a certificate revoked before the signing time, with the CRL → INVALID, CERT_REVOKED', async () => {
    const e = await craftStamp(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), { position: 'cz_zfzyz', sequence: 2, provider: key('revoked-p256'), time: T(10) });
    const r = await verifyOne(e, { crls: REVOKED_CRLS() });
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].revocation:CERT_REVOKED']);
  });

  it('the same seal without CRLs: revocation is reported as not checked (skipped), never as passed', async () => {
    const e = await craftStamp(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), { position: 'cz_zfzyz', sequence: 2, provider: key('revoked-p256'), time: T(10) });
    const r = await verifyOne(e);
    expect(r.seals[1]?.checks.find((c) => c.check === 'revocation')).toMatchObject({ status: 'skipped' });
  });

  it('revoked after the claimed signing time, no timestamp → INDETERMINATE, VERIFY_REVOKED_AFTER_SIGNING', async () => {
    const before = (m: number): Date => new Date(Date.UTC(2025, 4, 20, 8, m)); // 2025-05-20, before the 2025-06-01 revocation
    let e = await seal(unsealed(), 'dw_gz', 'dw-p256', before(0));
    e = await craftStamp(e, { position: 'cz_zfzyz', sequence: 2, provider: key('revoked-p256'), time: before(10) });
    const r = await verifyOne(e, { crls: REVOKED_CRLS() });
    expect(r.status).toBe('INDETERMINATE');
    expect(failures(r)).toEqual(['seals[1].revocation:VERIFY_REVOKED_AFTER_SIGNING']);
    expect(r.indeterminate).toEqual(['revocation']);
  });

  it('only a CRL that lapsed before the validation time → INDETERMINATE, CRL_EXPIRED: a back-dated seal by a key revoked since cannot pass on an old CRL', async () => {
    // The P-256 sealer CA's list as it stood before the 2025-06-01 revocation, signed by that CA.
    const ca = manifest.roles['ca-p256'];
    const oldCrl = (thisUpdate: Date, nextUpdate: Date): Crl =>
      issueCrl({ issuer: { certificate: parseCertificate(pkiText(ca?.cert ?? '')), key: importPrivateKey(pkiText(ca?.key ?? ''), { password: manifest.password }) }, thisUpdate, nextUpdate, revoked: [], crlNumber: 5n });
    const before = (m: number): Date => new Date(Date.UTC(2025, 4, 20, 8, m));
    let e = await seal(unsealed(), 'dw_gz', 'dw-p256', before(0));
    e = await craftStamp(e, { position: 'cz_zfzyz', sequence: 2, provider: key('revoked-p256'), time: before(10) });
    const r = await verifyOne(e, { crls: [oldCrl(new Date('2025-05-01T00:00:00Z'), new Date('2025-05-31T00:00:00Z')), crl('p256/root.crl.pem')] });
    expect(r.status).toBe('INDETERMINATE');
    expect(failures(r)).toEqual(['seals[0].revocation:CRL_EXPIRED', 'seals[1].revocation:CRL_EXPIRED']);
    expect(r.indeterminate).toEqual(['revocation']);
    // The same list still current at the validation time (AT, 2026-01-20) would show nothing revoked: VALID.
    const current = await verifyOne(e, { crls: [oldCrl(new Date('2025-05-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z')), crl('p256/root.crl.pem')] });
    expect(codes(current)).toEqual([]);
    expect(current.status).toBe('VALID');
  });

  it('a signer certificate pinned as an anchor is trusted as configured: revocation skipped and says why, even with CRLs', async () => {
    let e = await seal(unsealed(), 'dw_gz', 'dw-p256', T(0));
    e = await seal(e, 'cz_zfzyz', 'cz-p256', T(10));
    const r = await verifyOne(e, { trust: [pkiText(manifest.roles['cz-p256']?.cert ?? ''), anchor('p256')], crls: REVOKED_CRLS() });
    const czRevocation = r.seals[1]?.checks.find((c) => c.check === 'revocation');
    expect(czRevocation).toMatchObject({ status: 'skipped' });
    expect(czRevocation?.message).toContain('itself a configured trust anchor');
    expect(r.seals[1]?.chain).toHaveLength(1);
    expect(r.seals[0]?.checks.find((c) => c.check === 'revocation')).toMatchObject({ status: 'passed' });
  });

  it('a sealer certificate that expired before the validation time: a back-dated seal by a key revoked before the expiry is never VALID on a later list that dropped it', async () => {
    const ca = manifest.roles['ca-p256'];
    const list = (thisUpdate: string, nextUpdate: string, revoked: { serialNumber: string; revocationDate: Date; reason?: number }[], n: bigint): Crl =>
      issueCrl({ issuer: { certificate: parseCertificate(pkiText(ca?.cert ?? '')), key: importPrivateKey(pkiText(ca?.key ?? ''), { password: manifest.password }) }, thisUpdate: new Date(thisUpdate), nextUpdate: new Date(nextUpdate), revoked, crlNumber: n });
    const s = issueSealer('p256', { notAfter: new Date('2025-12-31T23:59:59Z') });
    let e = await seal(unsealed(), 'dw_gz', 'dw-p256', T(0));
    e = await craftStamp(e, { position: 'cz_zfzyz', sequence: 2, provider: s.provider, time: T(10) }); // claims 2025-12-01
    const entry = [{ serialNumber: s.cert.serialNumber, revocationDate: new Date('2025-12-15T00:00:00Z'), reason: 1 }];
    const stillListing = list('2026-01-01T00:00:00Z', '2026-01-15T00:00:00Z', entry, 11n);
    const newest = list('2026-01-16T00:00:00Z', '2026-02-16T00:00:00Z', [], 12n); // the expired certificate dropped
    const withOld = await verifyOne(e, { crls: [stillListing, newest, crl('p256/root.crl.pem')] });
    expect(failures(withOld)).toEqual(['seals[1].revocation:VERIFY_REVOKED_AFTER_SIGNING']);
    const newestOnly = await verifyOne(e, { crls: [newest, crl('p256/root.crl.pem')] });
    expect(newestOnly.status).toBe('INDETERMINATE');
    expect(failures(newestOnly)).toEqual(['seals[1].revocation:CERT_REVOCATION_UNKNOWN']);
  });

  it('CRLs given but none from the issuer → INDETERMINATE, CERT_REVOCATION_UNKNOWN', async () => {
    let e = await seal(unsealed(), 'dw_gz', 'dw-p256', T(0));
    e = await seal(e, 'cz_zfzyz', 'cz-p256', T(10));
    const r = await verifyOne(e, { crls: [crl('p256/root.crl.pem')] });
    expect(r.status).toBe('INDETERMINATE');
    expect(codes(r)).toEqual(['CERT_REVOCATION_UNKNOWN', 'CERT_REVOCATION_UNKNOWN']);
  });

  it('a CRL from another CA family does not count → INDETERMINATE', async () => {
    let e = await seal(unsealed(), 'dw_gz', 'dw-p256', T(0));
    e = await seal(e, 'cz_zfzyz', 'cz-p256', T(10));
    const r = await verifyOne(e, { crls: [crl('rsa/ca.crl.pem'), crl('rsa/root.crl.pem')] });
    expect(r.status).toBe('INDETERMINATE');
  });
});

describe('signing times', () => {
  it('times not monotonic along the chain → INVALID, VERIFY_SIGNING_TIME_ORDER', async () => {
    let e = await seal(unsealed(), 'dw_gz', 'dw-p256', T(30));
    // sealVoucher refuses to make it (test/seal/apply.test.ts); a hand-made stamp is what a verifier may get.
    await expect(seal(e, 'cz_zfzyz', 'cz-p256', T(10))).rejects.toMatchObject({ code: 'VERIFY_SIGNING_TIME_ORDER' });
    e = await craftStamp(e, { position: 'cz_zfzyz', sequence: 2, provider: key('cz-p256'), time: T(10) });
    const r = await verifyOne(e);
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].signing-time:VERIFY_SIGNING_TIME_ORDER']);
  });

  it('a seal signed after the validation time → INDETERMINATE, VERIFY_SIGNING_TIME_AFTER_VALIDATION', async () => {
    let e = await seal(unsealed(), 'dw_gz', 'dw-p256', T(0));
    e = await seal(e, 'cz_zfzyz', 'cz-p256', T(10));
    const r = await verifyOne(e, { at: T(5) });
    expect(r.status).toBe('INDETERMINATE');
    expect(failures(r)).toEqual(['seals[1].signing-time:VERIFY_SIGNING_TIME_AFTER_VALIDATION']);
    expect(r.validationTime).toBe(T(5).toISOString());
    expect(r.indeterminate).toEqual(['time']);
  });
});
