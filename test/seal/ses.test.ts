import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectedCode } from '../helpers/codes.js';
import { createTrustStore, parseCertificate, validatePath } from '../../src/pki/index.js';
import { openKeyProvider } from '../../src/keys/index.js';
import type { KeyProvider } from '../../src/keys/provider.js';
import { checkStamp, createReceipt, decodeTbs, parseSesStamp, parseStamp, previousStamps, sealVoucher, stampFacts, tbsForStamp } from '../../src/seal/index.js';
import { makeSeal } from '../../src/seal/ses/seal_object.js';
import { buildVoucher, createEnvelope, parseEnvelope, writeEnvelope, type VoucherData } from '../../src/voucher/index.js';
import { pemToDer } from './helpers.js';

const ROOT = join(import.meta.dirname, '../..');
const PKI = join(ROOT, 'fixtures/pki');
const keys = new Map<string, KeyProvider>();
const seals = new Map<string, Uint8Array>();
let envelope: Uint8Array;

async function key(role: string): Promise<KeyProvider> {
  let k = keys.get(role);
  if (k === undefined) {
    const [party, family] = role.split('-') as [string, string];
    k = await openKeyProvider(`file:${join(PKI, family, `${party}.key.pem`)}?cert=${join(PKI, family, `${party}.cert.pem`)}`, { password: 'evoucher-demo' });
    keys.set(role, k);
  }
  return k;
}

function verifyAll(bytes: Uint8Array): { position: string; failed: string[] }[] {
  const body = parseEnvelope(bytes).bodies[0]!;
  return body.stamps.map((s) => {
    const parsed = parseStamp(s);
    const { der } = tbsForStamp(body, { position: s.position, sequence: s.sequence, format: s.format as 'ses', view: s.view }, previousStamps(body, s), stampFacts(parsed));
    return { position: s.position, failed: checkStamp(parsed, der).filter((c) => c.status !== 'passed').map((c) => c.code ?? c.check) };
  });
}

beforeAll(async () => {
  const maker = await key('maker-sm2');
  for (const party of ['dw', 'cz', 'yh']) {
    const holder = pemToDer(await readFile(join(PKI, 'sm2', `${party}.cert.pem`), 'utf8'));
    seals.set(party, await makeSeal({ maker, holders: [holder], name: `Demo ${party} seal`, esId: `DEMO-${party.toUpperCase()}-0001`, validStart: new Date('2025-01-01T00:00:00Z'), validEnd: new Date('2040-01-01T00:00:00Z') }));
  }
  seals.set('dw-expired', await makeSeal({ maker, holders: [pemToDer(await readFile(join(PKI, 'sm2/dw.cert.pem'), 'utf8'))], name: 'expired', validStart: new Date('2025-01-01T00:00:00Z'), validEnd: new Date('2025-06-30T00:00:00Z'), createDate: new Date('2025-01-01T00:00:00Z') }));
  const data = JSON.parse(await readFile(join(ROOT, 'examples/5201.json'), 'utf8')) as VoucherData;
  envelope = createEnvelope([buildVoucher('5201', data)]);
}, 120_000);

afterAll(async () => {
  for (const k of keys.values()) await k.close?.();
});

