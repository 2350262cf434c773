/**
 * Public types of the PKI module: certificates, trust stores, CRLs and path-validation results.
 */
import type { PublicKeyInfo } from '../crypto/index.js';
import type { SignatureAlgorithm } from '../crypto/types.js';
import type { ErrorCode } from '../errors.js';

/**
 * The party a sealer certificate speaks for, carried in the subject `OU`:
 * `dw` 预算单位 budget unit, `cz` 财政 finance bureau, `yh` 代理银行 agent bank, `rh` 人民银行国库 PBOC treasury.
 */
export type Party = 'dw' | 'cz' | 'yh' | 'rh';

/** Every {@link Party} code, in sealing order. */
export const PARTIES: readonly Party[] = Object.freeze(['dw', 'cz', 'yh', 'rh']);

/** A key-usage bit name (RFC 5280 §4.2.1.3). */
export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

/** One extension of a certificate, as found (the value is not interpreted here). */
export interface ExtensionInfo {
  /** Dotted OID, e.g. `2.5.29.19`. */
  readonly oid: string;
  /** The criticality flag. */
  readonly critical: boolean;
}

/**
 * A parsed X.509 certificate. Plain, frozen data: the raw bytes are kept in `der`, and every signature check
 * re-reads the received TBS slice from them.
 */
export interface CertificateInfo {
  /** The certificate exactly as received (DER). */
  readonly der: Uint8Array;
  /** Subject in RFC 4514 string form (most significant RDN last), e.g. `CN=Demo,OU=cz,O=Finance,C=CN`. */
  readonly subject: string;
  /** Issuer in RFC 4514 string form. */
  readonly issuer: string;
  /** Serial number as lower-case hex of the INTEGER content octets (two's complement, as encoded). */
  readonly serialNumber: string;
  /** Start of the validity period. */
  readonly notBefore: Date;
  /** End of the validity period (inclusive, RFC 5280 §4.1.2.5). */
  readonly notAfter: Date;
  /** SHA-256 of `der`, lower-case hex: the value a policy binds a certificate by. */
  readonly fingerprintSha256: string;
  /** basicConstraints cA. */
  readonly isCa: boolean;
  /** basicConstraints pathLenConstraint, when present. */
  readonly pathLen?: number;
  /** The key-usage bits that are set; empty when the extension is absent (see `hasKeyUsage`). */
  readonly keyUsage: readonly KeyUsageName[];
  /** True when the certificate carries a keyUsage extension. */
  readonly hasKeyUsage: boolean;
  /** The party in the subject `OU` (exactly one OU equal to a {@link Party} code), if any. */
  readonly party?: Party;
  /** The subject `organizationIdentifier` (OID 2.5.4.97), when the subject has exactly one. */
  readonly organizationIdentifier?: string;
  /** The subject common name (the last CN), if any. */
  readonly commonName?: string;
  /** The subject public key. */
  readonly publicKey: PublicKeyInfo;
  /** The certificate's signature algorithm, or `'unknown'` when it is not on the allow-list. */
  readonly signatureAlgorithm: SignatureAlgorithm | 'unknown';
  /** The dotted OID of the signature algorithm, as found. */
  readonly signatureAlgorithmOid: string;
  /** X.509 version (1, 2 or 3). */
  readonly version: number;
  /** Subject key identifier, lower-case hex, when present. */
  readonly subjectKeyIdentifier?: string;
  /** Authority key identifier (keyIdentifier field), lower-case hex, when present. */
  readonly authorityKeyIdentifier?: string;
  /** True when subject and issuer names match (self-issued; the signature may still be anyone's). */
  readonly selfIssued: boolean;
  /** Every extension with its criticality. */
  readonly extensions: readonly ExtensionInfo[];
}

/** Configured trust anchors. Only these are ever trusted (security.md §3 "Trust"). */
export interface TrustStore {
  /** The anchor certificates, deduplicated by fingerprint. */
  readonly anchors: readonly CertificateInfo[];
}

