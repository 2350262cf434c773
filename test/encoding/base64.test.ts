import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../../src/encoding/index.js';

describe('strict base64', () => {
  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const text = encodeBase64(b);
        expect(text).toBe(Buffer.from(b).toString('base64'));
        expect(decodeBase64(text)).toEqual(b);
      }),
    );
  });

  it('accepts canonical text', () => {
    expect(decodeBase64('AQID')).toEqual(new Uint8Array([1, 2, 3]));
    expect(decodeBase64('AQ==')).toEqual(new Uint8Array([1]));
    expect(decodeBase64('')).toEqual(new Uint8Array([]));
  });

  it.each([
    ['whitespace', 'AQ ID'],
    ['a line break', 'AQID\nAQID'],
    ['missing padding', 'AQ'],
    ['non-zero pad bits', 'AR=='],
    ['url-safe alphabet', 'A-_B'],
    ['padding in the middle', 'AQ==AQID'],
    ['a stray character', 'AQI*'],
    ['a length of 4k+1', 'AQIDB'],
    ['a length of 4k+2', 'AQIDBA'],
    ['a length of 4k+3', 'AQIDBAU'],
    ['padding only', '===='],
    ['three pad characters', 'A==='],
    ['a padding too long for its bytes', 'AQI=='],
  ])('rejects %s', (_, text) => {
    expect(() => decodeBase64(text)).toThrow(expect.objectContaining({ code: 'BASE64_INVALID' }));
  });

  it('returns bytes of their own, whatever their size (no view of a shared pool)', () => {
    for (const n of [0, 1, 2, 3, 63, 64, 65, 100, 5000]) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 255);
      const out = decodeBase64(encodeBase64(b));
      expect(out).toEqual(b);
      expect(out.byteOffset).toBe(0);
      expect(out.buffer.byteLength).toBe(n);
    }
  });

  it('accepts a text only as the one encoding of the bytes it gives, and throws nothing but BASE64_INVALID', () => {
    const ch = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n.\u00ff\u0100'.split(''));
    fc.assert(fc.property(fc.array(ch, { maxLength: 14 }), (chars) => {
      const text = chars.join('');
      try {
        expect(encodeBase64(decodeBase64(text))).toBe(text);
      } catch (e) {
        expect(e).toMatchObject({ code: 'BASE64_INVALID' });
      }
    }), { seed: 4648, numRuns: 20_000 });
  });

  it('refuses a text that is not a string with ARG_INVALID, not a TypeError', () => {
    for (const x of [undefined, null, 123, ['AQID']]) {
      expect(() => decodeBase64(x as unknown as string)).toThrow(expect.objectContaining({ code: 'ARG_INVALID' }));
    }
  });

  it('rejects text over maxLength before decoding', () => {
    expect(() => decodeBase64('AQIDBA==', { maxLength: 4 })).toThrow(expect.objectContaining({ code: 'BASE64_INVALID' }));
    expect(decodeBase64('AQID', { maxLength: 4 })).toEqual(new Uint8Array([1, 2, 3]));
  });
});
