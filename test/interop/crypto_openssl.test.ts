/**
 * Interoperability of the crypto module with the OpenSSL 3 command line, the independent oracle
 * (recipes of docs standards §6). Both directions for SM2 (default and custom signer ID; an
 * empty-ID signature must not verify under the default ID), ECDSA P-256, RSA PKCS#1 v1.5 and PSS,
 * and the key formats (plain and encrypted PKCS#8, SEC1, SPKI).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exportPrivateKeyPkcs8,
  generateKeyPair,
  importPrivateKey,
  parsePublicKey,
  signatureAlgorithmFromOid,
  signatureAlgorithmIdentifier,
  signMessage,
  verifyMessage,
} from '../../src/crypto/index.js';
import type { PrivateKeyMaterial, SignatureAlgorithm } from '../../src/crypto/index.js';
import { readDerOid as readOid, readDerSequence } from '../../src/encoding/der.js';

let dir = '';
const path = (name: string): string => join(dir, name);
const msg = new TextEncoder().encode('国库集中支付电子凭证 <Voucher>interop</Voucher>\n');

function openssl(...args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}
function mustOpenssl(...args: string[]): string {
  const r = openssl(...args);
  if (!r.ok) throw new Error(`openssl ${args.join(' ')} failed: ${r.out}`);
  return r.out;
}
const pemOf = (label: string, der: Uint8Array): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;
async function bytes(name: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path(name)));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-crypto-'));
  await writeFile(path('msg.bin'), msg);
  const v = openssl('version');
  if (!v.ok || !/OpenSSL 3\./.test(v.out)) throw new Error(`OpenSSL 3 is required for the interop tests: ${v.out}`);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('SM2 with OpenSSL', () => {
  it('a key made by openssl genpkey imports here with the same public key', async () => {
    mustOpenssl('genpkey', '-algorithm', 'SM2', '-out', 'sm2.pem');
    mustOpenssl('pkey', '-in', 'sm2.pem', '-pubout', '-out', 'sm2pub.pem');
    const key = importPrivateKey(await readFile(path('sm2.pem'), 'utf8'));
    const pub = parsePublicKey(await readFile(path('sm2pub.pem'), 'utf8'));
    expect(key.kind).toBe('sm2');
    expect(Buffer.from(key.publicKey.spki).equals(Buffer.from(pub.spki))).toBe(true);
  });

  it('signed here with the default ID → openssl dgst -sm3 -verify with distid:1234567812345678; fails without distid', async () => {
    const key = importPrivateKey(await readFile(path('sm2.pem'), 'utf8'));
    await writeFile(path('sig-here.der'), signMessage('sm2-sm3', key, msg));
    const ok = openssl('dgst', '-sm3', '-verify', 'sm2pub.pem', '-sigopt', 'distid:1234567812345678', '-signature', 'sig-here.der', 'msg.bin');
    expect(ok.out).toContain('Verified OK');
    expect(ok.ok).toBe(true);
    const hexId = openssl('dgst', '-sm3', '-verify', 'sm2pub.pem', '-sigopt', 'hexdistid:31323334353637383132333435363738', '-signature', 'sig-here.der', 'msg.bin');
    expect(hexId.ok).toBe(true);
    const noId = openssl('dgst', '-sm3', '-verify', 'sm2pub.pem', '-signature', 'sig-here.der', 'msg.bin');
    expect(noId.ok).toBe(false);
  });

  it('signed by openssl (dgst and pkeyutl, distid 1234567812345678) → verifies here', async () => {
    mustOpenssl('dgst', '-sm3', '-sign', 'sm2.pem', '-sigopt', 'distid:1234567812345678', '-out', 'sig-dgst.der', 'msg.bin');
    mustOpenssl('pkeyutl', '-sign', '-inkey', 'sm2.pem', '-rawin', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678', '-in', 'msg.bin', '-out', 'sig-pkeyutl.der');
    const pub = parsePublicKey(await readFile(path('sm2pub.pem'), 'utf8'));
    expect(verifyMessage('sm2-sm3', pub, msg, await bytes('sig-dgst.der'))).toBe(true);
    expect(verifyMessage('sm2-sm3', pub, msg, await bytes('sig-pkeyutl.der'))).toBe(true);
    expect(verifyMessage('sm2-sm3', pub, msg.subarray(1), await bytes('sig-dgst.der'))).toBe(false);
  });

  it('a custom ID interoperates both ways and only under that ID', async () => {
    const key = importPrivateKey(await readFile(path('sm2.pem'), 'utf8'));
    const id = 'evoucher-bank-001@example.cn';
    const idBytes = new TextEncoder().encode(id);
    await writeFile(path('sig-custom-here.der'), signMessage('sm2-sm3', key, msg, { id: idBytes }));
    expect(openssl('dgst', '-sm3', '-verify', 'sm2pub.pem', '-sigopt', `distid:${id}`, '-signature', 'sig-custom-here.der', 'msg.bin').ok).toBe(true);
    expect(openssl('dgst', '-sm3', '-verify', 'sm2pub.pem', '-sigopt', 'distid:1234567812345678', '-signature', 'sig-custom-here.der', 'msg.bin').ok).toBe(false);
    mustOpenssl('dgst', '-sm3', '-sign', 'sm2.pem', '-sigopt', `distid:${id}`, '-out', 'sig-custom-ossl.der', 'msg.bin');
    const sig = await bytes('sig-custom-ossl.der');
    expect(verifyMessage('sm2-sm3', key.publicKey, msg, sig, { id: idBytes })).toBe(true);
    expect(verifyMessage('sm2-sm3', key.publicKey, msg, sig)).toBe(false);
  });

  it('an openssl signature made with an EMPTY ID (no distid) does not verify under the default ID', async () => {
    mustOpenssl('dgst', '-sm3', '-sign', 'sm2.pem', '-out', 'sig-empty.der', 'msg.bin');
    const key = importPrivateKey(await readFile(path('sm2.pem'), 'utf8'));
    const sig = await bytes('sig-empty.der');
    expect(verifyMessage('sm2-sm3', key.publicKey, msg, sig)).toBe(false);
    // it is a valid signature, under the empty ID, which must be asked for explicitly
    expect(verifyMessage('sm2-sm3', key.publicKey, msg, sig, { id: new Uint8Array(0) })).toBe(true);
  });

  it('our SM2 PKCS#8 (plain and encrypted) and SPKI are read by openssl, which signs with them', async () => {
    const key = generateKeyPair('sm2');
    await writeFile(path('our-sm2.der'), exportPrivateKeyPkcs8(key));
    await writeFile(path('our-sm2-enc.der'), exportPrivateKeyPkcs8(key, { password: 'test123' }));
    await writeFile(path('our-sm2-pub.pem'), pemOf('PUBLIC KEY', key.publicKey.spki));
    const fromPlain = mustOpenssl('pkey', '-inform', 'DER', '-in', 'our-sm2.der', '-pubout');
    const fromEnc = mustOpenssl('pkey', '-inform', 'DER', '-in', 'our-sm2-enc.der', '-passin', 'pass:test123', '-pubout');
    const fromSpki = mustOpenssl('pkey', '-pubin', '-in', 'our-sm2-pub.pem', '-pubout');
    expect(parsePublicKey(fromPlain).spki).toEqual(key.publicKey.spki);
    expect(parsePublicKey(fromEnc).spki).toEqual(key.publicKey.spki);
    expect(parsePublicKey(fromSpki).spki).toEqual(key.publicKey.spki);
    expect(openssl('pkey', '-inform', 'DER', '-in', 'our-sm2-enc.der', '-passin', 'pass:wrong', '-noout').ok).toBe(false);
    // the encryption is PBES2 / PBKDF2 / AES-256-CBC
    const asn1 = mustOpenssl('asn1parse', '-inform', 'DER', '-in', 'our-sm2-enc.der');
    expect(asn1).toContain('PBES2');
    expect(asn1).toContain('PBKDF2');
    expect(asn1).toContain('aes-256-cbc');
    mustOpenssl('pkey', '-inform', 'DER', '-in', 'our-sm2-enc.der', '-passin', 'pass:test123', '-out', 'our-sm2-dec.pem');
    mustOpenssl('dgst', '-sm3', '-sign', 'our-sm2-dec.pem', '-sigopt', 'distid:1234567812345678', '-out', 'sig-ourkey.der', 'msg.bin');
    expect(verifyMessage('sm2-sm3', key.publicKey, msg, await bytes('sig-ourkey.der'))).toBe(true);
  });

  it('reads SEC1 keys from openssl ecparam and encrypted PKCS#8 from openssl pkcs8 -topk8', async () => {
    mustOpenssl('ecparam', '-name', 'SM2', '-genkey', '-out', 'sm2-sec1-params.pem');
    mustOpenssl('ecparam', '-name', 'SM2', '-genkey', '-noout', '-out', 'sm2-sec1.pem');
    for (const f of ['sm2-sec1-params.pem', 'sm2-sec1.pem']) {
      const key = importPrivateKey(await readFile(path(f), 'utf8'));
      expect(key.kind).toBe('sm2');
      mustOpenssl('dgst', '-sm3', '-sign', f, '-sigopt', 'distid:1234567812345678', '-out', 'sig-sec1.der', 'msg.bin');
      expect(verifyMessage('sm2-sm3', key.publicKey, msg, await bytes('sig-sec1.der'))).toBe(true);
    }
    mustOpenssl('pkcs8', '-topk8', '-in', 'sm2.pem', '-v2', 'aes-256-cbc', '-passout', 'pass:p@ss', '-out', 'sm2-enc.pem');
    mustOpenssl('pkcs8', '-topk8', '-in', 'sm2.pem', '-v2', 'aes-128-cbc', '-v2prf', 'hmacWithSHA512', '-passout', 'pass:p@ss', '-out', 'sm2-enc2.pem');
    const plain = importPrivateKey(await readFile(path('sm2.pem'), 'utf8'));
    for (const f of ['sm2-enc.pem', 'sm2-enc2.pem']) {
      const key = importPrivateKey(await readFile(path(f), 'utf8'), { password: 'p@ss' });
      expect(key.publicKey.spki).toEqual(plain.publicKey.spki);
      const text = await readFile(path(f), 'utf8');
      expect(() => importPrivateKey(text, { password: 'nope' })).toThrow(expect.objectContaining({ code: 'KEY_PASSWORD_WRONG' }));
    }
  });
});

interface NodeCase {
  readonly name: string;
  readonly alg: SignatureAlgorithm;
  readonly gen: string[];
  readonly dgstOpts: string[];
}

const cases: NodeCase[] = [
  { name: 'ECDSA P-256', alg: 'ecdsa-p256-sha256', gen: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], dgstOpts: [] },
  { name: 'RSA PKCS#1 v1.5', alg: 'rsa-pkcs1-sha256', gen: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], dgstOpts: [] },
  {
    name: 'RSA PSS',
    alg: 'rsa-pss-sha256',
    gen: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    dgstOpts: ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-sigopt', 'rsa_mgf1_md:sha256'],
  },
];

describe.each(cases)('$name with OpenSSL', ({ alg, gen, dgstOpts }) => {
  const tag = alg.replace(/[^a-z0-9]/g, '');
  let key: PrivateKeyMaterial;

  beforeAll(async () => {
    mustOpenssl('genpkey', ...gen, '-out', `${tag}.pem`);
    mustOpenssl('pkey', '-in', `${tag}.pem`, '-pubout', '-out', `${tag}-pub.pem`);
    key = importPrivateKey(await readFile(path(`${tag}.pem`), 'utf8'));
  });

  it('signed here → verified by openssl dgst', async () => {
    await writeFile(path(`${tag}-here.sig`), signMessage(alg, key, msg));
    const r = openssl('dgst', '-sha256', ...dgstOpts, '-verify', `${tag}-pub.pem`, '-signature', `${tag}-here.sig`, 'msg.bin');
    expect(r.out).toContain('Verified OK');
  });

  it('signed by openssl dgst → verified here (and not over other bytes)', async () => {
    mustOpenssl('dgst', '-sha256', ...dgstOpts, '-sign', `${tag}.pem`, '-out', `${tag}-ossl.sig`, 'msg.bin');
    const pub = parsePublicKey(await readFile(path(`${tag}-pub.pem`), 'utf8'));
    const sig = await bytes(`${tag}-ossl.sig`);
    expect(verifyMessage(alg, pub, msg, sig)).toBe(true);
    expect(verifyMessage(alg, pub, new Uint8Array([...msg, 0x20]), sig)).toBe(false);
  });

  it('our encrypted PKCS#8 is read by openssl pkey -passin', async () => {
    await writeFile(path(`${tag}-enc.der`), exportPrivateKeyPkcs8(key, { password: 'secret pass' }));
    const out = mustOpenssl('pkey', '-inform', 'DER', '-in', `${tag}-enc.der`, '-passin', 'pass:secret pass', '-pubout');
    expect(parsePublicKey(out).spki).toEqual(key.publicKey.spki);
  });
});

describe('RSASSA-PSS AlgorithmIdentifier', () => {
  it('matches what OpenSSL writes into a PSS-signed certificate', async () => {
    mustOpenssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'pss.key', '-subj', '/CN=pss', '-days', '1',
      '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-sigopt', 'rsa_mgf1_md:sha256',
      '-outform', 'DER', '-out', 'pss.der');
    const cert = readDerSequence(await bytes('pss.der'), 'Certificate');
    const algId = (cert[1] as { raw: Uint8Array }).raw;
    expect(Buffer.from(algId).toString('hex')).toBe(Buffer.from(signatureAlgorithmIdentifier('rsa-pss-sha256')).toString('hex'));
    const parts = readDerSequence(algId, 'AlgorithmIdentifier');
    expect(signatureAlgorithmFromOid(readOid(parts[0], 'alg'), (parts[1] as { raw: Uint8Array }).raw)).toBe('rsa-pss-sha256');
  });
});
