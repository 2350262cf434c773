/**
 * Reading one input file of a batch, bounded in size, with coded errors (the verifier itself never throws on
 * bad bytes; a file that cannot be read is reported for that file alone).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { EvoucherError } from '../../errors.js';

/**
 * Reads a whole regular file of at most `maxBytes` bytes, as the batch verifier and the CLI read their inputs:
 * one open handle is checked and read (no check-then-read race), anything but a regular file is refused at
 * once (a named pipe is not waited on), and the file is read to its end whatever size it claimed.
 *
 * @param path - the file.
 * @param maxBytes - the size limit.
 * @returns the bytes.
 * @throws EvoucherError `ARG_IO` when the file is missing, not a regular file, unreadable or too large.
 * @example
 * const bytes = readFileBounded('envelope.xml', DEFAULT_MAX_FILE_BYTES)
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
    // Read to the end, not to the size fstat gave: a file that grew meanwhile, or one whose size the file system
    // does not know (procfs says 0), is read whole; the buffer grows up to maxBytes + 1, which proves too large.
    let buf = new Uint8Array(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > maxBytes) break;
        const grown = new Uint8Array(Math.min(maxBytes + 1, Math.max(n * 2, 4096)));
        grown.set(buf);
        buf = grown;
      }
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
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
