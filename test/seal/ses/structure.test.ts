/**
 * Structure rules of the SES readers on hostile input (security.md §1.3, §1.8, §1.12): version
 * detection, extra elements, unused bits, timestamp forms, DER violations, algorithm confusion, and the
 * GM/T 0031-2014 path (seal and seal signature) with its lenient-mode tolerances.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { digest } from '../../../src/crypto/index.js';
import {
  derBitString,
  derBoolean,
  derExplicit,
  derGeneralizedTime,
  derIa5String,
  derInteger,
  derOctetString,
  derOid,
  derSequence,
  derUtcTime,
  derUtf8String,
  readDer,
} from '../../../src/encoding/index.js';
import type { DerNode } from '../../../src/encoding/index.js';
import {
  makeSeal,
  makeSesSignature,
  matchSealerToSeal,
  parseSeal,
  parseSesSignature,
  verifySealMaker,
  verifySesSignatureValue,
} from '../../../src/seal/ses/index.js';
import type { SealObject, SesSignature } from '../../../src/seal/ses/index.js';
import { codeOf, demoProvider, hex } from './helpers.js';

const PNG = new Uint8Array(Buffer.from('89504e470d0a1a0a', 'hex'));
const validStart = new Date('2025-01-01T00:00:00Z');
const validEnd = new Date('2030-01-01T00:00:00Z');
const SM2_OID = '1.2.156.10197.1.501';

let maker: ReturnType<typeof demoProvider>;
let dw: ReturnType<typeof demoProvider>;
let p256: ReturnType<typeof demoProvider>;
let seal: Uint8Array;
let stamp: Uint8Array;

const kids = (der: Uint8Array): Uint8Array[] => (readDer(der).children ?? []).map((c) => c.raw);
const node = (der: Uint8Array): DerNode => readDer(der);

/** A v4 SES_SealInfo built field by field. */
function sealInfo(o: { version?: number; id?: string; ext?: Uint8Array; property?: Uint8Array } = {}): Uint8Array {
  return derSequence(
    derSequence(derIa5String(o.id ?? 'ES'), derInteger(o.version ?? 4), derIa5String('evoucher-test')),
    derIa5String('structure-seal'),
    o.property ?? derSequence(derInteger(1), derUtf8String('结构'), derInteger(1), derSequence(derOctetString(dw.certDer)),
      derGeneralizedTime(validStart), derGeneralizedTime(validStart), derGeneralizedTime(validEnd)),
    derSequence(derIa5String('PNG'), derOctetString(PNG), derInteger(40), derInteger(40)),
    ...(o.ext === undefined ? [] : [o.ext]),
  );
}

async function v4Seal(info: Uint8Array, alg = SM2_OID): Promise<Uint8Array> {
  return derSequence(info, derOctetString(maker.certDer), derOid(alg), derBitString(await maker.sign(info)));
}

beforeAll(async () => {
  maker = demoProvider('sm2/maker');
  dw = demoProvider('sm2/dw');
  p256 = demoProvider('p256/dw');
  seal = await makeSeal({ maker, holders: [dw.certDer], name: '结构', validStart, validEnd, picture: { type: 'PNG', data: PNG, widthMm: 40, heightMm: 40 } });
  stamp = await makeSesSignature({ seal, signer: dw, dataHash: new Uint8Array(32).fill(7), propertyInfo: 'p', time: new Date('2026-01-01T00:00:00Z') });
});

