/**
 * Shared helpers of the verifier tests: the committed demo PKI (fixtures/pki, test-only keys), vouchers built
 * from the bundled examples, and envelopes sealed through the sealing API at pinned times.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { algorithmForKey, generateKeyPair, importPrivateKey, signMessage, type PrivateKeyMaterial } from '../../src/crypto/index.js';
import type { KeyProvider } from '../../src/keys/provider.js';
import { openSoftwareKey } from '../../src/keys/software/index.js';
import { issueCertificate, parseCertificate, parseCrl, type CertificateInfo, type Crl, type IssueCertificateOptions, type Party } from '../../src/pki/index.js';
import type { DemoManifest } from '../../src/pki/demo.js';
import { sealVoucher, type SealVoucherOptions } from '../../src/seal/apply.js';
import { tbsForStamp } from '../../src/seal/chain.js';
import { makeCmsStamp, sesPropertyInfo } from '../../src/seal/formats/index.js';
import { encodeExtDatas, SM2_WITH_SM3_OID } from '../../src/seal/ses/asn1.js';
import { makeSeal, parseSeal } from '../../src/seal/ses/index.js';
import type { SesExtData } from '../../src/seal/ses/types.js';
import { SEAL_OID } from '../../src/seal/tbs.js';
import { derBitString, derExplicit, derGeneralizedTime, derIa5String, derInteger, derOctetString, derOid, derSequence, derUtf8String } from '../../src/encoding/der.js';
import { digest } from '../../src/crypto/index.js';
import { createReceipt } from '../../src/seal/receipt.js';
import { chainOrder, digestAlgorithmFor } from '../../src/seal/tbs.js';
import { buildVoucher, createEnvelope, parseEnvelope, writeEnvelope, type StampEntry, type VoucherData } from '../../src/voucher/index.js';
import { verifyEnvelope, type VerificationReport, type VerifyOptions } from '../../src/verify/index.js';

export const ROOT = join(import.meta.dirname, '../..');
export const PKI = join(ROOT, 'fixtures/pki');
export const manifest = JSON.parse(readFileSync(join(PKI, 'manifest.json'), 'utf8')) as DemoManifest;

/** The pinned validation time of the tests. */
export const AT = new Date('2026-01-20T00:00:00Z');
/** The clock of voucher building (the examples are dated 2025-11-28). */
export const BUILD_NOW = new Date('2025-11-30T12:00:00+08:00');
/** Signing time n minutes after 2025-12-01 08:00 UTC. */
export const T = (minutes: number): Date => new Date(Date.UTC(2025, 11, 1, 8, minutes));

export type Family = 'sm2' | 'p256' | 'rsa';

/** Text of a file of the demo PKI. */
export function pkiText(rel: string): string {
  return readFileSync(join(PKI, rel), 'utf8');
}

/** The trust anchor PEM of a family. */
export function anchor(family: Family): string {
  return pkiText(`trust/${family}-root.cert.pem`);
}

/** Every demo trust anchor. */
export function allAnchors(): string[] {
  return manifest.trust.map(pkiText);
}

/** A demo CRL. */
export function crl(rel: string): Crl {
  return parseCrl(pkiText(rel));
}

const keys = new Map<string, KeyProvider>();

/** A key provider for a demo role (e.g. `cz-p256`), its chain included. */
export function key(roleId: string): KeyProvider {
  let k = keys.get(roleId);
  if (k === undefined) {
    const role = manifest.roles[roleId];
    if (role === undefined) throw new Error(`no demo role ${roleId}`);
    k = openSoftwareKey({
      key: pkiText(role.key),
      certificate: pkiText(role.cert),
      chain: role.chain.slice(0, -1).map(pkiText),
      password: manifest.password,
    });
    keys.set(roleId, k);
  }
  return k;
}

/** The bundled example data of a voucher type. */
export function example(vt: string): VoucherData {
  return JSON.parse(readFileSync(join(ROOT, 'examples', `${vt}.json`), 'utf8')) as VoucherData;
}

