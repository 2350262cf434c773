/**
 * Reading a whole file under a size bound: the one reader of key, certificate, secret, trust and input files.
 *
 * It lives here because `encoding/` is the only folder every area may import (design.md §2) and keys/, pki/
 * and verify/ all read untrusted paths; it is not an encoding, and it is deliberately not exported from
 * `evoucher/encoding`.
 *
 * Why not `stat` then `readFile`: the check and the read are two lookups of the path, so what is read need
 * not be what was checked; `readFile` of a named pipe waits for a writer for ever; and a file whose size the
 * file system does not know (procfs says 0 for `/proc/self/pagemap`, which is as large as the address space)
 * is read without any bound. Here one handle is opened without blocking, checked with fstat, and read to its
 * end but never past `maxBytes + 1` bytes.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { EvoucherError } from '../errors.js';

/**
 * Why a bounded read failed: `open` (missing, not permitted, a bad path), `not-regular` (a directory, a named
 * pipe, a device, a socket; `directory` says which of the first and the others), `too-large` (more than the
 * bound, whatever size the file claimed) or `read` (an I/O error on the open handle). `code` is the Node.js error
 * code of `cause` (`ENOENT`...), when it has one.
 */
export type BoundedReadFailure =
  | { readonly reason: 'open' | 'read'; readonly cause: unknown; readonly code: string | undefined }
  | { readonly reason: 'not-regular'; readonly directory: boolean }
  | { readonly reason: 'too-large' };

/**
 * Makes the error a failed read throws, so that each caller keeps its own codes and messages
 * (`KEY_FILE_UNREADABLE` in keys/, `ARG_IO` elsewhere).
 */
export type BoundedReadErrorFactory = (failure: BoundedReadFailure) => EvoucherError;

// O_NONBLOCK: opening a named pipe for reading would otherwise wait for a writer, for ever, and hold the whole
// process (the sync reader) or a libuv thread (the async one); non-blocking, it opens at once and is refused as
// not a regular file. The flag changes nothing for a regular file.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** The first buffer: the size fstat gave (bounded) plus the one byte that proves a file larger than it said. */
function firstBuffer(size: number, maxBytes: number): Uint8Array {
  return new Uint8Array(Math.min(size, maxBytes) + 1);
}

/** Doubles a full buffer (from 4 KiB at least), never beyond `maxBytes + 1`: one byte past the bound is proof enough. */
function grow(buf: Uint8Array, maxBytes: number): Uint8Array {
  const grown = new Uint8Array(Math.min(maxBytes + 1, Math.max(buf.length * 2, 4096)));
  grown.set(buf);
  return grown;
}

/** Refuses, from its fstat, what is not a regular file or claims more than the bound. */
function checkStat(st: { isFile(): boolean; isDirectory(): boolean; size: number }, maxBytes: number, fail: BoundedReadErrorFactory): Uint8Array {
  if (!st.isFile()) throw fail({ reason: 'not-regular', directory: st.isDirectory() });
  if (st.size > maxBytes) throw fail({ reason: 'too-large' });
  return firstBuffer(st.size, maxBytes);
}

/** The buffer to read on into after `n` bytes: the same one, a grown one, or undefined once past the bound. */
function room(buf: Uint8Array, n: number, maxBytes: number): Uint8Array | undefined {
  if (n < buf.length) return buf;
  return n > maxBytes ? undefined : grow(buf, maxBytes);
}

/** The bytes read, or the refusal of a file that turned out larger than the bound. */
function result(buf: Uint8Array, n: number, maxBytes: number, fail: BoundedReadErrorFactory): Uint8Array {
  if (n > maxBytes) throw fail({ reason: 'too-large' });
  return buf.subarray(0, n);
}

function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function checkBound(maxBytes: number): void {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new EvoucherError('ARG_INVALID', 'the size bound of a file read must be a non-negative integer', { detail: { argument: 'maxBytes' } });
  }
}

