/**
 * Output helpers shared by the CLI commands: text and JSON printing, issue lines, and a JUnit XML writer
 * for CI (one `testsuite` per input file, one `testcase` per voucher or seal).
 */
import { once } from 'node:events';
import { clipText, escapeJsonForDisplay } from '../encoding/index.js';
import { EvoucherError } from '../errors.js';

/** An output format of a checking command. */
export type OutputFormat = 'text' | 'json' | 'junit';

/**
 * Writes text to standard output, adding a final newline when missing.
 *
 * @param text - the text.
 * @example printText('ok')
 */
export function printText(text: string): void {
  process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
}

/**
 * Control characters (C0, DEL, C1), line and paragraph separators and the bidirectional controls (the
 * overrides, embeddings, isolates and the marks LRM, RLM and ALM U+061C): what a hostile voucher, seal or file
 * name could carry to forge or hide lines of a terminal report.
 */
const UNSAFE_IN_LINE = /[\p{Cc}\u2028\u2029\p{Bidi_Control}]/gu;

/**
 * One line of a text report as it may reach a terminal: every control, separator or bidirectional-override
 * character escaped as `\xNN` / `\uNNNN`, so that text taken from an untrusted document (a voucher number, a
 * seal name, an error message quoting either) cannot start a new line, move the cursor or reorder what is shown.
 *
 * @param line - the line.
 * @returns the line, safe to print.
 * @example displayLine('VALID\r\nforged') // 'VALID\\x0d\\x0aforged'
 */
