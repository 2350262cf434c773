/**
 * OpenSSL as the independent oracle, both ways: OpenSSL accepts the chains and CRLs made here, and the chains
 * OpenSSL makes (SM2 with the standard distid, P-256, SHA-1) are judged here as OpenSSL would.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrustStore, encodePem, issueCrl, parseCertificate, parseCrl, validatePath } from '../../src/pki/index.js';
import { AT, makeChain } from './helpers.js';
import type { TestChain } from './helpers.js';

const ATTIME = String(Math.floor(AT.getTime() / 1000));
const DISTID = 'distid:1234567812345678';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-pki-openssl-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function openssl(args: readonly string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

async function writeChain(c: TestChain, prefix: string): Promise<void> {
  await writeFile(join(dir, `${prefix}-root.pem`), encodePem('CERTIFICATE', c.root.der));
  await writeFile(join(dir, `${prefix}-inter.pem`), encodePem('CERTIFICATE', c.inter.der));
  await writeFile(join(dir, `${prefix}-leaf.pem`), encodePem('CERTIFICATE', c.leaf.der));
}

describe('OpenSSL accepts what evoucher issues', () => {
  it('openssl verify accepts the P-256 chain (and rejects a tampered leaf)', async () => {
    const c = makeChain('ec-p256');
    await writeChain(c, 'p256');
    const ok = openssl(['verify', '-attime', ATTIME, '-CAfile', 'p256-root.pem', '-untrusted', 'p256-inter.pem', 'p256-leaf.pem']);
    expect(ok.out).toContain('p256-leaf.pem: OK');
    expect(ok.status).toBe(0);
    const bad = new Uint8Array(c.leaf.der);
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    await writeFile(join(dir, 'p256-bad.pem'), encodePem('CERTIFICATE', bad));
    const ko = openssl(['verify', '-attime', ATTIME, '-CAfile', 'p256-root.pem', '-untrusted', 'p256-inter.pem', 'p256-bad.pem']);
    expect(ko.status).not.toBe(0);
  });

  it('openssl verify accepts the RSA chain', async () => {
    const c = makeChain('rsa');
    await writeChain(c, 'rsa');
    const ok = openssl(['verify', '-attime', ATTIME, '-CAfile', 'rsa-root.pem', '-untrusted', 'rsa-inter.pem', 'rsa-leaf.pem']);
    expect(ok.out).toContain('rsa-leaf.pem: OK');
  });

  it('openssl x509 parses the SM2 certificates and openssl verify (distid) accepts the SM2 chain', async () => {
    const c = makeChain('sm2');
    await writeChain(c, 'sm2');
    for (const f of ['sm2-root.pem', 'sm2-inter.pem', 'sm2-leaf.pem']) {
      const t = openssl(['x509', '-in', f, '-noout', '-text']);
      expect(t.status).toBe(0);
      expect(t.out).toContain('SM2-with-SM3');
    }
    const leafText = openssl(['x509', '-in', 'sm2-leaf.pem', '-noout', '-text']).out;
    expect(leafText).toMatch(/OU ?= ?cz/);
    expect(leafText).toContain('cz:110101');
    expect(leafText).toMatch(/Digital Signature, Non Repudiation/);
    // OpenSSL 3.0 applies -vfyopt only at depth 0, so a three-level SM2 chain (even one OpenSSL made) fails
    // `openssl verify` as a whole; each link is checked on its own instead.
    const link1 = openssl(['verify', '-attime', ATTIME, '-vfyopt', DISTID, '-CAfile', 'sm2-root.pem', 'sm2-inter.pem']);
    expect(link1.out).toContain('sm2-inter.pem: OK');
    const link2 = openssl(['verify', '-attime', ATTIME, '-vfyopt', DISTID, '-partial_chain', '-CAfile', 'sm2-inter.pem', 'sm2-leaf.pem']);
    expect(link2.out).toContain('sm2-leaf.pem: OK');
    // without the standard distid OpenSSL uses the empty ID and the signature does not verify
    const noId = openssl(['verify', '-attime', ATTIME, '-partial_chain', '-CAfile', 'sm2-inter.pem', 'sm2-leaf.pem']);
    expect(noId.status).not.toBe(0);
    // the root's self-signature, cut out and checked with dgst (standards.md §6 recipe)
    const der = c.root.der;
    const tbsLen = ((der[6] as number) << 8) | (der[7] as number); // 30 82 LL LL 30 82 LL LL
    expect([der[0], der[1], der[4], der[5]]).toEqual([0x30, 0x82, 0x30, 0x82]);
    await writeFile(join(dir, 'sm2-root.tbs'), der.subarray(4, 8 + tbsLen));
    await writeFile(join(dir, 'sm2-root.der'), der);
    const asn = openssl(['asn1parse', '-inform', 'DER', '-in', 'sm2-root.der']).out.trim().split('\n');
    const sigOffset = Number(/^\s*(\d+):/.exec(asn[asn.length - 1] as string)?.[1]);
    expect(openssl(['asn1parse', '-inform', 'DER', '-in', 'sm2-root.der', '-strparse', String(sigOffset), '-out', 'sm2-root.sig', '-noout']).status).toBe(0);
    expect(openssl(['x509', '-in', 'sm2-root.pem', '-pubkey', '-noout', '-out', 'sm2-root.pub']).status).toBe(0);
    const self = openssl(['dgst', '-sm3', '-verify', 'sm2-root.pub', '-sigopt', DISTID, '-signature', 'sm2-root.sig', 'sm2-root.tbs']);
    expect(self.out).toContain('Verified OK');
  });

  it('openssl checks our CRL signatures and honours the revocation', async () => {
    const c = makeChain('ec-p256');
    await writeChain(c, 'crl');
    const crl = issueCrl({
      issuer: { certificate: c.inter, key: c.interKey },
      thisUpdate: new Date('2026-05-01T00:00:00Z'),
      nextUpdate: new Date('2026-09-01T00:00:00Z'),
      revoked: [{ serialNumber: c.leaf.serialNumber, revocationDate: new Date('2026-05-02T00:00:00Z'), reason: 1 }],
    });
    const rootCrl = issueCrl({ issuer: { certificate: c.root, key: c.rootKey }, thisUpdate: new Date('2026-05-01T00:00:00Z'), nextUpdate: new Date('2026-09-01T00:00:00Z') });
    await writeFile(join(dir, 'inter.crl.pem'), encodePem('X509 CRL', crl.der));
    await writeFile(join(dir, 'root.crl.pem'), encodePem('X509 CRL', rootCrl.der));
    const v = openssl(['crl', '-in', 'inter.crl.pem', '-CAfile', 'crl-inter.pem', '-noout']);
    expect(v.out).toContain('verify OK');
    const text = openssl(['crl', '-in', 'inter.crl.pem', '-noout', '-text']).out;
    expect(text.toUpperCase()).toContain(c.leaf.serialNumber.toUpperCase());
    expect(text).toContain('Key Compromise');
    const r = openssl(['verify', '-attime', ATTIME, '-crl_check_all', '-CAfile', 'crl-root.pem', '-untrusted', 'crl-inter.pem', '-CRLfile', 'inter.crl.pem', '-CRLfile', 'root.crl.pem', 'crl-leaf.pem']);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('certificate revoked');
    // and evoucher agrees
    const ours = validatePath(c.leaf.der, { trust: createTrustStore([c.root.der]), intermediates: [c.inter.der], at: AT, crls: [crl, rootCrl] });
    expect(ours.code).toBe('CERT_REVOKED');
  });
});

describe('evoucher judges what OpenSSL issues', () => {
  async function opensslChain(prefix: string, keyArgs: readonly string[], sigArgs: readonly string[], vfyArgs: readonly string[]): Promise<{ root: string; inter: string; leaf: string }> {
    const sh = (args: readonly string[]): void => {
      execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    };
    await writeFile(join(dir, `${prefix}-ca.ext`), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
    await writeFile(join(dir, `${prefix}-leaf.ext`), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
    for (const n of ['root', 'inter', 'leaf']) sh(['genpkey', ...keyArgs, '-out', `${prefix}-${n}.key`]);
    sh(['req', '-new', '-x509', '-key', `${prefix}-root.key`, ...sigArgs, '-subj', `/C=CN/O=OpenSSL Test/CN=${prefix} Root`, '-days', '3650', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', `${prefix}-root.pem`]);
    for (const [n, issuer, ext, subj] of [
      ['inter', 'root', 'ca', `/C=CN/O=OpenSSL Test/CN=${prefix} Inter`],
      ['leaf', 'inter', 'leaf', `/C=CN/O=OpenSSL Test/OU=yh/organizationIdentifier=yh:102100099996/CN=${prefix} Leaf`],
    ] as const) {
      sh(['req', '-new', '-key', `${prefix}-${n}.key`, ...sigArgs, '-subj', subj, '-out', `${prefix}-${n}.csr`]);
      sh(['x509', '-req', '-in', `${prefix}-${n}.csr`, '-CA', `${prefix}-${issuer}.pem`, '-CAkey', `${prefix}-${issuer}.key`, '-set_serial', n === 'inter' ? '4096' : '8192', ...sigArgs, ...vfyArgs, '-days', '365', '-extfile', `${prefix}-${ext}.ext`, '-out', `${prefix}-${n}.pem`]);
    }
    const read = (n: string): Promise<string> => readFile(join(dir, `${prefix}-${n}.pem`), 'utf8');
    return { root: await read('root'), inter: await read('inter'), leaf: await read('leaf') };
  }

  it('an OpenSSL SM2 chain (standard distid) is valid; party and org are read', async () => {
    const c = await opensslChain('osm2', ['-algorithm', 'SM2'], ['-sm3', '-sigopt', DISTID], ['-vfyopt', DISTID]);
    const leaf = parseCertificate(c.leaf);
    expect(leaf.signatureAlgorithm).toBe('sm2-sm3');
    expect(leaf.party).toBe('yh');
    expect(leaf.organizationIdentifier).toBe('yh:102100099996');
    const r = validatePath(leaf, { trust: createTrustStore([c.root]), intermediates: [parseCertificate(c.inter).der], at: new Date() });
    expect(r.status).toBe('valid');
  });

  it('an OpenSSL SM2 certificate signed with the empty ID does not verify (CERT_BAD_SIGNATURE)', async () => {
    const c = await opensslChain('oempty', ['-algorithm', 'SM2'], ['-sm3'], []);
    const r = validatePath(parseCertificate(c.leaf).der, { trust: createTrustStore([c.root]), intermediates: [parseCertificate(c.inter).der], at: new Date() });
    expect(r.status).toBe('invalid');
    expect(r.code).toBe('CERT_BAD_SIGNATURE');
  });

  it('an OpenSSL P-256 chain is valid', async () => {
    const c = await opensslChain('op256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], ['-sha256'], []);
    const r = validatePath(parseCertificate(c.leaf).der, { trust: createTrustStore([c.root]), intermediates: [parseCertificate(c.inter).der], at: new Date() });
    expect(r.status).toBe('valid');
  });

  it('an OpenSSL certificate signed with SHA-1 is refused (CRYPTO_ALGORITHM_FORBIDDEN)', async () => {
    const c = await opensslChain('osha1', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], ['-sha1'], []);
    const leaf = parseCertificate(c.leaf);
    expect(leaf.signatureAlgorithm).toBe('unknown');
    const r = validatePath(leaf.der, { trust: createTrustStore([c.root]), intermediates: [parseCertificate(c.inter).der], at: new Date() });
    expect(r.status).toBe('invalid');
    expect(r.code).toBe('CRYPTO_ALGORITHM_FORBIDDEN');
  });

  it('an OpenSSL CRL parses and revokes', async () => {
    const c = await opensslChain('ocrl', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], ['-sha256'], []);
    // a minimal `openssl ca` database revoking the leaf
    await writeFile(join(dir, 'ocrl-index.txt'), `R\t300101000000Z\t250101000000Z,keyCompromise\t2000\tunknown\t/CN=x\n`);
    await writeFile(join(dir, 'ocrl-crlnumber'), '01\n');
    await writeFile(
      join(dir, 'ocrl-ca.cnf'),
      `[ca]\ndefault_ca=d\n[d]\ndatabase=ocrl-index.txt\ncrlnumber=ocrl-crlnumber\ndefault_md=sha256\ndefault_crl_days=3650\n`,
    );
    execFileSync('openssl', ['ca', '-gencrl', '-config', 'ocrl-ca.cnf', '-cert', 'ocrl-inter.pem', '-keyfile', 'ocrl-inter.key', '-out', 'ocrl.crl.pem'], { cwd: dir, stdio: 'pipe' });
    const crl = parseCrl(await readFile(join(dir, 'ocrl.crl.pem'), 'utf8'));
    expect(crl.revoked[0]?.serialNumber).toBe('2000');
    expect(crl.revoked[0]?.reason).toBe(1);
    const r = validatePath(parseCertificate(c.leaf).der, { trust: createTrustStore([c.root]), intermediates: [parseCertificate(c.inter).der], at: new Date(), crls: [crl] });
    expect(r.code).toBe('CERT_REVOKED');
  });
});
