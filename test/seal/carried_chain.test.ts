/**
 * The certificates a stamp carries after the signer's (`chain` of sealVoucher, the key provider's `chain()`) are
 * judged before the key signs: each parses, none is the signer's or given twice, each is an issuer of a
 * certificate the stamp holds before it (issuer first; in an ses stamp the seal maker's issuers too), and the
 * format carries them all. Real demo certificates (fixtures/pki) and certificates issued on the spot, real seals,
 * verified by the verifier.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, importPrivateKey, type PrivateKeyMaterial } from '../../src/crypto/index.js';
import { EvoucherError } from '../../src/errors.js';
import { openKeyProvider } from '../../src/keys/index.js';
import type { KeyProvider } from '../../src/keys/provider.js';
import { openPkcs12 } from '../../src/keys/software/index.js';
import { createPkcs12, issueCertificate, parseCertificate, type CertificateInfo } from '../../src/pki/index.js';
import { sealVoucher, type SealVoucherOptions } from '../../src/seal/apply.js';
import { MAX_CARRIED_CERTIFICATES } from '../../src/seal/carried_chain.js';
import { MAX_CMS_CERTIFICATES, parseStamp } from '../../src/seal/formats/index.js';
import { manifest, makeSealObject, PKI, pkiText, providerFor, seal, stampsOf, T, unsealed, verifyOne, type Family } from '../verify/helpers.js';

const NOT_BEFORE = new Date('2025-01-01T00:00:00Z');
const NOT_AFTER = new Date('2045-01-01T00:00:00Z');

const cert = (rel: string): CertificateInfo => parseCertificate(pkiText(rel));
const privateKey = (rel: string): PrivateKeyMaterial => importPrivateKey(pkiText(rel), { password: manifest.password });

/** A provider that counts its signatures, so a refusal is seen to come before any. */
function counted(k: KeyProvider): KeyProvider & { signed: () => number } {
  let n = 0;
  return {
    algorithm: k.algorithm,
    certificate: () => k.certificate(),
    ...(k.chain === undefined ? {} : { chain: () => (k.chain as () => Promise<Uint8Array[]>)() }),
    sign: (d) => ((n += 1), k.sign(d)),
    signed: () => n,
  };
}

/** The demo dw sealer of a family with no chain of its own. */
function leafOnly(family: 'p256' | 'sm2', chain: readonly Uint8Array[] = []): KeyProvider & { signed: () => number } {
  return counted(providerFor(privateKey(`${family}/dw.key.pem`), cert(`${family}/dw.cert.pem`), chain));
}

/**
 * The verifier's status once the voucher is complete: dw_gz (the seal under test) then cz_zfzyz by the demo cz
 * sealer of the family (cms, its key's chain), the built-in 5201 original positions.
 */
async function verifiedStatus(envelope: Uint8Array, family: Family = 'p256'): Promise<string> {
  const r = await verifyOne(await seal(envelope, 'cz_zfzyz', `cz-${family}`, T(10)));
  return r.errors.length === 0 ? r.status : `${r.status} ${r.errors.map((e) => `${e.where}:${e.code}`).join(' ')}`;
}

async function refusal(p: Promise<unknown>): Promise<EvoucherError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof EvoucherError) return e;
    throw e;
  }
  throw new Error('sealed, expected a refusal');
}

const cmsSeal = (key: KeyProvider, extra: Partial<SealVoucherOptions> = {}): Promise<Uint8Array> =>
  sealVoucher(unsealed(), { position: 'dw_gz', key, time: T(0), format: 'cms', ...extra });

/** The certificates the first stamp carries (the signer's first). */
function carried(envelope: Uint8Array): readonly string[] {
  const [stamp] = stampsOf(envelope);
  if (stamp === undefined) throw new Error('no stamp');
  const parsed = parseStamp(stamp);
  const certs = parsed.format === 'cms' ? parsed.certificates : [parsed.signerCertificate, ...parsed.certificates];
  return certs.map((c) => parseCertificate(c).subject);
}

