/**
 * The bench's temporary directory (bench/lib/tmp.ts) is removed when the bench is interrupted: Ctrl-C and SIGTERM
 * end a node process without running `finally` blocks, which left up to 100,000 files behind.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Starts a process under the bench's loader that makes the directory, prints its path and waits. */
async function interrupted(signal: NodeJS.Signals): Promise<{ path: string; code: number | null }> {
  const script = `import { makeTempDir } from ${JSON.stringify(pathToFileURL(join(ROOT, 'bench', 'lib', 'tmp.ts')).href)};
const d = makeTempDir('evoucher-bench-test-');
process.stdout.write(d.path + '\\n');
setInterval(() => undefined, 1000);`;
  const child = spawn(process.execPath, ['--import', './bench/register.js', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const path = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', () => reject(new Error('the child ended before making its directory')));
  });
  expect(existsSync(path)).toBe(true);
  const code = await new Promise<number | null>((resolve) => {
    child.once('exit', (c) => resolve(c));
    child.kill(signal);
  });
  return { path, code };
}

describe('bench: temporary directory', () => {
  it('is removed on Ctrl-C (SIGINT) and on SIGTERM, and the exit code says which', async () => {
    const int = await interrupted('SIGINT');
    expect(existsSync(int.path)).toBe(false);
    expect(int.code).toBe(130);
    const term = await interrupted('SIGTERM');
    expect(existsSync(term.path)).toBe(false);
    expect(term.code).toBe(143);
  }, 30_000);
});
