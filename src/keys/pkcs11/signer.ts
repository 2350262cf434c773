/**
 * The PKCS#11 key provider: a private key and its certificate on a token.
 *
 * Design rationale (standards.md §9):
 * - ECDSA P-256 signs with `CKM_ECDSA` over a SHA-256 digest computed on the host: SoftHSM2 and
 *   most UKeys lack `CKM_ECDSA_SHA256`. The token returns raw `r ‖ s` (PKCS#11 v2.40 curr. §2.3.1),
 *   converted to DER.
 * - RSA signs with `CKM_SHA256_RSA_PKCS` (or `CKM_SHA256_RSA_PKCS_PSS`, salt 32, MGF1-SHA-256);
 *   tokens that only offer the raw `CKM_RSA_PKCS` / `CKM_RSA_PKCS_PSS` get the digest (and, for
 *   PKCS#1 v1.5, the DigestInfo of RFC 8017 §9.2) from the host.
 * - SM2 is not in PKCS#11: vendors put it in the vendor range with differing values, so the
 *   mechanism is configuration. The host computes e = SM3(Z_A ‖ M) (GB/T 32918.2 §6.1 A1–A2), the
 *   token signs e (as GM/T 0016 SKF devices do) and returns `r ‖ s`, converted to DER.
 * - The algorithm follows the certificate's key, and the key is proven to be the certificate's by a
 *   test signature when the provider opens (tokens rarely keep an EC public point with the private
 *   key, so comparing attributes is not enough).
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import type * as Pkcs11Js from 'pkcs11js';
import { digest, ecdsaRawToDer, sm2ComputeDigest, verifyMessage } from '../../crypto/index.js';
import { decodeRsDer } from '../../crypto/signature_der.js';
import type { PublicKeyInfo } from '../../crypto/index.js';
import type { SignatureAlgorithm } from '../../crypto/types.js';
import { chooseAlgorithm } from '../algorithm.js';
import { checkPkcs11Options } from '../arguments.js';
import { certificatePublicKey, readCertificate } from '../certificate.js';
import { KeyProviderError } from '../errors.js';
import type { KeyProvider } from '../provider.js';
import { deviceError } from './module.js';
import { openTokenSession } from './session.js';
import type { TokenSession } from './session.js';
import type { TokenSelector } from './selector.js';

/** Options of {@link openPkcs11}. */
export interface Pkcs11Options extends TokenSelector {
  /** Absolute path of the PKCS#11 library, e.g. `/usr/lib/softhsm/libsofthsm2.so`. */
  readonly modulePath: string;
  /** CKA_LABEL of the private key and its certificate. */
  readonly object?: string;
  /** CKA_ID of the private key and its certificate. */
  readonly id?: Uint8Array;
  /** The user PIN. Omit only for a token with a PIN pad (protected authentication path). */
  readonly pin?: string;
  /** `rsa-pss-sha256` to sign with PSS; otherwise the certificate's key decides. */
  readonly algorithm?: SignatureAlgorithm;
  /** The vendor CK_MECHANISM_TYPE that signs a precomputed SM2 digest e (required for SM2 keys). */
  readonly sm2Mechanism?: number;
  /** SM2 signer ID (default `1234567812345678`). */
  readonly sm2Id?: Uint8Array;
  /** Prove at open time, with one test signature, that the key is the certificate's. Default true. */
  readonly checkCertificate?: boolean;
}

// PKCS#11 v2.40 constants not worth a lookup.
const CKF_SIGN = 0x800;
const CKK_RSA = 0x0;
const CKK_EC = 0x3;
const SIGNATURE_BUFFER = 1024; // fits RSA-8192 and any DER ECDSA/SM2 signature

/** CKA_EC_PARAMS of a P-256 key: the namedCurve OID prime256v1 (RFC 5480 §2.1.1.1). */
const P256_EC_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');

/** DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

interface SignPlan {
  readonly mechanism: Pkcs11Js.Mechanism;
  /** What the token is given for a message. */
  readonly input: (data: Uint8Array) => Uint8Array;
  /** The token output converted to the provider's signature encoding. */
  readonly output: (sig: Uint8Array) => Uint8Array;
}

