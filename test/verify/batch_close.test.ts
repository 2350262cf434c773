/**
 * The end of a verifier pool's batches: `close()` while a batch runs ends that batch with a coded error (it
 * never leaves a `next()` waiting for good, nor starts workers again), a batch abandoned without `return()`
 * makes the next one refused with a coded error (never a hang), `break` frees the pool, and `close()` may be
 * called again. Every wait is bounded (`within`), so a hang fails the test instead of stalling the run.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDemo } from '../../src/cli/commands/demo.js';
import { loadTrustStore, type TrustStore } from '../../src/pki/index.js';
import { createVerifierPool, type FileVerification } from '../../src/verify/index.js';

// Every worker the pool starts, until it exits: a closed pool must leave none running.
const live = vi.hoisted(() => new Set<object>());
vi.mock('node:worker_threads', async (importOriginal) => {
  const m = await importOriginal<typeof import('node:worker_threads')>();
  class CountedWorker extends m.Worker {
    constructor(...args: ConstructorParameters<typeof m.Worker>) {
      super(...args);
      live.add(this);
      this.once('exit', () => live.delete(this));
    }
  }
  return { ...m, Worker: CountedWorker };
});

const NOW = new Date('2026-01-15T02:00:00Z');
/** Generous: only turns a hang into a failure, measures nothing. */
const BOUND_MS = 10_000;
let dir: string;
let trust: TrustStore;
/** One valid envelope, named many times over: more files than a pool holds in flight. */
let many: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-batch-close-'));
  trust = await loadTrustStore(join(import.meta.dirname, '..', '..', 'fixtures', 'pki', 'trust'));
  const demo = await runDemo({ now: NOW });
  const file = join(dir, 'valid.xml');
  await writeFile(file, (demo.vouchers[0] as { original: Uint8Array }).original);
  many = Array.from({ length: 2000 }, () => file);
});

