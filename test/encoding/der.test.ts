import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DerNode, DerPending, DerTagSpec } from '../../src/encoding/der.js';
import {
  DER_TAG,
  derBitString,
  derBoolean,
  derChildren,
  derExplicit,
  derGeneralizedTime,
  derIa5String,
  derInteger,
  derOctetString,
  derOid,
  derPending,
  derPrintableString,
  derSequence,
  derTlv,
  derUtcTime,
  derWrite,
  derUtf8String,
  expectDerTag,
  readDer,
  readDerBitString,
  readDerBoolean,
  readDerInteger,
  readDerOid,
  readDerString,
  readDerTime,
  readTlv,
  DER_LOW_TAG_LIMITS,
  DER_MAX_DEPTH_LIMIT,
  compareDer,
  derContextTag,
  derEnumerated,
  derNull,
  failDer,
  isDerError,
  mapDerErrors,
  readDerBitStringOctets,
  readDerEnumerated,
  readDerIntegerBytes,
  readDerLazy,
  readDerSmallInteger,
  readDerX509Time,
} from '../../src/encoding/index.js';
import { EvoucherError } from '../../src/errors.js';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof EvoucherError) return e.code;
    throw e;
  }
  return undefined;
}

describe('readDer: strict structure', () => {
  it('builds a tree whose raw and value are views of the input', () => {
    const buf = hex('30 09 02 01 04 0c 02 41 42 05 00');
    const root = readDer(buf);
    expect(root.tag).toBe(16);
    expect(root.class).toBe('universal');
    expect(root.constructed).toBe(true);
    expect(root.headerLength).toBe(2);
    expect(root.length).toBe(9);
    expect([root.start, root.end]).toEqual([0, 11]);
    expect(root.children?.map((c) => c.tag)).toEqual([2, 12, 5]);
    const s = root.children?.[1];
    expect(s?.start).toBe(5);
    expect(s?.raw.buffer).toBe(buf.buffer);
    expect(toHex(s?.raw ?? new Uint8Array())).toBe('0c024142');
    expect(toHex(s?.value ?? new Uint8Array())).toBe('4142');
  });

  it('handles long-form lengths and high tag numbers', () => {
    const body = new Uint8Array(300).fill(7);
    const os = derOctetString(body);
    expect(toHex(os.subarray(0, 4))).toBe('0482012c');
    const n = readDer(os);
    expect(n.length).toBe(300);
    expect(n.headerLength).toBe(4);
    const high = derTlv({ class: 'context', tag: 200, constructed: false }, Uint8Array.of(1));
    expect(toHex(high)).toBe('9f814801' + '01');
    const h = readDer(high);
    expect([h.class, h.tag, h.constructed]).toEqual(['context', 200, false]);
  });

  it.each([
    ['truncated value', '3005020104', 'DER_MALFORMED'],
    ['truncated header', '30', 'DER_MALFORMED'],
    ['empty input', '', 'DER_MALFORMED'],
    ['truncated long length', '3082', 'DER_MALFORMED'],
    ['trailing bytes', '3003020104 00', 'DER_TRAILING_BYTES'],
    ['indefinite length', '3080020104 0000', 'DER_INDEFINITE_LENGTH'],
    ['length claiming 2^32', '308501000000000000', 'DER_TOO_LARGE'],
    ['length claiming 2^32 - 1', '3084ffffffff', 'DER_TOO_LARGE'],
    ['non-minimal long form', '308103020104', 'DER_MALFORMED'],
    ['leading zero length octet', '30820003020104', 'DER_MALFORMED'],
    ['reserved length 0xff', '30ff', 'DER_MALFORMED'],
    ['child overruns its parent', '3003020204', 'DER_MALFORMED'],
    ['children do not fill the parent', '3004020104', 'DER_MALFORMED'],
    ['constructed OCTET STRING (BER)', '2403040100', 'DER_MALFORMED'],
    ['primitive SEQUENCE', '1000', 'DER_MALFORMED'],
    ['end-of-contents', '0000', 'DER_MALFORMED'],
    ['reserved universal tag 15', '0f0100', 'DER_MALFORMED'],
    ['reserved universal tag 37 (high form)', '1f250100', 'DER_MALFORMED'],
    ['reserved universal tag 37, constructed, inside a SEQUENCE', '30053f25020500', 'DER_MALFORMED'],
    ['high-form tag for a low number', '9f0100', 'DER_MALFORMED'],
    ['non-minimal high tag', '9f80480100', 'DER_MALFORMED'],
    ['constructed VideotexString (BER)', '3503040100', 'DER_MALFORMED'],
    ['constructed GeneralString (BER)', '3b03040100', 'DER_MALFORMED'],
    ['constructed GraphicString (BER)', '3903040100', 'DER_MALFORMED'],
    ['constructed ObjectDescriptor (BER)', '2703040100', 'DER_MALFORMED'],
    ['constructed RELATIVE-OID', '2d03040100', 'DER_MALFORMED'],
    ['constructed REAL', '2903040100', 'DER_MALFORMED'],
    ['constructed DATE (high-form universal 31)', '3f1f03040100', 'DER_MALFORMED'],
    ['primitive EXTERNAL', '080100', 'DER_MALFORMED'],
    ['primitive CHARACTER STRING', '1d0100', 'DER_MALFORMED'],
    ['NULL with a contents octet', '050100', 'DER_MALFORMED'],
    ['NULL with contents, inside a SEQUENCE', '3003050100', 'DER_MALFORMED'],
    ['empty BOOLEAN', '0100', 'DER_MALFORMED'],
    ['BOOLEAN of two octets', '010200ff', 'DER_MALFORMED'],
  ])('rejects %s', (_name, h, code) => {
    expect(codeOf(() => readDer(hex(h)))).toBe(code);
  });

  it('rejects 10k-deep nesting with DER_TOO_DEEP, quickly', () => {
    // 10,000 nested SEQUENCEs, each with a minimal length: valid DER except for the depth.
    const depth = 10_000;
    const headers: number[][] = [];
    let inner = 0;
    for (let i = 0; i < depth; i++) {
      const h = inner < 0x80 ? [0x30, inner] : inner < 0x100 ? [0x30, 0x81, inner] : inner < 0x10000 ? [0x30, 0x82, inner >> 8, inner & 0xff] : [0x30, 0x83, inner >> 16, (inner >> 8) & 0xff, inner & 0xff];
      headers.push(h);
      inner += h.length;
    }
    const buf = Uint8Array.from(headers.reverse().flat());
    expect(buf.length).toBe(inner);
    const t0 = performance.now();
    expect(codeOf(() => readDer(buf))).toBe('DER_TOO_DEEP');
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('accepts nesting up to the limit and refuses one deeper', () => {
    let inner: Uint8Array = derInteger(1);
    for (let i = 0; i < 31; i++) inner = derSequence(inner);
    expect(readDer(inner).tag).toBe(16); // depth 32
    expect(codeOf(() => readDer(derSequence(inner)))).toBe('DER_TOO_DEEP');
    expect(readDer(derSequence(inner), { maxDepth: 33 }).tag).toBe(16);
  });

  it('refuses limits that would switch a check off or outgrow the stack, with ARG_INVALID', () => {
    const os = derOctetString(new Uint8Array(5000));
    for (const limits of [{ maxSize: NaN }, { maxSize: -1 }, { maxSize: 1.5 }, { maxDepth: NaN }, { maxDepth: Infinity }, { maxDepth: DER_MAX_DEPTH_LIMIT + 1 }, { maxNodes: NaN }, { maxTagNumber: NaN }]) {
      expect(codeOf(() => readDer(os, limits)), JSON.stringify(limits)).toBe('ARG_INVALID');
      expect(codeOf(() => readDerLazy(os, limits)), JSON.stringify(limits)).toBe('ARG_INVALID');
    }
    // The deepest limit allowed still ends in DER_TOO_DEEP, never in a RangeError from the call stack.
    let deep: Uint8Array = derNull();
    for (let i = 0; i < DER_MAX_DEPTH_LIMIT + 10; i++) deep = derSequence(deep);
    expect(codeOf(() => readDer(deep, { maxDepth: DER_MAX_DEPTH_LIMIT }))).toBe('DER_TOO_DEEP');
  });

  it('bounds input size and node count', () => {
    const big = new Uint8Array(5 * 1024 * 1024);
    const t0 = performance.now();
    expect(codeOf(() => readDer(big))).toBe('DER_TOO_LARGE');
    expect(codeOf(() => readDer(derOctetString(new Uint8Array(2000)), { maxSize: 1000 }))).toBe('DER_TOO_LARGE');
    const many = derSequence(...Array.from({ length: 50 }, () => hex('0500')));
    expect(codeOf(() => readDer(many, { maxNodes: 20 }))).toBe('DER_TOO_LARGE');
    expect(readDer(many).children?.length).toBe(50);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('readTlv reads one element without descending and checks it fits', () => {
    const buf = hex('020104 0500');
    const a = readTlv(buf, 0);
    expect([a.tag, a.end, a.children]).toEqual([2, 3, undefined]);
    const b = readTlv(buf, a.end);
    expect([b.tag, b.end]).toEqual([5, 5]);
    expect(codeOf(() => readTlv(hex('0205 01'), 0))).toBe('DER_MALFORMED');
    expect(codeOf(() => readTlv(hex('3080'), 0))).toBe('DER_INDEFINITE_LENGTH');
  });

  it('never throws anything but EvoucherError on random bytes', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const sample = derSequence(derInteger(4), derIa5String('ES'), derOctetString(new Uint8Array(40)), derBitString(Uint8Array.of(1, 2)));
    for (let i = 0; i < 3000; i++) {
      const b = sample.slice();
      const flips = 1 + (rnd() % 3);
      for (let j = 0; j < flips; j++) b[rnd() % b.length] = rnd() & 0xff;
      try {
        readDer(b);
      } catch (e) {
        expect(e).toBeInstanceOf(EvoucherError);
      }
    }
  });
});

describe('value decoders', () => {
  it('INTEGER: minimal two\'s complement', () => {
    expect(readDerInteger(readDer(hex('020100')), 'x')).toBe(0n);
    expect(readDerInteger(readDer(hex('020180')), 'x')).toBe(-128n);
    expect(readDerInteger(readDer(hex('02020080')), 'x')).toBe(128n);
    expect(codeOf(() => readDerInteger(readDer(hex('02020001')), 'x'))).toBe('DER_MALFORMED');
    expect(codeOf(() => readDerInteger(readDer(hex('0202ff80')), 'x'))).toBe('DER_MALFORMED');
    expect(codeOf(() => readDerInteger(readDer(hex('0200')), 'x'))).toBe('DER_MALFORMED');
    expect(codeOf(() => readDerInteger(readDer(hex('0500')), 'x'))).toBe('DER_MALFORMED');
    expect(codeOf(() => readDerInteger(undefined, 'x'))).toBe('DER_MALFORMED');
  });

  it('BOOLEAN: only 00 and ff', () => {
    expect(readDerBoolean(readDer(hex('010100')), 'b')).toBe(false);
    expect(readDerBoolean(readDer(hex('0101ff')), 'b')).toBe(true);
    expect(codeOf(() => readDerBoolean(readDer(hex('010101')), 'b'))).toBe('DER_MALFORMED');
  });

  it('OID: round trip and minimal arcs', () => {
    for (const o of ['1.2.156.10197.1.501', '1.2.840.10045.2.1', '2.999.3', '0.39']) {
      expect(readDerOid(readDer(derOid(o)), 'o')).toBe(o);
    }
    expect(toHex(derOid('1.2.156.10197.1.501'))).toBe('06082a811ccf55018375');
    expect(codeOf(() => readDerOid(readDer(hex('0603 2a8001')), 'o'))).toBe('DER_MALFORMED');
    expect(codeOf(() => readDerOid(readDer(hex('0602 2a81')), 'o'))).toBe('DER_MALFORMED');
    expect(codeOf(() => derOid('1.40'))).toBe('ARG_INVALID');
    // The writer writes only what the reader reads back, as the same text.
    expect(codeOf(() => derOid('1.02.3'))).toBe('ARG_INVALID');
    expect(codeOf(() => derOid('01.2.3'))).toBe('ARG_INVALID');
    expect(codeOf(() => derOid(`1.2.${'9'.repeat(200)}`))).toBe('ARG_INVALID');
    expect(codeOf(() => derOid(`1.2${'.1'.repeat(64)}`))).toBe('ARG_INVALID'); // 65 octets
    const longest = `1.2${'.1'.repeat(63)}`; // 64 octets
    expect(readDerOid(readDer(derOid(longest)), 'o')).toBe(longest);
    expect(readDerOid(readDer(derOid('1.0.0')), 'o')).toBe('1.0.0');
  });

  it('OID: arcs on both sides of 2^46 and 2^53 read exactly (number and BigInt paths), errors alike on both', () => {
    const arcs = ['70368744177663', '70368744177664', '9007199254740991', '9007199254740993', '340282366920938463463374607431768211455'];
    for (const a of arcs) {
      for (const o of [`1.2.${a}`, `1.2.${a}.7`, `2.${a}`]) expect(readDerOid(readDer(derOid(o)), 'o')).toBe(o);
    }
    // Every arc length around the switch, against the encoder, which works in BigInt only.
    for (let bits = 1; bits <= 70; bits++) {
      const o = `1.3.${(1n << BigInt(bits)) - 1n}.${1n << BigInt(bits)}`;
      expect(readDerOid(readDer(derOid(o)), 'o')).toBe(o);
    }
    // A non-minimal or truncated arc after a long one is still refused.
    const long = toHex(derOid('1.2.9007199254740993')).slice(4);
    expect(codeOf(() => readDerOid(readDer(hex(`06${(long.length / 2 + 2).toString(16).padStart(2, '0')}${long}8001`)), 'o'))).toBe('DER_MALFORMED');
    expect(codeOf(() => readDerOid(readDer(hex(`06${(long.length / 2 + 1).toString(16).padStart(2, '0')}${long}81`)), 'o'))).toBe('DER_MALFORMED');
  });

  it('OID: the encoder hands out copies (a caller writing into one changes no later encoding)', () => {
    const a = derOid('1.2.840.10045.2.1');
    a.fill(0);
    expect(toHex(derOid('1.2.840.10045.2.1'))).toBe('06072a8648ce3d0201');
  });

  it('BIT STRING: unused bits and padding', () => {
    expect(toHex(readDerBitString(readDer(hex('0303000102')), 's').bytes)).toBe('0102');
    expect(readDerBitString(readDer(hex('030204f0')), 's').unusedBits).toBe(4);
    expect(codeOf(() => readDerBitString(readDer(hex('030204f1')), 's'))).toBe('DER_MALFORMED');
    expect(codeOf(() => readDerBitString(readDer(hex('030208ff')), 's'))).toBe('DER_MALFORMED');
    expect(codeOf(() => readDerBitString(readDer(hex('030101')), 's'))).toBe('DER_MALFORMED');
    expect(codeOf(() => readDerBitString(readDer(hex('0300')), 's'))).toBe('DER_MALFORMED');
  });

  it('strings check their repertoire', () => {
    expect(readDerString(readDer(derUtf8String('OFDRW测试用印章')), 'utf8', 's')).toBe('OFDRW测试用印章');
    expect(readDerString(readDer(derIa5String('ES')), 'ia5', 's')).toBe('ES');
    expect(readDerString(readDer(derPrintableString('SM3')), 'printable', 's')).toBe('SM3');
    expect(codeOf(() => readDerString(readDer(hex('0c02c328')), 'utf8', 's'))).toBe('DER_MALFORMED');
    expect(codeOf(() => readDerString(readDer(hex('160180')), 'ia5', 's'))).toBe('DER_MALFORMED');
    expect(codeOf(() => readDerString(readDer(hex('13012a')), 'printable', 's'))).toBe('DER_MALFORMED');
    expect(codeOf(() => derIa5String('印'))).toBe('ARG_INVALID');
    expect(codeOf(() => derUtf8String('\ud800x'))).toBe('ARG_INVALID');
  });

  it('a pending structure is written as the nested TLVs would be, in one array', () => {
    type Tree = { spec: DerTagSpec; parts: (Uint8Array | Tree)[] };
    const spec: fc.Arbitrary<DerTagSpec> = fc.oneof(
      fc.constantFrom<DerTagSpec>(DER_TAG.SEQUENCE, DER_TAG.SET),
      fc.record({ class: fc.constantFrom('context' as const, 'application' as const, 'private' as const), tag: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 31, max: 2 ** 20 })), constructed: fc.boolean() }),
    );
    const { tree } = fc.letrec<{ tree: Tree; part: Uint8Array | Tree }>((tie) => ({
      tree: fc.record({ spec, parts: fc.array(tie('part'), { maxLength: 4 }) }),
      part: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.uint8Array({ maxLength: 300 }).map((b) => derOctetString(b)), tie('tree')),
    }));
    const nested = (t: Tree): Uint8Array => derTlv(t.spec, ...t.parts.map((p) => (p instanceof Uint8Array ? p : nested(p))));
    const pending = (t: Tree): DerPending => derPending(t.spec, ...t.parts.map((p) => (p instanceof Uint8Array ? p : pending(p))));
    fc.assert(
      fc.property(tree, (t) => {
        const p = pending(t);
        const out = derWrite(p);
        expect(toHex(out)).toBe(toHex(nested(t)));
        expect(out.length).toBe(p.size);
      }),
    );
    expect(toHex(derWrite(derPending(DER_TAG.SEQUENCE, derInteger(1), derPending(DER_TAG.SEQUENCE, derNull()))))).toBe('3007020101' + '30020500');
  });

  it('UTF8String bytes are the UTF-8 of the text, ASCII or not', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 })), (text) => {
        const tlv = readDer(derUtf8String(text));
        expect(Buffer.from(tlv.value).equals(Buffer.from(text, 'utf8'))).toBe(true);
        expect(readDerString(tlv, 'utf8', 's')).toBe(text);
      }),
    );
    expect(toHex(derUtf8String('\u007f\u0080'))).toBe('0c037fc280');
  });

  it('times: DER forms only, exact round trip', () => {
    const t = new Date('2020-10-10T07:11:20Z');
    expect(Buffer.from(readDer(derGeneralizedTime(t)).value).toString()).toBe('20201010071120Z');
    expect(readDerTime(readDer(derGeneralizedTime(t)), 'generalized', 't').toISOString()).toBe(t.toISOString());
    const f = new Date('2020-10-10T07:11:20.120Z');
    expect(Buffer.from(readDer(derGeneralizedTime(f)).value).toString()).toBe('20201010071120.12Z');
    expect(readDerTime(readDer(derGeneralizedTime(f)), 'generalized', 't').getTime()).toBe(f.getTime());
    expect(Buffer.from(readDer(derUtcTime(new Date('2020-04-22T00:00:00Z'))).value).toString()).toBe('200422000000Z');
    expect(readDerTime(readDer(derUtcTime(new Date('1999-12-31T23:59:59Z'))), 'utc', 't').getUTCFullYear()).toBe(1999);
    const gt = (s: string): Uint8Array => derTlv(DER_TAG.GENERALIZED_TIME, Buffer.from(s));
    for (const bad of ['20201010071120', '202010100711Z', '20201010071120.10Z', '20201010071120+0800', '20200230000000Z', '20201310000000Z', '20201010241120Z']) {
      expect(codeOf(() => readDerTime(readDer(gt(bad)), 'generalized', 't'))).toBe('DER_MALFORMED');
    }
    // A time of megabytes is refused at once, not copied into a string first.
    const long = gt(`20201010071120.${'1'.repeat(4_000_000)}Z`);
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) expect(codeOf(() => readDerTime(readDer(long), 'generalized', 't'))).toBe('DER_MALFORMED');
    expect(performance.now() - t0).toBeLessThan(200);
    expect(codeOf(() => derUtcTime(new Date('2050-01-01T00:00:00Z')))).toBe('ARG_INVALID');
    expect(codeOf(() => derUtcTime(new Date('2020-01-01T00:00:00.5Z')))).toBe('ARG_INVALID');
  });

  it('derChildren and expectDerTag check counts and tags', () => {
    const n = readDer(derSequence(derInteger(1), derExplicit(0, derBoolean(true))));
    expect(derChildren(n, 'n', 2, 2).length).toBe(2);
    expect(codeOf(() => derChildren(n, 'n', 3))).toBe('DER_MALFORMED');
    const ctx = expectDerTag(n.children?.[1], { class: 'context', tag: 0, constructed: true }, 'ext');
    expect(readDerBoolean(ctx.children?.[0], 'b')).toBe(true);
    expect(codeOf(() => expectDerTag(n.children?.[0], DER_TAG.OCTET_STRING, 'x'))).toBe('DER_MALFORMED');
  });
});

