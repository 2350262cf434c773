/**
 * Layered sealing: add one seal to one voucher body, or cancel the last one.
 *
 * Design rationale: a seal is added only when the policy allows it *and* the key can prove it is the
 * certificate's (a probe signature), so a refused seal never reaches the envelope. Every refusal has its own
 * code (docs/sealing.md "Refusals"). The voucher bytes are never touched: the new stamp is appended to the
 * body's `<Stamps>`, and the rest of the envelope (other bodies, Attach, Return_Reason, root, charset) is
 * written back as read.
 */
import { randomBytes } from 'node:crypto';
import { verifyMessage } from '../crypto/index.js';
import { EvoucherError } from '../errors.js';
import type { KeyProvider } from '../keys/provider.js';
import { certificateFingerprint, parseCertificate, validatePath, type CertificateInfo, type TrustStore } from '../pki/index.js';
import { refuseLeafUse } from '../pki/chain.js';
import { diffVouchers, parseEnvelope, validateVoucher, VoucherValidationError, writeEnvelope, type Envelope, type EnvelopeBody, type StampEntry } from '../voucher/index.js';
import { checkCarriedChain } from './carried_chain.js';
import { bodyView, tbsForStamp } from './chain.js';
import { checkStamp, makeCmsStamp, parseStamp, stampFacts } from './formats/index.js';
import { makeSesStamp } from './formats/ses.js';
import { criticalSealExtension, matchSealerToSeal, verifySealMaker } from './ses/checks.js';
import { parseSeal } from './ses/seal_object.js';
import {
  checkPlacement,
  checkSigner,
  isViewLocked,
  findPosition,
  resolvePolicy,
  type PolicyPosition,
  type PolicyViolation,
  type ResolvedPolicy,
  type SealPolicy,
} from './policy.js';
import { chainOrder, digestAlgorithmFor, SEAL_FORMATS, wholeSeconds, type SealFormat } from './tbs.js';

/** Options of {@link sealVoucher}. */
export interface SealVoucherOptions {
  /** The position to fill, e.g. `cz_zfzyz`. */
  readonly position: string;
  /** The signer. */
  readonly key: KeyProvider;
  /** The seal object (`SESeal` DER, a `.esl` file) for an `ses` seal; its certList must hold the signer certificate. */
  readonly seal?: Uint8Array;
  /** The seal format, `ses` or `cms`; default `ses` when a seal object is given, else `cms`. Anything else is `ARG_INVALID`. */
  readonly format?: SealFormat;
  /** The policy; default the built-in positions of the voucher type. */
  readonly policy?: SealPolicy;
  /** The signing time; default now. Milliseconds are dropped. */
  readonly time?: Date;
  /** Index of the `VoucherBody` to seal; default 0. */
  readonly body?: number;
  /** When given, the signer certificate's path (and, ses, the seal maker's) must be valid at the signing time under these anchors. */
  readonly trust?: TrustStore;
  /**
   * Certificates to carry after the signer's (issuer first; untrusted, for path building): in `certificates`
   * of a `cms` stamp, in `TBS_Sign.extDatas` of an `ses` stamp. Default the key provider's `chain()`. Useful
   * for tokens, which usually hold only the leaf certificate. Either is judged before signing and never
   * reordered: each certificate an issuer of the signer's (ses: or the seal maker's) or of one before it, none
   * the signer's or twice, at most 7 (cms) or 8 (ses); see docs/sealing.md "The chain a stamp carries".
   */
  readonly chain?: readonly Uint8Array[];
}

function refuse(v: PolicyViolation): never {
  throw new EvoucherError(v.code, v.message, { detail: v.position === undefined ? {} : { position: v.position } });
}

