// The memory run of the benchmark, in its own plain node process (no TypeScript loader, so the resident set is
// the verifier's alone): `node bench/memory_child.js <dir> <count> <jobs> <iso-time> [<deadline-ms>]` streams
// `<dir>/v0.xml ... v<count-1>.xml` through `verifyFiles` of the compiled package (file names made lazily,
// results dropped as they come) and prints one JSON line. With a deadline (ms since the epoch) no file is handed
// out after it, so the run ends within the files in flight of it, whatever the machine's speed.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadTrustStore } from '../dist/pki/index.js';
import { verifyFiles } from '../dist/verify/index.js';

const [dir, countArg, jobsArg, atArg, deadlineArg] = process.argv.slice(2);
if (dir === undefined || countArg === undefined || jobsArg === undefined || atArg === undefined) throw new Error('usage: memory_child.js <dir> <count> <jobs> <iso-time> [<deadline-ms>]');
const count = Number(countArg);
const jobs = Number(jobsArg);
const deadline = deadlineArg === undefined ? Infinity : Number(deadlineArg);
const trust = await loadTrustStore(join(import.meta.dirname, '..', 'fixtures', 'pki', 'trust'));
/** @param {number} bytes */
const mib = (bytes) => Math.round((bytes / 1048576) * 10) / 10;
const peakNow = () => mib(process.resourceUsage().maxRSS * 1024);

function* names() {
  for (let i = 0; i < count && Date.now() < deadline; i++) yield join(dir, `v${i}.xml`);
}

// RSS and peak RSS after every tenth of the run.
/** @type {{ rss: number, peak: number }[]} */
const marks = [];
const tenth = Math.max(1, Math.floor(count / 10));
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let n = 0;
for await (const r of verifyFiles(names(), { trust, at: new Date(atArg), jobs })) {
  if (r.reports[0]?.status !== 'VALID') throw new Error(`bench self-check: ${r.file} is ${r.error?.code ?? r.reports[0]?.status}`);
  n++;
  if (n % tenth === 0 && marks.length < 10) marks.push({ rss: mib(process.memoryUsage.rss()), peak: peakNow() });
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  JSON.stringify({
    vouchers: n,
    jobs,
    seconds,
    rate: n / seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMiB: peakNow(),
    rssByTenth: marks.map((m) => m.rss),
    peakByTenth: marks.map((m) => m.peak),
  }) + '\n',
);
