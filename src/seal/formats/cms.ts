/**
 * The `cms` seal format: a detached RFC 5652 `SignedData` over the DER of the to-be-sealed structure.
 *
 * Profile (docs/formats.md "CMS seal format"):
 * - `ContentInfo { id-signedData, SignedData }`, `SignedData` version 1, one `digestAlgorithms` entry,
 *   `encapContentInfo { id-data }` without `eContent` (detached: the verifier recomputes the structure),
 *   the signer certificate first in `certificates` (then its chain; a set in DER order is also read), no CRLs,
 *   exactly one `SignerInfo`.
 * - `SignerInfo` version 1, `sid` = issuerAndSerialNumber, signed attributes exactly `content-type`,
 *   `message-digest`, `signing-time` (RFC 5652 §11) and `signing-certificate-v2` (RFC 5035), no unsigned
 *   attributes; the signature is made over the DER `SET OF Attribute` (RFC 5652 §5.4) by the KeyProvider.
 * - Algorithms: ECDSA P-256 / RSA PKCS#1 v1.5 / RSA-PSS with SHA-256; SM2 with SM3 using the GB/T 35275
 *   content-type OIDs (`1.2.156.10197.6.1.4.2.2` signedData, `.1` data) and `1.2.156.10197.1.501`.
 *
 * Writing uses the DER writer (the profile is fixed, and certificates go in as their exact bytes); reading is
 * a strict DER parser of exactly this profile that keeps the received slices, so the signature is always
 * checked over the received signed attributes (security.md §1.11: parse once, verify the bytes you were given).
 */
import { equalBytes } from '@noble/curves/utils.js';
import type { Digester } from '../../crypto/digest_memo.js';
import {
  digest,
  hashAlgorithmFromOid,
  hashAlgorithmOid,
  hashForSignatureAlgorithm,
  signatureAlgorithmFromOid,
  signatureAlgorithmIdentifier,
  verifyMessage,
  type HashAlgorithm,
  type SignatureAlgorithm,
} from '../../crypto/index.js';
import {
  DER_LOW_TAG_LIMITS,
  DER_TAG,
  compareDer,
  derChildren,
  derContextTag,
  derGeneralizedTime,
  derInteger,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derTlv,
  derUtcTime,
  expectDerTag,
  isDerTag,
  mapDerErrors,
  readDerIntegerBytes,
  readDerOctetString,
  readDerOid,
  readDerSequence,
  readDerSmallInteger,
  readDerX509Time,
} from '../../encoding/der.js';
import type { DerNode, DerTagSpec } from '../../encoding/der.js';
import { EvoucherError } from '../../errors.js';
import { checkMakerArguments } from '../arguments.js';
import type { KeyProvider } from '../../keys/provider.js';
import { wholeSeconds } from '../tbs.js';
import { certificateParts, type CertificateParts } from './cert_parts.js';
import type { SealCheck } from './types.js';

/** OIDs of the CMS profile. */
export const CMS_OID = Object.freeze({
  /** id-data, RFC 5652 §4. */
  data: '1.2.840.113549.1.7.1',
  /** id-signedData, RFC 5652 §5.1. */
  signedData: '1.2.840.113549.1.7.2',
  /** GB/T 35275 data. */
  gmData: '1.2.156.10197.6.1.4.2.1',
  /** GB/T 35275 signedData. */
  gmSignedData: '1.2.156.10197.6.1.4.2.2',
  /** id-contentType, RFC 5652 §11.1. */
  contentType: '1.2.840.113549.1.9.3',
  /** id-messageDigest, RFC 5652 §11.2. */
  messageDigest: '1.2.840.113549.1.9.4',
  /** id-signingTime, RFC 5652 §11.3. */
  signingTime: '1.2.840.113549.1.9.5',
  /** id-aa-signingCertificateV2, RFC 5035 §3. */
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
});

