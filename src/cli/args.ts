/**
 * Argument and file helpers shared by the CLI commands: option parsing with coded usage errors, reading a
 * file or `-` (stdin) with a size bound, writing output atomically (never a half-written file), and the option
 * readers several commands share (times, `--body`, policy and CRL files).
 */
import { randomBytes } from 'node:crypto';
import { fstatSync, type Stats } from 'node:fs';
import { chmod, lstat, mkdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { EvoucherError } from '../errors.js';
import { CERTIFICATE_LABELS, decodePemBlocks, parseCertificate, parseCrl, type Crl } from '../pki/index.js';
import { parsePolicy, type SealPolicy } from '../seal/index.js';
import { MAX_CLOCK_SKEW_MS, readFileBounded } from '../verify/index.js';

/** Largest input file the CLI reads: 64 MiB (the envelope limit). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/**
 * Parses command arguments with `node:util` `parseArgs` (strict), turning its errors into usage errors.
 *
 * @param config - the `parseArgs` configuration (without `args`).
 * @param args - the command's arguments.
 * @param lossyHint - what to do instead, added to the message refusing a positional that holds U+FFFD.
 * @returns the parsed values and positionals.
 * @throws EvoucherError `ARG_INVALID` for an unknown option, a missing option value, an unexpected positional, an
 *   option given twice that is not declared `multiple`, or an argument that holds U+FFFD (not UTF-8 on the command line).
 * @example const { values } = parseCommandArgs({ options: { type: { type: 'string' } } }, args);
 */
export function parseCommandArgs<T extends Omit<ParseArgsConfig, 'args'>>(config: T, args: string[], lossyHint?: string): ReturnType<typeof parseArgs<T & { args: string[] }>> {
  let parsed: ReturnType<typeof parseArgs<T & { args: string[]; tokens: true }>>;
  try {
    parsed = parseArgs(Object.assign({}, config, { args, strict: true, tokens: true }) as T & { args: string[]; tokens: true });
  } catch (e) {
    throw new EvoucherError('ARG_INVALID', e instanceof Error ? e.message : String(e), { cause: e });
  }
  // An option given twice that takes one value: which one was meant is unknown, so neither is used (parseArgs
  // would keep the last one silently: `-o a.xml -o b.xml` wrote b.xml only).
  const seen = new Set<string>();
  for (const t of parsed.tokens ?? []) {
    // Node decodes arguments as UTF-8 and puts U+FFFD for bytes that are not (a GBK file name, `-o 国库.xml` from a
    // GBK locale): such a value is not what the caller passed, so `-o` would write, and an input read, *another*
    // file (one a sender may have planted under that name), and a `--name` would carry replacement characters.
    const text = t.kind === 'option' ? t.value : t.kind === 'positional' ? t.value : undefined;
    if (text?.includes('\ufffd') === true) {
      throw new EvoucherError(
        'ARG_INVALID',
        t.kind === 'option'
          ? `--${t.name}: the value holds U+FFFD, as node makes of bytes that are not UTF-8; it cannot be taken exactly (use UTF-8)`
          : `'${text}': a file name on the command line holds U+FFFD, as node makes of bytes that are not UTF-8; the file cannot be opened exactly${lossyHint === undefined ? '' : ` ${lossyHint}`}`,
        { detail: t.kind === 'option' ? { option: t.name } : { path: text } },
      );
    }
    if (t.kind !== 'option') continue;
    const multiple = (config.options?.[t.name] as { multiple?: boolean } | undefined)?.multiple === true;
    if (!multiple && seen.has(t.name)) throw new EvoucherError('ARG_INVALID', `--${t.name} is given more than once`, { detail: { option: t.name } });
    seen.add(t.name);
  }
  return { values: parsed.values, positionals: parsed.positionals } as ReturnType<typeof parseArgs<T & { args: string[] }>>;
}

/**
 * Returns an option's value or throws a usage error naming it.
 *
 * @param value - the parsed value.
 * @param name - the option name without dashes.
 * @returns the value.
 * @throws EvoucherError `ARG_MISSING` when the value is absent or empty.
 * @example const type = requireOption(values.type, 'type');
 */
export function requireOption(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new EvoucherError('ARG_MISSING', `--${name} is required`, { detail: { option: name } });
  return value;
}

/**
 * Checks an option against its allowed values.
 *
 * @param value - the parsed value (undefined: the default).
 * @param allowed - the allowed values; the first is the default.
 * @param name - the option name.
 * @returns the chosen value.
 * @throws EvoucherError `ARG_INVALID` for a value outside `allowed`.
 * @example const format = chooseOption(values.format, ['text', 'json'] as const, 'format');
 */
export function chooseOption<const A extends readonly [string, ...string[]]>(value: string | undefined, allowed: A, name: string): A[number] {
  if (value === undefined) return allowed[0];
  if (!allowed.includes(value)) {
    throw new EvoucherError('ARG_INVALID', `--${name} must be one of ${allowed.join(', ')}, not '${value}'`, { detail: { option: name } });
  }
  return value;
}

/**
 * This process's standard input, once it is known to be something node reads as a stream: a file, a pipe, a
 * socket or a terminal (a character device, `/dev/null` included). For anything else, a directory (`- < dir`)
 * or a block device, node gives an empty stream in its place, which would be read as an empty document
 * (`XML_MALFORMED`, exit 1) instead of an input that cannot be read. A standard input that was closed
 * (`<&-`) cannot be told apart: node opens `/dev/null` in its place before any code runs, so it reads as empty.
 *
 * @param fd - the descriptor to check (0; another one in tests).
 * @returns `process.stdin`.
 * @throws EvoucherError `ARG_IO` (`detail.path` `-`) when it is not a readable stream or cannot be checked.
 */
export function openStandardInput(fd = 0): AsyncIterable<Uint8Array | string> {
  const refuse = (message: string, cause?: unknown): never => {
    throw new EvoucherError('ARG_IO', message, { cause, detail: { path: '-' } });
  };
  let st: Stats;
  try {
    st = fstatSync(fd);
  } catch (e) {
    return refuse(`cannot read standard input: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, e);
  }
  if (st.isDirectory()) refuse('standard input is a directory');
  if (!(st.isFile() || st.isFIFO() || st.isSocket() || st.isCharacterDevice())) refuse('standard input is not a file, pipe, socket or terminal');
  return process.stdin;
}

/**
 * Reads a file, or standard input for `-`, with a size bound.
 *
 * @param path - a file path or `-`.
 * @param options - `maxBytes` (default {@link MAX_INPUT_BYTES}); `stdin` to read instead of `process.stdin`.
 * @returns the bytes.
 * @throws EvoucherError `ARG_IO` when the file cannot be read (a directory: `<path> is a directory`; standard input
 *   that is one: `standard input is a directory`) or is larger than `maxBytes`.
 * @example const bytes = await readInput('envelope.xml');
 */
export async function readInput(
  path: string,
  options: { readonly maxBytes?: number; readonly stdin?: AsyncIterable<Uint8Array | string> } = {},
): Promise<Uint8Array> {
  const max = options.maxBytes ?? MAX_INPUT_BYTES;
  const tooLarge = (): never => {
    throw new EvoucherError('ARG_IO', `${path === '-' ? 'standard input' : path} is larger than ${max} bytes`, { detail: { path } });
  };
  if (path === '-') {
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of options.stdin ?? openStandardInput()) {
        const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        size += b.length;
        if (size > max) tooLarge();
        chunks.push(b);
      }
    } catch (e) {
      // A read that fails (EIO from a terminal the process no longer owns) is an I/O error with its code, as a file's is.
      if (e instanceof EvoucherError) throw e;
      throw new EvoucherError('ARG_IO', `cannot read standard input: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e, detail: { path } });
    }
    return new Uint8Array(Buffer.concat(chunks));
  }
  // One bounded read on an open handle (not stat, then read): a file swapped or grown after the check cannot
  // slip past the limit, a named pipe is refused at once instead of waited on, and procfs files are read whole.
  return readFileBounded(path, max);
}

