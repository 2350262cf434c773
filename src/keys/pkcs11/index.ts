/**
 * evoucher/keys/pkcs11: keys on PKCS#11 tokens (UKeys, HSMs, SoftHSM2). This subpath loads the
 * pkcs11js native module, lazily, on the first open; the SDK root never imports it. See
 * docs/keys.md.
 */
export { openPkcs11 } from './signer.js';
export type { Pkcs11Options } from './signer.js';
export type { TokenSelector } from './selector.js';
export { findPkcs11Module, PKCS11_MODULE_DIRECTORIES } from './module_name.js';
