/**
 * The MOF envelope: writing, reading, stamps, receipts, the Root/No= variants, and the structural
 * attacks of security.md §1.1, §1.9 and §1.12.
 */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  buildVoucher,
  createEnvelope,
  DEFAULT_ENVELOPE_LIMITS,
  fillReceipt,
  MAX_ENVELOPE_STAMPS,
  parseEnvelope,
  serializeVoucher,
  writeEnvelope,
} from '../../src/voucher/index.js';
import type { StampEntry } from '../../src/voucher/index.js';
import { EvoucherError } from '../../src/errors.js';
import { thrownCode } from '../helpers/codes.js';
import { asData, example, NOW } from './helpers.js';

const v5201 = buildVoucher('5201', asData(example('5201')), { now: NOW });
const v2301 = buildVoucher('2301', asData(example('2301')), { now: NOW });
const b5201 = serializeVoucher(v5201);
const b2301 = serializeVoucher(v2301);
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const gbk = (s: string): Uint8Array => new Uint8Array(iconv.encode(s, 'gbk'));
const text = (b: Uint8Array): string => iconv.decode(Buffer.from(b), 'gbk');

const stamp = (position: string, sequence: number, view: 'original' | 'receipt' = 'original'): StampEntry => ({
  position,
  sequence,
  format: 'ses',
  view,
  bytes: new Uint8Array([0x30, 0x03, 0x02, 0x01, sequence]),
});

/** An envelope with one 5201 body, whose pieces a test may replace. */
function env(o: { root?: string; count?: string; attrs?: string; inner?: string; extra?: string } = {}): Uint8Array {
  const root = o.root ?? 'MOF';
  const attrs = o.attrs ?? 'AdmDivCode="110000" StYear="2025" VtCode="5201" VoucherNo="ZF2025112800001"';
  const inner = o.inner ?? `<VoucherFlag>0</VoucherFlag><Attach>SUCCESS</Attach><Voucher>${b64(b5201)}</Voucher>`;
  return gbk(`<?xml version="1.0" encoding="GBK"?><${root}><VoucherCount>${o.count ?? '1'}</VoucherCount><VoucherBody ${attrs}>${inner}</VoucherBody>${o.extra ?? ''}</${root}>`);
}

