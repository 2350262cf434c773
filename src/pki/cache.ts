/**
 * A cache of certification-path results, so that a stream of vouchers sealed by the same few certificates
 * validates each path once instead of once per seal.
 *
 * Design rationale:
 * - **What a result depends on is the key.** {@link validatePath} is a pure function of the leaf, the trust
 *   anchors, the untrusted intermediates (in order), the usage, `requireRevocation`, the CRLs and the time.
 *   The key holds the exact bytes of the leaf, every anchor and every intermediate (each as the number its
 *   bytes were given in a table of exact byte strings), plus the usage and the revocation flag. Keys are of
 *   the bytes, so two trust stores with the same anchors share entries and a changed certificate never hits.
 * - **Time windows, not instants.** Time enters validation only through comparisons with certificate validity
 *   (RFC 5280 §6.1.3(a)(2)) and with CRL `thisUpdate`/`nextUpdate`, revocation dates and invalidity dates (§6.3.3). Between two
 *   consecutive such instants every comparison has the same outcome, so the result is the same for every
 *   time in that window. An entry is stored with the window around its validation time, computed from every
 *   certificate that could enter a path (leaf, intermediates, anchors) and from the CRL entries of those
 *   certificates; a lookup hits only inside that window. Messages that name the validation time are
 *   re-stamped with the caller's time.
 * - **CRLs change, the cache empties.** The CRL set (fingerprints of the CRL bytes, in order) is remembered;
 *   a call with another set drops every entry before anything is looked up, so a newly published revocation
 *   is never hidden by an older result.
 * - **Only successes are kept.** A result is stored only when its status is `valid`; `invalid` and
 *   `indeterminate` results are recomputed on every call. A failure can therefore never come back as a
 *   success, and nothing an attacker sends can fill the cache with anything but paths that are valid under
 *   the caller's anchors.
 * - **Bounded.** At most `maxEntries` keys (least recently used first out) with at most
 *   {@link MAX_WINDOWS_PER_KEY} windows each. The table of byte strings behind the keys, which numbers whatever is
 *   looked up (failures too), is bounded in bytes as well as in entries.
 */
import { createHash } from 'node:crypto';
import { SizeTieredBytesMap } from '../encoding/bytes_map.js';
import { EvoucherError } from '../errors.js';
import { isParsedCertificateInfo, MAX_CERTIFICATE_SIZE, parsedCertificate } from './cert.js';
import type { ParsedCertificate } from './cert.js';
import { MAX_INTERMEDIATES, validatePath } from './chain.js';
import { isParsedCrl, parsedCrl } from './revocation.js';
import type { CertificateInfo, Crl, PathCheck, PathResult, TrustStore, ValidatePathOptions } from './types.js';

/** The default number of cached keys (leaf, anchors, intermediates, usage). */
export const DEFAULT_PATH_CACHE_ENTRIES = 1024;
/** The most time windows kept per key. */
export const MAX_WINDOWS_PER_KEY = 4;

/** Options of {@link createPathCache}. */
export interface PathCacheOptions {
  /** The most keys kept (least recently used dropped first); default {@link DEFAULT_PATH_CACHE_ENTRIES}. */
  readonly maxEntries?: number;
}

/** Counters of a {@link PathCache}. */
export interface PathCacheStats {
  /** Lookups answered from the cache. */
  readonly hits: number;
  /** Lookups that ran {@link validatePath}. */
  readonly misses: number;
  /** Results stored (valid ones only). */
  readonly stored: number;
  /** Times every entry was dropped because the CRL set changed. */
  readonly crlInvalidations: number;
}

/** A cache of valid path results; create one with {@link createPathCache}. */
export interface PathCache {
  /** The number of keys held. */
  readonly size: number;
  /** The counters since creation (a snapshot). */
  readonly stats: PathCacheStats;
  /** Drops every entry (the counters are kept). */
  clear(): void;
}

interface Window {
  /** First instant (ms) of the window, inclusive; -Infinity when unbounded. */
  readonly from: number;
  /** End of the window (ms), exclusive; Infinity when unbounded. */
  readonly until: number;
  /** The validation time the result was computed at, as printed in its messages. */
  readonly atIso: string;
  readonly result: PathResult;
}

