/**
 * The bench's memory run (`bench/memory_child.js`, plain node over the compiled package): it verifies every file it
 * is given, and with a deadline it stops handing out files when the deadline passes, so the bench ends on time on
 * a slow machine.
 */
import { execFile } from 'node:child_process';
import { link, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/commands/demo.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const NOW = new Date('2026-01-15T02:00:00Z');
const AT = new Date(NOW.getTime() + 3600_000).toISOString();
let dir: string;
/** Files for the deadline case: more than one worker verifies in 5 s on the faster machine of docs/performance.md. */
const FILES = 20_000;

interface ChildOutput {
  readonly vouchers: number;
  readonly seconds: number;
  readonly rssByTenth: readonly number[];
}

async function child(count: number, deadline?: number): Promise<ChildOutput> {
  const args = [join(ROOT, 'bench', 'memory_child.js'), dir, String(count), '1', AT, ...(deadline === undefined ? [] : [String(deadline)])];
  const { stdout } = await run(process.execPath, args, { cwd: ROOT });
  return JSON.parse(stdout.trim()) as ChildOutput;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-memory-child-'));
  const demo = await runDemo({ now: NOW, variants: ['cms'] });
  const original = demo.vouchers[0]?.original;
  if (original === undefined) throw new Error('no demo voucher');
  await writeFile(join(dir, 'base.xml'), original);
  for (let i = 0; i < FILES; i++) await link(join(dir, 'base.xml'), join(dir, `v${i}.xml`));
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bench memory run', () => {
  it('verifies every file it is given, with an RSS sample after each tenth', async () => {
    const out = await child(40);
    expect(out.vouchers).toBe(40);
    expect(out.rssByTenth).toHaveLength(10);
  }, 60_000);

  it('stops handing out files once its deadline has passed', async () => {
    // 20,000 files take one worker about 9 s on the faster of the machines in docs/performance.md; the deadline allows
    // 2 s, the child's start included, so that a child started late on a loaded machine still verifies some.
    const out = await child(FILES, Date.now() + 2000);
    expect(out.vouchers).toBeGreaterThan(0);
    expect(out.vouchers).toBeLessThan(FILES);
    expect(out.seconds).toBeLessThan(6);
  }, 60_000);

  it('hands out nothing when the deadline has already passed', async () => {
    const out = await child(100, Date.now() - 1);
    expect(out.vouchers).toBe(0);
  }, 60_000);
});
