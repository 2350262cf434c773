/**
 * Public functions called with the argument shapes a plain JavaScript or Java-glue caller gets wrong: every
 * failure is an EvoucherError with a code of docs/errors.md (never a bare TypeError, RangeError or SyntaxError from
 * deep inside), async functions reject rather than throw, a value that would be written into a document as
 * it is (an envelope root, a charset) is refused rather than written, and an option outside its set or range (a
 * mode, format, encoding, limit, count, algorithm, flag or clock, `null` included) is `ARG_INVALID` naming the
 * option, never read as its default.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isEvoucherError } from '../../src/errors.js';
import * as sdk from '../../src/index.js';
import { openSoftwareKey } from '../../src/keys/software/index.js';
import { openPkcs11, type Pkcs11Options } from '../../src/keys/pkcs11/index.js';

const ROOT = join(import.meta.dirname, '../..');
const PKI = join(ROOT, 'fixtures/pki');
const manifest = JSON.parse(readFileSync(join(PKI, 'manifest.json'), 'utf8')) as {
  password: string;
  roles: Record<string, { key: string; cert: string; chain: string[]; fingerprintSha256: string }>;
};
const pki = (rel: string): string => readFileSync(join(PKI, rel), 'utf8');
const role = manifest.roles['cz-p256'];
if (role === undefined) throw new Error('no demo role cz-p256');
const key = openSoftwareKey({ key: pki(role.key), certificate: pki(role.cert), password: manifest.password });
const data = JSON.parse(readFileSync(join(ROOT, 'examples/5201.json'), 'utf8')) as sdk.VoucherData;
const now = new Date('2025-11-30T12:00:00+08:00');
const voucher = sdk.buildVoucher('5201', data, { now });
const leafDer = sdk.parseCertificate(pki(role.cert)).der;
const trust = sdk.createTrustStore([pki('trust/p256-root.cert.pem')]);
const intermediates = role.chain.map((c) => sdk.parseCertificate(pki(c)));

const throwingGetter = new Proxy({}, {
  get(_t, p) {
    if (p === 'then') return undefined;
    throw new Error('caller getter');
  },
});

/** Hostile argument shapes. */
const HOSTILE: Record<string, unknown> = {
  missing: undefined,
  null: null,
  zero: 0,
  negative: -1,
  nan: NaN,
  huge: 1e308,
  unsafe: 2 ** 53,
  bigint: 10n,
  string: 'abc',
  empty: '',
  bytes: new Uint8Array([1, 2, 3]),
  arrayBuffer: new ArrayBuffer(4),
  object: {},
  array: [],
  numbers: [1, 2],
  nulls: [null],
  invalidDate: new Date(NaN),
  date: new Date(0),
  fn: () => 1,
  symbol: Symbol('s'),
  proxy: new Proxy({}, {}),
  // Its exception is the caller's own, passed on (counted as coded below).
  throwingGetter,
  true: true,
};

type Outcome = 'ok' | 'coded' | string;

/** What a call did: returned, threw a documented EvoucherError, or anything else (described). */
async function outcome(call: () => unknown, async = false): Promise<Outcome> {
  let result: unknown;
  try {
    result = call();
  } catch (e) {
    if (async) return `threw synchronously: ${String(e)}`;
    return describeError(e);
  }
  if (async && !(result instanceof Promise)) return 'did not return a promise';
  if (result instanceof Promise) {
    try {
      await result;
    } catch (e) {
      return describeError(e);
    }
  }
  return 'ok';
}

function describeError(e: unknown): Outcome {
  if (isEvoucherError(e)) return (ERROR_CODES as readonly string[]).includes(e.code) ? 'coded' : `undocumented code ${e.code}`;
  if (e instanceof Error && e.message === 'caller getter') return 'coded'; // the caller's own exception, passed on
  return `${(e as Error)?.constructor?.name}: ${String((e as Error)?.message ?? e)}`;
}

/** One argument position of one function, with the other arguments valid. */
interface Case {
  readonly name: string;
  readonly call: (x: unknown) => unknown;
  readonly async?: boolean;
}

