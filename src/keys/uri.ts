/**
 * Key URIs (design.md §6): where a signing key lives, in one string a CLI flag can carry.
 *
 * - `file:<key.pem>?cert=<cert.pem>[&chain=<pem>][&password-source=file:<path>]`: a software key;
 * - `pkcs12:<file.p12>[?password-source=file:<path>]`: a PKCS#12 (PFX) file;
 * - `pkcs11:token=…;object=…;id=%01?module-path=…&pin-source=file:…`: a key on a token (RFC 7512).
 *
 * Parsing is strict: unknown or repeated attributes, characters outside the RFC 7512 grammar and bad
 * percent-escapes are refused with `KEY_URI_INVALID`, because a silently ignored attribute would sign
 * with a different key than the one the operator named. Error messages name the attribute, never its
 * value: a `pin-value` must not reach a log through an error.
 */
import { KeyProviderError } from './errors.js';

/** Longest key URI accepted (hostile-input bound). */
export const MAX_KEY_URI_LENGTH = 8192;

/** A parsed `file:` URI: a PEM/DER private key plus its certificate. Paths are not yet resolved. */
export interface FileKeyUri {
  readonly scheme: 'file';
  /** Path of the private key (PKCS#8 plain or encrypted, or SEC1 EC), as written in the URI. */
  readonly keyPath: string;
  /** Path of the certificate (PEM or DER); absent when the key file also holds a `CERTIFICATE` block. */
  readonly certPath?: string;
  /** Paths of further certificates (intermediates), each a PEM file of one or more certificates. */
  readonly chainPaths: readonly string[];
  /** Where the key password is read from: `file:<path>` (or a bare path). */
  readonly passwordSource?: string;
}

/** A parsed `pkcs12:` URI. */
export interface Pkcs12KeyUri {
  readonly scheme: 'pkcs12';
  /** Path of the PKCS#12 file, as written in the URI. */
  readonly path: string;
  /** Where the password is read from: `file:<path>` (or a bare path). */
  readonly passwordSource?: string;
}

/**
 * A parsed RFC 7512 `pkcs11:` URI. Every path attribute present narrows the token or object
 * searched for; absent ones match anything.
 *
 * `pinValue` is a non-enumerable property: it does not show in `JSON.stringify`, `console.log` or
 * `util.inspect` of the parsed URI.
 */
export interface Pkcs11KeyUri {
  readonly scheme: 'pkcs11';
  /** `token`: the token label (CK_TOKEN_INFO.label). */
  readonly token?: string;
  /** `manufacturer`: CK_TOKEN_INFO.manufacturerID. */
  readonly manufacturer?: string;
  /** `serial`: CK_TOKEN_INFO.serialNumber. */
  readonly serial?: string;
  /** `model`: CK_TOKEN_INFO.model. */
  readonly model?: string;
  /** `library-manufacturer`: CK_INFO.manufacturerID. */
  readonly libraryManufacturer?: string;
  /** `library-description`: CK_INFO.libraryDescription. */
  readonly libraryDescription?: string;
  /** `library-version`: CK_INFO.libraryVersion as `major[.minor]`. */
  readonly libraryVersion?: { readonly major: number; readonly minor: number };
  /** `slot-description`: CK_SLOT_INFO.slotDescription. */
  readonly slotDescription?: string;
  /** `slot-manufacturer`: CK_SLOT_INFO.manufacturerID. */
  readonly slotManufacturer?: string;
  /** `slot-id`: the CK_SLOT_ID, decimal. */
  readonly slotId?: number;
  /** `object`: CKA_LABEL of the private key and its certificate. */
  readonly object?: string;
  /** `type`: only `private` and `cert` make sense for a signing key (both select the same pair). */
  readonly type?: 'private' | 'cert';
  /** `id`: CKA_ID bytes (percent-decoded). */
  readonly id?: Uint8Array;
  /** `module-path`: the PKCS#11 library to load. */
  readonly modulePath?: string;
  /** `module-name`: a library name looked up in the usual PKCS#11 module directories. */
  readonly moduleName?: string;
  /** `pin-source`: where the PIN is read from (`file:<path>` or a bare path). */
  readonly pinSource?: string;
  /** `pin-value`: the PIN itself (non-enumerable; prefer `pin-source` or `EVOUCHER_PIN`). */
  readonly pinValue?: string;
  /** `x-sm2-mechanism`: the vendor CK_MECHANISM_TYPE that signs a precomputed SM2 digest e. */
  readonly sm2Mechanism?: number;
}

/** Any parsed key URI. */
export type KeyUri = FileKeyUri | Pkcs12KeyUri | Pkcs11KeyUri;

