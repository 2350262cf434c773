/**
 * The demo ends with a VALID report for every voucher (both variants: SM2 `ses` seals made with the demo seal
 * maker, P-256 `cms` seals), and the report of a tampered demo voucher names the failing seal and check.
 */
import { describe, expect, it } from 'vitest';
import { formatDemo, runDemo } from '../../src/cli/commands/demo.js';
import { verifyDemoEnvelope } from '../../src/cli/commands/verify.js';
import type { VerificationReport } from '../../src/verify/index.js';
import { runCli } from '../cli/spawn_cli.js';
import { anchor, replaceBytes, swapBase64, verifyOne, voucherBytesOf } from './helpers.js';

const NOW = new Date('2026-01-20T10:00:00+08:00');

describe('the demo ends with VALID reports', () => {
  it('every demo receipt (ses and cms, 5201 and 8202) is VALID; tampering names the seal and the check', async () => {
    const result = await runDemo({ now: NOW, verify: verifyDemoEnvelope });
    expect(result.vouchers).toHaveLength(4);
    for (const v of result.vouchers) {
      const r = v.verification as VerificationReport;
      expect(r.errors, `${v.variant} ${v.vtCode}`).toEqual([]);
      expect(r.status).toBe('VALID');
      expect(r.policy.complete).toBe(true);
      // Report key order is part of the JSON output (docs/verification.md): fixed, optional parts in place.
      expect(Object.keys(r)).toEqual(['reportVersion', 'status', 'validationTime', 'body', 'voucher', 'checks', 'seals', 'policy', 'errors', 'indeterminate']);
      for (const s of r.seals) {
        expect(Object.keys(s)).toEqual([
          ...['index', 'stampIndex', 'position', 'sequence', 'view', 'format', 'status', 'signer', 'signingTime', 'algorithm', 'scope', 'chain'],
          ...(v.variant === 'ses' ? ['seal'] : []),
          'checks',
        ]);
      }
      if (v.variant === 'ses') {
        expect(r.seals[0]?.seal?.id).toMatch(/^EVOUCHER-DEMO-/);
        expect(r.seals[0]?.checks.map((c) => c.check)).toEqual(
          expect.arrayContaining(['maker-signature', 'maker-chain', 'seal-period', 'seal-match', 'embedded-tbs', 'message-digest', 'signature', 'chain']),
        );
      }
    }
    expect(formatDemo(result)).not.toContain('pending');
    expect(formatDemo(result).match(/verification: VALID/g)).toHaveLength(4);

    // Tamper with the ses 5201 receipt: the payee account of the receipt bytes.
    const ses5201 = result.vouchers.find((v) => v.variant === 'ses' && v.vtCode === '5201');
    if (ses5201 === undefined) throw new Error('no ses 5201');
    const v = voucherBytesOf(ses5201.receipt);
    const tampered = swapBase64(ses5201.receipt, v, replaceBytes(v, Buffer.from('0200001234567890123'), Buffer.from('0200001234567890124')));
    const r = await verifyOne(tampered, { trust: [anchor('sm2')], at: NOW });
    expect(r.status).toBe('INVALID');
    // The receipt changed a non-X field, and every receipt-view seal's digest breaks.
    expect(r.errors.map((e) => e.where)).toEqual(expect.arrayContaining(['receipt', 'seals[3].message-digest', 'seals[3].embedded-tbs', 'seals[4].message-digest']));
    const failing = r.seals.filter((s) => s.status !== 'VALID').map((s) => s.position);
    expect(failing).toEqual(['yh_zqz', 'rh_zqz']);
  });

  it('`evoucher demo` prints a VALID verification for every voucher and exits 0', async () => {
    const r = await runCli(['demo'], { cwd: '/' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.match(/verification: VALID/g)).toHaveLength(4);
  });
});
