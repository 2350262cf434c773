/**
 * The demo PKI: `evoucher pki demo --out <dir>` output, checked with evoucher and with OpenSSL, the SoftHSM2
 * import script against a real token, and `evoucher pki verify`.
 */
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { importPrivateKey } from '../../src/crypto/index.js';
import { DEMO_ORGANIZATIONS, DEMO_PASSWORD, loadTrustStore, parseCertificate, parseCrl, validatePath } from '../../src/pki/index.js';
import type { DemoManifest, DemoRole, TrustStore } from '../../src/pki/index.js';
import { DER_LOW_TAG_LIMITS, derChildren, isDerTag, readDerLazy } from '../../src/encoding/der.js';
import type { DerNode } from '../../src/encoding/der.js';

/** Walks every constructed TLV with the strict DER reader (throws on BER); returns the OCTET STRING contents met. */
function strictDer(bytes: Uint8Array): Uint8Array[] {
  const octets: Uint8Array[] = [];
  const walk = (t: DerNode): void => {
    if (t.constructed) for (const c of derChildren(t, 'element')) walk(c);
    else if (isDerTag(t, 4)) octets.push(t.value);
  };
  walk(readDerLazy(bytes, DER_LOW_TAG_LIMITS));
  return octets;
}

const AT = new Date('2026-06-01T00:00:00Z');
const ATTIME = String(Math.floor(AT.getTime() / 1000));
let dir: string;
let out: string;
let manifest: DemoManifest;
let trust: TrustStore;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

