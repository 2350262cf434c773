/**
 * Making GB/T 38540 seals and seal signatures with the demo PKI's SM2 keys, reading them back strictly,
 * and checking the signatures with the OpenSSL CLI as the independent oracle.
 */
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { digest } from '../../../src/crypto/index.js';
import {
  derBitString,
  derGeneralizedTime,
  derIa5String,
  derInteger,
  derOctetString,
  derOid,
  derPrintableString,
  derSequence,
  derUtf8String,
  readDer,
} from '../../../src/encoding/index.js';
import {
  MAX_SEAL_OBJECT_BYTES,
  makeSeal,
  makeSesSignature,
  matchSealerToSeal,
  parseSeal,
  parseSesSignature,
  verifySealMaker,
  verifySesSignatureValue,
} from '../../../src/seal/ses/index.js';
import { EvoucherError } from '../../../src/errors.js';
import { MAX_STAMP_BYTES } from '../../../src/seal/formats/index.js';
import { sm2PointVerificationCount } from '../../../src/crypto/sm2.js';
import type { KeyProvider } from '../../../src/keys/provider.js';
import { codeOfAsync, createDate, demoProvider, demoProviderWithId, hex, opensslSm2Verify, readReal, signTime, validEnd, validStart } from './helpers.js';

const PNG = new Uint8Array(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));

let maker: ReturnType<typeof demoProvider>;
let dw: ReturnType<typeof demoProvider>;
let cz: ReturnType<typeof demoProvider>;
let p256: ReturnType<typeof demoProvider>;
let seal: Uint8Array;

beforeAll(async () => {
  maker = demoProvider('sm2/maker');
  dw = demoProvider('sm2/dw');
  cz = demoProvider('sm2/cz');
  p256 = demoProvider('p256/dw');
  seal = await makeSeal({
    maker, holders: [dw.certDer, cz.certDer], name: '示例预算单位电子印章', esId: '11010100100000000001', vid: 'evoucher-test',
    type: 3, validStart, validEnd, createDate, picture: { type: 'PNG', data: PNG, widthMm: 40, heightMm: 40 },
  });
});

