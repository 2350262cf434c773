import { describe, expect, it } from 'vitest';
import { formatDemo, runDemo } from '../../src/cli/commands/demo.js';
import { checkStamp, parseStamp, previousStamps, stampFacts, tbsForStamp } from '../../src/seal/index.js';
import { parseEnvelope } from '../../src/voucher/index.js';
import { runCli } from '../cli/spawn_cli.js';

describe('evoucher demo', () => {
  it('runDemo (cms): 5201 and 8202, every position sealed, every seal verifies over its recomputed structure', async () => {
    const result = await runDemo({ variants: ['cms'] });
    expect(result.vouchers.map((v) => `${v.variant}:${v.vtCode}`)).toEqual(['cms:5201', 'cms:8202']);
    const v5201 = result.vouchers[0]!;
    expect(v5201.seals.map((s) => s.position)).toEqual(['dw_gz', 'cz_zfzyz', 'cz_sz', 'yh_zqz', 'rh_zqz']);
    expect(result.vouchers[1]!.seals.map((s) => s.position)).toEqual(['dw_cwzyz', 'dw_sz', 'yh_zqz']);
    for (const v of result.vouchers) {
      const body = parseEnvelope(v.receipt).bodies[0]!;
      expect(body.voucherFlag).toBe('1');
      for (const s of body.stamps) {
        const parsed = parseStamp(s);
        const { der } = tbsForStamp(body, { position: s.position, sequence: s.sequence, format: s.format as 'cms', view: s.view }, previousStamps(body, s), stampFacts(parsed));
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

  it('`evoucher demo --variant cms` runs from another directory (package-relative paths)', async () => {
    const r = await runCli(['demo', '--variant', 'cms', '--format', 'json'], { cwd: '/' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { vouchers: { seals: unknown[] }[] };
    expect(json.vouchers).toHaveLength(2);
  });
});
