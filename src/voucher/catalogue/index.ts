/**
 * The voucher-type catalogue: VtCode → fields, detail schema, rules and default seal positions.
 *
 * Adding a voucher type is adding one data file and one line to `TYPES`; no rule code branches on a VtCode.
 */
import { clipText } from '../../encoding/charset.js';
import { EvoucherError } from '../../errors.js';
import type { CodeTable, FieldDef, VoucherTypeDef } from '../types.js';
import { CODE_TABLES } from './common.js';
import { VT_2301 } from './vt2301.js';
import { VT_2302 } from './vt2302.js';
import { VT_3501 } from './vt3501.js';
import { VT_3502 } from './vt3502.js';
import { VT_5106 } from './vt5106.js';
import { VT_5108 } from './vt5108.js';
import { VT_5201 } from './vt5201.js';
import { VT_5207 } from './vt5207.js';
import { VT_5209 } from './vt5209.js';
import { VT_8202 } from './vt8202.js';
import { VT_8207 } from './vt8207.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const TYPES: readonly VoucherTypeDef[] = deepFreeze([
  VT_5201,
  VT_8202,
  VT_5106,
  VT_5108,
  VT_2301,
  VT_2302,
  VT_5207,
  VT_5209,
  VT_8207,
  VT_3501,
  VT_3502,
]);

const BY_CODE: ReadonlyMap<string, VoucherTypeDef> = new Map(TYPES.map((t) => [t.vtCode, t]));
const TABLES: ReadonlyMap<string, CodeTable> = new Map(deepFreeze(CODE_TABLES).map((t) => [t.name, t]));

/**
 * Looks up a voucher type.
 *
 * @param vtCode - the VtCode, e.g. `5201`.
 * @returns the frozen type definition.
 * @throws EvoucherError `VOUCHER_UNKNOWN_TYPE` when the catalogue has no such type; `ARG_INVALID` when `vtCode`
 *   is not a string.
 * @example getVoucherType('5201').positions.map((p) => p.id) // ['dw_gz', 'cz_zfzyz', ...]
 */
export function getVoucherType(vtCode: string): VoucherTypeDef {
  const t = BY_CODE.get(vtCode);
  if (t === undefined) {
    if (typeof vtCode !== 'string') throw new EvoucherError('ARG_INVALID', 'the voucher type must be a VtCode string', { detail: { argument: 'vtCode' } });
    throw new EvoucherError('VOUCHER_UNKNOWN_TYPE', `unknown voucher type '${clipText(vtCode, 16)}'`, {
      detail: { vtCode: vtCode.slice(0, 16) },
    });
  }
  return t;
}

/**
 * Tells whether the catalogue defines a voucher type.
 *
 * @param vtCode - the VtCode.
 * @returns true when {@link getVoucherType} would succeed.
 * @example hasVoucherType('5201') // true
 */
export function hasVoucherType(vtCode: string): boolean {
  return BY_CODE.has(vtCode);
}

/**
 * Lists every voucher type of the catalogue.
 *
 * @returns the frozen definitions, in catalogue order.
 * @example listVoucherTypes().map((t) => t.vtCode)
 */
export function listVoucherTypes(): readonly VoucherTypeDef[] {
  return TYPES;
}

/**
 * Looks up a code table (PayTypeCode, BusinessTypeCode, ...).
 *
 * @param name - the table name.
 * @returns the table, or `undefined`.
 * @example getCodeTable('BusinessTypeCode')?.values.map((v) => v.code) // ['1', '2', '3', '4']
 */
export function getCodeTable(name: string): CodeTable | undefined {
  return TABLES.get(name);
}

/**
 * Lists every code table.
 *
 * @returns the frozen tables.
 * @example listCodeTables().length
 */
export function listCodeTables(): readonly CodeTable[] {
  return CODE_TABLES;
}

/** Index of a type's main and detail fields by element name, aliases included. */
export interface FieldIndex {
  readonly main: ReadonlyMap<string, FieldDef>;
  readonly detail: ReadonlyMap<string, FieldDef>;
}

const INDEXES = new WeakMap<VoucherTypeDef, FieldIndex>();

/**
 * Indexes the fields of a type by element name, aliases included (aliases map to their field).
 *
 * @param def - the voucher type.
 * @returns the main and detail maps.
 * @example fieldIndex(getVoucherType('5207')).main.get('XpayAmt')?.name // 'XPayAmt'
 */
export function fieldIndex(def: VoucherTypeDef): FieldIndex {
  let ix = INDEXES.get(def);
  if (ix === undefined) {
    const index = (fields: readonly FieldDef[]): Map<string, FieldDef> => {
      const m = new Map<string, FieldDef>();
      for (const fd of fields) {
        m.set(fd.name, fd);
        for (const a of fd.aliases ?? []) m.set(a, fd);
      }
      return m;
    };
    ix = { main: index(def.fields), detail: index(def.detail.fields) };
    INDEXES.set(def, ix);
  }
  return ix;
}