describe('makeSeal', () => {
  it('writes a strict-DER v4 SESeal that reads back with every field', async () => {
    const s = parseSeal(seal, { mode: 'strict' });
    expect(s.version).toBe(4);
    expect(s.header).toEqual({ id: 'ES', version: 4, vid: 'evoucher-test' });
    expect(s.esId).toBe('11010100100000000001');
    expect(s.type).toBe(3);
    expect(s.name).toBe('示例预算单位电子印章');
    expect(s.certListType).toBe(1);
    expect(s.certList.kind === 'certs' && s.certList.certs.map(hex)).toEqual([hex(dw.certDer), hex(cz.certDer)]);
    expect([s.createDate, s.validStart, s.validEnd].map((d) => d.toISOString())).toEqual([createDate, validStart, validEnd].map((d) => d.toISOString()));
    expect(s.picture).toEqual({ type: 'PNG', data: PNG, width: 40, height: 40 });
    expect(s.extDatas).toEqual([]);
    expect(hex(s.makerCert)).toBe(hex(await maker.certificate()));
    expect(s.signAlgorithmOid).toBe('1.2.156.10197.1.501');
    expect(s.quirks).toEqual([]);
    expect(s.slices.makerSigned).toBe(s.slices.sealInfo);
    expect(verifySealMaker(s)).toMatchObject({ ok: true });
    expect(verifySealMaker(s, { sm2Id: new Uint8Array(0) })).toMatchObject({ ok: false, code: 'SEAL_MAKER_SIGNATURE_INVALID' });
  });

  it('keeps verified maker signatures, but only for exactly the same inputs, and never a failure', () => {
    const s = parseSeal(seal);
    const flip = (b: Uint8Array, i: number): Uint8Array => {
      const c = Uint8Array.from(b);
      c[i] = (c[i] as number) ^ 1;
      return c;
    };
    expect(verifySealMaker(s)).toMatchObject({ ok: true });
    expect(verifySealMaker(s)).toMatchObject({ ok: true }); // from the memo
    const changed = [
      { ...s, signature: flip(s.signature, s.signature.length - 1) },
      { ...s, slices: { ...s.slices, makerSigned: flip(s.slices.makerSigned, 40) } },
      { ...s, makerCert: dw.certDer },
      { ...s, signAlgorithmOid: '1.2.840.10045.4.3.2' },
    ];
    for (let round = 0; round < 2; round++) {
      for (const c of changed) expect(verifySealMaker(c).ok).toBe(false);
      expect(verifySealMaker(s, { sm2Id: new TextEncoder().encode('1234567812345679') }).ok).toBe(false);
    }
    expect(verifySealMaker(s)).toMatchObject({ ok: true });
  });

  it('remembers copies: bytes changed in place after a success are checked again', async () => {
    const bytes = await makeSeal({
      maker, holders: [dw.certDer], name: '另一枚电子印章', esId: '11010100100000000099', vid: 'evoucher-test',
      type: 3, validStart, validEnd, createDate, picture: { type: 'PNG', data: PNG, widthMm: 40, heightMm: 40 },
    });
    const own = parseSeal(bytes); // views of `bytes`
    expect(verifySealMaker(own)).toMatchObject({ ok: true });
    const sig = own.signature as Uint8Array;
    sig[sig.length - 1] = (sig[sig.length - 1] as number) ^ 1;
    expect(verifySealMaker(own).ok).toBe(false);
  });

  it('OpenSSL parses the seal and verifies the maker signature over the raw SES_SealInfo', () => {
    const listing = execFileSync('openssl', ['asn1parse', '-inform', 'DER'], { input: seal }).toString();
    expect(listing).toMatch(/IA5STRING\s+:ES/);
    expect(listing).toMatch(/GENERALIZEDTIME\s+:20300101000000Z/);
    const s = parseSeal(seal);
    expect(opensslSm2Verify(s.makerCert, s.slices.sealInfo, s.signature)).toBe(true);
    expect(opensslSm2Verify(s.makerCert, s.slices.sealInfo, s.signature, '1234567812345679')).toBe(false);
  });

  it('defaults: random 32-hex esID, vid evoucher, type 1, generated PNG picture of 40 mm', async () => {
    const made = parseSeal(await makeSeal({ maker, holders: [dw.certDer], name: 'Demo Budget Unit', validStart, validEnd }), { mode: 'strict' });
    expect(made.esId).toMatch(/^[0-9a-f]{32}$/);
    expect(made.header.vid).toBe('evoucher');
    expect(made.type).toBe(1);
    expect([made.picture.type, made.picture.width, made.picture.height]).toEqual(['PNG', 40, 40]);
    expect(hex(made.picture.data.subarray(0, 8))).toBe('89504e470d0a1a0a');
    expect(made.createDate.getUTCMilliseconds()).toBe(0);
    expect(verifySealMaker(made).ok).toBe(true);
  });

  it('writes extDatas untagged, critical only when TRUE', async () => {
    const ext = [{ oid: '1.2.3.4', critical: false, value: Uint8Array.of(1) }, { oid: '1.2.3.5', critical: true, value: Uint8Array.of(2) }];
    const s = parseSeal(await makeSeal({ maker, holders: [dw.certDer], name: 'x', validStart, validEnd, picture: { type: 'PNG', data: PNG, widthMm: 30, heightMm: 20 }, extDatas: ext }), { mode: 'strict' });
    expect(s.extDatas).toEqual(ext);
    expect(verifySealMaker(s).ok).toBe(true);
  });

  it('refuses what GB/T 38540 or the caller gets wrong', async () => {
    const base = { maker, holders: [dw.certDer], name: 'x', validStart, validEnd, picture: { type: 'PNG', data: PNG, widthMm: 40, heightMm: 40 } as const };
    expect(await codeOfAsync(() => makeSeal({ ...base, maker: p256 }))).toBe('SEAL_SES_REQUIRES_SM2');
    const lying: KeyProvider = { ...p256, algorithm: 'sm2-sm3' };
    expect(await codeOfAsync(() => makeSeal({ ...base, maker: lying }))).toBe('SEAL_SES_REQUIRES_SM2');
    expect(await codeOfAsync(() => makeSeal({ ...base, holders: [p256.certDer] }))).toBe('SEAL_SES_REQUIRES_SM2');
    expect(await codeOfAsync(() => makeSeal({ ...base, holders: [] }))).toBe('ARG_INVALID');
    expect(await codeOfAsync(() => makeSeal({ ...base, holders: [dw.certDer, Uint8Array.from(dw.certDer)] }))).toBe('ARG_INVALID');
    expect(await codeOfAsync(() => makeSeal({ ...base, holders: [Uint8Array.of(1, 2, 3)] }))).toBe('CERT_MALFORMED');
    expect(await codeOfAsync(() => makeSeal({ ...base, name: '  ' }))).toBe('ARG_INVALID');
    expect(await codeOfAsync(() => makeSeal({ ...base, esId: '印章' }))).toBe('ARG_INVALID');
    // Only esIDs a seal can bind (1-128 printable ASCII): any other seal could never seal a voucher.
    for (const esId of ['', 'a\tb', 'x'.repeat(129)]) expect(await codeOfAsync(() => makeSeal({ ...base, esId })), JSON.stringify(esId)).toBe('ARG_INVALID');
    expect(parseSeal(await makeSeal({ ...base, esId: 'x'.repeat(128) }), { mode: 'strict' }).esId).toHaveLength(128);
    expect(await codeOfAsync(() => makeSeal({ ...base, validEnd: validStart }))).toBe('SEAL_PERIOD_INVALID');
    expect(await codeOfAsync(() => makeSeal({ ...base, picture: { ...base.picture, widthMm: 0 } }))).toBe('ARG_INVALID');
    // The maker's key does not belong to the maker's certificate: the self-check refuses to emit the seal.
    const wrongKey: KeyProvider = { ...dw, certificate: async () => maker.certDer };
    expect(await codeOfAsync(() => makeSeal({ ...base, maker: wrongKey }))).toBe('KEY_CERT_MISMATCH');
  });

  it('refuses a seal that no stamp could use: a maker certificate that may not sign, a period past its validity, a seal too large for a stamp', async () => {
    const base = { maker, holders: [dw.certDer], name: 'x', validStart, validEnd, picture: { type: 'PNG', data: PNG, widthMm: 40, heightMm: 40 } as const };
    // The demo sealer CA (keyUsage keyCertSign, cRLSign): the sealer and the verifier's maker-key-usage fail every stamp.
    expect(await codeOfAsync(() => makeSeal({ ...base, maker: demoProvider('sm2/ca') }))).toBe('CERT_KEY_USAGE');
    // The maker certificate is valid 2025-01-01 .. 2045-01-01: the verifier's maker-chain fails a stamp made after that.
    expect(await codeOfAsync(() => makeSeal({ ...base, validEnd: new Date('2045-01-01T00:00:01Z') }))).toBe('SEAL_PERIOD_INVALID');
    expect(await codeOfAsync(() => makeSeal({ ...base, validStart: new Date('2046-01-01T00:00:00Z'), validEnd: new Date('2050-01-01T00:00:00Z') }))).toBe('SEAL_PERIOD_INVALID');
    expect(await codeOfAsync(() => makeSeal({ ...base, validStart: new Date('2020-01-01T00:00:00Z'), validEnd: new Date('2024-12-31T23:59:59Z'), createDate: new Date('2020-01-01T00:00:00Z') }))).toBe('SEAL_PERIOD_INVALID');
    // A period that has ended when the seal is made (createDate, default now): every stamp would fail seal-period.
    const ended = await makeSeal({ ...base, validEnd: new Date(Date.now() - 60_000) }).then(() => undefined, (e: unknown) => e);
    expect(ended).toBeInstanceOf(EvoucherError);
    expect((ended as EvoucherError).code).toBe('SEAL_PERIOD_INVALID');
    expect((ended as EvoucherError).message).toMatch(/not after createDate/);
    expect(await codeOfAsync(() => makeSeal({ ...base, validEnd: new Date('2026-01-01T00:00:00Z'), createDate: new Date('2026-01-01T00:00:00Z') }))).toBe('SEAL_PERIOD_INVALID');
    // A seal for a past period states its past createDate.
    expect(parseSeal(await makeSeal({ ...base, validEnd: new Date('2025-06-30T00:00:00Z'), createDate: new Date('2025-01-01T00:00:00Z') })).validEnd.toISOString()).toBe('2025-06-30T00:00:00.000Z');
    // Up to the maker's notAfter, and from before its notBefore (a date in China Standard Time) is usable.
    expect(parseSeal(await makeSeal({ ...base, validStart: new Date('2024-12-31T16:00:00Z'), validEnd: new Date('2045-01-01T00:00:00Z') })).validEnd.toISOString()).toBe('2045-01-01T00:00:00.000Z');
    // An ses stamp embeds the seal object and is at most MAX_STAMP_BYTES: a larger seal object could never seal.
    const big = new Uint8Array(MAX_SEAL_OBJECT_BYTES);
    big.set(PNG);
    expect(await codeOfAsync(() => makeSeal({ ...base, picture: { ...base.picture, data: big } }))).toBe('ARG_INVALID');
    const fits = parseSeal(await makeSeal({ ...base, picture: { ...base.picture, data: big.subarray(0, MAX_SEAL_OBJECT_BYTES - 4096) } }));
    expect(fits.raw.length).toBeLessThanOrEqual(MAX_SEAL_OBJECT_BYTES);
    expect(MAX_SEAL_OBJECT_BYTES).toBeLessThan(MAX_STAMP_BYTES);
  });
});

