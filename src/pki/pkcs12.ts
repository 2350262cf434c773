/**
 * Writing PKCS#12 files (RFC 7292) for the demo PKI: one private key with its certificate and chain.
 *
 * The profile is OpenSSL 3's default (standards.md §6 pitfalls): the key in a PKCS#8 shrouded key bag
 * (PBES2 / PBKDF2-HMAC-SHA256 / AES-256-CBC, made by the SDK's `exportPrivateKeyPkcs8`), the certificates in a
 * PBES2 / PBKDF2-HMAC-SHA256 / AES-256-CBC encrypted SafeContents, and an HMAC-SHA256 MAC over the
 * authenticated safe with the PKCS#12 key derivation. The structures are built with pkijs, encoded in DER; the
 * encryption uses node's crypto, the MAC pkijs on WebCrypto (no SM algorithm is involved, so SM2 keys can be
 * packed too).
 */
import { createCipheriv, pbkdf2Sync, randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { exportPrivateKeyPkcs8 } from '../crypto/index.js';
import type { PrivateKeyMaterial } from '../crypto/index.js';
import { EvoucherError } from '../errors.js';
import { parsedCertificate } from './cert.js';
import { certificateFingerprint } from './binding.js';
import type { CertificateInfo } from './types.js';

/** Options of {@link createPkcs12}. */
export interface CreatePkcs12Options {
  /** The private key. */
  readonly key: PrivateKeyMaterial;
  /** Its certificate (must hold the key's public key). */
  readonly certificate: Uint8Array | CertificateInfo;
  /** Further certificates, issuer first (intermediates, then the root). */
  readonly chain?: readonly (Uint8Array | CertificateInfo)[];
  /** The password protecting the key, the certificates and the MAC. */
  readonly password: string;
  /** The friendlyName of the key and its certificate (e.g. the role name). */
  readonly friendlyName?: string;
  /** PBKDF2 and MAC iterations (default 2048, OpenSSL 3's). */
  readonly iterations?: number;
}

const OID_PKCS8_SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
const OID_CERT_BAG = '1.2.840.113549.1.12.10.1.3';
const OID_X509_CERTIFICATE = '1.2.840.113549.1.9.22.1';
const OID_FRIENDLY_NAME = '1.2.840.113549.1.9.20';
const OID_LOCAL_KEY_ID = '1.2.840.113549.1.9.21';
const OID_DATA = '1.2.840.113549.1.7.1';
const OID_ENCRYPTED_DATA = '1.2.840.113549.1.7.6';
const OID_PBES2 = '1.2.840.113549.1.5.13';
const OID_PBKDF2 = '1.2.840.113549.1.5.12';
const OID_HMAC_SHA256 = '1.2.840.113549.2.9';
const OID_AES256_CBC = '2.16.840.1.101.3.4.1.42';

/**
 * PBES2 (RFC 8018 §6.2) with PBKDF2-HMAC-SHA256 and AES-256-CBC, as OpenSSL 3 writes it: the algorithm
 * identifier (built with pkijs) and the ciphertext.
 */
function pbes2Encrypt(plain: Uint8Array, password: string, iterations: number): { contentEncryptionAlgorithm: pkijs.AlgorithmIdentifier; encryptedContent: asn1js.OctetString } {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  const kdf = new pkijs.PBKDF2Params({
    salt: new asn1js.OctetString({ valueHex: ab(salt) }),
    iterationCount: iterations,
    prf: new pkijs.AlgorithmIdentifier({ algorithmId: OID_HMAC_SHA256, algorithmParams: new asn1js.Null() }),
  });
  const params = new pkijs.PBES2Params({
    keyDerivationFunc: new pkijs.AlgorithmIdentifier({ algorithmId: OID_PBKDF2, algorithmParams: kdf.toSchema() }),
    encryptionScheme: new pkijs.AlgorithmIdentifier({ algorithmId: OID_AES256_CBC, algorithmParams: new asn1js.OctetString({ valueHex: ab(iv) }) }),
  });
  return {
    contentEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_PBES2, algorithmParams: params.toSchema() }),
    encryptedContent: new asn1js.OctetString({ valueHex: ab(ciphertext) }),
  };
}

function ab(u: Uint8Array): ArrayBuffer {
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
}

function der(c: Uint8Array | CertificateInfo): Uint8Array {
  return parsedCertificate(c).info.der;
}

/**
 * Packs a key, its certificate and its chain into a password-protected PKCS#12 file.
 *
 * @param options - key, certificate, chain, password, friendly name
 * @returns the DER of the PFX
 * @throws EvoucherError `ARG_INVALID` for an empty password or a certificate that does not hold the key's public key
 * @example
 * await writeFile('cz.p12', await createPkcs12({ key, certificate: cert, chain: [ca, root], password: 'evoucher-demo' }));
 */
