import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hex } from '../../src/verify/util.js';

describe('hex', () => {
  it('writes two lower-case digits per byte, as Buffer does', () => {
    expect(hex(new Uint8Array(0))).toBe('');
    expect(hex(Uint8Array.of(0, 9, 10, 15, 16, 255))).toBe('00090a0f10ff');
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(hex(all)).toBe(Buffer.from(all).toString('hex'));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
      expect(hex(b)).toBe(Buffer.from(b).toString('hex'));
    }));
  });

  it('handles long inputs and subarrays', () => {
    const big = Uint8Array.from({ length: 10_001 }, (_, i) => (i * 31) & 255);
    expect(hex(big)).toBe(Buffer.from(big).toString('hex'));
    expect(hex(big.subarray(4095, 8200))).toBe(Buffer.from(big.subarray(4095, 8200)).toString('hex'));
  });
});
