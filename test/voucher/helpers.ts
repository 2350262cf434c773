import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VoucherData } from '../../src/voucher/index.js';

/** The fixed clock of voucher tests: 2026-01-15 12:00 China Standard Time. */
export const NOW = new Date('2026-01-15T12:00:00+08:00');

type Mutable = Record<string, unknown> & { DetailList?: Record<string, unknown>[] };

/** A fresh, mutable copy of the bundled example of a voucher type. */
export function example(vtCode: string): Mutable {
  const text = readFileSync(join(import.meta.dirname, '../../examples', `${vtCode}.json`), 'utf8');
  return JSON.parse(text) as Mutable;
}

/** Casts test data (which may be deliberately wrong) to the builder's input type. */
export function asData(d: unknown): VoucherData {
  return d as VoucherData;
}

/** `n` detail lines of 1.00 each for a 5201 (so the main PayAmt is `${n}.00`). */
export function lines5201(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({ Id: `D${i + 1}`, PayAmt: '1.00' }));
}