describe('SES_Signature structure (v4)', () => {
  it('DER violations keep their DER codes', () => {
    expect(codeOf(() => parseSesSignature(stamp.subarray(0, stamp.length - 1)))).toBe('DER_MALFORMED');
    expect(codeOf(() => parseSesSignature(Uint8Array.from([...stamp, 0])))).toBe('DER_TRAILING_BYTES');
    // The outer length replaced by the indefinite form (and end-of-contents appended).
    const hl = node(stamp).headerLength;
    expect(codeOf(() => parseSesSignature(Uint8Array.from([0x30, 0x80, ...stamp.subarray(hl), 0, 0])))).toBe('DER_INDEFINITE_LENGTH');
    expect(codeOf(() => parseSesSignature(Uint8Array.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, ...stamp.subarray(hl)])))).toBe('DER_TOO_LARGE');
    expect(codeOf(() => parseSesSignature(stamp, { limits: { maxSize: 1000 } }))).toBe('DER_TOO_LARGE');
    expect(codeOf(() => parseSesSignature(new Uint8Array(0)))).toBe('DER_MALFORMED');
  });

  it('deep nesting is refused quickly', () => {
    let inner: Uint8Array = derInteger(1);
    for (let i = 0; i < 40; i++) inner = derSequence(inner);
    const t0 = performance.now();
    expect(codeOf(() => parseSesSignature(derSequence(inner, ...kids(stamp).slice(1))))).toBe('DER_TOO_DEEP');
    expect(codeOf(() => parseSeal(inner))).toBe('DER_TOO_DEEP');
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it('extra, missing or reordered elements are SEAL_MALFORMED', () => {
    const [tbs, cert, alg, sig] = kids(stamp) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const bad = [
      derSequence(tbs, cert, alg),
      derSequence(tbs, cert, alg, sig, derExplicit(0, derBitString(Uint8Array.of(1))), derInteger(1)),
      derSequence(tbs, alg, cert, sig),
      derSequence(tbs, cert, alg, sig, derOctetString(Uint8Array.of(1))),
      derSequence(tbs, cert, alg, sig, derExplicit(1, derBitString(Uint8Array.of(1)))),
      derSequence(derSequence(...kids(tbs), derInteger(9)), cert, alg, sig),
      derSequence(derSequence(...kids(tbs).slice(0, 4)), cert, alg, sig),
      derSequence(derSequence(...kids(tbs), derSequence()), cert, alg, sig), // extDatas untagged
      derSequence(tbs, derOctetString(new Uint8Array(0)), alg, sig),
      derInteger(1),
    ];
    for (const [i, b] of bad.entries()) expect(codeOf(() => parseSesSignature(b)), `case ${i}`).toBe('SEAL_MALFORMED');
  });

  it('unused bits other than 0 in the signature or dataHash are refused', () => {
    const [tbs, cert, alg, sig] = kids(stamp) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const sigBytes = node(sig).value.subarray(1);
    const padded = Uint8Array.from([...sigBytes.subarray(0, -1), (sigBytes[sigBytes.length - 1] as number) & 0xf0]);
    expect(codeOf(() => parseSesSignature(derSequence(tbs, cert, alg, derBitString(padded, 4))))).toBe('SEAL_MALFORMED');
    const t = kids(tbs);
    t[3] = derBitString(Uint8Array.from([...new Uint8Array(31).fill(7), 0x80]), 7);
    expect(codeOf(() => parseSesSignature(derSequence(derSequence(...t), cert, alg, sig)))).toBe('SEAL_MALFORMED');
  });

  it('TBS_Sign.version must be 4; a later version is unsupported', () => {
    const [tbs, ...rest] = kids(stamp) as [Uint8Array, ...Uint8Array[]];
    const t = kids(tbs);
    t[0] = derInteger(3);
    expect(codeOf(() => parseSesSignature(derSequence(derSequence(...t), ...rest)))).toBe('SEAL_MALFORMED');
    t[0] = derInteger(5);
    expect(codeOf(() => parseSesSignature(derSequence(derSequence(...t), ...rest)))).toBe('SEAL_VERSION_UNSUPPORTED');
    // A large version is a later one too (it was SEAL_MALFORMED above 1000); one past six octets is malformed.
    t[0] = derInteger(1001);
    expect(codeOf(() => parseSesSignature(derSequence(derSequence(...t), ...rest)))).toBe('SEAL_VERSION_UNSUPPORTED');
    t[0] = derInteger(2n ** 70n);
    expect(codeOf(() => parseSesSignature(derSequence(derSequence(...t), ...rest)))).toBe('SEAL_MALFORMED');
  });

  it('reads the timestamp explicit [0] and untagged (listed as a quirk)', () => {
    const token = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01);
    const tagged = parseSesSignature(derSequence(...kids(stamp), derExplicit(0, derBitString(token))), { mode: 'strict' });
    expect(hex(tagged.timeStamp ?? new Uint8Array())).toBe(hex(token));
    expect(tagged.quirks).toEqual([]);
    const untagged = parseSesSignature(derSequence(...kids(stamp), derBitString(token)));
    expect(hex(untagged.timeStamp ?? new Uint8Array())).toBe(hex(token));
    expect(untagged.quirks.map((q) => q.quirk)).toEqual(['timestamp-untagged']);
    // The timestamp is outside TBS_Sign: the sealer signature still verifies.
    expect(verifySesSignatureValue(untagged).ok).toBe(true);
  });

  it('a v4 signature must embed a v4 seal', () => {
    const [tbs, ...rest] = kids(stamp) as [Uint8Array, ...Uint8Array[]];
    const t = kids(tbs);
    t[1] = derSequence(sealInfo({ version: 2 }), derSequence(derOctetString(maker.certDer), derOid(SM2_OID), derBitString(Uint8Array.of(0x30, 0))));
    expect(codeOf(() => parseSesSignature(derSequence(derSequence(...t), ...rest)))).toBe('SEAL_MALFORMED');
  });
});

