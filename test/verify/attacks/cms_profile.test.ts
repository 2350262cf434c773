/**
 * The `cms` profile (docs/formats.md "CMS seal format") read strictly by the verifier: signed attributes that
 * the signer really signed but that are off the profile are refused (`SEAL_CMS_MALFORMED`), and a digest
 * algorithm off the allow-list carries the allow-list's verdict (errors.md: FORBIDDEN for a known weak hash,
 * UNSUPPORTED for any other).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { digest, type HashAlgorithm } from '../../../src/crypto/index.js';
import {
  DER_TAG,
  derChildren,
  derContextTag,
  derGeneralizedTime,
  derOctetString,
  derOid,
  derSequence,
  derTlv,
  readDerOid,
  readDerSequence,
  compareDer,
} from '../../../src/encoding/der.js';
import { CMS_OID } from '../../../src/seal/formats/index.js';
import { certificateParts } from '../../../src/seal/formats/cert_parts.js';
import type { KeyProvider } from '../../../src/keys/provider.js';
import { b64, failures, key, replaceBytes, sealedOriginal, stampsOf, T, verifyOne, type Family } from '../helpers.js';

const sealed: Partial<Record<Family, Uint8Array>> = {};
beforeAll(async () => {
  sealed.p256 = await sealedOriginal('p256');
  sealed.sm2 = await sealedOriginal('sm2');
});

/** The envelope of `family` with its cz stamp replaced by `f(stamp)`. */
async function patchCz(family: Family, f: (stamp: Uint8Array) => Promise<Uint8Array> | Uint8Array): Promise<Uint8Array> {
  const envelope = sealed[family] as Uint8Array;
  const cz = stampsOf(envelope)[1]?.bytes as Uint8Array;
  return replaceBytes(envelope, Buffer.from(b64(cz)), Buffer.from(b64(await f(cz))));
}

/** Re-signs a stamp with `signer` after replacing its signed attributes (the rest kept byte for byte). */
async function resign(stamp: Uint8Array, signer: KeyProvider, edit: (type: string, attr: Uint8Array) => Uint8Array): Promise<Uint8Array> {
  const [type, wrapped] = readDerSequence(stamp, 'ContentInfo');
  const sd = derChildren(derChildren(wrapped as never, 'content')[0] as never, 'SignedData');
  const si = derChildren(derChildren(sd[4] as never, 'signerInfos')[0] as never, 'SignerInfo');
  const attrs = derChildren(si[3] as never, 'signedAttrs')
    .map((a) => edit(readDerOid(derChildren(a, 'attr')[0], 'type'), a.raw))
    .sort(compareDer);
  const signature = await signer.sign(derTlv(DER_TAG.SET, ...attrs));
  const signerInfo = derSequence(...[0, 1, 2].map((i) => si[i]?.raw as Uint8Array), derTlv(derContextTag(0), ...attrs), si[4]?.raw as Uint8Array, derOctetString(signature));
  const signedData = derSequence(...[0, 1, 2, 3].map((i) => sd[i]?.raw as Uint8Array), derTlv(DER_TAG.SET, signerInfo));
  return derSequence(type?.raw as Uint8Array, derTlv(derContextTag(0), signedData));
}

/** The stamp with its `digestAlgorithms` SET holding `algId` instead (the rest kept byte for byte). */
function withDigestAlgorithms(stamp: Uint8Array, algId: Uint8Array): Uint8Array {
  const [type, wrapped] = readDerSequence(stamp, 'ContentInfo');
  const sd = derChildren(derChildren(wrapped as never, 'content')[0] as never, 'SignedData');
  const signedData = derSequence(sd[0]?.raw as Uint8Array, derTlv(DER_TAG.SET, algId), ...[2, 3, 4].map((i) => sd[i]?.raw as Uint8Array));
  return derSequence(type?.raw as Uint8Array, derTlv(derContextTag(0), signedData));
}

const attribute = (type: string, value: Uint8Array): Uint8Array => derSequence(derOid(type), derTlv(DER_TAG.SET, value));

/** signing-certificate-v2 over `cert` hashed with `alg`, the algorithm written out unless `omit`. */
function ess(alg: HashAlgorithm, cert: Uint8Array, omit: boolean): Uint8Array {
  const p = certificateParts(cert, 'SEAL_CMS_MALFORMED');
  const algId = omit ? [] : [derSequence(derOid(alg === 'sm3' ? '1.2.156.10197.1.401' : '2.16.840.1.101.3.4.2.1'))];
  const issuerSerial = derSequence(derSequence(derTlv(derContextTag(4), p.issuer)), p.serial);
  return attribute(CMS_OID.signingCertificateV2, derSequence(derSequence(derSequence(...algId, derOctetString(digest(alg, cert)), issuerSerial))));
}

