/**
 * A strict reader for the small XML subset that vouchers and envelopes use.
 *
 * Design rationale: vouchers and MOF envelopes are elements, text and (in the envelope only) a few
 * attributes. A general parser (fast-xml-parser, libxml2) accepts far more: DTDs, entities, comments,
 * CDATA, namespaces, processing instructions, and it silently merges duplicate elements or drops the
 * text after a comment. Each of those is a known attack on signed XML (security.md §1.3, §1.4, §1.6,
 * §1.11). This reader implements only the subset, so everything else is rejected by construction with
 * a coded error instead of being disabled by options that a later upgrade could flip. It is iterative
 * (no recursion, so 10k-deep input cannot overflow the stack) and bounded by {@link XmlLimits}.
 *
 * What it still does as XML 1.0 requires, so that every conforming parser reads the same values:
 * end-of-line normalisation (§2.11), attribute-value normalisation (§3.3.3), the five predefined
 * entities and character references (§4.1, §4.6), the Char production (§2.2) and `]]>` in text (§2.4).
 */
import { EvoucherError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import { charsetFromLabel, decodeText, gbkByteLength } from '../../encoding/charset.js';
import type { Charset } from '../../encoding/charset.js';

/** Bounds on one XML document. */
export interface XmlLimits {
  /** Largest document in bytes. */
  readonly maxBytes: number;
  /** Deepest element nesting (the root is depth 1). */
  readonly maxDepth: number;
  /**
   * Most elements and attributes in the document, counted together: the tree built for each costs memory, and
   * 199,000 elements with 16 attributes each took over 300 MiB of heap for a 20 MiB document.
   */
  readonly maxNodes: number;
  /** Most detail lines in one voucher (a parsing bound; the business rule is stricter). */
  readonly maxDetails: number;
}

/** Largest voucher document: 8 MiB (499 detail lines of a wide type take under 2 MiB). */
export const MAX_VOUCHER_BYTES = 8 * 1024 * 1024;
/** Deepest nesting: a voucher needs 4 levels, an envelope 4. */
export const MAX_XML_DEPTH = 16;
/** Most elements and attributes, together, in one document. */
export const MAX_XML_NODES = 200_000;
/** Most detail lines the reader accepts; validation then enforces the national "fewer than 500". */
export const MAX_VOUCHER_DETAILS = 1_000;
/** Most attributes on one element. */
export const MAX_XML_ATTRIBUTES = 16;
/** Longest element or attribute name (the voucher vocabulary's longest is under 30). */
export const MAX_XML_NAME = 128;

/** The default limits of the voucher reader. */
export const DEFAULT_XML_LIMITS: XmlLimits = Object.freeze({
  maxBytes: MAX_VOUCHER_BYTES,
  maxDepth: MAX_XML_DEPTH,
  maxNodes: MAX_XML_NODES,
  maxDetails: MAX_VOUCHER_DETAILS,
});

/** One element: its name, attributes in document order, child elements and (for a leaf) its text. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: readonly (readonly [string, string])[];
  readonly children: readonly XmlElement[];
  /** The decoded text of a leaf; `''` for an element with children. */
  readonly text: string;
}

/** A read document. */
export interface XmlDocument {
  readonly charset: Charset;
  /** True when the document starts with an XML declaration. */
  readonly declared: boolean;
  readonly root: XmlElement;
}

const NO_ATTRIBUTES = Object.freeze([]) as unknown as (readonly [string, string])[];
const NO_CHILDREN = Object.freeze([]) as unknown as MutableElement[];

interface MutableElement {
  name: string;
  attributes: (readonly [string, string])[];
  children: MutableElement[];
  text: string;
  nonSpaceText: boolean;
}

function fail(code: ErrorCode, message: string, offset?: number): never {
  throw new EvoucherError(code, message, { detail: offset === undefined ? {} : { offset: String(offset) } });
}

