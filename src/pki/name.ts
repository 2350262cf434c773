/**
 * X.501 names: RFC 4514 display strings, RFC 5280 §7.1 comparison keys, and ASN.1 times.
 */
import { DerError, TAG, children, content, decodeOid, expectTlv, readTlv, toHex } from './der.js';
import type { Tlv } from './der.js';

/** One attribute of a name. */
export interface NameAttribute {
  readonly oid: string;
  /** Decoded string value, or undefined when the value is not a string type. */
  readonly value?: string;
  /** Hex of the raw value TLV (for non-string values). */
  readonly rawHex: string;
}

/** A parsed Name: RDNs in encoded order (most significant first). */
export interface ParsedName {
  readonly rdns: readonly (readonly NameAttribute[])[];
  /** RFC 4514 string (least significant RDN first). */
  readonly text: string;
  /** Comparison key (RFC 5280 §7.1: case-insensitive, whitespace-folded string matching). */
  readonly key: string;
  /** The Name exactly as encoded (a view). */
  readonly der: Uint8Array;
}

const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
};

/** OIDs of name attributes used by this module. */
export const NAME_OID = {
  commonName: '2.5.4.3',
  country: '2.5.4.6',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  organizationIdentifier: '2.5.4.97',
} as const;

const MAX_NAME_ATTRIBUTES = 64;

function decodeString(tag: number, bytes: Uint8Array): string | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (tag) {
    case TAG.utf8String: {
      const s = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      return s;
    }
    case TAG.printableString:
      if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(buf.toString('latin1'))) throw new DerError('bad PrintableString');
      return buf.toString('latin1');
    case TAG.ia5String:
      if (bytes.some((b) => b > 0x7f)) throw new DerError('bad IA5String');
      return buf.toString('latin1');
    case TAG.teletexString:
      return buf.toString('latin1');
    case TAG.bmpString: {
      if (bytes.length % 2 !== 0) throw new DerError('bad BMPString');
      return new TextDecoder('utf-16be', { fatal: true }).decode(bytes);
    }
    case TAG.universalString: {
      if (bytes.length % 4 !== 0) throw new DerError('bad UniversalString');
      let s = '';
      for (let i = 0; i < bytes.length; i += 4) s += String.fromCodePoint(buf.readUInt32BE(i));
      return s;
    }
    default:
      return undefined;
  }
}

// RFC 4514 §2.4: escape special characters, a leading '#' or space and a trailing space.
function escapeValue(v: string): string {
  let s = v.replace(/[\\,+"<>;=]/g, (c) => '\\' + c).replace(/[\x00-\x1f]/g, (c) => '\\' + c.charCodeAt(0).toString(16).padStart(2, '0'));
  if (s.startsWith('#') || s.startsWith(' ')) s = '\\' + s;
  if (s.endsWith(' ') && s.length > 1) s = s.slice(0, -1) + '\\ ';
  return s;
}

function foldValue(v: string): string {
  return v.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Parses the Name TLV `t` of `buf`.
 * @throws DerError on malformed input
 */
export function parseName(buf: Uint8Array, t: Tlv): ParsedName {
  if (t.tag !== TAG.sequence) throw new DerError('name is not a SEQUENCE');
  const rdns: NameAttribute[][] = [];
  let count = 0;
  for (const rdn of children(buf, t, MAX_NAME_ATTRIBUTES)) {
    if (rdn.tag !== TAG.set) throw new DerError('relative distinguished name is not a SET');
    const attrs: NameAttribute[] = [];
    for (const atv of children(buf, rdn, MAX_NAME_ATTRIBUTES)) {
      if (++count > MAX_NAME_ATTRIBUTES) throw new DerError('too many name attributes');
      if (atv.tag !== TAG.sequence) throw new DerError('attribute is not a SEQUENCE');
      const typeT = expectTlv(buf, atv.contentStart, atv.end, TAG.oid, 'attribute type');
      const valueT = readTlv(buf, typeT.end, atv.end);
      if (valueT.end !== atv.end) throw new DerError('trailing data in attribute');
      const oid = decodeOid(content(buf, typeT));
      const value = decodeString(valueT.tag, content(buf, valueT));
      const rawHex = toHex(buf.subarray(valueT.start, valueT.end));
      attrs.push(value === undefined ? { oid, rawHex } : { oid, value, rawHex });
    }
    if (attrs.length === 0) throw new DerError('empty relative distinguished name');
    rdns.push(attrs);
  }
  const text = rdns
    .slice()
    .reverse()
    .map((rdn) =>
      rdn
        .map((a) => `${SHORT_NAMES[a.oid] ?? a.oid}=${a.value === undefined ? '#' + a.rawHex : escapeValue(a.value)}`)
        .join('+'),
    )
    .join(',');
  const key = rdns
    .map((rdn) =>
      rdn
        .map((a) => `${a.oid}=${a.value === undefined ? '#' + a.rawHex : JSON.stringify(foldValue(a.value))}`)
        .sort()
        .join('+'),
    )
    .join('/');
  return { rdns, text, key, der: buf.subarray(t.start, t.end) };
}

/** Every string value of attribute `oid` in `name`, in encoded order. */
export function attributeValues(name: ParsedName, oid: string): string[] {
  const out: string[] = [];
  for (const rdn of name.rdns) for (const a of rdn) if (a.oid === oid && a.value !== undefined) out.push(a.value);
  return out;
}

/**
 * Parses a UTCTime or GeneralizedTime TLV in the DER profile of RFC 5280 §4.1.2.5 (Zulu, seconds, no fraction).
 * @throws DerError on another form
 */
export function parseTime(buf: Uint8Array, t: Tlv): Date {
  const s = Buffer.from(content(buf, t)).toString('latin1');
  let m: RegExpExecArray | null;
  let year: number;
  if (t.tag === TAG.utcTime) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (m === null) throw new DerError('bad UTCTime');
    const yy = Number(m[1]);
    // RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY, else 20YY.
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (t.tag === TAG.generalizedTime) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (m === null) throw new DerError('bad GeneralizedTime');
    year = Number(m[1]);
  } else {
    throw new DerError('time is neither UTCTime nor GeneralizedTime');
  }
  const [mo, d, h, mi, se] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  const ms = Date.UTC(year, mo - 1, d, h, mi, se);
  const date = new Date(ms);
  if (
    Number.isNaN(ms) ||
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    se > 59
  ) {
    throw new DerError('time out of range');
  }
  return date;
}
