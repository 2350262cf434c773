/**
 * A one-line progress display for long runs (e.g. `evoucher verify` over many files), written to standard
 * error and only on an interactive terminal: it never mixes into JSON or JUnit output, piped output or logs.
 */

/** A progress line; {@link createProgressLine} makes one. */
export interface ProgressLine {
  /**
   * Reports how many items are done (redrawn at most every few hundred milliseconds).
   *
   * @param done - items done so far.
   * @param failed - items not VALID so far.
   */
  update(done: number, failed: number): void;
  /** Erases the line (call once at the end, before printing results). */
  finish(): void;
}

/** Where and when a progress line may be drawn. */
export interface ProgressOptions {
  /** The output format of the command; only `text` ever shows progress. */
  readonly format: string;
  /** The stream written to; default `process.stderr`. */
  readonly stream?: { readonly isTTY?: boolean; readonly columns?: number; write(s: string): unknown };
  /** Whether standard output is a terminal; default `process.stdout.isTTY`. */
  readonly stdoutIsTty?: boolean;
  /** The least number of items worth a progress line; default 20. */
  readonly minItems?: number;
  /** The least time between two redraws, in milliseconds; default 200. */
  readonly intervalMs?: number;
}

const SILENT: ProgressLine = Object.freeze({ update: () => undefined, finish: () => undefined });

/**
 * Tells whether progress may be shown: text output, standard output and standard error both terminals,
 * and enough items to make it worth it.
 *
 * @param total - the number of items.
 * @param options - format, streams, threshold.
 * @returns true when a progress line may be drawn.
 * @example
 * progressAllowed(1000, { format: 'json' }) // false: never in JSON output
 */
export function progressAllowed(total: number, options: ProgressOptions): boolean {
  const stream = options.stream ?? process.stderr;
  const stdoutIsTty = options.stdoutIsTty ?? process.stdout.isTTY === true;
  return options.format === 'text' && stdoutIsTty && stream.isTTY === true && total >= (options.minItems ?? 20);
}

/**
 * Creates a progress line `verify: 1234/5000 files (25%), 3 not VALID, 410 files/s`, or a silent one when
 * {@link progressAllowed} says no.
 *
 * @param total - the number of items.
 * @param options - format, streams, threshold, redraw interval.
 * @param label - the command name shown first.
 * @returns the progress line.
 * @example
 * const p = createProgressLine(files.length, { format }, 'verify'); p.update(10, 0); p.finish();
 */
export function createProgressLine(total: number, options: ProgressOptions, label: string): ProgressLine {
  if (!progressAllowed(total, options)) return SILENT;
  const stream = options.stream ?? process.stderr;
  const interval = options.intervalMs ?? 200;
  const start = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(done: number, failed: number): void {
      const now = Date.now();
      if (now - last < interval && done < total) return;
      last = now;
      const rate = done / Math.max(0.001, (now - start) / 1000);
      const text = `${label}: ${done}/${total} files (${Math.floor((100 * done) / Math.max(1, total))}%), ${failed} not VALID, ${rate.toFixed(0)} files/s`;
      // A terminal of unknown size reports 0 columns (a pseudo-terminal nobody sized, as under script(1) or some
      // CI runners): taken as 80, not as 20.
      const columns = stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80;
      const width = Math.max(20, columns - 1);
      // \r and erase-line (ECMA-48 EL): redraw in place.
      stream.write(`\r\x1b[2K${text.slice(0, width)}`);
      drawn = true;
    },
    finish(): void {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
