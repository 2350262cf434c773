/**
 * Issuing certificates and CRLs (for the demo PKI and for tests).
 *
 * The structures are built with pkijs; the signature is made by the SDK's own `signMessage` over the TBS
 * DER that pkijs produced, and that exact TBS is then embedded (pkijs' WebCrypto signing cannot make SM2
 * signatures, and a second encoding could differ from the signed one). Every result is parsed back with
 * the strict parser before it is returned, so an issued object always passes {@link parseCertificate}.
 */
import { randomBytes, createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID, algorithmForKey, parsePublicKey, signMessage, signatureAlgorithmOid } from '../crypto/index.js';
import type { PrivateKeyMaterial, PublicKeyInfo } from '../crypto/index.js';
import { SIGNATURE_ALGORITHMS, type SignatureAlgorithm } from '../crypto/types.js';
import { EvoucherError } from '../errors.js';
import { EXTENSION_OID, KEY_USAGE_BITS, parseCertificate, parsedCertificate } from './cert.js';
import { NAME_OID } from './name.js';
import { parseCrl } from './revocation.js';
import type { CertificateInfo, Crl, KeyUsageName } from './types.js';

/** A name attribute type, by short name or dotted OID. */
export type NameAttributeType = 'C' | 'ST' | 'L' | 'O' | 'OU' | 'CN' | 'organizationIdentifier' | 'SERIALNUMBER' | (string & {});

/** A distinguished name as an ordered list of single-valued RDNs, most significant first (`C` before `CN`). */
export type NameSpec = readonly (readonly [NameAttributeType, string])[];

/** An extension given raw (for extensions this module does not model, and for tests). */
export interface RawExtensionSpec {
  readonly oid: string;
  readonly critical: boolean;
  /** The extnValue content (the DER of the extension value). */
  readonly value: Uint8Array;
}

/** The issuer of a certificate or CRL: its certificate and private key. */
export interface IssuerSpec {
  readonly certificate: Uint8Array | CertificateInfo;
  readonly key: PrivateKeyMaterial;
}

/** Options of {@link issueCertificate}. */
export interface IssueCertificateOptions {
  /** Subject name, most significant RDN first. */
  readonly subject: NameSpec;
  /** The subject public key (a PublicKeyInfo, or SPKI DER). */
  readonly publicKey: PublicKeyInfo | Uint8Array;
  /** The issuer; absent for a self-signed certificate, which is then signed with `selfSignKey`. */
  readonly issuer?: IssuerSpec;
  /** The subject's own private key, for a self-signed certificate. */
  readonly selfSignKey?: PrivateKeyMaterial;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Serial number as bytes (positive, at most 20 octets); random 16 octets when absent. */
  readonly serialNumber?: Uint8Array;
  /** basicConstraints cA (always written, critical). */
  readonly ca?: boolean;
  /** basicConstraints pathLenConstraint (CA only). */
  readonly pathLen?: number;
  /** Key-usage bits (written critical); no extension when absent. */
  readonly keyUsage?: readonly KeyUsageName[];
  /** Extended key usage OIDs (non-critical). */
  readonly extKeyUsage?: readonly string[];
  /** Signature algorithm; by default the one that fits the signing key (RSA keys sign PKCS#1 v1.5). */
  readonly algorithm?: SignatureAlgorithm;
  /** Write a different issuer name than the issuer certificate's subject (tests of broken name chaining). */
  readonly issuerNameOverride?: NameSpec;
  /** Further extensions, appended as given. */
  readonly extraExtensions?: readonly RawExtensionSpec[];
  /** Omit the subject/authority key identifiers. */
  readonly omitKeyIdentifiers?: boolean;
}

/** One revoked certificate of a CRL. */
export interface RevokedSpec {
  /** Serial number as lower-case hex of the INTEGER content (as in {@link CertificateInfo.serialNumber}). */
  readonly serialNumber: string;
  readonly revocationDate: Date;
  /** CRLReason (RFC 5280 §5.3.1), e.g. 1 keyCompromise. */
  readonly reason?: number;
}

/** Options of {@link issueCrl}. */
export interface IssueCrlOptions {
  readonly issuer: IssuerSpec;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly revoked?: readonly RevokedSpec[];
  /** cRLNumber; 1 when absent. */
  readonly crlNumber?: bigint;
  readonly algorithm?: SignatureAlgorithm;
}

