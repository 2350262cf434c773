/**
 * Argument and file helpers shared by the CLI commands: option parsing with coded usage errors, reading a
 * file or `-` (stdin) with a size bound, and writing output atomically (never a half-written file).
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { EvoucherError } from '../errors.js';

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
    return parseArgs({ ...config, args, strict: true } as T & { args: string[] });
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
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new EvoucherError('ARG_IO', `${path} is not a file`, { detail: { path } });
    if (s.size > max) tooLarge();
    return new Uint8Array(await readFile(path));
  } catch (e) {
    if (e instanceof EvoucherError) throw e;
    throw new EvoucherError('ARG_IO', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e, detail: { path } });
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
