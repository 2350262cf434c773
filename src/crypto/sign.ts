/**
 * Signing and verification for every allow-listed algorithm, behind one pair of functions.
 *
 * Design rationale: the algorithm is always an explicit argument and must fit the key kind
 * (`CRYPTO_ALGORITHM_FORBIDDEN` otherwise). Taking it from the key or from the signed object alone
 * invites algorithm confusion (security.md §1.8: an RSA key used as an HMAC secret, an SM2 key
 * verified as plain ECDSA). Verification returns false for any wrong or malformed signature and
 * throws only for misuse, as noble does; a verifier can then report "bad signature" per seal.
 */
import { constants, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { EvoucherError } from '../errors.js';
import { getPrivateInternals, nodePublicKey, resolvePublicKey, trustedPoint } from './keys.js';
import type { PrivateKeyMaterial, PublicKeyInfo } from './keys.js';
import { decodeRsDer } from './signature_der.js';
import { sm2SignKnownPair, sm2Verify } from './sm2.js';
import type { Sm2Options } from './sm2.js';
import type { SignatureAlgorithm } from './types.js';

/** Order of the P-256 group (FIPS 186-5 / SEC 2 §2.4.2). */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
/** PSS salt length of the allow-listed profile (RFC 4055 §3.1 recommends hLen). */
export const PSS_SALT_LENGTH = 32;

const KIND_OF: Readonly<Record<SignatureAlgorithm, PublicKeyInfo['kind']>> = Object.freeze({
  'sm2-sm3': 'sm2',
  'ecdsa-p256-sha256': 'ec-p256',
  'rsa-pkcs1-sha256': 'rsa',
  'rsa-pss-sha256': 'rsa',
});

function checkFit(alg: SignatureAlgorithm, kind: string): void {
  const want = Object.hasOwn(KIND_OF, alg) ? KIND_OF[alg] : undefined;
  if (want === undefined) {
    throw new EvoucherError('CRYPTO_ALGORITHM_UNSUPPORTED', `unknown signature algorithm ${String(alg)}`, {
      detail: { algorithm: String(alg) },
    });
  }
  if (want !== kind) {
    throw new EvoucherError('CRYPTO_ALGORITHM_FORBIDDEN', `algorithm ${alg} does not fit a ${kind} key`, {
      detail: { algorithm: alg, keyKind: kind },
    });
  }
}

function checkBytes(v: unknown, what: string): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) {
    throw new EvoucherError('ARG_INVALID', `${what} must be a Uint8Array`, { detail: { argument: what } });
  }
}

/**
 * Sign a message.
 *
 * @param alg - the signature algorithm; must fit the key (SM2 → `sm2-sm3`, P-256 →
 *   `ecdsa-p256-sha256`, RSA → `rsa-pkcs1-sha256` or `rsa-pss-sha256`).
 * @param key - a private key from {@link importPrivateKey} or {@link generateKeyPair}.
 * @param message - the bytes to sign (hashed inside: SM3 with Z_A, or SHA-256).
 * @param options - `id`: the SM2 signer ID (default `1234567812345678`); ignored for other keys.
 * @returns DER `SEQUENCE { r, s }` for SM2 and ECDSA; the raw signature block (modulus length)
 *   for RSA. PSS uses MGF1-SHA-256 and a 32-byte salt.
 * @throws EvoucherError `CRYPTO_ALGORITHM_FORBIDDEN` (algorithm does not fit the key),
 *   `CRYPTO_ALGORITHM_UNSUPPORTED`, `CRYPTO_SIGN_FAILED`, `ARG_INVALID`.
 * @example
 * const sig = signMessage('sm2-sm3', key, tbs)
 */
export function signMessage(alg: SignatureAlgorithm, key: PrivateKeyMaterial, message: Uint8Array, options?: Sm2Options): Uint8Array {
  const internals = getPrivateInternals(key);
  checkFit(alg, internals.kind);
  checkBytes(message, 'message');
  if (internals.kind === 'sm2') {
    return sm2SignKnownPair(internals.d, internals.pub, message, options);
  }
  try {
    if (alg === 'ecdsa-p256-sha256') {
      return new Uint8Array(nodeSign('sha256', message, { key: internals.key, dsaEncoding: 'der' }));
    }
    if (alg === 'rsa-pss-sha256') {
      return new Uint8Array(
        nodeSign('sha256', message, { key: internals.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_LENGTH }),
      );
    }
    return new Uint8Array(nodeSign('sha256', message, { key: internals.key, padding: constants.RSA_PKCS1_PADDING }));
  } catch (cause) {
    throw new EvoucherError('CRYPTO_SIGN_FAILED', `${alg} signing failed`, { cause });
  }
}

/**
 * Verify a signature.
 *
 * @param alg - the signature algorithm (from the signed object, e.g. via
 *   {@link signatureAlgorithmFromOid}); must fit the key kind.
 * @param publicKey - DER SPKI, or a {@link PublicKeyInfo} from {@link parsePublicKey}.
 * @param message - the signed bytes.
 * @param signature - DER `SEQUENCE { r, s }` for SM2/ECDSA (strict DER, r, s ∈ [1, n−1]); the raw
 *   block for RSA (exactly the modulus length).
 * @param options - `id`: the SM2 signer ID (default `1234567812345678`).
 * @returns true if valid; false for a wrong or malformed signature (never throws for one).
 * @throws EvoucherError `CRYPTO_ALGORITHM_FORBIDDEN` when `alg` does not fit the key kind;
 *   `CRYPTO_ALGORITHM_UNSUPPORTED` for an unknown `alg`; `ARG_INVALID` for non-byte arguments;
 *   and, for SPKI bytes, whatever {@link parsePublicKey} throws.
 * @example
 * verifyMessage('sm2-sm3', cert.publicKey, tbs, sig) // true / false
 */
export function verifyMessage(
  alg: SignatureAlgorithm,
  publicKey: Uint8Array | PublicKeyInfo,
  message: Uint8Array,
  signature: Uint8Array,
  options?: Sm2Options,
): boolean {
  const info = resolvePublicKey(publicKey);
  checkFit(alg, info.kind);
  checkBytes(message, 'message');
  checkBytes(signature, 'signature');
  if (info.kind === 'sm2') {
    return sm2Verify(trustedPoint(info) as Uint8Array, message, signature, options);
  }
  if (info.kind === 'ec-p256') {
    // OpenSSL also insists on canonical DER, but the range and strictness rules are ours to state.
    if (decodeRsDer(signature, P256_N) === null) return false;
    try {
      // The key object alone: node's defaults are DER signatures for ECDSA and PKCS #1 v1.5 padding for RSA (the
      // known-answer and OpenSSL interop tests fail otherwise), and an options object costs 4-6 µs of option
      // parsing per call (about 5 % of a P-256 verification).
      return nodeVerify('sha256', message, nodePublicKey(info), signature);
    } catch {
      return false;
    }
  }
  // RSA: RFC 8017 §8.2.2 step 1 / §8.1.2 step 1: the signature is exactly k octets.
  if (signature.length !== Math.ceil(info.bits / 8)) return false;
  try {
    if (alg === 'rsa-pss-sha256') {
      return nodeVerify(
        'sha256',
        message,
        { key: nodePublicKey(info), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_LENGTH },
        signature,
      );
    }
    return nodeVerify('sha256', message, nodePublicKey(info), signature); // PKCS #1 v1.5, node's default (above)
  } catch {
    return false;
  }
}
