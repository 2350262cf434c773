/**
 * The cryptographic checks of GB/T 38540-2020 §6.3 (seal) and §7.3 (seal signature) that need only the
 * seal structures: the maker's signature, the sealer's signature and the sealer ↔ seal match.
 *
 * Design rationale: a verifier calls these on hostile input and reports each check apart, so they never
 * throw on bad bytes: every outcome is a frozen {@link SesCheckResult} with a stable code. Signatures
 * are checked over the exact received slices the parser kept (standards.md §2.2), with the SM2 signer
 * ID `1234567812345678` unless another one is configured (an empty ID is never tried as a fallback,
 * security.md §1.8). The algorithm comes from the policy, not from the document: only SM2 with SM3 on an
 * SM2 key is accepted. Certificate trust, validity and key usage are NOT checked here (that is path
 * validation, done by the verifier with its trust anchors).
 */
import { equalBytes } from '@noble/curves/utils.js';
import { digest, verifyMessage } from '../../crypto/index.js';
import { resolvePublicKey } from '../../crypto/keys.js';
import type { HashAlgorithm, PublicKeyInfo, Sm2Options } from '../../crypto/index.js';
import { BytesMap } from '../../encoding/bytes_map.js';
import { EvoucherError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import { SM2_WITH_SM3_OID, certificateSpki } from './asn1.js';
import type { SealObject, SesCheckResult, SesSignature, SesVerifyOptions } from './types.js';

/**
 * The OID of the first critical extension the reader does not understand, in the seal object's `extDatas`
 * (none is understood there) or the signature's (`understood`), or `undefined`. An `ExtData` marked critical
 * must be understood by whoever accepts the structure (GB/T 38540-2020, `ExtData.critical`, as X.509's).
 *
 * @param sig - the decoded signature.
 * @param understood - the OIDs of `TBS_Sign.extDatas` entries the reader understands.
 * @returns where and which OID, or `undefined`.
 * @example
 * unknownCriticalExtension(sig, [SEAL_OID.extTbs, SEAL_OID.extChain]) // undefined
 */
export function unknownCriticalExtension(sig: SesSignature, understood: readonly string[]): { readonly where: 'seal object' | 'signature'; readonly oid: string } | undefined {
  const inSeal = criticalSealExtension(sig.seal);
  if (inSeal !== undefined) return { where: 'seal object', oid: inSeal };
  const inSignature = (sig.extDatas ?? []).find((e) => e.critical && !understood.includes(e.oid));
  return inSignature === undefined ? undefined : { where: 'signature', oid: inSignature.oid };
}

/**
 * The OID of the seal object's first critical extension, or `undefined`: no extension of `SES_SealInfo` is
 * understood here, so a critical one makes the seal unusable (the sealer refuses it, the verifier too).
 *
 * @param seal - the seal object.
 * @returns the OID, or `undefined`.
 */
export function criticalSealExtension(seal: SealObject): string | undefined {
  return seal.extDatas.find((e) => e.critical)?.oid;
}

function result(ok: boolean, message: string, code?: ErrorCode): SesCheckResult {
  return Object.freeze(code === undefined || ok ? { ok, message } : { ok, code, message });
}

function codeOf(e: unknown, fallback: ErrorCode): ErrorCode {
  return e instanceof EvoucherError ? e.code : fallback;
}

/**
 * Where the seal object ends inside what the sealer signed (`TBS_Sign` starts with its version and the whole
 * `SESeal`), when the parsed seal object is a view of those same bytes; else undefined. The seal object is the
 * same in every seal of its holder, so SM3 goes over it once (`Sm2Options.recurringPrefix`).
 */
function signedSealObjectEnd(sig: SesSignature): number | undefined {
  const signed = sig?.slices?.tbsSign;
  const raw = sig?.seal?.raw;
  if (!(signed instanceof Uint8Array) || !(raw instanceof Uint8Array) || signed.buffer !== raw.buffer) return undefined;
  const start = raw.byteOffset - signed.byteOffset;
  return start >= 0 && start + raw.length <= signed.length ? start + raw.length : undefined;
}

/** Checks an SM2-with-SM3 signature by `certDer` over `message`; `role` names the signer in messages. */
function checkSm2Signature(
  role: 'maker' | 'sealer',
  algorithmOid: unknown,
  certDer: unknown,
  message: unknown,
  signature: unknown,
  invalidCode: ErrorCode,
  options: SesVerifyOptions,
  recurringPrefix?: number,
): SesCheckResult {
  try {
    if (!(certDer instanceof Uint8Array) || !(message instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
      return result(false, `${role}: the seal structure is incomplete`, 'SEAL_MALFORMED');
    }
    // GB/T 38540-2020 §6.3 step 2 / §7.3 step 2: signAlgID is SM2 with SM3, and agrees with the key.
    if (algorithmOid !== SM2_WITH_SM3_OID) {
      return result(false, `${role}: signature algorithm ${String(algorithmOid)} is not sm2-with-sm3 (${SM2_WITH_SM3_OID})`, 'SEAL_ALGORITHM_MISMATCH');
    }
    let key: PublicKeyInfo;
    try {
      // The verification path's key cache (by exact SPKI bytes): a holder's key comes back with every seal it
      // makes, and reading one costs a point check on the curve (about 10 µs).
      key = resolvePublicKey(certificateSpki(certDer));
    } catch (e) {
      return result(false, `${role}: the certificate or its key cannot be read`, codeOf(e, 'CERT_MALFORMED'));
    }
    if (key.kind !== 'sm2') {
      return result(false, `${role}: the certificate has a ${key.kind} key, not sm2`, 'SEAL_ALGORITHM_MISMATCH');
    }
    const opts: { -readonly [K in keyof Sm2Options]: Sm2Options[K] } = {};
    if (options.sm2Id !== undefined) opts.id = options.sm2Id;
    if (recurringPrefix !== undefined) opts.recurringPrefix = recurringPrefix;
    const ok = verifyMessage('sm2-sm3', key, message, signature, opts);
    return ok
      ? result(true, `${role}: sm2-with-sm3 signature verified over the received bytes`)
      : result(false, `${role}: the signature does not verify over the received bytes`, invalidCode);
  } catch (e) {
    return result(false, `${role}: the signature cannot be checked`, codeOf(e, invalidCode));
  }
}

/**
 * Checks the seal maker's (制章者) signature of an `SESeal` (GB/T 38540-2020 §6.3 step 2): SM2/SM3 with
 * the maker certificate over `seal.slices.makerSigned` (v4: the raw `SES_SealInfo`; 2014: the rebuilt
 * 3-element SEQUENCE). Does not validate the maker certificate's path. A success is remembered for exactly
 * the same algorithm, signer ID, certificate, signed bytes and signature (a failure never is), so a seal
 * object met at every voucher costs one SM2 verification.
 *
 * @param seal - a parsed seal ({@link parseSeal}, or `SesSignature.seal`).
 * @param options - `sm2Id` (default `1234567812345678`).
 * @returns `{ ok: true }`, or `ok: false` with `SEAL_ALGORITHM_MISMATCH` (signAlgID not
 *   1.2.156.10197.1.501, or the key is not SM2), `CERT_MALFORMED` / `CRYPTO_KEY_INVALID` /
 *   `CRYPTO_ALGORITHM_FORBIDDEN` (unreadable certificate or key), `SEAL_MAKER_SIGNATURE_INVALID`.
 *   Never throws.
 * @example
 * const r = verifySealMaker(parseSeal(esl)); if (!r.ok) console.log(r.code);
 */
export function verifySealMaker(seal: SealObject, options: SesVerifyOptions = {}): SesCheckResult {
  const known = knownMaker(seal, options ?? {});
  if (known !== undefined) return known;
  const r = checkSm2Signature('maker', seal?.signAlgorithmOid, seal?.makerCert, seal?.slices?.makerSigned, seal?.signature,
    'SEAL_MAKER_SIGNATURE_INVALID', options ?? {});
  if (r.ok) remember(seal, options ?? {}, r);
  return r;
}

/**
 * Maker signatures already verified, by the bytes the maker signed (the seal information, tens of kilobytes with
 * its picture), each with the algorithm, signer ID, maker certificate and signature it was verified with: a hit
 * needs all of them equal, byte for byte. Every voucher a party seals carries the same seal object, so sealing
 * and verifying check its SM2 signature once, not at every seal and every verification. Only successes are
 * kept (a failure is checked again every time); at most {@link MAX_VERIFIED_SEALS}, least recently used dropped
 * first, and none larger than {@link MAX_REMEMBERED_MAKER_BYTES}. (Keyed by the SHA-256 of all the parts before:
 * about 25 KiB hashed at every seal.)
 */
const MAX_VERIFIED_SEALS = 256;

/**
 * Largest maker signature remembered, counting the signed bytes and the maker certificate (a copy of each is
 * kept): 128 KiB, far above real seal objects (6–25 KiB with their pictures). Anyone can make a seal object whose
 * maker signature verifies (his own maker key, untrusted), and a standalone seal signature may be 4 MiB: without
 * this bound, 256 such seals would keep about a gigabyte alive. Larger ones are verified every time.
 */
export const MAX_REMEMBERED_MAKER_BYTES = 128 * 1024;

interface VerifiedMaker {
  readonly algorithmOid: string;
  /** The configured signer ID, or undefined for the default one. */
  readonly sm2Id: Uint8Array | undefined;
  readonly makerCert: Uint8Array;
  readonly signature: Uint8Array;
  readonly result: SesCheckResult;
}

const verifiedSeals = new BytesMap<VerifiedMaker>(MAX_VERIFIED_SEALS);

/** Maker signatures remembered (internal, for tests). */
export function verifiedMakerCount(): number {
  return verifiedSeals.size;
}

/** Forgets every remembered maker signature (internal, for tests). */
export function clearVerifiedMakers(): void {
  verifiedSeals.clear();
}

/** The remembered success for exactly this seal object and signer ID, if any. */
function knownMaker(seal: SealObject, options: SesVerifyOptions): SesCheckResult | undefined {
  const signed: unknown = seal?.slices?.makerSigned;
  if (!(signed instanceof Uint8Array) || !(seal.makerCert instanceof Uint8Array) || !(seal.signature instanceof Uint8Array)) return undefined;
  const m = verifiedSeals.get(signed);
  if (m === undefined || m.algorithmOid !== seal.signAlgorithmOid) return undefined;
  const id = options.sm2Id;
  const sameId = m.sm2Id === undefined ? id === undefined : id instanceof Uint8Array && equalBytes(m.sm2Id, id);
  return sameId && equalBytes(m.makerCert, seal.makerCert) && equalBytes(m.signature, seal.signature) ? m.result : undefined;
}

/** Remembers a verified maker signature, with copies of what it was verified with (not when too large). */
function remember(seal: SealObject, options: SesVerifyOptions, result: SesCheckResult): void {
  if (seal.slices.makerSigned.length + seal.makerCert.length + seal.signature.length > MAX_REMEMBERED_MAKER_BYTES) return;
  verifiedSeals.set(seal.slices.makerSigned, {
    algorithmOid: seal.signAlgorithmOid,
    sm2Id: options.sm2Id?.slice(),
    makerCert: seal.makerCert.slice(),
    signature: seal.signature.slice(),
    result,
  });
}

/**
 * Checks the sealer's (签章者) signature of an `SES_Signature` (GB/T 38540-2020 §7.3 step 2): SM2/SM3 over
 * the raw `TBS_Sign` TLV with `sig.sealerCert` (v4 `SES_Signature.cert`, 2014 `TBS_Sign.cert`). Does not
 * validate the sealer certificate's path, the certList match or the data hash.
 *
 * @param sig - a parsed seal signature ({@link parseSesSignature}).
 * @param options - `sm2Id` (default `1234567812345678`).
 * @returns `{ ok: true }`, or `ok: false` with `SEAL_ALGORITHM_MISMATCH`, `CERT_MALFORMED` /
 *   `CRYPTO_*` (unreadable certificate or key) or `SEAL_SIGNATURE_INVALID`. Never throws.
 * @example
 * const r = verifySesSignatureValue(parseSesSignature(stamp));
 */
export function verifySesSignatureValue(sig: SesSignature, options: SesVerifyOptions = {}): SesCheckResult {
  return checkSm2Signature('sealer', sig?.signAlgorithmOid, sig?.sealerCert, sig?.slices?.tbsSign, sig?.signature,
    'SEAL_SIGNATURE_INVALID', options ?? {}, signedSealObjectEnd(sig));
}

/**
 * The hash algorithms a certListType 2 `CertDigestObj.type` may name, by normalised name or OID. Others
 * (SHA-1, MD5, ...) are refused (security.md §1.8).
 */
const CERT_DIGEST_ALGORITHMS: ReadonlyMap<string, HashAlgorithm> = new Map([
  ['sm3', 'sm3'],
  ['1.2.156.10197.1.401', 'sm3'],
  ['sha256', 'sha256'],
  ['2.16.840.1.101.3.4.2.1', 'sha256'],
]);

/**
 * Resolves a `CertDigestObj.type` to an allowed hash, or undefined.
 *
 * @param name - the type as written (case, `-` and `_` are ignored: `SM3`, `sha-256`, or an OID).
 * @returns `sm3`, `sha256` or undefined.
 * @example certDigestAlgorithm('SHA-256') // 'sha256'
 */
export function certDigestAlgorithm(name: string): HashAlgorithm | undefined {
  return CERT_DIGEST_ALGORITHMS.get(name.trim().toLowerCase().replace(/[-_]/g, ''));
}

/**
 * Checks that a sealer certificate is one the seal allows (GB/T 38540-2020 §7.3 step 4): certListType 1
 * and 2014 seals, a byte-equal `certList` entry; certListType 2, an entry whose allow-listed hash (SM3,
 * SHA-256) of the certificate DER equals its value.
 *
 * @param seal - the parsed seal.
 * @param sealerCertDer - the sealer's certificate, DER.
 * @returns `{ ok: true }`, or `ok: false` with `SEAL_SIGNER_NOT_IN_SEAL`, or `CRYPTO_ALGORITHM_FORBIDDEN`
 *   when nothing matched and some entry names a hash off the allow-list, or `SEAL_MALFORMED` on unusable
 *   input. Never throws.
 * @example
 * matchSealerToSeal(sig.seal, sig.sealerCert).ok
 */
export function matchSealerToSeal(seal: SealObject, sealerCertDer: Uint8Array): SesCheckResult {
  try {
    if (!(sealerCertDer instanceof Uint8Array) || sealerCertDer.length === 0) return result(false, 'certList: no sealer certificate', 'SEAL_MALFORMED');
    const list = seal.certList;
    if (list.kind === 'certs') {
      const i = list.certs.findIndex((c) => equalBytes(c, sealerCertDer));
      return i >= 0
        ? result(true, `certList: the sealer certificate is entry ${i}`)
        : result(false, `certList: the sealer certificate is none of the ${list.certs.length} certificates`, 'SEAL_SIGNER_NOT_IN_SEAL');
    }
    let offList = 0;
    // The certificate's digest once per algorithm, not once per entry: the list (up to MAX_CERT_LIST entries) and
    // the certificate (up to the size of the whole structure) are the sender's, so hashing it at every entry
    // would cost their product.
    const digests = new Map<HashAlgorithm, Uint8Array>();
    for (const [i, d] of list.digests.entries()) {
      const alg = certDigestAlgorithm(d.algorithm);
      if (alg === undefined) {
        offList++;
        continue;
      }
      let h = digests.get(alg);
      if (h === undefined) {
        h = digest(alg, sealerCertDer);
        digests.set(alg, h);
      }
      if (equalBytes(h, d.value)) return result(true, `certList: the sealer certificate ${alg} digest is entry ${i}`);
    }
    if (offList > 0) {
      return result(false, `certList: no allowed digest matches, and ${offList} entries use a hash off the allow-list (sm3, sha256)`, 'CRYPTO_ALGORITHM_FORBIDDEN');
    }
    return result(false, `certList: the sealer certificate matches none of the ${list.digests.length} digests`, 'SEAL_SIGNER_NOT_IN_SEAL');
  } catch (e) {
    return result(false, 'certList: the match cannot be checked', codeOf(e, 'SEAL_MALFORMED'));
  }
}