/** Reads the envelope charset from its XML declaration (the writer needs it to write the envelope back). */
function pickBody(env: Envelope, index: number | undefined): { body: EnvelopeBody; index: number } {
  // Only a missing index is the first body: `null` is no index (it was read as 0).
  const i = index === undefined ? 0 : index;
  const body = Number.isSafeInteger(i) && i >= 0 ? env.bodies[i] : undefined;
  if (body === undefined) {
    // String(): a symbol in a template literal would be a TypeError.
    const shown = typeof i === 'number' ? String(i) : i === null ? 'null' : typeof i;
    const why = typeof i === 'number' && Number.isSafeInteger(i) && i >= 0 ? `the envelope has no VoucherBody ${shown} (it has ${env.bodies.length})` : 'not an index';
    throw new EvoucherError('ARG_INVALID', `body ${shown}: ${why}; body must be an index from 0, or left out for 0`, { detail: { option: 'body', body: shown } });
  }
  return { body, index: i };
}

/** Writes an envelope back with one body's stamps replaced. */
function rewrite(env: Envelope, index: number, stamps: readonly StampEntry[], replace?: Partial<Pick<EnvelopeBody, 'voucherBytes' | 'voucherFlag' | 'originalVoucherBytes'>>): Uint8Array {
  const bodies = env.bodies.map((b, i) => {
    const base = i === index && replace !== undefined ? Object.assign({}, b, replace) : b;
    return {
      voucherBytes: base.voucherBytes,
      voucherFlag: base.voucherFlag,
      ...(b.attach === undefined ? {} : { attach: b.attach }),
      ...(b.returnReason === undefined ? {} : { returnReason: b.returnReason }),
      ...(base.originalVoucherBytes === undefined ? {} : { originalVoucherBytes: base.originalVoucherBytes }),
      stamps: i === index ? stamps : b.stamps,
    };
  });
  // The charset the reader found (declaration or BOM), not a guess from the first bytes.
  return writeEnvelope(bodies, { root: env.root, encoding: env.charset });
}

/**
 * Reads an envelope and picks one body (internal: shared with receipts; not exported from the package).
 *
 * @param envelope - the envelope bytes.
 * @param body - the body index (default 0).
 * @returns the parsed envelope, the body and its index.
 * @throws EvoucherError `ARG_INVALID` for a missing body, and the envelope parse codes.
 */
export function openBody(envelope: Uint8Array, body: number | undefined): { env: Envelope; body: EnvelopeBody; index: number } {
  const env = parseEnvelope(envelope);
  const picked = pickBody(env, body);
  return { env, ...picked };
}

/**
 * Writes an envelope back with new stamps (and optionally a new voucher view) on one body; every other part is
 * written as read (internal: shared with receipts).
 *
 * @param env - the parsed envelope (its charset is kept).
 * @param index - the body to change.
 * @param stamps - the body's new stamps, in document order.
 * @param replace - a new voucher view for the body (receipts).
 * @returns the new envelope bytes.
 * @throws EvoucherError the envelope writer's codes.
 */
export function writeBody(env: Envelope, index: number, stamps: readonly StampEntry[], replace?: Partial<Pick<EnvelopeBody, 'voucherBytes' | 'voucherFlag' | 'originalVoucherBytes'>>): Uint8Array {
  return rewrite(env, index, stamps, replace);
}

async function checkKeyMatchesCertificate(key: KeyProvider, cert: CertificateInfo): Promise<void> {
  // A probe signature tells a key that does not belong to the certificate (a token holding the wrong object,
  // a PEM paired with another certificate) from a seal that fails for another reason. It runs only when the
  // new seal fails its self-check: a probe on every seal cost a second signature each time, which on a
  // hardware token is the slow part.
  const probe = Uint8Array.from([...new TextEncoder().encode('evoucher key probe '), ...randomBytes(16)]);
  let ok = false;
  try {
    ok = verifyMessage(key.algorithm, cert.publicKey, probe, await key.sign(probe));
  } catch (e) {
    if (e instanceof EvoucherError && e.code.startsWith('KEY_')) throw e;
    ok = false;
  }
  if (!ok) {
    throw new EvoucherError('KEY_CERT_MISMATCH', `the key does not sign for certificate ${cert.subject}`, {
      detail: { certificate: cert.fingerprintSha256 },
    });
  }
}

