/**
 * CRLs (RFC 5280 §5) and the revocation check of one certificate at a time T (RFC 5280 §6.3, simplified:
 * complete CRLs issued directly by the certificate's issuer, no delta CRLs, no distribution-point scoping).
 *
 * Revocation is judged at the validation time T, not "now": a certificate revoked at or before T is
 * revoked; one revoked after T was still good at T (a seal made before the revocation stays valid,
 * security.md §1.13). A CRL only proves "not revoked at T" if it was still current at T
 * (`nextUpdate >= T`, or issued at or after T), and still spoke of the certificate: issued before it expired,
 * or carrying ExpiredCertsOnCRL (a CA may drop expired certificates from its lists, RFC 5280 §3.3); a stale
 * CRL can still prove a revocation. A revocation counts from the earlier of its revocationDate and
 * invalidityDate. An entry with reason removeFromCRL revokes nothing and never hides another entry for the
 * same serial; a CRL this implementation cannot use (delta, scoped, indirect) that lists the certificate, and
 * whose signature verifies with the issuer's key, leaves its revocation undecided rather than ignored.
 */
import { DER_TAG, derChildren, derContextTag, expectDerTag, failDer, isDerTag } from '../encoding/der.js';
import type { DerNode } from '../encoding/der.js';
import { EvoucherError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import {
  EXTENSION_OID,
  decodingError,
  extensionValue,
  integerHex,
  parseAuthorityKeyIdentifier,
  readExtensions,
  readSignedParts,
  smallEnumerated,
  smallInteger,
} from './cert.js';
import type { ParsedCertificate, SignedParts } from './cert.js';
import { parseName, parseTime } from './name.js';
import type { ParsedName } from './name.js';
import { derFromInput } from './pem.js';
import type { SignatureMemo, SignatureOutcome } from './signature.js';
import type { Crl, PathCheck, RevokedEntry } from './types.js';

/** The largest CRL accepted, in bytes. */
export const MAX_CRL_SIZE = 8 * 1024 * 1024;
/** The most entries a CRL may list. */
export const MAX_CRL_ENTRIES = 200_000;

/** CRLReason removeFromCRL (RFC 5280 §5.3.1): for delta CRLs only; a complete CRL carrying it is refused. */
const REASON_REMOVE_FROM_CRL = 8;
/** ExpiredCertsOnCRL (X.509), not in RFC 5280's profile. */
const EXPIRED_CERTS_ON_CRL = '2.5.29.60';

const CRL_EXTENSIONS_KNOWN = new Set<string>([EXTENSION_OID.cRLNumber, EXTENSION_OID.authorityKeyIdentifier]);
const ENTRY_EXTENSIONS_KNOWN = new Set<string>([EXTENSION_OID.reasonCode, EXTENSION_OID.invalidityDate]);

/** Internal view of a CRL. */
export interface ParsedCrl {
  readonly info: Crl;
  readonly signed: SignedParts;
  readonly issuerName: ParsedName;
  readonly bySerial: ReadonlyMap<string, RevokedEntry>;
}

const cache = new WeakMap<Crl, ParsedCrl>();

/** When a revocation takes effect: its revocationDate, or its invalidityDate when that is earlier. */
function revokedFrom(e: RevokedEntry): number {
  const r = e.revocationDate.getTime();
  return e.invalidityDate !== undefined && e.invalidityDate.getTime() < r ? e.invalidityDate.getTime() : r;
}

function freezeDeep<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !(v instanceof Date)) freezeDeep(v as object);
  return Object.freeze(o);
}