const NAME_TYPES: Readonly<Record<string, string>> = {
  C: NAME_OID.country,
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: NAME_OID.organization,
  OU: NAME_OID.organizationalUnit,
  CN: NAME_OID.commonName,
  organizationIdentifier: NAME_OID.organizationIdentifier,
  SERIALNUMBER: '2.5.4.5',
};

/** The minimal content octets of a non-negative INTEGER (X.690 §8.3.2): a leading zero octet only before a high bit. */
function unsignedInteger(n: bigint): Uint8Array {
  let hex = n.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function ab(u: Uint8Array): ArrayBuffer {
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
}

function buildName(spec: NameSpec): pkijs.RelativeDistinguishedNames {
  if (spec.length === 0) throw new EvoucherError('ARG_INVALID', 'a name needs at least one attribute');
  // One attribute per RDN (pkijs would put them all in a single multi-valued RDN): build the Name
  // SEQUENCE OF SET OF AttributeTypeAndValue ourselves and hand pkijs the encoded form.
  const rdns: asn1js.Set[] = [];
  for (const [type, value] of spec) {
    const oid = NAME_TYPES[type] ?? (/^\d+(\.\d+)+$/.test(type) ? type : undefined);
    if (oid === undefined) throw new EvoucherError('ARG_INVALID', `unknown name attribute type '${type}'`);
    // RFC 5280 §4.1.2.4: countryName and serialNumber are PrintableString; everything else UTF8String.
    const printable = oid === NAME_OID.country || oid === '2.5.4.5';
    const atv = new pkijs.AttributeTypeAndValue({ type: oid, value: printable ? new asn1js.PrintableString({ value }) : new asn1js.Utf8String({ value }) });
    rdns.push(new asn1js.Set({ value: [atv.toSchema()] }));
  }
  const der = new asn1js.Sequence({ value: rdns }).toBER(false);
  return new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(der).result });
}

/** The issuer's subject Name, as encoded in its certificate (so name chaining is byte-exact). */
function rawSubjectName(issuer: CertificateInfo): pkijs.RelativeDistinguishedNames {
  const p = parsedCertificate(issuer);
  return new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(ab(p.subjectName.der)).result });
}

// RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
function buildTime(d: Date, option: string): pkijs.Time {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new EvoucherError('ARG_INVALID', `${option} must be a valid Date`, { detail: { option } });
  const whole = new Date(Math.floor(d.getTime() / 1000) * 1000);
  const type = whole.getUTCFullYear() < 2050 && whole.getUTCFullYear() >= 1950 ? pkijs.TimeType.UTCTime : pkijs.TimeType.GeneralizedTime;
  return new pkijs.Time({ type, value: whole });
}

function algorithmIdentifier(alg: SignatureAlgorithm): pkijs.AlgorithmIdentifier {
  const oid = signatureAlgorithmOid(alg);
  if (alg === 'rsa-pkcs1-sha256') return new pkijs.AlgorithmIdentifier({ algorithmId: oid, algorithmParams: new asn1js.Null() });
  if (alg === 'rsa-pss-sha256') {
    const sha256 = new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256, algorithmParams: new asn1js.Null() });
    const params = new pkijs.RSASSAPSSParams({
      hashAlgorithm: sha256,
      maskGenAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.mgf1, algorithmParams: sha256.toSchema() }),
      saltLength: 32,
    });
    return new pkijs.AlgorithmIdentifier({ algorithmId: oid, algorithmParams: params.toSchema() });
  }
  // RFC 5758 §3.2 and GM/T 0015: parameters absent for ECDSA and SM2.
  return new pkijs.AlgorithmIdentifier({ algorithmId: oid });
}

/**
 * RFC 7093 §2 method 1: the leftmost 160 bits of the SHA-256 of the subjectPublicKey BIT STRING value.
 *
 * @throws EvoucherError `ARG_INVALID` when `spki` is not a Uint8Array; `CRYPTO_KEY_INVALID` when it is no
 *   SubjectPublicKeyInfo.
 */
export function keyIdentifier(spki: Uint8Array): Uint8Array {
  if (!(spki instanceof Uint8Array)) throw new EvoucherError('ARG_INVALID', 'the public key must be SPKI DER bytes', { detail: { argument: 'spki' } });
  let info: pkijs.PublicKeyInfo;
  try {
    info = pkijs.PublicKeyInfo.fromBER(ab(spki));
  } catch (e) {
    throw new EvoucherError('CRYPTO_KEY_INVALID', 'not a SubjectPublicKeyInfo', { cause: e });
  }
  const bits = info.subjectPublicKey.valueBlock.valueHexView;
  return new Uint8Array(createHash('sha256').update(bits).digest().subarray(0, 20));
}

