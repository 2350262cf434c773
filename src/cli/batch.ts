/**
 * The batch path of `evoucher verify`: many files verified on worker threads (`verifyFiles`), results kept in
 * input order, with a progress line on an interactive terminal.
 */
import { availableParallelism } from 'node:os';
import { EvoucherError } from '../errors.js';
import { MAX_JOBS, verifyFiles, type VerifyOptions } from '../verify/index.js';
import type { FileOutcome } from './verify_output.js';
import { printError } from './output.js';
import { createProgressLine, type ProgressOptions } from './progress.js';

/**
 * Parses `--jobs`.
 *
 * @param value - the option value, or undefined for the default.
 * @returns the number of worker threads: the value, else the number of cores.
 * @throws EvoucherError `ARG_INVALID` when the value is not an integer from 0 to {@link MAX_JOBS}.
 * @example parseJobs('4') // 4
 */
export function parseJobs(value: string | undefined): number {
  if (value === undefined) return Math.min(availableParallelism(), MAX_JOBS);
  const n = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n > MAX_JOBS) {
    throw new EvoucherError('ARG_INVALID', `--jobs must be an integer from 0 to ${MAX_JOBS}, not '${value.slice(0, 20)}'`, { detail: { option: 'jobs' } });
  }
  return n;
}

/**
 * Verifies files on `jobs` worker threads and hands each outcome to `onOutcome` in input order, as it comes (no
 * report is kept here). A file that cannot be read is reported on standard error as it happens (as the
 * one-thread path does) and handed on as an I/O error.
 *
 * @param files - the file paths (no `-`: standard input is read by the one-thread path).
 * @param options - the verifier options.
 * @param settings - worker threads, and where progress may be drawn (only text output on a terminal).
 * @param onOutcome - takes each outcome; the next file's outcome waits for it.
 * @throws EvoucherError misuse codes of `verifyFiles` (`TRUST_NO_ANCHORS`, `ARG_INVALID`, ...).
 */
export async function verifyFilesForCli(
  files: readonly string[],
  options: VerifyOptions,
  settings: { readonly jobs: number } & ProgressOptions,
  onOutcome: (o: FileOutcome) => Promise<void>,
): Promise<void> {
  const progress = createProgressLine(files.length, settings, 'verify');
  let done = 0;
  let failed = 0;
  try {
    for await (const r of verifyFiles(files, Object.assign({}, options, { jobs: settings.jobs }))) {
      done++;
      if (r.error !== undefined) {
        progress.finish();
        printError(`evoucher verify: ${r.file}: ${r.error.code}: ${r.error.message}`);
        failed++;
        await onOutcome({ file: r.file, reports: [], ioError: { code: r.error.code, message: r.error.message } });
      } else {
        if (r.reports.some((x) => x.status !== 'VALID')) failed++;
        await onOutcome({ file: r.file, reports: r.reports });
      }
      progress.update(done, failed);
    }
  } finally {
    progress.finish();
  }
}
