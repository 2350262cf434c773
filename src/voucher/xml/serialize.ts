/**
 * The canonical voucher writer.
 *
 * Canonical bytes: `<?xml version="1.0" encoding="GBK"?>` (or `UTF-8`), then `<Voucher>` with the main
 * elements in catalogue order, then `<DetailList>` with one `<Detail>` per line, detail elements in
 * catalogue order. No whitespace between elements, no attributes, no line break at the end. An empty
 * value is written `<Name/>`; an element absent from the voucher is not written. Text escapes `&`, `<`,
 * `>` and CR. The same voucher always gives the same bytes, which is what seals sign (design.md §3).
 */
import { EvoucherError, type ErrorCode } from '../../errors.js';
import type { Charset } from '../../encoding/charset.js';
import { encodeText } from '../../encoding/charset.js';
import { checkOptionValue, checkOptionsArgument, checkVoucherArgument } from '../arguments.js';

const CHARSETS: readonly string[] = ['GBK', 'UTF-8'];
import { getVoucherType } from '../catalogue/index.js';
import type { FieldDef, Voucher } from '../types.js';
import { escapeText } from './strict_xml.js';

/** Options of {@link serializeVoucher}. */
export interface SerializeOptions {
  /** Charset of the bytes; defaults to the voucher's own (`GBK` for built vouchers unless asked otherwise). */
  readonly encoding?: Charset;
}

function writeFields(out: string[], fields: readonly FieldDef[], values: Readonly<Record<string, string>>, where: string): void {
  const known = new Set(fields.map((f) => f.name));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) {
      throw new EvoucherError('VOUCHER_INVALID', `${where}${key} is not an element of this voucher type`, {
        detail: { path: `${where}${key}` },
      });
    }
  }
  for (const f of fields) {
    const v = values[f.name];
    if (v === undefined) continue;
    if (typeof v !== 'string') {
      throw new EvoucherError('VOUCHER_INVALID', `${where}${f.name} is not a string`, { detail: { path: `${where}${f.name}` } });
    }
    checkChars(v, `${where}${f.name}`);
    out.push(v === '' ? `<${f.name}/>` : `<${f.name}>${escapeText(v)}</${f.name}>`);
  }
}

/**
 * Refuses a text XML cannot carry (XML 1.0 §2.2: control characters but TAB, LF and CR, U+FFFE, U+FFFF), which no
 * reference can write either: what the writer writes, the reader reads.
 *
 * @param v - the text.
 * @param path - where it goes, for the message.
 * @param code - the error code (`VOUCHER_INVALID` for a voucher's values).
 * @throws EvoucherError with `code` (detail: `path`).
 */
export function checkChars(v: string, path: string, code: ErrorCode = 'VOUCHER_INVALID'): void {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if ((c < 0x20 && c !== 0x9 && c !== 0xa && c !== 0xd) || c === 0xfffe || c === 0xffff) {
      throw new EvoucherError(code, `${path} holds character U+${c.toString(16).padStart(4, '0')} that XML cannot carry`, {
        detail: { path },
      });
    }
  }
}

/**
 * Writes a voucher as canonical XML bytes.
 *
 * It checks structure only (known elements, string values, encodable characters); run
 * {@link validateVoucher} for the business rules.
 *
 * @param v - the voucher.
 * @param options - `encoding`: `GBK` (default for built vouchers) or `UTF-8`.
 * @returns the canonical bytes, declaration included.
 * @throws EvoucherError `VOUCHER_UNKNOWN_TYPE`, `VOUCHER_INVALID` (an element the type lacks, a non-string
 *   value, a character XML cannot carry), `ENCODING_UNMAPPABLE_CHAR` (a character the charset cannot encode),
 *   `ARG_INVALID` (not a voucher, options not an object, another encoding).
 * @example const bytes = serializeVoucher(buildVoucher('5201', data));
 */
export function serializeVoucher(v: Voucher, options: SerializeOptions = {}): Uint8Array {
  checkVoucherArgument(v, 'the voucher');
  checkOptionsArgument(options, 'serializeVoucher');
  const def = getVoucherType(v.vtCode);
  // Written into the declaration as it is: checked here, not only by the encoder; `null` is no default.
  checkOptionValue(options.encoding, CHARSETS, 'serializeVoucher', 'encoding');
  const encoding = options.encoding ?? v.encoding;
  if (encoding !== 'GBK' && encoding !== 'UTF-8') throw new EvoucherError('ARG_INVALID', "the voucher encoding must be 'GBK' or 'UTF-8'", { detail: { argument: 'v.encoding' } });
  const out: string[] = [`<?xml version="1.0" encoding="${encoding}"?><Voucher>`];
  writeFields(out, def.fields, v.fields, '');
  if (v.details.length === 0) {
    out.push('<DetailList/>');
  } else {
    out.push('<DetailList>');
    v.details.forEach((d, i) => {
      out.push('<Detail>');
      writeFields(out, def.detail.fields, d, `DetailList[${i}].`);
      out.push('</Detail>');
    });
    out.push('</DetailList>');
  }
  out.push('</Voucher>');
  return encodeText(out.join(''), encoding);
}
