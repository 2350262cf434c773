/**
 * The cost and memory of the seal checks stay bounded on hostile seals (security.md §1.12):
 * - a certListType 2 list hashes the sealer certificate once per allowed algorithm, not once per entry (the list,
 *   up to 256 entries, and the certificate, up to the whole structure, are both the sender's: 256 × 4 MiB of SM3
 *   took seconds per standalone seal signature);
 * - the maker-signature memo keeps no large seal objects (anyone can make a seal whose maker signature verifies,
 *   with his own untrusted maker key: 256 seals of 4 MiB kept about a gigabyte alive).
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { derInteger, derOctetString, derPrintableString, derSequence, readDer } from '../../../src/encoding/index.js';
import { clearVerifiedMakers, MAX_REMEMBERED_MAKER_BYTES, verifiedMakerCount } from '../../../src/seal/ses/checks.js';
import { makeSeal, makeSesSignature, matchSealerToSeal, parseSeal, verifySealMaker } from '../../../src/seal/ses/index.js';
import { verifySesSignatureOverData } from '../../../src/verify/seal_signature.js';
import { createDate, demoProvider, signTime, validEnd, validStart } from './helpers.js';
import { craftSealObject } from '../../verify/helpers.js';

const hashed = vi.hoisted(() => ({ bytes: 0, calls: 0 }));

vi.mock('../../../src/crypto/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/crypto/index.js')>();
  return {
    ...real,
    digest: (alg: Parameters<typeof real.digest>[0], data: Uint8Array) => {
      hashed.calls++;
      hashed.bytes += data.length;
      return real.digest(alg, data);
    },
  };
});


let maker: ReturnType<typeof demoProvider>;
let dw: ReturnType<typeof demoProvider>;

beforeAll(() => {
  maker = demoProvider('sm2/maker');
  dw = demoProvider('sm2/dw');
});

beforeEach(() => {
  hashed.calls = 0;
  hashed.bytes = 0;
});

/** A picture of `size` bytes whose last bytes differ per `tag` (the memo's bucket hash reads the tail). */
function picture(size: number, tag: number): Uint8Array {
  const p = new Uint8Array(size);
  p[size - 1] = tag & 0xff;
  p[size - 2] = tag >> 8;
  return p;
}

async function sealWithPicture(size: number, tag: number): Promise<Uint8Array> {
  return makeSeal({ maker, holders: [dw.certDer], name: 'x', esId: `BIG-${tag}`, validStart, validEnd, createDate, picture: { type: 'PNG', data: picture(size, tag), widthMm: 40, heightMm: 40 } });
}