describe('writer', () => {
  it('INTEGER encodings are minimal', () => {
    const cases: Array<[bigint | number, string]> = [[0, '020100'], [127, '02017f'], [128, '02020080'], [-1, '0201ff'], [-129, '0202ff7f'], [256n, '02020100']];
    for (const [v, h] of cases) expect(toHex(derInteger(v))).toBe(h);
  });

  it('small non-negative numbers encode exactly as their bigint (the general path)', () => {
    const edges = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffff, 0x800000, 0xffffff, 0x1000000, 0x7fffffff, 0x80000000];
    for (const v of edges) expect(toHex(derInteger(v)), String(v)).toBe(toHex(derInteger(BigInt(v))));
    fc.assert(fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (v) => {
      const der = derInteger(v);
      expect(toHex(der)).toBe(toHex(derInteger(BigInt(v))));
      expect(readDerInteger(readDer(der), 'v')).toBe(BigInt(v));
    }), { seed: 38540, numRuns: 2000 });
  });

  it('lengths are written in the fewest octets at every boundary and read back', () => {
    const cases: Array<[number, string]> = [[0, '0400'], [127, '047f'], [128, '048180'], [255, '0481ff'], [256, '04820100'], [65535, '0482ffff'], [65536, '0483010000']];
    for (const [len, head] of cases) {
      const der = derTlv(DER_TAG.OCTET_STRING, new Uint8Array(len).fill(7));
      expect(toHex(der.subarray(0, head.length / 2)), String(len)).toBe(head);
      expect(der.length).toBe(head.length / 2 + len);
      expect(readDer(der).value.length).toBe(len);
    }
    // Several content parts are written one after another, in order.
    expect(toHex(derTlv(DER_TAG.OCTET_STRING, Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)))).toBe('0403010203');
  });

  it('reads back what it writes, value for value and octet for octet, eagerly and lazily (random structures)', () => {
    type Leaf = { kind: 'int'; v: bigint } | { kind: 'oid'; v: string } | { kind: 'bits'; v: Uint8Array; unused: number } | { kind: 'bool'; v: boolean }
      | { kind: 'utf8'; v: string } | { kind: 'gtime'; v: Date } | { kind: 'octets'; v: Uint8Array } | { kind: 'null' };
    type Tree = { spec: DerTagSpec; kids: (Leaf | Tree)[] };
    const leaf: fc.Arbitrary<Leaf> = fc.oneof(
      fc.bigInt({ min: -(1n << 200n), max: 1n << 200n }).map((v) => ({ kind: 'int' as const, v })),
      fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 39 }), fc.array(fc.bigInt({ min: 0n, max: 1n << 60n }), { maxLength: 5 }))
        .map(([a, b, rest]) => ({ kind: 'oid' as const, v: [a, b, ...rest].join('.') })),
      fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 7 }))
        .map(([v, unused]) => { const b = v.slice(); b[b.length - 1] = (b[b.length - 1] as number) & (0xff << unused); return { kind: 'bits' as const, v: b, unused }; }),
      fc.boolean().map((v) => ({ kind: 'bool' as const, v })),
      fc.string({ unit: 'grapheme', maxLength: 20 }).map((v) => ({ kind: 'utf8' as const, v })),
      fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }).map((v) => ({ kind: 'gtime' as const, v })),
      fc.uint8Array({ maxLength: 300 }).map((v) => ({ kind: 'octets' as const, v })),
      fc.constant({ kind: 'null' as const }),
    );
    const spec: fc.Arbitrary<DerTagSpec> = fc.oneof(
      fc.constantFrom<DerTagSpec>(DER_TAG.SEQUENCE, DER_TAG.SET),
      fc.record({ class: fc.constantFrom('context' as const, 'application' as const, 'private' as const), tag: fc.integer({ min: 0, max: 2 ** 20 }), constructed: fc.constant(true) }),
    );
    const { tree } = fc.letrec<{ tree: Tree; node: Leaf | Tree }>((tie) => ({
      tree: fc.record({ spec, kids: fc.array(tie('node'), { maxLength: 4 }) }),
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('tree')),
    }));
    const write = (n: Leaf | Tree): Uint8Array => {
      if ('spec' in n) return derTlv(n.spec, ...n.kids.map(write));
      switch (n.kind) {
        case 'int': return derInteger(n.v);
        case 'oid': return derOid(n.v);
        case 'bits': return derBitString(n.v, n.unused);
        case 'bool': return derBoolean(n.v);
        case 'utf8': return derUtf8String(n.v);
        case 'gtime': return derGeneralizedTime(n.v);
        case 'octets': return derOctetString(n.v);
        default: return derNull();
      }
    };
    const check = (n: Leaf | Tree, node: DerNode, kids: (x: DerNode) => readonly DerNode[]): void => {
      if ('spec' in n) {
        const k = kids(node);
        expect(k.length).toBe(n.kids.length);
        n.kids.forEach((c, i) => check(c, k[i] as DerNode, kids));
        return;
      }
      switch (n.kind) {
        case 'int': expect(readDerInteger(node, 'i')).toBe(n.v); break;
        case 'oid': expect(readDerOid(node, 'o')).toBe(n.v); break;
        case 'bits': expect(readDerBitString(node, 'b')).toEqual({ unusedBits: n.unused, bytes: n.v }); break;
        case 'bool': expect(readDerBoolean(node, 'b')).toBe(n.v); break;
        case 'utf8': expect(readDerString(node, 'utf8', 's')).toBe(n.v); break;
        case 'gtime': expect(readDerTime(node, 'generalized', 't').getTime()).toBe(n.v.getTime()); break;
        case 'octets': expect(toHex(node.value)).toBe(toHex(n.v)); break;
        default: expect([node.tag, node.length]).toEqual([DER_TAG.NULL, 0]);
      }
    };
    // Re-encoding a read tree from its tags and contents gives the input back: no second encoding was accepted.
    const rewrite = (node: DerNode): Uint8Array => (node.constructed
      ? derTlv({ class: node.class, tag: node.tag, constructed: true }, ...(node.children ?? []).map(rewrite))
      : derTlv({ class: node.class, tag: node.tag, constructed: false }, node.value));
    fc.assert(fc.property(tree, (t) => {
      const der = write(t);
      const eager = readDer(der);
      check(t, eager, (x) => x.children ?? []);
      check(t, readDerLazy(der), (x) => derChildren(x, 'x'));
      expect(toHex(rewrite(eager))).toBe(toHex(der));
    }), { seed: 690, numRuns: 500 });
  });

  it('agrees with openssl asn1parse on a composite structure', () => {
    const der = derSequence(
      derInteger(4),
      derIa5String('ES'),
      derUtf8String('印章'),
      derGeneralizedTime(new Date('2026-11-28T10:00:00Z')),
      derUtcTime(new Date('2020-04-22T00:00:00Z')),
      derOid('1.2.156.10197.1.501'),
      derBitString(Uint8Array.of(0xab)),
      derOctetString(new Uint8Array(200)),
      derPrintableString('SM3'),
      derExplicit(0, derBoolean(false)),
    );
    expect(readDer(der).children?.length).toBe(10);
    let out: string;
    try {
      out = execFileSync('openssl', ['asn1parse', '-inform', 'DER'], { input: der }).toString();
    } catch (e) {
      throw new Error(`openssl asn1parse failed: ${String(e)}`);
    }
    expect(out).toMatch(/INTEGER\s+:04/);
    expect(out).toMatch(/IA5STRING\s+:ES/);
    expect(out).toMatch(/GENERALIZEDTIME\s+:20261128100000Z/);
    expect(out).toMatch(/UTCTIME\s+:200422000000Z/);
    expect(out).toMatch(/OBJECT\s+:(SM2-with-SM3|1\.2\.156\.10197\.1\.501)/);
    expect(out).toMatch(/PRINTABLESTRING\s+:SM3/);
    expect(out).toMatch(/cont \[ 0 \]/);
    expect(out).toMatch(/BOOLEAN/);
  });
});

