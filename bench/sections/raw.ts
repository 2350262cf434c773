/**
 * Raw rates of the primitives, straight from node's OpenSSL (the "crypto bound" of voucher verification) and
 * from the SDK's own SM2 next to sm-crypto-v2.
 */
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { sm2 as smCrypto } from 'sm-crypto-v2';
import { clearSm2KeyCache, digest, generateKeyPair, signMessage, sm2Verify } from '../../src/crypto/index.js';
import { measureInterleaved, measureSync, summarize, type MeasureOptions, type Rate } from '../lib/measure.js';

/** Raw rates (operations per second; hashes in MB/s). */
export interface RawFigures {
  readonly p256Sign: Rate;
  readonly p256Verify: Rate;
  readonly rsa2048Sign: Rate;
  readonly rsa2048Verify: Rate;
  readonly sm3MBps: Rate;
  readonly sha256MBps: Rate;
}

/** SM2 rates (operations per second). */
export interface Sm2Figures {
  readonly oursSign: Rate;
  /** Repeated signer (the verifier's case: a stream of vouchers from the same sealers). */
  readonly oursVerify: Rate;
  /** A public key never seen before on every call (no per-key table). */
  readonly oursVerifyFirstSight: Rate;
  readonly smCryptoV2Sign: Rate;
  readonly smCryptoV2Verify: Rate;
  /**
   * sm-crypto-v2 verifying with a key made by its `precomputePublicKey` (its README's way for a repeated signer):
   * the like-for-like partner of {@link oursVerify}, whose per-key table does the same work once per key.
   */
  readonly smCryptoV2VerifyPrecomputed: Rate;
  /** Our verify rate ÷ sm-crypto-v2's with `precomputePublicKey`, in each of as many interleaved pairs. */
  readonly precomputedRatio: Rate;
  /**
   * Our verify rate ÷ sm-crypto-v2's in each interleaved pair (one repetition of theirs, then one of ours), whose
   * median is the target ratio: a shared VM's speed moves within seconds, and within a pair both sides move alike.
   */
  readonly verifyRatio: Rate;
}

/** The message signed by the raw figures: the size of a CMS signedAttrs / TBS structure. */
const MESSAGE = new Uint8Array(256).fill(0x5a);

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`bench self-check failed: ${what}`);
}

/**
 * One raw P-256 verification as {@link measureRaw} times it (node crypto, a ready `KeyObject`, the 256-byte
 * message), for measurements that interleave it with other work.
 *
 * @returns the operation; it throws if the signature does not verify.
 */
export function rawP256Verify(): () => void {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sig = sign('sha256', MESSAGE, ec.privateKey);
  return () => check(verify('sha256', MESSAGE, ec.publicKey, sig), 'p256');
}

/**
 * Node crypto P-256 and RSA-2048 sign/verify on a 256-byte message, SHA-256 and SM3 on 64 KiB blocks.
 *
 * @param m - measurement options.
 * @returns the rates.
 */
export function measureRaw(m: MeasureOptions): RawFigures {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecSig = sign('sha256', MESSAGE, ec.privateKey);
  check(verify('sha256', MESSAGE, ec.publicKey, ecSig), 'p256 verify');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaSig = sign('sha256', MESSAGE, rsa.privateKey);
  check(verify('sha256', MESSAGE, rsa.publicKey, rsaSig), 'rsa verify');
  const block = new Uint8Array(64 * 1024).fill(0x61);
  check(Buffer.from(digest('sm3', new TextEncoder().encode('abc'))).toString('hex') === '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0', 'sm3 known answer');
  const mb = block.length / 1e6;
  return {
    p256Sign: measureSync(() => sign('sha256', MESSAGE, ec.privateKey), m),
    p256Verify: measureSync(() => check(verify('sha256', MESSAGE, ec.publicKey, ecSig), 'p256'), m),
    rsa2048Sign: measureSync(() => sign('sha256', MESSAGE, rsa.privateKey), m),
    rsa2048Verify: measureSync(() => check(verify('sha256', MESSAGE, rsa.publicKey, rsaSig), 'rsa'), m),
    sm3MBps: measureSync(() => digest('sm3', block), m, mb),
    sha256MBps: measureSync(() => createHash('sha256').update(block).digest(), m, mb),
  };
}

/**
 * SM2 with SM3 and the default signer ID, 2 KiB message: the SDK (`signMessage`, `sm2Verify`) and
 * sm-crypto-v2 (`doSignature` / `doVerifySignature` with `{ hash: true, der: true }`, hex keys as its API
 * takes them). Each side verifies the other's signature first, so both compute the same standard scheme. The two
 * verify rates come from `pairs` interleaved pairs, as the other target ratios do.
 *
 * @param m - measurement options.
 * @param pairs - interleaved pairs of the verify figures.
 * @returns the rates.
 */