describe('ses seals (GB/T 38540 with the demo SM2 PKI)', () => {
  it('chains dw_gz (ses) → cz_zfzyz (ses) → receipt yh_zqz (ses) → rh_zqz (SM2 cms); every seal verifies', async () => {
    let e = await sealVoucher(envelope, { position: 'dw_gz', key: await key('dw-sm2'), seal: seals.get('dw')! });
    e = await sealVoucher(e, { position: 'cz_zfzyz', key: await key('cz-sm2'), seal: seals.get('cz')! });
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
    e = createReceipt(e, { set: { XPayDate: today, XPayAmt: '12680.50' } });
    e = await sealVoucher(e, { position: 'yh_zqz', key: await key('yh-sm2'), seal: seals.get('yh')! });
    e = await sealVoucher(e, { position: 'rh_zqz', key: await key('rh-sm2') });
    const results = verifyAll(e);
    expect(results.map((r) => r.position)).toEqual(['dw_gz', 'cz_zfzyz', 'yh_zqz', 'rh_zqz']);
    for (const r of results) expect(r.failed).toEqual([]);

    const body = parseEnvelope(e).bodies[0]!;
    expect(body.stamps.map((s) => s.format)).toEqual(['ses', 'ses', 'ses', 'cms']);
    const cz = parseSesStamp(body.stamps[1]!.bytes);
    expect(cz.propertyInfo).toBe('evoucher-tbs/1;vt=5201;no=ZF2025112800001;view=original;pos=cz_zfzyz;seq=2');
    expect(cz.sealObject.esId).toBe('DEMO-CZ-0001');
    const carried = decodeTbs(cz.tbs);
    expect(carried.position).toEqual({ id: 'cz_zfzyz', sequence: 2, format: 'ses' });
    expect(carried.sealObject?.esId).toBe('DEMO-CZ-0001');
    expect(carried.digestAlgorithm).toBe('sm3');
    expect(carried.signingTime.getTime()).toBe(cz.signingTime.getTime());
  });

  it('a changed voucher byte fails dataHash and the carried structure', async () => {
    const e = await sealVoucher(envelope, { position: 'dw_gz', key: await key('dw-sm2'), seal: seals.get('dw')! });
    const body = parseEnvelope(e).bodies[0]!;
    const v = Uint8Array.from(body.voucherBytes);
    const i = new TextDecoder('latin1').decode(v).indexOf('12680.50');
    v[i] = '9'.charCodeAt(0);
    const tampered = writeEnvelope([{ voucherBytes: v, stamps: body.stamps }]);
    expect(verifyAll(tampered)[0]?.failed).toEqual(['SEAL_DIGEST_MISMATCH', 'SEAL_TBS_MISMATCH']);
  });

  it('refuses: signer not in the seal, seal expired at the signing time, bad maker signature, non-SM2 key', async () => {
    expect(await rejectedCode(sealVoucher(envelope, { position: 'dw_gz', key: await key('dw-sm2'), seal: seals.get('cz')! }))).toBe('SEAL_SIGNER_NOT_IN_SEAL');
    expect(await rejectedCode(sealVoucher(envelope, { position: 'dw_gz', key: await key('dw-sm2'), seal: seals.get('dw-expired')! }))).toBe('SEAL_PERIOD_INVALID');
    const forged = Uint8Array.from(seals.get('dw')!);
    const at = new TextDecoder('latin1').decode(forged).indexOf('Demo dw seal');
    forged[at] = 'X'.charCodeAt(0);
    expect(await rejectedCode(sealVoucher(envelope, { position: 'dw_gz', key: await key('dw-sm2'), seal: forged }))).toBe('SEAL_MAKER_SIGNATURE_INVALID');
    expect(await rejectedCode(sealVoucher(envelope, { position: 'dw_gz', key: await key('dw-p256'), seal: seals.get('dw')! }))).toBe('SEAL_SES_REQUIRES_SM2');
    // The party check comes before the seal checks: a finance key at the budget-unit position.
    expect(await rejectedCode(sealVoucher(envelope, { position: 'dw_gz', key: await key('cz-sm2'), seal: seals.get('cz')! }))).toBe('POLICY_PARTY_MISMATCH');
    expect(await rejectedCode(sealVoucher(envelope, { position: 'dw_gz', key: await key('dw-sm2'), seal: seals.get('dw')!, format: 'cms' }))).toBe('ARG_INVALID');
  });

  it('carries the sealer chain in TBS_Sign.extDatas so the path can be built', async () => {
    const chained = await openKeyProvider(`file:${join(PKI, 'sm2/dw.key.pem')}?cert=${join(PKI, 'sm2/dw.cert.pem')}&chain=${join(PKI, 'sm2/ca.cert.pem')}`, { password: 'evoucher-demo' });
    try {
      const e = await sealVoucher(envelope, { position: 'dw_gz', key: chained, seal: seals.get('dw')! });
      const stamp = parseSesStamp(parseEnvelope(e).bodies[0]!.stamps[0]!.bytes);
      expect(stamp.certificates).toHaveLength(1);
      expect(stamp.certificates[0]).toEqual(pemToDer(await readFile(join(PKI, 'sm2/ca.cert.pem'), 'utf8')));
      const trust = createTrustStore([await readFile(join(PKI, 'trust/sm2-root.cert.pem'), 'utf8')]);
      const path = validatePath(parseCertificate(stamp.signerCertificate), { trust, intermediates: stamp.certificates, at: stamp.signingTime });
      expect(path.status).toBe('valid');
      expect(verifyAll(e)[0]?.failed).toEqual([]);
    } finally {
      await chained.close?.();
    }
  });
});
