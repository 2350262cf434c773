/**
 * Vitest global setup: makes sure `dist/` (which `bin/evoucher.js` runs) is built from the current
 * sources before CLI tests spawn the command. The build is skipped when dist is newer than every source
 * file (as after `npm ci`, whose `prepare` script builds).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const marker = join(ROOT, 'dist', 'cli', 'main.js');
  if (existsSync(marker) && statSync(marker).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
  } catch (e) {
    // tsc still emits when some file has type errors; `npm test` reports those in its typecheck step.
    if (!existsSync(marker)) throw e;
    process.stderr.write(`global setup: tsc reported errors; CLI tests run against the emitted dist/\n`);
  }
}
