/**
 * design.md §4, security.md §1.4, §1.9: a receipt may differ from its original only in X-fields; the original
 * seals hold over the original bytes; the receipt seals chain onto them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { codes, failures, replaceBytes, rewriteBody, sealedReceipt, swapBase64, verifyOne, voucherBytesOf } from '../helpers.js';

let receipt: Uint8Array;
beforeAll(async () => {
  receipt = await sealedReceipt('rsa');
});

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'ascii'));

describe('receipts', () => {
  it('the sealed receipt is VALID', async () => {
    const r = await verifyOne(receipt);
    expect(codes(r)).toEqual([]);
    expect(r.status).toBe('VALID');
  });

  it('an X-field changed after the receipt seal → the receipt seal fails (SEAL_DIGEST_MISMATCH); the original seals stay valid', async () => {
    const r = await verifyOne(rewriteBody(receipt, (b) => ({ voucherBytes: replaceBytes(b.voucherBytes, ascii('<XPayAmt>12680.50</XPayAmt>'), ascii('<XPayAmt>12000.00</XPayAmt>')) })));
    expect(r.status).toBe('INVALID');
    expect(r.seals.map((s) => s.status)).toEqual(['VALID', 'VALID', 'INVALID']);
    expect(failures(r)).toEqual(['seals[2].message-digest:SEAL_DIGEST_MISMATCH']);
  });

  it('a non-X field changed in the receipt (payee) → VOUCHER_RECEIPT_FIELD_FORBIDDEN and the receipt seal fails', async () => {
    const r = await verifyOne(
      rewriteBody(receipt, (b) => ({ voucherBytes: replaceBytes(b.voucherBytes, ascii('<PayeeAcctNo>0200001234567890123</PayeeAcctNo>'), ascii('<PayeeAcctNo>6200001234567890123</PayeeAcctNo>')) })),
    );
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['receipt:VOUCHER_RECEIPT_FIELD_FORBIDDEN', 'seals[2].message-digest:SEAL_DIGEST_MISMATCH']);
  });

  it('a non-X field changed in the original of a receipt → the original seals fail', async () => {
    const r = await verifyOne(
      rewriteBody(receipt, (b) => ({
        originalVoucherBytes: replaceBytes(b.originalVoucherBytes ?? new Uint8Array(), ascii('<PaySummaryName>'), ascii('<PaySummaryName>X')),
      })),
    );
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toEqual(['VOUCHER_RECEIPT_FIELD_FORBIDDEN', 'SEAL_DIGEST_MISMATCH', 'SEAL_DIGEST_MISMATCH', 'SEAL_DIGEST_MISMATCH']);
  });

  it('a receipt whose non-X field differs from the original only by a comment → INVALID', async () => {
    const v = voucherBytesOf(receipt);
    const commented = replaceBytes(v, ascii('<PayeeAcctNo>0200001234567890123'), ascii('<PayeeAcctNo>0200<!--x-->001234567890123'));
    const r = await verifyOne(swapBase64(receipt, v, commented));
    expect(r.status).toBe('INVALID');
    expect(codes(r)[0]).toBe('XML_COMMENT_FORBIDDEN');
  });

  it('a receipt without its original → INVALID (VERIFY_ORIGINAL_MISSING), original seals unprovable', async () => {
    const text = Buffer.from(receipt).toString('latin1').replace(/<OriginalVoucher>[^<]*<\/OriginalVoucher>/, '');
    const r = await verifyOne(new Uint8Array(Buffer.from(text, 'latin1')));
    expect(r.status).toBe('INVALID');
    expect(codes(r)).toContain('VERIFY_ORIGINAL_MISSING');
    expect(codes(r)).toContain('SEAL_SCOPE_MISMATCH');
  });

  it('a receipt whose X-fields are not filled → INVALID on the receipt rules', async () => {
    const r = await verifyOne(rewriteBody(receipt, (b) => ({ voucherBytes: b.originalVoucherBytes ?? new Uint8Array() })));
    expect(r.status).toBe('INVALID');
    expect(r.checks.find((c) => c.check === 'voucher-rules')).toMatchObject({ status: 'failed', code: 'VOUCHER_INVALID' });
  });
});
