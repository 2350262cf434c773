/**
 * Reading one input file of a batch, bounded in size, with coded errors (the verifier itself never throws on
 * bad bytes; a file that cannot be read is reported for that file alone).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { EvoucherError } from '../../errors.js';

/**
 * Reads a whole regular file of at most `maxBytes` bytes.
 *
 * @param path - the file.
 * @param maxBytes - the size limit.
 * @returns the bytes.
 * @throws EvoucherError `ARG_IO` when the file is missing, not a regular file, unreadable or too large.
 */
export function readFileBounded(path: string, maxBytes: number): Uint8Array {
  let fd: number;
  try {
    // Without blocking: opening a named pipe (FIFO) for reading would otherwise wait for a writer, forever, and
    // stall the whole batch; non-blocking, it opens at once and is refused below as not a regular file.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new EvoucherError('ARG_IO', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e, detail: { path } });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new EvoucherError('ARG_IO', `${path} is not a file`, { detail: { path } });
    if (st.size > maxBytes) throw new EvoucherError('ARG_IO', `${path} is larger than ${maxBytes} bytes`, { detail: { path } });
    // The size is re-checked while reading: a file that grows meanwhile is still cut at maxBytes + 1.
    const buf = new Uint8Array(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n === buf.length) break;
    }
    if (n > maxBytes) throw new EvoucherError('ARG_IO', `${path} is larger than ${maxBytes} bytes`, { detail: { path } });
    return buf.subarray(0, n);
  } catch (e) {
    if (e instanceof EvoucherError) throw e;
    throw new EvoucherError('ARG_IO', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e, detail: { path } });
  } finally {
    closeSync(fd);
  }
}
