/**
 * Public and private key formats: SPKI (RFC 5280 §4.1.2.7, RFC 5480), PKCS#8 (RFC 5958, plain and
 * PBES2-encrypted, RFC 8018), SEC1 `ECPrivateKey` (RFC 5915) and PKCS#1 `RSAPrivateKey` (RFC 8017).
 *
 * Design rationale: node:crypto parses and encrypts P-256 and RSA keys well, so those become
 * node `KeyObject`s. SM2 keys are read here (node loads them but has no standard SM2 signing, see
 * `sm2_curve.ts`): d is taken from the RFC 5915 structure, checked against the embedded public
 * key, and kept as bytes. Encrypted PKCS#8 is decrypted by node (PBES2 with PBKDF2 or scrypt, and
 * PKCS#12 triple-DES PBE), re-exported as plain PKCS#8 and then read by the same code. Its
 * key-derivation parameters are read here first: node derives synchronously and without a bound, so
 * a file asking for 2^31 - 1 PBKDF2 iterations would hold the event loop for minutes.
 *
 * Every key passes the allow-list on the way in: RSA >= 2048 bits, only the P-256, P-384 (public
 * only) and sm2p256v1 named curves; explicit curve parameters (the SM2 test curve among them) are
 * refused, since a key on a weak curve can be made to verify anything its maker wants.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';
import { bytesToNumberBE, equalBytes } from '@noble/curves/utils.js';
import {
  DER_LOW_TAG_LIMITS,
  DER_TAG,
  derBitString,
  derChildren,
  derContextTag,
  derExplicit,
  derInteger,
  derOctetString,
  derOid,
  derSequence,
  expectDerTag,
  failDer,
  isDerTag,
  mapDerErrors,
  readDerBitStringOctets,
  readDerInteger,
  readDerLazy,
  readDerOctetString,
  readDerOid,
  readDerSequence,
  readDerSmallInteger,
} from '../encoding/der.js';
import { BytesMap } from '../encoding/bytes_map.js';
import type { DerNode } from '../encoding/der.js';
import { pemText, readPem, type PemBlock } from '../encoding/pem.js';
import { EvoucherError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { FORBIDDEN_CURVES, OID, refuseOid } from './algorithms.js';
import { decodeSm2Point, sm2PublicKeyFromPrivate, sm2RandomPrivateKey } from './sm2.js';
import { sm2p256v1 } from './sm2_curve.js';
import type { SignatureAlgorithm } from './types.js';

/** Smallest RSA modulus accepted (NIST SP 800-131A Rev. 2: 2048 bits through 2030). */
export const MIN_RSA_BITS = 2048;
/**
 * Largest RSA modulus accepted: bounds the cost of one verification on hostile input (a certificate carried in
 * a stamp costs its issuer-signature check; Go's crypto/tls stops at 8192 bits too).
 */
export const MAX_RSA_BITS = 8192;
/**
 * Largest RSA public exponent accepted, in bits. A verification costs one squaring per bit of e: 17 for 65537,
 * thousands for an e as long as n, which a hostile certificate may carry to make each check a hundred times
 * dearer. Real keys use 3, 17 or 65537; BoringSSL and Go refuse exponents beyond 32-33 bits as well.
 */
export const MAX_RSA_EXPONENT_BITS = 32;
/** Largest key encoding accepted (DER or PEM). */
const MAX_KEY_BYTES = 64 * 1024;
/**
 * Most PBKDF2 (or PKCS#12 KDF) iterations accepted from an encrypted key, PKCS#8 here and PKCS#12 in
 * keys/software. The count comes from the file and the derivation blocks the event loop, so it is bounded:
 * 2,000,000 HMAC-SHA-256 iterations take about 0.5 s (HMAC-SHA-512 1.4 s), far above what tools write
 * (OpenSSL 2048; OWASP's 2023 advice for PBKDF2-HMAC-SHA256 is 600,000).
 */
export const MAX_PBE_ITERATIONS = 2_000_000;
/**
 * Most memory an scrypt-encrypted key may ask for, 128·r·(N + p + 2) bytes: the `maxmem` under which
 * OpenSSL derives the key when node decrypts it (its SCRYPT_MAX_MEM, also node's `crypto.scrypt` default).
 * OpenSSL would refuse a larger file too, but as a failed decryption that reads as a wrong password.
 */
export const MAX_SCRYPT_MEMORY = 32 * 1024 * 1024;
/**
 * Most scrypt work N·r·p accepted from an encrypted key: 2^20, eight times the default of OpenSSL and node
 * (N = 2^14, r = 8, p = 1), about 0.3 s, below what {@link MAX_PBE_ITERATIONS} allows. The memory bound
 * alone leaves p free: p = 1000 with OpenSSL's N and r takes 45 s.
 */
export const MAX_SCRYPT_WORK = 2 ** 20;
/** Largest derived key a key-derivation function may be asked for: AES-256 needs 32 bytes, and each further PBKDF2 block costs a full run. */
const MAX_DERIVED_KEY_BYTES = 64;

/** Password-based encryption of PKCS#8 (RFC 8018, RFC 7914, RFC 7292 Appendix C). */
const PBE_OID = Object.freeze({
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  scrypt: '1.3.6.1.4.1.11591.4.11',
  /** pbeWithSHAAnd3-KeyTripleDES-CBC: what OpenSSL 1.0's `pkcs8 -topk8` wrote by default. */
  pkcs12Pbe3Des: '1.2.840.113549.1.12.1.3',
  /** pbeWithSHAAnd2-KeyTripleDES-CBC. */
  pkcs12Pbe2Des: '1.2.840.113549.1.12.1.4',
});

/** A parsed, allow-listed public key. */
export interface PublicKeyInfo {
  /** `sm2` (sm2p256v1), `ec-p256`, `ec-p384` (verification of CA signatures only) or `rsa`. */
  readonly kind: 'sm2' | 'ec-p256' | 'ec-p384' | 'rsa';
  /** Key size: the curve order size, or the RSA modulus length. */
  readonly bits: number;
  /** The DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** EC keys: the uncompressed point `04 ‖ X ‖ Y`. */
  readonly point?: Uint8Array;
}