export function displayLine(line: string): string {
  return line.replace(UNSAFE_IN_LINE, (ch) => {
    const cp = ch.codePointAt(0) as number;
    return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Writes the lines of a text report to standard output, each through {@link displayLine}.
 *
 * @param lines - the lines, none ending in a newline.
 * @example printLines([`VALID ${file}`])
 */
export function printLines(lines: readonly string[]): void {
  printText(lines.map(displayLine).join('\n'));
}

/**
 * Writes a status line (what a command did: `sealed cz_zfzyz → out.xml`) to standard error, through
 * {@link displayLine}. Standard output carries a command's data only (XML, a report, JSON, JUnit, a picture), so
 * that `evoucher … > file` or a pipe gets the data and nothing else; what is said to the person goes to standard
 * error, as progress does.
 *
 * @param lines - the lines, none ending in a newline.
 * @example printStatus([`wrote ${output}`])
 */
export function printStatus(lines: readonly string[]): void {
  process.stderr.write(lines.map((l) => `${displayLine(l)}\n`).join(''));
}

/** Longest line of an error message printed (a message may quote a sender's value of megabytes). */
const MAX_ERROR_LINE = 2000;

/**
 * Writes one line to standard error, through {@link displayLine} and at most {@link MAX_ERROR_LINE} characters: an
 * error message may quote an untrusted document, whose line breaks and controls must not forge a line of their
 * own on a terminal or in a log. Several lines take several calls.
 *
 * @param line - the line (a line break in it is shown escaped).
 * @example printError('evoucher build: ARG_IO: cannot read v.json')
 */
export function printError(line: string): void {
  process.stderr.write(`${displayLine(line.length > MAX_ERROR_LINE ? `${clipText(line, MAX_ERROR_LINE)}…` : line)}\n`);
}

/**
 * Serializes a value as indented JSON: `Uint8Array` becomes base64, `bigint` a decimal string, `Date` ISO 8601,
 * errors `{ code, message }`; controls, separators and bidirectional characters in strings as `\uXXXX` escapes
 * ({@link escapeJsonForDisplay}).
 *
 * @param value - the value.
 * @returns the JSON text (no final newline).
 * @example toJson({ bytes: new Uint8Array([1]) }) // '{\n  "bytes": "AQ=="\n}'
 */
export function toJson(value: unknown): string {
  const text = JSON.stringify(
    value,
    function replacer(this: unknown, _key: string, v: unknown): unknown {
      if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
      if (typeof v === 'bigint') return v.toString();
      if (v instanceof Error) return { code: (v as { code?: unknown }).code ?? 'ERROR', message: v.message };
      return v;
    },
    2,
  ) as string | undefined;
  // undefined for a value JSON cannot express (the array writer writes null for it).
  return text === undefined ? (text as unknown as string) : escapeJsonForDisplay(text);
}

/**
 * Prints a value as JSON to standard output.
 *
 * @param value - the value.
 * @example printJson([{ file: 'a.xml', status: 'valid' }])
 */
export function printJson(value: unknown): void {
  printText(toJson(value));
}

/** Writes one JSON array element by element; {@link createJsonArrayWriter} makes one. */
export interface JsonArrayWriter {
  /** Writes the next element. */
  add(value: unknown): Promise<void>;
  /**
   * Writes the next element from its UTF-8 JSON text, indented as `add` would write it (2 spaces per level,
   * and every line after the first 2 more): the text as-is, nothing checked.
   */
  addText(json: Uint8Array): Promise<void>;
  /** Closes the array (and the line). */
  end(): Promise<void>;
}

/** What comes before the first element of an array, and before each next one. */
const OPEN = new TextEncoder().encode('[\n  ');
const NEXT = new TextEncoder().encode(',\n  ');

/**
 * Writes a JSON array one element at a time, byte for byte what {@link printJson} prints for the whole array
 * (`toJson` indentation, elements serialized alike), so a long list never has to be held in memory. Waits for
 * `drain` when the stream buffers.
 *
 * @param stream - where to write; default standard output.
 * @returns the writer.
 * @example
 * const out = createJsonArrayWriter(); for (const r of reports) await out.add(r); await out.end()
 */
export function createJsonArrayWriter(stream: NodeJS.WritableStream = process.stdout): JsonArrayWriter {
  let count = 0;
  const write = async (text: string): Promise<void> => {
    if (!stream.write(text)) await once(stream, 'drain');
  };
  return {
    async add(value: unknown): Promise<void> {
      // Inside the array every line of the element is indented once more; JSON text has no other newlines
      // (a newline in a string is written \n). An element JSON cannot express is null, as in an array.
      const text = (toJson(value) as string | undefined)?.replaceAll('\n', '\n  ') ?? 'null';
      await write(`${count++ === 0 ? '[' : ','}\n  ${text}`);
    },
    async addText(json: Uint8Array): Promise<void> {
      const head = count++ === 0 ? OPEN : NEXT;
      const chunk = new Uint8Array(head.length + json.length);
      chunk.set(head);
      chunk.set(json, head.length);
      if (!stream.write(chunk)) await once(stream, 'drain');
    },
    async end(): Promise<void> {
      await write(count === 0 ? '[]\n' : '\n]\n');
    },
  };
}

/**
 * Handles an error thrown by a command's operation: an `EvoucherError` that is not a usage error means
 * the operation was refused, so it prints `evoucher <command>: CODE: message` and returns exit code 1;
 * anything else is rethrown for the dispatcher (usage and I/O errors exit 2).
 *
 * @param command - the command name, as typed.
 * @param e - the caught value.
 * @param isUsage - which codes mean "the arguments are wrong" for this command.
 * @returns 1 (refused).
 * @throws the caught value itself when it is not an `EvoucherError`, or is a usage error.
 * @example catch (e) { return printRefusal('seal', e, (x) => x.code.startsWith('ARG_')); }
 */
export function printRefusal(command: string, e: unknown, isUsage: (e: EvoucherError) => boolean): 1 {
  if (!(e instanceof EvoucherError) || isUsage(e)) throw e;
  printError(`evoucher ${command}: ${e.code}: ${e.message}`);
  return 1;
}

/** A problem to print: where, its code and a message. */
export interface IssueLine {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/**
 * Formats issues one per line: `  path: CODE: message`.
 *
 * @param issues - the issues.
 * @param indent - the prefix of each line.
 * @returns the lines.
 * @example formatIssues([{ path: 'PayAmt', code: 'VOUCHER_AMOUNT_FORMAT', message: '...' }])
 */
export function formatIssues(issues: readonly IssueLine[], indent = '  '): string[] {
  return issues.map((i) => `${indent}${i.path === '' ? '' : `${i.path}: `}${i.code}: ${i.message}`);
}

/** One JUnit failure (a failed check) or error (a check that could not run). */
export interface JunitProblem {
  readonly message: string;
  /** The code, written as the `type` attribute. */
  readonly type: string;
  /** Longer text (e.g. every issue, one per line). */
  readonly text?: string;
}

/** One JUnit test case. */
export interface JunitCase {
  readonly name: string;
  readonly classname?: string;
  /** Seconds. */
  readonly time?: number;
  readonly failures?: readonly JunitProblem[];
  readonly errors?: readonly JunitProblem[];
  /** A reason when the case was skipped. */
  readonly skipped?: string;
}

/** One JUnit test suite (e.g. one input file). */
export interface JunitSuite {
  readonly name: string;
  readonly cases: readonly JunitCase[];
  /** Seconds. */
  readonly time?: number;
}

/**
 * Characters written as numeric character references, which an XML reader turns back into the same characters: a
 * tab, line feed or carriage return in an attribute (read raw, each would become a space: a file name with a line
 * break would not read back as itself), a carriage return in text (read raw, CR LF becomes LF), and DEL, the C1
 * controls, line and paragraph separators and the bidirectional controls, so that the report shown raw on a
 * terminal (`cat report.xml`) carries no control sequence and no reordering from a hostile name or voucher.
 */
const XML_REFERENCE_IN_ATTRIBUTE = /[\t\n\r\u007f-\u009f\u2028\u2029\p{Bidi_Control}]/gu;
const XML_REFERENCE_IN_TEXT = /[\r\u007f-\u009f\u2028\u2029\p{Bidi_Control}]/gu;

/** Escapes text for XML text (or a double-quoted attribute); drops characters XML 1.0 cannot carry. */
function xmlEscape(s: string, inAttribute = false): string {
  return s
    .replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd')
    .replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'))
    .replace(inAttribute ? XML_REFERENCE_IN_ATTRIBUTE : XML_REFERENCE_IN_TEXT, (c) => `&#x${(c.codePointAt(0) as number).toString(16)};`);
}

function attr(name: string, value: string | number | undefined): string {
  return value === undefined ? '' : ` ${name}="${xmlEscape(String(value), true)}"`;
}

function problem(tag: 'failure' | 'error', p: JunitProblem): string {
  return `<${tag}${attr('message', p.message)}${attr('type', p.type)}>${xmlEscape(p.text ?? '')}</${tag}>`;
}

/**
 * Writes JUnit XML (the Jenkins/GitLab "testsuites" dialect) for CI.
 *
 * @param suites - the suites, in order.
 * @returns the XML text, UTF-8, ending with a newline.
 * @example toJunit([{ name: 'a.xml', cases: [{ name: 'VoucherBody[0] 5201 ZF001' }] }])
 */
export function toJunit(suites: readonly JunitSuite[]): string {
  const count = (s: JunitSuite, f: (c: JunitCase) => boolean): number => s.cases.filter(f).length;
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const body: string[] = [];
  suites.forEach((s, i) => {
    const failures = count(s, (c) => (c.failures?.length ?? 0) > 0);
    const errors = count(s, (c) => (c.errors?.length ?? 0) > 0);
    const skipped = count(s, (c) => c.skipped !== undefined);
    totals.tests += s.cases.length;
    totals.failures += failures;
    totals.errors += errors;
    totals.skipped += skipped;
    body.push(
      `  <testsuite${attr('name', s.name)}${attr('id', i)}${attr('tests', s.cases.length)}${attr('failures', failures)}${attr('errors', errors)}${attr('skipped', skipped)}${attr('time', s.time)}>`,
    );
    for (const c of s.cases) {
      const inner = [
        ...(c.failures ?? []).map((p) => problem('failure', p)),
        ...(c.errors ?? []).map((p) => problem('error', p)),
        ...(c.skipped === undefined ? [] : [`<skipped${attr('message', c.skipped)}/>`]),
      ];
      const open = `    <testcase${attr('name', c.name)}${attr('classname', c.classname ?? s.name)}${attr('time', c.time)}`;
      body.push(inner.length === 0 ? `${open}/>` : `${open}>${inner.join('')}</testcase>`);
    }
    body.push('  </testsuite>');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attr('tests', totals.tests)}${attr('failures', totals.failures)}${attr('errors', totals.errors)}${attr('skipped', totals.skipped)}>`,
    ...body,
    '</testsuites>',
    '',
  ].join('\n');
}
