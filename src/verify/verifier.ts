/**
 * A verifier made once and used for many envelopes held in memory (a service receiving vouchers, a message
 * queue consumer, a command reading standard input): the options are checked and resolved when it is made,
 * not at every call. For files on disk and every core, see `createVerifierPool`.
 */
import { atCallTime, resolveOptions, type VerifyOptions } from './options.js';
import type { VerificationReport } from './report.js';
import { verifyEnvelopeSync, type verifyEnvelope } from './verify.js';

/** Verifies envelopes with options fixed when it was made; see {@link createVerifier}. */
export interface EnvelopeVerifier {
  /**
   * Verifies one envelope, as {@link verifyEnvelope} does with the verifier's options.
   *
   * @param bytes - the envelope bytes (GBK or UTF-8 per its declaration).
   * @returns one frozen report per VoucherBody (one INVALID report when the envelope itself cannot be read).
   * @throws EvoucherError `ARG_INVALID` only, when `bytes` is not a Uint8Array.
   */
  verify(bytes: Uint8Array): Promise<readonly VerificationReport[]>;
  /** The validation time of every call, or undefined when each call uses the time it is made. */
  readonly at: Date | undefined;
}

/**
 * Makes a verifier for many envelopes with the same options. The options are read once: the trust store,
 * policy, CRLs, intermediates and limits are checked and resolved here, and later changes to the caller's
 * arrays are not seen (make a new verifier when the CRLs change). With `at`, every call validates at that time;
 * without it, each call at the time it is made, as {@link verifyEnvelope} does.
 *
 * @param options - as for {@link verifyEnvelope}.
 * @returns the verifier.
 * @throws EvoucherError for misuse only: `TRUST_NO_ANCHORS`, `ARG_INVALID`, `CERT_MALFORMED` (an anchor or
 *   intermediate that is not a certificate), `POLICY_INVALID`.
 * @example
 * const verifier = createVerifier({ trust, crls })
 * for await (const message of queue) {
 *   const [report] = await verifier.verify(message.body)
 *   if (report?.status !== 'VALID') reject(message, report?.errors)
 * }
 */
export function createVerifier(options: VerifyOptions): EnvelopeVerifier {
  // The caller's CRL array is copied: what was checked is what is used (intermediates are parsed into a new
  // array by resolveOptions anyway).
  const resolved = resolveOptions(typeof options === 'object' && options !== null && Array.isArray(options.crls) ? Object.assign({}, options, { crls: [...options.crls] }) : options);
  const fixedAt = options.at;
  return Object.freeze({
    at: fixedAt === undefined ? undefined : new Date(resolved.at.getTime()),
    async verify(bytes: Uint8Array): Promise<readonly VerificationReport[]> {
      return verifyEnvelopeSync(bytes, atCallTime(resolved, fixedAt !== undefined));
    },
  });
}
