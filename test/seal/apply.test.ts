import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignatureAlgorithm } from '../../src/crypto/index.js';
import { EvoucherError } from '../../src/errors.js';
import type { KeyProvider } from '../../src/keys/provider.js';
import { parseCertificate } from '../../src/pki/index.js';
import { previousStamps, tbsForStamp } from '../../src/seal/chain.js';
import { checkStamp, parseStamp, stampFacts } from '../../src/seal/formats/index.js';
import { cancelLastSeal, sealVoucher } from '../../src/seal/apply.js';
import { validatePolicy } from '../../src/seal/policy.js';
import { createReceipt } from '../../src/seal/receipt.js';
import { decodeTbs } from '../../src/seal/tbs.js';
import { buildVoucher, createEnvelope, parseEnvelope, serializeVoucher, writeEnvelope, type VoucherData } from '../../src/voucher/index.js';
import { keyProvider, opensslPki, type OpensslPki } from './helpers.js';

let pki: OpensslPki;
let envelope5201: Uint8Array;
let envelope8202: Uint8Array;
// Certificates are made now by OpenSSL: seal a little after now.
const T0 = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 60_000);
const payDate = new Date(T0.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

beforeAll(async () => {
  pki = await opensslPki({
    dw: { kind: 'ec', party: 'dw', org: 'dw:110000001' },
    cz: { kind: 'ec', party: 'cz', org: 'cz:110000' },
    yh: { kind: 'rsa', party: 'yh', org: 'yh:102' },
    rh: { kind: 'ec', party: 'rh', org: 'rh:0011' },
    noparty: { kind: 'ec', party: null },
  });
  const load = async (vt: string) => JSON.parse(await readFile(new URL(`../../examples/${vt}.json`, import.meta.url), 'utf8')) as VoucherData;
  envelope5201 = createEnvelope([buildVoucher('5201', await load('5201'), { now: T0 })]);
  envelope8202 = createEnvelope([buildVoucher('8202', await load('8202'), { now: T0 })]);
}, 120_000);
afterAll(async () => {
  await pki?.cleanup();
});

function key(name: string, alg: SignatureAlgorithm = name === 'yh' ? 'rsa-pkcs1-sha256' : 'ecdsa-p256-sha256'): KeyProvider {
  const l = pki.leaves[name];
  if (l === undefined) throw new Error(`no leaf ${name}`);
  return keyProvider(l.keyPem, l.certDer, alg);
}

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof EvoucherError) return e.code;
    throw e;
  }
  return 'no error';
}

/** A small verifier over the sealing layer: every stamp re-derived from the envelope and checked. */
function verifyAll(bytes: Uint8Array): { position: string; ok: boolean; failed: string[] }[] {
  const env = parseEnvelope(bytes);
  const body = env.bodies[0];
  if (body === undefined) throw new Error('no body');
  return body.stamps.map((s) => {
    const parsed = parseStamp(s);
    const facts = stampFacts(parsed);
    const { der } = tbsForStamp(body, { position: s.position, sequence: s.sequence, format: s.format as 'cms', view: s.view }, previousStamps(body, s), facts);
    const checks = checkStamp(parsed, der);
    const failed = checks.filter((c) => c.status !== 'passed').map((c) => c.code ?? c.check);
    return { position: s.position, ok: failed.length === 0, failed };
  });
}

