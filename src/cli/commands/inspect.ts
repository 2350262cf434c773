/**
 * `evoucher inspect <file|-> [--format text|json]`
 *
 * Shows what an envelope or a bare voucher holds: the decoded voucher(s) with their fields and detail
 * lines, and the stamps of each body. {@link describeDocument} builds a JSON-ready description; a caller
 * (or a later version of this command) passes `describeStamp` to add decoded seal facts to each stamp.
 */
import { EvoucherError } from '../../errors.js';
import { getVoucherType, hasVoucherType, parseEnvelope, parseVoucher } from '../../voucher/index.js';
import type { Envelope, EnvelopeBody, StampEntry, Voucher } from '../../voucher/index.js';
import { chooseOption, namesOwnStdout, parseCommandArgs, readInput } from '../args.js';
import { printError, printJson, printLines, printText } from '../output.js';
import { describeStampSeal, findSealObject, inspectSealFile, writePictureOrSay, writeSealPicture } from './inspect_seal.js';
import { errorEntry } from '../verify_output.js';

const USAGE = `usage: evoucher inspect <file|-> [--format text|json] [--picture <out>]

Shows the decoded voucher(s) of an MOF envelope or a bare voucher XML, and the stamps of each body with
their decoded seals; or a bare seal file (.esl SESeal, SES_Signature such as SignedValue.dat).
  --picture   write the picture of the (first) ses seal to this file (PNG, or the seal's own type)
exit codes: 0 shown, 1 the file is not a readable envelope or voucher, 2 usage or I/O error`;

/** A voucher as shown by inspect. */
export interface VoucherDescription {
  readonly vtCode: string;
  /** Chinese and English name of the type. */
  readonly type: string;
  readonly encoding: string;
  /** Every element present, by XML name, in catalogue order. */
  readonly fields: Readonly<Record<string, string>>;
  readonly details: readonly Readonly<Record<string, string>>[];
}

/** A stamp as shown by inspect; `describeStamp` may add facts (signer, seal name, ...). */
export interface StampDescription {
  readonly position: string;
  readonly sequence: number;
  readonly format: string;
  readonly view: string;
  /** Size of the stamp bytes. */
  readonly size: number;
  readonly [extra: string]: unknown;
}

/** An error as shown by inspect. */
export interface ErrorDescription {
  readonly code: string;
  readonly message: string;
}

/** One envelope body as shown by inspect. */
export interface BodyDescription {
  readonly index: number;
  readonly attributes: EnvelopeBody['attributes'];
  readonly voucherFlag: '0' | '1';
  readonly attach?: string;
  readonly returnReason?: string;
  readonly voucherSize: number;
  readonly voucher?: VoucherDescription;
  readonly voucherError?: ErrorDescription;
  readonly originalVoucher?: VoucherDescription;
  readonly originalVoucherError?: ErrorDescription;
  readonly stamps: readonly StampDescription[];
}

/** What inspect shows for one document. */
export type DocumentDescription =
  | { readonly kind: 'envelope'; readonly root: 'MOF' | 'Root'; readonly bodies: readonly BodyDescription[] }
  | { readonly kind: 'voucher'; readonly voucher: VoucherDescription };

/** Options of {@link describeDocument} and {@link describeEnvelope}. */
export interface DescribeOptions {
  /** Adds facts to a stamp's description (e.g. the decoded seal); its keys are merged in. */
  readonly describeStamp?: (stamp: StampEntry, body: EnvelopeBody) => Readonly<Record<string, unknown>>;
}

function errorOf(e: EvoucherError): ErrorDescription {
  return { code: e.code, message: e.message };
}

/**
 * Describes a voucher for display.
 *
 * @param v - the voucher.
 * @returns its type, charset, fields and details.
 * @example describeVoucher(parseVoucher(bytes)).fields.PayAmt
 */
export function describeVoucher(v: Voucher): VoucherDescription {
  const type = hasVoucherType(v.vtCode) ? `${getVoucherType(v.vtCode).zh} (${getVoucherType(v.vtCode).en})` : 'unknown';
  return { vtCode: v.vtCode, type, encoding: v.encoding, fields: v.fields, details: v.details };
}