describe('writeEnvelope / parseEnvelope', () => {
  it('writes the documented layout and reads it back with the exact voucher bytes', () => {
    const bytes = writeEnvelope([
      { voucherBytes: b5201, attach: 'SUCCESS', stamps: [stamp('dw_gz', 1), stamp('cz_zfzyz', 2)] },
      { voucherBytes: b2301 },
    ]);
    const t = text(bytes);
    expect(t.startsWith('<?xml version="1.0" encoding="GBK"?><MOF><VoucherCount>2</VoucherCount><VoucherBody AdmDivCode="110000" StYear="2025" VtCode="5201" VoucherNo="ZF2025112800001"><VoucherFlag>0</VoucherFlag><Attach>SUCCESS</Attach><Voucher>')).toBe(true);
    expect(t).toContain('<Stamps><Stamp No="dw_gz" Seq="1" Format="ses" View="original">MAMCAQE=</Stamp><Stamp No="cz_zfzyz" Seq="2" Format="ses" View="original">MAMCAQI=</Stamp></Stamps></VoucherBody>');
    const e = parseEnvelope(bytes);
    expect(e.root).toBe('MOF');
    expect(e.bodies).toHaveLength(2);
    const [a, b] = e.bodies;
    expect(a?.voucherBytes).toEqual(b5201);
    expect(a?.voucher).toEqual(v5201);
    expect(a?.attach).toBe('SUCCESS');
    expect(a?.voucherFlag).toBe('0');
    expect(a?.stamps.map((s) => [s.position, s.sequence, s.format, s.view, s.bytes.length])).toEqual([
      ['dw_gz', 1, 'ses', 'original', 5],
      ['cz_zfzyz', 2, 'ses', 'original', 5],
    ]);
    expect(b?.attributes).toEqual({ admDivCode: '110000', stYear: '2025', vtCode: '2301', voucherNo: 'HK2025112800001' });
    expect(b?.stamps).toEqual([]);
    expect(b?.attach).toBeUndefined();
    // Writing what was read gives the same bytes.
    expect(writeEnvelope(e.bodies.map((x) => ({ voucherBytes: x.voucherBytes, ...(x.attach === undefined ? {} : { attach: x.attach }), stamps: x.stamps })))).toEqual(bytes);
  });

  it('refuses an Attach or Return_Reason the reader would refuse (a character XML cannot carry, not a string), when writing', () => {
    for (const [field, value] of [['attach', 'x\u0001y'], ['attach', 'x\uFFFE'], ['returnReason', 'a\u0000'], ['attach', 42]] as const) {
      expect(thrownCode(() => writeEnvelope([{ voucherBytes: b5201, [field]: value as string }]))).toBe('ENVELOPE_MALFORMED');
      expect(thrownCode(() => writeEnvelope([{ voucherBytes: b5201, [field]: value as string }], { encoding: 'UTF-8' }))).toBe('ENVELOPE_MALFORMED');
    }
    // What it writes, the reader reads: tabs, line breaks, markup characters.
    const text = 'a\tb\r\nc <&> "d"';
    expect(parseEnvelope(writeEnvelope([{ voucherBytes: b5201, attach: text }])).bodies[0]?.attach).toBe(text);
  });

  it('envelope limits, the inner vouchers\' too, must be positive integers with known names (ARG_INVALID), also as verifier options', async () => {
    const env = writeEnvelope([{ voucherBytes: b5201 }]);
    for (const limits of [{ maxBodies: Number.NaN }, { maxNodes: 0 }, { maxBytes: -5 }, { voucher: { maxDepth: Number.NaN } }, { voucher: { maxDeph: 4 } }, { maxBody: 1 }, 'x']) {
      expect(thrownCode(() => parseEnvelope(env, { limits: limits as never })), JSON.stringify(limits)).toBe('ARG_INVALID');
    }
    expect(parseEnvelope(env, { limits: { maxBodies: 1, voucher: { maxDepth: 8 } } }).bodies).toHaveLength(1);
    expect(thrownCode(() => parseEnvelope(writeEnvelope([{ voucherBytes: b5201 }, { voucherBytes: serializeVoucher({ ...v5201, fields: { ...v5201.fields, VoucherNo: 'ZF2' } }) }]), { limits: { maxBodies: 1 } }))).toBe('ENVELOPE_TOO_MANY_VOUCHERS');
    const { verifyEnvelope } = await import('../../src/verify/index.js');
    const { readFileSync } = await import('node:fs');
    const trust = [readFileSync(new URL('../../fixtures/pki/trust/p256-root.cert.pem', import.meta.url), 'latin1')];
    await expect(verifyEnvelope(env, { trust, limits: { maxBodies: Number.NaN } })).rejects.toMatchObject({ code: 'ARG_INVALID', message: /maxBodies/ });
    expect(await verifyEnvelope(env, { trust, limits: { maxBodies: 5 } })).toHaveLength(1);
  });

  it('carries a receipt with its original voucher', () => {
    const receipt = fillReceipt(v5201, { XPayDate: '20251128', XPayAmt: '12680.50' }, [], { now: NOW });
    const bytes = writeEnvelope([
      {
        voucherBytes: serializeVoucher(receipt),
        voucherFlag: '1',
        returnReason: '',
        originalVoucherBytes: b5201,
        stamps: [stamp('cz_zfzyz', 2), stamp('yh_zqz', 4, 'receipt')],
      },
    ]);
    const body = parseEnvelope(bytes).bodies[0];
    expect(body?.voucherFlag).toBe('1');
    expect(body?.voucher?.fields.XPayAmt).toBe('12680.50');
    expect(body?.originalVoucherBytes).toEqual(b5201);
    expect(body?.originalVoucher).toEqual(v5201);
    expect(body?.returnReason).toBe('');
  });

  it('writes UTF-8 envelopes and the Root variant on request', () => {
    const bytes = writeEnvelope([{ voucherBytes: b5201, attach: '成功' }], { root: 'Root', encoding: 'UTF-8' });
    expect(Buffer.from(bytes).toString('utf8')).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Root>/);
    const e = parseEnvelope(bytes);
    expect(e.root).toBe('Root');
    expect(e.bodies[0]?.attach).toBe('成功');
  });

  it('reads <Root> and the No= attribute variant', () => {
    const e = parseEnvelope(env({ root: 'Root', attrs: 'AdmDivCode="110000" StYear="2025" VtCode="5201" No="ZF2025112800001"' }));
    expect(e.root).toBe('Root');
    expect(e.bodies[0]?.attributes.voucherNo).toBe('ZF2025112800001');
  });

  it('createEnvelope serializes vouchers into one envelope', () => {
    const bytes = createEnvelope([v5201, v2301], { attach: 'x', voucherEncoding: 'UTF-8' });
    const e = parseEnvelope(bytes);
    expect(e.bodies.map((b) => b.voucher?.vtCode)).toEqual(['5201', '2301']);
    expect(e.bodies[0]?.voucher?.encoding).toBe('UTF-8');
    expect(e.bodies[1]?.attach).toBe('x');
  });

  it('reports an unparseable inner voucher per body instead of throwing', () => {
    const bad = gbk('<?xml version="1.0" encoding="GBK"?><!DOCTYPE x><Voucher/>');
    const e = parseEnvelope(env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(bad)}</Voucher>` }));
    expect(e.bodies[0]?.voucher).toBeUndefined();
    expect(e.bodies[0]?.voucherError?.code).toBe('XML_DOCTYPE_FORBIDDEN');
    expect(e.bodies[0]?.voucherBytes).toEqual(bad);
  });

  it('never lets Attach, Return_Reason or the attributes feed the voucher view', () => {
    const e = parseEnvelope(env({ inner: `<VoucherFlag>0</VoucherFlag><Return_Reason>PayAmt=1.00</Return_Reason><Attach>&lt;PayAmt&gt;999999.00&lt;/PayAmt&gt;</Attach><Voucher>${b64(b5201)}</Voucher>` }));
    expect(e.bodies[0]?.voucher?.fields.PayAmt).toBe('12680.50');
  });
});

describe('parseEnvelope rejects', () => {
  const other = b64(b2301);
  const cases: readonly [string, () => Uint8Array, string][] = [
    ['attributes that disagree with the header (VoucherNo)', () => env({ attrs: 'AdmDivCode="110000" StYear="2025" VtCode="5201" VoucherNo="ZF2025112800009"' }), 'ENVELOPE_ATTRIBUTE_MISMATCH'],
    ['attributes that disagree with the header (AdmDivCode)', () => env({ attrs: 'AdmDivCode="310000" StYear="2025" VtCode="5201" VoucherNo="ZF2025112800001"' }), 'ENVELOPE_ATTRIBUTE_MISMATCH'],
    ['attributes that disagree with the header (No=)', () => env({ attrs: 'AdmDivCode="110000" StYear="2025" VtCode="5201" No="X"' }), 'ENVELOPE_ATTRIBUTE_MISMATCH'],
    ['both VoucherNo and No', () => env({ attrs: 'AdmDivCode="110000" StYear="2025" VtCode="5201" VoucherNo="ZF2025112800001" No="ZF2025112800001"' }), 'ENVELOPE_MALFORMED'],
    ['a missing attribute', () => env({ attrs: 'AdmDivCode="110000" VtCode="5201" VoucherNo="ZF2025112800001"' }), 'ENVELOPE_MALFORMED'],
    ['an unknown attribute', () => env({ attrs: 'AdmDivCode="110000" StYear="2025" VtCode="5201" VoucherNo="ZF2025112800001" Amt="1"' }), 'ENVELOPE_MALFORMED'],
    ['a VoucherCount that differs from the bodies', () => env({ count: '2' }), 'ENVELOPE_COUNT_MISMATCH'],
    ['a VoucherCount that is not a number', () => env({ count: 'x' }), 'ENVELOPE_MALFORMED'],
    ['a missing VoucherCount', () => gbk(`<MOF><VoucherBody AdmDivCode="110000" StYear="2025" VtCode="5201" VoucherNo="ZF2025112800001"><VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher></VoucherBody></MOF>`), 'ENVELOPE_MALFORMED'],
    ['two VoucherCount', () => env({ extra: '<VoucherCount>1</VoucherCount>' }), 'XML_DUPLICATE_ELEMENT'],
    ['the same voucher twice', () => env({ count: '2', extra: `<VoucherBody AdmDivCode="110000" StYear="2025" VtCode="5201" VoucherNo="ZF2025112800001"><VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher></VoucherBody>` }), 'ENVELOPE_DUPLICATE_VOUCHER'],
    ['a second <Voucher> in one body', () => env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher><Voucher>${other}</Voucher>` }), 'XML_DUPLICATE_ELEMENT'],
    ['a body without <Voucher>', () => env({ inner: '<VoucherFlag>0</VoucherFlag>' }), 'ENVELOPE_MALFORMED'],
    ['a body without <VoucherFlag>', () => env({ inner: `<Voucher>${b64(b5201)}</Voucher>` }), 'ENVELOPE_MALFORMED'],
    ['a VoucherFlag other than 0/1', () => env({ inner: `<VoucherFlag>2</VoucherFlag><Voucher>${b64(b5201)}</Voucher>` }), 'ENVELOPE_MALFORMED'],
    ['an OriginalVoucher in an original', () => env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher><OriginalVoucher>${b64(b5201)}</OriginalVoucher>` }), 'ENVELOPE_MALFORMED'],
    ['an OriginalVoucher of another voucher', () => env({ inner: `<VoucherFlag>1</VoucherFlag><Voucher>${b64(b5201)}</Voucher><OriginalVoucher>${other}</OriginalVoucher>` }), 'ENVELOPE_ATTRIBUTE_MISMATCH'],
    ['base64 with whitespace', () => env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201).slice(0, 8)} ${b64(b5201).slice(8)}</Voucher>` }), 'BASE64_INVALID'],
    ['an unknown element in a body', () => env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher><Seal>x</Seal>` }), 'XML_UNKNOWN_ELEMENT'],
    ['an unknown element in the root', () => env({ extra: '<Signature/>' }), 'XML_UNKNOWN_ELEMENT'],
    ['a wrong root', () => env({ root: 'Envelope' }), 'XML_UNEXPECTED_ROOT'],
    ['a DOCTYPE in the envelope', () => gbk(`<?xml version="1.0" encoding="GBK"?><!DOCTYPE MOF [<!ENTITY x "y">]><MOF><VoucherCount>0</VoucherCount></MOF>`), 'XML_DOCTYPE_FORBIDDEN'],
    ['two roots', () => gbk('<MOF><VoucherCount>0</VoucherCount></MOF><MOF><VoucherCount>0</VoucherCount></MOF>'), 'XML_MULTIPLE_ROOTS'],
    ['an attribute on an envelope leaf', () => env({ inner: `<VoucherFlag a="1">0</VoucherFlag><Voucher>${b64(b5201)}</Voucher>` }), 'XML_ATTRIBUTE_FORBIDDEN'],
    ['a stamp at a malformed position', () => env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher><Stamps><Stamp No="xx_gz" Seq="1" Format="ses" View="original">MAA=</Stamp></Stamps>` }), 'ENVELOPE_STAMP_INVALID'],
    ['a stamp with sequence 0', () => env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher><Stamps><Stamp No="cz_gz" Seq="0" Format="ses" View="original">MAA=</Stamp></Stamps>` }), 'ENVELOPE_STAMP_INVALID'],
    ['a stamp in an unknown format', () => env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher><Stamps><Stamp No="cz_gz" Seq="1" Format="xmldsig" View="original">MAA=</Stamp></Stamps>` }), 'ENVELOPE_STAMP_INVALID'],
    ['a stamp with an unknown view', () => env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher><Stamps><Stamp No="cz_gz" Seq="1" Format="cms" View="both">MAA=</Stamp></Stamps>` }), 'ENVELOPE_STAMP_INVALID'],
    ['a stamp with an extra attribute', () => env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher><Stamps><Stamp No="cz_gz" Seq="1" Format="cms" View="original" Cert="x">MAA=</Stamp></Stamps>` }), 'ENVELOPE_STAMP_INVALID'],
    ['an empty stamp', () => env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher><Stamps><Stamp No="cz_gz" Seq="1" Format="cms" View="original"></Stamp></Stamps>` }), 'ENVELOPE_STAMP_INVALID'],
    ['a stamp with bad base64', () => env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher><Stamps><Stamp No="cz_gz" Seq="1" Format="cms" View="original">M A A=</Stamp></Stamps>` }), 'BASE64_INVALID'],
    ['a stamp position longer than 64 characters (what a policy and the to-be-sealed structure accept)', () => env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher><Stamps><Stamp No="cz_${'a'.repeat(62)}" Seq="1" Format="cms" View="original">MAA=</Stamp></Stamps>` }), 'ENVELOPE_STAMP_INVALID'],
    ['two Stamps blocks', () => env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher><Stamps/><Stamps/>` }), 'XML_DUPLICATE_ELEMENT'],
  ];
  for (const [name, make, code] of cases) {
    it(name, () => {
      expect(thrownCode(() => parseEnvelope(make()))).toBe(code);
    });
  }

  it('quoting a bad value never splits a surrogate pair (messages stay well-formed Unicode)', () => {
    const utf8 = (x: string): Uint8Array => new Uint8Array(Buffer.from(x.replace('encoding="GBK"', 'encoding="UTF-8"'), 'utf8'));
    const emoji = '😀'.repeat(30);
    const cases = [
      utf8(new TextDecoder('gbk').decode(env({ inner: `<VoucherFlag>a</VoucherFlag><Voucher>${b64(b5201)}</Voucher>` })).replace('<VoucherFlag>a', `<VoucherFlag>a${emoji}`)),
      utf8(new TextDecoder('gbk').decode(env({ count: 'c' })).replace('<VoucherCount>c', `<VoucherCount>c${emoji}`)),
      utf8(new TextDecoder('gbk').decode(env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher><Stamps><Stamp No="x" Seq="1" Format="cms" View="original">MAA=</Stamp></Stamps>` })).replace('No="x', `No="x${emoji}`)),
    ];
    for (const bytes of cases) {
      let message = '';
      try {
        parseEnvelope(bytes);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toContain('😀');
      expect(/\p{Cs}/u.test(message), message).toBe(false);
    }
  });

  it('accepts a 64-character position; quotes long attribute and header values clipped', () => {
    const ok = env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher><Stamps><Stamp No="cz_${'a'.repeat(61)}" Seq="1" Format="cms" View="original">MAA=</Stamp></Stamps>` });
    expect(parseEnvelope(ok).bodies[0]?.stamps[0]?.position).toHaveLength(64);
    const long = 'Z'.repeat(100_000);
    const errorOf = (bytes: Uint8Array): EvoucherError => {
      try {
        parseEnvelope(bytes);
      } catch (e) {
        if (e instanceof EvoucherError) return e;
      }
      throw new Error('no EvoucherError');
    };
    const mismatch = errorOf(env({ attrs: `AdmDivCode="110000" StYear="2025" VtCode="5201" VoucherNo="${long}"` }));
    expect(mismatch.code).toBe('ENVELOPE_ATTRIBUTE_MISMATCH');
    const body = `<VoucherBody AdmDivCode="${long}" StYear="2025" VtCode="5201" VoucherNo="${long}"><VoucherFlag>0</VoucherFlag><Voucher>AA==</Voucher></VoucherBody>`;
    const duplicate = errorOf(env({ count: '3', extra: body + body }));
    expect(duplicate.code).toBe('ENVELOPE_DUPLICATE_VOUCHER');
    for (const e of [mismatch, duplicate]) {
      expect(e.message.length).toBeLessThan(300);
      for (const v of Object.values(e.detail)) expect(v.length).toBeLessThanOrEqual(65);
    }
    expect(mismatch.detail['attributeValue']).toBe(`${'Z'.repeat(64)}…`);
  });

  it('1,000 stamps (over the stamp limit)', () => {
    const stamps = Array.from({ length: 1000 }, (_, i) => `<Stamp No="cz_gz" Seq="${i + 1}" Format="ses" View="original">MAA=</Stamp>`).join('');
    expect(thrownCode(() => parseEnvelope(env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher><Stamps>${stamps}</Stamps>` })))).toBe('ENVELOPE_TOO_MANY_STAMPS');
    expect(MAX_ENVELOPE_STAMPS).toBe(DEFAULT_ENVELOPE_LIMITS.maxStamps);
  });

  it('too many bodies, too large an envelope, oversized base64', () => {
    const many = env({ count: '2', extra: `<VoucherBody AdmDivCode="110000" StYear="2025" VtCode="2301" VoucherNo="HK2025112800001"><VoucherFlag>0</VoucherFlag><Voucher>${other}</Voucher></VoucherBody>` });
    expect(parseEnvelope(many).bodies).toHaveLength(2);
    expect(thrownCode(() => parseEnvelope(many, { limits: { maxBodies: 1 } }))).toBe('ENVELOPE_TOO_MANY_VOUCHERS');
    expect(thrownCode(() => parseEnvelope(many, { limits: { maxBytes: 100 } }))).toBe('XML_TOO_LARGE');
    expect(thrownCode(() => parseEnvelope(many, { limits: { maxVoucherBase64: 100 } }))).toBe('BASE64_INVALID');
    const withStamp = env({ inner: `<VoucherFlag>0</VoucherFlag><Voucher>${b64(b5201)}</Voucher><Stamps><Stamp No="cz_gz" Seq="1" Format="cms" View="original">MAMCAQE=</Stamp></Stamps>` });
    expect(thrownCode(() => parseEnvelope(withStamp, { limits: { maxStampBase64: 4 } }))).toBe('BASE64_INVALID');
  });

  it('an inner voucher over its own limits is reported on the body', () => {
    const e = parseEnvelope(env(), { limits: { voucher: { maxBytes: 100 } } });
    expect(e.bodies[0]?.voucherError?.code).toBe('XML_TOO_LARGE');
  });

  it('ignores unknown envelope elements only when asked', () => {
    const e = parseEnvelope(env({ extra: '<Signature/>' }), { unknownElements: 'ignore' });
    expect(e.bodies).toHaveLength(1);
  });
});

