/**
 * OpenSSL as the independent oracle for evoucher seals made with the committed demo PKI:
 * - `cms` seals (P-256, RSA PKCS#1, RSA-PSS) verify with `openssl cms -verify -content tbs.der`, and fail after
 *   one byte of the to-be-sealed structure changes;
 * - SM2 `cms` seals: the signature over the signed attributes verifies with `openssl dgst -sm3 -sigopt distid`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignatureAlgorithm } from '../../src/crypto/index.js';
import { openKeyProvider } from '../../src/keys/index.js';
import { parseCmsStamp, parseStamp, previousStamps, sealVoucher, stampFacts, tbsForStamp } from '../../src/seal/index.js';
import { buildVoucher, createEnvelope, parseEnvelope, type EnvelopeBody, type StampEntry, type VoucherData } from '../../src/voucher/index.js';

const ROOT = join(import.meta.dirname, '../..');
const PKI = join(ROOT, 'fixtures/pki');
const PASSWORD = 'evoucher-demo';
let dir: string;
let envelope: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-seal-openssl-'));
  const data = JSON.parse(await readFile(join(ROOT, 'examples/8202.json'), 'utf8')) as VoucherData;
  envelope = createEnvelope([buildVoucher('8202', data)]);
});
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function keyUri(family: string, role: string): string {
  return `file:${join(PKI, family, `${role}.key.pem`)}?cert=${join(PKI, family, `${role}.cert.pem`)}&chain=${join(PKI, family, 'ca.cert.pem')}`;
}

async function sealWith(family: string, algorithm?: SignatureAlgorithm): Promise<{ body: EnvelopeBody; stamp: StampEntry; tbs: Uint8Array }> {
  const key = await openKeyProvider(keyUri(family, 'dw'), { password: PASSWORD, ...(algorithm === undefined ? {} : { algorithm }) });
  const out = await sealVoucher(envelope, { position: 'dw_cwzyz', key, format: 'cms' });
  const body = parseEnvelope(out).bodies[0]!;
  const stamp = body.stamps[0]!;
  const facts = stampFacts(parseStamp(stamp));
  const { der } = tbsForStamp(body, { position: stamp.position, sequence: stamp.sequence, format: 'cms', view: stamp.view }, previousStamps(body, stamp), facts);
  return { body, stamp, tbs: der };
}

describe('openssl cms -verify accepts evoucher cms seals', () => {
  for (const [family, alg] of [
    ['p256', undefined],
    ['rsa', undefined],
    ['rsa', 'rsa-pss-sha256'],
  ] as const) {
    it(`${family}${alg === undefined ? '' : ` (${alg})`}: verifies, and fails after one tbs byte changes`, async () => {
      const { stamp, tbs } = await sealWith(family, alg);
      const name = `${family}-${alg ?? 'default'}`;
      const p7s = join(dir, `${name}.p7s`);
      const content = join(dir, `${name}.tbs.der`);
      await writeFile(p7s, stamp.bytes);
      await writeFile(content, tbs);
      const args = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', p7s, '-content', content, '-CAfile', join(PKI, 'trust', `${family}-root.cert.pem`), '-purpose', 'any', '-out', join(dir, `${name}.out`)];
      execFileSync('openssl', args, { stdio: 'pipe' });
      expect(new Uint8Array(await readFile(join(dir, `${name}.out`)))).toEqual(tbs);
      const changed = Uint8Array.from(tbs);
      changed[changed.length - 40] = (changed[changed.length - 40] as number) ^ 0x01;
      await writeFile(content, changed);
      expect(() => execFileSync('openssl', args, { stdio: 'pipe' })).toThrow();
    });
  }

  it('sm2 cms: the signature over the signed attributes verifies with openssl dgst -sm3 and the default ID', async () => {
    const { stamp, tbs } = await sealWith('sm2');
    const parsed = parseCmsStamp(stamp.bytes);
    expect(parsed.profile).toBe('gbt35275');
    const attrs = join(dir, 'sm2.attrs.der');
    const sig = join(dir, 'sm2.sig.der');
    const pub = join(dir, 'sm2.pub.pem');
    await writeFile(attrs, parsed.signedAttributes);
    await writeFile(sig, parsed.signature);
    execFileSync('openssl', ['x509', '-in', join(PKI, 'sm2/dw.cert.pem'), '-pubkey', '-noout', '-out', pub], { stdio: 'pipe' });
    const verify = ['dgst', '-sm3', '-verify', pub, '-sigopt', 'distid:1234567812345678', '-signature', sig, attrs];
    expect(execFileSync('openssl', verify, { encoding: 'utf8' })).toContain('Verified OK');
    // The message digest attribute is the SM3 of the structure (openssl dgst -sm3 computes the same).
    const tbsFile = join(dir, 'sm2.tbs.der');
    await writeFile(tbsFile, tbs);
    const sm3 = execFileSync('openssl', ['dgst', '-sm3', '-r', tbsFile], { encoding: 'utf8' }).split(' ')[0];
    expect(Buffer.from(parsed.messageDigest).toString('hex')).toBe(sm3);
    const bad = Uint8Array.from(parsed.signedAttributes);
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    await writeFile(attrs, bad);
    expect(() => execFileSync('openssl', verify, { stdio: 'pipe' })).toThrow();
  });
});
