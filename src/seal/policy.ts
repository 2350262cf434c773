/**
 * The seal policy: which positions a voucher type has, who may seal each, in which order, and when a view is
 * complete (design.md §5, domain.md §6).
 *
 * Design rationale: signatures alone cannot catch truncation (dropping the last seals) nor a seal made by
 * the wrong party with a perfectly valid key (security.md §2, lessons 3 and 4). The policy closes both: it
 * fixes the positions, their party and order, and says when a view is complete. The sealer refuses what the
 * policy forbids; the verifier reuses the same pure checks ({@link checkPlacement}, {@link checkSigner},
 * {@link evaluateCompleteness}) and reports them, so both sides judge by one rule set.
 *
 * A policy is JSON (docs/sealing.md "Policy file"): it replaces the built-in positions of the voucher types it
 * names (optionally per AdmDivCode) and may bind seals (esID) or certificates (SHA-256 fingerprint) to
 * positions. Voucher types it does not name keep the built-in defaults of the catalogue.
 */
import { firstDuplicateKey } from '../encoding/json.js';
import { EvoucherError, type ErrorCode } from '../errors.js';
import { getVoucherType, hasVoucherType, listVoucherTypes } from '../voucher/index.js';
import type { Party } from '../pki/index.js';
import { SEAL_FORMATS, type SealFormat, type TbsView } from './tbs.js';

/** One seal position of a resolved policy. */
export interface PolicyPosition {
  /** Position id `<party>_<type>`, e.g. `cz_zfzyz`. */
  readonly id: string;
  /** Display name, e.g. `财政支付专用章`. */
  readonly name: string;
  /** The party that seals here: `dw` budget unit, `cz` finance, `yh` agent bank, `rh` PBOC treasury. */
  readonly party: Party;
  /** Allowed seal types (the id suffix by default: `zfzyz`, `gz`, `qm`, ...). */
  readonly sealTypes: readonly string[];
  /** Allowed seal formats. */
  readonly formats: readonly SealFormat[];
  /** Order of sealing, ascending across both views; unique per voucher type. */
  readonly sequence: number;
  /** True when the view is incomplete without this seal. */
  readonly required: boolean;
  /** The view this seal covers. */
  readonly view: TbsView;
  /** When set, the signer certificate's organizationIdentifier must be one of these. */
  readonly organizations?: readonly string[];
}

/**
 * A registry entry: binds one seal (by esID and its maker's certificate) or one certificate (by SHA-256
 * fingerprint) to positions.
 */
export interface PolicyRegistryEntry {
  /** The seal's esID (`ses` seals). */
  readonly esId?: string;
  /**
   * With `esId` (required there): the SHA-256 fingerprint of the certificate of the maker who made the seal,
   * lower-case hex. An esID is whatever its maker writes, and any certificate under the anchors can sign a
   * seal object, so an esID alone would let anyone's look-alike seal stand in for the registered one.
   */
  readonly makerCertificateSha256?: string;
  /** The certificate's SHA-256 fingerprint, lower-case hex. */
  readonly certificateSha256?: string;
  /** The positions this seal or certificate may fill (and, conversely, the positions bound to it). */
  readonly positions: readonly string[];
  /** The seal type of this seal (e.g. `gz`); checked against the position's `sealTypes`. */
  readonly sealType?: string;
}

/** Per-type section of a policy file. */
export interface PolicyTypeSection {
  readonly positions: readonly PolicyPosition[];
  /** Positions replacing `positions` for one AdmDivCode. */
  readonly byAdmDiv?: Readonly<Record<string, { readonly positions: readonly PolicyPosition[] }>>;
}

/** A validated seal policy (from {@link parsePolicy} or {@link validatePolicy}). */
export interface SealPolicy {
  /** Always 1. */
  readonly version: 1;
  /** VtCode → positions. Types not named here keep the built-in defaults. */
  readonly types: Readonly<Record<string, PolicyTypeSection>>;
  /** Seal and certificate bindings. */
  readonly registry: readonly PolicyRegistryEntry[];
}

/** The positions that apply to one voucher (type and AdmDivCode), sorted by sequence. */
export interface ResolvedPolicy {
  readonly vtCode: string;
  readonly admDivCode?: string;
  /** Where the positions come from. */
  readonly source: 'built-in' | 'policy' | 'policy-adm-div';
  readonly positions: readonly PolicyPosition[];
  readonly registry: readonly PolicyRegistryEntry[];
}

