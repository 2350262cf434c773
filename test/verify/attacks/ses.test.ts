/**
 * GB/T 38540 `ses` seals (standards.md §8, security.md §1.5): the seal object is judged too. An attacker who
 * re-seals with his own maker, seal and sealer (all embedded) is never VALID; a sealer outside the seal's
 * certList, a seal outside its validity period, a broken maker signature, an untrusted or expired maker
 * certificate: each fails with its code.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../src/pki/index.js';
import { validatePolicy } from '../../../src/seal/policy.js';
import { makeSesSignature, parseSeal } from '../../../src/seal/ses/index.js';
import { digest } from '../../../src/crypto/index.js';
import { legacyTime, verifySesSignatureOverData } from '../../../src/verify/seal_signature.js';
import { anchor, attackerPki, codes, craftSealObject, craftSesStamp, failures, issueSealer, key, makeSealObject, pkiText, manifest, replaceBytes, rewriteBody, seal, stampsOf, T, unsealed, verifyOne } from '../helpers.js';

const trust = () => [anchor('sm2')];
let czCert: Uint8Array;
let demoSeal: Uint8Array;
let dwSealed: Uint8Array;

beforeAll(async () => {
  czCert = parseCertificate(pkiText(manifest.roles['cz-sm2']?.cert ?? '')).der;
  demoSeal = await makeSealObject(key('maker-sm2'), [czCert]);
  const dwSeal = await makeSealObject(key('maker-sm2'), [parseCertificate(pkiText(manifest.roles['dw-sm2']?.cert ?? '')).der], { esId: 'TEST-SEAL-DW', name: 'Demo Budget Unit' });
  dwSealed = await seal(unsealed(), 'dw_gz', 'dw-sm2', T(0), { format: 'ses', seal: dwSeal });
});

describe('ses seals', () => {
  it('control: a hand-encoded ses stamp with the demo maker and the cz sealer is VALID (the encoder is the real profile)', async () => {
    const e = await craftSesStamp(dwSealed, { position: 'cz_zfzyz', sequence: 2, provider: key('cz-sm2'), time: T(10), seal: demoSeal });
    const r = await verifyOne(e, { trust: trust() });
    expect(codes(r)).toEqual([]);
    expect(r.status).toBe('VALID');
    expect(r.seals[1]?.seal).toMatchObject({ id: 'TEST-SEAL-0001', name: 'Demo Finance Bureau' });
    expect(r.seals[1]?.scope?.sealObject?.esId).toBe('TEST-SEAL-0001');
  });

  it("an attacker's own maker, seal and sealer, all embedded → never VALID (CERT_UNTRUSTED for sealer and maker)", async () => {
    const evil = attackerPki('sm2');
    const sealer = evil.sealer('cz');
    const maker = evil.sealer('cz');
    const forged = await makeSealObject(maker.provider, [sealer.cert.der], { name: 'Demo Finance Bureau', esId: 'TEST-SEAL-0001' });
    const e = await craftSesStamp(dwSealed, { position: 'cz_zfzyz', sequence: 2, provider: sealer.provider, time: T(10), seal: forged, chain: [evil.root.der] });
    const r = await verifyOne(e, { trust: trust() });
    expect(r.status).toBe('INDETERMINATE');
    expect(failures(r)).toEqual(['seals[1].chain:CERT_UNTRUSTED', 'seals[1].maker-chain:CERT_UNTRUSTED']);
    // Every signature holds: only the anchors decide, and they do not trust the attacker.
    expect(r.seals[1]?.checks.filter((c) => ['signature', 'maker-signature', 'seal-match'].includes(c.check)).map((c) => c.status)).toEqual(['passed', 'passed', 'passed']);
  });

  it('a genuine seal object used by a sealer not in its certList → SEAL_SIGNER_NOT_IN_SEAL', async () => {
    const other = issueSealer('sm2', { party: 'cz' });
    const e = await craftSesStamp(dwSealed, { position: 'cz_zfzyz', sequence: 2, provider: other.provider, time: T(10), seal: demoSeal });
    const r = await verifyOne(e, { trust: trust() });
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].seal-match:SEAL_SIGNER_NOT_IN_SEAL']);
  });

  it('a seal expired at the signing time → SEAL_PERIOD_INVALID', async () => {
    const expired = await makeSealObject(key('maker-sm2'), [czCert], { validStart: new Date('2025-01-01T00:00:00Z'), validEnd: new Date('2025-11-30T00:00:00Z') });
    const e = await craftSesStamp(dwSealed, { position: 'cz_zfzyz', sequence: 2, provider: key('cz-sm2'), time: T(10), seal: expired });
    const r = await verifyOne(e, { trust: trust() });
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].seal-period:SEAL_PERIOD_INVALID']);
  });

  it('a seal not yet valid at the signing time → SEAL_PERIOD_INVALID', async () => {
    const future = await makeSealObject(key('maker-sm2'), [czCert], { validStart: new Date('2026-01-01T00:00:00Z') });
    const e = await craftSesStamp(dwSealed, { position: 'cz_zfzyz', sequence: 2, provider: key('cz-sm2'), time: T(10), seal: future });
    const r = await verifyOne(e, { trust: trust() });
    expect(failures(r)).toEqual(['seals[1].seal-period:SEAL_PERIOD_INVALID']);
  });

  it("a seal whose name was changed after the maker signed it → SEAL_MAKER_SIGNATURE_INVALID", async () => {
    const name = new TextEncoder().encode('Demo Finance Bureau');
    const renamed = replaceBytes(demoSeal, name, new TextEncoder().encode('Demo Finance Bureaz'));
    expect(parseSeal(renamed).name).toBe('Demo Finance Bureaz');
    const e = await craftSesStamp(dwSealed, { position: 'cz_zfzyz', sequence: 2, provider: key('cz-sm2'), time: T(10), seal: renamed });
    const r = await verifyOne(e, { trust: trust() });
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].maker-signature:SEAL_MAKER_SIGNATURE_INVALID']);
  });

  it('a seal made by an untrusted maker for a trusted sealer → INDETERMINATE (maker-chain CERT_UNTRUSTED)', async () => {
    const rogueMaker = attackerPki('sm2').sealer('cz');
    const rogue = await makeSealObject(rogueMaker.provider, [czCert]);
    const e = await craftSesStamp(dwSealed, { position: 'cz_zfzyz', sequence: 2, provider: key('cz-sm2'), time: T(10), seal: rogue });
    const r = await verifyOne(e, { trust: trust() });
    expect(r.status).toBe('INDETERMINATE');
    expect(failures(r)).toEqual(['seals[1].maker-chain:CERT_UNTRUSTED']);
  });

  it('a maker certificate expired when the seal was used → maker-chain CERT_EXPIRED', async () => {
    const maker = issueSealer('sm2', { cn: 'Short-lived maker', notAfter: new Date('2025-11-30T00:00:00Z') });
    // makeSeal refuses a seal valid past its maker certificate: made elsewhere, as a foreign maker could.
    const s = await craftSealObject(maker.provider, [czCert]);
    const e = await craftSesStamp(dwSealed, { position: 'cz_zfzyz', sequence: 2, provider: key('cz-sm2'), time: T(10), seal: s });
    const r = await verifyOne(e, { trust: trust() });
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].maker-chain:CERT_EXPIRED']);
  });

  it('an ses stamp transplanted from another voucher → SEAL_DIGEST_MISMATCH and SEAL_TBS_MISMATCH', async () => {
    const mine = await craftSesStamp(dwSealed, { position: 'cz_zfzyz', sequence: 2, provider: key('cz-sm2'), time: T(10), seal: demoSeal });
    const otherDw = await seal(unsealed('5201', { VoucherNo: 'ZF2025112800002' }), 'dw_gz', 'dw-sm2', T(0));
    const stolen = stampsOf(mine)[1];
    if (stolen === undefined) throw new Error('stamp');
    const r = await verifyOne(rewriteBody(otherDw, (b) => ({ stamps: [...b.stamps, stolen] })), { trust: trust() });
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].message-digest:SEAL_DIGEST_MISMATCH', 'seals[1].embedded-tbs:SEAL_TBS_MISMATCH']);
  });

  it('strict DER of an ses stamp: truncated, trailing bytes, indefinite length → format failure, never VALID', async () => {
    const good = await craftSesStamp(dwSealed, { position: 'cz_zfzyz', sequence: 2, provider: key('cz-sm2'), time: T(10), seal: demoSeal });
    const stamp = stampsOf(good)[1];
    if (stamp === undefined) throw new Error('stamp');
    const b = stamp.bytes;
    const lenBytes = (b[1] ?? 0) & 0x7f;
    const indefinite = Uint8Array.from([0x30, 0x80, ...b.subarray(2 + lenBytes), 0x00, 0x00]);
    for (const bad of [b.subarray(0, b.length - 3), Uint8Array.from([...b, 0x00]), indefinite]) {
      const r = await verifyOne(rewriteBody(good, (x) => ({ stamps: [x.stamps[0], { ...stamp, bytes: bad }].filter((y) => y !== undefined) })), { trust: trust() });
      expect(r.status).toBe('INVALID');
      expect(r.errors.map((e) => e.where)).toEqual(['seals[1].format']);
    }
  });
});

describe('a registered seal is known by its esID and its maker', () => {
  it("an insider's look-alike seal (the registered esID, made with his own sealer key) → POLICY_MAKER_MISMATCH; the genuine one → VALID", async () => {
    const makerSha256 = parseCertificate(pkiText(manifest.roles['maker-sm2']?.cert ?? '')).fingerprintSha256;
    const policy = validatePolicy({
      version: 1,
      types: { '5201': { positions: [{ id: 'dw_gz', sequence: 1, required: false }, { id: 'cz_zfzyz', sequence: 2, formats: ['ses'], organizations: ['cz:110101'] }, { id: 'yh_zqz', sequence: 4, view: 'receipt' }] } },
      registry: [{ esId: 'BUREAU-SEAL-0001', makerCertificateSha256: makerSha256, positions: ['cz_zfzyz'] }],
    });
    // A certificate of the same organisation under the same anchors, outside the genuine seal's certList.
    const insider = issueSealer('sm2', { party: 'cz', org: 'cz:110101', cn: 'Bureau clerk' });
    const genuineForInsider = await makeSealObject(key('maker-sm2'), [insider.cert.der], { esId: 'BUREAU-SEAL-0001', name: '北京市某区财政局支付专用章' });
    const good = await verifyOne(await craftSesStamp(dwSealed, { position: 'cz_zfzyz', sequence: 2, provider: insider.provider, time: T(10), seal: genuineForInsider }), { trust: trust(), policy });
    expect(codes(good)).toEqual([]);
    expect(good.status).toBe('VALID');

    const lookAlike = await makeSealObject(insider.provider, [insider.cert.der], { esId: 'BUREAU-SEAL-0001', name: '北京市某区财政局支付专用章' });
    const r = await verifyOne(await craftSesStamp(dwSealed, { position: 'cz_zfzyz', sequence: 2, provider: insider.provider, time: T(10), seal: lookAlike }), { trust: trust(), policy });
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].signer-permission:POLICY_MAKER_MISMATCH']);
    // Every signature and path holds (the insider's certificate chains to the anchors): only the registry tells.
    expect(r.seals[1]?.checks.filter((c) => ['signature', 'maker-signature', 'maker-chain', 'chain'].includes(c.check)).map((c) => c.status)).toEqual(['passed', 'passed', 'passed', 'passed']);
  });
});


describe('what an ses stamp states must be what it binds', () => {
  const stamp = (o: Partial<Parameters<typeof craftSesStamp>[1]>) =>
    craftSesStamp(dwSealed, { position: 'cz_zfzyz', sequence: 2, provider: key('cz-sm2'), time: T(10), seal: demoSeal, ...o });

  it('an unknown critical extension in the seal object or in TBS_Sign → SEAL_MALFORMED; a non-critical one is read past', async () => {
    const ext = (critical: boolean) => [{ oid: '1.2.3.4.5', critical, value: Uint8Array.of(1) }];
    const critSeal = await makeSealObject(key('maker-sm2'), [czCert], { extDatas: ext(true) });
    const plainSeal = await makeSealObject(key('maker-sm2'), [czCert], { extDatas: ext(false) });
    for (const [e, want] of [
      [await stamp({ seal: critSeal }), /critical extension 1\.2\.3\.4\.5 in the seal object/],
      [await stamp({ extDatas: ext(true) }), /critical extension 1\.2\.3\.4\.5 in the signature/],
    ] as const) {
      const r = await verifyOne(e, { trust: trust() });
      expect(failures(r)).toEqual(['seals[1].format:SEAL_MALFORMED']);
      expect(r.errors[0]?.message).toMatch(want);
    }
    for (const e of [await stamp({ seal: plainSeal }), await stamp({ extDatas: ext(false) })]) expect((await verifyOne(e, { trust: trust() })).status).toBe('VALID');
    // verify-seal (a seal signature over data) refuses them alike.
    const data = new TextEncoder().encode('Signature.xml');
    const base = { signer: key('cz-sm2'), dataHash: digest('sm3', data), propertyInfo: 'x', time: T(10) };
    const options = { trust: [anchor('sm2')], at: T(20), intermediates: [pkiText('sm2/ca.cert.pem')] };
    const r1 = await verifySesSignatureOverData(await makeSesSignature({ ...base, seal: demoSeal, extDatas: ext(true) }), data, options);
    const r2 = await verifySesSignatureOverData(await makeSesSignature({ ...base, seal: critSeal }), data, options);
    for (const r of [r1, r2]) expect(r.errors.map((e) => `${e.where}:${e.code}`)).toEqual(['format:SEAL_MALFORMED']);
    expect((await verifySesSignatureOverData(await makeSesSignature({ ...base, seal: demoSeal }), data, options)).status).toBe('VALID');
  });

  it('the sealer refuses a seal object with a critical extension before the key signs', async () => {
    const critSeal = await makeSealObject(key('maker-sm2'), [czCert], { extDatas: [{ oid: '1.2.3.4.5', critical: true, value: Uint8Array.of(1) }] });
    let signed = 0;
    const cz = key('cz-sm2');
    const counting = { ...cz, sign: async (data: Uint8Array) => (signed++, cz.sign(data)) };
    await expect(seal(dwSealed, 'cz_zfzyz', 'cz-sm2', T(10), { format: 'ses', seal: critSeal, key: counting })).rejects.toMatchObject({ code: 'SEAL_MALFORMED', message: /critical extension/ });
    expect(signed).toBe(0);
  });

  it('a timeInfo with a fraction of a second → SEAL_MALFORMED (the structure binds whole seconds; the fraction was unbound)', async () => {
    const r = await verifyOne(await stamp({ time: new Date(T(10).getTime() + 500) }), { trust: trust() });
    expect(failures(r)).toEqual(['seals[1].format:SEAL_MALFORMED']);
    expect(r.errors[0]?.message).toMatch(/fraction of a second/);
  });

  it('a propertyInfo stating another scope → SEAL_SCOPE_MISMATCH (other SES readers show it as what is protected)', async () => {
    const r = await verifyOne(await stamp({ propertyInfo: 'evoucher-tbs/1;vt=9999;no=OTHER;view=receipt;pos=yh_zqz;seq=7' }), { trust: trust() });
    expect(failures(r)).toEqual(['seals[1].property-info:SEAL_SCOPE_MISMATCH']);
    // A long one is quoted clipped (the stamp may hold 256 KiB of it).
    const long = await verifyOne(await stamp({ propertyInfo: 'X'.repeat(200_000) }), { trust: trust() });
    expect(failures(long)).toEqual(['seals[1].property-info:SEAL_SCOPE_MISMATCH']);
    expect(long.errors[0]?.message.length).toBeLessThan(400);
    const good = await verifyOne(await stamp({}), { trust: trust() });
    expect(good.seals[1]?.checks.find((c) => c.check === 'property-info')?.status).toBe('passed');
  });

  it('GM/T 0031-2014 time texts: a day that does not exist or hour 24 is unreadable, not rolled over', () => {
    expect(legacyTime('2025-02-28 10:00:00')?.toISOString()).toBe('2025-02-28T02:00:00.000Z');
    expect(legacyTime('2024-02-29 23:59:59')?.toISOString()).toBe('2024-02-29T15:59:59.000Z');
    expect(legacyTime('0050-03-01 08:00:00')?.toISOString()).toBe('0050-03-01T00:00:00.000Z');
    for (const text of ['2025-02-30 10:00:00', '2025-02-31 24:00:00', '2025-13-01 00:00:00', '2025-01-01 23:60:00', '2025-01-01 23:59:60', '2025-1-01 00:00:00']) {
      expect(legacyTime(text), text).toBeUndefined();
    }
  });
});
