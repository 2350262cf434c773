/**
 * Batch figures: files on disk verified by warm verifier pools of 1 and 2 worker threads, and the memory of a
 * long streamed run through `verifyFiles` (measured in a child process, so its peak RSS is its own).
 */
import { execFile } from 'node:child_process';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism, cpus, devNull } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TrustStore } from '../../src/pki/index.js';
import { createVerifierPool, type VerifierPool } from '../../src/verify/index.js';
import { boundedMedian, summarize, type Rate } from '../lib/measure.js';
import { startScalingProbe, type ScalingProbe } from '../lib/scaling.js';
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
 * The fewest pairs a speed-up is the median of, once the impossible ones are left out: the repetitions every
 * figure of the bench is a median of (fewer when fewer pairs were run, as in `--quick`).
 */
export const MIN_KEPT_PAIRS = 5;

/**
 * Files each worker verifies before the measured batches. V8 compiles a worker's code as it runs (each worker is
 * an isolate of its own): in a fresh 2-worker pool, V8's optimising compiler finished 1,120, 106, 46 and then
 * about 2 optimisations per batch of 3,000 files (1,500 per worker); until it fell silent the workers ran slower
 * code and its threads took cores from them. Warming each pool with one batch gave the single worker twice the
 * files each of the two got, and over 15 pairs the first five read 1.09-1.71 (mean 1.45) against a mean of 1.75
 * for the rest. 3,000 files leave a few dozen late optimisations and keep the bench within its time.
 */
export const WARM_FILES_PER_WORKER = 3000;

/** Rates of one kind of batch with 1 and 2 workers (vouchers per second), and their ratio. */
export interface BatchPairs {
  readonly jobs1: Rate;
  readonly jobs2: Rate;
  /**
   * Median of the per-pair ratios (each 2-worker run against the 1-worker run just before it), leaving out the
   * pairs above 2 (NaN when fewer than 5 pairs, or fewer than were run, are left).
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
  /**
   * Each pair's speed-up divided by the machine's own scaling measured just before it (see
   * {@link MachineScaling}): the median, range and every pair's, all pairs counted. Absent without the control.
   */
  readonly ofMachineScaling?: Rate;
}

/**
 * The control: node crypto P-256 verification in 2 threads against 1, one pair right before each round of batch
 * pairs (`bench/lib/scaling.ts`). What 2 cores gave the raw cryptography in the minute of each batch pair.
 */
export interface MachineScaling {
  /** Verifications per second of one thread. */
  readonly oneThread: Rate;
  /** Verifications per second of two threads together. */
  readonly twoThreads: Rate;
  /** Each round's 2-thread ÷ 1-thread ratio (median, range and every round's). */
  readonly speedup: Rate;
  /** Milliseconds each side of a control pair ran. */
  readonly ms: number;
}

/** Batch rates with 1 and 2 workers: reports as objects (the figures here) and as JSON text (`json`). */
export interface BatchFigures extends BatchPairs {
  readonly files: number;
  /**
   * The same files with `verifyFilesJson`, each report's JSON written to the null device: what
   * `evoucher verify --format json` does, whose collecting thread has no report to parse or serialize.
   */
  readonly json: BatchPairs;
  /** Cores used by other processes during the measurement (the machine is shared). */
  readonly backgroundCores?: number;
  /** Files each worker of each pool verified before the measured batches. */
  readonly warmFilesPerWorker: number;
  /** The raw cryptography's 2-thread scaling in the same rounds (absent when the control was off). */
  readonly machine?: MachineScaling;
}

/** A kind of batch: verifies the files once with a pool and returns vouchers per second. */
type BatchRun = (pool: VerifierPool) => Promise<number>;

/** Pairs of one kind of batch: the 1-worker rates, the 2-worker rates and the CPU accounts of each. */
interface PairLog {
  readonly one: number[];
  readonly two: number[];
  readonly cpu1: ThreadCpuAccount;
  readonly cpu2: ThreadCpuAccount;
}

function pairLog(): PairLog {
  return { one: [], two: [], cpu1: threadCpuAccount(), cpu2: threadCpuAccount() };
}

async function timedPair(run: BatchRun, pool1: VerifierPool, pool2: VerifierPool, log: PairLog): Promise<void> {
  const timed = async (pool: VerifierPool, cpu: ThreadCpuAccount): Promise<number> => {
    cpu.start();
    const rate = await run(pool);
    cpu.stop();
    return rate;
  };
  log.one.push(await timed(pool1, log.cpu1));
  log.two.push(await timed(pool2, log.cpu2));
}

/** Each pair's ratio: the two-worker (or two-thread) figure over the one-worker figure just before it. */
function ratiosOf(one: readonly number[], two: readonly number[]): number[] {
  return two.map((t, i) => t / (one[i] as number));
}

function pairFigures(log: PairLog, machine: readonly number[]): BatchPairs {
  const ratios = ratiosOf(log.one, log.two);
  const { median: speedup, leftOut } = boundedMedian(ratios, MAX_SPEEDUP, Math.min(MIN_KEPT_PAIRS, ratios.length));
  const relative = machine.length === 0 ? [] : ratios.map((r, i) => r / (machine[i] as number));
  const cores = availableParallelism();
  const jobs1 = log.cpu1.shares(1, cores);
  const jobs2 = log.cpu2.shares(2, cores);
  return {
    jobs1: summarize(log.one),
    jobs2: summarize(log.two),
    speedup,
    pairRatios: ratios,
    impossiblePairs: leftOut,
    ...(jobs1 === undefined || jobs2 === undefined ? {} : { threads: { jobs1, jobs2 } }),
    ...(relative.length === 0 ? {} : { ofMachineScaling: summarize(relative) }),
  };
}

