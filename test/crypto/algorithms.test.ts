import { describe, expect, it } from 'vitest';
import {
  hashAlgorithmFromOid,
  hashAlgorithmOid,
  hashForSignatureAlgorithm,
  OID,
  signatureAlgorithmFromOid,
  signatureAlgorithmIdentifier,
  signatureAlgorithmOid,
  SIGNATURE_ALGORITHMS,
} from '../../src/crypto/index.js';
import type { SignatureAlgorithm } from '../../src/crypto/index.js';
import { DER_TAG, derExplicit as explicit, derInteger as integer, derOid as oidDer, derSequence as sequence, derTlv, readDerOid as readOid, readDerSequence } from '../../src/encoding/der.js';
import { codeOf, hex, unhex } from './helpers.js';

const NULL = Uint8Array.of(5, 0);
const hashAlg = (o: string): Uint8Array => sequence(oidDer(o), NULL);
const pssParams = (hash: string, mgfHash: string, salt: bigint, trailer?: bigint): Uint8Array =>
  sequence(
    explicit(0, hashAlg(hash)),
    explicit(1, sequence(oidDer(OID.mgf1), hashAlg(mgfHash))),
    explicit(2, integer(salt)),
    ...(trailer === undefined ? [] : [explicit(3, integer(trailer))]),
  );

