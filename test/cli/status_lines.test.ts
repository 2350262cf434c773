/**
 * Standard output carries a command's data only, when the data is its output; the line saying what a command did
 * (`wrote …`, `sealed … → …`) goes to standard error, in every command that writes a file. With `-o -` standard
 * output is the data alone and nothing is said.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSeal } from '../../src/seal/index.js';
import { parseEnvelope } from '../../src/voucher/index.js';
import { ROOT, runCli, type CliResult } from './spawn_cli.js';

const PKI = join(ROOT, 'fixtures', 'pki');
let dir: string;
let pw: string;
const f = (name: string): string => join(dir, name);
const key = (family: string, role: string): string => `file:${join(PKI, family, `${role}.key.pem`)}?cert=${join(PKI, family, `${role}.cert.pem`)}&password-source=file:${pw}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-status-'));
  pw = f('pw');
  await writeFile(pw, 'evoucher-demo\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Nothing on standard output, exit 0, and standard error exactly the status lines. */
function saysOnStderr(r: CliResult, lines: RegExp): void {
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(lines);
  expect(r.code).toBe(0);
}

describe('status lines go to standard error, standard output stays empty', () => {
  it('build, seal, receipt, seal-make (-o file) and pki demo (--out dir)', async () => {
    saysOnStderr(await runCli(['build', '--type', '5201', '--data', join(ROOT, 'examples', '5201.json'), '-o', f('env.xml')]), /^wrote .*env\.xml \(envelope 5201, GBK, \d+ bytes\)\n$/);
    saysOnStderr(await runCli(['seal', f('env.xml'), '--position', 'dw_gz', '--key', key('p256', 'dw'), '-o', f('dw.xml')]), /^sealed dw_gz → .*dw\.xml\n$/);
    saysOnStderr(await runCli(['seal', f('dw.xml'), '--position', 'cz_zfzyz', '--key', key('p256', 'cz'), '-o', f('cz.xml')]), /^sealed cz_zfzyz → .*cz\.xml\n$/);
    saysOnStderr(await runCli(['receipt', f('cz.xml'), '--set', 'XPayDate=20261128', '--set', 'XPayAmt=12680.50', '-o', f('r.xml')]), /^receipt → .*r\.xml\n$/);
    saysOnStderr(
      await runCli([
        'seal-make', '--maker', key('sm2', 'maker'), '--holder', join(PKI, 'sm2', 'cz.cert.pem'), '--name', 'cz',
        '--valid-from', '2025-01-01', '--valid-to', '2030-12-31', '-o', f('cz.esl'),
      ]),
      /^seal \S+ "cz" for 1 holder\(s\), valid .* → .*cz\.esl\n$/,
    );
    saysOnStderr(await runCli(['pki', 'demo', '--out', f('pki')]), /^wrote 81 files \(24 certificates\) to .*pki\ntest-only keys, never use in production\. password: evoucher-demo; see .*README\.md\n$/);
    // What was said was done.
    expect(parseEnvelope(new Uint8Array(await readFile(f('r.xml')))).bodies[0]?.voucherFlag).toBe('1');
    expect(await readdir(f('pki'))).toContain('manifest.json');
  }, 120_000);

  it('demo --out: its report is its output (standard output), the envelopes written without a word', async () => {
    const r = await runCli(['demo', '--variant', 'cms', '--out', f('demo')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^evoucher demo \(demo PKI: /);
    expect((await readdir(f('demo'))).sort()).toEqual(['5201-cms-original.xml', '5201-cms-receipt.xml', '8202-cms-original.xml', '8202-cms-receipt.xml']);
  }, 60_000);

  it('-o -: the data alone on standard output, nothing on standard error', async () => {
    const built = await runCli(['build', '--type', '5201', '--data', join(ROOT, 'examples', '5201.json'), '-o', '-']);
    expect(built.code).toBe(0);
    expect(built.stderr).toBe('');
    expect(parseEnvelope(new Uint8Array(built.stdoutBytes)).bodies).toHaveLength(1);
    const made = await runCli(['seal-make', '--maker', key('sm2', 'maker'), '--holder', join(PKI, 'sm2', 'cz.cert.pem'), '--name', 'cz', '--valid-from', '2025-01-01', '--valid-to', '2030-12-31', '-o', '-']);
    expect(made.code).toBe(0);
    expect(made.stderr).toBe('');
    expect(parseSeal(new Uint8Array(made.stdoutBytes)).name).toBe('cz');
  });
});