describe('sealVoucher (cms, software keys)', () => {
  it('builds the 5201 chain dw_gz → cz_zfzyz → receipt yh_zqz → rh_zqz; every seal verifies', async () => {
    let e = await sealVoucher(envelope5201, { position: 'dw_gz', key: key('dw'), time: at(1) });
    e = await sealVoucher(e, { position: 'cz_zfzyz', key: key('cz'), time: at(2) });
    expect(verifyAll(e).every((r) => r.ok)).toBe(true);
    e = createReceipt(e, { set: { XPayDate: payDate, XPayAmt: '12680.50' }, now: at(3) });
    e = await sealVoucher(e, { position: 'yh_zqz', key: key('yh'), time: at(4) });
    e = await sealVoucher(e, { position: 'rh_zqz', key: key('rh'), time: at(5) });
    const results = verifyAll(e);
    expect(results.map((r) => r.position)).toEqual(['dw_gz', 'cz_zfzyz', 'yh_zqz', 'rh_zqz']);
    expect(results.every((r) => r.ok)).toBe(true);

    const body = parseEnvelope(e).bodies[0]!;
    expect(body.voucherFlag).toBe('1');
    const stamp = body.stamps[3]!;
    const facts = stampFacts(parseStamp(stamp));
    const { fields } = tbsForStamp(body, { position: 'rh_zqz', sequence: 5, format: 'cms', view: 'receipt' }, previousStamps(body, stamp), facts);
    expect(fields.previousSeals.map((p) => `${p.positionId}/${p.view}`)).toEqual(['dw_gz/original', 'cz_zfzyz/original', 'yh_zqz/receipt']);
    expect(fields.voucher.originalDigest).toBeDefined();
    expect(facts.signingTime.toISOString()).toBe(at(5).toISOString());
    expect(parseCertificate(facts.signerCertificate).party).toBe('rh');
  });

  it('leaves the voucher bytes untouched and keeps other envelope parts', async () => {
    const e = await sealVoucher(envelope8202, { position: 'dw_cwzyz', key: key('dw'), time: at(1) });
    const before = parseEnvelope(envelope8202).bodies[0]!;
    const after = parseEnvelope(e).bodies[0]!;
    expect(after.voucherBytes).toEqual(before.voucherBytes);
    expect(after.stamps).toHaveLength(1);
    expect(after.stamps[0]).toMatchObject({ position: 'dw_cwzyz', sequence: 1, format: 'cms', view: 'original' });
  });

  it('a changed voucher byte, a dropped middle seal or a reordered chain break later seals', async () => {
    let e = await sealVoucher(envelope5201, { position: 'dw_gz', key: key('dw'), time: at(1) });
    e = await sealVoucher(e, { position: 'cz_zfzyz', key: key('cz'), time: at(2) });
    e = await sealVoucher(e, { position: 'cz_sz', key: key('cz'), time: at(3) });
    const env = parseEnvelope(e);
    const body = env.bodies[0]!;
    // Drop the middle seal: the last seal's chain no longer matches.
    const { writeEnvelope } = await import('../../src/voucher/index.js');
    const dropped = writeEnvelope([{ voucherBytes: body.voucherBytes, stamps: [body.stamps[0]!, body.stamps[2]!] }]);
    expect(verifyAll(dropped).find((r) => r.position === 'cz_sz')?.failed).toContain('SEAL_DIGEST_MISMATCH');
    // Swap the first seal's bytes for another valid seal's: every later seal fails.
    const other = await sealVoucher(envelope5201, { position: 'dw_gz', key: key('dw'), time: at(9) });
    const foreign = parseEnvelope(other).bodies[0]!.stamps[0]!;
    const swapped = writeEnvelope([{ voucherBytes: body.voucherBytes, stamps: [foreign, body.stamps[1]!, body.stamps[2]!] }]);
    const r = verifyAll(swapped);
    expect(r[0]?.ok).toBe(true);
    expect(r[1]?.failed).toContain('SEAL_DIGEST_MISMATCH');
    expect(r[2]?.failed).toContain('SEAL_DIGEST_MISMATCH');
  });

  it('binds position, view and voucher identity in the signed structure', async () => {
    const e = await sealVoucher(envelope8202, { position: 'dw_cwzyz', key: key('dw'), time: at(1) });
    const body = parseEnvelope(e).bodies[0]!;
    const s = body.stamps[0]!;
    const facts = stampFacts(parseStamp(s));
    // Claiming another position for the same stamp recomputes another structure: the digest no longer matches.
    const { der } = tbsForStamp(body, { position: 'dw_sz', sequence: 2, format: 'cms', view: 'original' }, [], facts);
    expect(checkStamp(parseStamp(s), der).find((c) => c.check === 'message-digest')?.code).toBe('SEAL_DIGEST_MISMATCH');
    const { der: good } = tbsForStamp(body, { position: 'dw_cwzyz', sequence: 1, format: 'cms', view: 'original' }, [], facts);
    expect(decodeTbs(good).voucher.vtCode).toBe('8202');
  });
});

