/**
 * Inputs of `evoucher verify` and `verify-seal` that cannot be read as asked are usage or I/O errors (exit 2),
 * refused at once: standard input named twice (its second reader would get nothing), and a `--trust` path that
 * is a named pipe or a device.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseStdinTwice } from '../../src/cli/args.js';
import { AT, PKI, sealedOriginal } from '../verify/helpers.js';
import { runCli, type CliResult } from './spawn_cli.js';

let dir: string;
let envelope: Uint8Array;
const TRUST = join(PKI, 'trust');
const f = (name: string): string => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-stdin-cli-'));
  envelope = await sealedOriginal('p256');
  await writeFile(f('ok.xml'), envelope);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectUsageError(r: CliResult, command: string, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(new RegExp(`^evoucher ${command}: ARG_INVALID: `));
  expect(r.stderr).toMatch(message);
}

describe('standard input named twice', () => {
  it('refuseStdinTwice names both uses and the option, and lets one use through', () => {
    expect(() => refuseStdinTwice([{ path: '-', as: 'an envelope' }, { path: 'a.xml', as: 'an envelope' }, { path: undefined, as: 'the data', option: 'data' }])).not.toThrow();
    expect(() => refuseStdinTwice([{ path: '-', as: 'the seal signature' }, { path: '-', as: 'the data', option: 'data' }])).toThrow(
      expect.objectContaining({ code: 'ARG_INVALID', message: '--data -: standard input cannot be both the seal signature and the data (it can be read only once)', detail: { option: 'data', path: '-' } }),
    );
    expect(() => refuseStdinTwice([{ path: '-', as: 'an envelope' }, { path: '-', as: 'an envelope' }])).toThrow(
      expect.objectContaining({ code: 'ARG_INVALID', message: 'standard input cannot be an envelope twice (it can be read only once)', detail: { path: '-' } }),
    );
  });

  it('verify - - is a usage error (exit 2), not an empty second envelope', async () => {
    const r = await runCli(['verify', '-', '-', '--trust', TRUST, '--at', AT.toISOString()], { input: envelope });
    expectUsageError(r, 'verify', /standard input cannot be an envelope twice \(it can be read only once\)/);
  });

  it('verify refuses - for an envelope and for --policy, --crl or --intermediate, and - for two of those', async () => {
    const base = ['--trust', TRUST, '--at', AT.toISOString()];
    expectUsageError(await runCli(['verify', '-', '--policy', '-', ...base], { input: envelope }), 'verify', /--policy -: standard input cannot be both an envelope and the policy/);
    expectUsageError(await runCli(['verify', '-', '--crl', '-', ...base], { input: envelope }), 'verify', /--crl -: standard input cannot be both an envelope and a CRL/);
    expectUsageError(await runCli(['verify', '-', '--intermediate', '-', ...base], { input: envelope }), 'verify', /--intermediate -: standard input cannot be both an envelope and an intermediate/);
    expectUsageError(await runCli(['verify', f('ok.xml'), '--crl', '-', '--crl', '-', ...base]), 'verify', /--crl -: standard input cannot be a CRL twice/);
    // --files-from - already refused an envelope on standard input; the message stays.
    expectUsageError(await runCli(['verify', '-', '--files-from', '-', ...base], { input: '' }), 'verify', /--files-from -: standard input cannot be both the list and an envelope/);
  });

  it('verify - alone, and - with other inputs from files, still read standard input', async () => {
    const r = await runCli(['verify', '-', f('ok.xml'), '--trust', TRUST, '--at', AT.toISOString(), '--format', 'json'], { input: envelope });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { file: string; status: string }[]).map((x) => [x.file === '-' ? '-' : x.file.slice(-6), x.status])).toEqual([
      ['-', 'VALID'],
      ['ok.xml', 'VALID'],
    ]);
  });

  it('validate - - and seal - --policy - are usage errors too (exit 2)', async () => {
    expectUsageError(await runCli(['validate', '-', '-'], { input: envelope }), 'validate', /standard input cannot be/);
    expectUsageError(await runCli(['seal', '-', '--policy', '-', '--position', 'dw_gz', '--key', 'file:k.pem', '-o', f('x.xml')], { input: envelope }), 'seal', /--policy -: standard input cannot be both the envelope and the policy/);
  });

  it('verify-seal - --data - is a usage error (exit 2)', async () => {
    expectUsageError(await runCli(['verify-seal', '-', '--data', '-'], { input: envelope }), 'verify-seal', /--data -: standard input cannot be both the seal signature and the data \(it can be read only once\)/);
    expectUsageError(await runCli(['verify-seal', f('ok.xml'), '--data', '-', '--crl', '-'], { input: envelope }), 'verify-seal', /--crl -: standard input cannot be both the data and a CRL/);
  });

  it('verify-seal reads standard input once as asked (--data -): no usage error', async () => {
    const r = await runCli(['verify-seal', f('ok.xml'), '--data', '-'], { input: envelope });
    // Not a seal signature: the verdict is INVALID (1), and the command did read and judge it.
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
  });
});

describe('--trust that is not a regular file', () => {
  let fifo: string | undefined;
  let why = '';
  beforeAll(() => {
    try {
      execFileSync('mkfifo', [f('trust.fifo')], { stdio: 'pipe' });
      fifo = f('trust.fifo');
    } catch (e) {
      why = `mkfifo is unavailable here: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
      process.stderr.write(`stdin_inputs.test.ts: FIFO test skipped (${why})\n`);
    }
  });

  it('a named pipe: verify and verify-seal exit 2 with ARG_IO at once (no writer is waited for)', async (ctx) => {
    if (fifo === undefined) return ctx.skip(why);
    const started = Date.now();
    const v = await runCli(['verify', f('ok.xml'), '--trust', fifo, '--at', AT.toISOString()]);
    expect(v.code).toBe(2);
    expect(v.stderr).toBe(`evoucher verify: ARG_IO: trust file ${fifo} is not a regular file\n`);
    const s = await runCli(['verify-seal', f('ok.xml'), '--data', f('ok.xml'), '--trust', fifo]);
    expect(s.code).toBe(2);
    expect(s.stderr).toBe(`evoucher verify-seal: ARG_IO: trust file ${fifo} is not a regular file\n`);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);

  it('pki verify reads its certificate and --crl files the same way: a named pipe or /dev/zero is exit 2 at once', async (ctx) => {
    const root = join(PKI, 'p256', 'root.cert.pem');
    const zero = await runCli(['pki', 'verify', '/dev/zero', '--trust', root]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('ARG_IO');
    const crl = await runCli(['pki', 'verify', root, '--trust', root, '--crl', '/dev/zero']);
    expect(crl.code).toBe(2);
    expect(crl.stderr).toContain('ARG_IO');
    if (fifo === undefined) return ctx.skip(why);
    const p = await runCli(['pki', 'verify', fifo, '--trust', root]);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('ARG_IO');
  }, 30_000);

  it('/dev/zero: exit 2 with ARG_IO, nothing read', async () => {
    const v = await runCli(['verify', f('ok.xml'), '--trust', '/dev/zero', '--at', AT.toISOString()]);
    expect(v.code).toBe(2);
    expect(v.stderr).toBe('evoucher verify: ARG_IO: trust file /dev/zero is not a regular file\n');
  });
});