/** A private key held in memory. Opaque: use {@link signMessage} and {@link exportPrivateKeyPkcs8}. */
export interface PrivateKeyMaterial {
  readonly kind: 'sm2' | 'ec-p256' | 'rsa';
  readonly publicKey: PublicKeyInfo;
}

/** Internal state of a private key. */
export type PrivateInternals =
  | { readonly kind: 'sm2'; readonly d: Uint8Array; readonly pub: Uint8Array }
  | { readonly kind: 'ec-p256' | 'rsa'; readonly key: KeyObject };

/**
 * Internal state of a public key parsed here. `spki` and `point` are private copies: the arrays of the frozen
 * `PublicKeyInfo` are the caller's to change (freezing does not reach typed-array contents), and verification
 * must use the key the info was made from.
 */
export interface PublicInternals {
  readonly spki: Uint8Array;
  readonly point: Uint8Array | undefined;
  node?: KeyObject;
}

const privateInternals = new WeakMap<PrivateKeyMaterial, PrivateInternals>();
const publicInternals = new WeakMap<PublicKeyInfo, PublicInternals>();

function fail(code: ErrorCode, message: string, cause?: unknown, detail?: Record<string, string>): never {
  const options: { cause?: unknown; detail?: Record<string, string> } = {};
  if (cause !== undefined) options.cause = cause;
  if (detail !== undefined) options.detail = detail;
  throw new EvoucherError(code, message, options);
}

/** Run a DER-reading step, reporting DER faults as CRYPTO_KEY_INVALID. */
function der<T>(what: string, f: () => T): T {
  return mapDerErrors('CRYPTO_KEY_INVALID', f, `malformed ${what}`);
}

/** The children of the SEQUENCE that must be all of `bytes` (keys use no high tag numbers). */
function sequenceOf(bytes: Uint8Array, what: string, min: number, max: number): readonly DerNode[] {
  return readDerSequence(bytes, what, min, max, DER_LOW_TAG_LIMITS);
}

