/**
 * CPU time per thread of this process, from `/proc/self/task/<tid>/stat` (Linux): where the cores of a batch
 * went (the workers, the collecting thread, V8's and libuv's background threads), printed with every run so a
 * speed-up short of its target shows its own reason.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc` times (USER_HZ, fixed at 100 by the Linux ABI). */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds used so far by each thread of this process.
 *
 * @returns thread id → user + system seconds; undefined where `/proc` is not there.
 */
export function threadCpuSeconds(): Map<number, number> | undefined {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  const out = new Map<number, number>();
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
      // Fields after the command name (which may hold spaces, in parentheses): utime and stime are the 12th and 13th.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** Accumulates per-thread CPU seconds over several measured intervals, with their wall time. */
export interface ThreadCpuAccount {
  /** Starts an interval. */
  start(): void;
  /** Ends the interval started last. */
  stop(): void;
  /**
   * Cores used on average over the intervals: this (collecting) thread, the `workers` busiest other threads
   * (the worker threads), the rest (V8's background compiler and GC, libuv), and what was left of `cores`.
   */
  shares(workers: number, cores: number): ThreadShares | undefined;
}

/** Average cores used per kind of thread over the measured intervals. */
export interface ThreadShares {
  /** Each worker thread, busiest first. */
  readonly workers: readonly number[];
  /** The thread that hands out files and collects the reports (the main thread). */
  readonly collecting: number;
  /** Every other thread of the process (V8's background compiler and GC, libuv). */
  readonly other: number;
  /** Cores not used by this process. */
  readonly idle: number;
}

/**
 * Makes an account.
 *
 * @returns the account.
 */
export function threadCpuAccount(): ThreadCpuAccount {
  const used = new Map<number, number>();
  let wall = 0;
  let t0 = 0;
  let before: Map<number, number> | undefined;
  let available = true;
  return {
    start(): void {
      before = threadCpuSeconds();
      t0 = performance.now();
    },
    stop(): void {
      const after = threadCpuSeconds();
      wall += (performance.now() - t0) / 1000;
      if (before === undefined || after === undefined) {
        available = false;
        return;
      }
      for (const [tid, s] of after) used.set(tid, (used.get(tid) ?? 0) + s - (before.get(tid) ?? 0));
    },
    shares(workers: number, cores: number): ThreadShares | undefined {
      if (!available || wall === 0) return undefined;
      const main = process.pid;
      const others = [...used].filter(([tid]) => tid !== main).map(([, s]) => s / wall).sort((a, b) => b - a);
      const collecting = (used.get(main) ?? 0) / wall;
      const w = others.slice(0, workers);
      const other = others.slice(workers).reduce((a, b) => a + b, 0);
      const total = collecting + w.reduce((a, b) => a + b, 0) + other;
      return { workers: w, collecting, other, idle: Math.max(0, cores - total) };
    },
  };
}
