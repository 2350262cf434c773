/**
 * `clockSkewMs`: a seal whose signing time is a little after the validation time (the sealing machine's clock
 * ahead of the verifying one) passes `signing-time` within the allowed skew, and nothing else is relaxed:
 * certificates, revocation and the seal period are judged at the signing time as without it, a certificate or
 * seal object not yet valid at the validation time is never accepted through it, the path cache answers the
 * same whatever the skew, and the option reaches every way in (verifyEnvelope, createVerifier, the batch
 * pool, verifySesSignatureOverData). Real keys, real seals.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digest, importPrivateKey } from '../../src/crypto/index.js';
import { isEvoucherError } from '../../src/errors.js';
import { createPathCache, issueCrl, parseCertificate, type Crl } from '../../src/pki/index.js';
import { makeSesSignature } from '../../src/seal/ses/index.js';
import {
  createVerifier,
  createVerifierPool,
  MAX_CLOCK_SKEW_MS,
  verifyEnvelope,
  verifyFiles,
  verifyFilesJson,
  verifySesSignatureOverData,
  type FileVerification,
  type FileVerificationJson,
  type ReportCheck,
  type VerificationReport,
} from '../../src/verify/index.js';
import { allAnchors, anchor, AT, codes, craftSealObject, craftSesStamp, craftStamp, crl, failures, issueSealer, key, makeSealObject, manifest, pkiText, seal, T, unsealed, verifyOne } from './helpers.js';

/** `ms` milliseconds after the validation time of the tests. */
const after = (ms: number): Date => new Date(AT.getTime() + ms);
const signingTime = (r: VerificationReport, seal = 1): ReportCheck | undefined => r.seals[seal]?.checks.find((c) => c.check === 'signing-time');
const holder = (role: string): Uint8Array => parseCertificate(pkiText(manifest.roles[role]?.cert ?? '')).der;

/** dw_gz at T(0), then cz_zfzyz by the demo cz sealer `ahead` ms after AT. */
async function sealedAhead(ahead: number): Promise<Uint8Array> {
  return seal(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), 'cz_zfzyz', 'cz-p256', after(ahead));
}

let ahead3s: Uint8Array;
let onTime: Uint8Array;
let dwSes: Uint8Array;
beforeAll(async () => {
  ahead3s = await sealedAhead(3000);
  onTime = await sealedAhead(-60_000);
  dwSes = await seal(unsealed(), 'dw_gz', 'dw-sm2', T(0), { format: 'ses', seal: await makeSealObject(key('maker-sm2'), [holder('dw-sm2')], { esId: 'TEST-SEAL-DW' }) });
});