function openssl(args: readonly string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { cwd: out, encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const read = (p: string): Promise<string> => readFile(join(out, p), 'utf8');
const role = (id: string): DemoRole => {
  const r = manifest.roles[id];
  if (r === undefined) throw new Error(`no role ${id}`);
  return r;
};

async function chainOf(r: DemoRole): Promise<Uint8Array[]> {
  return Promise.all(r.chain.map(async (p) => parseCertificate(await read(p)).der));
}

async function crlsOf(family: string, revokedToo: boolean) {
  const files = manifest.crls.filter((c) => c.file.startsWith(`${family}/`) && (revokedToo || c.revokes.length === 0));
  return Promise.all(files.map(async (c) => parseCrl(await read(c.file))));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-pki-demo-'));
  out = join(dir, 'pki');
  const r = await cli(['pki', 'demo', '--out', out]);
  expect(r.code).toBe(0);
  manifest = JSON.parse(await read('manifest.json')) as DemoManifest;
  trust = await loadTrustStore(join(out, 'trust'));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('evoucher pki demo', () => {
  it('writes the fixed layout and a manifest that names every file', async () => {
    expect(manifest.version).toBe(1);
    expect(manifest.password).toBe(DEMO_PASSWORD);
    expect([...manifest.trust].sort()).toEqual(['trust/p256-root.cert.pem', 'trust/rsa-root.cert.pem', 'trust/sm2-root.cert.pem']);
    expect((await readdir(join(out, 'trust'))).sort()).toEqual(['p256-root.cert.pem', 'rsa-root.cert.pem', 'sm2-root.cert.pem']);
    const ids = Object.keys(manifest.roles).sort();
    const expected: string[] = [];
    for (const f of ['sm2', 'p256', 'rsa']) for (const n of ['root', 'ca', 'maker', 'dw', 'cz', 'yh', 'rh', 'revoked']) expected.push(`${n}-${f}`);
    expect(ids).toEqual(expected.sort());
    const readme = await read('README.md');
    expect(readme.toLowerCase()).toContain('test-only keys, never use in production');
    expect(readme).toContain(DEMO_PASSWORD);
    const listed = new Set<string>();
    for (const r of Object.values(manifest.roles)) {
      for (const p of [r.cert, r.key, ...(r.p12 === undefined ? [] : [r.p12]), ...r.chain]) {
        expect(existsSync(join(out, p)), p).toBe(true);
        listed.add(p);
      }
    }
    for (const c of manifest.crls) expect(existsSync(join(out, c.file))).toBe(true);
    // README lists every file that was written
    const walk = async (d: string): Promise<string[]> =>
      (await Promise.all((await readdir(join(out, d), { withFileTypes: true })).map((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)])))).flat();
    for (const f of await walk('.')) expect(readme, f).toContain('`' + f.replace(/^\.\//, '') + '`');
    expect(((await stat(join(out, 'softhsm-import.sh'))).mode & 0o111) !== 0).toBe(true);
  });

  it('records party, organisation and fingerprint of every certificate correctly', async () => {
    for (const r of Object.values(manifest.roles)) {
      const c = parseCertificate(await read(r.cert));
      expect(c.fingerprintSha256).toBe(r.fingerprintSha256);
      expect(c.fingerprintSha256).toBe(createHash('sha256').update(c.der).digest('hex'));
      expect(c.subject).toBe(r.subject);
      expect(c.serialNumber).toBe(r.serialNumber);
      expect(c.signatureAlgorithm).toBe(r.kind === 'root' ? r.algorithm : role(r.issuer as string).algorithm);
      expect(c.party).toBe(r.party);
      expect(c.organizationIdentifier).toBe(r.organizationIdentifier);
      if (r.kind === 'sealer') {
        expect(c.party).toBeDefined();
        expect(c.organizationIdentifier).toBe(DEMO_ORGANIZATIONS[c.party as 'dw']);
      }
      expect(c.isCa).toBe(r.kind === 'root' || r.kind === 'ca');
    }
  });

  it('every maker and sealer validates at a pinned time with revocation required; the revoked one is CERT_REVOKED', async () => {
    for (const r of Object.values(manifest.roles)) {
      if (r.kind !== 'sealer' && r.kind !== 'maker') continue;
      const leaf = parseCertificate(await read(r.cert));
      const intermediates = await chainOf(r);
      const usage = r.kind === 'maker' ? 'maker' : 'sealer';
      const withoutRevocations = validatePath(leaf, { trust, intermediates, at: AT, crls: await crlsOf(r.family, false), requireRevocation: true, usage });
      expect(withoutRevocations.status, r.id).toBe('valid');
      const all = validatePath(leaf, { trust, intermediates, at: AT, crls: await crlsOf(r.family, true), requireRevocation: true, usage });
      if (r.revoked === true) {
        expect(all.code, r.id).toBe('CERT_REVOKED');
        // before its revocation it was good
        const before = validatePath(leaf, { trust, intermediates, at: new Date('2025-05-01T00:00:00Z'), crls: await crlsOf(r.family, true), usage });
        expect(before.status).toBe('valid');
      } else {
        expect(all.status, r.id).toBe('valid');
      }
    }
  });

  it('openssl verify accepts the P-256 and RSA chains; openssl x509 parses the SM2 ones', () => {
    for (const f of ['p256', 'rsa']) {
      for (const n of ['maker', 'dw', 'cz', 'yh', 'rh']) {
        const r = openssl(['verify', '-attime', ATTIME, '-CAfile', `trust/${f}-root.cert.pem`, '-untrusted', `${f}/ca.cert.pem`, `${f}/${n}.cert.pem`]);
        expect(r.out, `${n}-${f}`).toContain(`${f}/${n}.cert.pem: OK`);
      }
      const crlCheck = openssl(['verify', '-attime', ATTIME, '-crl_check_all', '-CAfile', `trust/${f}-root.cert.pem`, '-untrusted', `${f}/ca.cert.pem`, '-CRLfile', `${f}/root.crl.pem`, '-CRLfile', `${f}/ca-revoked.crl.pem`, `${f}/revoked.cert.pem`]);
      expect(crlCheck.out).toContain('certificate revoked');
    }
    for (const n of ['root', 'ca', 'maker', 'dw', 'cz', 'yh', 'rh', 'revoked']) {
      const r = openssl(['x509', '-in', `sm2/${n}.cert.pem`, '-noout', '-text']);
      expect(r.status).toBe(0);
      expect(r.out).toContain('SM2-with-SM3');
    }
    expect(openssl(['verify', '-attime', ATTIME, '-vfyopt', 'distid:1234567812345678', '-partial_chain', '-CAfile', 'sm2/ca.cert.pem', 'sm2/cz.cert.pem']).out).toContain('OK');
  });

  it('openssl reads the P-256 and RSA PKCS#12 files (PBES2/AES-256-CBC, SHA-256 MAC) with the demo password', () => {
    for (const f of ['p256', 'rsa']) {
      for (const n of ['maker', 'cz']) {
        const p12 = `${f}/${n}.p12`;
        // the PFX, its authenticated safe and the key's SafeContents are DER, not BER
        const pfxBytes = new Uint8Array(readFileSync(join(out, p12)));
        const authSafe = strictDer(pfxBytes)[0] as Uint8Array;
        const dataContents = strictDer(authSafe);
        expect(dataContents.length).toBeGreaterThan(1);
        strictDer(dataContents[dataContents.length - 1] as Uint8Array);
        const info = openssl(['pkcs12', '-info', '-nokeys', '-in', p12, '-passin', `pass:${DEMO_PASSWORD}`]);
        expect(info.status, info.out).toBe(0);
        expect(info.out).toContain('MAC: sha256');
        expect(info.out).toMatch(/PBES2, PBKDF2, AES-256-CBC/);
        expect(info.out).toContain(`friendlyName: ${n}-${f}`);
        // key + certificate + sealer CA + root
        expect(info.out.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(3);
        const wrong = openssl(['pkcs12', '-info', '-nokeys', '-in', p12, '-passin', 'pass:wrong']);
        expect(wrong.status).not.toBe(0);
        // the key inside belongs to the certificate
        const key = openssl(['pkcs12', '-in', p12, '-nocerts', '-nodes', '-passin', `pass:${DEMO_PASSWORD}`]);
        expect(key.status).toBe(0);
        const pubFromKey = openssl(['pkey', '-pubout'], key.out.slice(key.out.indexOf('-----BEGIN PRIVATE KEY-----')));
        const pubFromCert = openssl(['x509', '-in', `${f}/${n}.cert.pem`, '-noout', '-pubkey']);
        expect(pubFromKey.out.trim()).toBe(pubFromCert.out.trim());
        // and the certificate is embedded byte for byte
        const leafOnly = openssl(['pkcs12', '-in', p12, '-nokeys', '-clcerts', '-passin', `pass:${DEMO_PASSWORD}`]);
        const pem = leafOnly.out.slice(leafOnly.out.indexOf('-----BEGIN CERTIFICATE-----'));
        expect(parseCertificate(pem).fingerprintSha256).toBe(role(`${n}-${f}`).fingerprintSha256);
      }
    }
  });

  it('the encrypted PKCS#8 keys open with the demo password (evoucher for all, OpenSSL for P-256/RSA) and match their certificates', async () => {
    for (const r of Object.values(manifest.roles)) {
      const pem = await read(r.key);
      expect(pem).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
      const k = importPrivateKey(pem, { password: DEMO_PASSWORD });
      expect(Buffer.compare(k.publicKey.spki, parseCertificate(await read(r.cert)).publicKey.spki)).toBe(0);
      if (r.family !== 'sm2') expect(openssl(['pkey', '-in', r.key, '-passin', `pass:${DEMO_PASSWORD}`, '-noout']).status).toBe(0);
    }
  });

  it('evoucher pki verify: 0 valid, 1 revoked or untrusted, 2 usage error', async () => {
    const ok = await cli(['pki', 'verify', join(out, 'p256/cz.cert.pem'), '--trust', join(out, 'trust'), '--untrusted', join(out, 'p256/ca.cert.pem'), '--at', AT.toISOString()]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('VALID');
    const revoked = await cli([
      'pki', 'verify', join(out, 'sm2/revoked.cert.pem'), '--trust', join(out, 'trust'), '--untrusted', join(out, 'sm2/ca.cert.pem'),
      '--crl', join(out, 'sm2/ca-revoked.crl.pem'), '--at', AT.toISOString(), '--format', 'json',
    ]);
    expect(revoked.code).toBe(1);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ status: 'invalid', code: 'CERT_REVOKED' });
    const untrusted = await cli(['pki', 'verify', join(out, 'rsa/cz.cert.pem'), '--trust', join(out, 'trust/p256-root.cert.pem'), '--untrusted', join(out, 'rsa/ca.cert.pem'), '--at', AT.toISOString(), '--format', 'json']);
    expect(untrusted.code).toBe(1);
    expect(JSON.parse(untrusted.stdout)).toMatchObject({ status: 'indeterminate', code: 'CERT_UNTRUSTED' });
    expect((await cli(['pki', 'verify', join(out, 'rsa/cz.cert.pem')])).code).toBe(2);
    expect((await cli(['pki', 'verify', join(out, 'rsa/cz.cert.pem'), '--trust', join(dir, 'nope')])).code).toBe(2);
    // A malformed certificate is a result (exit 1, a report in either format), whether its DER or its PEM is bad.
    const badDer = join(dir, 'bad.der');
    await writeFile(badDer, Uint8Array.from([0x30, 0x03, 1, 2, 3]));
    const badPem = join(dir, 'bad.pem');
    await writeFile(badPem, '-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----\n');
    for (const f of [badDer, badPem]) {
      const json = await cli(['pki', 'verify', f, '--trust', join(out, 'trust'), '--format', 'json']);
      expect(json.code, f).toBe(1);
      expect(JSON.parse(json.stdout), f).toMatchObject({ status: 'invalid', code: 'CERT_MALFORMED', chain: [] });
      const text = await cli(['pki', 'verify', f, '--trust', join(out, 'trust')]);
      expect(text.code, f).toBe(1);
      expect(text.stdout, f).toContain('INVALID CERT_MALFORMED');
    }
  });

  it('evoucher pki demo refuses a non-empty directory without --force, and needs --out', async () => {
    const again = await cli(['pki', 'demo', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('ARG_INVALID');
    expect((await cli(['pki', 'demo'])).code).toBe(2);
    expect((await cli(['pki', 'nope'])).code).toBe(2);
  });
});

const SOFTHSM = spawnSync('softhsm2-util', ['--version']).status === 0 && spawnSync('pkcs11-tool', ['--help']).error === undefined;
const REQUIRE = process.env['EVOUCHER_REQUIRE_PKCS11'] !== undefined && process.env['EVOUCHER_REQUIRE_PKCS11'] !== '' && process.env['EVOUCHER_REQUIRE_PKCS11'] !== '0';

describe.skipIf(!SOFTHSM && !REQUIRE)('softhsm-import.sh (real SoftHSM2 token)', () => {
  it('loads the P-256 and RSA maker/sealer keys and certificates; the token signs and the certificate key verifies', async () => {
    const work = join(dir, 'hsm');
    const conf = join(work, 'softhsm2.conf');
    const env = { ...process.env, SOFTHSM2_CONF: conf };
    const r = spawnSync('sh', [join(out, 'softhsm-import.sh')], { cwd: dir, env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const loaded = Object.values(manifest.roles).filter((x) => x.pkcs11 !== undefined);
    expect(loaded.map((x) => x.id).sort()).toEqual(['cz-p256', 'cz-rsa', 'dw-p256', 'dw-rsa', 'maker-p256', 'maker-rsa', 'rh-p256', 'rh-rsa', 'yh-p256', 'yh-rsa']);
    for (const x of loaded) expect(r.stdout).toContain(`loaded ${x.id}`);
    const module = /module-path=(\S+)/.exec(r.stdout)?.[1] as string;
    expect(existsSync(module)).toBe(true);
    const p11 = (args: string[]) => spawnSync('pkcs11-tool', ['--module', module, '--token-label', manifest.softhsm.token, '--login', '--pin', manifest.softhsm.pin, ...args], { env, encoding: 'utf8' });
    const list = p11(['--list-objects']);
    for (const x of loaded) expect(list.stdout).toContain(`label:      ${x.id}`);
    // sign with the token and verify with the certificate's public key
    const message = Buffer.from('evoucher demo token signature');
    await writeFile(join(work, 'msg.bin'), message);
    await writeFile(join(work, 'digest.bin'), createHash('sha256').update(message).digest());
    for (const id of ['cz-p256', 'cz-rsa']) {
      const x = role(id);
      const ec = x.family === 'p256';
      const s = p11(['--sign', '--id', x.pkcs11?.id as string, '--mechanism', ec ? 'ECDSA' : 'SHA256-RSA-PKCS', '--input-file', join(work, ec ? 'digest.bin' : 'msg.bin'), '--output-file', join(work, `${id}.sig`), ...(ec ? ['--signature-format', 'openssl'] : [])]);
      expect(s.status, s.stderr).toBe(0);
      const sig = await readFile(join(work, `${id}.sig`));
      const pub = createPublicKey(await read(x.cert));
      expect(nodeVerify('sha256', message, pub, sig)).toBe(true);
    }
  });
});