/** Largest stamp accepted by the parsers (security.md §1.12). */
export const MAX_STAMP_BYTES = 256 * 1024;

/** Most certificates a CMS stamp may carry (signer + chain). */
export const MAX_CMS_CERTIFICATES = 8;

/** A parsed `cms` stamp. Byte fields are views of the received stamp. */
export interface CmsStamp {
  readonly format: 'cms';
  /** The complete stamp (`ContentInfo` DER). */
  readonly bytes: Uint8Array;
  /** `rfc5652` (PKCS#7 OIDs) or `gbt35275` (SM2 profile OIDs). */
  readonly profile: 'rfc5652' | 'gbt35275';
  /** The digest algorithm of the signer (SM3 for SM2, SHA-256 otherwise). */
  readonly digestAlgorithm: HashAlgorithm;
  /** The signature algorithm. */
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** The certificate the `sid` names. */
  readonly signerCertificate: Uint8Array;
  /** Every certificate carried (the signer's included): untrusted, intermediates at most. */
  readonly certificates: readonly Uint8Array[];
  /** The signed `signing-time`. */
  readonly signingTime: Date;
  /** The signed `message-digest`. */
  readonly messageDigest: Uint8Array;
  /** The signed attributes re-tagged as `SET OF` (0x31): exactly the bytes the signature covers. */
  readonly signedAttributes: Uint8Array;
  /** The signature value (DER for SM2/ECDSA, the raw block for RSA). */
  readonly signature: Uint8Array;
  /** The `signing-certificate-v2` hash and its algorithm. */
  readonly signingCertificateHash: { readonly algorithm: HashAlgorithm; readonly value: Uint8Array };
}

/** Options of {@link makeCmsStamp}. */
export interface MakeCmsStampOptions {
  /** The DER of the to-be-sealed structure. */
  readonly tbs: Uint8Array;
  /** The signer. */
  readonly key: KeyProvider;
  /** The signing time (whole seconds; it must equal the structure's signingTime). */
  readonly signingTime: Date;
  /** The signer certificate, when already read from the key (saves a token round-trip). */
  readonly certificate?: Uint8Array;
  /** The chain to embed (issuer first), when already read from the key. */
  readonly chain?: readonly Uint8Array[];
}

function contentOids(alg: SignatureAlgorithm): { outer: string; inner: string } {
  return alg === 'sm2-sm3' ? { outer: CMS_OID.gmSignedData, inner: CMS_OID.gmData } : { outer: CMS_OID.signedData, inner: CMS_OID.data };
}

/** AlgorithmIdentifier of a digest, parameters absent (RFC 5754 §2, GM/T 0006). */
function digestAlgorithmIdentifier(alg: HashAlgorithm): Uint8Array {
  return derSequence(derOid(hashAlgorithmOid(alg)));
}

/** RFC 5652 §11.3: UTCTime for 1950–2049, GeneralizedTime otherwise; whole seconds. */
function cmsTime(d: Date): Uint8Array {
  const t = wholeSeconds(d);
  const y = t.getUTCFullYear();
  return y >= 1950 && y < 2050 ? derUtcTime(t) : derGeneralizedTime(t);
}

function attribute(type: string, value: Uint8Array): Uint8Array {
  return derSequence(derOid(type), derTlv(DER_TAG.SET, value));
}

/**
 * `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }` with one `ESSCertIDv2 { hashAlgorithm
 * DEFAULT id-sha256, certHash, issuerSerial { GeneralNames { directoryName issuer }, serialNumber } }`
 * (RFC 5035 §4). SM2 seals hash with SM3 (so the algorithm is written); the others use the SHA-256 default.
 */
function signingCertificateV2(alg: HashAlgorithm, cert: CertificateParts): Uint8Array {
  const hashAlg = alg === 'sha256' ? [] : [digestAlgorithmIdentifier(alg)];
  const issuerSerial = derSequence(derSequence(derTlv(derContextTag(4), cert.issuer)), cert.serial); // [4] EXPLICIT Name (directoryName)
  return derSequence(derSequence(derSequence(...hashAlg, derOctetString(digest(alg, cert.der)), issuerSerial)));
}

