import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  algorithmForKey,
  exportPrivateKeyPkcs8,
  generateKeyPair,
  importPrivateKey,
  OID,
  parsePublicKey,
  signMessage,
  sm2PublicKeyToSpki,
  verifyMessage,
} from '../../src/crypto/index.js';
import type { PrivateKeyMaterial } from '../../src/crypto/index.js';
import { derBitString as bitString, derExplicit as explicit, derInteger as integer, derOctetString as octetString, derOid as oid, derSequence as sequence } from '../../src/encoding/der.js';
import { EvoucherError } from '../../src/errors.js';
import { ascii, codeOf, hex, unhex, vector } from './helpers.js';

const msg = ascii('key test');
const pem = (label: string, der: Uint8Array): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;

function roundTrips(key: PrivateKeyMaterial): void {
  const alg = algorithmForKey(key.publicKey);
  expect(verifyMessage(alg, key.publicKey.spki, msg, signMessage(alg, key, msg))).toBe(true);
}

describe('generateKeyPair', () => {
  it.each(['sm2', 'ec-p256', 'rsa'] as const)('%s keys sign and verify', (kind) => {
    const key = generateKeyPair(kind);
    expect(key.kind).toBe(kind);
    expect(key.publicKey.kind).toBe(kind);
    expect(key.publicKey.bits).toBe(kind === 'rsa' ? 2048 : 256);
    expect(Object.isFrozen(key) && Object.isFrozen(key.publicKey)).toBe(true);
    roundTrips(key);
  });

  it('refuses unknown kinds', () => {
    expect(codeOf(() => generateKeyPair('dsa' as 'rsa'))).toBe('ARG_INVALID');
  });
});

