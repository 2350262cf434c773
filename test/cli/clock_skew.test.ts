/**
 * `--clock-skew <seconds>` of `evoucher verify` and `evoucher verify-seal`: a seal signed a few seconds after
 * `--at` exits 1 (INDETERMINATE) without it and 0 (VALID) with it, on one thread and on the batch workers;
 * anything but 0 to 3600 seconds with at most three decimals is a usage error (exit 2, ARG_INVALID).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digest } from '../../src/crypto/index.js';
import { parseCertificate } from '../../src/pki/index.js';
import { makeSesSignature } from '../../src/seal/ses/index.js';
import { parseClockSkew } from '../../src/cli/args.js';
import { AT, key, makeSealObject, manifest, PKI, pkiText, seal, T, unsealed } from '../verify/helpers.js';
import { runCli } from './spawn_cli.js';

let dir: string;
const f = (name: string): string => join(dir, name);
const trust = ['--trust', join(PKI, 'trust')];
const at = ['--at', AT.toISOString()];
const after = (ms: number): Date => new Date(AT.getTime() + ms);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-clock-skew-cli-'));
  // The cz seal 3 s after --at; the second file is signed well before it.
  await writeFile(f('ahead.xml'), await seal(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), 'cz_zfzyz', 'cz-p256', after(3000)));
  await writeFile(f('on-time.xml'), await seal(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), 'cz_zfzyz', 'cz-p256', T(10)));
  // A standalone seal signature over a file, timeInfo 3 s after --at; the sealer CA pinned as the anchor.
  const data = new TextEncoder().encode('<Signature/>');
  const cz = parseCertificate(pkiText(manifest.roles['cz-sm2']?.cert ?? '')).der;
  const ses = await makeSesSignature({ seal: await makeSealObject(key('maker-sm2'), [cz]), signer: key('cz-sm2'), dataHash: digest('sm3', data), propertyInfo: 'Signature.xml', time: after(3000) });
  await writeFile(f('Signature.xml'), data);
  await writeFile(f('SignedValue.dat'), ses);
  await writeFile(f('sm2-ca.pem'), pkiText('sm2/ca.cert.pem'));
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('evoucher verify --clock-skew', () => {
  it('one file: exit 1 without it or with too little, 0 with enough; the JSON check says how far ahead', async () => {
    const strict = await runCli(['verify', f('ahead.xml'), ...trust, ...at]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('VERIFY_SIGNING_TIME_AFTER_VALIDATION');
    expect((await runCli(['verify', f('ahead.xml'), ...trust, ...at, '--clock-skew', '2.999'])).code).toBe(1);
    const allowed = await runCli(['verify', f('ahead.xml'), ...trust, ...at, '--clock-skew', '3', '--format', 'json']);
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    const [report] = JSON.parse(allowed.stdout) as { status: string; seals: { checks: { check: string; message: string; detail?: Record<string, string> }[] }[] }[];
    expect(report?.status).toBe('VALID');
    const check = report?.seals[1]?.checks.find((c) => c.check === 'signing-time');
    expect(check?.message).toContain('within the allowed clock skew of 3000 ms');
    expect(check?.detail).toMatchObject({ aheadMs: '3000', clockSkewMs: '3000' });
  });

  for (const jobs of ['1', '0']) {
    it(`several files (--jobs ${jobs}): the skew reaches the workers`, async () => {
      const files = [f('ahead.xml'), f('on-time.xml')];
      expect((await runCli(['verify', ...files, ...trust, ...at, '--jobs', jobs])).code).toBe(1);
      for (const format of ['text', 'json']) {
        const r = await runCli(['verify', ...files, ...trust, ...at, '--jobs', jobs, '--clock-skew', '5', '--format', format]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
      }
    });
  }

  it('bad values are usage errors (exit 2, ARG_INVALID), nothing verified', async () => {
    for (const bad of ['-1', '1e3', '3601', '3600.001', 'abc', '', '5s', '0x10', '1.2345', '.5', '5.', ' 5', 'Infinity', 'NaN']) {
      const r = await runCli(['verify', f('on-time.xml'), ...trust, ...at, `--clock-skew=${bad}`]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toContain('ARG_INVALID');
      expect(r.stdout, bad).toBe('');
    }
  });

  it('parseClockSkew: decimal seconds to whole milliseconds', () => {
    expect(parseClockSkew(undefined)).toBeUndefined();
    expect(parseClockSkew('0')).toBe(0);
    expect(parseClockSkew('0.5')).toBe(500);
    expect(parseClockSkew('2.25')).toBe(2250);
    expect(parseClockSkew('0003')).toBe(3000);
    expect(parseClockSkew('3600')).toBe(3_600_000);
    expect(parseClockSkew('3600.000')).toBe(3_600_000);
    let thrown: unknown;
    try {
      parseClockSkew('3600.001');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: 'ARG_INVALID', detail: { option: 'clock-skew' } });
  });
});

describe('evoucher verify-seal --clock-skew', () => {
  it('exit 1 without it, 0 with it; a bad value exits 2', async () => {
    const args = ['verify-seal', f('SignedValue.dat'), '--data', f('Signature.xml'), '--trust', f('sm2-ca.pem'), ...at];
    const strict = await runCli(args);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('VERIFY_SIGNING_TIME_AFTER_VALIDATION');
    const allowed = await runCli([...args, '--clock-skew', '10']);
    expect(allowed.stderr).toBe('');
    expect(allowed.stdout).toContain('within the allowed clock skew of 10000 ms');
    expect(allowed.code).toBe(0);
    const bad = await runCli([...args, '--clock-skew=-3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('ARG_INVALID');
  });
});