function checkValidityAt(cert: CertificateInfo, t: Date, role = 'certificate'): void {
  if (t < cert.notBefore) {
    throw new EvoucherError('CERT_NOT_YET_VALID', `${role} ${cert.subject} is not valid before ${cert.notBefore.toISOString()} (signing time ${t.toISOString()})`, {
      detail: { notBefore: cert.notBefore.toISOString(), signingTime: t.toISOString() },
    });
  }
  if (t > cert.notAfter) {
    throw new EvoucherError('CERT_EXPIRED', `${role} ${cert.subject} expired at ${cert.notAfter.toISOString()} (signing time ${t.toISOString()})`, {
      detail: { notAfter: cert.notAfter.toISOString(), signingTime: t.toISOString() },
    });
  }
}

/** What the format-specific part of sealing returns. */
interface PreparedFormat {
  readonly esId?: string;
  /** SHA-256 of the seal maker's certificate (ses), for the registry. */
  readonly makerCertificateSha256?: string;
  /** The seal maker's certificate (ses): the carried chain may hold its issuers too. */
  readonly makerCertificate?: Uint8Array;
  readonly sealObject?: { readonly esId: string; readonly bytes: Uint8Array };
  /** Format checks that come after the policy's signer checks (ses: certList, seal period). */
  checkAt(time: Date): void;
  make(tbs: Uint8Array, scope: { position: PolicyPosition; time: Date; voucherNo: string; vtCode: string }): Promise<Uint8Array>;
}

async function prepareFormat(format: SealFormat, options: SealVoucherOptions, certDer: Uint8Array, chain: readonly Uint8Array[]): Promise<PreparedFormat> {
  if (format === 'cms') {
    if (options.seal !== undefined) throw new EvoucherError('ARG_INVALID', 'a seal object is used only by the ses format');
    return { checkAt: () => undefined, make: (tbs, s) => makeCmsStamp({ tbs, key: options.key, signingTime: s.time, certificate: certDer, chain }) };
  }
  const sealBytes = options.seal;
  if (sealBytes === undefined) throw new EvoucherError('SEAL_OBJECT_REQUIRED', 'an ses seal needs a seal object (SESeal, .esl)');
  const seal = parseSeal(sealBytes, { mode: 'strict' });
  if (seal.version !== 4) {
    throw new EvoucherError('SEAL_VERSION_UNSUPPORTED', 'an ses seal needs a GB/T 38540-2020 (v4) seal object; this one is GM/T 0031-2014');
  }
  // GB/T 38540-2020 §6.3: a seal whose maker signature does not verify is no seal; refuse it before anyone
  // seals with it (the verifier checks it again, with the maker's certificate path).
  const maker = verifySealMaker(seal);
  if (!maker.ok) throw new EvoucherError(maker.code ?? 'SEAL_MAKER_SIGNATURE_INVALID', `seal ${seal.esId}: ${maker.message}`);
  // Before the key signs: the verifier refuses a seal object with a critical extension it does not understand.
  const critical = criticalSealExtension(seal);
  if (critical !== undefined) {
    throw new EvoucherError('SEAL_MALFORMED', `seal ${seal.esId}: the seal object has a critical extension (${critical}) that no evoucher verifier understands`, { detail: { oid: critical } });
  }
  const makerCert = parseCertificate(seal.makerCert);
  return {
    esId: seal.esId,
    makerCertificateSha256: certificateFingerprint(seal.makerCert),
    makerCertificate: seal.makerCert,
    sealObject: { esId: seal.esId, bytes: seal.raw },
    checkAt: (time) => {
      const match = matchSealerToSeal(seal, certDer);
      if (!match.ok) throw new EvoucherError(match.code ?? 'SEAL_SIGNER_NOT_IN_SEAL', match.message);
      if (time < seal.validStart || time > seal.validEnd) {
        throw new EvoucherError('SEAL_PERIOD_INVALID', `seal ${seal.esId} is valid from ${seal.validStart.toISOString()} to ${seal.validEnd.toISOString()}, not at ${time.toISOString()}`, {
          detail: { esId: seal.esId, validStart: seal.validStart.toISOString(), validEnd: seal.validEnd.toISOString(), signingTime: time.toISOString() },
        });
      }
      // The verifier judges the maker certificate as it judges the signer's, at the stamp's signing time
      // (maker-chain, maker-key-usage): a seal object whose maker certificate had expired, or may not sign,
      // yields a stamp that never verifies.
      checkValidityAt(makerCert, time, `seal ${seal.esId}: maker certificate`);
      refuseLeafUse(makerCert, 'maker', `seal ${seal.esId}: maker certificate`);
      if (options.trust !== undefined) {
        const path = validatePath(makerCert, { trust: options.trust, intermediates: chain, at: time, usage: 'maker' });
        if (path.status !== 'valid') {
          throw new EvoucherError(path.code ?? 'CERT_UNTRUSTED', `seal ${seal.esId}: maker certificate path is ${path.status} at ${time.toISOString()}: ${path.message}`);
        }
      }
    },
    make: (tbs, s) =>
      makeSesStamp({
        tbs,
        key: options.key,
        seal: sealBytes,
        signingTime: s.time,
        scope: { vtCode: s.vtCode, voucherNo: s.voucherNo, view: s.position.view, position: s.position.id, sequence: s.position.sequence },
        chain,
      }),
  };
}