describe('sealVoucher refusals (one code each)', () => {
  it('POLICY_POSITION_UNKNOWN', async () => {
    expect(await codeOf(sealVoucher(envelope5201, { position: 'yh_ywzyz', key: key('yh') }))).toBe('POLICY_POSITION_UNKNOWN');
  });
  it('POLICY_PARTY_MISMATCH (finance key at the budget-unit position)', async () => {
    expect(await codeOf(sealVoucher(envelope5201, { position: 'dw_gz', key: key('cz'), time: at(1) }))).toBe('POLICY_PARTY_MISMATCH');
  });
  it('CERT_PARTY_MISSING (certificate without a party OU)', async () => {
    expect(await codeOf(sealVoucher(envelope5201, { position: 'dw_gz', key: key('noparty'), time: at(1) }))).toBe('CERT_PARTY_MISSING');
  });
  it('POLICY_ORG_MISMATCH', async () => {
    const policy = validatePolicy({ version: 1, types: { '5201': { positions: [{ id: 'dw_gz', sequence: 1, organizations: ['dw:999'] }, { id: 'cz_zfzyz', sequence: 2 }] } } });
    expect(await codeOf(sealVoucher(envelope5201, { position: 'dw_gz', key: key('dw'), policy, time: at(1) }))).toBe('POLICY_ORG_MISMATCH');
  });
  it('POLICY_FORMAT_FORBIDDEN', async () => {
    const policy = validatePolicy({ version: 1, types: { '5201': { positions: [{ id: 'dw_gz', sequence: 1, formats: ['ses'] }, { id: 'cz_zfzyz', sequence: 2 }] } } });
    expect(await codeOf(sealVoucher(envelope5201, { position: 'dw_gz', key: key('dw'), policy, time: at(1) }))).toBe('POLICY_FORMAT_FORBIDDEN');
  });
  it('POLICY_SEAL_TYPE_FORBIDDEN and POLICY_POSITION_FORBIDDEN (registry)', async () => {
    const fp = parseCertificate(pki.leaves['cz']!.certDer).fingerprintSha256;
    const typed = validatePolicy({ version: 1, registry: [{ certificateSha256: fp, positions: ['cz_zfzyz', 'cz_sz'], sealType: 'sz' }] });
    expect(await codeOf(sealVoucher(envelope5201, { position: 'cz_zfzyz', key: key('cz'), policy: typed, time: at(1) }))).toBe('POLICY_SEAL_TYPE_FORBIDDEN');
    const elsewhere = validatePolicy({ version: 1, registry: [{ certificateSha256: fp, positions: ['cz_sz'] }] });
    expect(await codeOf(sealVoucher(envelope5201, { position: 'cz_zfzyz', key: key('cz'), policy: elsewhere, time: at(1) }))).toBe('POLICY_POSITION_FORBIDDEN');
    const boundToOther = validatePolicy({ version: 1, registry: [{ certificateSha256: 'ab'.repeat(32), positions: ['cz_zfzyz'] }] });
    expect(await codeOf(sealVoucher(envelope5201, { position: 'cz_zfzyz', key: key('cz'), policy: boundToOther, time: at(1) }))).toBe('POLICY_POSITION_FORBIDDEN');
  });
  it('POLICY_OUT_OF_SEQUENCE (a required lower position missing; a lower position after a higher one)', async () => {
    expect(await codeOf(sealVoucher(envelope5201, { position: 'cz_sz', key: key('cz'), time: at(1) }))).toBe('POLICY_OUT_OF_SEQUENCE');
    const e = await sealVoucher(envelope5201, { position: 'cz_zfzyz', key: key('cz'), time: at(1) });
    expect(await codeOf(sealVoucher(e, { position: 'dw_gz', key: key('dw'), time: at(2) }))).toBe('POLICY_OUT_OF_SEQUENCE');
  });
  it('POLICY_POSITION_SEALED', async () => {
    const e = await sealVoucher(envelope5201, { position: 'dw_gz', key: key('dw'), time: at(1) });
    expect(await codeOf(sealVoucher(e, { position: 'dw_gz', key: key('dw'), time: at(2) }))).toBe('POLICY_POSITION_SEALED');
  });
  it('POLICY_VIEW_LOCKED (the view is complete: its last position is sealed; the original of a receipt)', async () => {
    let e = await sealVoucher(envelope8202, { position: 'dw_cwzyz', key: key('dw'), time: at(1) });
    e = await sealVoucher(e, { position: 'dw_sz', key: key('dw'), time: at(2) });
    const policy = validatePolicy({ version: 1, types: { '8202': { positions: [{ id: 'dw_cwzyz', sequence: 1 }, { id: 'dw_gz', sequence: 2, required: false }, { id: 'dw_sz', sequence: 3, required: false }, { id: 'yh_zqz', sequence: 4, view: 'receipt' }] } } });
    let p = await sealVoucher(envelope8202, { position: 'dw_cwzyz', key: key('dw'), policy, time: at(1) });
    p = await sealVoucher(p, { position: 'dw_sz', key: key('dw'), policy, time: at(2) });
    expect(await codeOf(sealVoucher(p, { position: 'dw_gz', key: key('dw'), policy, time: at(3) }))).toBe('POLICY_VIEW_LOCKED');
    const r = createReceipt(e, { set: { XPayDate: payDate, XAgentBusinessNo: 'B1', XPayAmt: '3250.00' }, now: at(3) });
    const policyR = validatePolicy({ version: 1, types: { '8202': { positions: [{ id: 'dw_cwzyz', sequence: 1 }, { id: 'dw_sz', sequence: 2, required: false }, { id: 'dw_gz', sequence: 3, required: false }, { id: 'yh_zqz', sequence: 4, view: 'receipt' }] } } });
    expect(await codeOf(sealVoucher(r, { position: 'dw_gz', key: key('dw'), policy: policyR, time: at(4) }))).toBe('POLICY_VIEW_LOCKED');
  });
  it('POLICY_VIEW_MISMATCH (receipt position on an original)', async () => {
    const e = await sealVoucher(envelope8202, { position: 'dw_cwzyz', key: key('dw'), time: at(1) });
    expect(await codeOf(sealVoucher(e, { position: 'yh_zqz', key: key('yh'), time: at(2) }))).toBe('POLICY_VIEW_MISMATCH');
  });
  it('SEAL_SES_REQUIRES_SM2 and SEAL_OBJECT_REQUIRED', async () => {
    expect(await codeOf(sealVoucher(envelope5201, { position: 'dw_gz', key: key('dw'), format: 'ses', time: at(1) }))).toBe('SEAL_SES_REQUIRES_SM2');
    const sm2Like: KeyProvider = { ...key('dw'), algorithm: 'sm2-sm3' };
    expect(await codeOf(sealVoucher(envelope5201, { position: 'dw_gz', key: sm2Like, format: 'ses', time: at(1) }))).toBe('SEAL_OBJECT_REQUIRED');
  });
  it('CERT_NOT_YET_VALID and CERT_EXPIRED at the signing time', async () => {
    expect(await codeOf(sealVoucher(envelope5201, { position: 'dw_gz', key: key('dw'), time: new Date('2001-01-01T00:00:00Z') }))).toBe('CERT_NOT_YET_VALID');
    expect(await codeOf(sealVoucher(envelope5201, { position: 'dw_gz', key: key('dw'), time: new Date('2099-01-01T00:00:00Z') }))).toBe('CERT_EXPIRED');
  });
  it('KEY_CERT_MISMATCH (the key is not the certificate\'s)', async () => {
    const dw = pki.leaves['dw']!;
    const other = pki.leaves['rh']!;
    const wrong = keyProvider(other.keyPem, dw.certDer, 'ecdsa-p256-sha256');
    expect(await codeOf(sealVoucher(envelope5201, { position: 'dw_gz', key: wrong, time: at(1) }))).toBe('KEY_CERT_MISMATCH');
    const rsaAsEc = keyProvider(pki.leaves['yh']!.keyPem, dw.certDer, 'rsa-pkcs1-sha256');
    expect(await codeOf(sealVoucher(envelope5201, { position: 'dw_gz', key: rsaAsEc, time: at(1) }))).toBe('KEY_CERT_MISMATCH');
  });
  it('asks the key for one signature per seal; a mismatched key is still named, and no seal comes out', async () => {
    // A hardware token signs slowly: the key/certificate probe runs only when a new seal fails its self-check.
    const counting = (k: KeyProvider): { key: KeyProvider; signatures: () => number } => {
      let n = 0;
      return {
        key: { algorithm: k.algorithm, certificate: () => k.certificate(), chain: async () => (await k.chain?.()) ?? [], sign: async (d: Uint8Array) => (n++, k.sign(d)) },
        signatures: () => n,
      };
    };
    const dw = counting(key('dw'));
    const sealed = await sealVoucher(envelope5201, { position: 'dw_gz', key: dw.key, time: at(1) });
    expect(dw.signatures()).toBe(1);
    const cz = counting(key('cz'));
    await sealVoucher(sealed, { position: 'cz_zfzyz', key: cz.key, time: at(2) });
    expect(cz.signatures()).toBe(1);
    const wrong = counting(keyProvider(pki.leaves['rh']!.keyPem, pki.leaves['dw']!.certDer, 'ecdsa-p256-sha256'));
    expect(await codeOf(sealVoucher(envelope5201, { position: 'dw_gz', key: wrong.key, time: at(1) }))).toBe('KEY_CERT_MISMATCH');
    expect(wrong.signatures()).toBe(2); // the seal, then the probe that names the cause
  });
  it('ARG_INVALID for a missing body', async () => {
    expect(await codeOf(sealVoucher(envelope5201, { position: 'dw_gz', key: key('dw'), body: 3 }))).toBe('ARG_INVALID');
  });
});

