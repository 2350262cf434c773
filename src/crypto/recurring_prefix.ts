/**
 * Digests of inputs whose long first part recurs in other inputs. Every `ses` seal carries its holder's whole
 * seal object (`SESeal`, tens of kilobytes with its picture) near the start of what it signs (`TBS_Sign`), and
 * each later seal of a voucher hashes every earlier stamp whole: SM3 ran over the same seal object five times
 * per 3-seal voucher, about a third of the time of verifying one (docs/performance.md). SM3 and SHA-256 read
 * their input from the start in blocks, so the state reached after a given prefix can be kept and continued:
 * node's `Hash#copy()` duplicates it.
 *
 * - **Exact.** A saved state is used only for a prefix equal, byte for byte, to the one it was made from
 *   (`BytesMap`: a short hash, then a full comparison), after a head equal byte for byte too. The digest is
 *   therefore the digest of the whole input, as `digestParts` computes it; the prefix length is a hint
 *   that decides only what is worth remembering.
 * - **Bounded.** Prefixes from {@link MIN_RECURRING_PREFIX} to {@link MAX_RECURRING_PREFIX} bytes only;
 *   at most {@link RECURRING_PREFIX_ENTRIES} prefixes per algorithm, each with at most
 *   {@link HEADS_PER_PREFIX} heads, least recently used dropped first: about 4 MiB per algorithm whatever the
 *   input. Hostile inputs can only make entries that are never used again.
 */
import type { Hash } from 'node:crypto';
import { equalBytes } from '@noble/curves/utils.js';
import { BytesMap } from '../encoding/bytes_map.js';
import { EvoucherError } from '../errors.js';
import { digestState, finishDigest } from './hash.js';
import type { HashAlgorithm } from './types.js';

/** Shorter prefixes are hashed again: remembering them would cost about what it saves. */
export const MIN_RECURRING_PREFIX = 4 * 1024;
/** Longer prefixes are hashed again and not kept (memory bound). */
export const MAX_RECURRING_PREFIX = 128 * 1024;
/** Prefixes kept per algorithm. */
export const RECURRING_PREFIX_ENTRIES = 32;
/** Heads (an SM2 Z_A per signer key and ID) kept per prefix. */
export const HEADS_PER_PREFIX = 4;
/** The longest head: Z_A is 32 bytes. */
const MAX_HEAD = 64;

interface Saved {
  readonly head: Uint8Array;
  /** The state after head ‖ prefix; copied, never updated itself. */
  readonly state: Hash;
}

const caches = new Map<HashAlgorithm, BytesMap<Saved[]>>();
const EMPTY = new Uint8Array(0);

/**
 * The digest of `head ‖ data`, continuing from a remembered state when `data` starts with the same
 * `prefixLength` bytes (after the same head) as an earlier input.
 *
 * @param alg - `sm3` or `sha256`.
 * @param head - a short part hashed first (SM2's Z_A), at most 64 bytes; empty for none.
 * @param data - the rest of the input.
 * @param prefixLength - how many leading bytes of `data` are expected to recur; outside
 *   [{@link MIN_RECURRING_PREFIX}, min(`data.length`, {@link MAX_RECURRING_PREFIX})] nothing is remembered.
 * @returns the 32-byte digest, a fresh array.
 * @throws EvoucherError `CRYPTO_ALGORITHM_UNSUPPORTED` for another algorithm; `ARG_INVALID` for non-byte arguments.
 * @example
 * digestWithRecurringPrefix('sm3', za, tbsSign, sealObjectEnd) // the seal object is hashed once per signer
 */
export function digestWithRecurringPrefix(alg: HashAlgorithm, head: Uint8Array, data: Uint8Array, prefixLength: number): Uint8Array {
  if (!(head instanceof Uint8Array) || !(data instanceof Uint8Array)) throw new EvoucherError('ARG_INVALID', 'digest input must be bytes');
  if (!Number.isSafeInteger(prefixLength) || prefixLength < MIN_RECURRING_PREFIX || prefixLength > MAX_RECURRING_PREFIX
    || prefixLength > data.length || head.length > MAX_HEAD) {
    return finishDigest(digestState(alg).update(head).update(data));
  }
  const prefix = data.subarray(0, prefixLength);
  const rest = data.subarray(prefixLength);
  let cache = caches.get(alg);
  const heads = cache?.get(prefix);
  const known = heads?.find((s) => equalBytes(s.head, head));
  if (known !== undefined) return finishDigest(known.state.copy().update(rest));
  const h = digestState(alg).update(head).update(prefix);
  const saved: Saved = { head: head.length === 0 ? EMPTY : head.slice(), state: h.copy() };
  if (cache === undefined) {
    cache = new BytesMap<Saved[]>(RECURRING_PREFIX_ENTRIES);
    caches.set(alg, cache);
  }
  if (heads === undefined) {
    cache.set(prefix, [saved]);
  } else {
    // The list is the cache's own: the entry for equal bytes is updated in place.
    if (heads.length >= HEADS_PER_PREFIX) heads.shift();
    heads.push(saved);
  }
  return finishDigest(h.update(rest));
}

/** Prefixes remembered for `alg` (internal, for tests). */
export function recurringPrefixCount(alg: HashAlgorithm): number {
  return caches.get(alg)?.size ?? 0;
}

/** Forgets every remembered state (internal, for tests). */
export function clearRecurringPrefixes(): void {
  caches.clear();
}
