/**
 * Verifying a standalone GB/T 38540 seal signature (`SES_Signature`, e.g. an OFD `SignedValue.dat`) over any
 * data, the way a reader of vendor files must (GB/T 38540-2020 §6.3 and §7.3; standards.md §8, §10):
 * structure, maker signature over the raw `SES_SealInfo` slice, sealer signature over the raw `TBS_Sign` slice,
 * the sealer in the seal's certList, `dataHash` = SM3 of the data, the seal period and both certificates at
 * `timeInfo`, and trust. Every check is reported apart.
 *
 * Trust is never assumed: without anchors the sealer and maker paths are INDETERMINATE ("no trust anchor"),
 * and the report can at best be INDETERMINATE. The vendor quirks tolerated while reading (standards.md §2.3)
 * are listed in the report. Not checked: timestamp tokens (reported as skipped) and what `propertyInfo`
 * names beyond the data given.
 */
import { digest, type HashAlgorithm } from '../crypto/index.js';
import { EvoucherError } from '../errors.js';
import { createTrustStore, parseCertificate, type CertificateInfo, type Crl, type TrustStore } from '../pki/index.js';
import { matchSealerToSeal, unknownCriticalExtension, verifySealMaker, verifySesSignatureValue } from '../seal/ses/checks.js';
import { SEAL_OID } from '../seal/tbs.js';
import { parseSesSignature } from '../seal/ses/signature.js';
import type { SesSignature } from '../seal/ses/types.js';
import { certificatesOf, pathChecks } from './checks/chain.js';
import { failedFrom, guard } from './checks/guard.js';
import { signingTimeCheck, skewStart } from './checks/order.js';
import { sealPeriodCheck, sealSummary } from './checks/seal_object.js';
import { checkClockSkew, type ResolvedOptions } from './options.js';
import {
  deepFreeze,
  errorsOf,
  failed,
  indeterminateKinds,
  indeterminate,
  passed,
  skipped,
  statusOf,
  type IndeterminateKind,
  type ReportCheck,
  type ReportError,
  type ReportStatus,
  type SealObjectSummary,
  signerSummary,
  type SignerSummary,
} from './report.js';
import { equalBytes } from '@noble/curves/utils.js';
import { hex } from './util.js';

/** Options of {@link verifySesSignatureOverData}. */
export interface SealSignatureOptions {
  /** Trust anchors. Optional here: without them, trust is reported INDETERMINATE ("no trust anchor"). */
  readonly trust?: TrustStore | readonly (Uint8Array | string)[];
  /** The validation time; default now. Certificates and the seal period are judged at `timeInfo`. */
  readonly at?: Date;
  /**
   * How far, in milliseconds, `timeInfo` may be after the validation time and still pass `signing-time`; default
   * 0, at most `MAX_CLOCK_SKEW_MS` (one hour). As `VerifyOptions.clockSkewMs`: nothing else is relaxed.
   */
  readonly clockSkewMs?: number;
  /** CRLs; when given, revocation is required. */
  readonly crls?: readonly Crl[];
  /** Extra untrusted certificates that may complete a path. */
  readonly intermediates?: readonly (Uint8Array | string)[];
  /** The hash of the data; default SM3 (the hash of SM2-with-SM3). */
  readonly dataHashAlgorithm?: HashAlgorithm;
}

/** The report of one standalone seal signature. */
export interface SealSignatureReport {
  readonly reportVersion: 1;
  readonly status: ReportStatus;
  readonly validationTime: string;
  /** `4` (GB/T 38540-2020) or `2014` (GM/T 0031-2014). */
  readonly structure?: 4 | 2014;
  /** `timeInfo` (ISO 8601), or the raw text of a 2014 time. */
  readonly signingTime?: string;
  /** `propertyInfo`: what the signer says is protected. */
  readonly propertyInfo?: string;
  /** The data hash in the seal and the one computed over the data, hex. */
  readonly dataHash?: { readonly algorithm: HashAlgorithm; readonly signed: string; readonly computed: string };
  readonly seal?: SealObjectSummary & { readonly vendor: string; readonly type: number; readonly picture: { readonly type: string; readonly width: number; readonly height: number; readonly size: number } };
  readonly signer?: SignerSummary;
  readonly maker?: SignerSummary;
  /** Vendor encoding quirks tolerated while reading (standards.md §2.3). */
  readonly quirks: readonly string[];
  readonly checks: readonly ReportCheck[];
  readonly errors: readonly ReportError[];
  /** What could not be established: `trust` without anchors, `revocation`, `time`; empty when none. */
  readonly indeterminate: readonly IndeterminateKind[];
}

