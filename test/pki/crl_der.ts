/**
 * Test helper: CRLs written field by field in DER and signed by the demo P-256 sealer CA, for the entries and
 * extensions `issueCrl` does not write (duplicate serials, invalidityDate, deltaCRLIndicator,
 * ExpiredCertsOnCRL, removeFromCRL).
 */
import { algorithmForKey, importPrivateKey, signatureAlgorithmOid, signMessage } from '../../src/crypto/index.js';
import { derBitString, derBoolean, derContextTag, derEnumerated, derExplicit, derGeneralizedTime, derInteger, derOctetString, derOid, derSequence, derTlv, derUtcTime } from '../../src/encoding/der.js';
import { parseCertificate, type CertificateInfo } from '../../src/pki/index.js';
import { parsedCertificate } from '../../src/pki/cert.js';
import { manifest, pkiText } from '../verify/helpers.js';

const role = manifest.roles['ca-p256'];
/** The demo P-256 sealer CA, issuer of the demo P-256 sealers. */
export const CA_P256: CertificateInfo = parseCertificate(pkiText(role?.cert ?? ''));
const CA_KEY = importPrivateKey(pkiText(role?.key ?? ''), { password: manifest.password });

/** One extension: OID, critical flag when true, the DER value. */
export function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return derSequence(derOid(oid), ...(critical ? [derBoolean(true)] : []), derOctetString(value));
}
export const reason = (code: number): Uint8Array => extension('2.5.29.21', false, derEnumerated(code));
export const invalidityDate = (d: Date): Uint8Array => extension('2.5.29.24', false, derGeneralizedTime(d));
export const deltaCrlIndicator = (baseCrlNumber: number): Uint8Array => extension('2.5.29.27', true, derInteger(baseCrlNumber));
export const expiredCertsOnCrl = (d: Date): Uint8Array => extension('2.5.29.60', false, derGeneralizedTime(d));

/** A CRL entry: the serial (lower-case hex, as `CertificateInfo.serialNumber`), the date, entry extensions. */
export interface Entry {
  readonly serial: string;
  readonly date: Date;
  readonly extensions?: readonly Uint8Array[];
}

/**
 * The DER of a v2 CRL of the demo P-256 sealer CA, with its authorityKeyIdentifier and cRLNumber and any other
 * extensions, signed with the CA's key.
 */
export function crlDer(o: { thisUpdate: Date; nextUpdate: Date; entries?: readonly Entry[]; extensions?: readonly Uint8Array[]; crlNumber?: number }): Uint8Array {
  const alg = algorithmForKey(CA_KEY.publicKey);
  const algId = derSequence(derOid(signatureAlgorithmOid(alg)));
  const aki = extension('2.5.29.35', false, derSequence(derTlv(derContextTag(0, false), Buffer.from(CA_P256.subjectKeyIdentifier ?? '', 'hex'))));
  const entries = o.entries ?? [];
  const tbs = derSequence(
    derInteger(1),
    algId,
    parsedCertificate(CA_P256).subjectName.der,
    derUtcTime(o.thisUpdate),
    derUtcTime(o.nextUpdate),
    ...(entries.length === 0
      ? []
      : [derSequence(...entries.map((e) => derSequence(derInteger(BigInt(`0x${e.serial}`)), derUtcTime(e.date), ...(e.extensions === undefined ? [] : [derSequence(...e.extensions)]))))]),
    derExplicit(0, derSequence(aki, extension('2.5.29.20', false, derInteger(o.crlNumber ?? 1)), ...(o.extensions ?? []))),
  );
  return derSequence(tbs, algId, derBitString(signMessage(alg, CA_KEY, tbs)));
}
