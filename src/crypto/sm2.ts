/**
 * SM2 digital signatures (GB/T 32918.2-2016 §6 sign, §7 verify) with SM3 and a signer ID.
 *
 * Why this file exists: see the rationale in `sm2_curve.ts` (node:crypto cannot make standard SM2
 * signatures; noble has the curve arithmetic but no SM2 scheme).
 *
 * Speed (verification is the hot path of a verifier):
 * - once a key has been seen four times (voucher streams are signed by a handful of keys), s·G + t·P is one
 *   sum of affine table points, W=10 for G and W=7 for the key, in Jacobian coordinates with mixed additions
 *   on Montgomery limbs (`sm2_tables.ts`, `sm2_field.ts`: no doublings, no BigInt). The key tables live in
 *   a bounded LRU of {@link KEY_CACHE_SIZE} keys, so memory stays flat whatever the number of distinct keys;
 *   a key seen fewer times goes through noble's multiplications (its W=8 base-point table for s·G);
 * - the final check compares x1 without inverting Z (X == x1·Z, or X == x1·Z² in Jacobian coordinates);
 * - SM3 runs in node:crypto (OpenSSL), and Z_A for the default ID is cached per key.
 * Verification only handles public values, so the variable-time ("unsafe") multiplications are
 * fine there; signing uses noble's constant-time, blinded `multiply` for k·G.
 */
import { randomBytes } from 'node:crypto';
import { invert, mod } from '@noble/curves/abstract/modular.js';
import { bytesToNumberBE, equalBytes, numberToBytesBE } from '@noble/curves/utils.js';
import { BytesMap } from '../encoding/bytes_map.js';
import { EvoucherError } from '../errors.js';
import { digestParts } from './hash.js';
import { digestWithRecurringPrefix } from './recurring_prefix.js';
import { decodeRsDer, encodeRsDer } from './signature_der.js';
import { sm2p256v1 } from './sm2_curve.js';
import type { Sm2Curve, Sm2Point } from './sm2_curve.js';
import { buildFixedBaseTable, signedDigits, sumFixedBase, type FixedBaseTable } from './sm2_tables.js';

const DEFAULT_ID_BYTES = new TextEncoder().encode('1234567812345678');

/**
 * The default SM2 signer ID, ASCII `1234567812345678` (GB/T 35276-2017 §10; GM/T 0009).
 * Every real seal and certificate seen uses it. This is a copy: changing its bytes does not change
 * the default used by {@link sm2Sign} and {@link sm2Verify}.
 */
export const DEFAULT_SM2_ID: Uint8Array = DEFAULT_ID_BYTES.slice();

/** Options of the SM2 functions. */
export interface Sm2Options {
  /**
   * The signer ID (distinguishing identifier) hashed into Z_A; default {@link DEFAULT_SM2_ID}.
   * An empty ID is a different, non-interoperable scheme: pass `new Uint8Array(0)` only on purpose.
   */
  readonly id?: Uint8Array;
  /**
   * Verification: how many leading bytes of M recur in other messages (the seal object at the start of every
   * `TBS_Sign` its holder signs). The SM3 state after Z_A ‖ those bytes is remembered and continued when the
   * same Z_A and bytes come again, compared byte for byte (`digestWithRecurringPrefix`). A hint: e is the
   * same with or without it.
   */
  readonly recurringPrefix?: number;
}

/** Options of {@link sm2Sign}. */
export interface Sm2SignOptions extends Sm2Options {
  /** A fixed nonce k ∈ [1, n−1], for known-answer tests only. Never reuse a k: it reveals d. */
  readonly k?: bigint;
  /** The signer's 65-byte public key, if known, checked against d·G (a mismatch is `CRYPTO_KEY_INVALID`: it would make signatures nobody can verify). */
  readonly publicKey?: Uint8Array;
}

/** Number of public keys whose multiplication tables are kept. */
export const KEY_CACHE_SIZE = 64;
/**
 * Window of the per-key tables: 2^(W−1) × (⌈256/W⌉ + 1) = 2,432 affine points for W=7, 209 KiB. Building one
 * costs about 15 ms on a 2-core Xeon VM (11 ms and 121 KiB for W=6, 23 ms and 363 KiB for W=8); against W=6, W=7
 * saves 6 of the sum's 77 additions and W=8 another 5.
 */
const KEY_WINDOW = 7;
/**
 * Build a key's table on its fourth use. A key seen once or twice (a one-off certificate) never
 * pays for a table; a key that keeps signing (a seal maker, a bank's sealer, a CA) recovers the
 * cost within about ten verifications.
 */