/** A policy finding: why something is not allowed. */
export interface PolicyViolation {
  readonly code: ErrorCode;
  readonly message: string;
  /** The position concerned, if any. */
  readonly position?: string;
}

/** Largest policy file accepted (bytes of JSON text). */
export const MAX_POLICY_BYTES = 1024 * 1024;
/** Most positions per voucher type. */
export const MAX_POLICY_POSITIONS = 32;
/** Most registry entries. */
export const MAX_POLICY_REGISTRY = 10_000;

const POSITION_ID = /^(dw|cz|yh|rh)_[a-z]+$/;
const PARTY_SET: readonly string[] = ['dw', 'cz', 'yh', 'rh'];

// ---------------------------------------------------------------------------------------------------------
// Validation (hand-written: the schema is small, and every error must carry a JSON path and a stable code)

function invalid(path: string, message: string): never {
  throw new EvoucherError('POLICY_INVALID', `${path}: ${message}`, { detail: { path } });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) invalid(`${path}.${k}`, 'unknown property');
}

function str(v: unknown, path: string, max: number, pattern?: RegExp): string {
  if (typeof v !== 'string') invalid(path, 'must be a string');
  if (v.length === 0 || v.length > max) invalid(path, `must be 1..${max} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(v)) invalid(path, 'control character');
  if (pattern !== undefined && !pattern.test(v)) invalid(path, `must match ${pattern.source}`);
  return v;
}

/** A SHA-256 fingerprint: 64 hex digits, colons allowed, kept lower-case without colons. */
function fingerprint(v: unknown, path: string): string {
  const fp = str(v, path, 95).replace(/:/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(fp)) invalid(path, 'must be 64 hex digits (colons allowed)');
  return fp;
}

function strArray(v: unknown, path: string, maxItems: number, maxLen: number, pattern?: RegExp): string[] {
  if (!Array.isArray(v)) invalid(path, 'must be an array');
  if (v.length === 0 || v.length > maxItems) invalid(path, `must have 1..${maxItems} items`);
  const out = v.map((x, i) => str(x, `${path}[${i}]`, maxLen, pattern));
  if (new Set(out).size !== out.length) invalid(path, 'duplicate items');
  return out;
}

function validatePositions(v: unknown, path: string, vtCode: string): PolicyPosition[] {
  if (!Array.isArray(v)) invalid(path, 'must be an array');
  if (v.length === 0 || v.length > MAX_POLICY_POSITIONS) invalid(path, `must have 1..${MAX_POLICY_POSITIONS} positions`);
  const catalogueNames = new Map(getVoucherType(vtCode).positions.map((p) => [p.id, p.name]));
  const out = v.map((raw, i): PolicyPosition => {
    const p = `${path}[${i}]`;
    if (!isRecord(raw)) invalid(p, 'must be an object');
    onlyKeys(raw, ['id', 'name', 'party', 'sealTypes', 'formats', 'sequence', 'required', 'view', 'organizations'], p);
    const id = str(raw['id'], `${p}.id`, 64, POSITION_ID);
    const [prefix = '', suffix = ''] = id.split('_');
    const party = raw['party'] === undefined ? prefix : str(raw['party'], `${p}.party`, 2);
    if (!PARTY_SET.includes(party)) invalid(`${p}.party`, 'must be dw, cz, yh or rh');
    if (party !== prefix) invalid(`${p}.party`, `must equal the id prefix '${prefix}'`);
    const seq = raw['sequence'];
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1 || seq > 9999) invalid(`${p}.sequence`, 'must be an integer 1..9999');
    // null is never 'absent': a property is left out or holds a value of its type.
    const required = raw['required'] === undefined ? true : raw['required'];
    if (typeof required !== 'boolean') invalid(`${p}.required`, 'must be a boolean');
    const view = raw['view'] === undefined ? 'original' : raw['view'];
    if (view !== 'original' && view !== 'receipt') invalid(`${p}.view`, "must be 'original' or 'receipt'");
    const formats = raw['formats'] === undefined ? [...SEAL_FORMATS] : strArray(raw['formats'], `${p}.formats`, 2, 3);
    for (const [k, f] of formats.entries()) if (!(SEAL_FORMATS as readonly string[]).includes(f)) invalid(`${p}.formats[${k}]`, "must be 'ses' or 'cms'");
    const sealTypes = raw['sealTypes'] === undefined ? [suffix] : strArray(raw['sealTypes'], `${p}.sealTypes`, 16, 32, /^[a-z]+$/);
    const name = raw['name'] === undefined ? (catalogueNames.get(id) ?? id) : str(raw['name'], `${p}.name`, 64);
    const organizations = raw['organizations'] === undefined ? undefined : strArray(raw['organizations'], `${p}.organizations`, 1000, 128);
    return Object.freeze({
      id,
      name,
      party: party as Party,
      sealTypes: Object.freeze(sealTypes),
      formats: Object.freeze(formats as SealFormat[]),
      sequence: seq,
      required,
      view,
      ...(organizations === undefined ? {} : { organizations: Object.freeze(organizations) }),
    });
  });
  const ids = new Set<string>();
  const seqs = new Set<number>();
  for (const [i, p] of out.entries()) {
    if (ids.has(p.id)) invalid(`${path}[${i}].id`, `position '${p.id}' repeated`);
    if (seqs.has(p.sequence)) invalid(`${path}[${i}].sequence`, `sequence ${p.sequence} repeated`);
    ids.add(p.id);
    seqs.add(p.sequence);
  }
  // Chain order is ascending sequence, and a receipt chains onto the complete original: every receipt
  // position must come after every original position.
  const lastOriginal = Math.max(0, ...out.filter((p) => p.view === 'original').map((p) => p.sequence));
  for (const [i, p] of out.entries()) {
    if (p.view === 'receipt' && p.sequence < lastOriginal) invalid(`${path}[${i}].sequence`, 'a receipt position must come after every original position');
  }
  if (!out.some((p) => p.view === 'original')) invalid(path, 'at least one original-view position is required');
  return out.sort((a, b) => a.sequence - b.sequence);
}

/** The validated copies made here (deep-frozen): used as they are. */
const validated = new WeakSet<object>();

/**
 * Validates a policy object (e.g. `JSON.parse` of a policy file) and returns it frozen, with defaults filled
 * in (`party` and `sealTypes` from the id, `formats` both, `required` true, `view` original, `name` from the
 * catalogue).
 *
 * @param value - the parsed JSON.
 * @returns the validated policy.
 * @throws EvoucherError `POLICY_INVALID` with `detail.path` the JSON path of the first problem (e.g.
 *   `$.types.5201.positions[1].sequence`).
 * @example
 * const policy = validatePolicy({ version: 1, types: { '8202': { positions: [{ id: 'dw_cwzyz', sequence: 1 }] } } })
 */
export function validatePolicy(value: unknown): SealPolicy {
  if (!isRecord(value)) invalid('$', 'must be an object');
  onlyKeys(value, ['version', 'types', 'registry', 'description'], '$');
  if (value['version'] !== 1) invalid('$.version', 'must be 1');
  if (value['description'] !== undefined) str(value['description'], '$.description', 1000);
  const types: Record<string, PolicyTypeSection> = {};
  const rawTypes = value['types'] === undefined ? {} : value['types'];
  if (!isRecord(rawTypes)) invalid('$.types', 'must be an object');
  for (const [vt, section] of Object.entries(rawTypes)) {
    const p = `$.types.${vt}`;
    if (!/^\d{4}$/.test(vt) || !hasVoucherType(vt)) invalid(p, 'not a catalogued voucher type');
    if (!isRecord(section)) invalid(p, 'must be an object');
    onlyKeys(section, ['positions', 'byAdmDiv'], p);
    const positions = Object.freeze(validatePositions(section['positions'], `${p}.positions`, vt));
    let byAdmDiv: Record<string, { positions: readonly PolicyPosition[] }> | undefined;
    if (section['byAdmDiv'] !== undefined) {
      const raw = section['byAdmDiv'];
      if (!isRecord(raw)) invalid(`${p}.byAdmDiv`, 'must be an object');
      byAdmDiv = {};
      for (const [code, o] of Object.entries(raw)) {
        const q = `${p}.byAdmDiv.${code}`;
        // The voucher header's AdmDivCode is 6 digits: any other key could never apply.
        if (!/^[0-9]{6}$/.test(code)) invalid(q, 'not an AdmDivCode (6 digits)');
        if (!isRecord(o)) invalid(q, 'must be an object');
        onlyKeys(o, ['positions'], q);
        byAdmDiv[code] = Object.freeze({ positions: Object.freeze(validatePositions(o['positions'], `${q}.positions`, vt)) });
      }
    }
    types[vt] = Object.freeze({ positions, ...(byAdmDiv === undefined ? {} : { byAdmDiv: Object.freeze(byAdmDiv) }) });
  }
  const rawRegistry = value['registry'] === undefined ? [] : value['registry'];
  if (!Array.isArray(rawRegistry)) invalid('$.registry', 'must be an array');
  if (rawRegistry.length > MAX_POLICY_REGISTRY) invalid('$.registry', `more than ${MAX_POLICY_REGISTRY} entries`);
  const registry = rawRegistry.map((raw, i): PolicyRegistryEntry => {
    const p = `$.registry[${i}]`;
    if (!isRecord(raw)) invalid(p, 'must be an object');
    onlyKeys(raw, ['esId', 'makerCertificateSha256', 'certificateSha256', 'positions', 'sealType', 'comment'], p);
    if ((raw['esId'] === undefined) === (raw['certificateSha256'] === undefined)) invalid(p, 'exactly one of esId and certificateSha256 is required');
    if (raw['esId'] !== undefined && raw['makerCertificateSha256'] === undefined) {
      invalid(`${p}.makerCertificateSha256`, "is required with esId: an esID is whatever a seal's maker writes, so a seal is known by its esID and its maker");
    }
    if (raw['esId'] === undefined && raw['makerCertificateSha256'] !== undefined) invalid(`${p}.makerCertificateSha256`, 'goes only with esId');
    if (raw['comment'] !== undefined) str(raw['comment'], `${p}.comment`, 1000);
    const positions = strArray(raw['positions'], `${p}.positions`, MAX_POLICY_POSITIONS, 64, POSITION_ID);
    const sealType = raw['sealType'] === undefined ? undefined : str(raw['sealType'], `${p}.sealType`, 32, /^[a-z]+$/);
    const common = { positions: Object.freeze(positions), ...(sealType === undefined ? {} : { sealType }) };
    if (raw['esId'] !== undefined) {
      return Object.freeze({ esId: str(raw['esId'], `${p}.esId`, 128, /^[\x20-\x7e]+$/), makerCertificateSha256: fingerprint(raw['makerCertificateSha256'], `${p}.makerCertificateSha256`), ...common });
    }
    return Object.freeze({ certificateSha256: fingerprint(raw['certificateSha256'], `${p}.certificateSha256`), ...common });
  });
  checkRegistry(registry, types);
  const result: SealPolicy = Object.freeze({ version: 1, types: Object.freeze(types), registry: Object.freeze(registry) });
  validated.add(result);
  return result;
}

/**
 * Registry entries must mean what they say. A position no voucher type has (a typo: `cz_zfzy`) would leave the
 * real one unbound, so that any certificate seals there while the pinned one is refused everywhere; the same
 * seal or certificate in two entries can seal nowhere (each entry forbids the other's positions); a seal type
 * that none of the entry's positions allows is always refused.
 */
function checkRegistry(registry: readonly PolicyRegistryEntry[], types: Readonly<Record<string, PolicyTypeSection>>): void {
  // Every position of every type as sealing will see it: the policy's own sections, else the built-in ones.
  const positions = new Map<string, PolicyPosition[]>();
  const add = (list: readonly PolicyPosition[]): void => {
    for (const pos of list) {
      const same = positions.get(pos.id);
      if (same === undefined) positions.set(pos.id, [pos]);
      else same.push(pos);
    }
  };
  for (const def of listVoucherTypes()) {
    const section = Object.hasOwn(types, def.vtCode) ? types[def.vtCode] : undefined;
    if (section === undefined) add(builtInPositions(def.vtCode));
    else {
      add(section.positions);
      for (const adm of Object.values(section.byAdmDiv ?? {})) add(adm.positions);
    }
  }
  const seen = new Map<string, number>();
  registry.forEach((entry, i) => {
    const p = `$.registry[${i}]`;
    const identity = 'esId' in entry ? `esId ${entry.esId} of maker ${entry.makerCertificateSha256}` : `certificate ${entry.certificateSha256}`;
    const first = seen.get(identity);
    if (first !== undefined) invalid(p, `repeats the ${'esId' in entry ? 'seal' : 'certificate'} of $.registry[${first}]: list all its positions in one entry`);
    seen.set(identity, i);
    entry.positions.forEach((id, k) => {
      if (!positions.has(id)) invalid(`${p}.positions[${k}]`, `no voucher type has a position '${id}'`);
    });
    if (entry.sealType !== undefined) {
      const type = entry.sealType;
      if (!entry.positions.some((id) => (positions.get(id) ?? []).some((pos) => pos.sealTypes.includes(type)))) {
        invalid(`${p}.sealType`, `'${type}' is a seal type none of the entry's positions allows`);
      }
    }
  });
}

