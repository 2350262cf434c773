/**
 * PKCS#12 (PFX, RFC 7292) key files: the structure is read with pkijs (PFX → AuthenticatedSafe →
 * SafeContents → PKCS8ShroudedKeyBag / KeyBag / CertBag), the MAC and the encryption with
 * node:crypto (`pbe.ts`).
 *
 * Order of checks: the MAC first (RFC 7292 §5.1 step 2), so a wrong password is reported as
 * `KEY_PASSWORD_WRONG` before any decryption and a tampered file is never decrypted. Public-key
 * integrity mode and public-key privacy mode (envelopedData) are not supported. A file without
 * MacData is read (RFC 7292 makes it optional; `openssl pkcs12 -export -nomac` writes one) but
 * nothing then vouches for its integrity: docs/keys.md says so.
 *
 * Key derivation is bounded per derivation (`MAX_PBE_ITERATIONS`) and per file: the ContentInfos
 * are counted, and every derivation (MAC, encrypted safes, shrouded keys) is charged to one
 * {@link KdfBudget} before it runs, the encrypted safes all at once before the first is decrypted.
 */
import * as asn1js from 'asn1js';
import { Attribute, AuthenticatedSafe, CertBag, ContentInfo, EncryptedData, PFX, PKCS8ShroudedKeyBag } from 'pkijs';
import { importPrivateKey } from '../../crypto/index.js';
import type { PrivateKeyMaterial } from '../../crypto/index.js';
import type { SignatureAlgorithm } from '../../crypto/types.js';
import { certificatePublicKey, intermediatesOf, readCertificate, samePublicKey } from '../certificate.js';
import type { CertificateFacts } from '../certificate.js';
import { checkKeyOptions } from '../arguments.js';
import { KeyProviderError } from '../errors.js';
import type { KeyProvider } from '../provider.js';
import { KdfBudget, MAX_PBE_ITERATIONS, preparePbeDecryption, verifyPkcs12Mac } from './pbe.js';
import type { PbeDecryption } from './pbe.js';
import { createKeyProvider } from './pkcs8.js';

/** Largest PKCS#12 file accepted. */
export const MAX_PKCS12_BYTES = 1024 * 1024;
/** Most safe bags read from one file. */
export const MAX_PKCS12_BAGS = 256;
/**
 * Most ContentInfos in the AuthenticatedSafe of one file. Tools write one to three (OpenSSL: the
 * encrypted certificates and the shrouded key; Windows and Java alike); the bound leaves room for a tool
 * that gives each certificate of a chain its own safe, and stops a file made of thousands of small
 * encrypted safes, each a key derivation.
 */
export const MAX_PKCS12_CONTENT_INFOS = 8;
/**
 * Most key-derivation work one file may cost: the MAC, every encrypted safe and every shrouded key, each
 * counted as its iteration count times the hash-sized blocks it derives (a PKCS#12 triple-DES derivation
 * counts 3: two key blocks and an IV block). The MAC and two triple-DES derivations at `MAX_PBE_ITERATIONS`,
 * what `openssl pkcs12 -export -iter 2000000 -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES` writes, still
 * open; a file asking for more is refused before the derivation that would pass the bound.
 */
export const MAX_PKCS12_KDF_ITERATIONS = 7 * MAX_PBE_ITERATIONS;

const OID_DATA = '1.2.840.113549.1.7.1';
const OID_ENCRYPTED_DATA = '1.2.840.113549.1.7.6';
const OID_KEY_BAG = '1.2.840.113549.1.12.10.1.1';
const OID_SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
const OID_CERT_BAG = '1.2.840.113549.1.12.10.1.3';
const OID_SAFE_CONTENTS_BAG = '1.2.840.113549.1.12.10.1.6';
const OID_X509_CERTIFICATE = '1.2.840.113549.1.9.22.1';
const OID_LOCAL_KEY_ID = '1.2.840.113549.1.9.21';

/**
 * One SafeBag (RFC 7292 §4.2): its type, the bagValue block (inside the [0] EXPLICIT) and the
 * attributes. The SafeContents list is walked here rather than by pkijs' SafeContents, whose
 * keyBag reader interprets the key and rejects curves it does not know (sm2p256v1); each bag
 * value is then read with the pkijs class of its type.
 */
interface RawBag {
  readonly bagId: string;
  readonly value: asn1js.AsnType;
  readonly attributes: readonly Attribute[];
}

