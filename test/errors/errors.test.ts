import { describe, expect, it } from 'vitest';
import { ERROR_CODES, EvoucherError, isEvoucherError } from '../../src/errors.js';

describe('EvoucherError', () => {
  it('carries a stable code and frozen detail', () => {
    const e = new EvoucherError('ARG_INVALID', 'bad thing', { detail: { field: 'x' } });
    expect(e.code).toBe('ARG_INVALID');
    expect(e.detail).toEqual({ field: 'x' });
    expect(Object.isFrozen(e.detail)).toBe(true);
    expect(isEvoucherError(e, 'ARG_INVALID')).toBe(true);
    expect(isEvoucherError(e, 'ARG_MISSING')).toBe(false);
    expect(isEvoucherError(new Error('x'))).toBe(false);
  });

  it('has unique SCREAMING_SNAKE codes', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const c of ERROR_CODES) expect(c).toMatch(/^[A-Z0-9]+(_[A-Z0-9]+)*$/);
  });
});