/**
 * A 2014 `timeInfo` text (`yyyy-MM-dd HH:mm:ss`, ofdrw), read as China Standard Time; `undefined` for any other
 * text, a day that does not exist (2025-02-30) or an hour 24 included: `Date` would roll those over to a time
 * the text does not say.
 */
export function legacyTime(text: string | undefined): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(text ?? '');
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const back = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
  // setUTCFullYear, not Date.UTC's year: Date.UTC reads years 0–99 as 1900–1999.
  back.setUTCFullYear(y, mo - 1, d);
  const utc = back.getTime();
  // Rolled over when the fields read back differ.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h || back.getUTCMinutes() !== mi || back.getUTCSeconds() !== s) return undefined;
  return new Date(utc - 8 * 3600_000);
}

function resolve(options: SealSignatureOptions): { trust?: TrustStore; resolved: Omit<ResolvedOptions, 'trust'> } {
  if (typeof options !== 'object' || options === null) throw new EvoucherError('ARG_INVALID', 'options must be an object');
  // Only a missing option takes its default: `at: null` was the clock, `crls: null` none, without a word.
  const at = options.at === undefined ? new Date() : options.at;
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new EvoucherError('ARG_INVALID', 'options.at must be a valid Date');
  const clockSkewMs = checkClockSkew(options.clockSkewMs, 'options.clockSkewMs');
  const crls = options.crls === undefined ? [] : options.crls;
  if (!Array.isArray(crls)) throw new EvoucherError('ARG_INVALID', 'options.crls must be an array');
  const inter = options.intermediates === undefined ? [] : options.intermediates;
  if (!Array.isArray(inter)) throw new EvoucherError('ARG_INVALID', 'options.intermediates must be an array');
  if (options.dataHashAlgorithm !== undefined && options.dataHashAlgorithm !== 'sm3' && options.dataHashAlgorithm !== 'sha256') {
    throw new EvoucherError('ARG_INVALID', 'options.dataHashAlgorithm must be sm3 or sha256');
  }
  let trust: TrustStore | undefined;
  const t: unknown = options.trust;
  if (Array.isArray(t)) trust = createTrustStore(t as readonly (Uint8Array | string)[]);
  else if (typeof t === 'object' && t !== null && Array.isArray((t as { anchors?: unknown }).anchors)) {
    if ((t as TrustStore).anchors.length === 0) throw new EvoucherError('TRUST_NO_ANCHORS', 'the trust store has no anchors');
    trust = t as TrustStore;
  } else if (t !== undefined) throw new EvoucherError('ARG_INVALID', 'options.trust must be a TrustStore or an array of certificates');
  const resolved = { at: new Date(at.getTime()), clockSkewMs, crls, requireRevocation: crls.length > 0, intermediates: inter.map((c) => parseCertificate(c)) };
  return trust === undefined ? { resolved } : { trust, resolved };
}

