/**
 * The software key provider: a private key in memory (PKCS#8 plain or encrypted, SEC1 EC or
 * PKCS#1 RSA, SM2 included) and its certificate.
 *
 * The key is checked against the certificate when the provider is opened, so that a wrong
 * key/certificate pair fails at once with `KEY_CERT_MISMATCH` instead of producing seals that
 * never verify.
 */
import { importPrivateKey, signMessage } from '../../crypto/index.js';
import type { PrivateKeyMaterial } from '../../crypto/index.js';
import type { SignatureAlgorithm } from '../../crypto/types.js';
import { chooseAlgorithm } from '../algorithm.js';
import { certificatePublicKey, intermediatesOf, readCertificate, samePublicKey } from '../certificate.js';
import type { CertificateFacts } from '../certificate.js';
import { checkKeyOptions } from '../arguments.js';
import { KeyProviderError } from '../errors.js';
import type { KeyProvider } from '../provider.js';
import { isPem, readCertificates, readPemBlocks } from './pem.js';

/** Options of {@link openSoftwareKey}. */
export interface SoftwareKeyOptions {
  /** The private key: PEM text or bytes, or DER (PKCS#8, encrypted PKCS#8, SEC1, PKCS#1). */
  readonly key: Uint8Array | string;
  /** The signer certificate, PEM or DER. Further PEM certificates after the first join the chain. */
  readonly certificate: Uint8Array | string;
  /**
   * Intermediate certificates (PEM, possibly several per entry, or DER), in any order. `chain()` hands out those on
   * the signer certificate's paths, issuer first; a self-signed root and certificates on no path are left out.
   */
  readonly chain?: readonly (Uint8Array | string)[];
  /** Password of an encrypted key. */
  readonly password?: string;
  /** `rsa-pss-sha256` to sign with PSS; otherwise the key decides. */
  readonly algorithm?: SignatureAlgorithm;
  /** SM2 signer ID (default `1234567812345678`, GB/T 35276 §5). */
  readonly sm2Id?: Uint8Array;
}

/**
 * Opens a software key.
 *
 * @param options - key, certificate, optional chain, password, algorithm and SM2 signer ID
 * @returns a provider whose `sign()` returns DER `SEQUENCE{r,s}` (SM2, ECDSA) or the RSA block
 * @throws KeyProviderError `KEY_PASSWORD_REQUIRED`, `KEY_PASSWORD_WRONG`, `KEY_FORMAT_UNSUPPORTED`,
 *   `KEY_CERT_NOT_FOUND` (no certificate in the input), `KEY_CERT_MISMATCH` (the key is not the
 *   certificate's), `CERT_MALFORMED`; EvoucherError `CRYPTO_KEY_INVALID`, `CRYPTO_KEY_TOO_WEAK`,
 *   `CRYPTO_ALGORITHM_FORBIDDEN` (off-list curve, or `algorithm` does not fit the key), `ARG_INVALID` (options
 *   not an object, a chain that is not an array, an `algorithm` off the list, an `sm2Id` that is not bytes, a
 *   `password` that is not a string)
 * @example
 * const signer = openSoftwareKey({ key: await readFile('finance.key', 'utf8'),
 *   certificate: await readFile('finance.pem', 'utf8'), password })
 * const sig = await signer.sign(bytes)
 */
