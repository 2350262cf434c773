/**
 * GBK as this package reads and writes it (charset.ts) against an independent implementation, glibc's iconv:
 * a two-byte sequence is read, and read as this character, exactly when glibc reads it as that same character
 * under both `GBK` and `GB18030`, so that no reader of the common kinds sees other text in the same bytes
 * (one byte string, one reading: security.md §1.11). Every BMP code unit is written exactly when it reads back
 * so, and random texts and byte strings agree with both.
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeText, encodeText, findUnmappable, gbkByteLength } from '../../src/encoding/index.js';

/** What glibc reads every pair `lead trail` as, when GBK and GB18030 agree on it (else absent). */
const agreed = new Map<number, string>();

/** glibc's reading of each line of `input` under `label`, a line it cannot read left empty (`-c`). */
function glibc(label: string, input: Buffer): string[] {
  return execFileSync('iconv', ['-c', '-f', label, '-t', 'UTF-8'], { input, maxBuffer: 1 << 24 }).toString('utf8').split('\n');
}

beforeAll(() => {
  const pairs: number[] = [];
  for (let lead = 0x81; lead <= 0xfe; lead++) for (let trail = 0x40; trail <= 0xfe; trail++) if (trail !== 0x7f) pairs.push((lead << 8) | trail);
  const input = Buffer.concat(pairs.map((p) => Buffer.from([p >> 8, p & 0xff, 0x0a])));
  const gbk = glibc('GBK', input);
  const gb18030 = glibc('GB18030', input);
  pairs.forEach((p, i) => {
    const a = gbk[i] as string;
    if (a !== '' && a === gb18030[i]) agreed.set(p, a);
  });
  // Sanity: the GB2312 block and most of GBK are there, the user-defined areas are not.
  expect(agreed.get(0xd6d0)).toBe('中');
  expect(agreed.size).toBeGreaterThan(21_000);
  expect(agreed.has(0xaaa1)).toBe(false);
});

function ours(bytes: Uint8Array): string {
  try {
    return decodeText(bytes, 'GBK');
  } catch (e) {
    return (e as { code: string }).code;
  }
}

describe('GBK against glibc', () => {
  it('reads every two-byte sequence as glibc reads it under GBK and GB18030 alike, and refuses the others', () => {
    for (let a = 0x80; a <= 0xff; a++) {
      for (let b = 0x00; b <= 0xff; b++) {
        const want = agreed.get((a << 8) | b) ?? 'ENCODING_INVALID_BYTES';
        const got = ours(new Uint8Array([a, b]));
        if (got !== want) expect({ bytes: [a, b], got }).toEqual({ bytes: [a, b], got: want });
      }
    }
  });

  it('reads no single byte above ASCII (CP936 reads 0x80 as the euro sign, GB18030 refuses it)', () => {
    for (let a = 0; a < 256; a++) expect(ours(new Uint8Array([a]))).toBe(a < 0x80 ? String.fromCharCode(a) : 'ENCODING_INVALID_BYTES');
  });

  it('writes every BMP code unit that reads back as itself, in two bytes, and no other', () => {
    const readable = new Map<string, number>();
    for (const [p, s] of agreed) readable.set(s, p);
    for (let u = 0x80; u < 0x10000; u++) {
      const s = String.fromCharCode(u);
      const pair = readable.get(s);
      const unmappable = findUnmappable(`a${s}中`, 'GBK');
      if (pair === undefined) {
        if (unmappable?.index !== 1) expect({ u, unmappable }).toEqual({ u, unmappable: { index: 1 } });
        expect(gbkByteLength(s)).toBeUndefined();
      } else {
        const bytes = encodeText(s, 'GBK');
        if (unmappable !== undefined || bytes.length !== 2 || ((bytes[0] as number) << 8 | (bytes[1] as number)) !== pair) {
          expect({ u, unmappable, bytes: [...bytes] }).toEqual({ u, unmappable: undefined, bytes: [pair >> 8, pair & 0xff] });
        }
        expect(gbkByteLength(s)).toBe(2);
      }
    }
  });

  it('random texts and byte strings: what is written reads back the same, here and in glibc', () => {
    const texts: string[] = [];
    const ch = fc.oneof(fc.constantFrom('a', '0', '<', '中', '文', '財', '€', '·', '—', '😀', '\uD800', '\uE000', '\u3473', 'ÿ'), fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)));
    fc.assert(
      fc.property(fc.array(ch, { maxLength: 30 }), (cs) => {
        const s = cs.join('');
        const bad = findUnmappable(s, 'GBK');
        if (bad !== undefined) {
          expect(() => encodeText(s, 'GBK')).toThrow(expect.objectContaining({ code: 'ENCODING_UNMAPPABLE_CHAR' }));
          return;
        }
        const bytes = encodeText(s, 'GBK');
        expect(Buffer.from(bytes).equals(iconv.encode(s, 'gbk'))).toBe(true);
        expect(decodeText(bytes, 'GBK')).toBe(s);
        expect(gbkByteLength(s)).toBe(bytes.length);
        if (!s.includes('\n')) texts.push(s);
      }),
      { numRuns: 2000, seed: 38 },
    );
    // glibc reads the same texts back from the same bytes, under both labels.
    const input = Buffer.concat(texts.map((s) => Buffer.concat([Buffer.from(encodeText(s, 'GBK')), Buffer.from([0x0a])])));
    expect(glibc('GBK', input).slice(0, texts.length)).toEqual(texts);
    expect(glibc('GB18030', input).slice(0, texts.length)).toEqual(texts);
    const byte = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0xff }), fc.constantFrom(0x81, 0xa1, 0xb0, 0xd6, 0xfe, 0x40, 0x7f, 0xff));
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 40 }), (xs) => {
        const got = ours(new Uint8Array(xs));
        if (got !== 'ENCODING_INVALID_BYTES') expect(Buffer.from(encodeText(got, 'GBK')).equals(Buffer.from(xs))).toBe(true);
      }),
      { numRuns: 3000, seed: 38 },
    );
  });

  it('decodes ASCII-only byte strings (the native path), also as views into a larger buffer', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0x7f }), { maxLength: 3000 }), fc.nat({ max: 7 }), (xs, at) => {
        const whole = new Uint8Array(xs.length + at + 3);
        whole.fill(0xd6);
        whole.set(xs, at);
        expect(ours(whole.subarray(at, at + xs.length))).toBe(String.fromCharCode(...xs));
      }),
      { numRuns: 500, seed: 38 },
    );
  });
});
