/**
 * Test helpers of the sealing tests: throwaway OpenSSL-made CAs and leaves, and a KeyProvider over a
 * software key (real signatures, through the crypto module).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importPrivateKey, signMessage, type SignatureAlgorithm } from '../../src/crypto/index.js';
import type { KeyProvider } from '../../src/keys/provider.js';

export function pemToDer(pem: string): Uint8Array {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

export function keyProvider(keyPem: string, certDer: Uint8Array, algorithm: SignatureAlgorithm, chain: Uint8Array[] = []): KeyProvider {
  const key = importPrivateKey(keyPem);
  return {
    algorithm,
    certificate: async () => certDer,
    chain: async () => chain,
    sign: async (data) => signMessage(algorithm, key, data),
  };
}

export interface OpensslPki {
  readonly dir: string;
  readonly rootPem: string;
  readonly rootFile: string;
  readonly leaves: Readonly<Record<string, { keyPem: string; certDer: Uint8Array; certFile: string }>>;
  cleanup(): Promise<void>;
}

/** Makes a P-256 root and leaves of the given kinds with the OpenSSL CLI (the independent tool). */
export interface LeafSpec {
  readonly kind: 'ec' | 'rsa';
  /** Subject OU (the party); omitted when null. Default `cz`. */
  readonly party?: string | null;
  /** Subject organizationIdentifier (2.5.4.97). */
  readonly org?: string;
}

export async function opensslPki(leaves: Record<string, 'ec' | 'rsa' | LeafSpec>): Promise<OpensslPki> {
  const dir = await mkdtemp(join(tmpdir(), 'evoucher-seal-pki-'));
  const run = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  run('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'root.key');
  run('req', '-new', '-x509', '-key', 'root.key', '-sha256', '-subj', '/C=CN/O=Test/CN=Test Root', '-days', '3650',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'root.pem');
  await writeFile(join(dir, 'leaf.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n');
  const out: Record<string, { keyPem: string; certDer: Uint8Array; certFile: string }> = {};
  for (const [name, spec] of Object.entries(leaves)) {
    const { kind, party = 'cz', org } = typeof spec === 'string' ? { kind: spec } : spec;
    const subject = `/C=CN/O=Test${party === null ? '' : `/OU=${party}`}${org === undefined ? '' : `/organizationIdentifier=${org}`}/CN=${name}`;
    if (kind === 'ec') run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
    else run('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', `${name}.key`);
    run('req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', '-sha256',
      '-days', '365', '-extfile', 'leaf.ext', '-out', `${name}.pem`);
    out[name] = {
      keyPem: await readFile(join(dir, `${name}.key`), 'utf8'),
      certDer: pemToDer(await readFile(join(dir, `${name}.pem`), 'utf8')),
      certFile: join(dir, `${name}.pem`),
    };
  }
  return {
    dir,
    rootPem: await readFile(join(dir, 'root.pem'), 'utf8'),
    rootFile: join(dir, 'root.pem'),
    leaves: out,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