describe('cancelLastSeal', () => {
  it('removes only the last seal in chain order', async () => {
    let e = await sealVoucher(envelope5201, { position: 'dw_gz', key: key('dw'), time: at(1) });
    e = await sealVoucher(e, { position: 'cz_zfzyz', key: key('cz'), time: at(2) });
    const c = cancelLastSeal(e);
    expect(parseEnvelope(c).bodies[0]!.stamps.map((s) => s.position)).toEqual(['dw_gz']);
    // The position is free again and can be sealed anew.
    const again = await sealVoucher(c, { position: 'cz_zfzyz', key: key('cz'), time: at(3) });
    expect(verifyAll(again).every((r) => r.ok)).toBe(true);
    expect(await codeOf(() => cancelLastSeal(envelope5201))).toBe('SEAL_MISSING');
  });
  it('never cancels an original seal of a receipt', async () => {
    const e = await sealVoucher(envelope8202, { position: 'dw_cwzyz', key: key('dw'), time: at(1) });
    const r = createReceipt(e, { set: { XPayDate: payDate, XAgentBusinessNo: 'B1', XPayAmt: '3250.00' }, now: at(2) });
    expect(await codeOf(() => cancelLastSeal(r))).toBe('POLICY_VIEW_LOCKED');
  });
});