/**
 * Parses a key URI without touching the file system.
 *
 * @param uri - a `file:`, `pkcs12:` or `pkcs11:` URI
 * @returns the parsed URI (paths as written; relative ones are resolved when the key is opened)
 * @throws KeyProviderError `KEY_URI_INVALID` for an unknown scheme, an unknown, repeated or malformed
 *   attribute, a bad percent-escape, or a URI longer than {@link MAX_KEY_URI_LENGTH}
 * @example
 * parseKeyUri('pkcs11:token=evoucher;object=finance?module-path=/usr/lib/softhsm/libsofthsm2.so')
 */
export function parseKeyUri(uri: string): KeyUri {
  if (typeof uri !== 'string' || uri.length === 0) invalid('empty key uri');
  if (uri.length > MAX_KEY_URI_LENGTH) {
    invalid('key uri too long', { limit: String(MAX_KEY_URI_LENGTH) });
  }
  // A control character or a space is never part of any of the three grammars (RFC 3986 §2).
  if (/[\u0000-\u0020\u007f]/u.test(uri)) invalid('key uri contains a space or control character');
  const colon = uri.indexOf(':');
  const scheme = colon < 0 ? '' : uri.slice(0, colon).toLowerCase();
  const rest = uri.slice(colon + 1);
  switch (scheme) {
    case 'file':
      return parseFileUri(rest);
    case 'pkcs12':
      return parsePkcs12Uri(rest);
    case 'pkcs11':
      return parsePkcs11Uri(rest);
    default:
      return invalid('unknown key uri scheme (expected file:, pkcs12: or pkcs11:)', {
        scheme: scheme.slice(0, 16),
      });
  }
}

// ---------------------------------------------------------------------------------------------
// file: and pkcs12:

function parseFileUri(rest: string): FileKeyUri {
  const { path, query } = splitPathAndQuery(rest, 'file');
  const params = parseQuery(query, 'file', new Set(['cert', 'chain', 'password-source']), new Set(['chain']));
  const certPath = single(params, 'cert');
  const passwordSource = single(params, 'password-source');
  return freeze({
    scheme: 'file',
    keyPath: path,
    chainPaths: Object.freeze([...(params.get('chain') ?? [])]),
    ...(certPath === undefined ? {} : { certPath }),
    ...(passwordSource === undefined ? {} : { passwordSource }),
  });
}

function parsePkcs12Uri(rest: string): Pkcs12KeyUri {
  const { path, query } = splitPathAndQuery(rest, 'pkcs12');
  const params = parseQuery(query, 'pkcs12', new Set(['password-source']), new Set());
  const passwordSource = single(params, 'password-source');
  return freeze({
    scheme: 'pkcs12',
    path,
    ...(passwordSource === undefined ? {} : { passwordSource }),
  });
}

function splitPathAndQuery(rest: string, scheme: string): { path: string; query: string | undefined } {
  if (rest.includes('#')) invalid('fragments are not allowed in a key uri', { scheme });
  const q = rest.indexOf('?');
  let rawPath = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? undefined : rest.slice(q + 1);
  // `file:///abs/key.pem` and `file://localhost/abs/key.pem` (RFC 8089 §2) as well as `file:key.pem`.
  if (rawPath.startsWith('//')) {
    const slash = rawPath.indexOf('/', 2);
    const host = slash < 0 ? rawPath.slice(2) : rawPath.slice(2, slash);
    if (host !== '' && host.toLowerCase() !== 'localhost') {
      invalid('remote hosts are not allowed in a key uri', { scheme });
    }
    rawPath = slash < 0 ? '' : rawPath.slice(slash);
  }
  const path = decodeText(rawPath, scheme, 'path');
  if (path.length === 0) invalid('key uri names no file', { scheme });
  if (path.includes('\u0000')) invalid('key uri path contains NUL', { scheme });
  return { path, query };
}

function parseQuery(
  query: string | undefined,
  scheme: string,
  allowed: ReadonlySet<string>,
  repeatable: ReadonlySet<string>,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (query === undefined || query === '') return out;
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) invalid('malformed key uri query attribute', { scheme });
    const name = part.slice(0, eq);
    if (!allowed.has(name)) {
      invalid('unknown key uri attribute', { scheme, attribute: safeName(name) });
    }
    const value = decodeText(part.slice(eq + 1), scheme, name);
    if (value.length === 0) invalid('empty key uri attribute', { scheme, attribute: name });
    // Every query attribute of file: and pkcs12: names a file; NUL ends a path for the system, so a
    // `%00` is refused here as it is in the key path, not left to the file system to fail on.
    if (value.includes('\u0000')) invalid('key uri attribute contains NUL', { scheme, attribute: name });
    const list = out.get(name);
    if (list === undefined) out.set(name, [value]);
    else if (repeatable.has(name)) list.push(value);
    else invalid('repeated key uri attribute', { scheme, attribute: name });
  }
  return out;
}