/**
 * Opens a key on a PKCS#11 token: loads the module, finds the token, logs in once (the login
 * lasts until `close()`), finds the private key and the certificate by `object` and/or `id`, and
 * checks the mechanism is offered.
 *
 * @param options - module, token selector, object label / id, PIN, algorithm, SM2 mechanism
 * @returns a provider; `sign()` calls may run in parallel (they are queued on the session);
 *   `close()` logs out and finalises the module when no other provider uses it
 * @throws KeyProviderError `KEY_MODULE_NOT_FOUND`, `KEY_TOKEN_ABSENT`, `KEY_AMBIGUOUS`,
 *   `KEY_PIN_REQUIRED`, `KEY_PIN_INCORRECT`, `KEY_PIN_LOCKED`, `KEY_NOT_FOUND`, `KEY_CERT_NOT_FOUND`,
 *   `KEY_CERT_MISMATCH`, `KEY_MECHANISM_UNSUPPORTED`, `KEY_DEVICE_ERROR` (`ckr` names the CKR);
 *   `CERT_MALFORMED`; `CRYPTO_*` for a refused certificate key; `ARG_INVALID` for options of the wrong type or
 *   value (an `algorithm` off the list, a `checkCertificate` other than true or false, an `sm2Mechanism` or
 *   `slotId` that is not an integer from 0 to 2^32 - 1). No error holds the PIN.
 * @example
 * const signer = await openPkcs11({ modulePath: '/usr/lib/softhsm/libsofthsm2.so',
 *   token: 'evoucher', object: 'finance', pin: process.env.EVOUCHER_PIN! })
 * try { await signer.sign(bytes) } finally { await signer.close?.() }
 */
export async function openPkcs11(options: Pkcs11Options): Promise<KeyProvider> {
  if (typeof options !== 'object' || options === null) throw new KeyProviderError('ARG_INVALID', 'openPkcs11 options must be an object', { detail: { argument: 'options' } });
  // Before the module is loaded: a slot id or mechanism given as a string never matched, a checkCertificate of
  // 'false' was read as true.
  checkPkcs11Options(options as unknown as Readonly<Record<string, unknown>>);
  if (options.object === undefined && options.id === undefined) {
    throw new KeyProviderError('ARG_MISSING', 'name the key with object (CKA_LABEL) or id (CKA_ID)', {
      detail: { argument: 'object' },
    });
  }
  const session = await openTokenSession(options.modulePath, options, options.pin);
  try {
    // The signer ID is copied: a caller refilling its array later must not change the ID this key signs under.
    return await createProvider(session, options.sm2Id instanceof Uint8Array ? Object.assign({}, options, { sm2Id: options.sm2Id.slice() }) : options);
  } catch (e) {
    await session.close();
    throw e;
  }
}

