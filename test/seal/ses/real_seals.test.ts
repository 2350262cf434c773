/**
 * Real vendor seal files (test/vectors/real-seals, from ofdrw's test resources): the facts of the
 * standards reference §10 and the checks a verifier must be able to make on them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digest } from '../../../src/crypto/index.js';
import { EvoucherError } from '../../../src/errors.js';
import {
  matchSealerToSeal,
  parseSeal,
  parseSesSignature,
  verifySealMaker,
  verifySesSignatureValue,
} from '../../../src/seal/ses/index.js';
import type { SealObject } from '../../../src/seal/ses/index.js';
import { REAL_SEALS, codeOf, flipBit, hex, offsetIn, opensslSm2Verify, readReal } from './helpers.js';
import { sealObjectEnd } from '../../../src/seal/ses/asn1.js';

const EMPTY_ID = { sm2Id: new Uint8Array(0) };

describe('real-seals vectors are the pinned files', () => {
  it('every file matches the sha256 in SOURCE.md', () => {
    const source = readFileSync(join(REAL_SEALS, 'SOURCE.md'), 'utf8');
    const lines = [...source.matchAll(/^([0-9a-f]{64}) {2}(\S+)$/gm)];
    expect(lines.length).toBe(10);
    for (const [, sha, file] of lines) {
      expect(createHash('sha256').update(readReal(file as string)).digest('hex'), file).toBe(sha);
    }
  });
});

describe('seal objects (.esl)', () => {
  it('ofdrw-UserV1.esl: GM/T 0031-2014 facts', () => {
    const seal = parseSeal(readReal('ofdrw-UserV1.esl'));
    expect(seal.version).toBe(2014);
    expect(seal.header).toEqual({ id: 'ES', version: 1, vid: 'OFDR&WTest' });
    expect(seal.esId).toBe('40C8CDD24DEF43388B86E62CCE1D6832');
    expect(seal.type).toBe(1);
    expect(seal.name).toBe('OFDRW测试用印章');
    expect(seal.certListType).toBeUndefined();
    expect(seal.certList.kind).toBe('certs');
    expect(seal.certList.kind === 'certs' && seal.certList.certs.length).toBe(1);
    expect(seal.validStart.toISOString().slice(0, 10)).toBe('2020-04-22');
    expect(seal.validEnd.toISOString().slice(0, 10)).toBe('2022-04-22');
    expect([seal.picture.type, seal.picture.width, seal.picture.height]).toEqual(['PNG', 40, 40]);
    expect(hex(seal.picture.data.subarray(0, 8))).toBe('89504e470d0a1a0a');
    expect(seal.signAlgorithmOid).toBe('1.2.156.10197.1.501');
    expect(seal.quirks).toEqual([]);
  });

  it('ofdrw-UserV1.esl: the maker signature verifies over SEQUENCE{SES_SealInfo, cert, alg} and fails over SES_SealInfo alone', () => {
    const seal = parseSeal(readReal('ofdrw-UserV1.esl'));
    expect(verifySealMaker(seal)).toMatchObject({ ok: true });
    // makerSigned is a new SEQUENCE around the three received TLVs, not SES_SealInfo.
    expect(hex(seal.slices.makerSigned)).not.toBe(hex(seal.slices.sealInfo));
    expect(hex(seal.slices.makerSigned)).toContain(hex(seal.slices.sealInfo));
    const alone: SealObject = { ...seal, slices: { sealInfo: seal.slices.sealInfo, makerSigned: seal.slices.sealInfo } };
    expect(verifySealMaker(alone)).toMatchObject({ ok: false, code: 'SEAL_MAKER_SIGNATURE_INVALID' });
    expect(verifySealMaker(seal, EMPTY_ID)).toMatchObject({ ok: false, code: 'SEAL_MAKER_SIGNATURE_INVALID' });
  });

  it('ofdrw-UserV4.esl: GB/T 38540 facts; the maker signature verifies over the raw SES_SealInfo', () => {
    const bytes = readReal('ofdrw-UserV4.esl');
    const seal = parseSeal(bytes, { mode: 'strict' });
    expect(seal.version).toBe(4);
    expect(seal.header).toEqual({ id: 'ES', version: 4, vid: 'OFDR&WTest' });
    expect(seal.esId).toBe('51f044b76510434e9bc67a1185c2fba5');
    expect(seal.type).toBe(3);
    expect(seal.certListType).toBe(1);
    expect(seal.certList.kind === 'certs' && seal.certList.certs.length).toBe(1);
    expect(seal.validStart.toISOString().slice(0, 10)).toBe('2020-04-22');
    expect(seal.validEnd.toISOString().slice(0, 10)).toBe('2022-04-22');
    expect([seal.picture.type, seal.picture.width, seal.picture.height]).toEqual(['PNG', 40, 40]);
    expect(seal.raw.buffer).toBe(bytes.buffer);
    expect(seal.slices.makerSigned).toBe(seal.slices.sealInfo);
    expect(offsetIn(bytes, seal.slices.sealInfo)).toBe(4);
    expect(verifySealMaker(seal)).toMatchObject({ ok: true });
    expect(verifySealMaker(seal, EMPTY_ID)).toMatchObject({ ok: false, code: 'SEAL_MAKER_SIGNATURE_INVALID' });
  });

  it('one-bit flips in the SES_SealInfo slice make the maker check fail (or the parse refuse)', () => {
    for (const file of ['ofdrw-UserV1.esl', 'ofdrw-UserV4.esl']) {
      const bytes = readReal(file);
      const seal = parseSeal(bytes);
      const start = offsetIn(bytes, seal.slices.sealInfo);
      const positions = [start + 10, start + 40, offsetIn(bytes, seal.picture.data) + 100, start + seal.slices.sealInfo.length - 1];
      for (let i = 0; i < 40; i++) positions.push(start + ((i * 7919) % seal.slices.sealInfo.length));
      for (const p of positions) {
        const flipped = flipBit(bytes, p, p % 8);
        let r;
        try {
          r = verifySealMaker(parseSeal(flipped));
        } catch (e) {
          expect(e).toBeInstanceOf(EvoucherError);
          continue;
        }
        expect(r.ok, `${file} flip at ${p}`).toBe(false);
        expect(r.code).toBe('SEAL_MAKER_SIGNATURE_INVALID');
      }
    }
  });
});

interface SignatureFacts {
  readonly dir: string;
  readonly vid: string;
  readonly esId: string;
  readonly name: string;
  readonly timeInfo: string;
  readonly dataHash: string;
  readonly tax: boolean;
}

// standards.md §10.
const SIGNATURES: readonly SignatureFacts[] = [
  { dir: '999', vid: 'GOMAIN', esId: '50011200000323', name: '测试全国统一发票监制章国家税务总局重庆市税务局', timeInfo: '2020-08-17T11:13:29.000Z', dataHash: '04de1f5f14983be0b6dee77b381543c57af679005238b2d3235a0066f79d23da', tax: true },
  { dir: 'v4signed', vid: 'GOMAIN', esId: '50011200000399', name: '测试全国统一发票监制章国家税务总局重庆市税务局', timeInfo: '2020-10-10T07:11:20.000Z', dataHash: '14859b925039a50fe268d40e4a903da44d64cc56b1eebd0902d45a5a41a134b5', tax: true },
  { dir: 'signedFile', vid: 'GOMAIN', esId: '32010600000001', name: '国家税务总局江苏省税务局', timeInfo: '2020-10-04T07:28:55.000Z', dataHash: '53a61610ebdb4390d54774dea1c052c4726d36c80c3523d0a5018f7107731567', tax: true },
  { dir: 'V4RideRight', vid: 'OFDR&WTest', esId: '51f044b76510434e9bc67a1185c2fba5', name: 'OFD R&W 测试用印章', timeInfo: '2021-05-19T12:53:44.000Z', dataHash: 'ae1da781338c9f33f34c468ced77698ebb33ca2732d69da2ecc253657ab3d568', tax: false },
];

describe.each(SIGNATURES)('SES_Signature $dir/SignedValue.dat', (f) => {
  const bytes = readReal(`${f.dir}/SignedValue.dat`);
  const xml = readReal(`${f.dir}/Signature.xml`);

  it('parses with the documented facts', () => {
    const sig = parseSesSignature(bytes);
    expect(sig.version).toBe(4);
    expect(sig.tbsVersion).toBe(4);
    expect(sig.seal.version).toBe(4);
    expect(sig.seal.header.vid).toBe(f.vid);
    expect(sig.seal.esId).toBe(f.esId);
    expect(sig.seal.name).toBe(f.name);
    expect(sig.timeInfo instanceof Date && sig.timeInfo.toISOString()).toBe(f.timeInfo);
    expect(hex(sig.dataHash)).toBe(f.dataHash);
    expect(sig.propertyInfo).toBe('/Doc_0/Signs/Sign_0/Signature.xml');
    expect(sig.timeStamp).toBeUndefined();
    expect(sig.extDatas).toBeUndefined();
    expect(sig.signAlgorithmOid).toBe('1.2.156.10197.1.501');
    expect(sig.seal.certListType).toBe(1);
    expect(sig.slices.tbsSign.buffer).toBe(bytes.buffer);
    expect(offsetIn(bytes, sig.slices.tbsSign)).toBe(4);
    // At its timeInfo, the signature lies inside the seal period.
    const t = (sig.timeInfo as Date).getTime();
    expect(t >= sig.seal.validStart.getTime() && t <= sig.seal.validEnd.getTime()).toBe(true);
  });

  it('the seal object ends where the four-header peek says (the hashing hint)', () => {
    const sig = parseSesSignature(bytes);
    expect(sealObjectEnd(bytes)).toBe(offsetIn(bytes, sig.seal.raw) + sig.seal.raw.length);
    expect(sealObjectEnd(bytes.subarray(0, 200))).toBeUndefined();
    expect(sealObjectEnd(sig.seal.raw)).toBeUndefined();
  });

  it('tax seals carry the tolerated vendor quirks; strict mode refuses them', () => {
    const sig = parseSesSignature(bytes);
    if (f.tax) {
      expect(sig.quirks.map((q) => q.quirk)).toEqual(['explicit-default-boolean']);
      expect([sig.seal.picture.type, sig.seal.picture.width, sig.seal.picture.height]).toEqual(['ofd', 30, 20]);
      expect(sig.seal.extDatas).toEqual([{ oid: '1.2.156.10197.6.7.2.2.1', critical: false, value: new Uint8Array(Buffer.from('2.1')) }]);
      expect(codeOf(() => parseSesSignature(bytes, { mode: 'strict' }))).toBe('SEAL_MALFORMED');
    } else {
      expect(sig.quirks).toEqual([]);
      expect(parseSesSignature(bytes, { mode: 'strict' }).seal.esId).toBe(f.esId);
    }
  });

  it('dataHash = SM3(Signature.xml), and a one-bit flip of Signature.xml breaks it', () => {
    const sig = parseSesSignature(bytes);
    expect(hex(digest('sm3', xml))).toBe(hex(sig.dataHash));
    for (const p of [0, 100, xml.length - 1]) {
      expect(hex(digest('sm3', flipBit(xml, p)))).not.toBe(hex(sig.dataHash));
    }
  });

  it('maker and sealer signatures verify with the default ID and fail with an empty ID', () => {
    const sig = parseSesSignature(bytes);
    expect(verifySealMaker(sig.seal)).toMatchObject({ ok: true });
    expect(verifySesSignatureValue(sig)).toMatchObject({ ok: true });
    expect(verifySealMaker(sig.seal, EMPTY_ID)).toMatchObject({ ok: false, code: 'SEAL_MAKER_SIGNATURE_INVALID' });
    expect(verifySesSignatureValue(sig, EMPTY_ID)).toMatchObject({ ok: false, code: 'SEAL_SIGNATURE_INVALID' });
  });

  it('the sealer certificate is byte-equal to the single certList entry', () => {
    const sig = parseSesSignature(bytes);
    expect(sig.seal.certList.kind === 'certs' && sig.seal.certList.certs.length).toBe(1);
    expect(sig.seal.certList.kind === 'certs' && hex(sig.seal.certList.certs[0] as Uint8Array)).toBe(hex(sig.sealerCert));
    expect(matchSealerToSeal(sig.seal, sig.sealerCert)).toMatchObject({ ok: true });
    expect(matchSealerToSeal(sig.seal, sig.seal.makerCert)).toMatchObject({ ok: false, code: 'SEAL_SIGNER_NOT_IN_SEAL' });
  });

  it('one-bit flips of the SES_SealInfo slice break the maker check; of the TBS_Sign slice, the sealer check', () => {
    const sig = parseSesSignature(bytes);
    const infoAt = offsetIn(bytes, sig.seal.slices.sealInfo);
    const hashAt = offsetIn(bytes, sig.dataHash);
    // Inside SES_SealInfo (esID text and picture data): maker and sealer fail, the structure still parses.
    for (const p of [offsetIn(bytes, sig.seal.picture.data) + 5, infoAt + 20]) {
      const s = parseSesSignature(flipBit(bytes, p, 1));
      expect(verifySealMaker(s.seal)).toMatchObject({ ok: false, code: 'SEAL_MAKER_SIGNATURE_INVALID' });
      expect(verifySesSignatureValue(s)).toMatchObject({ ok: false, code: 'SEAL_SIGNATURE_INVALID' });
    }
    // Inside TBS_Sign but outside the seal (dataHash, propertyInfo): only the sealer check fails.
    for (const p of [hashAt, hashAt + 31, offsetIn(bytes, sig.slices.tbsSign) + sig.slices.tbsSign.length - 3]) {
      const s = parseSesSignature(flipBit(bytes, p, 2));
      expect(verifySealMaker(s.seal)).toMatchObject({ ok: true });
      expect(verifySesSignatureValue(s)).toMatchObject({ ok: false, code: 'SEAL_SIGNATURE_INVALID' });
    }
  });

  it('no single-bit flip anywhere leaves all three checks passing, and none throws anything but a coded error', () => {
    let parsed = 0;
    for (let i = 0; i < 300; i++) {
      const p = (i * 104729 + 17) % bytes.length;
      let s;
      try {
        s = parseSesSignature(flipBit(bytes, p, i % 8));
      } catch (e) {
        expect(e).toBeInstanceOf(EvoucherError);
        continue;
      }
      parsed++;
      const all = verifySealMaker(s.seal).ok && verifySesSignatureValue(s).ok && matchSealerToSeal(s.seal, s.sealerCert).ok
        && hex(s.dataHash) === f.dataHash;
      expect(all, `flip at ${p}`).toBe(false);
    }
    expect(parsed).toBeGreaterThan(100);
  });
});

describe('the riding seal embeds ofdrw-UserV4.esl byte for byte', () => {
  it('seal.raw equals the .esl file', () => {
    const sig = parseSesSignature(readReal('V4RideRight/SignedValue.dat'));
    expect(hex(sig.seal.raw)).toBe(hex(readReal('ofdrw-UserV4.esl')));
  });
});

describe('OpenSSL oracle on a real file', () => {
  it('openssl asn1parse cuts the same TBS_Sign, cert and signature, and openssl dgst -sm3 verifies them', () => {
    const file = join(REAL_SEALS, 'v4signed/SignedValue.dat');
    const sig = parseSesSignature(readReal('v4signed/SignedValue.dat'));
    const listing = execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-in', file]).toString();
    const top = [...listing.matchAll(/^\s*(\d+):d=(\d+)\s+hl=(\d+)\s+l=\s*(\d+)\s+(?:prim|cons):\s+(\S+)/gm)]
      .map((m) => ({ offset: Number(m[1]), depth: Number(m[2]), hl: Number(m[3]), len: Number(m[4]), type: m[5] }))
      .filter((e) => e.depth === 1);
    expect(top.map((e) => e.type)).toEqual(['SEQUENCE', 'OCTET', 'OBJECT', 'BIT']);
    const [tbs, cert, , bits] = top as [typeof top[0], typeof top[0], typeof top[0], typeof top[0]];
    const dir = mkdtempSync(join(tmpdir(), 'evoucher-ses-real-'));
    try {
      const run = (...args: string[]): void => {
        execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
      };
      run('asn1parse', '-inform', 'DER', '-in', file, '-offset', String(tbs.offset), '-length', String(tbs.hl + tbs.len), '-out', 'tbs.der', '-noout');
      run('asn1parse', '-inform', 'DER', '-in', file, '-strparse', String(cert.offset), '-out', 'cert.der', '-noout');
      run('asn1parse', '-inform', 'DER', '-in', file, '-strparse', String(bits.offset), '-out', 'sig.der', '-noout');
      const read = (n: string): string => hex(new Uint8Array(readFileSync(join(dir, n))));
      // The SDK's slices are exactly what OpenSSL cuts.
      expect(read('tbs.der')).toBe(hex(sig.slices.tbsSign));
      expect(read('cert.der')).toBe(hex(sig.sealerCert));
      expect(read('sig.der')).toBe(hex(sig.signature));
      run('x509', '-inform', 'DER', '-in', 'cert.der', '-pubkey', '-noout', '-out', 'pub.pem');
      const out = execFileSync('openssl', ['dgst', '-sm3', '-verify', 'pub.pem', '-sigopt', 'distid:1234567812345678', '-signature', 'sig.der', 'tbs.der'], { cwd: dir }).toString();
      expect(out).toContain('Verified OK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // And the maker signature of the embedded seal, over the raw SES_SealInfo.
    expect(opensslSm2Verify(sig.seal.makerCert, sig.seal.slices.makerSigned, sig.seal.signature)).toBe(true);
    expect(opensslSm2Verify(sig.seal.makerCert, flipBit(sig.seal.slices.makerSigned, 30), sig.seal.signature)).toBe(false);
  });
});
