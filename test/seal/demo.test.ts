import { describe, expect, it } from 'vitest';
import { formatDemo, runDemo } from '../../src/cli/commands/demo.js';
import { checkStamp, parseStamp, previousStamps, stampFacts, tbsForStamp } from '../../src/seal/index.js';
import { parseEnvelope } from '../../src/voucher/index.js';
import { runCli } from '../cli/spawn_cli.js';

describe('evoucher demo', () => {
  it('runDemo: 5201 and 8202 in both variants, every position sealed, every seal verifies over its recomputed structure', async () => {
    const result = await runDemo();
    expect(result.vouchers.map((v) => `${v.variant}:${v.vtCode}`)).toEqual(['ses:5201', 'ses:8202', 'cms:5201', 'cms:8202']);
    for (const v of result.vouchers) {
      const want = v.vtCode === '5201' ? ['dw_gz', 'cz_zfzyz', 'cz_sz', 'yh_zqz', 'rh_zqz'] : ['dw_cwzyz', 'dw_sz', 'yh_zqz'];
      expect(v.seals.map((s) => s.position)).toEqual(want);
      expect(v.seals.every((s) => s.format === v.variant)).toBe(true);
      expect(v.seals.every((s) => s.algorithm === (v.variant === 'ses' ? 'sm2-sm3' : 'ecdsa-p256-sha256'))).toBe(true);
      if (v.variant === 'ses') expect(v.seals[0]?.esId).toMatch(/^EVOUCHER-DEMO-/);
    }
    for (const v of result.vouchers) {
      const body = parseEnvelope(v.receipt).bodies[0]!;
      expect(body.voucherFlag).toBe('1');
      for (const s of body.stamps) {
        const parsed = parseStamp(s);
        const { der } = tbsForStamp(body, { position: s.position, sequence: s.sequence, format: s.format as 'cms' | 'ses', view: s.view }, previousStamps(body, s), stampFacts(parsed));
        expect(checkStamp(parsed, der).every((c) => c.status === 'passed')).toBe(true);
      }
      const times = v.seals.map((s) => s.signingTime);
      expect([...times].sort()).toEqual(times);
    }
    const text = formatDemo(result);
    expect(text).toContain('ZF2025112800001');
    expect(text).toContain('cz_zfzyz');
  });

  it('passes every receipt to a verification hook and reports its status', async () => {
    const seen: string[] = [];
    const result = await runDemo({
      variants: ['cms'],
      verify: async (envelope, ctx) => {
        seen.push(`${ctx.variant}:${parseEnvelope(envelope).bodies[0]!.attributes.vtCode}`);
        return { status: 'VALID' };
      },
    });
    expect(seen).toEqual(['cms:5201', 'cms:8202']);
    expect(formatDemo(result)).toContain('verification: VALID');
  });

  it('`evoucher demo` runs from another directory (package-relative paths) and prints a summary', async () => {
    const r = await runCli(['demo'], { cwd: '/' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('SM2 / GB/T 38540 ses');
    expect(r.stdout).toContain('P-256 / CMS');
    expect(r.stdout).toContain('ZF2025112800001');
    const json = await runCli(['demo', '--variant', 'cms', '--format', 'json'], { cwd: '/' });
    expect((JSON.parse(json.stdout) as { vouchers: unknown[] }).vouchers).toHaveLength(2);
  });
});
