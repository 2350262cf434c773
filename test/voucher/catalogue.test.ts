import { describe, expect, it } from 'vitest';
import {
  getCodeTable,
  getVoucherType,
  hasVoucherType,
  listCodeTables,
  listVoucherTypes,
  POSITION_ID_PATTERN,
} from '../../src/voucher/index.js';

const REQUIRED_TYPES = ['5201', '8202', '2301', '2302', '5106', '5108', '5207', '5209', '8207', '3501', '3502'];

describe('voucher catalogue', () => {
  it('covers the required voucher types', () => {
    expect(listVoucherTypes().map((t) => t.vtCode).sort()).toEqual([...REQUIRED_TYPES].sort());
    for (const vt of REQUIRED_TYPES) expect(hasVoucherType(vt)).toBe(true);
    expect(hasVoucherType('9999')).toBe(false);
    expect(() => getVoucherType('9999')).toThrow(expect.objectContaining({ code: 'VOUCHER_UNKNOWN_TYPE' }));
  });

  it('is frozen data', () => {
    const t = getVoucherType('5201');
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t.fields[0])).toBe(true);
    expect(Object.isFrozen(t.positions)).toBe(true);
  });

  for (const t of listVoucherTypes()) {
    describe(t.vtCode, () => {
      it('starts with the common header and ends with the reserved fields', () => {
        expect(t.fields.slice(0, 6).map((f) => f.name)).toEqual(['Id', 'AdmDivCode', 'StYear', 'VtCode', 'VouDate', 'VoucherNo']);
        expect(t.fields.at(-1)?.name).toMatch(/^Hold[0-9]$/);
        expect(t.detail.fields[0]?.name).toBe('Id');
        expect(t.detail.fields.at(-1)?.name).toBe('Hold4');
      });

      it('describes every field completely, with unique names and aliases', () => {
        for (const part of [t.fields, t.detail.fields]) {
          const names = part.flatMap((f) => [f.name, ...(f.aliases ?? [])]);
          expect(new Set(names).size).toBe(names.length);
          for (const f of part) {
            expect(f.name).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
            expect(f.zh.length).toBeGreaterThan(0);
            expect(f.en.length).toBeGreaterThan(0);
            expect(f.maxBytes).toBeGreaterThan(0);
            // X-fields are exactly the X-prefixed elements (domain.md §3).
            expect(f.x).toBe(/^X[A-Za-z]/.test(f.name));
            if (f.codeTable !== undefined) expect(getCodeTable(f.codeTable)).toBeDefined();
            if (f.pattern !== undefined) expect(() => new RegExp(f.pattern ?? '')).not.toThrow();
            if (f.ref !== undefined) expect(t.fields.map((m) => m.name)).toContain(f.ref);
          }
        }
        expect(t.detail.max).toBeLessThan(500);
        // The reader takes these names for the detail list and its lines, never for a field.
        const mainNames = t.fields.flatMap((f) => [f.name, ...(f.aliases ?? [])]);
        for (const container of ['DetailList', 'Items', 'Detail', 'Item']) expect(mainNames).not.toContain(container);
      });

      it('has sign, total and count rules that name real amount fields', () => {
        const main = new Map(t.fields.map((f) => [f.name, f]));
        const detail = new Map(t.detail.fields.map((f) => [f.name, f]));
        for (const r of t.signRules) expect((r.scope === 'main' ? main : detail).get(r.field)?.type).toBe('amount');
        for (const r of t.totals) {
          expect(main.get(r.field)?.type).toBe('amount');
          expect(detail.get(r.detailField)?.type).toBe('amount');
        }
        if (t.detailCountField !== undefined) expect(main.get(t.detailCountField)?.type).toBe('integer');
      });

      it('has default seal positions: well-formed ids, suffix seal types, ascending unique sequences', () => {
        expect(t.positions.length).toBeGreaterThan(0);
        const seqs = t.positions.map((p) => p.sequence);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(new Set(seqs).size).toBe(seqs.length);
        for (const p of t.positions) {
          expect(p.id).toMatch(POSITION_ID_PATTERN);
          expect(p.id.startsWith(`${p.party}_`)).toBe(true);
          expect(p.sealTypes).toEqual([p.id.split('_')[1]]);
          expect(p.name.length).toBeGreaterThan(0);
        }
        // Original seals come before receipt seals.
        const firstReceipt = t.positions.findIndex((p) => p.view === 'receipt');
        if (firstReceipt !== -1) expect(t.positions.slice(firstReceipt).every((p) => p.view === 'receipt')).toBe(true);
        expect(t.positions.some((p) => p.required && p.view === 'original')).toBe(true);
      });
    });
  }

  it('matches the built-in default policy of domain.md §6', () => {
    const ids = (vt: string) => getVoucherType(vt).positions.map((p) => `${p.id}:${p.sequence}:${p.required ? 'R' : 'O'}:${p.view[0] ?? ''}`);
    expect(ids('5201')).toEqual(['dw_gz:1:O:o', 'cz_zfzyz:2:R:o', 'cz_sz:3:O:o', 'yh_zqz:4:R:r', 'rh_zqz:5:O:r']);
    expect(ids('8202')).toEqual(['dw_cwzyz:1:R:o', 'dw_sz:2:O:o', 'yh_zqz:3:R:r']);
    for (const vt of ['5106', '5108', '5207', '5209']) expect(ids(vt)).toEqual(['cz_bkzyz:1:R:o', 'cz_sz:2:O:o', 'rh_zqz:3:R:r', 'rh_qm:4:O:r']);
    for (const vt of ['2301', '2302']) expect(ids(vt)).toEqual(['yh_ywzyz:1:R:o', 'rh_zqz:2:R:r', 'rh_qm:3:O:r']);
    for (const vt of ['8207', '3501', '3502']) expect(getVoucherType(vt).positionsChosen).toBe(true);
    for (const vt of ['5201', '8202', '5106', '2301']) expect(getVoucherType(vt).positionsChosen).toBe(false);
  });

  it('has the code tables the fields use', () => {
    expect(getCodeTable('BusinessTypeCode')?.values.map((v) => v.code)).toEqual(['1', '2', '3', '4']);
    expect(getCodeTable('PayTypeCode')?.values.map((v) => v.code)).toContain('11');
    expect(listCodeTables().length).toBeGreaterThanOrEqual(5);
    expect(getCodeTable('Nope')).toBeUndefined();
  });
});