async function createProvider(session: TokenSession, options: Pkcs11Options): Promise<KeyProvider> {
  const lib = session.lib;
  const { keyHandle, keyType, certDer } = await session.run((p11, s) => findKeyAndCertificate(session, p11, s, options));
  const facts = readCertificate(certDer);
  const certKey = certificatePublicKey(facts);
  const algorithm = chooseAlgorithm(certKey.kind, options.algorithm);
  // The key type must fit the certificate; SM2 keys have vendor CKK values, so only RSA and EC are checked.
  if ((certKey.kind === 'rsa' && keyType !== CKK_RSA) || (certKey.kind === 'ec-p256' && keyType !== CKK_EC)) {
    throw new KeyProviderError('KEY_CERT_MISMATCH', 'the token key type does not fit the certificate', {
      detail: { token: session.tokenLabel, keyType: `0x${keyType.toString(16)}`, certificateKeyKind: certKey.kind },
    });
  }
  await session.run((p11, s) => checkKeyFitsCertificate(session, p11, s, keyHandle, keyType, certKey));
  const mechanisms = await session.run((p11) => {
    try {
      return p11.C_GetMechanismList(session.slot);
    } catch (cause) {
      throw deviceError('C_GetMechanismList', cause);
    }
  });
  const canSign = (m: number): boolean => {
    if (!mechanisms.includes(m)) return false;
    try {
      return (session.module.p11.C_GetMechanismInfo(session.slot, m).flags & CKF_SIGN) !== 0;
    } catch {
      return false;
    }
  };
  const plan = planSignature(lib, algorithm, certKey, canSign, options, session.tokenLabel);
  const sm2Check = options.sm2Id === undefined ? undefined : { id: options.sm2Id };

  const sign = (data: Uint8Array): Promise<Uint8Array> => {
    if (!(data instanceof Uint8Array)) {
      return Promise.reject(new KeyProviderError('ARG_INVALID', 'data to sign must be a Uint8Array', { detail: { argument: 'data' } }));
    }
    let input: Buffer;
    try {
      input = Buffer.from(plan.input(data));
    } catch (e) {
      return Promise.reject(e);
    }
    return session.run(async (p11, s) => {
      let raw: Buffer;
      try {
        p11.C_SignInit(s, plan.mechanism, keyHandle);
      } catch (cause) {
        throw deviceError('C_SignInit', cause);
      }
      try {
        // An empty message cannot go through C_Sign (pkcs11js passes no buffer and tokens answer
        // CKR_ARGUMENTS_BAD); a multi-part operation with no update signs the empty string
        // (PKCS#11 v2.40 §5.12). Only hash-on-token mechanisms ever get an empty input.
        raw =
          input.length === 0
            ? await p11.C_SignFinalAsync(s, Buffer.alloc(SIGNATURE_BUFFER))
            : await p11.C_SignAsync(s, input, Buffer.alloc(SIGNATURE_BUFFER));
      } catch (cause) {
        endOperation(p11, s);
        throw deviceError('C_Sign', cause);
      }
      return plan.output(new Uint8Array(raw));
    });
  };

  const provider: KeyProvider = Object.freeze({
    algorithm,
    certificate: () => Promise.resolve(facts.der.slice()),
    chain: () => Promise.resolve([]),
    sign,
    close: () => session.close(),
  });

  if (options.checkCertificate !== false) {
    const challenge = randomBytes(32);
    const signature = await sign(challenge);
    if (!verifyMessage(algorithm, certKey, challenge, signature, sm2Check)) {
      throw new KeyProviderError('KEY_CERT_MISMATCH', 'the token key does not belong to the certificate', {
        detail: { token: session.tokenLabel },
      });
    }
  }
  return provider;
}