const LT = 0x3c;
const MARKUP_DECLARATION = Buffer.from('<!', 'latin1');

/**
 * Rejects DOCTYPE and markup declarations by a byte scan, before any decoding or parsing.
 * Sound for GBK and UTF-8: neither uses bytes below 0x40 inside a multi-byte character.
 */
function prescan(bytes: Uint8Array): void {
  // Only '<!' can open a declaration: found by a native search for the two bytes, not a JavaScript step per '<'.
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = buf.indexOf(MARKUP_DECLARATION); i !== -1; i = buf.indexOf(MARKUP_DECLARATION, i + 1)) {
    let word = '';
    for (let j = i + 2; j < bytes.length && j < i + 10; j++) {
      const b = bytes[j] ?? 0;
      if (!((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a))) break;
      word += String.fromCharCode(b).toUpperCase();
    }
    if (word === 'DOCTYPE') fail('XML_DOCTYPE_FORBIDDEN', 'DOCTYPE is forbidden', i);
    if (word === 'ENTITY') fail('XML_ENTITY_FORBIDDEN', 'entity declarations are forbidden', i);
    if (word === 'ELEMENT' || word === 'ATTLIST' || word === 'NOTATION') {
      fail('XML_DOCTYPE_FORBIDDEN', 'markup declarations are forbidden', i);
    }
  }
}

const DECL = /^<\?xml([ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"1\.0"|'1\.0'))(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"([A-Za-z][A-Za-z0-9._-]*)"|'([A-Za-z][A-Za-z0-9._-]*)'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?>/;

/** Reads the XML declaration from the raw bytes (ASCII in every supported charset). */
function readDeclaration(bytes: Uint8Array, start: number): { charset: Charset | undefined; label: string | undefined; end: number } | undefined {
  const head = String.fromCharCode(...bytes.subarray(start, start + 6));
  if (!/^<\?xml[ \t\r\n]$/.test(head)) return undefined;
  const limit = Math.min(bytes.length, start + 256);
  let text = '';
  for (let i = start; i < limit; i++) {
    const b = bytes[i] ?? 0;
    if (b >= 0x80) break;
    text += String.fromCharCode(b);
    if (text.endsWith('?>')) break;
  }
  const m = DECL.exec(text);
  if (m === null) fail('XML_MALFORMED', 'malformed XML declaration', start);
  const label = m[2] ?? m[3];
  let charset: Charset | undefined;
  if (label !== undefined) {
    charset = charsetFromLabel(label);
    if (charset === undefined) {
      throw new EvoucherError('ENCODING_UNSUPPORTED', `unsupported encoding '${label}'`, { detail: { encoding: label } });
    }
  }
  return { charset, label, end: start + m[0].length };
}

/**
 * Under the label `GB2312`, the two characters whose bytes GB2312 readers read as other characters (A1A4 U+00B7
 * "·" as U+30FB "・", A1AA U+2014 "—" as U+2015 "―"; GBK readers as here) are refused: one byte string, one reading.
 */
const GB2312_AMBIGUOUS = /[\u00b7\u2014]/;

function isXmlChar(c: number): boolean {
  // XML 1.0 §2.2 Char, on UTF-16 code units: surrogates are checked for pairing separately.
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xfffd && c !== 0xfffe);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x9 || c === 0xa || c === 0xd;
}

function isNameStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}

// Text that needs no slow path: no references, CR, characters outside XML's Char, surrogates (to check
// pairing) nor, in attributes, TAB/LF (normalised to spaces). Written as "only allowed characters from start to
// end": V8 runs this anchored negated class about twice as fast as a search for one of the slow characters
// (37 µs against 80 µs for 37 KB of base64), and stamps are long base64 texts.
const PLAIN_TEXT = /^[^&\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]*$/;
const PLAIN_ATTRIBUTE = /^[^&\r\t\n\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]*$/;

