/**
 * X.501 names: RFC 4514 display strings, RFC 5280 §7.1 comparison keys, and ASN.1 times.
 */
import { readDerX509Time } from '../encoding/der.js';
import type { DerNode } from '../encoding/der.js';
import { nameKey, readNameAttributes } from '../encoding/name.js';
import type { NameAttribute } from '../encoding/name.js';

export type { NameAttribute } from '../encoding/name.js';

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

// RFC 4514 §2.4: escape special characters, a leading '#' or space and a trailing space.
function escapeValue(v: string): string {
  let s = v.replace(/[\\,+"<>;=]/g, (c) => '\\' + c).replace(/[\x00-\x1f]/g, (c) => '\\' + c.charCodeAt(0).toString(16).padStart(2, '0'));
  if (s.startsWith('#') || s.startsWith(' ')) s = '\\' + s;
  if (s.endsWith(' ') && s.length > 1) s = s.slice(0, -1) + '\\ ';
  return s;
}

/**
 * Parses a Name node (RFC 5280 §4.1.2.4).
 * @throws EvoucherError `DER_*` on malformed input (the caller reports it under its own code)
 */
export function parseName(node: DerNode): ParsedName {
  const rdns = readNameAttributes(node);
  const text = rdns
    .slice()
    .reverse()
    .map((rdn) =>
      rdn
        .map((a) => `${SHORT_NAMES[a.oid] ?? a.oid}=${a.value === undefined ? '#' + a.rawHex : escapeValue(a.value)}`)
        .join('+'),
    )
    .join(',');
  const key = nameKey(rdns);
  return { rdns, text, key, der: node.raw };
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
