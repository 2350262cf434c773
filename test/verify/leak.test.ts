/**
 * Memory stays flat in the number of vouchers (the speed issue's target; the bench measures RSS, which sees
 * only leaks of about 1 KiB per voucher): the heap in use after full collections does not grow from one round
 * of 3,000 verifications to the next, in this thread and in the collecting thread of a worker pool. Measured
 * in a child process with --expose-gc; the compiled package (dist/) is what runs.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROUND = 3000;
/** Bytes per voucher a round may add: noise is about 10 (50 KiB over a round); a real leak is one object. */
const PER_VOUCHER = 40;

describe('memory', () => {
  it('is flat over repeated verifications: no bytes kept per voucher', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', join(import.meta.dirname, 'leak_child.mjs'), '2026-01-15T02:00:00Z', String(ROUND), String(ROUND)], {
      cwd: join(import.meta.dirname, '..', '..'),
      maxBuffer: 1 << 20,
    });
    const { verify, batch } = JSON.parse(stdout) as { verify: number[]; batch: number[] };
    expect(verify).toHaveLength(4);
    expect(batch).toHaveLength(4);
    // The first round may still fill bounded caches and compile code; from the second on, nothing may pile up.
    for (const [path, heaps] of [['verify', verify], ['batch', batch]] as const) {
      const growth = (heaps[3] as number) - (heaps[1] as number);
      expect(growth / (2 * ROUND), `${path}: heaps ${heaps.join(', ')}`).toBeLessThan(PER_VOUCHER);
      // And the heap is small: a few MiB over the demo's own data, whatever the number of vouchers.
      expect(Math.max(...heaps)).toBeLessThan(64 * 1024 * 1024);
    }
  }, 120_000);
});