describe('a signing time after the validation time', () => {
  it('3 s ahead: INDETERMINATE without a skew, VALID with 5 s allowed, and the check says by how much', async () => {
    const strict = await verifyOne(ahead3s);
    expect(strict.status).toBe('INDETERMINATE');
    expect(failures(strict)).toEqual(['seals[1].signing-time:VERIFY_SIGNING_TIME_AFTER_VALIDATION']);
    expect(signingTime(strict)?.detail).toEqual({ signingTime: after(3000).toISOString(), validationTime: AT.toISOString() });
    expect((await verifyOne(ahead3s, { clockSkewMs: 0 })).status).toBe('INDETERMINATE');

    const allowed = await verifyOne(ahead3s, { clockSkewMs: 5000 });
    expect(codes(allowed)).toEqual([]);
    expect(allowed.status).toBe('VALID');
    expect(allowed.validationTime).toBe(AT.toISOString());
    const check = signingTime(allowed);
    expect(check?.status).toBe('passed');
    expect(check?.message).toContain('by 3000 ms, within the allowed clock skew of 5000 ms');
    expect(check?.detail).toEqual({ signingTime: after(3000).toISOString(), validationTime: AT.toISOString(), aheadMs: '3000', clockSkewMs: '5000' });
    // The first seal, signed long before AT, reads as it always did.
    expect(signingTime(allowed, 0)).toEqual(signingTime(strict, 0));
  });

  it('beyond the skew stays INDETERMINATE; the bound is inclusive', async () => {
    const beyond = await verifyOne(ahead3s, { clockSkewMs: 2999 });
    expect(beyond.status).toBe('INDETERMINATE');
    expect(failures(beyond)).toEqual(['seals[1].signing-time:VERIFY_SIGNING_TIME_AFTER_VALIDATION']);
    expect(beyond.errors[0]?.message).toContain('by 3000 ms, beyond the allowed clock skew of 2999 ms');
    expect(beyond.indeterminate).toEqual(['time']);
    expect((await verifyOne(ahead3s, { clockSkewMs: 3000 })).status).toBe('VALID');
    expect((await verifyOne(ahead3s, { clockSkewMs: 0.5 })).status).toBe('INDETERMINATE');
    const hour = await verifyOne(await sealedAhead(MAX_CLOCK_SKEW_MS + 1000), { clockSkewMs: MAX_CLOCK_SKEW_MS });
    expect(failures(hour)).toEqual(['seals[1].signing-time:VERIFY_SIGNING_TIME_AFTER_VALIDATION']);
  });

  it('seals signed before the validation time give the same report whatever the skew', async () => {
    const without = await verifyOne(onTime);
    expect(without.status).toBe('VALID');
    expect(await verifyOne(onTime, { clockSkewMs: MAX_CLOCK_SKEW_MS })).toEqual(without);
  });

  it('createVerifier, with and without at, uses the skew on every call', async () => {
    const fixed = createVerifier({ trust: allAnchors(), at: AT, clockSkewMs: 5000 });
    expect((await fixed.verify(ahead3s))[0]?.status).toBe('VALID');
    expect((await createVerifier({ trust: allAnchors(), at: AT }).verify(ahead3s))[0]?.status).toBe('INDETERMINATE');
    // Without at, each call validates at its own time: a seal from a clock 5 s fast, verified at once.
    const soon = Math.ceil((Date.now() + 5000) / 1000) * 1000;
    const fresh = await seal(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), 'cz_zfzyz', 'cz-p256', new Date(soon));
    expect((await createVerifier({ trust: allAnchors(), clockSkewMs: 30_000 }).verify(fresh))[0]?.status).toBe('VALID');
    expect((await createVerifier({ trust: allAnchors() }).verify(fresh))[0]?.status).toBe('INDETERMINATE');
  });
});

