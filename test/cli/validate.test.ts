import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJunit } from '../../src/cli/output.js';
import { buildVoucher, createEnvelope, fillReceipt, serializeVoucher, writeEnvelope } from '../../src/voucher/index.js';
import type { Voucher } from '../../src/voucher/index.js';
import { asData, example, NOW } from '../voucher/helpers.js';
import { ROOT, runCli } from './spawn_cli.js';

let dir: string;
const at = ['--at', NOW.toISOString()];
const v5201 = buildVoucher('5201', asData(example('5201')), { now: NOW });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-validate-'));
  await writeFile(join(dir, 'ok.xml'), createEnvelope([v5201, buildVoucher('2301', asData(example('2301')), { now: NOW })]));
  await writeFile(join(dir, 'bare.xml'), serializeVoucher(v5201));
  // Structurally fine, but the amount no longer matches the details and an X-field is filled.
  const bad: Voucher = { ...v5201, fields: { ...v5201.fields, PayAmt: '99999.00', XPayDate: '20251128' } };
  await writeFile(join(dir, 'bad.xml'), createEnvelope([bad]));
  // A receipt whose payee was changed: only X-fields may differ from the original.
  const receipt = fillReceipt(v5201, { XPayDate: '20251128', XPayAmt: '12680.50' }, [], { now: NOW });
  const forged: Voucher = { ...receipt, fields: { ...receipt.fields, PayeeAcctNo: '6200000000000000' } };
  await writeFile(join(dir, 'receipt_ok.xml'), writeEnvelope([{ voucherBytes: serializeVoucher(receipt), voucherFlag: '1', originalVoucherBytes: serializeVoucher(v5201) }]));
  await writeFile(join(dir, 'receipt_forged.xml'), writeEnvelope([{ voucherBytes: serializeVoucher(forged), voucherFlag: '1', originalVoucherBytes: serializeVoucher(v5201) }]));
  // The same receipt without its original: nothing shows what the receipt changed.
  await writeFile(join(dir, 'receipt_alone.xml'), writeEnvelope([{ voucherBytes: serializeVoucher(forged), voucherFlag: '1' }]));
  await writeFile(join(dir, 'dtd.xml'), '<?xml version="1.0" encoding="GBK"?><!DOCTYPE MOF><MOF/>');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const f = (name: string): string => join(dir, name);