/** An unsealed envelope of the example voucher of `vt` (data changes applied). */
export function unsealed(vt = '5201', change: Record<string, string> = {}): Uint8Array {
  return createEnvelope([buildVoucher(vt, { ...example(vt), ...change } as VoucherData, { now: BUILD_NOW })]);
}

/** Seals one position with a demo role at a pinned time. */
export async function seal(envelope: Uint8Array, position: string, roleId: string, time: Date, extra: Partial<SealVoucherOptions> = {}): Promise<Uint8Array> {
  return sealVoucher(envelope, { position, key: key(roleId), time, format: 'cms', ...extra });
}

/** A 5201 original sealed dw_gz → cz_zfzyz (original view complete). */
export async function sealedOriginal(family: Family = 'p256', change: Record<string, string> = {}): Promise<Uint8Array> {
  let e = unsealed('5201', change);
  e = await seal(e, 'dw_gz', `dw-${family}`, T(0));
  return seal(e, 'cz_zfzyz', `cz-${family}`, T(10));
}

/** The receipt of {@link sealedOriginal}, sealed yh_zqz. */
export async function sealedReceipt(family: Family = 'p256'): Promise<Uint8Array> {
  const e = createReceipt(await sealedOriginal(family), { set: { XPayDate: '20251202', XPayAmt: '12680.50' }, now: new Date('2025-12-02T12:00:00+08:00') });
  return seal(e, 'yh_zqz', `yh-${family}`, T(60 * 24 + 120));
}

/** Verifies and returns the reports. */
export async function verifyAll(bytes: Uint8Array, options: Partial<VerifyOptions> = {}): Promise<readonly VerificationReport[]> {
  return verifyEnvelope(bytes, { trust: allAnchors(), at: AT, ...options });
}

/** Verifies and returns the single report. */
export async function verifyOne(bytes: Uint8Array, options: Partial<VerifyOptions> = {}): Promise<VerificationReport> {
  const reports = await verifyAll(bytes, options);
  if (reports.length !== 1) throw new Error(`expected one report, got ${reports.length}`);
  return reports[0] as VerificationReport;
}

/** The codes of a report's errors. */
export function codes(r: VerificationReport): string[] {
  return r.errors.map((e) => e.code);
}

/** `where` → code of a report's errors. */
export function failures(r: VerificationReport): string[] {
  return r.errors.map((e) => `${e.where}:${e.code}`);
}

/** Rewrites body 0 of an envelope with changed stamps / voucher bytes (keeps everything else). */
export function rewriteBody(
  envelope: Uint8Array,
  change: (b: { voucherBytes: Uint8Array; originalVoucherBytes?: Uint8Array; voucherFlag: '0' | '1'; stamps: StampEntry[] }) => {
    voucherBytes?: Uint8Array;
    originalVoucherBytes?: Uint8Array;
    voucherFlag?: '0' | '1';
    stamps?: readonly StampEntry[];
  },
): Uint8Array {
  const env = parseEnvelope(envelope);
  const b = env.bodies[0];
  if (b === undefined) throw new Error('no body');
  const cur = {
    voucherBytes: b.voucherBytes,
    ...(b.originalVoucherBytes === undefined ? {} : { originalVoucherBytes: b.originalVoucherBytes }),
    voucherFlag: b.voucherFlag,
    stamps: [...b.stamps],
  };
  const next = { ...cur, ...change(cur) };
  return writeEnvelope([next]);
}

/** Replaces the first occurrence of `from` by `to` in bytes (same-charset text edit). */
export function replaceBytes(bytes: Uint8Array, from: Uint8Array, to: Uint8Array): Uint8Array {
  const i = Buffer.from(bytes).indexOf(Buffer.from(from));
  if (i < 0) throw new Error('pattern not found');
  return Uint8Array.from([...bytes.subarray(0, i), ...to, ...bytes.subarray(i + from.length)]);
}