describe('makeSesSignature', () => {
  const tbs = new TextEncoder().encode('a to-be-sealed structure');

  it('writes a strict-DER v4 SES_Signature that verifies, embedding the seal byte for byte', async () => {
    const ext = [{ oid: '1.2.156.9999.1', critical: false, value: tbs }];
    const der = await makeSesSignature({ seal, signer: cz, dataHash: digest('sm3', tbs), propertyInfo: 'evoucher-tbs v1', time: signTime, extDatas: ext });
    const sig = parseSesSignature(der, { mode: 'strict' });
    expect(sig.version).toBe(4);
    expect(sig.tbsVersion).toBe(4);
    expect(hex(sig.seal.raw)).toBe(hex(seal));
    expect(sig.timeInfo).toEqual(signTime);
    expect(hex(sig.dataHash)).toBe(hex(digest('sm3', tbs)));
    expect(sig.propertyInfo).toBe('evoucher-tbs v1');
    expect(hex(sig.sealerCert)).toBe(hex(cz.certDer));
    expect(sig.extDatas).toEqual(ext);
    expect(sig.timeStamp).toBeUndefined();
    expect(sig.quirks).toEqual([]);
    expect(verifySesSignatureValue(sig)).toMatchObject({ ok: true });
    expect(verifySealMaker(sig.seal)).toMatchObject({ ok: true });
    expect(matchSealerToSeal(sig.seal, sig.sealerCert)).toMatchObject({ ok: true });
    // extDatas are written [0] EXPLICIT inside TBS_Sign.
    const tbsNode = readDer(der).children?.[0];
    expect(tbsNode?.children?.length).toBe(6);
    expect([tbsNode?.children?.[5]?.class, tbsNode?.children?.[5]?.tag, tbsNode?.children?.[5]?.constructed]).toEqual(['context', 0, true]);
  });

  it('the check of a new seal signature right after making it costs no second SM2 verification', async () => {
    const dataHash = digest('sm3', new TextEncoder().encode(`fresh ${Math.random()}`));
    const before = sm2PointVerificationCount();
    const der = await makeSesSignature({ seal, signer: cz, dataHash, propertyInfo: 'evoucher-tbs v1', time: signTime });
    const made = sm2PointVerificationCount();
    // makeSesSignature verified its signature once (the seal maker's signature may add one on first sight).
    expect(made - before).toBeGreaterThanOrEqual(1);
    expect(verifySesSignatureValue(parseSesSignature(der))).toMatchObject({ ok: true });
    expect(sm2PointVerificationCount()).toBe(made);
  });

  it('OpenSSL oracle: openssl dgst -sm3 -verify with distid 1234567812345678 over the cut TBS_Sign slice', async () => {
    const der = await makeSesSignature({ seal, signer: dw, dataHash: digest('sm3', tbs), propertyInfo: 'evoucher-tbs v1', time: signTime });
    const sig = parseSesSignature(der);
    expect(readDer(der).children?.length).toBe(4);
    expect(opensslSm2Verify(sig.sealerCert, sig.slices.tbsSign, sig.signature)).toBe(true);
    // Not with an empty ID, and not over a changed slice.
    expect(opensslSm2Verify(sig.sealerCert, sig.slices.tbsSign, sig.signature, '')).toBe(false);
    const changed = sig.slices.tbsSign.slice();
    changed[changed.length - 1] = (changed[changed.length - 1] as number) ^ 1;
    expect(opensslSm2Verify(sig.sealerCert, changed, sig.signature)).toBe(false);
  });

  it('refuses a signer outside the certList, a time outside the seal period, a 2014 seal, a non-SM2 signer', async () => {
    const base = { seal, signer: dw, dataHash: digest('sm3', tbs), propertyInfo: 'p', time: signTime };
    const other = await makeSeal({ maker, holders: [cz.certDer], name: 'y', validStart, validEnd, picture: { type: 'PNG', data: PNG, widthMm: 40, heightMm: 40 } });
    expect(await codeOfAsync(() => makeSesSignature({ ...base, seal: other }))).toBe('SEAL_SIGNER_NOT_IN_SEAL');
    expect(await codeOfAsync(() => makeSesSignature({ ...base, time: new Date('2031-01-01T00:00:00Z') }))).toBe('SEAL_PERIOD_INVALID');
    expect(await codeOfAsync(() => makeSesSignature({ ...base, time: new Date('2024-12-31T23:59:59Z') }))).toBe('SEAL_PERIOD_INVALID');
    expect(await codeOfAsync(() => makeSesSignature({ ...base, seal: readReal('ofdrw-UserV1.esl') }))).toBe('SEAL_VERSION_UNSUPPORTED');
    expect(await codeOfAsync(() => makeSesSignature({ ...base, signer: p256 }))).toBe('SEAL_SES_REQUIRES_SM2');
    expect(await codeOfAsync(() => makeSesSignature({ ...base, signer: { ...p256, algorithm: 'sm2-sm3' } }))).toBe('SEAL_SES_REQUIRES_SM2');
    expect(await codeOfAsync(() => makeSesSignature({ ...base, dataHash: new Uint8Array(0) }))).toBe('ARG_INVALID');
    expect(await codeOfAsync(() => makeSesSignature({ ...base, propertyInfo: '范围' }))).toBe('ARG_INVALID');
    expect(await codeOfAsync(() => makeSesSignature({ ...base, seal: seal.subarray(0, 100) }))).toBe('DER_MALFORMED');
    expect(await codeOfAsync(() => makeSesSignature({ ...base, signer: { ...cz, certificate: async () => dw.certDer } }))).toBe('KEY_CERT_MISMATCH');
    // A key that signs under another SM2 signer ID makes seals no reader verifies: refused, and the message says why.
    const otherId = demoProviderWithId('sm2/dw', new TextEncoder().encode('bank-001'));
    await expect(makeSesSignature({ ...base, signer: otherId })).rejects.toMatchObject({ code: 'KEY_CERT_MISMATCH', message: expect.stringContaining('sm2Id') });
    // A real vendor seal can be embedded only by one of its holders.
    expect(await codeOfAsync(() => makeSesSignature({ ...base, seal: readReal('ofdrw-UserV4.esl') }))).toBe('SEAL_SIGNER_NOT_IN_SEAL');
  });
});