describe('evoucher validate', () => {
  it('exits 0 when every file is valid (envelopes, bare vouchers, receipts)', async () => {
    const r = await runCli(['validate', f('ok.xml'), f('bare.xml'), f('receipt_ok.xml'), ...at]);
    expect(r.stdout).toContain('3 of 3 file(s) valid');
    expect(r.code).toBe(0);
  });

  it('exits 1 and lists the problems when a file is invalid', async () => {
    const r = await runCli(['validate', f('ok.xml'), f('bad.xml'), ...at]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('PayAmt: VOUCHER_AMOUNT_SUM');
    expect(r.stdout).toContain('XPayDate: VOUCHER_X_FIELD_NOT_EMPTY');
    expect(r.stdout).toContain('1 of 2 file(s) valid');
  });

  it('reports a receipt that changes a non-X field, and a hostile document', async () => {
    const r = await runCli(['validate', f('receipt_forged.xml'), f('dtd.xml'), '--format', 'json', ...at]);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout) as { file: string; status: string; vouchers: { issues: { code: string; path: string }[] }[]; error?: { code: string } }[];
    expect(results.map((x) => x.status)).toEqual(['invalid', 'invalid']);
    expect(results[0]?.vouchers[0]?.issues).toEqual([expect.objectContaining({ code: 'VOUCHER_RECEIPT_FIELD_FORBIDDEN', path: 'PayeeAcctNo' })]);
    expect(results[1]?.error?.code).toBe('XML_DOCTYPE_FORBIDDEN');
  });

  it('a receipt body without its OriginalVoucher is invalid (VERIFY_ORIGINAL_MISSING), as verify judges it', async () => {
    const r = await runCli(['validate', f('receipt_alone.xml'), '--format', 'json', ...at]);
    expect(r.code).toBe(1);
    const [result] = JSON.parse(r.stdout) as { status: string; vouchers: { view: string; issues: { code: string; path: string }[] }[] }[];
    expect(result?.status).toBe('invalid');
    expect(result?.vouchers[0]?.view).toBe('receipt');
    expect(result?.vouchers[0]?.issues).toEqual([expect.objectContaining({ code: 'VERIFY_ORIGINAL_MISSING', path: 'OriginalVoucher' })]);
  });

  it('an envelope without a voucher is invalid (ENVELOPE_MALFORMED), as verify judges it', async () => {
    await writeFile(f('empty.xml'), '<?xml version="1.0" encoding="UTF-8"?><MOF><VoucherCount>0</VoucherCount></MOF>');
    const r = await runCli(['validate', f('empty.xml'), '--format', 'json', ...at]);
    expect(r.code).toBe(1);
    const [result] = JSON.parse(r.stdout) as { status: string; vouchers: unknown[]; error?: { code: string } }[];
    expect(result).toMatchObject({ status: 'invalid', vouchers: [], error: { code: 'ENVELOPE_MALFORMED' } });
  });

  it('validates the bundled examples built by evoucher build', async () => {
    const out = f('built.xml');
    expect((await runCli(['build', '-t', '5106', '-d', join(ROOT, 'examples', '5106.json'), '-o', out])).code).toBe(0);
    expect((await runCli(['validate', out])).code).toBe(0);
  });

  it('writes JUnit XML for CI', async () => {
    const r = await runCli(['validate', f('ok.xml'), f('bad.xml'), f('dtd.xml'), '--format', 'junit', ...at]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites tests="4" failures="2" errors="0" skipped="0">/);
    expect(r.stdout).toContain('<testcase name="VoucherBody[0] 5201 ZF2025112800001"');
    expect(r.stdout).toContain('type="VOUCHER_X_FIELD_NOT_EMPTY"');
    expect(r.stdout).toContain('PayAmt: VOUCHER_AMOUNT_SUM');
    expect(r.stdout).toContain('type="XML_DOCTYPE_FORBIDDEN"');
  });

  it('exits 2 on usage errors and unreadable files', async () => {
    expect((await runCli(['validate'])).code).toBe(2);
    expect((await runCli(['validate', f('ok.xml'), '--format', 'yaml'])).code).toBe(2);
    expect((await runCli(['validate', f('ok.xml'), '--at', 'yesterday'])).code).toBe(2);
    const r = await runCli(['validate', f('ok.xml'), f('missing.xml'), ...at]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('ARG_IO');
    const j = await runCli(['validate', f('missing.xml'), '--format', 'junit']);
    expect(j.code).toBe(2);
    expect(j.stdout).toContain('<error message=');
  });

  it('validates a bare receipt with --view receipt', async () => {
    const receipt = fillReceipt(v5201, { XPayDate: '20251128', XPayAmt: '12680.50' }, [], { now: NOW });
    await writeFile(f('bare_receipt.xml'), serializeVoucher(receipt));
    expect((await runCli(['validate', f('bare_receipt.xml'), ...at])).code).toBe(1);
    expect((await runCli(['validate', f('bare_receipt.xml'), '--view', 'receipt', ...at])).code).toBe(0);
    expect((await runCli(['validate', f('bare.xml'), '--view', 'receipt', ...at])).stdout).toContain('XPayDate: VOUCHER_X_FIELD_REQUIRED');
  });

  it('applies the clock: a voucher dated after --at is invalid', async () => {
    const r = await runCli(['validate', f('bare.xml'), '--at', '2025-11-27T12:00:00+08:00']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('VouDate: VOUCHER_DATE_FUTURE');
  });

  it('an --at that is year 10000 in China Standard Time finds no date in the future (VouDate 20251128 was "after today (100000101)")', async () => {
    const r = await runCli(['validate', f('bare.xml'), '--at', '9999-12-31T20:00:00Z']);
    expect(r.stdout).not.toContain('FUTURE');
    expect(r.code).toBe(0);
  });

  it('lists at most 100 problems per voucher and counts the rest: a 1.8 MB envelope of 13,000 problems a body is exit 1, not out of memory', async () => {
    // 150 bodies, each an 8202 of 1,000 empty detail lines (within the reader's limits): 13 required elements a line.
    const bodies: string[] = [];
    for (let b = 0; b < 150; b++) {
      const v = `<?xml version="1.0" encoding="GBK"?><Voucher><VtCode>8202</VtCode><VoucherNo>${b}</VoucherNo><DetailList>${'<Detail/>'.repeat(1000)}</DetailList></Voucher>`;
      bodies.push(`<VoucherBody AdmDivCode="" StYear="" VtCode="8202" VoucherNo="${b}"><VoucherFlag>0</VoucherFlag><Voucher>${Buffer.from(v).toString('base64')}</Voucher></VoucherBody>`);
    }
    await writeFile(f('many_problems.xml'), `<?xml version="1.0" encoding="GBK"?><MOF><VoucherCount>150</VoucherCount>${bodies.join('')}</MOF>`);
    // Listing all 2 million problems took over 256 MB and aborted the process (exit 134).
    const json = await runCli(['validate', f('many_problems.xml'), '--format', 'json', ...at], { nodeArgs: ['--max-old-space-size=256'] });
    expect(json.code).toBe(1);
    const results = JSON.parse(json.stdout) as { status: string; vouchers: { issues: { path: string }[]; omitted?: number }[] }[];
    expect(results[0]?.status).toBe('invalid');
    expect(results[0]?.vouchers).toHaveLength(150);
    const first = results[0]?.vouchers[0];
    expect(first?.issues).toHaveLength(100);
    expect(first?.issues[0]?.path).toBe('Id');
    expect((first?.issues.length ?? 0) + (first?.omitted ?? 0)).toBeGreaterThan(13_000);
    const text = await runCli(['validate', f('many_problems.xml'), ...at]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`VoucherBody[0] 8202 0 (original): ${100 + (first?.omitted ?? 0)} problem(s)`);
    expect(text.stdout).toContain(`    … and ${first?.omitted ?? 0} more problem(s), not listed`);
    // A voucher with fewer problems lists them all, with no count of omitted ones.
    const few = await runCli(['validate', f('bad.xml'), '--format', 'json', ...at]);
    expect(JSON.parse(few.stdout)[0].vouchers[0]).not.toHaveProperty('omitted');
  });
});

describe('toJunit', () => {
  it('escapes text and attributes and counts cases', () => {
    const xml = toJunit([
      { name: 'a<&>"b', cases: [{ name: 'ok' }, { name: 'bad', failures: [{ message: 'x "y" <z>', type: 'T', text: 'line1\nline2 & \u0001' }] }, { name: 's', skipped: 'later' }] },
    ]);
    expect(xml).toContain('<testsuites tests="3" failures="1" errors="0" skipped="1">');
    expect(xml).toContain('<testsuite name="a&lt;&amp;&gt;&quot;b" id="0" tests="3" failures="1" errors="0" skipped="1">');
    expect(xml).toContain('<failure message="x &quot;y&quot; &lt;z&gt;" type="T">line1\nline2 &amp; \ufffd</failure>');
    expect(xml).toContain('<skipped message="later"/>');
  });

  it('is read back by a strict XML reader', async () => {
    const { XMLValidator } = await import('fast-xml-parser');
    expect(XMLValidator.validate(toJunit([{ name: 'n', cases: [{ name: 'c', errors: [{ message: 'm', type: 'E' }] }] }]))).toBe(true);
  });
});