/**
 * Describes an envelope for display.
 *
 * @param env - the parsed envelope.
 * @param options - `describeStamp` to add decoded seal facts.
 * @returns the description (JSON-ready).
 * @example describeEnvelope(parseEnvelope(bytes)).bodies[0]?.stamps
 */
export function describeEnvelope(env: Envelope, options: DescribeOptions = {}): DocumentDescription {
  return {
    kind: 'envelope',
    root: env.root,
    bodies: env.bodies.map((b, index) => ({
      index,
      attributes: b.attributes,
      voucherFlag: b.voucherFlag,
      ...(b.attach === undefined ? {} : { attach: b.attach }),
      ...(b.returnReason === undefined ? {} : { returnReason: b.returnReason }),
      voucherSize: b.voucherBytes.length,
      ...(b.voucher === undefined ? {} : { voucher: describeVoucher(b.voucher) }),
      ...(b.voucherError === undefined ? {} : { voucherError: errorOf(b.voucherError) }),
      ...(b.originalVoucher === undefined ? {} : { originalVoucher: describeVoucher(b.originalVoucher) }),
      ...(b.originalVoucherError === undefined ? {} : { originalVoucherError: errorOf(b.originalVoucherError) }),
      stamps: b.stamps.map((s) => ({
        position: s.position,
        sequence: s.sequence,
        format: s.format,
        view: s.view,
        size: s.bytes.length,
        ...(options.describeStamp?.(s, b) ?? {}),
      })),
    })),
  };
}

/**
 * Reads an envelope or a bare voucher and describes it.
 *
 * @param bytes - the document.
 * @param options - `describeStamp` to add decoded seal facts.
 * @returns the description.
 * @throws EvoucherError any error of `parseEnvelope` / `parseVoucher`.
 * @example describeDocument(await readInput('envelope.xml'))
 */
export function describeDocument(bytes: Uint8Array, options: DescribeOptions = {}): DocumentDescription {
  return readDocument(bytes, (env) => describeEnvelope(env, options), (v) => ({ kind: 'voucher', voucher: describeVoucher(v) }));
}

/**
 * Reads bytes as an envelope, or as a bare voucher when the root is `<Voucher>`.
 *
 * @param bytes - the document.
 * @param onEnvelope - called with a parsed envelope.
 * @param onVoucher - called with a parsed bare voucher.
 * @returns what the callback returns.
 * @throws EvoucherError any error of `parseEnvelope` / `parseVoucher`.
 */
export function readDocument<T>(bytes: Uint8Array, onEnvelope: (env: Envelope) => T, onVoucher: (v: Voucher) => T): T {
  let env: Envelope;
  try {
    env = parseEnvelope(bytes);
  } catch (e) {
    if (e instanceof EvoucherError && e.code === 'XML_UNEXPECTED_ROOT' && e.detail.where === 'Voucher') return onVoucher(parseVoucher(bytes));
    throw e;
  }
  return onEnvelope(env);
}

function voucherLines(v: VoucherDescription, indent: string): string[] {
  const lines = [`${indent}voucher ${v.vtCode} ${v.type}, ${v.encoding}`];
  const labels = hasVoucherType(v.vtCode) ? getVoucherType(v.vtCode) : undefined;
  const zh = new Map((labels?.fields ?? []).map((f) => [f.name, f.zh]));
  const width = Math.max(0, ...Object.keys(v.fields).map((k) => k.length));
  for (const [k, val] of Object.entries(v.fields)) {
    if (val === '') continue;
    lines.push(`${indent}  ${k.padEnd(width)}  ${val}${zh.has(k) ? `  (${zh.get(k) ?? ''})` : ''}`);
  }
  lines.push(`${indent}  details: ${v.details.length}`);
  v.details.forEach((d, i) => {
    const shown = Object.entries(d)
      .filter(([, val]) => val !== '')
      .map(([k, val]) => `${k}=${val}`)
      .join(' ');
    lines.push(`${indent}  [${i}] ${shown}`);
  });
  return lines;
}

/**
 * Formats a description as readable text.
 *
 * @param d - the description.
 * @returns the text lines.
 * @example formatDescription(describeDocument(bytes)).join('\n')
 */
