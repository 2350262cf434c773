/**
 * Password-based encryption and integrity of PKCS#12 files: PBES2 (RFC 8018 §6.2: PBKDF2 with
 * HMAC-SHA-1/224/256/384/512 and AES-CBC, SM4-CBC or 3DES-CBC), the PKCS#12 PBE schemes with
 * triple DES (RFC 7292 Appendix C), and the PKCS#12 MAC with its key derivation (RFC 7292
 * Appendix B). node:crypto does the primitives; this file reads the parameters.
 *
 * Iteration counts come from the file, so they are bounded: a hostile file must not make us
 * spend minutes in PBKDF2. Each derivation is bounded by {@link MAX_PBE_ITERATIONS} (shared with
 * encrypted PKCS#8, src/crypto/keys.ts), and a whole file by a {@link KdfBudget}: the parameters
 * of a derivation are read and checked by {@link preparePbeDecryption} before anything is derived,
 * so the caller can charge its cost first.
 */
import * as nodeCrypto from 'node:crypto';
import { createDecipheriv, createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import type { AlgorithmIdentifier, MacData } from 'pkijs';
import { PBES2Params, PBKDF2Params } from 'pkijs';
import * as asn1js from 'asn1js';
import { MAX_PBE_ITERATIONS } from '../../crypto/keys.js';
import { KeyProviderError } from '../errors.js';

// One limit for PKCS#8 and PKCS#12; it lives with the PKCS#8 reader, which cannot import from keys/.
export { MAX_PBE_ITERATIONS };

const OID_PBES2 = '1.2.840.113549.1.5.13';
const OID_PBKDF2 = '1.2.840.113549.1.5.12';

/** PBKDF2 PRFs (RFC 8018 Appendix B.1): node digest name and output length hLen. */
const PRF: ReadonlyMap<string, { readonly name: string; readonly hLen: number }> = new Map([
  ['1.2.840.113549.2.7', { name: 'sha1', hLen: 20 }],
  ['1.2.840.113549.2.8', { name: 'sha224', hLen: 28 }],
  ['1.2.840.113549.2.9', { name: 'sha256', hLen: 32 }],
  ['1.2.840.113549.2.10', { name: 'sha384', hLen: 48 }],
  ['1.2.840.113549.2.11', { name: 'sha512', hLen: 64 }],
]);

/** SHA-1 output length: the PKCS#12 PBE schemes derive their key and IV with it. */
const SHA1_LENGTH = 20;

/** PBES2 encryption schemes: node cipher name, key length, IV length (the cipher's block). */
const CIPHERS: ReadonlyMap<string, { readonly name: string; readonly keyLength: number; readonly ivLength: number }> = new Map([
  ['2.16.840.1.101.3.4.1.2', { name: 'aes-128-cbc', keyLength: 16, ivLength: 16 }],
  ['2.16.840.1.101.3.4.1.22', { name: 'aes-192-cbc', keyLength: 24, ivLength: 16 }],
  ['2.16.840.1.101.3.4.1.42', { name: 'aes-256-cbc', keyLength: 32, ivLength: 16 }],
  ['1.2.840.113549.3.7', { name: 'des-ede3-cbc', keyLength: 24, ivLength: 8 }],
  // GM/T 0006: SM4-CBC, used by Chinese PKCS#12 tools.
  ['1.2.156.10197.1.104.2', { name: 'sm4-cbc', keyLength: 16, ivLength: 16 }],
]);

/** PKCS#12 PBE schemes (RFC 7292 Appendix C) node can run; RC2 and RC4 are not in OpenSSL 3's default provider. */
const PKCS12_PBE: ReadonlyMap<string, { readonly name: string; readonly keyLength: number; readonly ivLength: number }> = new Map([
  ['1.2.840.113549.1.12.1.3', { name: 'des-ede3-cbc', keyLength: 24, ivLength: 8 }],
  ['1.2.840.113549.1.12.1.4', { name: 'des-ede-cbc', keyLength: 16, ivLength: 8 }],
]);

/** MAC digests (RFC 7292 §4 MacData.mac.digestAlgorithm): node name and block size v. */
const MAC_DIGESTS: ReadonlyMap<string, { readonly name: string; readonly blockSize: number }> = new Map([
  ['1.3.14.3.2.26', { name: 'sha1', blockSize: 64 }],
  ['2.16.840.1.101.3.4.2.4', { name: 'sha224', blockSize: 64 }],
  ['2.16.840.1.101.3.4.2.1', { name: 'sha256', blockSize: 64 }],
  ['2.16.840.1.101.3.4.2.2', { name: 'sha384', blockSize: 128 }],
  ['2.16.840.1.101.3.4.2.3', { name: 'sha512', blockSize: 128 }],
  ['1.2.156.10197.1.401', { name: 'sm3', blockSize: 64 }],
]);

/**
 * The key-derivation work one PKCS#12 file may cost, charged before each derivation. The unit is one
 * iteration of the KDF's loop: a derivation costs its iteration count times the hash-sized blocks it
 * derives (PBKDF2 runs its iterations once per block of the key, RFC 8018 §5.2; the PKCS#12 KDF once
 * per block of the key and of the IV, RFC 7292 Appendix B.2).
 */
export class KdfBudget {
  readonly #limit: number;
  #spent = 0;

  /**
   * @param limit - the most the file may cost in total
   */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /**
   * Adds the cost of a derivation the caller is about to run.
   *
   * @param cost - its iterations times its blocks
   * @param what - what it derives the key of, for the error
   * @throws KeyProviderError `KEY_FORMAT_UNSUPPORTED` when the file's total would pass the limit; nothing is
   *   charged then, and the caller must not derive
   */
  charge(cost: number, what: string): void {
    if (this.#spent + cost > this.#limit) {
      throw new KeyProviderError(
        'KEY_FORMAT_UNSUPPORTED',
        `pkcs12 key derivations need more than ${this.#limit} iterations in total (${what} would bring them to ${this.#spent + cost})`,
        { detail: { parameter: 'total iterations', value: String(this.#spent + cost), limit: String(this.#limit), at: what } },
      );
    }
    this.#spent += cost;
  }
}

/** A password-based decryption whose parameters are read and checked; nothing is derived until {@link PbeDecryption.decrypt}. */
export interface PbeDecryption {
  /** What the key derivation costs, in the unit of {@link KdfBudget}. */
  readonly cost: number;
  /**
   * Derives the key and decrypts.
   *
   * @param ciphertext - the encrypted bytes
   * @param password - the password
   * @returns the plaintext
   * @throws KeyProviderError `KEY_PASSWORD_WRONG` when the padding check fails
   */
  decrypt(ciphertext: Uint8Array, password: string): Uint8Array;
}

/**
 * Reads and checks the parameters of a password-based scheme (PBES2 or PKCS#12 PBE), deriving nothing.
 *
 * @param algorithm - the encryption AlgorithmIdentifier from the file
 * @returns the decryption, with its cost
 * @throws KeyProviderError `KEY_FORMAT_UNSUPPORTED` (unknown scheme, PRF or cipher; malformed
 *   parameters; iterations above {@link MAX_PBE_ITERATIONS})
 */
export function preparePbeDecryption(algorithm: AlgorithmIdentifier): PbeDecryption {
  const oid = algorithm.algorithmId;
  if (oid === OID_PBES2) {
    const p = pbes2Params(algorithm.algorithmParams);
    return {
      cost: p.iterations * Math.ceil(p.keyLength / p.prf.hLen),
      decrypt: (ciphertext, password) => {
        const key = pbkdf2Sync(Buffer.from(password, 'utf8'), p.salt, p.iterations, p.keyLength, p.prf.name);
        return runCipher(p.cipher, key, p.iv, ciphertext);
      },
    };
  }
  const scheme = PKCS12_PBE.get(oid);
  if (scheme === undefined) unsupported('password-based encryption scheme', oid);
  const { salt, iterations } = pkcs12PbeParams(algorithm.algorithmParams);
  return {
    cost: iterations * (Math.ceil(scheme.keyLength / SHA1_LENGTH) + Math.ceil(scheme.ivLength / SHA1_LENGTH)),
    decrypt: (ciphertext, password) => {
      const pwd = bmpPassword(password);
      // RFC 7292 Appendix C: SHA-1 derives the key (ID 1) and the IV (ID 2).
      const key = pkcs12Kdf('sha1', 64, pwd, salt, 1, iterations, scheme.keyLength);
      const iv = pkcs12Kdf('sha1', 64, pwd, salt, 2, iterations, scheme.ivLength);
      return runCipher(scheme.name, key, iv, ciphertext);
    },
  };
}

/**
 * Decrypts data protected by a password-based scheme (PBES2 or PKCS#12 PBE), with no budget beyond the
 * per-derivation bound: {@link preparePbeDecryption} lets a caller charge a {@link KdfBudget} first.
 *
 * @param algorithm - the encryption AlgorithmIdentifier from the file
 * @param ciphertext - the encrypted bytes
 * @param password - the password (UTF-8 for PBES2, BMPString for PKCS#12 PBE, as OpenSSL does)
 * @returns the plaintext
 * @throws KeyProviderError `KEY_PASSWORD_WRONG` (padding check failed), `KEY_FORMAT_UNSUPPORTED`
 *   (unknown scheme, PRF or cipher; excessive iterations)
 */
export function pbeDecrypt(algorithm: AlgorithmIdentifier, ciphertext: Uint8Array, password: string): Uint8Array {
  return preparePbeDecryption(algorithm).decrypt(ciphertext, password);
}

function runCipher(cipher: string, key: Buffer, iv: Buffer, ciphertext: Uint8Array): Uint8Array {
  try {
    const d = createDecipheriv(cipher, key, iv);
    return new Uint8Array(Buffer.concat([d.update(ciphertext), d.final()]));
  } catch (cause) {
    // A wrong password shows as bad PKCS#7 padding (RFC 8018 §6.2.2 step 5).
    throw new KeyProviderError('KEY_PASSWORD_WRONG', 'the password does not decrypt the pkcs12 content', { cause });
  }
}

interface Pbes2Params {
  readonly cipher: string;
  readonly keyLength: number;
  readonly iv: Buffer;
  readonly salt: Buffer;
  readonly iterations: number;
  readonly prf: { readonly name: string; readonly hLen: number };
}

function pbes2Params(params: unknown): Pbes2Params {
  let pbes2: PBES2Params;
  try {
    pbes2 = new PBES2Params({ schema: params });
  } catch (cause) {
    return malformed('PBES2 parameters', cause);
  }
  if (pbes2.keyDerivationFunc.algorithmId !== OID_PBKDF2) {
    unsupported('key derivation function', pbes2.keyDerivationFunc.algorithmId);
  }
  const scheme = CIPHERS.get(pbes2.encryptionScheme.algorithmId);
  if (scheme === undefined) unsupported('cipher', pbes2.encryptionScheme.algorithmId);
  const ivBlock = pbes2.encryptionScheme.algorithmParams as unknown;
  // An IV of another length is the file's fault, found before any derivation: node would refuse it at
  // decryption, which reads as a wrong password.
  if (!(ivBlock instanceof asn1js.OctetString) || ivBlock.getValue().byteLength !== scheme.ivLength) return malformed('cipher iv');
  let kdf: PBKDF2Params;
  try {
    kdf = new PBKDF2Params({ schema: pbes2.keyDerivationFunc.algorithmParams });
  } catch (cause) {
    return malformed('PBKDF2 parameters', cause);
  }
  const saltBlock = kdf.salt as unknown;
  if (!(saltBlock instanceof asn1js.OctetString)) unsupported('PBKDF2 salt source', 'otherSource');
  const prfOid = kdf.prf?.algorithmId ?? '1.2.840.113549.2.7'; // RFC 8018 A.2: default hmacWithSHA1
  const prf = PRF.get(prfOid);
  if (prf === undefined) unsupported('PBKDF2 pseudo-random function', prfOid);
  const iterations = checkIterations(kdf.iterationCount);
  const keyLength = kdf.keyLength ?? scheme.keyLength;
  if (keyLength !== scheme.keyLength) return malformed('PBKDF2 key length');
  return {
    cipher: scheme.name,
    keyLength,
    iv: Buffer.from(ivBlock.getValue()),
    salt: Buffer.from(saltBlock.getValue()),
    iterations,
    prf,
  };
}

function pkcs12PbeParams(params: unknown): { salt: Buffer; iterations: number } {
  // pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER } (RFC 7292 Appendix C)
  if (!(params instanceof asn1js.Sequence)) return malformed('pkcs12 pbe parameters');
  const [salt, iterations] = params.valueBlock.value;
  if (!(salt instanceof asn1js.OctetString) || !(iterations instanceof asn1js.Integer)) {
    return malformed('pkcs12 pbe parameters');
  }
  return { salt: Buffer.from(salt.getValue()), iterations: checkIterations(iterations.valueBlock.valueDec) };
}

/**
 * Checks the PKCS#12 MAC (RFC 7292 §4, key from Appendix B.2 with ID 3).
 *
 * @param macData - the MacData of the PFX
 * @param content - the authenticated content (the authSafe data octets)
 * @param password - the password
 * @param budget - charged with the MAC key derivation (one hash-sized block) before it runs
 * @returns true when the MAC matches (the password is right and the file intact)
 * @throws KeyProviderError `KEY_FORMAT_UNSUPPORTED` for an unknown digest, excessive iterations or an
 *   exhausted budget
 */
export function verifyPkcs12Mac(macData: MacData, content: Uint8Array, password: string, budget?: KdfBudget): boolean {
  const digestOid = macData.mac.digestAlgorithm.algorithmId;
  const digest = MAC_DIGESTS.get(digestOid);
  if (digest === undefined) unsupported('pkcs12 mac digest', digestOid);
  const iterations = checkIterations(macData.iterations ?? 1);
  budget?.charge(iterations, 'the mac');
  const salt = Buffer.from(macData.macSalt.getValue());
  const expected = Buffer.from(macData.mac.digest.getValue());
  const hashLength = createHash(digest.name).digest().length;
  const key = pkcs12Kdf(digest.name, digest.blockSize, bmpPassword(password), salt, 3, iterations, hashLength);
  const actual = createHmac(digest.name, key).update(content).digest();
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * One hash of a PKCS#12 KDF round: node's one-shot `crypto.hash` (Node >= 20.12) where there is one, which makes
 * no Hash object per call (an iteration of SHA-1 took 1.25 µs instead of 2.0 µs with `createHash`); the rounds
 * run in JavaScript because node has no PKCS#12 KDF.
 */
type OneShot = (algorithm: string, data: Uint8Array, outputEncoding: 'buffer') => Buffer;
const oneShot: OneShot | undefined = typeof (nodeCrypto as { hash?: unknown }).hash === 'function' ? (nodeCrypto as unknown as { hash: OneShot }).hash : undefined;
const hashOnce = (name: string, data: Uint8Array): Buffer => (oneShot === undefined ? createHash(name).update(data).digest() : oneShot(name, data, 'buffer'));

/**
 * The PKCS#12 key derivation function (RFC 7292 Appendix B.2).
 *
 * @param hash - node digest name
 * @param v - the digest block size in bytes
 * @param password - BMPString password with its two-byte terminator
 * @param salt - the salt
 * @param id - 1 key, 2 IV, 3 MAC key
 * @param iterations - r
 * @param n - bytes wanted
 * @returns n bytes
 */
export function pkcs12Kdf(
  hash: string,
  v: number,
  password: Uint8Array,
  salt: Uint8Array,
  id: number,
  iterations: number,
  n: number,
): Buffer {
  const D = Buffer.alloc(v, id);
  const fill = (src: Uint8Array): Buffer => {
    const len = src.length === 0 ? 0 : v * Math.ceil(src.length / v);
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length] ?? 0;
    return out;
  };
  const I = Buffer.concat([fill(salt), fill(password)]);
  const out: Buffer[] = [];
  let produced = 0;
  while (produced < n) {
    let A: Buffer = createHash(hash).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = hashOnce(hash, A);
    out.push(A);
    produced += A.length;
    if (produced >= n) break;
    // I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block I_j, with B = A repeated to v bytes.
    const B = Buffer.alloc(v);
    for (let i = 0; i < v; i++) B[i] = A[i % A.length] ?? 0;
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = (I[j + k] ?? 0) + (B[k] ?? 0) + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, n);
}

/** RFC 7292 Appendix B.1: the password as a BMPString (UTF-16BE) with a two-byte NUL terminator. */
function bmpPassword(password: string): Buffer {
  const out = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) out.writeUInt16BE(password.charCodeAt(i), i * 2);
  return out;
}

function checkIterations(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) return malformed('iteration count');
  if (n > MAX_PBE_ITERATIONS) {
    throw new KeyProviderError('KEY_FORMAT_UNSUPPORTED', `iteration count ${n} is above the limit of ${MAX_PBE_ITERATIONS}`, {
      detail: { iterations: String(n), limit: String(MAX_PBE_ITERATIONS) },
    });
  }
  return n;
}

function unsupported(what: string, oid: string): never {
  throw new KeyProviderError('KEY_FORMAT_UNSUPPORTED', `unsupported ${what}`, { detail: { oid } });
}

function malformed(what: string, cause?: unknown): never {
  throw new KeyProviderError('KEY_FORMAT_UNSUPPORTED', `malformed ${what}`, cause === undefined ? {} : { cause });
}
