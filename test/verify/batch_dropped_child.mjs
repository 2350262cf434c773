// Child of batch_dropped.test.ts: takes one result of a one-shot batch and drops its iterator half-way,
// neither finished nor return()ed. Mode "exit": then does nothing more, and the process must end by itself.
// Mode "gc" (with --expose-gc): then collects garbage until the batch's worker threads are gone, and prints
// the process's thread counts before the batch, during it and after the collection.
import { runDemo } from '../../dist/cli/commands/demo.js';
import { loadTrustStore, verifyFiles } from '../../dist/index.js';
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
