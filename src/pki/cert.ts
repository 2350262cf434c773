/**
 * X.509 certificate parsing (RFC 5280 §4).
 *
 * Design rationale: the certificate is walked with the strict DER reader of `der.ts`, which keeps the
 * received TBS slice, the signature bits and the names as they were encoded. Signatures are later verified
 * over that slice (never a re-encoding), and the extensions that decide trust (basicConstraints, keyUsage,
 * key identifiers) are decoded strictly here: a generic ASN.1 decoder that swallows a malformed
 * basicConstraints and carries on with defaults would hide exactly the inputs an attacker crafts.
 */
import { createHash } from 'node:crypto';
import { parsePublicKey, signatureAlgorithmFromOid } from '../crypto/index.js';
import type { PublicKeyInfo } from '../crypto/index.js';
import type { SignatureAlgorithm } from '../crypto/types.js';
import { EvoucherError, isEvoucherError } from '../errors.js';
import {
  DerError,
  TAG,
  bitStringBytes,
  children,
  content,
  decodeOid,
  expectTlv,
  raw,
  readSingle,
  readTlv,
  toHex,
} from './der.js';
import type { Tlv } from './der.js';
import { NAME_OID, attributeValues, parseName, parseTime } from './name.js';
import type { ParsedName } from './name.js';
import { derFromInput } from './pem.js';
import { PARTIES } from './types.js';
import type { CertificateInfo, ExtensionInfo, KeyUsageName, Party } from './types.js';

/** The largest certificate accepted, in bytes. */
export const MAX_CERTIFICATE_SIZE = 100_000;

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

const KEY_USAGE_BITS: readonly KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

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
 */
const MAX_PARSED_BY_BYTES = 512;
const byBytes = new Map<string, ParsedCertificate>();

function malformed(message: string, cause?: unknown): EvoucherError {
  return new EvoucherError('CERT_MALFORMED', message, cause === undefined ? {} : { cause });
}