/**
 * A receipt-view seal covers the receipt and its original: refuse a receipt body the verifier fails whatever
 * its seals (`original`, `receipt-diff`): an original that does not parse, or a receipt that changes a non-X
 * element of it (a payee or an amount the bank's seal would then vouch for).
 */
function checkReceiptBody(body: EnvelopeBody): void {
  if (body.originalVoucherError !== undefined) throw body.originalVoucherError;
  const original = body.originalVoucher;
  const receipt = body.voucher;
  // No <OriginalVoucher> at all: the to-be-sealed structure refuses it (SEAL_SCOPE_MISMATCH).
  if (original === undefined || receipt === undefined) return;
  const forbidden = diffVouchers(original, receipt).filter((d) => !d.x);
  if (forbidden.length > 0) {
    const paths = forbidden.slice(0, 5).map((d) => d.path);
    throw new EvoucherError('VOUCHER_RECEIPT_FIELD_FORBIDDEN', `the receipt changes non-X elements of its original: ${paths.join(', ')}${forbidden.length > 5 ? ` and ${forbidden.length - 5} more` : ''}`, {
      detail: { paths: forbidden.slice(0, 50).map((d) => d.path).join(',') },
    });
  }
}

/** The signing time of the last seal in chain order, when its stamp can be read (the verifier fails it otherwise). */
function lastSigningTime(placed: readonly StampEntry[]): Date | undefined {
  const last = chainOrder(placed).at(-1);
  if (last === undefined) return undefined;
  try {
    return stampFacts(parseStamp(last)).signingTime;
  } catch {
    return undefined;
  }
}

/** The envelope argument, as a JavaScript caller may get it wrong. */
function checkEnvelopeArgument(envelope: unknown): void {
  if (!(envelope instanceof Uint8Array)) throw new EvoucherError('ARG_INVALID', 'the envelope must be a Uint8Array');
}

/** The arguments of {@link sealVoucher}, as a JavaScript caller may get them wrong: coded errors, never a TypeError. */
function checkSealArguments(envelope: unknown, options: unknown): void {
  checkEnvelopeArgument(envelope);
  const bad = (option: string, what: string): never => {
    throw new EvoucherError('ARG_INVALID', `sealVoucher ${option} must be ${what}`, { detail: { option } });
  };
  if (typeof options !== 'object' || options === null) return bad('options', 'an object');
  const o = options as Record<string, unknown>;
  if (typeof o['position'] !== 'string') bad('position', 'a position id string');
  const key = o['key'] as Record<string, unknown> | null | undefined;
  if (typeof key !== 'object' || key === null || typeof key['certificate'] !== 'function' || typeof key['sign'] !== 'function' || typeof key['algorithm'] !== 'string') {
    bad('key', 'a KeyProvider (algorithm, certificate(), sign())');
  }
  if (o['time'] !== undefined && !(o['time'] instanceof Date && !Number.isNaN(o['time'].getTime()))) bad('time', 'a valid Date');
  // Judged here, before the envelope is read: another value (`null`, `SES`) was read as the default or refused late.
  if (o['format'] !== undefined && !(SEAL_FORMATS as readonly unknown[]).includes(o['format'])) bad('format', `${SEAL_FORMATS.map((f) => `'${f}'`).join(' or ')}, or left out`);
  if (o['seal'] !== undefined && !(o['seal'] instanceof Uint8Array)) bad('seal', 'a Uint8Array (the SESeal bytes)');
  const chain = o['chain'];
  if (chain !== undefined && !(Array.isArray(chain) && chain.every((c) => c instanceof Uint8Array))) bad('chain', 'an array of DER certificates (Uint8Array)');
}

