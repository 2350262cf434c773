/**
 * design.md §4, security.md §1.4, §1.9: a receipt may differ from its original only in X-fields; the original
 * seals hold over the original bytes; the receipt seals chain onto them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createReceipt, validatePolicy } from '../../../src/seal/index.js';
import { buildVoucher, createEnvelope } from '../../../src/voucher/index.js';
import { BUILD_NOW, codes, example, failures, replaceBytes, rewriteBody, seal, sealedOriginal, sealedReceipt, swapBase64, T, verifyOne, voucherBytesOf } from '../helpers.js';

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

  it('a failed payment (XPayAmt 0.00) is VALID, and the report says what was paid apart from the requested amount', async () => {
    const failed = createReceipt(await sealedOriginal('p256'), { set: { XPayDate: '20251202', XPayAmt: '0.00' }, now: new Date('2025-12-02T12:00:00+08:00') });
    const r = await verifyOne(await seal(failed, 'yh_zqz', 'yh-p256', T(60 * 24 + 120)));
    expect(r.status).toBe('VALID');
    expect(r.voucher?.amount).toBe('12680.50');
    expect(r.voucher?.processedAmount).toBe('0.00');
    const ok = await verifyOne(receipt);
    expect(ok.voucher?.processedAmount).toBe('12680.50');
    expect((await verifyOne(await sealedOriginal('p256'))).voucher?.processedAmount).toBeUndefined();
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

describe('a receipt no receipt-view seal covers', () => {
  const RECEIPT_AT = new Date('2025-12-02T12:00:00+08:00');

  it('8207 (no receipt position): a receipt made without any key, its X-fields chosen at will → POLICY_RECEIPT_UNSEALED, never VALID', async () => {
    const original = await seal(createEnvelope([buildVoucher('8207', example('8207'), { now: BUILD_NOW })]), 'cz_bkzyz', 'cz-p256', T(0));
    expect((await verifyOne(original)).status).toBe('VALID');
    // createReceipt refuses a type without a receipt position; one who forges does not ask it, and writes the
    // receipt as if a policy had one (no key is needed to fill X-fields).
    const withReceiptPosition = validatePolicy({ version: 1, types: { '8207': { positions: [{ id: 'cz_bkzyz', sequence: 1 }, { id: 'yh_zqz', sequence: 2, view: 'receipt', required: false }] } } });
    const forged = createReceipt(original, {
      set: { XSumAmt: '0.01' },
      detailSet: [{ XPayAmt: '0.01', XAddWordCode: '99', XAddWord: 'forged failure reason' }],
      now: RECEIPT_AT,
      policy: withReceiptPosition,
    });
    const r = await verifyOne(forged);
    expect(r.status).toBe('INVALID');
    expect(r.voucher?.view).toBe('receipt');
    expect(r.seals.map((s) => `${s.position}:${s.status}`)).toEqual(['cz_bkzyz:VALID']);
    expect(failures(r)).toEqual(['policy.completeness:POLICY_RECEIPT_UNSEALED']);
    expect(r.policy).toMatchObject({ complete: false, missing: [] });
  });

  it('a policy whose original positions are all optional: a receipt of an unsealed original is refused and never VALID', async () => {
    const allOptional = validatePolicy({
      version: 1,
      types: { '5201': { positions: [{ id: 'dw_gz', sequence: 1, required: false }, { id: 'cz_zfzyz', sequence: 2, required: false }, { id: 'yh_zqz', sequence: 4, view: 'receipt' }] } },
    });
    const unsealedOriginal = createEnvelope([buildVoucher('5201', example('5201'), { now: BUILD_NOW })]);
    expect(() => createReceipt(unsealedOriginal, { set: { XPayDate: '20251201', XPayAmt: '12680.50' }, now: RECEIPT_AT, policy: allOptional })).toThrow(expect.objectContaining({ code: 'POLICY_INCOMPLETE', message: expect.stringMatching(/no seal at all/) }));
    // One who forges skips createReceipt: the receipt carries only the bank's seal.
    const forged = rewriteBody(await seal(unsealedOriginal, 'cz_zfzyz', 'cz-p256', T(0), { policy: allOptional }), (b) => b);
    const receipt = createReceipt(forged, { set: { XPayDate: '20251201', XPayAmt: '12680.50' }, now: RECEIPT_AT, policy: allOptional });
    const onlyBank = await seal(rewriteBody(receipt, () => ({ stamps: [] })), 'yh_zqz', 'yh-p256', T(30), { policy: allOptional });
    const r = await verifyOne(onlyBank, { policy: allOptional });
    expect(r.status).toBe('INVALID');
    expect(r.checks.find((c) => c.check === 'completeness')).toMatchObject({ status: 'failed', code: 'POLICY_INCOMPLETE', message: expect.stringMatching(/no original-view seal/) });
  });

  it('3502 (its receipt position optional): without a receipt seal → POLICY_RECEIPT_UNSEALED; with it → VALID', async () => {
    const original = await seal(createEnvelope([buildVoucher('3502', example('3502'), { now: BUILD_NOW })]), 'rh_qm', 'rh-p256', T(0));
    expect((await verifyOne(original)).status).toBe('VALID');
    const receipt = createReceipt(original, { set: {}, now: RECEIPT_AT });
    const unsealedReceipt = await verifyOne(receipt);
    expect(unsealedReceipt.status).toBe('INVALID');
    expect(failures(unsealedReceipt)).toEqual(['policy.completeness:POLICY_RECEIPT_UNSEALED']);
    const sealedOne = await verifyOne(await seal(receipt, 'yh_ywzyz', 'yh-p256', T(30)));
    expect(codes(sealedOne)).toEqual([]);
    expect(sealedOne.status).toBe('VALID');
    expect(sealedOne.policy.complete).toBe(true);
  });
});
