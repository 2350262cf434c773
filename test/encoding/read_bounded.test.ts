/**
 * The one bounded file reader (src/encoding/read_bounded.ts) that keys/ uses and pki/ and verify/ can share: one
 * handle opened without blocking and checked with fstat, read to its end but never past the bound + 1 byte,
 * anything but a regular file refused at once, and the caller's own error codes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBoundedFile, readBoundedFileSync } from '../../src/encoding/read_bounded.js';
import type { BoundedReadFailure } from '../../src/encoding/read_bounded.js';
import { EvoucherError, isEvoucherError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'evoucher-read-bounded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bounds a read that could block for ever (a named pipe) to 10 s, so a regression fails instead of hanging. */
function within<T>(p: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function failure(f: () => Promise<unknown> | unknown): Promise<string> {
  try {
    await f();
  } catch (e) {
    return isEvoucherError(e) ? `${e.code}: ${e.message}` : `not an EvoucherError: ${String(e)}`;
  }
  return 'no error';
}

const readers = [
  ['async', (path: string, max: number) => within(readBoundedFile(path, max))],
  ['sync', (path: string, max: number) => Promise.resolve(readBoundedFileSync(path, max))],
] as const;

describe.each(readers)('readBoundedFile (%s)', (mode, read) => {
  it('reads a regular file exactly, at the bound; refuses it one byte under the bound', async () => {
    const f = join(dir, 'a.bin');
    const bytes = new Uint8Array(10_000).map((_, i) => (i * 7) & 0xff);
    writeFileSync(f, bytes);
    expect(await read(f, 10_000)).toEqual(bytes);
    expect(await read(f, 1 << 20)).toEqual(bytes);
    expect(await failure(() => read(f, 9_999))).toBe(`ARG_IO: ${f} is larger than 9999 bytes`);
    writeFileSync(join(dir, 'empty'), '');
    expect(await read(join(dir, 'empty'), 0)).toEqual(new Uint8Array(0));
  });

  it('reads a procfs file (fstat says 0) to its end, past the first 4 KiB step, and bounds it', async () => {
    // /proc/self/maps of a Node.js process is tens of KiB, and stat gives its size as 0.
    const whole = await read('/proc/self/maps', 1 << 20);
    expect(whole.length).toBeGreaterThan(4096);
    expect(new TextDecoder().decode(whole)).toMatch(/^[0-9a-f]+-[0-9a-f]+ /u);
    expect(await failure(() => read('/proc/self/maps', 4096))).toBe('ARG_IO: /proc/self/maps is larger than 4096 bytes');
  });

  it('refuses /proc/self/pagemap (fstat says 0, as large as the address space) without reading it all', async () => {
    const started = Date.now();
    expect(await failure(() => read('/proc/self/pagemap', 1 << 20))).toMatch(/^ARG_IO: /u);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a named pipe, a device, a directory and a missing file at once', async () => {
    const fifo = join(dir, `pipe-${mode}`);
    execFileSync('mkfifo', [fifo]);
    expect(await failure(() => read(fifo, 10))).toBe(`ARG_IO: ${fifo} is not a file`);
    expect(await failure(() => read('/dev/zero', 10))).toBe('ARG_IO: /dev/zero is not a file');
    expect(await failure(() => read(dir, 10))).toBe(`ARG_IO: ${dir} is a directory`);
    expect(await failure(() => read(join(dir, 'missing'), 10))).toBe(`ARG_IO: cannot read ${join(dir, 'missing')}: ENOENT`);
  });

  it('refuses a bound that is not a non-negative integer', async () => {
    expect(await failure(() => read('/proc/version', -1))).toMatch(/^ARG_INVALID: /u);
    expect(await failure(() => read('/proc/version', Number.NaN))).toMatch(/^ARG_INVALID: /u);
  });
});

describe('the caller makes its own errors', () => {
  it('gets the reason and the errno code, and its error is thrown as it is', async () => {
    const seen: BoundedReadFailure[] = [];
    const fail = (f: BoundedReadFailure): EvoucherError => {
      seen.push(f);
      return new EvoucherError('KEY_FILE_UNREADABLE', `refused: ${f.reason}`);
    };
    const f = join(dir, 'b.txt');
    writeFileSync(f, 'hello');
    await expect(readBoundedFile(f, 4, fail)).rejects.toMatchObject({ code: 'KEY_FILE_UNREADABLE', message: 'refused: too-large' });
    expect(() => readBoundedFileSync(dir, 4, fail)).toThrow('refused: not-regular');
    await expect(readBoundedFile(join(dir, 'missing'), 4, fail)).rejects.toMatchObject({ message: 'refused: open' });
    expect(seen.map((s) => s.reason)).toEqual(['too-large', 'not-regular', 'open']);
    const open = seen[2];
    expect(open !== undefined && open.reason === 'open' ? [open.code, (open.cause as NodeJS.ErrnoException).code] : []).toEqual(['ENOENT', 'ENOENT']);
    expect(readBoundedFileSync(f, 5, fail)).toEqual(new Uint8Array(readFileSync(f)));
  });
});
