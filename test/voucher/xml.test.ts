/**
 * The canonical writer and the hardened reader: exact bytes out, and every hostile construct refused
 * with its own code (security.md §1.3, §1.4, §1.6, §1.11, §1.12).
 */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  buildVoucher,
  DEFAULT_XML_LIMITS,
  MAX_VOUCHER_BYTES,
  parseVoucher,
  serializeVoucher,
} from '../../src/voucher/index.js';
import type { Voucher } from '../../src/voucher/index.js';
import { thrownCode } from '../helpers/codes.js';
import { asData, example, NOW } from './helpers.js';

const gbk = (s: string): Uint8Array => new Uint8Array(iconv.encode(s, 'gbk'));
const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

/** A minimal 3501 voucher body (every element known), as text. */
function mini(inner = '', details = '<Detail><Id>D1</Id><VoucherNo>N1</VoucherNo><Amt>1.00</Amt></Detail>'): string {
  return `<Voucher><Id>V1</Id><AdmDivCode>110000</AdmDivCode><StYear>2025</StYear><VtCode>3501</VtCode><VouDate>20251128</VouDate><VoucherNo>DZ1</VoucherNo>${inner}<DetailList>${details}</DetailList></Voucher>`;
}
const DECL = '<?xml version="1.0" encoding="GBK"?>';

describe('serializeVoucher', () => {
  const v = buildVoucher('3501', asData(example('3501')), { now: NOW });

  it('writes canonical GBK bytes: declaration, catalogue order, no whitespace, <E/> for empty', () => {
    const text = iconv.decode(Buffer.from(serializeVoucher(v)), 'gbk');
    expect(text).toBe(
      DECL +
        '<Voucher><Id>3501A0000000000000000000000000001</Id><AdmDivCode>110000</AdmDivCode><StYear>2025</StYear><VtCode>3501</VtCode>' +
        '<VouDate>20251128</VouDate><VoucherNo>DZ2025112800001</VoucherNo><TreCode>0100000000</TreCode><ClearBankCode>001</ClearBankCode>' +
        '<ClearBankName>中国人民银行营业管理部</ClearBankName><CheckDate>20251127</CheckDate><EVoucherType>5201</EVoucherType><AllNum>2</AllNum>' +
        '<AllAmt>20680.50</AllAmt><Hold1/><Hold2/><Hold3/><Hold4/><DetailList>' +
        '<Detail><Id>3501D001</Id><VoucherNo>ZF2025112700001</VoucherNo><Amt>8000.00</Amt><ProState>0</ProState><Hold1/><Hold2/><Hold3/><Hold4/></Detail>' +
        '<Detail><Id>3501D002</Id><VoucherNo>ZF2025112700002</VoucherNo><Amt>12680.50</Amt><ProState>0</ProState><Hold1/><Hold2/><Hold3/><Hold4/></Detail>' +
        '</DetailList></Voucher>',
    );
  });

  it('is deterministic and independent of the key order of the input', () => {
    const shuffled: Voucher = { ...v, fields: Object.fromEntries(Object.entries(v.fields).reverse()) };
    expect(serializeVoucher(shuffled)).toEqual(serializeVoucher(v));
  });

  it('writes UTF-8 on request', () => {
    const bytes = serializeVoucher(v, { encoding: 'UTF-8' });
    expect(Buffer.from(bytes).toString('utf8')).toContain('<?xml version="1.0" encoding="UTF-8"?><Voucher>');
    expect(Buffer.from(bytes).toString('utf8')).toContain('中国人民银行营业管理部');
    expect(parseVoucher(bytes)).toEqual({ ...v, encoding: 'UTF-8' });
  });

  it('escapes &, <, > and CR so that reading gives the value back', () => {
    const w: Voucher = { ...v, fields: { ...v.fields, Hold1: 'a&b<c>d"e\'f\rg\nh\ti' } };
    const bytes = serializeVoucher(w);
    expect(iconv.decode(Buffer.from(bytes), 'gbk')).toContain('<Hold1>a&amp;b&lt;c&gt;d"e\'f&#13;g\nh\ti</Hold1>');
    expect(parseVoucher(bytes).fields.Hold1).toBe(w.fields.Hold1);
  });

  it('refuses a character GBK cannot encode (never a ?)', () => {
    const w: Voucher = { ...v, fields: { ...v.fields, Hold1: '😀' } };
    expect(thrownCode(() => serializeVoucher(w))).toBe('ENCODING_UNMAPPABLE_CHAR');
    expect(Buffer.from(serializeVoucher(w, { encoding: 'UTF-8' })).toString('utf8')).toContain('<Hold1>😀</Hold1>');
  });

  it('refuses an element the type lacks, a non-string and a character XML cannot carry', () => {
    expect(thrownCode(() => serializeVoucher({ ...v, fields: { ...v.fields, Foo: 'x' } }))).toBe('VOUCHER_INVALID');
    expect(thrownCode(() => serializeVoucher({ ...v, details: [{ Id: 'D1', Foo: 'x' }] }))).toBe('VOUCHER_INVALID');
    expect(thrownCode(() => serializeVoucher({ ...v, fields: { ...v.fields, Hold1: 1 as unknown as string } }))).toBe('VOUCHER_INVALID');
    expect(thrownCode(() => serializeVoucher({ ...v, fields: { ...v.fields, Hold1: 'a\u0000' } }))).toBe('VOUCHER_INVALID');
    expect(thrownCode(() => serializeVoucher({ ...v, vtCode: '0000' }))).toBe('VOUCHER_UNKNOWN_TYPE');
  });
});

