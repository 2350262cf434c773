/**
 * Path validation: one generated bad case per code, for SM2 and P-256 chains (RSA for the main cases),
 * each asserting its own code, at a pinned time.
 */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/crypto/index.js';
import { EvoucherError } from '../../src/errors.js';
import { derOid, derSequence } from '../../src/encoding/der.js';
import {
  MAX_CHAIN_LENGTH,
  createTrustStore,
  issueCertificate,
  issueCrl,
  parseCertificate,
  validatePath,
} from '../../src/pki/index.js';
import type { CertificateInfo, Crl, PathResult, TrustStore, ValidatePathOptions } from '../../src/pki/index.js';
import { AT, NOT_AFTER, NOT_BEFORE, key, makeChain } from './helpers.js';
import type { Kind, TestChain } from './helpers.js';

const KINDS: readonly Kind[] = ['sm2', 'ec-p256'];

function trustOf(c: TestChain): TrustStore {
  return createTrustStore([c.root.der]);
}

function run(c: TestChain, extra: Partial<ValidatePathOptions> = {}, leaf: Uint8Array | CertificateInfo = c.leaf.der): PathResult {
  return validatePath(leaf, { trust: trustOf(c), intermediates: [c.inter.der], at: AT, usage: 'sealer', ...extra });
}

function expectCode(r: PathResult, status: PathResult['status'], code: string): void {
  expect({ status: r.status, code: r.code }).toEqual({ status, code });
  // The code is the code of a recorded check, and a non-valid result never hides behind skipped checks.
  expect(r.checks.some((x) => x.code === code && (x.status === 'failed' || x.status === 'indeterminate'))).toBe(true);
}

/** Flips one bit of the last byte of the signature BIT STRING (the certificate's last byte). */
function tamperSignature(der: Uint8Array): Uint8Array {
  const out = new Uint8Array(der);
  out[out.length - 1] = (out[out.length - 1] as number) ^ 0x01;
  return out;
}

/** Changes one character of the subject CN inside the TBS (the DER stays well-formed). */
function tamperTbs(der: Uint8Array, from: string, to: string): Uint8Array {
  const buf = Buffer.from(der);
  const at = buf.indexOf(Buffer.from(from, 'utf8'));
  expect(at).toBeGreaterThan(0);
  Buffer.from(to, 'utf8').copy(buf, at);
  return new Uint8Array(buf);
}