/** A non-negative INTEGER (RSA moduli and exponents). */
function readUnsigned(node: DerNode | undefined, what: string): bigint {
  const v = readDerInteger(node, what);
  if (v < 0n) failDer(`${what}: negative integer`, node, what);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Public keys

/** Encode an EC SubjectPublicKeyInfo `{ id-ecPublicKey, curve }` + point (RFC 5480 §2). */
function ecSpki(curveOid: string, point: Uint8Array): Uint8Array {
  return derSequence(derSequence(derOid(OID.ecPublicKey), derOid(curveOid)), derBitString(point));
}

/**
 * Encode an SM2 public key as SubjectPublicKeyInfo `{ id-ecPublicKey, 1.2.156.10197.1.301 }`
 * (GB/T 20518-2018 / GM/T 0015 §7).
 *
 * @param publicKey - 65-byte `04 ‖ X ‖ Y`.
 * @returns the DER SPKI.
 * @throws EvoucherError `CRYPTO_KEY_INVALID` for a point not on sm2p256v1.
 * @example
 * const spki = sm2PublicKeyToSpki(sm2PublicKeyFromPrivate(d))
 */
export function sm2PublicKeyToSpki(publicKey: Uint8Array): Uint8Array {
  decodeSm2Point(sm2p256v1, publicKey);
  return ecSpki(OID.sm2Curve, publicKey);
}

function freezePublic(info: PublicKeyInfo): PublicKeyInfo {
  const frozen = Object.freeze(info);
  publicInternals.set(frozen, { spki: info.spki.slice(), point: info.point?.slice() });
  return frozen;
}

function parseEcPoint(curveOid: string, bytes: Uint8Array, spki: Uint8Array): PublicKeyInfo {
  if (curveOid === OID.sm2Curve) {
    const point = decodeSm2Point(sm2p256v1, bytes);
    return freezePublic({ kind: 'sm2', bits: 256, spki, point: point.toBytes(false) });
  }
  if (curveOid === OID.p256 || curveOid === OID.p384) {
    const Point = curveOid === OID.p256 ? p256.Point : p384.Point;
    let point;
    try {
      // RFC 5480 §2.2: uncompressed MUST be supported, compressed MAY; both are validated on the curve.
      point = Point.fromBytes(bytes);
    } catch (cause) {
      return fail('CRYPTO_KEY_INVALID', 'ec public key is not a point on the curve', cause);
    }
    const kind = curveOid === OID.p256 ? 'ec-p256' : 'ec-p384';
    return freezePublic({ kind, bits: kind === 'ec-p256' ? 256 : 384, spki, point: point.toBytes(false) });
  }
  const name = FORBIDDEN_CURVES.get(curveOid);
  return fail('CRYPTO_ALGORITHM_FORBIDDEN', `curve ${name ?? curveOid} is not on the allow-list`, undefined, {
    curve: curveOid,
  });
}

function rsaBits(n: bigint): number {
  return n.toString(2).length;
}

function checkRsaPublic(n: bigint, e: bigint): number {
  const bits = rsaBits(n);
  if (bits > MAX_RSA_BITS) fail('CRYPTO_ALGORITHM_UNSUPPORTED', `rsa modulus of ${bits} bits is too large`);
  if (bits < MIN_RSA_BITS) {
    fail('CRYPTO_KEY_TOO_WEAK', `rsa key of ${bits} bits is below ${MIN_RSA_BITS}`, undefined, { bits: String(bits) });
  }
  // RFC 8017 §3.1: n odd, 3 <= e < n, e odd.
  if ((n & 1n) === 0n || e < 3n || (e & 1n) === 0n || e >= n) fail('CRYPTO_KEY_INVALID', 'invalid rsa public key');
  if (e >> BigInt(MAX_RSA_EXPONENT_BITS) !== 0n) {
    fail('CRYPTO_ALGORITHM_UNSUPPORTED', `rsa public exponent of ${e.toString(2).length} bits is too large (at most ${MAX_RSA_EXPONENT_BITS})`);
  }
  return bits;
}

/**
 * The first PEM block with one of `labels` (encoding/pem.ts reads the text: every block must be well formed),
 * how many blocks have one of them, and every block by label.
 */
function pemToDer(text: string, labels: readonly string[]): { der: Uint8Array; headers: boolean; matching: number; blocks: Map<string, Uint8Array> } {
  const blocks = new Map<string, Uint8Array>();
  let found: PemBlock | undefined;
  let matching = 0;
  for (const block of readPem(text, { code: 'CRYPTO_KEY_INVALID' })) {
    blocks.set(block.label, block.der);
    if (labels.includes(block.label)) {
      matching += 1;
      found ??= block;
    }
  }
  if (found === undefined) fail('CRYPTO_KEY_INVALID', `no PEM block of type ${labels.join(' / ')}`);
  return { der: found.der, headers: found.headers, matching, blocks };
}

/**
 * Parse a SubjectPublicKeyInfo and apply the allow-list.
 *
 * @param spkiDer - DER SPKI (a PEM `PUBLIC KEY` string or bytes are accepted too).
 * @returns the frozen key description.
 * @throws EvoucherError `CRYPTO_KEY_INVALID` (malformed DER, point off the curve, bad RSA values),
 *   `CRYPTO_KEY_TOO_WEAK` (RSA < 2048), `CRYPTO_ALGORITHM_FORBIDDEN` (off-list or explicit
 *   curves, DSA), `CRYPTO_ALGORITHM_UNSUPPORTED` (other key types, RSASSA-PSS-restricted keys).
 * @example
 * const info = parsePublicKey(spki) // { kind: 'sm2', bits: 256, spki, point }
 */
export function parsePublicKey(spkiDer: Uint8Array | string): PublicKeyInfo {
  if (typeof spkiDer !== 'string' && !(spkiDer instanceof Uint8Array)) {
    fail('ARG_INVALID', 'public key must be DER bytes or a PEM string');
  }
  if (spkiDer.length > MAX_KEY_BYTES) fail('CRYPTO_KEY_INVALID', 'public key encoding too large');
  const text = pemText(spkiDer);
  let bytes = spkiDer as Uint8Array;
  if (text !== undefined) {
    const pem = pemToDer(text, ['PUBLIC KEY']);
    // Header lines belong to legacy encrypted keys; OpenSSL refuses them in a public key too.
    if (pem.headers) fail('CRYPTO_KEY_INVALID', 'PEM block PUBLIC KEY has header lines');
    bytes = pem.der;
  }
  const spki = bytes.slice();
  const { algOid, params, keyBytes } = der('SubjectPublicKeyInfo', () => {
    const top = sequenceOf(spki, 'SubjectPublicKeyInfo', 2, 2);
    const alg = derChildren(expectDerTag(top[0], DER_TAG.SEQUENCE, 'algorithm'), 'AlgorithmIdentifier', 1, 2);
    return { algOid: readDerOid(alg[0], 'algorithm'), params: alg[1], keyBytes: readDerBitStringOctets(top[1], 'subjectPublicKey') };
  });
  if (algOid === OID.ecPublicKey) {
    if (params === undefined) fail('CRYPTO_KEY_INVALID', 'ec key without curve parameters');
    if (!isDerTag(params, DER_TAG.OID)) {
      // RFC 5480 §2.1.1: specifiedCurve / implicitCurve are not allowed; the SM2 test curve only exists that way.
      fail('CRYPTO_ALGORITHM_FORBIDDEN', 'ec keys with explicit or implicit curve parameters are refused');
    }
    return parseEcPoint(der('curve', () => readDerOid(params, 'namedCurve')), keyBytes, spki);
  }
  if (algOid === OID.rsaEncryption) {
    if (params !== undefined && !(isDerTag(params, DER_TAG.NULL) && params.length === 0)) {
      fail('CRYPTO_KEY_INVALID', 'rsaEncryption parameters must be NULL');
    }
    const { n, e } = der('RSAPublicKey', () => {
      const parts = sequenceOf(keyBytes, 'RSAPublicKey', 2, 2);
      return { n: readUnsigned(parts[0], 'modulus'), e: readUnsigned(parts[1], 'publicExponent') };
    });
    return freezePublic({ kind: 'rsa', bits: checkRsaPublic(n, e), spki });
  }
  return refuseOid(algOid, 'public key algorithm');
}

/** Bound of {@link spkiCache}: a verifier sees a few signer and CA keys, repeatedly. */
const SPKI_CACHE_SIZE = 256;
/** Parsed keys by exact SPKI bytes, for the verification path only (never handed out). */
const spkiCache = new BytesMap<PublicKeyInfo>(SPKI_CACHE_SIZE);

/**
 * Parse SPKI bytes through a bounded LRU. Verifying with SPKI bytes would otherwise rebuild a node
 * KeyObject (about 100 µs) on every call, doubling the cost of a P-256 verification. The cached
 * objects are internal: callers of {@link parsePublicKey} always get a fresh one.
 */
function parseCached(spki: Uint8Array): PublicKeyInfo {
  let info = spkiCache.get(spki);
  if (info === undefined) {
    info = parsePublicKey(spki);
    spkiCache.set(spki, info);
  }
  return info;
}

/** Resolve a PublicKeyInfo to a trusted parsed one (re-parses objects not made here). */
export function resolvePublicKey(key: Uint8Array | PublicKeyInfo): PublicKeyInfo {
  if (key instanceof Uint8Array) return parseCached(key);
  if (typeof key === 'object' && key !== null && publicInternals.has(key)) return key;
  if (typeof key !== 'object' || key === null || !(key.spki instanceof Uint8Array)) {
    fail('ARG_INVALID', 'public key must be SPKI bytes or a PublicKeyInfo');
  }
  // A hand-made or deserialised object: trust nothing but its SPKI.
  const parsed = parseCached(key.spki);
  if (parsed.kind !== key.kind) fail('ARG_INVALID', 'PublicKeyInfo kind does not match its spki');
  return parsed;
}

/**
 * The EC point of a key resolved by {@link resolvePublicKey}, from the private copy taken when it was parsed
 * (not `info.point`, which its holder can overwrite).
 */
export function trustedPoint(info: PublicKeyInfo): Uint8Array | undefined {
  return publicInternals.get(info)?.point ?? info.point;
}

/** node KeyObject of an EC/RSA public key, created once per parsed key. */
export function nodePublicKey(info: PublicKeyInfo): KeyObject {
  const internals = publicInternals.get(info);
  if (internals?.node !== undefined) return internals.node;
  const node = createPublicKey({ key: Buffer.from(internals?.spki ?? info.spki), format: 'der', type: 'spki' });
  if (internals !== undefined) internals.node = node;
  return node;
}

/**
 * The signature algorithm a key signs with by default.
 *
 * @param key - a parsed public key.
 * @returns `sm2-sm3` for SM2, `ecdsa-p256-sha256` for P-256, `rsa-pkcs1-sha256` for RSA.
 * @throws EvoucherError `CRYPTO_ALGORITHM_UNSUPPORTED` for P-384 (no P-384 signature algorithm is on the list).
 * @example
 * algorithmForKey(parsePublicKey(spki)) // 'sm2-sm3'
 */
export function algorithmForKey(key: PublicKeyInfo): SignatureAlgorithm {
  switch (key.kind) {
    case 'sm2':
      return 'sm2-sm3';
    case 'ec-p256':
      return 'ecdsa-p256-sha256';
    case 'rsa':
      return 'rsa-pkcs1-sha256';
    default:
      return fail('CRYPTO_ALGORITHM_UNSUPPORTED', `no signature algorithm for ${String(key.kind)} keys`);
  }
}

// ---------------------------------------------------------------------------------------------
// Private keys

function makePrivate(internals: PrivateInternals, publicKey: PublicKeyInfo): PrivateKeyMaterial {
  const material = Object.freeze({ kind: internals.kind, publicKey });
  privateInternals.set(material, internals);
  return material;
}

/** Internals of a key made by this module. */
export function getPrivateInternals(key: PrivateKeyMaterial): PrivateInternals {
  const i = typeof key === 'object' && key !== null ? privateInternals.get(key) : undefined;
  if (i === undefined) fail('ARG_INVALID', 'not a private key made by importPrivateKey or generateKeyPair');
  return i;
}

function sm2Private(d: Uint8Array, embeddedPub?: Uint8Array): PrivateKeyMaterial {
  // RFC 5915: privateKey is an OCTET STRING of ceiling(log2(n)/8) bytes; some encoders drop leading
  // zeros, so shorter values are left-padded.
  if (d.length > 32) fail('CRYPTO_KEY_INVALID', 'sm2 private key longer than 32 bytes');
  const d32 = new Uint8Array(32);
  d32.set(d, 32 - d.length);
  const pub = sm2PublicKeyFromPrivate(d32);
  if (embeddedPub !== undefined && !equalBytes(embeddedPub, pub)) {
    // A mismatched embedded public key signals a corrupt or tampered file.
    fail('CRYPTO_KEY_INVALID', 'embedded sm2 public key does not match the private key');
  }
  // The handed-out point is a copy: the signing state (Z_A is computed from `pub`) must not change with it.
  const publicKey = freezePublic({ kind: 'sm2', bits: 256, spki: ecSpki(OID.sm2Curve, pub), point: pub.slice() });
  return makePrivate({ kind: 'sm2', d: d32, pub }, publicKey);
}

function nodePrivate(key: KeyObject): PrivateKeyMaterial {
  const spki = new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }));
  const publicKey = parsePublicKey(spki);
  if (publicKey.kind !== 'ec-p256' && publicKey.kind !== 'rsa') {
    fail('CRYPTO_ALGORITHM_UNSUPPORTED', `private ${publicKey.kind} keys are not supported for signing`);
  }
  return makePrivate({ kind: publicKey.kind, key }, publicKey);
}

