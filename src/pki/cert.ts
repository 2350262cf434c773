/**
 * X.509 certificate parsing (RFC 5280 §4).
 *
 * Design rationale: the certificate is walked with the strict DER reader of `encoding/der.ts`, which keeps the
 * received TBS slice, the signature bits and the names as they were encoded. Signatures are later verified
 * over that slice (never a re-encoding), and the extensions that decide trust (basicConstraints, keyUsage,
 * key identifiers) are decoded strictly here: a generic ASN.1 decoder that swallows a malformed
 * basicConstraints and carries on with defaults would hide exactly the inputs an attacker crafts.
 */
import { createHash } from 'node:crypto';
import { parsePublicKey, signatureAlgorithmFromOid } from '../crypto/index.js';
import type { PublicKeyInfo } from '../crypto/index.js';
import type { SignatureAlgorithm } from '../crypto/types.js';
import { bytesToHex, equalBytes } from '@noble/curves/utils.js';
import {
  DER_TAG,
  derChildren,
  derContextTag,
  expectDerTag,
  failDer,
  isDerError,
  isDerTag,
  readDerBitString,
  readDerBitStringOctets,
  readDerBoolean,
  readDerEnumerated,
  readDerIntegerBytes,
  readDerLazy,
  readDerOctetString,
  readDerOid,
  readDerSmallInteger,
} from '../encoding/der.js';
import { SizeTieredBytesMap } from '../encoding/bytes_map.js';
import type { DerLimits, DerNode } from '../encoding/der.js';
import { EvoucherError, isEvoucherError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { NAME_OID, attributeValues, parseName, parseTime } from './name.js';
import type { ParsedName } from './name.js';
import { CERTIFICATE_LABELS, derFromInput } from './pem.js';
import { PARTIES } from './types.js';
import type { CertificateInfo, ExtensionInfo, KeyUsageName, Party } from './types.js';

/** The largest certificate accepted, in bytes. */
export const MAX_CERTIFICATE_SIZE = 100_000;

/**
 * Reader limits of this module: X.509 and CRLs use no tag number above 30, and a single TLV may be as large as
 * the largest CRL accepted (`MAX_CRL_SIZE`, 8 MiB); the inputs are size-checked before reading.
 */
export const PKI_DER_LIMITS: Readonly<DerLimits> = Object.freeze({ maxTagNumber: 30, maxSize: 8 * 1024 * 1024 });

/** Bound of the small INTEGERs read here (versions, pathLenConstraint, reasonCode): six contents octets. */
const MAX_SMALL_INTEGER = 2 ** 47 - 1;

/** Extension OIDs this module understands (RFC 5280 §4.2.1). */
export const EXTENSION_OID = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  cRLNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
} as const;

/** The keyUsage named bits in bit order (RFC 5280 §4.2.1.3). */
export const KEY_USAGE_BITS: readonly KeyUsageName[] = Object.freeze([
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
]);

/** A signed X.509 object (certificate or CRL) cut into the parts a signature check needs. */
export interface SignedParts {
  /** The received TBS slice (header included), exactly as signed. */
  readonly tbs: Uint8Array;
  /** Dotted OID of the outer signatureAlgorithm. */
  readonly signatureOid: string;
  /** Raw parameters TLV of the signatureAlgorithm, when present. */
  readonly signatureParams?: Uint8Array;
  /** The allow-listed algorithm, or the coded error that refused it. */
  readonly algorithm: SignatureAlgorithm | EvoucherError;
  /** The signature bits (BIT STRING content after the unused-bits octet). */
  readonly signature: Uint8Array;
}

/** Internal view of a certificate: the public info plus what validation needs. */
export interface ParsedCertificate {
  readonly info: CertificateInfo;
  readonly signed: SignedParts;
  readonly subjectName: ParsedName;
  readonly issuerName: ParsedName;
  /** Extensions this module does not understand that are marked critical. */
  readonly unknownCritical: readonly string[];
  /** Extended key usage OIDs, when the extension is present. */
  readonly extKeyUsage?: readonly string[];
}