/** One entry of a CRL. */
export interface RevokedEntry {
  /** Serial number, lower-case hex of the INTEGER content octets (compare with {@link CertificateInfo.serialNumber}). */
  readonly serialNumber: string;
  /** When the certificate was revoked. */
  readonly revocationDate: Date;
  /** CRLReason code (RFC 5280 §5.3.1), when present. */
  readonly reason?: number;
  /**
   * invalidityDate (RFC 5280 §5.3.2), when present: since when the key is known or suspected to be compromised.
   * The revocation counts from the earlier of the two dates.
   */
  readonly invalidityDate?: Date;
}

/** A parsed X.509 CRL (RFC 5280 §5). Its signature is checked during path validation, against the issuer found there. */
export interface Crl {
  /** The CRL exactly as received (DER). */
  readonly der: Uint8Array;
  /** Issuer in RFC 4514 string form. */
  readonly issuer: string;
  /** thisUpdate. */
  readonly thisUpdate: Date;
  /** nextUpdate, when present. */
  readonly nextUpdate?: Date;
  /** The revoked certificates. */
  readonly revoked: readonly RevokedEntry[];
  /** cRLNumber, as a decimal string, when present. */
  readonly crlNumber?: string;
  /** Authority key identifier (keyIdentifier), lower-case hex, when present. */
  readonly authorityKeyIdentifier?: string;
  /** The CRL's signature algorithm, or `'unknown'` when it is not on the allow-list. */
  readonly signatureAlgorithm: SignatureAlgorithm | 'unknown';
  /** Critical CRL or entry extensions this implementation does not process; such a CRL is never used. */
  readonly unsupportedCriticalExtensions: readonly string[];
  /**
   * ExpiredCertsOnCRL (X.509 §9.6.2.8, 2.5.29.60), when present: the list still names the certificates that
   * expired at or after this time. Without it, a certificate that had expired when the CRL was issued may have
   * been dropped from it (RFC 5280 §3.3), so the CRL says nothing of it.
   */
  readonly expiredCertsOnCrl?: Date;
}

/** The status of one check. `skipped` never counts as a pass. */
export type CheckStatus = 'passed' | 'failed' | 'indeterminate' | 'skipped';

/** One check made during path validation. */
export interface PathCheck {
  /** What was checked: `parse`, `anchor`, `name-chaining`, `signature-algorithm`, `signature`, `validity`, `basic-constraints`, `path-length`, `key-usage`, `critical-extensions`, `revocation`, `bounds`. */
  readonly check: string;
  /** The outcome. */
  readonly status: CheckStatus;
  /** The code of a failed or indeterminate check. */
  readonly code?: ErrorCode;
  /** A lower-case human message. */
  readonly message: string;
  /** Subject of the certificate the check is about. */
  readonly certificate?: string;
}

/** The result of {@link validatePath}. */
export interface PathResult {
  /** `valid` only when every check passed (skipped checks are allowed only where the options allow them). */
  readonly status: 'valid' | 'invalid' | 'indeterminate';
  /** The code of the first failed (else indeterminate) check. */
  readonly code?: ErrorCode;
  /** A lower-case human summary. */
  readonly message: string;
  /** The chain that was built and judged, leaf first, anchor last (partial when no anchor was reached). */
  readonly chain: readonly CertificateInfo[];
  /** Every check made, in order. */
  readonly checks: readonly PathCheck[];
  /** The validation time used. */
  readonly at: Date;
}

/** What the leaf certificate is used for; decides the leaf key-usage rule. */
export type CertificateUsage = 'sealer' | 'maker' | 'any';

/** Options of {@link validatePath}. */
export interface ValidatePathOptions {
  /** The trust anchors. */
  readonly trust: TrustStore;
  /** Untrusted certificates that may complete the chain (e.g. embedded in a seal). Never trusted themselves. */
  readonly intermediates?: readonly (Uint8Array | CertificateInfo)[];
  /** The validation time (e.g. the signing time). */
  readonly at: Date;
  /** CRLs to consult. */
  readonly crls?: readonly Crl[];
  /** When true, a certificate with no usable CRL from its issuer makes the result indeterminate. A boolean (default false). */
  readonly requireRevocation?: boolean;
  /** Leaf usage: `sealer` (default), `maker` (both need digitalSignature or nonRepudiation) or `any`. */
  readonly usage?: CertificateUsage;
}
