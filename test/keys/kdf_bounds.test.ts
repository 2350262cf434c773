/**
 * Key-derivation work taken from a key file is bounded, and refused before anything is derived:
 * - encrypted PKCS#8: PBKDF2 iterationCount, scrypt memory and work, derived key length, and the scheme
 *   itself (src/crypto/keys.ts);
 * - PKCS#12: the number of ContentInfos and the total of every derivation of the file
 *   (src/keys/software/pkcs12.ts).
 * Files are made by the OpenSSL CLI; hostile parameters are written into a real file's DER. A refused
 * file must say KEY_FORMAT_UNSUPPORTED: before these bounds, the same files were derived (for minutes, for
 * the largest counts) and then opened or reported as a wrong password.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as asn1js from 'asn1js';
import { AlgorithmIdentifier, PBES2Params, PBKDF2Params, PFX } from 'pkijs';
import { importPrivateKey, MAX_SCRYPT_MEMORY, MAX_SCRYPT_WORK } from '../../src/crypto/keys.js';
import { derExplicit, derInteger, derOctetString, derOid, derSequence, readDer } from '../../src/encoding/der.js';
import type { DerNode } from '../../src/encoding/der.js';
import { EvoucherError } from '../../src/errors.js';
import { openKeyProvider } from '../../src/keys/index.js';
import {
  MAX_PBE_ITERATIONS,
  MAX_PKCS12_CONTENT_INFOS,
  MAX_PKCS12_KDF_ITERATIONS,
  openPkcs12,
  openSoftwareKey,
} from '../../src/keys/software/index.js';
import { KdfBudget, pbeDecrypt, verifyPkcs12Mac } from '../../src/keys/software/pbe.js';

const ROOT = join(import.meta.dirname, '../..');
const PKI = join(ROOT, 'fixtures/pki');
const FIXTURE_PASSWORD = 'evoucher-demo';
const PW = 'pw';
const P256 = join(PKI, 'p256');

let dir: string;
const path = (name: string): string => join(dir, name);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** The error code a call ends with, or 'opened'. */
function codeOf(f: () => unknown): string {
  try {
    f();
    return 'opened';
  } catch (e) {
    return e instanceof EvoucherError ? e.code : `raw ${String(e)}`;
  }
}

function errorOf(f: () => unknown): EvoucherError {
  try {
    f();
  } catch (e) {
    if (e instanceof EvoucherError) return e;
    throw e;
  }
  throw new Error('no error');
}

function pemBody(file: string): Uint8Array {
  return new Uint8Array(Buffer.from(readFileSync(file, 'utf8').replace(/-----[^-]+-----/gu, '').replace(/\s+/gu, ''), 'base64'));
}

function pem(der: Uint8Array): string {
  return `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${Buffer.from(der).toString('base64')}\n-----END ENCRYPTED PRIVATE KEY-----\n`;
}

function kids(node: DerNode | undefined): readonly DerNode[] {
  if (node?.children === undefined) throw new Error('not a constructed node');
  return node.children;
}

/**
 * Re-encodes a real PBES2 EncryptedPrivateKeyInfo with other key-derivation parameters (or OIDs), keeping
 * its salt, cipher, IV and ciphertext.
 */
function rewritePbes2(
  file: string,
  edit: {
    readonly kdfParams?: (raw: readonly Uint8Array[]) => Uint8Array[];
    readonly kdfOid?: string;
    readonly schemeOid?: string;
    readonly encryptionScheme?: Uint8Array;
  },
): string {
  const [alg, data] = kids(readDer(pemBody(file)));
  const [oid, pbes2] = kids(alg);
  const [kdf, scheme] = kids(pbes2);
  const [kdfOid, kdfParams] = kids(kdf);
  const params = kids(kdfParams).map((n) => n.raw);
  const rebuilt = derSequence(
    derSequence(
      edit.schemeOid === undefined ? oid!.raw : derOid(edit.schemeOid),
      derSequence(
        derSequence(edit.kdfOid === undefined ? kdfOid!.raw : derOid(edit.kdfOid), derSequence(...(edit.kdfParams?.(params) ?? params))),
        edit.encryptionScheme ?? scheme!.raw,
      ),
    ),
    data!.raw,
  );
  return pem(rebuilt);
}