const PRECOMPUTE_AFTER_USES = 4;
/** ENTL is a 16-bit count of ID *bits* (GB/T 32918.2 §5.5). */
const MAX_ID_BYTES = 8191;

interface KeyEntry {
  readonly point: Sm2Point;
  uses: number;
  /** The key's fixed-base table (`sm2_tables.ts`), from its {@link PRECOMPUTE_AFTER_USES}th use on. */
  table: FixedBaseTable | undefined;
  zDefault: Uint8Array | undefined;
  /** The last (e, r, s) that verified with this key (see {@link sm2Verify}). */
  lastValid: { readonly e: bigint; readonly r: bigint; readonly s: bigint } | undefined;
}

/** Keys by exact public-key bytes, least recently used dropped first. */
const keyCache = new BytesMap<KeyEntry>(KEY_CACHE_SIZE);

function checkBytes(v: unknown, what: string): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) {
    throw new EvoucherError('ARG_INVALID', `${what} must be a Uint8Array`, { detail: { argument: what } });
  }
}

function resolveId(options: Sm2Options | undefined): Uint8Array {
  const id = options?.id;
  if (id === undefined) return DEFAULT_ID_BYTES;
  checkBytes(id, 'id');
  if (id.length > MAX_ID_BYTES) {
    throw new EvoucherError('ARG_INVALID', 'sm2 signer id longer than 8191 bytes', {
      detail: { length: String(id.length) },
    });
  }
  return id;
}

/** Decode and validate a public key point (on the curve, not infinity: GB/T 32918.1 §6.2). */
export function decodeSm2Point(curve: Sm2Curve, publicKey: Uint8Array): Sm2Point {
  checkBytes(publicKey, 'publicKey');
  if (publicKey.length !== 1 + 2 * curve.size || publicKey[0] !== 0x04) {
    throw new EvoucherError('CRYPTO_KEY_INVALID', 'sm2 public key must be 04 ‖ X ‖ Y', {
      detail: { length: String(publicKey.length) },
    });
  }
  try {
    // fromBytes checks coordinates < p and y² = x³ + ax + b; infinity has no 65-byte encoding.
    return curve.Point.fromBytes(publicKey);
  } catch (cause) {
    throw new EvoucherError('CRYPTO_KEY_INVALID', 'sm2 public key is not a point on the curve', { cause });
  }
}

/** Look a default-curve public key up in the LRU, validating it on first sight. */
function cachedKey(publicKey: Uint8Array): KeyEntry {
  checkBytes(publicKey, 'publicKey');
  let entry = keyCache.get(publicKey);
  if (entry === undefined) {
    entry = { point: decodeSm2Point(sm2p256v1, publicKey), uses: 0, table: undefined, zDefault: undefined, lastValid: undefined };
    keyCache.set(publicKey, entry);
  }
  entry.uses++;
  if (entry.table === undefined && entry.uses >= PRECOMPUTE_AFTER_USES) entry.table = buildFixedBaseTable(sm2p256v1, entry.point, KEY_WINDOW);
  return entry;
}

/**
 * Window of the verifier's base-point table: 27 windows × 512 affine points, 1.2 MiB, built on first use (about
 * 70 ms on a 2-core Xeon VM; W=8 takes 23 ms and 363 KiB and 6 more additions per verification).
 */
const BASE_TABLE_WINDOW = 10;
let baseTable: FixedBaseTable | undefined;

/** Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA), GB/T 32918.2 §5.5. */
export function computeZ(curve: Sm2Curve, publicKey: Uint8Array, id: Uint8Array): Uint8Array {
  const bits = id.length * 8;
  return digestParts('sm3', Uint8Array.of((bits >> 8) & 0xff, bits & 0xff), id, curve.zCurveBytes, publicKey.subarray(1));
}

/** e = SM3(Z_A ‖ M) as an integer (GB/T 32918.2 §6.1 A1–A2). */
function hashToE(z: Uint8Array, message: Uint8Array): bigint {
  return bytesToNumberBE(digestParts('sm3', z, message));
}

/**
 * Compute Z_A, the hash of the signer's identity and public key (GB/T 32918.2 §5.5).
 *
 * @param publicKey - 65-byte `04 ‖ X ‖ Y` on sm2p256v1.
 * @param id - the signer ID, default {@link DEFAULT_SM2_ID}.
 * @returns the 32-byte Z_A.
 * @throws EvoucherError `CRYPTO_KEY_INVALID` for a point not on the curve; `ARG_INVALID` for an ID over 8191 bytes.
 * @example
 * const z = sm2ComputeZ(pub) // then e = SM3(z ‖ M)
 */
