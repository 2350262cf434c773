/**
 * security.md §1.3, §1.11, §1.12: the stamp DER is read strictly. Truncation, trailing bytes after the outer
 * TLV, indefinite lengths, non-minimal lengths, a length claiming 2³² bytes, and base64 with garbage: each is a
 * coded failure, never VALID, never a throw.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { b64, codes, failures, replaceBytes, sealedOriginal, stampsOf, swapBase64, verifyOne, voucherBytesOf } from '../helpers.js';

let sealed: Uint8Array;
let cz: Uint8Array;
beforeAll(async () => {
  sealed = await sealedOriginal('p256');
  const s = stampsOf(sealed)[1];
  if (s === undefined) throw new Error('no stamp');
  cz = s.bytes;
});

/** The envelope with the cz stamp replaced by `bytes`. */
const withCz = (bytes: Uint8Array): Uint8Array => replaceBytes(sealed, Buffer.from(b64(cz)), Buffer.from(b64(bytes)));

/** Re-encodes the outer SEQUENCE header of a DER TLV with another length form. */
function outer(der: Uint8Array): { head: number; len: number } {
  const b1 = der[1] ?? 0;
  if (b1 < 0x80) return { head: 2, len: b1 };
  const n = b1 & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (der[2 + i] ?? 0);
  return { head: 2 + n, len };
}

describe('strict DER of a stamp', () => {
  it('the untouched stamp verifies (control)', async () => {
    expect((await verifyOne(withCz(cz))).status).toBe('VALID');
  });

  it('truncated by one byte → format failure (SEAL_CMS_MALFORMED)', async () => {
    const r = await verifyOne(withCz(cz.subarray(0, cz.length - 1)));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].format:SEAL_CMS_MALFORMED']);
  });

  it('truncated to half → format failure', async () => {
    const r = await verifyOne(withCz(cz.subarray(0, cz.length >> 1)));
    expect(failures(r)).toEqual(['seals[1].format:SEAL_CMS_MALFORMED']);
  });

  it('trailing bytes after the outer SEQUENCE → format failure', async () => {
    const r = await verifyOne(withCz(Uint8Array.from([...cz, 0x00, 0x00])));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].format:SEAL_CMS_MALFORMED']);
  });

  it('an indefinite length (BER) on the outer SEQUENCE → format failure', async () => {
    const { head } = outer(cz);
    const r = await verifyOne(withCz(Uint8Array.from([0x30, 0x80, ...cz.subarray(head), 0x00, 0x00])));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].format:SEAL_CMS_MALFORMED']);
  });

  it('a non-minimal length (0x84 with leading zeros) → format failure', async () => {
    const { head, len } = outer(cz);
    const r = await verifyOne(withCz(Uint8Array.from([0x30, 0x84, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff, ...cz.subarray(head)])));
    expect(failures(r)).toEqual(['seals[1].format:SEAL_CMS_MALFORMED']);
  });

  it('a length claiming 2³² − 1 bytes → format failure, quickly', async () => {
    const { head } = outer(cz);
    const t0 = Date.now();
    const r = await verifyOne(withCz(Uint8Array.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, ...cz.subarray(head)])));
    expect(failures(r)).toEqual(['seals[1].format:SEAL_CMS_MALFORMED']);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('random bytes as a stamp → format failure', async () => {
    const r = await verifyOne(withCz(Uint8Array.from({ length: 300 }, (_, i) => (i * 73 + 11) & 0xff)));
    expect(failures(r)).toEqual(['seals[1].format:SEAL_CMS_MALFORMED']);
  });

  it('a cms stamp labelled Format="ses" → never VALID', async () => {
    const r = await verifyOne(replaceBytes(sealed, Buffer.from('No="cz_zfzyz" Seq="2" Format="cms"'), Buffer.from('No="cz_zfzyz" Seq="2" Format="ses"')));
    expect(r.status).toBe('INVALID');
    expect(r.errors[0]?.where).toBe('seals[1].format');
  });
});

describe('base64 with garbage', () => {
  for (const [name, junk] of [
    ['a non-alphabet character', '!'],
    ['a second padding block', '=='],
    ['a NUL-like entity', '&#0;'],
  ] as const) {
    it(`${name} inside a stamp's base64 → BASE64_INVALID (or XML_*), never VALID`, async () => {
      const text = b64(cz);
      const bad = text.slice(0, 40) + junk + text.slice(40);
      const r = await verifyOne(replaceBytes(sealed, Buffer.from(text), Buffer.from(bad)));
      expect(r.status).toBe('INVALID');
      expect(codes(r)[0]).toMatch(/^(BASE64_INVALID|XML_)/);
    });
  }

  it("garbage in the voucher's base64 → BASE64_INVALID", async () => {
    const v = voucherBytesOf(sealed);
    const text = b64(v);
    const r = await verifyOne(swapBase64(sealed, v, `${text.slice(0, 10)}*${text.slice(10)}`));
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toEqual(['BASE64_INVALID']);
  });

  it('base64 with a wrong length (not a multiple of 4) → BASE64_INVALID', async () => {
    const text = b64(cz);
    const r = await verifyOne(replaceBytes(sealed, Buffer.from(text), Buffer.from(text.replace(/=+$/, '').slice(0, -1))));
    expect(codes(r)).toEqual(['BASE64_INVALID']);
  });
});
