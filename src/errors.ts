/**
 * Errors and their stable codes.
 *
 * Every code is a SCREAMING_SNAKE string with an area prefix. Codes are part of the public contract
 * (scripts, CI and middleware match on them): removing or renaming one is a breaking change. Every
 * code is listed with its meaning in `docs/errors.md`; a test keeps that file and this list in step.
 *
 * Messages are lower-case, name the field or position and the value, and never hold a PIN, key
 * bytes or payloads.
 */

/** Caller errors: bad arguments, bad options, I/O on the caller's side. */
export const ARG_CODES = [
  'ARG_INVALID',
  'ARG_MISSING',
  'ARG_IO',
] as const;

/** Encoding layer: charset, base64, DER. */
export const ENCODING_CODES = [
  'ENCODING_UNMAPPABLE_CHAR',
  'ENCODING_INVALID_BYTES',
  'ENCODING_UNSUPPORTED',
  'BASE64_INVALID',
  'DER_MALFORMED',
  'DER_TRAILING_BYTES',
  'DER_INDEFINITE_LENGTH',
  'DER_TOO_DEEP',
  'DER_TOO_LARGE',
] as const;

/** Strict XML reading (voucher and envelope). */
export const XML_CODES = [
  'XML_MALFORMED',
  'XML_DOCTYPE_FORBIDDEN',
  'XML_ENTITY_FORBIDDEN',
  'XML_COMMENT_FORBIDDEN',
  'XML_PI_FORBIDDEN',
  'XML_CDATA_FORBIDDEN',
  'XML_NAMESPACE_FORBIDDEN',
  'XML_MULTIPLE_ROOTS',
  'XML_TOO_LARGE',
  'XML_TOO_DEEP',
  'XML_TOO_MANY_NODES',
  'XML_ENCODING_MISMATCH',
  'XML_DUPLICATE_ELEMENT',
  'XML_UNKNOWN_ELEMENT',
  'XML_UNEXPECTED_ROOT',
  'XML_ATTRIBUTE_FORBIDDEN',
] as const;

/** Voucher catalogue, builder and business validation. */
export const VOUCHER_CODES = [
  'VOUCHER_INVALID',
  'VOUCHER_UNKNOWN_TYPE',
  'VOUCHER_RECEIPT_FIELD_FORBIDDEN',
] as const;

/** MOF exchange envelope. */
export const ENVELOPE_CODES = [
  'ENVELOPE_MALFORMED',
  'ENVELOPE_ATTRIBUTE_MISMATCH',
  'ENVELOPE_COUNT_MISMATCH',
  'ENVELOPE_DUPLICATE_VOUCHER',
  'ENVELOPE_TOO_MANY_VOUCHERS',
  'ENVELOPE_TOO_MANY_STAMPS',
  'ENVELOPE_STAMP_INVALID',
] as const;

/** Cryptographic algorithms and signatures. */
export const CRYPTO_CODES = [
  'CRYPTO_ALGORITHM_UNSUPPORTED',
  'CRYPTO_ALGORITHM_FORBIDDEN',
  'CRYPTO_KEY_INVALID',
  'CRYPTO_KEY_TOO_WEAK',
  'CRYPTO_SIGNATURE_MALFORMED',
  'CRYPTO_SIGN_FAILED',
] as const;

/** Key providers (software keys, PKCS#11 tokens). */
export const KEY_CODES = [
  'KEY_URI_INVALID',
  'KEY_FILE_UNREADABLE',
  'KEY_PASSWORD_REQUIRED',
  'KEY_PASSWORD_WRONG',
  'KEY_FORMAT_UNSUPPORTED',
  'KEY_CERT_MISMATCH',
  'KEY_NOT_FOUND',
  'KEY_CERT_NOT_FOUND',
  'KEY_MODULE_NOT_FOUND',
  'KEY_TOKEN_ABSENT',
  'KEY_PIN_REQUIRED',
  'KEY_PIN_INCORRECT',
  'KEY_PIN_LOCKED',
  'KEY_MECHANISM_UNSUPPORTED',
  'KEY_DEVICE_ERROR',
  'KEY_AMBIGUOUS',
  'KEY_PROVIDER_CLOSED',
] as const;

/** Certificates, trust and path validation. */
export const CERT_CODES = [
  'CERT_MALFORMED',
  'CERT_UNTRUSTED',
  'CERT_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_REVOCATION_UNKNOWN',
  'CERT_BAD_SIGNATURE',
  'CERT_NOT_CA',
  'CERT_PATHLEN',
  'CERT_KEY_USAGE',
  'CERT_NAME_CHAIN',
  'CERT_CHAIN_TOO_LONG',
  'CERT_UNKNOWN_CRITICAL_EXTENSION',
  'CERT_PARTY_MISSING',
  'CRL_MALFORMED',
  'CRL_BAD_SIGNATURE',
  'CRL_EXPIRED',
  'TRUST_NO_ANCHORS',
] as const;

