/**
 * Digests remembered for one synchronous pass (one verified envelope body): the verifier hashes the same
 * byte arrays several times (the voucher bytes for every seal and for the summary, every earlier stamp for
 * every later seal, the signer certificate for the structure and for signing-certificate-v2, the structure for
 * the message digest and for the scope summary). Entries are keyed by the array object itself, so the memo is
 * exact only while nobody changes those bytes: use it for arrays the caller owns and does not touch until the
 * pass ends (the verifier's own copies decoded from the envelope), and drop it afterwards.
 */
import { digest } from './hash.js';
import type { HashAlgorithm } from './types.js';

/** A digest function with {@link digest}'s contract (a fresh 32-byte array per call). */
export type Digester = (alg: HashAlgorithm, data: Uint8Array) => Uint8Array;

/**
 * Makes a {@link Digester} that computes each (algorithm, array) digest once.
 *
 * @returns the digester; every call returns a fresh copy, as {@link digest} does.
 * @throws EvoucherError from the digester, as {@link digest} (`CRYPTO_ALGORITHM_UNSUPPORTED`); failures are not stored.
 * @example
 * const hash = memoDigest(); hash('sha256', bytes); hash('sha256', bytes) // hashed once
 */
export function memoDigest(): Digester {
  const seen = new WeakMap<Uint8Array, Map<HashAlgorithm, Uint8Array>>();
  return (alg, data) => {
    let byAlg = seen.get(data);
    let d = byAlg?.get(alg);
    if (d === undefined) {
      d = digest(alg, data);
      if (byAlg === undefined) {
        byAlg = new Map();
        seen.set(data, byAlg);
      }
      byAlg.set(alg, d);
    }
    return d.slice();
  };
}
