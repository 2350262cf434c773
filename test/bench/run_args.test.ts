/**
 * `npm run bench` refuses a bad `--budget` or `--vouchers` before measuring anything (exit code 2): as NaN they
 * sized the memory run at no file and it still printed a peak RSS and a "flat" verdict.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

async function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', './bench/register.js', 'bench/run.ts', ...args], { cwd: ROOT, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('bench: command line', () => {
  it('refuses a budget or a voucher count that is not a positive number', async () => {
    for (const args of [['--budget', 'abc'], ['--budget', '0'], ['--vouchers', '1e5x'], ['--vouchers', '2.5']]) {
      const r = await bench(['--json', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/must be a positive/);
      expect(r.stdout).toBe('');
    }
  }, 120_000);
});