describe('createReceipt', () => {
  it('keeps the original bytes and seals, fills only X-fields', async () => {
    const e = await sealVoucher(envelope8202, { position: 'dw_cwzyz', key: key('dw'), time: at(1) });
    const r = createReceipt(e, { set: { XPayDate: payDate, XAgentBusinessNo: 'B1', XPayAmt: '3250.00' }, now: at(2) });
    const before = parseEnvelope(e).bodies[0]!;
    const after = parseEnvelope(r).bodies[0]!;
    expect(after.voucherFlag).toBe('1');
    expect(after.originalVoucherBytes).toEqual(before.voucherBytes);
    expect(after.stamps).toEqual(before.stamps);
    expect(after.voucher?.fields['XPayDate']).toBe(payDate);
    expect(verifyAll(r).every((x) => x.ok)).toBe(true);
  });
  it('refuses a non-X field, an incomplete original and a second receipt', async () => {
    const e = await sealVoucher(envelope8202, { position: 'dw_cwzyz', key: key('dw'), time: at(1) });
    expect(await codeOf(() => createReceipt(e, { set: { PayAmt: '1.00' } }))).toBe('VOUCHER_RECEIPT_FIELD_FORBIDDEN');
    expect(await codeOf(() => createReceipt(envelope8202, { set: { XPayDate: payDate } }))).toBe('POLICY_INCOMPLETE');
    // The receipt view needs XPayAmt and XAgentBusinessNo too (catalogue requiredInReceipt).
    expect(await codeOf(() => createReceipt(e, { set: { XPayDate: payDate }, now: at(2) }))).toBe('VOUCHER_INVALID');
    const r = createReceipt(e, { set: { XPayDate: payDate, XAgentBusinessNo: 'B1', XPayAmt: '3250.00' }, now: at(2) });
    expect(await codeOf(() => createReceipt(r, { set: { XPayDate: payDate } }))).toBe('SEAL_RECEIPT_EXISTS');
  });
  it('refuses a type whose policy has no receipt position (its receipt could never verify), and misuse from JavaScript', async () => {
    const e8207 = createEnvelope([buildVoucher('8207', JSON.parse(await readFile(new URL('../../examples/8207.json', import.meta.url), 'utf8')) as VoucherData, { now: T0 })]);
    expect(await codeOf(() => createReceipt(e8207, { set: { XSumAmt: '1.00' } }))).toBe('POLICY_RECEIPT_UNSEALED');
    const e = await sealVoucher(envelope8202, { position: 'dw_cwzyz', key: key('dw'), time: at(1) });
    const js = createReceipt as (e: Uint8Array, o: unknown) => Uint8Array;
    for (const bad of [null, 'x', { set: null }, { set: ['XPayDate'] }, { set: {}, detailSet: {} }, { set: {}, detailSet: [null] }, { set: {}, detailSet: ['x'] }]) {
      expect(await codeOf(() => js(e, bad)), JSON.stringify(bad)).toBe('ARG_INVALID');
    }
  });
});