/**
 * Adds one seal to a voucher body and returns the new envelope.
 *
 * The seal signs the to-be-sealed structure (docs/formats.md) that binds the exact voucher bytes of the
 * view, the voucher identity, the position, every earlier seal, the time, the signer certificate and (ses)
 * the seal object.
 *
 * @param envelope - the MOF envelope bytes.
 * @param options - position, key, seal object, format, policy, time, body index, trust anchors.
 * @returns the new envelope bytes (voucher bytes unchanged; the stamp appended to the body's `<Stamps>`).
 * @throws EvoucherError, one code per refusal:
 *   `POLICY_POSITION_UNKNOWN` (not a position of the type), `POLICY_VIEW_MISMATCH` (receipt position on an
 *   original), `POLICY_POSITION_SEALED`, `POLICY_VIEW_LOCKED` (the view is complete), `POLICY_OUT_OF_SEQUENCE`,
 *   `POLICY_FORMAT_FORBIDDEN`, `CERT_PARTY_MISSING`, `POLICY_PARTY_MISMATCH`, `POLICY_ORG_MISMATCH`,
 *   `POLICY_POSITION_FORBIDDEN` / `POLICY_SEAL_TYPE_FORBIDDEN` (registry), `SEAL_SES_REQUIRES_SM2`,
 *   `SEAL_OBJECT_REQUIRED`, `SEAL_MALFORMED` (a seal object with a critical extension), `SEAL_SIGNER_NOT_IN_SEAL`, `SEAL_PERIOD_INVALID` (seal object not valid at the
 *   signing time), `CERT_NOT_YET_VALID` / `CERT_EXPIRED` (signer or seal maker certificate not valid at the
 *   signing time), `CERT_KEY_USAGE` / `CERT_UNKNOWN_CRITICAL_EXTENSION` (signer or maker certificate that may
 *   not sign, judged with or without `trust`), the path codes of `validatePath` (signer, and ses maker) when
 *   `trust` is given, `VOUCHER_RECEIPT_FIELD_FORBIDDEN` (a receipt-view seal on a receipt that changes a non-X
 *   element of its original, or the original's parse code), `KEY_CERT_MISMATCH` (the key does not sign for
 *   the certificate), `VOUCHER_INVALID` (the voucher breaks its rules for the view),
 *   `VERIFY_SIGNING_TIME_ORDER` (a signing time before the previous seal's), `ARG_INVALID` (bad body index,
 *   seal object with cms, a `format` other than `ses` or `cms`, arguments of the wrong type; a chain, given or the
 *   key's, that holds the signer's certificate, a certificate twice, one that is not an issuer of the signer's, the
 *   ses maker's or one before it, or more than the format carries), `CERT_MALFORMED` (a chain certificate that is
 *   not one, `detail.index` naming it), and envelope/voucher parse codes.
 * @example
 * const out = await sealVoucher(envelope, { position: 'cz_zfzyz', key, format: 'cms' })
 */