/** One input a command reads, for {@link refuseStdinTwice}: its path (`-`: standard input) and what it is. */
export interface NamedInput {
  /** The path given, or undefined when the option is absent. */
  readonly path: string | undefined;
  /** What the input is, as a noun phrase for the message: `an envelope`, `the list`, `the data`. */
  readonly as: string;
  /** The option that names it, without dashes; absent for a positional argument. */
  readonly option?: string;
}

/**
 * Refuses standard input named by two inputs of one command (`evoucher verify - -`, `verify-seal - --data -`,
 * `--crl - --policy -`): standard input can be read only once, and the second read would silently be empty.
 * Called before any input is read.
 *
 * @param inputs - every input the command will read, in the order it names them.
 * @throws EvoucherError `ARG_INVALID` (a usage error: exit 2) when two of them are `-`.
 * @example refuseStdinTwice([{ path: values.data, as: 'the data', option: 'data' }, { path: file, as: 'the seal signature' }]);
 */
export function refuseStdinTwice(inputs: readonly NamedInput[]): void {
  const [first, second] = inputs.filter((i) => i.path === '-');
  if (first === undefined || second === undefined) return;
  const option = second.option ?? first.option;
  const what = first.as === second.as ? `${first.as} twice` : `both ${first.as} and ${second.as}`;
  throw new EvoucherError('ARG_INVALID', `${option === undefined ? '' : `--${option} -: `}standard input cannot be ${what} (it can be read only once)`, {
    detail: option === undefined ? { path: '-' } : { option, path: '-' },
  });
}

