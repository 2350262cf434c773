/**
 * security.md §1.12: every oversized or over-deep input is rejected within a fixed time budget, with a code,
 * and never VALID: input over the cap, oversized base64, too many detail lines, 1,000 seals, deep nesting,
 * huge node and attribute counts.
 */
import { describe, expect, it } from 'vitest';
import { MAX_ENVELOPE_BYTES } from '../../../src/voucher/index.js';
import { b64, codes, replaceBytes, sealedOriginal, stampsOf, swapBase64, verifyAll, verifyOne, voucherBytesOf } from '../helpers.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const fromLatin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

/** Asserts a fast, coded, never-VALID outcome. */
async function rejectFast(bytes: Uint8Array, expected: RegExp, options = {}): Promise<string[]> {
  const t0 = Date.now();
  const reports = await verifyAll(bytes, options);
  const elapsed = Date.now() - t0;
  for (const r of reports) expect(r.status).not.toBe('VALID');
  const all = reports.flatMap(codes);
  expect(all.some((c) => expected.test(c)), all.join(',')).toBe(true);
  expect(elapsed).toBeLessThan(5_000);
  return all;
}

describe('sizes', () => {
  it('an envelope over the 64 MiB default cap → XML_TOO_LARGE, without parsing it', async () => {
    const big = new Uint8Array(MAX_ENVELOPE_BYTES + 1).fill(0x20);
    big.set(enc('<?xml version="1.0" encoding="UTF-8"?><MOF>'));
    await rejectFast(big, /^XML_TOO_LARGE$/);
  });

  it('an envelope over a caller-set limit → XML_TOO_LARGE', async () => {
    await rejectFast(await sealedOriginal('p256'), /^XML_TOO_LARGE$/, { limits: { maxBytes: 4096 } });
  });

  it('an oversized stamp base64 (over 1 MiB of text) → BASE64_INVALID', async () => {
    const e = await sealedOriginal('p256');
    const s = stampsOf(e)[0];
    if (s === undefined) throw new Error('no stamp');
    await rejectFast(swapBase64(e, s.bytes, 'QUFB'.repeat(300_000)), /^BASE64_INVALID$/);
  });

  it('an oversized voucher base64 over a caller-set limit → BASE64_INVALID', async () => {
    await rejectFast(await sealedOriginal('p256'), /^BASE64_INVALID$/, { limits: { maxVoucherBase64: 1000 } });
  });
});

describe('counts', () => {
  it('1,001 detail lines (over the reader cap) → XML_TOO_MANY_NODES; never VALID', async () => {
    const e = await sealedOriginal('p256');
    const v = voucherBytesOf(e);
    const t = latin1(v);
    const detail = /<Detail>.*?<\/Detail>/.exec(t)?.[0] ?? '';
    const many = t.replace(/<DetailList>.*<\/DetailList>/, `<DetailList>${detail.repeat(1001)}</DetailList>`);
    await rejectFast(swapBase64(e, v, fromLatin1(many)), /^XML_TOO_MANY_NODES$/);
  });

  it('500 detail lines (over the 499 business limit) → VOUCHER_INVALID (VOUCHER_DETAIL_COUNT) and broken seals', async () => {
    const e = await sealedOriginal('p256');
    const v = voucherBytesOf(e);
    const t = latin1(v);
    const detail = /<Detail>.*?<\/Detail>/.exec(t)?.[0] ?? '';
    const many = t.replace(/<DetailList>.*<\/DetailList>/, `<DetailList>${detail.repeat(500)}</DetailList>`);
    const [r] = await verifyAll(swapBase64(e, v, fromLatin1(many)));
    expect(r?.status).toBe('INVALID');
    expect(r?.checks.find((c) => c.check === 'voucher-rules')?.detail?.['issues']).toContain('VOUCHER_DETAIL_COUNT');
    expect(codes(r as never)).toContain('SEAL_DIGEST_MISMATCH');
  });

  it('1,000 seals → ENVELOPE_TOO_MANY_STAMPS, quickly', async () => {
    const e = await sealedOriginal('p256');
    const t = latin1(e);
    const stamp = /<Stamp [^>]*>[^<]*<\/Stamp>/.exec(t)?.[0] ?? '';
    const many = t.replace(/<Stamps>.*<\/Stamps>/, `<Stamps>${Array.from({ length: 1000 }, (_, i) => stamp.replace(/Seq="\d+"/, `Seq="${i + 1}"`)).join('')}</Stamps>`);
    await rejectFast(fromLatin1(many), /^ENVELOPE_TOO_MANY_STAMPS$/);
  });

  it('1,001 voucher bodies → ENVELOPE_TOO_MANY_VOUCHERS', async () => {
    const body = '<VoucherBody AdmDivCode="1" StYear="2025" VtCode="5201" VoucherNo="X"><VoucherFlag>0</VoucherFlag><Voucher>AA==</Voucher></VoucherBody>';
    await rejectFast(enc(`<?xml version="1.0" encoding="UTF-8"?><MOF><VoucherCount>1001</VoucherCount>${body.repeat(1001)}</MOF>`), /^ENVELOPE_TOO_MANY_VOUCHERS$/);
  });

  it('200,001 elements → XML_TOO_MANY_NODES', async () => {
    await rejectFast(enc(`<?xml version="1.0" encoding="UTF-8"?><MOF><VoucherCount>0</VoucherCount>${'<x/>'.repeat(200_001)}</MOF>`), /^XML_TOO_MANY_NODES$/);
  });

  it('attributes count as nodes: 100,000 elements of one attribute each → XML_TOO_MANY_NODES', async () => {
    // Under the element count alone this passes the limit and builds a tree of 100,000 objects more; 199,000
    // elements of 16 attributes each (a 20 MiB envelope) took over 300 MiB of heap before attributes were counted.
    await rejectFast(enc(`<?xml version="1.0" encoding="UTF-8"?><MOF><VoucherCount>0</VoucherCount>${'<x a="1"/>'.repeat(100_000)}</MOF>`), /^XML_TOO_MANY_NODES$/);
  });

  it('an element with 10,000 attributes → rejected (XML_*)', async () => {
    const attrs = Array.from({ length: 10_000 }, (_, i) => ` a${i}="1"`).join('');
    await rejectFast(enc(`<?xml version="1.0" encoding="UTF-8"?><MOF${attrs}><VoucherCount>0</VoucherCount></MOF>`), /^XML_/);
  });
});

