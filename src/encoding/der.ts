/**
 * A strict DER toolkit (ITU-T X.690 §8 and §10) that keeps every TLV as a view of the received bytes.
 *
 * Design rationale: seal objects arrive inside hostile envelopes, and their signatures cover byte
 * slices of what was received (GB/T 38540-2020 §6.2, §7.2). A verifier must therefore (1) find those
 * slices exactly, never re-encode them, and (2) refuse every encoding freedom BER allows, so that one
 * value has one accepted encoding and two parsers cannot disagree about what was signed (parser
 * differentials, security.md §1.11). The reader here:
 *
 * - accepts only definite, minimal lengths (X.690 §10.1), minimal tag numbers and primitive strings
 *   (X.690 §10.2 forbids constructed strings);
 * - requires that the children of a constructed TLV fill its content exactly and that nothing follows
 *   the outermost TLV;
 * - bounds the input size, the nesting depth and the node count before doing any work proportional to
 *   a claimed length (security.md §1.12: a length claiming 2^32 bytes, 10k-deep nesting), and can refuse
 *   the high-tag-number form where a format never uses it ({@link DER_LOW_TAG_LIMITS}).
 *
 * Two ways to read, one node type: {@link readDer} checks the whole tree at once (seal objects, whose
 * every byte is signed); {@link readDerLazy} checks the outer TLV and lets {@link derChildren} parse the
 * children of a node only when a decoder asks for them, under the same rules (certificates and CRLs,
 * where a 200,000-entry revocation list must not become a million-node tree). Decoders then use the
 * same typed readers (`readDerInteger`, `readDerOid`, ...) on either kind of node.
 *
 * There is no lenient TLV mode on purpose: every real vendor seal file we hold is DER at the TLV level
 * (standards.md §2.3). The vendor quirks that do exist are schema-level (an explicitly encoded
 * DEFAULT value, a legacy alternative type); the SES decoders tolerate exactly those in their lenient
 * mode and record each one as a {@link DerQuirk}.
 *
 * Errors: every violation throws an {@link EvoucherError} with one of `DER_MALFORMED`,
 * `DER_TRAILING_BYTES`, `DER_INDEFINITE_LENGTH`, `DER_TOO_DEEP`, `DER_TOO_LARGE`, and `detail.offset`
 * (and `detail.path` when a decoder names the field).
 */
import { EvoucherError } from '../errors.js';
import type { ErrorCode } from '../errors.js';

/** The class of a tag (X.690 §8.1.2.2). */
export type DerTagClass = 'universal' | 'application' | 'context' | 'private';

/** A parsed TLV. Offsets are relative to the buffer given to the reader; `raw` and `value` are views of it. */
export interface DerNode {
  /** The tag number (e.g. 16 for SEQUENCE, 0 for `[0]`). */
  readonly tag: number;
  /** The tag class. */
  readonly class: DerTagClass;
  /** True for a constructed encoding (children follow), false for a primitive one. */
  readonly constructed: boolean;
  /** Bytes of identifier and length octets. */
  readonly headerLength: number;
  /** Length of the contents octets. */
  readonly length: number;
  /** Offset of the first identifier octet. */
  readonly start: number;
  /** Offset just after the last contents octet. */
  readonly end: number;
  /** The whole TLV, a subarray of the input (never a copy). */
  readonly raw: Uint8Array;
  /** The contents octets, a subarray of the input. */
  readonly value: Uint8Array;
  /** The children of a constructed node (absent on primitive nodes and on nodes from {@link readTlv}). */
  readonly children?: readonly DerNode[];
}

/** A tolerated deviation from DER or from the schema, recorded by a lenient decoder. */
export interface DerQuirk {
  /** Stable name of the quirk, e.g. `explicit-default-boolean`. */
  readonly quirk: string;
  /** Offset of the TLV concerned, relative to the decoded buffer. */
  readonly offset: number;
  /** A lower-case human message naming the field. */
  readonly message: string;
}

/** Limits of the reader. */
export interface DerLimits {
  /** Largest input accepted, in bytes. Default {@link DER_DEFAULT_MAX_SIZE}. */
  readonly maxSize?: number;
  /**
   * Deepest nesting accepted (the outermost TLV has depth 1). Default {@link DER_DEFAULT_MAX_DEPTH}, at most
   * {@link DER_MAX_DEPTH_LIMIT}. Every limit is an integer from 0; anything else, and a name that is no limit, is
   * refused with `ARG_INVALID`.
   */
  readonly maxDepth?: number;
  /**
   * Most TLVs accepted in one tree built by {@link readDer}. Default {@link DER_DEFAULT_MAX_NODES}. A tree
   * read by {@link readDerLazy} is parsed only as far as its decoder asks; `derChildren`'s `max` bounds each step.
   */
  readonly maxNodes?: number;
  /**
   * Largest tag number accepted. Default {@link DER_DEFAULT_MAX_TAG_NUMBER}; 30 refuses the high-tag-number
   * form (X.690 §8.1.2.4), which X.509, CMS, PKCS and evoucher's own structures never use.
   */
  readonly maxTagNumber?: number;
}

/** Default largest DER input: 4 MiB (a seal with a picture is tens of kilobytes). */
export const DER_DEFAULT_MAX_SIZE = 4 * 1024 * 1024;
/** Default deepest nesting: 32 (an `SES_Signature` nests about 8 deep; a certificate about 10). */
export const DER_DEFAULT_MAX_DEPTH = 32;
/** Default most nodes in one tree. */
export const DER_DEFAULT_MAX_NODES = 100_000;
/** Default largest tag number: what four base-128 octets can hold. */
export const DER_DEFAULT_MAX_TAG_NUMBER = 2 ** 28 - 1;

/**
 * Limits for formats whose tags are all below 31 (X.509, CRLs, CMS, PKCS#1/#8, SEC1, `EvoucherTbs`): a
 * high-form tag there is refused as malformed rather than read as an unknown element.
 */
export const DER_LOW_TAG_LIMITS: Readonly<DerLimits> = Object.freeze({ maxTagNumber: 30 });

/** Universal tag numbers used by the SDK (X.680 §8.4). */
export const DER_TAG = Object.freeze({
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  ENUMERATED: 10,
  UTF8_STRING: 12,
  SEQUENCE: 16,
  SET: 17,
  PRINTABLE_STRING: 19,
  TELETEX_STRING: 20,
  IA5_STRING: 22,
  UTC_TIME: 23,
  GENERALIZED_TIME: 24,
  UNIVERSAL_STRING: 28,
  BMP_STRING: 30,
} as const);

const CLASSES: readonly DerTagClass[] = ['universal', 'application', 'context', 'private'];
const CLASS_BITS: Readonly<Record<DerTagClass, number>> = { universal: 0x00, application: 0x40, context: 0x80, private: 0xc0 };

/**
 * Universal types whose encoding is always primitive: BOOLEAN, INTEGER, NULL, OID, ObjectDescriptor, REAL,
 * ENUMERATED, RELATIVE-OID, TIME and DATE .. RELATIVE-OID-IRI (X.690 §8.2, §8.3, §8.5, §8.8, §8.19, §8.20,
 * §8.26), and every string and time type, which DER requires to be primitive (X.690 §10.2).
 */
const PRIMITIVE_ONLY_UNIVERSAL = new Set([1, 2, 3, 4, 5, 6, 7, 9, 10, 12, 13, 14, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 30, 31, 32, 33, 34, 35, 36]);
/** Universal types whose encoding is always constructed: EXTERNAL, EMBEDDED PDV, SEQUENCE, SET, CHARACTER STRING. */
const CONSTRUCTED_ONLY_UNIVERSAL = new Set([8, 11, 16, 17, 29]);

function derError(code: ErrorCode, message: string, offset: number, path?: string): EvoucherError {
  const detail: Record<string, string> = { offset: String(offset) };
  if (path !== undefined) detail['path'] = path;
  return new EvoucherError(code, message, { detail });
}

interface Header {
  tag: number;
  cls: DerTagClass;
  constructed: boolean;
  headerLength: number;
  length: number;
}

