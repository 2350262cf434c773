/**
 * Key material made by the OpenSSL CLI (the independent oracle) for the key-provider tests:
 * PKCS#8 plain and encrypted, SEC1, self-signed certificates and PKCS#12 files.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Password of every encrypted test key and PKCS#12 file (non-ASCII on purpose: BMPString vs UTF-8). */
export const TEST_PASSWORD = 'pässwörd-密码-1';

/** Key kinds the fixtures make. */
export type FixtureKind = 'p256' | 'rsa' | 'sm2';

/** Files and bytes of one key. */
export interface KeyFixture {
  readonly kind: FixtureKind;
  /** Plain PKCS#8 PEM path / text / DER. */
  readonly keyPath: string;
  readonly keyPem: string;
  readonly keyPkcs8Der: Uint8Array;
  /** Encrypted PKCS#8 (PBES2, AES-256-CBC) path and text. */
  readonly encryptedKeyPath: string;
  readonly encryptedKeyPem: string;
  /** SEC1 (`EC PRIVATE KEY` / `SM2 PRIVATE KEY`) path and text; EC kinds only. */
  readonly sec1Path?: string;
  readonly sec1Pem?: string;
  /** Self-signed certificate path, PEM and DER. */
  readonly certPath: string;
  readonly certPem: string;
  readonly certDer: Uint8Array;
  /** PKCS#12 (OpenSSL 3 defaults: PBES2/AES-256-CBC, SHA-256 MAC) path and bytes. */
  readonly p12Path: string;
  readonly p12: Uint8Array;
}

/**
 * Runs openssl.
 *
 * @param args - arguments
 * @returns stdout
 */
export async function openssl(args: string[]): Promise<string> {
  try {
    const { stdout } = await run('openssl', args, { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    throw new Error(`openssl ${args[0] ?? ''} failed: ${String((e as { stderr?: unknown }).stderr ?? e)}`);
  }
}

export function pemToDer(pem: string): Uint8Array {
  const b64 = pem.replace(/-----[^-]+-----/gu, '').replace(/\s+/gu, '');
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

/**
 * Makes a key, its certificate and every file form of it with OpenSSL.
 *
 * @param dir - a temporary directory
 * @param kind - the key type
 * @param name - file name stem and certificate CN
 * @returns the fixture
 */
export async function makeKeyFixture(dir: string, kind: FixtureKind, name: string = kind): Promise<KeyFixture> {
  const keyPath = join(dir, `${name}.key.pem`);
  const genArgs: Record<FixtureKind, string[]> = {
    p256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    sm2: ['-algorithm', 'SM2'],
  };
  await openssl(['genpkey', ...genArgs[kind], '-out', keyPath]);
  const certPath = join(dir, `${name}.cert.pem`);
  const digestArgs = kind === 'sm2' ? ['-sm3', '-sigopt', 'distid:1234567812345678'] : ['-sha256'];
  await openssl(['req', '-x509', '-new', '-key', keyPath, ...digestArgs, '-subj', `/CN=${name}/O=evoucher test`, '-days', '30', '-out', certPath]);
  const encryptedKeyPath = join(dir, `${name}.key.enc.pem`);
  await openssl(['pkcs8', '-topk8', '-in', keyPath, '-v2', 'aes-256-cbc', '-passout', `pass:${TEST_PASSWORD}`, '-out', encryptedKeyPath]);
  let sec1Path: string | undefined;
  if (kind !== 'rsa') {
    sec1Path = join(dir, `${name}.sec1.pem`);
    await openssl(['ec', '-in', keyPath, '-out', sec1Path]);
  }
  const p12Path = join(dir, `${name}.p12`);
  await openssl(['pkcs12', '-export', '-inkey', keyPath, '-in', certPath, '-name', name, '-passout', `pass:${TEST_PASSWORD}`, '-out', p12Path]);
  const keyPem = await readFile(keyPath, 'utf8');
  const certPem = await readFile(certPath, 'utf8');
  return {
    kind,
    keyPath,
    keyPem,
    keyPkcs8Der: pemToDer(keyPem),
    encryptedKeyPath,
    encryptedKeyPem: await readFile(encryptedKeyPath, 'utf8'),
    ...(sec1Path === undefined ? {} : { sec1Path, sec1Pem: await readFile(sec1Path, 'utf8') }),
    certPath,
    certPem,
    certDer: pemToDer(certPem),
    p12Path,
    p12: new Uint8Array(await readFile(p12Path)),
  };
}

/** A CA, a leaf it issued, and a PKCS#12 holding the leaf key with both certificates. */
export interface ChainFixture {
  readonly caCertDer: Uint8Array;
  readonly leafCertDer: Uint8Array;
  readonly caPath: string;
  readonly p12Path: string;
  readonly p12: Uint8Array;
}

/**
 * Makes a two-level P-256 chain and a PKCS#12 with the CA certificate listed first (so that the
 * reader must find the leaf by its key, not by position).
 *
 * @param dir - a temporary directory
 * @returns the chain fixture
 */
export async function makeChainFixture(dir: string): Promise<ChainFixture> {
  const caKey = join(dir, 'ca.key.pem');
  const caPath = join(dir, 'ca.cert.pem');
  const leafKey = join(dir, 'leaf.key.pem');
  const leafCsr = join(dir, 'leaf.csr');
  const leafCert = join(dir, 'leaf.cert.pem');
  const ext = join(dir, 'leaf.ext');
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', caKey]);
  await openssl(['req', '-x509', '-new', '-key', caKey, '-sha256', '-subj', '/CN=test ca/O=evoucher test', '-days', '30', '-out', caPath]);
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', leafKey]);
  await openssl(['req', '-new', '-key', leafKey, '-subj', '/CN=leaf/O=evoucher test', '-out', leafCsr]);
  await writeFile(ext, 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,nonRepudiation\n');
  await openssl(['x509', '-req', '-in', leafCsr, '-CA', caPath, '-CAkey', caKey, '-CAcreateserial', '-sha256', '-days', '30', '-extfile', ext, '-out', leafCert]);
  const p12Path = join(dir, 'chain.p12');
  await openssl(['pkcs12', '-export', '-inkey', leafKey, '-in', leafCert, '-certfile', caPath, '-passout', `pass:${TEST_PASSWORD}`, '-out', p12Path]);
  return {
    caCertDer: pemToDer(await readFile(caPath, 'utf8')),
    leafCertDer: pemToDer(await readFile(leafCert, 'utf8')),
    caPath,
    p12Path,
    p12: new Uint8Array(await readFile(p12Path)),
  };
}
