/**
 * Certification path building and validation (RFC 5280 §6, the Go `crypto/x509` way).
 *
 * Design rationale:
 * - **Building** goes from the leaf towards the anchors by names (issuer ↔ subject, RFC 5280 §7.1 matching),
 *   using key identifiers (AKI/SKI) to pick among same-named issuers. Signatures are *not* used to build:
 *   a chain whose links carry a broken signature must come out as `CERT_BAD_SIGNATURE` (INVALID), not as
 *   "no issuer found" (INDETERMINATE). A candidate whose SKI matches the AKI but whose name does not match
 *   is kept, so that a broken name chain is reported as `CERT_NAME_CHAIN`.
 * - **Trust** comes only from the configured anchors. Intermediates (e.g. certificates embedded in a seal)
 *   only ever fill the gaps (security.md §1.5); a chain that reaches no anchor is INDETERMINATE with
 *   `CERT_UNTRUSTED`.
 * - **Validation** judges every complete candidate path at the time T and keeps the best one: VALID, else
 *   INDETERMINATE, else INVALID. Each check is reported separately; the result's code is the first failed
 *   check's, else the first indeterminate one's.
 * - **Bounds**: at most {@link MAX_CHAIN_LENGTH} certificates per path, {@link MAX_INTERMEDIATES}
 *   intermediates, {@link MAX_BUILD_STEPS} path extensions while building, {@link MAX_CANDIDATE_PATHS} complete
 *   paths and {@link MAX_SIGNATURE_CHECKS} signature checks per call (Go's `maxChainSignatureChecks`), so a
 *   hostile bag of same-named or cross-signed certificates cannot make validation explode.
 *
 * Not checked: name constraints, certificate policies and policy mappings (a certificate that marks such
 * an extension critical fails `CERT_UNKNOWN_CRITICAL_EXTENSION`), a non-critical extended key usage, OCSP, delta and
 * indirect CRLs. The anchor's own signature is not checked (RFC 5280 §6.1: the anchor is trusted as configured).
 */