describe('nothing else is relaxed', () => {
  const SKEW = { clockSkewMs: 10_000 };

  it('a certificate expired at the signing time stays INVALID (CERT_EXPIRED), also one that expired between at and the signing time', async () => {
    for (const notAfter of [after(-1000), after(1000)]) {
      const s = issueSealer('p256', { notAfter });
      const e = await craftStamp(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), { position: 'cz_zfzyz', sequence: 2, provider: s.provider, time: after(3000) });
      const r = await verifyOne(e, SKEW);
      expect(r.status).toBe('INVALID');
      expect(failures(r)).toEqual(['seals[1].chain:CERT_EXPIRED']);
    }
  });

  it('a certificate not yet valid at the signing time stays INVALID (CERT_NOT_YET_VALID)', async () => {
    const s = issueSealer('p256', { notBefore: after(5000) });
    const e = await craftStamp(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), { position: 'cz_zfzyz', sequence: 2, provider: s.provider, time: after(3000) });
    const r = await verifyOne(e, SKEW);
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].chain:CERT_NOT_YET_VALID']);
  });

  it('a certificate valid at the signing time but not yet at the validation time is not accepted through the skew', async () => {
    const s = issueSealer('p256', { notBefore: after(1000), cn: 'Fresh cz sealer' });
    const e = await craftStamp(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), { position: 'cz_zfzyz', sequence: 2, provider: s.provider, time: after(3000) });
    expect(failures(await verifyOne(e))).toEqual(['seals[1].signing-time:VERIFY_SIGNING_TIME_AFTER_VALIDATION']);
    const r = await verifyOne(e, SKEW);
    expect(r.status).toBe('INDETERMINATE');
    expect(failures(r)).toEqual(['seals[1].signing-time:VERIFY_SIGNING_TIME_AFTER_VALIDATION']);
    expect(r.errors[0]?.message).toContain('within the allowed clock skew of 10000 ms, but certificate');
    expect(r.errors[0]?.message).toContain('Fresh cz sealer');
    expect(signingTime(r)?.detail?.['notBefore']).toBe(after(1000).toISOString());
    // The path itself is valid at the signing time: only the skew's condition stops it.
    expect(r.seals[1]?.checks.find((c) => c.check === 'chain')?.status).toBe('passed');
  });

  it('a revoked certificate stays INVALID (CERT_REVOKED), also when revoked between at and the signing time', async () => {
    const revoked = await craftStamp(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), { position: 'cz_zfzyz', sequence: 2, provider: key('revoked-p256'), time: after(3000) });
    const early = await verifyOne(revoked, { ...SKEW, crls: [crl('p256/ca-revoked.crl.pem'), crl('p256/root.crl.pem')] });
    expect(early.status).toBe('INVALID');
    expect(failures(early)).toEqual(['seals[1].revocation:CERT_REVOKED']);

    const ca = manifest.roles['ca-p256'];
    const issuer = { certificate: parseCertificate(pkiText(ca?.cert ?? '')), key: importPrivateKey(pkiText(ca?.key ?? ''), { password: manifest.password }) };
    const s = issueSealer('p256');
    const e = await craftStamp(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), { position: 'cz_zfzyz', sequence: 2, provider: s.provider, time: after(3000) });
    const list = (revoked: { serialNumber: string; revocationDate: Date }[]): Crl[] => [
      issueCrl({ issuer, thisUpdate: after(-86_400_000), nextUpdate: after(30 * 86_400_000), revoked, crlNumber: 7n }),
      crl('p256/root.crl.pem'),
    ];
    const between = await verifyOne(e, { ...SKEW, crls: list([{ serialNumber: s.cert.serialNumber, revocationDate: after(1000) }]) });
    expect(between.status).toBe('INVALID');
    expect(failures(between)).toEqual(['seals[1].revocation:CERT_REVOKED']);
    // Control: the same seal with a list that revokes nothing is VALID with the skew, revocation checked.
    const clean = await verifyOne(e, { ...SKEW, crls: list([]) });
    expect(clean.status).toBe('VALID');
    expect(clean.seals[1]?.checks.find((c) => c.check === 'revocation')?.status).toBe('passed');
  });

  it('ses: a seal out of its period at the signing time stays INVALID; one whose period starts after the validation time is not accepted', async () => {
    const czCert = holder('cz-sm2');
    const stamp = async (o: { validStart?: Date; validEnd?: Date }): Promise<VerificationReport> =>
      verifyOne(await craftSesStamp(dwSes, { position: 'cz_zfzyz', sequence: 2, provider: key('cz-sm2'), time: after(3000), seal: await craftSealObject(key('maker-sm2'), [czCert], o) }), SKEW);
    const ok = await stamp({});
    expect(codes(ok)).toEqual([]);
    expect(ok.status).toBe('VALID');
    expect(failures(await stamp({ validEnd: after(1000) }))).toEqual(['seals[1].seal-period:SEAL_PERIOD_INVALID']);
    expect(failures(await stamp({ validStart: after(5000) }))).toEqual(['seals[1].seal-period:SEAL_PERIOD_INVALID']);
    const starting = await stamp({ validStart: after(1000) });
    expect(starting.status).toBe('INDETERMINATE');
    expect(failures(starting)).toEqual(['seals[1].signing-time:VERIFY_SIGNING_TIME_AFTER_VALIDATION']);
    expect(starting.errors[0]?.message).toContain('but seal TEST-SEAL-0001 is valid only from');
  });

  it('ses: a seal maker certificate not yet valid at the validation time is not accepted either', async () => {
    const maker = issueSealer('sm2', { cn: 'Fresh maker', notBefore: after(1000) });
    const sealObject = await craftSealObject(maker.provider, [holder('cz-sm2')]);
    const r = await verifyOne(await craftSesStamp(dwSes, { position: 'cz_zfzyz', sequence: 2, provider: key('cz-sm2'), time: after(3000), seal: sealObject }), SKEW);
    expect(r.status).toBe('INDETERMINATE');
    expect(failures(r)).toEqual(['seals[1].signing-time:VERIFY_SIGNING_TIME_AFTER_VALIDATION']);
    expect(r.errors[0]?.message).toContain('Fresh maker');
  });
});

