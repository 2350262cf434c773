/**
 * `--at` of `evoucher verify` and `verify-seal` (parseAt): ISO 8601 only, `YYYY-MM-DD` (midnight UTC) or
 * `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z` or `±HH:MM`; a date or time that does not exist is refused, never rolled
 * over, and a bad `--at` is a usage error (exit 2).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAt, parseTimeOption } from '../../src/cli/args.js';
import { isEvoucherError } from '../../src/errors.js';
import { PKI, sealedOriginal } from '../verify/helpers.js';
import { runCli } from './spawn_cli.js';

function refusal(value: string): string | undefined {
  try {
    parseAt(value);
  } catch (e) {
    return isEvoucherError(e) ? `${e.code} ${e.detail['option'] ?? ''}` : `not an EvoucherError: ${String(e)}`;
  }
  return undefined;
}

describe('parseAt', () => {
  it('is undefined (now) when the option is absent', () => {
    expect(parseAt(undefined)).toBeUndefined();
  });

  it.each([
    ['2026-01-20', '2026-01-20T00:00:00.000Z'],
    ['2026-01-20T00:00Z', '2026-01-20T00:00:00.000Z'],
    ['2026-01-20T08:00+08:00', '2026-01-20T00:00:00.000Z'],
    ['2026-01-20T00:00:00Z', '2026-01-20T00:00:00.000Z'],
    ['2026-01-20T00:00:00.5Z', '2026-01-20T00:00:00.500Z'],
    ['2026-01-20T00:00:00.123Z', '2026-01-20T00:00:00.123Z'],
    ['2026-01-20T00:00:00.123456789Z', '2026-01-20T00:00:00.123Z'],
    ['2026-01-19T19:30:00-04:30', '2026-01-20T00:00:00.000Z'],
    ['2026-01-20T00:00:00+00:00', '2026-01-20T00:00:00.000Z'],
    ['2026-01-20T00:00:00-00:00', '2026-01-20T00:00:00.000Z'],
    ['2026-01-01T05:00:00+14:00', '2025-12-31T15:00:00.000Z'],
    ['2024-02-29T23:59:59.999Z', '2024-02-29T23:59:59.999Z'],
    ['2026-12-31T23:59:59Z', '2026-12-31T23:59:59.000Z'],
    ['0050-06-01T00:00:00Z', '0050-06-01T00:00:00.000Z'],
  ])('accepts %s as %s', (value, iso) => {
    expect(parseAt(value)?.toISOString()).toBe(iso);
  });

  it.each([
    // impossible dates and times: never rolled over into another instant
    '2026-02-30T00:00:00Z',
    '2026-02-29',
    '2025-02-29T12:00:00Z',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-01-00',
    '2026-01-32T00:00:00Z',
    '2026-12-01T24:00:00Z',
    '2026-12-01T23:60:00Z',
    '2026-12-01T23:59:60Z',
    '2026-12-01T12:00:00+24:00',
    '2026-12-01T12:00:00+05:60',
    // not ISO 8601 (or read in local time): refused
    '2026-12-01 12:00 PM',
    '2026-12-01 (anything)',
    '2026-12-01 12:00:00Z',
    '2026-12-01T12:00:00',
    '2026-12-01T12:00',
    '2026-12-01T12Z',
    '2026-12-01T12:00:00+0800',
    '2026-12-01T12:00:00+08',
    '2026-12-01T12:00:00.Z',
    '2026-12-01T12:00:00.1234567890Z',
    '2026-12-01t12:00:00z',
    '2026-12-01Z',
    '2026-1-5',
    '+002026-12-01T00:00:00Z',
    '20261201T000000Z',
    '2026-W48-2',
    'Tue, 01 Dec 2026 00:00:00 GMT',
    '1764547200000',
    ' 2026-12-01',
    '2026-12-01\n',
    '',
  ])('refuses %j with ARG_INVALID naming the option', (value) => {
    expect(refusal(value)).toBe('ARG_INVALID at');
  });

  it('says what it takes', () => {
    expect(() => parseAt('2026-12-01 12:00 PM')).toThrow(/--at '2026-12-01 12:00 PM' is not an ISO 8601 time: use YYYY-MM-DD \(midnight UTC\) or YYYY-MM-DDTHH:MM\[:SS\[\.fff\]\] with Z or ±HH:MM/);
    expect(() => parseAt('2026-02-30T00:00:00Z')).toThrow("--at '2026-02-30T00:00:00Z' is not a date and time that exists");
  });
});

describe('evoucher verify / verify-seal --at', () => {
  let dir: string;
  const trust = ['--trust', join(PKI, 'trust')];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'evoucher-args-at-'));
    await writeFile(join(dir, 'ok.xml'), await sealedOriginal('p256'));
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 2 (usage error) on a bad --at, before reading any input', async () => {
    for (const at of ['2026-02-30T00:00:00Z', '2026-12-01 12:00 PM', '2026-12-01 (anything)', '2026-12-01T24:00:00Z']) {
      const v = await runCli(['verify', join(dir, 'ok.xml'), ...trust, '--at', at]);
      expect(v.code, at).toBe(2);
      expect(v.stdout).toBe('');
      expect(v.stderr).toMatch(/^evoucher verify: ARG_INVALID: --at '/);
      // Standard input is not waited on: the option is checked first.
      const s = await runCli(['verify-seal', '-', '--data', join(dir, 'ok.xml'), '--at', at]);
      expect(s.code, at).toBe(2);
      expect(s.stderr).toMatch(/^evoucher verify-seal: ARG_INVALID: --at '/);
    }
  });

  it('takes a date alone (midnight UTC) and a time with an offset, as the same instant', async () => {
    for (const at of ['2026-01-20', '2026-01-20T08:00+08:00', '2026-01-20T00:00:00.000Z']) {
      const r = await runCli(['verify', join(dir, 'ok.xml'), ...trust, '--at', at]);
      expect(r.stderr, at).toBe('');
      expect(r.code, at).toBe(0);
      expect(r.stdout).toContain('1 of 1 voucher(s) VALID (validation time 2026-01-20T00:00:00.000Z)');
    }
  });

  it('validate --at, pki verify --at and seal --time take the same forms: a day that does not exist is exit 2', async () => {
    const validate = await runCli(['validate', join(dir, 'ok.xml'), '--at', '2026-02-30T00:00:00Z']);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toMatch(/ARG_INVALID: --at '2026-02-30T00:00:00Z' is not a date and time that exists/);
    const pki = await runCli(['pki', 'verify', join(PKI, 'p256/root.cert.pem'), '--trust', join(PKI, 'trust'), '--at', '2026-01-20 12:00']);
    expect(pki.code).toBe(2);
    expect(pki.stderr).toMatch(/ARG_INVALID: --at '2026-01-20 12:00' is not an ISO 8601 time/);
    expect(() => parseTimeOption('2026-02-30T10:00:00+08:00', 'time')).toThrow(expect.objectContaining({ code: 'ARG_INVALID', detail: { option: 'time' } }));
    expect(() => parseTimeOption('2026-01-20T10:00:00', 'time')).toThrow(expect.objectContaining({ code: 'ARG_INVALID' }));
    expect(parseTimeOption('2026-01-20T10:00:00+08:00', 'time')?.toISOString()).toBe('2026-01-20T02:00:00.000Z');
  });
});