/** Seal objects, seal formats and sealing. */
export const SEAL_CODES = [
  'SEAL_MALFORMED',
  'SEAL_VERSION_UNSUPPORTED',
  'SEAL_MISSING',
  'SEAL_TBS_MALFORMED',
  'SEAL_TBS_MISMATCH',
  'SEAL_CMS_MALFORMED',
  'SEAL_FORMAT_UNSUPPORTED',
  'SEAL_DIGEST_MISMATCH',
  'SEAL_SIGNATURE_INVALID',
  'SEAL_SIGNER_MISMATCH',
  'SEAL_TIME_MISMATCH',
  'SEAL_SCOPE_MISMATCH',
  'SEAL_SES_REQUIRES_SM2',
  'SEAL_OBJECT_REQUIRED',
  'SEAL_SIGNER_NOT_IN_SEAL',
  'SEAL_PERIOD_INVALID',
  'SEAL_RECEIPT_EXISTS',
  'SEAL_MAKER_SIGNATURE_INVALID',
  'SEAL_ALGORITHM_MISMATCH',
] as const;

/** Seal policy: positions, parties, order, completeness. */
export const POLICY_CODES = [
  'POLICY_INVALID',
  'POLICY_POSITION_UNKNOWN',
  'POLICY_POSITION_FORBIDDEN',
  'POLICY_PARTY_MISMATCH',
  'POLICY_ORG_MISMATCH',
  'POLICY_SEAL_TYPE_FORBIDDEN',
  'POLICY_FORMAT_FORBIDDEN',
  'POLICY_OUT_OF_SEQUENCE',
  'POLICY_POSITION_SEALED',
  'POLICY_VIEW_LOCKED',
  'POLICY_VIEW_MISMATCH',
  'POLICY_INCOMPLETE',
  'POLICY_RECEIPT_UNSEALED',
  'POLICY_MAKER_MISMATCH',
  'POLICY_DUPLICATE_POSITION',
] as const;

/** The verifier: checks that are not about one area (order, time, receipts) and internal failures. */
export const VERIFY_CODES = [
  'VERIFY_INTERNAL_ERROR',
  'VERIFY_SIGNING_TIME_ORDER',
  'VERIFY_SIGNING_TIME_AFTER_VALIDATION',
  'VERIFY_DUPLICATE_SEQUENCE',
  'VERIFY_ORIGINAL_MISSING',
  'VERIFY_REVOKED_AFTER_SIGNING',
  'VERIFY_SIGNING_TIME_UNKNOWN',
] as const;

/** Every stable error code. */
export const ERROR_CODES = [
  ...ARG_CODES,
  ...ENCODING_CODES,
  ...XML_CODES,
  ...VOUCHER_CODES,
  ...ENVELOPE_CODES,
  ...CRYPTO_CODES,
  ...KEY_CODES,
  ...CERT_CODES,
  ...SEAL_CODES,
  ...POLICY_CODES,
  ...VERIFY_CODES,
] as const;

/** A stable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Options of {@link EvoucherError}. */
export interface EvoucherErrorOptions {
  readonly cause?: unknown;
  readonly detail?: Readonly<Record<string, string>>;
}

/**
 * The one error class of the SDK: a stable `code`, a human message and Go-style `detail` facts.
 *
 * @example
 * try { buildVoucher('5201', data) } catch (e) { if (e instanceof EvoucherError) console.log(e.code) }
 */
export class EvoucherError extends Error {
  /** The stable code, e.g. `VOUCHER_INVALID`. */
  readonly code: ErrorCode;
  /** Facts about the failure (field names, values, positions); never secrets. */
  readonly detail: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options: EvoucherErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EvoucherError';
    this.code = code;
    this.detail = Object.freeze({ ...(options.detail ?? {}) });
  }
}

/** The stable codes, for checking a code given by a caller. */
const CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/**
 * True when `e` is an {@link EvoucherError} (optionally with the given code).
 *
 * @param e - anything caught.
 * @param code - a code of {@link ERROR_CODES}; when given, `e` must carry it.
 * @returns whether it is such an error.
 * @throws EvoucherError `ARG_INVALID` when `code` is given but is no code of {@link ERROR_CODES}: a misspelt code
 *   (`CERT_EXPRIED`) would answer false for every error.
 * @example
 * catch (e) { if (isEvoucherError(e, 'CERT_EXPIRED')) renew() }
 */
export function isEvoucherError(e: unknown, code?: ErrorCode): e is EvoucherError {
  if (code !== undefined && !CODES.has(code)) {
    throw new EvoucherError('ARG_INVALID', `isEvoucherError code '${String(code).slice(0, 64)}' is not an error code of ERROR_CODES`, { detail: { argument: 'code' } });
  }
  return e instanceof EvoucherError && (code === undefined || e.code === code);
}
