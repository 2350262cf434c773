import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AT, PKI, replaceBytes, rewriteBody, sealedOriginal, sealedReceipt } from '../verify/helpers.js';
import { runCli } from './spawn_cli.js';

let dir: string;
const trust = ['--trust', join(PKI, 'trust')];
const at = ['--at', AT.toISOString()];
const f = (name: string): string => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-verify-cli-'));
  const ok = await sealedOriginal('p256');
  await writeFile(f('ok.xml'), ok);
  await writeFile(f('receipt.xml'), await sealedReceipt('rsa'));
  // The payee account changed after sealing: every seal's digest breaks.
  await writeFile(
    f('tampered.xml'),
    rewriteBody(ok, (b) => ({ voucherBytes: replaceBytes(b.voucherBytes, Buffer.from('0200001234567890123'), Buffer.from('6200001234567890123')) })),
  );
  // The last seal dropped: the remaining seal verifies, the policy is incomplete.
  await writeFile(f('truncated.xml'), rewriteBody(ok, (b) => ({ stamps: b.stamps.slice(0, 1) })));
  await writeFile(f('garbage.xml'), '<?xml version="1.0"?><!DOCTYPE MOF [<!ENTITY a "b">]><MOF/>');
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('evoucher verify', () => {
  it('exits 0 when every voucher is VALID; text names status, file and voucher', async () => {
    const r = await runCli(['verify', f('ok.xml'), f('receipt.xml'), ...trust, ...at]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^VALID +\S+ok\.xml VoucherBody\[0\] 5201 ZF2025112800001 original 12680\.50/m);
    expect(r.stdout).toContain('2 of 2 voucher(s) VALID');
  });

  it('exits 1 on a tampered voucher; the text names the failing seal and check', async () => {
    const r = await runCli(['verify', f('tampered.xml'), ...trust, ...at]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^INVALID/m);
    expect(r.stdout).toContain('seals[0].message-digest (dw_gz #1): SEAL_DIGEST_MISMATCH');
    expect(r.stdout).toContain('seals[1].message-digest (cz_zfzyz #2): SEAL_DIGEST_MISMATCH');
  });

  it('--format json prints one array of reports with their file', async () => {
    const r = await runCli(['verify', f('ok.xml'), f('truncated.xml'), f('garbage.xml'), ...trust, ...at, '--format', 'json']);
    expect(r.code).toBe(1);
    const reports = JSON.parse(r.stdout) as { file: string; status: string; policy: { missing: string[] }; errors: { code: string; where: string }[] }[];
    expect(reports.map((x) => [x.file.endsWith('ok.xml'), x.status])).toEqual([
      [true, 'VALID'],
      [false, 'INVALID'],
      [false, 'INVALID'],
    ]);
    expect(reports[1]?.policy.missing).toEqual(['cz_zfzyz']);
    expect(reports[1]?.errors.map((e) => e.code)).toEqual(['POLICY_INCOMPLETE']);
    expect(reports[2]?.errors[0]).toMatchObject({ where: 'envelope', code: 'XML_DOCTYPE_FORBIDDEN' });
  });

  it('--format junit: a suite per file, a failing case per bad voucher with its codes', async () => {
    const r = await runCli(['verify', f('ok.xml'), f('tampered.xml'), ...trust, ...at, '--format', 'junit']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('<testsuites tests="2" failures="1" errors="0" skipped="0">');
    expect(r.stdout).toMatch(/<testcase name="VoucherBody\[0\] 5201 ZF2025112800001" classname="[^"]*tampered\.xml"><failure message="INVALID: SEAL_DIGEST_MISMATCH \(first at seals\[0\]\.message-digest\)" type="SEAL_DIGEST_MISMATCH">/);
  });

  it('INDETERMINATE (no anchor for the chain) exits 1 and names CERT_UNTRUSTED', async () => {
    const r = await runCli(['verify', f('ok.xml'), '--trust', join(PKI, 'trust/sm2-root.cert.pem'), ...at]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^INDETERMINATE/m);
    expect(r.stdout).toContain('CERT_UNTRUSTED (indeterminate)');
  });

  it('usage and I/O errors exit 2: no --trust, an empty trust dir, a missing file, a bad --at', async () => {
    expect((await runCli(['verify', f('ok.xml'), ...at])).code).toBe(2);
    const empty = await mkdtemp(join(dir, 'empty-'));
    const noAnchors = await runCli(['verify', f('ok.xml'), '--trust', empty, ...at]);
    expect(noAnchors.code).toBe(2);
    expect(noAnchors.stderr).toContain('TRUST_NO_ANCHORS');
    const missing = await runCli(['verify', f('nope.xml'), ...trust, ...at]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ARG_IO');
    expect((await runCli(['verify', f('ok.xml'), ...trust, '--at', 'yesterday'])).code).toBe(2);
    expect((await runCli(['verify', ...trust])).code).toBe(2);
  });

  it('--crl: revocation is checked and reported', async () => {
    const r = await runCli(['verify', f('ok.xml'), ...trust, ...at, '--crl', join(PKI, 'p256/ca.crl.pem'), '--crl', join(PKI, 'p256/root.crl.pem'), '--format', 'json']);
    expect(r.code).toBe(0);
    const [rep] = JSON.parse(r.stdout) as { seals: { checks: { check: string; status: string }[] }[] }[];
    expect(rep?.seals[0]?.checks.find((c) => c.check === 'revocation')?.status).toBe('passed');
  });
});
