/**
 * X.501 names as RFC 5280 §7.1 compares them: the attributes of a Name and its comparison key. One definition for
 * path building (src/pki/name.ts) and for the intermediates a signer hands out (src/keys/certificate.ts), so that a
 * signer never leaves out a certificate a verifier would chain.
 */
import { DER_TAG, derChildren, expectDerTag, failDer, readDer, readDerOid } from './der.js';
import type { DerNode } from './der.js';

/** One attribute of a name. */
export interface NameAttribute {
  readonly oid: string;
  /** Decoded string value, or undefined when the value is not a string type. */
  readonly value?: string;
  /** Hex of the raw value TLV (for non-string values). */
  readonly rawHex: string;
}

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

function foldValue(v: string): string {
  return v.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * The attributes of a Name node (RFC 5280 §4.1.2.4), RDNs in encoded order.
 * @throws EvoucherError `DER_*` on malformed input (the caller reports it under its own code)
 */
export function readNameAttributes(node: DerNode): NameAttribute[][] {
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
      // Buffer's hex is one flat string; bytesToHex builds it a character pair at a time, a rope of one node per
      // byte (about 16 bytes of heap per byte of the value) that parsed certificates kept in their cache.
      const rawHex = Buffer.from(valueT.raw.buffer, valueT.raw.byteOffset, valueT.raw.length).toString('hex');
      attrs.push(value === undefined ? { oid, rawHex } : { oid, value, rawHex });
    }
    if (attrs.length === 0) failDer('empty relative distinguished name', rdn);
    rdns.push(attrs);
  }
  return rdns;
}

/**
 * The comparison key of a name (RFC 5280 §7.1): string values whatever their string type, case-insensitive and
 * whitespace-folded, the attributes of one RDN in any order; other values by their bytes.
 */
export function nameKey(rdns: readonly (readonly NameAttribute[])[]): string {
  return rdns
    .map((rdn) =>
      rdn
        .map((a) => `${a.oid}=${a.value === undefined ? '#' + a.rawHex : JSON.stringify(foldValue(a.value))}`)
        .sort()
        .join('+'),
    )
    .join('/');
}

/**
 * The comparison key of a DER Name, as {@link nameKey}.
 * @throws EvoucherError `DER_*` on malformed input
 */
export function nameKeyOfDer(der: Uint8Array): string {
  return nameKey(readNameAttributes(readDer(der)));
}
