/**
 * The algorithm table (OIDs) and the allow-list.
 *
 * Design rationale: every algorithm decision of the SDK is taken here, from an immutable table
 * keyed by OID, so that certificate, CMS and seal parsers cannot each grow their own lenient
 * mapping. The policy is closed: what is not listed is refused. Weak algorithms are refused with
 * `CRYPTO_ALGORITHM_FORBIDDEN` (SHA-1, MD5, MD2/MD4, DSA, HMAC, SM2 with SHA-x, off-list curves,
 * RSA < 2048), so that a report can tell "weak" from "unknown" (`CRYPTO_ALGORITHM_UNSUPPORTED`).
 * This stops downgrade attacks (security.md §1.8): an attacker who can choose the algorithm of a
 * signature or certificate cannot pick one we would accept but should not.
 */
import { EvoucherError } from '../errors.js';
import { equalBytes } from '@noble/curves/utils.js';
import {
  DER_LOW_TAG_LIMITS,
  DER_TAG,
  derChildren,
  derContextTag,
  derNull,
  derOid,
  derSequence,
  expectDerTag,
  failDer,
  isDerError,
  isDerTag,
  readDerLazy,
  readDerOid,
  readDerSmallInteger,
} from '../encoding/der.js';
import type { DerNode } from '../encoding/der.js';
import type { HashAlgorithm, SignatureAlgorithm } from './types.js';

/** Object identifiers used by the SDK (dotted strings). */
export const OID = Object.freeze({
  /** sm2p256v1 curve, GB/T 33560-2017 (GM/T 0006). */
  sm2Curve: '1.2.156.10197.1.301',
  /** SM3 hash. */
  sm3: '1.2.156.10197.1.401',
  /** SM2 signature with SM3. */
  sm2WithSm3: '1.2.156.10197.1.501',
  /** id-ecPublicKey, RFC 5480 §2.1.1. */
  ecPublicKey: '1.2.840.10045.2.1',
  /** secp256r1 / prime256v1, RFC 5480 §2.1.1.1. */
  p256: '1.2.840.10045.3.1.7',
  /** secp384r1, RFC 5480 §2.1.1.1. */
  p384: '1.3.132.0.34',
  /** SHA-256, RFC 5754 §2.2. */
  sha256: '2.16.840.1.101.3.4.2.1',
  /** ecdsa-with-SHA256, RFC 5758 §3.2. */
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  /** rsaEncryption, RFC 8017 Appendix C. */
  rsaEncryption: '1.2.840.113549.1.1.1',
  /** sha256WithRSAEncryption, RFC 8017 Appendix C. */
  sha256WithRsa: '1.2.840.113549.1.1.11',
  /** id-RSASSA-PSS, RFC 8017 Appendix C / RFC 4055 §3.1. */
  rsassaPss: '1.2.840.113549.1.1.10',
  /** id-mgf1, RFC 8017 Appendix B.2.1. */
  mgf1: '1.2.840.113549.1.1.8',
});

/** Why an OID is refused. */
type Verdict = 'forbidden' | 'unsupported';

/**
 * Known signature, hash and key OIDs that are refused, with the verdict. Anything not here and
 * not allowed is `unsupported` as well; listing the known weak ones makes the verdict precise.
 */