/** Options of {@link openPkcs12}. */
export interface Pkcs12Options {
  /** The PKCS#12 file (DER). */
  readonly data: Uint8Array;
  /** Its password. */
  readonly password: string;
  /** `rsa-pss-sha256` to sign with PSS; otherwise the key decides. */
  readonly algorithm?: SignatureAlgorithm;
  /** SM2 signer ID (default `1234567812345678`). */
  readonly sm2Id?: Uint8Array;
}

/** The contents of a PKCS#12 file. */
export interface Pkcs12Contents {
  /** The one private key. */
  readonly key: PrivateKeyMaterial;
  /** The certificate of that key. */
  readonly certificate: CertificateFacts;
  /**
   * The intermediates between the signer and its trust anchors, issuer of the signer first; the file's self-signed
   * certificates (anchors) and certificates on no path of the signer are left out.
   */
  readonly chain: readonly CertificateFacts[];
}

/**
 * Opens the key of a PKCS#12 file.
 *
 * @param options - file bytes, password, optional algorithm and SM2 signer ID
 * @returns a provider signing with the file's key; `chain()` gives the intermediates of its certificate's path
 * @throws KeyProviderError `KEY_PASSWORD_WRONG` (MAC mismatch or decryption failure),
 *   `KEY_FORMAT_UNSUPPORTED` (not PKCS#12, unsupported scheme, limits exceeded), `KEY_NOT_FOUND`
 *   (no key), `KEY_AMBIGUOUS` (several keys), `KEY_CERT_NOT_FOUND`, `KEY_CERT_MISMATCH`;
 *   EvoucherError `CRYPTO_*` for a refused key; `ARG_INVALID` when `options` is not an object, `algorithm` is off
 *   the list or `sm2Id` is not bytes
 * @example
 * const signer = openPkcs12({ data: await readFile('finance.p12'), password })
 */
export function openPkcs12(options: Pkcs12Options): KeyProvider {
  if (typeof options !== 'object' || options === null) throw new KeyProviderError('ARG_INVALID', 'openPkcs12 options must be an object', { detail: { argument: 'options' } });
  checkKeyOptions(options as unknown as Readonly<Record<string, unknown>>, 'openPkcs12');
  const contents = readPkcs12(options.data, options.password);
  return createKeyProvider(contents.key, contents.certificate, contents.chain, options);
}

/**
 * Reads and decrypts a PKCS#12 file.
 *
 * @param data - the file
 * @param password - its password
 * @returns the key, its certificate and the chain
 * @throws KeyProviderError as {@link openPkcs12}
 */