describe('sealVoucher refuses what the verifier would fail', () => {
  it('a signing time before the previous seal → VERIFY_SIGNING_TIME_ORDER', async () => {
    const e = await sealVoucher(envelope5201, { position: 'dw_gz', key: key('dw'), time: at(60) });
    expect(await codeOf(() => sealVoucher(e, { position: 'cz_zfzyz', key: key('cz'), time: at(1) }))).toBe('VERIFY_SIGNING_TIME_ORDER');
    expect(verifyAll(await sealVoucher(e, { position: 'cz_zfzyz', key: key('cz'), time: at(60) })).every((x) => x.ok)).toBe(true);
  });

  it('a voucher that breaks its rules (PayAmt not the sum of its details) → VOUCHER_INVALID', async () => {
    const good = Buffer.from(serializeVoucher(parseEnvelope(envelope5201).bodies[0]?.voucher ?? buildVoucher('5201', {}))).toString('latin1');
    const bad = good.replace(/<PayAmt>([0-9.]+)<\/PayAmt>/, '<PayAmt>99999.00</PayAmt>');
    expect(bad).not.toBe(good);
    const envelope = writeEnvelope([{ voucherBytes: new Uint8Array(Buffer.from(bad, 'latin1')) }]);
    expect(await codeOf(() => sealVoucher(envelope, { position: 'cz_zfzyz', key: key('cz'), time: at(1) }))).toBe('VOUCHER_INVALID');
  });
});