describe('SESeal structure', () => {
  it('detects the version by element count, then requires the header to agree', async () => {
    const info = sealInfo();
    const sig = await maker.sign(info);
    const [, cert, alg, value] = kids(await v4Seal(info)) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    expect(parseSeal(derSequence(info, cert, alg, value), { mode: 'strict' }).version).toBe(4);
    expect(codeOf(() => parseSeal(derSequence(info, cert, alg)))).toBe('SEAL_MALFORMED');
    expect(codeOf(() => parseSeal(derSequence(info, cert, alg, value, derInteger(0))))).toBe('SEAL_MALFORMED');
    // A 4-element seal whose header says 2, a 2-element seal whose header says 4.
    expect(codeOf(() => parseSeal(derSequence(sealInfo({ version: 2 }), cert, alg, value)))).toBe('SEAL_MALFORMED');
    expect(codeOf(() => parseSeal(derSequence(info, derSequence(cert, alg, derBitString(sig)))))).toBe('SEAL_MALFORMED');
    // GM/T 0031-2025 ("v5", header version 5, optional [0] timestamp): unsupported.
    const v5 = derSequence(sealInfo({ version: 5 }), cert, alg, value, derExplicit(0, derBitString(Uint8Array.of(1))));
    expect(codeOf(() => parseSeal(v5))).toBe('SEAL_VERSION_UNSUPPORTED');
    expect(codeOf(() => parseSeal(derSequence(sealInfo({ version: 5 }), cert, alg, value)))).toBe('SEAL_VERSION_UNSUPPORTED');
    expect(codeOf(() => parseSeal(derSequence(sealInfo({ version: 1001 }), cert, alg, value)))).toBe('SEAL_VERSION_UNSUPPORTED');
    expect(codeOf(() => parseSeal(derSequence(sealInfo({ id: 'EX' }), cert, alg, value)))).toBe('SEAL_MALFORMED');
  });

  it('wrong types inside SES_SealInfo are SEAL_MALFORMED', async () => {
    const cases = [
      // certListType 3
      sealInfo({ property: derSequence(derInteger(1), derUtf8String('x'), derInteger(3), derSequence(), derGeneralizedTime(validStart), derGeneralizedTime(validStart), derGeneralizedTime(validEnd)) }),
      // UTCTime in a v4 property
      sealInfo({ property: derSequence(derInteger(1), derUtf8String('x'), derInteger(1), derSequence(), derUtcTime(validStart), derUtcTime(validStart), derUtcTime(validEnd)) }),
      // name as IA5String
      sealInfo({ property: derSequence(derInteger(1), derIa5String('x'), derInteger(1), derSequence(), derGeneralizedTime(validStart), derGeneralizedTime(validStart), derGeneralizedTime(validEnd)) }),
      // extDatas that is not a SEQUENCE OF ExtData
      sealInfo({ ext: derSequence(derInteger(1)) }),
    ];
    for (const [i, info] of cases.entries()) expect(codeOf(() => parseSeal(derSequence(info, derOctetString(maker.certDer), derOid(SM2_OID), derBitString(Uint8Array.of(0x30, 0))))), `case ${i}`).toBe('SEAL_MALFORMED');
  });

  it('an explicit DEFAULT FALSE ExtData.critical is a lenient-mode quirk, refused in strict mode', async () => {
    const ext = derSequence(derSequence(derOid('1.2.156.10197.6.7.2.2.1'), derBoolean(false), derOctetString(Buffer.from('2.1'))));
    const der = await v4Seal(sealInfo({ ext }));
    const s = parseSeal(der);
    expect(s.quirks.map((q) => q.quirk)).toEqual(['explicit-default-boolean']);
    expect(s.extDatas[0]?.critical).toBe(false);
    expect(verifySealMaker(s).ok).toBe(true);
    expect(codeOf(() => parseSeal(der, { mode: 'strict' }))).toBe('SEAL_MALFORMED');
    // An explicit TRUE is DER and is fine in both modes.
    const crit = await v4Seal(sealInfo({ ext: derSequence(derSequence(derOid('1.2.3'), derBoolean(true), derOctetString(Uint8Array.of(1)))) }));
    expect(parseSeal(crit, { mode: 'strict' }).extDatas[0]?.critical).toBe(true);
  });

  it('an [0] EXPLICIT extDatas is a lenient-mode quirk', async () => {
    const der = await v4Seal(sealInfo({ ext: derExplicit(0, derSequence(derSequence(derOid('1.2.3'), derOctetString(Uint8Array.of(1))))) }));
    expect(parseSeal(der).quirks.map((q) => q.quirk)).toEqual(['extdatas-explicit-tag']);
    expect(codeOf(() => parseSeal(der, { mode: 'strict' }))).toBe('SEAL_MALFORMED');
  });
});