const REFUSED: ReadonlyMap<string, { readonly verdict: Verdict; readonly name: string }> = new Map([
  // MD2 / MD4 / MD5 / SHA-1 (collisions: RFC 6151, SHAttered)
  ['1.2.840.113549.1.1.2', { verdict: 'forbidden', name: 'md2WithRSAEncryption' }],
  ['1.2.840.113549.1.1.3', { verdict: 'forbidden', name: 'md4WithRSAEncryption' }],
  ['1.2.840.113549.1.1.4', { verdict: 'forbidden', name: 'md5WithRSAEncryption' }],
  ['1.2.840.113549.1.1.5', { verdict: 'forbidden', name: 'sha1WithRSAEncryption' }],
  ['1.3.14.3.2.29', { verdict: 'forbidden', name: 'sha1WithRSASignature (OIW)' }],
  ['1.3.14.3.2.26', { verdict: 'forbidden', name: 'sha1' }],
  ['1.2.840.113549.2.5', { verdict: 'forbidden', name: 'md5' }],
  ['1.2.840.113549.2.2', { verdict: 'forbidden', name: 'md2' }],
  ['1.2.840.10045.4.1', { verdict: 'forbidden', name: 'ecdsa-with-SHA1' }],
  // DSA (FIPS 186-5 withdrew it)
  ['1.2.840.10040.4.1', { verdict: 'forbidden', name: 'dsa' }],
  ['1.2.840.10040.4.3', { verdict: 'forbidden', name: 'dsa-with-sha1' }],
  ['2.16.840.1.101.3.4.3.1', { verdict: 'forbidden', name: 'dsa-with-sha224' }],
  ['2.16.840.1.101.3.4.3.2', { verdict: 'forbidden', name: 'dsa-with-sha256' }],
  // HMAC as a "signature": keyed with a public key it is forgeable (GHSA-c27r-x354-4m68)
  ['1.2.840.113549.2.7', { verdict: 'forbidden', name: 'hmacWithSHA1' }],
  ['1.2.840.113549.2.8', { verdict: 'forbidden', name: 'hmacWithSHA224' }],
  ['1.2.840.113549.2.9', { verdict: 'forbidden', name: 'hmacWithSHA256' }],
  ['1.2.840.113549.2.10', { verdict: 'forbidden', name: 'hmacWithSHA384' }],
  ['1.2.840.113549.2.11', { verdict: 'forbidden', name: 'hmacWithSHA512' }],
  ['1.3.6.1.5.5.8.1.1', { verdict: 'forbidden', name: 'hmac-md5' }],
  ['1.3.6.1.5.5.8.1.2', { verdict: 'forbidden', name: 'hmac-sha1' }],
  // SM2 with the SHA family (GM/T 0006): SM2 is only allowed with SM3 (GB/T 35276-2017)
  ['1.2.156.10197.1.502', { verdict: 'forbidden', name: 'sm2-with-sha1' }],
  ['1.2.156.10197.1.503', { verdict: 'forbidden', name: 'sm2-with-sha256' }],
  ['1.2.156.10197.1.504', { verdict: 'forbidden', name: 'sm2-with-sha512' }],
  ['1.2.156.10197.1.505', { verdict: 'forbidden', name: 'sm2-with-sha224' }],
  ['1.2.156.10197.1.506', { verdict: 'forbidden', name: 'sm2-with-sha384' }],
  ['1.2.156.10197.1.507', { verdict: 'forbidden', name: 'sm2-with-rmd160' }],
  // strong but not on the allow-list
  ['1.2.840.10045.4.3.1', { verdict: 'unsupported', name: 'ecdsa-with-SHA224' }],
  ['1.2.840.10045.4.3.3', { verdict: 'unsupported', name: 'ecdsa-with-SHA384' }],
  ['1.2.840.10045.4.3.4', { verdict: 'unsupported', name: 'ecdsa-with-SHA512' }],
  ['1.2.840.113549.1.1.12', { verdict: 'unsupported', name: 'sha384WithRSAEncryption' }],
  ['1.2.840.113549.1.1.13', { verdict: 'unsupported', name: 'sha512WithRSAEncryption' }],
  ['1.2.840.113549.1.1.14', { verdict: 'unsupported', name: 'sha224WithRSAEncryption' }],
  ['1.3.101.112', { verdict: 'unsupported', name: 'Ed25519' }],
  ['1.3.101.113', { verdict: 'unsupported', name: 'Ed448' }],
]);

/** Curves that are known and refused (off the allow-list). */
export const FORBIDDEN_CURVES: ReadonlyMap<string, string> = new Map([
  ['1.3.132.0.10', 'secp256k1'],
  ['1.3.132.0.33', 'secp224r1'],
  ['1.3.132.0.35', 'secp521r1'],
  ['1.2.840.10045.3.1.1', 'prime192v1'],
  ['1.3.36.3.3.2.8.1.1.7', 'brainpoolP256r1'],
  ['1.3.36.3.3.2.8.1.1.11', 'brainpoolP384r1'],
]);

