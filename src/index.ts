/**
 * evoucher: build, seal in layers and verify China treasury centralized-payment electronic vouchers.
 *
 * This entry only re-exports. It never loads the PKCS#11 native module: that lives at `evoucher/keys/pkcs11`.
 */
export * from './errors.js';
export type { SignatureAlgorithm, HashAlgorithm } from './crypto/types.js';
export * from './crypto/index.js';
export type { KeyProvider } from './keys/provider.js';
export * from './keys/index.js';
export * from './encoding/index.js';
export * from './voucher/index.js';
export * from './pki/index.js';
export * from './seal/index.js';
export * from './verify/index.js';
