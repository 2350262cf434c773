/**
 * `evoucher verify <files...> --trust <pem|dir> [--policy p.json] [--at <iso-time>] [--crl <file>]...
 *   [--intermediate <pem>]... [--format text|json|junit]`
 *
 * Verifies every voucher of every envelope and prints one report per voucher (design.md §8). Exit codes:
 * 0 every voucher VALID, 1 any INVALID or INDETERMINATE, 2 usage or I/O error (a missing `--trust` included:
 * verifying with no anchors is never "trust all").
 */
import { EvoucherError } from '../../errors.js';
import { loadTrustStore, type TrustStore } from '../../pki/index.js';
import { verifyEnvelope, type VerificationReport } from '../../verify/index.js';
import { chooseOption, parseAt, parseCommandArgs, readCrlOptions, readInput, readPolicyOption, requireOption } from '../args.js';
import { parseJobs, verifyFilesForCli } from '../batch.js';
import { createJsonArrayWriter, printError, printText, toJunit, type JunitCase, type JunitSuite, type OutputFormat } from '../output.js';

const USAGE = `usage: evoucher verify <files...> --trust <pem|dir> [--policy p.json] [--at <iso-time>]
                       [--crl <file>]... [--intermediate <pem>]... [--format text|json|junit] [--jobs N]
                       [--files-from <list|->]

Verifies the seal chain of every voucher in MOF envelopes and prints one report per voucher.
  --trust, -t       trust anchors: a PEM bundle or a directory of .pem/.crt/.cer files (required)
  --policy, -p      seal policy JSON (default: the built-in positions of each voucher type)
  --at              validation time, ISO 8601 (default: now); certificates are judged at each seal's signing time
  --crl             a CRL (PEM or DER); repeat for more. With CRLs, revocation is required (else not checked)
  --intermediate    extra untrusted CA certificates (PEM) to complete paths; repeat for more
  --format, -f      text (default), json (one array, one report per voucher, with its file) or junit (CI)
  --jobs, -j        worker threads when verifying several files (default: the number of cores; 0: none).
                    Text output on a terminal shows a progress line on standard error for long runs
  --files-from      more files, one path per line of a UTF-8 list (- reads the list from standard input),
                    after those named on the command line: for more files than a command line holds
exit codes: 0 all VALID, 1 any INVALID or INDETERMINATE, 2 usage or I/O error`;

/** A report of one voucher with the file it came from (the JSON output). */
export type FileReport = { readonly file: string } & VerificationReport;

/** The outcome of one input file. */
export interface FileOutcome {
  readonly file: string;
  readonly reports: readonly VerificationReport[];
  /** The file could not be read (exit code 2). */
  readonly ioError?: { readonly code: string; readonly message: string };
}

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
interface VerifyOutput {
  /** Takes the outcome of the next file. */
  add(o: FileOutcome): Promise<void>;
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
 * @returns the output.
 */
function createVerifyOutput(format: OutputFormat): VerifyOutput {
  const json = format === 'json' ? createJsonArrayWriter() : undefined;
  const lines: string[] = [];
  const suites: JunitSuite[] = [];
  let total = 0;
  let valid = 0;
  let unreadable = 0;
  let validationTime: string | undefined;
  return {
    async add(o: FileOutcome): Promise<void> {
      if (o.ioError !== undefined) unreadable++;
      for (const r of o.reports) {
        total++;
        if (r.status === 'VALID') valid++;
        validationTime ??= r.validationTime;
        if (json !== undefined) await json.add({ file: o.file, ...r } satisfies FileReport);
      }
      if (format === 'junit') suites.push(junitSuite(o));
      else if (format === 'text') lines.push(...textLines(o));
    },
    async end(): Promise<void> {
      if (json !== undefined) await json.end();
      else if (format === 'junit') printText(toJunit(suites));
      else printText([...lines, `${valid} of ${total} voucher(s) VALID (validation time ${validationTime ?? '-'})`].join('\n'));
    },
    exitCode(): number {
      if (unreadable > 0) return 2;
      return valid === total ? 0 : 1;
    },
  };
}

/**
 * Reads `--files-from`: one path per line (LF or CRLF), empty lines skipped.
 *
 * @param path - the list file, or `-` for standard input.
 * @param positionals - the files named on the command line.
 * @returns the listed paths.
 * @throws EvoucherError `ARG_IO` (unreadable or larger than the input limit), `ARG_INVALID` (not UTF-8, a NUL
 *   in a path, `-` listed, or standard input wanted twice).
 */
async function readFileList(path: string, positionals: readonly string[]): Promise<string[]> {
  const invalid = (message: string): never => {
    throw new EvoucherError('ARG_INVALID', `--files-from ${path}: ${message}`, { detail: { option: 'files-from' } });
  };
  if (path === '-' && positionals.includes('-')) invalid('standard input cannot be both the list and an envelope');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readInput(path));
  } catch (e) {
    if (e instanceof EvoucherError) throw e;
    return invalid('the list is not UTF-8 text');
  }
  const files: string[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    if (line === '-') invalid(`line ${i + 1}: '-' (standard input) cannot be listed`);
    if (line.includes('\0')) invalid(`line ${i + 1}: a path cannot hold a NUL character`);
    files.push(line);
  }
  return files;
}