const cache = new WeakMap<CertificateInfo, ParsedCertificate>();
/**
 * Parsed certificates by their exact bytes (bounded, least recently used dropped first). A stream of vouchers
 * carries the same few sealer and CA certificates again and again; parsing them once saves most of the
 * per-seal certificate work. Only successful parses are kept, and a hit returns the same frozen object.
 *
 * What is parsed is untrusted (every certificate a stamp embeds, up to 64 KiB each), and a parsed certificate
 * whose names fill it takes 6 to 8 times its size in heap (each name as values, hex, text and comparison key):
 * 512 of any size kept about 1 GiB alive, filled by one envelope of hostile certificates. Certificates up to
 * {@link SMALL_CERTIFICATE_BYTES} (every ordinary one) go in a table of 512, longer ones in a table of 8.
 */
const MAX_PARSED_BY_BYTES = 512;
/** The largest certificate kept in the main table of parsed certificates; real ones are 0.5–2 KiB. */
const SMALL_CERTIFICATE_BYTES = 4096;
/** Parsed certificates over {@link SMALL_CERTIFICATE_BYTES} kept. */
const MAX_PARSED_LARGE = 8;
const byBytes = new SizeTieredBytesMap<ParsedCertificate>(MAX_PARSED_BY_BYTES, MAX_PARSED_LARGE, SMALL_CERTIFICATE_BYTES);

function malformed(message: string, cause?: unknown): EvoucherError {
  return new EvoucherError('CERT_MALFORMED', message, cause === undefined ? {} : { cause });
}

/**
 * The coded error for a fault met while decoding a certificate or CRL: coded errors of other layers keep their
 * code, DER faults and anything unexpected (a TextDecoder refusing a name) become `code`.
 */
export function decodingError(code: ErrorCode, what: string, e: unknown): EvoucherError {
  if (isEvoucherError(e) && !isDerError(e)) return e;
  const message = e instanceof Error ? e.message.replace(/^der: /, '') : String(e);
  return new EvoucherError(code, `${what} is malformed: ${message}`, { cause: e });
}

/** Reads an AlgorithmIdentifier: its OID and raw parameters. */
export function readAlgorithm(t: DerNode | undefined): { oid: string; params?: Uint8Array } {
  const [oidT, p] = derChildren(expectDerTag(t, DER_TAG.SEQUENCE, 'AlgorithmIdentifier'), 'AlgorithmIdentifier', 1, 2);
  const oid = readDerOid(oidT, 'AlgorithmIdentifier.algorithm');
  return p === undefined ? { oid } : { oid, params: p.raw };
}

/** Resolves a signature algorithm OID against the allow-list without throwing. */
export function resolveAlgorithm(oid: string, params: Uint8Array | undefined): SignatureAlgorithm | EvoucherError {
  try {
    return signatureAlgorithmFromOid(oid, params);
  } catch (e) {
    if (isEvoucherError(e)) return e;
    return new EvoucherError('CRYPTO_ALGORITHM_UNSUPPORTED', `signature algorithm ${oid} is not supported`, { cause: e });
  }
}

/**
 * Cuts a SIGNED{...} structure (Certificate or CertificateList) into TBS, algorithm and signature.
 * RFC 5280 §4.1.1.2 / §5.1.1.2: the inner and outer algorithm identifiers must be identical.
 */