/**
 * Verifies `files` files with a warm pool of 1 worker, then a warm pool of 2 workers, `reps` times interleaved
 * (so a change in the machine's background load hits both alike), after warm-up batches that give every worker
 * of both pools at least `warmFilesPerWorker` files (see {@link WARM_FILES_PER_WORKER}); then, in each of the
 * first `jsonReps` rounds, the same pair with the reports as JSON text (`verifyFilesJson`, written to the null
 * device as the CLI writes them to its output). With `controlMs` > 0 each round starts with a control pair: raw
 * P-256 verification in 1 thread, then in 2 threads, `controlMs` each (see {@link MachineScaling}).
 *
 * @param name - names file i.
 * @param files - the number of files.
 * @param trust - trust anchors.
 * @param at - validation time.
 * @param reps - pairs with reports as objects.
 * @param warmFilesPerWorker - files per worker before the measured batches.
 * @param jsonReps - pairs with reports as JSON text.
 * @param controlMs - milliseconds of each side of the control pair of a round; 0 for none.
 * @returns the figures.
 */
export async function measureBatch(
  name: (i: number) => string,
  files: number,
  trust: TrustStore,
  at: Date,
  reps: number,
  warmFilesPerWorker = WARM_FILES_PER_WORKER,
  jsonReps = reps,
  controlMs = 0,
): Promise<BatchFigures> {
  const list = Array.from({ length: files }, (_, i) => name(i));
  const check = (file: string, status: string | undefined, n: number): number => {
    if (status !== 'VALID') throw new Error(`bench self-check: ${file} is ${status ?? 'not verified'}`);
    return n + 1;
  };
  const rateOf = (t0: number, n: number): number => {
    if (n !== files) throw new Error('bench self-check: missing results');
    return (files * 1000) / (performance.now() - t0);
  };
  const objects: BatchRun = async (pool) => {
    const t0 = performance.now();
    let n = 0;
    for await (const r of pool.verifyFiles(list)) n = check(r.file, r.error?.code ?? r.reports[0]?.status, n);
    return rateOf(t0, n);
  };
  const fd = openSync(devNull, 'w');
  const json: BatchRun = async (pool) => {
    const t0 = performance.now();
    let n = 0;
    for await (const r of pool.verifyFilesJson(list, { indent: 2, depth: 1 })) {
      n = check(r.file, r.error?.code ?? r.reports[0]?.status, n);
      for (const x of r.reports) writeSync(fd, x.json);
    }
    return rateOf(t0, n);
  };
  const pool1 = createVerifierPool({ trust, at, jobs: 1 });
  const pool2 = createVerifierPool({ trust, at, jobs: 2 });
  let probe: ScalingProbe | undefined;
  try {
    // Started inside the try: the pools and the null device are closed whatever happens.
    if (controlMs > 0) probe = await startScalingProbe();
    // The same number of files per worker in both pools, whole batches (files are handed out evenly); the JSON
    // path shares all but its last step, which one batch warms.
    for (let done = 0; done < warmFilesPerWorker; done += files) await objects(pool1);
    for (let done = 0; done < 2 * warmFilesPerWorker; done += files) await objects(pool2);
    if (jsonReps > 0) {
      await json(pool1);
      await json(pool2);
    }
    const asObjects = pairLog();
    const asJson = pairLog();
    const control = { one: [] as number[], two: [] as number[] };
    const { backgroundCores } = await withBackgroundLoad(async () => {
      for (let r = 0; r < Math.max(reps, jsonReps); r++) {
        if (probe !== undefined) {
          const c = await probe.pair(controlMs);
          control.one.push(c.one);
          control.two.push(c.two);
        }
        if (r < reps) await timedPair(objects, pool1, pool2, asObjects);
        if (r < jsonReps) await timedPair(json, pool1, pool2, asJson);
      }
    });
    const scaling = ratiosOf(control.one, control.two);
    return Object.assign(pairFigures(asObjects, scaling), {
      files,
      json: pairFigures(asJson, scaling),
      ...(backgroundCores === undefined ? {} : { backgroundCores }),
      warmFilesPerWorker,
      ...(probe === undefined ? {} : { machine: { oneThread: summarize(control.one), twoThreads: summarize(control.two), speedup: summarize(scaling), ms: controlMs } }),
    });
  } finally {
    closeSync(fd);
    await Promise.all([pool1.close(), pool2.close(), probe?.close()]);
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
 * RSS samples (tenths of the run) that a verdict on flatness needs: two in each half. With fewer (a run cut short
 * by its deadline on a slow machine) one half has nothing to compare, and `Math.max()` of nothing is -Infinity,
 * which would pass any comparison.
 */
export const MIN_FLAT_SAMPLES = 4;

/**
 * Memory is flat in the count when the second half of the run never needs more than the first half did:
 * the highest RSS sample and the peak after the run stay within `tolerance` MiB of their values at half-time.
 *
 * @param m - the memory figures.
 * @param tolerance - MiB allowed for the noise of garbage collection.
 * @returns true when flat; false when fewer than {@link MIN_FLAT_SAMPLES} samples were taken (nothing shown).
 */
export function isFlat(m: MemoryFigures, tolerance: number): boolean {
  if (m.rssByTenth.length < MIN_FLAT_SAMPLES || m.peakByTenth.length < MIN_FLAT_SAMPLES) return false;
  const half = Math.floor(m.rssByTenth.length / 2);
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