const SIGNATURE_OIDS: Readonly<Record<SignatureAlgorithm, string>> = Object.freeze({
  'sm2-sm3': OID.sm2WithSm3,
  'ecdsa-p256-sha256': OID.ecdsaWithSha256,
  'rsa-pkcs1-sha256': OID.sha256WithRsa,
  'rsa-pss-sha256': OID.rsassaPss,
});

const HASH_OIDS: Readonly<Record<HashAlgorithm, string>> = Object.freeze({
  sm3: OID.sm3,
  sha256: OID.sha256,
});

/** Throw the coded error for a refused OID. */
export function refuseOid(oid: string, what: string): never {
  const known = REFUSED.get(oid);
  if (known?.verdict === 'forbidden') {
    throw new EvoucherError('CRYPTO_ALGORITHM_FORBIDDEN', `${what} ${known.name} (${oid}) is forbidden`, {
      detail: { oid, name: known.name },
    });
  }
  throw new EvoucherError('CRYPTO_ALGORITHM_UNSUPPORTED', `${what} ${known?.name ?? oid} is not supported`, {
    detail: { oid },
  });
}

const DER_NULL = derNull();

/** True for absent parameters or an explicit NULL (both seen in real certificates). */
function isAbsentOrNull(parametersDer: Uint8Array | undefined): boolean {
  return parametersDer === undefined || parametersDer.length === 0 || equalBytes(parametersDer, DER_NULL);
}

/** Parse a `SEQUENCE { hash OID, params NULL|absent }` AlgorithmIdentifier to its OID. */
function hashOidOf(algId: DerNode | undefined): string {
  const parts = derChildren(expectDerTag(algId, DER_TAG.SEQUENCE, 'hash AlgorithmIdentifier'), 'hash AlgorithmIdentifier', 1, 2);
  const oid = readDerOid(parts[0], 'hash algorithm');
  if (parts[1] !== undefined && !isAbsentOrNull(parts[1].raw)) failDer('hash parameters must be NULL', parts[1]);
  return oid;
}

/**
 * Check RSASSA-PSS-params (RFC 8017 Appendix A.2.3 / RFC 4055 §3.1) for SHA-256, MGF1-SHA-256,
 * salt 32, trailer 1: the only PSS profile on the allow-list.
 */
function checkPssParameters(parametersDer: Uint8Array | undefined): void {
  if (parametersDer === undefined || isAbsentOrNull(parametersDer)) {
    // RFC 4055 §3.1: absent parameters mean SHA-1 / MGF1-SHA-1 / salt 20.
    throw new EvoucherError('CRYPTO_ALGORITHM_FORBIDDEN', 'rsassa-pss with default (sha-1) parameters is forbidden', {
      detail: { oid: OID.rsassaPss },
    });
  }
  let hash = '1.3.14.3.2.26';
  let mgfHash = '1.3.14.3.2.26';
  let mgf: string = OID.mgf1;
  let salt = 20;
  let trailer = 1;
  try {
    const params = expectDerTag(readDerLazy(parametersDer, DER_LOW_TAG_LIMITS), DER_TAG.SEQUENCE, 'RSASSA-PSS-params');
    let lastTag = -1;
    for (const f of derChildren(params, 'RSASSA-PSS-params', 0, 5)) {
      // [0] hashAlgorithm, [1] maskGenAlgorithm, [2] saltLength, [3] trailerField, all EXPLICIT.
      const tag = isDerTag(f, derContextTag(f.tag)) && f.tag <= 3 ? f.tag : undefined;
      if (tag === undefined) failDer('unknown pss parameter', f);
      // DER: fields in tag order, each at most once, defaults omitted (not checked: some encoders write them).
      if (tag <= lastTag) failDer('pss parameters out of order', f);
      lastTag = tag;
      const inner = derChildren(f, 'RSASSA-PSS-params field', 1, 1)[0];
      if (tag === 0) hash = hashOidOf(inner);
      else if (tag === 1) {
        const mgfParts = derChildren(expectDerTag(inner, DER_TAG.SEQUENCE, 'maskGenAlgorithm'), 'maskGenAlgorithm', 2, 2);
        mgf = readDerOid(mgfParts[0], 'mgf');
        mgfHash = hashOidOf(mgfParts[1]);
      } else if (tag === 2) salt = readDerSmallInteger(inner, 'saltLength', 0, 0xffff);
      else trailer = readDerSmallInteger(inner, 'trailerField', 0, 0xffff);
    }
  } catch (cause) {
    if (isDerError(cause)) {
      throw new EvoucherError('CRYPTO_ALGORITHM_UNSUPPORTED', 'malformed rsassa-pss parameters', { cause });
    }
    throw cause;
  }
  if (hash !== OID.sha256 || mgfHash !== OID.sha256) {
    if (hash === '1.3.14.3.2.26' || mgfHash === '1.3.14.3.2.26') refuseOid('1.3.14.3.2.26', 'rsassa-pss hash');
    throw new EvoucherError('CRYPTO_ALGORITHM_UNSUPPORTED', 'rsassa-pss is only supported with sha-256 and mgf1-sha-256', {
      detail: { hash, mgfHash },
    });
  }
  if (mgf !== OID.mgf1 || salt !== 32 || trailer !== 1) {
    throw new EvoucherError('CRYPTO_ALGORITHM_UNSUPPORTED', 'rsassa-pss is only supported with mgf1, salt 32, trailer 1', {
      detail: { mgf, saltLength: String(salt), trailerField: String(trailer) },
    });
  }
}

