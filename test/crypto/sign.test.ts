import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ecdsaDerToRaw, ecdsaRawToDer, exportPrivateKeyPkcs8, generateKeyPair, parsePublicKey, signMessage, verifyMessage } from '../../src/crypto/index.js';
import type { PublicKeyInfo, SignatureAlgorithm } from '../../src/crypto/index.js';
import { ascii, codeOf, hex, unhex } from './helpers.js';

const msg = ascii('signMessage / verifyMessage');
const keys = { sm2: generateKeyPair('sm2'), 'ec-p256': generateKeyPair('ec-p256'), rsa: generateKeyPair('rsa') };
const fits: Record<SignatureAlgorithm, keyof typeof keys> = {
  'sm2-sm3': 'sm2',
  'ecdsa-p256-sha256': 'ec-p256',
  'rsa-pkcs1-sha256': 'rsa',
  'rsa-pss-sha256': 'rsa',
};
const algs = Object.keys(fits) as SignatureAlgorithm[];

describe('signMessage / verifyMessage', () => {
  it.each(algs)('%s: signs and verifies with SPKI bytes and PublicKeyInfo', (alg) => {
    const key = keys[fits[alg]];
    const sig = signMessage(alg, key, msg);
    expect(verifyMessage(alg, key.publicKey, msg, sig)).toBe(true);
    expect(verifyMessage(alg, key.publicKey.spki, msg, sig)).toBe(true);
    expect(verifyMessage(alg, key.publicKey, ascii('other'), sig)).toBe(false);
    if (alg === 'rsa-pkcs1-sha256' || alg === 'rsa-pss-sha256') expect(sig.length).toBe(256);
  });

  it('a hand-made PublicKeyInfo is re-parsed from its spki, never trusted', () => {
    const key = keys.sm2;
    const sig = signMessage('sm2-sm3', key, msg);
    const copy: PublicKeyInfo = JSON.parse(JSON.stringify({ ...key.publicKey, spki: undefined }));
    const rebuilt = { ...copy, spki: key.publicKey.spki };
    expect(verifyMessage('sm2-sm3', rebuilt, msg, sig)).toBe(true);
    // a lying point is ignored: the spki decides
    const lying = { ...rebuilt, point: keys['ec-p256'].publicKey.point as Uint8Array };
    expect(verifyMessage('sm2-sm3', lying, msg, sig)).toBe(true);
    expect(codeOf(() => verifyMessage('ecdsa-p256-sha256', { ...rebuilt, kind: 'ec-p256' }, msg, sig))).toBe('ARG_INVALID');
    expect(codeOf(() => verifyMessage('sm2-sm3', { kind: 'sm2', bits: 256 } as PublicKeyInfo, msg, sig))).toBe('ARG_INVALID');
  });

  it('overwriting the arrays of a PublicKeyInfo made here changes neither the signing key nor the verifying key', () => {
    const other = generateKeyPair('sm2');
    const sm2 = generateKeyPair('sm2');
    const spki = sm2.publicKey.spki.slice();
    const point = (sm2.publicKey.point as Uint8Array).slice();
    // the holder reuses the arrays it was handed (point and spki of another key written over them)
    (sm2.publicKey.point as Uint8Array).set(other.publicKey.point as Uint8Array);
    const sig = signMessage('sm2-sm3', sm2, msg);
    expect(verifyMessage('sm2-sm3', spki, msg, sig)).toBe(true); // Z_A still from the key's own point
    expect(verifyMessage('sm2-sm3', sm2.publicKey, msg, sig)).toBe(true);
    expect(verifyMessage('sm2-sm3', sm2.publicKey, msg, signMessage('sm2-sm3', other, msg))).toBe(false);
    expect(hex(exportPrivateKeyPkcs8(sm2))).toContain(hex(point)); // the embedded public key is the real one

    const parsed = parsePublicKey(spki);
    (parsed.point as Uint8Array).set(other.publicKey.point as Uint8Array);
    expect(verifyMessage('sm2-sm3', parsed, msg, signMessage('sm2-sm3', other, msg))).toBe(false);
    expect(verifyMessage('sm2-sm3', parsed, msg, sig)).toBe(true);

    const p256 = parsePublicKey(keys['ec-p256'].publicKey.spki);
    const p256Sig = signMessage('ecdsa-p256-sha256', keys['ec-p256'], msg);
    p256.spki.set(generateKeyPair('ec-p256').publicKey.spki);
    expect(verifyMessage('ecdsa-p256-sha256', p256, msg, p256Sig)).toBe(true);
  });

  it('RSA PSS and PKCS#1 v1.5 signatures do not verify as each other', () => {
    const pss = signMessage('rsa-pss-sha256', keys.rsa, msg);
    const v15 = signMessage('rsa-pkcs1-sha256', keys.rsa, msg);
    expect(verifyMessage('rsa-pkcs1-sha256', keys.rsa.publicKey, msg, pss)).toBe(false);
    expect(verifyMessage('rsa-pss-sha256', keys.rsa.publicKey, msg, v15)).toBe(false);
  });

  it('SM2 signatures are not ECDSA-on-SM2 signatures and vice versa (the ID matters)', () => {
    const sig = signMessage('sm2-sm3', keys.sm2, msg, { id: ascii('x') });
    expect(verifyMessage('sm2-sm3', keys.sm2.publicKey, msg, sig)).toBe(false);
    expect(verifyMessage('sm2-sm3', keys.sm2.publicKey, msg, sig, { id: ascii('x') })).toBe(true);
  });
});