describe('parseVoucher accepts', () => {
  it('GB2312 and GB18030 labels as GBK, and a missing declaration as UTF-8', () => {
    expect(parseVoucher(gbk(`<?xml version="1.0" encoding="gb2312"?>${mini('<ClearBankName>人行</ClearBankName>')}`)).fields.ClearBankName).toBe('人行');
    expect(parseVoucher(gbk(`<?xml version='1.0' encoding='GB18030' standalone='yes'?>${mini()}`)).encoding).toBe('GBK');
    const v = parseVoucher(utf8(mini('<ClearBankName>人行</ClearBankName>')));
    expect(v.encoding).toBe('UTF-8');
    expect(v.fields.ClearBankName).toBe('人行');
  });

  it('a UTF-8 BOM with a UTF-8 declaration', () => {
    const b = utf8(`\ufeff<?xml version="1.0" encoding="UTF-8"?>${mini()}`);
    expect(parseVoucher(b).fields.VtCode).toBe('3501');
  });

  it('indentation between elements, character references and predefined entities', () => {
    const text = `${DECL}\n<Voucher>\n  <Id>V1</Id>\n  <AdmDivCode>110000</AdmDivCode><StYear>2025</StYear><VtCode>3501</VtCode><VouDate>20251128</VouDate><VoucherNo>DZ1</VoucherNo>\n  <Hold1>&#36130;&#x653F;&amp;&lt;&gt;&quot;&apos;</Hold1>\n  <DetailList>\n    <Detail><Id>D1</Id></Detail>\n  </DetailList>\n</Voucher>\n`;
    const v = parseVoucher(gbk(text));
    expect(v.fields.Hold1).toBe('财政&<>"\'');
    expect(v.details).toEqual([{ Id: 'D1' }]);
  });

  it('CR LF inside text as LF (XML 1.0 §2.11)', () => {
    expect(parseVoucher(gbk(`${DECL}${mini('<Hold1>a\r\nb\rc</Hold1>')}`)).fields.Hold1).toBe('a\nb\nc');
  });

  it('regional aliases, mapped to the catalogue name (XpayAmt → XPayAmt)', () => {
    const text = `${DECL}<Voucher><Id>V1</Id><VtCode>5207</VtCode><XpayAmt>1.00</XpayAmt><DetailList/></Voucher>`;
    expect(parseVoucher(gbk(text)).fields).toEqual({ Id: 'V1', VtCode: '5207', XPayAmt: '1.00' });
  });

  it('the DA/T 95 detail naming Items/Item', () => {
    const text = `${DECL}<Voucher><Id>V1</Id><VtCode>8202</VtCode><GovExpEcoCode>30201</GovExpEcoCode><Items><Item><Id>D1</Id><VoucherDetailNo>7</VoucherDetailNo></Item></Items></Voucher>`;
    const v = parseVoucher(gbk(text));
    expect(v.fields.ExpEcoCode).toBe('30201');
    expect(v.details).toEqual([{ Id: 'D1', VoucherNo: '7' }]);
    expect(thrownCode(() => parseVoucher(gbk(`${DECL}<Voucher><VtCode>8202</VtCode><Items/><DetailList/></Voucher>`)))).toBe('XML_DUPLICATE_ELEMENT');
    // One naming or the other, not a mix (also when unknown elements are ignored: these are known ones misplaced).
    for (const mixed of ['<Items><Detail><Id>D1</Id></Detail></Items>', '<DetailList><Item><Id>D1</Id></Item></DetailList>']) {
      const doc = gbk(`${DECL}<Voucher><VtCode>8202</VtCode>${mixed}</Voucher>`);
      expect(thrownCode(() => parseVoucher(doc))).toBe('XML_UNKNOWN_ELEMENT');
      expect(thrownCode(() => parseVoucher(doc, { unknownElements: 'ignore' }))).toBe('XML_UNKNOWN_ELEMENT');
    }
  });

  it('unknown elements when told to ignore them', () => {
    const text = `${DECL}${mini('<Extra>1</Extra>', '<Detail><Id>D1</Id><Foo>2</Foo></Detail><Other/>')}`;
    expect(thrownCode(() => parseVoucher(gbk(text)))).toBe('XML_UNKNOWN_ELEMENT');
    const v = parseVoucher(gbk(text), { unknownElements: 'ignore' });
    expect(v.fields).not.toHaveProperty('Extra');
    expect(v.details).toEqual([{ Id: 'D1' }]);
  });
});