/** The five predefined entities (a Map: a plain object would also answer `&constructor;` or `&__proto__;`). */
const PREDEFINED: ReadonlyMap<string, number> = new Map([
  ['lt', 0x3c],
  ['gt', 0x3e],
  ['amp', 0x26],
  ['quot', 0x22],
  ['apos', 0x27],
]);

/**
 * Reads one XML document under the subset's rules.
 *
 * @param bytes - the raw document.
 * @param limits - size, depth and node bounds.
 * @returns the charset, whether a declaration was present, and the element tree.
 * @throws EvoucherError `XML_TOO_LARGE`, `XML_TOO_DEEP`, `XML_TOO_MANY_NODES`, `XML_DOCTYPE_FORBIDDEN`,
 *   `XML_ENTITY_FORBIDDEN`, `XML_COMMENT_FORBIDDEN`, `XML_PI_FORBIDDEN`, `XML_CDATA_FORBIDDEN`,
 *   `XML_NAMESPACE_FORBIDDEN`, `XML_MULTIPLE_ROOTS`, `XML_ENCODING_MISMATCH`, `XML_MALFORMED`,
 *   `ENCODING_UNSUPPORTED`, `ENCODING_INVALID_BYTES`.
 * @example readXml(bytes, DEFAULT_XML_LIMITS).root.name // 'Voucher'
 */
export function readXml(bytes: Uint8Array, limits: Pick<XmlLimits, 'maxBytes' | 'maxDepth' | 'maxNodes'>): XmlDocument {
  if (!(bytes instanceof Uint8Array)) throw new EvoucherError('ARG_INVALID', 'the document must be a Uint8Array', { detail: { argument: 'bytes' } });
  if (bytes.length > limits.maxBytes) {
    throw new EvoucherError('XML_TOO_LARGE', `document of ${bytes.length} bytes exceeds ${limits.maxBytes}`, {
      detail: { size: String(bytes.length), max: String(limits.maxBytes) },
    });
  }
  let start = 0;
  let bom: Charset | undefined;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    bom = 'UTF-8';
    start = 3;
  } else if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) {
    fail('XML_ENCODING_MISMATCH', 'UTF-16 byte order mark: only GBK and UTF-8 are supported', 0);
  }
  prescan(bytes);
  const decl = readDeclaration(bytes, start);
  // XML 1.0 §4.3.3: without a declaration (or without an encoding in it) the document is UTF-8.
  const charset: Charset = decl?.charset ?? 'UTF-8';
  if (bom !== undefined && bom !== charset) {
    fail('XML_ENCODING_MISMATCH', `a UTF-8 byte order mark contradicts the declared ${charset}`, 0);
  }
  const from = decl?.end ?? start;
  let body: string;
  try {
    body = decodeText(bytes.subarray(from), charset);
  } catch (e) {
    // The offset within the whole document, not within what follows the declaration.
    const offset = e instanceof EvoucherError ? e.detail['offset'] : undefined;
    if (offset === undefined) throw e;
    const at = from + Number(offset);
    throw new EvoucherError('ENCODING_INVALID_BYTES', `invalid ${charset} byte sequence at offset ${at}`, { cause: e, detail: { charset, offset: String(at) } });
  }
  if (decl?.label?.trim().toUpperCase() === 'GB2312') {
    const m = GB2312_AMBIGUOUS.exec(body);
    if (m !== null) {
      // The body decoded, so its every character before the match has a GBK length.
      const at = from + (gbkByteLength(body.slice(0, m.index)) as number);
      throw new EvoucherError('ENCODING_INVALID_BYTES', `under the label GB2312, ${m[0] === '·' ? 'A1A4' : 'A1AA'} at offset ${at} is read as another character by GB2312 readers than by GBK readers: declare encoding="GBK"`, {
        detail: { charset, label: 'GB2312', offset: String(at) },
      });
    }
  }
  const root = tokenize(body, limits);
  return { charset, declared: decl !== undefined, root };
}

