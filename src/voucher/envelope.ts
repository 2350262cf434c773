/**
 * The MOF exchange envelope (domain.md §4) and where seals travel in it (design.md §3).
 *
 * ```
 * <?xml version="1.0" encoding="GBK"?>
 * <MOF>                                          (or <Root>)
 *   <VoucherCount>n</VoucherCount>
 *   <VoucherBody AdmDivCode="" StYear="" VtCode="" VoucherNo="">   (or No="")
 *     <VoucherFlag>0|1</VoucherFlag>
 *     <Return_Reason>…</Return_Reason>           optional
 *     <Attach>…</Attach>                         optional
 *     <Voucher>base64 of the voucher bytes</Voucher>
 *     <OriginalVoucher>base64</OriginalVoucher>  receipts (VoucherFlag 1) only, optional
 *     <Stamps><Stamp No="cz_zfzyz" Seq="2" Format="ses" View="original">base64</Stamp>…</Stamps>
 *   </VoucherBody>…
 * </MOF>
 * ```
 *
 * Security decisions (security.md §1.1, §1.9): the voucher view comes only from the decoded `<Voucher>`
 * bytes; `Attach`, `Return_Reason` and the attributes never feed it. The attributes must equal the inner
 * header, one body carries exactly one `<Voucher>`, and one envelope carries a voucher identity once.
 * Stamp payloads are opaque here (the seal module reads them); only their envelope syntax is checked.
 */
