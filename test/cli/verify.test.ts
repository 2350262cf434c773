import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { AT, key, makeSealObject, manifest, PKI, pkiText, replaceBytes, rewriteBody, ROOT, seal, sealedOriginal, sealedReceipt, T, unsealed } from '../verify/helpers.js';
import { parseCertificate } from '../../src/pki/index.js';
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
  // An SM2 ses original: seals made by the demo seal maker for the dw and cz sealers.
  const holder = (role: string): Uint8Array => parseCertificate(pkiText(manifest.roles[role]?.cert ?? '')).der;
  let ses = await seal(unsealed(), 'dw_gz', 'dw-sm2', T(0), { format: 'ses', seal: await makeSealObject(key('maker-sm2'), [holder('dw-sm2')], { name: '演示预算单位', esId: 'DEMO-DW' }) });
  ses = await seal(ses, 'cz_zfzyz', 'cz-sm2', T(10), { format: 'ses', seal: await makeSealObject(key('maker-sm2'), [holder('cz-sm2')], { name: '演示财政局', esId: 'DEMO-CZ' }) });
  await writeFile(f('ses.xml'), ses);
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

  it('reads an envelope from standard input (-)', async () => {
    const r = await runCli(['verify', '-', ...trust, ...at, '--format', 'json'], { input: await readFile(f('ok.xml')) });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { file: string; status: string }[]).map((x) => [x.file, x.status])).toEqual([['-', 'VALID']]);
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

  it('--format json: an unreadable file has its entry in the array (status ERROR, its code), on one thread and on workers', async () => {
    for (const jobs of ['0', '2']) {
      const r = await runCli(['verify', f('ok.xml'), f('nope.xml'), f('ok.xml'), ...trust, ...at, '--format', 'json', '--jobs', jobs]);
      expect(r.code, jobs).toBe(2);
      const entries = JSON.parse(r.stdout) as { file: string; status: string; error?: { code: string; message: string } }[];
      expect(entries.map((x) => [x.file.split('/').pop(), x.status]), jobs).toEqual([
        ['ok.xml', 'VALID'],
        ['nope.xml', 'ERROR'],
        ['ok.xml', 'VALID'],
      ]);
      expect(entries[1]?.error?.code).toBe('ARG_IO');
      expect(r.stderr).toContain('ARG_IO');
    }
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
    expect(r.stdout).toContain('[not established: trust]');
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
    // The summary names the validation time even when no file could be read.
    expect(missing.stdout).toContain(`0 of 0 voucher(s) VALID (validation time ${AT.toISOString()})`);
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

const REAL = join(ROOT, 'test/vectors/real-seals');

describe('evoucher verify-seal', () => {
  it('a real vendor seal over its Signature.xml without --trust → INDETERMINATE (exit 1), every crypto check passed', async () => {
    const r = await runCli(['verify-seal', join(REAL, '999/SignedValue.dat'), '--data', join(REAL, '999/Signature.xml'), '--format', 'json']);
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout) as { status: string; checks: { check: string; status: string }[]; errors: { code: string }[]; seal: { id: string } };
    expect(rep.status).toBe('INDETERMINATE');
    expect(rep.seal.id).toBe('50011200000323');
    expect(rep.errors.map((e) => e.code)).toEqual(['CERT_UNTRUSTED', 'CERT_UNTRUSTED']);
    expect(rep.checks.find((c) => c.check === 'data-hash')?.status).toBe('passed');
  });

  it('pinned anchors and --at timeInfo → VALID (exit 0); a changed data file → INVALID (exit 1)', async () => {
    const { parseSesSignature } = await import('../../src/seal/ses/index.js');
    const { encodePem } = await import('../../src/pki/index.js');
    const sig = parseSesSignature(new Uint8Array(await readFile(join(REAL, 'V4RideRight/SignedValue.dat'))));
    await writeFile(f('pinned.pem'), encodePem('CERTIFICATE', sig.sealerCert) + encodePem('CERTIFICATE', sig.seal.makerCert));
    const args = ['verify-seal', join(REAL, 'V4RideRight/SignedValue.dat'), '--trust', f('pinned.pem'), '--at', '2021-05-19T12:53:44Z'];
    const ok = await runCli([...args, '--data', join(REAL, 'V4RideRight/Signature.xml')]);
    expect(ok.stdout).toMatch(/^VALID/);
    expect(ok.code).toBe(0);
    const data = await readFile(join(REAL, 'V4RideRight/Signature.xml'));
    data[10] = (data[10] ?? 0) ^ 1;
    await writeFile(f('changed.xml'), data);
    const bad = await runCli([...args, '--data', f('changed.xml')]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('data-hash: SEAL_DIGEST_MISMATCH');
  });

  it('usage errors exit 2 (no --data, no file)', async () => {
    expect((await runCli(['verify-seal', join(REAL, '999/SignedValue.dat')])).code).toBe(2);
    expect((await runCli(['verify-seal', '--data', join(REAL, '999/Signature.xml')])).code).toBe(2);
  });
});

describe('evoucher inspect (seals)', () => {
  it('shows each ses stamp\'s seal name, esID, validity and certificates; --picture writes the PNG', async () => {
    const r = await runCli(['inspect', f('ses.xml'), '--format', 'json', '--picture', f('seal.png')]);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as { bodies: { stamps: { seal?: { name: string; esId: string; validStart: string; validEnd: string; maker: string }; signer: string; certificates: string[] }[] }[] };
    const stamps = d.bodies[0]?.stamps ?? [];
    expect(stamps.map((s) => [s.seal?.name, s.seal?.esId])).toEqual([
      ['演示预算单位', 'DEMO-DW'],
      ['演示财政局', 'DEMO-CZ'],
    ]);
    expect(stamps[1]?.seal?.validEnd).toBe('2045-01-01T00:00:00.000Z');
    expect(stamps[1]?.seal?.maker).toContain('Seal Maker');
    expect(stamps[1]?.signer).toContain('OU=cz');
    const png = await readFile(f('seal.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('a bare .esl seal file: name, esID, validity, maker, certList; --picture writes its picture', async () => {
    const r = await runCli(['inspect', join(REAL, 'ofdrw-UserV4.esl'), '--picture', f('v4.png')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('esID 51f044b76510434e9bc67a1185c2fba5');
    expect(r.stdout).toContain('valid 2020-04-22');
    const png = await readFile(f('v4.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('a SignedValue.dat: the seal signature and its embedded seal', async () => {
    const r = await runCli(['inspect', join(REAL, 'signedFile/SignedValue.dat'), '--format', 'json']);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as { kind: string; signingTime: string; seal: { esId: string } };
    expect(d).toMatchObject({ kind: 'seal-signature', signingTime: '2020-10-04T07:28:55.000Z', seal: { esId: '32010600000001' } });
  });
});

describe('evoucher verify text output of hostile strings', () => {
  it('control characters from the envelope are escaped: no forged line, no carriage return reaches the terminal', async () => {
    // A VoucherBody attribute quoted by ENVELOPE_ATTRIBUTE_MISMATCH, carrying CR LF and two forged report lines
    // (51 characters: within the 64 a message quotes of an attribute, so all of it reaches the output).
    const forged = 'x&#13;&#10;VALID         paid.xml&#10;1 of 1 voucher(s) VALID&#8238;&#10;';
    const inner = Buffer.from('<?xml version="1.0" encoding="UTF-8"?><Voucher><AdmDivCode>1</AdmDivCode><StYear>2</StYear><VtCode>5201</VtCode><VoucherNo>a</VoucherNo></Voucher>').toString('base64');
    const envelope = `<?xml version="1.0" encoding="UTF-8"?><MOF><VoucherCount>1</VoucherCount><VoucherBody AdmDivCode="1" StYear="2" VtCode="5201" VoucherNo="${forged}"><VoucherFlag>0</VoucherFlag><Voucher>${inner}</Voucher></VoucherBody></MOF>`;
    await writeFile(f('inject.xml'), envelope);
    const r = await runCli(['verify', f('inject.xml'), ...trust, ...at]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('\r');
    expect(r.stdout).not.toContain('\u202e');
    expect(r.stdout).toContain('x\\x0d\\x0aVALID');
    expect(r.stdout).toContain('1 of 1 voucher(s) VALID\\u202e\\x0a');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('VALID'))).toEqual([]);
    expect(lines.filter((l) => /^\d+ of \d+ voucher\(s\) VALID/.test(l))).toEqual(['0 of 1 voucher(s) VALID (validation time 2026-01-20T00:00:00.000Z)']);
    expect(lines[lines.length - 1]).toBe('0 of 1 voucher(s) VALID (validation time 2026-01-20T00:00:00.000Z)');
  });
});

