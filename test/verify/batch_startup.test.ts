/**
 * Workers of a verifier pool that die before they are ready: counted in a row, not over the pool's life. A pool
 * that loses a worker at start-up now and then (more often over its life than the limit of 4 per job) goes on
 * verifying with the same verdicts; a pool whose workers can never start fails at once with a coded error,
 * starts no more workers meanwhile, and a later batch tries afresh.
 *
 * The deaths are real: the workers this test chooses start with a 1 MiB heap, which no worker survives until it is
 * ready (as in batch.test.ts, where the whole pool has that limit). Every wait is bounded, so a hang fails the
 * test instead of stalling the run.
 */
import type { WorkerOptions } from 'node:worker_threads';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runDemo } from '../../src/cli/commands/demo.js';
import { loadTrustStore, type TrustStore } from '../../src/pki/index.js';
import { createVerifierPool, verifyEnvelope, type FileVerification, type VerifierPool } from '../../src/verify/index.js';

/**
 * `starve`: how many of the next workers start with a heap too small to get ready. `started`, `starved`: workers
 * made so far, and how many of them were starved; `starvedReady`: starved workers that got ready all the same (none
 * may, or a start-up death was not what the test made).
 */
const plan = vi.hoisted(() => ({ starve: 0, started: 0, starved: 0, starvedExited: 0, starvedReady: 0 }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const m = await importOriginal<typeof import('node:worker_threads')>();
  class StarvableWorker extends m.Worker {
    constructor(file: string | URL, options?: WorkerOptions) {
      const starve = plan.starve > 0;
      if (starve) plan.starve--;
      super(file, starve ? { ...options, resourceLimits: { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 } } : options);
      plan.started++;
      if (starve) {
        plan.starved++;
        this.once('message', () => plan.starvedReady++);
        this.once('exit', () => plan.starvedExited++);
      }
    }
  }
  return { ...m, Worker: StarvableWorker };
});

const NOW = new Date('2026-01-15T02:00:00Z');
/** Generous: only turns a hang into a failure, measures nothing. */
const BOUND_MS = 30_000;
let dir: string;
let trust: TrustStore;
let files: string[];
let statuses: string[][];
/** One envelope named many times over: more files than a worker holds, so a stopped batch leaves answers due. */
let many: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-batch-startup-'));
  trust = await loadTrustStore(join(import.meta.dirname, '..', '..', 'fixtures', 'pki', 'trust'));
  const demo = await runDemo({ now: NOW });
  files = [];
  statuses = [];
  for (const [i, v] of demo.vouchers.slice(0, 3).entries()) {
    for (const [kind, bytes] of [['original', v.original], ['receipt', v.receipt]] as const) {
      const f = join(dir, `${i}-${kind}.xml`);
      await writeFile(f, bytes);
      files.push(f);
      statuses.push((await verifyEnvelope(bytes, { trust, at: NOW })).map((r) => r.status));
    }
  }
  many = Array.from({ length: 200 }, () => files[0] as string);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `p`, or a rejection when it has not settled within {@link BOUND_MS}. */
async function within<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('HANG')), BOUND_MS)));
  try {
    return await Promise.race([p, hang]);
  } finally {
    clearTimeout(timer);
  }
}

async function collect(pool: VerifierPool, input: readonly string[]): Promise<FileVerification[]> {
  const out: FileVerification[] = [];
  await within(
    (async () => {
      for await (const r of pool.verifyFiles(input)) out.push(r);
    })(),
  );
  return out;
}

/** The statuses of a batch over {@link files}: those of verifying each file alone, in one thread. */
async function expectVerdicts(pool: VerifierPool): Promise<void> {
  const out = await collect(pool, files);
  expect(out.map((r) => r.file)).toEqual(files);
  expect(out.map((r) => r.error)).toEqual(files.map(() => undefined));
  expect(out.map((r) => r.reports.map((x) => x.status))).toEqual(statuses);
}

/**
 * Stops a batch after its first result, while answers are still due: the pool then replaces the worker that
 * owed them, a start-up that the test can starve.
 */
