/**
 * Digests of byte strings that come back again and again with the same content in different arrays: a seal
 * object (`SESeal`, tens of kilobytes with its picture) is carried whole in every seal its holder makes, and
 * every seal's to-be-sealed structure binds its digest. SM3 of 25 KiB costs about 100 µs; recognising bytes
 * seen before costs a short hash and one native comparison.
 *
 * Exact: a hit needs every byte equal (`BytesMap`), and a digest is a function of the bytes alone. Bounded:
 * inputs over {@link MAX_CACHED_INPUT} bytes are hashed and not kept, and each algorithm keeps at most
 * {@link DIGEST_CACHE_ENTRIES} inputs, least recently used dropped first, so hostile inputs cost at most
 * about 4 MiB per algorithm.
 */
import { BytesMap } from '../encoding/bytes_map.js';
import { digest } from './hash.js';
import type { HashAlgorithm } from './types.js';

/** The largest input kept. */
export const MAX_CACHED_INPUT = 128 * 1024;
/** Inputs kept per algorithm. */
export const DIGEST_CACHE_ENTRIES = 32;

const caches = new Map<HashAlgorithm, BytesMap<Uint8Array>>();

/**
 * The digest of `data`, from memory when bytes equal to these were hashed recently with `alg`.
 *
 * @param alg - the hash algorithm.
 * @param data - the bytes (not kept: the cache stores its own copy).
 * @returns a fresh copy of the digest, as {@link digest} returns.
 * @throws EvoucherError as {@link digest} (`CRYPTO_ALGORITHM_UNSUPPORTED`); failures are not stored.
 * @example
 * digestOfRepeated('sm3', sealObjectDer) // hashed once, then recognised
 */
export function digestOfRepeated(alg: HashAlgorithm, data: Uint8Array): Uint8Array {
  if (data.length > MAX_CACHED_INPUT) return digest(alg, data);
  let cache = caches.get(alg);
  const known = cache?.get(data);
  if (known !== undefined) return known.slice();
  const d = digest(alg, data);
  if (cache === undefined) {
    cache = new BytesMap<Uint8Array>(DIGEST_CACHE_ENTRIES);
    caches.set(alg, cache);
  }
  cache.set(data, d.slice());
  return d;
}

/** Inputs kept for `alg` (internal, for tests). */
export function digestCacheCount(alg: HashAlgorithm): number {
  return caches.get(alg)?.size ?? 0;
}