/** Parse an RFC 5915 ECPrivateKey; returns d, the curve OID from [0] and the public key from [1]. */
function parseEcPrivateKey(bytes: Uint8Array): { d: Uint8Array; curve?: string; pub?: Uint8Array } {
  return der('ECPrivateKey', () => {
    const parts = sequenceOf(bytes, 'ECPrivateKey', 0, 5);
    if (readDerSmallInteger(parts[0], 'version', 0, 0xffff) !== 1) failDer('ECPrivateKey version must be 1', parts[0]);
    const d = readDerOctetString(parts[1], 'privateKey');
    const out: { d: Uint8Array; curve?: string; pub?: Uint8Array } = { d };
    for (const p of parts.slice(2)) {
      if (isDerTag(p, derContextTag(0))) {
        const inner = derChildren(p, 'parameters', 1, 1)[0];
        if (!isDerTag(inner, DER_TAG.OID)) failDer('explicit curve parameters', inner);
        out.curve = readDerOid(inner, 'namedCurve');
      } else if (isDerTag(p, derContextTag(1))) {
        out.pub = readDerBitStringOctets(derChildren(p, 'publicKey', 1, 1)[0], 'publicKey');
      } else failDer('unexpected ECPrivateKey field', p);
    }
    return out;
  });
}

