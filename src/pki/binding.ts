/**
 * Who a certificate speaks for.
 *
 * A sealer certificate names its party in the subject `OU` (`dw` budget unit, `cz` finance bureau, `yh`
 * agent bank, `rh` PBOC treasury) and its organisation in the subject `organizationIdentifier`
 * (OID 2.5.4.97, X.520 §6.4.4). Both are subject attributes, so the issuing CA vouches for them with the
 * same signature that binds the key; no private extension is needed, and every X.509 tool shows them.
 * A policy can also pin a certificate by its SHA-256 fingerprint.
 *
 * These facts mean something only once the certificate's path is valid ({@link validatePath}): a
 * self-made certificate can claim any OU.
 */
import { createHash } from 'node:crypto';
import { EvoucherError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { PARTIES } from './types.js';
import type { CertificateInfo, Party } from './types.js';

/** What a policy requires of a certificate. Every given field must match; an empty binding matches nothing. */
export interface CertificateBinding {
  /** The party the certificate must speak for (subject OU). */
  readonly party?: Party;
  /** Allowed organisation identifiers (exact, case-sensitive match of the subject organizationIdentifier). */
  readonly organizationIdentifiers?: readonly string[];
  /** Allowed SHA-256 fingerprints of the certificate DER (hex, any case, ':' separators allowed). */
  readonly fingerprintsSha256?: readonly string[];
}

/** The outcome of {@link checkCertificateBinding}. The codes are the seal policy's, so a report reads the same either way. */
export interface BindingResult {
  readonly status: 'passed' | 'failed';
  readonly code?: ErrorCode;
  readonly message: string;
}

/** The identity facts of a certificate (frozen). */
export interface CertificateIdentity {
  readonly party?: Party;
  readonly organizationIdentifier?: string;
  readonly fingerprintSha256: string;
  readonly commonName?: string;
}

/**
 * True when `value` is a {@link Party} code.
 * @param value - any string
 * @returns whether it is `dw`, `cz`, `yh` or `rh`
 * @example
 * isParty('cz'); // true
 */
export function isParty(value: string): value is Party {
  return (PARTIES as readonly string[]).includes(value);
}

/**
 * The SHA-256 fingerprint of certificate bytes, lower-case hex (the form {@link CertificateInfo.fingerprintSha256} uses).
 * @param der - certificate DER
 * @returns 64 lower-case hex characters
 * @throws EvoucherError `ARG_INVALID` when `der` is not a Uint8Array
 * @example
 * certificateFingerprint(der) === parseCertificate(der).fingerprintSha256; // true
 */
export function certificateFingerprint(der: Uint8Array): string {
  if (!(der instanceof Uint8Array)) throw new EvoucherError('ARG_INVALID', 'certificate DER must be a Uint8Array', { detail: { argument: 'der' } });
  return createHash('sha256').update(der).digest('hex');
}

/**
 * Normalises a fingerprint written by a person or a tool (`AB:CD:...`, upper case) to lower-case hex.
 * @param fp - the fingerprint text
 * @returns 64 lower-case hex characters
 * @throws EvoucherError `ARG_INVALID` when it is not a SHA-256 fingerprint
 * @example
 * normalizeFingerprint('AB:CD:...'); // 'abcd...'
 */
export function normalizeFingerprint(fp: string): string {
  const hex = fp.replace(/[:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new EvoucherError('ARG_INVALID', 'a sha-256 fingerprint is 64 hex digits');
  return hex;
}

/**
 * The identity facts of a certificate: party, organisation, fingerprint and common name.
 * @param cert - a parsed certificate
 * @returns a frozen identity
 * @throws EvoucherError `ARG_INVALID` when `cert` is not a parsed certificate
 * @example
 * certificateIdentity(parseCertificate(pem)); // { party: 'cz', organizationIdentifier: 'cz:110101', ... }
 */
export function certificateIdentity(cert: CertificateInfo): CertificateIdentity {
  if (typeof cert !== 'object' || cert === null || typeof cert.fingerprintSha256 !== 'string') {
    throw new EvoucherError('ARG_INVALID', 'certificateIdentity needs a parsed certificate (parseCertificate)', { detail: { argument: 'cert' } });
  }
  const id: { -readonly [K in keyof CertificateIdentity]: CertificateIdentity[K] } = { fingerprintSha256: cert.fingerprintSha256 };
  if (cert.party !== undefined) id.party = cert.party;
  if (cert.organizationIdentifier !== undefined) id.organizationIdentifier = cert.organizationIdentifier;
  if (cert.commonName !== undefined) id.commonName = cert.commonName;
  return Object.freeze(id);
}

/**
 * Checks a certificate against what a policy requires of it (party, organisation, fingerprint pin).
 *
 * Codes: `CERT_PARTY_MISSING` (a party is required but the subject has no single party OU),
 * `POLICY_PARTY_MISMATCH` (another party), `POLICY_ORG_MISMATCH` (organizationIdentifier absent or not allowed),
 * `POLICY_POSITION_FORBIDDEN` (the certificate is not among the pinned fingerprints).
 *
 * @param cert - the certificate (its path must be validated separately)
 * @param binding - the requirements; each given field must match
 * @returns `passed`, or `failed` with the code of the first mismatch
 * @throws EvoucherError `ARG_INVALID` for an empty binding, a malformed fingerprint in it, or identifiers or
 *   fingerprints not given as an array of strings
 * @example
 * checkCertificateBinding(cert, { party: 'cz', organizationIdentifiers: ['cz:110101'] }).status; // 'passed'
 */
export function checkCertificateBinding(cert: CertificateInfo, binding: CertificateBinding): BindingResult {
  if (typeof binding !== 'object' || binding === null) throw new EvoucherError('ARG_INVALID', 'a certificate binding must be an object', { detail: { argument: 'binding' } });
  // One string would be matched as text (`'cz:110101'.includes('cz:1101')`), and `null` fail as a TypeError.
  for (const k of ['organizationIdentifiers', 'fingerprintsSha256'] as const) {
    const v: unknown = binding[k];
    if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
      throw new EvoucherError('ARG_INVALID', `a certificate binding's ${k} must be an array of strings`, { detail: { option: k } });
    }
  }
  if (binding.party === undefined && binding.organizationIdentifiers === undefined && binding.fingerprintsSha256 === undefined) {
    // An empty binding would accept anyone: refuse it as a usage error rather than pass it.
    throw new EvoucherError('ARG_INVALID', 'a certificate binding needs a party, organisation identifiers or fingerprints');
  }
  if (binding.party !== undefined) {
    if (!isParty(binding.party)) throw new EvoucherError('ARG_INVALID', `unknown party '${String(binding.party)}'`);
    if (cert.party === undefined) {
      return { status: 'failed', code: 'CERT_PARTY_MISSING', message: `certificate ${cert.subject} names no single party in its subject OU` };
    }
    if (cert.party !== binding.party) {
      return { status: 'failed', code: 'POLICY_PARTY_MISMATCH', message: `certificate speaks for '${cert.party}', '${binding.party}' required` };
    }
  }
  if (binding.organizationIdentifiers !== undefined) {
    const org = cert.organizationIdentifier;
    if (org === undefined || !binding.organizationIdentifiers.includes(org)) {
      return {
        status: 'failed',
        code: 'POLICY_ORG_MISMATCH',
        message: org === undefined ? `certificate ${cert.subject} has no single organizationIdentifier` : `organizationIdentifier '${org}' is not allowed here`,
      };
    }
  }
  if (binding.fingerprintsSha256 !== undefined) {
    const allowed = binding.fingerprintsSha256.map(normalizeFingerprint);
    if (!allowed.includes(cert.fingerprintSha256)) {
      return { status: 'failed', code: 'POLICY_POSITION_FORBIDDEN', message: `certificate fingerprint ${cert.fingerprintSha256} is not pinned here` };
    }
  }
  return { status: 'passed', message: `certificate ${cert.subject} matches the binding` };
}