import { EvoucherError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type { Charset } from '../encoding/charset.js';
import { clipText, encodeText } from '../encoding/charset.js';
import { decodeCanonicalBase64, encodeBase64 } from '../encoding/base64.js';
import type { Voucher, VoucherView } from './types.js';
import { parseVoucher, UNKNOWN_ELEMENTS } from './xml/parse.js';
import { checkOptionValue, checkOptionsArgument } from './arguments.js';
import { mergeLimits } from './limits.js';
import { checkChars, serializeVoucher } from './xml/serialize.js';
import { DEFAULT_XML_LIMITS, escapeAttribute, escapeText, MAX_XML_DEPTH, readXml } from './xml/strict_xml.js';
import type { XmlElement, XmlLimits } from './xml/strict_xml.js';

/** A seal carried in a `VoucherBody`: where it sits, in which order, its format and its bytes. */
export interface StampEntry {
  /** Position id, `^(dw|cz|yh|rh)_[a-z]+$`. */
  readonly position: string;
  /** Sequence number, a positive integer. */
  readonly sequence: number;
  /** Seal format: `ses` (GB/T 38540) or `cms` (RFC 5652). */
  readonly format: string;
  /** The view the seal covers. */
  readonly view: VoucherView;
  /** The seal bytes (DER). */
  readonly bytes: Uint8Array;
}

/** The voucher identity repeated in the `VoucherBody` attributes. */
export interface EnvelopeAttributes {
  readonly admDivCode: string;
  readonly stYear: string;
  readonly vtCode: string;
  readonly voucherNo: string;
}

/** One `VoucherBody` of a read envelope. */
export interface EnvelopeBody {
  readonly attributes: EnvelopeAttributes;
  /** `0` original (or self-generated), `1` receipt (回单). */
  readonly voucherFlag: '0' | '1';
  readonly returnReason?: string;
  readonly attach?: string;
  /** The exact bytes of `<Voucher>` (the receipt bytes when VoucherFlag is 1). */
  readonly voucherBytes: Uint8Array;
  /** The parsed voucher, when its bytes parse. */
  readonly voucher?: Voucher;
  /** Why the voucher bytes do not parse (then `voucher` is absent). */
  readonly voucherError?: EvoucherError;
  /** The exact bytes of `<OriginalVoucher>` (receipts only). */
  readonly originalVoucherBytes?: Uint8Array;
  /** The parsed original, when present and parseable. */
  readonly originalVoucher?: Voucher;
  /** Why the original bytes do not parse. */
  readonly originalVoucherError?: EvoucherError;
  /** The seals, in document order. */
  readonly stamps: readonly StampEntry[];
}

/** A read envelope. */
export interface Envelope {
  /** The root element name: `MOF` (national) or `Root` (a finance-side variant). */
  readonly root: 'MOF' | 'Root';
  readonly bodies: readonly EnvelopeBody[];
  /** The charset the envelope was read in (its declaration; UTF-8 without one, XML 1.0 §4.3.3); what a rewrite keeps. */
  readonly charset: Charset;
}

/** Bounds on one envelope. */
export interface EnvelopeLimits {
  /** Largest envelope in bytes. */
  readonly maxBytes: number;
  /** Most `VoucherBody` elements. */
  readonly maxBodies: number;
  /** Most stamps in one body. */
  readonly maxStamps: number;
  /** Longest base64 text of one voucher (or original voucher). */
  readonly maxVoucherBase64: number;
  /** Longest base64 text of one stamp. */
  readonly maxStampBase64: number;
  /** Most elements and attributes, together, in the envelope. */
  readonly maxNodes: number;
  /** Limits of each inner voucher. */
  readonly voucher: XmlLimits;
}

/** Largest envelope: 64 MiB. */
export const MAX_ENVELOPE_BYTES = 64 * 1024 * 1024;
/** Most bodies per envelope (the national readVoucher returns at most 100). */
export const MAX_ENVELOPE_BODIES = 1_000;
/** Most stamps per body (the default policies use at most 5 positions). */
export const MAX_ENVELOPE_STAMPS = 32;
/** Longest voucher base64: enough for a voucher at {@link MAX_VOUCHER_BYTES}. */
export const MAX_VOUCHER_BASE64 = Math.ceil((DEFAULT_XML_LIMITS.maxBytes * 4) / 3) + 4;
/** Longest stamp base64: 1 MiB of text (a seal with its picture and certificates is far smaller). */
export const MAX_STAMP_BASE64 = 1024 * 1024;

/** The default envelope limits. */
export const DEFAULT_ENVELOPE_LIMITS: EnvelopeLimits = Object.freeze({
  maxBytes: MAX_ENVELOPE_BYTES,
  maxBodies: MAX_ENVELOPE_BODIES,
  maxStamps: MAX_ENVELOPE_STAMPS,
  maxVoucherBase64: MAX_VOUCHER_BASE64,
  maxStampBase64: MAX_STAMP_BASE64,
  maxNodes: 200_000,
  voucher: DEFAULT_XML_LIMITS,
});

/**
 * The envelope limits `given` merged with {@link DEFAULT_ENVELOPE_LIMITS}, the inner vouchers' too.
 *
 * @param given - the caller's limits (`ParseEnvelopeOptions.limits`), or `undefined`.
 * @returns the limits in force.
 * @throws EvoucherError `ARG_INVALID` for an unknown name or a value that is not a positive integer.
 * @example envelopeLimits({ maxBodies: 10 }).maxBodies // 10
 */
export function envelopeLimits(given: ParseEnvelopeOptions['limits']): EnvelopeLimits {
  const limits = mergeLimits(DEFAULT_ENVELOPE_LIMITS, given, 'options.limits');
  const voucher = mergeLimits(DEFAULT_XML_LIMITS, given?.voucher, 'options.limits.voucher');
  return voucher === limits.voucher ? limits : Object.assign({}, limits, { voucher });
}

/** Position ids: `<party>_<type>` (domain.md §6). */
export const POSITION_ID_PATTERN = /^(dw|cz|yh|rh)_[a-z]+$/;
/**
 * Longest position id: what the to-be-sealed structure (`IA5String (SIZE (1..64))`, docs/formats.md) and a seal
 * policy accept. A longer `No` can never verify, and it is quoted in the report (the seal's `position`, the
 * position, duplicates and completeness messages): 5 MB of `No` made a 30 MB report.
 */
const MAX_POSITION_ID = 64;
/** How much of an untrusted attribute value a message or an error detail quotes. */
const MAX_QUOTED = 64;

/** An untrusted value as quoted in a message or detail: at most {@link MAX_QUOTED} characters, clipped with `…`. */
function quoted(v: string): string {
  return v.length > MAX_QUOTED ? `${clipText(v, MAX_QUOTED)}…` : v;
}

function isPositionId(s: string): boolean {
  return s.length <= MAX_POSITION_ID && POSITION_ID_PATTERN.test(s);
}
const SEQ_PATTERN = /^[1-9][0-9]{0,5}$/;
/** The root elements an envelope is written with. */
const ROOTS: readonly string[] = ['MOF', 'Root'];
/** The charsets an envelope or a voucher is written in. */
const CHARSETS: readonly string[] = ['GBK', 'UTF-8'];
const FORMATS: readonly string[] = ['ses', 'cms'];

/** Options of {@link parseEnvelope}. */
export interface ParseEnvelopeOptions {
  readonly limits?: Partial<Omit<EnvelopeLimits, 'voucher'>> & { readonly voucher?: Partial<XmlLimits> };
  /** Unknown elements in the envelope and in the vouchers: `reject` (default) or `ignore`; anything else is `ARG_INVALID`. */
  readonly unknownElements?: 'reject' | 'ignore';
}

function fail(code: ErrorCode, message: string, where: string): never {
  throw new EvoucherError(code, message, { detail: { where } });
}

/** A text of the envelope itself (`Return_Reason`, `Attach`): a string XML can carry, or `ENVELOPE_MALFORMED`. */
function envelopeText(v: unknown, where: string): string {
  if (typeof v !== 'string') fail('ENVELOPE_MALFORMED', `${where} must be a string`, where);
  checkChars(v, where, 'ENVELOPE_MALFORMED');
  return v;
}

function single(parent: XmlElement, name: string, where: string): XmlElement | undefined {
  let found: XmlElement | undefined;
  for (const c of parent.children) {
    if (c.name !== name) continue;
    if (found !== undefined) fail('XML_DUPLICATE_ELEMENT', `more than one <${name}> in ${where}`, `${where}.${name}`);
    found = c;
  }
  return found;
}

function leafText(el: XmlElement, where: string): string {
  if (el.children.length > 0) fail('ENVELOPE_MALFORMED', `<${el.name}> must hold text only`, where);
  if (el.attributes.length > 0) fail('XML_ATTRIBUTE_FORBIDDEN', `attribute ${el.attributes[0]?.[0] ?? ''} on <${el.name}>`, where);
  return el.text;
}

function identityKey(a: EnvelopeAttributes): string {
  return JSON.stringify([a.admDivCode, a.stYear, a.vtCode, a.voucherNo]);
}

function headerOf(v: Voucher): EnvelopeAttributes {
  return {
    admDivCode: v.fields.AdmDivCode ?? '',
    stYear: v.fields.StYear ?? '',
    vtCode: v.fields.VtCode ?? '',
    voucherNo: v.fields.VoucherNo ?? '',
  };
}

function checkAttributes(attrs: EnvelopeAttributes, v: Voucher, where: string): void {
  const h = headerOf(v);
  for (const k of ['admDivCode', 'stYear', 'vtCode', 'voucherNo'] as const) {
    if (attrs[k] !== h[k]) {
      // Both values are untrusted and unbounded (an attribute may be megabytes long): quoted clipped.
      throw new EvoucherError('ENVELOPE_ATTRIBUTE_MISMATCH', `${where}: attribute ${k} '${quoted(attrs[k])}' differs from the voucher header '${quoted(h[k])}'`, {
        detail: { where, attribute: k, attributeValue: quoted(attrs[k]), headerValue: quoted(h[k]) },
      });
    }
  }
}

const BODY_ATTRIBUTES: readonly string[] = ['AdmDivCode', 'StYear', 'VtCode', 'VoucherNo', 'No'];
const BODY_CHILDREN: readonly string[] = ['VoucherFlag', 'Return_Reason', 'Attach', 'Voucher', 'OriginalVoucher', 'Stamps'];

function readAttributes(el: XmlElement, where: string): EnvelopeAttributes {
  const m = new Map(el.attributes);
  for (const [name] of el.attributes) {
    if (!BODY_ATTRIBUTES.includes(name)) fail('ENVELOPE_MALFORMED', `unknown attribute ${name} on <VoucherBody>`, where);
  }
  if (m.has('VoucherNo') && m.has('No')) fail('ENVELOPE_MALFORMED', 'both VoucherNo and No on <VoucherBody>', where);
  const get = (name: string): string => {
    const v = m.get(name);
    if (v === undefined) fail('ENVELOPE_MALFORMED', `<VoucherBody> lacks attribute ${name}`, where);
    return v;
  };
  return {
    admDivCode: get('AdmDivCode'),
    stYear: get('StYear'),
    vtCode: get('VtCode'),
    voucherNo: m.has('No') ? get('No') : get('VoucherNo'),
  };
}

function readStamps(el: XmlElement, limits: EnvelopeLimits, where: string, ignore: boolean): StampEntry[] {
  if (el.attributes.length > 0) fail('XML_ATTRIBUTE_FORBIDDEN', 'attributes on <Stamps>', where);
  if (el.children.length === 0 && /[^ \t\n]/.test(el.text)) fail('ENVELOPE_MALFORMED', 'text inside <Stamps>', where);
  const stamps: StampEntry[] = [];
  for (const s of el.children) {
    if (s.name !== 'Stamp') {
      if (ignore) continue;
      fail('XML_UNKNOWN_ELEMENT', `unknown element <${s.name}> in <Stamps>`, `${where}.${s.name}`);
    }
    const at = `${where}.Stamp[${stamps.length}]`;
    if (stamps.length >= limits.maxStamps) fail('ENVELOPE_TOO_MANY_STAMPS', `more than ${limits.maxStamps} stamps`, where);
    if (s.children.length > 0) fail('ENVELOPE_STAMP_INVALID', '<Stamp> must hold base64 text only', at);
    const a = new Map(s.attributes);
    for (const [name] of s.attributes) {
      if (!['No', 'Seq', 'Format', 'View'].includes(name)) fail('ENVELOPE_STAMP_INVALID', `unknown attribute ${name} on <Stamp>`, at);
    }
    const position = a.get('No') ?? '';
    const seq = a.get('Seq') ?? '';
    const format = a.get('Format') ?? '';
    const view = a.get('View') ?? '';
    if (!isPositionId(position)) fail('ENVELOPE_STAMP_INVALID', `stamp position '${clipText(position, 40)}' is not <party>_<type> of at most ${MAX_POSITION_ID} characters`, at);
    if (!SEQ_PATTERN.test(seq)) fail('ENVELOPE_STAMP_INVALID', `stamp sequence '${clipText(seq, 20)}' is not a positive integer`, at);
    if (!FORMATS.includes(format)) fail('ENVELOPE_STAMP_INVALID', `stamp format '${clipText(format, 20)}' is not ses or cms`, at);
    if (view !== 'original' && view !== 'receipt') fail('ENVELOPE_STAMP_INVALID', `stamp view '${clipText(view, 20)}' is not original or receipt`, at);
    const bytes = decodeCanonicalBase64(s.text, limits.maxStampBase64);
    if (bytes.length === 0) fail('ENVELOPE_STAMP_INVALID', 'empty stamp', at);
    stamps.push(Object.freeze({ position, sequence: Number(seq), format, view, bytes }));
  }
  return stamps;
}

function tryParse(bytes: Uint8Array, limits: EnvelopeLimits, ignore: boolean): { voucher?: Voucher; error?: EvoucherError } {
  try {
    return { voucher: parseVoucher(bytes, { limits: limits.voucher, unknownElements: ignore ? 'ignore' : 'reject' }) };
  } catch (e) {
    if (e instanceof EvoucherError) return { error: e };
    /* c8 ignore next */
    throw e;
  }
}

/**
 * Reads an MOF envelope.
 *
 * Structural problems throw; a body whose inner voucher does not parse gets `voucherError` instead, so a
 * verifier can report per body.
 *
 * @param bytes - the envelope bytes (GBK or UTF-8 per its declaration).
 * @param options - limits and the unknown-element policy.
 * @returns the root name and the bodies in document order.
 * @throws EvoucherError `ENVELOPE_MALFORMED`, `ENVELOPE_COUNT_MISMATCH`, `ENVELOPE_ATTRIBUTE_MISMATCH`,
 *   `ENVELOPE_DUPLICATE_VOUCHER`, `ENVELOPE_TOO_MANY_VOUCHERS`, `ENVELOPE_TOO_MANY_STAMPS`,
 *   `ENVELOPE_STAMP_INVALID`, `BASE64_INVALID`, `XML_*`, `ENCODING_*`; `ARG_INVALID` for options not an object,
 *   a bad limit or an `unknownElements` other than `reject` or `ignore`.
 * @example for (const b of parseEnvelope(bytes).bodies) console.log(b.voucher?.fields.PayAmt)
 */
export function parseEnvelope(bytes: Uint8Array, options: ParseEnvelopeOptions = {}): Envelope {
  checkOptionsArgument(options, 'parseEnvelope');
  checkOptionValue(options.unknownElements, UNKNOWN_ELEMENTS, 'parseEnvelope', 'unknownElements');
  const limits = envelopeLimits(options.limits);
  const ignore = options.unknownElements === 'ignore';
  const doc = readXml(bytes, { maxBytes: limits.maxBytes, maxDepth: MAX_XML_DEPTH, maxNodes: limits.maxNodes });
  const root = doc.root;
  if (root.name !== 'MOF' && root.name !== 'Root') {
    fail('XML_UNEXPECTED_ROOT', `root element <${root.name}> is not <MOF> or <Root>`, root.name);
  }
  if (root.attributes.length > 0) fail('XML_ATTRIBUTE_FORBIDDEN', `attributes on <${root.name}>`, root.name);
  let countEl: XmlElement | undefined;
  const bodyEls: XmlElement[] = [];
  for (const c of root.children) {
    if (c.name === 'VoucherBody') {
      if (bodyEls.length >= limits.maxBodies) {
        fail('ENVELOPE_TOO_MANY_VOUCHERS', `more than ${limits.maxBodies} voucher bodies`, root.name);
      }
      bodyEls.push(c);
    } else if (c.name === 'VoucherCount') {
      if (countEl !== undefined) fail('XML_DUPLICATE_ELEMENT', 'more than one <VoucherCount>', 'VoucherCount');
      countEl = c;
    } else if (!ignore) {
      fail('XML_UNKNOWN_ELEMENT', `unknown element <${c.name}> in <${root.name}>`, c.name);
    }
  }
  if (countEl === undefined) fail('ENVELOPE_MALFORMED', 'the envelope has no <VoucherCount>', root.name);
  const countText = leafText(countEl, 'VoucherCount');
  if (!/^(0|[1-9][0-9]{0,6})$/.test(countText)) fail('ENVELOPE_MALFORMED', `VoucherCount '${clipText(countText, 20)}' is not a count`, 'VoucherCount');
  if (Number(countText) !== bodyEls.length) {
    throw new EvoucherError('ENVELOPE_COUNT_MISMATCH', `VoucherCount ${countText} but ${bodyEls.length} voucher bodies`, {
      detail: { declared: countText, actual: String(bodyEls.length) },
    });
  }
  const seen = new Set<string>();
  const bodies: EnvelopeBody[] = [];
  bodyEls.forEach((el, i) => {
    const where = `VoucherBody[${i}]`;
    const attributes = readAttributes(el, where);
    for (const c of el.children) {
      if (!BODY_CHILDREN.includes(c.name) && !ignore) fail('XML_UNKNOWN_ELEMENT', `unknown element <${c.name}> in ${where}`, `${where}.${c.name}`);
    }
    if (el.children.length === 0 && /[^ \t\n]/.test(el.text)) fail('ENVELOPE_MALFORMED', `text inside ${where}`, where);
    const flagEl = single(el, 'VoucherFlag', where);
    if (flagEl === undefined) fail('ENVELOPE_MALFORMED', `${where} has no <VoucherFlag>`, where);
    const flag = leafText(flagEl, `${where}.VoucherFlag`);
    if (flag !== '0' && flag !== '1') fail('ENVELOPE_MALFORMED', `VoucherFlag '${clipText(flag, 10)}' is not 0 or 1`, `${where}.VoucherFlag`);
    const reasonEl = single(el, 'Return_Reason', where);
    const attachEl = single(el, 'Attach', where);
    const voucherEl = single(el, 'Voucher', where);
    if (voucherEl === undefined) fail('ENVELOPE_MALFORMED', `${where} has no <Voucher>`, where);
    const originalEl = single(el, 'OriginalVoucher', where);
    const stampsEl = single(el, 'Stamps', where);
    if (originalEl !== undefined && flag !== '1') {
      fail('ENVELOPE_MALFORMED', `${where}: <OriginalVoucher> belongs only in a receipt (VoucherFlag 1)`, where);
    }
    const voucherBytes = decodeCanonicalBase64(leafText(voucherEl, `${where}.Voucher`), limits.maxVoucherBase64);
    const parsed = tryParse(voucherBytes, limits, ignore);
    if (parsed.voucher !== undefined) checkAttributes(attributes, parsed.voucher, where);
    let original: { voucher?: Voucher; error?: EvoucherError } = {};
    let originalVoucherBytes: Uint8Array | undefined;
    if (originalEl !== undefined) {
      originalVoucherBytes = decodeCanonicalBase64(leafText(originalEl, `${where}.OriginalVoucher`), limits.maxVoucherBase64);
      original = tryParse(originalVoucherBytes, limits, ignore);
      if (original.voucher !== undefined) checkAttributes(attributes, original.voucher, `${where}.OriginalVoucher`);
    }
    const key = identityKey(attributes);
    if (seen.has(key)) {
      throw new EvoucherError('ENVELOPE_DUPLICATE_VOUCHER', `${where} repeats voucher ${quoted(attributes.vtCode)}/${quoted(attributes.voucherNo)}`, {
        detail: { where, admDivCode: quoted(attributes.admDivCode), stYear: quoted(attributes.stYear), vtCode: quoted(attributes.vtCode), voucherNo: quoted(attributes.voucherNo) },
      });
    }
    seen.add(key);
    const stamps = stampsEl === undefined ? [] : readStamps(stampsEl, limits, `${where}.Stamps`, ignore);
    bodies.push(
      Object.freeze({
        attributes: Object.freeze(attributes),
        voucherFlag: flag,
        ...(reasonEl === undefined ? {} : { returnReason: leafText(reasonEl, `${where}.Return_Reason`) }),
        ...(attachEl === undefined ? {} : { attach: leafText(attachEl, `${where}.Attach`) }),
        voucherBytes,
        ...(parsed.voucher === undefined ? {} : { voucher: parsed.voucher }),
        ...(parsed.error === undefined ? {} : { voucherError: parsed.error }),
        ...(originalVoucherBytes === undefined ? {} : { originalVoucherBytes }),
        ...(original.voucher === undefined ? {} : { originalVoucher: original.voucher }),
        ...(original.error === undefined ? {} : { originalVoucherError: original.error }),
        stamps: Object.freeze(stamps),
      }),
    );
  });
  return Object.freeze({ root: root.name, bodies: Object.freeze(bodies), charset: doc.charset });
}

/** One body to write. */
export interface EnvelopeBodyInput {
  /** The exact voucher bytes (the receipt bytes when `voucherFlag` is `1`). */
  readonly voucherBytes: Uint8Array;
  /** `0` (default) original, `1` receipt. */
  readonly voucherFlag?: '0' | '1';
  readonly attach?: string;
  readonly returnReason?: string;
  /** The original voucher bytes (receipts only). */
  readonly originalVoucherBytes?: Uint8Array;
  /** Seals, written in this order. */
  readonly stamps?: readonly StampEntry[];
}

/** Options of {@link writeEnvelope}. */
export interface WriteEnvelopeOptions {
  /** Root element: `MOF` (default) or `Root`. */
  readonly root?: 'MOF' | 'Root';
  /** Charset of the envelope text: `GBK` (default) or `UTF-8`. The vouchers keep their own bytes. */
  readonly encoding?: Charset;
}

function checkStamp(s: StampEntry, where: string): void {
  const ok =
    typeof s === 'object' &&
    s !== null &&
    s.bytes instanceof Uint8Array &&
    isPositionId(s.position) &&
    Number.isSafeInteger(s.sequence) &&
    s.sequence >= 1 &&
    s.sequence <= 999_999 &&
    FORMATS.includes(s.format) &&
    (s.view === 'original' || s.view === 'receipt') &&
    s.bytes.length > 0;
  if (!ok) fail('ENVELOPE_STAMP_INVALID', `${where}: invalid stamp (position, sequence, format, view or empty bytes)`, where);
}

/**
 * Writes an MOF envelope around exact voucher bytes.
 *
 * The `VoucherBody` attributes are taken from each voucher's own header (read from its bytes), so they
 * cannot disagree with it.
 *
 * @param bodies - the bodies, in order.
 * @param options - root name and envelope charset.
 * @returns the envelope bytes.
 * @throws EvoucherError `ENVELOPE_MALFORMED` (an original voucher outside a receipt; an `attach` or `returnReason`
 *   that is not a string or holds a character XML cannot carry, which the reader would refuse),
 *   `ENVELOPE_ATTRIBUTE_MISMATCH` (an original whose identity differs from the receipt's),
 *   `ENVELOPE_DUPLICATE_VOUCHER`, `ENVELOPE_STAMP_INVALID`, and any error of `parseVoucher` on the bytes;
 *   `ARG_INVALID` for arguments of the wrong type, a `voucherFlag` other than `0`/`1`, another root or encoding.
 * @example writeEnvelope([{ voucherBytes: serializeVoucher(v) }])
 */
export function writeEnvelope(bodies: readonly EnvelopeBodyInput[], options: WriteEnvelopeOptions = {}): Uint8Array {
  if (!Array.isArray(bodies as unknown)) throw new EvoucherError('ARG_INVALID', 'writeEnvelope bodies must be an array', { detail: { argument: 'bodies' } });
  checkOptionsArgument(options, 'writeEnvelope');
  // Both are written into the document as they are: anything else (`null` included, which is no default) would
  // make an envelope no reader takes.
  checkOptionValue(options.root, ROOTS, 'writeEnvelope', 'root');
  checkOptionValue(options.encoding, CHARSETS, 'writeEnvelope', 'encoding');
  const root = options.root ?? 'MOF';
  const encoding = options.encoding ?? 'GBK';
  const out: string[] = [`<?xml version="1.0" encoding="${encoding}"?><${root}><VoucherCount>${bodies.length}</VoucherCount>`];
  const seen = new Set<string>();
  bodies.forEach((b, i) => {
    const where = `VoucherBody[${i}]`;
    if (typeof b !== 'object' || b === null) throw new EvoucherError('ARG_INVALID', `${where} must be an object`, { detail: { argument: where } });
    const flag = b.voucherFlag ?? '0';
    if (flag !== '0' && flag !== '1') throw new EvoucherError('ARG_INVALID', `${where}.voucherFlag must be '0' or '1'`, { detail: { argument: `${where}.voucherFlag` } });
    if (b.stamps !== undefined && !Array.isArray(b.stamps as unknown)) throw new EvoucherError('ARG_INVALID', `${where}.stamps must be an array`, { detail: { argument: `${where}.stamps` } });
    const attrs = headerOf(parseVoucher(b.voucherBytes));
    if (b.originalVoucherBytes !== undefined) {
      if (flag !== '1') fail('ENVELOPE_MALFORMED', `${where}: an original voucher belongs only in a receipt (VoucherFlag 1)`, where);
      checkAttributes(attrs, parseVoucher(b.originalVoucherBytes), `${where}.OriginalVoucher`);
    }
    const key = identityKey(attrs);
    if (seen.has(key)) fail('ENVELOPE_DUPLICATE_VOUCHER', `${where} repeats voucher ${attrs.vtCode}/${attrs.voucherNo}`, where);
    seen.add(key);
    out.push(
      `<VoucherBody AdmDivCode="${escapeAttribute(attrs.admDivCode)}" StYear="${escapeAttribute(attrs.stYear)}"` +
        ` VtCode="${escapeAttribute(attrs.vtCode)}" VoucherNo="${escapeAttribute(attrs.voucherNo)}">`,
    );
    out.push(`<VoucherFlag>${flag}</VoucherFlag>`);
    if (b.returnReason !== undefined) out.push(`<Return_Reason>${escapeText(envelopeText(b.returnReason, `${where}.Return_Reason`))}</Return_Reason>`);
    if (b.attach !== undefined) out.push(`<Attach>${escapeText(envelopeText(b.attach, `${where}.Attach`))}</Attach>`);
    out.push(`<Voucher>${encodeBase64(b.voucherBytes)}</Voucher>`);
    if (b.originalVoucherBytes !== undefined) out.push(`<OriginalVoucher>${encodeBase64(b.originalVoucherBytes)}</OriginalVoucher>`);
    const stamps = b.stamps ?? [];
    if (stamps.length > 0) {
      out.push('<Stamps>');
      stamps.forEach((s, k) => {
        checkStamp(s, `${where}.Stamp[${k}]`);
        out.push(`<Stamp No="${s.position}" Seq="${s.sequence}" Format="${s.format}" View="${s.view}">${encodeBase64(s.bytes)}</Stamp>`);
      });
      out.push('</Stamps>');
    }
    out.push('</VoucherBody>');
  });
  out.push(`</${root}>`);
  return encodeText(out.join(''), encoding);
}

/** Options of {@link createEnvelope}. */
export interface CreateEnvelopeOptions extends WriteEnvelopeOptions {
  /** Charset of the vouchers' own bytes; defaults to each voucher's. */
  readonly voucherEncoding?: Charset;
  /** `Attach` text for every body. */
  readonly attach?: string;
}

/**
 * Serializes vouchers and wraps them in one envelope (all originals, VoucherFlag 0, no stamps).
 *
 * @param vouchers - the vouchers.
 * @param options - root, envelope charset, voucher charset, Attach text.
 * @returns the envelope bytes.
 * @throws EvoucherError as {@link serializeVoucher} and {@link writeEnvelope}; `ARG_INVALID` when `vouchers` is not
 *   an array, `options` not an object, or a `root`, `encoding` or `voucherEncoding` other than the documented ones.
 * @example createEnvelope([buildVoucher('5201', data)])
 */
export function createEnvelope(vouchers: readonly Voucher[], options: CreateEnvelopeOptions = {}): Uint8Array {
  if (!Array.isArray(vouchers as unknown)) throw new EvoucherError('ARG_INVALID', 'createEnvelope vouchers must be an array', { detail: { argument: 'vouchers' } });
  checkOptionsArgument(options, 'createEnvelope');
  // Checked here, not only when the first voucher is written: an empty list takes the same options.
  checkOptionValue(options.voucherEncoding, CHARSETS, 'createEnvelope', 'voucherEncoding');
  checkOptionValue(options.root, ROOTS, 'createEnvelope', 'root');
  checkOptionValue(options.encoding, CHARSETS, 'createEnvelope', 'encoding');
  const bodies = vouchers.map((v) => ({
    voucherBytes: serializeVoucher(v, options.voucherEncoding === undefined ? {} : { encoding: options.voucherEncoding }),
    ...(options.attach === undefined ? {} : { attach: options.attach }),
  }));
  return writeEnvelope(bodies, Object.assign({}, options.root === undefined ? {} : { root: options.root }, options.encoding === undefined ? {} : { encoding: options.encoding }));
}
