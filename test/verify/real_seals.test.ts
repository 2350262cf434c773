/**
 * Real vendor seal signatures (standards.md §10; test/vectors/real-seals, from the ofdrw test resources):
 * GOMAIN tax seals (`999`, `v4signed`, `signedFile`) and an ofdrw riding seal (`V4RideRight`). Every
 * cryptographic check passes over the received slices; trust is INDETERMINATE ("no trust anchor") unless the
 * test pins the sealer and maker certificates as anchors with the time pinned to `timeInfo`; a one-bit flip in
 * the data, in `SES_SealInfo` or in `TBS_Sign` makes the report INVALID.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSesSignature } from '../../src/seal/ses/index.js';
import { verifySesSignatureOverData } from '../../src/verify/index.js';
import { ROOT } from './helpers.js';

const DIR = join(ROOT, 'test/vectors/real-seals');
const FILES = [
  { dir: '999', time: '2020-08-17T11:13:29.000Z', esId: '50011200000323', hash: '04de1f5f14983be0b6dee77b381543c57af679005238b2d3235a0066f79d23da' },
  { dir: 'v4signed', time: '2020-10-10T07:11:20.000Z', esId: '50011200000399', hash: '14859b925039a50fe268d40e4a903da44d64cc56b1eebd0902d45a5a41a134b5' },
  { dir: 'signedFile', time: '2020-10-04T07:28:55.000Z', esId: '32010600000001', hash: '53a61610ebdb4390d54774dea1c052c4726d36c80c3523d0a5018f7107731567' },
  { dir: 'V4RideRight', time: '2021-05-19T12:53:44.000Z', esId: '51f044b76510434e9bc67a1185c2fba5', hash: 'ae1da781338c9f33f34c468ced77698ebb33ca2732d69da2ecc253657ab3d568' },
] as const;

const read = (dir: string, f: string): Uint8Array => Uint8Array.from(readFileSync(join(DIR, dir, f)));
const CRYPTO_CHECKS = ['format', 'maker-signature', 'signature', 'seal-match', 'data-hash', 'seal-period', 'key-usage', 'maker-key-usage', 'signing-time'];

function flip(bytes: Uint8Array, offset: number, bit = 0): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[offset] = (out[offset] ?? 0) ^ (1 << bit);
  return out;
}

describe('real vendor seal signatures', () => {
  for (const f of FILES) {
    describe(f.dir, () => {
      const ses = read(f.dir, 'SignedValue.dat');
      const data = read(f.dir, 'Signature.xml');
      const sig = parseSesSignature(ses);

      it('parse, maker and sealer signatures, certList, dataHash = SM3(Signature.xml), seal period all pass; trust is INDETERMINATE (no anchor)', async () => {
        const r = await verifySesSignatureOverData(ses, data);
        expect(r.status).toBe('INDETERMINATE');
        expect(r.signingTime).toBe(f.time);
        expect(r.seal?.id).toBe(f.esId);
        expect(r.dataHash).toEqual({ algorithm: 'sm3', signed: f.hash, computed: f.hash });
        for (const name of CRYPTO_CHECKS) expect(r.checks.find((c) => c.check === name)?.status, name).toBe('passed');
        expect(r.errors.map((e) => `${e.where}:${e.code}:${e.status}`)).toEqual(['chain:CERT_UNTRUSTED:indeterminate', 'maker-chain:CERT_UNTRUSTED:indeterminate']);
        expect(r.indeterminate).toEqual(['trust']);
      });

      it('with the sealer and maker certificates pinned as anchors and the time pinned to timeInfo → VALID', async () => {
        const r = await verifySesSignatureOverData(ses, data, { trust: [sig.sealerCert, sig.seal.makerCert], at: new Date(f.time) });
        expect(r.errors).toEqual([]);
        expect(r.status).toBe('VALID');
      });

      it('a one-bit flip of Signature.xml → INVALID (data-hash)', async () => {
        const r = await verifySesSignatureOverData(ses, flip(data, data.length >> 1), { trust: [sig.sealerCert, sig.seal.makerCert], at: new Date(f.time) });
        expect(r.status).toBe('INVALID');
        expect(r.errors.map((e) => `${e.where}:${e.code}`)).toEqual(['data-hash:SEAL_DIGEST_MISMATCH']);
      });

      it('a one-bit flip inside SES_SealInfo (the picture) → INVALID (maker and sealer signatures)', async () => {
        const at = sig.seal.picture.data.byteOffset + (sig.seal.picture.data.length >> 1);
        const r = await verifySesSignatureOverData(flip(ses, at), data);
        expect(r.status).toBe('INVALID');
        expect(r.errors.filter((e) => e.status === 'failed').map((e) => `${e.where}:${e.code}`)).toEqual(['maker-signature:SEAL_MAKER_SIGNATURE_INVALID', 'signature:SEAL_SIGNATURE_INVALID']);
      });

      it('a one-bit flip inside TBS_Sign outside the seal (propertyInfo) → INVALID (sealer signature only)', async () => {
        const text = Buffer.from(ses).indexOf(Buffer.from(sig.propertyInfo, 'latin1'));
        expect(text).toBeGreaterThan(0);
        const r = await verifySesSignatureOverData(flip(ses, text + 1), data);
        expect(r.status).toBe('INVALID');
        expect(r.errors.filter((e) => e.status === 'failed').map((e) => `${e.where}:${e.code}`)).toEqual(['signature:SEAL_SIGNATURE_INVALID']);
      });
    });
  }

  it('tolerated vendor quirks are listed (the tax seals encode a DEFAULT FALSE explicitly)', async () => {
    const r = await verifySesSignatureOverData(read('999', 'SignedValue.dat'), read('999', 'Signature.xml'));
    expect(r.quirks.join('\n')).toContain('explicit-default-boolean');
  });

  it('garbage, truncated or trailing bytes → INVALID on format, never a throw', async () => {
    const ses = read('999', 'SignedValue.dat');
    const data = read('999', 'Signature.xml');
    for (const bad of [new Uint8Array([1, 2, 3]), ses.subarray(0, ses.length - 1), Uint8Array.from([...ses, 0])]) {
      const r = await verifySesSignatureOverData(bad, data);
      expect(r.status).toBe('INVALID');
      expect(r.errors[0]?.where).toBe('format');
    }
  });

  it('an empty trust list is a usage error (TRUST_NO_ANCHORS)', async () => {
    await expect(verifySesSignatureOverData(read('999', 'SignedValue.dat'), read('999', 'Signature.xml'), { trust: [] })).rejects.toMatchObject({ code: 'TRUST_NO_ANCHORS' });
  });
});
