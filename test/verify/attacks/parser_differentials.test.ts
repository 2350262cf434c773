/**
 * security.md §1.11 and §1.6 through the verifier (the reader's unit tests are in test/voucher/xml.test.ts): the
 * forms two XML readers read differently are refused, each with its own code, in the base64-decoded voucher and
 * in the envelope: a namespace redeclared inside the voucher (`xmlns=""`, a look-alike URI), a prefixed attribute
 * with the local name of a real one, a BOM that contradicts the declaration, a declared encoding that is not the
 * actual one, invalid GBK; and, from §1.6, two roots, a parameter entity and a quadratic blowup inside the voucher.
 * A voucher refused by the reader is never signature-checked: no seal's signature check passes over it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { codes, sealedOriginal, swapBase64, verifyOne, voucherBytesOf } from '../helpers.js';

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const fromLatin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

let sealed: Uint8Array;
let v: Uint8Array;
beforeAll(async () => {
  sealed = await sealedOriginal('p256');
  v = voucherBytesOf(sealed);
});

const afterDecl = (t: string, insert: string): string => {
  const i = t.indexOf('?>') + 2;
  return t.slice(0, i) + insert + t.slice(i);
};

describe('inside the base64-decoded voucher', () => {
  const cases: [string, (t: string) => string, string][] = [
    ['xmlns="" redeclared on an inner element', (t) => t.replace('<PayeeAcctNo>', '<PayeeAcctNo xmlns="">'), 'XML_NAMESPACE_FORBIDDEN'],
    ['a look-alike default namespace on an inner element', (t) => t.replace('<PayAmt>', '<PayAmt xmlns="urn:mof:voucher ">'), 'XML_NAMESPACE_FORBIDDEN'],
    ['a prefixed element beside the real one (same local name)', (t) => t.replace('<PayAmt>', '<v:PayAmt xmlns:v="urn:x">1.00</v:PayAmt><PayAmt>'), 'XML_NAMESPACE_FORBIDDEN'],
    ['a UTF-8 BOM before a GBK declaration', (t) => `\xef\xbb\xbf${t}`, 'XML_ENCODING_MISMATCH'],
    ['a UTF-16 BOM', (t) => `\xff\xfe${t}`, 'XML_ENCODING_MISMATCH'],
    ['GBK bytes declared as UTF-8', (t) => t.replace('encoding="GBK"', 'encoding="UTF-8"'), 'ENCODING_INVALID_BYTES'],
    ['an invalid GBK sequence (a lead byte before an ASCII byte)', (t) => t.replace('<Hold1/>', '<Hold1>\x81\x20</Hold1>'), 'ENCODING_INVALID_BYTES'],
    ['two root elements', (t) => `${t}<Voucher><VtCode>5201</VtCode></Voucher>`, 'XML_MULTIPLE_ROOTS'],
    ['a parameter entity', (t) => afterDecl(t, '<!DOCTYPE Voucher [<!ENTITY % p SYSTEM "http://example.invalid/x.dtd"> %p;]>'), 'XML_DOCTYPE_FORBIDDEN'],
    ['a quadratic blowup', (t) => afterDecl(t, `<!DOCTYPE Voucher [<!ENTITY a "${'x'.repeat(50_000)}">]>`).replace('<Hold1/>', `<Hold1>${'&a;'.repeat(5_000)}</Hold1>`), 'XML_DOCTYPE_FORBIDDEN'],
    ['an external DTD', (t) => afterDecl(t, '<!DOCTYPE Voucher SYSTEM "file:///etc/passwd">'), 'XML_DOCTYPE_FORBIDDEN'],
  ];
  for (const [name, change, code] of cases) {
    it(`${name} → the voucher check fails with ${code}; no signature is checked over it`, async () => {
      const t0 = Date.now();
      const r = await verifyOne(swapBase64(sealed, v, fromLatin1(change(latin1(v)))));
      expect(r.status).toBe('INVALID');
      expect(r.checks.find((c) => c.check === 'voucher')).toMatchObject({ status: 'failed', code });
      expect(r.voucher?.amount).toBeUndefined();
      for (const s of r.seals) {
        expect(s.checks.find((c) => c.check === 'scope')).toMatchObject({ status: 'failed', code });
        expect(s.checks.find((c) => c.check === 'signature')?.status).toBe('skipped');
      }
      expect(codes(r)).not.toContain('SEAL_DIGEST_MISMATCH');
      expect(Date.now() - t0).toBeLessThan(2_000);
    });
  }
});

describe('in the envelope', () => {
  const cases: [string, (t: string) => string, string][] = [
    ['a prefixed VoucherNo attribute beside the real one', (t) => t.replace('<VoucherBody ', '<VoucherBody xmlns:a="urn:x" a:VoucherNo="ZF2025112899999" '), 'XML_NAMESPACE_FORBIDDEN'],
    ['xmlns="" on a body', (t) => t.replace('<VoucherBody ', '<VoucherBody xmlns="" '), 'XML_NAMESPACE_FORBIDDEN'],
    ['a UTF-8 BOM before the GBK declaration', (t) => `\xef\xbb\xbf${t}`, 'XML_ENCODING_MISMATCH'],
    ['one attribute twice (which value would a reader take?)', (t) => t.replace(/ VoucherNo="([^"]*)"/, ' VoucherNo="$1" VoucherNo="ZF2025112899999"'), 'XML_MALFORMED'],
  ];
  for (const [name, change, code] of cases) {
    it(`${name} → INVALID ${code} at the envelope, before any seal`, async () => {
      const r = await verifyOne(fromLatin1(change(latin1(sealed))));
      expect(r.status).toBe('INVALID');
      expect(r.errors.map((e) => `${e.where}:${e.code}`)).toEqual([`envelope:${code}`]);
      expect(r.seals).toEqual([]);
    });
  }
});