describe('parseVoucher rejects', () => {
  const cases: readonly [string, string | Uint8Array, string][] = [
    ['a DOCTYPE', `${DECL}<!DOCTYPE Voucher>${mini()}`, 'XML_DOCTYPE_FORBIDDEN'],
    ['a DOCTYPE in lower case', `${DECL}<!doctype Voucher>${mini()}`, 'XML_DOCTYPE_FORBIDDEN'],
    ['billion laughs', `${DECL}<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>${mini('<Hold1>&b;</Hold1>')}`, 'XML_DOCTYPE_FORBIDDEN'],
    ['an external entity (XXE)', `${DECL}<!DOCTYPE v SYSTEM "file:///etc/passwd">${mini()}`, 'XML_DOCTYPE_FORBIDDEN'],
    ['an ENTITY declaration alone', `${DECL}<!ENTITY x "y">${mini()}`, 'XML_ENTITY_FORBIDDEN'],
    ['an undeclared entity reference', `${DECL}${mini('<Hold1>&nbsp;</Hold1>')}`, 'XML_ENTITY_FORBIDDEN'],
    ['a comment inside a value', `${DECL}${mini('<Hold1>6200<!--x-->00002</Hold1>')}`, 'XML_COMMENT_FORBIDDEN'],
    ['a comment after the root', `${DECL}${mini()}<!-- x -->`, 'XML_COMMENT_FORBIDDEN'],
    ['a processing instruction', `${DECL}<?xml-stylesheet href="x"?>${mini()}`, 'XML_PI_FORBIDDEN'],
    ['a PI inside the voucher', `${DECL}${mini('<?pi x?>')}`, 'XML_PI_FORBIDDEN'],
    ['a second XML declaration', `${DECL}${mini('<?xml version="1.0"?>')}`, 'XML_MALFORMED'],
    ['CDATA', `${DECL}${mini('<Hold1><![CDATA[x]]></Hold1>')}`, 'XML_CDATA_FORBIDDEN'],
    ['a namespace declaration', `${DECL}<Voucher xmlns="urn:x"><VtCode>3501</VtCode></Voucher>`, 'XML_NAMESPACE_FORBIDDEN'],
    ['a prefixed namespace', `${DECL}<Voucher xmlns:a="urn:x"><VtCode>3501</VtCode></Voucher>`, 'XML_NAMESPACE_FORBIDDEN'],
    ['a prefixed element', `${DECL}${mini('<a:Hold1>x</a:Hold1>')}`, 'XML_NAMESPACE_FORBIDDEN'],
    ['two roots', `${DECL}${mini()}${mini()}`, 'XML_MULTIPLE_ROOTS'],
    ['an attribute on a voucher element', `${DECL}${mini('<Hold1 a="1">x</Hold1>')}`, 'XML_ATTRIBUTE_FORBIDDEN'],
    ['an attribute on Voucher', `${DECL}<Voucher Id="x"><VtCode>3501</VtCode></Voucher>`, 'XML_ATTRIBUTE_FORBIDDEN'],
    ['a duplicate element', `${DECL}${mini('<AllAmt>1.00</AllAmt><AllAmt>999.00</AllAmt>')}`, 'XML_DUPLICATE_ELEMENT'],
    ['an element and its alias', `${DECL}<Voucher><VtCode>5207</VtCode><XPayAmt>1.00</XPayAmt><XpayAmt>2.00</XpayAmt></Voucher>`, 'XML_DUPLICATE_ELEMENT'],
    ['a duplicate detail element', `${DECL}${mini('', '<Detail><Id>D1</Id><Amt>1.00</Amt><Amt>2.00</Amt></Detail>')}`, 'XML_DUPLICATE_ELEMENT'],
    ['two DetailList', `${DECL}<Voucher><VtCode>3501</VtCode><DetailList/><DetailList/></Voucher>`, 'XML_DUPLICATE_ELEMENT'],
    ['two VtCode', `${DECL}<Voucher><VtCode>3501</VtCode><VtCode>5201</VtCode></Voucher>`, 'XML_DUPLICATE_ELEMENT'],
    ['an unknown element', `${DECL}${mini('<PayAmt>1.00</PayAmt>')}`, 'XML_UNKNOWN_ELEMENT'],
    ['a nested element inside a value', `${DECL}${mini('<Hold1><b>x</b></Hold1>')}`, 'XML_UNKNOWN_ELEMENT'],
    ['a wrong root', `${DECL}<MOF><VoucherCount>0</VoucherCount></MOF>`, 'XML_UNEXPECTED_ROOT'],
    ['no VtCode', `${DECL}<Voucher><Id>1</Id></Voucher>`, 'VOUCHER_UNKNOWN_TYPE'],
    ['an unknown VtCode', `${DECL}<Voucher><VtCode>9999</VtCode></Voucher>`, 'VOUCHER_UNKNOWN_TYPE'],
    ['a mismatched end tag', `${DECL}<Voucher><Id>1</Ix></Voucher>`, 'XML_MALFORMED'],
    ['an unclosed element', `${DECL}<Voucher><Id>1</Id>`, 'XML_MALFORMED'],
    ['mixed content', `${DECL}<Voucher>text<VtCode>3501</VtCode></Voucher>`, 'XML_MALFORMED'],
    ['text after the root', `${DECL}${mini()}junk`, 'XML_MALFORMED'],
    ['a raw & ', `${DECL}${mini('<Hold1>a & b</Hold1>')}`, 'XML_MALFORMED'],
    ['a reference to a non-character', `${DECL}${mini('<Hold1>&#0;</Hold1>')}`, 'XML_MALFORMED'],
    [']]> in text', `${DECL}${mini('<Hold1>a]]>b</Hold1>')}`, 'XML_MALFORMED'],
    ['a control character', `${DECL}${mini('<Hold1>a\u0001b</Hold1>')}`, 'XML_MALFORMED'],
    ['version 1.1', `<?xml version="1.1" encoding="GBK"?>${mini()}`, 'XML_MALFORMED'],
    ['an unsupported encoding', `<?xml version="1.0" encoding="ISO-8859-1"?>${mini()}`, 'ENCODING_UNSUPPORTED'],
    ['an empty document', '', 'XML_MALFORMED'],
  ];
  for (const [name, doc, code] of cases) {
    it(name, () => {
      expect(thrownCode(() => parseVoucher(typeof doc === 'string' ? gbk(doc) : doc))).toBe(code);
    });
  }

  it('invalid GBK byte sequences', () => {
    const head = gbk(`${DECL}<Voucher><VtCode>3501</VtCode><Hold1>`);
    const tail = gbk('</Hold1></Voucher>');
    const bytes = new Uint8Array([...head, 0x81, 0x30, 0x81, 0x30, ...tail]);
    expect(thrownCode(() => parseVoucher(bytes))).toBe('ENCODING_INVALID_BYTES');
    expect(thrownCode(() => parseVoucher(new Uint8Array([...head, 0xff, ...tail])))).toBe('ENCODING_INVALID_BYTES');
  });

  it('the offset of an invalid GBK sequence counts from the start of the document, declaration included', () => {
    const head = gbk(`${DECL}<Voucher><VtCode>3501</VtCode><Hold1>`);
    const tail = gbk('</Hold1></Voucher>');
    let caught: unknown;
    try {
      parseVoucher(new Uint8Array([...head, 0xfe, 0x55, ...tail]));
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: 'ENCODING_INVALID_BYTES', detail: { offset: String(head.length) } });
  });

  it('under the label GB2312, A1A4 and A1AA are refused (GB2312 readers read them as U+30FB and U+2015); under GBK they read', () => {
    for (const [ch, hex] of [['·', 'a1a4'], ['—', 'a1aa']] as const) {
      const body = mini(`<ClearBankName>艾力${ch}买买提</ClearBankName>`);
      expect(Buffer.from(gbk(ch)).toString('hex')).toBe(hex);
      const doc = gbk(`<?xml version="1.0" encoding="GB2312"?>${body}`);
      let caught: unknown;
      try {
        parseVoucher(doc);
      } catch (e) {
        caught = e;
      }
      expect(caught).toMatchObject({ code: 'ENCODING_INVALID_BYTES', detail: { offset: String(Buffer.from(doc).indexOf(Buffer.from(hex, 'hex'))) } });
      expect(parseVoucher(gbk(`<?xml version="1.0" encoding="GBK"?>${body}`)).fields['ClearBankName']).toBe(`艾力${ch}买买提`);
    }
    expect(parseVoucher(gbk(`<?xml version="1.0" encoding="gb2312"?>${mini('<ClearBankName>人行</ClearBankName>')}`)).fields['ClearBankName']).toBe('人行');
  });

  it('GBK bytes declared as UTF-8 (the declared encoding is not the actual one), with the offset of the first refused byte', () => {
    const doc = gbk(`<?xml version="1.0" encoding="UTF-8"?>${mini('<ClearBankName>人行</ClearBankName>')}`);
    let caught: unknown;
    try {
      parseVoucher(doc);
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: 'ENCODING_INVALID_BYTES', detail: { charset: 'UTF-8', offset: String(Buffer.from(doc).indexOf(Buffer.from(gbk('人')))) } });
  });

  it('a BOM that contradicts the declaration, and UTF-16 BOMs', () => {
    expect(thrownCode(() => parseVoucher(new Uint8Array([0xef, 0xbb, 0xbf, ...gbk(`${DECL}${mini()}`)])))).toBe('XML_ENCODING_MISMATCH');
    expect(thrownCode(() => parseVoucher(new Uint8Array([0xff, 0xfe, 0x3c, 0x00])))).toBe('XML_ENCODING_MISMATCH');
    expect(thrownCode(() => parseVoucher(new Uint8Array([0xfe, 0xff, 0x00, 0x3c])))).toBe('XML_ENCODING_MISMATCH');
  });

  it('limits that are not positive integers, or not limits, are usage errors (a NaN switched the bound off)', () => {
    const deep = gbk(`${DECL}<Voucher>${'<a>'.repeat(50)}${'</a>'.repeat(50)}</Voucher>`);
    expect(thrownCode(() => parseVoucher(deep))).toBe('XML_TOO_DEEP');
    for (const limits of [{ maxDepth: Number.NaN }, { maxDepth: 0 }, { maxDepth: -1 }, { maxDepth: 1.5 }, { maxDepth: '64' }, { maxDeph: 64 }, [] as unknown]) {
      expect(thrownCode(() => parseVoucher(deep, { limits: limits as never })), JSON.stringify(limits)).toBe('ARG_INVALID');
    }
    // Spelt out as undefined: the default.
    expect(thrownCode(() => parseVoucher(deep, { limits: { maxDepth: undefined } as never }))).toBe('XML_TOO_DEEP');
  });

  it('a name longer than 128 characters is XML_MALFORMED with a short message (it was quoted whole)', () => {
    for (const doc of [`${DECL}<Voucher ${'a'.repeat(100_000)}="1"/>`, `${DECL}<Voucher><${'B'.repeat(100_000)}/></Voucher>`, `${DECL}<${'R'.repeat(100_000)}/>`]) {
      let message = '';
      try {
        parseVoucher(gbk(doc));
      } catch (e) {
        message = (e as Error).message;
        expect((e as { code: string }).code).toBe('XML_MALFORMED');
      }
      expect(message).toMatch(/longer than 128/);
      expect(message.length).toBeLessThan(200);
    }
    expect(parseVoucher(gbk(`${DECL}${mini()}`)).vtCode).toBe('3501');
  });

  it('input over the size limit, before reading it', () => {
    expect(DEFAULT_XML_LIMITS.maxBytes).toBe(MAX_VOUCHER_BYTES);
    const b = gbk(`${DECL}${mini()}`);
    expect(thrownCode(() => parseVoucher(b, { limits: { maxBytes: b.length - 1 } }))).toBe('XML_TOO_LARGE');
    expect(parseVoucher(b, { limits: { maxBytes: b.length } }).vtCode).toBe('3501');
  });

  it('10k-deep nesting, within the depth limit and without recursion', () => {
    const deep = `${DECL}<Voucher>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</Voucher>`;
    const started = Date.now();
    expect(thrownCode(() => parseVoucher(gbk(deep)))).toBe('XML_TOO_DEEP');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('too many elements and too many detail lines', () => {
    const many = mini('', '<Detail><Id>D</Id></Detail>'.repeat(50));
    expect(thrownCode(() => parseVoucher(gbk(DECL + many), { limits: { maxNodes: 100 } }))).toBe('XML_TOO_MANY_NODES');
    expect(thrownCode(() => parseVoucher(gbk(DECL + many), { limits: { maxDetails: 49 } }))).toBe('XML_TOO_MANY_NODES');
    expect(parseVoucher(gbk(DECL + many), { limits: { maxDetails: 50 } }).details).toHaveLength(50);
  });

  it('never throws anything but an EvoucherError on random bytes', () => {
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const base = gbk(`${DECL}${mini('<ClearBankName>人民银行</ClearBankName>')}`);
    for (let k = 0; k < 500; k++) {
      const b = new Uint8Array(base);
      for (let j = 0; j < 3; j++) b[rnd() % b.length] = rnd() & 0xff;
      try {
        parseVoucher(b);
      } catch (e) {
        expect((e as { code?: string }).code).toMatch(/^(XML|ENCODING|VOUCHER)_/);
      }
    }
  });
});