function findKeyAndCertificate(
  session: TokenSession,
  p11: Pkcs11Js.PKCS11,
  s: Buffer,
  options: Pkcs11Options,
): { keyHandle: Buffer; keyType: number; certDer: Uint8Array } {
  const lib = session.lib;
  const where: Record<string, string> = { token: session.tokenLabel };
  if (options.object !== undefined) where['object'] = options.object;
  if (options.id !== undefined) where['id'] = Buffer.from(options.id).toString('hex');
  const naming = (): Pkcs11Js.Template => {
    const t: Pkcs11Js.Template = [];
    if (options.object !== undefined) t.push({ type: lib.CKA_LABEL, value: options.object });
    if (options.id !== undefined) t.push({ type: lib.CKA_ID, value: Buffer.from(options.id) });
    return t;
  };
  const keys = findObjects(p11, s, [{ type: lib.CKA_CLASS, value: lib.CKO_PRIVATE_KEY }, ...naming()]);
  const [keyHandle] = keys;
  if (keyHandle === undefined) throw new KeyProviderError('KEY_NOT_FOUND', 'no private key on the token matches', { detail: where });
  if (keys.length > 1) {
    throw new KeyProviderError('KEY_AMBIGUOUS', 'several private keys on the token match; add id=', {
      detail: Object.assign({}, where, { matches: String(keys.length) }),
    });
  }
  const [keyTypeAttr, keyIdAttr] = getAttributes(p11, s, keyHandle, [lib.CKA_KEY_TYPE, lib.CKA_ID]);
  const certClass: Pkcs11Js.Template = [
    { type: lib.CKA_CLASS, value: lib.CKO_CERTIFICATE },
    { type: lib.CKA_CERTIFICATE_TYPE, value: lib.CKC_X_509 },
  ];
  // PKCS#11 v2.40 §4.4: CKA_ID is what ties a certificate to its key. When the key has one, the
  // certificate is the one with that CKA_ID, under the key's label if there is one, else under any
  // label; a certificate that has the label but another CKA_ID is taken only when it is the only one
  // and the test signature will prove it (it made KEY_CERT_MISMATCH of a token that holds the right
  // certificate under another label, and with checkCertificate false it was used unproven). Without
  // a CKA_ID, the label decides.
  const keyId = keyIdAttr !== undefined && keyIdAttr.length > 0 ? keyIdAttr : undefined;
  const byLabel: Pkcs11Js.Template = options.object === undefined ? [] : [{ type: lib.CKA_LABEL, value: options.object }];
  let certs: Buffer[] = [];
  if (keyId !== undefined) {
    certs = findObjects(p11, s, [...certClass, ...byLabel, { type: lib.CKA_ID, value: keyId }]);
    if (certs.length === 0 && byLabel.length > 0) certs = findObjects(p11, s, [...certClass, { type: lib.CKA_ID, value: keyId }]);
  }
  if (certs.length === 0) {
    const named = findObjects(p11, s, [...certClass, ...naming()]);
    certs = keyId === undefined ? named : named.filter((c) => (getAttributes(p11, s, c, [lib.CKA_ID])[0]?.length ?? 0) === 0);
    if (certs.length === 0 && named.length === 1 && options.checkCertificate !== false) {
      // PKCS#11 v2.40 §4.4 says a certificate *should* carry its key's CKA_ID, and some tokens (or import tools)
      // number them apart: the one certificate under the label is taken, and the test signature made when the
      // provider opens decides whether it is the key's (KEY_CERT_MISMATCH if not). Without that signature
      // nothing would, so it is refused below.
      certs = named;
    } else if (certs.length === 0 && named.length > 0) {
      throw new KeyProviderError('KEY_CERT_MISMATCH', 'the certificate with the key label has another CKA_ID than the key', {
        detail: Object.assign({}, where, { keyId: keyId?.toString('hex') ?? '' }),
      });
    }
  }
  const [certHandle] = certs;
  if (certHandle === undefined) {
    throw new KeyProviderError('KEY_CERT_NOT_FOUND', 'no certificate on the token matches the key', { detail: where });
  }
  if (certs.length > 1) {
    throw new KeyProviderError('KEY_AMBIGUOUS', 'several certificates on the token match; add id=', {
      detail: Object.assign({}, where, { matches: String(certs.length) }),
    });
  }
  const [value] = getAttributes(p11, s, certHandle, [lib.CKA_VALUE]);
  if (value === undefined || value.length === 0) {
    throw new KeyProviderError('KEY_CERT_NOT_FOUND', 'the token certificate has no value', { detail: where });
  }
  return { keyHandle, keyType: readUlong(keyTypeAttr), certDer: new Uint8Array(value) };
}