describe('algorithm confusion (security.md §1.8)', () => {
  it('signAlgID other than SM2-with-SM3 fails, even with a valid SM2 signature', async () => {
    for (const oid of ['1.2.156.10197.1.503', '1.2.840.10045.4.3.2', '1.2.156.10197.1.502']) {
      const s = parseSeal(await v4Seal(sealInfo(), oid));
      expect(verifySealMaker(s)).toMatchObject({ ok: false, code: 'SEAL_ALGORITHM_MISMATCH' });
    }
    const [tbs, cert, , sig] = kids(stamp) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const s = parseSesSignature(derSequence(tbs, cert, derOid('1.2.840.10045.4.3.2'), sig));
    expect(verifySesSignatureValue(s)).toMatchObject({ ok: false, code: 'SEAL_ALGORITHM_MISMATCH' });
  });

  it('a P-256 certificate under the SM2 OID fails; a garbage certificate fails with CERT_MALFORMED', async () => {
    const info = sealInfo();
    const p256Seal = derSequence(info, derOctetString(p256.certDer), derOid(SM2_OID), derBitString(await p256.sign(info)));
    expect(verifySealMaker(parseSeal(p256Seal))).toMatchObject({ ok: false, code: 'SEAL_ALGORITHM_MISMATCH' });
    const [tbs, , alg, sig] = kids(stamp) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    expect(verifySesSignatureValue(parseSesSignature(derSequence(tbs, derOctetString(Uint8Array.of(1, 2, 3)), alg, sig)))).toMatchObject({ ok: false, code: 'CERT_MALFORMED' });
  });

  it('raw r||s where DER is required fails', async () => {
    const [tbs, cert, alg, sig] = kids(stamp) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const der = readDer(node(sig).value.subarray(1));
    const rs = (der.children ?? []).map((c) => { const v = c.value; return v.length > 32 ? v.subarray(v.length - 32) : v; });
    const raw = Uint8Array.from([...(rs[0] ?? []), ...(rs[1] ?? [])]);
    const s = parseSesSignature(derSequence(tbs, cert, alg, derBitString(raw)));
    expect(verifySesSignatureValue(s)).toMatchObject({ ok: false, code: 'SEAL_SIGNATURE_INVALID' });
  });

  it('the checks never throw, even on objects that are not seals', () => {
    const junk = {} as unknown as SealObject;
    expect(verifySealMaker(junk)).toMatchObject({ ok: false });
    expect(verifySesSignatureValue({} as unknown as SesSignature)).toMatchObject({ ok: false });
    expect(matchSealerToSeal(junk, Uint8Array.of(1))).toMatchObject({ ok: false });
    expect(matchSealerToSeal(parseSeal(seal), undefined as unknown as Uint8Array)).toMatchObject({ ok: false, code: 'SEAL_MALFORMED' });
  });
});

