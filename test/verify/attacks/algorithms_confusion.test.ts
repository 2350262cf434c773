/**
 * security.md §1.8, at the verifier (the unit tests of `signatureAlgorithmFromOid` and `parsePublicKey` cover the
 * tables; these check that a stamp really reaches them): an SM2 seal labelled `1.2.156.10197.1.503`
 * (SM2-with-SHA256; algorithms.test.ts patches in `…1.502` under that name), in `cms` and in `ses`; an HMAC
 * OID over an ECDSA stamp (HMAC keyed with a public key, GHSA-c27r-x354-4m68); a DSA OID over an RSA stamp; an
 * ECDSA signature as raw r‖s where DER is required; a signer key on a curve off the allow-list, and one with
 * explicit curve parameters (the form an SM2 test-curve key takes). Each fails its own check with its own code.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { derChildren, derOctetString, derSequence, derTlv, derContextTag, DER_TAG, readDer, readDerSequence } from '../../../src/encoding/der.js';
import type { KeyProvider } from '../../../src/keys/provider.js';
import { parseCertificate } from '../../../src/pki/index.js';
import {
  anchor,
  b64,
  craftSesStamp,
  craftStamp,
  failures,
  key,
  makeSealObject,
  manifest,
  pkiText,
  replaceBytes,
  replaceLast,
  seal,
  stampsOf,
  T,
  unsealed,
  verifyOne,
} from '../helpers.js';

const OID = {
  sm2WithSm3: [0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75], // 1.2.156.10197.1.501
  sm2WithSha256: [0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x77], // 1.2.156.10197.1.503
  ecdsaWithSha256: [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02], // 1.2.840.10045.4.3.2
  hmacWithSha256: [0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09], // 1.2.840.113549.2.9
  sha256WithRsa: [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b], // 1.2.840.113549.1.1.11
  dsaWithSha256: [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x02], // 2.16.840.1.101.3.4.3.2
};

/** The envelope with the stamp at `index` transformed (its base64 swapped in the text). */
function patchStamp(envelope: Uint8Array, index: number, f: (stamp: Uint8Array) => Uint8Array): Uint8Array {
  const s = stampsOf(envelope)[index];
  if (s === undefined) throw new Error('no stamp');
  return replaceBytes(envelope, Buffer.from(b64(s.bytes)), Buffer.from(b64(f(s.bytes))));
}

/** A cms stamp with its SignerInfo elements edited (the rest kept byte for byte). */
function withSignerInfo(stamp: Uint8Array, edit: (si: Uint8Array[]) => Uint8Array[]): Uint8Array {
  const [type, wrapped] = readDerSequence(stamp, 'ContentInfo');
  const sd = derChildren(derChildren(wrapped as never, 'content')[0] as never, 'SignedData');
  const si = derChildren(derChildren(sd[4] as never, 'signerInfos')[0] as never, 'SignerInfo').map((n) => n.raw);
  const signedData = derSequence(...[0, 1, 2, 3].map((i) => sd[i]?.raw as Uint8Array), derTlv(DER_TAG.SET, derSequence(...edit([...si]))));
  return derSequence(type?.raw as Uint8Array, derTlv(derContextTag(0), signedData));
}

let p256Sealed: Uint8Array;
let rsaSealed: Uint8Array;
let sm2Sealed: Uint8Array;
beforeAll(async () => {
  p256Sealed = await seal(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), 'cz_zfzyz', 'cz-p256', T(10));
  rsaSealed = await seal(await seal(unsealed(), 'dw_gz', 'dw-rsa', T(0)), 'cz_zfzyz', 'cz-rsa', T(10));
  sm2Sealed = await seal(await seal(unsealed(), 'dw_gz', 'dw-sm2', T(0)), 'cz_zfzyz', 'cz-sm2', T(10));
});