function tokenize(s: string, limits: Pick<XmlLimits, 'maxDepth' | 'maxNodes'>): XmlElement {
  const stack: MutableElement[] = [];
  let root: MutableElement | undefined;
  let nodes = 0;
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c !== LT) {
      let j = s.indexOf('<', i);
      if (j === -1) j = n;
      const raw = s.slice(i, j);
      const top = stack[stack.length - 1];
      if (top === undefined) {
        for (let k = 0; k < raw.length; k++) {
          if (!isSpace(raw.charCodeAt(k))) fail('XML_MALFORMED', 'text outside the root element', i + k);
        }
      } else {
        const text = decodeCharData(raw, i, false);
        top.text += text;
        if (!top.nonSpaceText && /[^ \t\r\n]/.test(text)) top.nonSpaceText = true;
      }
      i = j;
      continue;
    }
    if (s.startsWith('<!--', i)) fail('XML_COMMENT_FORBIDDEN', 'comments are forbidden', i);
    if (s.startsWith('<![CDATA[', i)) fail('XML_CDATA_FORBIDDEN', 'CDATA sections are forbidden', i);
    if (s.startsWith('<!', i)) fail('XML_DOCTYPE_FORBIDDEN', 'markup declarations are forbidden', i);
    if (s.startsWith('<?', i)) {
      if (/^<\?xml(?![A-Za-z0-9_.:-])/i.test(s.slice(i, i + 7))) {
        fail('XML_MALFORMED', 'an XML declaration is allowed only at the start', i);
      }
      fail('XML_PI_FORBIDDEN', 'processing instructions are forbidden', i);
    }
    if (s.charCodeAt(i + 1) === 0x2f) {
      // End tag.
      const name = readName(s, i + 2);
      let k = nameEnd;
      while (k < n && isSpace(s.charCodeAt(k))) k++;
      if (s.charCodeAt(k) !== 0x3e) fail('XML_MALFORMED', `malformed end tag </${name}>`, i);
      const top = stack.pop();
      if (top === undefined || top.name !== name) fail('XML_MALFORMED', `end tag </${name}> does not match`, i);
      closeElement(top, i);
      i = k + 1;
      continue;
    }
    // Start tag.
    const name = readName(s, i + 1);
    const end = nameEnd;
    if (root !== undefined && stack.length === 0) fail('XML_MULTIPLE_ROOTS', 'more than one root element', i);
    nodes++;
    if (nodes > limits.maxNodes) fail('XML_TOO_MANY_NODES', `more than ${limits.maxNodes} elements and attributes`, i);
    if (stack.length + 1 > limits.maxDepth) fail('XML_TOO_DEEP', `nesting deeper than ${limits.maxDepth}`, i);
    // Most elements are leaves without attributes: they share one frozen empty list until they get an entry.
    const el: MutableElement = { name, attributes: NO_ATTRIBUTES, children: NO_CHILDREN, text: '', nonSpaceText: false };
    let k = end;
    let selfClosing = false;
    for (;;) {
      const sawSpace = k < n && isSpace(s.charCodeAt(k));
      while (k < n && isSpace(s.charCodeAt(k))) k++;
      if (k >= n) fail('XML_MALFORMED', `unterminated start tag <${name}>`, i);
      if (s.charCodeAt(k) === 0x3e) {
        k++;
        break;
      }
      if (s.startsWith('/>', k)) {
        k += 2;
        selfClosing = true;
        break;
      }
      if (!sawSpace) fail('XML_MALFORMED', `missing whitespace before an attribute of <${name}>`, k);
      const attrName = readName(s, k);
      if (attrName === 'xmlns') fail('XML_NAMESPACE_FORBIDDEN', 'namespace declarations are forbidden', k);
      k = nameEnd;
      while (k < n && isSpace(s.charCodeAt(k))) k++;
      if (s.charCodeAt(k) !== 0x3d) fail('XML_MALFORMED', `attribute ${attrName} has no value`, k);
      k++;
      while (k < n && isSpace(s.charCodeAt(k))) k++;
      const q = s.charCodeAt(k);
      if (q !== 0x22 && q !== 0x27) fail('XML_MALFORMED', `attribute ${attrName} value is not quoted`, k);
      const close = s.indexOf(String.fromCharCode(q), k + 1);
      if (close === -1) fail('XML_MALFORMED', `unterminated value of attribute ${attrName}`, k);
      const raw = s.slice(k + 1, close);
      if (raw.includes('<')) fail('XML_MALFORMED', `'<' in the value of attribute ${attrName}`, k);
      if (el.attributes.some(([a]) => a === attrName)) fail('XML_MALFORMED', `duplicate attribute ${attrName}`, k);
      if (el.attributes.length >= MAX_XML_ATTRIBUTES) fail('XML_TOO_MANY_NODES', `more than ${MAX_XML_ATTRIBUTES} attributes`, k);
      if (++nodes > limits.maxNodes) fail('XML_TOO_MANY_NODES', `more than ${limits.maxNodes} elements and attributes`, k);
      if (el.attributes === NO_ATTRIBUTES) el.attributes = [];
      el.attributes.push([attrName, decodeCharData(raw, k + 1, true)]);
      k = close + 1;
    }
    const parent = stack[stack.length - 1];
    if (parent === undefined) root = el;
    else {
      if (parent.children === NO_CHILDREN) parent.children = [];
      parent.children.push(el);
    }
    if (selfClosing) closeElement(el, i);
    else stack.push(el);
    i = k;
  }
  if (stack.length > 0) fail('XML_MALFORMED', `unclosed element <${stack[stack.length - 1]?.name ?? ''}>`, n);
  if (root === undefined) fail('XML_MALFORMED', 'no root element', n);
  return root;
}

