import { describe, expect, it } from 'vitest';
import {
  digest,
  exportPrivateKeyPkcs8,
  importPrivateKey,
  parsePublicKey,
  signMessage,
  sm2ComputeDigest,
  sm2ComputeZ,
  sm2PublicKeyFromPrivate,
  sm2Sign,
  sm2Verify,
  verifyMessage,
} from '../../src/crypto/index.js';
import { encodeRsDer } from '../../src/crypto/signature_der.js';
import { computeZ, signCore, verifyCore } from '../../src/crypto/sm2.js';
import { createSm2Curve, sm2p256v1 } from '../../src/crypto/sm2_curve.js';
import { ascii, hex, unhex, vector } from './helpers.js';

interface Sm2Vector {
  messageAscii: string;
  idAscii: string;
  d: string;
  Px: string;
  Py: string;
  Z: string;
  e: string;
  k: string;
  x1: string;
  y1?: string;
  r: string;
  s: string;
  der: string;
  spkiPem?: string;
  pkcs8Pem?: string;
  curve?: Record<'p' | 'a' | 'b' | 'Gx' | 'Gy' | 'n', string>;
}

const big = (h: string): bigint => BigInt('0x' + h);

describe('SM2 known answer, sm2p256v1 (GB/T 32918.5 Annex A)', () => {
  const v = vector<Sm2Vector>('sm2/gbt32918-5-annex-a.json');
  const d = unhex(v.d);
  const pub = unhex('04' + v.Px + v.Py);
  const m = ascii(v.messageAscii);

  it('derives the public key', () => {
    expect(hex(sm2PublicKeyFromPrivate(d))).toBe(hex(pub));
  });

  it('computes Z_A and e', () => {
    expect(hex(sm2ComputeZ(pub))).toBe(v.Z);
    expect(hex(sm2ComputeZ(pub, ascii(v.idAscii)))).toBe(v.Z);
    expect(hex(sm2ComputeDigest(pub, m))).toBe(v.e);
  });

  it('k·G gives (x1, y1)', () => {
    const p = sm2p256v1.Point.BASE.multiply(big(v.k)).toAffine();
    expect(p.x.toString(16).padStart(64, '0')).toBe(v.x1);
    expect(p.y.toString(16).padStart(64, '0')).toBe(v.y1);
  });

  it('reproduces r, s and the exact DER with the given k', () => {
    const sig = sm2Sign(d, m, { k: big(v.k) });
    expect(hex(sig)).toBe(v.der);
    expect(hex(sm2Sign(d, m, { k: big(v.k), publicKey: pub, id: ascii(v.idAscii) }))).toBe(v.der);
  });

  it('verifies the published signature, and only under the default ID', () => {
    const der = unhex(v.der);
    expect(sm2Verify(pub, m, der)).toBe(true);
    expect(sm2Verify(pub, m, der)).toBe(true); // second use: cached, precomputed table
    expect(sm2Verify(pub, m, der)).toBe(true);
    expect(sm2Verify(pub, m, der, { id: new Uint8Array(0) })).toBe(false);
    expect(sm2Verify(pub, ascii('message digesT'), der)).toBe(false);
  });

  it('the PEM pair of the vector imports to the same key and re-exports byte for byte', () => {
    const info = parsePublicKey(v.spkiPem as string);
    expect(info.kind).toBe('sm2');
    expect(hex(info.point as Uint8Array)).toBe(hex(pub));
    const key = importPrivateKey(v.pkcs8Pem as string);
    expect(key.kind).toBe('sm2');
    expect(hex(key.publicKey.spki)).toBe(hex(info.spki));
    const pkcs8Der = Buffer.from((v.pkcs8Pem as string).replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    expect(hex(exportPrivateKeyPkcs8(key))).toBe(pkcs8Der.toString('hex'));
    expect(verifyMessage('sm2-sm3', info, m, unhex(v.der))).toBe(true);
    expect(verifyMessage('sm2-sm3', info.spki, m, signMessage('sm2-sm3', key, m))).toBe(true);
  });
});

describe('SM2 known answer, test curve (GB/T 32918.2 Annex A) through the same core', () => {
  const v = vector<Sm2Vector>('sm2/gbt32918-2-annex-a-test-curve.json');
  const c = v.curve as NonNullable<Sm2Vector['curve']>;
  const curve = createSm2Curve({ p: big(c.p), a: big(c.a), b: big(c.b), n: big(c.n), Gx: big(c.Gx), Gy: big(c.Gy) });
  const id = ascii(v.idAscii);
  const m = ascii(v.messageAscii);
  const pub = unhex('04' + v.Px + v.Py);

  it('derives P, Z_A and reproduces r, s, DER; verifies', () => {
    expect(hex(curve.Point.BASE.multiply(big(v.d)).toBytes(false))).toBe(hex(pub));
    const z = computeZ(curve, pub, id);
    expect(hex(z)).toBe(v.Z);
    const { r, s } = signCore(curve, big(v.d), pub, m, id, big(v.k));
    expect(r.toString(16)).toBe(v.r);
    expect(s.toString(16)).toBe(v.s);
    expect(hex(encodeRsDer(r, s))).toBe(v.der);
    const P = curve.Point.fromBytes(pub);
    expect(verifyCore(curve, P, z, m, r, s)).toBe(true);
    expect(verifyCore(curve, P, z, m, r, s + 1n)).toBe(false);
    expect(verifyCore(curve, P, computeZ(curve, pub, ascii('1234567812345678')), m, r, s)).toBe(false);
    expect(hex(digest('sm3', new Uint8Array([...z, ...m])))).toBe(v.e);
  });

  it('a test-curve key is not accepted as an sm2p256v1 key', () => {
    expect(() => sm2Verify(pub, m, unhex(v.der))).toThrow();
  });
});