export function openSoftwareKey(options: SoftwareKeyOptions): KeyProvider {
  if (typeof options !== 'object' || options === null) throw new KeyProviderError('ARG_INVALID', 'openSoftwareKey options must be an object', { detail: { argument: 'options' } });
  checkKeyOptions(options as unknown as Readonly<Record<string, unknown>>, 'openSoftwareKey');
  if (options.chain !== undefined && !Array.isArray(options.chain as unknown)) {
    throw new KeyProviderError('ARG_INVALID', 'openSoftwareKey chain must be an array of certificates', { detail: { option: 'chain' } });
  }
  // PEM syntax is judged by the one reader of key files (KEY_FORMAT_UNSUPPORTED for bad base64 or a missing END
  // line), whether the certificate comes from the same file or from cert=.
  if (isPem(options.key)) readPemBlocks(options.key);
  const key = importPrivateKey(normaliseLabels(options.key), options.password === undefined ? {} : { password: options.password });
  const certs = readCertificates(options.certificate);
  const [leafDer, ...more] = certs;
  if (leafDer === undefined) {
    throw new KeyProviderError('KEY_CERT_NOT_FOUND', 'no certificate given for the key');
  }
  const leaf = readCertificate(leafDer);
  // Every given certificate is read (a malformed one is refused), and chain() hands out those on the signer's paths,
  // issuer first, as for PKCS#12: a chain file that ends with its root, or a bundle of several CAs, puts no anchor
  // and no stranger into the stamps (docs/keys.md).
  const given = [...more, ...(options.chain ?? []).flatMap((c) => readCertificates(c))].map((d) => readCertificate(d));
  return createKeyProvider(key, leaf, intermediatesOf(leaf, given), options);
}

/**
 * OpenSSL 3 writes SEC1 SM2 keys as `SM2 PRIVATE KEY` (`openssl ec -in sm2.key`); the structure is
 * the RFC 5915 ECPrivateKey of an `EC PRIVATE KEY`, so the label is normalised.
 */
function normaliseLabels(key: Uint8Array | string): Uint8Array | string {
  if (!isPem(key)) return key;
  const text = typeof key === 'string' ? key : Buffer.from(key).toString('latin1');
  return text.includes('-----BEGIN SM2 PRIVATE KEY-----')
    ? text.replace(/-----(BEGIN|END) SM2 PRIVATE KEY-----/gu, '-----$1 EC PRIVATE KEY-----')
    : key;
}

/**
 * Builds a provider from an imported key and its certificates (shared by PEM and PKCS#12).
 *
 * @param key - the private key
 * @param leaf - the signer certificate
 * @param chain - the other certificates, issuer first
 * @param options - algorithm and SM2 signer ID
 * @returns the provider
 * @throws KeyProviderError `KEY_CERT_MISMATCH`; EvoucherError `CRYPTO_*` for a refused key or algorithm
 */
export function createKeyProvider(
  key: PrivateKeyMaterial,
  leaf: CertificateFacts,
  chain: readonly CertificateFacts[],
  options: { readonly algorithm?: SignatureAlgorithm; readonly sm2Id?: Uint8Array },
): KeyProvider {
  const certKey = certificatePublicKey(leaf);
  if (!samePublicKey(key.publicKey, certKey)) {
    throw new KeyProviderError('KEY_CERT_MISMATCH', 'the private key does not belong to the certificate', {
      detail: { keyKind: key.kind, certificateKeyKind: certKey.kind },
    });
  }
  const algorithm = chooseAlgorithm(key.kind, options.algorithm);
  const sm2Options = options.sm2Id === undefined ? undefined : { id: options.sm2Id.slice() };
  const certificate = leaf.der.slice();
  const chainDer = chain.map((c) => c.der.slice());
  let material: PrivateKeyMaterial | undefined = key;
  const provider: KeyProvider = {
    algorithm,
    certificate: () => Promise.resolve(certificate.slice()),
    chain: () => Promise.resolve(chainDer.map((c) => c.slice())),
    sign: (data: Uint8Array) => {
      try {
        if (material === undefined) {
          throw new KeyProviderError('KEY_PROVIDER_CLOSED', 'the key provider is closed');
        }
        if (!(data instanceof Uint8Array)) {
          throw new KeyProviderError('ARG_INVALID', 'data to sign must be a Uint8Array', { detail: { argument: 'data' } });
        }
        return Promise.resolve(signMessage(algorithm, material, data, sm2Options));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    close: () => {
      // Drops the reference; the key bytes go with the garbage collector (JS cannot wipe them).
      material = undefined;
      return Promise.resolve();
    },
  };
  return Object.freeze(provider);
}
