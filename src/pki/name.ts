/**
 * X.501 names: RFC 4514 display strings, RFC 5280 §7.1 comparison keys, and ASN.1 times.
 */
import { bytesToHex } from '@noble/curves/utils.js';
import { DER_TAG, derChildren, expectDerTag, failDer, readDerOid, readDerX509Time } from '../encoding/der.js';
import type { DerNode } from '../encoding/der.js';

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

/** The text of a string-typed attribute value, or undefined for another type (X.520 DirectoryString and kin). */
function decodeString(node: DerNode): string | undefined {
  if (node.class !== 'universal') return undefined;
  const bytes = node.value;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (node.tag) {
    case DER_TAG.UTF8_STRING: {
      const s = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      return s;
    }
    case DER_TAG.PRINTABLE_STRING:
      if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(buf.toString('latin1'))) failDer('bad PrintableString', node);
      return buf.toString('latin1');
    case DER_TAG.IA5_STRING:
      if (bytes.some((b) => b > 0x7f)) failDer('bad IA5String', node);
      return buf.toString('latin1');
    case DER_TAG.TELETEX_STRING:
      return buf.toString('latin1');
    case DER_TAG.BMP_STRING: {
      if (bytes.length % 2 !== 0) failDer('bad BMPString', node);
      return new TextDecoder('utf-16be', { fatal: true }).decode(bytes);
    }
    case DER_TAG.UNIVERSAL_STRING: {
      if (bytes.length % 4 !== 0) failDer('bad UniversalString', node);
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
 * Parses a Name node (RFC 5280 §4.1.2.4).
 * @throws EvoucherError `DER_*` on malformed input (the caller reports it under its own code)
 */
export function parseName(node: DerNode): ParsedName {
  const t = expectDerTag(node, DER_TAG.SEQUENCE, 'Name');
  const rdns: NameAttribute[][] = [];
  let count = 0;
  for (const rdn of derChildren(t, 'Name', 0, MAX_NAME_ATTRIBUTES)) {
    expectDerTag(rdn, DER_TAG.SET, 'RelativeDistinguishedName');
    const attrs: NameAttribute[] = [];
    for (const atv of derChildren(rdn, 'RelativeDistinguishedName', 0, MAX_NAME_ATTRIBUTES)) {
      if (++count > MAX_NAME_ATTRIBUTES) failDer('too many name attributes', atv);
      const [typeT, valueT] = derChildren(expectDerTag(atv, DER_TAG.SEQUENCE, 'AttributeTypeAndValue'), 'AttributeTypeAndValue', 2, 2) as [DerNode, DerNode];
      const oid = readDerOid(typeT, 'AttributeTypeAndValue.type');
      const value = decodeString(valueT);
      const rawHex = bytesToHex(valueT.raw);
      attrs.push(value === undefined ? { oid, rawHex } : { oid, value, rawHex });
    }
    if (attrs.length === 0) failDer('empty relative distinguished name', rdn);
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
  return { rdns, text, key, der: t.raw };
}

/** Every string value of attribute `oid` in `name`, in encoded order. */
export function attributeValues(name: ParsedName, oid: string): string[] {
  const out: string[] = [];
  for (const rdn of name.rdns) for (const a of rdn) if (a.oid === oid && a.value !== undefined) out.push(a.value);
  return out;
}

/**
 * Parses a UTCTime or GeneralizedTime node in the DER profile of RFC 5280 §4.1.2.5 (Zulu, seconds, no fraction).
 * @throws EvoucherError `DER_MALFORMED` on another form
 */
export function parseTime(node: DerNode | undefined): Date {
  return readDerX509Time(node, 'Time');
}
