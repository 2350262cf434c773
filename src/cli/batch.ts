/**
 * The batch path of `evoucher verify`: many files verified on worker threads (`verifyFiles`), results kept in
 * input order, with a progress line on an interactive terminal.
 */
import { availableParallelism } from 'node:os';
import { EvoucherError } from '../errors.js';
import { MAX_JOBS, verifyFiles, type VerifyOptions } from '../verify/index.js';
import type { FileOutcome } from './commands/verify.js';
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
 * Verifies files on `jobs` worker threads and returns one outcome per file, in input order. A file that cannot
 * be read is reported on standard error as it happens (as the one-thread path does) and kept as an I/O error.
 *
 * @param files - the file paths (no `-`: standard input is read by the one-thread path).
 * @param options - the verifier options.
 * @param settings - worker threads, and where progress may be drawn (only text output on a terminal).
 * @returns the outcomes.
 * @throws EvoucherError misuse codes of `verifyFiles` (`TRUST_NO_ANCHORS`, `ARG_INVALID`, ...).
 */
export async function verifyFilesForCli(files: readonly string[], options: VerifyOptions, settings: { readonly jobs: number } & ProgressOptions): Promise<FileOutcome[]> {
  const progress = createProgressLine(files.length, settings, 'verify');
  const outcomes: FileOutcome[] = [];
  let failed = 0;
  try {
    for await (const r of verifyFiles(files, Object.assign({}, options, { jobs: settings.jobs }))) {
      if (r.error !== undefined) {
        progress.finish();
        printError(`evoucher verify: ${r.file}: ${r.error.code}: ${r.error.message}`);
        outcomes.push({ file: r.file, reports: [], ioError: { code: r.error.code, message: r.error.message } });
        failed++;
      } else {
        outcomes.push({ file: r.file, reports: r.reports });
        if (r.reports.some((x) => x.status !== 'VALID')) failed++;
      }
      progress.update(outcomes.length, failed);
    }
  } finally {
    progress.finish();
  }
  return outcomes;
}