describe('a signature algorithm that disagrees with the key, or is off the allow-list', () => {
  it('control: the three stamps verify untouched', async () => {
    for (const e of [p256Sealed, rsaSealed, sm2Sealed]) expect((await verifyOne(e)).status).toBe('VALID');
  });

  it('cms: 1.2.156.10197.1.503 (SM2-with-SHA256) on an SM2 stamp → CRYPTO_ALGORITHM_FORBIDDEN', async () => {
    const r = await verifyOne(patchStamp(sm2Sealed, 1, (s) => replaceLast(s, OID.sm2WithSm3, OID.sm2WithSha256)));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].format:CRYPTO_ALGORITHM_FORBIDDEN']);
  });

  it('cms: hmacWithSHA256 over an ECDSA stamp (HMAC keyed with the public key) → CRYPTO_ALGORITHM_FORBIDDEN', async () => {
    const r = await verifyOne(patchStamp(p256Sealed, 1, (s) => replaceLast(s, OID.ecdsaWithSha256, OID.hmacWithSha256)));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].format:CRYPTO_ALGORITHM_FORBIDDEN']);
  });

  it('cms: dsa-with-sha256 over an RSA stamp → CRYPTO_ALGORITHM_FORBIDDEN', async () => {
    const r = await verifyOne(patchStamp(rsaSealed, 1, (s) => replaceLast(s, OID.sha256WithRsa, OID.dsaWithSha256)));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].format:CRYPTO_ALGORITHM_FORBIDDEN']);
  });

  it('ses: SES_Signature.signatureAlgID 1.2.156.10197.1.503 → format failure (SEAL_MALFORMED), never VALID', async () => {
    const czCert = parseCertificate(pkiText(manifest.roles['cz-sm2']?.cert ?? '')).der;
    const sealObject = await makeSealObject(key('maker-sm2'), [czCert]);
    const dwSeal = await makeSealObject(key('maker-sm2'), [parseCertificate(pkiText(manifest.roles['dw-sm2']?.cert ?? '')).der], { esId: 'TEST-SEAL-DW' });
    const dw = await seal(unsealed(), 'dw_gz', 'dw-sm2', T(0), { format: 'ses', seal: dwSeal });
    const good = await craftSesStamp(dw, { position: 'cz_zfzyz', sequence: 2, provider: key('cz-sm2'), time: T(10), seal: sealObject });
    expect((await verifyOne(good, { trust: [anchor('sm2')] })).status).toBe('VALID');
    // The last OID of the stamp is SES_Signature.signatureAlgID (after TBS_Sign and the sealer certificate).
    const r = await verifyOne(patchStamp(good, 1, (s) => replaceLast(s, OID.sm2WithSm3, OID.sm2WithSha256)), { trust: [anchor('sm2')] });
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].format:SEAL_MALFORMED']);
    expect(r.errors[0]?.message).toMatch(/not SM2-with-SM3/);
  });
});

describe('signature encoding', () => {
  it('cms: an ECDSA signature as raw r‖s (IEEE P1363) instead of DER → SEAL_SIGNATURE_INVALID', async () => {
    const r = await verifyOne(
      patchStamp(p256Sealed, 1, (s) =>
        withSignerInfo(s, (si) => {
          const der = readDer(readDer(si[5] as Uint8Array).value);
          const [rr, ss] = (der.children ?? []).map((c) => {
            const v = c.value.length > 32 ? c.value.subarray(c.value.length - 32) : c.value;
            return Uint8Array.from([...new Uint8Array(32 - v.length), ...v]);
          });
          return [...si.slice(0, 5), derOctetString(Uint8Array.from([...(rr ?? []), ...(ss ?? [])]))];
        }),
      ),
    );
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].signature:SEAL_SIGNATURE_INVALID']);
  });
});

describe('signer keys off the allow-list (certificates made by OpenSSL, signatures real)', () => {
  async function opensslSigner(keyArgs: string[], body: (keyPem: string, certDer: Uint8Array) => KeyProvider): Promise<KeyProvider> {
    const dir = await mkdtemp(join(tmpdir(), 'evoucher-curve-'));
    try {
      execFileSync('openssl', [...keyArgs, '-out', 'k.pem'], { cwd: dir, stdio: 'pipe' });
      execFileSync('openssl', ['req', '-x509', '-key', 'k.pem', '-out', 'c.pem', '-subj', '/C=CN/O=Weak/OU=cz/CN=weak', '-days', '3650', '-sha256',
        '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation', '-set_serial', '9'], { cwd: dir, stdio: 'pipe' });
      const keyPem = await readFile(join(dir, 'k.pem'), 'utf8');
      const certPem = await readFile(join(dir, 'c.pem'), 'utf8');
      return body(keyPem, new Uint8Array(Buffer.from(certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const ecdsaSigner = (keyPem: string, certDer: Uint8Array): KeyProvider => ({
    algorithm: 'ecdsa-p256-sha256',
    certificate: async () => certDer,
    chain: async () => [],
    sign: async (d) => new Uint8Array(nodeSign('sha256', d, createPrivateKey(keyPem))),
  });

  for (const [name, args] of [
    ['secp256k1 (a curve off the allow-list)', ['ecparam', '-name', 'secp256k1', '-genkey', '-noout']],
    ['P-256 written with explicit curve parameters (how an SM2 test-curve key arrives)', ['ecparam', '-name', 'prime256v1', '-param_enc', 'explicit', '-genkey', '-noout']],
  ] as const) {
    it(`${name} → the signature check refuses the key (CRYPTO_ALGORITHM_FORBIDDEN), never VALID`, async () => {
      const signer = await opensslSigner([...args], ecdsaSigner);
      const e = await craftStamp(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), { position: 'cz_zfzyz', sequence: 2, provider: signer, time: T(10) });
      const r = await verifyOne(e);
      expect(r.status).not.toBe('VALID');
      expect(r.seals[1]?.checks.find((c) => c.check === 'signature')).toMatchObject({ status: 'failed', code: 'CRYPTO_ALGORITHM_FORBIDDEN' });
    });
  }
});
