/**
 * The key-provider contract (design.md §6): where a private key lives is the provider's business;
 * the rest of the SDK only asks for the certificate and a signature.
 */
import type { SignatureAlgorithm } from '../crypto/types.js';

/** A source of signatures: a software key, a PKCS#11 token (UKey, HSM), or anything a user writes. */
export interface KeyProvider {
  /** The signature algorithm this key makes. */
  readonly algorithm: SignatureAlgorithm;
  /** The signer's certificate, DER. */
  certificate(): Promise<Uint8Array>;
  /** Further certificates (intermediates, issuer first), DER, if the provider has them. */
  chain?(): Promise<Uint8Array[]>;
  /**
   * Signs `data` (the message itself, not a digest: the provider hashes as its device requires) and
   * returns the signature in DER (`SEQUENCE { r, s }` for SM2 and ECDSA; the raw block for RSA).
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
  /** Releases sessions and handles (PKCS#11). Idempotent. */
  close?(): Promise<void>;
}