function keyUsageBitString(bits: readonly KeyUsageName[]): asn1js.BitString {
  let value = 0;
  for (const b of bits) {
    const i = KEY_USAGE_BITS.indexOf(b);
    if (i < 0) throw new EvoucherError('ARG_INVALID', `unknown key usage '${b}'`);
    value |= 1 << (15 - i);
  }
  if (value === 0) throw new EvoucherError('ARG_INVALID', 'keyUsage needs at least one bit');
  // X.690 §11.2.2: DER drops trailing zero bits of a named bit list.
  let used = 16;
  while (used > 0 && ((value >> (16 - used)) & 1) === 0) used--;
  const bytes = used > 8 ? [value >> 8, value & 0xff] : [value >> 8];
  return new asn1js.BitString({ valueHex: ab(Uint8Array.from(bytes)), unusedBits: bytes.length * 8 - used });
}

function ext(oid: string, critical: boolean, value: Uint8Array | ArrayBuffer): pkijs.Extension {
  return new pkijs.Extension({ extnID: oid, critical, extnValue: value instanceof Uint8Array ? ab(value) : value });
}

function randomSerial(): Uint8Array {
  const s = randomBytes(16);
  s[0] = ((s[0] as number) & 0x7f) | 0x40; // positive and minimal (RFC 5280 §4.1.2.2)
  return new Uint8Array(s);
}

function optionInvalid(fn: string, option: string, what: string): never {
  throw new EvoucherError('ARG_INVALID', `${fn} ${option} must be ${what}`, { detail: { option } });
}

/** A flag given as anything but `true` or `false` (`'yes'`, 1) was read as false without a word. */
function checkFlag(value: unknown, fn: string, option: string): void {
  if (value !== undefined && value !== true && value !== false) optionInvalid(fn, option, 'true or false, or left out');
}

/** An algorithm off the list (or `null`, read as the key's own) is the caller's error, whatever key signs. */
function checkAlgorithm(value: unknown, fn: string): void {
  if (value !== undefined && !(SIGNATURE_ALGORITHMS as readonly unknown[]).includes(value)) {
    optionInvalid(fn, 'algorithm', `one of ${SIGNATURE_ALGORITHMS.map((a) => `'${a}'`).join(', ')}, or left out for the key's own`);
  }
}

function signingKeyFor(options: IssueCertificateOptions, subjectKey: PublicKeyInfo): PrivateKeyMaterial {
  if (options.issuer !== undefined) return options.issuer.key;
  if (options.selfSignKey === undefined) throw new EvoucherError('ARG_MISSING', 'a self-signed certificate needs selfSignKey');
  if (Buffer.compare(options.selfSignKey.publicKey.spki, subjectKey.spki) !== 0) {
    throw new EvoucherError('ARG_INVALID', 'selfSignKey does not match the subject public key');
  }
  return options.selfSignKey;
}

/**
 * Issues an X.509 v3 certificate: built with pkijs, signed with the SDK's `signMessage` over the TBS DER
 * (SM2 with the default ID, ECDSA P-256, RSA PKCS#1 v1.5 or PSS).
 *
 * @param options - subject, key, issuer (or a self-signing key), validity, constraints and usages
 * @returns the parsed certificate (its `der` is the issued certificate)
 * @throws EvoucherError `ARG_INVALID` / `ARG_MISSING` for bad options (among them `ca` or `omitKeyIdentifiers` given
 *   as anything but `true` or `false`, an `algorithm` off the list, a `pathLen` that is not an integer from 0);
 *   `CRYPTO_*` when the key cannot sign
 * @example
 * const root = issueCertificate({ subject: [['C', 'CN'], ['CN', 'Demo Root']], publicKey: k.publicKey, selfSignKey: k,
 *   notBefore, notAfter, ca: true, keyUsage: ['keyCertSign', 'cRLSign'] });
 */