describe.each(KINDS)('validatePath (%s chain)', (kind) => {
  const good = makeChain(kind);

  it('accepts the good chain, leaf first and anchor last, with every check recorded', () => {
    const r = run(good);
    expect(r.status).toBe('valid');
    expect(r.code).toBeUndefined();
    expect(r.chain.map((c) => c.fingerprintSha256)).toEqual([good.leaf, good.inter, good.root].map((c) => c.fingerprintSha256));
    expect(r.at.toISOString()).toBe(AT.toISOString());
    const sigChecks = r.checks.filter((x) => x.check === 'signature' && x.status === 'passed');
    expect(sigChecks).toHaveLength(2);
    for (const check of ['name-chaining', 'validity', 'basic-constraints', 'key-usage', 'revocation', 'critical-extensions', 'anchor']) {
      expect(r.checks.some((x) => x.check === check)).toBe(true);
    }
    expect(Object.isFrozen(r)).toBe(true);
  });

  it('expired leaf → CERT_EXPIRED', () => {
    const c = makeChain(kind, { leaf: { notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2026-01-01T00:00:00Z') } });
    expectCode(run(c), 'invalid', 'CERT_EXPIRED');
    // the same certificate is fine at a time inside its validity
    expect(run(c, { at: new Date('2025-06-01T00:00:00Z') }).status).toBe('valid');
  });

  it('expired intermediate → CERT_EXPIRED', () => {
    const c = makeChain(kind, { inter: { notAfter: new Date('2026-01-01T00:00:00Z') } });
    const r = run(c);
    expectCode(r, 'invalid', 'CERT_EXPIRED');
    expect(r.checks.find((x) => x.code === 'CERT_EXPIRED')?.certificate).toBe(c.inter.subject);
  });

  it('not yet valid leaf → CERT_NOT_YET_VALID', () => {
    const c = makeChain(kind, { leaf: { notBefore: new Date('2027-01-01T00:00:00Z') } });
    expectCode(run(c), 'invalid', 'CERT_NOT_YET_VALID');
  });

  it('broken name chain (issuer name differs, key identifiers match) → CERT_NAME_CHAIN', () => {
    const c = makeChain(kind, { leaf: { issuerNameOverride: [['C', 'CN'], ['O', 'Someone Else'], ['CN', 'Not The CA']] } });
    expectCode(run(c), 'invalid', 'CERT_NAME_CHAIN');
  });

  it('wrong issuer: signed by an impostor CA with the same name → CERT_BAD_SIGNATURE', () => {
    const impostorKey = key(kind, 'impostor');
    const impostor = issueCertificate({
      subject: [['C', 'CN'], ['O', 'Test PKI'], ['CN', `Test ${kind} Sealer CA`]],
      publicKey: impostorKey.publicKey,
      selfSignKey: impostorKey,
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      ca: true,
      keyUsage: ['keyCertSign'],
    });
    // Without key identifiers the name leads to the real CA, whose key does not verify the signature.
    const c = makeChain(kind, { leafSigner: { certificate: impostor, key: impostorKey }, leaf: { omitKeyIdentifiers: true } });
    expectCode(run(c), 'invalid', 'CERT_BAD_SIGNATURE');
    // With key identifiers the impostor's AKI matches no known CA: no path, never valid.
    const d = makeChain(kind, { leafSigner: { certificate: impostor, key: impostorKey } });
    expectCode(run(d), 'indeterminate', 'CERT_UNTRUSTED');
    // Even with the impostor offered as an intermediate, it leads to no anchor.
    expectCode(run(d, { intermediates: [good.inter.der, impostor.der] }), 'indeterminate', 'CERT_UNTRUSTED');
  });

  it('non-CA intermediate → CERT_NOT_CA', () => {
    const c = makeChain(kind, { inter: { ca: false, pathLen: undefined, keyUsage: ['keyCertSign', 'cRLSign'] } });
    const r = run(c);
    expectCode(r, 'invalid', 'CERT_NOT_CA');
    expect(r.checks.find((x) => x.code === 'CERT_NOT_CA')?.certificate).toBe(c.inter.subject);
  });

  it('pathLen exceeded → CERT_PATHLEN', () => {
    // root pathLen 0 allows no intermediate below it
    const c = makeChain(kind, { root: { pathLen: 0 } });
    expectCode(run(c), 'invalid', 'CERT_PATHLEN');
  });

  it('intermediate pathLen exceeded by a second intermediate → CERT_PATHLEN', () => {
    const c = makeChain(kind); // inter has pathLen 0
    const subKey = key(kind, 'sub');
    const sub = issueCertificate({
      subject: [['C', 'CN'], ['CN', `Sub CA ${kind}`]],
      publicKey: subKey.publicKey,
      issuer: { certificate: c.inter, key: c.interKey },
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      ca: true,
      keyUsage: ['keyCertSign'],
    });
    const leaf = issueCertificate({
      subject: [['C', 'CN'], ['OU', 'dw'], ['CN', 'Leaf under sub']],
      publicKey: c.leafKey.publicKey,
      issuer: { certificate: sub, key: subKey },
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      keyUsage: ['digitalSignature'],
    });
    expectCode(run(c, { intermediates: [c.inter.der, sub.der] }, leaf.der), 'invalid', 'CERT_PATHLEN');
  });

  it('revoked before T → CERT_REVOKED; revoked after T → valid; a removeFromCRL entry revokes nothing', () => {
    const crl = (date: string, reason?: number): Crl =>
      issueCrl({
        issuer: { certificate: good.inter, key: good.interKey },
        thisUpdate: new Date('2026-07-01T00:00:00Z'),
        nextUpdate: new Date('2026-08-01T00:00:00Z'),
        revoked: [{ serialNumber: good.leaf.serialNumber, revocationDate: new Date(date), ...(reason === undefined ? {} : { reason }) }],
      });
    const before = run(good, { crls: [crl('2026-05-01T00:00:00Z', 1)] });
    expectCode(before, 'invalid', 'CERT_REVOKED');
    const after = run(good, { crls: [crl('2026-06-15T00:00:00Z', 1)] });
    expect(after.status).toBe('valid');
    expect(after.checks.filter((x) => x.check === 'revocation')[0]?.status).toBe('passed');
    // Taken off hold (OpenSSL's CA writes it into complete lists): good again; test/pki/revocation.test.ts has
    // such an entry beside a keyCompromise one for the same serial.
    expect(run(good, { crls: [crl('2026-05-01T00:00:00Z', 8)] }).status).toBe('valid');
  });

  it('revoked intermediate (CRL from the root) → CERT_REVOKED', () => {
    const rootCrl = issueCrl({
      issuer: { certificate: good.root, key: good.rootKey },
      thisUpdate: new Date('2026-05-01T00:00:00Z'),
      nextUpdate: new Date('2026-09-01T00:00:00Z'),
      revoked: [{ serialNumber: good.inter.serialNumber, revocationDate: new Date('2026-05-01T00:00:00Z') }],
    });
    const r = run(good, { crls: [rootCrl] });
    expectCode(r, 'invalid', 'CERT_REVOKED');
    expect(r.checks.find((x) => x.code === 'CERT_REVOKED')?.certificate).toBe(good.inter.subject);
  });

  it('requireRevocation without a CRL → CERT_REVOCATION_UNKNOWN (indeterminate); with CRLs for both CAs → valid', () => {
    expectCode(run(good, { requireRevocation: true }), 'indeterminate', 'CERT_REVOCATION_UNKNOWN');
    const window = { thisUpdate: new Date('2026-05-01T00:00:00Z'), nextUpdate: new Date('2026-09-01T00:00:00Z') };
    const crls = [
      issueCrl({ issuer: { certificate: good.inter, key: good.interKey }, ...window }),
      issueCrl({ issuer: { certificate: good.root, key: good.rootKey }, ...window }),
    ];
    expect(run(good, { requireRevocation: true, crls }).status).toBe('valid');
    // only the leaf's issuer has a CRL: the intermediate's revocation status is unknown
    expectCode(run(good, { requireRevocation: true, crls: crls.slice(0, 1) }), 'indeterminate', 'CERT_REVOCATION_UNKNOWN');
  });

  it('stale CRL with requireRevocation → CRL_EXPIRED (indeterminate)', () => {
    const stale = issueCrl({ issuer: { certificate: good.inter, key: good.interKey }, thisUpdate: new Date('2026-01-01T00:00:00Z'), nextUpdate: new Date('2026-02-01T00:00:00Z') });
    const fresh = issueCrl({ issuer: { certificate: good.root, key: good.rootKey }, thisUpdate: new Date('2026-05-01T00:00:00Z'), nextUpdate: new Date('2026-09-01T00:00:00Z') });
    expectCode(run(good, { requireRevocation: true, crls: [stale, fresh] }), 'indeterminate', 'CRL_EXPIRED');
  });

  it('CRL with a tampered signature → CRL_BAD_SIGNATURE (never used)', () => {
    const crl = issueCrl({
      issuer: { certificate: good.inter, key: good.interKey },
      thisUpdate: new Date('2026-05-01T00:00:00Z'),
      nextUpdate: new Date('2026-09-01T00:00:00Z'),
    });
    const bad = { ...crl, der: tamperSignature(crl.der) };
    expectCode(run(good, { crls: [bad] }), 'indeterminate', 'CRL_BAD_SIGNATURE');
    // a CRL signed by another key that names the CA cannot revoke anything either
    const forged = issueCrl({
      issuer: { certificate: good.inter, key: key(kind, 'forger') },
      thisUpdate: new Date('2026-05-01T00:00:00Z'),
      nextUpdate: new Date('2026-09-01T00:00:00Z'),
      revoked: [{ serialNumber: good.leaf.serialNumber, revocationDate: new Date('2026-01-01T00:00:00Z') }],
    });
    expectCode(run(good, { crls: [forged] }), 'indeterminate', 'CRL_BAD_SIGNATURE');
  });

  it('tampered signature → CERT_BAD_SIGNATURE', () => {
    expectCode(run(good, {}, tamperSignature(good.leaf.der)), 'invalid', 'CERT_BAD_SIGNATURE');
  });

  it('tampered TBS (subject changed after signing) → CERT_BAD_SIGNATURE', () => {
    const t = tamperTbs(good.leaf.der, 'cz:110101', 'cz:110102');
    expect(parseCertificate(t).organizationIdentifier).toBe('cz:110102');
    expectCode(run(good, {}, t), 'invalid', 'CERT_BAD_SIGNATURE');
  });

  it('tampered intermediate → CERT_BAD_SIGNATURE', () => {
    const r = run(good, { intermediates: [tamperSignature(good.inter.der)] });
    expectCode(r, 'invalid', 'CERT_BAD_SIGNATURE');
    expect(r.checks.find((x) => x.code === 'CERT_BAD_SIGNATURE')?.certificate).toBe(good.inter.subject);
  });

  it('leaf keyUsage missing or without digitalSignature/nonRepudiation → CERT_KEY_USAGE (sealer and maker)', () => {
    const none = makeChain(kind, { leaf: { keyUsage: undefined } });
    expectCode(run(none), 'invalid', 'CERT_KEY_USAGE');
    const enc = makeChain(kind, { leaf: { keyUsage: ['keyEncipherment'] } });
    expectCode(run(enc), 'invalid', 'CERT_KEY_USAGE');
    expectCode(run(enc, { usage: 'maker' }), 'invalid', 'CERT_KEY_USAGE');
    // usage 'any' does not constrain the leaf
    expect(run(enc, { usage: 'any' }).status).toBe('valid');
    // nonRepudiation alone is enough
    const nr = makeChain(kind, { leaf: { keyUsage: ['nonRepudiation'] } });
    expect(run(nr).status).toBe('valid');
  });

  it('a critical extendedKeyUsage without a document-signing purpose → CERT_KEY_USAGE; a non-critical one is not judged', () => {
    const eku = (critical: boolean, ...oids: string[]) => ({ extraExtensions: [{ oid: '2.5.29.37', critical, value: derSequence(...oids.map((o) => derOid(o))) }] });
    const serverAuth = makeChain(kind, { leaf: eku(true, '1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2') });
    expectCode(run(serverAuth), 'invalid', 'CERT_KEY_USAGE');
    expectCode(run(serverAuth, { usage: 'maker' }), 'invalid', 'CERT_KEY_USAGE');
    expect(run(serverAuth, { usage: 'any' }).status).toBe('valid');
    expect(run(makeChain(kind, { leaf: eku(false, '1.3.6.1.5.5.7.3.1') })).status).toBe('valid');
    for (const purpose of ['2.5.29.37.0', '1.3.6.1.5.5.7.3.36', '1.3.6.1.5.5.7.3.4']) {
      expect(run(makeChain(kind, { leaf: eku(true, '1.3.6.1.5.5.7.3.2', purpose) })).status, purpose).toBe('valid');
    }
  });

  it('default usage is sealer', () => {
    const enc = makeChain(kind, { leaf: { keyUsage: ['keyEncipherment'] } });
    const r = validatePath(enc.leaf.der, { trust: trustOf(enc), intermediates: [enc.inter.der], at: AT });
    expectCode(r, 'invalid', 'CERT_KEY_USAGE');
  });

  it('intermediate without keyCertSign → CERT_KEY_USAGE', () => {
    const c = makeChain(kind, { inter: { keyUsage: ['digitalSignature', 'cRLSign'] } });
    expectCode(run(c), 'invalid', 'CERT_KEY_USAGE');
    const d = makeChain(kind, { inter: { keyUsage: undefined } });
    expectCode(run(d), 'invalid', 'CERT_KEY_USAGE');
  });

  it('unknown critical extension → CERT_UNKNOWN_CRITICAL_EXTENSION', () => {
    const c = makeChain(kind, { leaf: { extraExtensions: [{ oid: '1.2.3.4.5.6', critical: true, value: Uint8Array.of(0x05, 0x00) }] } });
    expectCode(run(c), 'invalid', 'CERT_UNKNOWN_CRITICAL_EXTENSION');
    // the same extension, non-critical, is ignored
    const d = makeChain(kind, { leaf: { extraExtensions: [{ oid: '1.2.3.4.5.6', critical: false, value: Uint8Array.of(0x05, 0x00) }] } });
    expect(run(d).status).toBe('valid');
  });

  it('untrusted root → CERT_UNTRUSTED (indeterminate), even when the root is offered as an intermediate', () => {
    const other = makeChain(kind, { tag: '-other' });
    const trust = createTrustStore([other.root.der]);
    const r = validatePath(good.leaf.der, { trust, intermediates: [good.inter.der, good.root.der], at: AT });
    expectCode(r, 'indeterminate', 'CERT_UNTRUSTED');
    expect(r.chain.map((c) => c.subject)).toEqual([good.leaf.subject, good.inter.subject, good.root.subject]);
  });

  it('missing intermediate → CERT_UNTRUSTED (indeterminate)', () => {
    expectCode(run(good, { intermediates: [] }), 'indeterminate', 'CERT_UNTRUSTED');
  });

  it('self-signed leaf not among the anchors → CERT_UNTRUSTED; the same certificate as an anchor → valid', () => {
    const k = key(kind, 'self');
    const self = issueCertificate({
      subject: [['C', 'CN'], ['OU', 'cz'], ['organizationIdentifier', 'cz:110101'], ['CN', 'Self-made sealer']],
      publicKey: k.publicKey,
      selfSignKey: k,
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      keyUsage: ['digitalSignature'],
    });
    expectCode(run(good, { intermediates: [self.der] }, self.der), 'indeterminate', 'CERT_UNTRUSTED');
    const pinned = validatePath(self.der, { trust: createTrustStore([self.der]), at: AT });
    expect(pinned.status).toBe('valid');
    expect(pinned.chain).toHaveLength(1);
  });

  it('a chain longer than MAX_CHAIN_LENGTH → CERT_CHAIN_TOO_LONG', () => {
    const cas: { cert: CertificateInfo; key: ReturnType<typeof key> }[] = [{ cert: good.root, key: good.rootKey }];
    for (let i = 0; i < MAX_CHAIN_LENGTH; i++) {
      const k = key(kind, `deep${i}`);
      const prev = cas[cas.length - 1] as { cert: CertificateInfo; key: ReturnType<typeof key> };
      cas.push({
        cert: issueCertificate({
          subject: [['CN', `Deep CA ${i}`]],
          publicKey: k.publicKey,
          issuer: { certificate: prev.cert, key: prev.key },
          notBefore: NOT_BEFORE,
          notAfter: NOT_AFTER,
          ca: true,
          keyUsage: ['keyCertSign'],
        }),
        key: k,
      });
    }
    const last = cas[cas.length - 1] as { cert: CertificateInfo; key: ReturnType<typeof key> };
    const leaf = issueCertificate({
      subject: [['CN', 'Deep leaf']],
      publicKey: good.leafKey.publicKey,
      issuer: { certificate: last.cert, key: last.key },
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      keyUsage: ['digitalSignature'],
    });
    const r = run(good, { intermediates: cas.slice(1).map((c) => c.cert.der) }, leaf.der);
    expectCode(r, 'indeterminate', 'CERT_CHAIN_TOO_LONG');
  });
});

describe('validatePath: inputs and misuse', () => {
  const good = makeChain('ec-p256');

  it('never throws on bad leaf bytes: CERT_MALFORMED', () => {
    for (const bad of [new Uint8Array(0), Uint8Array.of(0x30, 0x80, 0x00, 0x00), good.leaf.der.subarray(0, 100), Uint8Array.from([...good.leaf.der, 0x00])]) {
      const r = run(good, {}, bad);
      expect(r.status).toBe('invalid');
      expect(r.code).toBe('CERT_MALFORMED');
    }
  });

  it('ignores malformed intermediates and reports them as skipped', () => {
    const r = run(good, { intermediates: [Uint8Array.of(1, 2, 3), good.inter.der] });
    expect(r.status).toBe('valid');
    expect(r.checks.some((x) => x.check === 'parse' && x.status === 'skipped' && x.code === 'CERT_MALFORMED')).toBe(true);
  });

  it('accepts a CertificateInfo as leaf and intermediates', () => {
    expect(validatePath(good.leaf, { trust: trustOf(good), intermediates: [good.inter], at: AT }).status).toBe('valid');
  });

  it('throws TRUST_NO_ANCHORS for an empty trust store and ARG_INVALID for a bad time', () => {
    expect(() => createTrustStore([])).toThrowError(expect.objectContaining({ code: 'TRUST_NO_ANCHORS' }));
    expect(() => validatePath(good.leaf.der, { trust: { anchors: [] }, at: AT })).toThrowError(expect.objectContaining({ code: 'TRUST_NO_ANCHORS' }));
    expect(() => validatePath(good.leaf.der, { trust: trustOf(good), at: new Date('nope') })).toThrowError(expect.objectContaining({ code: 'ARG_INVALID' }));
    expect(() => validatePath(good.leaf.der, { trust: trustOf(good), at: AT, usage: 'tls' as 'any' })).toThrow(EvoucherError);
  });

  it('a hand-made CertificateInfo is judged by its bytes only', () => {
    const forged = { ...good.leaf, subject: 'CN=Someone Else', party: 'rh' as const };
    const r = validatePath(forged, { trust: trustOf(good), intermediates: [good.inter.der], at: AT });
    expect(r.status).toBe('valid');
    expect(r.chain[0]?.party).toBe('cz');
  });

  it('an RSA chain validates, and an RSA signature on an SM2 key is refused', () => {
    const rsa = makeChain('rsa');
    expect(run(rsa).status).toBe('valid');
    // an intermediate with an SM2 key but the name/AKI of the RSA one cannot verify an RSA signature
    const sm2Key = generateKeyPair('sm2');
    const swapped = issueCertificate({
      subject: [['C', 'CN'], ['O', 'Test PKI'], ['CN', 'Test rsa Sealer CA']],
      publicKey: sm2Key.publicKey,
      issuer: { certificate: rsa.root, key: rsa.rootKey },
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      ca: true,
      keyUsage: ['keyCertSign'],
      omitKeyIdentifiers: true,
    });
    const leaf = issueCertificate({
      subject: [['CN', 'x']],
      publicKey: rsa.leafKey.publicKey,
      issuer: { certificate: rsa.inter, key: rsa.interKey },
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      keyUsage: ['digitalSignature'],
      omitKeyIdentifiers: true,
    });
    const r = validatePath(leaf.der, { trust: trustOf(rsa), intermediates: [swapped.der], at: AT });
    expect(r.status).toBe('invalid');
    expect(['CRYPTO_ALGORITHM_FORBIDDEN', 'CERT_BAD_SIGNATURE']).toContain(r.code);
  });

  it('SM2 certificates verify with the SDK SM2 (node X509Certificate.verify rejects them)', () => {
    const sm2 = makeChain('sm2');
    expect(run(sm2).status).toBe('valid');
    const node = new X509Certificate(Buffer.from(sm2.leaf.der));
    expect(node.verify(new X509Certificate(Buffer.from(sm2.inter.der)).publicKey)).toBe(false);
  });

  it('prefers a valid path when a same-named impostor intermediate is also offered', () => {
    const impostorKey = key('ec-p256', 'impostor2');
    const impostor = issueCertificate({
      subject: [['C', 'CN'], ['O', 'Test PKI'], ['CN', 'Test ec-p256 Sealer CA']],
      publicKey: impostorKey.publicKey,
      issuer: { certificate: good.root, key: key('ec-p256', 'not-the-root') },
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      ca: true,
      keyUsage: ['keyCertSign'],
      omitKeyIdentifiers: true,
    });
    const r = run(good, { intermediates: [impostor.der, good.inter.der] });
    expect(r.status).toBe('valid');
  });
});

describe('validatePath: hostile bags of certificates', () => {
  it('a flood of same-named CAs ends within the building bound, and the real chain still wins', () => {
    const good = makeChain('ec-p256');
    const flood: Uint8Array[] = [];
    for (let i = 0; i < 40; i++) {
      const k = key('ec-p256', `flood${i}`);
      // self-issued "Test ec-p256 Sealer CA" look-alikes without key identifiers: every one could issue every other
      flood.push(
        issueCertificate({
          subject: [['C', 'CN'], ['O', 'Test PKI'], ['CN', 'Test ec-p256 Sealer CA']],
          publicKey: k.publicKey,
          selfSignKey: k,
          notBefore: NOT_BEFORE,
          notAfter: NOT_AFTER,
          ca: true,
          keyUsage: ['keyCertSign'],
          omitKeyIdentifiers: true,
        }).der,
      );
    }
    const started = Date.now();
    const r = validatePath(good.leaf.der, { trust: createTrustStore([good.root.der]), intermediates: [...flood, good.inter.der], at: AT });
    expect(r.status).toBe('valid');
    // without the real intermediate: never valid, and bounded
    const lost = validatePath(good.leaf.der, { trust: createTrustStore([good.root.der]), intermediates: flood, at: AT });
    expect(lost.status).not.toBe('valid');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("look-alike CAs (a stamp's unsigned extra certificates) cannot spend the signature bound on the CRLs: the real chain still wins", () => {
    const good = makeChain('ec-p256');
    const name: [['C', string], ['O', string], ['CN', string]] = [['C', 'CN'], ['O', 'Test PKI'], ['CN', 'Test ec-p256 Sealer CA']];
    const hex = (h: string | undefined): Uint8Array => Uint8Array.from(Buffer.from(h ?? '', 'hex'));
    const octets = (b: Uint8Array): Uint8Array => Uint8Array.from([0x04, b.length, ...b]);
    const lookAlike = (i: number, publicKey: CertificateInfo['publicKey'], ids: boolean): Uint8Array =>
      issueCertificate({
        subject: name,
        publicKey,
        issuer: { certificate: good.root, key: key('ec-p256', 'look-alike signer') },
        notBefore: NOT_BEFORE,
        notAfter: NOT_AFTER,
        ca: true,
        keyUsage: ['keyCertSign', 'cRLSign'],
        serialNumber: Uint8Array.from([0x10, i + 1]),
        // the real CA's key identifier (the leaf's AKI) on another key: tried as early as the real CA
        ...(ids
          ? {
              omitKeyIdentifiers: true,
              extraExtensions: [
                { oid: '2.5.29.14', critical: false, value: octets(hex(good.inter.subjectKeyIdentifier)) },
                { oid: '2.5.29.35', critical: false, value: Uint8Array.from([0x30, 22, 0x80, 20, ...hex(good.root.subjectKeyIdentifier)]) },
              ],
            }
          : {}),
      }).der;
    const month = (m: number): Date => new Date(Date.UTC(2026, m, 1));
    // A year of the CA's lists, and the root's.
    const crls = [
      ...Array.from({ length: 12 }, (_, m) => issueCrl({ issuer: { certificate: good.inter, key: good.interKey }, thisUpdate: month(m - 6), nextUpdate: month(m - 5) })),
      issueCrl({ issuer: { certificate: good.root, key: good.rootKey }, thisUpdate: month(0), nextUpdate: month(12) }),
    ];
    for (const bag of [
      Array.from({ length: 7 }, (_, i) => lookAlike(i, good.inter.publicKey, false)), // the real CA's key, signed by another
      Array.from({ length: 7 }, (_, i) => lookAlike(i, key('ec-p256', `look-alike ${i}`).publicKey, true)), // other keys, the real key identifier
    ]) {
      const r = validatePath(good.leaf.der, { trust: createTrustStore([good.root.der]), intermediates: [...bag, good.inter.der], at: AT, crls, requireRevocation: true });
      expect(r.status).toBe('valid');
    }
  });
});