export function formatDescription(d: DocumentDescription): string[] {
  if (d.kind === 'voucher') return voucherLines(d.voucher, '');
  const lines = [`envelope <${d.root}>, ${d.bodies.length} voucher(s)`];
  for (const b of d.bodies) {
    const a = b.attributes;
    lines.push('');
    lines.push(`VoucherBody[${b.index}] ${a.vtCode} ${a.voucherNo} AdmDivCode=${a.admDivCode} StYear=${a.stYear} VoucherFlag=${b.voucherFlag} (${b.voucherFlag === '1' ? 'receipt' : 'original'})`);
    if (b.attach !== undefined && b.attach !== '') lines.push(`  Attach: ${b.attach}`);
    if (b.returnReason !== undefined && b.returnReason !== '') lines.push(`  Return_Reason: ${b.returnReason}`);
    if (b.voucher !== undefined) lines.push(...voucherLines(b.voucher, '  '));
    if (b.voucherError !== undefined) lines.push(`  voucher unreadable: ${b.voucherError.code}: ${b.voucherError.message}`);
    if (b.originalVoucher !== undefined) lines.push('  original voucher:', ...voucherLines(b.originalVoucher, '    '));
    if (b.originalVoucherError !== undefined) lines.push(`  original voucher unreadable: ${b.originalVoucherError.code}: ${b.originalVoucherError.message}`);
    lines.push(`  stamps: ${b.stamps.length}`);
    for (const s of b.stamps) {
      const { position, sequence, format, view, size, ...extra } = s;
      const more = Object.entries(extra)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      lines.push(`    #${sequence} ${position} ${format} ${view} ${size} bytes${more === '' ? '' : ` ${more}`}`);
    }
  }
  return lines;
}

/**
 * Runs `evoucher inspect`.
 *
 * @param args - the command's arguments.
 * @returns the exit code: 0 shown, 1 unreadable document, 2 usage or I/O error.
 * @throws EvoucherError `ARG_*` for usage and I/O errors.
 */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    { options: { format: { type: 'string', short: 'f' }, picture: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true },
    args,
  );
  if (values.help === true) {
    printText(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new EvoucherError('ARG_INVALID', 'inspect takes exactly one file', {});
  const format = chooseOption(values.format, ['text', 'json'] as const, 'format');
  const file = positionals[0] ?? '-';
  // The report goes to standard output: the picture's bytes there would be mixed into it, through `-` or a path
  // to standard output (`/dev/stdout`, `/dev/fd/1`, which -o writes as `-`) alike.
  if (values.picture !== undefined && (await namesOwnStdout(values.picture))) {
    throw new EvoucherError('ARG_INVALID', `--picture ${values.picture} would mix the picture into the report on standard output: name a file`, { detail: { option: 'picture' } });
  }
  let bytes: Uint8Array;
  try {
    bytes = await readInput(file);
  } catch (e) {
    // A file that cannot be read: exit 2 with its reason on standard error, and, asked for JSON, the same entry
    // on standard output as a document that cannot be read (as `verify --format json` gives one).
    if (format === 'json' && e instanceof EvoucherError) printJson(errorEntry(file, e));
    throw e;
  }
  // Looked for before anything is printed: without a picture, nothing is shown and the command is refused.
  if (values.picture !== undefined && findSealObject(bytes) === undefined) {
    if (format === 'json') printJson(errorEntry(file, { code: 'SEAL_MISSING', message: 'no ses seal with a picture was found' }));
    else printError(`evoucher inspect: ${file}: SEAL_MISSING: no ses seal with a picture was found`);
    return 1;
  }
  // A DER seal file (SESeal or SES_Signature) rather than XML.
  if (bytes[0] === 0x30) return inspectSealFile(file, bytes, format, values.picture);
  let d: DocumentDescription;
  try {
    d = describeDocument(bytes, { describeStamp: describeStampSeal });
  } catch (e) {
    if (!(e instanceof EvoucherError)) throw e;
    if (format === 'json') printJson(errorEntry(file, e));
    else printError(`evoucher inspect: ${file}: ${e.code}: ${e.message}`);
    return 1;
  }
  // Written before the report is printed: a picture that cannot be written (exit 2) leaves no report behind it
  // on standard output that reads as a success.
  if (values.picture !== undefined) await writePictureOrSay(file, format, () => writeSealPicture(bytes, values.picture as string));
  if (format === 'json') printJson({ file, ...d });
  else printLines(formatDescription(d));
  return 0;
}