/**
 * Makes a `cms` stamp: a detached `SignedData` over `tbs`, signed by `key` over the DER signed attributes.
 *
 * @param options - the structure to seal, the key, the signing time.
 * @returns the stamp bytes (`ContentInfo` DER) to store in the envelope.
 * @throws EvoucherError `SEAL_CMS_MALFORMED` if the signer certificate cannot be read, the key's own errors
 *   (`KEY_*`, `CRYPTO_*`) when signing fails.
 * @example
 * const stamp = await makeCmsStamp({ tbs: der, key, signingTime: fields.signingTime })
 */
export async function makeCmsStamp(options: MakeCmsStampOptions): Promise<Uint8Array> {
  checkMakerArguments(options, 'makeCmsStamp', { key: 'key', bytes: ['tbs'], dates: ['signingTime'], optionalBytes: ['certificate'], optionalChains: ['chain'] });
  const { key, tbs, signingTime } = options;
  const alg = key.algorithm;
  const hash = hashForSignatureAlgorithm(alg);
  const certDer = options.certificate ?? (await key.certificate());
  // A chain that repeats the signer or a certificate (a "full chain" file starts with the leaf) is written once
  // each: the profile holds no certificate twice.
  const chain: Uint8Array[] = [];
  for (const c of options.chain ?? ((await key.chain?.()) ?? [])) {
    if (!equalBytes(c, certDer) && !chain.some((d) => equalBytes(c, d))) chain.push(c);
  }
  const cert = certificateParts(certDer, 'SEAL_CMS_MALFORMED', 'signer certificate');
  const { outer, inner } = contentOids(alg);

  // RFC 5652 §5.4: the signature covers the DER SET OF the signed attributes; DER sorts a SET OF by the
  // encodings (X.690 §11.6), and OpenSSL re-encodes before verifying, so sort here.
  const attrs = [
    attribute(CMS_OID.contentType, derOid(inner)),
    attribute(CMS_OID.signingTime, cmsTime(signingTime)),
    attribute(CMS_OID.messageDigest, derOctetString(digest(hash, tbs))),
    attribute(CMS_OID.signingCertificateV2, signingCertificateV2(hash, cert)),
  ].sort(compareDer);
  const signedSet = derTlv(DER_TAG.SET, ...attrs);
  const signature = await key.sign(signedSet);

  // Written directly with the DER writer rather than through pkijs: pkijs parses every certificate into its
  // object model and encodes it again, which was four fifths of the time of a seal, and re-encoding is what
  // must not happen to a certificate (the stamp carries its exact bytes). The structure is the fixed profile
  // above; the read-back below and the OpenSSL interop tests hold it to RFC 5652.
  const digestAlg = digestAlgorithmIdentifier(hash);
  const signerInfo = derSequence(
    derInteger(1),
    derSequence(cert.issuer, cert.serial), // sid: IssuerAndSerialNumber
    digestAlg,
    derTlv(derContextTag(0), ...attrs), // signedAttrs [0] IMPLICIT SET OF Attribute, in DER order
    signatureAlgorithmIdentifier(alg),
    derOctetString(signature),
  );
  const signedData = derSequence(
    derInteger(1), // GB/T 35275 §8.1 fixes version 1, and the profile keeps it for every algorithm
    derTlv(DER_TAG.SET, digestAlg),
    derSequence(derOid(inner)), // encapContentInfo, detached
    derTlv(derContextTag(0), certDer, ...chain), // certificates [0] IMPLICIT, the signer first, exact bytes
    derTlv(DER_TAG.SET, signerInfo),
  );
  const bytes = derSequence(derOid(outer), derTlv(derContextTag(0), signedData));

  // Self-check: the written stamp must read back under the strict profile with exactly what was signed and
  // the exact certificate bytes.
  const back = parseCmsStamp(bytes);
  if (!equalBytes(back.signedAttributes, signedSet) || !equalBytes(back.signerCertificate, certDer) || !equalBytes(back.signature, signature)) {
    throw new EvoucherError('SEAL_CMS_MALFORMED', 'the written cms stamp does not read back identically');
  }
  return bytes;
}

