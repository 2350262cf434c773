/**
 * What one stamp of an envelope body covers: the bridge between the envelope (voucher bytes, stamps) and the
 * to-be-sealed structure. The sealer builds the structure of a new seal with {@link tbsForStamp}; the verifier
 * recomputes the structure of every stored stamp with the same function and compares it with what the stamp
 * signed, so the two sides cannot disagree on the scope (security.md §1.9).
 *
 * Scope rules (docs/formats.md):
 * - An original-view stamp covers the original voucher bytes: `<Voucher>` of an original body, or
 *   `<OriginalVoucher>` of a receipt body.
 * - A receipt-view stamp covers the receipt bytes (`<Voucher>` of a receipt body) and the original bytes.
 * - Every stamp chains over the stamps before it in chain order (original view first, ascending sequence);
 *   document order is never used.
 * - The voucher identity comes from the parsed voucher header, never from the envelope attributes.
 */
import { EvoucherError } from '../errors.js';
import { digestHinted, type Digester } from '../crypto/digest_memo.js';
import type { HashAlgorithm } from '../crypto/types.js';
import type { EnvelopeBody, StampEntry, Voucher } from '../voucher/index.js';
import { buildTbs, chainOrder, type SealFormat, type TbsFields, type TbsView } from './tbs.js';

/**
 * The view of a body: `receipt` when VoucherFlag is 1, else `original`.
 *
 * @param body - an envelope body (its `voucherFlag`).
 * @returns `original` or `receipt`.
 * @example
 * bodyView(parseEnvelope(bytes).bodies[0]) // 'original'
 */
export function bodyView(body: Pick<EnvelopeBody, 'voucherFlag'>): TbsView {
  return body.voucherFlag === '1' ? 'receipt' : 'original';
}

/** What the signer put in the signed part of a stamp, needed to rebuild its structure. */
export interface SignedFacts {
  /** The digest algorithm of the structure (`sm3` for SM2 signers and `ses`, `sha256` otherwise). */
  readonly digestAlgorithm: HashAlgorithm;
  /** The signing time the stamp states (CMS `signing-time`, `TBS_Sign.timeInfo`). */
  readonly signingTime: Date;
  /** The signer certificate DER. */
  readonly signerCertificate: Uint8Array;
  /** `ses`: the embedded seal object (`SESeal` DER) and its esID. */
  readonly sealObject?: { readonly esId: string; readonly bytes: Uint8Array };
}

/** The stamp whose structure is computed: a stored one, or the one about to be made. */
export interface StampScope {
  readonly position: string;
  readonly sequence: number;
  readonly format: SealFormat;
  readonly view: TbsView;
}

function identityOf(v: Voucher): { admDivCode: string; stYear: string; vtCode: string; voucherNo: string } {
  const f = v.fields;
  return { admDivCode: f['AdmDivCode'] ?? '', stYear: f['StYear'] ?? '', vtCode: f['VtCode'] ?? v.vtCode, voucherNo: f['VoucherNo'] ?? '' };
}

/**
 * Computes the to-be-sealed structure of a stamp of `body`.
 *
 * @param body - the envelope body (as read by `parseEnvelope`).
 * @param scope - the stamp's position, sequence, format and view.
 * @param previous - the stamps before it in chain order (see {@link previousStamps}).
 * @param signed - the digest algorithm, time, signer certificate and seal object the stamp states.
 * @param hash - the digest function (default `digestHinted`; the verifier remembers the digests of one body).
 * @returns the fields and their DER.
 * @throws EvoucherError `SEAL_SCOPE_MISMATCH` (a receipt-view stamp on an original body, or a receipt body
 *   without its original), the body's own voucher parse error when the bytes of the view do not parse, and
 *   `SEAL_TBS_MALFORMED` for out-of-range values.
 * @example
 * const { der } = tbsForStamp(body, stamp, previousStamps(body, stamp), { digestAlgorithm: 'sha256', signingTime, signerCertificate })
 */
export function tbsForStamp(
  body: EnvelopeBody,
  scope: StampScope,
  previous: readonly StampEntry[],
  signed: SignedFacts,
  hash: Digester = digestHinted,
): { readonly fields: TbsFields; readonly der: Uint8Array } {
  const view = bodyView(body);
  let voucher: Voucher | undefined;
  let voucherBytes: Uint8Array;
  let originalVoucherBytes: Uint8Array | undefined;
  if (scope.view === 'receipt') {
    if (view !== 'receipt' || body.originalVoucherBytes === undefined) {
      throw new EvoucherError('SEAL_SCOPE_MISMATCH', `a receipt-view seal (${scope.position}) on a body that is not a receipt`, {
        detail: { position: scope.position },
      });
    }
    if (body.voucherError !== undefined) throw body.voucherError;
    voucher = body.voucher;
    voucherBytes = body.voucherBytes;
    originalVoucherBytes = body.originalVoucherBytes;
  } else if (view === 'receipt') {
    if (body.originalVoucherBytes === undefined) {
      throw new EvoucherError('SEAL_SCOPE_MISMATCH', 'a receipt body without its original voucher', { detail: { position: scope.position } });
    }
    if (body.originalVoucherError !== undefined) throw body.originalVoucherError;
    voucher = body.originalVoucher;
    voucherBytes = body.originalVoucherBytes;
  } else {
    if (body.voucherError !== undefined) throw body.voucherError;
    voucher = body.voucher;
    voucherBytes = body.voucherBytes;
  }
  if (voucher === undefined) {
    throw new EvoucherError('SEAL_SCOPE_MISMATCH', 'the voucher of this view was not parsed', { detail: { position: scope.position } });
  }
  return buildTbs({
    digestAlgorithm: signed.digestAlgorithm,
    identity: identityOf(voucher),
    view: scope.view,
    voucherBytes,
    ...(originalVoucherBytes === undefined ? {} : { originalVoucherBytes }),
    position: { id: scope.position, sequence: scope.sequence, format: scope.format },
    previousStamps: previous,
    signingTime: signed.signingTime,
    signerCertificate: signed.signerCertificate,
    ...(signed.sealObject === undefined ? {} : { sealObject: signed.sealObject }),
  }, hash);
}

/**
 * The stamps a stored stamp chains over: every stamp of the body before it in chain order
 * ({@link chainOrder}: original view first, then ascending sequence; ties keep document order).
 *
 * @param body - the body.
 * @param stamp - one of `body.stamps`.
 * @returns the earlier stamps, in chain order.
 * @example
 * previousStamps(body, body.stamps[2]).map((s) => s.position)
 */
export function previousStamps(body: Pick<EnvelopeBody, 'stamps'>, stamp: StampEntry): StampEntry[] {
  const ordered = chainOrder(body.stamps);
  const i = ordered.indexOf(stamp);
  return i < 0 ? ordered : ordered.slice(0, i);
}
