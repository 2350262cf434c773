/**
 * Timing helpers of the benchmark: every figure is the median of several repetitions, each long enough to
 * swamp timer noise, after a warm-up that lets V8 optimise and fills the caches the measured code keeps.
 */
import { performance } from 'node:perf_hooks';

/** How a figure is measured. */
export interface MeasureOptions {
  /** Repetitions whose median is reported (at least 5). */
  readonly reps: number;
  /** Minimum duration of one repetition, in milliseconds. */
  readonly minMs: number;
  /** Warm-up duration before the first repetition, in milliseconds. */
  readonly warmupMs: number;
}

/** One measured rate. */
export interface Rate {
  /** Operations (or bytes, for throughput figures) per second: the median of the repetitions. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Every repetition's rate, in order. */
  readonly reps: readonly number[];
}

/** The defaults: 5 repetitions of at least 300 ms after 300 ms of warm-up. */
export const DEFAULT_MEASURE: MeasureOptions = { reps: 5, minMs: 300, warmupMs: 300 };

/**
 * The median of numbers.
 *
 * @param xs - the numbers (not empty).
 * @returns the median (the mean of the two middle values for an even count).
 */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * Summarises repetition rates.
 *
 * @param reps - the rate of each repetition.
 * @returns median, min and max.
 */
export function summarize(reps: readonly number[]): Rate {
  return { median: median(reps), min: Math.min(...reps), max: Math.max(...reps), reps };
}

/**
 * The median of pair ratios that cannot exceed `max` (2 workers against 1 cannot exceed 2): a pair above it was
 * disturbed on its denominator's side and is left out. Only that side of the noise can be told, so leaving such
 * pairs out can only lower the median.
 *
 * @param ratios - the ratio of each pair.
 * @param max - the most a true ratio can be.
 * @param minKept - the fewest ratios a median may be taken of (a figure is the median of at least 5
 *   repetitions); with fewer left the median is NaN, so no target can be met on the word of a few pairs.
 * @returns the median of the ratios up to `max` (NaN when fewer than `minKept`, or none, are), and how many were
 *   left out.
 * @example boundedMedian([1.5, 2.3, 1.7], 2) // { median: 1.6, leftOut: 1 }
 */
export function boundedMedian(ratios: readonly number[], max: number, minKept = 1): { median: number; leftOut: number } {
  const kept = ratios.filter((r) => r <= max);
  return { median: kept.length === 0 || kept.length < minKept ? NaN : median(kept), leftOut: ratios.length - kept.length };
}

/**
 * Measures a synchronous operation: `op()` is called in a loop; each repetition counts calls until
 * `minMs` has passed.
 *
 * @param op - the operation; it should throw on a wrong result so a broken bench cannot look fast.
 * @param options - repetitions, durations.
 * @param units - what one call counts for (e.g. bytes hashed, for MB/s figures).
 * @returns the rate in units per second.
 */
export function measureSync(op: () => unknown, options: MeasureOptions = DEFAULT_MEASURE, units = 1): Rate {
  const until = performance.now() + options.warmupMs;
  do op();
  while (performance.now() < until);
  const reps: number[] = [];
  for (let r = 0; r < options.reps; r++) reps.push(syncRepetition(op, options.minMs) * units);
  return summarize(reps);
}

/** One repetition of a synchronous operation lasting at least `minMs`: calls per second. */
function syncRepetition(op: () => unknown, minMs: number): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    // Batches of 8 between clock reads keep the clock out of the figure for very fast operations.
    for (let i = 0; i < 8; i++) op();
    n += 8;
    t = performance.now();
  } while (t - t0 < minMs);
  return (n * 1000) / (t - t0);
}

/** One repetition of an asynchronous operation, awaited call by call, lasting at least `minMs`: calls per second. */
async function asyncRepetition(op: () => Promise<unknown>, minMs: number): Promise<number> {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    await op();
    n++;
    t = performance.now();
  } while (t - t0 < minMs);
  return (n * 1000) / (t - t0);
}

/**
 * Measures an asynchronous operation, awaited one call at a time.
 *
 * @param op - the operation.
 * @param options - repetitions, durations.
 * @returns the rate in calls per second.
 */
export async function measureAsync(op: () => Promise<unknown>, options: MeasureOptions = DEFAULT_MEASURE): Promise<Rate> {
  const until = performance.now() + options.warmupMs;
  do await op();
  while (performance.now() < until);
  const reps: number[] = [];
  for (let r = 0; r < options.reps; r++) reps.push(await asyncRepetition(op, options.minMs));
  return summarize(reps);
}

/**
 * Measures a fixed job (e.g. a batch of files) whose duration is the figure: the job runs once to warm up,
 * then `reps` times.
 *
 * @param job - the job; resolves when done.
 * @param units - the units one job counts for (e.g. the number of vouchers).
 * @param reps - repetitions (at least 5).
 * @returns the rate in units per second.
 */
export async function measureJob(job: () => Promise<unknown>, units: number, reps: number): Promise<Rate> {
  await job();
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await job();
    rates.push((units * 1000) / (performance.now() - t0));
  }
  return summarize(rates);
}

/** Two operations measured in turn, and the ratio of each pair. */
export interface Interleaved {
  readonly a: Rate;
  readonly b: Rate;
  /** b's rate ÷ a's rate, one per pair, in order. */
  readonly ratios: readonly number[];
}

/**
 * Measures a synchronous operation `a` and an asynchronous operation `b` in alternating repetitions (a, b, a,
 * b, ...), after warming both up, so a change in the machine's speed during the run (a shared VM's neighbours)
 * moves both figures of a pair alike and their ratio stays true.
 *
 * @param a - the first operation (e.g. the raw primitive); it should throw on a wrong result.
 * @param b - the second operation (e.g. the whole job built on it); it should throw on a wrong result.
 * @param options - repetition length and warm-up (each repetition of each operation lasts at least `minMs`).
 * @param pairs - the number of pairs.
 * @returns both rates and the per-pair ratios b ÷ a.
 */
export async function measureInterleaved(a: () => unknown, b: () => Promise<unknown>, options: MeasureOptions, pairs: number): Promise<Interleaved> {
  const until = performance.now() + options.warmupMs;
  do {
    a();
    await b();
  } while (performance.now() < until);
  const ra: number[] = [];
  const rb: number[] = [];
  for (let r = 0; r < pairs; r++) {
    ra.push(syncRepetition(a, options.minMs));
    rb.push(await asyncRepetition(b, options.minMs));
  }
  return { a: summarize(ra), b: summarize(rb), ratios: rb.map((x, i) => x / (ra[i] as number)) };
}