/** The workers running when the test began (a failed test may leave some): not this test's. */
let before = new Set<object>();
beforeEach(() => {
  before = new Set(live);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Settled = { kind: 'value'; index: number } | { kind: 'done' } | { kind: 'rejected'; code: string; message: string } | { kind: 'HANG' };

/** How `p` settles, or `HANG` when it has not within {@link BOUND_MS}. */
async function within(p: Promise<IteratorResult<FileVerification, void>>): Promise<Settled> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<Settled>((resolve) => (timer = setTimeout(() => resolve({ kind: 'HANG' }), BOUND_MS)));
  try {
    return await Promise.race([
      p.then(
        (r): Settled => (r.done === true ? { kind: 'done' } : { kind: 'value', index: r.value.index }),
        (e: unknown): Settled => ({ kind: 'rejected', code: (e as { code?: string }).code ?? 'RAW', message: (e as Error).message }),
      ),
      hang,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms`, or `HANG` for a promise still pending then. */
async function settles(p: Promise<unknown>): Promise<'settled' | 'HANG'> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'HANG'>((resolve) => (timer = setTimeout(() => resolve('HANG'), BOUND_MS)));
  try {
    return await Promise.race([p.then(() => 'settled' as const, () => 'settled' as const), hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits (bounded) until every worker this test started has exited; how many have not. */
async function noWorkerLeft(): Promise<number> {
  const mine = (): number => [...live].filter((w) => !before.has(w)).length;
  for (let t = Date.now(); mine() > 0 && Date.now() - t < BOUND_MS; ) await new Promise((r) => setTimeout(r, 20));
  return mine();
}

const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('close() while a batch runs', () => {
  for (const jobs of [1, 2]) {
    it(`jobs ${jobs}: a next() waiting for an answer rejects ARG_INVALID, and so does the first one after; no worker is left`, async () => {
      const pool = createVerifierPool({ trust, at: NOW, jobs, maxInFlight: jobs });
      const batch = pool.verifyFiles(many);
      expect(await within(batch.next())).toEqual({ kind: 'value', index: 0 });
      // Asked before close(): the batch hands out the next file and waits for its worker's answer.
      const waiting = batch.next();
      await pause();
      const closing = pool.close();
      const first = await within(waiting);
      // The answer may have come before close(): then it is the next file in order, and the next call rejects.
      const outcome = first.kind === 'value' ? await within(batch.next()) : first;
      if (first.kind === 'value') expect(first.index).toBe(1);
      expect(outcome).toMatchObject({ kind: 'rejected', code: 'ARG_INVALID' });
      expect(outcome.kind === 'rejected' && outcome.message).toMatch(/closed/);
      expect(await settles(closing)).toBe('settled');
      // Done, as any generator that threw; the pool stays closed.
      expect(await within(batch.next())).toEqual({ kind: 'done' });
      expect(await within(pool.verifyFiles(many).next())).toMatchObject({ kind: 'rejected', code: 'ARG_INVALID' });
      expect(await noWorkerLeft()).toBe(0);
    });
  }

  it('results already buffered are not yielded after close(): the first next() after it rejects, whatever had arrived', async () => {
    const pool = createVerifierPool({ trust, at: NOW, jobs: 2 });
    const batch = pool.verifyFiles(many);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await within(batch.next());
      if (r.kind === 'value') seen.push(r.index);
    }
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    // Let answers pile up in the batch's buffer, then close while the consumer holds a result.
    await new Promise((r) => setTimeout(r, 200));
    await pool.close();
    expect(await within(batch.next())).toMatchObject({ kind: 'rejected', code: 'ARG_INVALID' });
    expect(await noWorkerLeft()).toBe(0);
  });

  it('the tester\'s reproducer: after close(), next() never hangs, and the batch ends by rejecting, not by a silent end', async () => {
    const pool = createVerifierPool({ trust, at: NOW, jobs: 2 });
    const batch = pool.verifyFiles(many);
    await batch.next();
    const closing = pool.close();
    let last: Settled = { kind: 'value', index: 0 };
    for (let n = 0; last.kind === 'value' && n < many.length; n++) last = await within(batch.next());
    expect(last).toMatchObject({ kind: 'rejected', code: 'ARG_INVALID' });
    expect(await settles(closing)).toBe('settled');
    expect(await noWorkerLeft()).toBe(0);
  });

  it('verifyFilesJson: the same, its first next() after close() rejects ARG_INVALID', async () => {
    const pool = createVerifierPool({ trust, at: NOW, jobs: 2 });
    const batch = pool.verifyFilesJson(many, { indent: 2 });
    const first = await batch.next();
    expect(first.done !== true && first.value.index).toBe(0);
    await pool.close();
    await expect(batch.next()).rejects.toMatchObject({ code: 'ARG_INVALID', detail: { from: '1' } });
    expect(await noWorkerLeft()).toBe(0);
  });

  it('jobs 0 (the calling thread): the first next() after close() rejects ARG_INVALID', async () => {
    const pool = createVerifierPool({ trust, at: NOW, jobs: 0 });
    const batch = pool.verifyFiles(many);
    expect(await within(batch.next())).toEqual({ kind: 'value', index: 0 });
    await pool.close();
    expect(await within(batch.next())).toMatchObject({ kind: 'rejected', code: 'ARG_INVALID' });
  });

  for (const jobs of [0, 2]) {
    it(`jobs ${jobs}: a next() waiting for a slow async input rejects at close(), without waiting for the input`, async () => {
      const pool = createVerifierPool({ trust, at: NOW, jobs });
      let release: (() => void) | undefined;
      const stuck = new Promise<void>((resolve) => (release = resolve));
      let ended = false;
      async function* input(): AsyncGenerator<string> {
        try {
          await stuck; // an input that has nothing for now (a queue, a directory watch)
          yield many[0] as string;
        } finally {
          ended = true;
        }
      }
      const batch = pool.verifyFiles(input());
      const waiting = batch.next();
      await pause();
      const closing = pool.close();
      expect(await within(waiting)).toMatchObject({ kind: 'rejected', code: 'ARG_INVALID', message: expect.stringMatching(/closed.*index 0 on/) });
      expect(await settles(closing)).toBe('settled');
      // The input is stopped as soon as it answers.
      release?.();
      for (let t = Date.now(); !ended && Date.now() - t < BOUND_MS; ) await new Promise((r) => setTimeout(r, 10));
      expect(ended).toBe(true);
      expect(await noWorkerLeft()).toBe(0);
    });
  }
});

describe('a batch abandoned without return()', () => {
  it('makes the next batch refused at once with ARG_INVALID naming it; close() still ends everything', async () => {
    const pool = createVerifierPool({ trust, at: NOW, jobs: 1 });
    const abandoned = pool.verifyFiles(many)[Symbol.asyncIterator]();
    expect(await within(abandoned.next())).toEqual({ kind: 'value', index: 0 });
    // Dropped here: neither finished nor return()ed.
    const refused = await within(pool.verifyFiles(many.slice(0, 3)).next());
    expect(refused).toMatchObject({ kind: 'rejected', code: 'ARG_INVALID' });
    expect(refused.kind === 'rejected' && refused.message).toMatch(/unfinished.*return\(\)/);
    // Still refused later: nothing frees the pool behind the caller's back.
    await new Promise((r) => setTimeout(r, 100));
    expect(await within(pool.verifyFiles(many.slice(0, 3)).next())).toMatchObject({ kind: 'rejected', code: 'ARG_INVALID' });
    expect(await settles(pool.close())).toBe('settled');
    // Picked up again after close(): it says it was closed, and does not hang.
    expect(await within(abandoned.next())).toMatchObject({ kind: 'rejected', code: 'ARG_INVALID' });
    expect(await noWorkerLeft()).toBe(0);
  });

  it('return() on it frees the pool for the next batch', async () => {
    const pool = createVerifierPool({ trust, at: NOW, jobs: 1 });
    try {
      const first = pool.verifyFiles(many);
      await first.next();
      await expect(pool.verifyFiles(many).next()).rejects.toMatchObject({ code: 'ARG_INVALID' });
      expect(await within(first.return(undefined))).toEqual({ kind: 'done' });
      const out: number[] = [];
      for await (const r of pool.verifyFiles(many.slice(0, 5))) out.push(r.index);
      expect(out).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await pool.close();
    }
  });
});

describe('break and close()', () => {
  it('break out of for await frees the pool: the next batch runs in full', async () => {
    const pool = createVerifierPool({ trust, at: NOW, jobs: 2, maxInFlight: 8 });
    try {
      for (let round = 0; round < 3; round++) {
        for await (const r of pool.verifyFiles(many)) if (r.index === 2) break;
      }
      const out: FileVerification[] = [];
      for await (const r of pool.verifyFiles(many.slice(0, 40))) out.push(r);
      expect(out.map((r) => r.index)).toEqual([...Array(40).keys()]);
      expect(out.every((r) => r.error === undefined && r.reports[0]?.status === 'VALID')).toBe(true);
    } finally {
      await pool.close();
    }
    expect(await noWorkerLeft()).toBe(0);
  });

  it('closing an idle pool twice, or twice at once, is fine', async () => {
    const pool = createVerifierPool({ trust, at: NOW, jobs: 2 });
    for await (const r of pool.verifyFiles(many.slice(0, 3))) expect(r.error).toBeUndefined();
    expect(await settles(Promise.all([pool.close(), pool.close()]))).toBe('settled');
    expect(await settles(pool.close())).toBe('settled');
    await expect(pool.verifyFiles(many).next()).rejects.toMatchObject({ code: 'ARG_INVALID' });
    expect(await noWorkerLeft()).toBe(0);
    const idle = createVerifierPool({ trust, at: NOW, jobs: 0 });
    await idle.close();
    await idle.close();
  });
});