const DER_NULL = derNull();

/** A profile violation of a DER-valid stamp. */
function fail(message: string): never {
  throw new EvoucherError('SEAL_CMS_MALFORMED', message);
}

/** The children of a field with the given tag, at most `max`. */
function fieldChildren(node: DerNode | undefined, tag: DerTagSpec, what: string, max: number): readonly DerNode[] {
  return derChildren(expectDerTag(node, tag, what), what, 0, max);
}

/** A version INTEGER (non-negative, at most six contents octets). */
function readVersion(node: DerNode | undefined, what: string): number {
  return readDerSmallInteger(node, what, 0, 2 ** 47 - 1);
}

function readAlgorithmIdentifier(t: DerNode | undefined, what: string): { oid: string; params?: Uint8Array } {
  const c = fieldChildren(t, DER_TAG.SEQUENCE, what, 3);
  if (c.length < 1 || c.length > 2) fail(`${what}: expected 1 or 2 elements`);
  const o = readDerOid(c[0], `${what}.algorithm`);
  return c[1] === undefined ? { oid: o } : { oid: o, params: c[1].raw };
}

function readDigestAlgorithm(t: DerNode | undefined, what: string): HashAlgorithm {
  const a = readAlgorithmIdentifier(t, what);
  // RFC 5754 §2: parameters absent; implementations must also accept NULL.
  if (a.params !== undefined && !equalBytes(a.params, DER_NULL)) fail(`${what}: unexpected parameters`);
  try {
    return hashAlgorithmFromOid(a.oid);
  } catch (e) {
    // The allow-list's verdict (errors.md): CRYPTO_ALGORITHM_FORBIDDEN for a known weak hash (SHA-1, MD5, MD2),
    // CRYPTO_ALGORITHM_UNSUPPORTED for anything else off the list (SHA-384, an unknown OID).
    if (e instanceof EvoucherError) throw new EvoucherError(e.code, `${what}: ${e.message}`, { cause: e, detail: e.detail });
    throw e;
  }
}

/** `signing-time` (RFC 5652 §11.3): UTCTime for 1950–2049, GeneralizedTime otherwise, as {@link cmsTime} writes it. */
function readSigningTime(v: DerNode | undefined): Date {
  const t = readDerX509Time(v, 'signing-time');
  const y = t.getUTCFullYear();
  if (isDerTag(v, DER_TAG.UTC_TIME) !== (y >= 1950 && y < 2050)) {
    fail('signing-time: must be a UTCTime for 1950–2049 and a GeneralizedTime otherwise (RFC 5652 §11.3)');
  }
  return t;
}

/**
 * Parses a `cms` stamp strictly under the evoucher CMS profile. It does not verify anything: see
 * {@link checkCmsStamp}.
 *
 * @param bytes - the stamp (`ContentInfo` DER), as stored in the envelope.
 * @returns the parsed stamp, with views of the received slices.
 * @throws EvoucherError `SEAL_CMS_MALFORMED` (not DER, not the profile, missing or repeated attribute, signer
 *   certificate absent, over {@link MAX_STAMP_BYTES}), `CRYPTO_ALGORITHM_FORBIDDEN` / `CRYPTO_ALGORITHM_UNSUPPORTED`
 *   for a digest or signature algorithm off the allow-list.
 * @example
 * const s = parseCmsStamp(entry.bytes); s.signingTime
 */