function single(params: Map<string, string[]>, name: string): string | undefined {
  return params.get(name)?.[0];
}

// ---------------------------------------------------------------------------------------------
// pkcs11: (RFC 7512)

// RFC 7512 §2.3 ABNF character classes.
const UNRESERVED = 'A-Za-z0-9\\-._~';
const RES_AVAIL = ":\\[\\]@!$'()*+,=";
const PATH_VALUE = new RegExp(`^(?:[${UNRESERVED}${RES_AVAIL}&]|%[0-9A-Fa-f]{2})*$`, 'u');
const QUERY_VALUE = new RegExp(`^(?:[${UNRESERVED}${RES_AVAIL}/?|]|%[0-9A-Fa-f]{2})*$`, 'u');

const PATH_ATTRIBUTES = new Set([
  'token',
  'manufacturer',
  'serial',
  'model',
  'library-manufacturer',
  'library-version',
  'library-description',
  'object',
  'type',
  'id',
  'slot-description',
  'slot-manufacturer',
  'slot-id',
]);
const QUERY_ATTRIBUTES = new Set(['pin-source', 'pin-value', 'module-name', 'module-path', 'x-sm2-mechanism']);

function parsePkcs11Uri(rest: string): Pkcs11KeyUri {
  const scheme = 'pkcs11';
  if (rest.includes('#')) invalid('fragments are not allowed in a key uri', { scheme });
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? '' : rest.slice(q + 1);

  const raw = new Map<string, string>();
  // RFC 7512 §2.3: path attributes are separated by ";", query attributes by "&"; an attribute
  // "MUST NOT appear more than once" in the path, and a repeated query attribute is ambiguous.
  const collect = (part: string, where: 'path' | 'query'): void => {
    if (part === '') return;
    const eq = part.indexOf('=');
    if (eq <= 0) invalid('malformed pkcs11 uri attribute', { scheme });
    const name = part.slice(0, eq);
    const value = part.slice(eq + 1);
    const known = where === 'path' ? PATH_ATTRIBUTES : QUERY_ATTRIBUTES;
    if (!known.has(name)) invalid('unknown pkcs11 uri attribute', { scheme, attribute: safeName(name) });
    if (!(where === 'path' ? PATH_VALUE : QUERY_VALUE).test(value)) {
      invalid('pkcs11 uri attribute has characters that must be percent-encoded', { scheme, attribute: name });
    }
    if (raw.has(name)) invalid('repeated pkcs11 uri attribute', { scheme, attribute: name });
    raw.set(name, value);
  };
  for (const part of path.split(';')) collect(part, 'path');
  for (const part of query.split('&')) collect(part, 'query');

  const text = (name: string): string | undefined => {
    const v = raw.get(name);
    return v === undefined ? undefined : decodeText(v, scheme, name);
  };
  const out: Record<string, unknown> = { scheme };
  const setText = (name: string, key: string): void => {
    const v = text(name);
    if (v !== undefined) out[key] = v;
  };
  setText('token', 'token');
  setText('manufacturer', 'manufacturer');
  setText('serial', 'serial');
  setText('model', 'model');
  setText('library-manufacturer', 'libraryManufacturer');
  setText('library-description', 'libraryDescription');
  setText('slot-description', 'slotDescription');
  setText('slot-manufacturer', 'slotManufacturer');
  setText('object', 'object');
  setText('module-path', 'modulePath');
  setText('module-name', 'moduleName');
  setText('pin-source', 'pinSource');

  const version = text('library-version');
  if (version !== undefined) {
    const m = /^(\d{1,3})(?:\.(\d{1,3}))?$/u.exec(version);
    if (m === null) invalid('library-version must be major[.minor]', { scheme, attribute: 'library-version' });
    out['libraryVersion'] = Object.freeze({ major: Number(m[1]), minor: Number(m[2] ?? '0') });
  }
  const slotId = text('slot-id');
  if (slotId !== undefined) {
    if (!/^\d{1,15}$/u.test(slotId)) invalid('slot-id must be a decimal number', { scheme, attribute: 'slot-id' });
    out['slotId'] = Number(slotId);
  }
  const type = text('type');
  if (type !== undefined) {
    if (type !== 'private' && type !== 'cert') {
      invalid('type must be private or cert for a signing key', { scheme, attribute: 'type' });
    }
    out['type'] = type;
  }
  const id = raw.get('id');
  if (id !== undefined) {
    const bytes = percentDecode(id, scheme, 'id');
    out['id'] = bytes;
  }
  const mech = text('x-sm2-mechanism');
  if (mech !== undefined) out['sm2Mechanism'] = parseMechanism(mech);
  if (raw.has('pin-value') && raw.has('pin-source')) {
    // RFC 7512 §2.3: "pin-value" and "pin-source" MUST NOT be used together.
    invalid('pin-value and pin-source must not be used together', { scheme, attribute: 'pin-value' });
  }
  if (raw.has('module-path') && raw.has('module-name')) {
    invalid('module-path and module-name must not be used together', { scheme, attribute: 'module-name' });
  }
  const pinValue = text('pin-value');
  if (pinValue !== undefined) {
    // Non-enumerable so that logging or serialising the parsed URI cannot leak the PIN.
    Object.defineProperty(out, 'pinValue', { value: pinValue, enumerable: false });
  }
  // Empty values are valid RFC 7512 syntax (they match empty fields); empty file names are not,
  // nor file names holding NUL (as in file: URIs: the system would cut the path there).
  for (const [key, attribute] of [
    ['modulePath', 'module-path'],
    ['moduleName', 'module-name'],
    ['pinSource', 'pin-source'],
  ] as const) {
    const value = out[key];
    if (value === '') invalid('empty pkcs11 uri attribute', { scheme, attribute });
    if (typeof value === 'string' && value.includes('\u0000')) invalid('pkcs11 uri attribute contains NUL', { scheme, attribute });
  }
  return Object.freeze(out) as unknown as Pkcs11KeyUri;
}

