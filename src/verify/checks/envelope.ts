/**
 * Envelope checks: the MOF envelope is well-formed and within its limits, and each `VoucherBody`'s attributes
 * agree with the voucher header read from the verified bytes (security.md §1.1, §1.6, §1.12).
 */
import { EvoucherError } from '../../errors.js';
import { parseEnvelope, type Envelope, type EnvelopeBody } from '../../voucher/index.js';
import type { ResolvedOptions } from '../options.js';
import { failed, passed, skipped, type ReportCheck } from '../report.js';
import { failedFrom } from './guard.js';

/** The outcome of reading the envelope: the envelope, or the failed `envelope` check. */
export type EnvelopeRead = { readonly envelope: Envelope; readonly check: ReportCheck } | { readonly envelope?: undefined; readonly check: ReportCheck };

/**
 * Reads the envelope strictly (no DTD, no entities, bounded sizes, depths and counts, one `<Voucher>` per body,
 * each voucher identity once). Never throws.
 *
 * @param bytes - the envelope bytes.
 * @param options - the resolved options (limits).
 * @returns the envelope and a passed check, or a failed check with the parser's code (`XML_*`, `ENVELOPE_*`,
 *   `BASE64_INVALID`, `ENCODING_*`).
 */
export function readEnvelope(bytes: Uint8Array, options: ResolvedOptions): EnvelopeRead {
  try {
    const envelope = parseEnvelope(bytes, options.limits === undefined ? {} : { limits: options.limits });
    if (envelope.bodies.length === 0) {
      return { check: failed('envelope', 'ENVELOPE_MALFORMED', 'the envelope carries no VoucherBody') };
    }
    return {
      envelope,
      check: passed('envelope', `<${envelope.root}> envelope with ${envelope.bodies.length} voucher bod${envelope.bodies.length === 1 ? 'y' : 'ies'}, within limits`),
    };
  } catch (e) {
    if (e instanceof EvoucherError) return { check: failed('envelope', e.code, e.message, { ...e.detail }) };
    return { check: failedFrom('envelope', e) };
  }
}

/**
 * The VoucherBody attributes equal the header of the verified voucher (and of the original, for a receipt).
 * The envelope reader already refuses a mismatch; this re-states it per body so the report shows it.
 *
 * @param body - the body.
 * @returns the `attributes` check.
 */
export function attributesCheck(body: EnvelopeBody): ReportCheck {
  const v = body.voucher;
  if (v === undefined) return skipped('attributes', 'the voucher bytes could not be read');
  const a = body.attributes;
  const header = { admDivCode: v.fields['AdmDivCode'], stYear: v.fields['StYear'], vtCode: v.fields['VtCode'], voucherNo: v.fields['VoucherNo'] };
  for (const k of ['admDivCode', 'stYear', 'vtCode', 'voucherNo'] as const) {
    if (a[k] !== header[k]) {
      return failed('attributes', 'ENVELOPE_ATTRIBUTE_MISMATCH', `attribute ${k} '${a[k]}' differs from the voucher header '${header[k] ?? ''}'`, { attribute: k });
    }
  }
  return passed('attributes', 'the VoucherBody attributes equal the voucher header');
}