/** Replaces the INTEGER at `index` of the KDF parameters. */
const setInteger =
  (index: number, value: bigint) =>
  (raw: readonly Uint8Array[]): Uint8Array[] =>
    raw.map((r, i) => (i === index ? derInteger(value) : r));

const open8 = (text: string, password: string | undefined = PW): unknown => importPrivateKey(text, password === undefined ? {} : { password });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'evoucher-kdf-'));
  openssl('pkey', '-in', join(P256, 'cz.key.pem'), '-passin', `pass:${FIXTURE_PASSWORD}`, '-out', path('plain.pem'));
  const topk8 = (out: string, ...opts: string[]): void => openssl('pkcs8', '-topk8', '-in', path('plain.pem'), ...opts, '-passout', `pass:${PW}`, '-out', path(out));
  topk8('default.pem', '-v2', 'aes-256-cbc');
  topk8('sha512.pem', '-v2', 'aes-128-cbc', '-v2prf', 'hmacWithSHA512');
  topk8('iter-max.pem', '-v2', 'aes-256-cbc', '-iter', String(MAX_PBE_ITERATIONS));
  topk8('iter-over.pem', '-v2', 'aes-256-cbc', '-iter', String(MAX_PBE_ITERATIONS + 1));
  topk8('scrypt.pem', '-scrypt');
  topk8('scrypt-p8.pem', '-scrypt', '-scrypt_N', '16384', '-scrypt_r', '8', '-scrypt_p', '8');
  topk8('scrypt-p9.pem', '-scrypt', '-scrypt_N', '16384', '-scrypt_r', '8', '-scrypt_p', '9');
  topk8('pbe-3des.pem', '-v1', 'PBE-SHA1-3DES');
}, 120_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('encrypted PKCS#8: keys within the bounds still open', () => {
  it('every fixture key (OpenSSL defaults: PBKDF2-HMAC-SHA256, 2048 iterations, AES-256-CBC)', () => {
    const files = ['p256', 'rsa', 'sm2'].flatMap((fam) =>
      readdirSync(join(PKI, fam))
        .filter((f) => f.endsWith('.key.pem'))
        .map((f) => join(PKI, fam, f)),
    );
    expect(files.length).toBeGreaterThanOrEqual(24);
    for (const f of files) expect(codeOf(() => importPrivateKey(readFileSync(f, 'utf8'), { password: FIXTURE_PASSWORD })), f).toBe('opened');
  });

  it('PBKDF2 at the iteration limit, another PRF, scrypt at OpenSSL defaults and at the work limit, PKCS#12 3DES PBE', () => {
    for (const f of ['default.pem', 'sha512.pem', 'iter-max.pem', 'scrypt.pem', 'scrypt-p8.pem', 'pbe-3des.pem']) {
      expect(codeOf(() => open8(readFileSync(path(f), 'utf8'))), f).toBe('opened');
    }
    // The wrong password is still told apart from a refused file.
    expect(codeOf(() => open8(readFileSync(path('scrypt.pem'), 'utf8'), 'wrong'))).toBe('KEY_PASSWORD_WRONG');
  });
});