describe('certListType 2: the sealer certificate is hashed once per algorithm', () => {
  it('256 digest entries over a 1 MiB certificate hash it at most twice (SM3 and SHA-256), whatever the list', () => {
    const cert = new Uint8Array(1024 * 1024).fill(0x41);
    const digests = Array.from({ length: 256 }, (_, i) => ({ algorithm: i % 2 === 0 ? 'SM3' : 'SHA256', value: new Uint8Array(32).fill(i) }));
    // The match reads only the certList of the seal object.
    const seal = { certList: { kind: 'digests', digests } } as unknown as Parameters<typeof matchSealerToSeal>[0];
    const r = matchSealerToSeal(seal, cert);
    expect(r).toMatchObject({ ok: false, code: 'SEAL_SIGNER_NOT_IN_SEAL' });
    expect(hashed.calls).toBeLessThanOrEqual(2);
    expect(hashed.bytes).toBeLessThanOrEqual(2 * cert.length);
  });

  it('still finds the matching entry of each algorithm (last in a long list)', async () => {
    const { digest } = await import('../../../src/crypto/index.js');
    const cert = dw.certDer;
    for (const alg of ['sm3', 'sha256'] as const) {
      const entries = [
        ...Array.from({ length: 100 }, (_, i) => ({ algorithm: i % 2 === 0 ? 'SM3' : 'SHA-256', value: new Uint8Array(32).fill(i) })),
        { algorithm: alg === 'sm3' ? 'SM3' : 'SHA256', value: digest(alg, cert) },
      ];
      const seal = { certList: { kind: 'digests', digests: entries } } as unknown as Parameters<typeof matchSealerToSeal>[0];
      expect(matchSealerToSeal(seal, cert)).toMatchObject({ ok: true });
    }
  });

  it('end to end: a standalone seal signature with 256 entries and a 3 MiB sealer certificate hashes it at most twice', async () => {
    // The maker-signed seal need not verify: the match is checked and reported whatever the other checks say.
    const esl = await makeSeal({ maker, holders: [dw.certDer], name: 'x', esId: 'LIST', validStart, validEnd, createDate, picture: { type: 'PNG', data: picture(16, 1), widthMm: 40, heightMm: 40 } });
    const stamp = await makeSesSignature({ seal: esl, signer: dw, dataHash: new Uint8Array(32), propertyInfo: 'x', time: signTime });
    // Rewrite: certListType 2 with 256 digests, and a 3 MiB sealer certificate.
    const bigCert = new Uint8Array(3 * 1024 * 1024).fill(0x41);
    const parsed = readDer(stamp, { maxSize: 8 * 1024 * 1024 });
    const [tbs, , alg, sig] = parsed.children ?? [];
    const [version, seal, time, hash, property, ext] = tbs?.children ?? [];
    const [info, makerCert, makerAlg, makerSig] = seal?.children ?? [];
    const [header, esId, prop, pic] = info?.children ?? [];
    const p = prop?.children ?? [];
    const entries = Array.from({ length: 256 }, (_, i) => derSequence(derPrintableString(i % 2 === 0 ? 'SM3' : 'SHA256'), derOctetString(new Uint8Array(32).fill(i))));
    const newProp = derSequence(p[0]!.raw, p[1]!.raw, derInteger(2), derSequence(...entries), p[4]!.raw, p[5]!.raw, p[6]!.raw);
    const newSeal = derSequence(derSequence(header!.raw, esId!.raw, newProp, pic!.raw), makerCert!.raw, makerAlg!.raw, makerSig!.raw);
    const newTbs = derSequence(version!.raw, newSeal, time!.raw, hash!.raw, property!.raw, ...(ext === undefined ? [] : [ext.raw]));
    const forged = derSequence(newTbs, derOctetString(bigCert), alg!.raw, sig!.raw);
    hashed.calls = 0;
    hashed.bytes = 0;
    const r = await verifySesSignatureOverData(forged, new Uint8Array(0));
    expect(r.status).toBe('INVALID');
    expect(r.checks.find((c) => c.check === 'seal-match')).toMatchObject({ status: 'failed', code: 'SEAL_SIGNER_NOT_IN_SEAL' });
    // The certificate is hashed for the match (at most twice); the rest of the report hashes the small data only.
    expect(hashed.bytes).toBeLessThan(3 * bigCert.length);
  });
});

describe('the maker-signature memo keeps no large seal objects', () => {
  it('a seal object over the bound is verified (and passes) but not remembered; a usual one is remembered', async () => {
    clearVerifiedMakers();
    const small = parseSeal(await sealWithPicture(20 * 1024, 1));
    expect(verifySealMaker(small).ok).toBe(true);
    expect(verifiedMakerCount()).toBe(1);
    const big = parseSeal(await sealWithPicture(MAX_REMEMBERED_MAKER_BYTES, 2), { limits: { maxSize: 8 * 1024 * 1024 } });
    expect(big.slices.makerSigned.length).toBeGreaterThan(MAX_REMEMBERED_MAKER_BYTES);
    expect(verifySealMaker(big).ok).toBe(true);
    expect(verifySealMaker(big).ok).toBe(true);
    expect(verifiedMakerCount()).toBe(1);
    // A tampered large seal still fails: nothing was remembered that could answer for it.
    const raw = big.raw.slice();
    const at = big.picture.data.byteOffset - big.raw.byteOffset;
    raw[at] = (raw[at] as number) ^ 1;
    expect(verifySealMaker(parseSeal(raw)).ok).toBe(false);
  });

  it('untrusted 1 MiB seals whose maker signatures verify do not pile up in memory', async () => {
    clearVerifiedMakers();
    for (let i = 0; i < 4; i++) {
      // Over makeSeal's MAX_SEAL_OBJECT_BYTES: made by hand, as anyone with a maker key could.
      const esl = await craftSealObject(maker, [dw.certDer], { esId: `BIG-${100 + i}`, picture: picture(1024 * 1024, 100 + i) });
      expect(verifySealMaker(parseSeal(esl)).ok).toBe(true);
    }
    expect(verifiedMakerCount()).toBe(0);
  });
});
