/**
 * security.md §1.9, §1.2, §1.4: what a seal signs is checked by itself, not only through the voucher digest.
 *
 * The other attack files change the voucher *after* sealing, so a broken voucher digest fails them whatever else
 * the verifier checks. Here the signer (a genuine key under the anchors) signs exactly the bytes that travel, so
 * every digest holds and only the defence under test can refuse:
 * - a to-be-sealed structure naming another voucher (AdmDivCode, StYear, VtCode, VoucherNo) or another view
 *   over the right voucher bytes → that seal's SEAL_DIGEST_MISMATCH (the recomputed identity differs);
 * - a voucher with two detail lines of one `Id`, sealed as it is → VOUCHER_INVALID (VOUCHER_DETAIL_ID_DUPLICATE)
 *   while every seal verifies;
 * - a comment, a processing instruction or CDATA inside a value, a repeated element or an unknown one, sealed as
 *   it is → refused by policy (XML_COMMENT_FORBIDDEN, XML_PI_FORBIDDEN, XML_CDATA_FORBIDDEN,
 *   XML_DUPLICATE_ELEMENT, XML_UNKNOWN_ELEMENT), never VALID;
 * - the report's `scope` is the structure that was signed (its digest is the CMS message-digest).
 */
import { describe, expect, it } from 'vitest';
import { digest } from '../../../src/crypto/index.js';
import type { KeyProvider } from '../../../src/keys/provider.js';
import { makeCmsStamp, parseCmsStamp } from '../../../src/seal/formats/index.js';
import { buildTbs, chainOrder, digestAlgorithmFor, encodeTbs, type TbsFields } from '../../../src/seal/tbs.js';
import { parseVoucher, type StampEntry } from '../../../src/voucher/index.js';
import { codes, failures, key, replaceBytes, rewriteBody, sealedReceipt, stampsOf, swapBase64, T, unsealed, verifyOne, voucherBytesOf } from '../helpers.js';

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'ascii'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

type Identity = { admDivCode: string; stYear: string; vtCode: string; voucherNo: string };

/** One cms stamp signed for real by `provider` over the structure of `voucherBytes`, `fields` edited by `edit`. */
async function signedStamp(
  o: { position: string; sequence: number; provider: KeyProvider; time: Date; voucherBytes: Uint8Array; identity: Identity; previous: readonly StampEntry[] },
  edit: (f: TbsFields) => TbsFields = (f) => f,
): Promise<StampEntry> {
  const signerCertificate = await o.provider.certificate();
  const { fields } = buildTbs({
    digestAlgorithm: digestAlgorithmFor(o.provider.algorithm),
    identity: o.identity,
    view: 'original',
    voucherBytes: o.voucherBytes,
    position: { id: o.position, sequence: o.sequence, format: 'cms' },
    previousStamps: chainOrder(o.previous),
    signingTime: o.time,
    signerCertificate,
  });
  const bytes = await makeCmsStamp({ tbs: encodeTbs(edit(fields)), key: o.provider, signingTime: o.time });
  return { position: o.position, sequence: o.sequence, format: 'cms', view: 'original', bytes };
}

/**
 * The 5201 example with its voucher bytes replaced by `hostile` and sealed dw_gz → cz_zfzyz over exactly those
 * bytes by the genuine demo keys (the identity is the clean voucher's header).
 */
async function sealedOver(hostile: (clean: Uint8Array) => Uint8Array, edit?: (f: TbsFields) => TbsFields): Promise<Uint8Array> {
  const clean = unsealed();
  const v = voucherBytesOf(clean);
  const bytes = hostile(v);
  const f = parseVoucher(v).fields;
  const identity = { admDivCode: f['AdmDivCode'] ?? '', stYear: f['StYear'] ?? '', vtCode: f['VtCode'] ?? '', voucherNo: f['VoucherNo'] ?? '' };
  const dw = await signedStamp({ position: 'dw_gz', sequence: 1, provider: key('dw-p256'), time: T(0), voucherBytes: bytes, identity, previous: [] });
  const cz = await signedStamp({ position: 'cz_zfzyz', sequence: 2, provider: key('cz-p256'), time: T(10), voucherBytes: bytes, identity, previous: [dw] }, edit);
  const withStamps = rewriteBody(clean, () => ({ stamps: [dw, cz] }));
  // The envelope writer parses what it writes: the hostile bytes go in afterwards, as a sender would put them.
  return bytes === v ? withStamps : swapBase64(withStamps, v, bytes);
}

describe('control', () => {
  it('the hand-signed chain over the unchanged voucher is VALID', async () => {
    const r = await verifyOne(await sealedOver((v) => v));
    expect(codes(r)).toEqual([]);
    expect(r.status).toBe('VALID');
  });
});