/**
 * Map an X.509 / CMS signature AlgorithmIdentifier to an allow-listed signature algorithm.
 *
 * @param oid - the algorithm OID, dotted.
 * @param parametersDer - the DER of the `parameters` field, if present. Must be absent or NULL for
 *   SM2, ECDSA and PKCS#1 v1.5; for RSASSA-PSS it must name SHA-256, MGF1-SHA-256, salt 32.
 * @returns the signature algorithm.
 * @throws EvoucherError `CRYPTO_ALGORITHM_FORBIDDEN` for weak algorithms (SHA-1, MD5, DSA, HMAC,
 *   SM2 with SHA-x, PSS with SHA-1); `CRYPTO_ALGORITHM_UNSUPPORTED` for anything else not listed or
 *   unexpected parameters.
 * @example
 * signatureAlgorithmFromOid('1.2.156.10197.1.501') // 'sm2-sm3'
 */
export function signatureAlgorithmFromOid(oid: string, parametersDer?: Uint8Array): SignatureAlgorithm {
  let alg: SignatureAlgorithm | undefined;
  switch (oid) {
    case OID.sm2WithSm3:
      alg = 'sm2-sm3';
      break;
    case OID.ecdsaWithSha256:
      alg = 'ecdsa-p256-sha256';
      break;
    case OID.sha256WithRsa:
      alg = 'rsa-pkcs1-sha256';
      break;
    case OID.rsassaPss:
      checkPssParameters(parametersDer);
      return 'rsa-pss-sha256';
    default:
      return refuseOid(oid, 'signature algorithm');
  }
  // RFC 5758 §3.2 (ECDSA) and GM/T 0015 (SM2): parameters absent; RFC 4055 §5 (RSA): NULL.
  // Both forms occur in real certificates, so both are accepted; anything else is not.
  if (!isAbsentOrNull(parametersDer)) {
    throw new EvoucherError('CRYPTO_ALGORITHM_UNSUPPORTED', `unexpected parameters for ${alg}`, { detail: { oid } });
  }
  return alg;
}

/**
 * The OID of a signature algorithm (for X.509, CMS and GB/T 38540 `signAlgID`).
 *
 * @param alg - an allow-listed signature algorithm.
 * @returns the dotted OID.
 * @throws EvoucherError `CRYPTO_ALGORITHM_UNSUPPORTED` for a name not on the list.
 * @example
 * signatureAlgorithmOid('sm2-sm3') // '1.2.156.10197.1.501'
 */
