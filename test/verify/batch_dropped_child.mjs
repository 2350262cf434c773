// Child of batch_input.test.ts, for what only a process of its own shows (the test runner keeps its process
// alive, and a microtask loop would stall it). Modes:
// - "exit": takes one result of a one-shot batch and drops its iterator half-way (neither finished nor
//   return()ed), then does nothing more: the process must end by itself.
// - "gc" (with --expose-gc): the same, then collects garbage until the batch's worker threads are gone, and
//   prints the process's thread counts before the batch, during it and after the collection.
// - "close": closes a pool while a batch waits for an answer, then awaits close(): it must settle before the
//   process ends (the workers being stopped keep it alive).
// - "not-a-result": an async input whose next() answers undefined: the batch must end with ARG_INVALID.
import { runDemo } from '../../dist/cli/commands/demo.js';
import { createVerifierPool, loadTrustStore, verifyFiles } from '../../dist/index.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [, , mode, atIso] = process.argv;
const at = new Date(atIso);
const demo = await runDemo({ now: at, variants: ['cms'] });
const trust = await loadTrustStore(join(import.meta.dirname, '..', '..', 'fixtures', 'pki', 'trust'));
const dir = mkdtempSync(join(tmpdir(), 'evoucher-dropped-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'v.xml');
writeFileSync(file, demo.vouchers[0].original);
const files = Array.from({ length: 400 }, () => file);
const threads = () => Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'latin1'))[1]);

if (mode === 'close') {
  for (const jobs of [1, 2]) {
    const pool = createVerifierPool({ trust, at, jobs });
    const waiting = pool.verifyFiles(files).next().then(
      () => 'value',
      (e) => e.code,
    );
    queueMicrotask(() => void pool.close());
    const first = await waiting;
    await pool.close();
    process.stdout.write(`${JSON.stringify({ jobs, first, closed: true })}\n`);
  }
  process.exit(0);
}
if (mode === 'not-a-result') {
  const out = [];
  for (const jobs of [0, 2]) {
    let n = 0;
    const input = { [Symbol.asyncIterator]: () => ({ next: async () => (n++ < 2 ? { done: false, value: file } : undefined) }) };
    let results = 0;
    try {
      for await (const r of verifyFiles(input, { trust, at, jobs })) if (r.reports[0]?.status === 'VALID') results++;
      out.push({ jobs, results, error: 'none' });
    } catch (e) {
      out.push({ jobs, results, error: e.code });
    }
  }
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
}

const before = threads();
let batch = verifyFiles(files, { trust, at, jobs: 2 });
const first = await batch.next();
if (first.value?.reports[0]?.status !== 'VALID') throw new Error('the first result is not VALID');
const during = threads();
if (mode === 'exit') {
  process.stdout.write(JSON.stringify({ took: first.value.index }));
} else {
  batch = undefined;
  let after = threads();
  for (let t = Date.now(); after > before && Date.now() - t < 20_000; after = threads()) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  process.stdout.write(JSON.stringify({ before, during, after }));
}
