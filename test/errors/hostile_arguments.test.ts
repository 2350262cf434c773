/**
 * Public functions called with the argument shapes a plain JavaScript or Java-glue caller gets wrong: every
 * failure is an EvoucherError with a code of docs/errors.md (never a bare TypeError, RangeError or SyntaxError from
 * deep inside), async functions reject rather than throw, and a value that would be written into a document as
 * it is (an envelope root, a charset) is refused rather than written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isEvoucherError } from '../../src/errors.js';
import * as sdk from '../../src/index.js';
import { openSoftwareKey } from '../../src/keys/software/index.js';

const ROOT = join(import.meta.dirname, '../..');
const PKI = join(ROOT, 'fixtures/pki');
const manifest = JSON.parse(readFileSync(join(PKI, 'manifest.json'), 'utf8')) as {
  password: string;
  roles: Record<string, { key: string; cert: string; chain: string[] }>;
};
const pki = (rel: string): string => readFileSync(join(PKI, rel), 'utf8');
const role = manifest.roles['cz-p256'];
if (role === undefined) throw new Error('no demo role cz-p256');
const key = openSoftwareKey({ key: pki(role.key), certificate: pki(role.cert), password: manifest.password });
const data = JSON.parse(readFileSync(join(ROOT, 'examples/5201.json'), 'utf8')) as sdk.VoucherData;
const now = new Date('2025-11-30T12:00:00+08:00');
const voucher = sdk.buildVoucher('5201', data, { now });

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