const bytesOf = (x: unknown): Uint8Array => x as Uint8Array;
const CASES: readonly Case[] = [
  // voucher
  { name: 'getVoucherType(x)', call: (x) => sdk.getVoucherType(x as string) },
  { name: 'buildVoucher(x, data)', call: (x) => sdk.buildVoucher(x as string, data, { now }) },
  { name: 'buildVoucher(5201, data, x)', call: (x) => sdk.buildVoucher('5201', data, x as sdk.BuildOptions) },
  { name: 'buildVoucher(5201, data, { encoding: x })', call: (x) => sdk.buildVoucher('5201', data, { now, encoding: x as 'GBK' }) },
  { name: 'positionsFor(x)', call: (x) => sdk.positionsFor(x as string) },
  { name: 'resolvePolicy(x)', call: (x) => sdk.resolvePolicy(x as string) },
  { name: 'parseVoucher(x)', call: (x) => sdk.parseVoucher(bytesOf(x)) },
  { name: 'parseVoucher(bytes, x)', call: (x) => sdk.parseVoucher(sdk.serializeVoucher(voucher), x as object) },
  { name: 'serializeVoucher(x)', call: (x) => sdk.serializeVoucher(x as sdk.Voucher) },
  { name: 'serializeVoucher(v, x)', call: (x) => sdk.serializeVoucher(voucher, x as object) },
  { name: 'serializeVoucher(v, { encoding: x })', call: (x) => sdk.serializeVoucher(voucher, { encoding: x as 'GBK' }) },
  { name: 'serializeVoucher({ ...v, fields: x })', call: (x) => sdk.serializeVoucher({ ...voucher, fields: x as Record<string, string> }) },
  { name: 'validateVoucher(x)', call: (x) => sdk.validateVoucher(x as sdk.Voucher) },
  { name: 'validateVoucher(v, x)', call: (x) => sdk.validateVoucher(voucher, x as object) },
  { name: 'validateVoucher({ ...v, details: x })', call: (x) => sdk.validateVoucher({ ...voucher, details: x as [] }) },
  { name: 'fillReceipt(x, set)', call: (x) => sdk.fillReceipt(x as sdk.Voucher, {}) },
  { name: 'fillReceipt(v, x)', call: (x) => sdk.fillReceipt(voucher, x as Record<string, string>) },
  { name: 'fillReceipt(v, {}, x)', call: (x) => sdk.fillReceipt(voucher, {}, x as []) },
  { name: 'fillReceipt(v, {}, [x])', call: (x) => sdk.fillReceipt(voucher, {}, [x as Record<string, string>]) },
  { name: 'fillReceipt(v, {}, [], x)', call: (x) => sdk.fillReceipt(voucher, {}, [], x as object) },
  { name: 'diffVouchers(v, x)', call: (x) => sdk.diffVouchers(voucher, x as sdk.Voucher) },
  { name: 'diffVouchers(x, v)', call: (x) => sdk.diffVouchers(x as sdk.Voucher, voucher) },
  { name: 'createEnvelope(x)', call: (x) => sdk.createEnvelope(x as sdk.Voucher[]) },
  { name: 'createEnvelope([x])', call: (x) => sdk.createEnvelope([x as sdk.Voucher]) },
  { name: 'createEnvelope([v], x)', call: (x) => sdk.createEnvelope([voucher], x as object) },
  { name: 'writeEnvelope(x)', call: (x) => sdk.writeEnvelope(x as []) },
  { name: 'writeEnvelope([x])', call: (x) => sdk.writeEnvelope([x as sdk.EnvelopeBodyInput]) },
  { name: 'writeEnvelope([{ voucherBytes, stamps: x }])', call: (x) => sdk.writeEnvelope([{ voucherBytes: sdk.serializeVoucher(voucher), stamps: x as [] }]) },
  { name: 'writeEnvelope([{ voucherBytes, stamps: [x] }])', call: (x) => sdk.writeEnvelope([{ voucherBytes: sdk.serializeVoucher(voucher), stamps: [x as sdk.StampEntry] }]) },
  { name: 'parseEnvelope(x)', call: (x) => sdk.parseEnvelope(bytesOf(x)) },
  { name: 'parseEnvelope(env, x)', call: (x) => sdk.parseEnvelope(sdk.createEnvelope([voucher]), x as object) },
  { name: 'amountToCents(x)', call: (x) => sdk.amountToCents(x as string) },
  { name: 'centsToAmount(x)', call: (x) => sdk.centsToAmount(x as bigint) },
  // seal
  { name: 'sealVoucher(env, { body: x })', async: true, call: (x) => sdk.sealVoucher(sdk.createEnvelope([voucher]), { position: 'dw_gz', key, body: x as number }) },
  { name: 'cancelLastSeal(env, { body: x })', call: (x) => sdk.cancelLastSeal(sdk.createEnvelope([voucher]), { body: x as number }) },
  { name: 'makeSeal(x)', async: true, call: (x) => sdk.makeSeal(x as sdk.MakeSealOptions) },
  { name: 'makeSesSignature(x)', async: true, call: (x) => sdk.makeSesSignature(x as sdk.MakeSesSignatureOptions) },
  { name: 'makeSesStamp(x)', async: true, call: (x) => sdk.makeSesStamp(x as sdk.MakeSesStampOptions) },
  { name: 'makeCmsStamp(x)', async: true, call: (x) => sdk.makeCmsStamp(x as sdk.MakeCmsStampOptions) },
  { name: 'makeCmsStamp({ key, tbs, signingTime: x })', async: true, call: (x) => sdk.makeCmsStamp({ key, tbs: new Uint8Array(8), signingTime: x as Date }) },
  { name: 'sealSvg(x)', call: (x) => sdk.sealSvg(x as string) },
  { name: 'sealSvg(name, x)', call: (x) => sdk.sealSvg('示例预算单位', x as object) },
  { name: 'sealSvg(name, { footer: x })', call: (x) => sdk.sealSvg('示例预算单位', { footer: x as string }) },
  { name: 'renderSealPng(name, x)', async: true, call: (x) => sdk.renderSealPng('示例预算单位', x === undefined ? { sizePx: 1 } : (x as object)) },
  { name: 'parseSeal(bytes, x)', call: (x) => sdk.parseSeal(new Uint8Array([0x30, 0]), x as object) },
  { name: 'parseSesSignature(bytes, x)', call: (x) => sdk.parseSesSignature(new Uint8Array([0x30, 0]), x as object) },
  // verify
  { name: 'verifyEnvelope(env, { trust, clockSkewMs: x })', async: true, call: (x) => sdk.verifyEnvelope(sdk.createEnvelope([voucher]), { trust: [pki('trust/p256-root.cert.pem')], clockSkewMs: x as number }) },
  { name: 'createVerifier({ trust, clockSkewMs: x })', call: (x) => sdk.createVerifier({ trust: [pki('trust/p256-root.cert.pem')], clockSkewMs: x as number }) },
  { name: 'verifySesSignatureOverData(ses, data, { clockSkewMs: x })', async: true, call: (x) => sdk.verifySesSignatureOverData(new Uint8Array([0x30, 0]), new Uint8Array(0), { clockSkewMs: x as number }) },
  // crypto, encoding, pki, keys
  { name: 'digest(sha256, x)', call: (x) => sdk.digest('sha256', bytesOf(x)) },
  { name: 'ecdsaDerToRaw(der, x)', call: (x) => sdk.ecdsaDerToRaw(sdk.ecdsaRawToDer(new Uint8Array(64).fill(1)), x as number) },
  { name: 'encodeBase64(x)', call: (x) => sdk.encodeBase64(bytesOf(x)) },
  { name: 'encodeText(x, GBK)', call: (x) => sdk.encodeText(x as string, 'GBK') },
  { name: 'encodeText(text, x)', call: (x) => sdk.encodeText('abc', x as 'GBK') },
  { name: 'decodeText(x, GBK)', call: (x) => sdk.decodeText(bytesOf(x), 'GBK') },
  { name: 'decodeText(bytes, x)', call: (x) => sdk.decodeText(new Uint8Array([0x41]), x as 'GBK') },
  { name: 'certificateFingerprint(x)', call: (x) => sdk.certificateFingerprint(bytesOf(x)) },
  { name: 'certificateIdentity(x)', call: (x) => sdk.certificateIdentity(x as sdk.CertificateInfo) },
  { name: 'keyIdentifier(x)', call: (x) => sdk.keyIdentifier(bytesOf(x)) },
  { name: 'createPathCache(x)', call: (x) => sdk.createPathCache(x as object) },
  { name: 'pathCacheFor(x)', call: (x) => sdk.pathCacheFor(x as sdk.TrustStore) },
  { name: 'issueCertificate(x)', call: (x) => sdk.issueCertificate(x as sdk.IssueCertificateOptions) },
  { name: 'createDemoPki(x)', async: true, call: (x) => sdk.createDemoPki((x === undefined ? { families: ['nope'] } : x) as object) },
  { name: 'openSoftwareKey(x)', call: (x) => sdk.openSoftwareKey(x as sdk.SoftwareKeyOptions) },
  { name: 'openSoftwareKey({ ...valid, chain: x })', call: (x) => sdk.openSoftwareKey({ key: pki(role.key), certificate: pki(role.cert), password: manifest.password, chain: x as [] }) },
  { name: 'openPkcs12(x)', call: (x) => sdk.openPkcs12(x as sdk.Pkcs12Options) },
  { name: 'openKeyProvider(uri, x)', async: true, call: (x) => sdk.openKeyProvider('file:/nonexistent/key.pem', x as object) },
  { name: 'encodePkcs11UriValue(x)', call: (x) => sdk.encodePkcs11UriValue(x as string) },
  // option values
  { name: 'decodeBase64(text, { maxLength: x })', call: (x) => sdk.decodeBase64('AQID', { maxLength: x as number }) },
  { name: 'decodeBase64(text, x)', call: (x) => sdk.decodeBase64('AQID', x as object) },
  { name: 'parseVoucher(bytes, { unknownElements: x })', call: (x) => sdk.parseVoucher(sdk.serializeVoucher(voucher), { unknownElements: x as 'reject' }) },
  { name: 'parseEnvelope(env, { unknownElements: x })', call: (x) => sdk.parseEnvelope(sdk.createEnvelope([voucher]), { unknownElements: x as 'reject' }) },
  { name: 'createEnvelope([], { voucherEncoding: x })', call: (x) => sdk.createEnvelope([], { voucherEncoding: x as 'GBK' }) },
  { name: 'validateVoucher(v, { now: x })', call: (x) => sdk.validateVoucher(voucher, { now: x as Date }) },
  { name: 'sealVoucher(env, { format: x })', async: true, call: (x) => sdk.sealVoucher(sdk.createEnvelope([voucher]), { position: 'dw_gz', key, format: x as 'cms' }) },
  { name: 'clipText(text, x)', call: (x) => sdk.clipText('abcdef', x as number) },
  { name: 'findUnmappable(text, x)', call: (x) => sdk.findUnmappable('abc', x as 'GBK') },
  { name: 'readPem(text, { code: x })', call: (x) => sdk.readPem(pki(role.cert), { code: x as 'CERT_MALFORMED' }) },
  { name: 'readPem(text, { code, maxBlocks: x })', call: (x) => sdk.readPem(pki(role.cert), { code: 'CERT_MALFORMED', maxBlocks: x as number }) },
  { name: 'readDer(bytes, x)', call: (x) => sdk.readDer(new Uint8Array([0x30, 0]), x as object) },
  { name: 'readDerTime(node, x, path)', call: (x) => sdk.readDerTime(sdk.readDer(sdk.derGeneralizedTime(now)), x as 'utc', 't') },
  { name: 'readDerString(node, x, path)', call: (x) => sdk.readDerString(sdk.readDer(sdk.derUtf8String('a')), x as 'utf8', 's') },
  { name: 'derUtf8String(x)', call: (x) => sdk.derUtf8String(x as string) },
  { name: 'createPathCache({ maxEntries: x })', call: (x) => sdk.createPathCache({ maxEntries: x as number }) },
  { name: 'validatePath(leaf, { requireRevocation: x })', call: (x) => sdk.validatePath(leafDer, { trust, at: now, requireRevocation: x as boolean }) },
  { name: 'validatePathCached(leaf, { usage: x })', call: (x) => sdk.validatePathCached(leafDer, { trust, at: now, usage: x as 'sealer' }, sdk.createPathCache()) },
  { name: 'isEvoucherError(e, x)', call: (x) => sdk.isEvoucherError(new Error('e'), x as 'ARG_INVALID') },
  { name: 'issueCrl(x)', call: (x) => sdk.issueCrl(x as sdk.IssueCrlOptions) },
  { name: 'createPkcs12(x)', async: true, call: (x) => sdk.createPkcs12(x as sdk.CreatePkcs12Options) },
  { name: 'openKeyProvider(uri, { env: x })', async: true, call: (x) => sdk.openKeyProvider('file:/nonexistent/key.pem', { env: x as Record<string, string> }) },
  { name: 'openKeyProvider(uri, { algorithm: x })', async: true, call: (x) => sdk.openKeyProvider('file:/nonexistent/key.pem', { algorithm: x as 'sm2-sm3' }) },
  { name: 'openPkcs11(x)', async: true, call: (x) => openPkcs11(x as Pkcs11Options) },
  { name: 'isViewLocked(x, ...)', call: (x) => sdk.isViewLocked(x as 'original', [], sdk.resolvePolicy('5201'), 'original') },
  { name: 'digestAlgorithmFor(x)', call: (x) => sdk.digestAlgorithmFor(x as string) },
];