/** Reads an AlgorithmIdentifier TLV: its OID and raw parameters. */
export function readAlgorithm(buf: Uint8Array, t: Tlv): { oid: string; params?: Uint8Array } {
  if (t.tag !== TAG.sequence) throw new DerError('algorithm identifier is not a SEQUENCE');
  const oidT = expectTlv(buf, t.contentStart, t.end, TAG.oid, 'algorithm');
  const oid = decodeOid(content(buf, oidT));
  if (oidT.end === t.end) return { oid };
  const p = readTlv(buf, oidT.end, t.end);
  if (p.end !== t.end) throw new DerError('trailing data in algorithm identifier');
  return { oid, params: raw(buf, p) };
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
export function readSignedParts(buf: Uint8Array): { outer: Tlv; tbsT: Tlv; parts: SignedParts; innerAlgIndex: number } {
  const outer = readSingle(buf);
  if (outer.tag !== TAG.sequence) throw new DerError('not a SEQUENCE');
  const top = children(buf, outer, 4);
  if (top.length !== 3) throw new DerError('expected three elements (tbs, algorithm, signature)');
  const [tbsT, algT, sigT] = top as [Tlv, Tlv, Tlv];
  if (tbsT.tag !== TAG.sequence) throw new DerError('tbs is not a SEQUENCE');
  if (sigT.tag !== TAG.bitString) throw new DerError('signature is not a BIT STRING');
  const alg = readAlgorithm(buf, algT);
  const sig = bitStringBytes(content(buf, sigT), true);
  const tbsChildren = children(buf, tbsT, 16);
  // The TBS signature field is the 3rd element of a certificate with an explicit version, else the 2nd;
  // for a CRL it follows the optional INTEGER version. Find the first SEQUENCE after the leading fields.
  let innerAlgIndex = -1;
  for (let i = 0; i < Math.min(3, tbsChildren.length); i++) {
    if ((tbsChildren[i] as Tlv).tag === TAG.sequence) {
      innerAlgIndex = i;
      break;
    }
  }
  if (innerAlgIndex < 0) throw new DerError('tbs has no signature algorithm');
  const inner = tbsChildren[innerAlgIndex] as Tlv;
  if (Buffer.compare(raw(buf, inner), raw(buf, algT)) !== 0) {
    throw new DerError('inner and outer signature algorithms differ');
  }
  const parts: SignedParts = {
    tbs: raw(buf, tbsT),
    signatureOid: alg.oid,
    ...(alg.params === undefined ? {} : { signatureParams: alg.params }),
    algorithm: resolveAlgorithm(alg.oid, alg.params),
    signature: sig.bytes,
  };
  return { outer, tbsT, parts, innerAlgIndex };
}

/** Decodes an INTEGER's content as lower-case hex, rejecting non-minimal encodings (X.690 §8.3.2). */
export function integerHex(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new DerError('empty INTEGER');
  if (bytes.length > 1 && ((bytes[0] === 0 && (bytes[1] as number) < 0x80) || (bytes[0] === 0xff && (bytes[1] as number) >= 0x80))) {
    throw new DerError('non-minimal INTEGER');
  }
  return toHex(bytes);
}

/** Decodes a small non-negative INTEGER. */
export function smallInteger(bytes: Uint8Array): number {
  integerHex(bytes);
  if ((bytes[0] as number) >= 0x80) throw new DerError('negative INTEGER');
  if (bytes.length > 6) throw new DerError('INTEGER too large');
  let v = 0;
  for (const b of bytes) v = v * 256 + b;
  return v;
}

function readBoolean(bytes: Uint8Array): boolean {
  // X.690 §11.1: DER TRUE is 0xFF.
  if (bytes.length !== 1 || (bytes[0] !== 0x00 && bytes[0] !== 0xff)) throw new DerError('bad BOOLEAN');
  return bytes[0] === 0xff;
}

interface RawExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/** Reads an Extensions SEQUENCE (RFC 5280 §4.1): rejects duplicates and an explicit DEFAULT FALSE. */
export function readExtensions(buf: Uint8Array, t: Tlv): RawExtension[] {
  if (t.tag !== TAG.sequence) throw new DerError('extensions is not a SEQUENCE');
  const out: RawExtension[] = [];
  const seen = new Set<string>();
  for (const e of children(buf, t, 64)) {
    if (e.tag !== TAG.sequence) throw new DerError('extension is not a SEQUENCE');
    const parts = children(buf, e, 4);
    const oidT = parts[0];
    if (oidT === undefined || oidT.tag !== TAG.oid) throw new DerError('extension without an OID');
    const oid = decodeOid(content(buf, oidT));
    let critical = false;
    let valueT: Tlv | undefined;
    if (parts.length === 3 && (parts[1] as Tlv).tag === TAG.boolean) {
      critical = readBoolean(content(buf, parts[1] as Tlv));
      // X.690 §11.5: a DEFAULT value is never encoded in DER.
      if (!critical) throw new DerError('extension encodes critical FALSE');
      valueT = parts[2];
    } else if (parts.length === 2) {
      valueT = parts[1];
    }
    if (valueT === undefined || valueT.tag !== TAG.octetString) throw new DerError(`extension ${oid} is malformed`);
    // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
    if (seen.has(oid)) throw new DerError(`duplicate extension ${oid}`);
    seen.add(oid);
    out.push({ oid, critical, value: content(buf, valueT) });
  }
  if (out.length === 0) throw new DerError('empty extensions');
  return out;
}

function parseBasicConstraints(v: Uint8Array): { ca: boolean; pathLen?: number } {
  const t = readSingle(v);
  if (t.tag !== TAG.sequence) throw new DerError('basicConstraints is not a SEQUENCE');
  const parts = children(v, t, 3);
  let i = 0;
  let ca = false;
  if (parts[i]?.tag === TAG.boolean) {
    ca = readBoolean(content(v, parts[i] as Tlv));
    if (!ca) throw new DerError('basicConstraints encodes cA FALSE');
    i++;
  }
  let pathLen: number | undefined;
  if (parts[i]?.tag === TAG.integer) {
    pathLen = smallInteger(content(v, parts[i] as Tlv));
    i++;
  }
  if (i !== parts.length) throw new DerError('basicConstraints has unexpected fields');
  return pathLen === undefined ? { ca } : { ca, pathLen };
}

function parseKeyUsage(v: Uint8Array): KeyUsageName[] {
  const t = readSingle(v);
  if (t.tag !== TAG.bitString) throw new DerError('keyUsage is not a BIT STRING');
  const { unused, bytes } = bitStringBytes(content(v, t), false);
  if (bytes.length > 2) throw new DerError('keyUsage too long');
  const out: KeyUsageName[] = [];
  const total = bytes.length * 8 - unused;
  for (let bit = 0; bit < Math.min(total, KEY_USAGE_BITS.length); bit++) {
    if ((((bytes[bit >> 3] as number) >> (7 - (bit & 7))) & 1) === 1) out.push(KEY_USAGE_BITS[bit] as KeyUsageName);
  }
  return out;
}

function parseOctetString(v: Uint8Array, what: string): string {
  const t = readSingle(v);
  if (t.tag !== TAG.octetString) throw new DerError(`${what} is not an OCTET STRING`);
  return toHex(content(v, t));
}

/** AuthorityKeyIdentifier (RFC 5280 §4.2.1.1): returns the keyIdentifier [0], if any. */
export function parseAuthorityKeyIdentifier(v: Uint8Array): string | undefined {
  const t = readSingle(v);
  if (t.tag !== TAG.sequence) throw new DerError('authorityKeyIdentifier is not a SEQUENCE');
  for (const c of children(v, t, 3)) if (c.tag === 0x80) return toHex(content(v, c));
  return undefined;
}

function parseExtKeyUsage(v: Uint8Array): string[] {
  const t = readSingle(v);
  if (t.tag !== TAG.sequence) throw new DerError('extKeyUsage is not a SEQUENCE');
  return children(v, t, 32).map((c) => {
    if (c.tag !== TAG.oid) throw new DerError('extKeyUsage entry is not an OID');
    return decodeOid(content(v, c));
  });
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
  // latin1 maps each byte to one code unit: the key is the exact bytes.
  const bytesKey = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1');
  const known = byBytes.get(bytesKey);
  if (known !== undefined) {
    byBytes.delete(bytesKey);
    byBytes.set(bytesKey, known);
    return known;
  }
  const bytes = new Uint8Array(der); // own copy: callers may reuse their buffer
  let info: CertificateInfo;
  let signed: SignedParts;
  let subjectName: ParsedName;
  let issuerName: ParsedName;
  const unknownCritical: string[] = [];
  let extKeyUsage: string[] | undefined;
  let spki: Uint8Array;
  try {
    const { tbsT, parts, innerAlgIndex } = readSignedParts(bytes);
    signed = parts;
    const f = children(bytes, tbsT, 16);
    let i = 0;
    let version = 1;
    if (f[0]?.tag === 0xa0) {
      const vT = readTlv(bytes, (f[0] as Tlv).contentStart, (f[0] as Tlv).end);
      if (vT.tag !== TAG.integer || vT.end !== (f[0] as Tlv).end) throw new DerError('bad version');
      version = smallInteger(content(bytes, vT)) + 1;
      // X.690 §11.5: v1 is the DEFAULT and must not be encoded.
      if (version < 2 || version > 3) throw new DerError(`unsupported version ${version}`);
      i = 1;
    }
    const serialT = f[i];
    if (serialT?.tag !== TAG.integer) throw new DerError('serial number is not an INTEGER');
    const serialNumber = integerHex(content(bytes, serialT));
    if (serialT.end - serialT.contentStart > 20) throw new DerError('serial number longer than 20 octets'); // RFC 5280 §4.1.2.2
    if (innerAlgIndex !== i + 1) throw new DerError('signature algorithm out of place');
    const issuerT = f[i + 2];
    const validityT = f[i + 3];
    const subjectT = f[i + 4];
    const spkiT = f[i + 5];
    if (issuerT === undefined || validityT === undefined || subjectT === undefined || spkiT === undefined) {
      throw new DerError('tbsCertificate is truncated');
    }
    issuerName = parseName(bytes, issuerT);
    subjectName = parseName(bytes, subjectT);
    if (validityT.tag !== TAG.sequence) throw new DerError('validity is not a SEQUENCE');
    const times = children(bytes, validityT, 3);
    if (times.length !== 2) throw new DerError('validity needs two times');
    const notBefore = parseTime(bytes, times[0] as Tlv);
    const notAfter = parseTime(bytes, times[1] as Tlv);
    if (spkiT.tag !== TAG.sequence) throw new DerError('subjectPublicKeyInfo is not a SEQUENCE');
    spki = raw(bytes, spkiT);
    let rest = f.slice(i + 6);
    if (rest[0]?.tag === 0x81) rest = rest.slice(1); // issuerUniqueID
    if (rest[0]?.tag === 0x82) rest = rest.slice(1); // subjectUniqueID
    let extensions: RawExtension[] = [];
    if (rest[0]?.tag === 0xa3) {
      if (version !== 3) throw new DerError('extensions in a certificate that is not v3');
      const extT = readTlv(bytes, (rest[0] as Tlv).contentStart, (rest[0] as Tlv).end);
      if (extT.end !== (rest[0] as Tlv).end) throw new DerError('trailing data after extensions');
      extensions = readExtensions(bytes, extT);
      rest = rest.slice(1);
    }
    if (rest.length !== 0) throw new DerError('unexpected fields in tbsCertificate');

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
          if (pathLen !== undefined && !isCa) throw new DerError('pathLenConstraint without cA');
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
    if (isEvoucherError(e)) throw e;
    throw malformed(`certificate is malformed: ${e instanceof Error ? e.message : String(e)}`, e);
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
  byBytes.set(bytesKey, parsed);
  if (byBytes.size > MAX_PARSED_BY_BYTES) byBytes.delete(byBytes.keys().next().value as string);
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
  const der = derFromInput(derOrPem, ['CERTIFICATE', 'X509 CERTIFICATE'], 'CERT_MALFORMED');
  return parseDer(der).info;
}

/** Internal: the parsed view of a certificate given as bytes or as a {@link CertificateInfo}. */
export function parsedCertificate(c: Uint8Array | string | CertificateInfo): ParsedCertificate {
  if (typeof c === 'object' && !(c instanceof Uint8Array)) {
    const hit = cache.get(c);
    if (hit !== undefined) return hit;
    // A CertificateInfo built by hand: trust nothing in it but its bytes.
    return parseDer(c.der);
  }
  return parseDer(derFromInput(c, ['CERTIFICATE', 'X509 CERTIFICATE'], 'CERT_MALFORMED'));
}
