/**
 * Every layer reads DER with encoding/der and reports its faults under its own code: no DER_* code escapes
 * certificate, CRL, key or algorithm parsing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OID, parsePublicKey, signatureAlgorithmFromOid } from '../../src/crypto/index.js';
import {
  DER_TAG,
  derBitString,
  derChildren,
  derContextTag,
  derExplicit,
  derOid,
  derSequence,
  derTlv,
  readDer,
} from '../../src/encoding/der.js';
import type { DerNode } from '../../src/encoding/der.js';
import { caughtCode } from '../helpers/codes.js';
import { decodePemBlocks, parseCertificate, parseCrl } from '../../src/pki/index.js';

const der = (file: string): Uint8Array => {
  const block = decodePemBlocks(readFileSync(new URL(`../../fixtures/pki/p256/${file}`, import.meta.url), 'utf8'), 'CERT_MALFORMED')[0];
  if (block === undefined) throw new Error(`no PEM block in ${file}`);
  return block.der;
};

const kids = (n: DerNode | undefined): readonly DerNode[] => derChildren(n as DerNode, 'node');

describe('DER faults keep the caller\'s code', () => {
  const cert = der('ca.cert.pem');
  const crl = der('ca.crl.pem');

  it('certificates: CERT_MALFORMED', () => {
    expect(parseCertificate(cert).isCa).toBe(true);
    // The first attribute value of the issuer Name, re-tagged as a constructed string (BER only).
    const tbs = kids(readDer(cert))[0];
    const issuer = kids(tbs)[3];
    const value = kids(kids(kids(issuer)[0])[0])[1] as DerNode;
    const constructed = Uint8Array.from(cert);
    constructed[value.start] = (constructed[value.start] as number) | 0x20;
    expect(caughtCode(() => parseCertificate(constructed))).toBe('CERT_MALFORMED');
    expect(caughtCode(() => parseCertificate(Uint8Array.of(...cert, 0)))).toBe('CERT_MALFORMED');
  });

  it('CRLs: CRL_MALFORMED', () => {
    expect(parseCrl(crl).revoked.length).toBeGreaterThanOrEqual(0);
    expect(caughtCode(() => parseCrl(Uint8Array.of(...crl, 0)))).toBe('CRL_MALFORMED');
    expect(caughtCode(() => parseCrl(crl.subarray(0, crl.length - 1)))).toBe('CRL_MALFORMED');
    const indefinite = Uint8Array.from(crl);
    indefinite[1] = 0x80;
    expect(caughtCode(() => parseCrl(indefinite))).toBe('CRL_MALFORMED');
  });

  it('keys: a high-form tag is malformed (CRYPTO_KEY_INVALID), not an unknown curve parameter', () => {
    const point = Uint8Array.of(4, ...new Uint8Array(64).fill(1));
    const high = derSequence(derSequence(derOid(OID.ecPublicKey), derTlv({ class: 'context', tag: 40, constructed: false }, Uint8Array.of(1))), derBitString(point));
    expect(caughtCode(() => parsePublicKey(high))).toBe('CRYPTO_KEY_INVALID');
    const trailing = derSequence(derSequence(derOid(OID.ecPublicKey), derOid(OID.p256)), derBitString(point), Uint8Array.of(0x05, 0x00));
    expect(caughtCode(() => parsePublicKey(Uint8Array.of(...trailing, 0)))).toBe('CRYPTO_KEY_INVALID');
  });

  it('RSASSA-PSS parameters: CRYPTO_ALGORITHM_UNSUPPORTED', () => {
    const params = derSequence(derExplicit(0, derSequence(derOid(OID.sha256))), derTlv(derContextTag(31), derTlv(DER_TAG.NULL)));
    expect(caughtCode(() => signatureAlgorithmFromOid(OID.rsassaPss, params))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
    expect(caughtCode(() => signatureAlgorithmFromOid(OID.rsassaPss, Uint8Array.of(0x30, 0x80, 0, 0)))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
  });
});
