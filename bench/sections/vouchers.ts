/**
 * Sealing and verifying 3-seal vouchers (a 5201 direct-payment voucher with its three original-view seals
 * dw_gz, cz_zfzyz, cz_sz) with the committed demo PKI, in three families: P-256 `cms`, RSA-2048 `cms` and
 * SM2 `ses` (GB/T 38540 seal objects made by the demo seal maker).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openKeyProvider } from '../../src/keys/index.js';
import type { KeyProvider } from '../../src/keys/provider.js';
import { loadTrustStore, parseCertificate, type TrustStore } from '../../src/pki/index.js';
import { makeSeal, positionsFor, sealVoucher, type SealFormat } from '../../src/seal/index.js';
import { verifyEnvelope } from '../../src/verify/index.js';
import { buildVoucher, createEnvelope, type VoucherData } from '../../src/voucher/index.js';
import { measureAsync, type MeasureOptions, type Rate } from '../lib/measure.js';

/** The root of the repository. */
export const ROOT = join(import.meta.dirname, '..', '..');
const PKI = join(ROOT, 'fixtures', 'pki');

/** A family of seals. */
export type FamilyId = 'p256-cms' | 'rsa-cms' | 'sm2-ses';

/** What the bench needs of one family. */
export interface Family {
  readonly id: FamilyId;
  readonly label: string;
  /** Distinct sealed envelopes (different voucher numbers), every one VALID. */
  readonly envelopes: readonly Uint8Array[];
  /** Seals one fresh voucher with its three seals. */
  readonly sealOne: () => Promise<Uint8Array>;
}

interface Manifest {
  readonly password: string;
  readonly roles: Readonly<Record<string, { readonly cert: string; readonly key: string; readonly chain?: readonly string[] }>>;
}

/** Everything the voucher figures share. */
export interface VoucherSetup {
  readonly trust: TrustStore;
  /** The validation time of every verification (the seals are made a few minutes before). */
  readonly at: Date;
  readonly families: readonly Family[];
  /** Closes the key providers. */
  close(): Promise<void>;
}

/** Figures of one family, vouchers per second. */
export interface FamilyFigures {
  readonly seal: Rate;
  /** Verification as a long-running verifier does it: the trust store's path cache warm. */
  readonly verify: Rate;
  /** Verification with `pathCache: false`: every certificate path validated again for every seal. */
  readonly verifyNoPathCache: Rate;
}

const FAMILIES: readonly { id: FamilyId; label: string; keys: string; format: SealFormat }[] = [
  { id: 'p256-cms', label: 'P-256 cms', keys: 'p256', format: 'cms' },
  { id: 'rsa-cms', label: 'RSA-2048 cms', keys: 'rsa', format: 'cms' },
  { id: 'sm2-ses', label: 'SM2 ses', keys: 'sm2', format: 'ses' },
];

/** How many distinct sealed vouchers each family cycles through. */
const DISTINCT = 8;

async function openRole(m: Manifest, role: string): Promise<KeyProvider> {
  const r = m.roles[role];
  if (r === undefined) throw new Error(`demo PKI has no role ${role}`);
  const chain = (r.chain ?? []).map((c) => `&chain=${encodeURIComponent(join(PKI, c))}`).join('');
  return openKeyProvider(`file:${encodeURIComponent(join(PKI, r.key))}?cert=${encodeURIComponent(join(PKI, r.cert))}${chain}`, { password: m.password });
}

/**
 * Opens the demo keys, makes the `ses` seal objects, and seals {@link DISTINCT} vouchers per family.
 *
 * @returns the setup.
 */
