/**
 * The format's own checks of a stamp against the recomputed structure (`checkStamp` of the seal formats):
 * `cms`: `message-digest` (= digest of the structure), `signature` (over the received signed attributes, with
 * the signer certificate's key, allow-listed algorithm), `signing-certificate` (signing-certificate-v2 names the
 * signer); `ses`: the data hash, the sealer signature over the raw `TBS_Sign` slice, the carried structure and
 * the signer's place in the seal's certList. Algorithms off the allow-list fail here (security.md §1.8).
 */
import type { Digester } from '../../crypto/digest_memo.js';
import { checkStamp, type ParsedStamp } from '../../seal/formats/index.js';
import type { TbsFields } from '../../seal/tbs.js';
import type { ReportCheck } from '../report.js';
import { guard } from './guard.js';

/**
 * Runs the format checks. Never throws.
 *
 * @param stamp - the parsed stamp.
 * @param der - the recomputed to-be-sealed DER.
 * @param hash - the body's digest function.
 * @param fields - the recomputed structure's fields.
 * @returns the checks, in the format's order.
 */
export function stampChecks(stamp: ParsedStamp, der: Uint8Array, hash: Digester, fields?: TbsFields): ReportCheck[] {
  return guard('signature', () =>
    checkStamp(stamp, der, hash, fields).map((c): ReportCheck => ({
      check: c.check,
      status: c.status,
      ...(c.code === undefined ? {} : { code: c.code }),
      message: c.message,
    })),
  );
}