export function readPkcs12(data: Uint8Array, password: string): Pkcs12Contents {
  if (!(data instanceof Uint8Array)) {
    throw new KeyProviderError('ARG_INVALID', 'pkcs12 data must be a Uint8Array', { detail: { argument: 'data' } });
  }
  if (typeof password !== 'string') {
    throw new KeyProviderError('KEY_PASSWORD_REQUIRED', 'a pkcs12 file needs a password');
  }
  if (data.length > MAX_PKCS12_BYTES) {
    throw new KeyProviderError('KEY_FORMAT_UNSUPPORTED', 'pkcs12 file too large', { detail: { limit: String(MAX_PKCS12_BYTES) } });
  }
  const pfx = parse('PFX', () => PFX.fromBER(data));
  if (pfx.version !== 3) unsupported('pkcs12 version', { version: String(pfx.version) });
  if (pfx.authSafe.contentType !== OID_DATA) {
    // signedData here is public-key integrity mode (RFC 7292 §3.1).
    unsupported('pkcs12 integrity mode', { oid: pfx.authSafe.contentType });
  }
  const authSafeBytes = octets(pfx.authSafe.content, 'authSafe');
  const budget = new KdfBudget(MAX_PKCS12_KDF_ITERATIONS);
  if (pfx.macData !== undefined) {
    if (!verifyPkcs12Mac(pfx.macData, authSafeBytes, password, budget)) {
      throw new KeyProviderError('KEY_PASSWORD_WRONG', 'pkcs12 mac does not verify: wrong password or damaged file');
    }
  }
  const authSafe = parse('AuthenticatedSafe', () => AuthenticatedSafe.fromBER(authSafeBytes));
  if (authSafe.safeContents.length > MAX_PKCS12_CONTENT_INFOS) {
    unsupported(`pkcs12 AuthenticatedSafe with ${authSafe.safeContents.length} ContentInfos, above the limit of ${MAX_PKCS12_CONTENT_INFOS}`, {
      count: String(authSafe.safeContents.length),
      limit: String(MAX_PKCS12_CONTENT_INFOS),
    });
  }
  const safes = authSafe.safeContents.map((info) => readSafeContents(info));
  // Charged all before the first decryption: a file over the budget costs no derivation beyond its MAC.
  for (const safe of safes) if (safe.kind === 'encrypted') budget.charge(safe.pbe.cost, 'an encryptedData safe');
  const bags: RawBag[] = [];
  for (const safe of safes) {
    if (safe.kind === 'data') collectBags(safe.der, false, bags, 0);
    else collectBags(safe.pbe.decrypt(safe.ciphertext, password), true, bags, 0);
  }

  // Several keys are refused anyway: say so before paying a derivation for each.
  const keyBags = bags.filter((b) => b.bagId === OID_SHROUDED_KEY_BAG || b.bagId === OID_KEY_BAG).length;
  if (keyBags > 1) {
    throw new KeyProviderError('KEY_AMBIGUOUS', 'pkcs12 file holds several private keys', { detail: { keys: String(keyBags) } });
  }
  const keys: { key: PrivateKeyMaterial; localKeyId: string | undefined }[] = [];
  const certs: { facts: CertificateFacts; localKeyId: string | undefined }[] = [];
  for (const bag of bags) {
    const localKeyId = localKeyIdOf(bag);
    if (bag.bagId === OID_SHROUDED_KEY_BAG) {
      const shrouded = parse('PKCS8ShroudedKeyBag', () => new PKCS8ShroudedKeyBag({ schema: bag.value }));
      const pbe = preparePbeDecryption(shrouded.encryptionAlgorithm);
      budget.charge(pbe.cost, 'the shrouded key bag');
      const plain = pbe.decrypt(octets(shrouded.encryptedData, 'encryptedData'), password);
      keys.push({ key: importDecrypted(plain), localKeyId });
    } else if (bag.bagId === OID_KEY_BAG) {
      // keyBag: a plain PrivateKeyInfo (RFC 7292 §4.2.1), imported from its exact bytes.
      keys.push({ key: importPrivateKey(new Uint8Array(bag.value.valueBeforeDecodeView)), localKeyId });
    } else if (bag.bagId === OID_CERT_BAG) {
      const certBag = parse('CertBag', () => new CertBag({ schema: bag.value }));
      if (certBag.certId !== OID_X509_CERTIFICATE) continue; // SDSI certificates are not used here
      certs.push({ facts: readCertificate(octets(certBag.certValue, 'certValue')), localKeyId });
    }
    // CRL and secret bags carry nothing a signer needs.
  }

  const [first] = keys; // at most one: several were refused above
  if (first === undefined) throw new KeyProviderError('KEY_NOT_FOUND', 'pkcs12 file holds no private key');
  if (certs.length === 0) throw new KeyProviderError('KEY_CERT_NOT_FOUND', 'pkcs12 file holds no certificate');
  // The leaf is a certificate of the key's public key; among several (a renewed certificate beside the
  // old one), the one with the key's localKeyId (RFC 7292 §4.2). The localKeyId alone does not decide:
  // a file that put the key's localKeyId on another certificate was refused (KEY_CERT_MISMATCH) although
  // it held the key's own.
  const ofKey = certs.flatMap((c, i) => {
    try {
      return samePublicKey(certificatePublicKey(c.facts), first.key.publicKey) ? [i] : [];
    } catch {
      return []; // a chain certificate with a refused key cannot be the signer's
    }
  });
  const tagged = first.localKeyId === undefined ? undefined : ofKey.find((i) => certs[i]?.localKeyId === first.localKeyId);
  const leafIndex = tagged ?? ofKey[0] ?? -1;
  const leaf = certs[leafIndex];
  if (leaf === undefined) {
    throw new KeyProviderError('KEY_CERT_MISMATCH', 'no certificate in the pkcs12 file belongs to its key');
  }
  const others = certs.filter((_, i) => i !== leafIndex).map((c) => c.facts);
  return Object.freeze({ key: first.key, certificate: leaf.facts, chain: Object.freeze(intermediatesOf(leaf.facts, others)) });
}

/** One ContentInfo of the AuthenticatedSafe, read but not decrypted. */
type SafeContentsSource =
  | { readonly kind: 'data'; readonly der: Uint8Array }
  | { readonly kind: 'encrypted'; readonly pbe: PbeDecryption; readonly ciphertext: Uint8Array };