function importEc(ecPrivateKey: Uint8Array, curveOid: string | undefined, pkcs8: Uint8Array | undefined): PrivateKeyMaterial {
  const parsed = parseEcPrivateKey(ecPrivateKey);
  const curve = curveOid ?? parsed.curve;
  if (curve === undefined) fail('CRYPTO_KEY_INVALID', 'ec private key without a named curve');
  if (parsed.curve !== undefined && parsed.curve !== curve) fail('CRYPTO_KEY_INVALID', 'conflicting curve parameters');
  if (curve === OID.sm2Curve) return sm2Private(parsed.d, parsed.pub);
  if (curve === OID.p256) {
    // OpenSSL keeps the embedded public key as given; a mismatched one would make every signature
    // unverifiable (or hide a tampered file), so check it against d·G and d's range (SEC 1 §3.2.1).
    let derived: Uint8Array;
    try {
      const d = bytesToNumberBE(parsed.d);
      derived = p256.Point.BASE.multiply(d).toBytes(false);
    } catch (cause) {
      return fail('CRYPTO_KEY_INVALID', 'p-256 private key out of range', cause);
    }
    if (parsed.pub !== undefined && !equalBytes(parsed.pub, derived)) {
      const embedded = tryDecompress(parsed.pub);
      if (embedded === undefined || !equalBytes(embedded, derived)) {
        fail('CRYPTO_KEY_INVALID', 'embedded p-256 public key does not match the private key');
      }
    }
    let key: KeyObject;
    try {
      key =
        pkcs8 !== undefined
          ? createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })
          : createPrivateKey({ key: Buffer.from(ecPrivateKey), format: 'der', type: 'sec1' });
    } catch (cause) {
      return fail('CRYPTO_KEY_INVALID', 'invalid p-256 private key', cause);
    }
    return nodePrivate(key);
  }
  if (curve === OID.p384) return fail('CRYPTO_ALGORITHM_UNSUPPORTED', 'p-384 private keys are not supported for signing');
  const name = FORBIDDEN_CURVES.get(curve);
  return fail('CRYPTO_ALGORITHM_FORBIDDEN', `curve ${name ?? curve} is not on the allow-list`, undefined, { curve });
}

/** Uncompressed form of a P-256 point given compressed or not; undefined if invalid. */
function tryDecompress(point: Uint8Array): Uint8Array | undefined {
  try {
    return p256.Point.fromBytes(point).toBytes(false);
  } catch {
    return undefined;
  }
}

function importRsa(der: Uint8Array, type: 'pkcs8' | 'pkcs1'): PrivateKeyMaterial {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(der), format: 'der', type });
  } catch (cause) {
    return fail('CRYPTO_KEY_INVALID', 'invalid rsa private key', cause);
  }
  const material = nodePrivate(key); // parsePublicKey applies the 2048-bit floor
  checkRsaConsistency(key);
  return material;
}

/**
 * OpenSSL keeps n and e as written, beside d and the CRT values: a file whose private values do not
 * belong to its modulus (a corrupt or tampered file, or n and e copied from another certificate)
 * would pass the key/certificate match and make every signature unverifiable. As for the embedded
 * public key of an EC key, the parts are checked against each other (RFC 8017 §3.2): n = p·q,
 * e·d ≡ 1 modulo p − 1 and q − 1, and the CRT exponents and coefficient derived from them.
 */
function checkRsaConsistency(key: KeyObject): void {
  const jwk = key.export({ format: 'jwk' });
  const big = (v: string | undefined): bigint | undefined => (v === undefined ? undefined : bytesToNumberBE(new Uint8Array(Buffer.from(v, 'base64url'))));
  const [n, e, d, p, q, dp, dq, qi] = [jwk.n, jwk.e, jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi].map(big);
  if (n === undefined || e === undefined || d === undefined || p === undefined || q === undefined) {
    return fail('CRYPTO_KEY_INVALID', 'rsa private key without its primes');
  }
  // A multi-prime key (RFC 8017 §3.2, u > 2; `openssl genpkey -pkeyopt rsa_keygen_primes:3`): the JWK shows only
  // its first two primes, so n is their product times the others, and a test signature under (n, e) checks the rest.
  const multiPrime = p > 1n && q > 1n && p * q !== n && n % (p * q) === 0n && n / (p * q) > 1n;
  const consistent =
    p > 1n &&
    q > 1n &&
    (p * q === n || multiPrime) &&
    (e * d) % (p - 1n) === 1n &&
    (e * d) % (q - 1n) === 1n &&
    (dp === undefined || dp === d % (p - 1n)) &&
    (dq === undefined || dq === d % (q - 1n)) &&
    (qi === undefined || (qi * q) % p === 1n);
  if (!consistent) fail('CRYPTO_KEY_INVALID', 'rsa private key parts do not belong to its modulus');
  if (multiPrime) {
    const probe = Buffer.from('evoucher rsa multi-prime key check');
    if (!nodeVerify('sha256', probe, createPublicKey(key), nodeSign('sha256', probe, key))) {
      fail('CRYPTO_KEY_INVALID', 'rsa private key parts do not belong to its modulus');
    }
  }
}

function importPkcs8(bytes: Uint8Array, parts: readonly DerNode[]): PrivateKeyMaterial {
  const { algOid, params, keyOctets } = der('PrivateKeyInfo', () => {
    const version = readDerSmallInteger(parts[0], 'version', 0, 0xffff);
    if (version !== 0 && version !== 1) failDer('PrivateKeyInfo version must be 0 or 1', parts[0]);
    const alg = derChildren(expectDerTag(parts[1], DER_TAG.SEQUENCE, 'privateKeyAlgorithm'), 'AlgorithmIdentifier', 1, 2);
    return {
      algOid: readDerOid(alg[0], 'algorithm'),
      params: alg[1],
      keyOctets: readDerOctetString(parts[2], 'privateKey'),
    };
  });
  if (algOid === OID.ecPublicKey) {
    if (params === undefined) fail('CRYPTO_KEY_INVALID', 'ec key without curve parameters');
    if (!isDerTag(params, DER_TAG.OID)) fail('CRYPTO_ALGORITHM_FORBIDDEN', 'ec keys with explicit curve parameters are refused');
    return importEc(keyOctets, der('curve', () => readDerOid(params, 'namedCurve')), bytes);
  }
  if (algOid === OID.rsaEncryption) return importRsa(bytes, 'pkcs8');
  return refuseOid(algOid, 'private key algorithm');
}

/** A positive INTEGER of key-derivation parameters, kept as a bigint so that a huge one is reported against its limit. */
function readPositive(node: DerNode | undefined, what: string): bigint {
  const v = readDerInteger(node, what);
  if (v < 1n) failDer(`${what} must be positive`, node, what);
  return v;
}

