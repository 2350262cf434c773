/**
 * The machine's own scaling, as a control for the batch speed-up: node crypto P-256 verification (OpenSSL, no
 * JavaScript heap work) in one thread, then in two threads at once, measured right before each batch pair. On a
 * shared VM what two cores deliver moves from minute to minute; this pair says what they delivered to the raw
 * cryptography in the same minute as the batches, so a batch speed-up can be read against it.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** Two control threads. */
export interface ScalingProbe {
  /**
   * One thread alone for `ms`, then both threads together for `ms`.
   *
   * @returns verifications per second of one thread, of the two together, and of each of the two.
   */
  pair(ms: number): Promise<{ readonly one: number; readonly two: number; readonly each: readonly [number, number] }>;
  /** Ends the threads. */
  close(): Promise<void>;
}

const SCRIPT = join(import.meta.dirname, '..', 'scaling_worker.js');

function start(): Promise<Worker> {
  // No loader for a plain JavaScript thread (the bench process runs under a TypeScript loader).
  const w = new Worker(SCRIPT, { execArgv: [] });
  return new Promise((resolve, reject) => {
    w.once('error', reject);
    w.once('message', () => {
      w.off('error', reject);
      resolve(w);
    });
  });
}

function run(w: Worker, ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (e: Error): void => {
      w.off('message', done);
      reject(e);
    };
    const done = (rate: unknown): void => {
      w.off('error', fail);
      if (typeof rate !== 'number' || !(rate > 0)) reject(new Error(`scaling control: bad answer ${String(rate)}`));
      else resolve(rate);
    };
    w.once('error', fail);
    w.once('message', done);
    w.postMessage({ ms });
  });
}

/**
 * Starts the two control threads, each warmed by `warmMs` of verification.
 *
 * @param warmMs - warm-up per thread, milliseconds.
 * @returns the probe; close it when done.
 */
export async function startScalingProbe(warmMs = 250): Promise<ScalingProbe> {
  const started = await Promise.allSettled([start(), start()]);
  const threads = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(threads.map((w) => w.terminate()));
    throw failure.reason;
  }
  const [a, b] = threads as [Worker, Worker];
  await Promise.all([run(a, warmMs), run(b, warmMs)]);
  return {
    async pair(ms) {
      const one = await run(a, ms);
      const [x, y] = await Promise.all([run(a, ms), run(b, ms)]);
      return { one, two: x + y, each: [x, y] };
    },
    async close() {
      await Promise.all(threads.map((w) => w.terminate()));
    },
  };
}