export function issueCertificate(options: IssueCertificateOptions): CertificateInfo {
  if (typeof options !== 'object' || options === null) throw new EvoucherError('ARG_INVALID', 'issueCertificate options must be an object');
  const fn = 'issueCertificate';
  checkFlag(options.ca, fn, 'ca');
  checkFlag(options.omitKeyIdentifiers, fn, 'omitKeyIdentifiers');
  checkAlgorithm(options.algorithm, fn);
  if (options.pathLen !== undefined && (!Number.isSafeInteger(options.pathLen) || options.pathLen < 0 || options.pathLen > 0x7fffffff)) optionInvalid(fn, 'pathLen', 'an integer from 0');
  if (options.serialNumber !== undefined && !(options.serialNumber instanceof Uint8Array)) optionInvalid(fn, 'serialNumber', 'a Uint8Array, or left out for a random one');
  if (options.extraExtensions !== undefined && !Array.isArray(options.extraExtensions)) optionInvalid(fn, 'extraExtensions', 'an array');
  for (const x of options.extraExtensions ?? []) {
    if (typeof x !== 'object' || x === null || typeof x.oid !== 'string' || (x.critical !== true && x.critical !== false) || !(x.value instanceof Uint8Array)) {
      optionInvalid(fn, 'extraExtensions', 'an array of { oid, critical: true or false, value: Uint8Array }');
    }
  }
  const subjectKey = options.publicKey instanceof Uint8Array ? parsePublicKey(options.publicKey) : options.publicKey;
  const signer = signingKeyFor(options, subjectKey);
  const alg = options.algorithm ?? algorithmForKey(signer.publicKey);
  const issuerCert = options.issuer === undefined ? undefined : parsedCertificate(options.issuer.certificate).info;
  if (options.pathLen !== undefined && options.ca !== true) throw new EvoucherError('ARG_INVALID', 'pathLen needs ca: true');
  const serial = options.serialNumber ?? randomSerial();
  if (serial.length === 0 || serial.length > 20 || (serial[0] as number) >= 0x80) {
    throw new EvoucherError('ARG_INVALID', 'serial number must be positive and at most 20 octets');
  }

  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: ab(serial) });
  cert.signature = algorithmIdentifier(alg);
  cert.subject = buildName(options.subject);
  cert.issuer =
    options.issuerNameOverride !== undefined
      ? buildName(options.issuerNameOverride)
      : issuerCert !== undefined
        ? rawSubjectName(issuerCert)
        : buildName(options.subject);
  cert.notBefore = buildTime(options.notBefore, 'notBefore');
  cert.notAfter = buildTime(options.notAfter, 'notAfter');
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(ab(subjectKey.spki));

  const extensions: pkijs.Extension[] = [];
  // RFC 5280 §4.2.1.9: basicConstraints, critical.
  const bc = new pkijs.BasicConstraints(options.ca === true ? { cA: true, ...(options.pathLen === undefined ? {} : { pathLenConstraint: options.pathLen }) } : {});
  extensions.push(ext(EXTENSION_OID.basicConstraints, true, bc.toSchema().toBER(false)));
  if (options.keyUsage !== undefined) extensions.push(ext(EXTENSION_OID.keyUsage, true, keyUsageBitString(options.keyUsage).toBER(false)));
  if (options.extKeyUsage !== undefined) {
    const eku = new pkijs.ExtKeyUsage({ keyPurposes: [...options.extKeyUsage] });
    extensions.push(ext(EXTENSION_OID.extKeyUsage, false, eku.toSchema().toBER(false)));
  }
  if (options.omitKeyIdentifiers !== true) {
    extensions.push(ext(EXTENSION_OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: ab(keyIdentifier(subjectKey.spki)) }).toBER(false)));
    const akiSource = issuerCert === undefined ? subjectKey.spki : issuerCert.publicKey.spki;
    const aki = new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: ab(keyIdentifier(akiSource)) }) });
    extensions.push(ext(EXTENSION_OID.authorityKeyIdentifier, false, aki.toSchema().toBER(false)));
  }
  for (const x of options.extraExtensions ?? []) extensions.push(ext(x.oid, x.critical, x.value));
  cert.extensions = extensions;

  const tbs = new Uint8Array(cert.encodeTBS().toBER(false));
  const signature = signMessage(alg, signer, tbs);
  cert.tbsView = tbs;
  cert.signatureAlgorithm = algorithmIdentifier(alg);
  cert.signatureValue = new asn1js.BitString({ valueHex: ab(signature) });
  const der = new Uint8Array(cert.toSchema(false).toBER(false));
  return parseCertificate(der);
}

/**
 * Issues an X.509 v2 CRL (complete, direct), built with pkijs and signed with the SDK's `signMessage`.
 *
 * @param options - issuer, update times, revoked serials, CRL number
 * @returns the parsed CRL
 * @throws EvoucherError `ARG_INVALID` for bad options (among them a `crlNumber` that is not a bigint from 0 to
 *   2^159 - 1, a `reason` that is no CRLReason, an `algorithm` off the list); `CRYPTO_*` when the key cannot sign
 * @example
 * const crl = issueCrl({ issuer: { certificate: ca, key: caKey }, thisUpdate, nextUpdate,
 *   revoked: [{ serialNumber: leaf.serialNumber, revocationDate, reason: 1 }] });
 */
