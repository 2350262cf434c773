/**
 * Writing a directory of generated files (`pki demo --out`) whole or not at all: every file is written into a
 * fresh directory next to the target (the same parent, so the same file system), which is then moved into place
 * by renaming. A failure on the way (a full disk, a file size limit) removes that directory and leaves the target
 * as it was, never a mix of old and new files.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, lstat, mkdir, readdir, realpath, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { EvoucherError } from '../errors.js';
import { makeDirectory } from './args.js';
import { printStatus } from './output.js';

/** Options of {@link writeDirectory}. */
export interface WriteDirectoryOptions {
  /** The mode of a file (`0o755` for a script), or undefined for the default. */
  readonly modeOf?: (path: string) => number | undefined;
  /** What is written, for messages: `the demo pki`. */
  readonly what: string;
}

/** The folders `files` makes, every level: `sm2/`, `trust/`. */
function foldersOf(files: ReadonlyMap<string, Uint8Array>): Set<string> {
  const folders = new Set<string>();
  for (const path of files.keys()) {
    for (let d = dirname(path); d !== '.' && d !== ''; d = dirname(d)) folders.add(d);
  }
  return folders;
}

/**
 * Refuses a directory `--force` would replace when it holds anything `files` does not (a file of the caller's
 * own, a symbolic link, another folder): replacing the directory whole would remove it.
 */
async function refuseForeign(real: string, shown: string, files: ReadonlyMap<string, Uint8Array>, folders: ReadonlySet<string>, under = ''): Promise<void> {
  for (const name of await readdir(join(real, under))) {
    const path = under === '' ? name : `${under}/${name}`;
    const st = await lstat(join(real, path));
    const ours = st.isDirectory() ? folders.has(path) : st.isFile() && files.has(path);
    if (!ours) {
      const what = st.isSymbolicLink() ? 'is a symbolic link' : 'is not one of the files written there';
      throw new EvoucherError('ARG_INVALID', `${join(shown, path)} ${what}: --force replaces the directory whole and only when it holds nothing else (move it away or choose another directory)`, {
        detail: { path: join(shown, path) },
      });
    }
    if (st.isDirectory()) await refuseForeign(real, shown, files, folders, path);
  }
}

/** Refuses to replace the working directory or one that holds it: the shell would be left in a removed directory. */
function refuseWorkingDirectory(real: string, shown: string, cwd: string): void {
  const r = relative(real, cwd);
  if (r === '' || (!isAbsolute(r) && r !== '..' && !r.startsWith(`..${sep}`))) {
    throw new EvoucherError('ARG_INVALID', `${shown} is or holds the working directory: it is replaced whole, so run the command from outside it`, { detail: { path: shown } });
  }
}

/** Writes every file under `dir` (new), with its mode. */
async function writeAll(dir: string, files: ReadonlyMap<string, Uint8Array>, folders: ReadonlySet<string>, modeOf: (path: string) => number | undefined): Promise<void> {
  for (const folder of [...folders].sort()) await mkdir(join(dir, folder));
  for (const [path, bytes] of files) {
    await writeFile(join(dir, path), bytes, { flag: 'wx' });
    const mode = modeOf(path);
    if (mode !== undefined) await chmod(join(dir, path), mode);
  }
}

/**
 * Moves the written directory's entries into a directory found empty, which stays (its mode, owner, and a shell's
 * working directory in it), without ever replacing what may have appeared there since it was looked at: a file is
 * linked in (`link` fails on an existing name) and then unlinked from `tmp`, a folder is made (`mkdir` fails on an
 * existing one) and filled the same way. On a failure, only what was made here is removed again, newest first, so
 * the directory holds what it held, whatever someone else put into it meanwhile.
 */
async function moveEntries(tmp: string, target: string): Promise<void> {
  const made: { path: string; folder: boolean }[] = [];
  const move = async (from: string, to: string): Promise<void> => {
    const st = await lstat(from);
    if (st.isDirectory()) {
      await mkdir(to, { mode: st.mode & 0o7777 });
      made.push({ path: to, folder: true });
      for (const name of await readdir(from)) await move(join(from, name), join(to, name));
    } else {
      await link(from, to);
      made.push({ path: to, folder: false });
    }
  };
  try {
    for (const name of await readdir(tmp)) await move(join(tmp, name), join(target, name));
  } catch (e) {
    for (const m of made.reverse()) await (m.folder ? rmdir(m.path) : unlink(m.path)).catch(() => undefined);
    throw e;
  }
  // The files are in place: the written copy beside them, or an empty directory left, is said, not an error.
  await rm(tmp, { recursive: true, force: true }).catch((e: unknown) => printStatus([`could not remove ${tmp}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`]));
}

/**
 * Replaces a directory that holds files (with `--force`): it is renamed aside, the written one renamed in its
 * place, and the old one removed; its name is given back when the second rename fails.
 */