/**
 * The errors of the readers when the caller gives no factory: `ARG_IO`, naming the path, the messages
 * `readFileBounded` of evoucher/verify has always used.
 *
 * @param path - the file
 * @param maxBytes - the bound
 * @returns the factory
 */
export function defaultBoundedReadError(path: string, maxBytes: number): BoundedReadErrorFactory {
  return (failure) => {
    switch (failure.reason) {
      case 'not-regular':
        // A directory is said as such (`verify out/` for `verify out/*.xml`), never read as an empty input.
        return new EvoucherError('ARG_IO', `${path} ${failure.directory ? 'is a directory' : 'is not a file'}`, { detail: { path } });
      case 'too-large':
        return new EvoucherError('ARG_IO', `${path} is larger than ${maxBytes} bytes`, { detail: { path } });
      default:
        return new EvoucherError('ARG_IO', `cannot read ${path}: ${failure.code ?? 'error'}`, { cause: failure.cause, detail: { path } });
    }
  };
}

/**
 * Reads a whole regular file of at most `maxBytes` bytes, asynchronously: one handle is opened without
 * blocking and checked with fstat (no check-then-read race), anything but a regular file is refused at once
 * (a named pipe is not waited on, `/dev/zero` is not read without end), and the file is read to its end
 * whatever size it claimed (procfs claims 0), never past `maxBytes + 1` bytes.
 *
 * @param path - the file
 * @param maxBytes - the largest size accepted
 * @param fail - makes the error to throw; default {@link defaultBoundedReadError}
 * @returns the bytes; a view that may be shorter than its buffer (copy it with `slice()` to keep it long)
 * @throws what `fail` makes (by default EvoucherError `ARG_IO`) when the file cannot be opened or read, is not
 *   a regular file or is larger than `maxBytes`; EvoucherError `ARG_INVALID` for a bad `maxBytes`
 * @example
 * const pem = await readBoundedFile('ca.pem', 1 << 20)
 */
export async function readBoundedFile(path: string, maxBytes: number, fail: BoundedReadErrorFactory = defaultBoundedReadError(path, maxBytes)): Promise<Uint8Array> {
  checkBound(maxBytes);
  let fh: FileHandle;
  try {
    fh = await open(path, OPEN_FLAGS);
  } catch (cause) {
    throw fail({ reason: 'open', cause, code: errnoCode(cause) });
  }
  try {
    try {
      let buf = checkStat(await fh.stat(), maxBytes, fail);
      let n = 0;
      for (let next = room(buf, n, maxBytes); next !== undefined; next = room(buf, n, maxBytes)) {
        buf = next;
        const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
        if (bytesRead === 0) break;
        n += bytesRead;
      }
      return result(buf, n, maxBytes, fail);
    } catch (e) {
      if (e instanceof EvoucherError) throw e;
      throw fail({ reason: 'read', cause: e, code: errnoCode(e) });
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/**
 * {@link readBoundedFile}, synchronously (for worker threads and command-line inputs that are read in one go).
 *
 * @param path - the file
 * @param maxBytes - the largest size accepted
 * @param fail - makes the error to throw; default {@link defaultBoundedReadError}
 * @returns the bytes; a view that may be shorter than its buffer
 * @throws as {@link readBoundedFile}
 * @example
 * const bytes = readBoundedFileSync('envelope.xml', 16 << 20)
 */
export function readBoundedFileSync(path: string, maxBytes: number, fail: BoundedReadErrorFactory = defaultBoundedReadError(path, maxBytes)): Uint8Array {
  checkBound(maxBytes);
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (cause) {
    throw fail({ reason: 'open', cause, code: errnoCode(cause) });
  }
  try {
    let buf = checkStat(fstatSync(fd), maxBytes, fail);
    let n = 0;
    for (let next = room(buf, n, maxBytes); next !== undefined; next = room(buf, n, maxBytes)) {
      buf = next;
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
    }
    return result(buf, n, maxBytes, fail);
  } catch (e) {
    if (e instanceof EvoucherError) throw e;
    throw fail({ reason: 'read', cause: e, code: errnoCode(e) });
  } finally {
    closeSync(fd);
  }
}
