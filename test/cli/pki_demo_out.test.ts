/**
 * `evoucher pki demo` writes its directory whole or not at all: a write that fails halfway (a file size limit,
 * a real EFBIG from the system, no mock) leaves an earlier demo PKI exactly as it was and nothing beside it;
 * `--force` replaces only a directory of the demo's own files. And the key password comes from `--password` or
 * `--password-file`, never both, and never from `EVOUCHER_KEY_PASSWORD`.
 */
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKeyProvider } from '../../src/keys/index.js';
import { collectResult, ROOT, runCli, type CliResult } from './spawn_cli.js';

let dir: string;
const f = (...names: string[]): string => join(dir, ...names);
const CLI = join(ROOT, 'bin', 'evoucher.js');

/** Every file under `root` → its SHA-256, and every folder → 'dir'. */
async function snapshot(root: string, under = root): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(under, { withFileTypes: true })) {
    const p = join(under, e.name);
    if (e.isDirectory()) Object.assign(out, { [relative(root, p)]: 'dir' }, await snapshot(root, p));
    else out[relative(root, p)] = createHash('sha256').update(await readFile(p)).digest('hex');
  }
  return out;
}

/** Runs `evoucher <args>` under `ulimit -f <blocks>` (512-byte blocks): a write past it fails with EFBIG. */
function runLimited(blocks: number, args: readonly string[]): Promise<CliResult> {
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return collectResult(spawn('sh', ['-c', `ulimit -f ${blocks} && exec "${process.execPath}" "${CLI}" ${quoted}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Runs the CLI with extra environment variables. */
function runWithEnv(args: readonly string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: Object.assign({}, process.env, env), stdio: ['pipe', 'pipe', 'pipe'] });
  const result = collectResult(child);
  child.stdin.end(input ?? '');
  return result;
}

/** The password the demo's manifest records (the one its keys are encrypted with). */
async function passwordOf(out: string): Promise<string> {
  return (JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { password: string }).password;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-pki-out-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pki demo --out: whole or not at all', () => {
  let parent: string;
  let out: string;
  let before: Record<string, string>;
  beforeAll(async () => {
    parent = f('p1');
    out = join(parent, 'pki');
    await mkdir(parent);
    expect((await runCli(['pki', 'demo', '--out', out])).code).toBe(0);
    before = await snapshot(out);
  }, 60_000);

  it('--force that fails halfway (EFBIG on a file past 2 KiB) leaves the earlier demo PKI as it was, and nothing beside it', async () => {
    // The small certificates and keys of the first roles fit, the first PKCS#12 file does not: the write fails
    // after several files, where writing file by file left some of them new and the rest old.
    const r = await runLimited(4, ['pki', 'demo', '--out', out, '--force', '--password', 'another-one']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^evoucher pki: ARG_IO: cannot write the demo pki to .*pki: EFBIG \(nothing changed there\)\n$/);
    expect(await snapshot(out)).toEqual(before);
    expect(await passwordOf(out)).toBe('evoucher-demo');
    expect(await readdir(parent)).toEqual(['pki']);
  }, 60_000);

  it('a new directory that fails halfway is not left behind', async () => {
    const fresh = join(parent, 'fresh');
    const r = await runLimited(4, ['pki', 'demo', '--out', fresh]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('EFBIG');
    expect(await readdir(parent)).toEqual(['pki']);
  }, 60_000);

  it('--force refuses, before writing anything, a directory where a file goes, a file or a folder of the caller\'s', async () => {
    const cases: [string, () => Promise<void>, () => Promise<void>][] = [
      ['README.md', () => rm(join(out, 'README.md')).then(() => mkdir(join(out, 'README.md'))), () => rm(join(out, 'README.md'), { recursive: true }).then(() => writeFile(join(out, 'README.md'), 'x'))],
      ['notes.txt', () => writeFile(join(out, 'notes.txt'), 'mine'), () => rm(join(out, 'notes.txt'))],
      ['sm2/extra', () => mkdir(join(out, 'sm2', 'extra')), () => rm(join(out, 'sm2', 'extra'), { recursive: true })],
    ];
    for (const [name, plant, unplant] of cases) {
      await plant();
      const planted = await snapshot(out);
      const r = await runCli(['pki', 'demo', '--out', out, '--force']);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(new RegExp(`^evoucher pki: ARG_INVALID: .*pki/${name} is not one of the files written there: --force replaces the directory whole`));
      expect(await snapshot(out), name).toEqual(planted);
      expect(await readdir(parent), name).toEqual(['pki']);
      await unplant();
    }
  }, 120_000);

  it('--force replaces an earlier run whole and keeps the directory\'s mode; not from inside it', async () => {
    await chmod(out, 0o750);
    const inside = await runCli(['pki', 'demo', '--out', '.', '--force'], { cwd: out });
    expect(inside.code).toBe(2);
    expect(inside.stderr).toMatch(/ARG_INVALID: \. is or holds the working directory/);
    const r = await runCli(['pki', 'demo', '--out', out, '--force']);
    expect(r.code).toBe(0);
    const after = await snapshot(out);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    expect(after['manifest.json']).not.toBe(before['manifest.json']);
    expect((await stat(out)).mode & 0o777).toBe(0o750);
    expect(await readdir(parent)).toEqual(['pki']);
  }, 60_000);

  it('an empty directory is filled in place, also the working directory (--out .)', async () => {
    const empty = join(parent, 'empty');
    await mkdir(empty);
    const r = await runCli(['pki', 'demo', '--out', '.'], { cwd: empty });
    expect(r.code).toBe(0);
    expect(await readdir(empty)).toContain('manifest.json');
    expect((await readdir(parent)).sort()).toEqual(['empty', 'pki']);
    await rm(empty, { recursive: true });
  }, 60_000);
});

describe('pki demo: the key password from --password or --password-file, never from EVOUCHER_KEY_PASSWORD', () => {
  it('--password-file: its line, the trailing newline dropped; the keys open with it; it is not printed', async () => {
    await writeFile(f('pw.txt'), 'from-a-file\n');
    const out = f('by-file');
    const r = await runCli(['pki', 'demo', '--out', out, '--password-file', f('pw.txt')]);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('from-a-file');
    expect(r.stderr).toContain('password: (as given with --password-file)');
    expect(await passwordOf(out)).toBe('from-a-file');
    const key = await openKeyProvider(`file:${join(out, 'p256', 'cz.key.pem')}?cert=${join(out, 'p256', 'cz.cert.pem')}`, { password: 'from-a-file' });
    expect((await key.sign(new Uint8Array([1, 2, 3]))).length).toBeGreaterThan(0);
    await key.close?.();
  }, 60_000);

  it('--password-file - reads standard input; a CRLF line ending is dropped too', async () => {
    const out = f('by-stdin');
    const r = await runWithEnv(['pki', 'demo', '--out', out, '--password-file', '-'], {}, 'from-stdin\r\n');
    expect(r.code).toBe(0);
    expect(await passwordOf(out)).toBe('from-stdin');
  }, 60_000);

  it('EVOUCHER_KEY_PASSWORD, the variable seal opens real keys with, is not read: the demo writes its password in the clear', async () => {
    const out = f('by-env');
    const r = await runWithEnv(['pki', 'demo', '--out', out], { EVOUCHER_KEY_PASSWORD: 'a-real-secret' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('password: evoucher-demo');
    expect(await passwordOf(out)).toBe('evoucher-demo');
    const written = await Promise.all((await readdir(out, { recursive: true })).map((p) => readFile(join(out, p)).catch(() => Buffer.alloc(0))));
    expect(written.some((b) => b.includes('a-real-secret'))).toBe(false);
    const given = f('by-option-with-env');
    expect((await runWithEnv(['pki', 'demo', '--out', given, '--password', 'given'], { EVOUCHER_KEY_PASSWORD: 'a-real-secret' })).code).toBe(0);
    expect(await passwordOf(given)).toBe('given');
  }, 60_000);

  it('two sources, an empty password, a file of two lines or that cannot be read: refused, nothing written', async () => {
    await writeFile(f('pw.txt'), 'from-a-file\n');
    await writeFile(f('two-lines.txt'), 'first\nsecond\n');
    await writeFile(f('empty.txt'), '\n');
    const out = f('refused');
    const cases: [readonly string[], Record<string, string>, RegExp][] = [
      [['--password', 'a', '--password-file', f('pw.txt')], {}, /ARG_INVALID: the password is given by --password and --password-file: give it one way/],
      [['--password', ''], {}, /ARG_INVALID: --password: the password is empty/],
      [['--password-file', f('empty.txt')], {}, /ARG_INVALID: --password-file .*empty\.txt: the password is empty/],
      [['--password-file', f('two-lines.txt')], {}, /ARG_INVALID: --password-file .*two-lines\.txt holds more than one line/],
      [['--password-file', dir], {}, /ARG_IO: .* is a directory/],
      [['--password-file', f('missing.txt')], {}, /ARG_IO: cannot read .*missing\.txt: ENOENT/],
    ];
    for (const [args, env, message] of cases) {
      const r = await runWithEnv(['pki', 'demo', '--out', out, ...args], env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stdout).toBe('');
    }
    await expect(stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);
});
