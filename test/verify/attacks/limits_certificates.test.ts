/**
 * security.md §1.12: "a 10 MB certificate" and "a long chain" are rejected within a fixed time budget, with a
 * code, never VALID. limits.test.ts covers the other items of the list.
 * - A stamp carrying a 10 MB certificate: over the stamp base64 cap (BASE64_INVALID); with that cap raised by
 *   the caller, still over the stamp size the format readers take (SEAL_CMS_MALFORMED, ses too); and as a
 *   standalone seal signature for verify-seal, over MAX_SES_BYTES (DER_TOO_LARGE).
 * - A stamp whose embedded chain makes a path longer than MAX_CHAIN_LENGTH under a configured anchor:
 *   INDETERMINATE CERT_CHAIN_TOO_LONG (a path bound stopped the search); more certificates than the profile
 *   allows: SEAL_CMS_MALFORMED.
 */
import { describe, expect, it } from 'vitest';
import { generateKeyPair, type PrivateKeyMaterial } from '../../../src/crypto/index.js';
import { derChildren, derContextTag, derOctetString, derSequence, derTlv, readDerSequence } from '../../../src/encoding/der.js';
import { issueCertificate, MAX_CHAIN_LENGTH, type CertificateInfo } from '../../../src/pki/index.js';
import { MAX_CMS_CERTIFICATES } from '../../../src/seal/formats/index.js';
import { verifySesSignatureOverData } from '../../../src/verify/seal_signature.js';
import { b64, codes, craftStamp, failures, providerFor, replaceBytes, sealedOriginal, stampsOf, T, unsealed, verifyOne } from '../helpers.js';

const MB = 1024 * 1024;
/** A DER "certificate" of `n` bytes: a SEQUENCE holding one OCTET STRING. */
const bigCert = (n: number): Uint8Array => derSequence(derOctetString(new Uint8Array(n).fill(0x41)));