describe('misuse: the algorithm must fit the key', () => {
  for (const alg of algs) {
    for (const kind of Object.keys(keys) as (keyof typeof keys)[]) {
      if (fits[alg] === kind) continue;
      it(`${alg} with a ${kind} key throws CRYPTO_ALGORITHM_FORBIDDEN`, () => {
        const key = keys[kind];
        expect(codeOf(() => signMessage(alg, key, msg))).toBe('CRYPTO_ALGORITHM_FORBIDDEN');
        const sig = signMessage(key.kind === 'sm2' ? 'sm2-sm3' : key.kind === 'rsa' ? 'rsa-pkcs1-sha256' : 'ecdsa-p256-sha256', key, msg);
        expect(codeOf(() => verifyMessage(alg, key.publicKey, msg, sig))).toBe('CRYPTO_ALGORITHM_FORBIDDEN');
      });
    }
  }

  it('unknown algorithm names are unsupported', () => {
    expect(codeOf(() => verifyMessage('hmac-sha256' as SignatureAlgorithm, keys.rsa.publicKey, msg, new Uint8Array(256)))).toBe(
      'CRYPTO_ALGORITHM_UNSUPPORTED',
    );
    expect(codeOf(() => signMessage('ecdsa-p256-sha1' as SignatureAlgorithm, keys['ec-p256'], msg))).toBe('CRYPTO_ALGORITHM_UNSUPPORTED');
  });

  it('non-byte arguments are ARG_INVALID', () => {
    expect(codeOf(() => verifyMessage('sm2-sm3', keys.sm2.publicKey, msg, 'sig' as unknown as Uint8Array))).toBe('ARG_INVALID');
    expect(codeOf(() => verifyMessage('sm2-sm3', keys.sm2.publicKey, null as unknown as Uint8Array, new Uint8Array(1)))).toBe('ARG_INVALID');
  });
});

describe('malformed signatures return false and never throw', () => {
  it.each(algs)('%s', (alg) => {
    const key = keys[fits[alg]];
    const good = signMessage(alg, key, msg);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(verifyMessage(alg, key.publicKey, msg, bytes)).toBe(false);
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const b = good.slice();
        b[i] = (b[i] as number) ^ x;
        expect(verifyMessage(alg, key.publicKey, msg, b)).toBe(false);
      }),
      { numRuns: 60 },
    );
    expect(verifyMessage(alg, key.publicKey, msg, new Uint8Array([...good, 0]))).toBe(false);
  });

  it('ECDSA: non-minimal DER and out-of-range values are refused', () => {
    const key = keys['ec-p256'];
    const raw = ecdsaDerToRaw(signMessage('ecdsa-p256-sha256', key, msg));
    const r = hex(raw.subarray(0, 32));
    const s = hex(raw.subarray(32));
    // r with one more leading 0x00 than DER allows (minimal form plus one zero byte)
    const rMin = (raw[0] as number) >= 0x80 ? '00' + r : r;
    const sMin = (raw[32] as number) >= 0x80 ? '00' + s : s;
    const enc = (x: string): string => '02' + (x.length / 2).toString(16).padStart(2, '0') + x;
    const body = enc('00' + rMin) + enc(sMin);
    const nonMinimal = unhex('30' + (body.length / 2).toString(16).padStart(2, '0') + body);
    const canonical = ecdsaRawToDer(raw);
    expect(hex(canonical)).toBe('30' + ((enc(rMin) + enc(sMin)).length / 2).toString(16).padStart(2, '0') + enc(rMin) + enc(sMin));
    expect(verifyMessage('ecdsa-p256-sha256', key.publicKey, msg, canonical)).toBe(true);
    expect(verifyMessage('ecdsa-p256-sha256', key.publicKey, msg, nonMinimal)).toBe(false);
    const n = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551';
    expect(verifyMessage('ecdsa-p256-sha256', key.publicKey, msg, ecdsaRawToDer(unhex(n + s)))).toBe(false);
  });
});

describe('ecdsaRawToDer / ecdsaDerToRaw', () => {
  it('round-trips and pads', () => {
    const raw = unhex('00'.repeat(31) + '01' + '80' + '00'.repeat(31));
    const der = ecdsaRawToDer(raw);
    expect(hex(der)).toBe('3026020101022100' + '80' + '00'.repeat(31));
    expect(hex(ecdsaDerToRaw(der))).toBe(hex(raw));
    expect(ecdsaDerToRaw(der, 48).length).toBe(96);
  });

  it('refuses bad input with CRYPTO_SIGNATURE_MALFORMED', () => {
    expect(codeOf(() => ecdsaRawToDer(new Uint8Array(63)))).toBe('CRYPTO_SIGNATURE_MALFORMED');
    expect(codeOf(() => ecdsaRawToDer(new Uint8Array(64)))).toBe('CRYPTO_SIGNATURE_MALFORMED');
    expect(codeOf(() => ecdsaRawToDer(new Uint8Array(0)))).toBe('CRYPTO_SIGNATURE_MALFORMED');
    expect(codeOf(() => ecdsaDerToRaw(unhex('3006020101020101' + '00')))).toBe('CRYPTO_SIGNATURE_MALFORMED');
    expect(codeOf(() => ecdsaDerToRaw(unhex('30070201010202' + '0001')))).toBe('CRYPTO_SIGNATURE_MALFORMED');
    const big = ecdsaRawToDer(unhex('ff'.repeat(48) + '01'.repeat(48)));
    expect(codeOf(() => ecdsaDerToRaw(big, 32))).toBe('CRYPTO_SIGNATURE_MALFORMED');
    expect(parsePublicKey(keys.sm2.publicKey.spki).kind).toBe('sm2');
  });
});
