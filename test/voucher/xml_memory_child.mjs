// Child of strict_xml.test.ts (run with a small heap): reads texts and attribute values of 16 MiB that each
// need the slow path once or everywhere, with the compiled package, and prints what it read.
import { DEFAULT_XML_LIMITS, readXml } from '../../dist/voucher/xml/strict_xml.js';

const size = 16 * 1024 * 1024;
const cases = {
  'one &amp; in a text': `<a>${'a'.repeat(size)}&amp;</a>`,
  'CR everywhere in a text': `<a>${'a\r'.repeat(size / 2)}</a>`,
  'TAB everywhere in an attribute': `<a v="${'a\t'.repeat(size / 2)}"/>`,
};
const out = {};
for (const [name, xml] of Object.entries(cases)) {
  const doc = readXml(Buffer.from(xml, 'latin1'), { ...DEFAULT_XML_LIMITS, maxBytes: 64 * 1024 * 1024 });
  const value = doc.root.attributes[0]?.[1] ?? doc.root.text;
  out[name] = { length: value.length, tail: value.slice(-3) };
}
process.stdout.write(JSON.stringify(out));