/**
 * The one header {@link readHeader} fills and returns: TLVs are read by the hundred per voucher, and an object
 * per header was a fifth of the reader's garbage. Valid until the next call; callers copy what they keep.
 */
const HEADER: Header = { tag: 0, cls: 'universal', constructed: false, headerLength: 0, length: 0 };

/** The limits with their defaults applied. */
interface Rules {
  readonly maxSize: number;
  readonly maxDepth: number;
  readonly maxNodes: number;
  readonly maxTagNumber: number;
}

/**
 * The deepest `maxDepth` accepted: {@link readDer} descends by recursion, and a limit the call stack cannot
 * hold would turn a deep input into a `RangeError` instead of `DER_TOO_DEEP`.
 */
export const DER_MAX_DEPTH_LIMIT = 1024;

function limitOf(value: number | undefined, fallback: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  // A NaN, negative or fractional limit would switch its check off (`x > NaN` is false): refuse it.
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new EvoucherError('ARG_INVALID', `der: limit ${name} must be an integer from 0 to ${max}`, { detail: { argument: name } });
  }
  return value;
}

/** The names of {@link DerLimits}. */
const LIMIT_NAMES: ReadonlySet<string> = new Set(['maxSize', 'maxDepth', 'maxNodes', 'maxTagNumber']);

/** The limits of a read that gives none (the default argument: no object made per call). */
const NO_LIMITS: DerLimits = Object.freeze({});

/**
 * The rules of a read. The toolkit's own frozen limits ({@link DER_LOW_TAG_LIMITS}, none) were checked once, when
 * this module loaded; other limits are checked here, once per read, never per TLV.
 */
function rulesOf(limits: DerLimits): Rules {
  if (limits === NO_LIMITS) return DEFAULT_RULES;
  if (limits === DER_LOW_TAG_LIMITS) return LOW_TAG_RULES;
  return checkedRules(limits);
}

function checkedRules(limits: DerLimits): Rules {
  // Limits that are no object, or a misspelt name (`maxDeph`), would leave the defaults where the caller meant others.
  if (typeof limits !== 'object' || limits === null) throw new EvoucherError('ARG_INVALID', 'der: the limits must be an object', { detail: { argument: 'limits' } });
  for (const name in limits) {
    if (!LIMIT_NAMES.has(name)) throw new EvoucherError('ARG_INVALID', `der: ${name.slice(0, 64)} is not a limit (maxSize, maxDepth, maxNodes, maxTagNumber)`, { detail: { argument: name.slice(0, 64) } });
  }
  return {
    maxSize: limitOf(limits.maxSize, DER_DEFAULT_MAX_SIZE, 'maxSize'),
    maxDepth: limitOf(limits.maxDepth, DER_DEFAULT_MAX_DEPTH, 'maxDepth', DER_MAX_DEPTH_LIMIT),
    maxNodes: limitOf(limits.maxNodes, DER_DEFAULT_MAX_NODES, 'maxNodes'),
    maxTagNumber: limitOf(limits.maxTagNumber, DER_DEFAULT_MAX_TAG_NUMBER, 'maxTagNumber'),
  };
}

const DEFAULT_RULES: Rules = Object.freeze(checkedRules(NO_LIMITS));
const LOW_TAG_RULES: Rules = Object.freeze(checkedRules(DER_LOW_TAG_LIMITS));


/**
 * Reads identifier and length octets at `offset` of `bytes`; `limit` is the end of the enclosing content and
 * `base` the offset of `bytes` in the caller's buffer (for error offsets). Applies every per-TLV rule.
 */
function readHeader(bytes: Uint8Array, offset: number, limit: number, rules: Rules, base: number): Header {
  const at = base + offset;
  let p = offset;
  if (p >= limit) throw derError('DER_MALFORMED', 'der: missing tag', at);
  const first = bytes[p++] as number;
  const cls = CLASSES[first >> 6] as DerTagClass;
  const constructed = (first & 0x20) !== 0;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    // High tag number form (X.690 §8.1.2.4): base-128, no leading 0x80 octet, and only for tags >= 31.
    tag = 0;
    let count = 0;
    for (;;) {
      if (p >= limit) throw derError('DER_MALFORMED', 'der: truncated tag', at);
      const b = bytes[p++] as number;
      if (count === 0 && b === 0x80) throw derError('DER_MALFORMED', 'der: non-minimal tag number', at);
      if (++count > 4) throw derError('DER_MALFORMED', 'der: tag number too large', at);
      tag = tag * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    if (tag < 31) throw derError('DER_MALFORMED', 'der: high-form tag for a low tag number', at);
  }
  if (tag > rules.maxTagNumber) throw derError('DER_MALFORMED', `der: tag number ${tag} above the limit ${rules.maxTagNumber}`, at);
  if (p >= limit) throw derError('DER_MALFORMED', 'der: missing length', at);
  const l0 = bytes[p++] as number;
  let length: number;
  if (l0 < 0x80) {
    length = l0;
  } else if (l0 === 0x80) {
    // X.690 §10.1: DER uses the definite form only.
    throw derError('DER_INDEFINITE_LENGTH', 'der: indefinite length', at);
  } else if (l0 === 0xff) {
    throw derError('DER_MALFORMED', 'der: reserved length octet 0xff', at);
  } else {
    const n = l0 & 0x7f;
    // More than 4 length octets always claims >= 2^32 bytes (or is non-minimal): refuse without reading on.
    if (n > 4) throw derError('DER_TOO_LARGE', `der: length of ${n} octets`, at);
    if (p + n > limit) throw derError('DER_MALFORMED', 'der: truncated length', at);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (bytes[p++] as number);
    // X.690 §10.1: the minimum number of length octets.
    if (length < 0x80 || bytes[p - n] === 0) throw derError('DER_MALFORMED', 'der: non-minimal length', at);
  }
  if (length > rules.maxSize) throw derError('DER_TOO_LARGE', `der: length ${length} exceeds the limit ${rules.maxSize}`, at);
  if (p + length > limit) throw derError('DER_MALFORMED', 'der: length overruns the enclosing data', at);
  if (cls === 'universal') {
    if (constructed && PRIMITIVE_ONLY_UNIVERSAL.has(tag)) {
      throw derError('DER_MALFORMED', `der: constructed encoding of universal type ${tag}`, at);
    }
    if (!constructed && CONSTRUCTED_ONLY_UNIVERSAL.has(tag)) {
      throw derError('DER_MALFORMED', `der: primitive encoding of universal type ${tag}`, at);
    }
    // Tag 0 is end-of-contents, which only terminates BER indefinite lengths (X.690 §8.1.5).
    if (tag === 0) throw derError('DER_MALFORMED', 'der: end-of-contents octets in DER', at);
    // X.680 §8.6 (Table 1): universal 15 and every number above 36 are reserved, no type has them.
    if (tag === 15 || tag > 36) throw derError('DER_MALFORMED', `der: reserved universal tag ${tag}`, at);
    // X.690 §8.8.2, §8.2.1: a NULL has no contents octets, a BOOLEAN exactly one (its value is readDerBoolean's).
    if (tag === DER_TAG.NULL && length !== 0) throw derError('DER_MALFORMED', 'der: NULL with contents octets', at);
    if (tag === DER_TAG.BOOLEAN && length !== 1) throw derError('DER_MALFORMED', 'der: BOOLEAN not of one octet', at);
  }
  HEADER.tag = tag;
  HEADER.cls = cls;
  HEADER.constructed = constructed;
  HEADER.headerLength = p - offset;
  HEADER.length = length;
  return HEADER;
}

function checkSize(bytes: Uint8Array, maxSize: number): void {
  if (!(bytes instanceof Uint8Array)) throw new EvoucherError('ARG_INVALID', 'der: input must be a Uint8Array');
  if (bytes.length > maxSize) throw derError('DER_TOO_LARGE', `der: input of ${bytes.length} bytes exceeds the limit ${maxSize}`, 0);
}

/**
 * The node implementation. `raw` and `value` are made on first use, and a node read without its children keeps
 * what {@link derChildren} needs to expand it (its buffer, the rules and its depth): a CRL of 200,000 entries
 * must not cost a million subarrays and side tables.
 */
