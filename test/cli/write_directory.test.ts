/**
 * Writing into a directory found empty never replaces what appeared there after it was looked at: a name taken
 * meanwhile stops the write, and only what the write made is removed again (the other's files stay as they are).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDirectory, writeDirectory } from '../../src/cli/write_directory.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'evoucher-write-dir-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const FILES = new Map<string, Uint8Array>([
  ['README.md', bytes('demo readme')],
  ['manifest.json', bytes('{}')],
  ['sm2/ca.cert.pem', bytes('ca')],
  ['sm2/dw.cert.pem', bytes('dw')],
  ['softhsm-import.sh', bytes('#!/bin/sh\n')],
]);
const options = { what: 'the files', modeOf: (p: string) => (p.endsWith('.sh') ? 0o755 : undefined) };

describe('writeDirectory into a directory found empty', () => {
  it('writes every file, modes kept, nothing left beside it', async () => {
    const out = join(root, 'plain');
    await mkdir(out);
    await writeDirectory(await checkDirectory(out, false), FILES, options);
    expect((await readdir(out, { recursive: true })).sort()).toEqual(['README.md', 'manifest.json', 'sm2', 'sm2/ca.cert.pem', 'sm2/dw.cert.pem', 'softhsm-import.sh']);
    expect((await stat(join(out, 'softhsm-import.sh'))).mode & 0o777).toBe(0o755);
    expect(await readdir(root)).not.toContain(expect.stringMatching(/\.tmp$/));
  });

  it('a file that appeared after the check is neither replaced nor removed; nothing of the write stays', async () => {
    const out = join(root, 'raced-file');
    await mkdir(out);
    const target = await checkDirectory(out, false);
    await writeFile(join(out, 'manifest.json'), 'USER DATA');
    await expect(writeDirectory(target, FILES, options)).rejects.toMatchObject({ code: 'ARG_IO', message: expect.stringContaining('EEXIST') });
    expect(await readdir(out, { recursive: true })).toEqual(['manifest.json']);
    expect(await readFile(join(out, 'manifest.json'), 'utf8')).toBe('USER DATA');
    expect((await readdir(root)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a folder that appeared after the check, with a file in it, stays as it was', async () => {
    const out = join(root, 'raced-folder');
    await mkdir(out);
    const target = await checkDirectory(out, false);
    await writeFile(join(out, 'README.md'), 'USER README');
    await mkdir(join(out, 'sm2'));
    await writeFile(join(out, 'sm2', 'ca.cert.pem'), 'USER CA');
    await expect(writeDirectory(target, FILES, options)).rejects.toMatchObject({ code: 'ARG_IO' });
    expect((await readdir(out, { recursive: true })).sort()).toEqual(['README.md', 'sm2', 'sm2/ca.cert.pem']);
    expect(await readFile(join(out, 'README.md'), 'utf8')).toBe('USER README');
    expect(await readFile(join(out, 'sm2', 'ca.cert.pem'), 'utf8')).toBe('USER CA');
  });
});
