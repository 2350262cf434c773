/**
 * A full 3-seal chain where every seal is made through a `pkcs11:` URI on a real SoftHSM2 token, with the
 * P-256 demo sealer keys imported onto it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPrivateKeyPkcs8, importPrivateKey } from '../../src/crypto/index.js';
import { openKeyProvider } from '../../src/keys/index.js';
import { createTrustStore, parseCertificate, validatePath } from '../../src/pki/index.js';
import { checkStamp, createReceipt, parseStamp, previousStamps, sealVoucher, stampFacts, tbsForStamp } from '../../src/seal/index.js';
import { buildVoucher, createEnvelope, parseEnvelope, type VoucherData } from '../../src/voucher/index.js';
import { createTestToken, type TestToken } from '../helpers/softhsm.js';
import { pemToDer } from './helpers.js';

const ROOT = join(import.meta.dirname, '../..');
const PKI = join(ROOT, 'fixtures/pki');
let token: TestToken | null = null;

beforeAll(async () => {
  const manifest = JSON.parse(await readFile(join(PKI, 'manifest.json'), 'utf8')) as {
    password: string;
    roles: Record<string, { cert: string; key: string }>;
  };
  const keys = await Promise.all(
    ['dw-p256', 'cz-p256', 'yh-p256'].map(async (role, i) => {
      const r = manifest.roles[role]!;
      const key = importPrivateKey(await readFile(join(PKI, r.key), 'utf8'), { password: manifest.password });
      return {
        label: role,
        id: `0${i + 1}`,
        keyPkcs8Der: exportPrivateKeyPkcs8(key),
        certDer: pemToDer(await readFile(join(PKI, r.cert), 'utf8')),
      };
    }),
  );
  token = await createTestToken({ keys });
}, 120_000);

afterAll(async () => {
  await token?.cleanup();
});

describe('sealing with a SoftHSM2 token', () => {
  it('makes dw_gz → cz_zfzyz → (receipt) yh_zqz entirely through pkcs11: URIs', async (ctx) => {
    if (token === null) {
      ctx.skip();
      return;
    }
    const t = token;
    const data = JSON.parse(await readFile(join(ROOT, 'examples/5201.json'), 'utf8')) as VoucherData;
    let env = createEnvelope([buildVoucher('5201', data)]);
    const seal = async (position: string, role: string): Promise<void> => {
      const key = await openKeyProvider(t.uri(role));
      try {
        expect(key.algorithm).toBe('ecdsa-p256-sha256');
        env = await sealVoucher(env, { position, key });
      } finally {
        await key.close?.();
      }
    };
    await seal('dw_gz', 'dw-p256');
    await seal('cz_zfzyz', 'cz-p256');
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
    env = createReceipt(env, { set: { XPayDate: today, XPayAmt: '12680.50' } });
    await seal('yh_zqz', 'yh-p256');

    const body = parseEnvelope(env).bodies[0]!;
    expect(body.stamps.map((s) => s.position)).toEqual(['dw_gz', 'cz_zfzyz', 'yh_zqz']);
    const ca = pemToDer(await readFile(join(PKI, 'p256/ca.cert.pem'), 'utf8'));
    const trust = createTrustStore([await readFile(join(PKI, 'trust/p256-root.cert.pem'), 'utf8')]);
    for (const s of body.stamps) {
      const parsed = parseStamp(s);
      const facts = stampFacts(parsed);
      const { der } = tbsForStamp(body, { position: s.position, sequence: s.sequence, format: 'cms', view: s.view }, previousStamps(body, s), facts);
      expect(checkStamp(parsed, der).map((c) => c.status)).toEqual(['passed', 'passed', 'passed']);
      // The token holds only the leaf certificates; the issuing CA comes from the demo PKI.
      const path = validatePath(parseCertificate(facts.signerCertificate), { trust, intermediates: [...facts.certificates, ca], at: facts.signingTime });
      expect({ status: path.status, message: path.message }).toMatchObject({ status: 'valid' });
    }
  });
});