describe('encrypted PKCS#8: key-derivation parameters above the bounds are refused before any derivation', () => {
  it('PBKDF2 iterationCount one above the limit (openssl pkcs8 -iter), with the parameter and the limit named', () => {
    const e = errorOf(() => open8(readFileSync(path('iter-over.pem'), 'utf8')));
    expect(e.code).toBe('KEY_FORMAT_UNSUPPORTED');
    expect(e.message).toContain('iterationCount');
    expect(e.message).toContain(String(MAX_PBE_ITERATIONS));
    expect(e.detail).toMatchObject({ parameter: 'iterationCount', value: String(MAX_PBE_ITERATIONS + 1), limit: String(MAX_PBE_ITERATIONS) });
  });

  it('PBKDF2 iterationCount 2^31 - 1 (about 11 minutes of PBKDF2 before) and 2^64', () => {
    for (const n of [2n ** 31n - 1n, 2n ** 64n]) {
      const text = rewritePbes2(path('default.pem'), { kdfParams: setInteger(1, n) });
      expect(codeOf(() => open8(text)), String(n)).toBe('KEY_FORMAT_UNSUPPORTED');
      // Refused before asking for a password, too.
      expect(codeOf(() => open8(text, undefined))).toBe('KEY_FORMAT_UNSUPPORTED');
    }
  });

  it('the same through openSoftwareKey and a file: URI', async () => {
    const text = rewritePbes2(path('default.pem'), { kdfParams: setInteger(1, 2n ** 31n - 1n) });
    const cert = readFileSync(join(P256, 'cz.cert.pem'), 'utf8');
    expect(codeOf(() => openSoftwareKey({ key: text, certificate: cert, password: PW }))).toBe('KEY_FORMAT_UNSUPPORTED');
    writeFileSync(path('huge.key.pem'), text);
    await expect(openKeyProvider(`file:${path('huge.key.pem')}?cert=${join(P256, 'cz.cert.pem')}`, { password: PW })).rejects.toMatchObject({
      code: 'KEY_FORMAT_UNSUPPORTED',
    });
  });

  it('PBKDF2 keyLength far above any cipher key', () => {
    // PBKDF2-params { salt, iterationCount, keyLength, prf }: a keyLength multiplies the work per block.
    const text = rewritePbes2(path('default.pem'), { kdfParams: (raw) => [raw[0]!, raw[1]!, derInteger(1_000_000n), ...raw.slice(2)] });
    expect(errorOf(() => open8(text)).detail).toMatchObject({ parameter: 'keyLength', limit: '64' });
  });

  it('scrypt p = 9 at OpenSSL N and r (openssl pkcs8 -scrypt_p 9: work above 2^20)', () => {
    const e = errorOf(() => open8(readFileSync(path('scrypt-p9.pem'), 'utf8')));
    expect(e.code).toBe('KEY_FORMAT_UNSUPPORTED');
    expect(e.message).toContain('p=9');
    expect(e.message).toContain(String(MAX_SCRYPT_WORK));
  });

  it('scrypt p = 1000 (45 s before), N or r above the memory bound', () => {
    // scrypt-params { salt, N, r, p }
    const cases: [string, number, bigint, string][] = [
      ['p=1000', 3, 1000n, String(MAX_SCRYPT_WORK)],
      ['N=2^15', 1, 2n ** 15n, String(MAX_SCRYPT_MEMORY)],
      ['N=2^20', 1, 2n ** 20n, String(MAX_SCRYPT_MEMORY)],
      ['r=2^20', 2, 2n ** 20n, String(MAX_SCRYPT_MEMORY)],
      ['p=2^40', 3, 2n ** 40n, String(MAX_SCRYPT_MEMORY)],
    ];
    for (const [name, index, value, limit] of cases) {
      const e = errorOf(() => open8(rewritePbes2(path('scrypt.pem'), { kdfParams: setInteger(index, value) })));
      expect(e.code, name).toBe('KEY_FORMAT_UNSUPPORTED');
      expect(e.detail?.['limit'], name).toBe(limit);
    }
  });

  it('PKCS#12 triple-DES PBE iterations above the limit', () => {
    // EncryptedPrivateKeyInfo { { pbeWithSHAAnd3-KeyTripleDES-CBC, { salt, iterations } }, data }
    const [alg, data] = kids(readDer(pemBody(path('pbe-3des.pem'))));
    const [oid, params] = kids(alg);
    const [salt] = kids(params);
    const text = pem(derSequence(derSequence(oid!.raw, derSequence(salt!.raw, derInteger(2n ** 31n - 1n))), data!.raw));
    expect(errorOf(() => open8(text)).detail).toMatchObject({ parameter: 'iterations', limit: String(MAX_PBE_ITERATIONS) });
  });

  it('other key-derivation functions and schemes', () => {
    // An unknown KDF in PBES2, PBES1 pbeWithSHA1AndDES-CBC (RFC 8018 A.3), and an unknown scheme.
    expect(codeOf(() => open8(rewritePbes2(path('default.pem'), { kdfOid: '1.2.3.4' })))).toBe('KEY_FORMAT_UNSUPPORTED');
    const [alg, data] = kids(readDer(pemBody(path('pbe-3des.pem'))));
    for (const oid of ['1.2.840.113549.1.5.10', '1.2.840.113549.1.12.1.1', '1.2.3.4']) {
      const text = pem(derSequence(derSequence(derOid(oid), kids(alg)[1]!.raw), data!.raw));
      expect(codeOf(() => open8(text)), oid).toBe('KEY_FORMAT_UNSUPPORTED');
    }
  });

  it('a PRF, cipher parameters or a key length node cannot use are KEY_FORMAT_UNSUPPORTED, not KEY_PASSWORD_WRONG (before: a wrong password)', () => {
    // An unknown HMAC OID as the PBKDF2 prf (ERR_OSSL_EVP_UNSUPPORTED_PRF), and AES-256-GCM as the PBES2 cipher
    // with a CBC IV as its parameters (ERR_OSSL_EVP_CIPHER_PARAMETER_ERROR): the file decides, not the password.
    const unknownPrf = rewritePbes2(path('default.pem'), { kdfParams: (raw) => [raw[0]!, raw[1]!, derSequence(derOid('1.2.840.113549.2.99'))] });
    const gcm = rewritePbes2(path('default.pem'), { encryptionScheme: derSequence(derOid('2.16.840.1.101.3.4.1.46'), derOctetString(new Uint8Array(16))) });
    // A PBKDF2 keyLength that is not the cipher's (ERR_OSSL_EVP_UNSUPPORTED_KEYLENGTH).
    const keyLength = rewritePbes2(path('default.pem'), { kdfParams: (raw) => [raw[0]!, raw[1]!, derInteger(16n), raw[2]!] });
    for (const [name, text] of [['prf', unknownPrf], ['cipher', gcm], ['keyLength', keyLength]] as const) {
      expect(codeOf(() => open8(text)), name).toBe('KEY_FORMAT_UNSUPPORTED');
      expect(codeOf(() => open8(text, 'another password')), name).toBe('KEY_FORMAT_UNSUPPORTED');
    }
    expect(codeOf(() => open8(readFileSync(path('default.pem'), 'utf8'), 'another password'))).toBe('KEY_PASSWORD_WRONG');
  });

  it('malformed parameters are CRYPTO_KEY_INVALID', () => {
    const bad = [
      rewritePbes2(path('default.pem'), { kdfParams: setInteger(1, 0n) }), // iterationCount 0
      rewritePbes2(path('default.pem'), { kdfParams: (raw) => [raw[0]!] }), // no iterationCount
      rewritePbes2(path('default.pem'), { kdfParams: () => [derOctetString(new Uint8Array(8)), derOctetString(new Uint8Array(2))] }),
      rewritePbes2(path('scrypt.pem'), { kdfParams: setInteger(1, 10_000n) }), // N not a power of two
      rewritePbes2(path('scrypt.pem'), { kdfParams: setInteger(3, -1n) }), // p negative
    ];
    for (const [i, text] of bad.entries()) expect(codeOf(() => open8(text)), String(i)).toBe('CRYPTO_KEY_INVALID');
  });
});

