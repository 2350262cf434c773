import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDocument, formatDescription } from '../../src/cli/commands/inspect.js';
import { buildVoucher, fillReceipt, serializeVoucher, writeEnvelope } from '../../src/voucher/index.js';
import { asData, example, NOW } from '../voucher/helpers.js';
import { runCli } from './spawn_cli.js';

let dir: string;
const original = buildVoucher('5201', asData(example('5201')), { now: NOW });
const receipt = fillReceipt(original, { XPayDate: '20251128', XPayAmt: '12680.50' }, [], { now: NOW });
const stamp = (position: string, sequence: number, view: 'original' | 'receipt') => ({
  position,
  sequence,
  format: 'ses',
  view,
  bytes: new Uint8Array(100 + sequence),
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-inspect-'));
  await writeFile(
    join(dir, 'receipt.xml'),
    writeEnvelope([
      {
        voucherBytes: serializeVoucher(receipt),
        voucherFlag: '1',
        attach: 'SUCCESS',
        originalVoucherBytes: serializeVoucher(original),
        stamps: [stamp('cz_zfzyz', 2, 'original'), stamp('yh_zqz', 4, 'receipt')],
      },
    ]),
  );
  await writeFile(join(dir, 'voucher.xml'), serializeVoucher(original));
  await writeFile(join(dir, 'broken.xml'), '<?xml version="1.0"?><!DOCTYPE x><MOF/>');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('evoucher inspect', () => {
  it('shows an envelope as JSON: bodies, decoded vouchers and stamps', async () => {
    const r = await runCli(['inspect', join(dir, 'receipt.xml'), '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      kind: string;
      bodies: { voucherFlag: string; attach: string; voucher: { fields: Record<string, string> }; originalVoucher: { fields: Record<string, string> }; stamps: unknown[] }[];
    };
    expect(j.kind).toBe('envelope');
    const b = j.bodies[0];
    expect(b?.voucherFlag).toBe('1');
    expect(b?.attach).toBe('SUCCESS');
    expect(b?.voucher.fields.XPayAmt).toBe('12680.50');
    expect(b?.originalVoucher.fields.XPayAmt).toBe('');
    expect(b?.stamps).toMatchObject([
      { position: 'cz_zfzyz', sequence: 2, format: 'ses', view: 'original', size: 102 },
      { position: 'yh_zqz', sequence: 4, format: 'ses', view: 'receipt', size: 104 },
    ]);
  });

  it('shows text with Chinese labels and the stamps list', async () => {
    const r = await runCli(['inspect', join(dir, 'receipt.xml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('VoucherBody[0] 5201 ZF2025112800001');
    expect(r.stdout).toMatch(/PayeeAcctName\s+北京某某办公用品有限公司\s+\(收款人名称\)/);
    expect(r.stdout).toContain('#4 yh_zqz ses receipt 104 bytes');
  });

  it('shows a bare voucher, also from stdin', async () => {
    const r = await runCli(['inspect', join(dir, 'voucher.xml'), '-f', 'json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { kind: string }).kind).toBe('voucher');
    const s = await runCli(['inspect', '-'], { input: serializeVoucher(original) });
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('voucher 5201 财政直接支付凭证');
  });

  it('exits 1 on an unreadable document and 2 on usage or I/O errors', async () => {
    const r = await runCli(['inspect', join(dir, 'broken.xml'), '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ERROR', error: { code: 'XML_DOCTYPE_FORBIDDEN' } });
    expect((await runCli(['inspect', join(dir, 'broken.xml')])).stderr).toContain('XML_DOCTYPE_FORBIDDEN');
    expect((await runCli(['inspect', join(dir, 'nope.xml')])).code).toBe(2);
    // Asked for JSON, an unreadable file gets its entry on standard output too, and its reason on standard error.
    const missing = await runCli(['inspect', join(dir, 'nope.xml'), '--format', 'json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({ file: join(dir, 'nope.xml'), status: 'ERROR', error: { code: 'ARG_IO' } });
    expect(missing.stderr).toContain('ARG_IO');
    expect((await runCli(['inspect'])).code).toBe(2);
    expect((await runCli(['inspect', 'a', 'b'])).code).toBe(2);
    expect((await runCli(['inspect', join(dir, 'voucher.xml'), '--format', 'junit'])).code).toBe(2);
  });

  it('lets a caller add decoded facts to each stamp (describeStamp)', () => {
    const bytes = writeEnvelope([{ voucherBytes: serializeVoucher(original), stamps: [stamp('cz_zfzyz', 2, 'original')] }]);
    const d = describeDocument(bytes, { describeStamp: (s) => ({ signer: `CN=${s.position}` }) });
    expect(d.kind === 'envelope' ? d.bodies[0]?.stamps[0] : undefined).toEqual({
      position: 'cz_zfzyz',
      sequence: 2,
      format: 'ses',
      view: 'original',
      size: 102,
      signer: 'CN=cz_zfzyz',
    });
    expect(formatDescription(d).join('\n')).toContain('#2 cz_zfzyz ses original 102 bytes signer=CN=cz_zfzyz');
  });
});
