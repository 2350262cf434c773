import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvelope, parseVoucher } from '../../src/voucher/index.js';
import { ROOT, runCli } from './spawn_cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-build-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const example = (vt: string): string => join(ROOT, 'examples', `${vt}.json`);

describe('evoucher build', () => {
  it('builds a GBK envelope from an example (exit 0)', async () => {
    const out = join(dir, '5201.xml');
    const r = await runCli(['build', '--type', '5201', '--data', example('5201'), '-o', out]);
    expect(r.code).toBe(0);
    const bytes = new Uint8Array(await readFile(out));
    expect(Buffer.from(bytes.subarray(0, 38)).toString()).toBe('<?xml version="1.0" encoding="GBK"?><M');
    const env = parseEnvelope(bytes);
    expect(env.bodies[0]?.voucher?.fields.PayeeAcctName).toBe('北京某某办公用品有限公司');
    expect(env.bodies[0]?.voucher?.encoding).toBe('GBK');
  });

  it('reads the data from stdin, writes UTF-8, the Root variant, or a bare voucher to stdout', async () => {
    const data = await readFile(example('2302'), 'utf8');
    const r = await runCli(['build', '-t', '2302', '-d', '-', '--encoding', 'utf8', '--root', 'Root', '-o', '-'], { input: data });
    expect(r.code).toBe(0);
    const env = parseEnvelope(new Uint8Array(r.stdoutBytes));
    expect(env.root).toBe('Root');
    expect(env.bodies[0]?.voucher?.encoding).toBe('UTF-8');
    const bare = await runCli(['build', '-t', '2302', '-d', example('2302'), '--bare', '-o', '-']);
    expect(bare.code).toBe(0);
    expect(parseVoucher(new Uint8Array(bare.stdoutBytes)).fields.PayAmt).toBe('-12680.50');
  });

  it('prints every problem and exits 2 without writing on invalid data', async () => {
    const data = JSON.parse(await readFile(example('5201'), 'utf8')) as Record<string, unknown>;
    data.PayAmt = 12680.5;
    data.VouDate = '20251332';
    data.Unknown = 'x';
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify(data));
    const out = join(dir, 'bad.xml');
    const r = await runCli(['build', '--type', '5201', '--data', file, '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PayAmt: VOUCHER_FIELD_TYPE');
    expect(r.stderr).toContain('VouDate: VOUCHER_DATE_FORMAT');
    expect(r.stderr).toContain('Unknown: VOUCHER_FIELD_UNKNOWN');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a character GBK cannot encode', async () => {
    const data = JSON.parse(await readFile(example('5209'), 'utf8')) as Record<string, unknown>;
    data.PayeeAcctName = '某某😀公司';
    const r = await runCli(['build', '-t', '5209', '-d', '-', '-o', '-'], { input: JSON.stringify(data) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PayeeAcctName: VOUCHER_CHAR_UNMAPPABLE');
    expect(r.stdout).toBe('');
  });

  it('exits 2 on usage and I/O errors', async () => {
    expect((await runCli(['build', '--data', example('5201'), '-o', '-'])).code).toBe(2);
    expect((await runCli(['build', '--type', '5201', '--data', join(dir, 'missing.json'), '-o', '-'])).stderr).toContain('ARG_IO');
    expect((await runCli(['build', '--type', '9999', '--data', example('5201'), '-o', '-'])).stderr).toContain('VOUCHER_UNKNOWN_TYPE');
    expect((await runCli(['build', '--type', '5201', '--data', '-', '-o', '-'], { input: '{not json' })).code).toBe(2);
    expect((await runCli(['build', '--type', '5201', '--data', example('5201'), '-o', '-', '--encoding', 'latin1'])).code).toBe(2);
    expect((await runCli(['build', '--bogus'])).code).toBe(2);
    const help = await runCli(['build', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: evoucher build');
  });

  it('refuses data with a key given twice, or bytes that are not UTF-8, and writes nothing', async () => {
    const text = await readFile(example('5201'), 'utf8');
    // A second PayAmt after the first: JSON.parse would take it silently.
    const twice = text.replace(/"PayAmt":\s*"([^"]*)"/, '"PayAmt": "$1", "PayAmt": "99999.00"');
    expect(twice).not.toBe(text);
    const out = join(dir, 'twice.xml');
    const r = await runCli(['build', '-t', '5201', '-d', '-', '-o', out], { input: twice });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ARG_INVALID');
    expect(r.stderr).toContain("the key 'PayAmt' appears twice in $");
    expect(existsSync(out)).toBe(false);
    // The same key in two different objects is fine.
    const lines = JSON.parse(text) as { DetailList?: unknown[] };
    expect((lines.DetailList ?? []).length).toBeGreaterThan(0);
    expect((await runCli(['build', '-t', '5201', '-d', example('5201'), '-o', '-'])).code).toBe(0);
    // Latin-1 bytes of "é" in a name: refused, not read as U+FFFD.
    const bad = Buffer.concat([Buffer.from(text.replace('北京某某办公用品有限公司', 'X')).subarray(0, 20), Buffer.from([0xe9]), Buffer.from(text).subarray(20)]);
    const u = await runCli(['build', '-t', '5201', '-d', '-', '-o', '-'], { input: bad });
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('not UTF-8');
    expect(u.stdout).toBe('');
  });

  it('is listed by evoucher --help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['build', 'inspect', 'validate']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    // No command at all: a usage error, the usage on standard error.
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^  build /m);
  });

  it('writes GBK text that iconv reads back identically', async () => {
    const out = join(dir, '8202.xml');
    expect((await runCli(['build', '-t', '8202', '-d', example('8202'), '-o', out])).code).toBe(0);
    const env = parseEnvelope(new Uint8Array(await readFile(out)));
    const voucherText = iconv.decode(Buffer.from(env.bodies[0]?.voucherBytes ?? []), 'gbk');
    expect(voucherText).toContain('<AgencyName>北京市某区卫生健康委员会</AgencyName>');
  });
});