function parseCrlDer(input: Uint8Array): ParsedCrl {
  if (input.length > MAX_CRL_SIZE) throw new EvoucherError('CRL_MALFORMED', `crl larger than ${MAX_CRL_SIZE} bytes`);
  const bytes = new Uint8Array(input);
  try {
    const { tbsFields: f, parts, innerAlgIndex } = readSignedParts(bytes);
    if (f.length > 8) failDer('unexpected fields in tbsCertList');
    let i = 0;
    let version = 1;
    if (isDerTag(f[0], DER_TAG.INTEGER)) {
      version = smallInteger(f[0], 'version') + 1;
      if (version !== 2) failDer(`unsupported crl version ${version}`, f[0]);
      i = 1;
    }
    if (innerAlgIndex !== i) failDer('signature algorithm out of place');
    const issuerT = f[i + 1];
    const thisT = f[i + 2];
    if (issuerT === undefined || thisT === undefined) failDer('tbsCertList is truncated');
    const issuerName = parseName(issuerT);
    const thisUpdate = parseTime(thisT);
    let k = i + 3;
    let nextUpdate: Date | undefined;
    const maybeNext = f[k];
    if (isDerTag(maybeNext, DER_TAG.UTC_TIME) || isDerTag(maybeNext, DER_TAG.GENERALIZED_TIME)) {
      nextUpdate = parseTime(maybeNext);
      k++;
    }
    const unsupported: string[] = [];
    const revoked: RevokedEntry[] = [];
    let expiredCertsOnCrl: Date | undefined;
    const bySerial = new Map<string, RevokedEntry>();
    const listT = f[k];
    if (isDerTag(listT, DER_TAG.SEQUENCE)) {
      for (const e of derChildren(listT as DerNode, 'revokedCertificates', 0, MAX_CRL_ENTRIES)) {
        const ef = derChildren(expectDerTag(e, DER_TAG.SEQUENCE, 'crl entry'), 'crl entry', 2, 3);
        const serialNumber = integerHex(ef[0], 'userCertificate');
        const revocationDate = parseTime(ef[1]);
        let reason: number | undefined;
        let invalidityDate: Date | undefined;
        if (ef[2] !== undefined) {
          if (version !== 2) failDer('entry extensions in a v1 crl', ef[2]);
          for (const x of readExtensions(ef[2])) {
            if (x.oid === EXTENSION_OID.reasonCode) {
              // CRLReason ::= ENUMERATED
              reason = smallEnumerated(extensionValue(x.value), 'reasonCode');
            } else if (x.oid === EXTENSION_OID.invalidityDate) {
              // InvalidityDate ::= GeneralizedTime
              invalidityDate = parseTime(extensionValue(x.value));
            } else if (x.critical && !ENTRY_EXTENSIONS_KNOWN.has(x.oid)) {
              // e.g. certificateIssuer (indirect CRL), which this implementation does not process.
              unsupported.push(x.oid);
            }
          }
        }
        const entry: RevokedEntry = {
          serialNumber,
          revocationDate,
          ...(reason === undefined ? {} : { reason }),
          ...(invalidityDate === undefined ? {} : { invalidityDate }),
        };
        revoked.push(entry);
        // The earliest entry for a serial wins (from its invalidityDate when earlier). A removeFromCRL entry revokes
        // nothing and is never the one kept, so it cannot hide another entry for the serial: OpenSSL's CA writes
        // such entries into complete lists for certificates taken off hold (RFC 5280 §5.3.1 meant them for deltas).
        const prev = bySerial.get(serialNumber);
        if (reason !== REASON_REMOVE_FROM_CRL && (prev === undefined || revokedFrom(prev) > revokedFrom(entry))) bySerial.set(serialNumber, entry);
      }
      k++;
    }
    let crlNumber: string | undefined;
    let aki: string | undefined;
    const extWrap = f[k];
    if (isDerTag(extWrap, derContextTag(0))) {
      if (version !== 2) failDer('extensions in a v1 crl', extWrap);
      for (const x of readExtensions(derChildren(extWrap as DerNode, 'crlExtensions', 1, 1)[0])) {
        if (x.oid === EXTENSION_OID.cRLNumber) {
          crlNumber = BigInt('0x' + integerHex(extensionValue(x.value), 'cRLNumber')).toString(10);
        } else if (x.oid === EXTENSION_OID.authorityKeyIdentifier) {
          aki = parseAuthorityKeyIdentifier(x.value);
        } else if (x.oid === EXPIRED_CERTS_ON_CRL) {
          expiredCertsOnCrl = parseTime(extensionValue(x.value));
        } else if (x.critical && !CRL_EXTENSIONS_KNOWN.has(x.oid)) {
          // issuingDistributionPoint, deltaCRLIndicator...: scoped or delta CRLs are not used.
          unsupported.push(x.oid);
        }
      }
      k++;
    }
    if (k !== f.length) failDer('unexpected fields in tbsCertList', f[k]);
    const info: Crl = {
      der: bytes,
      issuer: issuerName.text,
      thisUpdate,
      ...(nextUpdate === undefined ? {} : { nextUpdate }),
      revoked,
      ...(crlNumber === undefined ? {} : { crlNumber }),
      ...(aki === undefined ? {} : { authorityKeyIdentifier: aki }),
      signatureAlgorithm: parts.algorithm instanceof EvoucherError ? 'unknown' : parts.algorithm,
      unsupportedCriticalExtensions: [...new Set(unsupported)],
      ...(expiredCertsOnCrl === undefined ? {} : { expiredCertsOnCrl }),
    };
    freezeDeep(info);
    const parsed: ParsedCrl = Object.freeze({ info, signed: parts, issuerName, bySerial });
    cache.set(info, parsed);
    return parsed;
  } catch (e) {
    throw decodingError('CRL_MALFORMED', 'crl', e);
  }
}