/** A CA (or, with `leaf`, a dw sealer) issued by `issuer`. */
function issue(name: string, issuer: { certificate: CertificateInfo; key: PrivateKeyMaterial }, kind: 'ec-p256' | 'sm2', o: { leaf?: boolean; subject?: CertificateInfo['subject']; serialNumber?: Uint8Array } = {}): { cert: CertificateInfo; key: PrivateKeyMaterial } {
  const key = generateKeyPair(kind);
  const c = issueCertificate({
    subject: o.leaf === true ? [['C', 'CN'], ['O', 'Chain Test'], ['OU', 'dw'], ['organizationIdentifier', 'dw:110101001'], ['CN', name]] : [['C', 'CN'], ['O', 'Chain Test'], ['CN', name]],
    publicKey: key.publicKey,
    issuer,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    ...(o.serialNumber === undefined ? {} : { serialNumber: o.serialNumber }),
    ...(o.leaf === true ? { keyUsage: ['digitalSignature', 'nonRepudiation'] as const } : { ca: true, keyUsage: ['keyCertSign', 'cRLSign'] as const }),
  });
  return { cert: c, key };
}

let p256: { root: CertificateInfo; rootKey: PrivateKeyMaterial; ca: CertificateInfo; caKey: PrivateKeyMaterial; dw: CertificateInfo };
let strangers: { sm2Ca: CertificateInfo; sm2Root: CertificateInfo; rsaRoot: CertificateInfo };
let dir: string;

beforeAll(async () => {
  p256 = { root: cert('p256/root.cert.pem'), rootKey: privateKey('p256/root.key.pem'), ca: cert('p256/ca.cert.pem'), caKey: privateKey('p256/ca.key.pem'), dw: cert('p256/dw.cert.pem') };
  strangers = { sm2Ca: cert('sm2/ca.cert.pem'), sm2Root: cert('sm2/root.cert.pem'), rsaRoot: cert('rsa/root.cert.pem') };
  dir = await mkdtemp(join(tmpdir(), 'evoucher-carried-chain-'));
});
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('a chain in issuer-first order', () => {
  it('seals and verifies VALID, carried exactly as given: the issuer alone, or ending with the self-signed root', async () => {
    for (const chain of [[p256.ca.der], [p256.ca.der, p256.root.der]]) {
      const env = await cmsSeal(leafOnly('p256'), { chain });
      expect(carried(env)).toEqual([p256.dw.subject, ...chain.map((c) => parseCertificate(c).subject)]);
      expect(await verifiedStatus(env)).toBe('VALID');
    }
  });

  it('the demo roles seal with their manifest chains (issuer first, root last), as an option and from their keys', async () => {
    for (const family of ['p256', 'rsa'] as const) {
      const role = manifest.roles[`dw-${family}`];
      if (role === undefined) throw new Error('no demo role');
      const chain = role.chain.map((rel) => cert(rel).der);
      const key = providerFor(privateKey(role.key), cert(role.cert));
      expect(await verifiedStatus(await cmsSeal(key, { chain }), family)).toBe('VALID');
      const fromKey = await openKeyProvider(`file:${join(PKI, role.key)}?cert=${join(PKI, role.cert)}&${role.chain.map((rel) => `chain=${join(PKI, rel)}`).join('&')}`, { password: manifest.password });
      expect(await verifiedStatus(await cmsSeal(fromKey), family)).toBe('VALID');
    }
  });
});

