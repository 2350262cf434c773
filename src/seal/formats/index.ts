/**
 * The seal formats behind one interface: parse a stored stamp, check it against the recomputed
 * to-be-sealed structure, and the facts a verifier needs (signer certificate, signing time, digest
 * algorithm, seal object).
 */
import type { Digester } from '../../crypto/digest_memo.js';
import { digest } from '../../crypto/hash.js';
import type { HashAlgorithm, SignatureAlgorithm } from '../../crypto/types.js';
import { EvoucherError } from '../../errors.js';
import { checkCmsStamp, parseCmsStamp, type CmsStamp } from './cms.js';
import { checkSesStamp, parseSesStamp, type SesStamp } from './ses.js';
import type { SealCheck } from './types.js';
import type { TbsFields } from '../tbs.js';

export type { SealCheck, SealCheckStatus } from './types.js';
export { CMS_OID, MAX_CMS_CERTIFICATES, MAX_STAMP_BYTES, checkCmsStamp, makeCmsStamp, parseCmsStamp } from './cms.js';
export type { CmsStamp, MakeCmsStampOptions } from './cms.js';
export { checkSesStamp, makeSesStamp, parseSesStamp, sesPropertyInfo } from './ses.js';
export type { MakeSesStampOptions, SesScope, SesStamp } from './ses.js';

/** A parsed stamp of either format. */
export type ParsedStamp = CmsStamp | SesStamp;

/** The facts every parsed stamp offers, whatever its format. */
export interface StampFacts {
  readonly format: 'ses' | 'cms';
  readonly digestAlgorithm: HashAlgorithm;
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly signerCertificate: Uint8Array;
  /** Certificates the stamp carries (untrusted; intermediates at most). */
  readonly certificates: readonly Uint8Array[];
  readonly signingTime: Date;
  /** `ses`: the embedded seal object, its esID and its maker's certificate. */
  readonly sealObject?: { readonly esId: string; readonly bytes: Uint8Array; readonly makerCertificate: Uint8Array };
}

/**
 * Parses a stored stamp by its `Format`.
 *
 * @param entry - the stamp's format and bytes (a `StampEntry`).
 * @returns the parsed stamp.
 * @throws EvoucherError `SEAL_FORMAT_UNSUPPORTED`, and the format parser's codes (`SEAL_CMS_MALFORMED`,
 *   `SEAL_MALFORMED`, `CRYPTO_ALGORITHM_*`).
 * @example
 * const stamp = parseStamp(body.stamps[0])
 */
export function parseStamp(entry: { readonly format: string; readonly bytes: Uint8Array }): ParsedStamp {
  if (entry.format === 'cms') return parseCmsStamp(entry.bytes);
  if (entry.format === 'ses') return parseSesStamp(entry.bytes);
  throw new EvoucherError('SEAL_FORMAT_UNSUPPORTED', `seal format '${entry.format.slice(0, 16)}' is not supported`, {
    detail: { format: entry.format.slice(0, 16) },
  });
}

/**
 * The format-independent facts of a parsed stamp.
 *
 * @param stamp - from {@link parseStamp}.
 * @returns signer certificate, time, algorithms, carried certificates and (ses) seal object.
 * @example
 * stampFacts(parseStamp(entry)).signingTime
 */
export function stampFacts(stamp: ParsedStamp): StampFacts {
  return {
    format: stamp.format,
    digestAlgorithm: stamp.digestAlgorithm,
    signatureAlgorithm: stamp.signatureAlgorithm,
    signerCertificate: stamp.signerCertificate,
    certificates: stamp.certificates,
    signingTime: stamp.signingTime,
    ...(stamp.format === 'ses' ? { sealObject: stamp.sealObject } : {}),
  };
}

/**
 * Checks a parsed stamp against the recomputed to-be-sealed structure (digest, signature over the received
 * bytes, signer binding; `ses` also the carried structure and the seal's certList). Never throws.
 *
 * @param stamp - from {@link parseStamp}.
 * @param tbs - the recomputed `EvoucherTbs` DER.
 * @param hash - the digest function (default `digest`; the verifier remembers the digests of one body).
 * @param fields - the recomputed structure's fields, when the caller has them (spares decoding the carried one).
 * @returns the checks, in order.
 * @example
 * checkStamp(stamp, der).every((c) => c.status === 'passed')
 */
export function checkStamp(stamp: ParsedStamp, tbs: Uint8Array, hash: Digester = digest, fields?: TbsFields): readonly SealCheck[] {
  return stamp.format === 'ses' ? checkSesStamp(stamp, tbs, hash, fields) : checkCmsStamp(stamp, tbs, hash);
}