export function parseCmsStamp(bytes: Uint8Array): CmsStamp {
  if (bytes.length > MAX_STAMP_BYTES) fail(`cms stamp larger than ${MAX_STAMP_BYTES} bytes`);
  return mapDerErrors('SEAL_CMS_MALFORMED', () => readStamp(bytes));
}

function readStamp(bytes: Uint8Array): CmsStamp {
  const ci = readDerSequence(bytes, 'ContentInfo', 0, 3, DER_LOW_TAG_LIMITS);
  if (ci.length !== 2) fail('ContentInfo: expected 2 elements');
  const outerType = readDerOid(ci[0], 'ContentInfo.contentType');
  const profile = outerType === CMS_OID.signedData ? 'rfc5652' : outerType === CMS_OID.gmSignedData ? 'gbt35275' : undefined;
  if (profile === undefined) fail(`ContentInfo.contentType: ${outerType} is not signedData`);
  const wrapped = fieldChildren(ci[1], derContextTag(0), 'ContentInfo.content', 2);
  if (wrapped.length !== 1) fail('ContentInfo.content: expected one element');
  const sd = fieldChildren(wrapped[0], DER_TAG.SEQUENCE, 'SignedData', 7);
  if (readVersion(sd[0], 'SignedData.version') !== 1) fail('SignedData.version: must be 1');
  const digestAlgs = fieldChildren(sd[1], DER_TAG.SET, 'SignedData.digestAlgorithms', 2);
  if (digestAlgs.length !== 1) fail('SignedData.digestAlgorithms: expected exactly one');
  const listedDigest = readDigestAlgorithm(digestAlgs[0], 'SignedData.digestAlgorithms[0]');
  const eci = fieldChildren(sd[2], DER_TAG.SEQUENCE, 'encapContentInfo', 2);
  if (eci.length !== 1) fail('encapContentInfo: must be detached (no eContent)');
  const innerType = readDerOid(eci[0], 'encapContentInfo.eContentType');
  const wantInner = profile === 'rfc5652' ? CMS_OID.data : CMS_OID.gmData;
  if (innerType !== wantInner) fail(`encapContentInfo.eContentType: ${innerType}, expected ${wantInner}`);
  if (sd.length !== 5) fail('SignedData: expected version, digestAlgorithms, encapContentInfo, certificates, signerInfos (no CRLs)');
  const certNodes = fieldChildren(sd[3], derContextTag(0), 'SignedData.certificates', MAX_CMS_CERTIFICATES);
  if (certNodes.length === 0) fail('SignedData.certificates: empty');
  const certs = certNodes.map((t, i) => certificateParts(expectDerTag(t, DER_TAG.SEQUENCE, `certificates[${i}]`).raw, 'SEAL_CMS_MALFORMED', `certificates[${i}]`));
  const infos = fieldChildren(sd[4], DER_TAG.SET, 'SignedData.signerInfos', 2);
  if (infos.length !== 1) fail('SignedData.signerInfos: expected exactly one');

  const si = fieldChildren(infos[0], DER_TAG.SEQUENCE, 'SignerInfo', 8);
  if (readVersion(si[0], 'SignerInfo.version') !== 1) fail('SignerInfo.version: must be 1 (issuerAndSerialNumber)');
  if (si.length !== 6) fail('SignerInfo: expected 6 elements (signed attributes, no unsigned attributes)');
  const sid = fieldChildren(si[1], DER_TAG.SEQUENCE, 'SignerInfo.sid', 3);
  if (sid.length !== 2) fail('SignerInfo.sid: expected issuer and serialNumber');
  const sidIssuer = expectDerTag(sid[0], DER_TAG.SEQUENCE, 'SignerInfo.sid.issuer').raw;
  readDerIntegerBytes(sid[1], 'SignerInfo.sid.serialNumber');
  const sidSerial = (sid[1] as DerNode).raw;
  const digestAlgorithm = readDigestAlgorithm(si[2], 'SignerInfo.digestAlgorithm');
  if (digestAlgorithm !== listedDigest) fail('SignerInfo.digestAlgorithm: not the one listed in digestAlgorithms');
  const attrsNode = expectDerTag(si[3], derContextTag(0), 'SignerInfo.signedAttrs');
  const sigAlgId = readAlgorithmIdentifier(si[4], 'SignerInfo.signatureAlgorithm');
  const signatureAlgorithm = signatureAlgorithmFromOid(sigAlgId.oid, sigAlgId.params);
  if (hashForSignatureAlgorithm(signatureAlgorithm) !== digestAlgorithm) {
    fail(`SignerInfo: digest ${digestAlgorithm} does not fit ${signatureAlgorithm}`);
  }
  if ((signatureAlgorithm === 'sm2-sm3') !== (profile === 'gbt35275')) {
    fail('ContentInfo.contentType: SM2 seals use the GB/T 35275 OIDs, the others RFC 5652');
  }
  const signature = readDerOctetString(si[5], 'SignerInfo.signature');
  if (signature.length === 0) fail('SignerInfo.signature: empty');

  // Signed attributes: exactly the four of the profile, each once, each with one value.
  const attrs = derChildren(attrsNode, 'signedAttrs', 0, 8);
  let contentType: string | undefined;
  let messageDigest: Uint8Array | undefined;
  let signingTime: Date | undefined;
  let essHash: { algorithm: HashAlgorithm; value: Uint8Array; issuer: Uint8Array; serial: Uint8Array } | undefined;
  const seen = new Set<string>();
  let prev: Uint8Array | undefined;
  for (const [i, a] of attrs.entries()) {
    const w = `signedAttrs[${i}]`;
    // DER SET OF order (X.690 §11.6): the signature covers these bytes; an unsorted set would be re-encoded
    // differently by other verifiers.
    if (prev !== undefined && compareDer(prev, a.raw) > 0) fail('signedAttrs: not in DER order');
    prev = a.raw;
    const ac = fieldChildren(a, DER_TAG.SEQUENCE, w, 3);
    if (ac.length !== 2) fail(`${w}: expected type and values`);
    const type = readDerOid(ac[0], `${w}.type`);
    if (seen.has(type)) fail(`${w}: attribute ${type} repeated`);
    seen.add(type);
    const values = fieldChildren(ac[1], DER_TAG.SET, `${w}.values`, 2);
    if (values.length !== 1) fail(`${w}.values: expected exactly one value`);
    const v = values[0];
    if (type === CMS_OID.contentType) contentType = readDerOid(v, 'content-type');
    else if (type === CMS_OID.messageDigest) messageDigest = readDerOctetString(v, 'message-digest');
    else if (type === CMS_OID.signingTime) signingTime = readSigningTime(v);
    else if (type === CMS_OID.signingCertificateV2) essHash = readEss(v);
    else fail(`${w}: attribute ${type} is not part of the profile`);
  }
  if (contentType === undefined || messageDigest === undefined || signingTime === undefined || essHash === undefined) {
    fail('signedAttrs: content-type, message-digest, signing-time and signing-certificate-v2 are all required');
  }
  if (contentType !== innerType) fail('content-type attribute: differs from eContentType');
  if (messageDigest.length !== 32) fail('message-digest: expected 32 bytes');
  // The profile hashes the certificate with the signer's digest algorithm (SHA-256 left as the default, SM3 for
  // SM2 written out), as makeCmsStamp does: one encoding of the binding.
  if (essHash.algorithm !== digestAlgorithm) fail(`signing-certificate-v2: hashed with ${essHash.algorithm}, the signer digests with ${digestAlgorithm}`);

  // RFC 5652 §5.4: the signature is over the DER of the attributes with the SET OF tag, not [0].
  const signedAttributes = Uint8Array.from(attrsNode.raw);
  signedAttributes[0] = 0x31; // universal, constructed, SET (17)

  // The profile's order, read as written: the signer first, then its chain, no certificate twice. The set is not
  // signed; holding it to few layouts leaves fewer byte strings for one seal. A set in DER order (X.690 §11.6, as
  // OpenSSL and other DER encoders write a SET OF) is the other layout taken: a stamp of this profile made by such
  // a tool puts an issuer that sorts first before the signer.
  const signerAt = certs.findIndex((c) => equalBytes(c.issuer, sidIssuer) && equalBytes(c.serial, sidSerial));
  if (signerAt < 0) fail('certificates: the signer certificate named by sid is not included');
  if (signerAt !== 0 && !certNodes.every((t, i) => i === 0 || compareDer((certNodes[i - 1] as DerNode).raw, t.raw) <= 0)) {
    fail('certificates: the signer certificate named by sid must come first (or the set be in DER order)');
  }
  const signer = certs[signerAt] as (typeof certs)[number];
  for (let i = 1; i < certs.length; i++) {
    const c = certs[i] as (typeof certs)[number];
    for (let j = 0; j < i; j++) {
      const d = certs[j] as (typeof certs)[number];
      if (equalBytes(c.issuer, d.issuer) && equalBytes(c.serial, d.serial)) fail(`certificates[${i}]: the same issuer and serial number as certificates[${j}]`);
    }
  }
  if (!equalBytes(essHash.issuer, signer.issuer) || !equalBytes(essHash.serial, signer.serial)) {
    fail('signing-certificate-v2: issuerSerial does not name the sid certificate');
  }
  return Object.freeze({
    format: 'cms',
    bytes,
    profile,
    digestAlgorithm,
    signatureAlgorithm,
    signerCertificate: signer.der,
    certificates: Object.freeze(certs.map((c) => c.der)),
    signingTime,
    messageDigest,
    signedAttributes,
    signature,
    signingCertificateHash: Object.freeze({ algorithm: essHash.algorithm, value: essHash.value }),
  });
}