import { EvoucherError, isEvoucherError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { parsedCertificate } from './cert.js';
import type { ParsedCertificate } from './cert.js';
import { checkRevocation, parsedCrl } from './revocation.js';
import type { ParsedCrl } from './revocation.js';
import { createSignatureMemo, type SignatureMemo } from './signature.js';
import type { CertificateInfo, CertificateUsage, PathCheck, PathResult, ValidatePathOptions } from './types.js';

/** The most certificates in one path, leaf and anchor included. */
export const MAX_CHAIN_LENGTH = 8;
/** The most signature checks (certificates and CRLs) in one {@link validatePath} call. */
export const MAX_SIGNATURE_CHECKS = 100;
/** The most intermediates considered; further ones are ignored (and reported). */
export const MAX_INTERMEDIATES = 64;
/** The most complete candidate paths judged. */
export const MAX_CANDIDATE_PATHS = 16;
/** The most CRLs considered. */
export const MAX_CRLS = 256;
/** The most path extensions tried while building (stops a bag of same-named certificates from exploding the search). */
export const MAX_BUILD_STEPS = 2000;

interface Node {
  readonly cert: ParsedCertificate;
  readonly anchor: boolean;
}

interface Link {
  readonly node: Node;
  /** True when the link to this node was made by key identifier although the names do not chain. */
  readonly nameBroken: boolean;
}

interface Evaluation {
  readonly status: PathResult['status'];
  readonly code?: ErrorCode;
  readonly checks: PathCheck[];
  readonly chain: readonly CertificateInfo[];
}

const USAGES: readonly CertificateUsage[] = ['sealer', 'maker', 'any'];

function isCertificateInfo(x: unknown): x is CertificateInfo {
  return typeof x === 'object' && x !== null && !(x instanceof Uint8Array) && (x as { der?: unknown }).der instanceof Uint8Array;
}

function assertOptions(leaf: unknown, options: ValidatePathOptions): void {
  if (!(leaf instanceof Uint8Array) && !isCertificateInfo(leaf)) {
    throw new EvoucherError('ARG_INVALID', 'leaf must be DER bytes or a CertificateInfo');
  }
  if (typeof options !== 'object' || options === null) throw new EvoucherError('ARG_INVALID', 'validatePath needs options');
  const trust = options.trust as { anchors?: unknown } | undefined;
  if (typeof trust !== 'object' || trust === null || !Array.isArray(trust.anchors)) {
    throw new EvoucherError('ARG_INVALID', 'options.trust must be a TrustStore');
  }
  // security.md §1.5: no anchors is a usage error, never "trust all".
  if (trust.anchors.length === 0) throw new EvoucherError('TRUST_NO_ANCHORS', 'the trust store has no anchors');
  if (!(options.at instanceof Date) || Number.isNaN(options.at.getTime())) {
    throw new EvoucherError('ARG_INVALID', 'options.at must be a valid Date');
  }
  if (options.intermediates !== undefined && !Array.isArray(options.intermediates)) {
    throw new EvoucherError('ARG_INVALID', 'options.intermediates must be an array');
  }
  if (options.crls !== undefined && !Array.isArray(options.crls)) throw new EvoucherError('ARG_INVALID', 'options.crls must be an array');
  if (options.usage !== undefined && !USAGES.includes(options.usage)) {
    throw new EvoucherError('ARG_INVALID', `options.usage must be one of ${USAGES.join(', ')}`, { detail: { option: 'usage' } });
  }
  // `'yes'` or 1 was read as false (revocation not required) without a word.
  if (options.requireRevocation !== undefined && typeof options.requireRevocation !== 'boolean') {
    throw new EvoucherError('ARG_INVALID', 'options.requireRevocation must be true or false', { detail: { option: 'requireRevocation' } });
  }
}

function errorCode(e: unknown): ErrorCode {
  return isEvoucherError(e) ? e.code : 'CERT_MALFORMED';
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Could `issuer` have issued `child`? Returns the link kind, or undefined. RFC 5280 §4.2.1.1 and §6.1.4. */
function linkKind(child: ParsedCertificate, issuer: ParsedCertificate): Link['nameBroken'] | undefined {
  const aki = child.info.authorityKeyIdentifier;
  const ski = issuer.info.subjectKeyIdentifier;
  const namesMatch = child.issuerName.key === issuer.subjectName.key;
  const idsKnown = aki !== undefined && ski !== undefined;
  if (namesMatch) return idsKnown && aki !== ski ? undefined : false;
  if (idsKnown && aki === ski) return true;
  return undefined;
}

/**
 * Could `issuer` have issued `child` by name, with key identifiers (when both are present) that agree: the link
 * path building follows without a broken name. Internal (the sealer judges the chain a stamp carries with it).
 *
 * @param issuer - the candidate issuer.
 * @param child - the certificate it may have issued.
 * @returns whether the names chain and the key identifiers do not contradict it.
 */
export function mayHaveIssued(issuer: ParsedCertificate, child: ParsedCertificate): boolean {
  return linkKind(child, issuer) === false;
}

/** Every candidate path from the leaf to an anchor, by names and key identifiers (depth-first, anchors first). */
function buildPaths(leaf: ParsedCertificate, pool: readonly Node[], leafIsAnchor: boolean): { complete: Link[][]; longest: Link[]; lengthHit: boolean } {
  const start: Link = { node: { cert: leaf, anchor: leafIsAnchor }, nameBroken: false };
  const complete: Link[][] = [];
  let longest: Link[] = [start];
  let lengthHit = false;
  let steps = 0;
  const walk = (path: Link[]): void => {
    if (complete.length >= MAX_CANDIDATE_PATHS) return;
    if (++steps > MAX_BUILD_STEPS) {
      lengthHit = true;
      return;
    }
    const last = (path[path.length - 1] as Link).node;
    if (last.anchor) {
      complete.push(path);
      return;
    }
    if (path.length > longest.length) longest = path;
    if (path.length >= MAX_CHAIN_LENGTH) {
      lengthHit = true;
      return;
    }
    const candidates: { link: Link; rank: number }[] = [];
    const aki = last.cert.info.authorityKeyIdentifier;
    for (const n of pool) {
      // Go's alreadyInChain: the same certificate, or the same subject and key, never appears twice (stops loops).
      if (path.some((l) => l.node.cert.info.fingerprintSha256 === n.cert.info.fingerprintSha256 || (l.node.cert.subjectName.key === n.cert.subjectName.key && Buffer.compare(l.node.cert.info.publicKey.spki, n.cert.info.publicKey.spki) === 0))) {
        continue;
      }
      const kind = linkKind(last.cert, n.cert);
      if (kind === undefined) continue;
      // Try the likeliest issuers first: anchors, then key-identifier matches, then name-only matches, so that
      // a flood of same-named certificates spends the building budget last.
      const idMatch = aki !== undefined && aki === n.cert.info.subjectKeyIdentifier;
      candidates.push({ link: { node: n, nameBroken: kind }, rank: (n.anchor ? 0 : 2) + (idMatch ? 0 : 1) });
    }
    candidates.sort((a, b) => a.rank - b.rank);
    for (const c of candidates) walk([...path, c.link]);
  };
  walk([start]);
  return { complete, longest, lengthHit };
}

function summarize(checks: readonly PathCheck[]): { status: PathResult['status']; code?: ErrorCode } {
  const failed = checks.find((c) => c.status === 'failed');
  if (failed !== undefined) return failed.code === undefined ? { status: 'invalid' } : { status: 'invalid', code: failed.code };
  const ind = checks.find((c) => c.status === 'indeterminate');
  if (ind !== undefined) return ind.code === undefined ? { status: 'indeterminate' } : { status: 'indeterminate', code: ind.code };
  return { status: 'valid' };
}

const EKU_OID = '2.5.29.37';
/**
 * Purposes under which a critical extendedKeyUsage still allows a seal: any purpose, document signing (RFC 9336),
 * e-mail protection (S/MIME signatures on content), Microsoft document signing and Adobe PDF signing.
 */
const DOCUMENT_SIGNING_PURPOSES: ReadonlySet<string> = new Set(['2.5.29.37.0', '1.3.6.1.5.5.7.3.36', '1.3.6.1.5.5.7.3.4', '1.3.6.1.4.1.311.10.3.12', '1.2.840.113583.1.1.5']);

interface Context {
  readonly at: Date;
  readonly usage: CertificateUsage;
  readonly crls: readonly ParsedCrl[];
  readonly requireRevocation: boolean;
  readonly signatures: SignatureMemo;
}

/** The key-usage check of a `sealer` or `maker` leaf: a property of the leaf alone, judged with or without a path. */
function leafUsageCheck(cert: ParsedCertificate, usage: 'sealer' | 'maker'): PathCheck {
  const info = cert.info;
  const who = info.subject;
  // A seal (and a seal maker's signature on a seal) is a signature on content: digitalSignature or
  // nonRepudiation (contentCommitment), standards.md §8 "key usage".
  const ok = info.hasKeyUsage && (info.keyUsage.includes('digitalSignature') || info.keyUsage.includes('nonRepudiation'));
  // RFC 5280 §4.2.1.12: a *critical* extendedKeyUsage confines the key to the purposes it lists. A seal is a
  // signature on a document: one of those purposes must be one (a critical TLS-only certificate seals nothing).
  // A non-critical one is advisory and, as real seal certificates use it loosely, not judged.
  const eku = cert.extKeyUsage;
  if (ok && eku !== undefined && info.extensions.some((e) => e.oid === EKU_OID && e.critical) && !eku.some((p) => DOCUMENT_SIGNING_PURPOSES.has(p))) {
    return { check: 'key-usage', status: 'failed', code: 'CERT_KEY_USAGE', message: `${usage} certificate's critical extendedKeyUsage (${eku.join(', ')}) allows no document signature`, certificate: who };
  }
  return ok
    ? { check: 'key-usage', status: 'passed', message: `${usage}: ${info.keyUsage.filter((k) => k === 'digitalSignature' || k === 'nonRepudiation').join(', ')}`, certificate: who }
    : { check: 'key-usage', status: 'failed', code: 'CERT_KEY_USAGE', message: `${usage} certificate needs keyUsage digitalSignature or nonRepudiation (has: ${info.hasKeyUsage ? info.keyUsage.join(', ') || 'none' : 'no keyUsage extension'})`, certificate: who };
}

/**
 * Internal (the sealer's): what a `sealer` or `maker` leaf says about itself, with no anchor to judge a path:
 * unknown critical extensions and key usage, the checks {@link validatePath} makes of the leaf besides its
 * validity (the sealer judges that itself). A sealer without trust anchors still refuses a certificate that
 * every verifier fails, whatever its path.
 *
 * @param leaf - the certificate (DER or parsed).
 * @param usage - `sealer` or `maker`.
 * @param role - how the refusal names the certificate, e.g. `signer certificate`.
 * @throws EvoucherError `CERT_UNKNOWN_CRITICAL_EXTENSION` or `CERT_KEY_USAGE` for a certificate that may not seal;
 *   `CERT_MALFORMED` for one that does not parse.
 */
export function refuseLeafUse(leaf: Uint8Array | CertificateInfo, usage: 'sealer' | 'maker', role: string): void {
  const cert = parsedCertificate(leaf);
  const problem: PathCheck | undefined =
    cert.unknownCritical.length > 0
      ? { check: 'critical-extensions', status: 'failed', code: 'CERT_UNKNOWN_CRITICAL_EXTENSION', message: `unsupported critical extensions: ${cert.unknownCritical.join(', ')}`, certificate: cert.info.subject }
      : leafUsageCheck(cert, usage);
  if (problem.status === 'passed') return;
  throw new EvoucherError(problem.code ?? 'CERT_KEY_USAGE', `${role} ${cert.info.subject}: ${problem.message}`, { detail: { certificate: cert.info.fingerprintSha256 } });
}

/** Judges one complete path (leaf first, anchor last). RFC 5280 §6.1.3-§6.1.5, in the order a reader expects. */
function evaluate(path: readonly Link[], ctx: Context): Evaluation {
  const checks: PathCheck[] = [];
  const n = path.length - 1;
  const at = ctx.at.getTime();
  checks.push({ check: 'anchor', status: 'passed', message: `chain ends at configured anchor ${(path[n] as Link).node.cert.info.subject}`, certificate: (path[n] as Link).node.cert.info.subject });
  for (let i = 0; i <= n; i++) {
    const link = path[i] as Link;
    const cert = link.node.cert;
    const info = cert.info;
    const who = info.subject;
    const isAnchor = i === n;
    const issuerLink = path[i + 1];
    const role = i === 0 ? 'leaf' : isAnchor ? 'anchor' : 'intermediate';
    let signatureHolds = true;

    if (issuerLink !== undefined) {
      const issuer = issuerLink.node.cert;
      // RFC 5280 §6.1.3(a)(4): the issuer name equals the working issuer name.
      if (issuerLink.nameBroken) {
        checks.push({ check: 'name-chaining', status: 'failed', code: 'CERT_NAME_CHAIN', message: `issuer name '${info.issuer}' does not match the subject of the key-identified issuer '${issuer.info.subject}'`, certificate: who });
      } else {
        checks.push({ check: 'name-chaining', status: 'passed', message: `issued by ${issuer.info.subject}`, certificate: who });
      }
      // RFC 5280 §6.1.3(a)(1): the signature, over the received TBS bytes.
      const sig = ctx.signatures.check(info.fingerprintSha256, issuer.info.fingerprintSha256, cert.signed, issuer.info.publicKey, 'CERT_BAD_SIGNATURE');
      if (sig === undefined) {
        checks.push({ check: 'bounds', status: 'indeterminate', code: 'CERT_CHAIN_TOO_LONG', message: `more than ${MAX_SIGNATURE_CHECKS} signature checks`, certificate: who });
        break;
      }
      signatureHolds = sig.ok;
      checks.push(
        sig.ok
          ? { check: 'signature', status: 'passed', message: sig.message, certificate: who }
          : { check: 'signature', status: 'failed', code: sig.code ?? 'CERT_BAD_SIGNATURE', message: sig.message, certificate: who },
      );
    } else {
      checks.push({ check: 'signature', status: 'skipped', message: 'trust anchor: its own signature is not checked (RFC 5280 §6.1)', certificate: who });
    }

    // RFC 5280 §6.1.3(a)(2): validity at T (notAfter inclusive).
    if (at < info.notBefore.getTime()) {
      checks.push({ check: 'validity', status: 'failed', code: 'CERT_NOT_YET_VALID', message: `not valid before ${info.notBefore.toISOString()}, validation time ${ctx.at.toISOString()}`, certificate: who });
    } else if (at > info.notAfter.getTime()) {
      checks.push({ check: 'validity', status: 'failed', code: 'CERT_EXPIRED', message: `expired at ${info.notAfter.toISOString()}, validation time ${ctx.at.toISOString()}`, certificate: who });
    } else {
      checks.push({ check: 'validity', status: 'passed', message: `valid from ${info.notBefore.toISOString()} to ${info.notAfter.toISOString()}`, certificate: who });
    }

    // RFC 5280 §6.1.4(o) / §6.1.5(f): every critical extension must be understood.
    if (!isAnchor) {
      checks.push(
        cert.unknownCritical.length > 0
          ? { check: 'critical-extensions', status: 'failed', code: 'CERT_UNKNOWN_CRITICAL_EXTENSION', message: `unsupported critical extensions: ${cert.unknownCritical.join(', ')}`, certificate: who }
          : { check: 'critical-extensions', status: 'passed', message: 'no unsupported critical extension', certificate: who },
      );
    }

    if (i > 0) {
      // RFC 5280 §6.1.4(k): an issuing certificate must be a CA. A v1 anchor (no extensions) is accepted as
      // configured; a v3 anchor must say cA.
      const legacyAnchor = isAnchor && info.version === 1;
      checks.push(
        info.isCa || legacyAnchor
          ? { check: 'basic-constraints', status: 'passed', message: legacyAnchor ? 'v1 trust anchor' : 'cA is true', certificate: who }
          : { check: 'basic-constraints', status: 'failed', code: 'CERT_NOT_CA', message: `${role} issues certificates but basicConstraints cA is not true`, certificate: who },
      );
      // RFC 5280 §6.1.4(l)(m): pathLenConstraint counts the non-self-issued intermediates below this CA.
      if (info.pathLen !== undefined) {
        let below = 0;
        for (let j = 1; j < i; j++) if (!(path[j] as Link).node.cert.info.selfIssued) below++;
        checks.push(
          below <= info.pathLen
            ? { check: 'path-length', status: 'passed', message: `${below} intermediate(s) below, pathLen ${info.pathLen}`, certificate: who }
            : { check: 'path-length', status: 'failed', code: 'CERT_PATHLEN', message: `${below} intermediate(s) below, pathLen allows ${info.pathLen}`, certificate: who },
        );
      }
      // RFC 5280 §6.1.4(n): keyCertSign. Intermediates must carry keyUsage (§4.2.1.3: conforming CAs MUST);
      // an anchor is judged only when it has one.
      const ok = info.hasKeyUsage ? info.keyUsage.includes('keyCertSign') : isAnchor;
      checks.push(
        ok
          ? { check: 'key-usage', status: 'passed', message: info.hasKeyUsage ? 'keyCertSign is set' : 'anchor without keyUsage', certificate: who }
          : { check: 'key-usage', status: 'failed', code: 'CERT_KEY_USAGE', message: info.hasKeyUsage ? 'keyCertSign is not set' : 'issuing certificate has no keyUsage extension', certificate: who },
      );
    } else if (ctx.usage === 'any') {
      checks.push({ check: 'key-usage', status: 'skipped', message: "usage 'any': leaf key usage not constrained", certificate: who });
    } else {
      checks.push(leafUsageCheck(cert, ctx.usage));
    }

    // RFC 5280 §6.1.3(a)(3): revocation, for every certificate below the anchor.
    // A certificate its issuer did not sign makes the path invalid whatever the CRLs say: they are not
    // checked for it, so a stamp's look-alike CAs (unsigned extra certificates) cannot spend the signature
    // bound on the CRLs of paths that fail anyway.
    if (issuerLink !== undefined && !signatureHolds) {
      checks.push({ check: 'revocation', certificate: who, status: 'skipped', message: 'not checked: the certificate signature does not verify' });
    } else if (issuerLink !== undefined) {
      checks.push(checkRevocation(cert, issuerLink.node.cert, ctx.crls, { at: ctx.at, requireRevocation: ctx.requireRevocation, signatures: ctx.signatures }));
    }
  }
  const s = summarize(checks);
  const chain = path.map((l) => l.node.cert.info);
  return s.code === undefined ? { status: s.status, checks, chain } : { status: s.status, code: s.code, checks, chain };
}

function rank(e: Evaluation): number {
  if (e.status === 'valid') return 0;
  if (e.status === 'indeterminate') return 1;
  // Among invalid paths prefer one whose signatures hold: its failure is the one that matters.
  return e.checks.some((c) => c.check === 'signature' && c.status === 'failed') ? 3 : 2;
}

function freezeResult(r: PathResult): PathResult {
  for (const c of r.checks) Object.freeze(c);
  Object.freeze(r.checks);
  Object.freeze(r.chain);
  return Object.freeze(r);
}

/**
 * Builds and validates the certification path of `leaf` at time `options.at`.
 *
 * Checks, each reported in `checks[]`: name chaining (`CERT_NAME_CHAIN`), every signature over the received TBS
 * bytes with an allow-listed algorithm (SM2 with the default ID, ECDSA P-256, RSA ≥ 2048; `CERT_BAD_SIGNATURE`
 * or the `CRYPTO_*` refusal), validity (`CERT_EXPIRED`, `CERT_NOT_YET_VALID`), basicConstraints and pathLen
 * (`CERT_NOT_CA`, `CERT_PATHLEN`), key usage (`CERT_KEY_USAGE`: keyCertSign for CAs; digitalSignature or
 * nonRepudiation for a `sealer`/`maker` leaf), unknown critical extensions (`CERT_UNKNOWN_CRITICAL_EXTENSION`),
 * and CRLs at T (`CERT_REVOKED`; `CERT_REVOCATION_UNKNOWN` with `requireRevocation`; `CRL_BAD_SIGNATURE`,
 * `CRL_EXPIRED`). A path that reaches no anchor is `indeterminate` with `CERT_UNTRUSTED`.
 *
 * Never throws on a bad certificate: malformed input is reported (`CERT_MALFORMED`). Not checked: name
 * constraints, policies, a non-critical extended key usage, OCSP, delta or indirect CRLs.
 *
 * @param leaf - the end-entity certificate (DER) or its parsed form
 * @param options - trust anchors, untrusted intermediates, the validation time, CRLs, usage
 * @returns the status, the code of the first failure, the chain (leaf first, anchor last) and every check
 * @throws EvoucherError `TRUST_NO_ANCHORS` with an empty trust store; `ARG_INVALID` for bad options
 * @example
 * const r = validatePath(sealerDer, { trust, intermediates: [caDer], at: signingTime, crls, usage: 'sealer' });
 * if (r.status !== 'valid') console.log(r.code, r.message);
 */
export function validatePath(leaf: Uint8Array | CertificateInfo, options: ValidatePathOptions): PathResult {
  assertOptions(leaf, options);
  const at = new Date(options.at.getTime());
  const checks: PathCheck[] = [];
  let leafCert: ParsedCertificate;
  try {
    leafCert = parsedCertificate(leaf);
  } catch (e) {
    const code = errorCode(e);
    checks.push({ check: 'parse', status: 'failed', code, message: `leaf certificate: ${errorMessage(e)}` });
    return freezeResult({ status: 'invalid', code, message: `leaf certificate cannot be used: ${errorMessage(e)}`, chain: [], checks, at });
  }

  const anchors: Node[] = [];
  for (const a of options.trust.anchors) {
    try {
      anchors.push({ cert: parsedCertificate(a), anchor: true });
    } catch (e) {
      checks.push({ check: 'parse', status: 'skipped', code: errorCode(e), message: `trust anchor ignored: ${errorMessage(e)}` });
    }
  }
  const anchorPrints = new Set(anchors.map((a) => a.cert.info.fingerprintSha256));
  const intermediates: Node[] = [];
  const seen = new Set<string>(anchorPrints);
  const given = options.intermediates ?? [];
  given.forEach((x, idx) => {
    if (idx >= MAX_INTERMEDIATES) return;
    try {
      const c = parsedCertificate(x);
      // An intermediate that is also an anchor is used as the anchor; duplicates are dropped.
      if (seen.has(c.info.fingerprintSha256)) return;
      seen.add(c.info.fingerprintSha256);
      intermediates.push({ cert: c, anchor: false });
    } catch (e) {
      checks.push({ check: 'parse', status: 'skipped', code: errorCode(e), message: `intermediate #${idx} ignored: ${errorMessage(e)}` });
    }
  });
  if (given.length > MAX_INTERMEDIATES) {
    checks.push({ check: 'bounds', status: 'skipped', message: `only the first ${MAX_INTERMEDIATES} of ${given.length} intermediates were considered` });
  }
  const crls: ParsedCrl[] = [];
  (options.crls ?? []).slice(0, MAX_CRLS).forEach((c, idx) => {
    try {
      crls.push(parsedCrl(c));
    } catch (e) {
      checks.push({ check: 'parse', status: 'skipped', code: errorCode(e), message: `crl #${idx} ignored: ${errorMessage(e)}` });
    }
  });

  const leafIsAnchor = anchorPrints.has(leafCert.info.fingerprintSha256);
  const { complete, longest, lengthHit } = buildPaths(leafCert, [...anchors, ...intermediates], leafIsAnchor);
  if (complete.length === 0) {
    const last = (longest[longest.length - 1] as Link).node.cert.info;
    const code: ErrorCode = lengthHit ? 'CERT_CHAIN_TOO_LONG' : 'CERT_UNTRUSTED';
    const message = lengthHit
      ? `no path to a trust anchor within the bounds (${MAX_CHAIN_LENGTH} certificates, ${MAX_BUILD_STEPS} building steps)`
      : last.selfIssued && longest.length === 1
        ? `self-signed certificate ${last.subject} is not a configured trust anchor`
        : `no configured trust anchor issued '${last.issuer}' (chain ends at ${last.subject})`;
    checks.push({ check: 'anchor', status: 'indeterminate', code, message, certificate: last.subject });
    return freezeResult({ status: 'indeterminate', code, message, chain: longest.map((l) => l.node.cert.info), checks, at });
  }

  const ctx: Context = {
    at,
    usage: options.usage ?? 'sealer',
    crls,
    requireRevocation: options.requireRevocation === true,
    signatures: createSignatureMemo(MAX_SIGNATURE_CHECKS),
  };
  let best: Evaluation | undefined;
  for (const p of complete) {
    const e = evaluate(p, ctx);
    if (best === undefined || rank(e) < rank(best)) best = e;
    if (e.status === 'valid' || ctx.signatures.exhausted) break;
  }
  const chosen = best as Evaluation;
  const first = chosen.checks.find((c) => c.status === 'failed') ?? chosen.checks.find((c) => c.status === 'indeterminate');
  const message =
    chosen.status === 'valid'
      ? `valid chain of ${chosen.chain.length} certificate(s) to ${(chosen.chain[chosen.chain.length - 1] as CertificateInfo).subject} at ${at.toISOString()}`
      : `${first?.check ?? 'path'} (${first?.certificate ?? 'chain'}): ${first?.message ?? 'not valid'}`;
  return freezeResult({
    status: chosen.status,
    ...(chosen.code === undefined ? {} : { code: chosen.code }),
    message,
    chain: chosen.chain,
    checks: [...checks, ...chosen.checks],
    at,
  });
}