class Node implements DerNode {
  readonly tag: number;
  readonly class: DerTagClass;
  readonly constructed: boolean;
  readonly headerLength: number;
  readonly length: number;
  readonly start: number;
  readonly end: number;
  declare readonly children?: readonly DerNode[];
  /** The buffer the node was read from and the node's offset in it (`start` is relative to the caller's buffer). */
  readonly #buf: Uint8Array;
  readonly #at: number;
  readonly #rules: Rules;
  readonly #depth: number;
  #raw: Uint8Array | undefined;
  #value: Uint8Array | undefined;

  constructor(buf: Uint8Array, at: number, h: Header, base: number, rules: Rules, depth: number, children: readonly DerNode[] | undefined) {
    this.tag = h.tag;
    this.class = h.cls;
    this.constructed = h.constructed;
    this.headerLength = h.headerLength;
    this.length = h.length;
    this.start = base + at;
    this.end = base + at + h.headerLength + h.length;
    if (children !== undefined) this.children = Object.freeze(children);
    this.#buf = buf;
    this.#at = at;
    this.#rules = rules;
    this.#depth = depth;
    Object.freeze(this);
  }

  get raw(): Uint8Array {
    return (this.#raw ??= this.#buf.subarray(this.#at, this.#at + this.headerLength + this.length));
  }

  get value(): Uint8Array {
    return (this.#value ??= this.#buf.subarray(this.#at + this.headerLength, this.#at + this.headerLength + this.length));
  }

  /** Parses the children, at most `max` (the count is checked before reading on). */
  expand(path: string, max: number): readonly DerNode[] {
    const depth = this.#depth + 1;
    const buf = this.#buf;
    const end = this.#at + this.headerLength + this.length;
    const base = this.start - this.#at;
    const out: DerNode[] = [];
    let p = this.#at + this.headerLength;
    while (p < end) {
      if (depth > this.#rules.maxDepth) throw derError('DER_TOO_DEEP', `der: nesting deeper than ${this.#rules.maxDepth}`, base + p);
      if (out.length >= max) throw derError('DER_MALFORMED', `der: ${path} has more than ${max} elements`, this.start, path);
      const h = readHeader(buf, p, end, this.#rules, base);
      const size = h.headerLength + h.length;
      out.push(new Node(buf, p, h, base, this.#rules, depth, undefined));
      p += size;
    }
    return out;
  }
}

/**
 * Reads one TLV at `offset` without descending into it ({@link derChildren} parses its children on demand).
 *
 * @param bytes - the buffer.
 * @param offset - where the identifier octet is.
 * @param limits - size, depth and tag-number limits.
 * @returns the node (no `children`); `raw` and `value` are subarrays of `bytes`.
 * @throws EvoucherError `DER_MALFORMED` (truncated, non-minimal, a constructed string), `DER_INDEFINITE_LENGTH`,
 *   `DER_TOO_LARGE`.
 * @example
 * const node = readTlv(bytes, 0); const next = node.end;
 */
export function readTlv(bytes: Uint8Array, offset: number, limits: DerLimits = NO_LIMITS): DerNode {
  const rules = rulesOf(limits);
  checkSize(bytes, rules.maxSize);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new EvoucherError('ARG_INVALID', 'der: offset must be a non-negative integer');
  return new Node(bytes, offset, readHeader(bytes, offset, bytes.length, rules, 0), 0, rules, 1, undefined);
}

/**
 * Parses `bytes` as exactly one DER TLV without descending into it: {@link derChildren} parses the children
 * of a constructed node when a decoder asks for them, under the same rules and limits, so a decoder pays
 * only for what it reads.
 *
 * @param bytes - the DER.
 * @param limits - size, depth and tag-number limits (`maxNodes` does not apply: see {@link DerLimits}).
 * @returns the root node (no `children`); offsets are relative to `bytes`.
 * @throws EvoucherError `DER_MALFORMED`, `DER_TRAILING_BYTES` (bytes after the TLV), `DER_INDEFINITE_LENGTH`,
 *   `DER_TOO_LARGE`.
 * @example
 * const cert = readDerLazy(der, DER_LOW_TAG_LIMITS); const [tbs] = derChildren(cert, 'Certificate', 3, 3);
 */
export function readDerLazy(bytes: Uint8Array, limits: DerLimits = NO_LIMITS): DerNode {
  const root = readTlv(bytes, 0, limits);
  if (root.end !== bytes.length) {
    throw derError('DER_TRAILING_BYTES', `der: ${bytes.length - root.end} bytes after the outer element`, root.end);
  }
  return root;
}

/**
 * Parses `bytes` as exactly one DER TLV and builds the whole tree (constructed nodes get `children`).
 *
 * @param bytes - the DER.
 * @param limits - size, depth, node-count and tag-number limits.
 * @returns the root node; every `raw`/`value` is a subarray of `bytes`, offsets are relative to `bytes`.
 * @throws EvoucherError `DER_MALFORMED`, `DER_TRAILING_BYTES` (bytes after the TLV),
 *   `DER_INDEFINITE_LENGTH`, `DER_TOO_DEEP`, `DER_TOO_LARGE`.
 * @example
 * const root = readDer(sealBytes); const sealInfo = root.children?.[0]?.raw;
 */
export function readDer(bytes: Uint8Array, limits: DerLimits = NO_LIMITS): DerNode {
  const rules = rulesOf(limits);
  checkSize(bytes, rules.maxSize);
  let nodes = 0;
  const parse = (offset: number, limit: number, depth: number): DerNode => {
    if (depth > rules.maxDepth) throw derError('DER_TOO_DEEP', `der: nesting deeper than ${rules.maxDepth}`, offset);
    if (++nodes > rules.maxNodes) throw derError('DER_TOO_LARGE', `der: more than ${rules.maxNodes} elements`, offset);
    const h = readHeader(bytes, offset, limit, rules, 0);
    if (!h.constructed) return new Node(bytes, offset, h, 0, rules, depth, undefined);
    // The shared header is overwritten by the children: keep a copy.
    const own: Header = { ...h };
    const children: DerNode[] = [];
    const contentEnd = offset + own.headerLength + own.length;
    let p = offset + own.headerLength;
    while (p < contentEnd) {
      const child = parse(p, contentEnd, depth + 1);
      children.push(child);
      p = child.end;
    }
    return new Node(bytes, offset, own, 0, rules, depth, children);
  };
  const root = parse(0, bytes.length, 1);
  if (root.end !== bytes.length) {
    throw derError('DER_TRAILING_BYTES', `der: ${bytes.length - root.end} bytes after the outer element`, root.end);
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// Schema helpers: check a node's tag and decode its value, strictly. `path` names the field in errors.
// ---------------------------------------------------------------------------------------------

/** What a node must look like: a universal tag number, or a `{ class, tag }` pair. */
export type DerTagSpec = number | { readonly class: DerTagClass; readonly tag: number; readonly constructed?: boolean };

/**
 * True when `node` has the given tag (universal number, or class and number).
 *
 * @param node - the node (undefined gives false).
 * @param spec - a universal tag number, or `{ class, tag, constructed? }`.
 * @returns whether the tag matches.
 * @example
 * if (isDerTag(node, DER_TAG.SEQUENCE)) { ... }
 */
export function isDerTag(node: DerNode | undefined, spec: DerTagSpec): boolean {
  if (node === undefined) return false;
  if (typeof spec === 'number') return node.class === 'universal' && node.tag === spec;
  if (node.class !== spec.class || node.tag !== spec.tag) return false;
  return spec.constructed === undefined || node.constructed === spec.constructed;
}

/**
 * Returns `node` when it has the given tag, else throws.
 *
 * @param node - the node, possibly undefined (a missing field).
 * @param spec - the expected tag.
 * @param path - the field name for the error.
 * @returns the node.
 * @throws EvoucherError `DER_MALFORMED` when the node is missing or has another tag.
 * @example
 * const seq = expectDerTag(root, DER_TAG.SEQUENCE, 'SESeal');
 */
export function expectDerTag(node: DerNode | undefined, spec: DerTagSpec, path: string): DerNode {
  if (node === undefined) throw derError('DER_MALFORMED', `der: ${path} is missing`, -1, path);
  if (!isDerTag(node, spec)) throw derError('DER_MALFORMED', `der: ${path} has an unexpected tag`, node.start, path);
  return node;
}

/**
 * The children of a constructed node, checked for count. A node from {@link readDerLazy} or {@link readTlv}
 * has its children parsed here, under the limits it was read with, and never more than `max` of them.
 *
 * @param node - a constructed node.
 * @param path - the field name for errors.
 * @param min - fewest children allowed.
 * @param max - most children allowed.
 * @returns the children.
 * @throws EvoucherError `DER_MALFORMED` on a primitive node, a wrong count or a malformed child; `DER_TOO_DEEP`,
 *   `DER_TOO_LARGE`, `DER_INDEFINITE_LENGTH` from a child read here.
 * @example
 * const [header, esId] = derChildren(sealInfo, 'SES_SealInfo', 4, 5);
 */
export function derChildren(node: DerNode, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): readonly DerNode[] {
  if (!node.constructed) throw derError('DER_MALFORMED', `der: ${path} is not constructed`, node.start, path);
  const children = node.children ?? (node instanceof Node ? node.expand(path, max) : undefined);
  if (children === undefined) throw derError('DER_MALFORMED', `der: ${path} was not read by this toolkit`, node.start, path);
  const n = children.length;
  if (n < min || n > max) throw derError('DER_MALFORMED', `der: ${path} has ${n} elements`, node.start, path);
  return children;
}

/**
 * Parses `bytes` as exactly one SEQUENCE, lazily (see {@link readDerLazy}), and returns its children, checked
 * for count: the usual first step of decoding a key, a signature value or a certificate.
 *
 * @param bytes - the DER.
 * @param path - the structure name for errors.
 * @param min - fewest children allowed.
 * @param max - most children allowed.
 * @param limits - size, depth and tag-number limits.
 * @returns the children (read on demand further down).
 * @throws EvoucherError `DER_MALFORMED` (not a SEQUENCE, wrong count, malformed child), `DER_TRAILING_BYTES`,
 *   `DER_INDEFINITE_LENGTH`, `DER_TOO_DEEP`, `DER_TOO_LARGE`.
 * @example
 * const [algorithm, subjectPublicKey] = readDerSequence(spki, 'SubjectPublicKeyInfo', 2, 2, DER_LOW_TAG_LIMITS);
 */
export function readDerSequence(bytes: Uint8Array, path: string, min = 0, max = Number.MAX_SAFE_INTEGER, limits: DerLimits = NO_LIMITS): readonly DerNode[] {
  return derChildren(expectDerTag(readDerLazy(bytes, limits), DER_TAG.SEQUENCE, path), path, min, max);
}

/**
 * The tag of a context-specific field `[n]`: constructed by default, as an EXPLICIT tag (or an IMPLICIT one
 * over a constructed type) is; pass `false` for an IMPLICIT tag over a primitive type.
 *
 * @param tag - the tag number.
 * @param constructed - whether the encoding is constructed.
 * @returns the tag spec, for {@link isDerTag}, {@link expectDerTag} and {@link derTlv}.
 * @example
 * if (isDerTag(fields[0], derContextTag(0))) { ... }  // [0] EXPLICIT version
 */
export function derContextTag(tag: number, constructed = true): DerTagSpec {
  return { class: 'context', tag, constructed };
}

/** Checks the contents of an INTEGER or ENUMERATED node: present and minimal (X.690 §8.3.2, §8.4). */
function integerContents(node: DerNode | undefined, tag: number, path: string): Uint8Array {
  const n = expectDerTag(node, tag, path);
  const v = n.value;
  if (v.length === 0) throw derError('DER_MALFORMED', `der: ${path} is an empty INTEGER`, n.start, path);
  if (v.length > 1 && ((v[0] === 0x00 && ((v[1] as number) & 0x80) === 0) || (v[0] === 0xff && ((v[1] as number) & 0x80) !== 0))) {
    throw derError('DER_MALFORMED', `der: ${path} is a non-minimal INTEGER`, n.start, path);
  }
  return v;
}

function twosComplement(v: Uint8Array): bigint {
  // Through hex: building the value octet by octet would be quadratic in the length of a hostile INTEGER.
  const x = BigInt(`0x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`);
  return ((v[0] as number) & 0x80) !== 0 ? x - (1n << BigInt(8 * v.length)) : x;
}

/**
 * Decodes an INTEGER (X.690 §8.3: two's complement, minimal octets).
 *
 * @param node - the INTEGER node.
 * @param path - the field name for errors.
 * @returns the value.
 * @throws EvoucherError `DER_MALFORMED` on another tag, empty contents or a non-minimal encoding.
 * @example
 * const v = readDerInteger(node, 'version');
 */
export function readDerInteger(node: DerNode | undefined, path: string): bigint {
  return twosComplement(integerContents(node, DER_TAG.INTEGER, path));
}

/**
 * Returns the contents octets of an INTEGER after checking its encoding, without converting them: for
 * values that are identifiers rather than numbers, such as certificate serial numbers (RFC 5280 §4.1.2.2).
 *
 * @param node - the INTEGER node.
 * @param path - the field name for errors.
 * @returns the two's-complement contents (a subarray of the input).
 * @throws EvoucherError `DER_MALFORMED` on another tag, empty contents or a non-minimal encoding.
 * @example
 * const serialHex = Buffer.from(readDerIntegerBytes(node, 'serialNumber')).toString('hex');
 */
export function readDerIntegerBytes(node: DerNode | undefined, path: string): Uint8Array {
  return integerContents(node, DER_TAG.INTEGER, path);
}

function smallValue(v: Uint8Array, node: DerNode | undefined, path: string, min: number, max: number): number {
  // A value in a safe-integer range has at most 8 contents octets; refuse longer ones before converting.
  const x = v.length > 8 ? undefined : twosComplement(v);
  if (x === undefined || x < BigInt(min) || x > BigInt(max)) throw derError('DER_MALFORMED', `der: ${path} out of range`, node?.start ?? -1, path);
  return Number(x);
}

/**
 * Decodes an INTEGER that must lie in `[min, max]` (safe-integer range).
 *
 * @param node - the INTEGER node.
 * @param path - the field name for errors.
 * @param min - smallest value allowed (default 0).
 * @param max - largest value allowed (default 2^31 - 1).
 * @returns the value as a number.
 * @throws EvoucherError `DER_MALFORMED` when malformed or out of range.
 * @example
 * const width = readDerSmallInteger(node, 'picture.width', 0, 10000);
 */
export function readDerSmallInteger(node: DerNode | undefined, path: string, min = 0, max = 0x7fffffff): number {
  return smallValue(integerContents(node, DER_TAG.INTEGER, path), node, path, min, max);
}

/**
 * Decodes an ENUMERATED (X.690 §8.4: encoded as an INTEGER) that must lie in `[min, max]`.
 *
 * @param node - the ENUMERATED node.
 * @param path - the field name for errors.
 * @param min - smallest value allowed (default 0).
 * @param max - largest value allowed (default 2^31 - 1).
 * @returns the value as a number.
 * @throws EvoucherError `DER_MALFORMED` on another tag, a non-minimal encoding or a value out of range.
 * @example
 * const reason = readDerEnumerated(node, 'reasonCode', 0, 10);
 */
export function readDerEnumerated(node: DerNode | undefined, path: string, min = 0, max = 0x7fffffff): number {
  return smallValue(integerContents(node, DER_TAG.ENUMERATED, path), node, path, min, max);
}

/**
 * Decodes a BOOLEAN (X.690 §11.1: FALSE is 0x00, TRUE is 0xFF).
 *
 * @param node - the BOOLEAN node.
 * @param path - the field name for errors.
 * @returns the value.
 * @throws EvoucherError `DER_MALFORMED` on another tag, length or octet value.
 * @example
 * const critical = readDerBoolean(node, 'ExtData.critical');
 */
export function readDerBoolean(node: DerNode | undefined, path: string): boolean {
  const n = expectDerTag(node, DER_TAG.BOOLEAN, path);
  if (n.length !== 1 || (n.value[0] !== 0x00 && n.value[0] !== 0xff)) {
    throw derError('DER_MALFORMED', `der: ${path} is not a DER BOOLEAN`, n.start, path);
  }
  return n.value[0] === 0xff;
}

/** Longest OID accepted, in contents octets (real OIDs are under 30). */
const MAX_OID_LENGTH = 64;

/**
 * Decodes an OBJECT IDENTIFIER to dotted text (X.690 §8.19, minimal sub-identifiers).
 *
 * @param node - the OID node.
 * @param path - the field name for errors.
 * @returns the dotted OID, e.g. `1.2.156.10197.1.501`.
 * @throws EvoucherError `DER_MALFORMED` on another tag, empty or over-long contents, non-minimal or truncated arcs.
 * @example
 * const alg = readDerOid(node, 'signAlgID');
 */
export function readDerOid(node: DerNode | undefined, path: string): string {
  const n = expectDerTag(node, DER_TAG.OID, path);
  const v = n.value;
  if (v.length === 0 || v.length > MAX_OID_LENGTH) throw derError('DER_MALFORMED', `der: ${path} has a bad OID length`, n.start, path);
  // Arcs below 2^46 (every OID met in practice) are read with numbers; a longer arc switches to BigInt.
  let text = '';
  let acc = 0;
  let fresh = true;
  for (let i = 0; i < v.length; i++) {
    const b = v[i] as number;
    if (fresh && b === 0x80) throw derError('DER_MALFORMED', `der: ${path} has a non-minimal OID arc`, n.start, path);
    if (acc >= 2 ** 46) return readLongOid(v, n.start, path);
    acc = acc * 128 + (b & 0x7f);
    fresh = (b & 0x80) === 0;
    if (fresh) {
      // The first arc holds two (X.690 §8.19.4).
      text += text === '' ? (acc < 40 ? `0.${acc}` : acc < 80 ? `1.${acc - 40}` : `2.${acc - 80}`) : `.${acc}`;
      acc = 0;
    }
  }
  if (!fresh) throw derError('DER_MALFORMED', `der: ${path} has a truncated OID arc`, n.start, path);
  return text;
}

/** {@link readDerOid} for an OID with an arc of 2^46 or more (minimality was checked by the caller's pass). */
function readLongOid(v: Uint8Array, start: number, path: string): string {
  const arcs: bigint[] = [];
  let acc = 0n;
  let fresh = true;
  for (let i = 0; i < v.length; i++) {
    const b = v[i] as number;
    if (fresh && b === 0x80) throw derError('DER_MALFORMED', `der: ${path} has a non-minimal OID arc`, start, path);
    acc = (acc << 7n) | BigInt(b & 0x7f);
    fresh = (b & 0x80) === 0;
    if (fresh) {
      arcs.push(acc);
      acc = 0n;
    }
  }
  if (!fresh) throw derError('DER_MALFORMED', `der: ${path} has a truncated OID arc`, start, path);
  const first = arcs[0] as bigint;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].map(String).join('.');
}

/**
 * Decodes a BIT STRING (X.690 §8.6, §11.2: unused bits 0..7, zero padding, none when empty).
 *
 * @param node - the BIT STRING node.
 * @param path - the field name for errors.
 * @returns the unused-bit count and the data octets (a subarray of the input, after the unused-bits octet).
 * @throws EvoucherError `DER_MALFORMED` on another tag or a malformed unused-bits octet or padding.
 * @example
 * const { unusedBits, bytes } = readDerBitString(node, 'signature');
 */
export function readDerBitString(node: DerNode | undefined, path: string): { readonly unusedBits: number; readonly bytes: Uint8Array } {
  const n = expectDerTag(node, DER_TAG.BIT_STRING, path);
  if (n.length === 0) throw derError('DER_MALFORMED', `der: ${path} has no unused-bits octet`, n.start, path);
  const unusedBits = n.value[0] as number;
  const bytes = n.value.subarray(1);
  if (unusedBits > 7 || (bytes.length === 0 && unusedBits !== 0)) {
    throw derError('DER_MALFORMED', `der: ${path} has a bad unused-bits octet`, n.start, path);
  }
  if (unusedBits > 0 && (((bytes[bytes.length - 1] as number) & ((1 << unusedBits) - 1)) !== 0)) {
    throw derError('DER_MALFORMED', `der: ${path} has non-zero padding bits`, n.start, path);
  }
  return { unusedBits, bytes };
}

/**
 * Returns the data of a BIT STRING that carries whole octets (unused bits 0), as signatures, public keys
 * and GB/T 38540 hashes do (RFC 5280 §4.1.1.3, standards.md §2.3).
 *
 * @param node - the BIT STRING node.
 * @param path - the field name for errors.
 * @returns the data octets (a subarray of the input).
 * @throws EvoucherError `DER_MALFORMED` on another tag, a malformed BIT STRING or unused bits other than 0.
 * @example
 * const signature = readDerBitStringOctets(node, 'signatureValue');
 */
export function readDerBitStringOctets(node: DerNode | undefined, path: string): Uint8Array {
  const { unusedBits, bytes } = readDerBitString(node, path);
  if (unusedBits !== 0) throw derError('DER_MALFORMED', `der: ${path} has ${unusedBits} unused bits; 0 is required`, node?.start ?? -1, path);
  return bytes;
}

/**
 * Returns the contents of an OCTET STRING (a subarray of the input).
 *
 * @param node - the OCTET STRING node.
 * @param path - the field name for errors.
 * @returns the contents.
 * @throws EvoucherError `DER_MALFORMED` on another tag.
 * @example
 * const certDer = readDerOctetString(node, 'cert');
 */
export function readDerOctetString(node: DerNode | undefined, path: string): Uint8Array {
  return expectDerTag(node, DER_TAG.OCTET_STRING, path).value;
}

/** A character string type the toolkit decodes. */
export type DerStringType = 'utf8' | 'ia5' | 'printable';

const STRING_TAGS: Readonly<Record<DerStringType, number>> = { utf8: DER_TAG.UTF8_STRING, ia5: DER_TAG.IA5_STRING, printable: DER_TAG.PRINTABLE_STRING };

function badStringType(type: unknown): never {
  throw new EvoucherError('ARG_INVALID', `der: string type ${typeof type === 'string' ? `'${type.slice(0, 32)}'` : typeof type} must be 'utf8', 'ia5' or 'printable'`, { detail: { argument: 'type' } });
}
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes a UTF8String, IA5String (ASCII) or PrintableString, checking the character repertoire.
 *
 * @param node - the string node.
 * @param type - the expected type.
 * @param path - the field name for errors.
 * @returns the text.
 * @throws EvoucherError `DER_MALFORMED` on another tag, invalid UTF-8 or a character outside the type;
 *   `ARG_INVALID` for another `type`.
 * @example
 * const esId = readDerString(node, 'ia5', 'esID');
 */
export function readDerString(node: DerNode | undefined, type: DerStringType, path: string): string {
  // Own keys only (`toString` is no string type): another type is the caller's error, never a tag mismatch.
  const tag = type === 'utf8' || type === 'ia5' || type === 'printable' ? STRING_TAGS[type] : badStringType(type);
  const n = expectDerTag(node, tag, path);
  if (type === 'utf8') {
    try {
      return utf8Decoder.decode(n.value);
    } catch {
      throw derError('DER_MALFORMED', `der: ${path} is not valid UTF-8`, n.start, path);
    }
  }
  let s = '';
  for (const b of n.value) {
    if (b > 0x7f) throw derError('DER_MALFORMED', `der: ${path} has a non-ASCII octet`, n.start, path);
    s += String.fromCharCode(b);
  }
  if (type === 'printable' && !PRINTABLE.test(s)) throw derError('DER_MALFORMED', `der: ${path} is not a PrintableString`, n.start, path);
  return s;
}

const UTC_TIME = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d*[1-9]))?Z$/;

function utcDate(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): Date | undefined {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  // Date.UTC maps 0..99 to 1900..1999: set the full year explicitly, then reject rolled-over days (Feb 30).
  t.setUTCFullYear(y, mo - 1, d);
  if (t.getUTCDate() !== d || t.getUTCMonth() !== mo - 1) return undefined;
  return t;
}

/**
 * Decodes a UTCTime or GeneralizedTime in its DER form (X.690 §11.7, §11.8: `Z`, seconds present,
 * fractions without trailing zeros; UTCTime years 50..99 are 19xx, RFC 5280 §4.1.2.5.1).
 *
 * @param node - the time node.
 * @param type - `utc` or `generalized`.
 * @param path - the field name for errors.
 * @returns the instant.
 * @throws EvoucherError `DER_MALFORMED` on another tag or a non-DER time form; `ARG_INVALID` for another `type`
 *   (never read as GeneralizedTime).
 * @example
 * const t = readDerTime(node, 'generalized', 'timeInfo');
 */
export function readDerTime(node: DerNode | undefined, type: 'utc' | 'generalized', path: string): Date {
  const utc = type === 'utc';
  if (!utc && type !== 'generalized') {
    throw new EvoucherError('ARG_INVALID', `der: time type ${typeof type === 'string' ? `'${(type as string).slice(0, 32)}'` : typeof type} must be 'utc' or 'generalized'`, { detail: { argument: 'type' } });
  }
  const n = expectDerTag(node, utc ? DER_TAG.UTC_TIME : DER_TAG.GENERALIZED_TIME, path);
  let text = '';
  // The longest form read is `YYYYMMDDHHMMSS.fffZ` (19 octets): a longer value is refused before it is copied.
  if (n.length <= 19) for (const b of n.value) text += String.fromCharCode(b);
  const m = (utc ? UTC_TIME : GENERALIZED_TIME).exec(text);
  let date: Date | undefined;
  if (m !== null) {
    const num = (i: number): number => Number(m[i]);
    if (utc) {
      const yy = num(1);
      date = utcDate(yy >= 50 ? 1900 + yy : 2000 + yy, num(2), num(3), num(4), num(5), num(6), 0);
    } else {
      const frac = m[7];
      if (frac === undefined || frac.length <= 3) {
        const ms = frac === undefined ? 0 : Number(frac.padEnd(3, '0'));
        date = utcDate(num(1), num(2), num(3), num(4), num(5), num(6), ms);
      }
    }
  }
  if (date === undefined) throw derError('DER_MALFORMED', `der: ${path} is not a DER ${utc ? 'UTCTime' : 'GeneralizedTime'}`, n.start, path);
  return date;
}

/**
 * Decodes a `Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }` in the profile of RFC 5280
 * §4.1.2.5 and RFC 5652 §11.3: the type follows the tag, `Z`, seconds present and no fractional seconds.
 * It does not require UTCTime for the years 1950–2049.
 *
 * @param node - the time node.
 * @param path - the field name for errors.
 * @returns the instant.
 * @throws EvoucherError `DER_MALFORMED` on another tag, a non-DER time or a fraction of a second.
 * @example
 * const notBefore = readDerX509Time(validity[0], 'notBefore');
 */
export function readDerX509Time(node: DerNode | undefined, path: string): Date {
  const utc = isDerTag(node, DER_TAG.UTC_TIME);
  const date = readDerTime(node, utc ? 'utc' : 'generalized', path);
  // RFC 5280 §4.1.2.5.2: GeneralizedTime values MUST NOT include fractional seconds.
  if (!utc && (node as DerNode).length !== 15) throw derError('DER_MALFORMED', `der: ${path} has fractional seconds`, (node as DerNode).start, path);
  return date;
}

// ---------------------------------------------------------------------------------------------
// Errors: callers report DER faults under their own codes.
// ---------------------------------------------------------------------------------------------

/**
 * True for an error raised by this toolkit: an {@link EvoucherError} whose code starts with `DER_`.
 *
 * @param e - anything caught.
 * @returns whether it is a DER error.
 * @example
 * catch (e) { if (isDerError(e)) return null; throw e; }
 */
export function isDerError(e: unknown): e is EvoucherError {
  return e instanceof EvoucherError && e.code.startsWith('DER_');
}

/**
 * Throws `DER_MALFORMED` for a schema rule a caller's decoder checks itself (a DEFAULT value encoded, a
 * duplicate extension), so that it is reported like the toolkit's own schema errors.
 *
 * @param message - lower-case, naming the field.
 * @param node - the node concerned, for `detail.offset`.
 * @param path - the field name, for `detail.path`.
 * @returns never.
 * @throws EvoucherError `DER_MALFORMED`, always.
 * @example
 * if (!critical) failDer('extension encodes critical FALSE', node, 'Extension.critical');
 */
export function failDer(message: string, node?: DerNode, path?: string): never {
  throw derError('DER_MALFORMED', `der: ${message}`, node?.start ?? -1, path);
}

/**
 * Runs `f` and reports every `DER_*` error it throws under `code` (same message without the `der:`
 * prefix, same detail, the original as `cause`); other errors pass through unchanged.
 *
 * @param code - the caller's code, e.g. `CERT_MALFORMED`.
 * @param f - the decoding step.
 * @param what - an optional prefix for the message, e.g. `certificate`.
 * @returns what `f` returns.
 * @throws EvoucherError `code` for a DER error; whatever else `f` throws.
 * @example
 * const tbs = mapDerErrors('SEAL_TBS_MALFORMED', () => decodeFields(der));
 */
export function mapDerErrors<T>(code: ErrorCode, f: () => T, what?: string): T {
  try {
    return f();
  } catch (e) {
    if (!isDerError(e)) throw e;
    const message = e.message.replace(/^der: /, '');
    throw new EvoucherError(code, what === undefined ? message : `${what}: ${message}`, { cause: e, detail: e.detail });
  }
}

// ---------------------------------------------------------------------------------------------
// Writer: small and exact. Every function returns a new complete TLV.
// ---------------------------------------------------------------------------------------------

function encodeIdentifier(cls: DerTagClass, constructed: boolean, tag: number): Uint8Array {
  if (!Number.isSafeInteger(tag) || tag < 0 || tag >= 2 ** 28) throw new EvoucherError('ARG_INVALID', `der: bad tag number ${tag}`);
  const lead = CLASS_BITS[cls] | (constructed ? 0x20 : 0);
  if (tag < 31) return Uint8Array.of(lead | tag);
  const arcs: number[] = [tag & 0x7f];
  for (let t = Math.floor(tag / 128); t > 0; t = Math.floor(t / 128)) arcs.unshift(0x80 | (t & 0x7f));
  return Uint8Array.from([lead | 0x1f, ...arcs]);
}

/** The identifier octets of a tag spec: a universal number (constructed for SEQUENCE and SET) or `{ class, tag, constructed }`. */
function identifierOf(spec: DerTagSpec): Uint8Array {
  return typeof spec === 'number'
    ? encodeIdentifier('universal', spec === DER_TAG.SEQUENCE || spec === DER_TAG.SET, spec)
    : encodeIdentifier(spec.class, spec.constructed ?? false, spec.tag);
}

/** Octets of the definite length `len` (X.690 §8.1.3: short form below 128, else the fewest long-form octets). */
function lengthOctets(len: number): number {
  if (len < 0x80) return 1;
  let n = 1;
  for (let l = len; l > 0; l = Math.floor(l / 256)) n++;
  return n;
}

/** Writes the length octets of `len` at `at` (exactly {@link lengthOctets}(len) of them). */
function writeLength(out: Uint8Array, at: number, len: number): void {
  const n = lengthOctets(len);
  if (n === 1) {
    out[at] = len;
    return;
  }
  out[at] = 0x80 | (n - 1);
  for (let i = n - 1, l = len; i >= 1; i--, l = Math.floor(l / 256)) out[at + i] = l % 256;
}

/**
 * Encodes one TLV with the given identifier and contents.
 *
 * @param spec - a universal tag number (primitive unless SEQUENCE/SET), or `{ class, tag, constructed }`.
 * @param contents - the contents octets (concatenated in order).
 * @returns the TLV.
 * @throws EvoucherError `ARG_INVALID` on a bad tag number.
 * @example
 * derTlv({ class: 'context', tag: 1, constructed: false }, bytes)
 */
export function derTlv(spec: DerTagSpec, ...contents: readonly Uint8Array[]): Uint8Array {
  const id = identifierOf(spec);
  let len = 0;
  for (const p of contents) len += p.length;
  // One allocation: identifier, length and contents written in place.
  const head = id.length + lengthOctets(len);
  const out = new Uint8Array(head + len);
  out.set(id, 0);
  writeLength(out, id.length, len);
  let o = head;
  for (const p of contents) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * A constructed TLV not written yet: its identifier, its parts (written TLVs or more of these) and its size.
 * Made by {@link derPending}, written by {@link derWrite}.
 */
export interface DerPending {
  /** The identifier octets. */
  readonly id: Uint8Array;
  /** The contents, in order. */
  readonly parts: readonly (Uint8Array | DerPending)[];
  /** Octets of the contents. */
  readonly contentLength: number;
  /** Octets of the whole TLV once written. */
  readonly size: number;
}

/**
 * Describes a TLV whose contents are written TLVs or other pending TLVs, to be written by {@link derWrite}.
 * A structure nested this way is written in one allocation, where nesting {@link derTlv} copies each level
 * into a new array: each array of more than 64 bytes lives outside V8's heap, and its allocation and its free
 * (on a background thread) cost more than the copy (the to-be-sealed structure of a seal made 2–3 of them).
 *
 * @param spec - as for {@link derTlv}.
 * @param parts - the contents, in order.
 * @returns the pending TLV.
 * @throws EvoucherError `ARG_INVALID` on a bad tag number.
 * @example derWrite(derPending(DER_TAG.SEQUENCE, derInteger(1), derPending(DER_TAG.SEQUENCE, derNull())))
 */
export function derPending(spec: DerTagSpec, ...parts: readonly (Uint8Array | DerPending)[]): DerPending {
  const id = identifierOf(spec);
  let contentLength = 0;
  for (const p of parts) contentLength += p instanceof Uint8Array ? p.length : p.size;
  return { id, parts, contentLength, size: id.length + lengthOctets(contentLength) + contentLength };
}

function writePending(out: Uint8Array, at: number, tlv: DerPending): number {
  out.set(tlv.id, at);
  let o = at + tlv.id.length;
  writeLength(out, o, tlv.contentLength);
  o += lengthOctets(tlv.contentLength);
  for (const p of tlv.parts) {
    if (p instanceof Uint8Array) {
      out.set(p, o);
      o += p.length;
    } else {
      o = writePending(out, o, p);
    }
  }
  return o;
}

/**
 * Writes a pending TLV and everything in it into one new array.
 *
 * @param tlv - from {@link derPending}.
 * @returns the DER, the same octets as the nested {@link derTlv} calls would give.
 * @example derWrite(derPending(DER_TAG.SEQUENCE, derInteger(1))) // 30 03 02 01 01
 */
export function derWrite(tlv: DerPending): Uint8Array {
  const out = new Uint8Array(tlv.size);
  writePending(out, 0, tlv);
  return out;
}

/**
 * Encodes a SEQUENCE of already-encoded elements.
 * @param elements - complete TLVs, in order.
 * @returns the SEQUENCE TLV.
 * @example derSequence(derInteger(4), derOid('1.2.156.10197.1.501'))
 */
export function derSequence(...elements: readonly Uint8Array[]): Uint8Array {
  return derTlv(DER_TAG.SEQUENCE, ...elements);
}

/**
 * Encodes an INTEGER in minimal two's complement.
 * @param value - the value (number must be a safe integer).
 * @returns the INTEGER TLV.
 * @throws EvoucherError `ARG_INVALID` on a non-integer number.
 * @example derInteger(4)
 */
export function derInteger(value: bigint | number): Uint8Array {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new EvoucherError('ARG_INVALID', 'der: INTEGER must be a safe integer');
  if (typeof value === 'number' && value >= 0 && value <= 0x7fffffff) {
    // The same minimal two's complement without BigInt: big-endian octets, a leading zero when the top bit is set.
    let n = 1;
    while (n < 4 && value >= 2 ** (8 * n)) n++;
    const lead = Math.floor(value / 2 ** (8 * (n - 1))) >= 0x80 ? 1 : 0;
    const out = new Uint8Array(2 + lead + n);
    out[0] = DER_TAG.INTEGER;
    out[1] = lead + n;
    for (let i = 0, v = value; i < n; i++, v = Math.floor(v / 256)) out[1 + lead + n - i] = v % 256;
    return out;
  }
  let v = BigInt(value);
  const out: number[] = [];
  // Emit octets until the remaining value is only the sign extension of the top octet.
  for (;;) {
    const b = Number(v & 0xffn);
    out.unshift(b);
    v >>= 8n;
    if ((v === 0n && (b & 0x80) === 0) || (v === -1n && (b & 0x80) !== 0)) break;
  }
  return derTlv(DER_TAG.INTEGER, Uint8Array.from(out));
}

/**
 * Encodes a BOOLEAN (0xFF for TRUE).
 * @param value - the value.
 * @returns the BOOLEAN TLV.
 * @throws EvoucherError `ARG_INVALID` for anything but `true` or `false`.
 * @example derBoolean(true)
 */
export function derBoolean(value: boolean): Uint8Array {
  // `'false'` or 1 would be written TRUE by truthiness.
  if (value !== true && value !== false) throw new EvoucherError('ARG_INVALID', 'der: BOOLEAN must be true or false');
  return derTlv(DER_TAG.BOOLEAN, Uint8Array.of(value ? 0xff : 0x00));
}

/**
 * Encodes a NULL.
 * @returns the NULL TLV (`05 00`).
 * @example derSequence(derOid('1.2.840.113549.1.1.11'), derNull())
 */
export function derNull(): Uint8Array {
  return derTlv(DER_TAG.NULL);
}

/**
 * Encodes an ENUMERATED (X.690 §8.4: the contents of the INTEGER with the same value).
 * @param value - the value (number must be a safe integer).
 * @returns the ENUMERATED TLV.
 * @throws EvoucherError `ARG_INVALID` on a non-integer number.
 * @example derEnumerated(1)
 */
export function derEnumerated(value: bigint | number): Uint8Array {
  const int = derInteger(value);
  int[0] = DER_TAG.ENUMERATED; // same length and contents: only the identifier octet differs
  return int;
}

/**
 * Orders two encodings as DER orders the elements of a SET OF (X.690 §11.6: as octet strings, the shorter
 * one padded at its end with zero octets).
 * @param a - one complete encoding.
 * @param b - the other.
 * @returns negative, zero or positive, for `Array.prototype.sort`.
 * @example derTlv(DER_TAG.SET, ...attributes.sort(compareDer))
 */
export function compareDer(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x - y;
  }
  return 0;
}

/**
 * Encodes an OCTET STRING.
 * @param data - the contents.
 * @returns the OCTET STRING TLV.
 * @example derOctetString(certDer)
 */
export function derOctetString(data: Uint8Array): Uint8Array {
  return derTlv(DER_TAG.OCTET_STRING, data);
}

/**
 * Encodes a BIT STRING.
 * @param data - the data octets.
 * @param unusedBits - unused bits in the last octet (0..7; padding bits must be zero).
 * @returns the BIT STRING TLV.
 * @throws EvoucherError `ARG_INVALID` on a bad unused-bit count or non-zero padding.
 * @example derBitString(signatureDer)
 */
export function derBitString(data: Uint8Array, unusedBits = 0): Uint8Array {
  if (!Number.isInteger(unusedBits) || unusedBits < 0 || unusedBits > 7 || (data.length === 0 && unusedBits !== 0)
    || (unusedBits > 0 && (((data[data.length - 1] as number) & ((1 << unusedBits) - 1)) !== 0))) {
    throw new EvoucherError('ARG_INVALID', 'der: bad BIT STRING unused bits');
  }
  return derTlv(DER_TAG.BIT_STRING, Uint8Array.of(unusedBits), data);
}

function asciiBytes(text: string, what: string, re?: RegExp): Uint8Array {
  // Not a string (a number, undefined): it has no length, and was written as an empty string.
  if (typeof text !== 'string') throw new EvoucherError('ARG_INVALID', `der: ${what} must be a string`);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) throw new EvoucherError('ARG_INVALID', `der: ${what} must be ASCII`);
    out[i] = c;
  }
  if (re !== undefined && !re.test(text)) throw new EvoucherError('ARG_INVALID', `der: ${what} has a character outside its type`);
  return out;
}

/**
 * Encodes an IA5String (ASCII).
 * @param text - ASCII text.
 * @returns the IA5String TLV.
 * @throws EvoucherError `ARG_INVALID` on a non-ASCII character.
 * @example derIa5String('ES')
 */
export function derIa5String(text: string): Uint8Array {
  return derTlv(DER_TAG.IA5_STRING, asciiBytes(text, 'IA5String'));
}

/**
 * Encodes a PrintableString.
 * @param text - text in the PrintableString repertoire (X.680 §41.4).
 * @returns the PrintableString TLV.
 * @throws EvoucherError `ARG_INVALID` on a character outside the repertoire.
 * @example derPrintableString('SM3')
 */
export function derPrintableString(text: string): Uint8Array {
  return derTlv(DER_TAG.PRINTABLE_STRING, asciiBytes(text, 'PrintableString', PRINTABLE));
}

const UTF8 = new TextEncoder();
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Encodes a UTF8String.
 * @param text - the text (lone surrogates are refused).
 * @returns the UTF8String TLV.
 * @throws EvoucherError `ARG_INVALID` on a lone surrogate or a value that is not a string.
 * @example derUtf8String('示例单位')
 */
export function derUtf8String(text: string): Uint8Array {
  // ASCII text (every voucher identity field) is its own UTF-8, copied by hand: `TextEncoder.encode` returns
  // an array whose memory lives outside V8's heap whatever its size, and each such array costs an allocation
  // and a free that V8 hands to a background thread (12 per verified 3-seal voucher before this).
  if (typeof text !== 'string') throw new EvoucherError('ARG_INVALID', 'der: UTF8String must be a string');
  if (ASCII_ONLY.test(text)) return derTlv(DER_TAG.UTF8_STRING, asciiBytes(text, 'UTF8String'));
  if (LONE_SURROGATE.test(text)) throw new EvoucherError('ARG_INVALID', 'der: UTF8String has a lone surrogate');
  return derTlv(DER_TAG.UTF8_STRING, UTF8.encode(text));
}

function checkDate(date: Date): void {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new EvoucherError('ARG_INVALID', 'der: invalid date');
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/**
 * Encodes a GeneralizedTime in its DER form: `YYYYMMDDHHMMSS[.fff]Z`, UTC, fraction only when the
 * milliseconds are not zero and without trailing zeros (X.690 §11.7).
 * @param date - the instant (years 0..9999).
 * @returns the GeneralizedTime TLV.
 * @throws EvoucherError `ARG_INVALID` on an invalid date or a year outside 0..9999.
 * @example derGeneralizedTime(new Date('2026-11-28T10:00:00Z'))  // "20261128100000Z"
 */
export function derGeneralizedTime(date: Date): Uint8Array {
  checkDate(date);
  const y = date.getUTCFullYear();
  if (y < 0 || y > 9999) throw new EvoucherError('ARG_INVALID', 'der: GeneralizedTime year out of range');
  const ms = date.getUTCMilliseconds();
  const frac = ms === 0 ? '' : `.${pad(ms, 3).replace(/0+$/, '')}`;
  const text = `${pad(y, 4)}${pad(date.getUTCMonth() + 1, 2)}${pad(date.getUTCDate(), 2)}${pad(date.getUTCHours(), 2)}`
    + `${pad(date.getUTCMinutes(), 2)}${pad(date.getUTCSeconds(), 2)}${frac}Z`;
  return derTlv(DER_TAG.GENERALIZED_TIME, asciiBytes(text, 'GeneralizedTime'));
}

/**
 * Encodes a UTCTime `YYMMDDHHMMSSZ` (years 1950..2049, RFC 5280 §4.1.2.5.1). Milliseconds must be zero:
 * UTCTime cannot carry them, and a writer that dropped them would not be exact.
 * @param date - the instant.
 * @returns the UTCTime TLV.
 * @throws EvoucherError `ARG_INVALID` on an invalid date, a year outside 1950..2049 or non-zero milliseconds.
 * @example derUtcTime(new Date('2020-04-22T00:00:00Z'))  // "200422000000Z"
 */
export function derUtcTime(date: Date): Uint8Array {
  checkDate(date);
  const y = date.getUTCFullYear();
  if (y < 1950 || y > 2049) throw new EvoucherError('ARG_INVALID', 'der: UTCTime year out of range');
  if (date.getUTCMilliseconds() !== 0) throw new EvoucherError('ARG_INVALID', 'der: UTCTime cannot hold milliseconds');
  const text = `${pad(y % 100, 2)}${pad(date.getUTCMonth() + 1, 2)}${pad(date.getUTCDate(), 2)}${pad(date.getUTCHours(), 2)}`
    + `${pad(date.getUTCMinutes(), 2)}${pad(date.getUTCSeconds(), 2)}Z`;
  return derTlv(DER_TAG.UTC_TIME, asciiBytes(text, 'UTCTime'));
}

/**
 * Encodes an OBJECT IDENTIFIER from dotted text.
 * @param dotted - e.g. `1.2.156.10197.1.501`.
 * @returns the OID TLV.
 * @throws EvoucherError `ARG_INVALID` on malformed text (fewer than two arcs, first arc > 2, second arc > 39 under 0/1).
 * @example derOid('1.2.156.10197.1.501')
 */
export function derOid(dotted: string): Uint8Array {
  // The same few OIDs are encoded for every structure: each is encoded once, and a copy handed out.
  const memo = OID_TLVS.get(dotted);
  if (memo !== undefined) return memo.slice();
  const tlv = encodeOid(dotted);
  if (OID_TLVS.size >= MAX_OID_MEMO) OID_TLVS.delete(OID_TLVS.keys().next().value as string);
  OID_TLVS.set(dotted, tlv);
  return tlv.slice();
}

/** Encoded OIDs by dotted text, oldest first. */
const OID_TLVS = new Map<string, Uint8Array>();
const MAX_OID_MEMO = 256;

function encodeOid(dotted: string): Uint8Array {
  // Arcs in their one decimal form (no leading zero), as readDerOid gives them back; at most what 64 octets hold.
  if (typeof dotted !== 'string' || dotted.length > 8 * MAX_OID_LENGTH || !/^(?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*))+$/.test(dotted)) {
    throw new EvoucherError('ARG_INVALID', `der: malformed OID ${String(dotted).slice(0, 100)}`);
  }
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const a0 = arcs[0] as bigint;
  const a1 = arcs[1] as bigint;
  if (a0 > 2n || (a0 < 2n && a1 > 39n)) throw new EvoucherError('ARG_INVALID', `der: malformed OID ${dotted}`);
  const out: number[] = [];
  for (const arc of [a0 * 40n + a1, ...arcs.slice(2)]) {
    const group: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) group.unshift(0x80 | Number(v & 0x7fn));
    out.push(...group);
    // What readDerOid would refuse is not written.
    if (out.length > MAX_OID_LENGTH) throw new EvoucherError('ARG_INVALID', `der: OID longer than ${MAX_OID_LENGTH} octets`);
  }
  return derTlv(DER_TAG.OID, Uint8Array.from(out));
}

/**
 * Wraps a complete TLV in an EXPLICIT context tag `[n]` (constructed).
 * @param tag - the context tag number.
 * @param inner - the complete inner TLV.
 * @returns the `[n]` TLV.
 * @example derExplicit(0, derSequence(...extDatas))
 */
export function derExplicit(tag: number, inner: Uint8Array): Uint8Array {
  return derTlv({ class: 'context', tag, constructed: true }, inner);
}
