/**
 * Reports rendered as JSON text in the worker: the same text as indenting `JSON.stringify`'s output afterwards,
 * for every indentation and depth, with the file first; layouts out of range refused.
 */
import { describe, expect, it } from 'vitest';
import { escapeJsonForDisplay } from '../../src/encoding/index.js';
import { jsonLayout, renderJsonReports } from '../../src/verify/batch/render_json.js';
import type { VerificationReport } from '../../src/verify/index.js';

/** A report-like value with what changes indentation: nesting, empty containers, escapes, non-ASCII text. */
const report = {
  reportVersion: 1,
  status: 'INVALID',
  voucher: { payee: { name: '北京某某办公用品有限公司', account: '0200' }, note: 'line 1\nline 2 "quoted" \\ \u0001' },
  checks: [{ check: 'envelope', status: 'passed', detail: {} }, { check: 'seals', status: 'failed', list: [] }],
  seals: [[1, 2, [3, { x: null, y: true, z: -1.5 }]]],
  errors: [],
} as unknown as VerificationReport;

const decode = (b: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(b);

describe('renderJsonReports', () => {
  it('writes what indenting JSON.stringify afterwards writes, for every indentation and depth', () => {
    for (let indent = 0; indent <= 10; indent++) {
      for (let depth = 0; depth <= 8; depth++) {
        const [r] = renderJsonReports('dir/文件 "a".xml', [report], jsonLayout({ indent, depth }));
        const want = JSON.stringify({ file: 'dir/文件 "a".xml', ...report }, null, indent).replaceAll('\n', `\n${' '.repeat(indent * depth)}`);
        expect(decode(r?.json as Uint8Array), `indent ${indent} depth ${depth}`).toBe(want);
        expect(r?.status).toBe('INVALID');
      }
    }
  });

  it('puts the file first, one text per report, each in an array buffer of its own', () => {
    const out = renderJsonReports('a.xml', [report, Object.assign({}, report, { status: 'VALID' })], jsonLayout(undefined));
    expect(out.map((r) => r.status)).toEqual(['INVALID', 'VALID']);
    for (const r of out) {
      expect(Object.keys(JSON.parse(decode(r.json)) as object)[0]).toBe('file');
      expect(r.json.byteOffset).toBe(0);
      expect(r.json.byteLength).toBe(r.json.buffer.byteLength);
      expect(decode(r.json)).not.toContain('\n');
    }
    expect(renderJsonReports('a.xml', [], jsonLayout({ indent: 2 }))).toEqual([]);
  });

  it('encodes any text exactly, short or long, each report into bytes of its own', () => {
    const texts = ['', 'ascii', '中文 and 😀 (a surrogate pair), é, \u2028', 'x'.repeat(70_000), '北'.repeat(400_000)];
    const out = texts.map((t) => renderJsonReports('f', [Object.assign({}, report, { note: t })], jsonLayout({ indent: 1 }))[0]?.json as Uint8Array);
    for (const [i, t] of texts.entries()) {
      const want = escapeJsonForDisplay(JSON.stringify({ file: 'f', ...report, note: t }, null, 1));
      expect(decode(out[i] as Uint8Array)).toBe(want);
      expect((JSON.parse(want) as { note: string }).note).toBe(t);
      expect(out[i]?.byteLength).toBe(Buffer.byteLength(want));
      expect(out[i]?.buffer.byteLength).toBe(out[i]?.byteLength);
    }
    // Later reports did not write over earlier ones (the encoder's scratch space is reused).
    expect(decode(out[2] as Uint8Array)).toContain('😀');
    // The line separator is written as an escape, not raw.
    expect(decode(out[2] as Uint8Array)).toContain('é, \\u2028');
    expect(decode(out[2] as Uint8Array)).not.toContain('\u2028');
  });

  it('refuses layouts out of range with ARG_INVALID', () => {
    for (const bad of [{ indent: -1 }, { indent: 11 }, { indent: 1.5 }, { depth: 9 }, { depth: Number.NaN }, { indent: '2' }]) {
      expect(() => jsonLayout(bad as never), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'ARG_INVALID' }));
    }
    expect(() => jsonLayout(null as never)).toThrow(expect.objectContaining({ code: 'ARG_INVALID' }));
    expect(jsonLayout({})).toEqual({ indent: 0, depth: 0 });
  });
});