function readEss(v: DerNode | undefined): { algorithm: HashAlgorithm; value: Uint8Array; issuer: Uint8Array; serial: Uint8Array } {
  const top = fieldChildren(v, DER_TAG.SEQUENCE, 'signing-certificate-v2', 3);
  if (top.length !== 1) fail('signing-certificate-v2: policies are not part of the profile');
  const ids = fieldChildren(top[0], DER_TAG.SEQUENCE, 'signing-certificate-v2.certs', 2);
  if (ids.length !== 1) fail('signing-certificate-v2.certs: expected exactly one ESSCertIDv2');
  const id = fieldChildren(ids[0], DER_TAG.SEQUENCE, 'ESSCertIDv2', 4);
  let i = 0;
  let algorithm: HashAlgorithm = 'sha256';
  if (isDerTag(id[0], DER_TAG.SEQUENCE)) {
    algorithm = readDigestAlgorithm(id[0], 'ESSCertIDv2.hashAlgorithm');
    // X.690 §11.5: a DER encoding omits a value equal to its DEFAULT.
    if (algorithm === 'sha256') fail('ESSCertIDv2.hashAlgorithm: the sha256 default must be omitted');
    i = 1;
  }
  const value = readDerOctetString(id[i], 'ESSCertIDv2.certHash');
  if (value.length !== 32) fail('ESSCertIDv2.certHash: expected 32 bytes');
  if (id.length !== i + 2) fail('ESSCertIDv2: issuerSerial is required');
  const is = fieldChildren(id[i + 1], DER_TAG.SEQUENCE, 'ESSCertIDv2.issuerSerial', 3);
  if (is.length !== 2) fail('ESSCertIDv2.issuerSerial: expected issuer and serialNumber');
  const names = fieldChildren(is[0], DER_TAG.SEQUENCE, 'issuerSerial.issuer', 2);
  if (names.length !== 1) fail('issuerSerial.issuer: expected one directoryName');
  const dn = derChildren(expectDerTag(names[0], derContextTag(4), 'issuerSerial.issuer.directoryName'), 'directoryName', 0, 2);
  if (dn.length !== 1) fail('issuerSerial.issuer.directoryName: expected one Name');
  const issuer = expectDerTag(dn[0], DER_TAG.SEQUENCE, 'directoryName.Name').raw;
  readDerIntegerBytes(is[1], 'issuerSerial.serialNumber');
  return { algorithm, value, issuer, serial: (is[1] as DerNode).raw };
}