// ---------------------------------------------------------------------------------------------
// PKCS#12

/** The ContentInfos of a PFX's AuthenticatedSafe, as DER. */
function contentInfos(file: string): Uint8Array[] {
  const [, authSafe] = kids(readDer(new Uint8Array(readFileSync(file))));
  const [, explicit] = kids(authSafe);
  const [octets] = kids(explicit);
  return kids(readDer(octets!.value)).map((n) => n.raw.slice());
}

/** A PFX without MacData (RFC 7292 §4) holding the given ContentInfos. */
function pfxOf(infos: readonly Uint8Array[]): Uint8Array {
  const authSafe = derSequence(...infos);
  return derSequence(derInteger(3n), derSequence(derOid('1.2.840.113549.1.7.1'), derExplicit(0, derOctetString(authSafe))));
}

const OID_ENCRYPTED_DATA = derOid('1.2.840.113549.1.7.6');
const isEncrypted = (ci: Uint8Array): boolean => Buffer.from(ci).includes(Buffer.from(OID_ENCRYPTED_DATA));

describe('PKCS#12: the ContentInfos and the total key derivation of a file are bounded', () => {
  // leaf: the key (shrouded) and its certificate (encrypted safe); ca: the CA certificate alone in an encrypted safe.
  let leaf2M: Uint8Array[];
  let ca2M: Uint8Array;
  let leafCheap: Uint8Array[];
  let caCheap: Uint8Array;

  beforeAll(() => {
    // With its MAC (OpenSSL 3.0's -nomac also leaves the certificates unencrypted); pfxOf drops it.
    const exp = (out: string, iter: number, ...args: string[]): void =>
      openssl('pkcs12', '-export', ...args, '-iter', String(iter), '-macalg', 'sha256', '-passout', `pass:${PW}`, '-out', path(out));
    const key = ['-inkey', join(P256, 'cz.key.pem'), '-passin', `pass:${FIXTURE_PASSWORD}`, '-in', join(P256, 'cz.cert.pem')];
    exp('leaf-2m.p12', MAX_PBE_ITERATIONS, ...key);
    exp('ca-2m.p12', MAX_PBE_ITERATIONS, '-nokeys', '-in', join(P256, 'ca.cert.pem'));
    exp('leaf.p12', 2048, ...key);
    exp('ca.p12', 2048, '-nokeys', '-in', join(P256, 'ca.cert.pem'));
    leaf2M = contentInfos(path('leaf-2m.p12'));
    [ca2M] = contentInfos(path('ca-2m.p12')) as [Uint8Array];
    leafCheap = contentInfos(path('leaf.p12'));
    [caCheap] = contentInfos(path('ca.p12')) as [Uint8Array];
    // OpenSSL's layout: the certificate in an encryptedData safe, the shrouded key in a data safe.
    expect(leaf2M.map(isEncrypted)).toEqual([true, false]);
    expect(isEncrypted(ca2M)).toBe(true);
  }, 120_000);

  it('opens a triple-DES file (-keypbe/-certpbe PBE-SHA1-3DES) at 1,000,000 iterations: each derivation counts 3 blocks, the MAC 1', () => {
    // MAC 1M + certificate safe 3M + shrouded key 3M = 7M work units: within the total (a total of 6M refused it).
    openssl('pkcs12', '-export', '-inkey', join(P256, 'cz.key.pem'), '-passin', `pass:${FIXTURE_PASSWORD}`, '-in', join(P256, 'cz.cert.pem'),
      '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-iter', '1000000', '-passout', `pass:${PW}`, '-out', path('3des-1m.p12'));
    expect(codeOf(() => openPkcs12({ data: readFileSync(path('3des-1m.p12')), password: PW }))).toBe('opened');
  }, 120_000);

  it('every fixture PKCS#12 file still opens (OpenSSL defaults)', () => {
    for (const fam of ['p256', 'rsa', 'sm2']) {
      for (const f of readdirSync(join(PKI, fam)).filter((n) => n.endsWith('.p12'))) {
        expect(codeOf(() => openPkcs12({ data: readFileSync(join(PKI, fam, f)), password: FIXTURE_PASSWORD })), `${fam}/${f}`).toBe('opened');
      }
    }
  });

  it(`opens ${MAX_PKCS12_CONTENT_INFOS} ContentInfos and refuses ${MAX_PKCS12_CONTENT_INFOS + 1}`, async () => {
    const fits = pfxOf([...leafCheap, ...Array.from({ length: MAX_PKCS12_CONTENT_INFOS - leafCheap.length }, () => caCheap)]);
    const p = openPkcs12({ data: fits, password: PW });
    expect((await p.chain?.())?.length).toBeGreaterThanOrEqual(1);
    const over = pfxOf([...leafCheap, ...Array.from({ length: MAX_PKCS12_CONTENT_INFOS + 1 - leafCheap.length }, () => caCheap)]);
    const e = errorOf(() => openPkcs12({ data: over, password: PW }));
    expect(e.code).toBe('KEY_FORMAT_UNSUPPORTED');
    expect(e.detail).toMatchObject({ count: String(MAX_PKCS12_CONTENT_INFOS + 1), limit: String(MAX_PKCS12_CONTENT_INFOS) });
  });

  it('the reported file: 10 more encryptedData safes at the per-derivation limit is refused', () => {
    const data = pfxOf([...leaf2M, ...Array.from({ length: 10 }, () => ca2M)]);
    expect(codeOf(() => openPkcs12({ data, password: PW }))).toBe('KEY_FORMAT_UNSUPPORTED');
  });

  it('opens a file whose derivations add up to the total limit (7 single-block ones at the per-derivation limit, no MAC)', async () => {
    expect(MAX_PKCS12_KDF_ITERATIONS).toBe(7 * MAX_PBE_ITERATIONS);
    const p = openPkcs12({ data: pfxOf([...leaf2M, ca2M, ca2M, ca2M, ca2M, ca2M]), password: PW });
    expect(Buffer.from(await p.certificate()).equals(Buffer.from(pemBody(join(P256, 'cz.cert.pem'))))).toBe(true);
    // The five safes hold the same CA certificate: the signer's path lists it once.
    expect((await p.chain?.())?.map((c) => Buffer.from(c).toString('hex'))).toEqual([Buffer.from(pemBody(join(P256, 'ca.cert.pem'))).toString('hex')]);
  }, 60_000);

  it('refuses the encrypted safes above the total before decrypting any of them', () => {
    // Eight encryptedData safes of 2,000,000 iterations: 16,000,000 > 14,000,000, within the ContentInfo bound.
    const e = errorOf(() => openPkcs12({ data: pfxOf([leaf2M[0] as Uint8Array, ...Array.from({ length: 7 }, () => ca2M)]), password: PW }));
    expect(e.code).toBe('KEY_FORMAT_UNSUPPORTED');
    expect(e.message).toContain('encryptedData');
    expect(e.detail).toMatchObject({ value: String(8 * MAX_PBE_ITERATIONS), limit: String(MAX_PKCS12_KDF_ITERATIONS) });
  });

  it('charges the shrouded key bag: refused before its derivation when the safes used up the total', () => {
    // Seven encrypted safes (14,000,000) fit; the key's 2,000,000 more do not.
    const e = errorOf(() => openPkcs12({ data: pfxOf([...leaf2M, ca2M, ca2M, ca2M, ca2M, ca2M, ca2M]), password: PW }));
    expect(e.code).toBe('KEY_FORMAT_UNSUPPORTED');
    expect(e.message).toContain('shrouded key');
  }, 30_000);

  it('charges the MAC', () => {
    const data = readFileSync(join(P256, 'cz.p12'));
    const pfx = PFX.fromBER(data);
    const macData = pfx.macData!;
    const content = new Uint8Array((pfx.authSafe.content as { getValue(): ArrayBuffer }).getValue());
    expect(verifyPkcs12Mac(macData, content, FIXTURE_PASSWORD, new KdfBudget(2048))).toBe(true);
    expect(codeOf(() => verifyPkcs12Mac(macData, content, FIXTURE_PASSWORD, new KdfBudget(2047)))).toBe('KEY_FORMAT_UNSUPPORTED');
  });

  it('a PBES2 IV that does not fit the cipher is KEY_FORMAT_UNSUPPORTED, not KEY_PASSWORD_WRONG (before: node refused it at decryption)', () => {
    const pbes2 = (cipher: string, ivLength: number): AlgorithmIdentifier =>
      new AlgorithmIdentifier({
        algorithmId: '1.2.840.113549.1.5.13',
        algorithmParams: new PBES2Params({
          keyDerivationFunc: new AlgorithmIdentifier({
            algorithmId: '1.2.840.113549.1.5.12',
            algorithmParams: new PBKDF2Params({ salt: new asn1js.OctetString({ valueHex: new Uint8Array(8).buffer }), iterationCount: 1 }).toSchema(),
          }),
          encryptionScheme: new AlgorithmIdentifier({ algorithmId: cipher, algorithmParams: new asn1js.OctetString({ valueHex: new Uint8Array(ivLength).buffer }) }),
        }).toSchema(),
      });
    const AES_256_CBC = '2.16.840.1.101.3.4.1.42';
    const DES_EDE3_CBC = '1.2.840.113549.3.7';
    for (const [cipher, iv] of [[AES_256_CBC, 8], [AES_256_CBC, 0], [AES_256_CBC, 32], [DES_EDE3_CBC, 16]] as const) {
      expect(codeOf(() => pbeDecrypt(pbes2(cipher, iv), new Uint8Array(32), PW)), `${cipher} iv ${iv}`).toBe('KEY_FORMAT_UNSUPPORTED');
    }
    // The right IV length: zeros under the derived key are bad padding, as for a wrong password.
    expect(codeOf(() => pbeDecrypt(pbes2(AES_256_CBC, 16), new Uint8Array(32), PW))).toBe('KEY_PASSWORD_WRONG');
  });

  it('says KEY_AMBIGUOUS for two shrouded keys without decrypting either', () => {
    // Two data safes with a shrouded key each and no MAC: with a wrong password, decrypting a key would
    // have said KEY_PASSWORD_WRONG.
    const data = pfxOf([leafCheap[1]!, leafCheap[1]!]);
    expect(codeOf(() => openPkcs12({ data, password: 'not the password' }))).toBe('KEY_AMBIGUOUS');
  });
});