describe('cancelLastSeal', () => {
  it('refuses the last seal of a complete view (POLICY_VIEW_LOCKED); an open view gives it up', async () => {
    let e = await sealVoucher(envelope8202, { position: 'dw_cwzyz', key: key('dw'), time: at(1) });
    const open = cancelLastSeal(e);
    expect(parseEnvelope(open).bodies[0]?.stamps).toEqual([]);
    e = await sealVoucher(e, { position: 'dw_sz', key: key('dw'), time: at(2) });
    expect(await codeOf(() => cancelLastSeal(e))).toBe('POLICY_VIEW_LOCKED');
  });
});

describe('misuse from JavaScript is a coded error, never a TypeError', () => {
  it('sealVoucher, cancelLastSeal and createReceipt check their arguments', async () => {
    const seal = sealVoucher as (e: unknown, o: unknown) => Promise<Uint8Array>;
    const k = key('dw');
    const cases: [string, () => unknown][] = [
      ['sealVoucher(env)', () => seal(envelope5201, undefined)],
      ['no position', () => seal(envelope5201, { key: k })],
      ['key {}', () => seal(envelope5201, { position: 'dw_gz', key: {} })],
      ['time as text', () => seal(envelope5201, { position: 'dw_gz', key: k, time: '2026-11-01' })],
      ['time invalid', () => seal(envelope5201, { position: 'dw_gz', key: k, time: new Date(Number.NaN) })],
      ['chain [1]', () => seal(envelope5201, { position: 'dw_gz', key: k, chain: [1] })],
      ['seal as text', () => seal(envelope5201, { position: 'dw_gz', key: k, seal: 'x' })],
      ['envelope as text', () => seal('<MOF/>', { position: 'dw_gz', key: k })],
      ['cancelLastSeal()', () => (cancelLastSeal as (e?: unknown) => Uint8Array)()],
      ['createReceipt now as text', () => (createReceipt as (e: unknown, o: unknown) => Uint8Array)(envelope8202, { set: {}, now: '2026' })],
    ];
    for (const [name, run] of cases) expect(await codeOf(async () => run()), name).toBe('ARG_INVALID');
  });
});

describe('the envelope is written back in the charset it was read in', () => {
  it('a UTF-8 declaration past the first 128 bytes stays UTF-8, with text GBK cannot write', async () => {
    const utf8 = parseEnvelope(envelope5201);
    const body = utf8.bodies[0];
    if (body === undefined) throw new Error('no body');
    const written = new TextDecoder().decode(writeEnvelope([{ voucherBytes: body.voucherBytes, attach: '付款成功 😀' }], { encoding: 'UTF-8' }));
    const padded = written.replace('<?xml version="1.0" encoding="UTF-8"?>', `<?xml version="1.0"${' '.repeat(150)}encoding="UTF-8"?>`);
    expect(padded).not.toBe(written);
    const input = new Uint8Array(Buffer.from(padded, 'utf8'));
    expect(parseEnvelope(input).charset).toBe('UTF-8');
    const sealed = await sealVoucher(input, { position: 'dw_gz', key: key('dw'), time: at(1) });
    const again = parseEnvelope(sealed);
    expect(again.charset).toBe('UTF-8');
    expect(again.bodies[0]?.attach).toBe('付款成功 😀');
    expect(parseEnvelope(envelope8202).charset).toBe('GBK');
  });
});