function closeElement(el: MutableElement, offset: number): void {
  if (el.children.length > 0) {
    // Mixed content (text beside child elements) has no place in a voucher; indentation does.
    if (el.nonSpaceText) fail('XML_MALFORMED', `text mixed with elements in <${el.name}>`, offset);
    el.text = '';
  }
}

/** Where the name {@link readName} read last ends (instead of a result object per tag and attribute name). */
let nameEnd = 0;

function readName(s: string, at: number): string {
  let k = at;
  if (!isNameStart(s.charCodeAt(k))) {
    if (s.charCodeAt(k) === 0x3a) fail('XML_NAMESPACE_FORBIDDEN', 'namespace prefixes are forbidden', k);
    fail('XML_MALFORMED', 'expected a name', k);
  }
  while (k < s.length && isNameChar(s.charCodeAt(k))) k++;
  // Names are quoted in messages and paths: a megabyte-long one would make each error a megabyte.
  if (k - at > MAX_XML_NAME) fail('XML_MALFORMED', `a name longer than ${MAX_XML_NAME} characters`, at);
  if (s.charCodeAt(k) === 0x3a) fail('XML_NAMESPACE_FORBIDDEN', 'namespace prefixes are forbidden', k);
  const next = s.charCodeAt(k);
  if (k < s.length && !isSpace(next) && next !== 0x3e && next !== 0x2f && next !== 0x3d) {
    fail('XML_MALFORMED', 'unsupported character in a name', k);
  }
  nameEnd = k;
  return s.slice(at, k);
}

/**
 * Decodes character data or an attribute value: checks the Char production, normalises line ends
 * (and, in attributes, whitespace to spaces), and expands the predefined entities and character references.
 */