export function readSignedParts(buf: Uint8Array): { tbsT: DerNode; tbsFields: readonly DerNode[]; parts: SignedParts; innerAlgIndex: number } {
  const outer = expectDerTag(readDerLazy(buf, PKI_DER_LIMITS), DER_TAG.SEQUENCE, 'SIGNED');
  const [tbsT, algT, sigT] = derChildren(outer, 'SIGNED (tbs, algorithm, signature)', 3, 3) as [DerNode, DerNode, DerNode];
  expectDerTag(tbsT, DER_TAG.SEQUENCE, 'tbs');
  expectDerTag(sigT, DER_TAG.BIT_STRING, 'signature');
  const alg = readAlgorithm(algT);
  const sig = readDerBitStringOctets(sigT, 'signature');
  const tbsFields = derChildren(tbsT, 'tbs', 0, 16);
  // The TBS signature field is the 3rd element of a certificate with an explicit version, else the 2nd;
  // for a CRL it follows the optional INTEGER version. Find the first SEQUENCE after the leading fields.
  const innerAlgIndex = tbsFields.slice(0, 3).findIndex((f) => isDerTag(f, DER_TAG.SEQUENCE));
  if (innerAlgIndex < 0) failDer('tbs has no signature algorithm', tbsT);
  if (!equalBytes((tbsFields[innerAlgIndex] as DerNode).raw, algT.raw)) failDer('inner and outer signature algorithms differ', algT);
  const parts: SignedParts = {
    tbs: tbsT.raw,
    signatureOid: alg.oid,
    ...(alg.params === undefined ? {} : { signatureParams: alg.params }),
    algorithm: resolveAlgorithm(alg.oid, alg.params),
    signature: sig,
  };
  return { tbsT, tbsFields, parts, innerAlgIndex };
}

/** An INTEGER as lower-case hex of its contents, rejecting non-minimal encodings (X.690 §8.3.2). */
export function integerHex(node: DerNode | undefined, what: string): string {
  return bytesToHex(readDerIntegerBytes(node, what));
}

/** A small non-negative INTEGER (at most six contents octets). */
export function smallInteger(node: DerNode | undefined, what: string): number {
  return readDerSmallInteger(node, what, 0, MAX_SMALL_INTEGER);
}

/** A small non-negative ENUMERATED (CRLReason). */
export function smallEnumerated(node: DerNode | undefined, what: string): number {
  return readDerEnumerated(node, what, 0, MAX_SMALL_INTEGER);
}

/** The one TLV an extension's OCTET STRING carries. */
export function extensionValue(v: Uint8Array): DerNode {
  return readDerLazy(v, PKI_DER_LIMITS);
}

interface RawExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/** Reads an Extensions SEQUENCE (RFC 5280 §4.1): rejects duplicates and an explicit DEFAULT FALSE. */
export function readExtensions(t: DerNode | undefined): RawExtension[] {
  const out: RawExtension[] = [];
  const seen = new Set<string>();
  for (const e of derChildren(expectDerTag(t, DER_TAG.SEQUENCE, 'Extensions'), 'Extensions', 1, 64)) {
    const parts = derChildren(expectDerTag(e, DER_TAG.SEQUENCE, 'Extension'), 'Extension', 2, 3);
    const oid = readDerOid(parts[0], 'Extension.extnID');
    let critical = false;
    if (parts.length === 3) {
      critical = readDerBoolean(parts[1], `extension ${oid} critical`);
      // X.690 §11.5: a DEFAULT value is never encoded in DER.
      if (!critical) failDer('extension encodes critical FALSE', parts[1]);
    }
    const value = readDerOctetString(parts[parts.length - 1], `extension ${oid} extnValue`);
    // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
    if (seen.has(oid)) failDer(`duplicate extension ${oid}`, e);
    seen.add(oid);
    out.push({ oid, critical, value });
  }
  return out;
}