describe('cms signed attributes off the profile, signed by the real signer', () => {
  it('control: re-signing the unchanged attributes stays VALID', async () => {
    const r = await verifyOne(await patchCz('p256', (s) => resign(s, key('cz-p256'), (_t, a) => a)));
    expect(r.status).toBe('VALID');
  });

  it('signing-time as a GeneralizedTime in 2025 (RFC 5652 §11.3: UTCTime for 1950–2049) → SEAL_CMS_MALFORMED', async () => {
    const time = derGeneralizedTime(T(10));
    const r = await verifyOne(await patchCz('p256', (s) => resign(s, key('cz-p256'), (t, a) => (t === CMS_OID.signingTime ? attribute(t, time) : a))));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].format:SEAL_CMS_MALFORMED']);
  });

  it('signing-certificate-v2 hashed with SM3 on an ECDSA seal → SEAL_CMS_MALFORMED', async () => {
    const cert = await key('cz-p256').certificate();
    const r = await verifyOne(await patchCz('p256', (s) => resign(s, key('cz-p256'), (t, a) => (t === CMS_OID.signingCertificateV2 ? ess('sm3', cert, false) : a))));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].format:SEAL_CMS_MALFORMED']);
  });

  it('signing-certificate-v2 with the SHA-256 default on an SM2 seal → SEAL_CMS_MALFORMED', async () => {
    const cert = await key('cz-sm2').certificate();
    const r = await verifyOne(await patchCz('sm2', (s) => resign(s, key('cz-sm2'), (t, a) => (t === CMS_OID.signingCertificateV2 ? ess('sha256', cert, true) : a))));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].format:SEAL_CMS_MALFORMED']);
  });
});

describe('cms digest algorithms off the allow-list', () => {
  const SHA256 = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
  for (const [name, last, code] of [
    ['SHA-384 (strong, not on the list)', 0x02, 'CRYPTO_ALGORITHM_UNSUPPORTED'],
    ['an unknown NIST hash arc', 0x7f, 'CRYPTO_ALGORITHM_UNSUPPORTED'],
  ] as const) {
    it(`${name} in digestAlgorithms → the format check fails with ${code}`, async () => {
      const r = await verifyOne(await patchCz('p256', (s) => replaceBytes(s, Uint8Array.from(SHA256), Uint8Array.from([...SHA256.slice(0, -1), last]))));
      expect(r.status).toBe('INVALID');
      expect(failures(r)).toEqual([`seals[1].format:${code}`]);
    });
  }

  it('SHA-1 in digestAlgorithms → CRYPTO_ALGORITHM_FORBIDDEN', async () => {
    const sha1 = derSequence(derOid('1.3.14.3.2.26'));
    const r = await verifyOne(await patchCz('p256', (s) => withDigestAlgorithms(s, sha1)));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].format:CRYPTO_ALGORITHM_FORBIDDEN']);
  });
});

describe('cms certificates set: the profile layout only (the set is not signed)', () => {
  /** The stamp with its `certificates` [0] holding `certs` (the rest kept byte for byte). */
  function withCertificates(stamp: Uint8Array, edit: (certs: Uint8Array[]) => Uint8Array[]): Uint8Array {
    const [type, wrapped] = readDerSequence(stamp, 'ContentInfo');
    const sd = derChildren(derChildren(wrapped as never, 'content')[0] as never, 'SignedData');
    const certs = derChildren(sd[3] as never, 'certificates').map((c) => c.raw);
    const signedData = derSequence(...[0, 1, 2].map((i) => sd[i]?.raw as Uint8Array), derTlv(derContextTag(0), ...edit(certs)), sd[4]?.raw as Uint8Array);
    return derSequence(type?.raw as Uint8Array, derTlv(derContextTag(0), signedData));
  }

  it('control: the same set written again stays VALID', async () => {
    const r = await verifyOne(await patchCz('p256', (s) => withCertificates(s, (c) => c)));
    expect(r.status).toBe('VALID');
  });

  const fixture = (name: string): Uint8Array => {
    const pem = readFileSync(new URL(`../../../fixtures/pki/p256/${name}.cert.pem`, import.meta.url), 'latin1');
    return Uint8Array.from(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
  };
  const ascending = (c: readonly Uint8Array[]): boolean => c.every((x, i) => i === 0 || compareDer(c[i - 1] as Uint8Array, x) <= 0);

  it('the set in DER order (X.690 §11.6, as OpenSSL writes it), the signer after an issuer that sorts first → VALID', async () => {
    const r = await verifyOne(
      await patchCz('p256', (s) =>
        withCertificates(s, (c) => {
          const sorted = [...c].sort(compareDer);
          expect(Buffer.from(sorted[0] as Uint8Array).equals(Buffer.from(c[0] as Uint8Array))).toBe(false); // the signer is not first
          return sorted;
        }),
      ),
    );
    expect(r.status).toBe('VALID');
  });

  it('the signer certificate after its chain, the set not in DER order → SEAL_CMS_MALFORMED', async () => {
    const r = await verifyOne(
      await patchCz('p256', (s) =>
        withCertificates(s, (c) => {
          const [leaf] = c;
          const others = [fixture('ca'), fixture('root')];
          let layout = [others[0], leaf, others[1]] as Uint8Array[];
          if (ascending(layout)) layout = [others[1], leaf, others[0]] as Uint8Array[];
          expect(ascending(layout)).toBe(false);
          return layout;
        }),
      ),
    );
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].format:SEAL_CMS_MALFORMED']);
  });

  it('a certificate twice → SEAL_CMS_MALFORMED', async () => {
    const r = await verifyOne(await patchCz('p256', (s) => withCertificates(s, (c) => [...c, c[0] as Uint8Array])));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].format:SEAL_CMS_MALFORMED']);
  });
});