export function sm2ComputeZ(publicKey: Uint8Array, id?: Uint8Array): Uint8Array {
  const theId = resolveId(id === undefined ? undefined : { id });
  decodeSm2Point(sm2p256v1, publicKey);
  return computeZ(sm2p256v1, publicKey, theId);
}

/**
 * Compute the SM2 message digest e = SM3(Z_A ‖ M), as 32 bytes. This is what a device that "signs
 * a precomputed digest" (SKF, vendor PKCS#11 mechanisms, `openssl pkeyutl -sign` without
 * `-rawin`) must be given.
 *
 * @param publicKey - 65-byte `04 ‖ X ‖ Y`.
 * @param message - the message M.
 * @param options - the signer ID.
 * @returns e as 32 bytes.
 * @throws EvoucherError `CRYPTO_KEY_INVALID`, `ARG_INVALID`.
 * @example
 * const e = sm2ComputeDigest(pub, tbs) // hand e to the token, then ecdsaRawToDer(r ‖ s)
 */
export function sm2ComputeDigest(publicKey: Uint8Array, message: Uint8Array, options?: Sm2Options): Uint8Array {
  checkBytes(message, 'message');
  const z = sm2ComputeZ(publicKey, resolveId(options));
  return digestParts('sm3', z, message);
}

function scalarFromPrivate(curve: Sm2Curve, d: Uint8Array): bigint {
  checkBytes(d, 'private key');
  if (d.length !== curve.size) {
    throw new EvoucherError('CRYPTO_KEY_INVALID', `sm2 private key must be ${curve.size} bytes`, {
      detail: { length: String(d.length) },
    });
  }
  const v = bytesToNumberBE(d);
  // GB/T 32918.1 §6.1: d ∈ [1, n−2] (so that 1 + d is invertible mod n).
  if (v < 1n || v > curve.params.n - 2n) {
    throw new EvoucherError('CRYPTO_KEY_INVALID', 'sm2 private key out of range [1, n-2]');
  }
  return v;
}

/** Random k ∈ [1, n−1] with 64 extra bits, so the modular bias is below 2^-64 (FIPS 186-5 A.2.1). */
function randomScalar(n: bigint): bigint {
  return mod(bytesToNumberBE(randomBytes(40)), n - 1n) + 1n;
}

/** GB/T 32918.2 §6.1 signature generation on any SM2 curve (internal core). */
export function signCore(
  curve: Sm2Curve,
  d: bigint,
  publicKey: Uint8Array,
  message: Uint8Array,
  id: Uint8Array,
  fixedK?: bigint,
): { r: bigint; s: bigint } {
  const { n } = curve.params;
  const e = hashToE(computeZ(curve, publicKey, id), message); // A1–A2
  const inv1d = invert(d + 1n, n);
  for (let attempt = 0; attempt < 64; attempt++) {
    const k = fixedK ?? randomScalar(n); // A3
    if (k < 1n || k >= n) throw new EvoucherError('ARG_INVALID', 'k out of range [1, n-1]');
    const x1 = curve.Point.BASE.multiply(k).toAffine().x; // A4 (constant-time, blinded)
    const r = mod(e + x1, n); // A5
    if (r !== 0n && r + k !== n) {
      const s = mod(inv1d * (k - r * d), n); // A6
      if (s !== 0n) return { r, s };
    }
    if (fixedK !== undefined) break;
  }
  throw new EvoucherError('CRYPTO_SIGN_FAILED', 'sm2 signing found no valid (r, s) for this k');
}

/**
 * GB/T 32918.2 §7.1 verification on any SM2 curve (internal core). `P` must be a validated point.
 * Returns false (never throws) for out-of-range values. `table` (P's fixed-base table, sm2p256v1 only) takes
 * the table path that {@link sm2Verify} takes for a repeated key.
 */
export function verifyCore(curve: Sm2Curve, P: Sm2Point, z: Uint8Array, message: Uint8Array, r: bigint, s: bigint, table?: FixedBaseTable): boolean {
  return verifyDigest(curve, P, hashToE(z, message), r, s, table); // B3–B4
}

/** Full verifications done by this module (internal, for tests). */
let pointVerifications = 0;

