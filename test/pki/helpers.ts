/**
 * Test chains: a root, an intermediate and a sealer leaf per key kind, with hooks to make each bad case.
 */
import { generateKeyPair } from '../../src/crypto/index.js';
import type { PrivateKeyMaterial } from '../../src/crypto/index.js';
import { issueCertificate } from '../../src/pki/index.js';
import type { CertificateInfo, IssueCertificateOptions } from '../../src/pki/index.js';

export type Kind = 'sm2' | 'ec-p256' | 'rsa';

/** Validity used by default: 2025-01-01 to 2045-01-01. */
export const NOT_BEFORE = new Date('2025-01-01T00:00:00Z');
export const NOT_AFTER = new Date('2045-01-01T00:00:00Z');
/** The pinned validation time. */
export const AT = new Date('2026-06-01T00:00:00Z');

const keyCache = new Map<string, PrivateKeyMaterial>();

/** A key per (kind, role), generated once per test file. */
export function key(kind: Kind, role: string): PrivateKeyMaterial {
  const id = `${kind}/${role}`;
  let k = keyCache.get(id);
  if (k === undefined) {
    k = generateKeyPair(kind);
    keyCache.set(id, k);
  }
  return k;
}

type Overrides = { [K in keyof Omit<IssueCertificateOptions, 'publicKey' | 'issuer' | 'selfSignKey'>]?: IssueCertificateOptions[K] | undefined };

/** Merges overrides into defaults; an override set to undefined removes the default. */
function merge(defaults: IssueCertificateOptions, o: Overrides | undefined): IssueCertificateOptions {
  const out: Record<string, unknown> = { ...defaults, ...o };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as unknown as IssueCertificateOptions;
}

export interface TestChain {
  readonly kind: Kind;
  readonly root: CertificateInfo;
  readonly inter: CertificateInfo;
  readonly leaf: CertificateInfo;
  readonly rootKey: PrivateKeyMaterial;
  readonly interKey: PrivateKeyMaterial;
  readonly leafKey: PrivateKeyMaterial;
}

/** Builds root → intermediate → leaf; each level can be overridden. */
export function makeChain(
  kind: Kind,
  o: { root?: Overrides; inter?: Overrides; leaf?: Overrides; leafSigner?: { certificate: CertificateInfo; key: PrivateKeyMaterial }; tag?: string } = {},
): TestChain {
  const tag = o.tag ?? '';
  const rootKey = key(kind, 'root' + tag);
  const interKey = key(kind, 'inter' + tag);
  const leafKey = key(kind, 'leaf' + tag);
  const root = issueCertificate(merge({
    subject: [['C', 'CN'], ['O', 'Test PKI'], ['CN', `Test ${kind} Root${tag}`]],
    publicKey: rootKey.publicKey,
    selfSignKey: rootKey,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    ca: true,
    keyUsage: ['keyCertSign', 'cRLSign'],
  }, o.root));
  const inter = issueCertificate(merge({
    subject: [['C', 'CN'], ['O', 'Test PKI'], ['CN', `Test ${kind} Sealer CA${tag}`]],
    publicKey: interKey.publicKey,
    issuer: { certificate: root, key: rootKey },
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    ca: true,
    pathLen: 0,
    keyUsage: ['keyCertSign', 'cRLSign'],
  }, o.inter));
  const leaf = issueCertificate(merge({
    subject: [['C', 'CN'], ['O', 'Test Finance Bureau'], ['OU', 'cz'], ['organizationIdentifier', 'cz:110101'], ['CN', `Test ${kind} Sealer${tag}`]],
    publicKey: leafKey.publicKey,
    issuer: o.leafSigner ?? { certificate: inter, key: interKey },
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    keyUsage: ['digitalSignature', 'nonRepudiation'],
  }, o.leaf));
  return { kind, root, inter, leaf, rootKey, interKey, leafKey };
}
