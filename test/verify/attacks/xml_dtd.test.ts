/**
 * security.md §1.6: any DOCTYPE (internal, external, parameter entity, billion laughs, quadratic blowup) and two
 * root elements are rejected before any cryptography, in the envelope and in the base64-decoded voucher.
 */
import { describe, expect, it } from 'vitest';
import { codes, sealedOriginal, swapBase64, verifyOne, voucherBytesOf } from '../helpers.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

const LAUGHS =
  '<!DOCTYPE MOF [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">' +
  '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>';

describe('DOCTYPE and entities in the envelope', () => {
  const cases: [string, string][] = [
    ['internal subset', '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE MOF [<!ENTITY x "y">]><MOF><VoucherCount>0</VoucherCount></MOF>'],
    ['external entity (XXE)', '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE MOF [<!ENTITY x SYSTEM "file:///etc/passwd">]><MOF><VoucherCount>&x;</VoucherCount></MOF>'],
    ['parameter entity', '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE MOF [<!ENTITY % p SYSTEM "http://example.invalid/x.dtd"> %p;]><MOF/>'],
    ['billion laughs', `<?xml version="1.0" encoding="UTF-8"?>${LAUGHS}<MOF><VoucherCount>&e;</VoucherCount></MOF>`],
    ['quadratic blowup', `<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE MOF [<!ENTITY a "${'x'.repeat(50_000)}">]><MOF><VoucherCount>${'&a;'.repeat(5_000)}</VoucherCount></MOF>`],
    ['external DTD', '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE MOF SYSTEM "http://example.invalid/mof.dtd"><MOF/>'],
  ];
  for (const [name, xml] of cases) {
    it(`${name} → INVALID XML_DOCTYPE_FORBIDDEN, before any crypto`, async () => {
      const t0 = Date.now();
      const r = await verifyOne(enc(xml));
      expect(r.status).toBe('INVALID');
      expect(codes(r)).toEqual(['XML_DOCTYPE_FORBIDDEN']);
      expect(r.seals).toEqual([]);
      expect(Date.now() - t0).toBeLessThan(2_000);
    });
  }

  it('two root elements → INVALID XML_MULTIPLE_ROOTS', async () => {
    const r = await verifyOne(enc('<?xml version="1.0" encoding="UTF-8"?><MOF><VoucherCount>0</VoucherCount></MOF><MOF><VoucherCount>0</VoucherCount></MOF>'));
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toEqual(['XML_MULTIPLE_ROOTS']);
  });
});

describe('DOCTYPE and entities in the base64-decoded voucher', () => {
  for (const [name, dtd] of [
    ['internal entity', '<!DOCTYPE Voucher [<!ENTITY x "y">]>'],
    ['external entity', '<!DOCTYPE Voucher [<!ENTITY x SYSTEM "file:///etc/passwd">]>'],
    ['billion laughs', LAUGHS.replace('MOF', 'Voucher')],
  ] as const) {
    it(`${name} inside <Voucher> → the voucher check fails with XML_DOCTYPE_FORBIDDEN; never VALID`, async () => {
      const sealed = await sealedOriginal('p256');
      const v = voucherBytesOf(sealed);
      const text = Buffer.from(v).toString('latin1');
      const i = text.indexOf('?>') + 2;
      const bytes = swapBase64(sealed, v, new Uint8Array(Buffer.from(text.slice(0, i) + dtd + text.slice(i), 'latin1')));
      const r = await verifyOne(bytes);
      expect(r.status).toBe('INVALID');
      expect(codes(r)).toContain('XML_DOCTYPE_FORBIDDEN');
      expect(r.errors.find((e) => e.code === 'XML_DOCTYPE_FORBIDDEN')?.where).toMatch(/^(envelope|voucher)$/);
    });
  }
});