/**
 * Parses and validates a policy file.
 *
 * @param text - the JSON text (or its UTF-8 bytes).
 * @returns the validated policy.
 * @throws EvoucherError `POLICY_INVALID` (not JSON, too large, or any schema violation; `detail.path`).
 * @example
 * const policy = parsePolicy(await readFile('policy.json', 'utf8'))
 */
export function parsePolicy(text: string | Uint8Array): SealPolicy {
  if (typeof text !== 'string' && !(text instanceof Uint8Array)) invalid('$', 'must be JSON text (a string or UTF-8 bytes)');
  // Bytes for a string too (its UTF-8 length), so that the same policy is refused or read alike either way.
  if ((typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : text.length) > MAX_POLICY_BYTES) invalid('$', `larger than ${MAX_POLICY_BYTES} bytes`);
  let s: string;
  try {
    // No replacement characters: bytes that are not UTF-8 are refused, never read as U+FFFD.
    s = typeof text === 'string' ? text : new TextDecoder('utf-8', { fatal: true }).decode(text);
  } catch {
    invalid('$', 'not UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(s);
  } catch {
    invalid('$', 'not valid JSON');
  }
  const duplicate = firstDuplicateKey(s);
  if (duplicate !== undefined) invalid(duplicate.path, `the key '${duplicate.key}' appears twice (JSON readers disagree on which one counts)`);
  return validatePolicy(value);
}

function builtInPositions(vtCode: string): PolicyPosition[] {
  return getVoucherType(vtCode)
    .positions.map((p) =>
      Object.freeze({
        id: p.id,
        name: p.name,
        party: p.party,
        sealTypes: Object.freeze([...p.sealTypes]),
        formats: Object.freeze([...SEAL_FORMATS]),
        sequence: p.sequence,
        required: p.required,
        view: p.view,
      }),
    )
    .sort((a, b) => a.sequence - b.sequence);
}

/**
 * The positions that apply to a voucher: the policy's per-AdmDivCode positions, else its per-type positions,
 * else the catalogue's built-in defaults (domain.md §6).
 *
 * @param vtCode - the voucher type.
 * @param admDivCode - the voucher's AdmDivCode (for per-region overrides).
 * @param policy - a validated policy (objects that did not come from {@link validatePolicy} are validated).
 * @returns the resolved positions, sorted by sequence, and the registry.
 * @throws EvoucherError `VOUCHER_UNKNOWN_TYPE` for an uncatalogued type, `POLICY_INVALID` for a bad policy.
 * @example
 * resolvePolicy('5201').positions.map((p) => p.id) // ['dw_gz', 'cz_zfzyz', 'cz_sz', 'yh_zqz', 'rh_zqz']
 */
export function resolvePolicy(vtCode: string, admDivCode?: string, policy?: SealPolicy): ResolvedPolicy {
  const checked = policy === undefined ? undefined : validatePolicyOnce(policy);
  const section = checked?.types[vtCode];
  const byAdmDiv = section?.byAdmDiv;
  // Own keys only: `hasOwnProperty` is no AdmDivCode of the policy.
  const adm = admDivCode === undefined || byAdmDiv === undefined || !Object.hasOwn(byAdmDiv, admDivCode) ? undefined : byAdmDiv[admDivCode];
  const positions = adm?.positions ?? section?.positions ?? builtInPositions(vtCode);
  return Object.freeze({
    vtCode,
    ...(admDivCode === undefined ? {} : { admDivCode }),
    source: adm !== undefined ? 'policy-adm-div' : section !== undefined ? 'policy' : 'built-in',
    positions: Object.freeze([...positions]),
    registry: checked?.registry ?? Object.freeze([]),
  });
}


/**
 * The validated copy of `policy`: a copy made here (by {@link validatePolicy}, {@link parsePolicy} or an earlier
 * call) is used as it is; any other object is validated as it is now, every time: it may have changed since,
 * and it is never used itself (unvalidated, without defaults).
 */
function validatePolicyOnce(policy: SealPolicy): SealPolicy {
  if (validated.has(policy)) return policy;
  const v = validatePolicy(policy);
  validated.add(v);
  return v;
}

/**
 * The positions of a voucher type (for `evoucher positions` and position queries).
 *
 * @param vtCode - the voucher type.
 * @param admDivCode - optional AdmDivCode.
 * @param policy - optional validated policy.
 * @returns the positions sorted by sequence.
 * @throws EvoucherError `VOUCHER_UNKNOWN_TYPE`, `POLICY_INVALID`.
 * @example
 * positionsFor('8202').map((p) => `${p.sequence} ${p.id}`) // ['1 dw_cwzyz', '2 dw_sz', '3 yh_zqz']
 */
export function positionsFor(vtCode: string, admDivCode?: string, policy?: SealPolicy): readonly PolicyPosition[] {
  return resolvePolicy(vtCode, admDivCode, policy).positions;
}

/**
 * Finds a position of a resolved policy.
 *
 * @param resolved - from {@link resolvePolicy}.
 * @param id - the position id.
 * @returns the position.
 * @throws EvoucherError `POLICY_POSITION_UNKNOWN`.
 * @example
 * findPosition(resolvePolicy('5201'), 'cz_zfzyz').sequence // 2
 */
export function findPosition(resolved: ResolvedPolicy, id: string): PolicyPosition {
  const p = resolved.positions.find((x) => x.id === id);
  if (p === undefined) {
    throw new EvoucherError('POLICY_POSITION_UNKNOWN', `position '${id.slice(0, 64)}' is not a position of voucher type ${resolved.vtCode}`, {
      detail: { position: id.slice(0, 64), vtCode: resolved.vtCode },
    });
  }
  return p;
}

// ---------------------------------------------------------------------------------------------------------
// Pure checks shared by the sealer and the verifier

/** Refuses a view argument other than `original` or `receipt`: a misspelt one was judged as an original. */
function checkView(view: unknown, fn: string, argument: string): void {
  if (view !== 'original' && view !== 'receipt') throw new EvoucherError('ARG_INVALID', `${fn} ${argument} must be 'original' or 'receipt'`, { detail: { argument } });
}

/** A seal already on the body (only what the policy needs). */
export interface PlacedSeal {
  readonly position: string;
  readonly sequence: number;
  readonly view: TbsView;
}

/**
 * Whether a view is locked (read-only): the original view once the body is a receipt (the original was sent)
 * or once its last position (highest sequence) is sealed; the receipt view once its last position is sealed
 * (domain.md §6 "Lock after send"). A locked view takes no more seals; corrections go through 退回 + 作废 +
 * re-issue.
 *
 * @param view - the view.
 * @param stamps - the seals on the body.
 * @param resolved - the resolved policy.
 * @param bodyView - the body's view (`receipt` when VoucherFlag is 1).
 * @returns true when the view is locked.
 * @throws EvoucherError `ARG_INVALID` for a `view` or `bodyView` other than `original` or `receipt`.
 * @example
 * isViewLocked('original', stamps, resolvePolicy('8202'), 'original')
 */
export function isViewLocked(view: TbsView, stamps: readonly PlacedSeal[], resolved: ResolvedPolicy, bodyView: TbsView): boolean {
  checkView(view, 'isViewLocked', 'view');
  checkView(bodyView, 'isViewLocked', 'bodyView');
  if (view === 'original' && bodyView === 'receipt') return true;
  const inView = resolved.positions.filter((p) => p.view === view);
  const last = inView[inView.length - 1];
  return last !== undefined && stamps.some((s) => s.position === last.id && s.view === view);
}

/**
 * Checks that a new seal may go at `position` given the seals already on the body: the view fits the body,
 * the position is still free, the view is not locked, and the order holds (no required lower-sequence
 * position missing, no seal already at a higher or equal sequence).
 *
 * @param position - the position to fill (from {@link findPosition}).
 * @param stamps - the seals already on the body.
 * @param resolved - the resolved policy.
 * @param bodyView - `original` (VoucherFlag 0) or `receipt` (VoucherFlag 1).
 * @returns the first violation (`POLICY_VIEW_MISMATCH`, `POLICY_POSITION_SEALED`, `POLICY_VIEW_LOCKED`,
 *   `POLICY_OUT_OF_SEQUENCE`), or undefined when allowed.
 * @throws EvoucherError `ARG_INVALID` for a `bodyView` other than `original` or `receipt`.
 * @example
 * checkPlacement(findPosition(r, 'yh_zqz'), stamps, r, 'original')?.code // 'POLICY_VIEW_MISMATCH'
 */
export function checkPlacement(position: PolicyPosition, stamps: readonly PlacedSeal[], resolved: ResolvedPolicy, bodyView: TbsView): PolicyViolation | undefined {
  checkView(bodyView, 'checkPlacement', 'bodyView');
  const at = { position: position.id };
  if (position.view === 'receipt' && bodyView === 'original') {
    return { code: 'POLICY_VIEW_MISMATCH', message: `position ${position.id} belongs to the receipt view; create the receipt first`, ...at };
  }
  if (stamps.some((s) => s.position === position.id)) {
    return { code: 'POLICY_POSITION_SEALED', message: `position ${position.id} is already sealed`, ...at };
  }
  if (isViewLocked(position.view, stamps, resolved, bodyView)) {
    return { code: 'POLICY_VIEW_LOCKED', message: `the ${position.view} view is complete and locked`, ...at };
  }
  const later = stamps.find((s) => s.sequence >= position.sequence);
  if (later !== undefined) {
    return { code: 'POLICY_OUT_OF_SEQUENCE', message: `position ${position.id} (${position.sequence}) comes before the existing seal ${later.position} (${later.sequence})`, ...at };
  }
  const missing = resolved.positions.find((p) => p.required && p.sequence < position.sequence && !stamps.some((s) => s.position === p.id));
  if (missing !== undefined) {
    return { code: 'POLICY_OUT_OF_SEQUENCE', message: `required position ${missing.id} (${missing.sequence}) must be sealed before ${position.id} (${position.sequence})`, ...at };
  }
  return undefined;
}

/** What the policy knows about a signer. */
export interface SignerFacts {
  /** Party from the certificate subject OU. */
  readonly party?: Party;
  /** organizationIdentifier (2.5.4.97) from the certificate subject. */
  readonly organizationIdentifier?: string;
  /** SHA-256 fingerprint of the signer certificate, lower-case hex. */
  readonly certificateSha256: string;
  /** The esID of the seal (`ses`). */
  readonly esId?: string;
  /** SHA-256 fingerprint of the seal maker's certificate (`ses`), lower-case hex. */
  readonly makerCertificateSha256?: string;
  /** The seal format. */
  readonly format: SealFormat;
}

/**
 * Checks that a signer may seal at a position: format allowed, party and organisation from the certificate,
 * and the registry bindings (a matching entry must list the position; a position bound to registry entries
 * accepts only those seals or certificates; a registered seal type must be allowed).
 *
 * @param position - the position.
 * @param signer - the signer facts (from the certificate and the seal).
 * @param resolved - the resolved policy (its registry).
 * @returns the first violation (`POLICY_FORMAT_FORBIDDEN`, `CERT_PARTY_MISSING`, `POLICY_PARTY_MISMATCH`, `POLICY_MAKER_MISMATCH`,
 *   `POLICY_ORG_MISMATCH`, `POLICY_POSITION_FORBIDDEN`, `POLICY_SEAL_TYPE_FORBIDDEN`), or undefined.
 * @example
 * checkSigner(position, { party: 'cz', certificateSha256: fp, format: 'cms' }, resolved)
 */
export function checkSigner(position: PolicyPosition, signer: SignerFacts, resolved: ResolvedPolicy): PolicyViolation | undefined {
  const at = { position: position.id };
  if (!position.formats.includes(signer.format)) {
    return { code: 'POLICY_FORMAT_FORBIDDEN', message: `position ${position.id} does not accept ${signer.format} seals (allowed: ${position.formats.join(', ')})`, ...at };
  }
  if (signer.party === undefined) {
    return { code: 'CERT_PARTY_MISSING', message: 'the signer certificate names no party (subject OU dw, cz, yh or rh)', ...at };
  }
  if (signer.party !== position.party) {
    return { code: 'POLICY_PARTY_MISMATCH', message: `position ${position.id} is for party ${position.party}; the signer speaks for ${signer.party}`, ...at };
  }
  if (position.organizations !== undefined && (signer.organizationIdentifier === undefined || !position.organizations.includes(signer.organizationIdentifier))) {
    return { code: 'POLICY_ORG_MISMATCH', message: `organisation ${signer.organizationIdentifier ?? '(none)'} may not seal at ${position.id}`, ...at };
  }
  // A seal is known by its esID and its maker: a registered esID from a maker no entry names is a look-alike.
  const sameId = resolved.registry.filter((e) => e.esId !== undefined && e.esId === signer.esId);
  if (sameId.length > 0 && !sameId.some((e) => e.makerCertificateSha256 === signer.makerCertificateSha256)) {
    return {
      code: 'POLICY_MAKER_MISMATCH',
      message: `seal ${signer.esId ?? ''} is registered as made by ${sameId.map((e) => `the certificate ${e.makerCertificateSha256 ?? '?'}`).join(' or ')}; this one was made by ${signer.makerCertificateSha256 ?? 'an unknown maker'}`,
      ...at,
    };
  }
  const matches = resolved.registry.filter(
    (e) =>
      (e.esId !== undefined && e.esId === signer.esId && e.makerCertificateSha256 === signer.makerCertificateSha256) ||
      (e.certificateSha256 !== undefined && e.certificateSha256 === signer.certificateSha256),
  );
  for (const e of matches) {
    if (!e.positions.includes(position.id)) {
      return { code: 'POLICY_POSITION_FORBIDDEN', message: `the registry binds ${e.esId !== undefined ? `seal ${e.esId}` : 'this certificate'} to ${e.positions.join(', ')}, not ${position.id}`, ...at };
    }
    if (e.sealType !== undefined && !position.sealTypes.includes(e.sealType)) {
      return { code: 'POLICY_SEAL_TYPE_FORBIDDEN', message: `seal type ${e.sealType} is not allowed at ${position.id} (allowed: ${position.sealTypes.join(', ')})`, ...at };
    }
  }
  const bound = resolved.registry.some((e) => e.positions.includes(position.id));
  if (bound && matches.length === 0) {
    return { code: 'POLICY_POSITION_FORBIDDEN', message: `position ${position.id} is bound to registered seals or certificates, and this signer is not one of them`, ...at };
  }
  return undefined;
}

/** The outcome of {@link evaluateCompleteness}. */
export interface Completeness {
  /** True when every required position of the judged views is sealed. */
  readonly complete: boolean;
  /** The required positions not sealed, in sequence order. */
  readonly missing: readonly string[];
  /** Seals at positions the policy does not know. */
  readonly unknown: readonly string[];
  /** Positions sealed more than once. */
  readonly duplicates: readonly string[];
  /**
   * A receipt judged without a single receipt-view seal: its X-fields are covered by no seal, whatever the
   * policy requires (a type whose receipt positions are all optional, or that has none), so it is not complete.
   */
  readonly receiptUnsealed: boolean;
  /**
   * No original-view seal at all: the voucher itself is covered by no seal, whatever the policy requires (a
   * policy whose original positions are all optional), so it is not complete (a receipt of it neither).
   */
  readonly originalUnsealed: boolean;
}

/**
 * Judges whether a body is fully sealed: every required position of the original view, and for a receipt
 * also of the receipt view, carries a seal; at least one original-view seal covers the voucher, and a receipt
 * carries at least one receipt-view seal (the only seals that cover its X-fields). Signatures cannot catch a dropped last seal; this can (security.md §1.10).
 *
 * @param stamps - the seals on the body (only position matters here; the caller judges their validity).
 * @param resolved - the resolved policy.
 * @param view - the body's view (its VoucherFlag): `original` judges the original positions, `receipt` both views.
 * @returns complete, missing, unknown and duplicate positions.
 * @throws EvoucherError `ARG_INVALID` without a view.
 * @example
 * evaluateCompleteness(body.stamps, resolvePolicy('5201'), 'original') // { complete: false, missing: ['cz_zfzyz'], ... }
 */
export function evaluateCompleteness(
  stamps: readonly (Pick<PlacedSeal, 'position'> & Partial<Pick<PlacedSeal, 'view'>>)[],
  resolved: ResolvedPolicy,
  view: TbsView,
): Completeness {
  // Required: guessed from the stamps, a receipt carrying only original-view seals was judged as an original.
  if (view !== 'original' && view !== 'receipt') throw new EvoucherError('ARG_INVALID', "evaluateCompleteness needs the body's view: 'original' or 'receipt'", { detail: { argument: 'view' } });
  const judged = view;
  const seen = new Map<string, number>();
  for (const s of stamps) seen.set(s.position, (seen.get(s.position) ?? 0) + 1);
  const missing = resolved.positions
    .filter((p) => p.required && (judged === 'receipt' || p.view === 'original') && !seen.has(p.id))
    .map((p) => p.id);
  const known = new Set(resolved.positions.map((p) => p.id));
  const unknown = [...seen.keys()].filter((id) => !known.has(id));
  const duplicates = [...seen.entries()].filter(([, n]) => n > 1).map(([id]) => id);
  const receiptUnsealed = judged === 'receipt' && !stamps.some((s) => s.view === 'receipt');
  const originalUnsealed = !stamps.some((s) => s.view !== 'receipt');
  return Object.freeze({
    complete: missing.length === 0 && unknown.length === 0 && duplicates.length === 0 && !receiptUnsealed && !originalUnsealed,
    missing: Object.freeze(missing),
    unknown: Object.freeze(unknown),
    duplicates: Object.freeze(duplicates),
    receiptUnsealed,
    originalUnsealed,
  });
}
