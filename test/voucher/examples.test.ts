import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildVoucher,
  createEnvelope,
  listVoucherTypes,
  parseEnvelope,
  parseVoucher,
  serializeVoucher,
  validateVoucher,
} from '../../src/voucher/index.js';
import type { VoucherData } from '../../src/voucher/index.js';

const DIR = join(import.meta.dirname, '../../examples');
const NOW = new Date('2026-01-15T00:00:00+08:00');

describe('examples/', () => {
  const files = readdirSync(DIR).filter((f) => /^[0-9]{4}\.json$/.test(f));

  it('holds one JSON per supported voucher type', () => {
    expect(files.map((f) => f.slice(0, 4)).sort()).toEqual(listVoucherTypes().map((t) => t.vtCode).sort());
  });

  for (const file of files) {
    it(`${file} builds cleanly, serializes, parses back and wraps in an envelope`, () => {
      const vtCode = file.slice(0, 4);
      const data = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as VoucherData;
      const v = buildVoucher(vtCode, data, { now: NOW });
      expect(validateVoucher(v, { now: NOW })).toEqual([]);
      const bytes = serializeVoucher(v);
      expect(parseVoucher(bytes)).toEqual(v);
      const env = parseEnvelope(createEnvelope([v]));
      expect(env.bodies[0]?.voucher).toEqual(v);
      expect(env.bodies[0]?.attributes.vtCode).toBe(vtCode);
    });
  }
});