describe('GM/T 0031-2014 seal signatures (synthetic: no real 2014 SES_Signature exists)', () => {
  interface Legacy { readonly timeInfo?: Uint8Array; readonly dataHash?: Uint8Array; readonly times?: 'utc' | 'generalized'; readonly tbsVersion?: number }

  async function legacy(o: Legacy = {}): Promise<Uint8Array> {
    const t = o.times === 'generalized' ? derGeneralizedTime : derUtcTime;
    const info = derSequence(
      derSequence(derIa5String('ES'), derInteger(2), derIa5String('legacy')),
      derIa5String('legacy-seal'),
      derSequence(derInteger(1), derUtf8String('旧版印章'), derSequence(derOctetString(dw.certDer)), t(validStart), t(validStart), t(validEnd)),
      derSequence(derIa5String('PNG'), derOctetString(PNG), derInteger(40), derInteger(40)),
    );
    const cert = derOctetString(maker.certDer);
    const alg = derOid(SM2_OID);
    // GM/T 0031-2014: the maker signs SEQUENCE { SES_SealInfo, cert, signatureAlgorithm }.
    const sealDer = derSequence(info, derSequence(cert, alg, derBitString(await maker.sign(derSequence(info, cert, alg)))));
    const tbs = derSequence(
      derInteger(o.tbsVersion ?? 2), sealDer,
      o.timeInfo ?? derBitString(Buffer.from('2026-01-01 08:00:00')),
      o.dataHash ?? derBitString(digest('sm3', Buffer.from('data'))),
      derIa5String('data.xml'), derOctetString(dw.certDer), derOid(SM2_OID),
    );
    return derSequence(tbs, derBitString(await dw.sign(tbs)));
  }

  it('reads and verifies a 2014 signature: sealer cert inside TBS_Sign, maker over the 3-element SEQUENCE', async () => {
    const sig = parseSesSignature(await legacy(), { mode: 'strict' });
    expect(sig.version).toBe(2014);
    expect(sig.tbsVersion).toBe(2);
    expect(sig.seal.version).toBe(2014);
    expect(sig.seal.header.version).toBe(2);
    expect(sig.timeInfo).toEqual({ bytes: expect.any(Uint8Array), text: '2026-01-01 08:00:00' });
    expect(hex(sig.dataHash)).toBe(hex(digest('sm3', Buffer.from('data'))));
    expect(hex(sig.sealerCert)).toBe(hex(dw.certDer));
    expect(verifySesSignatureValue(sig)).toMatchObject({ ok: true });
    expect(verifySealMaker(sig.seal)).toMatchObject({ ok: true });
    expect(matchSealerToSeal(sig.seal, sig.sealerCert)).toMatchObject({ ok: true });
    // Verifying the 2014 maker signature over SES_SealInfo alone fails.
    expect(verifySealMaker({ ...sig.seal, slices: { sealInfo: sig.seal.slices.sealInfo, makerSigned: sig.seal.slices.sealInfo } }).ok).toBe(false);
  });

  it('OCTET STRING timeInfo/dataHash and GeneralizedTime property times are lenient-mode quirks', async () => {
    const der = await legacy({ timeInfo: derOctetString(Buffer.from('2026-01-01 08:00:00')), dataHash: derOctetString(new Uint8Array(32)), times: 'generalized' });
    const sig = parseSesSignature(der);
    expect(sig.quirks.map((q) => q.quirk).sort()).toEqual(['legacy-generalized-time', 'legacy-generalized-time', 'legacy-generalized-time', 'legacy-octet-string', 'legacy-octet-string']);
    expect(verifySesSignatureValue(sig).ok).toBe(true);
    expect(codeOf(() => parseSesSignature(der, { mode: 'strict' }))).toBe('SEAL_MALFORMED');
  });

  it('a binary timeInfo (a timestamp token) has no text; a TBS_Sign version unlike the header is refused', async () => {
    const bin = parseSesSignature(await legacy({ timeInfo: derBitString(Uint8Array.of(0x30, 0x82, 0x01, 0x00, 0xff)) }));
    expect(bin.timeInfo).toEqual({ bytes: Uint8Array.of(0x30, 0x82, 0x01, 0x00, 0xff) });
    expect(codeOf(() => parseSesSignature(new Uint8Array(0)))).toBe('DER_MALFORMED');
    const mismatch = await legacy({ tbsVersion: 4 });
    expect(codeOf(() => parseSesSignature(mismatch))).toBe('SEAL_MALFORMED');
  });
});
