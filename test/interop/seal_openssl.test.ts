/**
 * OpenSSL as the independent oracle for evoucher seals made with the committed demo PKI:
 * - `cms` seals (P-256, RSA PKCS#1, RSA-PSS) verify with `openssl cms -verify -content tbs.der`, and fail after
 *   one byte of the to-be-sealed structure changes;
 * - SM2 `cms` seals: the signature over the signed attributes verifies with `openssl dgst -sm3 -sigopt distid`;
 * - `ses` seals: the sealer signature verifies with `openssl dgst -sm3 -verify … -sigopt distid:1234567812345678`
 *   over the raw `TBS_Sign` slice cut out by `openssl asn1parse` (standards.md §6 recipe), and `dataHash` is the
 *   `openssl dgst -sm3` of the to-be-sealed structure.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignatureAlgorithm } from '../../src/crypto/index.js';
import { openKeyProvider } from '../../src/keys/index.js';
import { makeSeal, parseCmsStamp, parseStamp, previousStamps, sealVoucher, stampFacts, tbsForStamp } from '../../src/seal/index.js';
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

describe('openssl verifies evoucher ses seals', () => {
  it('sealer signature over the raw TBS_Sign slice, with distid 1234567812345678; dataHash = SM3(tbs)', async () => {
    const S = join(PKI, 'sm2');
    const maker = await openKeyProvider(`file:${join(S, 'maker.key.pem')}?cert=${join(S, 'maker.cert.pem')}`, { password: PASSWORD });
    const dw = await openKeyProvider(`file:${join(S, 'dw.key.pem')}?cert=${join(S, 'dw.cert.pem')}`, { password: PASSWORD });
    const seal = await makeSeal({ maker, holders: [await dw.certificate()], name: 'Demo Budget Unit', validStart: new Date('2025-01-01T00:00:00Z'), validEnd: new Date('2040-01-01T00:00:00Z') });
    const out = await sealVoucher(envelope, { position: 'dw_cwzyz', key: dw, seal });
    const body = parseEnvelope(out).bodies[0]!;
    const stamp = body.stamps[0]!;
    const facts = stampFacts(parseStamp(stamp));
    const { der: tbs } = tbsForStamp(body, { position: stamp.position, sequence: stamp.sequence, format: 'ses', view: stamp.view }, previousStamps(body, stamp), facts);

    const f = (n: string): string => join(dir, `ses.${n}`);
    await writeFile(f('der'), stamp.bytes);
    await writeFile(f('tbs.der'), tbs);
    // The top-level elements of SES_Signature: TBS_Sign, cert, signatureAlgID, signature.
    const lines = execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-in', f('der')], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => /d=1 /.test(l))
      .map((l) => /^\s*(\d+):d=1\s+hl=(\d+)\s+l=\s*(\d+)\s+\w+:\s*(.+?)\s*$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ offset: Number(m[1]), hl: Number(m[2]), len: Number(m[3]), type: m[4] as string }));
    expect(lines.map((l) => l.type.split(' ')[0])).toEqual(['SEQUENCE', 'OCTET', 'OBJECT', 'BIT']);
    const [tbsSign, cert, , sig] = lines as [typeof lines[0], typeof lines[0], typeof lines[0], typeof lines[0]];
    const run = (...args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8' });
    run('asn1parse', '-inform', 'DER', '-in', f('der'), '-offset', String(tbsSign.offset), '-length', String(tbsSign.hl + tbsSign.len), '-out', f('tbs_sign.der'), '-noout');
    run('asn1parse', '-inform', 'DER', '-in', f('der'), '-strparse', String(cert.offset), '-out', f('cert.der'), '-noout');
    run('asn1parse', '-inform', 'DER', '-in', f('der'), '-strparse', String(sig.offset), '-out', f('sig.der'), '-noout');
    run('x509', '-inform', 'DER', '-in', f('cert.der'), '-pubkey', '-noout', '-out', f('pub.pem'));
    const verify = ['dgst', '-sm3', '-verify', f('pub.pem'), '-sigopt', 'distid:1234567812345678', '-signature', f('sig.der'), f('tbs_sign.der')];
    expect(run(...verify)).toContain('Verified OK');
    // dataHash inside TBS_Sign equals openssl's SM3 of the recomputed to-be-sealed structure.
    const sm3 = run('dgst', '-sm3', '-r', f('tbs.der')).split(' ')[0] as string;
    expect(Buffer.from(stamp.bytes).toString('hex')).toContain(`032100${sm3}`);
    // One flipped byte in the signed slice: OpenSSL refuses.
    const bad = new Uint8Array(await readFile(f('tbs_sign.der')));
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    await writeFile(f('tbs_sign.der'), bad);
    expect(() => execFileSync('openssl', verify, { stdio: 'pipe' })).toThrow();
    await maker.close?.();
    await dw.close?.();
  });
});
