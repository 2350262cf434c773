/**
 * A batch's input never blocks the batch: files that arrive one by one are verified as they arrive (an input
 * that hands over its next file only after the consumer took a result ran into a deadlock), a bad input is a
 * coded error that leaves the pool usable, a batch stopped while its input is busy ends at once, and a one-shot
 * batch dropped half-way neither keeps the process alive nor, once collected, its worker threads. Every wait
 * is bounded, so a hang fails the test instead of stalling the run.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/commands/demo.js';
import { loadTrustStore, type TrustStore } from '../../src/pki/index.js';
import { batchInput, END, WAIT } from '../../src/verify/batch/input.js';
import { createVerifierPool, verifyFiles, verifyFilesJson } from '../../src/verify/index.js';

const NOW = new Date('2026-01-15T02:00:00Z');
/** Generous: only turns a hang into a failure, measures nothing. */
const BOUND_MS = 10_000;
let dir: string;
let trust: TrustStore;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-batch-input-'));
  trust = await loadTrustStore(join(import.meta.dirname, '..', '..', 'fixtures', 'pki', 'trust'));
  const demo = await runDemo({ now: NOW, variants: ['cms'] });
  file = join(dir, 'valid.xml');
  await writeFile(file, (demo.vouchers[0] as { original: Uint8Array }).original);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `p`, or a rejection naming `what` when it has not settled within {@link BOUND_MS}. */