describe('the path cache', () => {
  it('answers the same for every skew, in any order: the skew is applied after path validation, never cached', async () => {
    const fresh = issueSealer('p256', { notBefore: after(1000), cn: 'Fresh cz sealer' });
    const notYet = await craftStamp(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), { position: 'cz_zfzyz', sequence: 2, provider: fresh.provider, time: after(3000) });
    const cache = createPathCache();
    for (const envelope of [ahead3s, notYet]) {
      for (const clockSkewMs of [0, 5000, 0, 5000, 2000, 0]) {
        const cached = await verifyOne(envelope, { clockSkewMs, pathCache: cache });
        const uncached = await verifyOne(envelope, { clockSkewMs, pathCache: false });
        expect(cached).toEqual(uncached);
      }
    }
    expect(cache.stats.hits).toBeGreaterThan(10);
  });
});

describe('batches', () => {
  let dir: string;
  let files: string[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'evoucher-clock-skew-'));
    files = [join(dir, 'ahead.xml'), join(dir, 'on-time.xml')];
    await writeFile(files[0] as string, ahead3s);
    await writeFile(files[1] as string, onTime);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const statuses = (out: readonly (FileVerification | FileVerificationJson)[]): string[] => out.map((r) => r.error?.code ?? r.reports.map((x) => x.status).join(','));

  for (const jobs of [1, 0]) {
    it(`verifyFiles and verifyFilesJson (jobs ${jobs}) pass the skew to every file`, async () => {
      const run = async (clockSkewMs?: number): Promise<string[]> => {
        const out: FileVerification[] = [];
        for await (const r of verifyFiles(files, { trust: allAnchors(), at: AT, jobs, ...(clockSkewMs === undefined ? {} : { clockSkewMs }) })) out.push(r);
        return statuses(out);
      };
      expect(await run()).toEqual(['INDETERMINATE', 'VALID']);
      expect(await run(5000)).toEqual(['VALID', 'VALID']);
      expect(await run(2000)).toEqual(['INDETERMINATE', 'VALID']);
      const json: FileVerificationJson[] = [];
      for await (const r of verifyFilesJson(files, { trust: allAnchors(), at: AT, jobs, clockSkewMs: 5000 })) json.push(r);
      expect(statuses(json)).toEqual(['VALID', 'VALID']);
      const report = JSON.parse(new TextDecoder().decode(json[0]?.reports[0]?.json)) as VerificationReport;
      expect(report.seals[1]?.checks.find((c) => c.check === 'signing-time')?.detail).toMatchObject({ aheadMs: '3000', clockSkewMs: '5000' });
    });

    it(`a pool without at (jobs ${jobs}) allows the skew at the time it verifies each file`, async () => {
      const soon = Math.ceil((Date.now() + 5000) / 1000) * 1000;
      const file = join(dir, `fresh-${jobs}.xml`);
      await writeFile(file, await seal(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), 'cz_zfzyz', 'cz-p256', new Date(soon)));
      for (const [clockSkewMs, expected] of [[30_000, 'VALID'], [0, 'INDETERMINATE']] as const) {
        const pool = createVerifierPool({ trust: allAnchors(), jobs, clockSkewMs });
        try {
          const out: FileVerification[] = [];
          for await (const r of pool.verifyFiles([file])) out.push(r);
          expect(statuses(out)).toEqual([expected]);
        } finally {
          await pool.close();
        }
      }
    });
  }
});

