/**
 * The `format` check: the stamp parses strictly under its format's profile (`cms`: the evoucher CMS profile;
 * `ses`: GB/T 38540 `SES_Signature`), and the facts the later checks need (signer certificate, signing time,
 * algorithms, carried certificates, seal object).
 */
import { parseCertificate, type CertificateInfo } from '../../pki/index.js';
import { parseStamp, stampFacts, type ParsedStamp, type StampFacts } from '../../seal/formats/index.js';
import type { StampEntry } from '../../voucher/index.js';
import { passed, type ReportCheck } from '../report.js';
import { failedFrom } from './guard.js';

/** A stamp read by {@link readStamp}. */
export interface ReadStamp {
  readonly check: ReportCheck;
  readonly stamp?: ParsedStamp;
  readonly facts?: StampFacts;
  /** The parsed signer certificate, when it parses. */
  readonly signer?: CertificateInfo;
  /** Why the signer certificate does not parse. */
  readonly signerError?: ReportCheck;
}

/**
 * Parses a stored stamp by its `Format` attribute and extracts its facts. Never throws.
 *
 * @param entry - the stamp as stored in the envelope.
 * @returns the `format` check and, when it passed, the parsed stamp, its facts and the signer certificate.
 */
export function readStamp(entry: StampEntry): ReadStamp {
  let stamp: ParsedStamp;
  let facts: StampFacts;
  try {
    stamp = parseStamp(entry);
    facts = stampFacts(stamp);
  } catch (e) {
    return { check: failedFrom('format', e) };
  }
  const check = passed('format', `${entry.format} stamp parses strictly (${facts.signatureAlgorithm}, ${entry.bytes.length} bytes)`);
  try {
    return { check, stamp, facts, signer: parseCertificate(facts.signerCertificate) };
  } catch (e) {
    return { check, stamp, facts, signerError: failedFrom('chain', e) };
  }
}