async function loadIntermediates(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) out.push(new TextDecoder().decode(await readInput(p, { maxBytes: 1024 * 1024 })));
  return out;
}

/**
 * The verification hook of `evoucher demo`: verifies a demo envelope against the demo trust anchors at the
 * demo's clock and returns the report of its single voucher.
 *
 * @param envelope - the envelope.
 * @param context - the demo's trust directory and clock.
 * @returns the report.
 * @throws EvoucherError `ARG_IO` / `TRUST_NO_ANCHORS` when the trust directory cannot be read.
 * @example
 * await runDemo({ verify: verifyDemoEnvelope })
 */
export async function verifyDemoEnvelope(envelope: Uint8Array, context: { readonly trustDir: string; readonly at: Date }): Promise<VerificationReport> {
  const trust = await loadTrustStore(context.trustDir);
  const [report] = await verifyEnvelope(envelope, { trust, at: context.at });
  if (report === undefined) throw new EvoucherError('ENVELOPE_MALFORMED', 'the demo envelope has no voucher');
  return report;
}

/**
 * Runs `evoucher verify`.
 *
 * @param args - the command's arguments.
 * @returns 0 all VALID, 1 any INVALID or INDETERMINATE, 2 usage or I/O error.
 * @throws EvoucherError `ARG_*`, `TRUST_NO_ANCHORS`, `CERT_MALFORMED`, `CRL_MALFORMED`, `POLICY_INVALID` for
 *   usage errors (the dispatcher prints them and exits 2).
 */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    {
      options: {
        trust: { type: 'string', short: 't' },
        policy: { type: 'string', short: 'p' },
        at: { type: 'string' },
        crl: { type: 'string', multiple: true },
        intermediate: { type: 'string', multiple: true },
        format: { type: 'string', short: 'f' },
        jobs: { type: 'string', short: 'j' },
        'files-from': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    },
    args,
  );
  if (values.help === true) {
    printText(USAGE);
    return 0;
  }
  const format = chooseOption(values.format, ['text', 'json', 'junit'] as const, 'format');
  const listed = values['files-from'] === undefined ? [] : await readFileList(values['files-from'], positionals);
  const files = [...positionals, ...listed];
  if (files.length === 0) throw new EvoucherError('ARG_MISSING', 'verify needs at least one file', {});
  const trust: TrustStore = await loadTrustStore(requireOption(values.trust, 'trust'));
  const policy = await readPolicyOption(values.policy);
  const at = parseAt(values.at) ?? new Date();
  const crls = await readCrlOptions(values.crl ?? []);
  const intermediates = await loadIntermediates(values.intermediate ?? []);
  const jobs = parseJobs(values.jobs);

  const output = createVerifyOutput(format);
  // Several files: the batch path (worker threads, input order kept); one file or standard input: this thread.
  if (files.length > 1 && jobs > 0 && !files.includes('-')) {
    await verifyFilesForCli(files, { trust, at, crls, intermediates, ...(policy === undefined ? {} : { policy }) }, { jobs, format }, output.add);
  } else for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = await readInput(file);
    } catch (e) {
      if (!(e instanceof EvoucherError)) throw e;
      printError(`evoucher verify: ${file}: ${e.code}: ${e.message}`);
      await output.add({ file, reports: [], ioError: { code: e.code, message: e.message } });
      continue;
    }
    const reports = await verifyEnvelope(bytes, {
      trust,
      at,
      crls,
      intermediates,
      ...(policy === undefined ? {} : { policy }),
    });
    await output.add({ file, reports });
  }
  await output.end();
  return output.exitCode();
}
