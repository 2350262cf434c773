/**
 * The password of the keys `pki demo` writes, from one of two options: `--password <p>` (seen by anyone who lists
 * processes) or `--password-file <path>`. Never from `EVOUCHER_KEY_PASSWORD`, the variable `seal` opens real keys
 * with: the demo writes its password in the clear into its README, manifest and script, and a password picked up
 * from the environment without being asked for would be a real one copied into readable files.
 */
import { EvoucherError } from '../errors.js';
import { MAX_SECRET_FILE_BYTES } from '../keys/index.js';
import { readInput } from './args.js';

/** A password and where it came from (`--password`, `--password-file`), to name it without showing it. */
export interface GivenPassword {
  readonly password: string;
  readonly source: string;
}

/**
 * Reads a password file: its text, one trailing line break (LF or CRLF) removed (`echo pw > file`), as a
 * `password-source` file is read for a key.
 *
 * @throws EvoucherError `ARG_IO` when it cannot be read (or is larger than {@link MAX_SECRET_FILE_BYTES}),
 *   `ARG_INVALID` when it is not UTF-8 or holds more than one line.
 */
async function readPasswordFile(path: string): Promise<string> {
  const bytes = await readInput(path, { maxBytes: MAX_SECRET_FILE_BYTES });
  const invalid = (why: string): never => {
    throw new EvoucherError('ARG_INVALID', `--password-file ${path} ${why}`, { detail: { option: 'password-file', path } });
  };
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    invalid('is not UTF-8 text');
  }
  const password = text.replace(/\r?\n$/u, '');
  // More lines: which one is the password is a guess (a password with a line break in it could not be typed back).
  if (/[\r\n]/u.test(password)) invalid('holds more than one line: write the password alone on its first line');
  return password;
}

/**
 * The password given for the keys, from `--password` or `--password-file`, or undefined when neither is.
 *
 * @param values - the parsed `--password` and `--password-file`.
 * @returns the password and its source, or undefined.
 * @throws EvoucherError `ARG_INVALID` when both are given (which one is meant is unknown) or the password is
 *   empty; `ARG_IO` when the file cannot be read.
 * @example const given = await readPasswordOptions({ 'password-file': 'pw.txt' });
 */
export async function readPasswordOptions(values: { readonly password?: string | undefined; readonly 'password-file'?: string | undefined }): Promise<GivenPassword | undefined> {
  const sources = [values.password === undefined ? undefined : '--password', values['password-file'] === undefined ? undefined : '--password-file'].filter(
    (s): s is string => s !== undefined,
  );
  if (sources.length > 1) {
    throw new EvoucherError('ARG_INVALID', `the password is given by ${sources.join(' and ')}: give it one way`, { detail: { option: 'password' } });
  }
  const [source] = sources;
  if (source === undefined) return undefined;
  const password = source === '--password' ? (values.password as string) : await readPasswordFile(values['password-file'] as string);
  if (password === '') {
    // An empty --password (an unset shell variable) or file is a mistake, said.
    const named = source === '--password-file' ? `--password-file ${values['password-file'] as string}` : source;
    throw new EvoucherError('ARG_INVALID', `${named}: the password is empty`, { detail: { option: source.slice(2) } });
  }
  return { password, source };
}