describe('certListType 2 (certificate digests)', () => {
  async function digestSeal(entries: ReadonlyArray<readonly [string, Uint8Array]>): Promise<Uint8Array> {
    // GB/T 38540-2020 SES_SealInfo with certListType 2, built field by field and signed by the maker.
    const info = derSequence(
      derSequence(derIa5String('ES'), derInteger(4), derIa5String('evoucher-test')),
      derIa5String('digest-seal'),
      derSequence(
        derInteger(1), derUtf8String('摘要印章'), derInteger(2),
        derSequence(...entries.map(([alg, value]) => derSequence(derPrintableString(alg), derOctetString(value)))),
        derGeneralizedTime(createDate), derGeneralizedTime(validStart), derGeneralizedTime(validEnd),
      ),
      derSequence(derIa5String('PNG'), derOctetString(PNG), derInteger(40), derInteger(40)),
    );
    return derSequence(info, derOctetString(maker.certDer), derOid('1.2.156.10197.1.501'), derBitString(await maker.sign(info)));
  }

  it('matches by an allow-listed digest (SM3, SHA-256) and signs with it', async () => {
    const der = await digestSeal([['SM3', digest('sm3', cz.certDer)], ['SHA-256', digest('sha256', dw.certDer)]]);
    const s = parseSeal(der, { mode: 'strict' });
    expect(s.certListType).toBe(2);
    expect(s.certList.kind === 'digests' && s.certList.digests.map((d) => d.algorithm)).toEqual(['SM3', 'SHA-256']);
    expect(verifySealMaker(s).ok).toBe(true);
    expect(matchSealerToSeal(s, cz.certDer)).toMatchObject({ ok: true });
    expect(matchSealerToSeal(s, dw.certDer)).toMatchObject({ ok: true });
    expect(matchSealerToSeal(s, maker.certDer)).toMatchObject({ ok: false, code: 'SEAL_SIGNER_NOT_IN_SEAL' });
    const sig = parseSesSignature(await makeSesSignature({ seal: der, signer: dw, dataHash: new Uint8Array(32), propertyInfo: 'p', time: signTime }));
    expect(verifySesSignatureValue(sig).ok && matchSealerToSeal(sig.seal, sig.sealerCert).ok).toBe(true);
  });

  it('never matches through a hash off the allow-list', async () => {
    const sha1 = new Uint8Array(execFileSync('openssl', ['dgst', '-sha1', '-binary'], { input: cz.certDer }));
    const s = parseSeal(await digestSeal([['SHA1', sha1]]));
    expect(matchSealerToSeal(s, cz.certDer)).toMatchObject({ ok: false, code: 'CRYPTO_ALGORITHM_FORBIDDEN' });
    const wrong = parseSeal(await digestSeal([['SM3', digest('sm3', dw.certDer)]]));
    expect(matchSealerToSeal(wrong, cz.certDer)).toMatchObject({ ok: false, code: 'SEAL_SIGNER_NOT_IN_SEAL' });
  });
});
