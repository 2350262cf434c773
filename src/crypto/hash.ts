/**
 * Hash functions of the allow-list: SM3 (GB/T 32905-2016) and SHA-256 (FIPS 180-4).
 *
 * Both come from node:crypto. Node's OpenSSL 3 implements SM3 correctly (it reproduces the
 * GB/T 32905-2016 Appendix A vectors, see test/crypto/sm3.kat.test.ts), and it is several times
 * faster than a JavaScript SM3.
 */
import * as nodeCrypto from 'node:crypto';
import { EvoucherError } from '../errors.js';
import type { HashAlgorithm } from './types.js';

const NODE_NAMES: Readonly<Record<HashAlgorithm, string>> = Object.freeze({
  sm3: 'sm3',
  sha256: 'sha256',
});

/**
 * Node's one-shot `crypto.hash` (Node >= 20.12): a third faster than `createHash` for the small inputs a
 * verifier hashes (no Hash object per call). Older Node 20 releases use `createHash`; both are OpenSSL's.
 */
type OneShot = (algorithm: string, data: Uint8Array, outputEncoding: 'binary') => string;
const oneShot: OneShot | undefined = typeof (nodeCrypto as { hash?: unknown }).hash === 'function' ? ((nodeCrypto as unknown as { hash: OneShot }).hash) : undefined;

/**
 * The digest bytes from node's `binary` (latin1) output, one character per byte. Asked for as text, node makes no
 * `Buffer`: a buffer's memory lives outside the JavaScript heap, and each one costs an allocation and a free on a
 * background thread (about 1 µs in all, against 0.05 µs for this copy into a small array, which V8 keeps on its
 * heap); a 3-seal voucher hashes 9 times (docs/performance.md).
 */
function bytesOf(latin1: string): Uint8Array {
  const out = new Uint8Array(latin1.length);
  for (let i = 0; i < out.length; i++) out[i] = latin1.charCodeAt(i);
  return out;
}

/** Node's name of an allow-listed algorithm; `CRYPTO_ALGORITHM_UNSUPPORTED` for any other. */
function nodeName(alg: HashAlgorithm): string {
  const name = Object.hasOwn(NODE_NAMES, alg) ? NODE_NAMES[alg] : undefined;
  if (name === undefined) {
    throw new EvoucherError('CRYPTO_ALGORITHM_UNSUPPORTED', `unsupported hash algorithm ${String(alg)}`, {
      detail: { algorithm: String(alg) },
    });
  }
  return name;
}

/**
 * Hash `data` with an allow-listed hash algorithm.
 *
 * @param alg - `sm3` or `sha256`.
 * @param data - the bytes to hash.
 * @returns the 32-byte digest.
 * @throws EvoucherError `CRYPTO_ALGORITHM_UNSUPPORTED` for any other name; `ARG_INVALID` when `data` is not a
 *   Uint8Array (node would hash a string's UTF-8 and refuse the rest with a TypeError).
 * @example
 * digest('sm3', new TextEncoder().encode('abc')) // 66c7f0f4...8f4ba8e0
 */
export function digest(alg: HashAlgorithm, data: Uint8Array): Uint8Array {
  const name = nodeName(alg);
  if (!(data instanceof Uint8Array)) throw new EvoucherError('ARG_INVALID', 'the data to hash must be a Uint8Array', { detail: { argument: 'data' } });
  return bytesOf(oneShot === undefined ? nodeCrypto.createHash(name).update(data).digest('binary') : oneShot(name, data, 'binary'));
}

/**
 * A streaming hash of an allow-listed algorithm (internal; finish it with {@link finishDigest}).
 *
 * @throws EvoucherError `CRYPTO_ALGORITHM_UNSUPPORTED` for any other name.
 */
export function digestState(alg: HashAlgorithm): nodeCrypto.Hash {
  return nodeCrypto.createHash(nodeName(alg));
}

/** The digest of a streaming hash, as a small array (internal). */
export function finishDigest(h: nodeCrypto.Hash): Uint8Array {
  return bytesOf(h.digest('binary'));
}

/** Hash several parts without concatenating them first (internal). */
export function digestParts(alg: HashAlgorithm, ...parts: readonly Uint8Array[]): Uint8Array {
  const h = digestState(alg);
  for (const p of parts) h.update(p);
  return finishDigest(h);
}