export async function createPkcs12(options: CreatePkcs12Options): Promise<Uint8Array> {
  if (typeof options !== 'object' || options === null) throw new EvoucherError('ARG_INVALID', 'createPkcs12 options must be an object', { detail: { argument: 'options' } });
  if (typeof options.password !== 'string' || options.password.length === 0) {
    throw new EvoucherError('ARG_INVALID', 'a pkcs#12 file needs a non-empty password');
  }
  // Only a missing count is the default: `null` is refused, not read as left out.
  const iterations = options.iterations === undefined ? 2048 : options.iterations;
  if (!Number.isInteger(iterations) || iterations < 1000 || iterations > 10_000_000) {
    throw new EvoucherError('ARG_INVALID', 'pkcs#12 iterations must be an integer from 1000 to 10000000');
  }
  const leaf = parsedCertificate(options.certificate).info;
  if (Buffer.compare(leaf.publicKey.spki, options.key.publicKey.spki) !== 0) {
    throw new EvoucherError('ARG_INVALID', 'the certificate does not hold the public key of the private key');
  }
  const engine = new pkijs.CryptoEngine({ name: 'node-webcrypto', crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'] });
  const password = ab(new TextEncoder().encode(options.password));
  // localKeyID ties the key to its certificate (RFC 7292 §4.2); the certificate fingerprint is a stable choice.
  const localKeyId = new Uint8Array(Buffer.from(certificateFingerprint(leaf.der), 'hex').subarray(0, 20));
  const attributes = (withName: boolean): pkijs.Attribute[] => [
    ...(withName && options.friendlyName !== undefined
      ? [new pkijs.Attribute({ type: OID_FRIENDLY_NAME, values: [new asn1js.BmpString({ value: options.friendlyName })] })]
      : []),
    new pkijs.Attribute({ type: OID_LOCAL_KEY_ID, values: [new asn1js.OctetString({ valueHex: ab(localKeyId) })] }),
  ];

  const encryptedKey = exportPrivateKeyPkcs8(options.key, { password: options.password });
  const keyBag = new pkijs.SafeBag({
    bagId: OID_PKCS8_SHROUDED_KEY_BAG,
    bagValue: new pkijs.PKCS8ShroudedKeyBag({ schema: asn1js.fromBER(ab(encryptedKey)).result }),
    bagAttributes: attributes(true),
  });
  const certBag = (bytes: Uint8Array, attrs?: pkijs.Attribute[]): pkijs.SafeBag =>
    new pkijs.SafeBag({
      bagId: OID_CERT_BAG,
      // certValue given as bytes: the certificate is embedded exactly as issued, never re-encoded.
      bagValue: new pkijs.CertBag({ certId: OID_X509_CERTIFICATE, certValue: new asn1js.OctetString({ valueHex: ab(bytes) }) }),
      ...(attrs === undefined ? {} : { bagAttributes: attrs }),
    });
  const certBags = [certBag(leaf.der, attributes(true)), ...(options.chain ?? []).map((c) => certBag(der(c)))];

  // The certificates go into a PBES2-encrypted SafeContents made here, not by pkijs' EncryptedData.encrypt:
  // that one writes BER (indefinite lengths, a constructed OCTET STRING), and the file must be DER.
  const certContents = new Uint8Array(new pkijs.SafeContents({ safeBags: certBags }).toSchema().toBER(false));
  const encryptedCerts = new pkijs.EncryptedData({
    version: 0,
    encryptedContentInfo: new pkijs.EncryptedContentInfo({
      contentType: OID_DATA,
      ...pbes2Encrypt(certContents, options.password, iterations),
      disableSplit: true,
    }),
  });
  const keyContents = new pkijs.SafeContents({ safeBags: [keyBag] }).toSchema().toBER(false);
  const authenticatedSafe = new pkijs.AuthenticatedSafe({
    safeContents: [
      new pkijs.ContentInfo({ contentType: OID_ENCRYPTED_DATA, content: encryptedCerts.toSchema() }),
      new pkijs.ContentInfo({ contentType: OID_DATA, content: new asn1js.OctetString({ valueHex: keyContents }) }),
    ],
  });
  const pfx = new pkijs.PFX({ parsedValue: { integrityMode: 0, authenticatedSafe } });
  // RFC 7292 Appendix B key derivation + HMAC-SHA256 over the authenticated safe.
  await pfx.makeInternalValues({ password, iterations, pbkdf2HashAlgorithm: 'SHA-256', hmacHashAlgorithm: 'SHA-256' }, engine);
  return new Uint8Array(pfx.toSchema().toBER(false));
}
