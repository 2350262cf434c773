import fc from 'fast-check';
import { sm2 as smCrypto } from 'sm-crypto-v2';
import { describe, expect, it } from 'vitest';
import {
  clearSm2KeyCache,
  DEFAULT_SM2_ID,
  generateKeyPair,
  KEY_CACHE_SIZE,
  signMessage,
  sm2ComputeZ,
  sm2PublicKeyFromPrivate,
  sm2Sign,
  sm2Verify,
} from '../../src/crypto/index.js';
import { sm2KeyCacheCount, sm2PointVerificationCount } from '../../src/crypto/sm2.js';
import { decodeRsDer } from '../../src/crypto/signature_der.js';
import { SM2P256V1, sm2p256v1 } from '../../src/crypto/sm2_curve.js';
import { verifyCore } from '../../src/crypto/sm2.js';
import { buildFixedBaseTable } from '../../src/crypto/sm2_tables.js';
import { digest } from '../../src/crypto/hash.js';
import { invert } from '@noble/curves/abstract/modular.js';
import { ascii, codeOf, hex, unhex, vector } from './helpers.js';

const v = vector<{ d: string; Px: string; Py: string; der: string; messageAscii: string }>('sm2/gbt32918-5-annex-a.json');
const pub = unhex('04' + v.Px + v.Py);
const d = unhex(v.d);
const m = ascii(v.messageAscii);
const der = unhex(v.der);
const n = SM2P256V1.n;
const r = BigInt('0x' + v.der.slice(10, 74));
const s = BigInt('0x' + v.der.slice(80));

/** DER INTEGER with an explicit content (no normalisation). */
const int = (content: string): string => '02' + (content.length / 2).toString(16).padStart(2, '0') + content;
const seq = (content: string): string => '30' + (content.length / 2).toString(16).padStart(2, '0') + content;
const h32 = (x: bigint): string => x.toString(16).padStart(64, '0');
const intOf = (x: bigint): string => {
  let c = x.toString(16);
  if (c.length % 2) c = '0' + c;
  if (parseInt(c.slice(0, 2), 16) >= 0x80) c = '00' + c;
  return int(c);
};