function parseMechanism(text: string): number {
  const m = /^(?:0x([0-9A-Fa-f]{1,13})|(\d{1,15}))$/u.exec(text);
  if (m === null) {
    invalid('x-sm2-mechanism must be a decimal or 0x-hex number', { scheme: 'pkcs11', attribute: 'x-sm2-mechanism' });
  }
  return m[1] !== undefined ? Number.parseInt(m[1], 16) : Number(m[2]);
}

// ---------------------------------------------------------------------------------------------
// percent-encoding (RFC 3986 §2.1; RFC 7512 §2.3 for pkcs11)

function percentDecode(s: string, scheme: string, attribute: string): Uint8Array {
  const out: number[] = [];
  const utf8 = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 /* % */) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/u.test(hex)) invalid('bad percent-escape in key uri', { scheme, attribute });
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) {
      out.push(c);
    } else {
      // Non-ASCII characters written raw (an IRI): take their UTF-8 bytes.
      const cp = s.codePointAt(i) ?? c;
      const ch = String.fromCodePoint(cp);
      for (const b of utf8.encode(ch)) out.push(b);
      i += ch.length - 1;
    }
  }
  return Uint8Array.from(out);
}

function decodeText(s: string, scheme: string, attribute: string): string {
  const bytes = percentDecode(s, scheme, attribute);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return invalid('key uri attribute is not valid UTF-8', { scheme, attribute });
  }
}

/**
 * Percent-encodes a value for a `pkcs11:` URI path or query attribute (RFC 7512 §2.3): every byte
 * outside the unreserved set is escaped, so the result is valid in both places.
 *
 * @param value - a text (encoded as UTF-8) or raw bytes (e.g. a CKA_ID)
 * @returns the escaped text
 * @throws KeyProviderError `ARG_INVALID` when `value` is neither a string nor a Uint8Array
 * @example
 * `pkcs11:token=${encodePkcs11UriValue('my token')};id=${encodePkcs11UriValue(Uint8Array.of(1))}`
 */
export function encodePkcs11UriValue(value: string | Uint8Array): string {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw new KeyProviderError('ARG_INVALID', 'a pkcs11 URI value must be a string or a Uint8Array', { detail: { argument: 'value' } });
  }
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  let out = '';
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    out += /^[A-Za-z0-9\-._~]$/u.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function safeName(name: string): string {
  // An unknown attribute name is echoed for the operator, bounded and stripped of escapes.
  return name.replace(/[^A-Za-z0-9\-_.]/gu, '?').slice(0, 40);
}

function freeze<T extends object>(o: T): T {
  return Object.freeze(o);
}

function invalid(message: string, detail: Record<string, string> = {}): never {
  throw new KeyProviderError('KEY_URI_INVALID', message, { detail });
}