function parseBasicConstraints(v: Uint8Array): { ca: boolean; pathLen?: number } {
  const parts = derChildren(expectDerTag(extensionValue(v), DER_TAG.SEQUENCE, 'basicConstraints'), 'basicConstraints', 0, 2);
  let i = 0;
  let ca = false;
  if (isDerTag(parts[i], DER_TAG.BOOLEAN)) {
    ca = readDerBoolean(parts[i], 'basicConstraints.cA');
    if (!ca) failDer('basicConstraints encodes cA FALSE', parts[i]);
    i++;
  }
  let pathLen: number | undefined;
  if (isDerTag(parts[i], DER_TAG.INTEGER)) {
    pathLen = smallInteger(parts[i], 'basicConstraints.pathLenConstraint');
    i++;
  }
  if (i !== parts.length) failDer('basicConstraints has unexpected fields', parts[i]);
  return pathLen === undefined ? { ca } : { ca, pathLen };
}

function parseKeyUsage(v: Uint8Array): KeyUsageName[] {
  const { unusedBits, bytes } = readDerBitString(extensionValue(v), 'keyUsage');
  if (bytes.length > 2) failDer('keyUsage too long');
  const out: KeyUsageName[] = [];
  const total = bytes.length * 8 - unusedBits;
  for (let bit = 0; bit < Math.min(total, KEY_USAGE_BITS.length); bit++) {
    if ((((bytes[bit >> 3] as number) >> (7 - (bit & 7))) & 1) === 1) out.push(KEY_USAGE_BITS[bit] as KeyUsageName);
  }
  return out;
}

function parseOctetString(v: Uint8Array, what: string): string {
  return bytesToHex(readDerOctetString(extensionValue(v), what));
}

/** AuthorityKeyIdentifier (RFC 5280 §4.2.1.1): returns the keyIdentifier [0], if any. */
export function parseAuthorityKeyIdentifier(v: Uint8Array): string | undefined {
  const fields = derChildren(expectDerTag(extensionValue(v), DER_TAG.SEQUENCE, 'authorityKeyIdentifier'), 'authorityKeyIdentifier', 0, 3);
  const keyId = fields.find((f) => isDerTag(f, derContextTag(0, false)));
  return keyId === undefined ? undefined : bytesToHex(keyId.value);
}

function parseExtKeyUsage(v: Uint8Array): string[] {
  const list = derChildren(expectDerTag(extensionValue(v), DER_TAG.SEQUENCE, 'extKeyUsage'), 'extKeyUsage', 0, 32);
  return list.map((c) => readDerOid(c, 'extKeyUsage entry'));
}

function singlePartyOu(subject: ParsedName): Party | undefined {
  // A subject with two different party OUs speaks for nobody: refusing to guess stops a certificate
  // that carries OU=dw and OU=cz from being accepted at both positions.
  const parties = new Set(
    attributeValues(subject, NAME_OID.organizationalUnit).filter((v): v is Party => (PARTIES as readonly string[]).includes(v)),
  );
  return parties.size === 1 ? ([...parties][0] as Party) : undefined;
}

function freezeDeep<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !(v instanceof Date)) freezeDeep(v as object);
  return Object.freeze(o);
}

