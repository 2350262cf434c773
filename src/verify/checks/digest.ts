/**
 * The `scope` check and the scope summary: the to-be-sealed structure of a stored stamp is recomputed from the
 * received voucher bytes of its view, the voucher identity read from those bytes, the stamp's position,
 * sequence, format and view, and every earlier stamp in chain order (`tbsForStamp`, the function the sealer
 * uses). The format checks then compare it with what the stamp signed (CMS `message-digest`, `ses`
 * `dataHash` and the carried structure): one byte added to the voucher, an earlier seal removed, replaced or
 * reordered, or the stamp moved to another voucher, view or position all change this structure
 * (design.md §3, security.md §1.9, §1.10).
 */
import type { Digester } from '../../crypto/digest_memo.js';
import { tbsForStamp } from '../../seal/chain.js';
import type { StampFacts } from '../../seal/formats/index.js';
import type { SealFormat, TbsFields } from '../../seal/tbs.js';
import type { EnvelopeBody, StampEntry } from '../../voucher/index.js';
import { passed, type ReportCheck, type SealScope } from '../report.js';
import { hex } from '../util.js';
import { failedFrom } from './guard.js';

/** The recomputed structure of one stamp. */
export interface Recomputed {
  readonly check: ReportCheck;
  readonly fields?: TbsFields;
  readonly der?: Uint8Array;
}

/**
 * Recomputes the to-be-sealed structure of `entry`. Never throws.
 *
 * @param body - the body.
 * @param entry - the stamp.
 * @param previous - the stamps before it in chain order.
 * @param facts - the facts the stamp states (digest algorithm, signing time, signer, seal object).
 * @param hash - the body's digest function.
 * @returns the `scope` check and the structure (fields and DER) when it could be computed.
 */
export function recompute(body: EnvelopeBody, entry: StampEntry, previous: readonly StampEntry[], facts: StampFacts, hash: Digester): Recomputed {
  try {
    const scope = { position: entry.position, sequence: entry.sequence, format: entry.format as SealFormat, view: entry.view };
    const { fields, der } = tbsForStamp(body, scope, previous, {
      digestAlgorithm: facts.digestAlgorithm,
      signingTime: facts.signingTime,
      signerCertificate: facts.signerCertificate,
      ...(facts.sealObject === undefined ? {} : { sealObject: facts.sealObject }),
    }, hash);
    const chain = previous.map((s) => `${s.position}#${s.sequence}`).join(', ');
    return {
      check: passed('scope', `covers the ${entry.view} voucher bytes, ${entry.position}#${entry.sequence} and ${previous.length} earlier seal(s)${chain === '' ? '' : ` (${chain})`}`),
      fields,
      der,
    };
  } catch (e) {
    return { check: failedFrom('scope', e) };
  }
}

/**
 * The readable scope of a recomputed structure.
 *
 * @param fields - the structure's fields.
 * @param der - its DER.
 * @param hash - the body's digest function.
 * @returns the scope for the report.
 */
export function scopeSummary(fields: TbsFields, der: Uint8Array, hash: Digester): SealScope {
  const v = fields.voucher;
  return {
    digestAlgorithm: fields.digestAlgorithm,
    voucher: {
      admDivCode: v.admDivCode,
      stYear: v.stYear,
      vtCode: v.vtCode,
      voucherNo: v.voucherNo,
      view: v.view,
      digest: hex(v.voucherDigest),
      ...(v.originalDigest === undefined ? {} : { originalDigest: hex(v.originalDigest) }),
    },
    position: { id: fields.position.id, sequence: fields.position.sequence, format: fields.position.format },
    previousSeals: fields.previousSeals.map((s) => ({ position: s.positionId, sequence: s.sequence, view: s.view, digest: hex(s.digest) })),
    signingTime: fields.signingTime.toISOString(),
    signerCertificateDigest: hex(fields.signerCertificateDigest),
    ...(fields.sealObject === undefined ? {} : { sealObject: { esId: fields.sealObject.esId, digest: hex(fields.sealObject.digest) } }),
    tbsDigest: hex(hash(fields.digestAlgorithm, der)),
  };
}