describe('verifySesSignatureOverData', () => {
  it('applies the same skew to timeInfo, and the same conditions', async () => {
    const data = new TextEncoder().encode('<Signature/>');
    const options = { trust: [anchor('sm2')], at: AT, intermediates: [pkiText('sm2/ca.cert.pem')] };
    const sign = async (sealObject: Uint8Array): Promise<Uint8Array> =>
      makeSesSignature({ seal: sealObject, signer: key('cz-sm2'), dataHash: digest('sm3', data), propertyInfo: 'Signature.xml', time: after(3000) });
    const ses = await sign(await makeSealObject(key('maker-sm2'), [holder('cz-sm2')]));
    const strict = await verifySesSignatureOverData(ses, data, options);
    expect(strict.status).toBe('INDETERMINATE');
    expect(strict.errors.map((e) => `${e.where}:${e.code}`)).toEqual(['signing-time:VERIFY_SIGNING_TIME_AFTER_VALIDATION']);
    const allowed = await verifySesSignatureOverData(ses, data, { ...options, clockSkewMs: 5000 });
    expect(allowed.errors).toEqual([]);
    expect(allowed.status).toBe('VALID');
    expect(allowed.checks.find((c) => c.check === 'signing-time')?.message).toContain('within the allowed clock skew of 5000 ms');
    expect((await verifySesSignatureOverData(ses, data, { ...options, clockSkewMs: 2000 })).status).toBe('INDETERMINATE');
    // A seal whose period starts after the validation time: not accepted through the skew.
    const starting = await sign(await makeSealObject(key('maker-sm2'), [holder('cz-sm2')], { validStart: after(1000) }));
    const r = await verifySesSignatureOverData(starting, data, { ...options, clockSkewMs: 5000 });
    expect(r.status).toBe('INDETERMINATE');
    expect(r.errors.map((e) => e.message).join()).toContain('is valid only from');
  });
});

describe('the option is checked where it is given', () => {
  const BAD: readonly unknown[] = [-1, -0.001, NaN, Infinity, -Infinity, MAX_CLOCK_SKEW_MS + 1, 1e308, '5000', '', null, 5n, {}, [], new Date(0), true];
  const code = async (f: () => unknown): Promise<string | undefined> => {
    try {
      await f();
    } catch (e) {
      return isEvoucherError(e) ? e.code : String(e);
    }
    return undefined;
  };

  it('anything but a number of ms from 0 to one hour is ARG_INVALID, at every way in', async () => {
    const base = { trust: allAnchors(), at: AT };
    for (const bad of BAD) {
      const o = { ...base, clockSkewMs: bad as number };
      expect(await code(() => verifyEnvelope(ahead3s, o)), String(bad)).toBe('ARG_INVALID');
      expect(await code(() => createVerifier(o)), String(bad)).toBe('ARG_INVALID');
      expect(await code(() => createVerifierPool({ ...o, jobs: 0 })), String(bad)).toBe('ARG_INVALID');
      expect(await code(async () => {
        for await (const r of verifyFiles([], { ...o, jobs: 1 })) void r;
      }), String(bad)).toBe('ARG_INVALID');
      expect(await code(() => verifySesSignatureOverData(new Uint8Array([0x30, 0]), new Uint8Array(0), o)), String(bad)).toBe('ARG_INVALID');
    }
  });

  it('0, fractions and one hour are accepted', async () => {
    for (const ok of [0, -0, 0.5, 1500, MAX_CLOCK_SKEW_MS]) expect((await verifyEnvelope(onTime, { trust: allAnchors(), at: AT, clockSkewMs: ok }))[0]?.status).toBe('VALID');
    expect(MAX_CLOCK_SKEW_MS).toBe(3_600_000);
  });
});