/** One input of {@link readInputs}: its bytes, or the coded reason it could not be read. */
export type InputRead = { readonly file: string; readonly bytes: Uint8Array } | { readonly file: string; readonly error: EvoucherError };

/**
 * Reads the inputs of a command one after the other with {@link readInput}, so that one unreadable file is
 * reported and the others go on.
 *
 * @param files - file paths or `-`.
 * @returns each file's bytes, or its `ARG_IO` error, in order.
 * @throws whatever is not an EvoucherError (a fault, not a file problem).
 * @example for await (const r of readInputs(files)) if ('error' in r) report(r.file, r.error)
 */
export async function* readInputs(files: readonly string[]): AsyncGenerator<InputRead, void, undefined> {
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = await readInput(file);
    } catch (e) {
      if (!(e instanceof EvoucherError)) throw e;
      yield { file, error: e };
      continue;
    }
    yield { file, bytes };
  }
}

/** The device and inode of this process's standard output, or undefined when it is closed. */
function ownStdout(): { dev: number; ino: number } | undefined {
  try {
    return fstatSync(1);
  } catch {
    return undefined;
  }
}

/**
 * Tells whether a path names this process's own standard output (`-`, `/dev/stdout`, `/dev/fd/1`, or the file
 * standard output is redirected to), which {@link writeOutput} writes as `-` is.
 *
 * @param path - a file path or `-`.
 * @returns true when bytes written there would land on standard output.
 * @example if (await namesOwnStdout(values.picture)) refuse()
 */
export async function namesOwnStdout(path: string): Promise<boolean> {
  if (path === '-') return true;
  const out = ownStdout();
  const st = await stat(path).catch(() => undefined);
  return out !== undefined && st !== undefined && out.dev === st.dev && out.ino === st.ino;
}

/**
 * Creates a directory and any missing parents, as `mkdir -p`. Written out rather than `mkdir(path, { recursive:
 * true })`: on Node 20 that loops forever when the system answers ENOENT for a directory whose parent exists (any
 * name under `/proc`), so `--out /proc/x` hung. Here each level is tried at most twice, so the call ends with the
 * system's error.
 *
 * @param path - the directory.
 * @throws the system's error (`code` ENOENT, ENOTDIR, EACCES, EEXIST for a file in the way...).
 * @example await makeDirectory('out/demo');
 */