describe('report size', () => {
  // An untrusted value is quoted clipped, and a stamp position longer than any policy or to-be-sealed structure
  // accepts (64 characters) is refused by the envelope reader: 5 MB of Stamp No= made a 30 MB report (the seal's
  // position, the position, duplicates and completeness messages), a 20 MB VoucherBody attribute a 60 MB one.
  const MB = 1024 * 1024;

  it('a megabyte-long Stamp No= → ENVELOPE_STAMP_INVALID, and the report stays small', async () => {
    const e = await sealedOriginal('p256');
    const t = latin1(e).replace(/<Stamp No="[a-z_]+"/g, (_m) => `<Stamp No="dw_${'a'.repeat(MB)}"`);
    const reports = await verifyAll(fromLatin1(t));
    expect(reports.flatMap(codes)).toContain('ENVELOPE_STAMP_INVALID');
    expect(JSON.stringify(reports).length).toBeLessThan(8 * 1024);
  });

  it('a megabyte-long VoucherBody attribute that differs from the header → ENVELOPE_ATTRIBUTE_MISMATCH, quoted clipped', async () => {
    const e = await sealedOriginal('p256');
    const t = latin1(e).replace(/ VoucherNo="[^"]*"/, ` VoucherNo="${'Z'.repeat(MB)}"`);
    const reports = await verifyAll(fromLatin1(t));
    expect(reports.flatMap(codes)).toContain('ENVELOPE_ATTRIBUTE_MISMATCH');
    expect(JSON.stringify(reports).length).toBeLessThan(8 * 1024);
  });

  it('the same megabyte-long identity in two bodies → ENVELOPE_DUPLICATE_VOUCHER, quoted clipped', async () => {
    const no = 'Z'.repeat(MB);
    const body = `<VoucherBody AdmDivCode="${no}" StYear="${no}" VtCode="${no}" VoucherNo="${no}"><VoucherFlag>0</VoucherFlag><Voucher>AA==</Voucher></VoucherBody>`;
    const reports = await verifyAll(enc(`<?xml version="1.0" encoding="UTF-8"?><MOF><VoucherCount>2</VoucherCount>${body}${body}</MOF>`));
    expect(reports.flatMap(codes)).toContain('ENVELOPE_DUPLICATE_VOUCHER');
    expect(JSON.stringify(reports).length).toBeLessThan(8 * 1024);
  });
});

describe('depth', () => {
  it('10,000-deep nesting in the envelope → XML_TOO_DEEP', async () => {
    await rejectFast(enc(`<?xml version="1.0" encoding="UTF-8"?><MOF>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</MOF>`), /^XML_TOO_DEEP$/);
  });

  it('10,000-deep nesting inside the voucher → XML_TOO_DEEP on the voucher check', async () => {
    const e = await sealedOriginal('p256');
    const v = voucherBytesOf(e);
    const deep = latin1(v).replace('<Hold1/>', `<Hold1>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</Hold1>`);
    const all = await rejectFast(swapBase64(e, v, fromLatin1(deep)), /^XML_TOO_DEEP$/);
    expect(all).toContain('XML_TOO_DEEP');
  });

  it('a stamp of deeply nested DER → a format failure, not a crash', async () => {
    const e = await sealedOriginal('p256');
    const s = stampsOf(e)[1];
    if (s === undefined) throw new Error('no stamp');
    // 2,000 nested SEQUENCEs with long-form lengths.
    let der: Uint8Array = new Uint8Array([0x05, 0x00]);
    for (let i = 0; i < 2000; i++) {
      const len = der.length;
      const head = len < 128 ? [0x30, len] : len < 256 ? [0x30, 0x81, len] : len < 65536 ? [0x30, 0x82, len >> 8, len & 0xff] : [0x30, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff];
      der = Uint8Array.from([...head, ...der]);
    }
    const r = await verifyOne(replaceBytes(e, Buffer.from(b64(s.bytes)), Buffer.from(b64(der))));
    expect(r.status).toBe('INVALID');
    expect(r.seals[1]?.checks[0]).toMatchObject({ check: 'format', status: 'failed' });
  });
});
