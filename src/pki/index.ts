/**
 * evoucher/pki: certificates (SM2 ones too), trust stores, CRLs, certification path building and validation
 * at a given time, who a certificate speaks for, and the demo PKI. See docs/pki.md.
 */
export type {
  Party,
  KeyUsageName,
  ExtensionInfo,
  CertificateInfo,
  TrustStore,
  RevokedEntry,
  Crl,
  CheckStatus,
  PathCheck,
  PathResult,
  CertificateUsage,
  ValidatePathOptions,
} from './types.js';
export { PARTIES } from './types.js';
export { parseCertificate, MAX_CERTIFICATE_SIZE } from './cert.js';
export { createTrustStore, loadTrustStore, MAX_ANCHORS, TRUST_FILE_EXTENSIONS } from './trust_store.js';
export { parseCrl, MAX_CRL_SIZE, MAX_CRL_ENTRIES } from './revocation.js';
export { validatePath, MAX_CHAIN_LENGTH, MAX_SIGNATURE_CHECKS, MAX_INTERMEDIATES, MAX_CANDIDATE_PATHS, MAX_CRLS, MAX_BUILD_STEPS } from './chain.js';
export { createPathCache, isPathCache, pathCacheFor, validatePathCached, DEFAULT_PATH_CACHE_ENTRIES, MAX_WINDOWS_PER_KEY } from './cache.js';
export type { PathCache, PathCacheOptions, PathCacheStats } from './cache.js';
export { checkCertificateBinding, certificateIdentity, certificateFingerprint, normalizeFingerprint, isParty } from './binding.js';
export type { CertificateBinding, BindingResult, CertificateIdentity } from './binding.js';
export { issueCertificate, issueCrl, keyIdentifier } from './issue.js';
export type { IssueCertificateOptions, IssueCrlOptions, IssuerSpec, NameSpec, NameAttributeType, RawExtensionSpec, RevokedSpec } from './issue.js';
export { CERTIFICATE_LABELS, encodePem, decodePemBlocks } from './pem.js';
export type { PemBlock } from './pem.js';
export { createPkcs12 } from './pkcs12.js';
export type { CreatePkcs12Options } from './pkcs12.js';
export {
  createDemoPki,
  DEMO_PASSWORD,
  DEMO_TOKEN,
  DEMO_VALIDITY,
  DEMO_REVOCATION_DATE,
  DEMO_ORGANIZATIONS,
  DEMO_FAMILIES,
} from './demo.js';
export type { DemoPki, DemoPkiOptions, DemoManifest, DemoRole, DemoRoleKind, DemoCrl, DemoFamily } from './demo.js';