function planSignature(
  lib: typeof Pkcs11Js,
  algorithm: SignatureAlgorithm,
  certKey: PublicKeyInfo,
  canSign: (m: number) => boolean,
  options: Pkcs11Options,
  token: string,
): SignPlan {
  const unsupported = (mechanism: string): never => {
    throw new KeyProviderError('KEY_MECHANISM_UNSUPPORTED', `the token does not offer ${mechanism} for signing`, {
      detail: { token, algorithm, mechanism },
    });
  };
  // The token answers r ‖ s for a 256-bit curve (PKCS#11 v2.40 curr. §2.3.1), or DER from a token that
  // encodes it itself. Anything else (the 96 bytes of a P-384 key) is no signature of this provider's
  // algorithm, and is not handed on as one: a caller with checkCertificate false got it as the "DER".
  const rawToDer = (sig: Uint8Array): Uint8Array => {
    if (sig.length === 64) return ecdsaRawToDer(sig);
    if (decodeRsDer(sig) !== null) return sig;
    throw new KeyProviderError('KEY_DEVICE_ERROR', `the token returned a ${sig.length}-byte signature, not r ‖ s of a 256-bit curve`, {
      detail: { token, algorithm, call: 'C_Sign', length: String(sig.length) },
    });
  };
  // RFC 8017 §8.1.1, §8.2.1: an RSA signature is exactly as long as the modulus.
  const rsaBlock = (sig: Uint8Array): Uint8Array => {
    if (sig.length === Math.ceil(certKey.bits / 8)) return sig;
    throw new KeyProviderError('KEY_DEVICE_ERROR', `the token returned a ${sig.length}-byte rsa signature for a ${certKey.bits}-bit modulus`, {
      detail: { token, algorithm, call: 'C_Sign', length: String(sig.length) },
    });
  };
  const sha256 = (data: Uint8Array): Uint8Array => digest('sha256', data);
  switch (algorithm) {
    case 'ecdsa-p256-sha256':
      if (!canSign(lib.CKM_ECDSA)) return unsupported('CKM_ECDSA');
      return { mechanism: { mechanism: lib.CKM_ECDSA }, input: sha256, output: rawToDer };
    case 'rsa-pkcs1-sha256':
      if (canSign(lib.CKM_SHA256_RSA_PKCS)) {
        return { mechanism: { mechanism: lib.CKM_SHA256_RSA_PKCS }, input: (d) => d, output: rsaBlock };
      }
      if (canSign(lib.CKM_RSA_PKCS)) {
        return {
          mechanism: { mechanism: lib.CKM_RSA_PKCS },
          input: (d) => Buffer.concat([SHA256_DIGEST_INFO, sha256(d)]),
          output: rsaBlock,
        };
      }
      return unsupported('CKM_SHA256_RSA_PKCS');
    case 'rsa-pss-sha256': {
      // RFC 4055 §3.1 / crypto's PSS profile: SHA-256, MGF1-SHA-256, 32-byte salt.
      const parameter = { type: lib.CK_PARAMS_RSA_PSS, hashAlg: lib.CKM_SHA256, mgf: lib.CKG_MGF1_SHA256, saltLen: 32 };
      if (canSign(lib.CKM_SHA256_RSA_PKCS_PSS)) {
        return { mechanism: { mechanism: lib.CKM_SHA256_RSA_PKCS_PSS, parameter }, input: (d) => d, output: rsaBlock };
      }
      if (canSign(lib.CKM_RSA_PKCS_PSS)) {
        return { mechanism: { mechanism: lib.CKM_RSA_PKCS_PSS, parameter }, input: sha256, output: rsaBlock };
      }
      return unsupported('CKM_SHA256_RSA_PKCS_PSS');
    }
    case 'sm2-sm3': {
      const m = options.sm2Mechanism;
      if (m === undefined) {
        throw new KeyProviderError('KEY_MECHANISM_UNSUPPORTED', 'sm2 keys need the vendor mechanism (sm2Mechanism / x-sm2-mechanism)', {
          detail: { token, algorithm },
        });
      }
      const name = `0x${m.toString(16)}`;
      if (!canSign(m)) return unsupported(name);
      const point = certKey.point;
      if (point === undefined) return unsupported(name);
      const sm2Options = options.sm2Id === undefined ? undefined : { id: options.sm2Id };
      return { mechanism: { mechanism: m }, input: (d) => sm2ComputeDigest(point, d, sm2Options), output: rawToDer };
    }
    default:
      return unsupported(String(algorithm));
  }
}

/**
 * Checks, without a signature, what the token tells of the private key against the certificate: an
 * RSA key's CKA_MODULUS and CKA_PUBLIC_EXPONENT (which PKCS#11 keeps with RSA private keys), an EC
 * key's curve (CKA_EC_PARAMS) under a P-256 certificate. The test signature proves the pair when it
 * runs; this also holds with `checkCertificate: false`, where an RSA key of another certificate or a
 * P-384 key under a P-256 certificate opened and signed what never verifies. An attribute the token
 * does not show is not checked. SM2 keys have vendor key types and curves, and are left to the test
 * signature.
 *
 * @throws KeyProviderError `KEY_CERT_MISMATCH`
 */
