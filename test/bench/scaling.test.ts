/**
 * The bench's scaling control (`bench/lib/scaling.ts`): raw P-256 verification in 1 thread, then 2, as plain
 * node threads started from a process that may run under a TypeScript loader.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScalingProbe, type ScalingProbe } from '../../bench/lib/scaling.js';

let probe: ScalingProbe;

beforeAll(async () => {
  probe = await startScalingProbe(20);
}, 30_000);

afterAll(async () => {
  await probe.close();
});

describe('bench: scaling control', () => {
  it('measures one thread, then two together, in verifications per second', async () => {
    const { one, two, each } = await probe.pair(40);
    expect(one).toBeGreaterThan(0);
    expect(Number.isFinite(one) && Number.isFinite(two)).toBe(true);
    // Both threads ran and the pair's figure is their sum.
    expect(each[0]).toBeGreaterThan(0);
    expect(each[1]).toBeGreaterThan(0);
    expect(two).toBe(each[0] + each[1]);
  });

  it('rejects an interval that measured nothing instead of answering a rate', async () => {
    await expect(probe.pair(0)).rejects.toThrow(/bad answer/);
    // The threads still answer afterwards.
    const { one } = await probe.pair(20);
    expect(one).toBeGreaterThan(0);
  });
});
