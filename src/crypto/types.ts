/**
 * The algorithm names of the SDK. Strings, not enums, so that they survive JSON and `erasableSyntaxOnly`.
 */

/** A signature algorithm on the allow-list. */
export type SignatureAlgorithm = 'sm2-sm3' | 'ecdsa-p256-sha256' | 'rsa-pkcs1-sha256' | 'rsa-pss-sha256';

/** A hash algorithm on the allow-list. */
export type HashAlgorithm = 'sm3' | 'sha256';

/** Every signature algorithm the SDK accepts, in a stable order. */
export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = Object.freeze([
  'sm2-sm3',
  'ecdsa-p256-sha256',
  'rsa-pkcs1-sha256',
  'rsa-pss-sha256',
]);
