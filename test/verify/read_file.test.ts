/**
 * readFileBounded, the reader of the batch verifier and of every CLI input: one open handle, read to its end
 * whatever size it claims, refused when larger than the bound or not a regular file.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readInput } from '../../src/cli/args.js';
import { isEvoucherError } from '../../src/errors.js';
import { readFileBounded } from '../../src/verify/index.js';

const dir = mkdtempSync(join(tmpdir(), 'evoucher-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isEvoucherError(e) ? `${e.code}: ${e.message}` : String(e);
  }
  return undefined;
}

describe('readFileBounded', () => {
  it('reads a regular file exactly, at the bound and one byte under it', () => {
    const f = join(dir, 'a.bin');
    const bytes = new Uint8Array(10_000).map((_, i) => (i * 7) & 0xff);
    writeFileSync(f, bytes);
    expect(readFileBounded(f, 10_000)).toEqual(bytes);
    expect(readFileBounded(f, 1 << 20)).toEqual(bytes);
    expect(codeOf(() => readFileBounded(f, 9_999))).toBe(`ARG_IO: ${f} is larger than 9999 bytes`);
    writeFileSync(join(dir, 'empty'), '');
    expect(readFileBounded(join(dir, 'empty'), 10)).toEqual(new Uint8Array(0));
  });

  it('reads to the end of a file whose size is unknown to fstat (procfs says 0), and still bounds it', async () => {
    const text = readFileSync('/proc/version');
    expect(text.length).toBeGreaterThan(20);
    // Before: a buffer of fstat's size + 1 gave one byte of /proc/version and no error.
    expect(readFileBounded('/proc/version', 1 << 20)).toEqual(new Uint8Array(text));
    expect(codeOf(() => readFileBounded('/proc/version', 10))).toBe('ARG_IO: /proc/version is larger than 10 bytes');
    // Beyond the first 4 KiB step of the growing buffer: the command line of a process given a long argument.
    const child = spawn(process.execPath, ['-e', "process.stdout.write('ready'); setTimeout(() => {}, 60000)", 'x'.repeat(20_000)], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise((resolve) => child.stdout.once('data', resolve));
      const path = `/proc/${child.pid}/cmdline`;
      const got = readFileBounded(path, 1 << 20);
      expect(got.length).toBeGreaterThan(20_000);
      expect(got).toEqual(new Uint8Array(readFileSync(path)));
      expect(codeOf(() => readFileBounded(path, 20_000))).toBe(`ARG_IO: ${path} is larger than 20000 bytes`);
    } finally {
      child.kill();
    }
  });

  it('refuses a directory, a missing file and a named pipe, at once', () => {
    expect(codeOf(() => readFileBounded(dir, 10))).toBe(`ARG_IO: ${dir} is a directory`);
    expect(codeOf(() => readFileBounded(join(dir, 'missing'), 10))).toBe(`ARG_IO: cannot read ${join(dir, 'missing')}: ENOENT`);
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    expect(codeOf(() => readFileBounded(fifo, 10))).toBe(`ARG_IO: ${fifo} is not a file`);
  });
});

describe('CLI readInput reads files through it', () => {
  it('reads a procfs file whole and bounds it, refuses a named pipe and a directory', async () => {
    expect(await readInput('/proc/version')).toEqual(new Uint8Array(readFileSync('/proc/version')));
    await expect(readInput('/proc/version', { maxBytes: 10 })).rejects.toMatchObject({ code: 'ARG_IO', message: '/proc/version is larger than 10 bytes' });
    const fifo = join(dir, 'pipe2');
    execFileSync('mkfifo', [fifo]);
    await expect(readInput(fifo)).rejects.toMatchObject({ code: 'ARG_IO', message: `${fifo} is not a file` });
    await expect(readInput(dir)).rejects.toMatchObject({ code: 'ARG_IO', message: `${dir} is a directory` });
  });
});
