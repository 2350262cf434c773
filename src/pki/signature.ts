/**
 * Signature checks of certificates and CRLs, always over the received TBS slice (security.md §3 "Bytes").
 *
 * SM2 signatures are verified with the SDK's own SM2 and the default signer ID `1234567812345678`
 * (GM/T 0015, GB/T 35276): Node's `X509Certificate.verify` computes Z from an empty ID and rejects every
 * standard SM2 certificate (standards.md §7).
 */
import { verifyMessage } from '../crypto/index.js';
import type { PublicKeyInfo } from '../crypto/index.js';
import { EvoucherError, isEvoucherError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type { SignedParts } from './cert.js';

/** The outcome of one signature check. */
export interface SignatureOutcome {
  readonly ok: boolean;
  readonly code?: ErrorCode;
  readonly message: string;
}

/**
 * Verifies the signature of `parts` with `issuerKey`.
 * @param parts - TBS slice, algorithm and signature of the certificate or CRL
 * @param issuerKey - the issuer's public key
 * @param badCode - the code for a signature that does not verify (`CERT_BAD_SIGNATURE` or `CRL_BAD_SIGNATURE`)
 * @returns ok, or the code of the failure (allow-list refusals keep their `CRYPTO_*` code)
 */
export function checkSignature(parts: SignedParts, issuerKey: PublicKeyInfo, badCode: ErrorCode): SignatureOutcome {
  if (parts.algorithm instanceof EvoucherError) {
    return { ok: false, code: parts.algorithm.code, message: `signature algorithm ${parts.signatureOid} is not allowed: ${parts.algorithm.message}` };
  }
  try {
    const ok = verifyMessage(parts.algorithm, issuerKey, parts.tbs, parts.signature);
    return ok
      ? { ok: true, message: `${parts.algorithm} signature verified with the issuer key` }
      : { ok: false, code: badCode, message: `${parts.algorithm} signature does not verify with the issuer key` };
  } catch (e) {
    // verifyMessage throws when the algorithm does not fit the issuer key (e.g. an SM2 signature with an RSA key).
    const code: ErrorCode = isEvoucherError(e) ? e.code : badCode;
    return { ok: false, code, message: `signature cannot be checked: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * The signature checks of one validation: each (signed object, issuer key) is verified once, however many candidate
 * paths ask for it, and at most `max` are verified in all (a hostile bag of certificates or CRLs cannot make
 * validation explode).
 */
export interface SignatureMemo {
  /**
   * The outcome for `subject` (a certificate's fingerprint, a CRL object) under `keyId` (the issuer key's identity),
   * verified on first asking; `undefined` when the bound is spent.
   */
  check(subject: string | object, keyId: string, parts: SignedParts, issuerKey: PublicKeyInfo, badCode: ErrorCode): SignatureOutcome | undefined;
  /** True once the bound is spent. */
  readonly exhausted: boolean;
}

/**
 * A {@link SignatureMemo} for one validation.
 *
 * @param max - the most signatures verified.
 * @returns the memo.
 */
export function createSignatureMemo(max: number): SignatureMemo {
  const outcomes = new Map<string | object, Map<string, SignatureOutcome>>();
  let left = max;
  return {
    check(subject, keyId, parts, issuerKey, badCode) {
      let byKey = outcomes.get(subject);
      const known = byKey?.get(keyId);
      if (known !== undefined) return known;
      if (left <= 0) return undefined;
      left--;
      const sig = checkSignature(parts, issuerKey, badCode);
      if (byKey === undefined) {
        byKey = new Map();
        outcomes.set(subject, byKey);
      }
      byKey.set(keyId, sig);
      return sig;
    },
    get exhausted() {
      return left <= 0;
    },
  };
}