export function signatureAlgorithmOid(alg: SignatureAlgorithm): string {
  const oid = Object.hasOwn(SIGNATURE_OIDS, alg) ? SIGNATURE_OIDS[alg] : undefined;
  if (oid === undefined) {
    throw new EvoucherError('CRYPTO_ALGORITHM_UNSUPPORTED', `unknown signature algorithm ${String(alg)}`, {
      detail: { algorithm: String(alg) },
    });
  }
  return oid;
}

/** DER of the RSASSA-PSS-params for SHA-256 / MGF1-SHA-256 / salt 32 (RFC 4055 §3.1). */
const PSS_SHA256_PARAMS_HEX =
  '3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120';

/**
 * The DER AlgorithmIdentifier of a signature algorithm, with the parameters each one requires:
 * absent for SM2 and ECDSA (RFC 5758 §3.2), NULL for PKCS#1 v1.5 (RFC 4055 §5), and the
 * SHA-256/MGF1-SHA-256/salt-32 RSASSA-PSS-params for PSS.
 *
 * @param alg - an allow-listed signature algorithm.
 * @returns DER `SEQUENCE { OID, parameters? }`.
 * @throws EvoucherError `CRYPTO_ALGORITHM_UNSUPPORTED` for a name not on the list.
 * @example
 * const algId = signatureAlgorithmIdentifier('rsa-pss-sha256')
 */
export function signatureAlgorithmIdentifier(alg: SignatureAlgorithm): Uint8Array {
  const oid = derOid(signatureAlgorithmOid(alg));
  if (alg === 'rsa-pkcs1-sha256') return derSequence(oid, DER_NULL);
  if (alg === 'rsa-pss-sha256') return derSequence(oid, new Uint8Array(Buffer.from(PSS_SHA256_PARAMS_HEX, 'hex')));
  return derSequence(oid);
}

/**
 * Map a digest AlgorithmIdentifier OID (CMS `digestAlgorithm`, certificate digests) to a hash.
 *
 * @param oid - dotted OID.
 * @returns `sm3` or `sha256`.
 * @throws EvoucherError `CRYPTO_ALGORITHM_FORBIDDEN` for SHA-1, MD5, MD2; `CRYPTO_ALGORITHM_UNSUPPORTED` otherwise.
 * @example
 * hashAlgorithmFromOid('1.2.156.10197.1.401') // 'sm3'
 */
export function hashAlgorithmFromOid(oid: string): HashAlgorithm {
  if (oid === OID.sm3) return 'sm3';
  if (oid === OID.sha256) return 'sha256';
  return refuseOid(oid, 'hash algorithm');
}

/**
 * The OID of a hash algorithm.
 *
 * @param alg - `sm3` or `sha256`.
 * @returns the dotted OID.
 * @throws EvoucherError `CRYPTO_ALGORITHM_UNSUPPORTED` for other names.
 * @example
 * hashAlgorithmOid('sha256') // '2.16.840.1.101.3.4.2.1'
 */
export function hashAlgorithmOid(alg: HashAlgorithm): string {
  const oid = Object.hasOwn(HASH_OIDS, alg) ? HASH_OIDS[alg] : undefined;
  if (oid === undefined) {
    throw new EvoucherError('CRYPTO_ALGORITHM_UNSUPPORTED', `unknown hash algorithm ${String(alg)}`);
  }
  return oid;
}

/**
 * The hash a signature algorithm uses (for CMS `digestAlgorithm` and message digests).
 *
 * @param alg - an allow-listed signature algorithm.
 * @returns `sm3` for `sm2-sm3`, `sha256` for the others.
 * @throws EvoucherError `CRYPTO_ALGORITHM_UNSUPPORTED` for a name not on the list.
 * @example
 * hashForSignatureAlgorithm('sm2-sm3') // 'sm3'
 */
export function hashForSignatureAlgorithm(alg: SignatureAlgorithm): HashAlgorithm {
  signatureAlgorithmOid(alg);
  return alg === 'sm2-sm3' ? 'sm3' : 'sha256';
}
