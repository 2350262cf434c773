/**
 * SM2 speed against sm-crypto-v2 (not a test): `npx vitest bench --run test/crypto/sm2_speed.bench.ts`.
 * Figures are recorded in docs/crypto.md. The full benchmark is `npm run bench`.
 */
import { bench, describe } from 'vitest';
import { sm2 as smCrypto } from 'sm-crypto-v2';
import { clearSm2KeyCache, generateKeyPair, signMessage, sm2Verify } from '../../src/crypto/index.js';

const msg = new Uint8Array(2048).fill(0x61);
const key = generateKeyPair('sm2');
const pub = key.publicKey.point as Uint8Array;
const pubHex = Buffer.from(pub).toString('hex');
const sig = signMessage('sm2-sm3', key, msg);
const sigHex = Buffer.from(sig).toString('hex');
const privHex = smCrypto.generateKeyPairHex().privateKey;

// fresh keys for the "first sight" case
const fresh = Array.from({ length: 200 }, () => {
  const k = generateKeyPair('sm2');
  return { pub: k.publicKey.point as Uint8Array, sig: signMessage('sm2-sm3', k, msg) };
});
let i = 0;

describe('sm2 verify (repeated signer)', () => {
  // Distinct signatures in turn: sm2Verify answers an exact repeat of its last success per key without computing.
  const sigs = Array.from({ length: 64 }, () => signMessage('sm2-sm3', key, msg));
  let j = 0;
  bench('evoucher sm2Verify', () => {
    if (!sm2Verify(pub, msg, sigs[j++ % sigs.length] as Uint8Array)) throw new Error('bad');
  });
  bench('sm-crypto-v2 doVerifySignature', () => {
    if (!smCrypto.doVerifySignature(msg, sigHex, pubHex, { hash: true, der: true })) throw new Error('bad');
  });
});

describe('sm2 verify (new signer every time)', () => {
  bench('evoucher sm2Verify, uncached key', () => {
    const f = fresh[i++ % fresh.length] as { pub: Uint8Array; sig: Uint8Array };
    clearSm2KeyCache();
    if (!sm2Verify(f.pub, msg, f.sig)) throw new Error('bad');
  });
});

describe('sm2 sign', () => {
  bench('evoucher signMessage', () => {
    signMessage('sm2-sm3', key, msg);
  });
  bench('sm-crypto-v2 doSignature', () => {
    smCrypto.doSignature(msg, privHex, { hash: true, der: true });
  });
});
