/**
 * The bench's verdict on memory (`isFlat`, bench/sections/batch.ts): the second half of the run against the first.
 * A run cut short by its deadline may take fewer RSS samples than that comparison needs; then there is no verdict
 * to give, and "flat" must not be claimed.
 */
import { describe, expect, it } from 'vitest';
import { isFlat, type MemoryFigures } from '../../bench/sections/batch.js';

const run = (rssByTenth: number[], peakByTenth: number[] = rssByTenth): MemoryFigures => ({
  vouchers: rssByTenth.length * 1000,
  target: 100_000,
  jobs: 2,
  seconds: 10,
  rate: 1000,
  peakRssMiB: Math.max(0, ...peakByTenth),
  rssByTenth,
  peakByTenth,
});

describe('bench: memory flat', () => {
  it('is flat when the second half stays within the tolerance of the first', () => {
    expect(isFlat(run([200, 220, 215, 225, 230, 228, 226, 231, 229, 224], [210, 225, 225, 230, 235, 235, 235, 236, 236, 236]), 32)).toBe(true);
  });

  it('is not flat when the RSS keeps climbing', () => {
    const climbing = [200, 220, 240, 260, 280, 300, 320, 340, 360, 380];
    expect(isFlat(run(climbing), 32)).toBe(false);
  });

  it('claims nothing from a run with too few samples to compare its halves', () => {
    expect(isFlat(run([]), 32)).toBe(false);
    expect(isFlat(run([250]), 32)).toBe(false);
    expect(isFlat(run([250, 900]), 32)).toBe(false);
  });
});