describe('hostile arguments: a coded EvoucherError, never a bare TypeError', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const bad: string[] = [];
      for (const [label, value] of Object.entries(HOSTILE)) {
        const o = await outcome(() => c.call(value), c.async === true);
        if (o !== 'ok' && o !== 'coded') bad.push(`${label}: ${o}`);
      }
      expect(bad).toEqual([]);
    });
  }
});

describe('values written into a document as they are: refused, not written', () => {
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      return isEvoucherError(e) ? e.code : String(e);
    }
    return undefined;
  };
  it('an envelope root or charset other than the documented ones (ARG_INVALID)', () => {
    expect(code(() => sdk.createEnvelope([voucher], { root: 'MOF><x a="1"' as 'MOF' }))).toBe('ARG_INVALID');
    expect(code(() => sdk.createEnvelope([voucher], { encoding: 'latin1' as 'GBK' }))).toBe('ARG_INVALID');
    expect(code(() => sdk.serializeVoucher(voucher, { encoding: 'x' as 'GBK' }))).toBe('ARG_INVALID');
    expect(code(() => sdk.buildVoucher('5201', data, { now, encoding: 'utf8' as 'UTF-8' }))).toBe('ARG_INVALID');
    expect(code(() => sdk.encodeText('abc', 'latin1' as 'GBK'))).toBe('ARG_INVALID');
    expect(code(() => sdk.decodeText(new Uint8Array([0xe9]), 'latin1' as 'GBK'))).toBe('ARG_INVALID');
    // The documented values still work.
    expect(sdk.parseEnvelope(sdk.createEnvelope([voucher], { root: 'Root', encoding: 'UTF-8' })).root).toBe('Root');
  });
  it('a VoucherFlag other than 0 or 1 (ARG_INVALID)', () => {
    expect(code(() => sdk.writeEnvelope([{ voucherBytes: sdk.serializeVoucher(voucher), voucherFlag: '7' as '0' }]))).toBe('ARG_INVALID');
  });
  it('amounts and cents of the wrong form (ARG_INVALID), not 15 cents for 1.5 nor 1..5', () => {
    expect(code(() => sdk.amountToCents('1.5'))).toBe('ARG_INVALID');
    expect(code(() => sdk.amountToCents('1e5'))).toBe('ARG_INVALID');
    expect(code(() => sdk.centsToAmount(1.5 as unknown as bigint))).toBe('ARG_INVALID');
    expect(sdk.amountToCents('-1.05')).toBe(-105n);
    expect(sdk.centsToAmount(105n)).toBe('1.05');
  });
  it('a string where bytes are hashed (ARG_INVALID), not its UTF-8', () => {
    expect(code(() => sdk.digest('sha256', 'abc' as unknown as Uint8Array))).toBe('ARG_INVALID');
  });
  it('a seal parse mode other than strict or lenient (ARG_INVALID), not read as lenient', () => {
    // An empty SEQUENCE: the mode is judged before anything is decoded (a lenient read would refuse it otherwise).
    const der = new Uint8Array([0x30, 0]);
    expect(code(() => sdk.parseSeal(der, { mode: 'stricct' as 'strict' }))).toBe('ARG_INVALID');
    expect(code(() => sdk.parseSesSignature(der, { mode: 'Strict' as 'strict' }))).toBe('ARG_INVALID');
    expect(code(() => sdk.parseSeal(der, { mode: 'strict' }))).toBe('SEAL_MALFORMED');
  });
  it('a validation view other than original or receipt (ARG_INVALID)', () => {
    expect(code(() => sdk.validateVoucher(voucher, { view: 'orginal' as 'original' }))).toBe('ARG_INVALID');
  });
});

