/**
 * Reports as UTF-8 JSON text, made where they are verified: a batch whose consumer only writes the reports out
 * (`evoucher verify --format json`, a service streaming them on) then leaves the collecting thread nothing to
 * parse, serialize or encode, and that thread shares the cores with the workers.
 */
import { escapeJsonForDisplay } from '../../encoding/json.js';
import { EvoucherError } from '../../errors.js';
import type { ReportStatus, VerificationReport } from '../report.js';

/** How each report is written as JSON. */
export interface JsonReportOptions {
  /** Spaces per level, as `JSON.stringify`'s third argument: 0 to 10; default 0 (one line per report). */
  readonly indent?: number;
  /**
   * Levels the report sits at inside JSON of the caller's, 0 to 8; default 0. Every line after the first gets
   * `depth × indent` more spaces, as if the report were an element of `depth` nested arrays (the CLI writes an
   * array of reports: depth 1).
   */
  readonly depth?: number;
}

/** The report of one voucher as JSON text. */
export interface JsonReport {
  /** The report's `status`, for counting without parsing. */
  readonly status: ReportStatus;
  /**
   * UTF-8 JSON of the report with the file first, `{ "file": ..., "reportVersion": ..., ... }`, exactly
   * `JSON.stringify(Object.assign({ file }, report), null, indent)` with `depth × indent` more spaces after each
   * line break; no final newline.
   */
  readonly json: Uint8Array;
}

/** Checked {@link JsonReportOptions}: the two counts. */
export interface JsonLayout {
  readonly indent: number;
  readonly depth: number;
}

function count(value: number | undefined, name: string, max: number): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new EvoucherError('ARG_INVALID', `${name} must be an integer from 0 to ${max}`, { detail: { option: name } });
  }
  return value;
}

/**
 * Checks the layout options.
 *
 * @param options - the options, or undefined for one line per report.
 * @returns the layout.
 * @throws EvoucherError `ARG_INVALID` when a count is not an integer in its range.
 * @example jsonLayout({ indent: 2, depth: 1 }) // { indent: 2, depth: 1 }
 */
export function jsonLayout(options: JsonReportOptions | undefined): JsonLayout {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw new EvoucherError('ARG_INVALID', 'the JSON report options must be an object');
  return { indent: count(options?.indent, 'indent', 10), depth: count(options?.depth, 'depth', 8) };
}

const encoder = new TextEncoder();

/** Most UTF-8 bytes one UTF-16 code unit makes (a surrogate pair: 4 bytes for 2 units). */
const MAX_BYTES_PER_UNIT = 3;
/** The scratch space kept between reports: up to 1 MiB, enough for any ordinary report. */
const MAX_SCRATCH = 1 << 20;
let scratch = new Uint8Array(64 * 1024);

/**
 * UTF-8 of `text` in an array buffer of its own. `encodeInto` a scratch array and a copy of the bytes written
 * took about half the time of `encode` for a 13,000-character report with Chinese text (16 against 32 µs on the
 * second machine of docs/performance.md): node's `encode` writes a two-byte string through a slower path.
 */
function utf8(text: string): Uint8Array {
  const need = text.length * MAX_BYTES_PER_UNIT;
  let space = scratch;
  if (need > space.length) {
    space = new Uint8Array(need);
    if (need <= MAX_SCRATCH) scratch = space;
  }
  const { written } = encoder.encodeInto(text, space);
  return space.slice(0, written);
}

/**
 * Writes the reports of one file as JSON.
 *
 * @param file - the file name, written first in each report.
 * @param reports - the reports (plain JSON data).
 * @param layout - indentation.
 * @returns one JSON text per report; each `json` has an array buffer of its own (it can be transferred).
 * @example renderJsonReports('a.xml', reports, { indent: 0, depth: 0 })[0].status // 'VALID'
 */
export function renderJsonReports(file: string, reports: readonly VerificationReport[], layout: JsonLayout): JsonReport[] {
  const { indent: n, depth: d } = layout;
  // The report is written as the element of `depth` nested arrays and the arrays' brackets cut off: JSON.stringify
  // then indents it itself, about 25 µs less per report than adding the spaces to every line afterwards. Before
  // the element: per level "[", a line break and its indentation; after it, the same closing.
  const head = n === 0 ? d : 2 * d + (n * d * (d + 1)) / 2;
  const tail = n === 0 ? d : 2 * d + (n * d * (d - 1)) / 2;
  return reports.map((r) => {
    let value: unknown = Object.assign({ file }, r);
    for (let i = 0; i < d; i++) value = [value];
    // Controls, separators and bidirectional characters of the hostile document escaped, as toJson does.
    const text = escapeJsonForDisplay(JSON.stringify(value, null, n));
    return { status: r.status, json: utf8(d === 0 ? text : text.slice(head, text.length - tail)) };
  });
}