/**
 * Parses an X.509 CRL (DER, or PEM `X509 CRL`). The signature is not checked here: {@link validatePath}
 * checks it against the issuer certificate it finds for each certificate of the chain.
 *
 * @param derOrPem - DER bytes, PEM bytes or a PEM string holding exactly one CRL
 * @returns frozen CRL facts
 * @throws EvoucherError `CRL_MALFORMED` on bad bytes
 * @example
 * const crl = parseCrl(fs.readFileSync('fixtures/pki/p256/ca.crl.pem', 'utf8'));
 */
export function parseCrl(derOrPem: Uint8Array | string): Crl {
  return parseCrlDer(derFromInput(derOrPem, ['X509 CRL'], 'CRL_MALFORMED')).info;
}

/** Internal: true when `crl` is a {@link Crl} this module made (used through its own parse); false for one built by hand. */
export function isParsedCrl(crl: object): boolean {
  return cache.has(crl as Crl);
}

/** Internal: the parsed view of a CRL object. */
export function parsedCrl(crl: Crl): ParsedCrl {
  return cache.get(crl) ?? parseCrlDer(crl.der);
}

/** What {@link checkRevocation} needs from its caller. */
export interface RevocationContext {
  readonly at: Date;
  readonly requireRevocation: boolean;
  /**
   * The signature checks of this validation: each list is verified once per issuer key (SPKI bytes) however many
   * candidate paths ask, so a stamp's look-alike CAs cannot spend the bound on it.
   */
  readonly signatures: SignatureMemo;
}

/** The signature of `c` checked with the key of `issuer`, once per validation; undefined when the bound is spent. */
function crlSignature(c: ParsedCrl, issuer: ParsedCertificate, ctx: RevocationContext): SignatureOutcome | undefined {
  const spki = issuer.info.publicKey.spki;
  const keyId = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString('latin1');
  return ctx.signatures.check(c, keyId, c.signed, issuer.info.publicKey, 'CRL_BAD_SIGNATURE');
}

/**
 * The revocation check of `cert`, issued by `issuer`, at `ctx.at` (RFC 5280 §6.3.3, complete CRLs only).
 * @returns one {@link PathCheck} named `revocation`
 */
