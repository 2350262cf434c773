/**
 * Digests remembered for one synchronous pass (one verified envelope body): the verifier hashes the same
 * byte arrays several times (the voucher bytes for every seal and for the summary, every earlier stamp for
 * every later seal, the signer certificate for the structure and for signing-certificate-v2, the structure for
 * the message digest and for the scope summary). Entries are keyed by the array object itself, so the memo is
 * exact only while nobody changes those bytes: use it for arrays the caller owns and does not touch until the
 * pass ends (the verifier's own copies decoded from the envelope), and drop it afterwards.
 */
import { digest } from './hash.js';
import { digestWithRecurringPrefix } from './recurring_prefix.js';
import type { HashAlgorithm } from './types.js';

/**
 * A digest function with {@link digest}'s contract (a fresh 32-byte array per call). `recurringPrefix`, when
 * given, says how many leading bytes of `data` recur in other inputs (an `ses` stamp starts with its holder's
 * seal object): a hint that changes no digest (see {@link digestHinted}).
 */
export type Digester = (alg: HashAlgorithm, data: Uint8Array, recurringPrefix?: number) => Uint8Array;

const NO_HEAD = new Uint8Array(0);

/**
 * {@link digest}, continuing from the remembered state of a recurring prefix when a hint is given
 * (`digestWithRecurringPrefix`, exact byte comparison).
 *
 * @param alg - the hash algorithm.
 * @param data - the bytes.
 * @param recurringPrefix - how many leading bytes of `data` recur in other inputs, if known.
 * @returns the digest, a fresh array.
 * @throws EvoucherError as {@link digest}.
 * @example digestHinted('sm3', stampBytes, sealObjectEnd)
 */
export function digestHinted(alg: HashAlgorithm, data: Uint8Array, recurringPrefix?: number): Uint8Array {
  return recurringPrefix === undefined ? digest(alg, data) : digestWithRecurringPrefix(alg, NO_HEAD, data, recurringPrefix);
}

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
  return (alg, data, recurringPrefix) => {
    let byAlg = seen.get(data);
    let d = byAlg?.get(alg);
    if (d === undefined) {
      d = digestHinted(alg, data, recurringPrefix);
      if (byAlg === undefined) {
        byAlg = new Map();
        seen.set(data, byAlg);
      }
      byAlg.set(alg, d);
    }
    return d.slice();
  };
}
