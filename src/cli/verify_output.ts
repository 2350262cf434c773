/**
 * The output of `evoucher verify`: text lines, JUnit suites or one JSON array of reports, made file by file as
 * the outcomes come, so that no report is kept once printed.
 */
import type { JsonReport, JsonReportOptions, VerificationReport } from '../verify/index.js';
import { createJsonArrayWriter, printLines, printText, toJunit, type JsonArrayWriter, type JunitCase, type JunitSuite, type OutputFormat } from './output.js';

/** A report of one voucher with the file it came from (the JSON output). */
export type FileReport = { readonly file: string } & VerificationReport;

/**
 * The JSON output's entry for a file that could not be read: in the array where its reports would be, so that a
 * program reading only the JSON knows which file failed and why (the exit code is 2, as for the other formats).
 */
export interface FileErrorEntry {
  readonly file: string;
  readonly status: 'ERROR';
  readonly error: { readonly code: string; readonly message: string };
}

/** The outcome of one input file. */
export interface FileOutcome {
  readonly file: string;
  readonly reports: readonly VerificationReport[];
  /** The file could not be read (exit code 2). */
  readonly ioError?: { readonly code: string; readonly message: string };
}

/** The outcome of one input file with its reports already written as JSON in {@link CLI_JSON_LAYOUT}. */
export interface RenderedOutcome {
  readonly file: string;
  readonly reports: readonly JsonReport[];
  readonly ioError?: { readonly code: string; readonly message: string };
}

/**
 * The JSON entry of a file that could not be read (`verify`, in the array; `verify-seal`, alone).
 *
 * @param file - the file as named.
 * @param e - its coded error.
 * @returns `{ file, status: 'ERROR', error: { code, message } }`.
 */
export function errorEntry(file: string, e: { readonly code: string; readonly message: string }): FileErrorEntry {
  return { file, status: 'ERROR', error: { code: e.code, message: e.message } };
}

/** How the JSON output lays out a report: `toJson`'s indentation, inside the array one level more. */
export const CLI_JSON_LAYOUT: JsonReportOptions = Object.freeze({ indent: 2, depth: 1 });

/** `VoucherBody[0] 5201 ZF2025112800001` (identity only from the verified bytes). */
export function voucherLabel(r: VerificationReport): string {
  const v = r.voucher;
  return `VoucherBody[${r.body}]${v === undefined ? '' : ` ${v.vtCode} ${v.voucherNo}`}`;
}

/** The error lines of a report: `  seals[1].message-digest: SEAL_DIGEST_MISMATCH: ...` with the seal's position. */
export function errorLines(r: VerificationReport, indent = '  '): string[] {
  return r.errors.map((e) => {
    const m = /^seals\[(\d+)\]/.exec(e.where);
    const seal = m === null ? undefined : r.seals[Number(m[1])];
    const at = seal === undefined ? e.where : `${e.where} (${seal.position} #${seal.sequence})`;
    return `${indent}${at}: ${e.code}${e.status === 'indeterminate' ? ' (indeterminate)' : ''}: ${e.message}`;
  });
}

/**
 * Text output of one file: a line per voucher, then its failing seals and checks.
 *
 * @param o - the outcome of the file.
 * @returns the lines.
 */
export function textLines(o: FileOutcome): string[] {
  if (o.ioError !== undefined) return [`ERROR         ${o.file}: ${o.ioError.code}: ${o.ioError.message}`];
  const lines: string[] = [];
  for (const r of o.reports) {
    const v = r.voucher;
    const facts = v === undefined ? '' : ` ${v.view}${v.amount === undefined ? '' : ` ${v.amount}`}`;
    const seals = `${r.seals.length} seal(s)${r.policy.complete ? ', complete' : r.policy.missing.length > 0 ? `, missing ${r.policy.missing.join(',')}` : ''}`;
    const undecided = r.indeterminate.length > 0 ? ` [not established: ${r.indeterminate.join(', ')}]` : '';
    lines.push(`${r.status.padEnd(13)} ${o.file} ${voucherLabel(r)}${facts} (${seals})${undecided}`);
    lines.push(...errorLines(r, '  '));
  }
  return lines;
}