/**
 * {@link verifyCore} from e = SM3(Z_A ‖ M). With `table` (the key's fixed-base table, sm2p256v1 only), s·G + t·P
 * is one sum of table points (`sm2_tables.ts`); without, noble's multiplications.
 */
function verifyDigest(curve: Sm2Curve, P: Sm2Point, e: bigint, r: bigint, s: bigint, table?: FixedBaseTable): boolean {
  const { n, p } = curve.params;
  if (r < 1n || r >= n || s < 1n || s >= n) return false; // B1, B2
  const t = mod(r + s, n); // B5
  if (t === 0n) return false;
  pointVerifications++;
  // B6: (x1', y1') = s·G + t·P; both scalars are public. x1' = X / scale: scale = Z in noble's projective
  // coordinates, Z² in the table sum's Jacobian ones.
  let X: bigint;
  let scale: bigint;
  if (table !== undefined && curve === sm2p256v1) {
    const G = (baseTable ??= buildFixedBaseTable(sm2p256v1, sm2p256v1.Point.BASE, BASE_TABLE_WINDOW));
    const R = sumFixedBase(curve, [
      [G, signedDigits(s, G.w, G.windows)],
      [table, signedDigits(t, table.w, table.windows)],
    ]);
    if (R === undefined) return false;
    X = R.X;
    scale = (R.Z * R.Z) % p;
  } else {
    const R = curve.Point.BASE.multiplyUnsafe(s).add(P.multiplyUnsafe(t));
    if (R.is0()) return false;
    X = R.X;
    scale = R.Z;
  }
  // B7: accept iff (e + x1') mod n == r, i.e. x1' ≡ r − e (mod n). With x1' < p, x1' is c or c + n (when
  // c + n < p): compare X with c·scale instead of inverting Z. X is reduced in both representations.
  const c = mod(r - e, n);
  if (X === (c * scale) % p) return true;
  const c2 = c + n;
  return c2 < p && X === (c2 * scale) % p;
}

/**
 * Make an SM2 signature (GB/T 32918.2 §6.1, SM3, signer ID) over `message`.
 *
 * @param d - the 32-byte private key, d ∈ [1, n−2].
 * @param message - the message M (Z_A is prepended internally).
 * @param options - `id` (default `1234567812345678`), `publicKey` (checked against d·G), `k` (tests only).
 * @returns DER `SEQUENCE { r INTEGER, s INTEGER }` (GB/T 35276-2017 §7).
 * @throws EvoucherError `CRYPTO_KEY_INVALID` (bad d, or a publicKey that is not d·G),
 *   `ARG_INVALID` (bad id or k), `CRYPTO_SIGN_FAILED` (a fixed k that yields r = 0 or s = 0).
 * @example
 * const sig = sm2Sign(d, new TextEncoder().encode('message digest'))
 */
export function sm2Sign(d: Uint8Array, message: Uint8Array, options?: Sm2SignOptions): Uint8Array {
  checkBytes(message, 'message');
  const id = resolveId(options);
  const dv = scalarFromPrivate(sm2p256v1, d);
  let pub = options?.publicKey;
  if (pub === undefined) {
    pub = sm2p256v1.Point.BASE.multiply(dv).toBytes(false);
  } else {
    // A wrong public key would silently produce signatures nobody can verify.
    const given = decodeSm2Point(sm2p256v1, pub);
    if (!given.equals(sm2p256v1.Point.BASE.multiply(dv))) {
      throw new EvoucherError('CRYPTO_KEY_INVALID', 'sm2 public key does not match the private key');
    }
  }
  const k = options?.k;
  // A number (`5`) compared like a bigint and then failed in the arithmetic with a TypeError.
  if (k !== undefined && typeof k !== 'bigint') throw new EvoucherError('ARG_INVALID', 'sm2 k must be a bigint in [1, n-1]', { detail: { option: 'k' } });
  const { r, s } = signCore(sm2p256v1, dv, pub, message, id, k);
  return encodeRsDer(r, s);
}

/**
 * Sign with a key pair already known to match (internal: keys made by `keys.ts`).
 */
export function sm2SignKnownPair(d: Uint8Array, publicKey: Uint8Array, message: Uint8Array, options?: Sm2Options): Uint8Array {
  checkBytes(message, 'message');
  const id = resolveId(options);
  const { r, s } = signCore(sm2p256v1, scalarFromPrivate(sm2p256v1, d), publicKey, message, id);
  return encodeRsDer(r, s);
}