function readSafeContents(info: ContentInfo): SafeContentsSource {
  if (info.contentType === OID_DATA) return { kind: 'data', der: octets(info.content, 'safeContents') };
  if (info.contentType === OID_ENCRYPTED_DATA) {
    const encrypted = parse('EncryptedData', () => new EncryptedData({ schema: info.content }));
    const eci = encrypted.encryptedContentInfo;
    if (eci.encryptedContent === undefined) unsupported('encryptedData without content', {});
    return {
      kind: 'encrypted',
      pbe: preparePbeDecryption(eci.contentEncryptionAlgorithm),
      ciphertext: octets(eci.encryptedContent, 'encryptedContent'),
    };
  }
  // envelopedData: public-key privacy mode (RFC 7292 §3.1).
  return unsupported('pkcs12 privacy mode', { oid: info.contentType });
}

/** Reads SafeContents ::= SEQUENCE OF SafeBag (RFC 7292 §4.2). */
function readBags(der: Uint8Array, decrypted: boolean): RawBag[] {
  const parsed = asn1js.fromBER(der);
  const seq = parsed.result;
  if (parsed.offset === -1 || parsed.offset !== der.length || !(seq instanceof asn1js.Sequence)) {
    // A wrong password whose padding happens to look right decrypts to garbage (RFC 8018 §6.2.2).
    if (decrypted) throw new KeyProviderError('KEY_PASSWORD_WRONG', 'the password does not decrypt the pkcs12 content');
    return unsupported('pkcs12 SafeContents', {});
  }
  return seq.valueBlock.value.map((bag) => {
    const parts = bag instanceof asn1js.Sequence ? bag.valueBlock.value : [];
    const [id, wrapped, attrs] = parts;
    const inner = wrapped instanceof asn1js.Constructed && wrapped.idBlock.tagClass === 3 && wrapped.idBlock.tagNumber === 0 ? wrapped.valueBlock.value : [];
    const value = inner[0];
    if (!(id instanceof asn1js.ObjectIdentifier) || inner.length !== 1 || value === undefined || parts.length > 3) {
      return unsupported('pkcs12 SafeBag', {});
    }
    const attributes =
      attrs instanceof asn1js.Set ? attrs.valueBlock.value.map((a) => parse('Attribute', () => new Attribute({ schema: a }))) : [];
    return { bagId: id.valueBlock.toString(), value, attributes };
  });
}

function collectBags(der: Uint8Array, decrypted: boolean, out: RawBag[], depth: number): void {
  for (const bag of readBags(der, decrypted)) {
    if (bag.bagId === OID_SAFE_CONTENTS_BAG) {
      // Nested SafeContents (RFC 7292 §4.2.6): bounded so a hostile file cannot recurse forever.
      if (depth >= 4) unsupported('pkcs12 nesting depth', {});
      collectBags(new Uint8Array(bag.value.valueBeforeDecodeView), false, out, depth + 1);
      continue;
    }
    out.push(bag);
    if (out.length > MAX_PKCS12_BAGS) unsupported('pkcs12 bag count', { limit: String(MAX_PKCS12_BAGS) });
  }
}

function importDecrypted(plain: Uint8Array): PrivateKeyMaterial {
  try {
    return importPrivateKey(plain);
  } catch (cause) {
    // The MAC passed, so garbage here means a damaged or hostile file, not a wrong password.
    if (cause instanceof Error && 'code' in cause && cause.code === 'CRYPTO_KEY_INVALID') {
      throw new KeyProviderError('KEY_PASSWORD_WRONG', 'the decrypted pkcs12 key is not a private key', { cause });
    }
    throw cause;
  }
}

function localKeyIdOf(bag: RawBag): string | undefined {
  for (const attr of bag.attributes) {
    if (attr.type !== OID_LOCAL_KEY_ID) continue;
    const value: unknown = attr.values[0];
    if (value instanceof asn1js.OctetString) return Buffer.from(value.getValue()).toString('hex');
  }
  return undefined;
}

function octets(block: unknown, what: string): Uint8Array {
  if (block instanceof asn1js.OctetString) return new Uint8Array(block.getValue());
  // pkijs keeps some values as plain asn1js blocks: accept any primitive universal OCTET STRING.
  if (block instanceof asn1js.BaseBlock && block.idBlock.tagClass === 1 && block.idBlock.tagNumber === 4) {
    const view = (block.valueBlock as { valueHexView?: Uint8Array }).valueHexView;
    if (view !== undefined) return new Uint8Array(view);
  }
  return unsupported('pkcs12 structure', { field: what });
}

function parse<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (cause) {
    if (cause instanceof KeyProviderError) throw cause;
    throw new KeyProviderError('KEY_FORMAT_UNSUPPORTED', `not a readable pkcs12 ${what}`, { cause, detail: { structure: what } });
  }
}

function unsupported(what: string, detail: Record<string, string>): never {
  throw new KeyProviderError('KEY_FORMAT_UNSUPPORTED', `unsupported ${what}`, { detail });
}