/**
 * Options of a fixed set of values, numbers, flags and clocks, given with another value: `ARG_INVALID` naming the
 * option, never read as the default (`null`), the nearest value or the stricter one, and never a bound that
 * compares false against everything. `undefined` alone means "left out". Each row: the call, the option name the
 * message must carry, the refused values, and a value the call accepts.
 */
describe('option values outside their set or range: ARG_INVALID naming the option, never a default', () => {
  const ENUM = [null, '', 'x', 1, true, {}];
  const NUMBER = [Number.NaN, -1, 1.5, '10', Number.POSITIVE_INFINITY, null, true];
  const FLAG = ['yes', 'false', 1, 0, null, {}];
  const CLOCK = [null, '2025-11-30', 0, new Date(Number.NaN)];

  const sm2Role = manifest.roles['maker-sm2'];
  const czSm2 = manifest.roles['cz-sm2'];
  if (sm2Role === undefined || czSm2 === undefined) throw new Error('no demo sm2 roles');
  const sm2Maker = openSoftwareKey({ key: pki(sm2Role.key), certificate: pki(sm2Role.cert), password: manifest.password });
  const caKey = sdk.generateKeyPair('ec-p256');
  const validity = { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2035-01-01T00:00:00Z') };
  const caOptions = { subject: [['CN', 'Option Test CA']] as sdk.NameSpec, publicKey: caKey.publicKey, selfSignKey: caKey, ...validity, ca: true };
  const ca = sdk.issueCertificate(caOptions);
  const crlOptions = { issuer: { certificate: ca, key: caKey }, thisUpdate: now, nextUpdate: new Date(now.getTime() + 86_400_000) };
  const d = new Uint8Array(32).fill(7);
  const sm2Pub = sdk.sm2PublicKeyFromPrivate(d);
  const message = new TextEncoder().encode('message');
  const sm2Sig = sdk.sm2Sign(d, message);
  const envelope = sdk.createEnvelope([voucher]);

  interface Row {
    readonly name: string;
    readonly option: string;
    readonly bad: readonly unknown[];
    readonly good: readonly unknown[];
    readonly call: (x: unknown) => unknown;
    /** The code a good value may still end in (the call goes on and fails later for another reason). */
    readonly goodMayFail?: boolean;
  }
  const ROWS: readonly Row[] = [
    // encoding
    { name: 'decodeBase64', option: 'maxLength', bad: NUMBER, good: [0, 4, Number.MAX_SAFE_INTEGER], call: (x) => sdk.decodeBase64('', { maxLength: x as number }) },
    { name: 'clipText', option: 'max', bad: NUMBER, good: [0, 3], call: (x) => sdk.clipText('abcdef', x as number) },
    { name: 'findUnmappable', option: 'charset', bad: [...ENUM, 'gbk', 'latin1'], good: ['GBK', 'UTF-8'], call: (x) => sdk.findUnmappable('abc', x as 'GBK') },
    { name: 'readPem', option: 'code', bad: [...ENUM, 'CERT_MALFORMD'], good: ['CERT_MALFORMED', 'CRYPTO_KEY_INVALID'], call: (x) => sdk.readPem(pki(role.cert), { code: x as 'CERT_MALFORMED' }) },
    { name: 'readPem', option: 'maxBlocks', bad: NUMBER, good: [1, 5], call: (x) => sdk.readPem(pki(role.cert), { code: 'CERT_MALFORMED', maxBlocks: x as number }) },
    { name: 'readPem', option: 'error', bad: ['x', 1, null], good: [(c: 'CERT_MALFORMED', m: string) => new sdk.EvoucherError(c, m)], call: (x) => sdk.readPem(pki(role.cert), { code: 'CERT_MALFORMED', error: x as () => Error }) },
    { name: 'decodePemBlocks', option: 'code', bad: [...ENUM, 'CERT_MALFORMD'], good: ['CERT_MALFORMED'], call: (x) => sdk.decodePemBlocks(pki(role.cert), x as 'CERT_MALFORMED') },
    { name: 'decodePemBlocks', option: 'labels', bad: [null, 'CERTIFICATE', [1]], good: [['CERTIFICATE']], call: (x) => sdk.decodePemBlocks(pki(role.cert), 'CERT_MALFORMED', x as string[]) },
    { name: 'readDer', option: 'limits', bad: [null, 5, 'x'], good: [{}, { maxDepth: 4 }], call: (x) => sdk.readDer(new Uint8Array([0x30, 0]), x as object) },
    { name: 'readDer', option: 'is not a limit', bad: [{ maxDeph: 1 }, { maxsize: 10 }], good: [{ maxSize: 10 }], call: (x) => sdk.readDer(new Uint8Array([0x30, 0]), x as object) },
    { name: 'readDerTime', option: 'type', bad: [...ENUM, 'UTC', 'generalised'], good: ['generalized'], call: (x) => sdk.readDerTime(sdk.readDer(sdk.derGeneralizedTime(now)), x as 'utc', 't') },
    { name: 'readDerString', option: 'type', bad: [...ENUM, 'toString', 'UTF8'], good: ['utf8'], call: (x) => sdk.readDerString(sdk.readDer(sdk.derUtf8String('a')), x as 'utf8', 's') },
    { name: 'derUtf8String', option: 'UTF8String', bad: [5, null, undefined, true], good: ['a'], call: (x) => sdk.derUtf8String(x as string) },
    { name: 'derBoolean', option: 'BOOLEAN', bad: ['false', 1, 0, null], good: [true, false], call: (x) => sdk.derBoolean(x as boolean) },
    { name: 'derIa5String', option: 'IA5String', bad: [5, null, undefined], good: ['a'], call: (x) => sdk.derIa5String(x as string) },
    { name: 'isEvoucherError', option: 'code', bad: [null, '', 'CERT_EXPRIED', 1], good: ['CERT_EXPIRED'], call: (x) => sdk.isEvoucherError(new Error('e'), x as 'CERT_EXPIRED') },
    // voucher
    { name: 'parseVoucher', option: 'unknownElements', bad: [...ENUM, 'Ignore', 'IGNORE', 'drop'], good: ['reject', 'ignore'], call: (x) => sdk.parseVoucher(sdk.serializeVoucher(voucher), { unknownElements: x as 'reject' }) },
    { name: 'parseEnvelope', option: 'unknownElements', bad: [...ENUM, 'Ignore', 'IGNORE', 'drop'], good: ['reject', 'ignore'], call: (x) => sdk.parseEnvelope(envelope, { unknownElements: x as 'reject' }) },
    { name: 'serializeVoucher', option: 'encoding', bad: [...ENUM, 'utf8', 'gbk'], good: ['GBK', 'UTF-8'], call: (x) => sdk.serializeVoucher(voucher, { encoding: x as 'GBK' }) },
    { name: 'writeEnvelope', option: 'root', bad: [...ENUM, 'mof'], good: ['MOF', 'Root'], call: (x) => sdk.writeEnvelope([], { root: x as 'MOF' }) },
    { name: 'writeEnvelope', option: 'encoding', bad: [...ENUM, 'utf-8'], good: ['GBK', 'UTF-8'], call: (x) => sdk.writeEnvelope([], { encoding: x as 'GBK' }) },
    { name: 'createEnvelope', option: 'voucherEncoding', bad: [...ENUM, 'latin1'], good: ['GBK', 'UTF-8'], call: (x) => sdk.createEnvelope([], { voucherEncoding: x as 'GBK' }) },
    { name: 'validateVoucher', option: 'now', bad: CLOCK, good: [now], call: (x) => sdk.validateVoucher(voucher, { now: x as Date }) },
    { name: 'validateVoucher', option: 'view', bad: [...ENUM, 'Original'], good: ['original', 'receipt'], call: (x) => sdk.validateVoucher(voucher, { view: x as 'original' }) },
    { name: 'buildVoucher', option: 'now', bad: CLOCK, good: [now], call: (x) => sdk.buildVoucher('5201', data, { now: x as Date }) },
    { name: 'fillReceipt', option: 'now', bad: CLOCK, good: [now], call: (x) => sdk.fillReceipt(voucher, {}, [], { now: x as Date }) },
    // seal
    { name: 'sealVoucher', option: 'format', bad: [...ENUM, 'SES', 'pdf'], good: ['cms'], goodMayFail: true, call: (x) => sdk.sealVoucher(envelope, { position: 'dw_gz', key, format: x as 'cms' }) },
    { name: 'sealVoucher', option: 'body', bad: [null, '0', 1.5, -1, 5], good: [0], goodMayFail: true, call: (x) => sdk.sealVoucher(envelope, { position: 'dw_gz', key, body: x as number }) },
    { name: 'cancelLastSeal', option: 'body', bad: [null, '0'], good: [0], goodMayFail: true, call: (x) => sdk.cancelLastSeal(envelope, { body: x as number }) },
    { name: 'createReceipt', option: 'body', bad: [null, '0'], good: [0], goodMayFail: true, call: (x) => sdk.createReceipt(envelope, { body: x as number }) },
    { name: 'isViewLocked', option: 'view', bad: [...ENUM, 'Receipt'], good: ['original', 'receipt'], call: (x) => sdk.isViewLocked(x as 'original', [], sdk.resolvePolicy('5201'), 'original') },
    { name: 'isViewLocked', option: 'bodyView', bad: [...ENUM, 'Receipt'], good: ['original', 'receipt'], call: (x) => sdk.isViewLocked('original', [], sdk.resolvePolicy('5201'), x as 'original') },
    { name: 'checkPlacement', option: 'bodyView', bad: [...ENUM, 'Receipt'], good: ['original'], call: (x) => sdk.checkPlacement(sdk.findPosition(sdk.resolvePolicy('5201'), 'dw_gz'), [], sdk.resolvePolicy('5201'), x as 'original') },
    { name: 'makeCmsStamp', option: 'certificate', bad: [null, 'x'], good: [undefined], call: (x) => sdk.makeCmsStamp({ key, tbs: new Uint8Array(8), signingTime: now, certificate: x as Uint8Array }) },
    { name: 'makeCmsStamp', option: 'chain', bad: [null, 'x', [1]], good: [[]], call: (x) => sdk.makeCmsStamp({ key, tbs: new Uint8Array(8), signingTime: now, chain: x as Uint8Array[] }) },
    { name: 'makeSesStamp', option: 'scope', bad: [null, { vtCode: '5201', voucherNo: 'N', view: 'x', position: 'dw_gz', sequence: 1 }, { vtCode: '5201', voucherNo: 'N', view: 'original', position: 'dw_gz', sequence: 0 }, { vtCode: '5201', voucherNo: 'N', view: 'original', position: 'dw_gz', sequence: Number.NaN }], good: [{ vtCode: '5201', voucherNo: 'N', view: 'original', position: 'dw_gz', sequence: 1 }], goodMayFail: true, call: (x) => sdk.makeSesStamp({ key: sm2Maker, tbs: new Uint8Array(8), seal: new Uint8Array([0x30, 0]), signingTime: now, scope: x as sdk.SesScope }) },
    { name: 'makeSeal', option: 'type', bad: NUMBER, good: [1], goodMayFail: true, call: (x) => sdk.makeSeal({ maker: sm2Maker, holders: [new Uint8Array([0x30, 0])], name: 'x', validStart: validity.notBefore, validEnd: validity.notAfter, type: x as number }) },
    { name: 'makeSeal', option: 'createDate', bad: CLOCK, good: [now], goodMayFail: true, call: (x) => sdk.makeSeal({ maker: sm2Maker, holders: [new Uint8Array([0x30, 0])], name: 'x', validStart: validity.notBefore, validEnd: validity.notAfter, createDate: x as Date }) },
    { name: 'makeSeal', option: 'vid', bad: [null, 5], good: ['evoucher'], goodMayFail: true, call: (x) => sdk.makeSeal({ maker: sm2Maker, holders: [new Uint8Array([0x30, 0])], name: 'x', validStart: validity.notBefore, validEnd: validity.notAfter, vid: x as string }) },
    { name: 'makeSeal', option: 'picture', bad: [null, 5], good: [], call: (x) => sdk.makeSeal({ maker: sm2Maker, holders: [new Uint8Array([0x30, 0])], name: 'x', validStart: validity.notBefore, validEnd: validity.notAfter, picture: x as sdk.SealPictureInput }) },
    { name: 'makeSeal', option: 'extDatas', bad: [null, 'x', [{ oid: '1.2.3', critical: 'false', value: new Uint8Array(1) }], [{ oid: '1.2.3', critical: 1, value: new Uint8Array(1) }]], good: [[{ oid: '1.2.3', critical: false, value: new Uint8Array(1) }]], goodMayFail: true, call: (x) => sdk.makeSeal({ maker: sm2Maker, holders: [new Uint8Array([0x30, 0])], name: 'x', validStart: validity.notBefore, validEnd: validity.notAfter, extDatas: x as [] }) },
    { name: 'renderSealPng', option: 'sizePx', bad: NUMBER, good: [], call: (x) => sdk.renderSealPng('示例', { sizePx: x as number }) },
    { name: 'renderSealPng', option: 'fontFiles', bad: [null, 'font.ttf', [1]], good: [], call: (x) => sdk.renderSealPng('示例', { fontFiles: x as string[] }) },
    { name: 'sealSvg', option: 'color', bad: [null, 'red', 5], good: ['#d40000'], call: (x) => sdk.sealSvg('示例', { color: x as string }) },
    { name: 'parseSeal', option: 'limits', bad: [null, 5], good: [], call: (x) => sdk.parseSeal(new Uint8Array([0x30, 0]), { limits: x as object }) },
    { name: 'parseSeal', option: 'is not a limit', bad: [{ maxDeph: 1 }], good: [], call: (x) => sdk.parseSeal(new Uint8Array([0x30, 0]), { limits: x as object }) },
    { name: 'parseSesSignature', option: 'limits', bad: [null, 5], good: [], call: (x) => sdk.parseSesSignature(new Uint8Array([0x30, 0]), { limits: x as object }) },
    { name: 'parseSesSignature', option: 'is not a limit', bad: [{ maxDeph: 1 }], good: [], call: (x) => sdk.parseSesSignature(new Uint8Array([0x30, 0]), { limits: x as object }) },
    // crypto
    { name: 'sm2Sign', option: 'k', bad: [5, '5', null], good: [5n], call: (x) => sdk.sm2Sign(d, message, { k: x as bigint }) },
    { name: 'sm2Verify', option: 'recurringPrefix', bad: [Number.NaN, -1, 1.5, '4096', null], good: [0, 4096], call: (x) => sdk.sm2Verify(sm2Pub, message, sm2Sig, { recurringPrefix: x as number }) },
    // pki
    { name: 'checkCertificateBinding', option: 'organizationIdentifiers', bad: ['cz:110101x', null, [1]], good: [['cz:110101']], call: (x) => sdk.checkCertificateBinding(sdk.parseCertificate(pki(role.cert)), { organizationIdentifiers: x as string[] }) },
    { name: 'checkCertificateBinding', option: 'fingerprintsSha256', bad: [role.fingerprintSha256, null], good: [[role.fingerprintSha256]], call: (x) => sdk.checkCertificateBinding(sdk.parseCertificate(pki(role.cert)), { fingerprintsSha256: x as string[] }) },
    { name: 'createPathCache', option: 'maxEntries', bad: [...NUMBER, 0], good: [1, 10], call: (x) => sdk.createPathCache({ maxEntries: x as number }) },
    { name: 'validatePath', option: 'requireRevocation', bad: FLAG, good: [true, false], call: (x) => sdk.validatePath(leafDer, { trust, at: now, requireRevocation: x as boolean }) },
    { name: 'issueCertificate', option: 'ca', bad: FLAG, good: [true, false], call: (x) => sdk.issueCertificate({ ...caOptions, ca: x as boolean }) },
    { name: 'issueCertificate', option: 'omitKeyIdentifiers', bad: FLAG, good: [true, false], call: (x) => sdk.issueCertificate({ ...caOptions, omitKeyIdentifiers: x as boolean }) },
    { name: 'issueCertificate', option: 'algorithm', bad: [...ENUM, 'ECDSA-P256-SHA256'], good: ['ecdsa-p256-sha256'], call: (x) => sdk.issueCertificate({ ...caOptions, algorithm: x as 'sm2-sm3' }) },
    { name: 'issueCertificate', option: 'pathLen', bad: NUMBER, good: [0, 3], call: (x) => sdk.issueCertificate({ ...caOptions, pathLen: x as number }) },
    { name: 'issueCertificate', option: 'notBefore', bad: CLOCK, good: [validity.notBefore], call: (x) => sdk.issueCertificate({ ...caOptions, notBefore: x as Date }) },
    { name: 'issueCrl', option: 'nextUpdate', bad: CLOCK, good: [validity.notAfter], call: (x) => sdk.issueCrl({ ...crlOptions, nextUpdate: x as Date }) },
    { name: 'issueCrl', option: 'crlNumber', bad: [5, '5', -1n, null, 1n << 159n], good: [0n, (1n << 159n) - 1n], call: (x) => sdk.issueCrl({ ...crlOptions, crlNumber: x as bigint }) },
    { name: 'issueCrl', option: 'reason', bad: [...NUMBER, 7, 11], good: [1, 0, 10], call: (x) => sdk.issueCrl({ ...crlOptions, revoked: [{ serialNumber: '01', revocationDate: now, reason: x as number }] }) },
    { name: 'createPkcs12', option: 'iterations', bad: [null, Number.NaN, 1.5, '2048'], good: [], call: (x) => sdk.createPkcs12({ key: caKey, certificate: ca, password: 'p', iterations: x as number }) },
    { name: 'createDemoPki', option: 'password', bad: [null, 5, ''], good: [], call: (x) => sdk.createDemoPki({ password: x as string, families: ['nope' as 'sm2'] }) },
    { name: 'createDemoPki', option: 'notBefore', bad: CLOCK, good: [], call: (x) => sdk.createDemoPki({ notBefore: x as Date, families: ['nope' as 'sm2'] }) },
    { name: 'createDemoPki', option: 'families', bad: [null, 'sm2'], good: [], call: (x) => sdk.createDemoPki({ families: x as ['sm2'] }) },
    // verify
    { name: 'verifyEnvelope', option: 'at', bad: CLOCK, good: [now], call: (x) => sdk.verifyEnvelope(envelope, { trust, at: x as Date }) },
    { name: 'verifyEnvelope', option: 'crls', bad: [null, 'x'], good: [[]], call: (x) => sdk.verifyEnvelope(envelope, { trust, crls: x as [] }) },
    { name: 'verifyEnvelope', option: 'intermediates', bad: [null, 'x'], good: [[]], call: (x) => sdk.verifyEnvelope(envelope, { trust, intermediates: x as [] }) },
    { name: 'verifyEnvelope', option: 'requireRevocation', bad: FLAG, good: [true, false], call: (x) => sdk.verifyEnvelope(envelope, { trust, requireRevocation: x as boolean }) },
    { name: 'verifySesSignatureOverData', option: 'at', bad: CLOCK, good: [now], call: (x) => sdk.verifySesSignatureOverData(new Uint8Array([0x30, 0]), message, { at: x as Date }) },
    // keys
    { name: 'openKeyProvider', option: 'env', bad: [null, 'x', 5, []], good: [{}], goodMayFail: true, call: (x) => sdk.openKeyProvider('file:/nonexistent/key.pem', { env: x as Record<string, string> }) },
    { name: 'openKeyProvider', option: 'cwd', bad: [null, 5], good: ['/'], goodMayFail: true, call: (x) => sdk.openKeyProvider('file:key.pem', { cwd: x as string }) },
    { name: 'openKeyProvider', option: 'algorithm', bad: [...ENUM, 'RSA-PSS-SHA256'], good: ['rsa-pss-sha256'], goodMayFail: true, call: (x) => sdk.openKeyProvider('file:/nonexistent/key.pem', { algorithm: x as 'sm2-sm3' }) },
    { name: 'openKeyProvider', option: 'sm2Mechanism', bad: [...NUMBER, '0x80000001', 2 ** 32], good: [0x80000001], goodMayFail: true, call: (x) => sdk.openKeyProvider('file:/nonexistent/key.pem', { sm2Mechanism: x as number }) },
    { name: 'openSoftwareKey', option: 'algorithm', bad: [...ENUM, 'ECDSA'], good: ['ecdsa-p256-sha256'], call: (x) => sdk.openSoftwareKey({ key: pki(role.key), certificate: pki(role.cert), password: manifest.password, algorithm: x as 'sm2-sm3' }) },
    { name: 'openSoftwareKey', option: 'sm2Id', bad: [null, '1234567812345678', 5], good: [new Uint8Array(4)], call: (x) => sdk.openSoftwareKey({ key: pki(role.key), certificate: pki(role.cert), password: manifest.password, sm2Id: x as Uint8Array }) },
    { name: 'openPkcs12', option: 'algorithm', bad: [null, 'x'], good: [], call: (x) => sdk.openPkcs12({ data: new Uint8Array([0x30, 0]), password: 'p', algorithm: x as 'sm2-sm3' }) },
    { name: 'openPkcs11', option: 'checkCertificate', bad: FLAG, good: [], call: (x) => openPkcs11({ modulePath: '/nonexistent.so', object: 'k', checkCertificate: x as boolean }) },
    { name: 'openPkcs11', option: 'slotId', bad: [...NUMBER, '0'], good: [], call: (x) => openPkcs11({ modulePath: '/nonexistent.so', object: 'k', slotId: x as number }) },
    { name: 'openPkcs11', option: 'sm2Mechanism', bad: [...NUMBER, '0x80000001'], good: [], call: (x) => openPkcs11({ modulePath: '/nonexistent.so', object: 'k', sm2Mechanism: x as number }) },
    { name: 'openPkcs11', option: 'libraryVersion', bad: [null, '2.40', { major: 2 }, { major: 2, minor: 256 }], good: [], call: (x) => openPkcs11({ modulePath: '/nonexistent.so', object: 'k', libraryVersion: x as { major: number; minor: number } }) },
    { name: 'openPkcs11', option: 'modulePath', bad: [undefined, null, 5, ''], good: [], call: (x) => openPkcs11({ modulePath: x as string, object: 'k' }) },
  ];

  /** The code and message of what the call threw or rejected with, or `ok`. */
  async function settle(f: () => unknown): Promise<{ code: string; message: string } | 'ok'> {
    try {
      await f();
      return 'ok';
    } catch (e) {
      return isEvoucherError(e) ? { code: e.code, message: e.message } : { code: `raw ${String(e)}`, message: '' };
    }
  }
  const show = (v: unknown): string => (typeof v === 'bigint' ? `${v}n` : typeof v === 'function' ? 'fn' : (JSON.stringify(v) ?? String(v)));

  for (const row of ROWS) {
    it(`${row.name} ${row.option}`, async () => {
      const wrong: string[] = [];
      for (const v of row.bad) {
        const o = await settle(() => row.call(v));
        if (o === 'ok' || o.code !== 'ARG_INVALID' || !o.message.includes(row.option)) wrong.push(`${show(v)}: ${o === 'ok' ? 'accepted' : `${o.code} ${o.message}`}`);
      }
      for (const v of row.good) {
        const o = await settle(() => row.call(v));
        if (o !== 'ok' && (!row.goodMayFail || (o.code === 'ARG_INVALID' && o.message.includes(row.option)))) wrong.push(`${show(v)} (documented): ${o.code} ${o.message}`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('a path cache does not answer a usage or revocation flag validatePath refuses with a success cached under the default', () => {
    const cache = sdk.createPathCache();
    expect(sdk.validatePathCached(leafDer, { trust, intermediates, at: now }, cache).status).toBe('valid');
    expect(cache.stats.stored).toBe(1);
    for (const o of [{ usage: null }, { usage: 'Sealer' }, { requireRevocation: 'no' }, { requireRevocation: 0 }]) {
      const code = (() => {
        try {
          sdk.validatePathCached(leafDer, { trust, intermediates, at: now, ...(o as object) }, cache);
          return 'accepted';
        } catch (e) {
          return isEvoucherError(e) ? e.code : String(e);
        }
      })();
      expect([o, code]).toEqual([o, 'ARG_INVALID']);
    }
  });

  it('a CRL number beyond 2^53 is written exactly, not rounded through a number', () => {
    const big = (1n << 60n) + 1n;
    expect(sdk.issueCrl({ ...crlOptions, crlNumber: big }).crlNumber).toBe(big.toString());
    expect(sdk.issueCrl({ ...crlOptions, crlNumber: 0n }).crlNumber).toBe('0');
    expect(sdk.issueCrl(crlOptions).crlNumber).toBe('1');
  });

  it('a signature algorithm off the list is not read as a SHA-256 one', () => {
    expect(() => sdk.digestAlgorithmFor('sm2')).toThrow(expect.objectContaining({ code: 'CRYPTO_ALGORITHM_UNSUPPORTED' }) as Error);
    expect(sdk.digestAlgorithmFor('sm2-sm3')).toBe('sm3');
    expect(sdk.digestAlgorithmFor('rsa-pss-sha256')).toBe('sha256');
  });

  it('a body that is no index is said to be none, not a body the envelope lacks', () => {
    const said = (body: unknown): string => {
      try {
        sdk.cancelLastSeal(envelope, { body: body as number });
        return 'ok';
      } catch (e) {
        return isEvoucherError(e) ? `${e.code} ${e.message}` : String(e);
      }
    };
    expect(said(null)).toMatch(/^ARG_INVALID body null: not an index;/);
    expect(said('0')).toMatch(/^ARG_INVALID body string: not an index;/);
    expect(said(1.5)).toMatch(/^ARG_INVALID body 1\.5: not an index;/);
    expect(said(5)).toMatch(/^ARG_INVALID body 5: the envelope has no VoucherBody 5 \(it has 1\)/);
  });

  it('the documented values still do what they say', () => {
    // unknownElements: 'ignore' drops an element the catalogue does not know; 'reject' (and the default) refuses it.
    const text = new TextDecoder().decode(sdk.serializeVoucher(voucher, { encoding: 'UTF-8' })).replace('</Voucher>', '<Extra>1</Extra></Voucher>');
    const bytes = new TextEncoder().encode(text);
    expect(sdk.parseVoucher(bytes, { unknownElements: 'ignore' }).fields['PayAmt']).toBe(voucher.fields['PayAmt']);
    for (const options of [{}, { unknownElements: 'reject' as const }]) expect(() => sdk.parseVoucher(bytes, options)).toThrow(expect.objectContaining({ code: 'XML_UNKNOWN_ELEMENT' }) as Error);
    // maxLength bounds the text, 0 included.
    expect(() => sdk.decodeBase64('AQID', { maxLength: 3 })).toThrow(expect.objectContaining({ code: 'BASE64_INVALID' }) as Error);
    expect(sdk.decodeBase64('AQID', { maxLength: 4 })).toEqual(new Uint8Array([1, 2, 3]));
    expect(sdk.decodeBase64('', { maxLength: 0 })).toEqual(new Uint8Array(0));
    expect(sdk.decodeBase64('AQID')).toEqual(new Uint8Array([1, 2, 3]));
  });
});