export function issueCrl(options: IssueCrlOptions): Crl {
  if (typeof options !== 'object' || options === null) throw new EvoucherError('ARG_INVALID', 'issueCrl options must be an object');
  const fn = 'issueCrl';
  const issuer = options.issuer as { certificate?: unknown; key?: unknown } | null | undefined;
  if (typeof issuer !== 'object' || issuer === null || typeof issuer.key !== 'object' || issuer.key === null) optionInvalid(fn, 'issuer', 'an object of the issuer certificate and its key');
  checkAlgorithm(options.algorithm, fn);
  // RFC 5280 §5.2.3: a non-negative integer of at most 20 octets; a number beyond 2^53 lost its low digits.
  const crlNumber = options.crlNumber === undefined ? 1n : options.crlNumber;
  if (typeof crlNumber !== 'bigint' || crlNumber < 0n || crlNumber >= 1n << 159n) optionInvalid(fn, 'crlNumber', 'a bigint from 0 to 2^159 - 1');
  if (options.revoked !== undefined && !Array.isArray(options.revoked)) optionInvalid(fn, 'revoked', 'an array');
  for (const r of options.revoked ?? []) {
    if (typeof r !== 'object' || r === null) optionInvalid(fn, 'revoked[]', 'an object (serialNumber, revocationDate, reason)');
    // RFC 5280 §5.3.1: CRLReason 0..10, 7 unused.
    if (r.reason !== undefined && (!Number.isSafeInteger(r.reason) || r.reason < 0 || r.reason > 10 || r.reason === 7)) optionInvalid(fn, 'revoked[].reason', 'a CRLReason: an integer from 0 to 10 but 7');
  }
  const issuerCert = parsedCertificate(options.issuer.certificate).info;
  const alg = options.algorithm ?? algorithmForKey(options.issuer.key.publicKey);
  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1;
  crl.signature = algorithmIdentifier(alg);
  crl.issuer = rawSubjectName(issuerCert);
  crl.thisUpdate = buildTime(options.thisUpdate, 'thisUpdate');
  crl.nextUpdate = buildTime(options.nextUpdate, 'nextUpdate');
  const revoked = options.revoked ?? [];
  if (revoked.length > 0) {
    crl.revokedCertificates = revoked.map((r) => {
      if (!/^([0-9a-f]{2})+$/.test(r.serialNumber)) throw new EvoucherError('ARG_INVALID', 'revoked serial must be lower-case hex');
      const entry = new pkijs.RevokedCertificate({
        userCertificate: new asn1js.Integer({ valueHex: ab(new Uint8Array(Buffer.from(r.serialNumber, 'hex'))) }),
        revocationDate: buildTime(r.revocationDate, 'revocationDate'),
      });
      if (r.reason !== undefined) {
        entry.crlEntryExtensions = new pkijs.Extensions({
          extensions: [ext(EXTENSION_OID.reasonCode, false, new asn1js.Enumerated({ value: r.reason }).toBER(false))],
        });
      }
      return entry;
    });
  }
  const aki = new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: ab(keyIdentifier(issuerCert.publicKey.spki)) }) });
  crl.crlExtensions = new pkijs.Extensions({
    extensions: [
      ext(EXTENSION_OID.authorityKeyIdentifier, false, aki.toSchema().toBER(false)),
      ext(EXTENSION_OID.cRLNumber, false, new asn1js.Integer({ valueHex: ab(unsignedInteger(crlNumber)) }).toBER(false)),
    ],
  });
  // pkijs encodes the TBS fresh when asked with encodeFlag = true; that TBS is what gets signed.
  const draft = crl.toSchema(true) as asn1js.Sequence;
  const tbs = new Uint8Array((draft.valueBlock.value[0] as asn1js.Sequence).toBER(false));
  const signature = signMessage(alg, options.issuer.key, tbs);
  crl.tbsView = tbs;
  crl.signatureAlgorithm = algorithmIdentifier(alg);
  crl.signatureValue = new asn1js.BitString({ valueHex: ab(signature) });
  const der = new Uint8Array((crl.toSchema(false) as asn1js.Sequence).toBER(false));
  return parseCrl(der);
}
