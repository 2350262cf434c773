/**
 * evoucher/crypto: the algorithm registry and allow-list, SM3 / SHA-256, SM2 (GB/T 32918 with
 * signer ID), ECDSA P-256 and RSA PKCS#1 v1.5 / PSS, key import and export. Pure: no file or
 * network I/O. See docs/crypto.md.
 */
export type { SignatureAlgorithm, HashAlgorithm } from './types.js';
export { SIGNATURE_ALGORITHMS } from './types.js';
export { digest } from './hash.js';
export type { Digester } from './digest_memo.js';
export {
  DEFAULT_SM2_ID,
  KEY_CACHE_SIZE,
  sm2Sign,
  sm2Verify,
  sm2PublicKeyFromPrivate,
  sm2ComputeZ,
  sm2ComputeDigest,
  clearSm2KeyCache,
} from './sm2.js';
export type { Sm2Options, Sm2SignOptions } from './sm2.js';
export {
  parsePublicKey,
  importPrivateKey,
  exportPrivateKeyPkcs8,
  generateKeyPair,
  algorithmForKey,
  sm2PublicKeyToSpki,
  MIN_RSA_BITS,
  MAX_RSA_BITS,
  MAX_RSA_EXPONENT_BITS,
} from './keys.js';
export type { PublicKeyInfo, PrivateKeyMaterial } from './keys.js';
export { signMessage, verifyMessage, PSS_SALT_LENGTH } from './sign.js';
export {
  OID,
  signatureAlgorithmFromOid,
  signatureAlgorithmOid,
  signatureAlgorithmIdentifier,
  hashAlgorithmFromOid,
  hashAlgorithmOid,
  hashForSignatureAlgorithm,
} from './algorithms.js';
export { ecdsaRawToDer, ecdsaDerToRaw } from './signature_der.js';
