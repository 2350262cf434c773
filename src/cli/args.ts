/**
 * Argument and file helpers shared by the CLI commands: option parsing with coded usage errors, reading a
 * file or `-` (stdin) with a size bound, writing output atomically (never a half-written file), and the option
 * readers several commands share (times, `--body`, policy and CRL files).
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { EvoucherError } from '../errors.js';
import { parseCrl, type Crl } from '../pki/index.js';
import { parsePolicy, type SealPolicy } from '../seal/index.js';
import { readFileBounded } from '../verify/index.js';

/** Largest input file the CLI reads: 64 MiB (the envelope limit). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/**
 * Parses command arguments with `node:util` `parseArgs` (strict), turning its errors into usage errors.
 *
 * @param config - the `parseArgs` configuration (without `args`).
 * @param args - the command's arguments.
 * @returns the parsed values and positionals.
 * @throws EvoucherError `ARG_INVALID` for an unknown option, a missing option value or an unexpected positional.
 * @example const { values } = parseCommandArgs({ options: { type: { type: 'string' } } }, args);
 */
export function parseCommandArgs<T extends Omit<ParseArgsConfig, 'args'>>(config: T, args: string[]): ReturnType<typeof parseArgs<T & { args: string[] }>> {
  try {
    return parseArgs(Object.assign({}, config, { args, strict: true }) as T & { args: string[] });
  } catch (e) {
    throw new EvoucherError('ARG_INVALID', e instanceof Error ? e.message : String(e), { cause: e });
  }
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
 * Reads a file, or standard input for `-`, with a size bound.
 *
 * @param path - a file path or `-`.
 * @param options - `maxBytes` (default {@link MAX_INPUT_BYTES}); `stdin` to read instead of `process.stdin`.
 * @returns the bytes.
 * @throws EvoucherError `ARG_IO` when the file cannot be read or is larger than `maxBytes`.
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
    for await (const chunk of options.stdin ?? process.stdin) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += b.length;
      if (size > max) tooLarge();
      chunks.push(b);
    }
    return new Uint8Array(Buffer.concat(chunks));
  }
  // One bounded read on an open handle (not stat, then read): a file swapped or grown after the check cannot
  // slip past the limit, a named pipe is refused at once instead of waited on, and procfs files are read whole.
  return readFileBounded(path, max);
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

/**
 * Writes output to a file (atomically: a temporary file renamed into place) or to standard output for `-`.
 *
 * @param path - a file path or `-`.
 * @param data - the bytes or text.
 * @throws EvoucherError `ARG_IO` when the file cannot be written.
 * @example await writeOutput('envelope.xml', bytes);
 */
export async function writeOutput(path: string, data: Uint8Array | string): Promise<void> {
  if (path === '-') {
    await new Promise<void>((resolve, reject) => {
      process.stdout.write(data, (err) => (err ? reject(err) : resolve()));
    });
    return;
  }
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new EvoucherError('ARG_IO', `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e, detail: { path } });
  }
}

/**
 * Parses an ISO 8601 time option (shared by the sealing commands).
 *
 * @param value - the option value, or undefined.
 * @param name - the option name, for the message.
 * @returns the date, or undefined when the option is absent.
 * @throws EvoucherError `ARG_INVALID`.
 */
export function parseTimeOption(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) throw new EvoucherError('ARG_INVALID', `--${name} is not an ISO 8601 time: '${value.slice(0, 40)}'`, { detail: { option: name } });
  return d;
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
 * Parses `--at`.
 *
 * @param value - the option value.
 * @returns the time, or undefined for now.
 * @throws EvoucherError `ARG_INVALID` when it is not an ISO 8601 time.
 */
export function parseAt(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(d.getTime())) {
    throw new EvoucherError('ARG_INVALID', `--at '${value.slice(0, 40)}' is not an ISO 8601 time`, { detail: { option: 'at' } });
  }
  return d;
}

/**
 * Reads and parses the CRL files of a repeatable option (`--crl`).
 *
 * @param paths - the files, in order.
 * @returns the CRLs, in the same order.
 * @throws EvoucherError `ARG_IO` when a file cannot be read, `CRL_MALFORMED` when one is not a CRL.
 */
export async function readCrlOptions(paths: readonly string[]): Promise<Crl[]> {
  const out: Crl[] = [];
  for (const p of paths) out.push(parseCrl(await readInput(p)));
  return out;
}