export async function prepareVouchers(): Promise<VoucherSetup> {
  const manifest = JSON.parse(await readFile(join(PKI, 'manifest.json'), 'utf8')) as Manifest;
  const data = JSON.parse(await readFile(join(ROOT, 'examples', '5201.json'), 'utf8')) as Record<string, unknown>;
  const trust = await loadTrustStore(join(PKI, 'trust'));
  const now = new Date();
  const at = new Date(Math.floor(now.getTime() / 1000) * 1000);
  // Seals are timed one second apart from ten minutes before the validation time, in chain order.
  let clock = at.getTime() - 600_000;
  const tick = (): Date => new Date((clock += 1000));
  const positions = positionsFor('5201').filter((p) => p.view === 'original');
  if (positions.length !== 3) throw new Error(`expected 3 original-view positions of 5201, got ${positions.length}`);
  const opened: KeyProvider[] = [];
  const families: Family[] = [];
  let serial = 0;
  const voucherBytes = (): Uint8Array => {
    const n = ++serial;
    const v = buildVoucher('5201', { ...data, VoucherNo: `ZF20251128${String(n).padStart(5, "0")}` } as VoucherData, { now: at });
    return createEnvelope([v]);
  };
  for (const f of FAMILIES) {
    const keys = new Map<string, KeyProvider>();
    for (const party of new Set(positions.map((p) => p.party))) {
      const k = await openRole(manifest, `${party}-${f.keys}`);
      opened.push(k);
      keys.set(party, k);
    }
    const sealObjects = new Map<string, Uint8Array>();
    if (f.format === 'ses') {
      const maker = await openRole(manifest, 'maker-sm2');
      opened.push(maker);
      for (const [party, k] of keys) {
        const holder = await k.certificate();
        sealObjects.set(
          party,
          await makeSeal({
            maker,
            holders: [holder],
            name: parseCertificate(holder).commonName ?? party,
            esId: `BENCH-${party.toUpperCase()}-0001`,
            validStart: new Date('2025-01-01T00:00:00Z'),
            validEnd: new Date('2045-01-01T00:00:00Z'),
          }),
        );
      }
    }
    const sealOne = async (): Promise<Uint8Array> => {
      let env = voucherBytes();
      for (const p of positions) {
        const seal = sealObjects.get(p.party);
        env = await sealVoucher(env, { position: p.id, key: keys.get(p.party) as KeyProvider, format: f.format, time: tick(), ...(seal === undefined ? {} : { seal }) });
      }
      return env;
    };
    const envelopes: Uint8Array[] = [];
    for (let i = 0; i < DISTINCT; i++) envelopes.push(await sealOne());
    for (const e of envelopes) {
      const [r] = await verifyEnvelope(e, { trust, at });
      if (r?.status !== 'VALID' || r.seals.length !== 3) throw new Error(`bench self-check: a ${f.label} voucher is ${r?.status} with ${r?.seals.length} seals: ${JSON.stringify(r?.errors)}`);
    }
    families.push({ id: f.id, label: f.label, envelopes, sealOne });
  }
  return {
    trust,
    at,
    families,
    async close(): Promise<void> {
      for (const k of opened) await k.close?.();
    },
  };
}

/**
 * One voucher verification as {@link measureFamily} times it: the family's envelopes in turn, with the trust
 * store's path cache or without it.
 *
 * @param setup - from {@link prepareVouchers}.
 * @param family - the family.
 * @returns the operation; it throws unless the voucher is VALID.
 */
export function voucherVerifier(setup: VoucherSetup, family: Family): (pathCache?: boolean) => Promise<void> {
  let i = 0;
  return async (pathCache = true): Promise<void> => {
    const env = family.envelopes[i++ % family.envelopes.length] as Uint8Array;
    const [r] = await verifyEnvelope(env, { trust: setup.trust, at: setup.at, ...(pathCache ? {} : { pathCache: false as const }) });
    if (r?.status !== 'VALID') throw new Error(`bench self-check: ${family.label} verification is ${r?.status}`);
  };
}

/**
 * Measures sealing (three seals on a fresh voucher) and verifying (with and without the path cache).
 *
 * @param setup - from {@link prepareVouchers}.
 * @param family - the family.
 * @param m - measurement options.
 * @returns vouchers per second.
 */
export async function measureFamily(setup: VoucherSetup, family: Family, m: MeasureOptions): Promise<FamilyFigures> {
  const verifyOne = voucherVerifier(setup, family);
  return {
    seal: await measureAsync(family.sealOne, m),
    verify: await measureAsync(() => verifyOne(true), m),
    verifyNoPathCache: await measureAsync(() => verifyOne(false), m),
  };
}