function parseDer(der: Uint8Array): ParsedCertificate {
  if (der.length > MAX_CERTIFICATE_SIZE) throw malformed(`certificate larger than ${MAX_CERTIFICATE_SIZE} bytes`);
  // Keyed by the exact bytes (compared in full), least recently used dropped first.
  const known = byBytes.get(der);
  if (known !== undefined) return known;
  const bytes = new Uint8Array(der); // own copy: callers may reuse their buffer
  let info: CertificateInfo;
  let signed: SignedParts;
  let subjectName: ParsedName;
  let issuerName: ParsedName;
  const unknownCritical: string[] = [];
  let extKeyUsage: string[] | undefined;
  let spki: Uint8Array;
  try {
    const { tbsFields: f, parts, innerAlgIndex } = readSignedParts(bytes);
    signed = parts;
    let i = 0;
    let version = 1;
    if (isDerTag(f[0], derContextTag(0))) {
      version = smallInteger(derChildren(f[0] as DerNode, 'version', 1, 1)[0], 'version') + 1;
      // X.690 §11.5: v1 is the DEFAULT and must not be encoded.
      if (version < 2 || version > 3) failDer(`unsupported version ${version}`, f[0]);
      i = 1;
    }
    const serialT = f[i];
    const serialNumber = integerHex(serialT, 'serialNumber');
    if ((serialT as DerNode).length > 20) failDer('serial number longer than 20 octets', serialT); // RFC 5280 §4.1.2.2
    if (innerAlgIndex !== i + 1) failDer('signature algorithm out of place');
    const issuerT = f[i + 2];
    const validityT = f[i + 3];
    const subjectT = f[i + 4];
    const spkiT = f[i + 5];
    if (issuerT === undefined || validityT === undefined || subjectT === undefined || spkiT === undefined) {
      failDer('tbsCertificate is truncated');
    }
    issuerName = parseName(issuerT);
    subjectName = parseName(subjectT);
    const times = derChildren(expectDerTag(validityT, DER_TAG.SEQUENCE, 'validity'), 'validity', 2, 2);
    const notBefore = parseTime(times[0]);
    const notAfter = parseTime(times[1]);
    spki = expectDerTag(spkiT, DER_TAG.SEQUENCE, 'subjectPublicKeyInfo').raw;
    let rest = f.slice(i + 6);
    if (isDerTag(rest[0], derContextTag(1, false))) rest = rest.slice(1); // issuerUniqueID
    if (isDerTag(rest[0], derContextTag(2, false))) rest = rest.slice(1); // subjectUniqueID
    let extensions: RawExtension[] = [];
    if (isDerTag(rest[0], derContextTag(3))) {
      if (version !== 3) failDer('extensions in a certificate that is not v3', rest[0]);
      extensions = readExtensions(derChildren(rest[0] as DerNode, 'extensions', 1, 1)[0]);
      rest = rest.slice(1);
    }
    if (rest.length !== 0) failDer('unexpected fields in tbsCertificate', rest[0]);

    let isCa = false;
    let pathLen: number | undefined;
    let keyUsage: KeyUsageName[] = [];
    let hasKeyUsage = false;
    let ski: string | undefined;
    let aki: string | undefined;
    for (const e of extensions) {
      switch (e.oid) {
        case EXTENSION_OID.basicConstraints: {
          const bc = parseBasicConstraints(e.value);
          isCa = bc.ca;
          pathLen = bc.pathLen;
          // RFC 5280 §4.2.1.9: pathLenConstraint only makes sense with cA TRUE.
          if (pathLen !== undefined && !isCa) failDer('pathLenConstraint without cA');
          break;
        }
        case EXTENSION_OID.keyUsage:
          keyUsage = parseKeyUsage(e.value);
          hasKeyUsage = true;
          break;
        case EXTENSION_OID.subjectKeyIdentifier:
          ski = parseOctetString(e.value, 'subjectKeyIdentifier');
          break;
        case EXTENSION_OID.authorityKeyIdentifier:
          aki = parseAuthorityKeyIdentifier(e.value);
          break;
        case EXTENSION_OID.extKeyUsage:
          extKeyUsage = parseExtKeyUsage(e.value);
          break;
        case EXTENSION_OID.subjectAltName:
        case EXTENSION_OID.certificatePolicies:
          // Recognised but not interpreted; policies are not processed, so a critical one stays "unknown".
          if (e.critical && e.oid === EXTENSION_OID.certificatePolicies) unknownCritical.push(e.oid);
          break;
        default:
          if (e.critical) unknownCritical.push(e.oid);
      }
    }

    let publicKey: PublicKeyInfo;
    try {
      publicKey = parsePublicKey(spki);
    } catch (e) {
      // Keys off the allow-list (RSA < 2048, unknown curves) keep their crypto code.
      if (isEvoucherError(e)) throw e;
      throw malformed('subject public key is malformed', e);
    }
    const orgIds = attributeValues(subjectName, NAME_OID.organizationIdentifier);
    const cns = attributeValues(subjectName, NAME_OID.commonName);
    const party = singlePartyOu(subjectName);
    const extensionInfos: ExtensionInfo[] = extensions.map((e) => ({ oid: e.oid, critical: e.critical }));
    info = {
      der: bytes,
      subject: subjectName.text,
      issuer: issuerName.text,
      serialNumber,
      notBefore,
      notAfter,
      fingerprintSha256: createHash('sha256').update(bytes).digest('hex'),
      isCa,
      ...(pathLen === undefined ? {} : { pathLen }),
      keyUsage,
      hasKeyUsage,
      ...(party === undefined ? {} : { party }),
      ...(orgIds.length === 1 ? { organizationIdentifier: orgIds[0] as string } : {}),
      ...(cns.length > 0 ? { commonName: cns[cns.length - 1] as string } : {}),
      publicKey,
      signatureAlgorithm: parts.algorithm instanceof EvoucherError ? 'unknown' : parts.algorithm,
      signatureAlgorithmOid: parts.signatureOid,
      version,
      ...(ski === undefined ? {} : { subjectKeyIdentifier: ski }),
      ...(aki === undefined ? {} : { authorityKeyIdentifier: aki }),
      selfIssued: subjectName.key === issuerName.key,
      extensions: extensionInfos,
    };
  } catch (e) {
    throw decodingError('CERT_MALFORMED', 'certificate', e);
  }
  freezeDeep(info);
  const parsed: ParsedCertificate = Object.freeze({
    info,
    signed,
    subjectName,
    issuerName,
    unknownCritical: Object.freeze(unknownCritical),
    ...(extKeyUsage === undefined ? {} : { extKeyUsage: Object.freeze(extKeyUsage) }),
  });
  cache.set(info, parsed);
  byBytes.set(bytes, parsed);
  return parsed;
}