/** Refuses a key-derivation parameter above its limit, naming both. */
function overLimit(parameter: string, value: bigint, limit: number, message: string): never {
  return fail('KEY_FORMAT_UNSUPPORTED', message, undefined, { parameter, value: value.toString(), limit: String(limit) });
}

function checkKeyLength(keyLength: bigint | undefined, kdf: string): void {
  if (keyLength !== undefined && keyLength > BigInt(MAX_DERIVED_KEY_BYTES)) {
    overLimit('keyLength', keyLength, MAX_DERIVED_KEY_BYTES, `${kdf} keyLength ${keyLength} is above the limit of ${MAX_DERIVED_KEY_BYTES} bytes`);
  }
}

/** PBKDF2-params ::= SEQUENCE { salt CHOICE {...}, iterationCount, keyLength OPTIONAL, prf DEFAULT hmacWithSHA1 } (RFC 8018 A.2). */
function checkPbkdf2(params: DerNode | undefined): void {
  const { saltIsOctets, iterations, keyLength } = der('PBKDF2-params', () => {
    const parts = derChildren(expectDerTag(params, DER_TAG.SEQUENCE, 'PBKDF2-params'), 'PBKDF2-params', 2, 4);
    let i = 2;
    let length: bigint | undefined;
    if (isDerTag(parts[i], DER_TAG.INTEGER)) length = readPositive(parts[i++], 'PBKDF2 keyLength');
    // The PRF only changes the cost of an iteration by a small factor: node accepts or refuses it.
    if (parts[i] !== undefined) expectDerTag(parts[i++], DER_TAG.SEQUENCE, 'PBKDF2 prf');
    if (i !== parts.length) failDer('unexpected PBKDF2-params field', parts[i], 'PBKDF2-params');
    return {
      saltIsOctets: isDerTag(parts[0], DER_TAG.OCTET_STRING),
      iterations: readPositive(parts[1], 'PBKDF2 iterationCount'),
      keyLength: length,
    };
  });
  if (!saltIsOctets) fail('KEY_FORMAT_UNSUPPORTED', 'unsupported PBKDF2 salt source (otherSource)');
  if (iterations > BigInt(MAX_PBE_ITERATIONS)) {
    overLimit('iterationCount', iterations, MAX_PBE_ITERATIONS, `PBKDF2 iterationCount ${iterations} is above the limit of ${MAX_PBE_ITERATIONS}`);
  }
  checkKeyLength(keyLength, 'PBKDF2');
}

/** scrypt-params ::= SEQUENCE { salt OCTET STRING, costParameter N, blockSize r, parallelizationParameter p, keyLength OPTIONAL } (RFC 7914 §7.1). */
function checkScrypt(params: DerNode | undefined): void {
  const { n, r, p, keyLength } = der('scrypt-params', () => {
    const parts = derChildren(expectDerTag(params, DER_TAG.SEQUENCE, 'scrypt-params'), 'scrypt-params', 4, 5);
    readDerOctetString(parts[0], 'scrypt salt');
    const cost = readPositive(parts[1], 'scrypt costParameter');
    const blockSize = readPositive(parts[2], 'scrypt blockSize');
    // RFC 7914 §2: N is a power of two above 1 and below 2^(16·r); OpenSSL refuses other values.
    if (cost < 2n || (cost & (cost - 1n)) !== 0n || cost >= 1n << (16n * (blockSize < 64n ? blockSize : 64n))) {
      failDer('scrypt costParameter N must be a power of two above 1 and below 2^(16·r)', parts[1], 'scrypt costParameter');
    }
    return {
      n: cost,
      r: blockSize,
      p: readPositive(parts[3], 'scrypt parallelizationParameter'),
      keyLength: parts[4] === undefined ? undefined : readPositive(parts[4], 'scrypt keyLength'),
    };
  });
  const memory = 128n * r * (n + p + 2n);
  if (memory > BigInt(MAX_SCRYPT_MEMORY)) {
    overLimit(
      'N, r, p',
      memory,
      MAX_SCRYPT_MEMORY,
      `scrypt N=${n}, r=${r}, p=${p} need 128·r·(N + p + 2) = ${memory} bytes of memory, above the limit of ${MAX_SCRYPT_MEMORY}`,
    );
  }
  const work = n * r * p;
  if (work > BigInt(MAX_SCRYPT_WORK)) {
    overLimit('N, r, p', work, MAX_SCRYPT_WORK, `scrypt work N·r·p = ${work} (N=${n}, r=${r}, p=${p}) is above the limit of ${MAX_SCRYPT_WORK}`);
  }
  checkKeyLength(keyLength, 'scrypt');
}

/**
 * Reads the encryptionAlgorithm of an EncryptedPrivateKeyInfo (RFC 5958 §3) and refuses, before node derives
 * anything, a key-derivation cost above the limits ({@link MAX_PBE_ITERATIONS}, {@link MAX_SCRYPT_MEMORY},
 * {@link MAX_SCRYPT_WORK}) or a scheme outside PBES2 with PBKDF2 or scrypt and PKCS#12 triple-DES PBE. The
 * cipher and the PBKDF2 PRF are left to node: they cost no more than a small factor per iteration.
 */
