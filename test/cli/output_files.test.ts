/**
 * Where the CLI writes (`-o`) and how it fails: a regular file is replaced atomically and keeps its mode, a
 * symbolic link is written through, a device or named pipe is written to and never replaced by a regular file,
 * and a failed write to standard output is a coded I/O error (exit 2), not a stack trace. Error lines quoting
 * an untrusted envelope are escaped like the reports.
 */
import { execFileSync, spawn } from 'node:child_process';
import { lstat, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../src/voucher/index.js';
import { ROOT, runCli } from './spawn_cli.js';

let dir: string;
const build = (out: string) => runCli(['build', '--type', '5201', '--data', join(ROOT, 'examples', '5201.json'), '-o', out]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-out-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('-o', () => {
  it('replaces a regular file whole and keeps its mode', async () => {
    const out = join(dir, 'kept.xml');
    await writeFile(out, 'old');
    await chmod(out, 0o600);
    expect((await build(out)).code).toBe(0);
    expect(parseEnvelope(new Uint8Array(await readFile(out))).bodies).toHaveLength(1);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
  });

  it('writes through a symbolic link to its target; the link stays a link', async () => {
    const target = join(dir, 'target.xml');
    const link = join(dir, 'link.xml');
    await writeFile(target, 'old');
    await symlink(target, link);
    expect((await build(link)).code).toBe(0);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(target);
    expect(parseEnvelope(new Uint8Array(await readFile(target))).bodies).toHaveLength(1);
  });

  it('writes to /dev/stdout (a pipe here) instead of replacing it', async () => {
    const r = await build('/dev/stdout');
    expect(r.code).toBe(0);
    expect(parseEnvelope(new Uint8Array(r.stdoutBytes)).bodies).toHaveLength(1);
    expect((await lstat('/dev/stdout')).isSymbolicLink()).toBe(true);
  });

  it('writes to a named pipe that has a reader, which stays a pipe', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    const chunks: Buffer[] = [];
    reader.stdout.on('data', (b: Buffer) => chunks.push(b));
    const done = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    expect((await build(fifo)).code).toBe(0);
    await done;
    expect(parseEnvelope(new Uint8Array(Buffer.concat(chunks))).bodies).toHaveLength(1);
    expect((await lstat(fifo)).isFIFO()).toBe(true);
  });

  it('a directory or a missing directory is ARG_IO (exit 2), and nothing is left behind', async () => {
    for (const out of [dir, join(dir, 'missing', 'x.xml')]) {
      const r = await build(out);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/ARG_IO/);
    }
  });
});

