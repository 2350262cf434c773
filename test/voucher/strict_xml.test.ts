/** Unit tests of the strict XML subset reader and its escaping helpers. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import iconv from 'iconv-lite';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_XML_LIMITS, escapeAttribute, escapeText, readXml } from '../../src/voucher/xml/strict_xml.js';

const read = (s: string, charset: 'gbk' | 'utf8' = 'utf8') =>
  readXml(new Uint8Array(charset === 'gbk' ? iconv.encode(s, 'gbk') : Buffer.from(s, 'utf8')), DEFAULT_XML_LIMITS);

describe('readXml', () => {
  it('reads elements, attributes (either quote) and text', () => {
    const doc = read(`<?xml version="1.0" encoding="GBK"?><a x="1" y='2'><b>财政</b><c/></a>`, 'gbk');
    expect(doc.charset).toBe('GBK');
    expect(doc.declared).toBe(true);
    expect(doc.root.attributes).toEqual([['x', '1'], ['y', '2']]);
    expect(doc.root.children.map((c) => [c.name, c.text])).toEqual([['b', '财政'], ['c', '']]);
  });

  it('normalises attribute whitespace but keeps character references (XML 1.0 §3.3.3)', () => {
    const doc = read('<a v="x\ty\r\nz&#9;w&#10;"/>');
    expect(doc.root.attributes).toEqual([['v', 'x y z\tw\n']]);
  });

  it('keeps astral characters and rejects unpaired surrogates', () => {
    expect(read('<a>😀&#x1F600;</a>').root.text).toBe('😀😀');
    expect(() => read('<a>&#xD800;</a>')).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
  });

  it('finds one character needing the slow path anywhere in a long base64 text or attribute', () => {
    const b64 = Buffer.from(Array.from({ length: 30_000 }, (_, i) => (i * 7919) % 256)).toString('base64');
    const cases: { insert: string; text: string | { code: string }; attribute: string | { code: string } }[] = [
      { insert: '&amp;', text: '&', attribute: '&' },
      { insert: '\r\n', text: '\n', attribute: ' ' },
      { insert: '\t', text: '\t', attribute: ' ' },
      { insert: '\u0001', text: { code: 'XML_MALFORMED' }, attribute: { code: 'XML_MALFORMED' } },
      { insert: '\u001f', text: { code: 'XML_MALFORMED' }, attribute: { code: 'XML_MALFORMED' } },
      { insert: '\uffff', text: { code: 'XML_MALFORMED' }, attribute: { code: 'XML_MALFORMED' } },
      { insert: '&#xDFFF;', text: { code: 'XML_MALFORMED' }, attribute: { code: 'XML_MALFORMED' } },
    ];
    for (const c of cases) {
      for (const at of [0, 1, 20_000, b64.length - 1, b64.length]) {
        const value = b64.slice(0, at) + c.insert + b64.slice(at);
        const want = (w: string | { code: string }): string => b64.slice(0, at) + (w as string) + b64.slice(at);
        if (typeof c.text === 'string') expect(read(`<a>${value}</a>`).root.text === want(c.text), `text ${JSON.stringify(c.insert)} at ${at}`).toBe(true);
        else expect(() => read(`<a>${value}</a>`)).toThrow(expect.objectContaining(c.text));
        if (typeof c.attribute === 'string') expect(read(`<a v="${value}"/>`).root.attributes[0]?.[1] === want(c.attribute), `attribute ${JSON.stringify(c.insert)} at ${at}`).toBe(true);
        else expect(() => read(`<a v="${value}"/>`)).toThrow(expect.objectContaining(c.attribute));
      }
    }
    expect(read(`<a v="${b64}">${b64}</a>`).root.text).toBe(b64);
  });

  it('refuses entity references named like Object.prototype members (no lookup through a prototype)', () => {
    for (const name of ['constructor', 'toString', 'valueOf', '__proto__']) {
      expect(() => read(`<a>x&${name};</a>`), name).toThrow(expect.objectContaining({ code: 'XML_ENTITY_FORBIDDEN' }));
      expect(() => read(`<a v="&${name};"/>`), name).toThrow(expect.objectContaining({ code: 'XML_ENTITY_FORBIDDEN' }));
    }
  });

  it('reads 16 MiB texts that need the slow path in a heap of 160 MiB (memory linear in the text)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--max-old-space-size=160', join(import.meta.dirname, 'xml_memory_child.mjs')], { maxBuffer: 1 << 16 });
    expect(JSON.parse(stdout)).toEqual({
      'one &amp; in a text': { length: 16 * 1024 * 1024 + 1, tail: 'aa&' },
      'CR everywhere in a text': { length: 16 * 1024 * 1024, tail: '\na\n' },
      'TAB everywhere in an attribute': { length: 16 * 1024 * 1024, tail: ' a ' },
    });
  }, 60_000);

  it('requires whitespace between attributes and refuses duplicates', () => {
    expect(() => read('<a x="1"y="2"/>')).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
    expect(() => read('<a x="1" x="2"/>')).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
    expect(() => read('<a x=1/>')).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
    expect(() => read('<a x="<"/>')).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
  });

  it('refuses more attributes than the limit', () => {
    const attrs = Array.from({ length: 17 }, (_, i) => `a${i}="1"`).join(' ');
    expect(() => read(`<a ${attrs}/>`)).toThrow(expect.objectContaining({ code: 'XML_TOO_MANY_NODES' }));
  });

  it('escapeText and escapeAttribute round-trip any XML string', () => {
    const ch = fc.oneof(fc.constantFrom('&', '<', '>', '"', "'", '\t', '\n', '\r', ' ', '财'), fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)));
    fc.assert(
      fc.property(fc.array(ch, { maxLength: 20 }).map((a) => a.join('')), (s) => {
        const doc = read(`<a v="${escapeAttribute(s)}">${escapeText(s)}</a>`);
        expect(doc.root.attributes[0]?.[1]).toBe(s);
        if (s !== '') expect(doc.root.text).toBe(s);
      }),
    );
  });
});