describe('a 10 MB certificate', () => {
  const tenMb = bigCert(10 * MB);

  async function withStamp(bytes: Uint8Array, format: 'cms' | 'ses'): Promise<Uint8Array> {
    const e = await sealedOriginal('p256');
    const s = stampsOf(e)[1];
    if (s === undefined) throw new Error('no stamp');
    let out = replaceBytes(e, Buffer.from(b64(s.bytes)), Buffer.from(b64(bytes)));
    if (format === 'ses') out = replaceBytes(out, Buffer.from('No="cz_zfzyz" Seq="2" Format="cms"'), Buffer.from('No="cz_zfzyz" Seq="2" Format="ses"'));
    return out;
  }

  it('inside a stamp → BASE64_INVALID (the stamp base64 cap), quickly', async () => {
    const t0 = Date.now();
    const r = await verifyOne(await withStamp(derSequence(tenMb), 'cms'));
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toEqual(['BASE64_INVALID']);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  for (const format of ['cms', 'ses'] as const) {
    it(`inside a ${format} stamp, the caller having raised the base64 cap → a format failure on that seal, quickly`, async () => {
      const t0 = Date.now();
      const r = await verifyOne(await withStamp(derSequence(tenMb), format), { limits: { maxStampBase64: 16 * MB } });
      expect(r.status).toBe('INVALID');
      expect(failures(r)).toEqual([`seals[1].format:${format === 'cms' ? 'SEAL_CMS_MALFORMED' : 'SEAL_MALFORMED'}`]);
      expect(r.errors[0]?.message).toMatch(/larger than/);
      expect(Date.now() - t0).toBeLessThan(5_000);
    });
  }

  it('as the sealer certificate of a standalone seal signature (verify-seal) → format DER_TOO_LARGE, quickly', async () => {
    const t0 = Date.now();
    const ses = derSequence(derSequence(), derOctetString(tenMb));
    const r = await verifySesSignatureOverData(ses, new Uint8Array(1), { at: T(10) });
    expect(r.status).toBe('INVALID');
    expect(r.errors.map((e) => `${e.where}:${e.code}`)).toEqual(['format:DER_TOO_LARGE']);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});

describe('a long chain carried by the stamp', () => {
  /** A root (to be configured as the anchor), `depth` CAs under it, and a cz sealer under the last CA. */
  function deepPki(depth: number): { root: CertificateInfo; cas: CertificateInfo[]; leaf: CertificateInfo; leafKey: PrivateKeyMaterial } {
    const window = { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2045-01-01T00:00:00Z') };
    const rootKey = generateKeyPair('ec-p256');
    const root = issueCertificate({ subject: [['CN', 'Deep Root']], publicKey: rootKey.publicKey, selfSignKey: rootKey, ca: true, keyUsage: ['keyCertSign', 'cRLSign'], ...window });
    let issuer = { certificate: root, key: rootKey };
    const cas: CertificateInfo[] = [];
    for (let i = 0; i < depth; i++) {
      const k = generateKeyPair('ec-p256');
      const cert = issueCertificate({ subject: [['CN', `Deep CA ${i}`]], publicKey: k.publicKey, issuer, ca: true, keyUsage: ['keyCertSign', 'cRLSign'], ...window });
      cas.push(cert);
      issuer = { certificate: cert, key: k };
    }
    const leafKey = generateKeyPair('ec-p256');
    const leaf = issueCertificate({
      subject: [['C', 'CN'], ['OU', 'cz'], ['organizationIdentifier', 'cz:110101'], ['CN', 'Deep sealer']],
      publicKey: leafKey.publicKey,
      issuer,
      keyUsage: ['digitalSignature', 'nonRepudiation'],
      ...window,
    });
    return { root, cas, leaf, leafKey };
  }

  it(`a path of ${MAX_CHAIN_LENGTH + 1} certificates (the stamp carries ${MAX_CHAIN_LENGTH}) to a configured anchor → INDETERMINATE CERT_CHAIN_TOO_LONG, quickly`, async () => {
    const p = deepPki(MAX_CHAIN_LENGTH - 1);
    const provider = providerFor(p.leafKey, p.leaf, [...p.cas].reverse().map((c) => c.der));
    const e = await craftStamp(unsealed(), { position: 'cz_zfzyz', sequence: 2, provider, time: T(10) });
    expect(stampsOf(e)[0]?.bytes.length).toBeGreaterThan(0);
    const t0 = Date.now();
    const r = await verifyOne(e, { trust: [p.root.der] });
    expect(r.status).toBe('INDETERMINATE');
    expect(failures(r)).toEqual(['seals[0].chain:CERT_CHAIN_TOO_LONG']);
    expect(r.indeterminate).toEqual(['trust']);
    expect(Date.now() - t0).toBeLessThan(5_000);
    // One CA fewer: the same construction is VALID at the chain check (the bound, not the construction, refused it).
    const q = deepPki(MAX_CHAIN_LENGTH - 2);
    const ok = await verifyOne(await craftStamp(unsealed(), { position: 'cz_zfzyz', sequence: 2, provider: providerFor(q.leafKey, q.leaf, [...q.cas].reverse().map((c) => c.der)), time: T(10) }), { trust: [q.root.der] });
    expect(ok.seals[0]?.checks.find((c) => c.check === 'chain')?.status).toBe('passed');
  });

  it(`more than ${MAX_CMS_CERTIFICATES} certificates in a cms stamp → SEAL_CMS_MALFORMED`, async () => {
    const p = deepPki(MAX_CMS_CERTIFICATES);
    const chain = [...p.cas].reverse().map((c) => c.der);
    // The writer takes at most the profile's count; a sender adds the rest to the (unsigned) certificates set.
    const provider = providerFor(p.leafKey, p.leaf, chain.slice(0, MAX_CMS_CERTIFICATES - 1));
    const e = await craftStamp(unsealed(), { position: 'cz_zfzyz', sequence: 2, provider, time: T(10) });
    const stamp = stampsOf(e)[0]?.bytes as Uint8Array;
    const [type, wrapped] = readDerSequence(stamp, 'ContentInfo');
    const sd = derChildren(derChildren(wrapped as never, 'content')[0] as never, 'SignedData');
    const certs = derChildren(sd[3] as never, 'certificates').map((c) => c.raw);
    expect(certs).toHaveLength(MAX_CMS_CERTIFICATES);
    const signedData = derSequence(...[0, 1, 2].map((i) => sd[i]?.raw as Uint8Array), derTlv(derContextTag(0), ...certs, chain[MAX_CMS_CERTIFICATES - 1] as Uint8Array), sd[4]?.raw as Uint8Array);
    const nine = derSequence(type?.raw as Uint8Array, derTlv(derContextTag(0), signedData));
    const r = await verifyOne(replaceBytes(e, Buffer.from(b64(stamp)), Buffer.from(b64(nine))), { trust: [p.root.der] });
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[0].format:SEAL_CMS_MALFORMED']);
  });
});
