/**
 * `evoucher validate <files...> [--format text|json|junit] [--at <iso-time>]`
 *
 * Checks unsealed voucher fixtures (envelopes or bare voucher XML) against the catalogue rules, so CI can
 * lint fixture folders. Seals are not verified (that is `evoucher verify`). For a receipt body the
 * receipt is validated as a receipt, its original as an original (a receipt without one is
 * `VERIFY_ORIGINAL_MISSING`), and every difference between them outside the X-fields is reported
 * (`VOUCHER_RECEIPT_FIELD_FORBIDDEN`).
 */
import { EvoucherError } from '../../errors.js';
import { diffVouchers, validateVoucher } from '../../voucher/index.js';
import type { Envelope, Voucher, VoucherView } from '../../voucher/index.js';
import { chooseOption, parseAt, parseCommandArgs, readInputs, refuseStdinTwice } from '../args.js';
import { formatIssues, printError, printJson, printLines, printText, toJunit } from '../output.js';
import type { IssueLine, JunitSuite } from '../output.js';
import { readDocument } from './inspect.js';

const USAGE = `usage: evoucher validate <files...> [--format text|json|junit] [--at <iso-time>] [--view original|receipt]

Checks envelopes or bare voucher XML against the voucher catalogue rules (no seal verification).
  --format, -f   text (default), json (one result per file, as an array) or junit (CI)
  --at           the time "now" for date rules (ISO 8601); default: the clock
  --view         the view of bare voucher XML: original (default, X-fields empty) or receipt;
                 envelope bodies take theirs from VoucherFlag
exit codes: 0 all valid, 1 any invalid, 2 usage or I/O error`;

/**
 * Most problems listed per voucher. Every problem of a voucher is found, but a document within the reader's limits
 * can have millions: 1,000 bodies of 1,000 empty detail lines (a 12 MB envelope) have 13 million, and listing them
 * took 3.8 GB and 63 s to end in "Invalid string length" (exit 2, as for a file that cannot be read). The first
 * ones say what is wrong, `omitted` how many more there are.
 */
export const MAX_ISSUES_PER_VOUCHER = 100;

/** The result for one voucher (one envelope body, or the bare voucher). */
export interface VoucherResult {
  /** `VoucherBody[0]`, or `voucher` for a bare voucher. */
  readonly where: string;
  readonly vtCode?: string;
  readonly voucherNo?: string;
  readonly view: VoucherView;
  /** The problems, the first {@link MAX_ISSUES_PER_VOUCHER} of them. */
  readonly issues: readonly IssueLine[];
  /** How many more problems the voucher has than `issues` lists (absent when it lists them all). */
  readonly omitted?: number;
}

/** The result for one file. */
export interface FileResult {
  readonly file: string;
  /** `valid`; `invalid` (a rule failed or the document is unreadable); `error` (the file could not be read). */
  readonly status: 'valid' | 'invalid' | 'error';
  readonly vouchers: readonly VoucherResult[];
  /** Why the document could not be read (status `invalid`) or the file could not be opened (status `error`). */
  readonly error?: { readonly code: string; readonly message: string };
}

function checkVoucher(v: Voucher, view: VoucherView, now: Date, prefix: string): IssueLine[] {
  return validateVoucher(v, { view, now }).map((i) => Object.assign({}, i, { path: `${prefix}${i.path}` }));
}

/** The issues of one voucher as listed: at most {@link MAX_ISSUES_PER_VOUCHER}, with the count of the rest. */
function listed(issues: readonly IssueLine[]): { issues: readonly IssueLine[]; omitted?: number } {
  if (issues.length <= MAX_ISSUES_PER_VOUCHER) return { issues };
  return { issues: issues.slice(0, MAX_ISSUES_PER_VOUCHER), omitted: issues.length - MAX_ISSUES_PER_VOUCHER };
}

/** How many problems a voucher has, listed or not. */
function problemCount(v: VoucherResult): number {
  return v.issues.length + (v.omitted ?? 0);
}

function checkEnvelope(env: Envelope, now: Date): VoucherResult[] {
  return env.bodies.map((b, i) => {
    const view: VoucherView = b.voucherFlag === '1' ? 'receipt' : 'original';
    const issues: IssueLine[] = [];
    if (b.voucher !== undefined) issues.push(...checkVoucher(b.voucher, view, now, ''));
    if (b.voucherError !== undefined) issues.push({ path: 'Voucher', code: b.voucherError.code, message: b.voucherError.message });
    if (b.originalVoucherError !== undefined) {
      issues.push({ path: 'OriginalVoucher', code: b.originalVoucherError.code, message: b.originalVoucherError.message });
    }
    if (view === 'receipt' && b.originalVoucher === undefined && b.originalVoucherError === undefined) {
      // As the verifier judges it: without its original, a receipt's changes outside the X-fields cannot be seen.
      issues.push({ path: 'OriginalVoucher', code: 'VERIFY_ORIGINAL_MISSING', message: 'the receipt carries no <OriginalVoucher>; its changes outside the X-fields cannot be checked' });
    }
    if (b.originalVoucher !== undefined) {
      issues.push(...checkVoucher(b.originalVoucher, 'original', now, 'OriginalVoucher.'));
      if (b.voucher !== undefined) {
        for (const d of diffVouchers(b.originalVoucher, b.voucher)) {
          if (d.x) continue;
          issues.push({
            path: d.path,
            code: 'VOUCHER_RECEIPT_FIELD_FORBIDDEN',
            message: `the receipt changes ${d.path} from ${JSON.stringify(d.a ?? null)} to ${JSON.stringify(d.b ?? null)}; only X-fields may change`,
          });
        }
      }
    }
    return {
      where: `VoucherBody[${i}]`,
      vtCode: b.attributes.vtCode,
      voucherNo: b.attributes.voucherNo,
      view,
      ...listed(issues),
    };
  });
}

