/**
 * A bounded map keyed by exact byte content, for the caches that recognise a certificate or a public key
 * they have already parsed. Internal.
 *
 * Design rationale: the caches used to key by the bytes as a latin1 or hex string, which made a string of
 * the whole certificate (a kilobyte) on every lookup, only to hash it and throw it away. Here a lookup hashes
 * a few bytes in place and confirms with a full byte comparison, so nothing is allocated and a hit is exact:
 * - **Exact.** A hash picks a bucket; only an entry whose bytes are equal to the key, all of them, is a hit.
 *   The map keeps its own copy of every key, so a caller reusing its buffer changes nothing stored.
 * - **Cheap to hash, bounded when attacked.** The hash reads the length, the first 16 and the last 64 bytes
 *   (certificates and keys end in signatures and points, which differ between any two). Inputs made to share
 *   a hash only fill one bucket, and a bucket holds at most {@link MAX_BUCKET} entries (the oldest goes), so a
 *   lookup compares at most that many arrays whatever the input.
 * - **Bounded.** At most `maxEntries` entries; the least recently used goes first.
 */
import { equalBytes } from '@noble/curves/utils.js';

/** Most entries sharing one hash. */
export const MAX_BUCKET = 8;

interface Entry<V> {
  readonly hash: number;
  readonly key: Uint8Array;
  value: V;
}

function hashOf(b: Uint8Array): number {
  // FNV-1a over the length, the head and the tail.
  let h = Math.imul(0x811c9dc5 ^ b.length, 0x01000193);
  const head = Math.min(16, b.length);
  for (let i = 0; i < head; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  for (let i = Math.max(head, b.length - 64); i < b.length; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  return h >>> 0;
}

/**
 * Content equality of two arrays of one length. The keys are public (certificates, public keys, seal objects),
 * so long ones are compared natively (`Buffer.compare`, about 2 µs for 25 KiB against about 30 µs in a loop).
 */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length > 1024 ? Buffer.compare(a, b) === 0 : equalBytes(a, b);
}

/** A bounded least-recently-used map whose keys are byte arrays compared by content. */
export class BytesMap<V> {
  readonly #max: number;
  readonly #buckets = new Map<number, Entry<V>[]>();
  /** Every entry, least recently used first. */
  readonly #order = new Set<Entry<V>>();

  /** @param maxEntries - the most entries kept (at least 1). */
  constructor(maxEntries: number) {
    this.#max = Math.max(1, Math.floor(maxEntries));
  }

  /** The number of entries. */
  get size(): number {
    return this.#order.size;
  }

  /**
   * The value stored under bytes equal to `key`, which becomes the most recently used.
   *
   * @param key - the bytes.
   * @returns the value, or undefined.
   */
  get(key: Uint8Array): V | undefined {
    const e = this.#find(key, hashOf(key));
    if (e === undefined) return undefined;
    this.#order.delete(e);
    this.#order.add(e);
    return e.value;
  }

  /**
   * Stores `value` under a copy of `key` (replacing the value of equal bytes).
   *
   * @param key - the bytes.
   * @param value - the value.
   */
  set(key: Uint8Array, value: V): void {
    const hash = hashOf(key);
    const found = this.#find(key, hash);
    if (found !== undefined) {
      found.value = value;
      this.#order.delete(found);
      this.#order.add(found);
      return;
    }
    let bucket = this.#buckets.get(hash);
    if (bucket === undefined) {
      bucket = [];
      this.#buckets.set(hash, bucket);
    }
    if (bucket.length >= MAX_BUCKET) this.#remove(bucket[0] as Entry<V>);
    const e: Entry<V> = { hash, key: key.slice(), value };
    bucket.push(e);
    this.#order.add(e);
    while (this.#order.size > this.#max) {
      const oldest = this.#order.values().next();
      if (oldest.done === true) break;
      this.#remove(oldest.value);
    }
  }

  /** Drops every entry. */
  clear(): void {
    this.#buckets.clear();
    this.#order.clear();
  }

  #find(key: Uint8Array, hash: number): Entry<V> | undefined {
    const bucket = this.#buckets.get(hash);
    if (bucket === undefined) return undefined;
    for (const e of bucket) if (e.key.length === key.length && sameBytes(e.key, key)) return e;
    return undefined;
  }

  #remove(e: Entry<V>): void {
    this.#order.delete(e);
    const bucket = this.#buckets.get(e.hash);
    if (bucket === undefined) return;
    const i = bucket.indexOf(e);
    if (i !== -1) bucket.splice(i, 1);
    if (bucket.length === 0) this.#buckets.delete(e.hash);
  }
}

/**
 * Two {@link BytesMap}s chosen by key length: many short keys (every ordinary certificate is 0.5–2 KiB) and few
 * long ones. What the caches of certificates hold is untrusted (every certificate a stamp embeds, up to 64 KiB), so
 * a bound in entries alone is no bound in bytes: long keys get a table of their own.
 */
export class SizeTieredBytesMap<V> {
  readonly #short: BytesMap<V>;
  readonly #long: BytesMap<V>;
  readonly #shortBytes: number;

  /**
   * @param maxShort - the most entries with keys of up to `shortBytes` bytes.
   * @param maxLong - the most entries with longer keys.
   * @param shortBytes - the longest key counted as short.
   */
  constructor(maxShort: number, maxLong: number, shortBytes: number) {
    this.#short = new BytesMap<V>(maxShort);
    this.#long = new BytesMap<V>(maxLong);
    this.#shortBytes = shortBytes;
  }

  #table(key: Uint8Array): BytesMap<V> {
    return key.length > this.#shortBytes ? this.#long : this.#short;
  }

  /**
   * As {@link BytesMap.get}, in the table of the key's length.
   *
   * @param key - the bytes.
   * @returns the value, or undefined.
   */
  get(key: Uint8Array): V | undefined {
    return this.#table(key).get(key);
  }

  /**
   * As {@link BytesMap.set}, in the table of the key's length.
   *
   * @param key - the bytes.
   * @param value - the value.
   */
  set(key: Uint8Array, value: V): void {
    this.#table(key).set(key, value);
  }
}