export async function makeDirectory(path: string): Promise<void> {
  // resolve('') is the working directory, and `--out ""` (an unset variable) would write there: the system's answer
  // for an empty path (ENOENT), as mkdir gave it.
  if (path === '') {
    await mkdir(path);
    return;
  }
  const dir = resolve(path);
  try {
    await makeOneDirectory(dir);
  } catch (e) {
    const parent = dirname(dir);
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || parent === dir) throw e;
    await makeDirectory(parent);
    // The parent exists now: a second failure is the answer.
    await makeOneDirectory(dir);
  }
}

/** `mkdir` of one level, an existing directory being no error (EEXIST for anything else in the way). */
async function makeOneDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(dir).catch(() => undefined))?.isDirectory() === true) return;
    throw e;
  }
}

/**
 * Writes output to standard output for `-`, else to a file: a regular file atomically (a temporary file renamed
 * into place, the old file's mode kept), through a symbolic link to its target, and to a device or named pipe
 * (`/dev/stdout`, a FIFO) directly, never replacing it. A path to this process's own standard output
 * (`/dev/stdout`, `/dev/fd/1`) is written as `-` is, whatever standard output is: a file opened for appending
 * (`-o /dev/stdout >> log`) is appended to, never replaced.
 *
 * @param path - a file path or `-`.
 * @param data - the bytes or text.
 * @returns true when the bytes went to standard output (`-` or a path to it): nothing else may be printed there.
 * @throws EvoucherError `ARG_IO` when the file cannot be written.
 * @example await writeOutput('envelope.xml', bytes);
 */