interface CacheState {
  readonly maxEntries: number;
  readonly entries: Map<string, Window[]>;
  crlKey: string;
  hits: number;
  misses: number;
  stored: number;
  crlInvalidations: number;
}

const states = new WeakMap<PathCache, CacheState>();
const perStore = new WeakMap<TrustStore, PathCache>();
/**
 * Anchor-list numbers by the frozen anchors array, not by the store: a frozen store may still hand out another array
 * through an accessor (`get anchors()` over a private field its owner reloads).
 */
const anchorArrayKeys = new WeakMap<readonly CertificateInfo[], number>();
const infoKeys = new WeakMap<CertificateInfo, number>();
const crlKeys = new WeakMap<Crl, string>();

/**
 * Creates an empty path-validation cache.
 *
 * @param options - `maxEntries`, the most keys kept.
 * @returns the cache, to pass to {@link validatePathCached}.
 * @throws EvoucherError `ARG_INVALID` when `maxEntries` is not a positive integer or `options` not an object.
 * @example
 * const cache = createPathCache();
 * const r = validatePathCached(cert, { trust, at: signingTime, usage: 'sealer' }, cache);
 */
export function createPathCache(options: PathCacheOptions = {}): PathCache {
  if (typeof options !== 'object' || options === null) throw new EvoucherError('ARG_INVALID', 'createPathCache options must be an object');
  // Only a missing maxEntries is the default: `null` is refused, not read as left out.
  const maxEntries = options.maxEntries === undefined ? DEFAULT_PATH_CACHE_ENTRIES : options.maxEntries;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new EvoucherError('ARG_INVALID', 'createPathCache maxEntries must be a positive integer', { detail: { option: 'maxEntries' } });
  const state: CacheState = { maxEntries, entries: new Map(), crlKey: '', hits: 0, misses: 0, stored: 0, crlInvalidations: 0 };
  const cache: PathCache = Object.freeze({
    get size(): number {
      return state.entries.size;
    },
    get stats(): PathCacheStats {
      return Object.freeze({ hits: state.hits, misses: state.misses, stored: state.stored, crlInvalidations: state.crlInvalidations });
    },
    clear(): void {
      state.entries.clear();
    },
  });
  states.set(cache, state);
  return cache;
}

/**
 * Tells whether a value is a cache made by {@link createPathCache}.
 *
 * @param x - any value.
 * @returns true for a path cache.
 * @example
 * if (!isPathCache(options.pathCache)) throw new TypeError('not a path cache');
 */
export function isPathCache(x: unknown): x is PathCache {
  return typeof x === 'object' && x !== null && states.has(x as PathCache);
}

/**
 * The cache that belongs to a trust store: created on first use, dropped with the store. The verifier uses it
 * when the caller passes no cache of its own, so repeated calls with one trust store share path results.
 *
 * @param trust - the trust store.
 * @returns its cache.
 * @throws EvoucherError `ARG_INVALID` when `trust` is not an object.
 * @example
 * const cache = pathCacheFor(await loadTrustStore('trust/'));
 */