describe('sm2Verify: strict DER signatures', () => {
  it('accepts the canonical encoding', () => {
    expect(sm2Verify(pub, m, unhex(seq(intOf(r) + intOf(s))))).toBe(true);
  });

  const bad: [string, string][] = [
    ['trailing byte', v.der + '00'],
    ['trailing sequence', v.der + '3000'],
    ['non-minimal r (extra 00)', seq(int('0000' + h32(r)) + intOf(s))],
    ['non-minimal s (extra 00)', seq(intOf(r) + int('0000' + h32(s)))],
    ['negative r (no sign byte)', seq(int(h32(r)) + intOf(s))],
    ['long-form length for a short length', '3081' + v.der.slice(2)],
    ['indefinite length', '3080' + v.der.slice(4) + '0000'],
    ['three integers', seq(intOf(r) + intOf(s) + intOf(1n))],
    ['one integer', seq(intOf(r))],
    ['wrong outer tag (SET)', '31' + v.der.slice(2)],
    ['raw r ‖ s', h32(r) + h32(s)],
    ['r = 0', seq(int('00') + intOf(s))],
    ['s = 0', seq(intOf(r) + int('00'))],
    ['r = n', seq(intOf(n) + intOf(s))],
    ['s = n', seq(intOf(r) + intOf(n))],
    ['r + n', seq(intOf(r + n) + intOf(s))],
    ['r + s = n (t = 0)', seq(intOf(1n) + intOf(n - 1n))],
    ['empty', ''],
    ['truncated', v.der.slice(0, -2)],
  ];
  for (const [name, sigHex] of bad) {
    it(`rejects ${name}`, () => {
      expect(sm2Verify(pub, m, unhex(sigHex))).toBe(false);
    });
  }

  it('never throws on random signature bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        expect(sm2Verify(pub, m, bytes)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on mutated valid signatures', () => {
    fc.assert(
      fc.property(fc.nat(der.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const b = der.slice();
        b[i] = (b[i] as number) ^ x;
        expect(sm2Verify(pub, m, b)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('sm2 public keys', () => {
  const offCurve = pub.slice();
  offCurve[64] = (offCurve[64] as number) ^ 1;
  const cases: [string, Uint8Array][] = [
    ['a point off the curve', offCurve],
    ['(0, 0)', new Uint8Array([4, ...new Uint8Array(64)])],
    ['infinity (00)', Uint8Array.of(0)],
    ['compressed form', new Uint8Array([2 + ((pub[64] as number) & 1), ...pub.subarray(1, 33)])],
    ['x = p', unhex('04' + SM2P256V1.p.toString(16) + v.Py)],
    ['65 bytes with prefix 06', new Uint8Array([6, ...pub.subarray(1)])],
    ['empty', new Uint8Array(0)],
  ];
  for (const [name, key] of cases) {
    it(`refuses ${name} with CRYPTO_KEY_INVALID`, () => {
      expect(codeOf(() => sm2Verify(key, m, der))).toBe('CRYPTO_KEY_INVALID');
      expect(codeOf(() => sm2ComputeZ(key))).toBe('CRYPTO_KEY_INVALID');
    });
  }

  it('a rejected key is not cached', () => {
    clearSm2KeyCache();
    expect(codeOf(() => sm2Verify(offCurve, m, der))).toBe('CRYPTO_KEY_INVALID');
    expect(sm2KeyCacheCount()).toBe(0);
  });

  it('the key cache stays bounded and stays correct after eviction', () => {
    clearSm2KeyCache();
    const keys = Array.from({ length: KEY_CACHE_SIZE + 10 }, () => generateKeyPair('sm2'));
    for (const k of keys) {
      const sig = signMessage('sm2-sm3', k, m);
      for (let i = 0; i < 5; i++) expect(sm2Verify(k.publicKey.point as Uint8Array, m, sig)).toBe(true);
    }
    expect(sm2KeyCacheCount()).toBe(KEY_CACHE_SIZE);
    // the first key was evicted: it is validated and cached afresh
    const first = keys[0] as (typeof keys)[number];
    expect(sm2Verify(first.publicKey.point as Uint8Array, m, signMessage('sm2-sm3', first, m))).toBe(true);
    expect(sm2Verify(first.publicKey.point as Uint8Array, ascii('other'), signMessage('sm2-sm3', first, m))).toBe(false);
  });
});

describe('sm2Verify: the last success per key', () => {
  const count = sm2PointVerificationCount;

  it('answers an exact repeat without a second verification', () => {
    const k = generateKeyPair('sm2');
    const P = k.publicKey.point as Uint8Array;
    const sig = signMessage('sm2-sm3', k, m);
    const c0 = count();
    expect(sm2Verify(P, m, sig)).toBe(true);
    expect(count()).toBe(c0 + 1);
    expect(sm2Verify(P, m, sig)).toBe(true);
    expect(sm2Verify(P, m.slice(), sig.slice())).toBe(true);
    expect(count()).toBe(c0 + 1);
  });

  it('a different message, signature, signer ID or key is verified in full and fails', () => {
    const k = generateKeyPair('sm2');
    const other = generateKeyPair('sm2');
    const P = k.publicKey.point as Uint8Array;
    const sig = signMessage('sm2-sm3', k, m);
    expect(sm2Verify(P, m, sig)).toBe(true);
    const c0 = count();
    expect(sm2Verify(P, ascii('message digesT'), sig)).toBe(false);
    // s + 1 as canonical DER, the same r.
    const rs = decodeRsDer(sig, n);
    if (rs === null) throw new Error('not DER');
    expect(sm2Verify(P, m, unhex(seq(intOf(rs.r) + intOf(rs.s + 1n))))).toBe(false);
    expect(sm2Verify(P, m, sig, { id: ascii('another signer id') })).toBe(false);
    expect(sm2Verify(other.publicKey.point as Uint8Array, m, sig)).toBe(false);
    expect(count()).toBe(c0 + 4);
    // The success is still remembered after those failures, and each failure is not.
    expect(sm2Verify(P, m, sig)).toBe(true);
    expect(sm2Verify(P, ascii('message digesT'), sig)).toBe(false);
    expect(count()).toBe(c0 + 5);
  });

  it('distinct signatures of one key verify in full each time, before and after its table is built', () => {
    const k = generateKeyPair('sm2');
    const P = k.publicKey.point as Uint8Array;
    const c0 = count();
    for (let i = 0; i < 8; i++) {
      const msg = ascii(`message ${i}`);
      const sig = signMessage('sm2-sm3', k, msg);
      expect(sm2Verify(P, msg, sig)).toBe(true);
      expect(sm2Verify(P, ascii(`message ${i + 1}`), sig)).toBe(false);
    }
    expect(count()).toBe(c0 + 16);
  });
});

describe('sm2 verification: the projective x check', () => {
  it("accepts x1' in [n, p) (compared as r − e + n), and nothing else", () => {
    // x1' ≥ n happens with probability about 2^-128 for real signatures, so build one: a point R with x ≥ n,
    // then the key P = (r + s)^-1 (R − s·G) for which (r, s) is valid (verifyCore takes Z_A as given).
    const { p, a, b } = SM2P256V1;
    const Fp = sm2p256v1.Point.Fp;
    let x = n + 1n;
    let y = 0n;
    for (;; x++) {
      const rhs = Fp.create(x * x * x + a * x + b);
      try {
        y = Fp.sqrt(rhs);
        if (Fp.eql(Fp.sqr(y), rhs)) break;
      } catch {
        // not a square: next x
      }
    }
    expect(x < p).toBe(true);
    const R = sm2p256v1.Point.fromAffine({ x, y });
    const z = new Uint8Array(32).fill(7);
    const e = BigInt('0x' + hex(digest('sm3', new Uint8Array([...z, ...m]))));
    const sv = 0x1234567n;
    const rv = (e + x) % n;
    const P = R.subtract(sm2p256v1.Point.BASE.multiply(sv)).multiply(invert((rv + sv) % n, n));
    // Both paths: noble's multiplications, and the table sum in Jacobian coordinates (X == (r − e + n)·Z²).
    for (const table of [undefined, buildFixedBaseTable(sm2p256v1, P, 6)]) {
      expect(verifyCore(sm2p256v1, P, z, m, rv, sv, table)).toBe(true);
      expect(verifyCore(sm2p256v1, P, z, m, (rv + 1n) % n, sv, table)).toBe(false);
      expect(verifyCore(sm2p256v1, P, z, m, rv, sv + 1n, table)).toBe(false);
      expect(verifyCore(sm2p256v1, P, z, ascii('other'), rv, sv, table)).toBe(false);
    }
  });
});

describe('sm2 private keys and signing arguments', () => {
  const nHex = h32(n);
  it.each([
    ['zero', h32(0n)],
    ['n - 1', h32(n - 1n)],
    ['n', nHex],
    ['31 bytes', v.d.slice(2)],
    ['33 bytes', '00' + v.d],
  ])('refuses d = %s', (_name, dHex) => {
    expect(codeOf(() => sm2Sign(unhex(dHex), m))).toBe('CRYPTO_KEY_INVALID');
    expect(codeOf(() => sm2PublicKeyFromPrivate(unhex(dHex)))).toBe('CRYPTO_KEY_INVALID');
  });

  it('accepts d = n - 2, the largest valid key', () => {
    const dMax = unhex(h32(n - 2n));
    const p = sm2PublicKeyFromPrivate(dMax);
    expect(sm2Verify(p, m, sm2Sign(dMax, m))).toBe(true);
  });

  it('refuses a publicKey option that is not d·G', () => {
    const other = generateKeyPair('sm2').publicKey.point as Uint8Array;
    expect(codeOf(() => sm2Sign(d, m, { publicKey: other }))).toBe('CRYPTO_KEY_INVALID');
  });

  it('refuses k out of range and non-byte arguments', () => {
    expect(codeOf(() => sm2Sign(d, m, { k: 0n }))).toBe('ARG_INVALID');
    expect(codeOf(() => sm2Sign(d, m, { k: n }))).toBe('ARG_INVALID');
    expect(codeOf(() => sm2Sign(d, 'abc' as unknown as Uint8Array))).toBe('ARG_INVALID');
    expect(codeOf(() => sm2Verify(pub, m, 'x' as unknown as Uint8Array))).toBe('ARG_INVALID');
  });

  it('random signatures differ but all verify', () => {
    const a = sm2Sign(d, m);
    const b = sm2Sign(d, m);
    expect(hex(a)).not.toBe(hex(b));
    expect(sm2Verify(pub, m, a) && sm2Verify(pub, m, b)).toBe(true);
  });
});

describe('sm2 signer IDs', () => {
  const key = generateKeyPair('sm2');
  const p = key.publicKey.point as Uint8Array;

  it('DEFAULT_SM2_ID is ASCII 1234567812345678, and changing the export does not change the default', () => {
    expect(Buffer.from(DEFAULT_SM2_ID).toString('latin1')).toBe('1234567812345678');
    const sig = signMessage('sm2-sm3', key, m);
    DEFAULT_SM2_ID[0] = 0x39;
    try {
      expect(sm2Verify(p, m, sig)).toBe(true);
    } finally {
      DEFAULT_SM2_ID[0] = 0x31;
    }
  });

  it('a custom ID verifies only under that ID', () => {
    const id = ascii('ALICE123@YAHOO.COM');
    const sig = signMessage('sm2-sm3', key, m, { id });
    expect(sm2Verify(p, m, sig, { id })).toBe(true);
    expect(sm2Verify(p, m, sig)).toBe(false);
    expect(sm2Verify(p, m, sig, { id: new Uint8Array(0) })).toBe(false);
  });

  it('an empty-ID signature does not verify under the default ID', () => {
    const sig = signMessage('sm2-sm3', key, m, { id: new Uint8Array(0) });
    expect(sm2Verify(p, m, sig, { id: new Uint8Array(0) })).toBe(true);
    expect(sm2Verify(p, m, sig)).toBe(false);
  });

  it('IDs longer than 8191 bytes (ENTL overflow) are refused', () => {
    expect(codeOf(() => sm2Verify(p, m, der, { id: new Uint8Array(8192) }))).toBe('ARG_INVALID');
    expect(sm2Verify(p, m, der, { id: new Uint8Array(8191) })).toBe(false);
  });

  it('round-trips random messages and IDs; any change of message fails', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 40 }), (msg, id) => {
        const sig = signMessage('sm2-sm3', key, msg, { id });
        expect(sm2Verify(p, msg, sig, { id })).toBe(true);
        const tampered = new Uint8Array([...msg, 0]);
        expect(sm2Verify(p, tampered, sig, { id })).toBe(false);
      }),
      { numRuns: 25 },
    );
  });
});

describe('cross-check with sm-crypto-v2 (independent implementation)', () => {
  const key = generateKeyPair('sm2');
  const p = key.publicKey.point as Uint8Array;
  const pubHex = hex(p);
  const msg = ascii('国库集中支付电子凭证 cross-check');
  const toHex = (b: Uint8Array): string => hex(b);

  it('ours → sm-crypto-v2, default and custom ID', () => {
    expect(smCrypto.doVerifySignature(msg, toHex(signMessage('sm2-sm3', key, msg)), pubHex, { hash: true, der: true })).toBe(true);
    const sig = signMessage('sm2-sm3', key, msg, { id: ascii('bank-001') });
    expect(smCrypto.doVerifySignature(msg, toHex(sig), pubHex, { hash: true, der: true, userId: 'bank-001' })).toBe(true);
    expect(smCrypto.doVerifySignature(msg, toHex(sig), pubHex, { hash: true, der: true })).toBe(false);
  });

  it('sm-crypto-v2 → ours, default and custom ID; its empty-ID signature fails under the default', () => {
    const kp = smCrypto.generateKeyPairHex();
    const kpub = unhex(kp.publicKey);
    const sig = unhex(smCrypto.doSignature(msg, kp.privateKey, { hash: true, der: true }));
    expect(sm2Verify(kpub, msg, sig)).toBe(true);
    const sigId = unhex(smCrypto.doSignature(msg, kp.privateKey, { hash: true, der: true, userId: 'bank-001' }));
    expect(sm2Verify(kpub, msg, sigId, { id: ascii('bank-001') })).toBe(true);
    expect(sm2Verify(kpub, msg, sigId)).toBe(false);
    const sigEmpty = unhex(smCrypto.doSignature(msg, kp.privateKey, { hash: true, der: true, userId: '' }));
    expect(sm2Verify(kpub, msg, sigEmpty, { id: new Uint8Array(0) })).toBe(true);
    expect(sm2Verify(kpub, msg, sigEmpty)).toBe(false);
  });

  it('agrees on Z_A', () => {
    expect(hex(sm2ComputeZ(p))).toBe(hex(new Uint8Array(smCrypto.getZ(pubHex))));
  });
});