describe('a to-be-sealed structure that names another voucher or view, over the right voucher bytes', () => {
  const others: [keyof Identity, string][] = [
    ['admDivCode', '310000'],
    ['stYear', '2026'],
    ['vtCode', '5207'],
    ['voucherNo', 'ZF2025112800002'],
  ];
  for (const [field, value] of others) {
    it(`${field} of another voucher → that seal fails (SEAL_DIGEST_MISMATCH); the voucher digest alone would pass`, async () => {
      const r = await verifyOne(await sealedOver((v) => v, (f) => ({ ...f, voucher: { ...f.voucher, [field]: value } })));
      expect(r.status).toBe('INVALID');
      expect(failures(r)).toEqual(['seals[1].message-digest:SEAL_DIGEST_MISMATCH']);
      expect(r.seals[0]?.status).toBe('VALID');
    });
  }

  it('a receipt-view seal whose structure says original view (same bytes) → SEAL_DIGEST_MISMATCH', async () => {
    const receipt = await sealedReceipt('p256');
    const yh = stampsOf(receipt)[2];
    if (yh === undefined) throw new Error('no receipt seal');
    const earlier = stampsOf(receipt).slice(0, 2);
    const v = voucherBytesOf(receipt);
    const f = parseVoucher(v).fields;
    const identity = { admDivCode: f['AdmDivCode'] ?? '', stYear: f['StYear'] ?? '', vtCode: f['VtCode'] ?? '', voucherNo: f['VoucherNo'] ?? '' };
    // Signed as an original-view structure over the receipt bytes, stored as the receipt-view stamp.
    const forged = await signedStamp({ position: 'yh_zqz', sequence: yh.sequence, provider: key('yh-p256'), time: T(60 * 24 + 120), voucherBytes: v, identity, previous: earlier });
    const r = await verifyOne(rewriteBody(receipt, () => ({ stamps: [...earlier, { ...forged, view: 'receipt' }] })));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[2].message-digest:SEAL_DIGEST_MISMATCH']);
  });
});

describe('hostile voucher content sealed as it is (every digest and signature holds)', () => {
  it('two detail lines with one Id → INVALID on the voucher rules (VOUCHER_DETAIL_ID_DUPLICATE); the seals verify', async () => {
    const r = await verifyOne(await sealedOver((v) => replaceBytes(v, ascii('<Id>5201D002</Id>'), ascii('<Id>5201D001</Id>'))));
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['voucher.rules:VOUCHER_INVALID']);
    expect(r.checks.find((c) => c.check === 'voucher-rules')?.detail).toMatchObject({ issues: 'VOUCHER_DETAIL_ID_DUPLICATE', paths: 'DetailList[1].Id' });
    expect(r.seals.map((s) => s.status)).toEqual(['VALID', 'VALID']);
  });

  for (const [name, from, to, code] of [
    ['a comment inside PayeeAcctNo', '<PayeeAcctNo>0200001234567890123</PayeeAcctNo>', '<PayeeAcctNo>0200<!--x-->001234567890123</PayeeAcctNo>', 'XML_COMMENT_FORBIDDEN'],
    ['a processing instruction inside the voucher', '<Hold1/>', '<?pi x?><Hold1/>', 'XML_PI_FORBIDDEN'],
    ['CDATA inside PayeeAcctNo', '<PayeeAcctNo>0200001234567890123</PayeeAcctNo>', '<PayeeAcctNo><![CDATA[0200001234567890123]]></PayeeAcctNo>', 'XML_CDATA_FORBIDDEN'],
    ['a second PayAmt (the wrapping form)', '<PayAmt>12680.50</PayAmt>', '<PayAmt>12680.50</PayAmt><PayAmt>1.00</PayAmt>', 'XML_DUPLICATE_ELEMENT'],
    ['an unknown element', '<Hold1/>', '<PayAmount>99999999.00</PayAmount><Hold1/>', 'XML_UNKNOWN_ELEMENT'],
  ] as const) {
    it(`${name}, sealed as it is → INVALID by policy (${code}), never VALID`, async () => {
      const r = await verifyOne(await sealedOver((v) => replaceBytes(v, ascii(from), ascii(to))));
      expect(r.status).toBe('INVALID');
      expect(r.checks.find((c) => c.check === 'voucher')).toMatchObject({ status: 'failed', code });
      expect(codes(r)).not.toContain('SEAL_DIGEST_MISMATCH');
      expect(r.voucher?.payee).toBeUndefined();
    });
  }
});

describe('the report names the exact signed scope', () => {
  it('scope.tbsDigest is the signed message-digest; the voucher and earlier-seal digests are those of the received bytes', async () => {
    const receipt = await sealedReceipt('p256');
    const r = await verifyOne(receipt);
    expect(r.status).toBe('VALID');
    const stamps = stampsOf(receipt);
    const v = voucherBytesOf(receipt);
    for (const s of r.seals) {
      const stamp = stamps[s.stampIndex];
      if (stamp === undefined || s.scope === undefined) throw new Error('stamp');
      expect(s.scope.tbsDigest).toBe(hex(parseCmsStamp(stamp.bytes).messageDigest));
      expect(s.scope.position).toEqual({ id: stamp.position, sequence: stamp.sequence, format: 'cms' });
      expect(s.scope.voucher.view).toBe(stamp.view);
      expect(s.scope.previousSeals.map((p) => p.digest)).toEqual(r.seals.slice(0, s.index).map((p) => hex(digest('sha256', stamps[p.stampIndex]?.bytes ?? new Uint8Array()))));
    }
    const yh = r.seals[2]?.scope;
    expect(yh?.voucher.digest).toBe(hex(digest('sha256', v)));
    expect(yh?.voucher.digest).toBe(r.voucher?.digest);
    expect(yh?.voucher.originalDigest).toBe(r.voucher?.originalDigest);
    expect(r.seals[0]?.scope?.voucher.digest).toBe(r.voucher?.originalDigest);
  });
});