function decodeCharData(raw: string, offset: number, attribute: boolean): string {
  if (!attribute && raw.includes(']]>')) fail('XML_MALFORMED', "']]>' in text", offset);
  // Fast path (e.g. megabytes of base64): nothing to expand, normalise or reject.
  if ((attribute ? PLAIN_ATTRIBUTE : PLAIN_TEXT).test(raw)) return raw;
  // The decoded value is never longer than the raw text (a reference is longer than what it stands for, CR LF
  // becomes one unit), so it is written unit by unit into one buffer of the raw length and read back once:
  // memory stays linear whatever the text (appending unit by unit to a string builds a rope of one node per
  // unit: gigabytes for a few megabytes of text with one '&amp;' in it).
  const n = raw.length;
  const out = new Uint16Array(n);
  let m = 0;
  for (let k = 0; k < n; k++) {
    const c = raw.charCodeAt(k);
    if (c === 0x26) {
      const semi = raw.indexOf(';', k + 1);
      if (semi === -1 || semi - k > 12) fail('XML_MALFORMED', "'&' not followed by a reference", offset + k);
      const ref = raw.slice(k + 1, semi);
      const named = PREDEFINED.get(ref);
      if (named !== undefined) {
        out[m++] = named;
      } else if (/^#[0-9]{1,7}$/.test(ref) || /^#x[0-9A-Fa-f]{1,6}$/.test(ref)) {
        const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        const ok = cp <= 0x10ffff && (cp >= 0x10000 ? true : isXmlChar(cp) && !(cp >= 0xd800 && cp <= 0xdfff));
        if (!ok) fail('XML_MALFORMED', `character reference &${ref}; is not an XML character`, offset + k);
        if (cp >= 0x10000) {
          out[m++] = 0xd800 + ((cp - 0x10000) >> 10);
          out[m++] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
        } else {
          out[m++] = cp;
        }
      } else if (/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(ref)) {
        fail('XML_ENTITY_FORBIDDEN', `entity reference &${ref}; is forbidden`, offset + k);
      } else {
        fail('XML_MALFORMED', `malformed reference &${ref};`, offset + k);
      }
      k = semi;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = raw.charCodeAt(k + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) fail('XML_MALFORMED', 'unpaired surrogate', offset + k);
      out[m++] = c;
      out[m++] = d;
      k++;
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) fail('XML_MALFORMED', 'unpaired surrogate', offset + k);
    if (!isXmlChar(c)) fail('XML_MALFORMED', `character U+${c.toString(16).padStart(4, '0')} is not allowed in XML`, offset + k);
    if (c === 0xd) {
      // XML 1.0 §2.11: CR LF and lone CR become LF.
      if (raw.charCodeAt(k + 1) === 0xa) k++;
      out[m++] = attribute ? 0x20 : 0xa;
      continue;
    }
    if (attribute && (c === 0x9 || c === 0xa)) {
      // XML 1.0 §3.3.3: literal whitespace in an attribute value becomes a space.
      out[m++] = 0x20;
      continue;
    }
    out[m++] = c;
  }
  // Code units to a string in slices (an argument list has a bound): String.fromCharCode reads the units
  // themselves, whatever the platform's byte order (decoding the buffer as UTF-16LE would assume it).
  let text = '';
  for (let k = 0; k < m; k += 8192) text += String.fromCharCode(...out.subarray(k, Math.min(m, k + 8192)));
  return text;
}

/**
 * Escapes text content for the canonical writer: `&`, `<`, `>` and CR (as `&#13;`, which XML would
 * otherwise turn into LF), so that reading gives back exactly the written value.
 *
 * @param text - the value.
 * @returns the escaped text.
 * @example escapeText('a<b') // 'a&lt;b'
 */
export function escapeText(text: string): string {
  return text.replace(/[&<>\r]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : '&#13;'));
}

/**
 * Escapes an attribute value (double-quoted): as {@link escapeText} plus `"`, TAB and LF, which attribute
 * normalisation would otherwise turn into spaces.
 *
 * @param text - the value.
 * @returns the escaped value.
 * @example escapeAttribute('a"b') // 'a&quot;b'
 */
export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/["\t\n]/g, (ch) => (ch === '"' ? '&quot;' : ch === '\t' ? '&#9;' : '&#10;'));
}