function checkKeyFitsCertificate(
  session: TokenSession,
  p11: Pkcs11Js.PKCS11,
  s: Buffer,
  keyHandle: Buffer,
  keyType: number,
  certKey: PublicKeyInfo,
): void {
  const lib = session.lib;
  const mismatch = (what: string): KeyProviderError =>
    new KeyProviderError('KEY_CERT_MISMATCH', `the token key's ${what} does not fit the certificate`, {
      detail: { token: session.tokenLabel, certificateKeyKind: certKey.kind, attribute: what },
    });
  const read = (type: number): Buffer | undefined => {
    try {
      return getAttributes(p11, s, keyHandle, [type])[0];
    } catch {
      return undefined; // CKR_ATTRIBUTE_TYPE_INVALID or _SENSITIVE: nothing to compare
    }
  };
  if (certKey.kind === 'rsa' && keyType === CKK_RSA) {
    const jwk = createPublicKey({ key: Buffer.from(certKey.spki), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    const modulus = read(lib.CKA_MODULUS);
    if (modulus !== undefined && modulus.length > 0 && !sameUnsigned(modulus, Buffer.from(jwk.n ?? '', 'base64url'))) throw mismatch('CKA_MODULUS');
    const exponent = read(lib.CKA_PUBLIC_EXPONENT);
    if (exponent !== undefined && exponent.length > 0 && !sameUnsigned(exponent, Buffer.from(jwk.e ?? '', 'base64url'))) throw mismatch('CKA_PUBLIC_EXPONENT');
  } else if (certKey.kind === 'ec-p256' && keyType === CKK_EC) {
    const params = read(lib.CKA_EC_PARAMS);
    // A namedCurve OID other than prime256v1; other encodings (explicit parameters) are left to the test signature.
    if (params !== undefined && params[0] === 0x06 && !params.equals(P256_EC_PARAMS)) throw mismatch('CKA_EC_PARAMS');
  }
}

/** Two big-endian unsigned integers are equal, leading zero bytes aside. */
function sameUnsigned(a: Buffer, b: Buffer): boolean {
  const strip = (x: Buffer): Buffer => {
    let i = 0;
    while (i < x.length - 1 && x[i] === 0) i++;
    return x.subarray(i);
  };
  return strip(a).equals(strip(b));
}

/**
 * Ends a signing operation a failed call may have left active, so that the next C_SignInit on the
 * session does not get CKR_OPERATION_ACTIVE. PKCS#11 v2.40 has no cancel call; a C_SignFinal
 * finishes (or fails) the operation either way, and its result is discarded.
 */
function endOperation(p11: Pkcs11Js.PKCS11, s: Buffer): void {
  try {
    p11.C_SignFinal(s, Buffer.alloc(SIGNATURE_BUFFER));
  } catch {
    // CKR_OPERATION_NOT_INITIALIZED: nothing was left active.
  }
}

function findObjects(p11: Pkcs11Js.PKCS11, s: Buffer, template: Pkcs11Js.Template): Buffer[] {
  try {
    p11.C_FindObjectsInit(s, template);
    try {
      // Two are enough to tell "one" from "ambiguous".
      return p11.C_FindObjects(s, 2);
    } finally {
      p11.C_FindObjectsFinal(s);
    }
  } catch (cause) {
    throw deviceError('C_FindObjects', cause);
  }
}

function getAttributes(p11: Pkcs11Js.PKCS11, s: Buffer, handle: Buffer, types: number[]): (Buffer | undefined)[] {
  let result: Pkcs11Js.TemplateResult;
  try {
    result = p11.C_GetAttributeValue(
      s,
      handle,
      types.map((type) => ({ type })),
    );
  } catch (cause) {
    throw deviceError('C_GetAttributeValue', cause);
  }
  return types.map((t) => result.find((a) => a.type === t)?.value);
}

function readUlong(b: Buffer | undefined): number {
  // CK_ULONG in native (little-endian on the supported platforms) byte order.
  if (b === undefined) return -1;
  if (b.length === 8) return Number(b.readBigUInt64LE(0));
  if (b.length === 4) return b.readUInt32LE(0);
  return -1;
}
