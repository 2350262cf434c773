/**
 * `evoucher verify --jobs`: many files through worker threads print exactly what one thread prints, in the
 * same order and with the same exit code; the progress line appears only for text output on a terminal.
 */
import { spawn } from 'node:child_process';
import { link, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/commands/demo.js';
import { parseJobs } from '../../src/cli/batch.js';
import { createProgressLine, progressAllowed } from '../../src/cli/progress.js';
import { ROOT, runCli } from './spawn_cli.js';

const AT = '2026-01-15T02:00:00Z';
const TRUST = join(ROOT, 'fixtures', 'pki', 'trust');
let dir: string;
let files: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-verify-jobs-'));
  const demo = await runDemo({ now: new Date(AT) });
  files = [];
  for (let i = 0; i < 6; i++) {
    for (const v of demo.vouchers) {
      const f = join(dir, `${files.length}-${v.vtCode}-${v.variant}.xml`);
      await writeFile(f, i % 2 === 0 ? v.receipt : v.original);
      files.push(f);
    }
  }
  const bad = join(dir, 'bad.xml');
  await writeFile(bad, '<MOF>');
  files.splice(5, 0, bad, join(dir, 'missing.xml'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('evoucher verify --jobs', () => {
  it('prints the same JSON, text and JUnit with 2 workers as with none, and the same exit code', async () => {
    for (const format of ['json', 'text', 'junit']) {
      const one = await runCli(['verify', ...files, '--trust', TRUST, '--at', AT, '--format', format, '--jobs', '0']);
      const two = await runCli(['verify', ...files, '--trust', TRUST, '--at', AT, '--format', format, '--jobs', '2']);
      expect(two.stdout).toBe(one.stdout);
      expect(two.code).toBe(one.code);
      expect(one.code).toBe(2); // the missing file
      // Progress never reaches a pipe; the unreadable file is named on standard error either way.
      expect(two.stderr).toBe(one.stderr);
      expect(two.stderr).not.toMatch(/files\/s/);
    }
    const json = JSON.parse((await runCli(['verify', ...files, '--trust', TRUST, '--at', AT, '--format', 'json'])).stdout) as { file: string }[];
    // Every file in input order, the missing one as its ERROR entry.
    expect([...new Set(json.map((r) => r.file))]).toEqual(files);
  });

  it('works when node runs with process-wide options (V8 heap flags, --expose-gc, a preload)', async () => {
    const args = ['verify', ...files, '--trust', TRUST, '--at', AT, '--format', 'json'];
    const one = await runCli([...args, '--jobs', '0']);
    const nodeArgs = ['--max-old-space-size=512', '--expose-gc', '--stack-trace-limit=30', '--require', 'node:os', '--enable-source-maps'];
    const two = await runCli([...args, '--jobs', '2'], { nodeArgs });
    expect(two.stderr).toBe(one.stderr);
    expect(two.stdout).toBe(one.stdout);
    expect(two.code).toBe(one.code);
  });

  it('keeps no report once printed: 1,000 files verify within a 24 MiB heap in every format', async () => {
    // Before, every report (about 12 KiB each) was kept to the end and JSON was one 19 MB string: node ran out
    // of heap in all three formats. Now JSON is written report by report, text and JUnit keep their lines.
    const cms = files.filter((f) => f.endsWith('-cms.xml')).slice(0, 2);
    expect(cms.length).toBe(2);
    const many = await mkdtemp(join(dir, 'many-'));
    const list = Array.from({ length: 1000 }, (_, i) => join(many, `v${i}.xml`));
    await Promise.all(list.map((f, i) => link(cms[i % 2] as string, f)));
    const nodeArgs = ['--max-old-space-size=24'];
    const json = await runCli(['verify', ...list, '--trust', TRUST, '--at', AT, '--format', 'json'], { nodeArgs });
    expect(json.stderr).toBe('');
    const reports = JSON.parse(json.stdout) as { file: string; status: string }[];
    expect(reports.map((r) => r.file)).toEqual(list);
    const expectedCode = reports.every((r) => r.status === 'VALID') ? 0 : 1;
    expect(json.code).toBe(expectedCode);
    const text = await runCli(['verify', ...list, '--trust', TRUST, '--at', AT], { nodeArgs });
    expect(text.code).toBe(expectedCode);
    expect(text.stdout).toMatch(new RegExp(`\\n${reports.filter((r) => r.status === 'VALID').length} of 1000 voucher\\(s\\) VALID`));
    const junit = await runCli(['verify', ...list, '--trust', TRUST, '--at', AT, '--format', 'junit'], { nodeArgs });
    expect(junit.code).toBe(expectedCode);
    expect(junit.stdout).toMatch(/<testsuites tests="1000"/);
  }, 60_000);

  it('takes more files from --files-from (a list file or standard input), after those named', async () => {
    const args = ['--trust', TRUST, '--at', AT, '--format', 'json'];
    const named = await runCli(['verify', ...files, ...args]);
    const list = join(dir, 'list.txt');
    await writeFile(list, files.slice(1).join('\n') + '\n');
    const fromFile = await runCli(['verify', files[0] as string, '--files-from', list, ...args]);
    expect(fromFile.stdout).toBe(named.stdout);
    expect(fromFile.stderr).toBe(named.stderr);
    expect(fromFile.code).toBe(named.code);
    // CRLF lines and empty lines are fine; the list alone is enough.
    const fromStdin = await runCli(['verify', '--files-from', '-', ...args], { input: `\r\n${files.join('\r\n')}\r\n\r\n` });
    expect(fromStdin.stdout).toBe(named.stdout);
    expect(fromStdin.code).toBe(named.code);

    const refused = async (cliArgs: string[], input: string | Uint8Array, code: string, message: RegExp): Promise<void> => {
      const r = await runCli(['verify', ...cliArgs, '--trust', TRUST], { input });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(code);
      expect(r.stderr).toMatch(message);
    };
    await refused(['--files-from', '-'], `${files[0]}\n-\n`, 'ARG_INVALID', /line 2: '-' \(standard input\) cannot be listed/);
    await refused(['-', '--files-from', '-'], '', 'ARG_INVALID', /standard input cannot be both the list and an envelope/);
    await refused(['--files-from', '-'], new Uint8Array([0x61, 0xff, 0x0a]), 'ARG_INVALID', /not UTF-8/);
    await refused(['--files-from', '-'], 'a.xml\0b.xml\n', 'ARG_INVALID', /line 1: a path cannot hold a NUL/);
    await refused(['--files-from', join(dir, 'no-list.txt')], '', 'ARG_IO', /cannot read/);
    await refused(['--files-from', '-'], '\n\n', 'ARG_MISSING', /at least one file/);
  });

  it('stops quietly with exit code 2 when its reader goes away (| head), in every format', async () => {
    for (const format of ['text', 'json', 'junit']) {
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'evoucher.js'), 'verify', ...files, '--trust', TRUST, '--at', AT, '--format', format], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy(); // the reader is gone before the first write
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(2);
      // No stack trace, no "Unhandled 'error' event" (text and JUnit crashed so before).
      expect(stderr).not.toMatch(/Error|node:events|EPIPE/);
    }
  });

  it('refuses a bad --jobs value with exit code 2', async () => {
    for (const bad of ['-1', 'two', '1.5', '9999']) {
      const r = await runCli(['verify', ...files.slice(0, 2), '--trust', TRUST, '--jobs', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/ARG_INVALID/);
    }
    expect(() => parseJobs('x')).toThrow(expect.objectContaining({ code: 'ARG_INVALID' }));
    expect(parseJobs('0')).toBe(0);
    expect(parseJobs(undefined)).toBeGreaterThanOrEqual(1);
  });
});

describe('progress line', () => {
  const tty = (): { isTTY: boolean; columns: number; text: string; write(s: string): boolean } => ({
    isTTY: true,
    columns: 80,
    text: '',
    write(s: string): boolean {
      this.text += s;
      return true;
    },
  });

  it('is drawn only for text output with both streams on a terminal and enough files', () => {
    const stream = tty();
    expect(progressAllowed(100, { format: 'text', stream, stdoutIsTty: true })).toBe(true);
    expect(progressAllowed(100, { format: 'json', stream, stdoutIsTty: true })).toBe(false);
    expect(progressAllowed(100, { format: 'junit', stream, stdoutIsTty: true })).toBe(false);
    expect(progressAllowed(100, { format: 'text', stream, stdoutIsTty: false })).toBe(false);
    expect(progressAllowed(100, { format: 'text', stream: { ...stream, isTTY: false }, stdoutIsTty: true })).toBe(false);
    expect(progressAllowed(5, { format: 'text', stream, stdoutIsTty: true })).toBe(false);
  });

  it('redraws one line in place and erases it at the end', () => {
    const stream = tty();
    const p = createProgressLine(40, { format: 'text', stream, stdoutIsTty: true, intervalMs: 0 }, 'verify');
    p.update(10, 1);
    p.update(40, 2);
    p.finish();
    expect(stream.text).toContain('verify: 10/40 files (25%), 1 not VALID');
    expect(stream.text).toContain('verify: 40/40 files (100%), 2 not VALID');
    expect(stream.text.endsWith('\r\x1b[2K')).toBe(true);
    expect(stream.text).not.toContain('\n');

    // A terminal that reports 0 columns (unknown size) gets the whole line, not 20 characters of it.
    const unsized = Object.assign(tty(), { columns: 0 });
    const q = createProgressLine(40, { format: 'text', stream: unsized, stdoutIsTty: true, intervalMs: 0 }, 'verify');
    q.update(40, 2);
    expect(unsized.text).toContain('verify: 40/40 files (100%), 2 not VALID');

    const json = tty();
    const silent = createProgressLine(40, { format: 'json', stream: json, stdoutIsTty: true, intervalMs: 0 }, 'verify');
    silent.update(40, 0);
    silent.finish();
    expect(json.text).toBe('');
  });
});