export async function sealVoucher(envelope: Uint8Array, options: SealVoucherOptions): Promise<Uint8Array> {
  checkSealArguments(envelope, options);
  const { env, body, index } = openBody(envelope, options.body);
  if (body.voucherError !== undefined) throw body.voucherError;
  const voucher = body.voucher;
  if (voucher === undefined) throw new EvoucherError('ENVELOPE_MALFORMED', 'the voucher of the body was not parsed');
  const view = bodyView(body);
  const vtCode = voucher.vtCode;
  const resolved: ResolvedPolicy = resolvePolicy(vtCode, voucher.fields['AdmDivCode'], options.policy);
  const position = findPosition(resolved, options.position);

  const placed = body.stamps;
  const placement = checkPlacement(position, placed, resolved, view);
  if (placement !== undefined) refuse(placement);

  const format: SealFormat = options.format ?? (options.seal !== undefined ? 'ses' : 'cms');
  if (!position.formats.includes(format)) {
    refuse({ code: 'POLICY_FORMAT_FORBIDDEN', message: `position ${position.id} does not accept ${format} seals`, position: position.id });
  }
  if (format === 'ses' && options.key.algorithm !== 'sm2-sm3') {
    throw new EvoucherError('SEAL_SES_REQUIRES_SM2', `ses seals are SM2/SM3 only (GB/T 38540); the key is ${options.key.algorithm}`, {
      detail: { algorithm: options.key.algorithm },
    });
  }
  if (format === 'ses' && options.seal === undefined) {
    throw new EvoucherError('SEAL_OBJECT_REQUIRED', 'an ses seal needs a seal object (SESeal, .esl)');
  }

  const certDer = await options.key.certificate();
  const cert = parseCertificate(certDer);
  const chain = options.chain ?? (await options.key.chain?.()) ?? [];
  const time = wholeSeconds(options.time ?? new Date());
  const prepared = await prepareFormat(format, options, certDer, chain);
  // What the stamp would carry after the signer's certificate, judged before anything signs: every certificate
  // parses and is an issuer of one before it, none is the signer's or given twice, and the format carries them all.
  checkCarriedChain(chain, {
    format,
    signer: certDer,
    source: options.chain === undefined ? 'key' : 'option',
    ...(prepared.makerCertificate === undefined ? {} : { maker: prepared.makerCertificate }),
    ...(prepared.sealObject === undefined ? {} : { sealObject: prepared.sealObject.bytes }),
  });

  const signerViolation = checkSigner(
    position,
    {
      certificateSha256: cert.fingerprintSha256,
      format,
      ...(cert.party === undefined ? {} : { party: cert.party }),
      ...(cert.organizationIdentifier === undefined ? {} : { organizationIdentifier: cert.organizationIdentifier }),
      ...(prepared.esId === undefined ? {} : { esId: prepared.esId }),
      ...(prepared.makerCertificateSha256 === undefined ? {} : { makerCertificateSha256: prepared.makerCertificateSha256 }),
    },
    resolved,
  );
  if (signerViolation !== undefined) refuse(signerViolation);
  prepared.checkAt(time);
  checkValidityAt(cert, time);
  refuseLeafUse(cert, 'sealer', 'signer certificate');
  if (options.trust !== undefined) {
    const path = validatePath(cert, { trust: options.trust, intermediates: chain, at: time, usage: 'sealer' });
    if (path.status !== 'valid') {
      throw new EvoucherError(path.code ?? 'CERT_UNTRUSTED', `signer certificate path is ${path.status} at ${time.toISOString()}: ${path.message}`);
    }
  }

  // Refuse what the verifier would fail: a voucher that breaks its rules for the view (judged now, or at the
  // signing time when that is later, as the verifier judges them at its validation time), and a signing time
  // before the previous seal's (signing times never decrease along the chain).
  const issues = validateVoucher(voucher, { view, now: new Date(Math.max(Date.now(), time.getTime())) });
  if (issues.length > 0) throw new VoucherValidationError(issues, vtCode);
  if (view === 'receipt') checkReceiptBody(body);
  const previousTime = lastSigningTime(placed);
  if (previousTime !== undefined && time.getTime() < previousTime.getTime()) {
    throw new EvoucherError('VERIFY_SIGNING_TIME_ORDER', `signing time ${time.toISOString()} is before the previous seal's (${previousTime.toISOString()}); the verifier would fail it`, {
      detail: { signingTime: time.toISOString(), previous: previousTime.toISOString() },
    });
  }
  const scope = { position: position.id, sequence: position.sequence, format, view: position.view };
  const previous = chainOrder(placed);
  const { der } = tbsForStamp(body, scope, previous, {
    digestAlgorithm: format === 'ses' ? 'sm3' : digestAlgorithmFor(options.key.algorithm),
    signingTime: time,
    signerCertificate: certDer,
    ...(prepared.sealObject === undefined ? {} : { sealObject: prepared.sealObject }),
  });
  const stampBytes = await prepared.make(der, { position, time, voucherNo: voucher.fields['VoucherNo'] ?? '', vtCode });

  // Self-check: the new stamp must verify over the structure it was made for (catches a key that is not the
  // certificate's, and a device that signs something else, e.g. a pre-hashed input). Nothing is returned
  // unless it passes, so a mismatched key never yields a seal; the probe then names the cause.
  const failed = checkStamp(parseStamp({ format, bytes: stampBytes }), der).find((c) => c.status !== 'passed');
  if (failed !== undefined) {
    await checkKeyMatchesCertificate(options.key, cert);
    throw new EvoucherError(failed.code ?? 'SEAL_SIGNATURE_INVALID', `the new seal does not verify: ${failed.message}`);
  }
  const entry: StampEntry = Object.assign({}, scope, { bytes: stampBytes });
  return writeBody(env, index, [...placed, entry]);
}