async function swapDirectory(tmp: string, target: string): Promise<void> {
  const old = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.old`);
  await rename(target, old);
  try {
    await rename(tmp, target);
  } catch (e) {
    await rename(old, target).catch((back: unknown) => {
      throw new EvoucherError('ARG_IO', `cannot move the previous content of ${target} back from ${old}: ${(back as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e, detail: { path: old } });
    });
    throw e;
  }
  await rm(old, { recursive: true, force: true }).catch((e: unknown) => {
    // The new files are in place: the old ones left beside them are said, not an error.
    printStatus([`could not remove the previous content, left in ${old}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`]);
  });
}

/** The directory {@link writeDirectory} writes, as {@link checkDirectory} found it. */
export interface DirectoryTarget {
  /** The directory as given, for messages. */
  readonly out: string;
  /** Its absolute path, a symbolic link followed (the directory it names is written, the link stays). */
  readonly path: string;
  /** Nothing there yet, an empty directory, or one that holds files (replaced whole, its mode kept). */
  readonly now: { readonly state: 'missing' | 'empty' } | { readonly state: 'full'; readonly mode: number };
}

/**
 * Checks, before anything is made, that `out` may be written: missing, an empty directory, or with `force` one that
 * holds files and is not the working directory (nor holds it: replaced whole, a shell in it would be left in a
 * removed directory).
 *
 * @param out - the directory, as given.
 * @param force - whether a directory that holds files may be replaced.
 * @returns the target for {@link writeDirectory}.
 * @throws EvoucherError `ARG_INVALID` for a file, a directory that is not empty without `force`, or the working
 *   directory; `ARG_IO` when it cannot be looked at.
 * @example const target = await checkDirectory('out/pki', false);
 */
export async function checkDirectory(out: string, force: boolean): Promise<DirectoryTarget> {
  try {
    const st = await stat(out).catch((e: unknown) => ((e as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : Promise.reject(e)));
    if (st === undefined) return { out, path: resolve(out), now: { state: 'missing' } };
    if (!st.isDirectory()) throw new EvoucherError('ARG_INVALID', `${out} exists and is not a directory`, { detail: { option: 'out' } });
    const path = await realpath(out);
    if ((await readdir(path)).length === 0) return { out, path, now: { state: 'empty' } };
    if (!force) throw new EvoucherError('ARG_INVALID', `${out} is not empty; use --force to overwrite`, { detail: { option: 'out' } });
    refuseWorkingDirectory(path, out, await realpath(process.cwd()));
    return { out, path, now: { state: 'full', mode: st.mode & 0o7777 } };
  } catch (e) {
    if (e instanceof EvoucherError) throw e;
    throw new EvoucherError('ARG_IO', `cannot use ${out}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e, detail: { path: out } });
  }
}

/**
 * Writes `files` (relative paths with `/`) as the directory `target`, whole or not at all: into a new directory
 * beside it (the parent must be writable), then moved into place. A missing target is made (its parents too); an
 * empty one is kept and the files moved into it; one that holds files is replaced whole, and only when it holds
 * nothing but files and folders of `files` (an earlier run): anything else in it, a symbolic link included, is
 * refused before anything is written. On a failure the target is as it was.
 *
 * @param target - from {@link checkDirectory}.
 * @param files - relative path → bytes.
 * @param options - the file modes, what is written (for messages).
 * @throws EvoucherError `ARG_INVALID` when a directory to replace holds other entries; `ARG_IO` when it cannot be
 *   written (the target is then as it was).
 * @example await writeDirectory(await checkDirectory('out/pki', false), pki.files, { what: 'the demo pki' });
 */
export async function writeDirectory(target: DirectoryTarget, files: ReadonlyMap<string, Uint8Array>, options: WriteDirectoryOptions): Promise<void> {
  const { out, path, now } = target;
  const failed = (e: unknown): EvoucherError =>
    new EvoucherError('ARG_IO', `cannot write ${options.what} to ${out}: ${(e as NodeJS.ErrnoException).code ?? 'error'} (nothing changed there)`, { cause: e, detail: { path: out } });
  const folders = foldersOf(files);
  try {
    if (now.state === 'full') await refuseForeign(path, out, files, folders);
    if (now.state === 'missing') await makeDirectory(dirname(path));
  } catch (e) {
    throw e instanceof EvoucherError ? e : failed(e);
  }
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(tmp);
  } catch (e) {
    // Written beside the target first: a parent that takes no new entry (not writable) is named, not the target.
    throw new EvoucherError('ARG_IO', `cannot write ${options.what} to ${out}: cannot make a directory in ${dirname(path)}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e, detail: { path: dirname(path) } });
  }
  try {
    await writeAll(tmp, files, folders, options.modeOf ?? (() => undefined));
    if (now.state === 'full') {
      // The replaced directory's mode is kept, as `-o` keeps a replaced file's.
      await chmod(tmp, now.mode);
      await swapDirectory(tmp, path);
    } else if (now.state === 'empty') {
      await moveEntries(tmp, path);
    } else {
      await rename(tmp, path);
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw e instanceof EvoucherError ? e : failed(e);
  }
}