describe('PKCS#8 export and import', () => {
  const keys = { sm2: generateKeyPair('sm2'), 'ec-p256': generateKeyPair('ec-p256'), rsa: generateKeyPair('rsa') };

  it.each(Object.keys(keys) as (keyof typeof keys)[])('%s: plain DER and PEM round-trip', (kind) => {
    const key = keys[kind];
    const der = exportPrivateKeyPkcs8(key);
    for (const input of [der, pem('PRIVATE KEY', der), new TextEncoder().encode(pem('PRIVATE KEY', der))]) {
      const back = importPrivateKey(input);
      expect(back.kind).toBe(kind);
      expect(hex(back.publicKey.spki)).toBe(hex(key.publicKey.spki));
      roundTrips(back);
    }
    // node reads what we write
    expect(createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' })).toBeTruthy();
  });

  it.each(Object.keys(keys) as (keyof typeof keys)[])('%s: encrypted PKCS#8 (PBES2 / AES-256-CBC)', (kind) => {
    const key = keys[kind];
    const enc = exportPrivateKeyPkcs8(key, { password: 'pässwörd' });
    // EncryptedPrivateKeyInfo with id-PBES2 (1.2.840.113549.1.5.13) and aes256-CBC (2.16.840.1.101.3.4.1.42)
    expect(hex(enc)).toContain(hex(oid('1.2.840.113549.1.5.13')));
    expect(hex(enc)).toContain(hex(oid('2.16.840.1.101.3.4.1.42')));
    const back = importPrivateKey(pem('ENCRYPTED PRIVATE KEY', enc), { password: 'pässwörd' });
    expect(hex(back.publicKey.spki)).toBe(hex(key.publicKey.spki));
    roundTrips(back);
    expect(codeOf(() => importPrivateKey(enc))).toBe('KEY_PASSWORD_REQUIRED');
    expect(codeOf(() => importPrivateKey(enc, { password: 'wrong' }))).toBe('KEY_PASSWORD_WRONG');
  });

  it('refuses an empty password and foreign key objects', () => {
    expect(codeOf(() => exportPrivateKeyPkcs8(keys.sm2, { password: '' }))).toBe('ARG_INVALID');
    expect(codeOf(() => exportPrivateKeyPkcs8({ kind: 'sm2', publicKey: keys.sm2.publicKey }))).toBe('ARG_INVALID');
    expect(codeOf(() => signMessage('sm2-sm3', { ...keys.sm2 }, msg))).toBe('ARG_INVALID');
  });
});

describe('other private key formats', () => {
  it('SEC1 EC PRIVATE KEY (P-256), with and without a separate EC PARAMETERS block', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const sec1 = privateKey.export({ format: 'pem', type: 'sec1' }) as string;
    const key = importPrivateKey(sec1);
    expect(key.kind).toBe('ec-p256');
    roundTrips(key);
    const params = pem('EC PARAMETERS', oid(OID.p256));
    expect(importPrivateKey(params + sec1).kind).toBe('ec-p256');
  });

  it('SEC1 EC PRIVATE KEY (SM2), with the curve in [0] or in an EC PARAMETERS block', () => {
    const v = vector<{ d: string; Px: string; Py: string; der: string }>('sm2/gbt32918-5-annex-a.json');
    const pub = unhex('04' + v.Px + v.Py);
    const withCurve = sequence(integer(1n), octetString(unhex(v.d)), explicit(0, oid(OID.sm2Curve)), explicit(1, bitString(pub)));
    const key = importPrivateKey(pem('EC PRIVATE KEY', withCurve));
    expect(key.kind).toBe('sm2');
    expect(hex(key.publicKey.point as Uint8Array)).toBe(hex(pub));
    expect(verifyMessage('sm2-sm3', key.publicKey, ascii('message digest'), signMessage('sm2-sm3', key, ascii('message digest')))).toBe(true);
    const bare = sequence(integer(1n), octetString(unhex(v.d)));
    expect(importPrivateKey(pem('EC PARAMETERS', oid(OID.sm2Curve)) + pem('EC PRIVATE KEY', bare)).kind).toBe('sm2');
    expect(codeOf(() => importPrivateKey(bare))).toBe('CRYPTO_KEY_INVALID'); // no curve anywhere
    // an embedded public key that is not d·G means a corrupt or tampered file
    const other = generateKeyPair('sm2').publicKey.point as Uint8Array;
    const mismatched = sequence(integer(1n), octetString(unhex(v.d)), explicit(0, oid(OID.sm2Curve)), explicit(1, bitString(other)));
    expect(codeOf(() => importPrivateKey(mismatched))).toBe('CRYPTO_KEY_INVALID');
  });

  it('P-256: an embedded public key that is not d·G, or d out of range, is refused', () => {
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const other = generateKeyPair('ec-p256').publicKey.point as Uint8Array;
    const d = unhex('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721');
    const sec1 = (dd: Uint8Array, pub?: Uint8Array): Uint8Array =>
      sequence(integer(1n), octetString(dd), explicit(0, oid(OID.p256)), ...(pub === undefined ? [] : [explicit(1, bitString(pub))]));
    expect(importPrivateKey(sec1(d)).kind).toBe('ec-p256');
    expect(codeOf(() => importPrivateKey(sec1(d, other)))).toBe('CRYPTO_KEY_INVALID');
    expect(codeOf(() => importPrivateKey(sec1(unhex(n.toString(16)))))).toBe('CRYPTO_KEY_INVALID');
    expect(codeOf(() => importPrivateKey(sec1(new Uint8Array(32))))).toBe('CRYPTO_KEY_INVALID');
    const pkcs8 = sequence(integer(0n), sequence(oid(OID.ecPublicKey), oid(OID.p256)), octetString(sequence(integer(1n), octetString(d), explicit(1, bitString(other)))));
    expect(codeOf(() => importPrivateKey(pkcs8))).toBe('CRYPTO_KEY_INVALID');
  });

  it('PKCS#1 RSA PRIVATE KEY', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = importPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs1' }) as string);
    expect(key.kind).toBe('rsa');
    roundTrips(key);
  });

  it('RSA: private parts that do not belong to the modulus (n and e of another key) are refused, in PKCS#1 and PKCS#8', () => {
    // OpenSSL loads such a key; its public key is the other key's, so it passed the key/certificate
    // match and signed what never verifies (the RSA analogue of a P-256 embedded key that is not d·G).
    type Jwk = import('node:crypto').JsonWebKey;
    const jwk = (): Jwk => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    const mine = jwk();
    const theirs = jwk();
    const mixed = createPrivateKey({ key: { ...mine, n: theirs.n, e: theirs.e } as Jwk, format: 'jwk' });
    for (const type of ['pkcs1', 'pkcs8'] as const) {
      expect(codeOf(() => importPrivateKey(mixed.export({ format: 'pem', type }) as string))).toBe('CRYPTO_KEY_INVALID');
    }
    // A CRT value of another key alone is refused too.
    const badCrt = createPrivateKey({ key: { ...mine, dp: theirs.dp } as Jwk, format: 'jwk' });
    expect(codeOf(() => importPrivateKey(badCrt.export({ format: 'pem', type: 'pkcs8' }) as string))).toBe('CRYPTO_KEY_INVALID');
    roundTrips(importPrivateKey(createPrivateKey({ key: mine, format: 'jwk' }).export({ format: 'pem', type: 'pkcs8' }) as string));
  });

  it('RSA: a multi-prime key (RFC 8017 §3.2, three primes as openssl genpkey rsa_keygen_primes:3 makes) imports and signs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evoucher-rsa3-'));
    try {
      const f = join(dir, 'rsa3.pem');
      execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-pkeyopt', 'rsa_keygen_primes:3', '-out', f], { stdio: 'pipe' });
      const key = importPrivateKey(readFileSync(f, 'utf8'));
      const msg = new TextEncoder().encode('three primes');
      expect(verifyMessage('rsa-pkcs1-sha256', key.publicKey, msg, signMessage('rsa-pkcs1-sha256', key, msg))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('legacy encrypted PEM (Proc-Type) is refused with KEY_FORMAT_UNSUPPORTED', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const legacy = privateKey.export({ format: 'pem', type: 'pkcs1', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    expect(codeOf(() => importPrivateKey(legacy, { password: 'x' }))).toBe('KEY_FORMAT_UNSUPPORTED');
  });
});

describe('allow-list on keys', () => {
  it('RSA below 2048 bits is too weak (public and private)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(codeOf(() => parsePublicKey(new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))))).toBe('CRYPTO_KEY_TOO_WEAK');
    expect(codeOf(() => importPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string))).toBe('CRYPTO_KEY_TOO_WEAK');
  });

  it('RSA public exponents above 32 bits and moduli above 8192 bits are refused (each bit costs every verification)', () => {
    const rsaSpki = (n: bigint, e: bigint): Uint8Array =>
      sequence(sequence(oid('1.2.840.113549.1.1.1'), new Uint8Array([0x05, 0x00])), bitString(sequence(integer(n), integer(e))));
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
    const n = BigInt(`0x${Buffer.from(jwk.n as string, 'base64url').toString('hex')}`);
    expect(parsePublicKey(rsaSpki(n, 65537n)).bits).toBe(2048);
    expect(parsePublicKey(rsaSpki(n, 2n ** 32n - 1n)).kind).toBe('rsa');
    expect(codeOf(() => parsePublicKey(rsaSpki(n, 2n ** 32n + 1n)))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
    expect(codeOf(() => parsePublicKey(rsaSpki(n, (n >> 1n) | 1n)))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
    expect(codeOf(() => parsePublicKey(rsaSpki(n, 65536n)))).toBe('CRYPTO_KEY_INVALID');
    const big = (bits: number): bigint => (1n << BigInt(bits - 1)) | 1n;
    expect(parsePublicKey(rsaSpki(big(8192), 65537n)).bits).toBe(8192);
    expect(codeOf(() => parsePublicKey(rsaSpki(big(8193), 65537n)))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
  });

  it('off-list curves are forbidden; P-384 parses as a public key but cannot sign', () => {
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    expect(codeOf(() => parsePublicKey(new Uint8Array(k1.publicKey.export({ format: 'der', type: 'spki' }))))).toBe('CRYPTO_ALGORITHM_FORBIDDEN');
    expect(codeOf(() => importPrivateKey(k1.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string))).toBe('CRYPTO_ALGORITHM_FORBIDDEN');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const info = parsePublicKey(new Uint8Array(p384.publicKey.export({ format: 'der', type: 'spki' })));
    expect(info.kind).toBe('ec-p384');
    expect(info.bits).toBe(384);
    expect(codeOf(() => algorithmForKey(info))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
    expect(codeOf(() => importPrivateKey(p384.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
  });

  it('explicit curve parameters (how the SM2 test curve would arrive) are forbidden', () => {
    const explicitParams = sequence(integer(1n), sequence(oid('1.2.840.10045.1.1'), integer(7n)));
    const spki = sequence(sequence(oid(OID.ecPublicKey), explicitParams), bitString(unhex('04' + '11'.repeat(64))));
    expect(codeOf(() => parsePublicKey(spki))).toBe('CRYPTO_ALGORITHM_FORBIDDEN');
  });

  it('DSA keys are forbidden, Ed25519 keys unsupported', () => {
    const dsa = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 });
    expect(codeOf(() => parsePublicKey(new Uint8Array(dsa.publicKey.export({ format: 'der', type: 'spki' }))))).toBe('CRYPTO_ALGORITHM_FORBIDDEN');
    expect(codeOf(() => importPrivateKey(dsa.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string))).toBe('CRYPTO_ALGORITHM_FORBIDDEN');
    const ed = generateKeyPairSync('ed25519');
    expect(codeOf(() => parsePublicKey(new Uint8Array(ed.publicKey.export({ format: 'der', type: 'spki' }))))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
  });
});

describe('parsePublicKey', () => {
  const v = vector<{ Px: string; Py: string; spkiPem: string }>('sm2/gbt32918-5-annex-a.json');
  const pub = unhex('04' + v.Px + v.Py);

  it('encodes and parses SM2 SPKI {id-ecPublicKey, 1.2.156.10197.1.301}', () => {
    const spki = sm2PublicKeyToSpki(pub);
    expect(pem('PUBLIC KEY', spki)).toBe(v.spkiPem);
    const info = parsePublicKey(spki);
    expect(info).toMatchObject({ kind: 'sm2', bits: 256 });
    expect(hex(info.point as Uint8Array)).toBe(hex(pub));
  });

  it('accepts a compressed P-256 point and reports it uncompressed', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const jwk = publicKey.export({ format: 'jwk' });
    const full = unhex('04' + Buffer.from(jwk.x as string, 'base64url').toString('hex') + Buffer.from(jwk.y as string, 'base64url').toString('hex'));
    const y = full[64] as number;
    const compressed = new Uint8Array([2 + (y & 1), ...full.subarray(1, 33)]);
    const info = parsePublicKey(sequence(sequence(oid(OID.ecPublicKey), oid(OID.p256)), bitString(compressed)));
    expect(hex(info.point as Uint8Array)).toBe(hex(full));
  });

  it('refuses malformed encodings with CRYPTO_KEY_INVALID', () => {
    const spki = sm2PublicKeyToSpki(pub);
    const offCurve = spki.slice();
    offCurve[offCurve.length - 1] = (offCurve[offCurve.length - 1] as number) ^ 1;
    const unusedBits = spki.slice();
    unusedBits[spki.length - 66] = 1;
    for (const bad of [spki.subarray(0, spki.length - 1), new Uint8Array([...spki, 0]), offCurve, unusedBits, new Uint8Array(0), unhex('3000')]) {
      expect(codeOf(() => parsePublicKey(bad))).toBe('CRYPTO_KEY_INVALID');
    }
    const noParams = sequence(sequence(oid(OID.ecPublicKey)), bitString(pub));
    expect(codeOf(() => parsePublicKey(noParams))).toBe('CRYPTO_KEY_INVALID');
  });

  it('never throws anything but EvoucherError on random or mutated input', () => {
    const spki = sm2PublicKeyToSpki(pub);
    const rsaSpki = generateKeyPair('rsa').publicKey.spki;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          parsePublicKey(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(EvoucherError);
        }
        try {
          importPrivateKey(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(EvoucherError);
        }
      }),
      { numRuns: 300 },
    );
    for (const base of [spki, rsaSpki]) {
      fc.assert(
        fc.property(fc.nat(base.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
          const b = base.slice();
          b[i] = (b[i] as number) ^ x;
          try {
            parsePublicKey(b);
          } catch (e) {
            expect(e).toBeInstanceOf(EvoucherError);
          }
        }),
        { numRuns: 200 },
      );
    }
  });
});
