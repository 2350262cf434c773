/**
 * The certificates a new stamp carries after the signer's (`certificates` of a `cms` stamp, `TBS_Sign.extDatas`
 * of an `ses` stamp), judged before the key signs. Internal.
 *
 * Design rationale: the carried certificates are untrusted and serve only to build paths, but what a sealer
 * writes into them stays in the stamp for good: a certificate that does not parse, the signer's own certificate
 * again, a repeat, a stranger or a chain in the wrong order is junk every verifier reads, and one the `cms` parser
 * refuses (a repeated issuer and serial number, more than {@link MAX_CMS_CERTIFICATES}) is a stamp that never
 * verifies. One rule, whatever the source (`sealVoucher`'s `chain`, `--chain`, or the key provider's `chain()`):
 * **every certificate is an issuer of a certificate the stamp holds before it** — the signer's, in an `ses` stamp
 * also the seal maker's (the verifier builds the maker's path from the same certificates), or an earlier one of
 * the chain — and none is issued above a self-signed certificate (the top of its path). For one path this is the
 * signer's issuer first, then its issuer, and so on, optionally ending with the self-signed root; it also takes
 * the chains the SDK's key providers hand out, which keep every possible issuer (a renewed or cross-certified
 * CA) in the order they were found. Nothing is put in order here: a chain out of order is refused, never
 * silently reordered (the `file:` and `pkcs12:` providers order theirs when they open, docs/keys.md).
 */
import { equalBytes } from '@noble/curves/utils.js';
import { EvoucherError, isEvoucherError } from '../errors.js';
import { parsedCertificate, type ParsedCertificate } from '../pki/cert.js';
import { mayHaveIssued } from '../pki/chain.js';
import { certificateParts, type CertificateParts } from './formats/cert_parts.js';
import { MAX_CMS_CERTIFICATES, MAX_STAMP_BYTES } from './formats/cms.js';
import type { SealFormat } from './tbs.js';

/**
 * The most certificates a stamp of each format carries after the signer's: the `cms` parser reads at most
 * {@link MAX_CMS_CERTIFICATES} in `certificates`, the signer's included; the `ses` parser at most that many in
 * the chain extension, the sealer's certificate being elsewhere in `SES_Signature`.
 */
export const MAX_CARRIED_CERTIFICATES: Readonly<Record<SealFormat, number>> = Object.freeze({ cms: MAX_CMS_CERTIFICATES - 1, ses: MAX_CMS_CERTIFICATES });

/** What a chain is judged against. */
export interface CarriedChainContext {
  readonly format: SealFormat;
  /** The signer certificate (DER). */
  readonly signer: Uint8Array;
  /** `ses`: the seal maker's certificate (DER), whose issuers the chain may carry too. */
  readonly maker?: Uint8Array;
  /** `ses`: the seal object, embedded whole in the stamp (for the size bound). */
  readonly sealObject?: Uint8Array;
  /** `option`: given by the caller (`chain`, `--chain`); `key`: the key provider's `chain()`. */
  readonly source: 'option' | 'key';
}

interface Held {
  readonly label: string;
  readonly cert: ParsedCertificate;
}

/** Self-issued, and by its key identifiers (when both are present) its own issuer: the top of a path. */
function isSelfSigned(c: ParsedCertificate): boolean {
  return mayHaveIssued(c, c);
}

/**
 * Refuses a chain a stamp should not carry. Nothing is reordered or dropped.
 *
 * @param chain - the certificates to carry after the signer's, as they would be written.
 * @param ctx - the format, the signer (and ses maker) certificate, where the chain came from.
 * @throws EvoucherError `ARG_INVALID` (not an array of bytes, more certificates than the format carries, a stamp
 *   that would outgrow {@link MAX_STAMP_BYTES}, the signer's certificate or a certificate given twice, a
 *   certificate that is not an issuer of one before it); `CERT_MALFORMED` (an element that is not a DER
 *   certificate) or the `CRYPTO_*` code of a subject key off the allow-list. `detail.index` names the element,
 *   `detail.source` the chain (`option` or `key`), and `detail.option` is `chain` for a chain given as an option.
 */