/**
 * Validates one document (envelope or bare voucher).
 *
 * @param file - a name for the result.
 * @param bytes - the document.
 * @param now - the time for date rules.
 * @param bareView - the view of a bare voucher (envelope bodies take theirs from VoucherFlag).
 * @returns the result; never throws for a bad document.
 * @example validateDocument('a.xml', bytes, new Date()).status
 */
export function validateDocument(file: string, bytes: Uint8Array, now: Date, bareView: VoucherView = 'original'): FileResult {
  try {
    const vouchers = readDocument<VoucherResult[]>(
      bytes,
      (env) => checkEnvelope(env, now),
      (v) => [{ where: 'voucher', vtCode: v.vtCode, voucherNo: v.fields.VoucherNo ?? '', view: bareView, ...listed(checkVoucher(v, bareView, now, '')) }],
    );
    if (vouchers.length === 0) {
      // As the verifier judges it: an envelope without a voucher is no fixture to pass.
      return { file, status: 'invalid', vouchers: [], error: { code: 'ENVELOPE_MALFORMED', message: 'the envelope carries no VoucherBody' } };
    }
    return { file, status: vouchers.every((v) => v.issues.length === 0) ? 'valid' : 'invalid', vouchers };
  } catch (e) {
    if (!(e instanceof EvoucherError)) throw e;
    return { file, status: 'invalid', vouchers: [], error: { code: e.code, message: e.message } };
  }
}

/**
 * Turns validation results into JUnit suites: one suite per file, one case per voucher.
 *
 * @param results - the file results.
 * @returns the suites for {@link toJunit}.
 */
export function resultsToJunit(results: readonly FileResult[]): JunitSuite[] {
  return results.map((r) => {
    if (r.error !== undefined) {
      const p = { message: r.error.message, type: r.error.code };
      return { name: r.file, cases: [{ name: 'document', ...(r.status === 'error' ? { errors: [p] } : { failures: [p] }) }] };
    }
    return {
      name: r.file,
      cases: r.vouchers.map((v) => ({
        name: `${v.where} ${v.vtCode ?? ''} ${v.voucherNo ?? ''}`.trim(),
        classname: r.file,
        ...(v.issues.length === 0
          ? {}
          : {
              failures: [
                {
                  message: `${problemCount(v)} problem(s); first: ${v.issues[0]?.code ?? ''}`,
                  type: v.issues[0]?.code ?? 'VOUCHER_INVALID',
                  text: [...formatIssues(v.issues, ''), ...omittedLine(v, '')].join('\n'),
                },
              ],
            }),
      })),
    };
  });
}

/** The line that says how many problems are not listed, if any. */
function omittedLine(v: VoucherResult, indent: string): string[] {
  return v.omitted === undefined ? [] : [`${indent}… and ${v.omitted} more problem(s), not listed`];
}

function formatText(results: readonly FileResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    if (r.status === 'error') {
      lines.push(`ERROR   ${r.file}: ${r.error?.code ?? ''}: ${r.error?.message ?? ''}`);
      continue;
    }
    if (r.error !== undefined) {
      lines.push(`INVALID ${r.file}: ${r.error.code}: ${r.error.message}`);
      continue;
    }
    lines.push(`${r.status === 'valid' ? 'OK     ' : 'INVALID'} ${r.file} (${r.vouchers.length} voucher(s))`);
    for (const v of r.vouchers) {
      if (v.issues.length === 0) continue;
      lines.push(`  ${v.where} ${v.vtCode ?? ''} ${v.voucherNo ?? ''} (${v.view}): ${problemCount(v)} problem(s)`);
      lines.push(...formatIssues(v.issues, '    '), ...omittedLine(v, '    '));
    }
  }
  const bad = results.filter((r) => r.status !== 'valid').length;
  lines.push(`${results.length - bad} of ${results.length} file(s) valid`);
  return lines;
}

/**
 * Runs `evoucher validate`.
 *
 * @param args - the command's arguments.
 * @returns 0 all valid, 1 any invalid, 2 usage error or a file that cannot be read.
 * @throws EvoucherError `ARG_*` for usage errors.
 */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    {
      options: { format: { type: 'string', short: 'f' }, at: { type: 'string' }, view: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    },
    args,
  );
  if (values.help === true) {
    printText(USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new EvoucherError('ARG_MISSING', 'validate needs at least one file', {});
  refuseStdinTwice(positionals.map((path) => ({ path, as: 'a document' })));
  const format = chooseOption(values.format, ['text', 'json', 'junit'] as const, 'format');
  const view = chooseOption(values.view, ['original', 'receipt'] as const, 'view');
  const now = parseAt(values.at) ?? new Date();
  const results: FileResult[] = [];
  for await (const r of readInputs(positionals)) {
    if ('error' in r) {
      // Named on standard error too, whatever the format, as `verify` does: exit 2 always comes with its reason there.
      printError(`evoucher validate: ${r.file}: ${r.error.code}: ${r.error.message}`);
      results.push({ file: r.file, status: 'error', vouchers: [], error: { code: r.error.code, message: r.error.message } });
      continue;
    }
    results.push(validateDocument(r.file, r.bytes, now, view));
  }
  if (format === 'json') printJson(results);
  else if (format === 'junit') printText(toJunit(resultsToJunit(results)));
  else printLines(formatText(results));
  if (results.some((r) => r.status === 'error')) return 2;
  return results.some((r) => r.status === 'invalid') ? 1 : 0;
}
