/**
 * The certificate and CRL files of `--crl`, `--untrusted`, `--intermediate` and `--chain` are read alike by every
 * command: DER, or PEM with one or more blocks. A file that holds no certificate or CRL of its kind is refused
 * (exit 2), never read as "none": `pki verify --crl ca.crl.der` reported a revoked certificate VALID, `seal --chain`
 * with a DER file embedded nothing, and `verify --intermediate` refused a CA bundle and DER that the others took.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPrivateKey } from '../../src/crypto/index.js';
import { parseCertificate } from '../../src/pki/index.js';
import { sealVoucher } from '../../src/seal/apply.js';
import { parseStamp } from '../../src/seal/formats/index.js';
import { parseEnvelope } from '../../src/voucher/index.js';
import { AT, manifest, PKI, pkiText, providerFor, T, unsealed } from '../verify/helpers.js';
import { runCli } from './spawn_cli.js';

let dir: string;
const f = (name: string): string => join(dir, name);
const trust = ['--trust', join(PKI, 'trust')];
const at = ['--at', AT.toISOString()];

/** The DER of the single PEM block of a fixture file. */
function derOf(rel: string): Buffer {
  return Buffer.from(pkiText(rel).replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-cert-files-'));
  await writeFile(f('ca-revoked.crl.der'), derOf('sm2/ca-revoked.crl.pem'));
  await writeFile(f('p256-ca.cert.der'), new X509Certificate(pkiText('p256/ca.cert.pem')).raw);
  await writeFile(f('empty'), '');
  await writeFile(f('ca-bundle.pem'), pkiText('sm2/ca.cert.pem') + pkiText('p256/ca.cert.pem'));
  await writeFile(f('crl-bundle.pem'), pkiText('p256/ca.crl.pem') + pkiText('p256/root.crl.pem'));
  await writeFile(f('unsealed.xml'), unsealed());
  // cz_zfzyz sealed with a key that embeds no chain: the sealer CA must come from --intermediate.
  const role = manifest.roles['cz-p256'];
  if (role === undefined) throw new Error('no demo role cz-p256');
  const leafOnly = providerFor(importPrivateKey(pkiText(role.key), { password: manifest.password }), parseCertificate(pkiText(role.cert)));
  await writeFile(f('leaf-only.xml'), await sealVoucher(unsealed(), { position: 'cz_zfzyz', key: leafOnly, time: T(10), format: 'cms' }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pki verify --crl / --untrusted', () => {
  const revoked = ['pki', 'verify', join(PKI, 'sm2/revoked.cert.pem'), ...trust, ...at];

  it('reads a DER CRL: the revoked certificate is INVALID (it was VALID, the CRL unread)', async () => {
    const r = await runCli([...revoked, '--untrusted', join(PKI, 'sm2/ca.cert.pem'), '--crl', f('ca-revoked.crl.der'), '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'invalid', code: 'CERT_REVOKED' });
  });

  it('refuses a --crl file without a CRL and an --untrusted file without a certificate (exit 2)', async () => {
    const crl = await runCli([...revoked, '--untrusted', join(PKI, 'sm2/ca.cert.pem'), '--crl', join(PKI, 'sm2/ca.cert.pem')]);
    expect(crl.code).toBe(2);
    expect(crl.stdout).toBe('');
    expect(crl.stderr).toMatch(/^evoucher pki: CRL_MALFORMED: .*ca\.cert\.pem: holds no X509 CRL block/);
    const empty = await runCli([...revoked, '--untrusted', join(PKI, 'sm2/ca.cert.pem'), '--crl', f('empty')]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('CRL_MALFORMED');
    const untrusted = await runCli([...revoked, '--untrusted', join(PKI, 'sm2/ca.crl.pem')]);
    expect(untrusted.code).toBe(2);
    expect(untrusted.stderr).toMatch(/CERT_MALFORMED: .*ca\.crl\.pem: holds no CERTIFICATE block \(--untrusted\)/);
  });
});

describe('verify --intermediate / --crl', () => {
  it('takes a CA bundle and a DER certificate as --intermediate', async () => {
    expect((await runCli(['verify', f('leaf-only.xml'), ...trust, ...at])).code).toBe(1);
    for (const file of [f('ca-bundle.pem'), f('p256-ca.cert.der')]) {
      const r = await runCli(['verify', f('leaf-only.xml'), ...trust, ...at, '--intermediate', file]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^VALID /);
      expect(r.code).toBe(0);
    }
  });

  it('takes a PEM file of several CRLs; refuses an --intermediate file without a certificate', async () => {
    const r = await runCli(['verify', f('leaf-only.xml'), ...trust, ...at, '--intermediate', f('ca-bundle.pem'), '--crl', f('crl-bundle.pem'), '--format', 'json']);
    expect(r.code).toBe(0);
    const [report] = JSON.parse(r.stdout) as { seals: { checks: { check: string; status: string }[] }[] }[];
    expect(report?.seals[0]?.checks.find((c) => c.check === 'revocation')?.status).toBe('passed');
    const none = await runCli(['verify', f('leaf-only.xml'), ...trust, ...at, '--intermediate', f('empty')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('CERT_MALFORMED');
  });
});

describe('seal-make --holder', () => {
  it('reads a PEM with explanatory text before its block (openssl x509 -text), as the other commands do', async () => {
    await writeFile(f('password'), manifest.password);
    await writeFile(f('cz-text.pem'), `Certificate:\n    Data:\n        Version: 3 (0x2)\n${'        (text openssl prints)\n'.repeat(20)}${pkiText('sm2/cz.cert.pem')}`);
    const r = await runCli([
      'seal-make', '--maker', `pkcs12:${join(PKI, 'sm2/maker.p12')}?password-source=file:${f('password')}`, '--holder', f('cz-text.pem'),
      '--name', 'x', '--valid-from', '2025-01-01', '--valid-to', '2030-12-31', '-o', f('cz.esl'),
    ]);
    expect(r.stderr).toMatch(/^seal \S+ "x" for 1 holder\(s\), valid .* → .*cz\.esl\n$/);
    expect(r.code).toBe(0);
    const inspect = await runCli(['inspect', f('cz.esl'), '--format', 'json']);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ kind: 'seal', seal: { certList: [parseCertificate(pkiText('sm2/cz.cert.pem')).subject] } });
  });
});

describe('seal --chain', () => {
  const sealArgs = (chain: string | readonly string[], out: string): string[] => [
    'seal', f('unsealed.xml'), '--position', 'cz_zfzyz', '--time', T(10).toISOString(),
    // A key without a chain of its own: what goes in comes from --chain alone.
    '--key', `file:${join(PKI, 'p256/cz.key.pem')}?cert=${join(PKI, 'p256/cz.cert.pem')}&password-source=file:${f('password')}`,
    ...(typeof chain === 'string' ? [chain] : chain).flatMap((c) => ['--chain', c]), '-o', out,
  ];

  it('embeds a DER chain certificate; refuses a chain file without a certificate and writes nothing', async () => {
    await writeFile(f('password'), manifest.password);
    const der = await runCli(sealArgs(f('p256-ca.cert.der'), f('der.xml')));
    expect(der.code).toBe(0);
    const [stamp] = parseEnvelope(new Uint8Array(await readFile(f('der.xml')))).bodies[0]?.stamps ?? [];
    const inspect = await runCli(['inspect', f('der.xml'), '--format', 'json']);
    expect(stamp?.position).toBe('cz_zfzyz');
    expect(inspect.stdout).toContain('"CN=evoucher Demo P-256 Sealer CA,O=evoucher Demo PKI,C=CN"');
    const empty = await runCli(sealArgs(f('empty'), f('empty.xml')));
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^evoucher seal: CERT_MALFORMED: /);
    await expect(readFile(f('empty.xml'))).rejects.toThrow();
  });

  it('a chain the stamp should not carry is a usage error: its code, exit 2, nothing written', async () => {
    await writeFile(f('password'), manifest.password);
    const [ca, root] = [join(PKI, 'p256/ca.cert.pem'), join(PKI, 'p256/root.cert.pem')];
    await writeFile(f('full-chain.pem'), pkiText('p256/cz.cert.pem') + pkiText('p256/ca.cert.pem'));
    await writeFile(f('not-a-cert.pem'), `-----BEGIN CERTIFICATE-----\n${Buffer.from('not a certificate').toString('base64')}\n-----END CERTIFICATE-----\n`);
    const cases: [readonly string[], RegExp][] = [
      [[root, ca], /^evoucher seal: ARG_INVALID: chain\[0\] \(subject CN=evoucher Demo P-256 Root CA,.*\) is not the issuer of the signer certificate \(issuer CN=evoucher Demo P-256 Sealer CA,/],
      [[f('full-chain.pem')], /^evoucher seal: ARG_INVALID: chain\[0\] is the signer certificate/],
      [[ca, ca], /^evoucher seal: ARG_INVALID: chain\[1\] is chain\[0\] again/],
      [[ca, join(PKI, 'sm2/ca.cert.pem')], /^evoucher seal: ARG_INVALID: chain\[1\] \(subject CN=evoucher Demo SM2 Sealer CA,/],
      [[ca, f('not-a-cert.pem')], /^evoucher seal: CERT_MALFORMED: chain\[1\]/],
    ];
    for (const [chain, message] of cases) {
      const r = await runCli(sealArgs(chain, f('refused.xml')));
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toMatch(message);
      await expect(readFile(f('refused.xml'))).rejects.toThrow();
    }
    // Issuer first, ending with the root: sealed, the stamp carrying both after the signer's.
    const ok = await runCli(sealArgs([ca, root], f('chained.xml')));
    expect(ok.code).toBe(0);
    const [stamp] = parseEnvelope(new Uint8Array(await readFile(f('chained.xml')))).bodies[0]?.stamps ?? [];
    const parsed = stamp === undefined ? undefined : parseStamp(stamp);
    expect(parsed?.format === 'cms' ? parsed.certificates.map((c) => parseCertificate(c).subject) : []).toEqual(
      ['p256/cz.cert.pem', 'p256/ca.cert.pem', 'p256/root.cert.pem'].map((rel) => parseCertificate(pkiText(rel)).subject),
    );
  });
});