function checkPkcs8Encryption(algorithm: DerNode | undefined): void {
  const { oid, params } = der('EncryptedPrivateKeyInfo', () => {
    const alg = derChildren(expectDerTag(algorithm, DER_TAG.SEQUENCE, 'encryptionAlgorithm'), 'encryptionAlgorithm', 1, 2);
    return { oid: readDerOid(alg[0], 'encryptionAlgorithm'), params: alg[1] };
  });
  if (oid === PBE_OID.pbes2) {
    const { kdfOid, kdfParams } = der('PBES2-params', () => {
      const parts = derChildren(expectDerTag(params, DER_TAG.SEQUENCE, 'PBES2-params'), 'PBES2-params', 2, 2);
      const kdf = derChildren(expectDerTag(parts[0], DER_TAG.SEQUENCE, 'keyDerivationFunc'), 'keyDerivationFunc', 1, 2);
      readDerOid(derChildren(expectDerTag(parts[1], DER_TAG.SEQUENCE, 'encryptionScheme'), 'encryptionScheme', 1, 2)[0], 'encryptionScheme');
      return { kdfOid: readDerOid(kdf[0], 'keyDerivationFunc'), kdfParams: kdf[1] };
    });
    if (kdfOid === PBE_OID.pbkdf2) return checkPbkdf2(kdfParams);
    if (kdfOid === PBE_OID.scrypt) return checkScrypt(kdfParams);
    return fail('KEY_FORMAT_UNSUPPORTED', `unsupported key derivation function ${kdfOid}`, undefined, { oid: kdfOid });
  }
  if (oid === PBE_OID.pkcs12Pbe3Des || oid === PBE_OID.pkcs12Pbe2Des) {
    // pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER } (RFC 7292 Appendix C)
    const iterations = der('pkcs-12PbeParams', () => {
      const parts = derChildren(expectDerTag(params, DER_TAG.SEQUENCE, 'pkcs-12PbeParams'), 'pkcs-12PbeParams', 2, 2);
      readDerOctetString(parts[0], 'pkcs-12PbeParams salt');
      return readPositive(parts[1], 'pkcs-12PbeParams iterations');
    });
    if (iterations > BigInt(MAX_PBE_ITERATIONS)) {
      overLimit('iterations', iterations, MAX_PBE_ITERATIONS, `PKCS#12 PBE iterations ${iterations} is above the limit of ${MAX_PBE_ITERATIONS}`);
    }
    return;
  }
  // PBES1 (DES, RC2 with MD5 or SHA-1) and PKCS#12 RC2/RC4 need OpenSSL's legacy provider, and weak ciphers.
  fail('KEY_FORMAT_UNSUPPORTED', `unsupported private key encryption scheme ${oid}`, undefined, { oid });
}

/** node:crypto error codes of an encrypted key whose scheme, PRF or cipher parameters cannot be used (never of a wrong password). */
const UNSUPPORTED_PBE_ERRORS: ReadonlySet<string> = new Set([
  'ERR_OSSL_EVP_UNSUPPORTED',
  'ERR_OSSL_UNSUPPORTED',
  'ERR_OSSL_EVP_UNSUPPORTED_PRF',
  'ERR_OSSL_EVP_UNSUPPORTED_CIPHER',
  'ERR_OSSL_EVP_UNKNOWN_CIPHER',
  'ERR_OSSL_EVP_UNSUPPORTED_KEY_DERIVATION_FUNCTION',
  'ERR_OSSL_EVP_UNSUPPORTED_KEYLENGTH',
  'ERR_OSSL_EVP_CIPHER_PARAMETER_ERROR',
]);

function decryptPkcs8(bytes: Uint8Array, algorithm: DerNode | undefined, password: string | undefined): Uint8Array {
  // The scheme first: a file that would be refused anyway should not make its user find a password.
  checkPkcs8Encryption(algorithm);
  if (password === undefined) fail('KEY_PASSWORD_REQUIRED', 'the private key is encrypted: a password is required');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(bytes), format: 'der', type: 'pkcs8', passphrase: password });
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    // OpenSSL reports a wrong password as a bad decrypt, or (when the padding happens to look right)
    // as garbage that does not decode; both mean the password did not open the key. A PRF OpenSSL does
    // not know or cipher parameters it cannot use come from the file, whatever the password: telling
    // the user the password is wrong would send them looking for another one.
    if (typeof code === 'string' && UNSUPPORTED_PBE_ERRORS.has(code)) {
      return fail('KEY_FORMAT_UNSUPPORTED', 'unsupported private key encryption scheme', cause);
    }
    return fail('KEY_PASSWORD_WRONG', 'the password does not decrypt the private key', cause);
  }
  return new Uint8Array(key.export({ format: 'der', type: 'pkcs8' }));
}

/**
 * Import a private key: PKCS#8 (`PRIVATE KEY`), encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`: PBES2
 * with PBKDF2 or scrypt and any cipher OpenSSL reads, or PKCS#12 triple-DES PBE), SEC1 (`EC PRIVATE
 * KEY`, P-256 and SM2) or PKCS#1 (`RSA PRIVATE KEY`), as PEM text or DER bytes. SM2 keys are those on
 * sm2p256v1 (`id-ecPublicKey` with curve 1.2.156.10197.1.301), whichever tool made them. The
 * key-derivation cost of an encrypted key is bounded ({@link MAX_PBE_ITERATIONS},
 * {@link MAX_SCRYPT_MEMORY}, {@link MAX_SCRYPT_WORK}) and checked before any derivation. PEM may
 * have explanatory text before and between its blocks (RFC 7468 §5.2) and other blocks (a
 * certificate) beside the key, but exactly one private key block.
 *
 * @param pkcs8OrSec1 - PEM (string or bytes) or DER.
 * @param options - `password` for encrypted keys (ignored for plain ones).
 * @returns the key; its `publicKey` is the matching allow-listed public key.
 * @throws EvoucherError `CRYPTO_KEY_INVALID` (malformed, inconsistent public key, a PEM block
 *   without its END line), `KEY_AMBIGUOUS` (PEM with several private key blocks),
 *   `KEY_PASSWORD_REQUIRED`, `KEY_PASSWORD_WRONG`, `KEY_FORMAT_UNSUPPORTED` (legacy or unknown
 *   encryption, key-derivation parameters above the limits), `CRYPTO_KEY_TOO_WEAK` (RSA < 2048), `CRYPTO_ALGORITHM_FORBIDDEN` (off-list
 *   curve, DSA), `CRYPTO_ALGORITHM_UNSUPPORTED` (P-384 or other key types).
 * @example
 * const key = importPrivateKey(await readFile('seal.key', 'utf8'), { password })
 */
