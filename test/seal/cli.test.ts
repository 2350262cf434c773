import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../src/voucher/index.js';
import { runCli } from '../cli/spawn_cli.js';
import { opensslPki, type OpensslPki } from './helpers.js';

let pki: OpensslPki;
let dir: string;
const uri = (name: string): string => `file:${join(pki.dir, `${name}.key`)}?cert=${join(pki.dir, `${name}.pem`)}`;

beforeAll(async () => {
  pki = await opensslPki({ dw: { kind: 'ec', party: 'dw' }, cz: { kind: 'ec', party: 'cz' }, yh: { kind: 'ec', party: 'yh' } });
  dir = await mkdtemp(join(tmpdir(), 'evoucher-seal-cli-'));
}, 120_000);
afterAll(async () => {
  await pki?.cleanup();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('evoucher positions', () => {
  it('lists 5201 as JSON with the required keys', async () => {
    const r = await runCli(['positions', '--type', '5201', '--format', 'json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(list.map((p) => p['id'])).toEqual(['dw_gz', 'cz_zfzyz', 'cz_sz', 'yh_zqz', 'rh_zqz']);
    for (const p of list) for (const k of ['id', 'name', 'party', 'sealTypes', 'sequence', 'required', 'view']) expect(p).toHaveProperty(k);
  });
  it('prints text, applies a policy file, and rejects a bad one with exit 2', async () => {
    const text = await runCli(['positions', '--type', '8202']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('dw_cwzyz');
    const policy = join(dir, 'p.json');
    await writeFile(policy, JSON.stringify({ version: 1, types: { '8202': { positions: [{ id: 'dw_cwzyz', sequence: 1 }, { id: 'yh_zqz', sequence: 2, view: 'receipt' }] } } }));
    const withPolicy = await runCli(['positions', '--type', '8202', '--policy', policy, '--format', 'json']);
    expect((JSON.parse(withPolicy.stdout) as unknown[]).length).toBe(2);
    await writeFile(policy, JSON.stringify({ version: 1, types: { '8202': { positions: [{ id: 'dw_cwzyz' }] } } }));
    const bad = await runCli(['positions', '--type', '8202', '--policy', policy]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('POLICY_INVALID');
    expect((await runCli(['positions', '--type', '9999'])).code).toBe(2);
  });
  it('refuses an --adm-div that is no AdmDivCode (6 digits) with exit 2, takes one that is', async () => {
    for (const code of ['11000', '1100001', '11000a', '']) {
      const r = await runCli(['positions', '--type', '5201', '--adm-div', code]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('ARG_INVALID');
    }
    const ok = await runCli(['positions', '--type', '5201', '--adm-div', '110000']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('AdmDivCode 110000');
  });
});

describe('evoucher seal and receipt', () => {
  it('seals 8202 in layers, refuses with exit 1, fills a receipt, refuses a non-X field with exit 2', async () => {
    const env = join(dir, '8202.xml');
    const built = await runCli(['build', '--type', '8202', '--data', 'examples/8202.json', '-o', env]);
    expect(built.code).toBe(0);
    const s1 = join(dir, 's1.xml');
    const t = new Date(Date.now() + 60_000).toISOString();
    const r1 = await runCli(['seal', env, '--position', 'dw_cwzyz', '--key', uri('dw'), '--time', t, '-o', s1]);
    // The status line on standard error (standard output carries data only).
    expect(r1.stderr).toBe(`sealed dw_cwzyz → ${s1}\n`);
    expect(r1.stdout).toBe('');
    expect(r1.code).toBe(0);
    expect(parseEnvelope(new Uint8Array(await readFile(s1))).bodies[0]?.stamps.map((s) => s.position)).toEqual(['dw_cwzyz']);

    const refused = await runCli(['seal', s1, '--position', 'dw_sz', '--key', uri('cz'), '-o', join(dir, 'x.xml')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('POLICY_PARTY_MISMATCH');

    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
    const rec = join(dir, 'r.xml');
    const r2 = await runCli(['receipt', s1, '--set', `XPayDate=${today}`, '--set', 'XAgentBusinessNo=B0001', '--set', 'XPayAmt=3250.00', '-o', rec]);
    expect(r2.stderr).toBe(`receipt → ${rec}\n`);
    expect(r2.code).toBe(0);
    const nonX = await runCli(['receipt', s1, '--set', 'PayAmt=1.00', '-o', join(dir, 'y.xml')]);
    expect(nonX.code).toBe(2);
    expect(nonX.stderr).toContain('VOUCHER_RECEIPT_FIELD_FORBIDDEN');
    const unknown = await runCli(['receipt', s1, '--set', 'XNoSuchField=1', '-o', join(dir, 'y.xml')]);
    expect(unknown.code).toBe(2);

    const r3 = await runCli(['seal', rec, '--position', 'yh_zqz', '--key', uri('yh'), '--time', new Date(Date.now() + 120_000).toISOString(), '-o', join(dir, 'r3.xml')]);
    expect(r3.stderr).toBe(`sealed yh_zqz → ${join(dir, 'r3.xml')}\n`);
    expect(r3.code).toBe(0);
    const body = parseEnvelope(new Uint8Array(await readFile(join(dir, 'r3.xml')))).bodies[0]!;
    expect(body.voucherFlag).toBe('1');
    expect(body.stamps.map((s) => `${s.position}/${s.view}`)).toEqual(['dw_cwzyz/original', 'yh_zqz/receipt']);
  });

  it('usage errors exit 2', async () => {
    expect((await runCli(['seal', '--position', 'dw_gz'])).code).toBe(2);
    expect((await runCli(['seal', 'nofile.xml', '--position', 'dw_gz', '--key', uri('dw'), '-o', join(dir, 'z.xml')])).code).toBe(2);
    expect((await runCli(['seal', 'x.xml', '--position', 'dw_gz', '--key', uri('dw'), '--format', 'xml', '-o', 'z'])).code).toBe(2);
  });

  it('receipt --detail-set fills X-fields of detail lines; a bad assignment is a usage error', async () => {
    const env = join(dir, '5201.xml');
    expect((await runCli(['build', '--type', '5201', '--data', 'examples/5201.json', '-o', env])).code).toBe(0);
    const sealed = join(dir, '5201s.xml');
    const r1 = await runCli(['seal', env, '--position', 'cz_zfzyz', '--key', uri('cz'), '--time', new Date(Date.now() + 60_000).toISOString(), '-o', sealed]);
    expect(r1.code).toBe(0);
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
    const rec = join(dir, '5201r.xml');
    const r = await runCli(['receipt', sealed, '--set', `XPayDate=${today}`, '--set', 'XPayAmt=12680.50', '--detail-set', '1:XPayAmt=4680.50', '--detail-set', '1:XAddWord=ok', '-o', rec]);
    expect(r.stderr).toBe(`receipt → ${rec}\n`);
    expect(r.code).toBe(0);
    const body = parseEnvelope(new Uint8Array(await readFile(rec))).bodies[0]!;
    expect(body.voucher?.details[1]?.['XPayAmt']).toBe('4680.50');
    expect(body.voucher?.details[0]?.['XPayAmt'] ?? '').toBe('');
    expect((await runCli(['receipt', sealed, '--detail-set', 'XPayAmt=1', '-o', join(dir, 'q.xml')])).code).toBe(2);
    expect((await runCli(['receipt', sealed, '--detail-set', '0:PayAmt=1.00', '-o', join(dir, 'q.xml')])).code).toBe(2);
    // The same field twice is a usage error, not the last one silently winning.
    const twice = await runCli(['receipt', sealed, '--set', `XPayDate=${today}`, '--set', 'XPayDate=20000101', '--set', 'XPayAmt=12680.50', '-o', join(dir, 'q.xml')]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('--set XPayDate is given twice');
    expect((await runCli(['receipt', sealed, '--detail-set', '1:XPayAmt=1.00', '--detail-set', '1:XPayAmt=2.00', '-o', join(dir, 'q.xml')])).code).toBe(2);
  });

  it('a key that does not open for its certificate is a refusal (exit 1), as when sealing finds it out', async () => {
    const env = join(dir, 'k.xml');
    expect((await runCli(['build', '--type', '8202', '--data', 'examples/8202.json', '-o', env])).code).toBe(0);
    const mismatched = `file:${join(pki.dir, 'dw.key')}?cert=${join(pki.dir, 'cz.pem')}`;
    const r = await runCli(['seal', env, '--position', 'dw_cwzyz', '--key', mismatched, '-o', join(dir, 'k2.xml')]);
    expect(r.stderr).toContain('KEY_CERT_MISMATCH');
    expect(r.code).toBe(1);
  });
});