export async function writeOutput(path: string, data: Uint8Array | string): Promise<boolean> {
  const toStdout = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      process.stdout.write(data, (err) => (err ? reject(err) : resolve()));
    });
  if (path === '-') return toStdout().then(() => true);
  const failed = (e: unknown): EvoucherError => new EvoucherError('ARG_IO', `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e, detail: { path } });
  // An existing file that is not a regular one (/dev/stdout, /dev/null, a named pipe), or a link to one, is
  // written to as it is: renaming a file over it would replace the device or the pipe with a regular file. A
  // symbolic link to a regular file is written through (its target is the file meant), and nothing is ever
  // renamed over a path that is not a regular file.
  /** Written where the name points, without a temporary file. */
  const direct = (): Promise<void> => writeFile(path, data, { flag: 'w' }).catch((e: unknown) => Promise.reject(failed(e)));
  let target = path;
  let mode: number | undefined;
  try {
    const st = await stat(path);
    // This process's own standard output (/dev/stdout, /dev/fd/1), which cannot be opened again when it is a
    // socket (ENXIO), and must not be renamed over when it is a regular file (`>> log` would lose the log): written
    // as `-` is.
    const out = ownStdout();
    if (out !== undefined && out.dev === st.dev && out.ino === st.ino) return await toStdout().then(() => true);
    if (!st.isFile()) return await direct().then(() => false);
    target = await realpath(path);
    mode = st.mode & 0o7777;
  } catch (e) {
    if (e instanceof EvoucherError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw failed(e);
    // Nothing there yet, or a link to nothing: the link is followed and its target created.
    if ((await lstat(path).catch(() => undefined))?.isSymbolicLink() === true) return direct().then(() => false);
  }
  // A regular file is replaced whole or not at all: written next to it, then renamed over it, keeping its mode.
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, mode === undefined ? {} : { mode });
    if (mode !== undefined) await chmod(tmp, mode);
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw failed(e);
  }
  return false;
}

/**
 * Parses an ISO 8601 time option of the sealing commands (`--time`): the forms of {@link parseIsoTime}.
 *
 * @param value - the option value, or undefined.
 * @param name - the option name, for the message.
 * @returns the date, or undefined when the option is absent.
 * @throws EvoucherError `ARG_INVALID`.
 */
export function parseTimeOption(value: string | undefined, name: string): Date | undefined {
  return parseIsoTime(value, name);
}

/**
 * Parses a small non-negative integer option (`--body`).
 *
 * @param value - the option value, or undefined.
 * @param name - the option name, for the message.
 * @returns the number, or undefined when the option is absent.
 * @throws EvoucherError `ARG_INVALID`.
 */
export function parseIndexOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,4}$/.test(value)) throw new EvoucherError('ARG_INVALID', `--${name} must be a non-negative integer`, { detail: { option: name } });
  return Number(value);
}

/**
 * Parses `--clock-skew`: how many seconds a seal's signing time may be after the validation time, a decimal
 * number from 0 to 3600 with at most three decimals (whole milliseconds), nothing else (no sign, exponent or unit).
 *
 * @param value - the option value, or undefined.
 * @returns the skew in milliseconds, or undefined when the option is absent.
 * @throws EvoucherError `ARG_INVALID` (exit 2) for any other value.
 * @example parseClockSkew('2.5') // 2500
 */
export function parseClockSkew(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{1,4})(?:\.(\d{1,3}))?$/.exec(value);
  const ms = m === null ? NaN : Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
  if (!(ms <= MAX_CLOCK_SKEW_MS)) {
    throw new EvoucherError('ARG_INVALID', `--clock-skew must be a number of seconds from 0 to ${MAX_CLOCK_SKEW_MS / 1000} (at most 3 decimals), not '${value.slice(0, 20)}'`, { detail: { option: 'clock-skew' } });
  }
  return ms;
}

/**
 * Reads and validates a policy file option.
 *
 * @param path - the file, or undefined.
 * @returns the policy, or undefined when the option is absent.
 * @throws EvoucherError `ARG_IO`, `POLICY_INVALID`.
 */
export async function readPolicyOption(path: string | undefined): Promise<SealPolicy | undefined> {
  return path === undefined ? undefined : parsePolicy(await readInput(path, { maxBytes: 1024 * 1024 }));
}

/**
 * The forms `--at` takes: a calendar date, or a date and time with seconds and fraction optional and a zone
 * required (`Z` or `±HH:MM`). Nothing else: no space for `T`, no local time, no text around it.
 */
const AT_FORM = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2})))?$/;

/**
 * Parses a time option (`--at`, `--time`): an ISO 8601 (RFC 3339) time, `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by `Z` or `±HH:MM`, or a
 * date alone, `YYYY-MM-DD`, which means midnight UTC of that day. A fraction of a second longer than
 * milliseconds is truncated to milliseconds. Every field must exist as written: `2026-02-30`, hour 24,
 * minute or second 60 and offsets past `±23:59` are refused, never rolled over to another instant.
 *
 * @param value - the option value.
 * @param option - the option's name, for the message.
 * @returns the time, or undefined when the option is absent.
 * @throws EvoucherError `ARG_INVALID` (a usage error: the CLI exits 2) when it is not one of those forms or
 *   names a date or time that does not exist.
 * @example
 * parseAt('2026-01-20T08:00:00+08:00') // 2026-01-20T00:00:00.000Z
 * parseAt('2026-01-20')                // 2026-01-20T00:00:00.000Z
 */
export function parseIsoTime(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined;
  const refuse = (why: string): never => {
    throw new EvoucherError('ARG_INVALID', `--${option} '${value.slice(0, 40)}' ${why}`, { detail: { option } });
  };
  const m = AT_FORM.exec(value);
  if (m === null) {
    return refuse('is not an ISO 8601 time: use YYYY-MM-DD (midnight UTC) or YYYY-MM-DDTHH:MM[:SS[.fff]] with Z or ±HH:MM');
  }
  const field = (i: number): number => Number(m[i] ?? '0');
  const [year, month, day, hour, minute, second] = [field(1), field(2), field(3), field(4), field(5), field(6)];
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  // Built field by field (Date.UTC would read years 0-99 as 1900-1999), then every field must read back as
  // written: a day, hour or minute out of range would otherwise roll over (February 30 into March 2).
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, millis);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || d.getUTCHours() !== hour || d.getUTCMinutes() !== minute || d.getUTCSeconds() !== second) {
    return refuse('is not a date and time that exists');
  }
  if (m[9] !== undefined) {
    const [offsetHours, offsetMinutes] = [field(10), field(11)];
    if (offsetHours > 23 || offsetMinutes > 59) return refuse('has a time zone offset out of range');
    const sign = m[9] === '-' ? -1 : 1;
    d.setTime(d.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000);
  }
  if (Number.isNaN(d.getTime())) return refuse('is out of the range of dates');
  return d;
}

