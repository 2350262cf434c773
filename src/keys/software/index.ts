/**
 * evoucher/keys/software: key providers for keys held in memory — PEM or DER PKCS#8 (plain or
 * encrypted), SEC1 EC and PKCS#1 RSA keys, and PKCS#12 files; SM2 keys included. See docs/keys.md.
 */
export { openSoftwareKey } from './pkcs8.js';
export type { SoftwareKeyOptions } from './pkcs8.js';
export { openPkcs12, readPkcs12, MAX_PKCS12_BYTES, MAX_PKCS12_BAGS, MAX_PKCS12_CONTENT_INFOS, MAX_PKCS12_KDF_ITERATIONS } from './pkcs12.js';
export type { Pkcs12Options, Pkcs12Contents } from './pkcs12.js';
export type { CertificateFacts } from '../certificate.js';
export { MAX_PBE_ITERATIONS } from './pbe.js';