export function checkRevocation(cert: ParsedCertificate, issuer: ParsedCertificate, crls: readonly ParsedCrl[], ctx: RevocationContext): PathCheck {
  const subject = cert.info.subject;
  // Each outcome written out in one key order (a leading spread of a base object would give every result a new
  // hidden class on Node 20: docs/performance.md).
  const outcome = (status: PathCheck['status'], message: string, code?: ErrorCode): PathCheck =>
    code === undefined ? { check: 'revocation', certificate: subject, status, message } : { check: 'revocation', certificate: subject, status, code, message };
  const at = ctx.at.getTime();
  // RFC 5280 §6.3.3(b): the CRL issuer is the certificate issuer (no indirect CRLs); the key identifiers,
  // when both present, pick the right key of a CA that re-keyed under the same name.
  const candidates = crls.filter(
    (c) =>
      c.issuerName.key === cert.issuerName.key &&
      !(c.info.authorityKeyIdentifier !== undefined && issuer.info.subjectKeyIdentifier !== undefined && c.info.authorityKeyIdentifier !== issuer.info.subjectKeyIdentifier),
  );
  const unknown = (message: string): PathCheck =>
    ctx.requireRevocation
      ? outcome('indeterminate', message, 'CERT_REVOCATION_UNKNOWN')
      : outcome('skipped', message);
  if (candidates.length === 0) return unknown(`no crl from issuer ${issuer.info.subject}`);

  const usable: ParsedCrl[] = [];
  const problems: string[] = [];
  let badSignature = false;
  // RFC 5280 §6.3.3(f): the CRL signer must be allowed to sign CRLs.
  if (issuer.info.hasKeyUsage && !issuer.info.keyUsage.includes('cRLSign')) {
    return unknown(`issuer ${issuer.info.subject} has no cRLSign key usage; its crls are not used`);
  }
  for (const c of candidates) {
    if (c.info.unsupportedCriticalExtensions.length > 0) {
      problems.push(`crl has unsupported critical extensions ${c.info.unsupportedCriticalExtensions.join(', ')}`);
      continue;
    }
    const sig = crlSignature(c, issuer, ctx);
    if (sig === undefined) {
      return outcome('indeterminate', 'signature-check budget exhausted while checking crls', 'CERT_CHAIN_TOO_LONG');
    }
    if (!sig.ok) {
      badSignature = true;
      problems.push(`crl signature: ${sig.message}`);
      continue;
    }
    usable.push(c);
  }
  if (usable.length === 0) {
    // A CRL that claims to come from the issuer but does not verify proves nothing either way; it is
    // reported as indeterminate even when revocation is optional, because someone fed us a forged list.
    if (badSignature) return outcome('indeterminate', problems.join('; '), 'CRL_BAD_SIGNATURE');
    return unknown(problems.join('; '));
  }
  let revokedLater: Date | undefined;
  for (const c of usable) {
    const e = c.bySerial.get(cert.info.serialNumber);
    if (e === undefined) continue;
    const from = revokedFrom(e);
    if (from <= at) {
      const since = from < e.revocationDate.getTime() ? `, its key compromised since ${new Date(from).toISOString()} (invalidityDate)` : '';
      return outcome('failed', `revoked at ${e.revocationDate.toISOString()}${e.reason === undefined ? '' : ` (reason ${e.reason})`}${since}, at or before ${ctx.at.toISOString()}`, 'CERT_REVOKED');
    }
    if (revokedLater === undefined || from < revokedLater.getTime()) revokedLater = new Date(from);
  }
  // A list this implementation cannot use (delta, scoped or indirect: an unsupported critical extension) that
  // names the certificate as revoked at or before T is evidence it may be: never ignored for a base list that
  // does not name it. One that names a revocation after T says, as a usable one would, that it was good at T.
  // Only a list the issuer signed is evidence: a forged one is ignored, as a forged complete list is.
  let unusableListing: ParsedCrl | undefined;
  for (const c of candidates) {
    const e = c.info.unsupportedCriticalExtensions.length > 0 ? c.bySerial.get(cert.info.serialNumber) : undefined;
    if (e === undefined || revokedFrom(e) > at) continue;
    const sig = crlSignature(c, issuer, ctx);
    if (sig === undefined) {
      return outcome('indeterminate', 'signature-check budget exhausted while checking crls', 'CERT_CHAIN_TOO_LONG');
    }
    if (sig.ok) {
      unusableListing = c;
      break;
    }
  }
  if (unusableListing !== undefined) {
    return outcome(
      'indeterminate',
      `a crl from ${issuer.info.subject} that this verifier cannot use (unsupported critical extensions ${unusableListing.info.unsupportedCriticalExtensions.join(', ')}: a delta, scoped or indirect crl) lists the certificate`,
      'CERT_REVOCATION_UNKNOWN',
    );
  }
  // A list that names a revocation after T shows the certificate was still good at T, whatever else it says.
  if (revokedLater !== undefined) return outcome('passed', `not revoked at ${ctx.at.toISOString()} (revoked later, from ${revokedLater.toISOString()})`);
  const isCurrent = (c: ParsedCrl): boolean => (c.info.nextUpdate !== undefined ? c.info.nextUpdate.getTime() >= at : c.info.thisUpdate.getTime() >= at);
  // RFC 5280 §3.3: a CA may drop a certificate from its lists once it has expired, so a list issued after the
  // expiry says nothing of it unless it declares that it keeps expired certificates (ExpiredCertsOnCRL).
  const notAfter = cert.info.notAfter.getTime();
  const speaksOf = (c: ParsedCrl): boolean =>
    c.info.thisUpdate.getTime() <= notAfter || (c.info.expiredCertsOnCrl !== undefined && c.info.expiredCertsOnCrl.getTime() <= notAfter);
  if (!usable.some((c) => isCurrent(c) && speaksOf(c))) {
    if (usable.some(isCurrent)) {
      const message = `every crl from ${issuer.info.subject} current at ${ctx.at.toISOString()} was issued after the certificate expired (${cert.info.notAfter.toISOString()}) without ExpiredCertsOnCRL: its CA may have dropped it (RFC 5280 §3.3), so the list does not show it was not revoked`;
      return unknown(message);
    }
    const message = `every crl from ${issuer.info.subject} was stale at ${ctx.at.toISOString()}`;
    return outcome(ctx.requireRevocation ? 'indeterminate' : 'skipped', message, 'CRL_EXPIRED');
  }
  return outcome('passed', 'not revoked');
}
