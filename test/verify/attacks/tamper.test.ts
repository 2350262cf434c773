/**
 * security.md §1.1, §1.4, §1.9: what was verified is what is reported. Changing the amount or the payee after
 * sealing, adding one byte, a forged copy in `Attach` or in the attributes, a comment inside a value: each is
 * caught, and the report's business data comes only from the verified voucher bytes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { writeEnvelope } from '../../../src/voucher/index.js';
import { codes, failures, replaceBytes, sealedOriginal, stampsOf, swapBase64, verifyOne, voucherBytesOf } from '../helpers.js';

let sealed: Uint8Array;
beforeAll(async () => {
  sealed = await sealedOriginal('p256');
});

/** ASCII text as bytes (ASCII is the same in GBK and UTF-8). */
const gbk = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'ascii'));

function changeVoucher(from: string, to: string): Uint8Array {
  const v = voucherBytesOf(sealed);
  return swapBase64(sealed, v, replaceBytes(v, gbk(from), gbk(to)));
}

describe('voucher bytes changed after sealing', () => {
  it('amount changed (main and one detail, still summing) → every seal SEAL_DIGEST_MISMATCH', async () => {
    const v = voucherBytesOf(sealed);
    const changed = replaceBytes(replaceBytes(v, gbk('<PayAmt>12680.50</PayAmt>'), gbk('<PayAmt>92680.50</PayAmt>')), gbk('<PayAmt>8000.00</PayAmt>'), gbk('<PayAmt>88000.00</PayAmt>'));
    const r = await verifyOne(swapBase64(sealed, v, changed));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[0].message-digest:SEAL_DIGEST_MISMATCH', 'seals[1].message-digest:SEAL_DIGEST_MISMATCH']);
    // The report shows what the bytes say (and that nothing verifies them).
    expect(r.voucher?.amount).toBe('92680.50');
  });

  it('payee account changed → SEAL_DIGEST_MISMATCH on every seal', async () => {
    const r = await verifyOne(changeVoucher('<PayeeAcctNo>0200001234567890123</PayeeAcctNo>', '<PayeeAcctNo>6200001234567890123</PayeeAcctNo>'));
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toEqual(['SEAL_DIGEST_MISMATCH', 'SEAL_DIGEST_MISMATCH']);
  });

  it('one byte added (a space before the root end tag) → SEAL_DIGEST_MISMATCH', async () => {
    const r = await verifyOne(changeVoucher('</Voucher>', '</Voucher >'));
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toEqual(['SEAL_DIGEST_MISMATCH', 'SEAL_DIGEST_MISMATCH']);
  });

  it('one byte appended after the root (trailing newline) → SEAL_DIGEST_MISMATCH', async () => {
    const v = voucherBytesOf(sealed);
    const r = await verifyOne(swapBase64(sealed, v, Uint8Array.from([...v, 0x0a])));
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toContain('SEAL_DIGEST_MISMATCH');
  });

  it('a comment inside a value (<PayeeAcctNo>0200<!--x-->...) → INVALID: comments are refused', async () => {
    const r = await verifyOne(changeVoucher('<PayeeAcctNo>0200001234567890123</PayeeAcctNo>', '<PayeeAcctNo>0200<!--x-->001234567890123</PayeeAcctNo>'));
    expect(r.status).toBe('INVALID');
    expect(codes(r)[0]).toBe('XML_COMMENT_FORBIDDEN');
  });

  it('a repeated element (two PayAmt) → INVALID', async () => {
    const r = await verifyOne(changeVoucher('<PayAmt>12680.50</PayAmt>', '<PayAmt>12680.50</PayAmt><PayAmt>1.00</PayAmt>'));
    expect(r.status).toBe('INVALID');
    expect(codes(r)[0]).toBe('XML_DUPLICATE_ELEMENT');
  });
});

describe('unsigned envelope data never feeds the report', () => {
  it('a forged voucher in Attach and a Return_Reason: still VALID, and the amount and payee come from the verified bytes', async () => {
    const forged = new TextDecoder('gbk').decode(voucherBytesOf(sealed)).replace('12680.50', '99999999.00').replace('0200001234567890123', '6200009999999999999');
    const env = writeEnvelope([{ voucherBytes: voucherBytesOf(sealed), attach: forged.replace(/<\?xml[^>]*>/, ''), returnReason: 'PayAmt=99999999.00', stamps: stampsOf(sealed) }]);
    const r = await verifyOne(env);
    expect(r.status).toBe('VALID');
    expect(r.voucher?.amount).toBe('12680.50');
    expect(r.voucher?.payee?.account).toBe('0200001234567890123');
  });

  it('VoucherBody attributes that disagree with the sealed header → INVALID (ENVELOPE_ATTRIBUTE_MISMATCH)', async () => {
    const r = await verifyOne(replaceBytes(sealed, Buffer.from('VoucherNo="ZF2025112800001"'), Buffer.from('VoucherNo="ZF2025112800999"')));
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toEqual(['ENVELOPE_ATTRIBUTE_MISMATCH']);
  });

  it('a second <Voucher> in one body → INVALID (XML_DUPLICATE_ELEMENT)', async () => {
    const text = Buffer.from(sealed).toString('latin1');
    const voucherEl = /<Voucher>[^<]*<\/Voucher>/.exec(text)?.[0] ?? '';
    const r = await verifyOne(new Uint8Array(Buffer.from(text.replace(voucherEl, voucherEl + voucherEl), 'latin1')));
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toEqual(['XML_DUPLICATE_ELEMENT']);
  });

  it('two VoucherBody for one voucher → INVALID (ENVELOPE_DUPLICATE_VOUCHER)', async () => {
    const text = Buffer.from(sealed).toString('latin1');
    const body = /<VoucherBody .*<\/VoucherBody>/.exec(text)?.[0] ?? '';
    const twice = text.replace(body, body + body).replace('<VoucherCount>1</VoucherCount>', '<VoucherCount>2</VoucherCount>');
    const r = await verifyOne(new Uint8Array(Buffer.from(twice, 'latin1')));
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toEqual(['ENVELOPE_DUPLICATE_VOUCHER']);
  });
});