/**
 * Verify an SM2 signature (GB/T 32918.2 §7.1) with SM3 and a signer ID.
 *
 * Strict: the signature must be DER `SEQUENCE { r, s }` with minimal positive INTEGERs, r, s ∈
 * [1, n−1], and no trailing bytes. A signature made under another ID (an empty one included)
 * does not verify.
 *
 * @param publicKey - 65-byte `04 ‖ X ‖ Y` on sm2p256v1.
 * @param message - the message M.
 * @param signatureDer - the DER signature.
 * @param options - `id`, default `1234567812345678`.
 * @returns true for a valid signature; false for a wrong or malformed one (never throws for it).
 * @throws EvoucherError `CRYPTO_KEY_INVALID` for a public key off the curve; `ARG_INVALID` for
 *   non-byte arguments, an ID over 8191 bytes or a `recurringPrefix` that is not an integer from 0.
 * @example
 * if (!sm2Verify(pub, tbs, sig)) report('CERT_BAD_SIGNATURE')
 */
export function sm2Verify(publicKey: Uint8Array, message: Uint8Array, signatureDer: Uint8Array, options?: Sm2Options): boolean {
  checkBytes(message, 'message');
  checkBytes(signatureDer, 'signature');
  const id = resolveId(options);
  const entry = cachedKey(publicKey);
  const rs = decodeRsDer(signatureDer, sm2p256v1.params.n);
  if (rs === null) return false;
  let z: Uint8Array;
  if (id === DEFAULT_ID_BYTES || equalBytes(id, DEFAULT_ID_BYTES)) {
    z = entry.zDefault ??= computeZ(sm2p256v1, publicKey, DEFAULT_ID_BYTES);
  } else {
    z = computeZ(sm2p256v1, publicKey, id);
  }
  const prefix = options?.recurringPrefix;
  // A hint, but not any value: `'4096'` or `NaN` was ignored without a word. Outside the remembered range is fine.
  if (prefix !== undefined && (!Number.isSafeInteger(prefix) || prefix < 0)) {
    throw new EvoucherError('ARG_INVALID', 'sm2 recurringPrefix must be an integer from 0 (a byte count)', { detail: { option: 'recurringPrefix' } });
  }
  const e = prefix === undefined ? hashToE(z, message) : bytesToNumberBE(digestWithRecurringPrefix('sm3', z, message, prefix));
  // The last success per key answers a repeat at once: a new seal is verified by its writer and again by the
  // sealing self-check. Exact: validity depends on (P, e, r, s) alone, and e is the SM3 digest that the
  // signature itself rests on. Only successes are kept, and a different e, r, s or key misses.
  const last = entry.lastValid;
  if (last !== undefined && last.e === e && last.r === rs.r && last.s === rs.s) return true;
  const ok = verifyDigest(sm2p256v1, entry.point, e, rs.r, rs.s, entry.table);
  if (ok) entry.lastValid = { e, r: rs.r, s: rs.s };
  return ok;
}

/**
 * Derive the public key d·G.
 *
 * @param d - the 32-byte private key.
 * @returns the 65-byte uncompressed point `04 ‖ X ‖ Y`.
 * @throws EvoucherError `CRYPTO_KEY_INVALID` for d outside [1, n−2] or not 32 bytes.
 * @example
 * const pub = sm2PublicKeyFromPrivate(d)
 */
export function sm2PublicKeyFromPrivate(d: Uint8Array): Uint8Array {
  const dv = scalarFromPrivate(sm2p256v1, d);
  return sm2p256v1.Point.BASE.multiply(dv).toBytes(false);
}

/** A fresh random SM2 private key (32 bytes, d ∈ [1, n−2]). Internal helper for key generation. */
export function sm2RandomPrivateKey(): Uint8Array {
  const n = sm2p256v1.params.n;
  const d = mod(bytesToNumberBE(randomBytes(40)), n - 2n) + 1n;
  return numberToBytesBE(d, 32);
}

/** Number of full SM2 verifications (point multiplications) done so far (internal, for tests). */
export function sm2PointVerificationCount(): number {
  return pointVerifications;
}

/** Number of public keys currently cached (internal, for tests). */
export function sm2KeyCacheCount(): number {
  return keyCache.size;
}

/**
 * Drop every cached SM2 public key and its multiplication table (tests, or long-running processes
 * that want to release the memory after a key rotation; the cache is bounded either way).
 *
 * @example
 * clearSm2KeyCache()
 */
export function clearSm2KeyCache(): void {
  keyCache.clear();
}