/**
 * Checks a parsed `cms` stamp against the to-be-sealed structure the verifier recomputed: the message digest,
 * the signature over the received signed attributes with the signer certificate's key, and the
 * signing-certificate-v2 binding. Never throws; every outcome is a {@link SealCheck}. It does not judge the
 * certificate (path, validity, revocation: `pki/`) nor the structure's contents (the caller compares them).
 *
 * @param stamp - from {@link parseCmsStamp}.
 * @param tbs - the recomputed `EvoucherTbs` DER.
 * @param hash - the digest function (default `digest`).
 * @returns the checks `message-digest`, `signature`, `signing-certificate`.
 * @example
 * const failed = checkCmsStamp(stamp, tbs).filter((c) => c.status !== 'passed')
 */
export function checkCmsStamp(stamp: CmsStamp, tbs: Uint8Array, hash: Digester = digest): readonly SealCheck[] {
  const checks: SealCheck[] = [];
  const md = hash(stamp.digestAlgorithm, tbs);
  checks.push(
    equalBytes(md, stamp.messageDigest)
      ? { check: 'message-digest', status: 'passed', message: `${stamp.digestAlgorithm} of the to-be-sealed structure matches` }
      : { check: 'message-digest', status: 'failed', code: 'SEAL_DIGEST_MISMATCH', message: 'message-digest differs from the digest of the to-be-sealed structure' },
  );
  checks.push(signatureCheck(stamp.signatureAlgorithm, stamp.signerCertificate, stamp.signedAttributes, stamp.signature));
  const certHash = hash(stamp.signingCertificateHash.algorithm, stamp.signerCertificate);
  checks.push(
    equalBytes(certHash, stamp.signingCertificateHash.value)
      ? { check: 'signing-certificate', status: 'passed', message: 'signing-certificate-v2 names the signer certificate' }
      : { check: 'signing-certificate', status: 'failed', code: 'SEAL_SIGNER_MISMATCH', message: 'signing-certificate-v2 hash differs from the signer certificate' },
  );
  return Object.freeze(checks);
}

/**
 * A signature check that never throws (a key that does not fit the algorithm is a failed check).
 *
 * @param alg - the signature algorithm.
 * @param certificate - the signer certificate DER.
 * @param signed - the received signed bytes.
 * @param signature - the signature value.
 * @returns a `signature` check.
 * @example
 * signatureCheck('ecdsa-p256-sha256', cert, stamp.signedAttributes, stamp.signature).status
 */
export function signatureCheck(alg: SignatureAlgorithm, certificate: Uint8Array, signed: Uint8Array, signature: Uint8Array): SealCheck {
  try {
    const spki = certificateParts(certificate, 'SEAL_SIGNER_MISMATCH').spki;
    return verifyMessage(alg, spki, signed, signature)
      ? { check: 'signature', status: 'passed', message: `${alg} signature verifies with the signer certificate` }
      : { check: 'signature', status: 'failed', code: 'SEAL_SIGNATURE_INVALID', message: `${alg} signature does not verify with the signer certificate` };
  } catch (e) {
    const code = e instanceof EvoucherError ? e.code : 'SEAL_SIGNATURE_INVALID';
    return { check: 'signature', status: 'failed', code, message: `signature not checkable: ${e instanceof Error ? e.message : String(e)}` };
  }
}
