import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '../..');

/** What a CLI run produced. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Buffer;
}

/** What a spawned process (its stdout and stderr piped) printed, and its exit code, once it has closed. */
export function collectResult(child: ChildProcess): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
  });
}

/**
 * Runs `node [nodeArgs] bin/evoucher.js ...args` (dist/ is built by test/global_setup.ts), optionally feeding
 * stdin.
 */
export function runCli(args: readonly string[], options: { cwd?: string; input?: string | Uint8Array; nodeArgs?: readonly string[] } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(ROOT, 'bin', 'evoucher.js'), ...args], {
    cwd: options.cwd ?? ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const result = collectResult(child);
  child.stdin.end(options.input ?? '');
  return result;
}
