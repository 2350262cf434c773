/**
 * Which signature algorithm a key makes. The key decides (security.md: never let the caller or
 * the signed object pick an algorithm the key does not fit); the caller may only choose between
 * the two RSA paddings.
 */
import { EvoucherError } from '../errors.js';
import type { PublicKeyInfo } from '../crypto/index.js';
import type { SignatureAlgorithm } from '../crypto/types.js';

/**
 * The algorithm for a key kind: SM2 → `sm2-sm3`, P-256 → `ecdsa-p256-sha256`, RSA →
 * `rsa-pkcs1-sha256` unless `rsa-pss-sha256` is asked for.
 *
 * @param kind - the key kind
 * @param requested - the algorithm the caller asked for, if any
 * @returns the algorithm
 * @throws EvoucherError `CRYPTO_ALGORITHM_FORBIDDEN` when `requested` does not fit the key,
 *   `CRYPTO_ALGORITHM_UNSUPPORTED` for a key kind no signature algorithm is listed for (P-384)
 */
export function chooseAlgorithm(kind: PublicKeyInfo['kind'], requested?: SignatureAlgorithm): SignatureAlgorithm {
  let fits: readonly SignatureAlgorithm[];
  switch (kind) {
    case 'sm2':
      fits = ['sm2-sm3'];
      break;
    case 'ec-p256':
      fits = ['ecdsa-p256-sha256'];
      break;
    case 'rsa':
      fits = ['rsa-pkcs1-sha256', 'rsa-pss-sha256'];
      break;
    default:
      throw new EvoucherError('CRYPTO_ALGORITHM_UNSUPPORTED', `no signature algorithm for ${String(kind)} keys`, {
        detail: { keyKind: String(kind) },
      });
  }
  if (requested === undefined) return fits[0] as SignatureAlgorithm;
  if (!fits.includes(requested)) {
    throw new EvoucherError('CRYPTO_ALGORITHM_FORBIDDEN', `algorithm ${String(requested)} does not fit a ${kind} key`, {
      detail: { algorithm: String(requested), keyKind: kind },
    });
  }
  return requested;
}
