/**
 * Certificate and CRL parsing, trust stores, and who a certificate speaks for.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEvoucherError } from '../../src/errors.js';
import {
  certificateFingerprint,
  certificateIdentity,
  checkCertificateBinding,
  createTrustStore,
  encodePem,
  issueCertificate,
  issueCrl,
  loadTrustStore,
  normalizeFingerprint,
  parseCertificate,
  parseCrl,
  validatePath,
} from '../../src/pki/index.js';
import { AT, NOT_AFTER, NOT_BEFORE, key, makeChain } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-pki-cert-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isEvoucherError(e) ? e.code : `non-evoucher error: ${String(e)}`;
  }
  return undefined;
}

describe('parseCertificate', () => {
  const c = makeChain('sm2');

  it('reads DER, PEM bytes and PEM strings to the same facts', () => {
    const pem = encodePem('CERTIFICATE', c.leaf.der);
    for (const input of [c.leaf.der, pem, new TextEncoder().encode(pem)]) {
      const p = parseCertificate(input);
      expect(p.fingerprintSha256).toBe(c.leaf.fingerprintSha256);
      expect(p.subject).toBe('CN=Test sm2 Sealer,organizationIdentifier=cz:110101,OU=cz,O=Test Finance Bureau,C=CN');
      expect(p.issuer).toBe(c.inter.subject);
    }
  });

  it('exposes validity, constraints, usages, key identifiers and the key', () => {
    const leaf = c.leaf;
    expect(leaf.version).toBe(3);
    expect(leaf.notBefore.toISOString()).toBe(NOT_BEFORE.toISOString());
    expect(leaf.notAfter.toISOString()).toBe(NOT_AFTER.toISOString());
    expect(leaf.isCa).toBe(false);
    expect(leaf.pathLen).toBeUndefined();
    expect(leaf.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(leaf.hasKeyUsage).toBe(true);
    expect(leaf.publicKey.kind).toBe('sm2');
    expect(leaf.signatureAlgorithm).toBe('sm2-sm3');
    expect(leaf.signatureAlgorithmOid).toBe('1.2.156.10197.1.501');
    expect(leaf.authorityKeyIdentifier).toBe(c.inter.subjectKeyIdentifier);
    expect(leaf.selfIssued).toBe(false);
    expect(c.root.selfIssued).toBe(true);
    expect(c.inter.isCa).toBe(true);
    expect(c.inter.pathLen).toBe(0);
    expect(c.inter.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
    expect(leaf.extensions.find((e) => e.oid === '2.5.29.19')?.critical).toBe(true);
    expect(leaf.serialNumber).toMatch(/^[0-9a-f]{32}$/);
    expect(Object.isFrozen(leaf)).toBe(true);
    expect(Object.isFrozen(leaf.keyUsage)).toBe(true);
  });

  it('agrees with OpenSSL on the serial number and fingerprint', async () => {
    await writeFile(join(dir, 'leaf.pem'), encodePem('CERTIFICATE', c.leaf.der));
    const out = execFileSync('openssl', ['x509', '-in', join(dir, 'leaf.pem'), '-noout', '-serial', '-fingerprint', '-sha256'], { encoding: 'utf8' });
    expect(out).toContain(`serial=${c.leaf.serialNumber.toUpperCase()}`);
    expect(normalizeFingerprint(/Fingerprint=([0-9A-F:]+)/.exec(out)?.[1] ?? '')).toBe(c.leaf.fingerprintSha256);
  });

  it('refuses malformed input with CERT_MALFORMED', () => {
    const der = c.leaf.der;
    const cases: Uint8Array[] = [
      new Uint8Array(0),
      der.subarray(0, der.length - 1),
      Uint8Array.from([...der, 0]),
      Uint8Array.of(0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00), // indefinite length
      Uint8Array.of(0x30, 0x81, 0x03, 0x02, 0x01, 0x01), // non-minimal length
      Uint8Array.of(0x04, 0x00),
    ];
    for (const bad of cases) expect(codeOf(() => parseCertificate(bad))).toBe('CERT_MALFORMED');
    const two = encodePem('CERTIFICATE', der) + encodePem('CERTIFICATE', c.inter.der);
    expect(codeOf(() => parseCertificate(two))).toBe('CERT_MALFORMED');
    expect(codeOf(() => parseCertificate('-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n'))).toBe('CERT_MALFORMED');
    expect(codeOf(() => parseCertificate(encodePem('X509 CRL', der)))).toBe('CERT_MALFORMED');
  });

  it('refuses a certificate whose outer signature algorithm differs from the signed one (RFC 5280 §4.1.1.2)', () => {
    const rsa = makeChain('rsa').leaf.der;
    const buf = Buffer.from(rsa);
    // sha256WithRSAEncryption ...01 01 0b: the second occurrence is the outer AlgorithmIdentifier
    const oid = Buffer.from('2a864886f70d01010b', 'hex');
    const outer = buf.indexOf(oid, buf.indexOf(oid) + 1);
    expect(outer).toBeGreaterThan(0);
    buf[outer + oid.length - 1] = 0x0c; // sha384WithRSAEncryption
    expect(codeOf(() => parseCertificate(new Uint8Array(buf)))).toBe('CERT_MALFORMED');
  });

  it('refuses duplicate extensions', () => {
    const k = key('ec-p256', 'dup');
    const dup = (): unknown =>
      issueCertificate({
        subject: [['CN', 'dup']],
        publicKey: k.publicKey,
        selfSignKey: k,
        notBefore: NOT_BEFORE,
        notAfter: NOT_AFTER,
        keyUsage: ['digitalSignature'],
        extraExtensions: [{ oid: '2.5.29.15', critical: true, value: Uint8Array.of(0x03, 0x02, 0x07, 0x80) }],
      });
    expect(codeOf(dup)).toBe('CERT_MALFORMED');
  });

  it('refuses an RSA-1024 certificate with the crypto allow-list code, and validatePath reports it', async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-keyout', join(dir, 'weak.key'), '-sha256', '-subj', '/CN=weak', '-days', '30', '-out', join(dir, 'weak.pem')], { stdio: 'pipe' });
    const pem = await readFile(join(dir, 'weak.pem'), 'utf8');
    expect(codeOf(() => parseCertificate(pem))).toBe('CRYPTO_KEY_TOO_WEAK');
    const der = new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    const r = validatePath(der, { trust: createTrustStore([c.root.der]), at: AT });
    expect(r.status).toBe('invalid');
    expect(r.code).toBe('CRYPTO_KEY_TOO_WEAK');
  });

  it('never throws anything but EvoucherError, and never validates, on mutated certificates (property)', () => {
    const p = makeChain('ec-p256');
    const trust = createTrustStore([p.root.der]);
    const der = p.leaf.der;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: der.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const m = new Uint8Array(der);
        m[i] = (m[i] as number) ^ x;
        try {
          parseCertificate(m);
        } catch (e) {
          if (!isEvoucherError(e)) return false;
        }
        const r = validatePath(m, { trust, intermediates: [p.inter.der], at: AT });
        return r.status !== 'valid';
      }),
      { numRuns: 300 },
    );
  });
});

describe('who a certificate speaks for', () => {
  const k = key('ec-p256', 'who');
  const make = (subject: Parameters<typeof issueCertificate>[0]['subject']) =>
    issueCertificate({ subject, publicKey: k.publicKey, selfSignKey: k, notBefore: NOT_BEFORE, notAfter: NOT_AFTER, keyUsage: ['digitalSignature'] });

  it('reads the party from the subject OU and the organisation from organizationIdentifier (2.5.4.97)', () => {
    const cert = make([['C', 'CN'], ['O', 'Bank'], ['OU', 'Operations'], ['OU', 'yh'], ['organizationIdentifier', 'yh:102100099996'], ['CN', 'Bank sealer']]);
    expect(cert.party).toBe('yh');
    expect(cert.organizationIdentifier).toBe('yh:102100099996');
    expect(cert.commonName).toBe('Bank sealer');
    expect(certificateIdentity(cert)).toEqual({ party: 'yh', organizationIdentifier: 'yh:102100099996', fingerprintSha256: cert.fingerprintSha256, commonName: 'Bank sealer' });
  });

  it('speaks for nobody when the subject names two parties, none, or two organisations', () => {
    expect(make([['OU', 'dw'], ['OU', 'cz'], ['CN', 'x']]).party).toBeUndefined();
    expect(make([['OU', 'finance'], ['CN', 'x']]).party).toBeUndefined();
    expect(make([['OU', 'CZ'], ['CN', 'x']]).party).toBeUndefined(); // exact, lower-case codes only
    expect(make([['OU', 'cz'], ['OU', 'cz'], ['CN', 'x']]).party).toBe('cz');
    expect(make([['organizationIdentifier', 'a'], ['organizationIdentifier', 'b'], ['CN', 'x']]).organizationIdentifier).toBeUndefined();
  });

  it('checks a binding by party, organisation and fingerprint', () => {
    const cert = make([['OU', 'cz'], ['organizationIdentifier', 'cz:110101'], ['CN', 'Finance']]);
    const fp = cert.fingerprintSha256;
    const colons = fp.toUpperCase().replace(/(..)(?!$)/g, '$1:');
    expect(checkCertificateBinding(cert, { party: 'cz', organizationIdentifiers: ['cz:110101'], fingerprintsSha256: [colons] })).toMatchObject({ status: 'passed' });
    expect(checkCertificateBinding(cert, { party: 'dw' })).toMatchObject({ status: 'failed', code: 'POLICY_PARTY_MISMATCH' });
    expect(checkCertificateBinding(cert, { organizationIdentifiers: ['cz:110102'] })).toMatchObject({ status: 'failed', code: 'POLICY_ORG_MISMATCH' });
    expect(checkCertificateBinding(cert, { fingerprintsSha256: ['00'.repeat(32)] })).toMatchObject({ status: 'failed', code: 'POLICY_POSITION_FORBIDDEN' });
    const anonymous = make([['CN', 'nobody']]);
    expect(checkCertificateBinding(anonymous, { party: 'cz' })).toMatchObject({ status: 'failed', code: 'CERT_PARTY_MISSING' });
    expect(checkCertificateBinding(anonymous, { organizationIdentifiers: ['cz:110101'] })).toMatchObject({ status: 'failed', code: 'POLICY_ORG_MISMATCH' });
    expect(codeOf(() => checkCertificateBinding(cert, {}))).toBe('ARG_INVALID');
    expect(codeOf(() => checkCertificateBinding(cert, { fingerprintsSha256: ['abc'] }))).toBe('ARG_INVALID');
    expect(certificateFingerprint(cert.der)).toBe(fp);
  });
});

describe('trust stores', () => {
  const a = makeChain('ec-p256');
  const b = makeChain('sm2');

  it('createTrustStore takes DER, PEM bundles and CertificateInfo, and deduplicates', () => {
    const bundle = encodePem('CERTIFICATE', a.root.der) + encodePem('CERTIFICATE', b.root.der);
    const t = createTrustStore([bundle, a.root.der, b.root]);
    expect(t.anchors.map((x) => x.fingerprintSha256).sort()).toEqual([a.root.fingerprintSha256, b.root.fingerprintSha256].sort());
    expect(Object.isFrozen(t.anchors)).toBe(true);
    expect(codeOf(() => createTrustStore([]))).toBe('TRUST_NO_ANCHORS');
    expect(codeOf(() => createTrustStore([encodePem('X509 CRL', a.root.der)]))).toBe('CERT_MALFORMED');
  });

  it('loadTrustStore reads a PEM bundle, a DER file, or a directory of .pem/.crt/.cer files', async () => {
    const d = join(dir, 'trust');
    await mkdir(d);
    await writeFile(join(d, 'a.pem'), encodePem('CERTIFICATE', a.root.der));
    await writeFile(join(d, 'b.crt'), b.root.der);
    await writeFile(join(d, 'notes.txt'), 'not a certificate');
    await mkdir(join(d, 'sub'));
    await writeFile(join(d, 'sub', 'c.pem'), encodePem('CERTIFICATE', a.inter.der));
    const fromDir = await loadTrustStore(d);
    expect(fromDir.anchors.map((x) => x.subject).sort()).toEqual([a.root.subject, b.root.subject].sort());
    const bundleFile = join(dir, 'bundle.pem');
    await writeFile(bundleFile, encodePem('CERTIFICATE', a.root.der) + encodePem('CERTIFICATE', b.root.der));
    expect((await loadTrustStore(bundleFile)).anchors).toHaveLength(2);
    expect((await loadTrustStore(join(d, 'b.crt'))).anchors[0]?.subject).toBe(b.root.subject);
    // a chain validates against the loaded store
    expect(validatePath(a.leaf.der, { trust: fromDir, intermediates: [a.inter.der], at: AT }).status).toBe('valid');
  });

  it('loadTrustStore errors: ARG_IO for a missing path, TRUST_NO_ANCHORS for an empty one, CERT_MALFORMED for a bad file', async () => {
    await expect(loadTrustStore(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ARG_IO' });
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await expect(loadTrustStore(empty)).rejects.toMatchObject({ code: 'TRUST_NO_ANCHORS' });
    await writeFile(join(dir, 'bad.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    await expect(loadTrustStore(join(dir, 'bad.pem'))).rejects.toMatchObject({ code: 'CERT_MALFORMED' });
  });
});

describe('parseCrl', () => {
  const c = makeChain('sm2');

  it('reads issuer, times, entries, number and key identifier', () => {
    const crl = issueCrl({
      issuer: { certificate: c.inter, key: c.interKey },
      thisUpdate: new Date('2026-01-01T00:00:00Z'),
      nextUpdate: new Date('2026-02-01T00:00:00Z'),
      revoked: [{ serialNumber: c.leaf.serialNumber, revocationDate: new Date('2025-12-01T00:00:00Z'), reason: 4 }],
      crlNumber: 7n,
    });
    const again = parseCrl(encodePem('X509 CRL', crl.der));
    expect(again.issuer).toBe(c.inter.subject);
    expect(again.thisUpdate.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(again.nextUpdate?.toISOString()).toBe('2026-02-01T00:00:00.000Z');
    expect(again.revoked).toEqual([{ serialNumber: c.leaf.serialNumber, revocationDate: new Date('2025-12-01T00:00:00Z'), reason: 4 }]);
    expect(again.crlNumber).toBe('7');
    expect(again.authorityKeyIdentifier).toBe(c.inter.subjectKeyIdentifier);
    expect(again.signatureAlgorithm).toBe('sm2-sm3');
    expect(again.unsupportedCriticalExtensions).toEqual([]);
  });

  it('refuses malformed CRLs with CRL_MALFORMED', () => {
    const crl = issueCrl({ issuer: { certificate: c.inter, key: c.interKey }, thisUpdate: new Date('2026-01-01T00:00:00Z'), nextUpdate: new Date('2026-02-01T00:00:00Z') });
    for (const bad of [new Uint8Array(0), crl.der.subarray(0, crl.der.length - 2), Uint8Array.from([...crl.der, 0]), c.leaf.der]) {
      expect(codeOf(() => parseCrl(bad))).toBe('CRL_MALFORMED');
    }
    expect(codeOf(() => parseCrl(encodePem('CERTIFICATE', crl.der)))).toBe('CRL_MALFORMED');
  });
});
