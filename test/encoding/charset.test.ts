import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetFromLabel, clipText, decodeText, encodeText, findUnmappable, gbkByteLength } from '../../src/encoding/index.js';

describe('charset', () => {
  it('clipText never splits a surrogate pair', () => {
    expect(clipText('a😀😀', 2)).toBe('a');
    expect(clipText('a😀😀', 3)).toBe('a😀');
    expect(clipText('abc', 3)).toBe('abc');
    expect(clipText('abcd', 3)).toBe('abc');
    const loneSurrogate = /\p{Cs}/u; // in unicode mode a pair is one astral code point; only a lone half is Cs
    for (let n = 1; n <= 9; n++) expect(loneSurrogate.test(clipText('a😀b😀😀', n))).toBe(false);
    expect(loneSurrogate.test('a😀'.slice(0, 2))).toBe(true);
  });

  it('maps declared labels (GB2312 and GB18030 are read as GBK)', () => {
    expect(charsetFromLabel('gbk')).toBe('GBK');
    expect(charsetFromLabel('GB2312')).toBe('GBK');
    expect(charsetFromLabel('gb18030')).toBe('GBK');
    expect(charsetFromLabel('utf-8')).toBe('UTF-8');
    expect(charsetFromLabel('UTF8')).toBe('UTF-8');
    expect(charsetFromLabel('ISO-8859-1')).toBeUndefined();
  });

  it('encodes GBK like the reference table and decodes it back', () => {
    const text = '财政直接支付凭证 ABC·—';
    const bytes = encodeText(text, 'GBK');
    expect(Buffer.from(bytes)).toEqual(iconv.encode(text, 'gbk'));
    expect(Buffer.from(encodeText('中文', 'GBK')).toString('hex')).toBe('d6d0cec4');
    expect(decodeText(bytes, 'GBK')).toBe(text);
  });

  it('encodes ASCII text (the fast path) exactly as the reference table does, into its own buffer', () => {
    const all = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join('');
    const long = Array.from({ length: 20_000 }, (_, i) => all[(i * 37) % 128]).join('');
    for (const text of ['', all, long, '<?xml version="1.0" encoding="GBK"?>']) {
      const bytes = encodeText(text, 'GBK');
      expect(Buffer.from(bytes)).toEqual(iconv.encode(text, 'gbk'));
      expect(bytes.byteOffset).toBe(0);
      expect(bytes.buffer.byteLength).toBe(text.length);
    }
    // One character past ASCII takes the checked path.
    expect(Buffer.from(encodeText(`${long}中`, 'GBK'))).toEqual(iconv.encode(`${long}中`, 'gbk'));
    expect(() => encodeText(`${long}\u0080`, 'GBK')).toThrow(expect.objectContaining({ code: 'ENCODING_UNMAPPABLE_CHAR' }));
  });

  it('never writes ? for a character GBK lacks', () => {
    for (const ch of ['😀', '\u0080', '\ufffd', '𠀀']) {
      expect(() => encodeText(`a${ch}`, 'GBK')).toThrow(expect.objectContaining({ code: 'ENCODING_UNMAPPABLE_CHAR' }));
    }
    expect(findUnmappable('ab😀', 'GBK')).toEqual({ char: 'U+1F600', index: 2 });
    expect(findUnmappable('a?b', 'GBK')).toBeUndefined();
    expect(Buffer.from(encodeText('?', 'GBK')).toString()).toBe('?');
  });

  it('rejects a lone surrogate in UTF-8 instead of writing U+FFFD', () => {
    expect(() => encodeText('a\ud800b', 'UTF-8')).toThrow(expect.objectContaining({ code: 'ENCODING_UNMAPPABLE_CHAR' }));
    expect(Buffer.from(encodeText('财😀', 'UTF-8')).toString('utf8')).toBe('财😀');
  });

  it('rejects invalid GBK byte sequences (decode then re-encode must give the input)', () => {
    // 0x81 0x30 0x81 0x30 is a GB18030 four-byte sequence: not GBK.
    for (const bad of [[0xff], [0x81], [0x81, 0x30, 0x81, 0x30], [0xd6], [0x41, 0xa1]]) {
      expect(() => decodeText(new Uint8Array(bad), 'GBK')).toThrow(expect.objectContaining({ code: 'ENCODING_INVALID_BYTES' }));
    }
    // The euro sign's single byte is CP936's alone (GB18030 and Python's gbk refuse it); private-use and
    // GB18030-only pairs are read differently by other readers (gbk_fast.test.ts).
    for (const bad of [[0x80], [0xaa, 0xa1], [0xfe, 0x55], [0xa8, 0xbc]]) {
      expect(() => decodeText(new Uint8Array(bad), 'GBK')).toThrow(expect.objectContaining({ code: 'ENCODING_INVALID_BYTES', detail: expect.objectContaining({ offset: '0' }) }));
    }
  });

  it('rejects invalid UTF-8 (overlong, truncated, surrogates)', () => {
    for (const bad of [[0xc0, 0xaf], [0xe8, 0xb4], [0xed, 0xa0, 0x80], [0xff]]) {
      expect(() => decodeText(new Uint8Array(bad), 'UTF-8')).toThrow(expect.objectContaining({ code: 'ENCODING_INVALID_BYTES' }));
    }
    expect(decodeText(new Uint8Array([0xe8, 0xb4, 0xa2]), 'UTF-8')).toBe('财');
  });

  it('says where invalid UTF-8 starts, as the native fatal decoder judges it', () => {
    const cases: [number[], number][] = [
      [[0x41, 0xc0, 0xaf], 1],
      [[0x41, 0x42, 0xe8, 0xb4], 2],
      [[0xe8, 0xb4, 0xa2, 0xed, 0xa0, 0x80], 3],
      [[0xf4, 0x90, 0x80, 0x80], 0],
      [[0xf0, 0x8f, 0xbf, 0xbf], 0],
      [[0xe0, 0x9f, 0xbf], 0],
      [[0xf0, 0x9f, 0x98, 0x80, 0x80], 4],
      [[0xe8, 0xb4, 0x41], 0],
      [[0xf5], 0],
    ];
    for (const [bad, offset] of cases) {
      expect(() => decodeText(new Uint8Array(bad), 'UTF-8'), bad.join(',')).toThrow(expect.objectContaining({ code: 'ENCODING_INVALID_BYTES', detail: { charset: 'UTF-8', offset: String(offset) } }));
    }
    // Random bytes: what comes before the offset decodes, and nothing valid starts at it.
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
    for (let t = 0; t < 2000; t++) {
      const bytes = new Uint8Array(1 + (t % 9)).map(() => (rnd() < 128 ? 0x41 : rnd() | 0x80));
      let err: unknown;
      try {
        decodeText(bytes, 'UTF-8');
        continue;
      } catch (e) {
        err = e;
      }
      const offset = Number((err as { detail: Record<string, string> }).detail['offset']);
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, offset))).not.toThrow();
      // No character starts validly at the offset: every prefix reaching past it fails.
      expect(offset).toBeLessThan(bytes.length);
      for (let l = 1; l <= 4 && offset + l <= bytes.length; l++) {
        expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, offset + l))).toThrow();
      }
    }
  });

  it('counts GBK bytes: CJK 2, ASCII 1, unmappable undefined', () => {
    expect(gbkByteLength('财政a')).toBe(5);
    expect(gbkByteLength('')).toBe(0);
    expect(gbkByteLength('·—')).toBe(4);
    // Not written: the euro sign (CP936's single byte 0x80), private use, a character GB18030 has and GBK not.
    for (const s of ['€5', '张\uE000', '张\u3473', '\u1E3F', '😀']) expect(gbkByteLength(s), s).toBeUndefined();
  });
});