export function pathCacheFor(trust: TrustStore): PathCache {
  // A WeakMap key must be an object: anything else would be a TypeError.
  if (typeof trust !== 'object' || trust === null) throw new EvoucherError('ARG_INVALID', 'pathCacheFor needs a trust store');
  let c = perStore.get(trust);
  if (c === undefined) {
    c = createPathCache();
    perStore.set(trust, c);
  }
  return c;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Exact byte strings and their numbers. Equal bytes get one number; numbers are never reused, so bytes
 * dropped from the table and met again get a new number, and entries keyed with the old one are simply never
 * hit again. Keys made of these numbers are short, where keys made of the certificates themselves were
 * kilobytes to build and hash on every lookup.
 *
 * The table holds its own copy of every byte string it numbers, and what it numbers is untrusted (a stamp's
 * embedded certificates, up to 64 KiB each): 8,192 copies of any size kept 512 MiB alive. Byte strings up to
 * 4 KiB (every ordinary certificate) go in its table of 8,192 (at most 32 MiB), longer ones in a table of
 * their own (at most 64 × {@link MAX_CERTIFICATE_SIZE}, about 6 MB); numbers come from one counter, so a byte string
 * has one number whichever table holds it.
 */
const interned = new SizeTieredBytesMap<number>(8192, 64, 4096);
/** Anchor lists (as numbers joined) and their numbers, from the same counter. */
const anchorLists = new Map<string, number>();
let nextNumber = 0;

/** The number of `bytes`, or undefined past {@link MAX_CERTIFICATE_SIZE} (validatePath refuses them unread: not copied, the call goes uncached). */
function intern(bytes: Uint8Array): number | undefined {
  if (bytes.length > MAX_CERTIFICATE_SIZE) return undefined;
  let k = interned.get(bytes);
  if (k === undefined) {
    k = nextNumber++;
    interned.set(bytes, k);
  }
  return k;
}

function certKey(c: Uint8Array | CertificateInfo): number | undefined {
  // The exact bytes, as a number: no OpenSSL call (hashing contends between worker threads). Raw bytes are
  // read on every call (a caller may reuse its buffer for another certificate); a CertificateInfo is trusted
  // only for its bytes (parsedCertificate re-parses a hand-made one), so its number is its bytes', remembered
  // per object only for one parseCertificate made (validated through its own parse, never its bytes again):
  // a hand-made one, even frozen, may carry a buffer its caller refills.
  if (c instanceof Uint8Array) return intern(c);
  let k = infoKeys.get(c);
  if (k === undefined) {
    k = intern(c.der);
    if (k !== undefined && isParsedCertificateInfo(c)) infoKeys.set(c, k);
  }
  return k;
}

/** Something validatePath reads for its bytes: DER bytes, or an object carrying them in `der`. */
function hasBytes(x: unknown): boolean {
  return x instanceof Uint8Array || (typeof x === 'object' && x !== null && (x as { der?: unknown }).der instanceof Uint8Array);
}

/** The number of the anchor list, or undefined when an anchor has no bytes (validatePath skips and reports it). */
function trustKey(trust: TrustStore): number | undefined {
  const anchors = trust.anchors;
  const memo = anchorArrayKeys.get(anchors);
  if (memo !== undefined) return memo;
  if (!anchors.every(hasBytes)) return undefined;
  const numbers = anchors.map((a) => certKey(a));
  if (numbers.includes(undefined)) return undefined;
  const list = numbers.join('.');
  let k = anchorLists.get(list);
  if (k === undefined) {
    k = nextNumber++;
    if (anchorLists.size >= 1024) anchorLists.delete(anchorLists.keys().next().value as string);
    anchorLists.set(list, k);
  }
  // Only a frozen array of parsed anchors (as createTrustStore/loadTrustStore make) can be remembered by identity.
  if (Object.isFrozen(anchors) && anchors.every((a) => !(a instanceof Uint8Array) && isParsedCertificateInfo(a))) anchorArrayKeys.set(anchors, k);
  return k;
}

/** The key of the CRL set, or undefined when it is not an array of objects carrying bytes. */
function crlKey(crls: readonly Crl[] | undefined): string | undefined {
  if (crls === undefined) return '';
  if (!Array.isArray(crls) || !crls.every((c) => !(c instanceof Uint8Array) && hasBytes(c))) return undefined;
  if (crls.length === 0) return '';
  return crls
    .map((c) => {
      let k = crlKeys.get(c);
      if (k === undefined) {
        k = sha256Hex(c.der);
        // Remembered only for a CRL parseCrl made (used through its own parse); a hand-made one is read again.
        if (isParsedCrl(c)) crlKeys.set(c, k);
      }
      return k;
    })
    .join(',');
}

/**
 * The instants where a comparison made by path validation can change its outcome: for every time t a check
 * compares with, both t (for `<`, `<=`) and t + 1 ms (for `>`, `>=`). Also returns the raw times, which are
 * the ones messages print.
 */
function boundaries(pool: readonly ParsedCertificate[], crls: readonly Crl[]): { cuts: number[]; printed: Set<number> } {
  const printed = new Set<number>();
  const add = (d: Date | undefined): void => {
    if (d !== undefined) printed.add(d.getTime());
  };
  for (const c of pool) {
    add(c.info.notBefore);
    add(c.info.notAfter);
  }
  for (const crl of crls) {
    let parsed: ReturnType<typeof parsedCrl>;
    try {
      parsed = parsedCrl(crl);
    } catch {
      continue; // validatePath ignores (and reports) a CRL that does not parse: it has no times to compare
    }
    // The parsed view (from the bytes), as validatePath uses it, not the fields of a possibly hand-made object.
    add(parsed.info.thisUpdate);
    add(parsed.info.nextUpdate);
    // Only the entries of certificates that can be on a path are ever compared (RFC 5280 §6.3.3(i)); a
    // revocation counts from the earlier of its revocationDate and invalidityDate, so both are boundaries.
    for (const c of pool) {
      const e = parsed.bySerial.get(c.info.serialNumber);
      add(e?.revocationDate);
      add(e?.invalidityDate);
    }
  }
  const cuts: number[] = [];
  for (const t of printed) cuts.push(t, t + 1);
  return { cuts, printed };
}

function windowAround(at: number, cuts: readonly number[]): { from: number; until: number } {
  let from = -Infinity;
  let until = Infinity;
  for (const c of cuts) {
    if (c <= at && c > from) from = c;
    if (c > at && c < until) until = c;
  }
  return { from, until };
}

function restamp(w: Window, at: Date): PathResult {
  const to = at.toISOString();
  const r = w.result;
  if (to === w.atIso) return r;
  // Only where a valid result writes its validation time: at the end of its message, and in a revocation check's
  // "not revoked at …" (passed), "… was stale at …" and "… current at … was issued after the certificate expired …"
  // (both skipped without requireRevocation). Elsewhere the same text is something else (a subject, a validity
  // bound that happens to equal the time) and stays as it is.
  const suffix = ` at ${w.atIso}`;
  const prefix = `not revoked at ${w.atIso}`;
  const current = ` current at ${w.atIso} was issued after `;
  const message = r.message.endsWith(suffix) ? `${r.message.slice(0, -suffix.length)} at ${to}` : r.message;
  const revocationMessage = (m: string): string => {
    if (m.startsWith(prefix)) return `not revoked at ${to}${m.slice(prefix.length)}`;
    if (m.endsWith(` was stale${suffix}`)) return `${m.slice(0, -suffix.length)} at ${to}`;
    // The subject comes before it, the expiry and fixed text after: the last occurrence is the time.
    const i = m.lastIndexOf(current);
    return i < 0 ? m : `${m.slice(0, i)} current at ${to} was issued after ${m.slice(i + current.length)}`;
  };
  // Copies with Object.assign, not a leading spread: on Node 20 `{ ...x, y }` gives every result a new hidden
  // class (docs/performance.md).
  const checks = r.checks.map((c): PathCheck => {
    if (c.check !== 'revocation') return c;
    const m = revocationMessage(c.message);
    return m === c.message ? c : Object.freeze(Object.assign({}, c, { message: m }));
  });
  return Object.freeze(Object.assign({}, r, { message, checks: Object.freeze(checks), at: new Date(at.getTime()) }));
}

/**
 * {@link validatePath} through a cache: the same result as `validatePath(leaf, options)` (the validation time
 * in its messages and `at` is the caller's), computed at most once per leaf, anchors, intermediates, usage,
 * revocation flag and time window while the CRL set stays the same. Only `valid` results are stored; any
 * other result is recomputed on every call, so a failure is never returned as a success.
 *
 * @param leaf - the end-entity certificate (DER) or its parsed form.
 * @param options - the options of {@link validatePath}.
 * @param cache - from {@link createPathCache} or {@link pathCacheFor}.
 * @returns the path result.
 * @throws EvoucherError as {@link validatePath}: `TRUST_NO_ANCHORS`, `ARG_INVALID`; `ARG_INVALID` when `cache`
 *   does not come from {@link createPathCache}.
 * @example
 * const r = validatePathCached(signer, { trust, intermediates, at: signingTime, crls, usage: 'sealer' }, cache);
 */
export function validatePathCached(leaf: Uint8Array | CertificateInfo, options: ValidatePathOptions, cache: PathCache): PathResult {
  const state = states.get(cache);
  if (state === undefined) throw new EvoucherError('ARG_INVALID', 'the path cache must come from createPathCache');
  // Anything odd (bad options, hand-made trust stores with bad entries) goes the uncached way and gets
  // validatePath's own errors.
  if (!(options?.at instanceof Date) || Number.isNaN(options.at.getTime()) || !Array.isArray(options.trust?.anchors) || options.trust.anchors.length === 0) {
    return validatePath(leaf, options);
  }
  // A usage or revocation flag validatePath refuses must not find a cached success under the default it reads like
  // (`usage: null` as sealer, `requireRevocation: 'yes'` as false): uncached, it gets validatePath's ARG_INVALID.
  const rr = options.requireRevocation;
  const usage = options.usage;
  if ((rr !== undefined && rr !== true && rr !== false) || (usage !== undefined && usage !== 'sealer' && usage !== 'maker' && usage !== 'any')) {
    return validatePath(leaf, options);
  }
  if (!(leaf instanceof Uint8Array) && !(typeof leaf === 'object' && leaf !== null && leaf.der instanceof Uint8Array)) return validatePath(leaf, options);

  // Entries validatePath skips and reports (no bytes), or lists that are not arrays (its ARG_INVALID): uncached.
  const intermediates = options.intermediates ?? [];
  const trustNumber = trustKey(options.trust);
  const crls = crlKey(options.crls);
  if (trustNumber === undefined || crls === undefined || !Array.isArray(intermediates)) return validatePath(leaf, options);
  // validatePath reads only the first MAX_INTERMEDIATES; a longer list (no real path has one) would make a key, and
  // a walk through the byte table, as long as the list: uncached.
  if (intermediates.length > MAX_INTERMEDIATES) return validatePath(leaf, options);
  // for...of, not every(): it visits the holes of a sparse array too (undefined: validatePath skips them unreported).
  let inter = '';
  for (const c of intermediates) {
    const k = hasBytes(c) ? certKey(c) : undefined;
    if (k === undefined) return validatePath(leaf, options);
    inter += `${k}.`;
  }
  const leafNumber = certKey(leaf);
  if (leafNumber === undefined) return validatePath(leaf, options);
  // RFC 5280 §6.3: a revocation published since the results were computed must be seen at once.
  if (crls !== state.crlKey) {
    if (state.entries.size > 0) state.crlInvalidations++;
    state.entries.clear();
    state.crlKey = crls;
  }
  // Numbers of exact bytes (digits and '.' only) in fixed places, then the usage, which is last and so may
  // hold any character: no two different inputs share a key (a crafted "certificate" must never land on a
  // cached success).
  const key = `${leafNumber}|${trustNumber}|${inter}|${options.requireRevocation === true ? 'r' : '-'}|${options.usage ?? 'sealer'}`;
  const at = options.at.getTime();
  const windows = state.entries.get(key);
  const w = windows?.find((x) => at >= x.from && at < x.until);
  if (w !== undefined && windows !== undefined) {
    state.hits++;
    state.entries.delete(key); // least recently used order
    state.entries.set(key, windows);
    return restamp(w, options.at);
  }
  state.misses++;
  const result = validatePath(leaf, options);
  if (result.status !== 'valid') return result;

  let pool: ParsedCertificate[];
  try {
    pool = [leaf, ...(options.intermediates ?? []), ...options.trust.anchors].flatMap((c) => {
      try {
        return [parsedCertificate(c)];
      } catch {
        return []; // validatePath skipped it too
      }
    });
  } catch {
    return result;
  }
  const { cuts, printed } = boundaries(pool, options.crls ?? []);
  // A validation time equal to a time the messages print would make re-stamping ambiguous: not stored.
  if (printed.has(at)) return result;
  const { from, until } = windowAround(at, cuts);
  const list = windows ?? [];
  list.push({ from, until, atIso: result.at.toISOString(), result });
  if (list.length > MAX_WINDOWS_PER_KEY) list.shift();
  state.entries.delete(key);
  state.entries.set(key, list);
  state.stored++;
  while (state.entries.size > state.maxEntries) {
    const oldest = state.entries.keys().next();
    if (oldest.done === true) break;
    state.entries.delete(oldest.value);
  }
  return result;
}