describe('writeEnvelope refuses', () => {
  it('a duplicate voucher, a bad stamp, an original outside a receipt, a mismatched original', () => {
    expect(thrownCode(() => writeEnvelope([{ voucherBytes: b5201 }, { voucherBytes: b5201 }]))).toBe('ENVELOPE_DUPLICATE_VOUCHER');
    expect(thrownCode(() => writeEnvelope([{ voucherBytes: b5201, stamps: [stamp('CZ_gz', 1)] }]))).toBe('ENVELOPE_STAMP_INVALID');
    expect(thrownCode(() => writeEnvelope([{ voucherBytes: b5201, stamps: [stamp(`cz_${'a'.repeat(62)}`, 1)] }]))).toBe('ENVELOPE_STAMP_INVALID');
    expect(thrownCode(() => writeEnvelope([{ voucherBytes: b5201, stamps: [{ ...stamp('cz_gz', 1), sequence: 1.5 }] }]))).toBe('ENVELOPE_STAMP_INVALID');
    expect(thrownCode(() => writeEnvelope([{ voucherBytes: b5201, stamps: [{ ...stamp('cz_gz', 1), bytes: new Uint8Array() }] }]))).toBe('ENVELOPE_STAMP_INVALID');
    expect(thrownCode(() => writeEnvelope([{ voucherBytes: b5201, originalVoucherBytes: b5201 }]))).toBe('ENVELOPE_MALFORMED');
    expect(thrownCode(() => writeEnvelope([{ voucherBytes: b5201, voucherFlag: '1', originalVoucherBytes: b2301 }]))).toBe('ENVELOPE_ATTRIBUTE_MISMATCH');
    expect(thrownCode(() => writeEnvelope([{ voucherBytes: gbk('<x/>') }]))).toBe('XML_UNEXPECTED_ROOT');
  });
});