describe('readDerLazy: the same rules, children on demand', () => {
  const sample = derSequence(derInteger(1), derSequence(derIa5String('ES'), derExplicit(0, derBoolean(true))), derOctetString(Uint8Array.of(9)));

  it('expands children with offsets and views of the input, like readDer', () => {
    const eager = readDer(sample);
    const lazy = readDerLazy(sample);
    expect(lazy.children).toBeUndefined();
    const kids = derChildren(lazy, 'root', 3, 3);
    expect(kids.map((k) => [k.tag, k.start, k.end])).toEqual(eager.children?.map((k) => [k.tag, k.start, k.end]));
    const inner = derChildren(kids[1] as (typeof kids)[number], 'inner', 2, 2);
    expect(inner.map((k) => [k.start, k.end])).toEqual(eager.children?.[1]?.children?.map((k) => [k.start, k.end]));
    expect(inner[0]?.raw.buffer).toBe(sample.buffer);
    const ctx = expectDerTag(inner[1], derContextTag(0), 'ext');
    expect(readDerBoolean(derChildren(ctx, 'ext', 1, 1)[0], 'b')).toBe(true);
  });

  it('refuses what readDer refuses, when the decoder reaches it', () => {
    expect(codeOf(() => readDerLazy(hex('3003020104 00')))).toBe('DER_TRAILING_BYTES');
    expect(codeOf(() => readDerLazy(hex('3080020104 0000')))).toBe('DER_INDEFINITE_LENGTH');
    expect(codeOf(() => readDerLazy(hex('2403040100')))).toBe('DER_MALFORMED');
    const cases: Array<[string, string]> = [
      ['300402010405', 'DER_MALFORMED'], // children do not fill the parent
      ['30052403040100', 'DER_MALFORMED'], // constructed OCTET STRING inside
      ['3006308103020104', 'DER_MALFORMED'], // non-minimal length inside
      ['30020000', 'DER_MALFORMED'], // end-of-contents inside
      ['3002 1000', 'DER_MALFORMED'], // primitive SEQUENCE inside
    ];
    for (const [h, code] of cases) expect(codeOf(() => derChildren(readDerLazy(hex(h)), 'x'))).toBe(code);
  });

  it('stops at max children and at maxDepth', () => {
    const many = derSequence(...Array.from({ length: 50 }, () => derNull()));
    expect(codeOf(() => derChildren(readDerLazy(many), 'many', 0, 10))).toBe('DER_MALFORMED');
    expect(derChildren(readDerLazy(many), 'many').length).toBe(50);
    let deep: Uint8Array = derNull();
    for (let i = 0; i < 4; i++) deep = derSequence(deep);
    let node = readDerLazy(deep, { maxDepth: 4 });
    const walk = (): void => {
      for (;;) node = derChildren(node, 'n', 1, 1)[0] as typeof node;
    };
    expect(codeOf(walk)).toBe('DER_TOO_DEEP');
  });

  it('maxTagNumber refuses the high-tag-number form', () => {
    const high = derSequence(derTlv({ class: 'context', tag: 31, constructed: false }, Uint8Array.of(1)));
    expect(derChildren(readDerLazy(high), 'x')[0]?.tag).toBe(31);
    expect(codeOf(() => derChildren(readDerLazy(high, DER_LOW_TAG_LIMITS), 'x'))).toBe('DER_MALFORMED');
    expect(codeOf(() => readDer(high, DER_LOW_TAG_LIMITS))).toBe('DER_MALFORMED');
    expect(readDer(derSequence(derTlv(derContextTag(30, false), Uint8Array.of(1))), DER_LOW_TAG_LIMITS).children?.[0]?.tag).toBe(30);
  });
});

