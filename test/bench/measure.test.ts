import { describe, expect, it } from 'vitest';
import { boundedMedian } from '../../bench/lib/measure.js';

describe('bench: boundedMedian', () => {
  it('leaves out the pairs above the bound and takes the median of the rest', () => {
    // The ratios of a noisy run: four pairs above 2 (impossible for 2 workers against 1).
    const r = boundedMedian([1.15, 2.19, 1.6, 1.78, 2.18, 2.12, 2.27, 1.98, 1.92], 2);
    expect(r.leftOut).toBe(4);
    // Kept: 1.15 1.6 1.78 1.98 1.92, median 1.78.
    expect(r.median).toBe(1.78);
  });

  it('keeps a ratio equal to the bound, and every ratio of a quiet run', () => {
    expect(boundedMedian([1.6, 2, 1.7], 2)).toEqual({ median: 1.7, leftOut: 0 });
  });

  it('is NaN when fewer than minKept pairs are left: no figure is the median of fewer than 5 repetitions', () => {
    // Nine pairs, five above 2: four left.
    const r = boundedMedian([1.7, 2.1, 1.8, 2.2, 2.3, 1.75, 2.4, 1.85, 2.05], 2, 5);
    expect(r.leftOut).toBe(5);
    expect(r.median).toBeNaN();
    expect(boundedMedian([1.7, 2.1, 1.8, 2.2, 1.9, 1.75, 2.4, 1.85, 2.05], 2, 5)).toEqual({ median: 1.8, leftOut: 4 });
  });

  it('is NaN when no pair is left, so no target can be met', () => {
    const r = boundedMedian([2.1, 2.5], 2);
    expect(r.leftOut).toBe(2);
    expect(r.median).toBeNaN();
    expect(r.median >= 1.8).toBe(false);
  });
});
