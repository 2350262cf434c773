/**
 * The batch path of `evoucher verify`: many files verified on worker threads (`verifyFiles`), results kept in
 * input order, with a progress line on an interactive terminal.
 */
import { availableParallelism } from 'node:os';
import { EvoucherError } from '../errors.js';
import { MAX_JOBS, verifyFiles, verifyFilesJson, type FileError, type VerifyOptions } from '../verify/index.js';
import { CLI_JSON_LAYOUT, type VerifyOutput } from './verify_output.js';
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
 * Verifies files on `jobs` worker threads and hands each outcome to `output` in input order, as it comes (no
 * report is kept here). A file that cannot be read is reported on standard error as it happens (as the
 * one-thread path does) and handed on as an I/O error. For JSON output the workers write the reports' JSON
 * themselves (`verifyFilesJson`), and this thread only copies the bytes out: parsing and writing the JSON again
 * here took about a third of a core with 2 workers on 2 cores.
 *
 * @param files - the file paths (no `-`: standard input is read by the one-thread path).
 * @param options - the verifier options.
 * @param settings - worker threads, and where progress may be drawn (only text output on a terminal).
 * @param output - takes each outcome; the next file's outcome waits for it.
 * @throws EvoucherError misuse codes of `verifyFiles` (`TRUST_NO_ANCHORS`, `ARG_INVALID`, ...).
 */
export async function verifyFilesForCli(
  files: readonly string[],
  options: VerifyOptions,
  settings: { readonly jobs: number } & ProgressOptions,
  output: VerifyOutput,
): Promise<void> {
  const progress = createProgressLine(files.length, settings, 'verify');
  let done = 0;
  let failed = 0;
  const unreadable = (file: string, error: FileError): { code: string; message: string } => {
    progress.finish();
    printError(`evoucher verify: ${file}: ${error.code}: ${error.message}`);
    failed++;
    return { code: error.code, message: error.message };
  };
  const batchOptions = Object.assign({}, options, { jobs: settings.jobs });
  // Reports as objects or as JSON text: the same bookkeeping.
  const each = async <R extends { readonly status: string }>(
    results: AsyncIterable<{ readonly file: string; readonly reports: readonly R[]; readonly error?: FileError }>,
    add: (o: { file: string; reports: readonly R[]; ioError?: { code: string; message: string } }) => Promise<void>,
  ): Promise<void> => {
    for await (const r of results) {
      done++;
      if (r.error !== undefined) {
        await add({ file: r.file, reports: [], ioError: unreadable(r.file, r.error) });
      } else {
        if (r.reports.some((x) => x.status !== 'VALID')) failed++;
        await add({ file: r.file, reports: r.reports });
      }
      progress.update(done, failed);
    }
  };
  try {
    if (output.addRendered !== undefined) await each(verifyFilesJson(files, batchOptions, CLI_JSON_LAYOUT), output.addRendered);
    else await each(verifyFiles(files, batchOptions), output.add);
  } finally {
    progress.finish();
  }
}
