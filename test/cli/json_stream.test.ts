/**
 * createJsonArrayWriter: an array written element by element is byte for byte the array printed at once.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createJsonArrayWriter, toJson } from '../../src/cli/output.js';
import { CLI_JSON_LAYOUT } from '../../src/cli/verify_output.js';
import { jsonLayout, renderJsonReports } from '../../src/verify/batch/render_json.js';
import type { VerificationReport } from '../../src/verify/index.js';

/** A stream that keeps what is written and asks for `drain` after every write when `slow`. */
function sink(slow: boolean): { stream: Writable; text: () => string; drains: () => number } {
  let text = '';
  let drains = 0;
  const stream = new Writable({
    highWaterMark: slow ? 1 : 1 << 20,
    write(chunk: Buffer, _enc, done): void {
      text += chunk.toString('utf8');
      setImmediate(done);
    },
  });
  stream.on('drain', () => drains++);
  return { stream, text: () => text, drains: () => drains };
}

describe('createJsonArrayWriter', () => {
  const cases: unknown[][] = [
    [],
    [1],
    [{ a: [1, { b: 'line\nbreak "quoted" 中文' }], c: {} , d: [] }, null, 'str', new Uint8Array([1, 2, 3]), 12345678901234567890n, undefined, [[[]]]],
    Array.from({ length: 50 }, (_, i) => ({ file: `f${i}.xml`, status: i % 3 === 0 ? 'VALID' : 'INVALID', nested: { list: [i, `${i}`] } })),
  ];
  for (const slow of [false, true]) {
    it(`prints what toJson prints for the whole array (${slow ? 'a stream that buffers' : 'a fast stream'})`, async () => {
      for (const values of cases) {
        const s = sink(slow);
        const out = createJsonArrayWriter(s.stream);
        for (const v of values) await out.add(v);
        await out.end();
        await new Promise<void>((resolve) => s.stream.end(resolve));
        expect(s.text()).toBe(`${toJson(values)}\n`);
        if (slow && values.length > 0) expect(s.drains()).toBeGreaterThan(0);
      }
    });

    it(`writes elements already rendered in the CLI's layout as add writes them, mixed with add (${slow ? 'a stream that buffers' : 'a fast stream'})`, async () => {
      const reports = (cases[3] as { file: string }[]).map(({ file, ...rest }) => ({ file, rest: rest as unknown as VerificationReport }));
      const s = sink(slow);
      const out = createJsonArrayWriter(s.stream);
      for (const [i, r] of reports.entries()) {
        if (i % 2 === 1) await out.add({ file: r.file, ...r.rest }); // the first element comes rendered
        else for (const x of renderJsonReports(r.file, [r.rest], jsonLayout(CLI_JSON_LAYOUT))) await out.addText(x.json);
      }
      await out.end();
      await new Promise<void>((resolve) => s.stream.end(resolve));
      expect(s.text()).toBe(`${toJson(cases[3])}\n`);
    });
  }
});