/** `bytes` with the last occurrence of `from` overwritten by `to` (same length: an OID swapped for another). */
export function replaceLast(bytes: Uint8Array, from: readonly number[], to: readonly number[]): Uint8Array {
  const i = Buffer.from(bytes).lastIndexOf(Buffer.from(from));
  if (i < 0) throw new Error('pattern not found');
  const out = Uint8Array.from(bytes);
  out.set(to, i);
  return out;
}

const KEY_KIND: Readonly<Record<Family, 'sm2' | 'ec-p256' | 'rsa'>> = { sm2: 'sm2', p256: 'ec-p256', rsa: 'rsa' };

/** A key provider over an in-memory key and certificate (real signatures). */
export function providerFor(privateKey: PrivateKeyMaterial, cert: CertificateInfo, chain: readonly Uint8Array[] = []): KeyProvider {
  const algorithm = algorithmForKey(privateKey.publicKey);
  return { algorithm, certificate: async () => cert.der, chain: async () => [...chain], sign: async (d) => signMessage(algorithm, privateKey, d) };
}

/** A sealer made on the spot. */
export interface MadeSealer {
  readonly cert: CertificateInfo;
  readonly key: PrivateKeyMaterial;
  readonly provider: KeyProvider;
}

/** Issues a sealer certificate under the demo sealer CA of a family (e.g. expired, wrong key usage). */
export function issueSealer(family: Family, o: { party?: Party; org?: string; cn?: string } & Partial<Pick<IssueCertificateOptions, 'notBefore' | 'notAfter' | 'keyUsage'>> = {}): MadeSealer {
  const ca = manifest.roles[`ca-${family}`];
  if (ca === undefined) throw new Error('no demo ca');
  const caCert = parseCertificate(pkiText(ca.cert));
  const caKey = importPrivateKey(pkiText(ca.key), { password: manifest.password });
  const key = generateKeyPair(KEY_KIND[family]);
  const party = o.party ?? 'cz';
  const cert = issueCertificate({
    subject: [['C', 'CN'], ['O', 'Made Sealer'], ['OU', party], ['organizationIdentifier', o.org ?? `${party}:110101`], ['CN', o.cn ?? `Made ${party} sealer`]],
    publicKey: key.publicKey,
    issuer: { certificate: caCert, key: caKey },
    notBefore: o.notBefore ?? new Date('2025-01-01T00:00:00Z'),
    notAfter: o.notAfter ?? new Date('2045-01-01T00:00:00Z'),
    keyUsage: o.keyUsage ?? ['digitalSignature', 'nonRepudiation'],
  });
  return { cert, key, provider: providerFor(key, cert, [caCert.der]) };
}