async function stopEarly(pool: VerifierPool): Promise<void> {
  await within(
    (async () => {
      for await (const r of pool.verifyFiles(many)) {
        expect(r.index).toBe(0);
        break;
      }
    })(),
  );
}

/** Waits (bounded) until `n` starved workers have exited. */
async function starvedExited(n: number): Promise<void> {
  for (const t = Date.now(); plan.starvedExited < n && Date.now() - t < BOUND_MS; ) await new Promise((r) => setTimeout(r, 20));
  expect(plan.starvedExited).toBe(n);
}

describe('workers that die before they are ready', () => {
  for (const jobs of [1, 2]) {
    it(`jobs ${jobs}: a pool outlives more sporadic start-up deaths than 4 per job, with the same verdicts`, async () => {
      plan.starve = 0;
      plan.starved = 0;
      plan.starvedExited = 0;
      plan.starvedReady = 0;
      const pool = createVerifierPool({ trust, at: NOW, jobs, maxInFlight: 32 * jobs });
      try {
        await expectVerdicts(pool);
        // Each round: the worker replaced after a stopped batch dies before it is ready, then its replacement
        // starts. The old count over the pool's life refused every batch after 4 per job.
        const rounds = jobs * 4 + 3;
        for (let i = 1; i <= rounds; i++) {
          plan.starve = 1;
          await stopEarly(pool);
          await starvedExited(i);
          await expectVerdicts(pool);
        }
        expect(plan.starved).toBe(rounds);
        expect(plan.starvedReady).toBe(0);
      } finally {
        plan.starve = 0;
        await pool.close();
      }
    }, 120_000);
  }

  it('a pool whose workers can never start fails at once with VERIFY_INTERNAL_ERROR, starts no more, and a later batch tries afresh', async () => {
    const jobs = 2;
    plan.starve = Number.POSITIVE_INFINITY;
    plan.started = 0;
    plan.starved = 0;
    plan.starvedExited = 0;
    plan.starvedReady = 0;
    const pool = createVerifierPool({ trust, at: NOW, jobs });
    try {
      await expect(collect(pool, files)).rejects.toMatchObject({ code: 'VERIFY_INTERNAL_ERROR', message: /keep stopping before they are ready \(9 in a row, none ready in between\)/ });
      // The two first workers and their replacements until the ninth death in a row (4 per job, then one more):
      // no restart loop, also while the pool sits idle.
      await starvedExited(jobs + jobs * 4);
      await new Promise((r) => setTimeout(r, 300));
      expect(plan.started).toBe(jobs + jobs * 4);
      // Still unable to start: the next batch starts both workers again and fails the same way, as fast.
      await expect(collect(pool, files)).rejects.toMatchObject({ code: 'VERIFY_INTERNAL_ERROR', message: /keep stopping before they are ready/ });
      await starvedExited(2 * (jobs + jobs * 4));
      expect(plan.started).toBe(2 * (jobs + jobs * 4));
      // Workers can start again: the next batch starts them and verifies as ever.
      plan.starve = 0;
      await expectVerdicts(pool);
      expect(plan.starvedReady).toBe(0);
    } finally {
      plan.starve = 0;
      await pool.close();
    }
  }, 120_000);

  it('a pool that has been working fails the same way once its workers can no longer start', async () => {
    plan.starve = 0;
    plan.starved = 0;
    plan.starvedExited = 0;
    plan.starvedReady = 0;
    const pool = createVerifierPool({ trust, at: NOW, jobs: 1 });
    try {
      await expectVerdicts(pool);
      plan.starve = Number.POSITIVE_INFINITY;
      // The replacement of the worker that owed answers, and its own replacements: 5 deaths in a row, then none.
      await stopEarly(pool);
      await starvedExited(5);
      await expect(collect(pool, files)).rejects.toMatchObject({ code: 'VERIFY_INTERNAL_ERROR', message: /keep stopping before they are ready \(5 in a row/ });
      await starvedExited(10);
      expect(plan.starved).toBe(10);
      expect(plan.starvedReady).toBe(0);
    } finally {
      plan.starve = 0;
      await pool.close();
    }
  }, 120_000);
});
