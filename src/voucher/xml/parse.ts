/**
 * The hardened voucher reader: raw bytes → typed {@link Voucher}.
 *
 * The strict XML subset reader (`strict_xml.ts`) rejects DTDs, entities, comments, PIs, CDATA,
 * namespaces, multiple roots and oversized input. This layer adds the voucher schema: root `Voucher`
 * without attributes, leaf elements known to the catalogue, at most one of each (a second `PayAmt` is
 * how signature-wrapping attacks hide a value, security.md §1.3), and one `DetailList` of `Detail` lines.
 * Business rules are not checked here; see `validateVoucher`.
 */
import { EvoucherError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import { fieldIndex, getVoucherType } from '../catalogue/index.js';
import type { FieldDef, Voucher, VoucherTypeDef } from '../types.js';
import { checkOptionValue, checkOptionsArgument } from '../arguments.js';
import { mergeLimits } from '../limits.js';
import { DEFAULT_XML_LIMITS, readXml } from './strict_xml.js';
import type { XmlElement, XmlLimits } from './strict_xml.js';

/** Options of {@link parseVoucher}. */
export interface ParseVoucherOptions {
  /**
   * What to do with an element the catalogue does not define: `reject` (default) or `ignore` (drop it). Any other
   * value is `ARG_INVALID`, never read as either.
   */
  readonly unknownElements?: 'reject' | 'ignore';
  /** Bounds; defaults to {@link DEFAULT_XML_LIMITS}. */
  readonly limits?: Partial<XmlLimits>;
}

/**
 * Detail containers: the PBOC front-end's `DetailList/Detail` and DA/T 95's `Items/Item` (2019 naming) are
 * read alike; the writer uses `DetailList/Detail`. Both containers in one voucher are a duplicate, and so is a
 * mix of the two namings (`DetailList/Item`, `Items/Detail`): one naming or the other, as each reader writes it.
 */
const LIST_NAMES: readonly string[] = ['DetailList', 'Items'];
const LINE_NAMES: readonly string[] = ['Detail', 'Item'];
/** The values of `unknownElements`. */
export const UNKNOWN_ELEMENTS: readonly string[] = ['reject', 'ignore'];

function fail(code: ErrorCode, message: string, path: string): never {
  throw new EvoucherError(code, message, { detail: { path } });
}

function noAttributes(el: XmlElement, path: string): void {
  if (el.attributes.length > 0) {
    fail('XML_ATTRIBUTE_FORBIDDEN', `attribute ${el.attributes[0]?.[0] ?? ''} on <${el.name}> is forbidden`, path);
  }
}

/** Each field's place in its type's catalogue order, per field list. */
const PLACES = new WeakMap<readonly FieldDef[], ReadonlyMap<FieldDef, number>>();

function placesOf(order: readonly FieldDef[]): ReadonlyMap<FieldDef, number> {
  let m = PLACES.get(order);
  if (m === undefined) {
    m = new Map(order.map((fd, i) => [fd, i]));
    PLACES.set(order, m);
  }
  return m;
}

function readLeaves(
  parent: XmlElement,
  index: ReadonlyMap<string, FieldDef>,
  order: readonly FieldDef[],
  where: string,
  ignoreUnknown: boolean,
  skip: readonly string[],
): Record<string, string> {
  // Values by catalogue place: the record comes out in catalogue order without a lookup per catalogue field.
  const places = placesOf(order);
  const values: (string | undefined)[] = new Array<string | undefined>(order.length);
  for (const el of parent.children) {
    const fd = index.get(el.name);
    if (fd === undefined) {
      // The detail containers are no field of any type (a catalogue test says so), so only unknown names are looked for here.
      if (skip.includes(el.name)) continue;
      if (ignoreUnknown) continue;
      fail('XML_UNKNOWN_ELEMENT', `unknown element <${el.name}>`, `${where}${el.name}`);
    }
    if (el.attributes.length > 0) noAttributes(el, `${where}${el.name}`);
    if (el.children.length > 0) fail('XML_UNKNOWN_ELEMENT', `unexpected element <${el.children[0]?.name ?? ''}> inside <${el.name}>`, `${where}${el.name}`);
    const place = places.get(fd);
    if (place === undefined) fail('XML_UNKNOWN_ELEMENT', `unknown element <${el.name}>`, `${where}${el.name}`);
    // An alias and its field, or the same element twice, are one value written twice: ambiguous.
    if (values[place] !== undefined) fail('XML_DUPLICATE_ELEMENT', `element <${fd.name}> appears more than once`, `${where}${fd.name}`);
    values[place] = el.text;
  }
  const out: Record<string, string> = {};
  for (let i = 0; i < order.length; i++) {
    const v = values[i];
    if (v !== undefined) out[(order[i] as FieldDef).name] = v;
  }
  return out;
}

/**
 * Reads voucher bytes (GBK or UTF-8 per the XML declaration) into a typed voucher.
 *
 * @param bytes - the exact voucher bytes, e.g. the base64-decoded `<Voucher>` of an envelope.
 * @param options - unknown-element policy and limits.
 * @returns the voucher; `fields` and `details` hold exactly the elements present, in catalogue order.
 * @throws EvoucherError `XML_*` (see `readXml`; plus `XML_UNEXPECTED_ROOT`, `XML_ATTRIBUTE_FORBIDDEN`,
 *   `XML_DUPLICATE_ELEMENT`, `XML_UNKNOWN_ELEMENT`, `XML_TOO_MANY_NODES` for too many details),
 *   `ENCODING_*`, `VOUCHER_UNKNOWN_TYPE` (missing or unknown VtCode); `ARG_INVALID` for options not an object,
 *   a bad limit or an `unknownElements` other than `reject` or `ignore`.
 * @example const v = parseVoucher(bytes); v.fields.PayAmt
 */
export function parseVoucher(bytes: Uint8Array, options: ParseVoucherOptions = {}): Voucher {
  checkOptionsArgument(options, 'parseVoucher');
  checkOptionValue(options.unknownElements, UNKNOWN_ELEMENTS, 'parseVoucher', 'unknownElements');
  const limits: XmlLimits = mergeLimits(DEFAULT_XML_LIMITS, options.limits, 'options.limits');
  const ignore = options.unknownElements === 'ignore';
  const doc = readXml(bytes, limits);
  const root = doc.root;
  if (root.name !== 'Voucher') fail('XML_UNEXPECTED_ROOT', `root element <${root.name}> is not <Voucher>`, root.name);
  noAttributes(root, 'Voucher');
  const vtEls = root.children.filter((c) => c.name === 'VtCode');
  if (vtEls.length > 1) fail('XML_DUPLICATE_ELEMENT', 'element <VtCode> appears more than once', 'VtCode');
  const vtCode = vtEls[0]?.text;
  if (vtCode === undefined || vtCode === '') fail('VOUCHER_UNKNOWN_TYPE', 'the voucher has no VtCode', 'VtCode');
  const def: VoucherTypeDef = getVoucherType(vtCode);
  const ix = fieldIndex(def);
  const fields = readLeaves(root, ix.main, def.fields, '', ignore, LIST_NAMES);
  const lists = root.children.filter((c) => LIST_NAMES.includes(c.name));
  if (lists.length > 1) fail('XML_DUPLICATE_ELEMENT', 'element <DetailList> appears more than once', 'DetailList');
  const details: Record<string, string>[] = [];
  const list = lists[0];
  if (list !== undefined) {
    noAttributes(list, 'DetailList');
    if (list.text !== '' && list.children.length === 0 && /[^ \t\n]/.test(list.text)) {
      fail('XML_MALFORMED', 'text inside <DetailList>', 'DetailList');
    }
    if (list.children.length > limits.maxDetails) {
      fail('XML_TOO_MANY_NODES', `more than ${limits.maxDetails} detail lines`, 'DetailList');
    }
    // One naming throughout: DetailList holds Detail lines, Items holds Item lines.
    const line = LINE_NAMES[LIST_NAMES.indexOf(list.name)] as string;
    for (const d of list.children) {
      const path = `DetailList[${details.length}]`;
      if (d.name !== line) {
        if (ignore && !LINE_NAMES.includes(d.name)) continue;
        fail('XML_UNKNOWN_ELEMENT', `unknown element <${d.name}> in <${list.name}> (its lines are <${line}>)`, `DetailList.${d.name}`);
      }
      noAttributes(d, path);
      if (d.children.length === 0 && /[^ \t\n]/.test(d.text)) fail('XML_MALFORMED', `text inside <Detail>`, path);
      details.push(readLeaves(d, ix.detail, def.detail.fields, `${path}.`, ignore, []));
    }
  }
  return Object.freeze({
    vtCode,
    fields: Object.freeze(fields),
    details: Object.freeze(details.map((d) => Object.freeze(d))),
    encoding: doc.charset,
  });
}
