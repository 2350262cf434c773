/**
 * DER `SEQUENCE { r INTEGER, s INTEGER }` signature values, shared by SM2 (GB/T 35276-2017 §7,
 * `SM2Signature`) and ECDSA (RFC 3279 §2.2.3, `Ecdsa-Sig-Value`).
 *
 * Parsing is strict: exactly one SEQUENCE with two minimally encoded positive INTEGERs and nothing
 * after it. BER leniency here would make signatures malleable (the same (r, s) with several
 * encodings), which breaks replay detection keyed on signature bytes.
 */
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { DER_LOW_TAG_LIMITS, derInteger, derSequence, isDerError, readDerInteger, readDerSequence } from '../encoding/der.js';
import { EvoucherError } from '../errors.js';

/** (r, s) of a signature. */
export interface RsPair {
  readonly r: bigint;
  readonly s: bigint;
}

/** Largest DER signature accepted: P-384 needs 104 bytes; anything much longer is hostile. */
const MAX_SIG_LEN = 160;

/**
 * Decode a DER signature strictly. With `n`, also require r, s ∈ [1, n−1].
 * @returns the pair, or null for any malformed value (verifiers must not throw on bad bytes).
 */
export function decodeRsDer(der: Uint8Array, n?: bigint): RsPair | null {
  if (!(der instanceof Uint8Array) || der.length < 8 || der.length > MAX_SIG_LEN) return null;
  try {
    const parts = readDerSequence(der, 'signature', 2, 2, DER_LOW_TAG_LIMITS);
    const r = readDerInteger(parts[0], 'r');
    const s = readDerInteger(parts[1], 's');
    // Zero and negative values are no signature (and would make a second encoding of the same pair possible).
    if (r <= 0n || s <= 0n) return null;
    if (n !== undefined && (r >= n || s >= n)) return null;
    return { r, s };
  } catch (e) {
    if (isDerError(e)) return null;
    throw e;
  }
}

/** Encode (r, s) as DER. */
export function encodeRsDer(r: bigint, s: bigint): Uint8Array {
  return derSequence(derInteger(r), derInteger(s));
}

/**
 * Convert a raw `r ‖ s` signature (PKCS#11 `CKM_ECDSA`, SKF devices, WebCrypto) to DER.
 *
 * @param raw - r and s, each left-padded to the same size (64 bytes for 256-bit curves).
 * @returns DER `SEQUENCE { r, s }`.
 * @throws EvoucherError `CRYPTO_SIGNATURE_MALFORMED` for an odd or empty length, or r or s zero.
 * @example
 * const der = ecdsaRawToDer(await token.sign(digest)) // 64 → 70..72 bytes
 */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (!(raw instanceof Uint8Array) || raw.length === 0 || raw.length % 2 !== 0 || raw.length > 132) {
    throw new EvoucherError('CRYPTO_SIGNATURE_MALFORMED', 'raw signature must be r ‖ s of equal even length', {
      detail: { length: String(raw?.length ?? 0) },
    });
  }
  const half = raw.length / 2;
  const r = bytesToNumberBE(raw.subarray(0, half));
  const s = bytesToNumberBE(raw.subarray(half));
  if (r === 0n || s === 0n) {
    throw new EvoucherError('CRYPTO_SIGNATURE_MALFORMED', 'raw signature has r or s equal to zero');
  }
  return encodeRsDer(r, s);
}

/**
 * Convert a DER `SEQUENCE { r, s }` signature to raw `r ‖ s` (each left-padded to `size` bytes).
 *
 * @param der - a strictly DER-encoded signature.
 * @param size - bytes per component, default 32 (P-256 and SM2).
 * @returns `2 × size` bytes.
 * @throws EvoucherError `CRYPTO_SIGNATURE_MALFORMED` if the DER is not strict, has trailing bytes,
 *   a zero component, or a component longer than `size`; `ARG_INVALID` when `size` is not an integer from 1 to 512.
 * @example
 * const raw = ecdsaDerToRaw(der) // 64 bytes for XML-DSig / JWS
 */
export function ecdsaDerToRaw(der: Uint8Array, size = 32): Uint8Array {
  if (!Number.isSafeInteger(size) || size < 1 || size > 512) throw new EvoucherError('ARG_INVALID', 'the component size must be an integer from 1 to 512', { detail: { argument: 'size' } });
  const pair = decodeRsDer(der);
  const limit = 1n << BigInt(size * 8);
  if (pair === null || pair.r >= limit || pair.s >= limit) {
    throw new EvoucherError('CRYPTO_SIGNATURE_MALFORMED', 'not a strict DER signature of the expected size', {
      detail: { size: String(size) },
    });
  }
  const out = new Uint8Array(size * 2);
  out.set(numberToBytesBE(pair.r, size), 0);
  out.set(numberToBytesBE(pair.s, size), size);
  return out;
}
