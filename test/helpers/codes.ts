/** Helpers that read the error code a call throws, shared by the test suites. */
import { EvoucherError } from '../../src/errors.js';
import type { ErrorCode } from '../../src/errors.js';

/** Lower-case hex of bytes. */
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Runs `f` and returns the code of the EvoucherError it throws (fails when it throws none, or throws something else). */
export function codeOf(f: () => unknown): ErrorCode {
  try {
    f();
  } catch (e) {
    if (e instanceof EvoucherError) return e.code;
    throw new Error(`threw a non-EvoucherError: ${String(e)}`);
  }
  throw new Error('did not throw');
}

/** Asynchronous variant of {@link codeOf}. */
export async function codeOfAsync(f: () => Promise<unknown>): Promise<ErrorCode> {
  try {
    await f();
  } catch (e) {
    if (e instanceof EvoucherError) return e.code;
    throw new Error(`threw a non-EvoucherError: ${String(e)}`);
  }
  throw new Error('did not throw');
}

/** Runs `f` and returns the `code` property of whatever it throws; undefined when it returns normally. */
export function thrownCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

/** Runs `f` and returns the code of the EvoucherError it throws, or `'no error'`; anything else it throws is rethrown. */
export function caughtCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof EvoucherError) return e.code;
    throw e;
  }
  return 'no error';
}

/** Awaits `p` and returns the code of the EvoucherError it rejects with, or `'no error'`; any other rejection is rethrown. */
export async function rejectedCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof EvoucherError) return e.code;
    throw e;
  }
  return 'no error';
}