describe('signature algorithm OIDs', () => {
  it('maps the four allow-listed algorithms both ways', () => {
    for (const alg of SIGNATURE_ALGORITHMS) {
      const oid = signatureAlgorithmOid(alg);
      const params = alg === 'rsa-pss-sha256' ? pssParams(OID.sha256, OID.sha256, 32n) : undefined;
      expect(signatureAlgorithmFromOid(oid, params)).toBe(alg);
    }
    expect(signatureAlgorithmOid('sm2-sm3')).toBe('1.2.156.10197.1.501');
    expect(signatureAlgorithmOid('ecdsa-p256-sha256')).toBe('1.2.840.10045.4.3.2');
    expect(signatureAlgorithmOid('rsa-pkcs1-sha256')).toBe('1.2.840.113549.1.1.11');
    expect(signatureAlgorithmOid('rsa-pss-sha256')).toBe('1.2.840.113549.1.1.10');
  });

  it('accepts absent or NULL parameters for SM2, ECDSA and PKCS#1; refuses others', () => {
    for (const oid of [OID.sm2WithSm3, OID.ecdsaWithSha256, OID.sha256WithRsa]) {
      expect(signatureAlgorithmFromOid(oid)).toBeTruthy();
      expect(signatureAlgorithmFromOid(oid, NULL)).toBeTruthy();
      expect(codeOf(() => signatureAlgorithmFromOid(oid, oidDer(OID.p256)))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
    }
  });

  it.each([
    ['1.2.840.113549.1.1.5', 'sha1WithRSAEncryption'],
    ['1.2.840.113549.1.1.4', 'md5WithRSAEncryption'],
    ['1.2.840.113549.1.1.2', 'md2WithRSAEncryption'],
    ['1.3.14.3.2.29', 'sha1WithRSASignature'],
    ['1.2.840.10045.4.1', 'ecdsa-with-SHA1'],
    ['1.2.840.10040.4.3', 'dsa-with-sha1'],
    ['2.16.840.1.101.3.4.3.2', 'dsa-with-sha256'],
    ['1.2.840.113549.2.9', 'hmacWithSHA256'],
    ['1.3.6.1.5.5.8.1.2', 'hmac-sha1'],
    ['1.2.156.10197.1.502', 'sm2-with-sha1'],
    ['1.2.156.10197.1.503', 'sm2-with-sha256'],
    ['1.2.156.10197.1.504', 'sm2-with-sha512'],
  ])('forbids %s (%s)', (oid) => {
    expect(codeOf(() => signatureAlgorithmFromOid(oid))).toBe('CRYPTO_ALGORITHM_FORBIDDEN');
  });

  it.each([['1.2.840.10045.4.3.3'], ['1.2.840.113549.1.1.12'], ['1.3.101.112'], ['1.2.3.4'], ['2.999'], ['']])(
    'reports %s as unsupported',
    (oid) => {
      expect(codeOf(() => signatureAlgorithmFromOid(oid))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
    },
  );

  it('refuses unknown algorithm names', () => {
    expect(codeOf(() => signatureAlgorithmOid('rsa-sha1' as SignatureAlgorithm))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
    expect(codeOf(() => signatureAlgorithmOid('constructor' as SignatureAlgorithm))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
    expect(codeOf(() => hashForSignatureAlgorithm('x' as SignatureAlgorithm))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
  });
});

describe('RSASSA-PSS parameters (RFC 4055 §3.1)', () => {
  it('accepts SHA-256 / MGF1-SHA-256 / salt 32, with or without an explicit trailer 1', () => {
    expect(signatureAlgorithmFromOid(OID.rsassaPss, pssParams(OID.sha256, OID.sha256, 32n, 1n))).toBe('rsa-pss-sha256');
  });

  it('forbids the default (SHA-1) parameters and SHA-1 hashes', () => {
    expect(codeOf(() => signatureAlgorithmFromOid(OID.rsassaPss))).toBe('CRYPTO_ALGORITHM_FORBIDDEN');
    expect(codeOf(() => signatureAlgorithmFromOid(OID.rsassaPss, NULL))).toBe('CRYPTO_ALGORITHM_FORBIDDEN');
    expect(codeOf(() => signatureAlgorithmFromOid(OID.rsassaPss, sequence()))).toBe('CRYPTO_ALGORITHM_FORBIDDEN');
    const sha1 = '1.3.14.3.2.26';
    expect(codeOf(() => signatureAlgorithmFromOid(OID.rsassaPss, pssParams(sha1, OID.sha256, 32n)))).toBe('CRYPTO_ALGORITHM_FORBIDDEN');
    expect(codeOf(() => signatureAlgorithmFromOid(OID.rsassaPss, pssParams(OID.sha256, sha1, 32n)))).toBe('CRYPTO_ALGORITHM_FORBIDDEN');
  });

  it('reports other profiles as unsupported', () => {
    const sha384 = '2.16.840.1.101.3.4.2.2';
    expect(codeOf(() => signatureAlgorithmFromOid(OID.rsassaPss, pssParams(sha384, sha384, 48n)))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
    expect(codeOf(() => signatureAlgorithmFromOid(OID.rsassaPss, pssParams(OID.sha256, OID.sha256, 20n)))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
    expect(codeOf(() => signatureAlgorithmFromOid(OID.rsassaPss, pssParams(OID.sha256, OID.sha256, 32n, 2n)))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
    expect(codeOf(() => signatureAlgorithmFromOid(OID.rsassaPss, unhex('30ff')))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
    expect(codeOf(() => signatureAlgorithmFromOid(OID.rsassaPss, derTlv(DER_TAG.SEQUENCE, explicit(5, NULL))))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
  });
});

describe('signatureAlgorithmIdentifier', () => {
  it('encodes each algorithm with the parameters its profile requires', () => {
    expect(hex(signatureAlgorithmIdentifier('sm2-sm3'))).toBe('300a06082a811ccf55018375');
    expect(hex(signatureAlgorithmIdentifier('ecdsa-p256-sha256'))).toBe('300a06082a8648ce3d040302');
    expect(hex(signatureAlgorithmIdentifier('rsa-pkcs1-sha256'))).toBe('300d06092a864886f70d01010b0500');
    const pss = signatureAlgorithmIdentifier('rsa-pss-sha256');
    const parts = readDerSequence(pss, 'AlgorithmIdentifier');
    expect(readOid(parts[0], 'oid')).toBe(OID.rsassaPss);
    expect(hex((parts[1] as { raw: Uint8Array }).raw)).toBe(hex(pssParams(OID.sha256, OID.sha256, 32n)));
    expect(signatureAlgorithmFromOid(OID.rsassaPss, (parts[1] as { raw: Uint8Array }).raw)).toBe('rsa-pss-sha256');
  });
});

describe('hash OIDs', () => {
  it('maps sm3 and sha256; forbids sha1 and md5', () => {
    expect(hashAlgorithmFromOid(OID.sm3)).toBe('sm3');
    expect(hashAlgorithmFromOid(OID.sha256)).toBe('sha256');
    expect(hashAlgorithmOid('sm3')).toBe('1.2.156.10197.1.401');
    expect(hashAlgorithmOid('sha256')).toBe('2.16.840.1.101.3.4.2.1');
    expect(hashForSignatureAlgorithm('sm2-sm3')).toBe('sm3');
    expect(hashForSignatureAlgorithm('rsa-pss-sha256')).toBe('sha256');
    expect(codeOf(() => hashAlgorithmFromOid('1.3.14.3.2.26'))).toBe('CRYPTO_ALGORITHM_FORBIDDEN');
    expect(codeOf(() => hashAlgorithmFromOid('1.2.840.113549.2.5'))).toBe('CRYPTO_ALGORITHM_FORBIDDEN');
    expect(codeOf(() => hashAlgorithmFromOid('2.16.840.1.101.3.4.2.3'))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
  });
});