function certChecks(
  name: 'chain' | 'maker-chain',
  certDer: Uint8Array,
  time: Date | undefined,
  trust: TrustStore | undefined,
  o: Omit<ResolvedOptions, 'trust'>,
): { checks: ReportCheck[]; cert?: CertificateInfo; path?: readonly CertificateInfo[] } {
  const prefix = name === 'chain' ? '' : 'maker-';
  const role = name === 'chain' ? 'sealer' : 'maker';
  let cert: CertificateInfo;
  try {
    cert = parseCertificate(certDer);
  } catch (e) {
    return { checks: [failedFrom(name, e), skipped(`${prefix}key-usage`, `the ${role} certificate does not parse`), skipped(`${prefix}revocation`, `the ${role} certificate does not parse`)] };
  }
  if (time === undefined) {
    return { cert, checks: [indeterminate(name, 'VERIFY_SIGNING_TIME_UNKNOWN', `the signing time cannot be read, so the ${role} certificate cannot be judged`), skipped(`${prefix}key-usage`, 'no signing time'), skipped(`${prefix}revocation`, 'no signing time')] };
  }
  if (trust === undefined) {
    // Validity and key usage can still be judged without anchors; trust cannot.
    const valid = time.getTime() >= cert.notBefore.getTime() && time.getTime() <= cert.notAfter.getTime();
    const usage = cert.hasKeyUsage && (cert.keyUsage.includes('digitalSignature') || cert.keyUsage.includes('nonRepudiation'));
    return {
      cert,
      checks: [
        valid
          ? indeterminate(name, 'CERT_UNTRUSTED', `no trust anchor configured: ${cert.subject} (issuer ${cert.issuer}) is valid at ${time.toISOString()} but its path is not judged`)
          : failed(name, time.getTime() < cert.notBefore.getTime() ? 'CERT_NOT_YET_VALID' : 'CERT_EXPIRED', `${cert.subject} is not valid at ${time.toISOString()} (${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()})`),
        usage ? passed(`${prefix}key-usage`, `keyUsage ${cert.keyUsage.join(', ')}`) : failed(`${prefix}key-usage`, 'CERT_KEY_USAGE', `needs keyUsage digitalSignature or nonRepudiation (has: ${cert.keyUsage.join(', ') || 'none'})`),
        skipped(`${prefix}revocation`, 'no trust anchor configured'),
      ],
    };
  }
  const path = pathChecks(cert, [], time, Object.assign({}, o, { trust }), role, prefix);
  return { cert, checks: [...path.checks], path: certificatesOf(cert, path) };
}

/**
 * Verifies a standalone seal signature (`SES_Signature` DER) over data.
 *
 * @param ses - the `SES_Signature` DER (e.g. `SignedValue.dat`).
 * @param data - the protected bytes (e.g. the exact `Signature.xml`).
 * @param options - optional trust anchors, validation time, clock skew, CRLs, intermediates, data-hash algorithm.
 * @returns a frozen report: VALID only with trust anchors and every check passed; INDETERMINATE without anchors
 *   (or when revocation or time cannot be established); INVALID on any proven failure.
 * @throws EvoucherError only on misuse: `ARG_INVALID` (wrong types, `null` for an option, a `clockSkewMs` outside 0 to
 *   `MAX_CLOCK_SKEW_MS`), `TRUST_NO_ANCHORS` (an empty trust list),
 *   `CERT_MALFORMED` (an anchor that is not a certificate).
 * @example
 * const r = await verifySesSignatureOverData(signedValue, signatureXml, { trust: [issuerPem], at: new Date('2020-08-17T11:13:29Z') })
 */
