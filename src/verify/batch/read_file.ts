/**
 * Reading one input file of a batch, bounded in size, with coded errors (the verifier itself never throws on
 * bad bytes; a file that cannot be read is reported for that file alone).
 */
import { readBoundedFileSync } from '../../encoding/read_bounded.js';

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
  return readBoundedFileSync(path, maxBytes);
}
