/**
 * The little a key provider needs from a certificate: its public key (to check that the private
 * key belongs to it) and its names (to put a PKCS#12 chain in order). Path validation is the PKI
 * module's job, not this one's.
 */
import { bytesToHex, equalBytes } from '@noble/curves/utils.js';
import * as asn1js from 'asn1js';
import { Certificate } from 'pkijs';
import { parsePublicKey } from '../crypto/index.js';
import { nameKeyOfDer } from '../encoding/name.js';
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
  /** The subjectKeyIdentifier, when the certificate has one. */
  readonly subjectKeyId?: Uint8Array;
  /** The keyIdentifier of the authorityKeyIdentifier, when the certificate has one. */
  readonly authorityKeyId?: Uint8Array;
}

const SKI_OID = '2.5.29.14';
const AKI_OID = '2.5.29.35';

/** The bytes of an asn1js OCTET STRING pkijs parsed, or undefined for anything else. */
function octets(v: unknown): Uint8Array | undefined {
  const view = (v as { valueBlock?: { valueHexView?: unknown } } | undefined)?.valueBlock?.valueHexView;
  return view instanceof Uint8Array && view.length > 0 ? new Uint8Array(view) : undefined;
}

/** The subject and authority key identifiers (names alone cannot tell a renewed CA from its predecessor). */
function keyIds(cert: Certificate): { subjectKeyId?: Uint8Array; authorityKeyId?: Uint8Array } {
  const out: { subjectKeyId?: Uint8Array; authorityKeyId?: Uint8Array } = {};
  for (const e of cert.extensions ?? []) {
    try {
      if (e.extnID === SKI_OID) {
        const id = octets(e.parsedValue);
        if (id !== undefined) out.subjectKeyId = id;
      } else if (e.extnID === AKI_OID) {
        const id = octets((e.parsedValue as { keyIdentifier?: unknown } | undefined)?.keyIdentifier);
        if (id !== undefined) out.authorityKeyId = id;
      }
    } catch {
      // An unreadable identifier is no identifier: the names decide alone.
    }
  }
  return out;
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
    ...keyIds(cert),
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

/** The names of a certificate as path building compares them. */
interface Names {
  readonly subject: string;
  readonly issuer: string;
}

/**
 * The comparison key of a DER Name as path building computes it (RFC 5280 §7.1, src/encoding/name.ts): a CA
 * certificate re-issued with its subject as PrintableString still issued a leaf whose issuer name is UTF8String, and
 * a verifier chains them, so the signer must hand it out. A name the strict reader refuses (pkijs read it) matches
 * only its own bytes; a verifier refuses that certificate anyway.
 */
function nameKeyOf(der: Uint8Array): string {
  try {
    return `key:${nameKeyOfDer(der)}`;
  } catch {
    return `der:${bytesToHex(der)}`;
  }
}

/**
 * Could `issuer` have issued `child`? The issuer name matches the issuer's subject, and the key identifiers, when
 * both are present, agree (RFC 5280 §4.2.1.1, as path building matches them: docs/pki.md).
 */
function mayHaveIssued(issuer: CertificateFacts, child: CertificateFacts, names: (c: CertificateFacts) => Names): boolean {
  if (names(child).issuer !== names(issuer).subject) return false;
  const aki = child.authorityKeyId;
  const ski = issuer.subjectKeyId;
  return aki === undefined || ski === undefined || equalBytes(aki, ski);
}

/** A self-signed certificate (self-issued, and by its key identifiers its own issuer): the top of a path. */
function isSelfSigned(c: CertificateFacts, names: (c: CertificateFacts) => Names): boolean {
  return mayHaveIssued(c, c, names);
}

/**
 * The issuers of `leaf` among `others`, issuer first (matched by names as path building compares them and, when
 * present, key identifiers), and their issuers in turn, up to but without a self-signed certificate: the
 * intermediates a signer hands out (`KeyProvider.chain()`). A self-signed certificate is the top of a chain, a
 * trust anchor that verifiers take only from their own store, and certificates that are on no path of the leaf are
 * left out, so a stamp never carries them. Every possible issuer is kept, not only the first listed: a renewed CA (same name,
 * another key), a cross-certified CA (same name and key, two issuers) and a root key-update certificate
 * (self-issued, not self-signed) can each be the link a verifier's anchor needs.
 *
 * @param leaf - the signer certificate
 * @param others - the other certificates of a file
 * @returns the intermediates of the leaf's paths, issuers of the leaf first, each certificate once
 */
export function intermediatesOf(leaf: CertificateFacts, others: readonly CertificateFacts[]): CertificateFacts[] {
  const rest = [...others];
  const out: CertificateFacts[] = [];
  // Each certificate's names are read once, when first compared.
  const known = new Map<CertificateFacts, Names>();
  const names = (c: CertificateFacts): Names => {
    let n = known.get(c);
    if (n === undefined) {
      n = { subject: nameKeyOf(c.subject), issuer: nameKeyOf(c.issuer) };
      known.set(c, n);
    }
    return n;
  };
  const queue: CertificateFacts[] = [leaf];
  // Bounded by the number of certificates: each is taken from `rest` at most once, and queued at most once.
  for (let k = 0; k < queue.length; k++) {
    const current = queue[k] as CertificateFacts;
    if (isSelfSigned(current, names)) continue; // the top of its path
    for (let i = 0; i < rest.length; ) {
      const c = rest[i] as CertificateFacts;
      if (!mayHaveIssued(c, current, names)) {
        i++;
        continue;
      }
      rest.splice(i, 1);
      // The anchor is not handed out; a repeat (the leaf again, or a certificate listed twice) is handed out once.
      if (isSelfSigned(c, names) || equalBytes(c.der, leaf.der) || out.some((o) => equalBytes(o.der, c.der))) continue;
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}