export function importPrivateKey(pkcs8OrSec1: Uint8Array | string, options?: { readonly password?: string }): PrivateKeyMaterial {
  if (typeof pkcs8OrSec1 !== 'string' && !(pkcs8OrSec1 instanceof Uint8Array)) {
    fail('ARG_INVALID', 'private key must be DER bytes or a PEM string');
  }
  if (pkcs8OrSec1.length > MAX_KEY_BYTES) fail('CRYPTO_KEY_INVALID', 'private key encoding too large');
  const password = options?.password;
  if (password !== undefined && typeof password !== 'string') fail('ARG_INVALID', 'password must be a string');
  const text = pemText(pkcs8OrSec1);
  let bytes: Uint8Array;
  let pemCurve: string | undefined;
  if (text !== undefined) {
    const pem = pemToDer(text, ['PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY']);
    if (pem.matching > 1) {
      // Taking the first would sign with whichever key the file happens to list first, maybe not the
      // certificate's; the PKCS#12 reader refuses several keys with the same code.
      fail('KEY_AMBIGUOUS', `the PEM holds ${pem.matching} private keys: give one`, undefined, { keys: String(pem.matching) });
    }
    if (pem.headers) {
      // RFC 1421 "Proc-Type: 4,ENCRYPTED" PEM uses MD5-based key derivation (EVP_BytesToKey).
      fail('KEY_FORMAT_UNSUPPORTED', 'legacy encrypted PEM is not supported: convert it to encrypted PKCS#8');
    }
    bytes = pem.der;
    const ecParams = pem.blocks.get('EC PARAMETERS');
    if (ecParams !== undefined) pemCurve = der('EC PARAMETERS', () => readDerOid(readDerLazy(ecParams, DER_LOW_TAG_LIMITS), 'namedCurve'));
  } else {
    bytes = pkcs8OrSec1 as Uint8Array;
  }
  const parts = der('private key', () => sequenceOf(bytes, 'private key', 0, 12));
  const first = parts[0];
  const second = parts[1];
  // EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING } (RFC 5958 §3)
  if (parts.length === 2 && isDerTag(first, DER_TAG.SEQUENCE) && isDerTag(second, DER_TAG.OCTET_STRING)) {
    const plain = decryptPkcs8(bytes, first, password);
    const plainParts = der('private key', () => sequenceOf(plain, 'private key', 0, 12));
    return importPkcs8(plain, plainParts);
  }
  if (!isDerTag(first, DER_TAG.INTEGER) || second === undefined) fail('CRYPTO_KEY_INVALID', 'unrecognised private key structure');
  // PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier, OCTET STRING, ... } (RFC 5958 §2)
  if (isDerTag(second, DER_TAG.SEQUENCE)) return importPkcs8(bytes, parts);
  // ECPrivateKey ::= SEQUENCE { version 1, OCTET STRING, [0] params, [1] publicKey } (RFC 5915 §3)
  if (isDerTag(second, DER_TAG.OCTET_STRING)) return importEc(bytes, pemCurve, undefined);
  // RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, ... } (RFC 8017 A.1.2)
  if (isDerTag(second, DER_TAG.INTEGER) && parts.length >= 9) return importRsa(bytes, 'pkcs1');
  return fail('CRYPTO_KEY_INVALID', 'unrecognised private key structure');
}

/** Plain PKCS#8 of an SM2 key: RFC 5958 PrivateKeyInfo wrapping an RFC 5915 ECPrivateKey. */
function sm2Pkcs8(d: Uint8Array, pub: Uint8Array): Uint8Array {
  const ecPrivateKey = derSequence(derInteger(1n), derOctetString(d), derExplicit(1, derBitString(pub)));
  return derSequence(derInteger(0n), derSequence(derOid(OID.ecPublicKey), derOid(OID.sm2Curve)), derOctetString(ecPrivateKey));
}

/**
 * Export a private key as DER PKCS#8, encrypted when a password is given (PBES2 with
 * PBKDF2-HMAC-SHA256 and AES-256-CBC, RFC 8018 §6.2; readable by `openssl pkey -passin`).
 *
 * @param key - a key from {@link importPrivateKey} or {@link generateKeyPair}.
 * @param options - `password` (non-empty) to encrypt.
 * @returns DER `PrivateKeyInfo` or `EncryptedPrivateKeyInfo`.
 * @throws EvoucherError `ARG_INVALID` for a foreign key object or an empty password.
 * @example
 * await writeFile('key.der', exportPrivateKeyPkcs8(key, { password }))
 */
export function exportPrivateKeyPkcs8(key: PrivateKeyMaterial, options?: { readonly password?: string }): Uint8Array {
  const internals = getPrivateInternals(key);
  const password = options?.password;
  if (password !== undefined && (typeof password !== 'string' || password.length === 0)) {
    fail('ARG_INVALID', 'password must be a non-empty string');
  }
  let nodeKey: KeyObject;
  if (internals.kind === 'sm2') {
    const plain = sm2Pkcs8(internals.d, internals.pub);
    if (password === undefined) return plain;
    nodeKey = createPrivateKey({ key: Buffer.from(plain), format: 'der', type: 'pkcs8' });
  } else {
    nodeKey = internals.key;
  }
  const out =
    password === undefined
      ? nodeKey.export({ format: 'der', type: 'pkcs8' })
      : nodeKey.export({ format: 'der', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: password });
  return new Uint8Array(out);
}

/**
 * Generate a new key pair.
 *
 * @param kind - `sm2` (sm2p256v1), `ec-p256`, or `rsa` (2048 bits, e = 65537).
 * @returns the private key (with its public key).
 * @throws EvoucherError `ARG_INVALID` for another kind.
 * @example
 * const key = generateKeyPair('sm2')
 */
export function generateKeyPair(kind: 'sm2' | 'ec-p256' | 'rsa'): PrivateKeyMaterial {
  switch (kind) {
    case 'sm2':
      return sm2Private(sm2RandomPrivateKey());
    case 'ec-p256':
      return nodePrivate(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
    case 'rsa':
      return nodePrivate(generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 }).privateKey);
    default:
      return fail('ARG_INVALID', `unknown key kind ${String(kind)}`);
  }
}
