import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ecdsaDerToRaw, ecdsaRawToDer, parsePublicKey, verifyMessage } from '../../src/crypto/index.js';
import { ascii, b64url, hex, unhex, vector } from './helpers.js';

interface EcdsaVectors {
  Ux: string;
  Uy: string;
  tests: { messageAscii: string; r: string; s: string }[];
}
interface RsaVector {
  nBase64url: string;
  eBase64url: string;
  messageAscii: string;
  signatureBase64url: string;
}

const spkiFromJwk = (jwk: Record<string, string>): Uint8Array =>
  new Uint8Array(createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'der', type: 'spki' }));

describe('ECDSA P-256 / SHA-256 known answers (RFC 6979 A.2.5)', () => {
  const v = vector<EcdsaVectors>('ecdsa/rfc6979-a2-5.json');
  const spki = spkiFromJwk({
    kty: 'EC',
    crv: 'P-256',
    x: Buffer.from(v.Ux, 'hex').toString('base64url'),
    y: Buffer.from(v.Uy, 'hex').toString('base64url'),
  });
  const info = parsePublicKey(spki);

  it('parses the key as ec-p256', () => {
    expect(info.kind).toBe('ec-p256');
    expect(hex(info.point as Uint8Array)).toBe('04' + v.Ux + v.Uy);
  });

  for (const t of v.tests) {
    it(`verifies the published signature over "${t.messageAscii}"`, () => {
      const raw = unhex(t.r + t.s);
      const der = ecdsaRawToDer(raw);
      expect(hex(ecdsaDerToRaw(der))).toBe(hex(raw));
      expect(verifyMessage('ecdsa-p256-sha256', info, ascii(t.messageAscii), der)).toBe(true);
      expect(verifyMessage('ecdsa-p256-sha256', spki, ascii(t.messageAscii + '!'), der)).toBe(false);
      const other = unhex(t.r + (BigInt('0x' + t.s) ^ 1n).toString(16).padStart(64, '0'));
      expect(verifyMessage('ecdsa-p256-sha256', info, ascii(t.messageAscii), ecdsaRawToDer(other))).toBe(false);
    });
  }
});

describe('RSA PKCS#1 v1.5 / SHA-256 known answer (RFC 7515 A.2)', () => {
  const v = vector<RsaVector>('rsa/rfc7515-a2-rs256.json');
  const spki = spkiFromJwk({ kty: 'RSA', n: v.nBase64url, e: v.eBase64url });
  const sig = b64url(v.signatureBase64url);
  const msg = ascii(v.messageAscii);

  it('parses the 2048-bit key', () => {
    const info = parsePublicKey(spki);
    expect(info.kind).toBe('rsa');
    expect(info.bits).toBe(2048);
  });

  it('verifies the published signature; rejects tampering, PSS and truncation', () => {
    expect(verifyMessage('rsa-pkcs1-sha256', spki, msg, sig)).toBe(true);
    const bad = sig.slice();
    bad[100] = (bad[100] as number) ^ 0x01;
    expect(verifyMessage('rsa-pkcs1-sha256', spki, msg, bad)).toBe(false);
    expect(verifyMessage('rsa-pkcs1-sha256', spki, ascii(v.messageAscii + 'x'), sig)).toBe(false);
    expect(verifyMessage('rsa-pss-sha256', spki, msg, sig)).toBe(false);
    expect(verifyMessage('rsa-pkcs1-sha256', spki, msg, sig.subarray(1))).toBe(false);
    expect(verifyMessage('rsa-pkcs1-sha256', spki, msg, new Uint8Array([0, ...sig]))).toBe(false);
  });
});
