/**
 * security.md §1.5: trust comes only from the configured anchors. An attacker who re-seals with his own PKI
 * (everything embedded), a self-signed sealer, a chain to a root we do not trust, another party's valid
 * certificate at a position, a certificate the registry binds elsewhere: never VALID, each with its reason.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EvoucherError } from '../../../src/errors.js';
import { validatePolicy } from '../../../src/seal/policy.js';
import { verifyEnvelope } from '../../../src/verify/index.js';
import { AT, anchor, attackerPki, codes, craftStamp, failures, issueSealer, key, manifest, seal, sealedOriginal, selfSignedSealer, T, unsealed, verifyOne } from '../helpers.js';

let sealed: Uint8Array;
beforeAll(async () => {
  sealed = await sealedOriginal('p256');
});

describe('untrusted signers', () => {
  it('re-sealed by an attacker with a self-made root and sealers carrying the demo names → INDETERMINATE, CERT_UNTRUSTED, never VALID', async () => {
    const evil = attackerPki('p256');
    let e = unsealed();
    e = await craftStamp(e, { position: 'dw_gz', sequence: 1, provider: evil.sealer('dw').provider, time: T(0) });
    e = await craftStamp(e, { position: 'cz_zfzyz', sequence: 2, provider: evil.sealer('cz').provider, time: T(10) });
    const r = await verifyOne(e);
    expect(r.status).toBe('INDETERMINATE');
    expect(failures(r)).toEqual(['seals[0].chain:CERT_UNTRUSTED', 'seals[1].chain:CERT_UNTRUSTED']);
    // The signatures themselves are fine: the only missing piece is trust, and it is never assumed.
    expect(r.seals[1]?.checks.find((c) => c.check === 'signature')?.status).toBe('passed');
  });

  it('a self-signed sealer certificate → CERT_UNTRUSTED', async () => {
    const me = selfSignedSealer('sm2', 'cz');
    let e = await seal(unsealed(), 'dw_gz', 'dw-sm2', T(0));
    e = await craftStamp(e, { position: 'cz_zfzyz', sequence: 2, provider: me.provider, time: T(10) });
    const r = await verifyOne(e);
    expect(r.status).toBe('INDETERMINATE');
    expect(failures(r)).toEqual(['seals[1].chain:CERT_UNTRUSTED']);
  });

  it('a valid chain to a root that is not configured → INDETERMINATE (no anchor), named per seal', async () => {
    const r = await verifyOne(sealed, { trust: [anchor('rsa')] });
    expect(r.status).toBe('INDETERMINATE');
    expect(codes(r)).toEqual(['CERT_UNTRUSTED', 'CERT_UNTRUSTED']);
    expect(r.errors.every((e) => e.status === 'indeterminate')).toBe(true);
    expect(r.indeterminate).toEqual(['trust']);
  });

  it('no anchors at all is a usage error: the API throws TRUST_NO_ANCHORS', async () => {
    await expect(verifyEnvelope(sealed, { trust: [], at: AT })).rejects.toSatisfy((e: unknown) => e instanceof EvoucherError && e.code === 'TRUST_NO_ANCHORS');
  });
});

describe('who may seal where', () => {
  it("the finance bureau's valid certificate at the budget unit's position → POLICY_POSITION_FORBIDDEN (reason POLICY_PARTY_MISMATCH)", async () => {
    let e = await craftStamp(unsealed(), { position: 'dw_gz', sequence: 1, provider: key('cz-p256'), time: T(0) });
    e = await seal(e, 'cz_zfzyz', 'cz-p256', T(10));
    const r = await verifyOne(e);
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[0].signer-permission:POLICY_POSITION_FORBIDDEN']);
    expect(r.seals[0]?.checks.find((c) => c.check === 'signer-permission')?.detail).toMatchObject({ reason: 'POLICY_PARTY_MISMATCH', party: 'cz' });
    expect(r.seals[0]?.checks.find((c) => c.check === 'chain')?.status).toBe('passed');
  });

  it('an organisation the policy does not allow → POLICY_POSITION_FORBIDDEN (reason POLICY_ORG_MISMATCH)', async () => {
    const policy = validatePolicy({
      version: 1,
      types: { '5201': { positions: [{ id: 'dw_gz', sequence: 1, required: false }, { id: 'cz_zfzyz', sequence: 2, organizations: ['cz:999999'] }] } },
    });
    const r = await verifyOne(sealed, { policy });
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].signer-permission:POLICY_POSITION_FORBIDDEN']);
    expect(r.seals[1]?.checks.find((c) => c.check === 'signer-permission')?.detail?.['reason']).toBe('POLICY_ORG_MISMATCH');
  });

  it('a certificate the registry binds to another position → POLICY_POSITION_FORBIDDEN', async () => {
    const fp = manifest.roles['cz-p256']?.fingerprintSha256 ?? '';
    const policy = validatePolicy({ version: 1, registry: [{ certificateSha256: fp, positions: ['cz_sz'] }] });
    const r = await verifyOne(sealed, { policy });
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].signer-permission:POLICY_POSITION_FORBIDDEN']);
  });

  it('a sealer certificate without digitalSignature/nonRepudiation → CERT_KEY_USAGE', async () => {
    const s = issueSealer('p256', { party: 'cz', keyUsage: ['keyAgreement'] });
    const e = await craftStamp(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), { position: 'cz_zfzyz', sequence: 2, provider: s.provider, time: T(10) });
    const r = await verifyOne(e);
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].key-usage:CERT_KEY_USAGE']);
  });

  it('a position the voucher type does not have → POLICY_POSITION_UNKNOWN', async () => {
    const e = await craftStamp(sealed, { position: 'yh_gz', sequence: 9, provider: key('yh-p256'), time: T(20) });
    const r = await verifyOne(e);
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[2].position:POLICY_POSITION_UNKNOWN', 'policy.completeness:POLICY_INCOMPLETE']);
    expect(r.policy.unknown).toEqual(['yh_gz']);
  });

  it('the bank sealing its receipt position on the original → POLICY_VIEW_MISMATCH', async () => {
    // A receipt-view structure cannot be built on an original, so the bank signs it as an original-view seal.
    const r = await verifyOne(await craftStamp(sealed, { position: 'yh_zqz', sequence: 4, provider: key('yh-p256'), time: T(20) }));
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toContain('POLICY_VIEW_MISMATCH');
  });
});
