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
import { createHash } from 'node:crypto';
import { equalBytes } from '@noble/curves/utils.js';
import { digest, parsePublicKey, verifyMessage } from '../../crypto/index.js';
import type { HashAlgorithm, PublicKeyInfo } from '../../crypto/index.js';
import { EvoucherError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import { SM2_WITH_SM3_OID, certificateSpki } from './asn1.js';
import type { SealObject, SesCheckResult, SesSignature, SesVerifyOptions } from './types.js';

function result(ok: boolean, message: string, code?: ErrorCode): SesCheckResult {
  return Object.freeze(code === undefined || ok ? { ok, message } : { ok, code, message });
}

function codeOf(e: unknown, fallback: ErrorCode): ErrorCode {
  return e instanceof EvoucherError ? e.code : fallback;
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
      key = parsePublicKey(certificateSpki(certDer));
    } catch (e) {
      return result(false, `${role}: the certificate or its key cannot be read`, codeOf(e, 'CERT_MALFORMED'));
    }
    if (key.kind !== 'sm2') {
      return result(false, `${role}: the certificate has a ${key.kind} key, not sm2`, 'SEAL_ALGORITHM_MISMATCH');
    }
    const opts = options.sm2Id === undefined ? {} : { id: options.sm2Id };
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
  const key = makerKey(seal, options ?? {});
  const known = key === undefined ? undefined : verifiedSeals.get(key);
  if (known !== undefined) return known;
  const r = checkSm2Signature('maker', seal?.signAlgorithmOid, seal?.makerCert, seal?.slices?.makerSigned, seal?.signature,
    'SEAL_MAKER_SIGNATURE_INVALID', options ?? {});
  if (r.ok && key !== undefined) {
    verifiedSeals.set(key, r);
    if (verifiedSeals.size > MAX_VERIFIED_SEALS) verifiedSeals.delete(verifiedSeals.keys().next().value as string);
  }
  return r;
}

/**
 * Maker signatures already verified, by the SHA-256 of everything the check reads (algorithm, signer ID, maker
 * certificate, signed bytes, signature; each length-prefixed so no two inputs share a key). Every voucher a
 * party seals carries the same seal object, so sealing and verifying check its SM2 signature once, not at every
 * seal and every verification. Only successes are kept (a failure is checked again every time); at most
 * {@link MAX_VERIFIED_SEALS}, oldest dropped first.
 */
const MAX_VERIFIED_SEALS = 256;
const verifiedSeals = new Map<string, SesCheckResult>();

/** The memo key of a maker signature, or undefined for an incomplete structure (the check reports it). */
function makerKey(seal: SealObject, options: SesVerifyOptions): string | undefined {
  const parts: unknown[] = [seal?.makerCert, seal?.slices?.makerSigned, seal?.signature, options.sm2Id ?? new Uint8Array(0)];
  if (!parts.every((p): p is Uint8Array => p instanceof Uint8Array)) return undefined;
  const h = createHash('sha256').update(`${String(seal.signAlgorithmOid)}|${options.sm2Id === undefined ? 'default-id' : 'id'}|${parts.map((p) => p.length).join('|')}|`);
  for (const p of parts) h.update(p);
  return h.digest('hex');
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
    'SEAL_SIGNATURE_INVALID', options ?? {});
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
    for (const [i, d] of list.digests.entries()) {
      const alg = certDigestAlgorithm(d.algorithm);
      if (alg === undefined) {
        offList++;
        continue;
      }
      if (equalBytes(digest(alg, sealerCertDer), d.value)) return result(true, `certList: the sealer certificate ${alg} digest is entry ${i}`);
    }
    if (offList > 0) {
      return result(false, `certList: no allowed digest matches, and ${offList} entries use a hash off the allow-list (sm3, sha256)`, 'CRYPTO_ALGORITHM_FORBIDDEN');
    }
    return result(false, `certList: the sealer certificate matches none of the ${list.digests.length} digests`, 'SEAL_SIGNER_NOT_IN_SEAL');
  } catch (e) {
    return result(false, 'certList: the match cannot be checked', codeOf(e, 'SEAL_MALFORMED'));
  }
}
