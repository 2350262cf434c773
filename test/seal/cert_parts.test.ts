/**
 * The signer-locating slices of a certificate: right against node's own X.509 reader, always views of the
 * caller's bytes, and no answer carried over from an earlier call on other or since-changed bytes.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { derFromInput } from '../../src/pki/pem.js';
import { certificateParts } from '../../src/seal/formats/cert_parts.js';
import { caughtCode } from '../helpers/codes.js';

const PKI = join(import.meta.dirname, '..', '..', 'fixtures', 'pki');
const certs = ['p256/dw.cert.pem', 'p256/ca.cert.pem', 'rsa/dw.cert.pem', 'sm2/dw.cert.pem'].map((f) =>
  derFromInput(readFileSync(join(PKI, f), 'latin1'), ['CERTIFICATE'], 'CERT_MALFORMED'),
);

/** The DER INTEGER of a non-negative serial given in hex, as node prints it. */
function serialTlv(hex: string): Uint8Array {
  let h = hex.length % 2 === 1 ? `0${hex}` : hex;
  if (parseInt(h.slice(0, 2), 16) >= 0x80) h = `00${h}`;
  return Uint8Array.from([0x02, h.length / 2, ...Buffer.from(h, 'hex')]);
}

/** A copy of `der` inside a larger buffer, at an odd offset. */
function embedded(der: Uint8Array): Uint8Array {
  const big = new Uint8Array(der.length + 20).fill(0x30);
  big.set(der, 7);
  return big.subarray(7, 7 + der.length);
}

describe('certificateParts', () => {
  it('finds the serial and SPKI node finds, as views of the bytes passed, in any buffer and at any offset', () => {
    for (const der of certs) {
      const x = new X509Certificate(der);
      for (const bytes of [der, embedded(der), embedded(der)]) {
        const p = certificateParts(bytes, 'SEAL_CMS_MALFORMED');
        expect(p.der).toBe(bytes);
        expect(Buffer.from(p.spki).equals(x.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
        expect(Buffer.from(p.serial)).toEqual(Buffer.from(serialTlv(x.serialNumber)));
        expect(p.issuer[0]).toBe(0x30);
        for (const s of [p.serial, p.issuer, p.spki]) {
          expect(s.buffer).toBe(bytes.buffer);
          expect(s.byteOffset).toBeGreaterThanOrEqual(bytes.byteOffset);
          expect(s.byteOffset + s.length).toBeLessThanOrEqual(bytes.byteOffset + bytes.length);
        }
      }
    }
  });

  it('the issuer slice is the issuer Name node reads back', () => {
    // The CA certificate is self-issued: its issuer Name equals its subject Name, which node prints.
    const ca = certs[1] as Uint8Array;
    const p = certificateParts(ca, 'SEAL_CMS_MALFORMED');
    const text = Buffer.from(p.issuer).toString('latin1');
    for (const part of new X509Certificate(ca).issuer.split('\n')) expect(text).toContain(part.slice(part.indexOf('=') + 1));
  });

  it('malformed bytes fail with the caller\'s code every time, before and after their valid original is known', () => {
    const der = certs[0] as Uint8Array;
    const truncated = der.subarray(0, der.length - 1);
    expect(caughtCode(() => certificateParts(truncated, 'SEAL_SIGNER_MISMATCH'))).toBe('SEAL_SIGNER_MISMATCH');
    certificateParts(der, 'SEAL_CMS_MALFORMED');
    expect(caughtCode(() => certificateParts(truncated, 'SEAL_CMS_MALFORMED'))).toBe('SEAL_CMS_MALFORMED');
    expect(caughtCode(() => certificateParts(truncated, 'SEAL_CMS_MALFORMED'))).toBe('SEAL_CMS_MALFORMED');
  });

  it('a buffer changed after a successful read is read again, not answered from memory', () => {
    const bytes = Uint8Array.from(certs[2] as Uint8Array);
    certificateParts(bytes, 'SEAL_CMS_MALFORMED');
    bytes[0] = 0x31; // no longer a SEQUENCE
    expect(caughtCode(() => certificateParts(bytes, 'SEAL_CMS_MALFORMED'))).toBe('SEAL_CMS_MALFORMED');
    bytes[0] = 0x30;
    const tbsAt = 4; // the tbsCertificate SEQUENCE: a certificate of this size has a 4-byte outer header
    expect(bytes[tbsAt]).toBe(0x30);
    bytes[tbsAt] = 0x31;
    expect(caughtCode(() => certificateParts(bytes, 'SEAL_CMS_MALFORMED'))).toBe('SEAL_CMS_MALFORMED');
  });
});
