/**
 * The little a key provider needs from a certificate: its public key (to check that the private
 * key belongs to it) and its names (to put a PKCS#12 chain in order). Path validation is the PKI
 * module's job, not this one's.
 */
import { equalBytes } from '@noble/curves/utils.js';
import * as asn1js from 'asn1js';
import { Certificate } from 'pkijs';
import { parsePublicKey } from '../crypto/index.js';
import type { PublicKeyInfo } from '../crypto/index.js';
import { KeyProviderError } from './errors.js';

/** Largest certificate accepted (hostile-input bound). */
export const MAX_CERTIFICATE_BYTES = 64 * 1024;

/** What a provider reads from a certificate. */
export interface CertificateFacts {
  /** The certificate, DER, exactly as given. */
  readonly der: Uint8Array;
  /** The SubjectPublicKeyInfo, DER (parse it with {@link certificatePublicKey}). */
  readonly spki: Uint8Array;
  /** DER of the subject Name. */
  readonly subject: Uint8Array;
  /** DER of the issuer Name. */
  readonly issuer: Uint8Array;
}

/**
 * Reads a DER certificate.
 *
 * @param der - the certificate
 * @returns its key and names
 * @throws EvoucherError `CERT_MALFORMED` for bytes that are not one X.509 certificate
 */
export function readCertificate(der: Uint8Array): CertificateFacts {
  if (der.length === 0 || der.length > MAX_CERTIFICATE_BYTES) {
    throw new KeyProviderError('CERT_MALFORMED', 'certificate is empty or too large', {
      detail: { length: String(der.length) },
    });
  }
  let cert: Certificate;
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(der);
    cert = new Certificate({ schema: parsed.result });
  } catch (cause) {
    throw new KeyProviderError('CERT_MALFORMED', 'certificate is not a der x.509 certificate', { cause });
  }
  if (parsed.offset !== der.length) {
    // Bytes after the certificate (a padded token CKA_VALUE, a file with something appended) were
    // returned by certificate() with the certificate and refused only when a seal parsed it.
    throw new KeyProviderError('CERT_MALFORMED', 'certificate has bytes after its end', {
      detail: { length: String(der.length), end: String(Math.max(parsed.offset, 0)) },
    });
  }
  const spki = new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER(false));
  return Object.freeze({
    der: der.slice(),
    spki,
    subject: new Uint8Array(cert.subject.valueBeforeDecode),
    issuer: new Uint8Array(cert.issuer.valueBeforeDecode),
  });
}

/**
 * Parses and allow-lists the public key of a certificate.
 *
 * @param facts - from {@link readCertificate}
 * @returns the key
 * @throws EvoucherError the `CRYPTO_*` codes of {@link parsePublicKey} for a refused key
 *   (`CRYPTO_KEY_TOO_WEAK` for RSA < 2048, `CRYPTO_ALGORITHM_FORBIDDEN` for an off-list curve)
 */
export function certificatePublicKey(facts: CertificateFacts): PublicKeyInfo {
  return parsePublicKey(facts.spki);
}

/**
 * True when two public keys are the same key: same kind and the same point (EC, SM2) or the same
 * SubjectPublicKeyInfo (RSA; both come from {@link parsePublicKey}, which keeps the DER).
 *
 * @param a - a public key
 * @param b - another public key
 * @returns whether they are equal
 */
export function samePublicKey(a: PublicKeyInfo, b: PublicKeyInfo): boolean {
  if (a.kind !== b.kind) return false;
  if (a.point !== undefined && b.point !== undefined) return equalBytes(a.point, b.point);
  // RSA: the SPKI has one DER form (RFC 8017 A.1.1 with NULL parameters, which parsePublicKey
  // insists on), so byte equality is key equality.
  return equalBytes(a.spki, b.spki);
}

/**
 * The issuers of `leaf` among `others`, issuer first (each matched by exact name bytes), up to but without a
 * self-issued certificate: the intermediates a signer hands out (`KeyProvider.chain()`). A self-issued
 * certificate is the top of a chain, a trust anchor that verifiers take only from their own store, and
 * certificates that are not on the leaf's path are left out, so a stamp never carries them.
 *
 * @param leaf - the signer certificate
 * @param others - the other certificates of a file
 * @returns the intermediates of the leaf's path, issuer of the leaf first
 */
export function intermediatesOf(leaf: CertificateFacts, others: readonly CertificateFacts[]): CertificateFacts[] {
  const rest = [...others];
  const out: CertificateFacts[] = [];
  let current = leaf;
  // Bounded by the number of certificates: each step removes one.
  while (!equalBytes(current.subject, current.issuer)) {
    const i = rest.findIndex((c) => equalBytes(c.subject, current.issuer));
    if (i < 0) break;
    const [next] = rest.splice(i, 1);
    if (next === undefined || equalBytes(next.subject, next.issuer)) break; // the anchor: not handed out
    out.push(next);
    current = next;
  }
  return out;
}