/**
 * Parses an X.509 certificate (DER, or PEM `CERTIFICATE`), SM2 certificates included.
 *
 * Parsing checks structure only (strict DER, matching inner/outer algorithms, no duplicate extensions,
 * well-formed basicConstraints/keyUsage); trust, validity and signatures are {@link validatePath}'s job.
 *
 * @param derOrPem - DER bytes, PEM bytes or a PEM string holding exactly one certificate
 * @returns frozen certificate facts
 * @throws EvoucherError `CERT_MALFORMED` on bad bytes; `CRYPTO_KEY_TOO_WEAK` / `CRYPTO_ALGORITHM_FORBIDDEN` /
 *   `CRYPTO_KEY_INVALID` when the subject key is off the allow-list
 * @example
 * const cert = parseCertificate(fs.readFileSync('fixtures/pki/p256/cz.cert.pem', 'utf8'));
 * cert.party; // 'cz'
 */
export function parseCertificate(derOrPem: Uint8Array | string): CertificateInfo {
  const der = derFromInput(derOrPem, CERTIFICATE_LABELS, 'CERT_MALFORMED');
  return parseDer(der).info;
}

/**
 * Internal: true when `c` is a {@link CertificateInfo} this module made (its facts and checks come from its own parse,
 * whatever happens to the object later); false for one built by hand, which is judged by its current bytes.
 */
export function isParsedCertificateInfo(c: object): boolean {
  return cache.has(c as CertificateInfo);
}

/** Internal: the parsed view of a certificate given as bytes or as a {@link CertificateInfo}. */
export function parsedCertificate(c: Uint8Array | string | CertificateInfo): ParsedCertificate {
  if (typeof c === 'object' && !(c instanceof Uint8Array)) {
    const hit = cache.get(c);
    if (hit !== undefined) return hit;
    // A CertificateInfo built by hand: trust nothing in it but its bytes.
    return parseDer(c.der);
  }
  return parseDer(derFromInput(c, CERTIFICATE_LABELS, 'CERT_MALFORMED'));
}
