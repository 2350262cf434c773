/**
 * The file names of a batch, read without ever blocking the batch on its input.
 *
 * An array or other iterable is read at once. An async iterable (a queue, a directory watch, files that arrive
 * over a socket) is asked for one name at a time, and the batch does not wait for the answer: it goes on
 * handing out what it has and yielding what is done, and the answer wakes it. So an input that hands over its
 * next file only after the consumer has taken an earlier result (request and response) cannot deadlock the
 * batch, and files that arrive one by one are verified as they arrive, not when a chunk has filled.
 */
import { EvoucherError } from '../../errors.js';

/** The input has not answered yet; its answer calls the `onAnswer` given to {@link batchInput}. */
export const WAIT: unique symbol = Symbol('wait');
/** The input has ended. */
export const END: unique symbol = Symbol('end');

/** A batch's file names. */
export interface BatchInput {
  /**
   * The next file name, {@link WAIT} while an async input has not answered, or {@link END}. Never waits.
   *
   * @throws what the input threw, or EvoucherError `ARG_INVALID` for a name that is not a string.
   */
  take(): string | typeof WAIT | typeof END;
  /** An async input's `next()` is unanswered. */
  readonly asking: boolean;
  /**
   * Ends the input (its `return()`). An input still answering a `next()` is ended when it answers, not waited
   * for; nor is an async input's `return()` when `wait` is false.
   *
   * @throws what the input's `return()` threw, when it is waited for.
   */
  stop(wait: boolean): Promise<void>;
}

function fileName(value: unknown): string {
  if (typeof value !== 'string') throw new EvoucherError('ARG_INVALID', 'file names must be strings');
  return value;
}

/**
 * Opens `files` for a batch.
 *
 * @param files - an iterable or async iterable of file paths (not a string: that would be read as characters).
 * @param onAnswer - called when an async input answers a `next()` that {@link BatchInput.take} asked.
 * @returns the input.
 * @throws EvoucherError `ARG_INVALID` when `files` is not an iterable of names.
 * @example
 * const input = batchInput(['a.xml', 'b.xml'], () => {})
 * input.take() // 'a.xml'
 */
export function batchInput(files: Iterable<string> | AsyncIterable<string>, onAnswer: () => void): BatchInput {
  if (typeof files === 'string' || typeof files !== 'object' || files === null) {
    throw new EvoucherError('ARG_INVALID', 'files must be an iterable or async iterable of file names');
  }
  if (Symbol.asyncIterator in files && typeof files[Symbol.asyncIterator] === 'function') return asyncInput(files[Symbol.asyncIterator](), onAnswer);
  if (Symbol.iterator in files && typeof files[Symbol.iterator] === 'function') return syncInput(files[Symbol.iterator]());
  throw new EvoucherError('ARG_INVALID', 'files must be an iterable or async iterable of file names');
}

/** What a `next()` that answered no iterator result throws (for await throws a TypeError). */
function notAResult(value: unknown): EvoucherError {
  return new EvoucherError('ARG_INVALID', `the input's next() answered ${value === null ? 'null' : typeof value}, not an iterator result`);
}

function syncInput(it: Iterator<string>): BatchInput {
  let ended = false;
  return {
    asking: false,
    take() {
      if (ended) return END;
      let r: IteratorResult<string>;
      try {
        r = it.next();
      } catch (e) {
        // A failed iterator is not return()ed (as with for...of).
        ended = true;
        throw e;
      }
      if (typeof r !== 'object' || r === null) {
        ended = true;
        throw notAResult(r);
      }
      if (r.done === true) {
        ended = true;
        return END;
      }
      return fileName(r.value);
    },
    async stop() {
      if (ended) return;
      ended = true;
      it.return?.();
    },
  };
}

function asyncInput(it: AsyncIterator<string>, onAnswer: () => void): BatchInput {
  let ended = false;
  /** The unanswered `next()`, if any. */
  let asking: Promise<void> | undefined;
  /** The answer not taken yet, wrapped: an input may answer anything, `undefined` too. */
  let answer: { readonly result: IteratorResult<string> } | undefined;
  let failure: { readonly error: unknown } | undefined;
  const ask = (): void => {
    let next: Promise<IteratorResult<string>>;
    try {
      next = Promise.resolve(it.next());
    } catch (e) {
      failure = { error: e };
      return;
    }
    asking = next.then(
      (r: unknown) => {
        if (typeof r === 'object' && r !== null) answer = { result: r as IteratorResult<string> };
        else failure = { error: notAResult(r) };
        asking = undefined;
        onAnswer();
      },
      (e: unknown) => {
        failure = { error: e };
        asking = undefined;
        onAnswer();
      },
    );
  };
  return {
    get asking() {
      return asking !== undefined;
    },
    take() {
      if (failure !== undefined) {
        ended = true;
        throw failure.error;
      }
      if (answer !== undefined) {
        const r = answer.result;
        answer = undefined;
        if (r.done === true) {
          ended = true;
          return END;
        }
        return fileName(r.value);
      }
      if (ended) return END;
      if (asking === undefined) ask();
      // A next() that threw at once.
      if (failure !== undefined) return this.take();
      return WAIT;
    },
    async stop(wait) {
      // An input that failed (a next() that rejected or answered no result) is not return()ed, as with for await.
      if (ended || failure !== undefined) return;
      ended = true;
      const end = async (): Promise<void> => {
        await it.return?.();
      };
      if (asking !== undefined) {
        // Stopped when it answers, unless that answer is a failure; the answer is nobody's.
        void asking.then(() => (failure === undefined ? end() : undefined)).catch(() => undefined);
        return;
      }
      if (wait) await end();
      else end().catch(() => undefined);
    },
  };
}