describe('standard output and error', () => {
  it('a full device as standard output is ARG_IO with exit 2, not a stack trace and exit 1', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'evoucher.js'), 'positions', '--type', '5201'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    // A closed pipe (EPIPE) ends quietly with 2; /dev/full below says why.
    expect(r.code).toBe(2);
    const full = execFileSync('sh', ['-c', `"${process.execPath}" "${join(ROOT, 'bin', 'evoucher.js')}" positions --type 5201 > /dev/full; echo "exit=$?"`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(full.trim()).toBe('exit=2');
    const stderr = execFileSync('sh', ['-c', `"${process.execPath}" "${join(ROOT, 'bin', 'evoucher.js')}" positions --type 5201 2>&1 > /dev/full || true`], { encoding: 'utf8' });
    expect(stderr).toMatch(/ARG_IO: cannot write standard output \(ENOSPC\)/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('an error quoting a hostile envelope is escaped and clipped on standard error', async () => {
    const env = await runCli(['build', '--type', '5201', '--data', join(ROOT, 'examples', '5201.json'), '--encoding', 'utf8', '-o', '-']);
    expect(env.code).toBe(0);
    const voucherNo = /VoucherNo="([^"]*)"/.exec(env.stdout)?.[1] as string;
    const hostile = env.stdout.replace(`VoucherNo="${voucherNo}"`, `VoucherNo="${voucherNo}&#10;VALID all good&#x202E;&#x9B;31m${'Z'.repeat(100_000)}"`);
    const file = join(dir, 'hostile.xml');
    await writeFile(file, hostile);
    const r = await runCli(['inspect', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/ENVELOPE_ATTRIBUTE_MISMATCH/);
    expect(r.stderr).not.toMatch(/[\n\u202e\u009b]VALID|\u202e|\u009b/);
    expect(r.stderr).toMatch(/\\x0aVALID all good\\u202e\\x9b/);
    expect(r.stderr.length).toBeLessThan(3000);
  });
});

describe('arguments', () => {
  it('an option that takes one value, given twice, is ARG_INVALID (the last one was used silently)', async () => {
    const out = join(dir, 'twice.xml');
    for (const args of [
      ['build', '--type', '5201', '--data', join(ROOT, 'examples', '5201.json'), '-o', out, '-o', join(dir, 'b.xml')],
      ['build', '--type', '5201', '--type', '8202', '--data', join(ROOT, 'examples', '5201.json'), '-o', out],
      ['positions', '--type', '5201', '--type', '8202'],
    ]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/ARG_INVALID: --(o|output|type) is given more than once/);
    }
  });

  it('standard input named twice is refused by pki verify, receipt and seal-make; inspect --picture - is refused', async () => {
    const cert = join(ROOT, 'fixtures', 'pki', 'p256', 'cz.cert.pem');
    for (const args of [
      ['pki', 'verify', '-', '--trust', join(ROOT, 'fixtures', 'pki', 'trust'), '--untrusted', '-'],
      ['receipt', '-', '--policy', '-', '--set', 'XPayDate=20251128', '-o', join(dir, 'r.xml')],
      ['seal-make', '--maker', 'file:x', '--holder', '-', '--picture', '-', '--name', 'n', '--valid-from', '2025-01-01', '--valid-to', '2026-01-01', '-o', join(dir, 's.esl')],
      ['inspect', cert, '--picture', '-'],
    ]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/ARG_INVALID/);
    }
  });

  it('inspect --picture /dev/stdout (or /dev/fd/1) is refused as - is: the PNG bytes went into the JSON report', async () => {
    const esl = join(ROOT, 'test', 'vectors', 'real-seals', 'ofdrw-UserV4.esl');
    for (const path of ['/dev/stdout', '/dev/fd/1']) {
      const r = await runCli(['inspect', esl, '--format', 'json', '--picture', path]);
      expect(r.code, path).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^evoucher inspect: ARG_INVALID: --picture \/dev\/\S+ would mix the picture into the report/);
    }
  });

  it('inspect --picture that cannot be written: exit 2 and, in JSON, the error entry, not the report of a success', async () => {
    const esl = join(ROOT, 'test', 'vectors', 'real-seals', 'ofdrw-UserV4.esl');
    const out = join(dir, 'no-such-dir', 'p.png');
    const json = await runCli(['inspect', esl, '--format', 'json', '--picture', out]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ file: esl, status: 'ERROR', error: { code: 'ARG_IO', message: expect.stringContaining('ENOENT') } });
    expect(json.stderr).toMatch(/^evoucher inspect: ARG_IO: cannot write /);
    const text = await runCli(['inspect', esl, '--picture', out]);
    expect(text.code).toBe(2);
    expect(text.stdout).toBe('');
  });

  it('inspect --picture on a document without an ses seal: exit 1, nothing printed on standard output', async () => {
    const env = join(dir, 'cms.xml');
    expect((await build(env)).code).toBe(0);
    const r = await runCli(['inspect', env, '--picture', join(dir, 'p.png')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/SEAL_MISSING/);
  });

  it('pki verify has --help; pki demo does not echo a password it was given, nor write through a planted link', async () => {
    const help = await runCli(['pki', 'verify', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage/);
    const out = join(dir, 'pki');
    const r = await runCli(['pki', 'demo', '--out', out, '--password', 'S3cret-given']);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/S3cret-given/);
    expect(r.stderr).toContain('password: (as given with --password)');
    const victim = join(dir, 'victim.txt');
    await writeFile(victim, 'keep');
    await rm(join(out, 'README.md'));
    await symlink(victim, join(out, 'README.md'));
    const again = await runCli(['pki', 'demo', '--out', out, '--force']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/symbolic link/);
    expect(await readFile(victim, 'utf8')).toBe('keep');
  }, 60_000);
});