/**
 * JUnit output of one file: a suite with one case per voucher. An INVALID voucher is a `failure`, an
 * INDETERMINATE one an `error` (could not be decided); either lists every code with where it happened.
 *
 * @param o - the outcome of the file.
 * @returns the suite for `toJunit`.
 */
export function junitSuite(o: FileOutcome): JunitSuite {
  if (o.ioError !== undefined) {
    return { name: o.file, cases: [{ name: 'file', classname: o.file, errors: [{ message: o.ioError.message, type: o.ioError.code }] }] };
  }
  const cases = o.reports.map((r): JunitCase => {
    const name = voucherLabel(r);
    if (r.status === 'VALID') return { name, classname: o.file };
    const first = r.errors.find((e) => e.status === 'failed') ?? r.errors[0];
    const codes = [...new Set(r.errors.map((e) => e.code))];
    const problem = {
      message: `${r.status}: ${codes.join(', ')}${first === undefined ? '' : ` (first at ${first.where})`}`,
      type: first?.code ?? 'POLICY_INCOMPLETE',
      text: errorLines(r, '').join('\n'),
    };
    return r.status === 'INVALID' ? { name, classname: o.file, failures: [problem] } : { name, classname: o.file, errors: [problem] };
  });
  return { name: o.file, cases };
}

/** Where the outcomes of `evoucher verify` go, file by file, in input order. */
export interface VerifyOutput {
  /** Takes the outcome of the next file. */
  add(o: FileOutcome): Promise<void>;
  /**
   * JSON output only (undefined for text and JUnit): takes the outcome of the next file with its reports
   * already written as JSON in {@link CLI_JSON_LAYOUT}, and writes them as they are.
   */
  readonly addRendered?: (o: RenderedOutcome) => Promise<void>;
  /** Prints what is left to print. */
  end(): Promise<void>;
  /** 0 every voucher VALID, 1 any INVALID or INDETERMINATE, 2 a file could not be read. */
  exitCode(): number;
}

/**
 * The output of `evoucher verify`, kept small whatever the number of files: JSON reports are written as they
 * come (one array, byte for byte what printing the whole array prints), and text and JUnit keep only their
 * lines and cases, not the reports, until the end (text waits for the progress line to be erased; JUnit's
 * root element carries the totals).
 *
 * @param format - the output format.
 * @param at - the validation time every report is made at (the summary line names it, also when no file could be
 *   read).
 * @returns the output.
 */
export function createVerifyOutput(format: OutputFormat, at: Date): VerifyOutput {
  const json = format === 'json' ? createJsonArrayWriter() : undefined;
  const lines: string[] = [];
  const suites: JunitSuite[] = [];
  let total = 0;
  let valid = 0;
  let unreadable = 0;
  const validationTime = at.toISOString();
  const addRendered = async (o: RenderedOutcome): Promise<void> => {
    if (o.ioError !== undefined) {
      unreadable++;
      await (json as JsonArrayWriter).add(errorEntry(o.file, o.ioError));
    }
    for (const r of o.reports) {
      total++;
      if (r.status === 'VALID') valid++;
      await (json as JsonArrayWriter).addText(r.json);
    }
  };
  return {
    async add(o: FileOutcome): Promise<void> {
      if (o.ioError !== undefined) {
        unreadable++;
        if (json !== undefined) await json.add(errorEntry(o.file, o.ioError));
      }
      for (const r of o.reports) {
        total++;
        if (r.status === 'VALID') valid++;
        if (json !== undefined) await json.add({ file: o.file, ...r } satisfies FileReport);
      }
      if (format === 'junit') suites.push(junitSuite(o));
      else if (format === 'text') lines.push(...textLines(o));
    },
    async end(): Promise<void> {
      if (json !== undefined) await json.end();
      else if (format === 'junit') printText(toJunit(suites));
      else printLines([...lines, `${valid} of ${total} voucher(s) VALID (validation time ${validationTime})`]);
    },
    exitCode(): number {
      if (unreadable > 0) return 2;
      return valid === total ? 0 : 1;
    },
    ...(json === undefined ? {} : { addRendered }),
  };
}