export async function verifySesSignatureOverData(ses: Uint8Array, data: Uint8Array, options: SealSignatureOptions = {}): Promise<SealSignatureReport> {
  if (!(ses instanceof Uint8Array) || !(data instanceof Uint8Array)) throw new EvoucherError('ARG_INVALID', 'the seal signature and the data must be Uint8Arrays');
  const { trust, resolved } = resolve(options);
  const validationTime = resolved.at.toISOString();
  const checks: ReportCheck[] = [];
  let sig: SesSignature;
  try {
    sig = parseSesSignature(ses);
  } catch (e) {
    checks.push(failedFrom('format', e));
    return deepFreeze({ reportVersion: 1, status: 'INVALID', validationTime, quirks: [], checks, errors: errorsOf(checks, (c) => c.check), indeterminate: [] });
  }
  const quirks = sig.quirks.map((q) => `${q.quirk}: ${q.message}`);
  const critical = unknownCriticalExtension(sig, [SEAL_OID.extTbs, SEAL_OID.extChain]);
  if (critical !== undefined) {
    checks.push(failed('format', 'SEAL_MALFORMED', `unknown critical extension ${critical.oid} in the ${critical.where}: a reader that does not understand it must refuse the seal`));
    return deepFreeze({ reportVersion: 1, status: 'INVALID', validationTime, quirks, checks, errors: errorsOf(checks, (c) => c.check), indeterminate: [] });
  }
  checks.push(passed('format', `GB/T 38540 ${sig.version === 4 ? '(v4)' : 'GM/T 0031-2014'} SES_Signature, seal ${sig.seal.esId}${quirks.length === 0 ? '' : `; tolerated: ${sig.quirks.map((q) => q.quirk).join(', ')}`}`));

  const time = sig.timeInfo instanceof Date ? sig.timeInfo : legacyTime(sig.timeInfo.text);
  checks.push(
    ...guard('maker-signature', () => {
      const r = verifySealMaker(sig.seal);
      return r.ok ? passed('maker-signature', r.message) : failed('maker-signature', r.code ?? 'SEAL_MAKER_SIGNATURE_INVALID', r.message);
    }),
    ...guard('signature', () => {
      const r = verifySesSignatureValue(sig);
      return r.ok ? passed('signature', r.message) : failed('signature', r.code ?? 'SEAL_SIGNATURE_INVALID', r.message);
    }),
    ...guard('seal-match', () => {
      const r = matchSealerToSeal(sig.seal, sig.sealerCert);
      return r.ok ? passed('seal-match', r.message) : failed('seal-match', r.code ?? 'SEAL_SIGNER_NOT_IN_SEAL', r.message);
    }),
  );
  const alg: HashAlgorithm = options.dataHashAlgorithm ?? 'sm3';
  const computed = digest(alg, data);
  checks.push(
    equalBytes(computed, sig.dataHash)
      ? passed('data-hash', `dataHash is the ${alg} of the ${data.length} data bytes`)
      : failed('data-hash', 'SEAL_DIGEST_MISMATCH', `dataHash differs from the ${alg} of the data (${hex(sig.dataHash).slice(0, 16)}… vs ${hex(computed).slice(0, 16)}…)`),
  );
  checks.push(time === undefined ? indeterminate('seal-period', 'VERIFY_SIGNING_TIME_UNKNOWN', 'the signing time cannot be read') : sealPeriodCheck(sig.seal, time));
  const sealer = certChecks('chain', sig.sealerCert, time, trust, resolved);
  const maker = certChecks('maker-chain', sig.seal.makerCert, time, trust, resolved);
  checks.push(...sealer.checks, ...maker.checks);
  if (time !== undefined) {
    // Ahead of the validation time within the allowed skew: the certificates and the seal must be valid already.
    const start = skewStart(time, resolved.at, resolved.clockSkewMs, () => [sealer, maker].map((x) => x.path ?? (x.cert === undefined ? [] : [x.cert])), sig.seal);
    checks.push(signingTimeCheck(time, undefined, resolved.at, resolved.clockSkewMs, start));
  }
  checks.push(sig.timeStamp === undefined ? skipped('timestamp', 'no timestamp token') : skipped('timestamp', 'a timestamp token is present but not verified; the signing time is the one the signer claims'));

  const required = ['format', 'maker-signature', 'signature', 'seal-match', 'data-hash', 'seal-period', 'chain', 'key-usage', 'maker-chain', 'maker-key-usage', 'signing-time'];
  const pic = sig.seal.picture;
  const errors = errorsOf(checks, (c) => c.check);
  return deepFreeze({
    reportVersion: 1,
    status: statusOf(checks, required),
    validationTime,
    structure: sig.version,
    ...(sig.timeInfo instanceof Date ? { signingTime: sig.timeInfo.toISOString() } : sig.timeInfo.text === undefined ? {} : { signingTime: sig.timeInfo.text }),
    propertyInfo: sig.propertyInfo,
    dataHash: { algorithm: alg, signed: hex(sig.dataHash), computed: hex(computed) },
    seal: Object.assign(sealSummary(sig.seal), { vendor: sig.seal.header.vid, type: sig.seal.type, picture: { type: pic.type, width: pic.width, height: pic.height, size: pic.data.length } }),
    ...(sealer.cert === undefined ? {} : { signer: signerSummary(sealer.cert) }),
    ...(maker.cert === undefined ? {} : { maker: signerSummary(maker.cert) }),
    quirks,
    checks,
    errors,
    indeterminate: indeterminateKinds(errors),
  } satisfies SealSignatureReport);
}
