/**
 * An input that cannot be read is an I/O error (ARG_IO, exit 2) in every command, never read as an empty
 * document (XML_MALFORMED, exit 1): a directory named as a file, and a standard input that is a directory
 * (`- < dir`, which node hands over as an empty stream). A standard input that really is empty stays an empty
 * document. `verify-seal --format json` gives a file it cannot read the entry `verify --format json` gives one.
 */
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStandardInput, readInput } from '../../src/cli/args.js';
import { collectResult, ROOT, runCli, type CliResult } from './spawn_cli.js';

const PKI = join(ROOT, 'fixtures', 'pki');
const TRUST = join(PKI, 'trust');
const EXAMPLE = join(ROOT, 'examples', '5201.json');
let dir: string;
let folder: string;
let env: string;
const f = (name: string): string => join(dir, name);

/** Runs the CLI with standard input opened on `path` (`evoucher … < path`). */
async function runWithStdinFrom(path: string, args: readonly string[]): Promise<CliResult> {
  const fd = openSync(path, 'r');
  try {
    return await collectResult(spawn(process.execPath, [join(ROOT, 'bin', 'evoucher.js'), ...args], { cwd: ROOT, stdio: [fd, 'pipe', 'pipe'] }));
  } finally {
    closeSync(fd);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-unreadable-'));
  folder = f('a-folder');
  await mkdir(folder);
  env = f('env.xml');
  expect((await runCli(['build', '--type', '5201', '--data', EXAMPLE, '-o', env])).code).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every command that reads an input file, with `INPUT` where the input goes. */
const COMMANDS: readonly (readonly string[])[] = [
  ['verify', 'INPUT', '--trust', TRUST],
  ['verify', '--trust', TRUST, '--files-from', 'INPUT'],
  ['validate', 'INPUT'],
  ['inspect', 'INPUT'],
  ['inspect', 'INPUT', '--format', 'json'],
  ['seal', 'INPUT', '--position', 'dw_gz', '--key', 'file:k.pem?cert=c.pem', '-o', 'OUT'],
  ['receipt', 'INPUT', '--set', 'XPayDate=20261128', '-o', 'OUT'],
  ['build', '--type', '5201', '--data', 'INPUT', '-o', 'OUT'],
  ['verify-seal', 'INPUT', '--data', 'ENV'],
  ['verify-seal', 'ENV', '--data', 'INPUT'],
  ['pki', 'verify', 'INPUT', '--trust', TRUST],
];

const withInput = (args: readonly string[], input: string): string[] => args.map((a) => (a === 'INPUT' ? input : a === 'OUT' ? f('out.xml') : a === 'ENV' ? env : a));

describe('a directory named as an input file', () => {
  it.each(COMMANDS.map((c) => [c.join(' '), c] as const))('%s: ARG_IO "<path> is a directory", exit 2', async (_name, args) => {
    const r = await runCli(withInput(args, folder));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`ARG_IO: ${folder} is a directory`);
    expect(r.stderr).not.toContain('XML_MALFORMED');
  });

  it('verify of several files on worker threads says the same for the directory among them', async () => {
    const r = await runCli(['verify', env, folder, '--trust', TRUST, '--jobs', '2', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`ARG_IO: ${folder} is a directory`);
    const entries = JSON.parse(r.stdout) as { file: string; status: string; error?: { code: string; message: string } }[];
    expect(entries.find((e) => e.file === folder)).toEqual({ file: folder, status: 'ERROR', error: { code: 'ARG_IO', message: `${folder} is a directory` } });
  });
});

describe('standard input that is a directory (- < dir)', () => {
  it.each(COMMANDS.map((c) => [c.join(' '), c] as const))('%s: ARG_IO "standard input is a directory", exit 2', async (_name, args) => {
    const r = await runWithStdinFrom(folder, withInput(args, '-'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ARG_IO: standard input is a directory');
    expect(r.stderr).not.toContain('XML_MALFORMED');
    expect(r.stderr).not.toContain('no root element');
  });

  it('an empty standard input (/dev/null, an empty pipe) is still an empty document: exit 1, XML_MALFORMED', async () => {
    const devNull = await runWithStdinFrom('/dev/null', ['inspect', '-']);
    expect(devNull.code).toBe(1);
    expect(devNull.stderr).toContain('XML_MALFORMED');
    const pipe = await runCli(['validate', '-'], { input: '' });
    expect(pipe.code).toBe(1);
    expect(pipe.stdout).toContain('XML_MALFORMED');
  });

  it('openStandardInput refuses a directory and a descriptor that is not open; readInput makes a failed read ARG_IO', async () => {
    const fd = openSync(folder, 'r');
    try {
      expect(() => openStandardInput(fd)).toThrow(expect.objectContaining({ code: 'ARG_IO', message: 'standard input is a directory', detail: { path: '-' } }));
    } finally {
      closeSync(fd);
    }
    expect(() => openStandardInput(1_000_000)).toThrow(expect.objectContaining({ code: 'ARG_IO', message: 'cannot read standard input: EBADF' }));
    // A read that fails halfway (EIO: a terminal the process lost) is ARG_IO with its code, not a bare error.
    const failing = (async function* (): AsyncGenerator<Uint8Array> {
      yield new Uint8Array([0x3c]);
      throw Object.assign(new Error('i/o error'), { code: 'EIO' });
    })();
    await expect(readInput('-', { stdin: failing })).rejects.toMatchObject({ code: 'ARG_IO', message: 'cannot read standard input: EIO', detail: { path: '-' } });
  });
});

describe('verify-seal --format json: a file that cannot be read has the entry verify gives it', () => {
  it('a missing seal signature: the same entry as verify --format json, exit 2, the reason on standard error', async () => {
    const missing = f('missing.dat');
    const verify = await runCli(['verify', missing, '--trust', TRUST, '--format', 'json']);
    expect(verify.code).toBe(2);
    const [entry] = JSON.parse(verify.stdout) as unknown[];
    const r = await runCli(['verify-seal', missing, '--data', env, '--format', 'json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual(entry);
    expect(JSON.parse(r.stdout)).toEqual({ file: missing, status: 'ERROR', error: { code: 'ARG_IO', message: `cannot read ${missing}: ENOENT` } });
    expect(r.stderr).toBe(`evoucher verify-seal: ARG_IO: cannot read ${missing}: ENOENT\n`);
  });

  it('data that cannot be read: the entry names the seal signature, its message the data file', async () => {
    const r = await runCli(['verify-seal', env, '--data', folder, '--format', 'json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ file: env, status: 'ERROR', error: { code: 'ARG_IO', message: `${folder} is a directory` } });
  });

  it('text output stays on standard error alone; a usage error prints no entry', async () => {
    const text = await runCli(['verify-seal', f('missing.dat'), '--data', env]);
    expect(text.code).toBe(2);
    expect(text.stdout).toBe('');
    const usage = await runCli(['verify-seal', env, '--format', 'json']);
    expect(usage.code).toBe(2);
    expect(usage.stdout).toBe('');
    expect(usage.stderr).toContain('ARG_MISSING');
  });

  it('a file that is read but is no seal signature is still a report (exit 1), not an entry', async () => {
    await writeFile(f('junk.dat'), 'not der');
    const r = await runCli(['verify-seal', f('junk.dat'), '--data', env, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ file: f('junk.dat'), status: 'INVALID' });
  });
});