describe('refusals, before the key signs', () => {
  it('a certificate that does not parse: CERT_MALFORMED naming its index', async () => {
    const truncated = p256.ca.der.slice(0, p256.ca.der.length - 1);
    const cases: [readonly Uint8Array[], string][] = [
      [[Uint8Array.of(1, 2, 3)], '0'],
      [[p256.ca.der, truncated], '1'],
      [[p256.ca.der, new TextEncoder().encode(pkiText('p256/root.cert.pem'))], '1'], // PEM text, not the DER a stamp holds
    ];
    for (const [chain, index] of cases) {
      const key = leafOnly('p256');
      const e = await refusal(cmsSeal(key, { chain }));
      expect(e.code).toBe('CERT_MALFORMED');
      expect(e.message).toContain(`chain[${index}]`);
      expect(e.detail).toMatchObject({ index, option: 'chain', source: 'option' });
      expect(key.signed()).toBe(0);
    }
  });

  it('the signer certificate again, a certificate twice, or two with one issuer and serial number: ARG_INVALID', async () => {
    // Same issuer and serial number as the CA, another certificate: the cms parser refuses such a set.
    const twin = issue('Twin', { certificate: p256.root, key: p256.rootKey }, 'ec-p256', { serialNumber: Buffer.from(p256.ca.serialNumber, 'hex') }).cert;
    const cases: [readonly Uint8Array[], string, RegExp][] = [
      [[p256.dw.der], '0', /chain\[0\] is the signer certificate/],
      [[p256.ca.der, p256.dw.der], '1', /chain\[1\] is the signer certificate/],
      [[p256.ca.der, p256.ca.der], '1', /chain\[1\] is chain\[0\] again/],
      [[p256.ca.der, p256.root.der, p256.root.der], '2', /chain\[2\] is chain\[1\] again/],
      [[p256.ca.der, twin.der], '1', /chain\[1\] \(CN=Twin.*\) has the issuer and serial number of chain\[0\]/],
    ];
    for (const [chain, index, message] of cases) {
      const key = leafOnly('p256');
      const e = await refusal(cmsSeal(key, { chain }));
      expect([e.code, e.detail['index']]).toEqual(['ARG_INVALID', index]);
      expect(e.message).toMatch(message);
      expect(key.signed()).toBe(0);
    }
  });

  it('a chain that does not link, or out of order: ARG_INVALID naming the index and both names', async () => {
    const cases: [readonly Uint8Array[], string, readonly string[]][] = [
      // Wrong order: the root first.
      [[p256.root.der, p256.ca.der], '0', [p256.root.subject, p256.dw.issuer]],
      // A stranger instead of the issuer, or after it.
      [[strangers.sm2Ca.der], '0', [strangers.sm2Ca.subject, p256.dw.issuer]],
      [[p256.ca.der, strangers.sm2Root.der], '1', [strangers.sm2Root.subject, p256.ca.issuer]],
      [[p256.ca.der, strangers.rsaRoot.der, p256.root.der], '1', [strangers.rsaRoot.subject, p256.ca.issuer]],
      // Nothing above a self-signed root.
      [[p256.ca.der, p256.root.der, strangers.sm2Ca.der], '2', [strangers.sm2Ca.subject, p256.root.subject]],
    ];
    for (const [chain, index, names] of cases) {
      const key = leafOnly('p256');
      const e = await refusal(cmsSeal(key, { chain }));
      expect([e.code, e.detail['index']]).toEqual(['ARG_INVALID', index]);
      expect(e.message).toContain(`chain[${index}]`);
      for (const n of names) expect(e.message).toContain(n);
      expect(key.signed()).toBe(0);
    }
  });

  it("the issuer's name with another key (a renewed CA that did not issue the signer): ARG_INVALID by the key identifiers", async () => {
    const key = generateKeyPair('ec-p256');
    const renewed = issueCertificate({
      subject: [['C', 'CN'], ['O', 'evoucher Demo PKI'], ['CN', 'evoucher Demo P-256 Sealer CA']],
      publicKey: key.publicKey,
      issuer: { certificate: p256.root, key: p256.rootKey },
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      ca: true,
      keyUsage: ['keyCertSign', 'cRLSign'],
    });
    expect(renewed.subject).toBe(p256.ca.subject);
    const e = await refusal(cmsSeal(leafOnly('p256'), { chain: [renewed.der, p256.root.der] }));
    expect([e.code, e.detail['index']]).toEqual(['ARG_INVALID', '0']);
    expect(e.message).toMatch(/has the name of the issuer of the signer certificate .* but another key: subjectKeyIdentifier [0-9a-f]+ is not its authorityKeyIdentifier [0-9a-f]+/);
    // After the signer's issuer it links to nothing either.
    expect((await refusal(cmsSeal(leafOnly('p256'), { chain: [p256.ca.der, renewed.der] }))).detail['index']).toBe('1');
  });

  it('every possible issuer may be carried: a cross-certificate of the CA (same name and key, another issuer) after it', async () => {
    const otherKey = generateKeyPair('ec-p256');
    const otherRoot = issueCertificate({
      subject: [['C', 'CN'], ['O', 'Chain Test'], ['CN', 'Other Root']],
      publicKey: otherKey.publicKey,
      selfSignKey: otherKey,
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      ca: true,
      keyUsage: ['keyCertSign', 'cRLSign'],
    });
    const cross = issueCertificate({
      subject: [['C', 'CN'], ['O', 'evoucher Demo PKI'], ['CN', 'evoucher Demo P-256 Sealer CA']],
      publicKey: p256.ca.publicKey,
      issuer: { certificate: otherRoot, key: otherKey },
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      ca: true,
      keyUsage: ['keyCertSign', 'cRLSign'],
    });
    for (const chain of [[p256.ca.der, cross.der], [p256.ca.der, p256.root.der, cross.der, otherRoot.der]]) {
      const env = await cmsSeal(leafOnly('p256'), { chain });
      expect(carried(env)).toHaveLength(chain.length + 1);
      expect(await verifiedStatus(env)).toBe('VALID');
    }
  });

  it('more certificates than the format carries: ARG_INVALID, while the longest linked chain it carries seals', async () => {
    expect(MAX_CARRIED_CERTIFICATES).toEqual({ cms: MAX_CMS_CERTIFICATES - 1, ses: MAX_CMS_CERTIFICATES });
    // root → ca1 → … → ca8 → dw: a chain that links all the way up.
    const cas: { cert: CertificateInfo; key: PrivateKeyMaterial }[] = [];
    let issuer = { certificate: p256.root, key: p256.rootKey };
    for (let i = 1; i <= 8; i++) {
      const ca = issue(`Level ${i} CA`, issuer, 'ec-p256');
      cas.push(ca);
      issuer = { certificate: ca.cert, key: ca.key };
    }
    const sealerUnder = (level: number): KeyProvider & { signed: () => number } => {
      const top = cas[level - 1] as { cert: CertificateInfo; key: PrivateKeyMaterial };
      const leaf = issue(`Level ${level} sealer`, { certificate: top.cert, key: top.key }, 'ec-p256', { leaf: true });
      return counted(providerFor(leaf.key, leaf.cert));
    };
    const upFrom = (level: number): Uint8Array[] => cas.slice(0, level).reverse().map((c) => c.cert.der);

    const tooLong = sealerUnder(8);
    const e = await refusal(cmsSeal(tooLong, { chain: upFrom(8) }));
    expect(e.code).toBe('ARG_INVALID');
    expect(e.message).toMatch(/chain holds 8 certificates; a cms stamp carries at most 7 after the signer's/);
    expect(tooLong.signed()).toBe(0);

    const longest = await cmsSeal(sealerUnder(7), { chain: upFrom(7) });
    expect(carried(longest)).toHaveLength(MAX_CMS_CERTIFICATES);
  });
});

describe('ses: the chain in TBS_Sign.extDatas', () => {
  // A seal maker under its own CA: the verifier builds the maker's path from the same carried certificates.
  let sealObject: Uint8Array;
  let makerCa: CertificateInfo;
  let sm2Ca: CertificateInfo;
  beforeAll(async () => {
    const root = { certificate: cert('sm2/root.cert.pem'), key: privateKey('sm2/root.key.pem') };
    const ca = issue('Seal Maker CA', root, 'sm2');
    makerCa = ca.cert;
    sm2Ca = cert('sm2/ca.cert.pem');
    const maker = issue('Seal Maker', { certificate: ca.cert, key: ca.key }, 'sm2', { leaf: true });
    sealObject = await makeSealObject(providerFor(maker.key, maker.cert), [cert('sm2/dw.cert.pem').der]);
  });
  const sesSeal = (key: KeyProvider, chain?: readonly Uint8Array[]): Promise<Uint8Array> =>
    sealVoucher(unsealed(), { position: 'dw_gz', key, time: T(0), seal: sealObject, ...(chain === undefined ? {} : { chain }) });

  it("carries the sealer's issuers and the seal maker's, each issuer first; the seal verifies VALID", async () => {
    const env = await sesSeal(leafOnly('sm2'), [sm2Ca.der, makerCa.der]);
    expect(carried(env)).toEqual([cert('sm2/dw.cert.pem').subject, sm2Ca.subject, makerCa.subject]);
    expect(await verifiedStatus(env, 'sm2')).toBe('VALID');
    // Without the maker's CA, the maker's path cannot be built from the stamp: it was needed.
    expect(await verifiedStatus(await sesSeal(leafOnly('sm2'), [sm2Ca.der]), 'sm2')).toBe('INDETERMINATE seals[0].maker-chain:CERT_UNTRUSTED');
  });

  it('refuses a stranger, a chain out of order, and more than 8 certificates, before the key signs', async () => {
    const root = cert('sm2/root.cert.pem').der;
    const cases: [readonly Uint8Array[], RegExp][] = [
      [[p256.ca.der], /chain\[0\] \(subject .*P-256 Sealer CA.*\) is not the issuer of the signer certificate \(issuer .*SM2 Sealer CA.*\) nor of the seal maker certificate/],
      [[root, sm2Ca.der], /chain\[0\] .* is not the issuer of the signer certificate/],
      [Array.from({ length: 9 }, () => sm2Ca.der), /chain holds 9 certificates; a ses stamp carries at most 8 after the signer's/],
    ];
    for (const [chain, message] of cases) {
      const key = leafOnly('sm2');
      const e = await refusal(sesSeal(key, chain));
      expect(e.code).toBe('ARG_INVALID');
      expect(e.message).toMatch(message);
      expect(key.signed()).toBe(0);
    }
  });
});

describe("the key provider's chain()", () => {
  it('file: with chain= files in any order and with a stranger: the provider hands out the issuers, issuer first, and the stamp carries them', async () => {
    await writeFile(join(dir, 'bundle.pem'), pkiText('p256/root.cert.pem') + pkiText('sm2/ca.cert.pem') + pkiText('p256/ca.cert.pem'));
    const key = await openKeyProvider(`file:${join(PKI, 'p256/dw.key.pem')}?cert=${join(PKI, 'p256/dw.cert.pem')}&chain=${join(dir, 'bundle.pem')}`, { password: manifest.password });
    expect((await key.chain?.())?.map((c) => parseCertificate(c).subject)).toEqual([p256.ca.subject]);
    const env = await cmsSeal(key);
    expect(carried(env)).toEqual([p256.dw.subject, p256.ca.subject]);
    expect(await verifiedStatus(env)).toBe('VALID');
  });

  it('PKCS#12, whose bag order is not defined: a file with the root first and a stranger seals with the issuer only', async () => {
    const shuffled = await createPkcs12({ key: privateKey('p256/dw.key.pem'), certificate: p256.dw, chain: [p256.root, strangers.sm2Ca, p256.ca], password: 'pw' });
    const key = openPkcs12({ data: shuffled, password: 'pw' });
    expect((await key.chain?.())?.map((c) => parseCertificate(c).subject)).toEqual([p256.ca.subject]);
    const env = await cmsSeal(key);
    expect(carried(env)).toEqual([p256.dw.subject, p256.ca.subject]);
    expect(await verifiedStatus(env)).toBe('VALID');
    // The demo PKCS#12 files (leaf, CA, root) likewise.
    const demo = await openKeyProvider(`pkcs12:${join(PKI, 'sm2/dw.p12')}`, { password: manifest.password });
    expect((await demo.chain?.())?.map((c) => parseCertificate(c).subject)).toEqual([cert('sm2/ca.cert.pem').subject]);
  });

  it('a provider of its own whose chain() is out of order is refused, not reordered (detail.source key)', async () => {
    const key = leafOnly('p256', [p256.root.der, p256.ca.der]);
    const e = await refusal(cmsSeal(key));
    expect([e.code, e.detail['index'], e.detail['source'], e.detail['option']]).toEqual(['ARG_INVALID', '0', 'key', undefined]);
    expect(e.message).toMatch(/^the key's chain\(\)\[0\] \(subject .*Root CA.*\) is not the issuer of the signer certificate/);
    expect(key.signed()).toBe(0);
    // A given chain replaces the key's and is judged instead.
    expect(await verifiedStatus(await cmsSeal(leafOnly('p256', [p256.root.der, p256.ca.der]), { chain: [p256.ca.der] }))).toBe('VALID');
    // A chain() that is not an array of bytes is an argument error too.
    const junk = { ...leafOnly('p256'), chain: async () => ['x'] as unknown as Uint8Array[] };
    expect((await refusal(cmsSeal(junk))).code).toBe('ARG_INVALID');
  });
});
