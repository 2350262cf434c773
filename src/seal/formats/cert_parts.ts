/**
 * The few parts of an X.509 certificate the seal formats need to locate a signer (issuer name bytes, serial
 * number, subject public key info), read strictly from the received DER. Full certificate parsing and path
 * validation belong to `pki/`; this only finds slices. Internal.
 */
import { DER_LOW_TAG_LIMITS, DER_TAG, derChildren, derContextTag, expectDerTag, isDerTag, mapDerErrors, readDerSequence } from '../../encoding/der.js';
import { EvoucherError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';

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
  if (der.length > MAX_CERTIFICATE_BYTES) throw new EvoucherError(code, `${what}: larger than ${MAX_CERTIFICATE_BYTES} bytes`);
  return mapDerErrors(code, () => {
    const outer = readDerSequence(der, what, 3, 3, DER_LOW_TAG_LIMITS);
    const tbs = derChildren(expectDerTag(outer[0], DER_TAG.SEQUENCE, `${what}.tbsCertificate`), `${what}.tbsCertificate`, 0, 12);
    const i = isDerTag(tbs[0], derContextTag(0)) ? 1 : 0; // [0] EXPLICIT version
    const serial = expectDerTag(tbs[i], DER_TAG.INTEGER, `${what}.serialNumber`);
    expectDerTag(tbs[i + 1], DER_TAG.SEQUENCE, `${what}.signature`);
    const issuer = expectDerTag(tbs[i + 2], DER_TAG.SEQUENCE, `${what}.issuer`);
    expectDerTag(tbs[i + 3], DER_TAG.SEQUENCE, `${what}.validity`);
    expectDerTag(tbs[i + 4], DER_TAG.SEQUENCE, `${what}.subject`);
    const spki = expectDerTag(tbs[i + 5], DER_TAG.SEQUENCE, `${what}.subjectPublicKeyInfo`);
    return { der, issuer: issuer.raw, serial: serial.raw, spki: spki.raw };
  });
}