async function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`HANG: ${what}`)), BOUND_MS)));
  try {
    return await Promise.race([p, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** The pool runs the next batch in full: a failed batch left it usable. */
async function expectUsable(pool: ReturnType<typeof createVerifierPool>): Promise<void> {
  const again: number[] = [];
  for await (const r of pool.verifyFiles([file])) again.push(r.index);
  expect(again).toEqual([0]);
}

/**
 * An input that hands over file k + 1 only once the consumer has taken the result of file k (a request and
 * response service); `answered(k)` is what the consumer calls.
 */
function requestResponse(count: number): { input: AsyncIterable<string>; answered: (index: number) => void } {
  let taken = -1;
  let wakeProducer: (() => void) | undefined;
  async function* input(): AsyncGenerator<string> {
    for (let i = 0; i < count; i++) {
      yield file;
      while (taken < i) await new Promise<void>((resolve) => (wakeProducer = resolve));
    }
  }
  return {
    input: input(),
    answered(index) {
      taken = index;
      wakeProducer?.();
    },
  };
}

describe('a batch never waits on its input while it has work or results', () => {
  for (const jobs of [0, 1, 2]) {
    it(`jobs ${jobs}: an input that waits for the consumer's results runs to the end (it deadlocked)`, async () => {
      const { input, answered } = requestResponse(6);
      const statuses = await bounded(
        (async () => {
          const out: string[] = [];
          for await (const r of verifyFiles(input, { trust, at: NOW, jobs })) {
            out.push(r.reports[0]?.status ?? 'none');
            answered(r.index);
          }
          return out;
        })(),
        'request and response input',
      );
      expect(statuses).toEqual(Array.from({ length: 6 }, () => 'VALID'));
    });
  }

  it('verifyFilesJson on a pool, batch after batch: the same', async () => {
    const pool = createVerifierPool({ trust, at: NOW, jobs: 2 });
    try {
      for (let round = 0; round < 2; round++) {
        const { input, answered } = requestResponse(4);
        const statuses = await bounded(
          (async () => {
            const out: string[] = [];
            for await (const r of pool.verifyFilesJson(input)) {
              out.push(r.reports[0]?.status ?? 'none');
              answered(r.index);
            }
            return out;
          })(),
          'request and response input, JSON',
        );
        expect(statuses).toEqual(['VALID', 'VALID', 'VALID', 'VALID']);
      }
    } finally {
      await pool.close();
    }
  });

  it('a file that arrives alone is verified while the input waits for the next (no chunk to fill first)', async () => {
    let release: (() => void) | undefined;
    const later = new Promise<void>((resolve) => (release = resolve));
    async function* input(): AsyncGenerator<string> {
      yield file;
      yield file;
      await later; // nothing more for now
      yield file;
    }
    const pool = createVerifierPool({ trust, at: NOW, jobs: 2 });
    try {
      const batch = pool.verifyFiles(input());
      expect((await bounded(batch.next(), 'first result')).value?.index).toBe(0);
      expect((await bounded(batch.next(), 'second result')).value?.index).toBe(1);
      release?.();
      expect((await bounded(batch.next(), 'third result')).value?.index).toBe(2);
      expect((await bounded(batch.next(), 'the end')).done).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('a consumer that stops while the input is busy is not kept waiting; the input is ended when it answers', async () => {
    let release: (() => void) | undefined;
    const later = new Promise<void>((resolve) => (release = resolve));
    let ended = false;
    async function* input(): AsyncGenerator<string> {
      try {
        yield file;
        await later;
        yield file;
      } finally {
        ended = true;
      }
    }
    const pool = createVerifierPool({ trust, at: NOW, jobs: 2 });
    try {
      const batch = pool.verifyFiles(input());
      expect((await bounded(batch.next(), 'first result')).value?.index).toBe(0);
      expect(await bounded(batch.return(undefined), 'return() while the input waits')).toEqual({ done: true, value: undefined });
      expect(ended).toBe(false);
      release?.();
      for (let t = Date.now(); !ended && Date.now() - t < BOUND_MS; ) await new Promise((r) => setTimeout(r, 10));
      expect(ended).toBe(true);
      // The pool is free for the next batch.
      const next: number[] = [];
      for await (const r of pool.verifyFiles([file, file])) next.push(r.index);
      expect(next).toEqual([0, 1]);
    } finally {
      await pool.close();
    }
  });
});

describe('bad inputs are coded errors and leave the pool usable', () => {
  const bad: [string, () => unknown][] = [
    ['one string (it would be read letter by letter)', () => 'a.xml'],
    ['a number', () => 42],
    ['null', () => null],
    ['an object that is not iterable', () => ({ length: 1, 0: 'a.xml' })],
  ];
  for (const [what, make] of bad) {
    it(`${what}: ARG_INVALID at the first next()`, async () => {
      const pool = createVerifierPool({ trust, at: NOW, jobs: 1 });
      try {
        await expect(pool.verifyFiles(make() as string[]).next()).rejects.toMatchObject({ code: 'ARG_INVALID', message: /iterable/ });
        await expectUsable(pool);
      } finally {
        await pool.close();
      }
    });
  }

  for (const jobs of [0, 2]) {
    it(`jobs ${jobs}: a name that is not a string, an input that throws or whose next() throws at once; the files before are yielded first`, async () => {
      const pool = createVerifierPool({ trust, at: NOW, jobs });
      /** The indexes yielded before the batch threw, and what it threw. */
      const until = async (input: Iterable<string> | AsyncIterable<string>): Promise<{ seen: number[]; error: unknown }> => {
        const seen: number[] = [];
        try {
          for await (const r of pool.verifyFiles(input)) seen.push(r.index);
        } catch (error) {
          return { seen, error };
        }
        return { seen, error: undefined };
      };
      try {
        const notString = await bounded(until([file, file, 7 as unknown as string, file]), 'not a string');
        expect(notString.seen).toEqual([0, 1]);
        expect(notString.error).toMatchObject({ code: 'ARG_INVALID', message: /strings/ });
        async function* failing(): AsyncGenerator<string> {
          yield file;
          throw new Error('the queue broke');
        }
        const broke = await bounded(until(failing()), 'failing input');
        expect(broke.seen).toEqual([0]);
        expect(broke.error).toMatchObject({ message: 'the queue broke' });
        const throwsAtOnce: AsyncIterable<string> = {
          [Symbol.asyncIterator]: () => ({
            next: () => {
              throw new Error('no next');
            },
          }),
        };
        await expect(bounded(pool.verifyFiles(throwsAtOnce).next(), 'next() that throws')).rejects.toThrow('no next');
        await expectUsable(pool);
      } finally {
        await pool.close();
      }
    });
  }

  for (const jobs of [0, 2]) {
    it(`jobs ${jobs}: the input's error leaves the batch, not one from its return(); a failed iterator is not return()ed`, async () => {
      let returned = 0;
      const iterable = (failAt: number, bad: unknown): Iterable<string> => ({
        [Symbol.iterator]: () => {
          let i = 0;
          return {
            next: () => {
              if (i++ < failAt) return { done: false, value: file };
              if (bad === 'throw') throw new Error('input failed');
              return { done: false, value: bad as string };
            },
            return: () => {
              returned++;
              throw new Error('return() failed');
            },
          };
        },
      });
      const until = async (input: Iterable<string>): Promise<{ seen: number; error: unknown }> => {
        let seen = 0;
        try {
          for await (const r of verifyFiles(input, { trust, at: NOW, jobs })) if (r.reports[0]?.status === 'VALID') seen++;
        } catch (error) {
          return { seen, error };
        }
        return { seen, error: undefined };
      };
      const failed = await bounded(until(iterable(2, 'throw')), 'failing iterator');
      expect(failed).toMatchObject({ seen: 2, error: { message: 'input failed' } });
      expect(returned).toBe(0);
      const badName = await bounded(until(iterable(2, 42)), 'bad name');
      expect(badName).toMatchObject({ seen: 2, error: { code: 'ARG_INVALID' } });
      // The iterator itself was fine: it is return()ed, and its failure there does not hide ARG_INVALID.
      expect(returned).toBe(1);
    });
  }

  it('verifyFilesJson without a pool refuses a string too', async () => {
    await expect(verifyFilesJson('a.xml' as unknown as string[], { trust, at: NOW, jobs: 1 }).next()).rejects.toMatchObject({ code: 'ARG_INVALID' });
  });
});

describe('batchInput', () => {
  it('reads an iterable at once and an async iterable one answer at a time, never waiting', async () => {
    const sync = batchInput(['a', 'b'], () => undefined);
    expect([sync.take(), sync.take(), sync.take(), sync.take()]).toEqual(['a', 'b', END, END]);
    let answers = 0;
    async function* names(): AsyncGenerator<string> {
      yield 'x';
      yield 'y';
    }
    const input = batchInput(names(), () => answers++);
    expect(input.take()).toBe(WAIT);
    expect(input.asking).toBe(true);
    expect(input.take()).toBe(WAIT); // the same question, not a second one
    await new Promise((r) => setImmediate(r));
    expect(answers).toBe(1);
    expect(input.take()).toBe('x');
    expect(input.take()).toBe(WAIT);
    await new Promise((r) => setImmediate(r));
    expect(input.take()).toBe('y');
    expect(input.take()).toBe(WAIT);
    await new Promise((r) => setImmediate(r));
    expect(input.take()).toBe(END);
    expect(answers).toBe(3);
  });
});

describe('batchInput, stopped', () => {
  it('a failed async input is not return()ed, whether its failure came before stop() or after', async () => {
    let returned = 0;
    let rejectLater: ((e: Error) => void) | undefined;
    const failing = (later: boolean): AsyncIterable<string> => ({
      [Symbol.asyncIterator]: () => ({
        next: () => (later ? new Promise<IteratorResult<string>>((_, reject) => (rejectLater = reject)) : Promise.reject(new Error('broke'))),
        return: () => {
          returned++;
          return Promise.resolve({ done: true, value: undefined });
        },
      }),
    });
    const early = batchInput(failing(false), () => undefined);
    expect(early.take()).toBe(WAIT);
    await new Promise((r) => setImmediate(r));
    await early.stop(true);
    const late = batchInput(failing(true), () => undefined);
    expect(late.take()).toBe(WAIT);
    await late.stop(true);
    rejectLater?.(new Error('broke later'));
    await new Promise((r) => setImmediate(r));
    expect(returned).toBe(0);
    // One that answers is return()ed when it does.
    let answer: ((r: IteratorResult<string>) => void) | undefined;
    const slow = batchInput({ [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<string>>((r) => (answer = r)), return: () => (returned++, Promise.resolve({ done: true, value: undefined })) }) }, () => undefined);
    expect(slow.take()).toBe(WAIT);
    await slow.stop(true);
    expect(returned).toBe(0);
    answer?.({ done: false, value: 'a.xml' });
    await new Promise((r) => setImmediate(r));
    expect(returned).toBe(1);
  });
});

describe('in a process of its own', () => {
  const child = join(import.meta.dirname, 'batch_dropped_child.mjs');
  const run = (args: string[]): Promise<{ stdout: string }> =>
    promisify(execFile)(process.execPath, [...args, NOW.toISOString()], { cwd: join(import.meta.dirname, '..', '..'), timeout: 30_000, killSignal: 'SIGKILL' });

  it('close() while a batch waits for an answer: its promise settles before the process ends (the batch had unref\'d the stopping workers)', async () => {
    const { stdout } = await run([child, 'close']);
    expect(stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { jobs: 1, first: 'ARG_INVALID', closed: true },
      { jobs: 2, first: 'ARG_INVALID', closed: true },
    ]);
  }, 40_000);

  it('an async input whose next() answers undefined ends the batch with ARG_INVALID after the results before (it spun for ever)', async () => {
    const { stdout } = await run([child, 'not-a-result']);
    expect(JSON.parse(stdout)).toEqual([
      { jobs: 0, results: 2, error: 'ARG_INVALID' },
      { jobs: 2, results: 2, error: 'ARG_INVALID' },
    ]);
  }, 40_000);

  it('does not keep the process alive: it ends by itself', async () => {
    const { stdout } = await run([child, 'exit']);
    expect(JSON.parse(stdout)).toEqual({ took: 0 });
  }, 40_000);

  it('stops its worker threads once its iterator is collected', async () => {
    const { stdout } = await run(['--expose-gc', child, 'gc']);
    const { before, during, after } = JSON.parse(stdout) as { before: number; during: number; after: number };
    expect(during).toBeGreaterThanOrEqual(before + 2);
    expect(after).toBeLessThanOrEqual(before);
  }, 40_000);
});