/** An attacker's own PKI: a self-made root and sealer CA with the demo names, and sealers for each party. */
export function attackerPki(family: Family): { root: CertificateInfo; sealer(party: Party): MadeSealer } {
  const kind = KEY_KIND[family];
  const rootKey = generateKeyPair(kind);
  const root = issueCertificate({
    subject: [['C', 'CN'], ['O', 'evoucher Demo PKI'], ['CN', `evoucher Demo ${family.toUpperCase()} Root CA`]],
    publicKey: rootKey.publicKey,
    selfSignKey: rootKey,
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date('2045-01-01T00:00:00Z'),
    ca: true,
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  return {
    root,
    sealer(party: Party): MadeSealer {
      const key = generateKeyPair(kind);
      const cert = issueCertificate({
        subject: [['C', 'CN'], ['O', 'Forged'], ['OU', party], ['organizationIdentifier', `${party}:110101`], ['CN', `Forged ${party}`]],
        publicKey: key.publicKey,
        issuer: { certificate: root, key: rootKey },
        notBefore: new Date('2025-01-01T00:00:00Z'),
        notAfter: new Date('2045-01-01T00:00:00Z'),
        keyUsage: ['digitalSignature', 'nonRepudiation'],
      });
      return { cert, key, provider: providerFor(key, cert, [root.der]) };
    },
  };
}

/** A self-signed sealer certificate (no CA at all). */
export function selfSignedSealer(family: Family, party: Party = 'cz'): MadeSealer {
  const key = generateKeyPair(KEY_KIND[family]);
  const cert = issueCertificate({
    subject: [['C', 'CN'], ['O', 'Self'], ['OU', party], ['organizationIdentifier', `${party}:110101`], ['CN', 'Self-signed sealer']],
    publicKey: key.publicKey,
    selfSignKey: key,
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date('2045-01-01T00:00:00Z'),
    keyUsage: ['digitalSignature', 'nonRepudiation'],
  });
  return { cert, key, provider: providerFor(key, cert) };
}

/**
 * Appends a cms stamp made outside the sealer's refusals (policy, validity, trust): the hostile inputs the
 * verifier must catch. The structure is the real one (`tbsForStamp`), signed for real.
 */
export async function craftStamp(
  envelope: Uint8Array,
  o: { position: string; sequence: number; view?: 'original' | 'receipt'; provider: KeyProvider; time: Date },
): Promise<Uint8Array> {
  const body = parseEnvelope(envelope).bodies[0];
  if (body === undefined) throw new Error('no body');
  const scope = { position: o.position, sequence: o.sequence, format: 'cms' as const, view: o.view ?? 'original' };
  const signerCertificate = await o.provider.certificate();
  const { der } = tbsForStamp(body, scope, chainOrder(body.stamps), {
    digestAlgorithm: digestAlgorithmFor(o.provider.algorithm),
    signingTime: o.time,
    signerCertificate,
  });
  const bytes = await makeCmsStamp({ tbs: der, key: o.provider, signingTime: o.time });
  return rewriteBody(envelope, (b) => ({ stamps: [...b.stamps, { ...scope, bytes }] }));
}

/** Base64 of bytes. */
export function b64(b: Uint8Array): string {
  return Buffer.from(b).toString('base64');
}

/**
 * Replaces the base64 of `from` by the base64 of `to` inside the envelope text, without any parsing (for
 * hostile inner bytes the envelope writer would refuse).
 */
export function swapBase64(envelope: Uint8Array, from: Uint8Array, to: Uint8Array | string): Uint8Array {
  return replaceBytes(envelope, Buffer.from(b64(from)), Buffer.from(typeof to === 'string' ? to : b64(to)));
}

/** The body-0 voucher bytes of an envelope. */
export function voucherBytesOf(envelope: Uint8Array): Uint8Array {
  const b = parseEnvelope(envelope).bodies[0];
  if (b === undefined) throw new Error('no body');
  return b.voucherBytes;
}

/** The body-0 stamps of an envelope. */
export function stampsOf(envelope: Uint8Array): readonly StampEntry[] {
  const b = parseEnvelope(envelope).bodies[0];
  if (b === undefined) throw new Error('no body');
  return b.stamps;
}

/**
 * A v4 seal object signed by `maker` but made outside `makeSeal`'s refusals (a maker certificate that may not sign
 * or is not valid over the period, a picture of any size): what a foreign seal maker could hand over, which the
 * sealer and the verifier must still judge themselves.
 */
export async function craftSealObject(
  maker: KeyProvider,
  holders: readonly Uint8Array[],
  o: { esId?: string; validStart?: Date; validEnd?: Date; picture?: Uint8Array } = {},
): Promise<Uint8Array> {
  const sealInfo = derSequence(
    derSequence(derIa5String('ES'), derInteger(4), derIa5String('evoucher')),
    derIa5String(o.esId ?? 'TEST-SEAL-0001'),
    derSequence(
      derInteger(1), derUtf8String('Demo Finance Bureau'), derInteger(1), derSequence(...holders.map((h) => derOctetString(h))),
      derGeneralizedTime(new Date('2025-01-01T00:00:00Z')), derGeneralizedTime(o.validStart ?? new Date('2025-01-01T00:00:00Z')),
      derGeneralizedTime(o.validEnd ?? new Date('2045-01-01T00:00:00Z')),
    ),
    derSequence(derIa5String('PNG'), derOctetString(o.picture ?? Uint8Array.of(0x89, 0x50, 0x4e, 0x47)), derInteger(40), derInteger(40)),
  );
  return derSequence(sealInfo, derOctetString(await maker.certificate()), derOid(SM2_WITH_SM3_OID), derBitString(await maker.sign(sealInfo)));
}

/** A seal object (`SESeal` DER) made by a maker for holders, valid over a period (default the demo PKI's). */
export async function makeSealObject(
  maker: KeyProvider,
  holders: readonly Uint8Array[],
  o: { name?: string; esId?: string; validStart?: Date; validEnd?: Date; extDatas?: readonly SesExtData[] } = {},
): Promise<Uint8Array> {
  return makeSeal({
    maker,
    holders,
    name: o.name ?? 'Demo Finance Bureau',
    esId: o.esId ?? 'TEST-SEAL-0001',
    validStart: o.validStart ?? new Date('2025-01-01T00:00:00Z'),
    validEnd: o.validEnd ?? new Date('2045-01-01T00:00:00Z'),
    createDate: new Date('2025-01-01T00:00:00Z'),
    ...(o.extDatas === undefined ? {} : { extDatas: o.extDatas }),
  });
}

/**
 * Appends an `ses` stamp encoded by hand with the profile's exact DER (GB/T 38540-2020 v4 `SES_Signature`,
 * `dataHash` = SM3 of the real to-be-sealed structure, the structure and the chain in `TBS_Sign.extDatas`),
 * bypassing every refusal of the sealer (certList, seal period): the hostile inputs the verifier must catch.
 */
export async function craftSesStamp(
  envelope: Uint8Array,
  o: {
    position: string;
    sequence: number;
    view?: 'original' | 'receipt';
    provider: KeyProvider;
    time: Date;
    seal: Uint8Array;
    chain?: readonly Uint8Array[];
    /** Instead of the scope's. */
    propertyInfo?: string;
    /** More `TBS_Sign.extDatas` entries. */
    extDatas?: readonly SesExtData[];
  },
): Promise<Uint8Array> {
  const body = parseEnvelope(envelope).bodies[0];
  if (body === undefined) throw new Error('no body');
  const seal = parseSeal(o.seal);
  const scope = { position: o.position, sequence: o.sequence, format: 'ses' as const, view: o.view ?? 'original' };
  const signerCertificate = await o.provider.certificate();
  const { der } = tbsForStamp(body, scope, chainOrder(body.stamps), {
    digestAlgorithm: 'sm3',
    signingTime: o.time,
    signerCertificate,
    sealObject: { esId: seal.esId, bytes: seal.raw },
  });
  const voucher = body.voucher;
  const chain = o.chain ?? (await o.provider.chain?.()) ?? [];
  const tbsSign = derSequence(
    derInteger(4),
    seal.raw,
    derGeneralizedTime(o.time),
    derBitString(digest('sm3', der)),
    derIa5String(o.propertyInfo ?? sesPropertyInfo({ vtCode: voucher?.vtCode ?? '', voucherNo: voucher?.fields['VoucherNo'] ?? '', view: scope.view, position: scope.position, sequence: scope.sequence })),
    derExplicit(0, encodeExtDatas([
      { oid: SEAL_OID.extTbs, critical: false, value: der },
      ...(chain.length === 0 ? [] : [{ oid: SEAL_OID.extChain, critical: false, value: derSequence(...chain) }]),
      ...(o.extDatas ?? []),
    ])),
  );
  const signature = await o.provider.sign(tbsSign);
  const bytes = derSequence(tbsSign, derOctetString(signerCertificate), derOid(SM2_WITH_SM3_OID), derBitString(signature));
  return rewriteBody(envelope, (b) => ({ stamps: [...b.stamps, { ...scope, bytes }] }));
}