describe('more value decoders', () => {
  it('ENUMERATED and small INTEGERs: ranges and minimal octets', () => {
    expect(toHex(derEnumerated(1))).toBe('0a0101');
    expect(readDerEnumerated(readDer(derEnumerated(8)), 'e', 0, 10)).toBe(8);
    expect(codeOf(() => readDerEnumerated(readDer(derEnumerated(11)), 'e', 0, 10))).toBe('DER_MALFORMED');
    expect(codeOf(() => readDerEnumerated(readDer(derInteger(1)), 'e'))).toBe('DER_MALFORMED');
    expect(codeOf(() => readDerEnumerated(readDer(hex('0a020001')), 'e'))).toBe('DER_MALFORMED');
    expect(readDerSmallInteger(readDer(derInteger(2 ** 47 - 1)), 'i', 0, 2 ** 47 - 1)).toBe(2 ** 47 - 1);
    expect(codeOf(() => readDerSmallInteger(readDer(derInteger(-1)), 'i'))).toBe('DER_MALFORMED');
    expect(codeOf(() => readDerSmallInteger(readDer(derTlv(DER_TAG.INTEGER, Uint8Array.of(1), new Uint8Array(100_000))), 'i'))).toBe('DER_MALFORMED');
  });

  it('INTEGER bytes: checked, not converted', () => {
    expect(toHex(readDerIntegerBytes(readDer(hex('02020080')), 's'))).toBe('0080');
    expect(codeOf(() => readDerIntegerBytes(readDer(hex('02020001')), 's'))).toBe('DER_MALFORMED');
    const big = derTlv(DER_TAG.INTEGER, Uint8Array.of(0x7f), new Uint8Array(1_000_000).fill(0xab));
    const t0 = performance.now();
    expect(readDerIntegerBytes(readDer(big), 's').length).toBe(1_000_001);
    expect(readDerInteger(readDer(big), 's') > 0n).toBe(true);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('BIT STRING octets: unused bits must be 0', () => {
    expect(toHex(readDerBitStringOctets(readDer(hex('0303000102')), 's'))).toBe('0102');
    expect(codeOf(() => readDerBitStringOctets(readDer(hex('030204f0')), 's'))).toBe('DER_MALFORMED');
    expect(codeOf(() => readDerBitStringOctets(readDer(hex('0500')), 's'))).toBe('DER_MALFORMED');
  });

  it('X.509 Time: either type, no fractional seconds', () => {
    const utc = new Date('2020-04-22T00:00:00Z');
    expect(readDerX509Time(readDer(derUtcTime(utc)), 't').getTime()).toBe(utc.getTime());
    const late = new Date('2050-01-01T00:00:00Z');
    expect(readDerX509Time(readDer(derGeneralizedTime(late)), 't').getTime()).toBe(late.getTime());
    expect(codeOf(() => readDerX509Time(readDer(derGeneralizedTime(new Date('2050-01-01T00:00:00.5Z'))), 't'))).toBe('DER_MALFORMED');
    expect(codeOf(() => readDerX509Time(readDer(derIa5String('200422000000Z')), 't'))).toBe('DER_MALFORMED');
  });
});

describe('errors under the caller\'s code', () => {
  it('mapDerErrors renames DER_* errors only', () => {
    const e = (() => {
      try {
        mapDerErrors('CERT_MALFORMED', () => readDer(hex('3003020104 00')));
      } catch (x) {
        return x;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(EvoucherError);
    expect((e as EvoucherError).code).toBe('CERT_MALFORMED');
    expect((e as EvoucherError).detail['offset']).toBe('5');
    expect(isDerError((e as EvoucherError).cause)).toBe(true);
    expect(codeOf(() => mapDerErrors('CERT_MALFORMED', () => failDer('duplicate extension')))).toBe('CERT_MALFORMED');
    expect(codeOf(() => mapDerErrors('CERT_MALFORMED', () => derOid('x')))).toBe('ARG_INVALID');
    expect(mapDerErrors('CERT_MALFORMED', () => 7)).toBe(7);
    expect(isDerError(new Error('x'))).toBe(false);
  });
});

describe('more writers', () => {
  it('NULL, context tags and SET OF order', () => {
    expect(toHex(derNull())).toBe('0500');
    expect(toHex(derTlv(derContextTag(0, false), Uint8Array.of(1)))).toBe('800101');
    expect(toHex(derTlv(derContextTag(4), derSequence()))).toBe('a4023000');
    const set = [hex('0402ffff'), hex('0401ff'), hex('020101'), hex('0401ff00')].sort(compareDer).map(toHex);
    expect(set).toEqual(['020101', '0401ff', '0401ff00', '0402ffff']);
  });
});