/**
 * Parses `--at` ({@link parseIsoTime}).
 *
 * @param value - the option value.
 * @returns the time, or undefined for now.
 * @throws EvoucherError `ARG_INVALID` (exit 2) when it is not one of the accepted forms.
 */
export function parseAt(value: string | undefined): Date | undefined {
  return parseIsoTime(value, 'at');
}

/** Whether a file's bytes hold PEM text (a `-----BEGIN` line) rather than DER, and that text (latin1). */
function holdsPem(bytes: Uint8Array): { readonly pem: boolean; readonly text: string } {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return { pem: text.includes('-----BEGIN'), text };
}

/** Runs `parse`, naming `path` in the message of the coded error it throws (which file of several is bad). */
function naming<T>(path: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof EvoucherError)) throw e;
    throw new EvoucherError(e.code, `${path}: ${e.message}`, { cause: e, detail: Object.assign({}, e.detail, { path }) });
  }
}

/**
 * Reads and parses the CRL files of a repeatable option (`--crl`): each file is one DER CRL, or PEM holding one or
 * more `X509 CRL` blocks. A file that holds no CRL (a certificate, an empty file) is refused, never read as "no
 * CRL": revocation would silently not be checked against it.
 *
 * @param paths - the files, in order.
 * @returns the CRLs, in the same order.
 * @throws EvoucherError `ARG_IO` when a file cannot be read, `CRL_MALFORMED` when one holds no CRL or a malformed one.
 */
export async function readCrlOptions(paths: readonly string[]): Promise<Crl[]> {
  const out: Crl[] = [];
  for (const p of paths) {
    const bytes = await readInput(p);
    const crls = naming(p, (): Crl[] => {
      const { pem, text } = holdsPem(bytes);
      if (!pem) return [parseCrl(bytes)];
      const blocks = decodePemBlocks(text, 'CRL_MALFORMED', ['X509 CRL']);
      if (blocks.length === 0) throw new EvoucherError('CRL_MALFORMED', 'holds no X509 CRL block');
      return blocks.map((b) => parseCrl(b.der));
    });
    out.push(...crls);
  }
  return out;
}

/**
 * Reads the certificate files of a repeatable option (`--intermediate`, `--untrusted`, `--chain`): each file is one
 * DER certificate, or PEM holding one or more `CERTIFICATE` blocks (a CA bundle). A file that holds no certificate
 * (a CRL, a key, an empty file) is refused, never read as "no certificate".
 *
 * @param paths - the files, in order.
 * @param option - the option's name without dashes, for the message.
 * @param maxBytes - the largest file read.
 * @returns the DER of every certificate, in order.
 * @throws EvoucherError `ARG_IO` when a file cannot be read, `CERT_MALFORMED` when one holds no certificate or a malformed one.
 * @example const chain = await readCertificateOptions(values.chain ?? [], 'chain');
 */
export async function readCertificateOptions(paths: readonly string[], option: string, maxBytes = 16 * 1024 * 1024): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const p of paths) {
    const bytes = await readInput(p, { maxBytes });
    const certificates = naming(p, (): Uint8Array[] => {
      const { pem, text } = holdsPem(bytes);
      if (!pem) {
        parseCertificate(bytes);
        return [bytes];
      }
      const blocks = decodePemBlocks(text, 'CERT_MALFORMED', CERTIFICATE_LABELS);
      if (blocks.length === 0) throw new EvoucherError('CERT_MALFORMED', `holds no CERTIFICATE block (--${option})`, { detail: { option } });
      return blocks.map((b) => b.der);
    });
    out.push(...certificates);
  }
  return out;
}
