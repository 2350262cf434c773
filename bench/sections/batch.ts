/**
 * Batch figures: files on disk verified by warm verifier pools of 1 and 2 worker threads, and the memory of a
 * long streamed run through `verifyFiles` (measured in a child process, so its peak RSS is its own).
 */
import { execFile } from 'node:child_process';
import { linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TrustStore } from '../../src/pki/index.js';
import { createVerifierPool, type VerifierPool } from '../../src/verify/index.js';
import { boundedMedian, summarize, type Rate } from '../lib/measure.js';
import { threadCpuAccount, type ThreadCpuAccount, type ThreadShares } from '../lib/threads.js';
import { ROOT } from './vouchers.js';

/** CPU time of the whole machine, from /proc/stat (Linux); undefined elsewhere. */
function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'latin1').split('\n')[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * Measures how busy the machine is while `job` runs, apart from this process: the cores used by other
 * processes (0 on a quiet machine). Needs /proc/stat.
 *
 * @param job - the work.
 * @returns the job's result and the other processes' load in cores (undefined when unknown).
 */
export async function withBackgroundLoad<T>(job: () => Promise<T>): Promise<{ result: T; backgroundCores?: number }> {
  const a = machineTicks();
  const ua = process.cpuUsage();
  const t0 = performance.now();
  const result = await job();
  const seconds = (performance.now() - t0) / 1000;
  const b = machineTicks();
  const ub = process.cpuUsage(ua);
  if (a === undefined || b === undefined || b.total === a.total) return { result };
  const cores = cpus().length;
  const busyCores = ((b.busy - a.busy) / (b.total - a.total)) * cores;
  const ours = (ub.user + ub.system) / 1e6 / seconds;
  return { result, backgroundCores: Math.max(0, busyCores - ours) };
}

/**
 * Writes the sealed envelopes once and `count` hard links to them (copies where links fail), named
 * `v<i>.xml`.
 *
 * @param dir - an empty directory.
 * @param envelopes - distinct sealed envelopes.
 * @param count - how many files.
 * @returns a function naming file i.
 */
export function writeCorpus(dir: string, envelopes: readonly Uint8Array[], count: number): (i: number) => string {
  const base = envelopes.map((e, i) => {
    const f = join(dir, `base-${i}.xml`);
    writeFileSync(f, e);
    return f;
  });
  const name = (i: number): string => join(dir, `v${i}.xml`);
  for (let i = 0; i < count; i++) {
    const src = base[i % base.length] as string;
    try {
      linkSync(src, name(i));
    } catch {
      writeFileSync(name(i), envelopes[i % envelopes.length] as Uint8Array);
    }
  }
  return name;
}

/** The most that 2 workers can verify against 1: twice as much. */
const MAX_SPEEDUP = 2;

/**
 * Files each worker verifies before the measured batches. V8 compiles a worker's code as it runs (each worker is
 * an isolate of its own): in a fresh 2-worker pool, V8's optimising compiler finished 1,120, 106, 46 and then
 * about 2 optimisations per batch of 3,000 files (1,500 per worker); until it fell silent the workers ran slower
 * code and its threads took cores from them. Warming each pool with one batch gave the single worker twice the
 * files each of the two got, and over 15 pairs the first five read 1.09-1.71 (mean 1.45) against a mean of 1.75
 * for the rest. 3,000 files leave a few dozen late optimisations and keep the bench within its time.
 */
export const WARM_FILES_PER_WORKER = 3000;

/** Batch rates with 1 and 2 workers (vouchers per second) and their ratio. */
export interface BatchFigures {
  readonly files: number;
  readonly jobs1: Rate;
  readonly jobs2: Rate;
  /**
   * Median of the per-pair ratios (each 2-worker run against the 1-worker run just before it), leaving out the
   * pairs above 2 (NaN when no pair is left).
   */
  readonly speedup: number;
  /** Every pair's ratio, in order. */
  readonly pairRatios: readonly number[];
  /**
   * Pairs left out of the speed-up because they read above 2: two workers cannot verify more than twice what one
   * does (one worker already has the second core for its collecting and GC threads), so such a pair says the host
   * slowed its 1-worker batch. Only the impossible side can be told from noise, so leaving these out can only
   * lower the figure.
   */
  readonly impossiblePairs: number;
  /** Where the cores went during the 1-worker and the 2-worker batches (Linux). */
  readonly threads?: { readonly jobs1: ThreadShares; readonly jobs2: ThreadShares };
  /** Cores used by other processes during the measurement (the machine is shared). */
  readonly backgroundCores?: number;
  /** Files each worker of each pool verified before the measured batches. */
  readonly warmFilesPerWorker: number;
}

/**
 * Verifies `files` files with a warm pool of 1 worker, then a warm pool of 2 workers, `reps` times interleaved
 * (so a change in the machine's background load hits both alike), after warm-up batches that give every worker
 * of both pools at least `warmFilesPerWorker` files (see {@link WARM_FILES_PER_WORKER}).
 *
 * @param name - names file i.
 * @param files - the number of files.
 * @param trust - trust anchors.
 * @param at - validation time.
 * @param reps - repetitions.
 * @param warmFilesPerWorker - files per worker before the measured batches.
 * @returns the figures.
 */
export async function measureBatch(name: (i: number) => string, files: number, trust: TrustStore, at: Date, reps: number, warmFilesPerWorker = WARM_FILES_PER_WORKER): Promise<BatchFigures> {
  const list = Array.from({ length: files }, (_, i) => name(i));
  const run = async (pool: VerifierPool): Promise<number> => {
    const t0 = performance.now();
    let n = 0;
    for await (const r of pool.verifyFiles(list)) {
      if (r.reports[0]?.status !== 'VALID') throw new Error(`bench self-check: ${r.file} is ${r.error?.code ?? r.reports[0]?.status}`);
      n++;
    }
    if (n !== files) throw new Error('bench self-check: missing results');
    return (files * 1000) / (performance.now() - t0);
  };
  const pool1 = createVerifierPool({ trust, at, jobs: 1 });
  const pool2 = createVerifierPool({ trust, at, jobs: 2 });
  try {
    // The same number of files per worker in both pools, whole batches (files are handed out evenly).
    for (let done = 0; done < warmFilesPerWorker; done += files) await run(pool1);
    for (let done = 0; done < 2 * warmFilesPerWorker; done += files) await run(pool2);
    const one: number[] = [];
    const two: number[] = [];
    const cpu1 = threadCpuAccount();
    const cpu2 = threadCpuAccount();
    const timed = async (pool: VerifierPool, cpu: ThreadCpuAccount): Promise<number> => {
      cpu.start();
      const rate = await run(pool);
      cpu.stop();
      return rate;
    };
    const { backgroundCores } = await withBackgroundLoad(async () => {
      for (let r = 0; r < reps; r++) {
        one.push(await timed(pool1, cpu1));
        two.push(await timed(pool2, cpu2));
      }
    });
    const ratios = two.map((t, i) => t / (one[i] as number));
    const { median: speedup, leftOut } = boundedMedian(ratios, MAX_SPEEDUP);
    const cores = availableParallelism();
    const jobs1 = cpu1.shares(1, cores);
    const jobs2 = cpu2.shares(2, cores);
    return {
      files,
      jobs1: summarize(one),
      jobs2: summarize(two),
      speedup,
      pairRatios: ratios,
      impossiblePairs: leftOut,
      ...(jobs1 === undefined || jobs2 === undefined ? {} : { threads: { jobs1, jobs2 } }),
      ...(backgroundCores === undefined ? {} : { backgroundCores }),
      warmFilesPerWorker,
    };
  } finally {
    await Promise.all([pool1.close(), pool2.close()]);
  }
}

/** What the memory run reports. */
export interface MemoryFigures {
  /** Vouchers verified in the run. */
  readonly vouchers: number;
  /** Vouchers the run was asked for (100,000), for the record when fewer fitted the time budget. */
  readonly target: number;
  readonly jobs: number;
  readonly seconds: number;
  readonly rate: number;
  /** Peak resident set of the verifying process (main thread and workers), MiB. */
  readonly peakRssMiB: number;
  /** RSS (MiB) after each tenth of the run: flat memory means these stay level. */
  readonly rssByTenth: readonly number[];
  /** Peak RSS so far (MiB) after each tenth of the run. */
  readonly peakByTenth: readonly number[];
  /** Cores used by other processes during the run (the machine is shared). */
  readonly backgroundCores?: number;
}

/**
 * Memory is flat in the count when the second half of the run never needs more than the first half did:
 * the highest RSS sample and the peak after the run stay within `tolerance` MiB of their values at half-time.
 *
 * @param m - the memory figures.
 * @param tolerance - MiB allowed for the noise of garbage collection.
 * @returns true when flat.
 */
export function isFlat(m: MemoryFigures, tolerance: number): boolean {
  const half = Math.max(1, Math.floor(m.rssByTenth.length / 2));
  const firstMax = Math.max(...m.rssByTenth.slice(0, half));
  const secondMax = Math.max(...m.rssByTenth.slice(half));
  const peakAtHalf = m.peakByTenth[half - 1] ?? m.peakRssMiB;
  return secondMax <= firstMax + tolerance && m.peakRssMiB <= peakAtHalf + tolerance;
}

/**
 * Runs bench/memory_child.js in a fresh node process (plain node, the compiled package): it streams `count` files
 * through `verifyFiles`, or as many as it hands out before `deadline`, and reports its RSS along the way.
 *
 * @param dir - the corpus directory (files `v<i>.xml`).
 * @param count - files to verify at most.
 * @param target - the count the figure is about (for the report).
 * @param jobs - worker threads.
 * @param at - validation time.
 * @param deadline - when to stop handing out files (ms since the epoch); none by default.
 * @returns the figures (`vouchers`: how many were verified).
 */
export async function measureMemory(dir: string, count: number, target: number, jobs: number, at: Date, deadline?: number): Promise<MemoryFigures> {
  const { result: out, backgroundCores: busyBesidesUs } = await withBackgroundLoad(
    () =>
      new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          [join(ROOT, 'bench', 'memory_child.js'), dir, String(count), String(jobs), at.toISOString(), ...(deadline === undefined ? [] : [String(deadline)])],
          { cwd: ROOT, maxBuffer: 1 << 20 },
          (err, stdout, stderr) => (err === null ? resolve(stdout) : reject(new Error(`memory run failed: ${err.message}\n${stderr}`))),
        );
      }),
  );
  const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Omit<MemoryFigures, 'target' | 'backgroundCores'> & { cpuSeconds: number };
  const { cpuSeconds, ...figures } = r;
  // The child's own CPU time is not background load.
  const backgroundCores = busyBesidesUs === undefined ? undefined : Math.max(0, busyBesidesUs - cpuSeconds / r.seconds);
  return { ...figures, target, ...(backgroundCores === undefined ? {} : { backgroundCores }) };
}

/**
 * Makes a fresh sub-directory.
 *
 * @param parent - the parent.
 * @param name - the name.
 * @returns its path.
 */
export function subdir(parent: string, name: string): string {
  const d = join(parent, name);
  mkdirSync(d);
  return d;
}
