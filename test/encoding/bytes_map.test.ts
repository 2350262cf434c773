/**
 * The exact-bytes map under the certificate, key and path caches: a hit only on equal bytes, its own copy of
 * every key, least recently used out first, and bounded work when many keys share a hash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BytesMap, MAX_BUCKET, SizeTieredBytesMap } from '../../src/encoding/bytes_map.js';

describe('BytesMap', () => {
  it('answers as a Map keyed by the hex of the bytes, for any sequence of sets and gets', () => {
    const op = fc.record({ set: fc.boolean(), key: fc.uint8Array({ maxLength: 100 }), value: fc.nat() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const m = new BytesMap<number>(1000);
        const ref = new Map<string, number>();
        for (const o of ops) {
          const hex = Buffer.from(o.key).toString('hex');
          if (o.set) {
            m.set(o.key, o.value);
            ref.set(hex, o.value);
          } else {
            expect(m.get(o.key)).toBe(ref.get(hex));
          }
        }
        expect(m.size).toBe(ref.size);
      }),
      { numRuns: 300 },
    );
  });

  it('keys that differ only in the middle (outside the hashed head and tail) are told apart', () => {
    const m = new BytesMap<string>(100);
    const a = new Uint8Array(1000).fill(7);
    const b = a.slice();
    b[500] = 8;
    m.set(a, 'a');
    expect(m.get(b)).toBeUndefined();
    m.set(b, 'b');
    expect(m.get(a)).toBe('a');
    expect(m.get(b)).toBe('b');
  });

  it('long keys (compared natively) that differ in one byte anywhere are told apart', () => {
    const m = new BytesMap<number>(100);
    const a = new Uint8Array(30_000).fill(7);
    m.set(a, -1);
    for (const at of [20, 1025, 15_000, 29_930]) {
      const b = a.slice();
      b[at] = 8;
      expect(m.get(b)).toBeUndefined();
      m.set(b, at);
      expect(m.get(b)).toBe(at);
    }
    // A view into a larger buffer is compared by its own bytes.
    const big = new Uint8Array(40_000).fill(7);
    expect(m.get(big.subarray(5_000, 35_000))).toBe(-1);
    expect(m.get(a.subarray(1))).toBeUndefined();
  });

  it('keeps its own copy: a caller writing into its buffer after set changes nothing stored', () => {
    const m = new BytesMap<string>(10);
    const k = Uint8Array.of(1, 2, 3);
    m.set(k, 'x');
    k[1] = 9;
    expect(m.get(k)).toBeUndefined();
    expect(m.get(Uint8Array.of(1, 2, 3))).toBe('x');
  });

  it('drops the least recently used entry first', () => {
    const m = new BytesMap<number>(2);
    m.set(Uint8Array.of(1), 1);
    m.set(Uint8Array.of(2), 2);
    expect(m.get(Uint8Array.of(1))).toBe(1); // 1 is now the most recent
    m.set(Uint8Array.of(3), 3);
    expect(m.size).toBe(2);
    expect(m.get(Uint8Array.of(2))).toBeUndefined();
    expect(m.get(Uint8Array.of(1))).toBe(1);
    expect(m.get(Uint8Array.of(3))).toBe(3);
    m.clear();
    expect(m.size).toBe(0);
  });

  it('many keys sharing a hash fill one bucket of at most MAX_BUCKET entries, and stay exact', () => {
    // Same length, head and tail: the hash is the same, the bytes differ in the middle.
    const m = new BytesMap<number>(1000);
    const key = (i: number): Uint8Array => {
      const k = new Uint8Array(200);
      new DataView(k.buffer).setUint32(100, i);
      return k;
    };
    for (let i = 0; i < 100; i++) m.set(key(i), i);
    expect(m.size).toBe(MAX_BUCKET);
    for (let i = 0; i < 100 - MAX_BUCKET; i++) expect(m.get(key(i))).toBeUndefined();
    for (let i = 100 - MAX_BUCKET; i < 100; i++) expect(m.get(key(i))).toBe(i);
  });
});

describe('SizeTieredBytesMap', () => {
  it('bounds long keys apart from short ones: a flood of long keys never evicts a short one', () => {
    const m = new SizeTieredBytesMap<number>(4, 2, 8);
    const short = Uint8Array.of(1, 2, 3);
    m.set(short, 1);
    for (let i = 0; i < 100; i++) m.set(new Uint8Array(9).fill(i), i);
    expect(m.get(short)).toBe(1);
    expect(m.get(new Uint8Array(9).fill(99))).toBe(99);
    expect(m.get(new Uint8Array(9).fill(98))).toBe(98);
    expect(m.get(new Uint8Array(9).fill(97))).toBeUndefined();
    // Short keys keep their own bound: the fifth short key evicts the least recently used one.
    for (let i = 0; i < 4; i++) m.set(Uint8Array.of(9, i), i);
    expect(m.get(short)).toBeUndefined();
    expect(m.get(new Uint8Array(9).fill(99))).toBe(99);
  });
});