export function checkCarriedChain(chain: unknown, ctx: CarriedChainContext): void {
  const what = ctx.source === 'option' ? 'chain' : "the key's chain()";
  const detailOf = (index?: number): Record<string, string> => ({
    source: ctx.source,
    ...(ctx.source === 'option' ? { option: 'chain' } : {}),
    ...(index === undefined ? {} : { index: String(index) }),
  });
  const refuse = (message: string, index?: number): never => {
    throw new EvoucherError('ARG_INVALID', message, { detail: detailOf(index) });
  };
  // The option's type was judged with the other arguments; a provider's chain() is a caller's code too.
  if (!Array.isArray(chain) || !chain.every((c) => c instanceof Uint8Array)) return refuse(`${what} must be an array of DER certificates (Uint8Array)`);
  const list = chain as readonly Uint8Array[];
  if (list.length === 0) return;
  const max = MAX_CARRIED_CERTIFICATES[ctx.format];
  if (list.length > max) {
    refuse(`${what} holds ${list.length} certificates; a ${ctx.format} stamp carries at most ${max} after the signer's (verifiers refuse a longer one)`);
  }
  // A lower bound of the stamp's size: the certificates (and an ses seal object) it embeds whole.
  const embedded = ctx.signer.length + (ctx.sealObject?.length ?? 0) + list.reduce((n, c) => n + c.length, 0);
  if (embedded > MAX_STAMP_BYTES) {
    refuse(`${what}: the stamp would embed ${embedded} bytes of certificates${ctx.sealObject === undefined ? '' : ' and seal object'}, more than the ${MAX_STAMP_BYTES} bytes of a stamp verifiers read`);
  }

  const signerParts = certificateParts(ctx.signer, 'CERT_MALFORMED', 'signer certificate');
  const signer = parsedCertificate(ctx.signer);
  const parts: CertificateParts[] = [];
  const certs: ParsedCertificate[] = [];
  list.forEach((der, i) => {
    try {
      // The stamp parsers' reading (strict DER, at most 64 KiB), then the path builder's (names, key identifiers).
      parts.push(certificateParts(der, 'CERT_MALFORMED', `${what}[${i}]`));
      certs.push(parsedCertificate(der));
    } catch (e) {
      const code = isEvoucherError(e) ? e.code : 'CERT_MALFORMED';
      const message = e instanceof Error ? e.message : String(e);
      throw new EvoucherError(code, message.startsWith(`${what}[${i}]`) ? message : `${what}[${i}]: ${message}`, { detail: detailOf(i), cause: e });
    }
  });

  // No certificate twice: not the signer's again, not a repeat, and (the cms parser's rule) no two with the same
  // issuer and serial number.
  const sameIssuerSerial = (a: CertificateParts, b: CertificateParts): boolean => equalBytes(a.issuer, b.issuer) && equalBytes(a.serial, b.serial);
  list.forEach((der, i) => {
    const c = certs[i] as ParsedCertificate;
    const p = parts[i] as CertificateParts;
    if (equalBytes(der, ctx.signer)) refuse(`${what}[${i}] is the signer certificate (${c.info.subject}), which the stamp carries already`, i);
    if (sameIssuerSerial(p, signerParts)) refuse(`${what}[${i}] (${c.info.subject}) has the issuer and serial number of the signer certificate (${signer.info.subject})`, i);
    for (let j = 0; j < i; j++) {
      if (equalBytes(der, list[j] as Uint8Array)) refuse(`${what}[${i}] is ${what}[${j}] again (${c.info.subject})`, i);
      if (sameIssuerSerial(p, parts[j] as CertificateParts)) {
        refuse(`${what}[${i}] (${c.info.subject}) has the issuer and serial number of ${what}[${j}] (${(certs[j] as ParsedCertificate).info.subject})`, i);
      }
    }
  });

  // Issuer first: each certificate issued one the stamp holds before it (never one above a self-signed one).
  const held: Held[] = [{ label: 'the signer certificate', cert: signer }];
  if (ctx.maker !== undefined) held.push({ label: 'the seal maker certificate', cert: parsedCertificate(ctx.maker) });
  certs.forEach((c, i) => {
    if (held.some((h) => !isSelfSigned(h.cert) && mayHaveIssued(c, h.cert))) {
      held.push({ label: `${what}[${i}]`, cert: c });
      return;
    }
    const prev = i === 0 ? held[0] as Held : ({ label: `${what}[${i - 1}]`, cert: certs[i - 1] as ParsedCertificate });
    const others = i === 0 ? (ctx.maker === undefined ? '' : ' nor of the seal maker certificate') : ' nor of any certificate before it';
    let why: string;
    if (isSelfSigned(prev.cert)) {
      why = `${prev.label} (${prev.cert.info.subject}) is self-signed, the top of its path, and ${what}[${i}] (${c.info.subject}) is not the issuer of any certificate before it`;
    } else if (prev.cert.issuerName.key === c.subjectName.key) {
      why = `${what}[${i}] has the name of the issuer of ${prev.label} (${prev.cert.info.issuer}) but another key: subjectKeyIdentifier ${c.info.subjectKeyIdentifier ?? ''} is not its authorityKeyIdentifier ${prev.cert.info.authorityKeyIdentifier ?? ''}`;
    } else {
      why = `${what}[${i}] (subject ${c.info.subject}) is not the issuer of ${prev.label} (issuer ${prev.cert.info.issuer})${others}`;
    }
    refuse(`${why}; the chain must be issuer first (the signer's issuer, then its issuer, and so on), with no other certificate`, i);
  });
}
