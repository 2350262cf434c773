/**
 * The few parts of an X.509 certificate the seal formats need to locate a signer (issuer name bytes, serial
 * number, subject public key info), read strictly from the received DER. Full certificate parsing and path
 * validation belong to `pki/`; this only finds slices. Internal.
 */
import type { ErrorCode } from '../../errors.js';
import { DerReader, TAG, type Tlv } from '../asn1.js';

/** Slices of one certificate (views into the received bytes). */
export interface CertificateParts {
  readonly der: Uint8Array;
  /** The issuer `Name` TLV, exactly as encoded. */
  readonly issuer: Uint8Array;
  /** The serial number INTEGER TLV, exactly as encoded. */
  readonly serial: Uint8Array;
  /** The `SubjectPublicKeyInfo` TLV. */
  readonly spki: Uint8Array;
}

/** Largest certificate accepted here (security.md §1.12: a 10 MB certificate is refused). */
export const MAX_CERTIFICATE_BYTES = 64 * 1024;

/**
 * Reads the issuer, serial and SPKI slices of a certificate (RFC 5280 §4.1).
 * @throws EvoucherError with `code` when the bytes are not a DER certificate.
 */
export function certificateParts(der: Uint8Array, code: ErrorCode, what = 'certificate'): CertificateParts {
  const r: DerReader = new DerReader(code);
  if (der.length > MAX_CERTIFICATE_BYTES) r.fail(`${what}: larger than ${MAX_CERTIFICATE_BYTES} bytes`);
  const outer = r.children(r.single(der, TAG.SEQUENCE, what), what, 4);
  if (outer.length !== 3) r.fail(`${what}: expected 3 elements`);
  const tbs = r.children(r.expect(outer[0], TAG.SEQUENCE, `${what}.tbsCertificate`), `${what}.tbsCertificate`, 12);
  let i = 0;
  if (tbs[0]?.tag === 0xa0) i = 1; // [0] EXPLICIT version
  const serial: Tlv = r.expect(tbs[i], TAG.INTEGER, `${what}.serialNumber`);
  r.expect(tbs[i + 1], TAG.SEQUENCE, `${what}.signature`);
  const issuer = r.expect(tbs[i + 2], TAG.SEQUENCE, `${what}.issuer`);
  r.expect(tbs[i + 3], TAG.SEQUENCE, `${what}.validity`);
  r.expect(tbs[i + 4], TAG.SEQUENCE, `${what}.subject`);
  const spki = r.expect(tbs[i + 5], TAG.SEQUENCE, `${what}.subjectPublicKeyInfo`);
  return { der, issuer: issuer.encoded, serial: serial.encoded, spki: spki.encoded };
}