export async function measureSm2(m: MeasureOptions, pairs: number): Promise<Sm2Figures> {
  const msg = new Uint8Array(2048).fill(0x61);
  const key = generateKeyPair('sm2');
  const pub = key.publicKey.point as Uint8Array;
  const pubHex = Buffer.from(pub).toString('hex');
  const sig = signMessage('sm2-sm3', key, msg);
  const sigHex = Buffer.from(sig).toString('hex');
  const theirs = smCrypto.generateKeyPairHex();
  const theirSig = smCrypto.doSignature(msg, theirs.privateKey, { hash: true, der: true });
  // Interop both ways: a fast bench of an incompatible scheme would mean nothing.
  check(smCrypto.doVerifySignature(msg, sigHex, pubHex, { hash: true, der: true }), 'sm-crypto-v2 verifies ours');
  check(sm2Verify(new Uint8Array(Buffer.from(theirs.publicKey, 'hex')), msg, new Uint8Array(Buffer.from(theirSig, 'hex'))), 'ours verifies sm-crypto-v2');

  // Fresh keys for the first-sight figure: the per-key cache is emptied before every call.
  const fresh = Array.from({ length: 64 }, () => {
    const k = generateKeyPair('sm2');
    return { pub: k.publicKey.point as Uint8Array, sig: signMessage('sm2-sm3', k, msg) };
  });
  // Distinct signatures by one key, taken in turn on both sides: sm2Verify answers an exact repeat of its last
  // success per key without computing (a new seal is checked twice when it is made), so one signature verified
  // over and over would measure that memo, not the verification a verifier does for every new seal.
  const ours = Array.from({ length: 64 }, () => signMessage('sm2-sm3', key, msg));
  const theirSigs = Array.from({ length: 64 }, () => smCrypto.doSignature(msg, theirs.privateKey, { hash: true, der: true }));
  let i = 0;
  let j = 0;
  let t = 0;
  const oursVerifyFirstSight = measureSync(() => {
    const f = fresh[i++ % fresh.length] as { pub: Uint8Array; sig: Uint8Array };
    clearSm2KeyCache();
    check(sm2Verify(f.pub, msg, f.sig), 'sm2 verify (fresh key)');
  }, m);
  clearSm2KeyCache();
  // Theirs first in each pair, ours second (its async wrapper costs ours a microtask per call, under 0.1 %).
  const verifyPairs = await measureInterleaved(
    () => check(smCrypto.doVerifySignature(msg, theirSigs[t++ % theirSigs.length] as string, theirs.publicKey, { hash: true, der: true }), 'sm-crypto-v2 verify'),
    async () => check(sm2Verify(pub, msg, ours[j++ % ours.length] as Uint8Array), 'sm2 verify'),
    m,
    pairs,
  );
  // Theirs with its own per-key precomputation, checked on our signature first like the plain call above.
  check(smCrypto.doVerifySignature(msg, sigHex, smCrypto.precomputePublicKey(pubHex), { hash: true, der: true }), 'sm-crypto-v2 verifies ours with a precomputed key');
  const theirPrecomputed = smCrypto.precomputePublicKey(theirs.publicKey);
  // In interleaved pairs too: its rate swings with the garbage collector (a 2 KiB message becomes hex strings),
  // and a block measured apart would meet another state of the heap than ours.
  const precomputedPairs = await measureInterleaved(
    () => check(smCrypto.doVerifySignature(msg, theirSigs[t++ % theirSigs.length] as string, theirPrecomputed, { hash: true, der: true }), 'sm-crypto-v2 verify (precomputed key)'),
    async () => check(sm2Verify(pub, msg, ours[j++ % ours.length] as Uint8Array), 'sm2 verify'),
    m,
    pairs,
  );
  return {
    smCryptoV2VerifyPrecomputed: precomputedPairs.a,
    precomputedRatio: summarize(precomputedPairs.ratios),
    oursSign: measureSync(() => signMessage('sm2-sm3', key, msg), m),
    oursVerify: verifyPairs.b,
    oursVerifyFirstSight,
    smCryptoV2Sign: measureSync(() => smCrypto.doSignature(msg, theirs.privateKey, { hash: true, der: true }), m),
    smCryptoV2Verify: verifyPairs.a,
    verifyRatio: summarize(verifyPairs.ratios),
  };
}
