/**
 * The table-driven GBK paths of charset.ts answer exactly as the checked iconv-lite round trips they shortcut:
 * every one- and two-byte sequence, every BMP code unit, and random texts and byte strings.
 */
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText, findUnmappable, gbkByteLength } from '../../src/encoding/index.js';

/** The reference reading: iconv-lite decode, accepted only when it encodes back to the same bytes. */
function referenceDecode(bytes: Uint8Array): string {
  const text = iconv.decode(Buffer.from(bytes), 'gbk');
  return Buffer.compare(iconv.encode(text, 'gbk'), Buffer.from(bytes)) === 0 ? text : 'ENCODING_INVALID_BYTES';
}

function ours(bytes: Uint8Array): string {
  try {
    return decodeText(bytes, 'GBK');
  } catch (e) {
    return (e as { code: string }).code;
  }
}

const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The reference: the whole text round-trips, else the first character that does not. */
function referenceUnmappable(text: string): { char: string; index: number } | undefined {
  if (!LONE.test(text) && iconv.decode(iconv.encode(text, 'gbk'), 'gbk') === text) return undefined;
  let index = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const ok = !(cp >= 0xd800 && cp <= 0xdfff) && iconv.decode(iconv.encode(ch, 'gbk'), 'gbk') === ch;
    if (!ok) return { char: `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`, index };
    index += ch.length;
  }
  return undefined;
}

describe('GBK fast paths', () => {
  it('decode every one- and two-byte sequence exactly as the checked round trip', () => {
    for (let a = 0; a < 256; a++) {
      expect(ours(new Uint8Array([a]))).toBe(referenceDecode(new Uint8Array([a])));
      for (let b = 0; b < 256; b++) {
        const bytes = new Uint8Array([a, b]);
        const want = referenceDecode(bytes);
        const got = ours(bytes);
        if (got !== want) expect({ bytes: [a, b], got }).toEqual({ bytes: [a, b], got: want });
      }
    }
  });

  it('count every mappable BMP code unit as the bytes iconv-lite writes for it', () => {
    for (let u = 0; u < 0x10000; u++) {
      const s = String.fromCharCode(u);
      if (referenceUnmappable(s) !== undefined) continue;
      const want = iconv.encode(s, 'gbk').length;
      const got = gbkByteLength(s);
      if (got !== want) expect({ u, got }).toEqual({ u, got: want });
    }
  });

  it('find the same unmappable character for every BMP code unit', () => {
    for (let u = 0; u < 0x10000; u++) {
      const s = `a${String.fromCharCode(u)}中`;
      const want = referenceUnmappable(s);
      const got = findUnmappable(s, 'GBK');
      if (JSON.stringify(got) !== JSON.stringify(want)) expect({ u, got }).toEqual({ u, got: want });
    }
  });

  it('agree on random byte strings and random texts', () => {
    const byte = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0xff }), fc.constantFrom(0x81, 0xa1, 0xb0, 0xd6, 0xfe, 0x40, 0x7f, 0xff));
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 40 }), (xs) => {
        const bytes = new Uint8Array(xs);
        expect(ours(bytes)).toBe(referenceDecode(bytes));
      }),
      { numRuns: 3000, seed: 38 },
    );
    const ch = fc.oneof(fc.constantFrom('a', '0', '<', '中', '文', '財', '€', '·', '—', '😀', '\uD800', '\uDC00', 'ÿ', '€', '\uE000', '\uFFFD'), fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)));
    fc.assert(
      fc.property(fc.array(ch, { maxLength: 30 }), (cs) => {
        const s = cs.join('');
        expect(findUnmappable(s, 'GBK')).toEqual(referenceUnmappable(s));
        const want = referenceUnmappable(s) === undefined ? iconv.encode(s, 'gbk').length : undefined;
        expect(gbkByteLength(s)).toBe(want);
        if (want !== undefined) expect(ours(new Uint8Array(iconv.encode(s, 'gbk')))).toBe(s);
      }),
      { numRuns: 3000, seed: 38 },
    );
  });

  it('decode ASCII-only byte strings (the native path), also as views into a larger buffer', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0x7f }), { maxLength: 3000 }), fc.nat({ max: 7 }), (xs, at) => {
        const whole = new Uint8Array(xs.length + at + 3);
        whole.fill(0xd6);
        whole.set(xs, at);
        const view = whole.subarray(at, at + xs.length);
        expect(ours(view)).toBe(referenceDecode(Uint8Array.from(xs)));
      }),
      { numRuns: 500, seed: 38 },
    );
  });
});
