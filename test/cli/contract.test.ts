/**
 * The CLI contract outside `verify`: what goes to standard output when `-o` names it, coded errors
 * (never a bare errno or a stack overflow), arguments node could not decode, and exit 2 always explained on
 * standard error.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSeal } from '../../src/seal/index.js';
import { parseEnvelope } from '../../src/voucher/index.js';
import { collectResult, ROOT, runCli } from './spawn_cli.js';

const PKI = join(ROOT, 'fixtures', 'pki');
let dir: string;
let pw: string;
const key = (family: string, role: string): string => `file:${join(PKI, family, `${role}.key.pem`)}?cert=${join(PKI, family, `${role}.cert.pem`)}&password-source=file:${pw}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-contract-'));
  pw = join(dir, 'pw');
  await writeFile(pw, 'evoucher-demo\n');
  expect((await runCli(['build', '--type', '5201', '--data', join(ROOT, 'examples', '5201.json'), '-o', join(dir, 'env.xml')])).code).toBe(0);
  expect((await runCli(['seal', join(dir, 'env.xml'), '--position', 'dw_gz', '--key', key('p256', 'dw'), '-o', join(dir, 'dw.xml')])).code).toBe(0);
  expect((await runCli(['seal', join(dir, 'dw.xml'), '--position', 'cz_zfzyz', '--key', key('p256', 'cz'), '-o', join(dir, 'cz.xml')])).code).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('-o /dev/stdout carries the output and nothing else', () => {
  it('appends to a file standard output appends to, never replaces it (`-o /dev/stdout >> log`)', async () => {
    const log = join(dir, 'append.log');
    await writeFile(log, 'EARLIER LINE\n');
    const fd = openSync(log, 'a');
    try {
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'evoucher.js'), 'build', '--type', '5201', '--data', join(ROOT, 'examples', '5201.json'), '-o', '/dev/stdout'], {
        stdio: ['ignore', fd, 'pipe'],
      });
      const r = await collectResult(child);
      expect(r.code).toBe(0);
    } finally {
      closeSync(fd);
    }
    const text = await readFile(log, 'latin1');
    expect(text.startsWith('EARLIER LINE\n<?xml')).toBe(true);
    expect(text.endsWith('</MOF>')).toBe(true);
  });

  it('seal', async () => {
    const r = await runCli(['seal', join(dir, 'env.xml'), '--position', 'dw_gz', '--key', key('p256', 'dw'), '-o', '/dev/stdout']);
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('</MOF>')).toBe(true);
    expect(parseEnvelope(new Uint8Array(r.stdoutBytes)).bodies[0]?.stamps).toHaveLength(1);
    expect(r.stderr).toBe('');
  });

  it('receipt', async () => {
    const r = await runCli(['receipt', join(dir, 'cz.xml'), '--set', 'XPayDate=20261128', '--set', 'XPayAmt=12680.50', '-o', '/dev/stdout']);
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('</MOF>')).toBe(true);
    expect(parseEnvelope(new Uint8Array(r.stdoutBytes)).bodies[0]?.voucherFlag).toBe('1');
    expect(r.stderr).toBe('');
  });

  it('seal-make', async () => {
    const r = await runCli([
      'seal-make', '--maker', key('sm2', 'maker'), '--holder', join(PKI, 'sm2', 'cz.cert.pem'), '--name', 'cz',
      '--valid-from', '2025-01-01', '--valid-to', '2030-12-31', '-o', '/dev/stdout',
    ]);
    expect(r.code).toBe(0);
    expect(parseSeal(new Uint8Array(r.stdoutBytes)).name).toBe('cz');
    expect(r.stderr).toBe('');
  });
});

describe('build: a DetailList far longer than the type allows', () => {
  it('is one VOUCHER_DETAIL_COUNT issue, not a stack overflow', async () => {
    const data = JSON.parse(await readFile(join(ROOT, 'examples', '5201.json'), 'utf8')) as Record<string, unknown>;
    data['DetailList'] = Array.from({ length: 200_000 }, () => ({ PayAmt: 1 }));
    const r = await runCli(['build', '--type', '5201', '--data', '-', '-o', join(dir, 'many.xml')], { input: JSON.stringify(data) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DetailList: VOUCHER_DETAIL_COUNT: 200000 detail lines');
    expect(r.stderr).not.toContain('call stack');
    expect(r.stderr.split('\n').length).toBeLessThan(10);
    expect(await readdir(dir)).not.toContain('many.xml');
  });
});

describe('an argument node could not decode (U+FFFD: a GBK file name) is refused, never another file used', () => {
  it('-o of build writes nothing', async () => {
    const r = await runCli(['build', '--type', '5201', '--data', join(ROOT, 'examples', '5201.json'), '-o', join(dir, 'o\ufffd.xml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ARG_INVALID: --output: .*U\+FFFD/);
    expect(await readdir(dir)).not.toContain('o\ufffd.xml');
  });

  it('an input of inspect is not read, even when a file of that name exists', async () => {
    const planted = join(dir, 'p\ufffd.xml');
    await writeFile(planted, await readFile(join(dir, 'env.xml')));
    const r = await runCli(['inspect', planted]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/ARG_INVALID: .*U\+FFFD/);
  });
});

describe('coded errors and exit 2 explained on standard error', () => {
  it('demo --out naming a file is ARG_IO', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    const r = await runCli(['demo', '--variant', 'cms', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^evoucher demo: ARG_IO: cannot create .*a-file: EEXIST\n$/);
  });

  it('demo --out under /proc ends with ARG_IO (Node 20\'s recursive mkdir looped forever there), and makes nested directories', async () => {
    const r = await runCli(['demo', '--variant', 'cms', '--out', '/proc/evoucher-no/such']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^evoucher demo: ARG_IO: cannot create \/proc\/evoucher-no\/such: ENOENT\n$/);
    const nested = join(dir, 'n1', 'n2', 'n3');
    const ok = await runCli(['demo', '--variant', 'cms', '--out', nested]);
    expect(ok.code).toBe(0);
    expect((await readdir(nested)).filter((f) => f.endsWith('.xml')).length).toBeGreaterThan(0);
    // An existing directory is used as it is.
    expect((await runCli(['demo', '--variant', 'cms', '--out', nested])).code).toBe(0);
    // A file in the middle of the path.
    await writeFile(join(dir, 'a-file-too'), '');
    const under = await runCli(['demo', '--variant', 'cms', '--out', join(dir, 'a-file-too', 'x')]);
    expect(under.code).toBe(2);
    expect(under.stderr).toMatch(/ARG_IO: cannot create .*a-file-too\/x: ENOTDIR\n$/);
  }, 120_000);

  it('makeDirectory: nested, existing, a file in the way, and /proc, each ending', async () => {
    const { makeDirectory } = await import('../../src/cli/args.js');
    const deep = join(dir, 'm1', 'm2', 'm3');
    await makeDirectory(deep);
    await makeDirectory(deep);
    expect(await readdir(join(dir, 'm1', 'm2'))).toEqual(['m3']);
    await writeFile(join(dir, 'm-file'), '');
    await expect(makeDirectory(join(dir, 'm-file'))).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(makeDirectory(join(dir, 'm-file', 'x', 'y'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(makeDirectory('/proc/evoucher-no/such/deep')).rejects.toMatchObject({ code: 'ENOENT' });
    // An empty path names no directory, as for mkdir: not the working directory.
    await expect(makeDirectory('')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('demo --out "" (an unset variable) is ARG_IO ENOENT, and writes nothing into the working directory', async () => {
    const cwd = join(dir, 'empty-out-cwd');
    await mkdir(cwd);
    const r = await runCli(['demo', '--variant', 'cms', '--out', ''], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^evoucher demo: ARG_IO: cannot create : ENOENT\n$/);
    expect(await readdir(cwd)).toEqual([]);
  }, 120_000);

  it('validate: an unreadable file is named on standard error in every format', async () => {
    for (const format of ['text', 'json', 'junit']) {
      const r = await runCli(['validate', join(dir, 'missing.xml'), '--format', format]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('ARG_IO: cannot read');
    }
  });

  it('pki without a subcommand: usage on standard error, exit 2', async () => {
    const r = await runCli(['pki']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('evoucher pki demo');
  });

  it('receipt --detail-set of a line past the end names that line', async () => {
    const r = await runCli(['receipt', join(dir, 'cz.xml'), '--set', 'XPayDate=20261128', '--set', 'XPayAmt=12680.50', '--detail-set', '9999:XPayAmt=1', '-o', join(dir, 'r.xml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DetailList[9999] does not exist in the original');
  });
});
