/**
 * JSON shown on a terminal: `escapeJsonForDisplay` writes the characters a terminal or editor acts on as escapes,
 * and the text still reads back as the same value.
 */
import { describe, expect, it } from 'vitest';
import { escapeJsonForDisplay } from '../../src/encoding/index.js';

/** DEL, C1 (CSI among them), the separators and every bidirectional control. */
const UNSAFE = ['\u007f', '\u0080', '\u009b', '\u009f', '\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u2028', '\u2029'];
const UNSAFE_RAW = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;

describe('escapeJsonForDisplay', () => {
  it('escapes each unsafe character as \\uXXXX and the text reads back as the same value', () => {
    for (const c of UNSAFE) {
      const value = { name: `a${c}b`, list: [c, `${c}${c}`], [`k${c}`]: 1 };
      const text = escapeJsonForDisplay(JSON.stringify(value, null, 2));
      expect(text, c.codePointAt(0)?.toString(16)).not.toMatch(UNSAFE_RAW);
      expect(text).toContain(`a\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}b`);
      expect(JSON.parse(text)).toEqual(value);
    }
  });

  it('leaves every other character as JSON.stringify wrote it, and returns the same string when nothing is unsafe', () => {
    const value = { payee: '北京某某办公用品有限公司', accent: 'é\u00a0ü', emoji: '😀', quote: '"\\', c0: '\u0001\n\t', zwj: 'a\u200db' };
    const text = JSON.stringify(value);
    expect(escapeJsonForDisplay(text)).toBe(text);
    const mixed = JSON.stringify({ a: '中\u202e文', b: '\u0085' });
    expect(escapeJsonForDisplay(mixed)).toBe('{"a":"中\\u202e文","b":"\\u0085"}');
  });
});