/** Options of {@link cancelLastSeal}. */
export interface CancelLastSealOptions {
  /** Index of the `VoucherBody`; default 0. */
  readonly body?: number;
  /** The policy that decides when a view is complete (and locked); default the built-in positions. */
  readonly policy?: SealPolicy;
}

/**
 * Removes the last seal of a body (the last in chain order) and returns the new envelope.
 *
 * Only the last seal can go: every later seal's to-be-sealed structure binds the digest of every earlier
 * seal, so removing a middle seal would break all the seals after it (docs/sealing.md "Cancelling"). On a
 * receipt, only receipt-view seals can be cancelled: the original was sent and is read-only.
 *
 * @param envelope - the MOF envelope bytes.
 * @param options - the body index.
 * @returns the new envelope bytes.
 * @throws EvoucherError `SEAL_MISSING` (no seal to cancel), `POLICY_VIEW_LOCKED` (the last seal is an
 *   original-view seal of a receipt, or its view is complete: its last position sealed), `ARG_INVALID` (bad
 *   body index, arguments of the wrong type), envelope parse codes.
 * @example
 * const out = cancelLastSeal(envelope)
 */
export function cancelLastSeal(envelope: Uint8Array, options: CancelLastSealOptions = {}): Uint8Array {
  checkEnvelopeArgument(envelope);
  if (typeof options !== 'object' || options === null) throw new EvoucherError('ARG_INVALID', 'cancelLastSeal options must be an object');
  const { env, body, index } = openBody(envelope, options.body);
  const ordered = chainOrder(body.stamps);
  const last = ordered[ordered.length - 1];
  if (last === undefined) throw new EvoucherError('SEAL_MISSING', 'the body carries no seal to cancel');
  if (bodyView(body) === 'receipt' && last.view === 'original') {
    throw new EvoucherError('POLICY_VIEW_LOCKED', 'the original view of a receipt is read-only; no receipt seal to cancel', { detail: { position: last.position } });
  }
  // A complete view (its last position sealed) was sent and is read-only, as for sealing (docs/sealing.md).
  if (body.voucher !== undefined) {
    const resolved = resolvePolicy(body.voucher.vtCode, body.voucher.fields['AdmDivCode'], options.policy);
    if (isViewLocked(last.view, body.stamps, resolved, bodyView(body))) {
      throw new EvoucherError('POLICY_VIEW_LOCKED', `the ${last.view} view is complete and locked; ${last.position} cannot be cancelled`, { detail: { position: last.position } });
    }
  }
  return writeBody(env, index, body.stamps.filter((s) => s !== last));
}
