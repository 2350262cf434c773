/**
 * createVerifier: options resolved once, then the same reports as verifyEnvelope call after call; the
 * caller's arrays read once; the validation time fixed or per call; misuse refused when it is made.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/commands/demo.js';
import { isEvoucherError } from '../../src/errors.js';
import { loadTrustStore, parseCrl, type Crl, type TrustStore } from '../../src/pki/index.js';
import { createVerifier, verifyEnvelope, type VerificationReport } from '../../src/verify/index.js';

const PKI = join(import.meta.dirname, '..', '..', 'fixtures', 'pki');
const NOW = new Date('2026-01-15T02:00:00Z');
const AT = new Date('2026-01-15T03:00:00Z');
let trust: TrustStore;
let p256Crls: Crl[];
const envelopes: { name: string; bytes: Uint8Array }[] = [];

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isEvoucherError(e) ? e.code : 'not an EvoucherError';
  }
  return undefined;
}

function revocationStatuses(reports: readonly VerificationReport[]): string[] {
  return reports.flatMap((r) => r.seals.map((s) => s.checks.find((c) => c.check === 'revocation')?.status ?? 'none'));
}

beforeAll(async () => {
  trust = await loadTrustStore(join(PKI, 'trust'));
  p256Crls = [parseCrl(await readFile(join(PKI, 'p256', 'ca.crl.pem'), 'utf8')), parseCrl(await readFile(join(PKI, 'p256', 'root.crl.pem'), 'utf8'))];
  const demo = await runDemo({ now: NOW });
  for (const v of demo.vouchers) {
    envelopes.push({ name: `${v.vtCode}-${v.variant}-original`, bytes: v.original });
    envelopes.push({ name: `${v.vtCode}-${v.variant}-receipt`, bytes: v.receipt });
    const tampered = new Uint8Array(v.original);
    const at = new TextDecoder('latin1').decode(v.original).lastIndexOf('</Stamp>') - 40;
    tampered[at] = tampered[at] === 0x41 ? 0x42 : 0x41;
    envelopes.push({ name: `${v.vtCode}-${v.variant}-tampered`, bytes: tampered });
  }
  envelopes.push({ name: 'garbage', bytes: new TextEncoder().encode('<?xml version="1.0"?><MOF><VoucherCount>1') });
});

describe('createVerifier', () => {
  it('gives the reports of verifyEnvelope with the same options, call after call', async () => {
    const verifier = createVerifier({ trust, at: AT });
    for (let round = 0; round < 2; round++) {
      for (const e of envelopes) {
        const mine = await verifier.verify(e.bytes);
        expect(mine, e.name).toEqual(await verifyEnvelope(e.bytes, { trust, at: AT }));
        expect(Object.isFrozen(mine[0]?.seals)).toBe(true);
      }
    }
    const statuses = await Promise.all(envelopes.map(async (e) => (await verifier.verify(e.bytes))[0]?.status));
    expect(statuses).toContain('VALID');
    expect(statuses).toContain('INVALID');
  });

  it('with at, every call validates at that time; without it, each call at its own time', async () => {
    const fixed = createVerifier({ trust, at: AT });
    expect(fixed.at?.toISOString()).toBe(AT.toISOString());
    const bytes = envelopes[0]?.bytes as Uint8Array;
    expect((await fixed.verify(bytes))[0]?.validationTime).toBe(AT.toISOString());

    const live = createVerifier({ trust });
    expect(live.at).toBeUndefined();
    const before = Date.now();
    const first = (await live.verify(bytes))[0]?.validationTime as string;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = (await live.verify(bytes))[0]?.validationTime as string;
    expect(Date.parse(first)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(second)).toBeGreaterThan(Date.parse(first));
    expect(Date.parse(second)).toBeLessThanOrEqual(Date.now());
  });

  it('reads the caller\'s CRL array once: a CRL pushed later is not seen, and one given is used', async () => {
    const p256 = envelopes.find((e) => e.name.endsWith('cms-original'))?.bytes as Uint8Array;
    const crls: Crl[] = [];
    const verifier = createVerifier({ trust, at: AT, crls });
    crls.push(...p256Crls);
    // verifyEnvelope reads the array at each call and now checks revocation; the verifier still does not.
    expect(revocationStatuses(await verifyEnvelope(p256, { trust, at: AT, crls }))).toEqual(['passed', 'passed', 'passed']);
    expect(revocationStatuses(await verifier.verify(p256))).toEqual(['skipped', 'skipped', 'skipped']);
    expect(revocationStatuses(await createVerifier({ trust, at: AT, crls: p256Crls }).verify(p256))).toEqual(['passed', 'passed', 'passed']);
  });

  it('refuses misuse when it is made, and bytes that are not a Uint8Array when called', async () => {
    expect(codeOf(() => createVerifier(undefined as never))).toBe('TRUST_NO_ANCHORS');
    expect(codeOf(() => createVerifier({ trust: [] }))).toBe('TRUST_NO_ANCHORS');
    expect(codeOf(() => createVerifier({ trust, at: new Date(NaN) }))).toBe('ARG_INVALID');
    expect(codeOf(() => createVerifier({ trust, crls: 'x' as never }))).toBe('ARG_INVALID');
    expect(codeOf(() => createVerifier({ trust, policy: { positions: 'x' } as never }))).toBe('POLICY_INVALID');
    const verifier = createVerifier({ trust, at: AT });
    await expect(verifier.verify('<MOF/>' as never)).rejects.toMatchObject({ code: 'ARG_INVALID' });
    expect(Object.isFrozen(verifier)).toBe(true);
  });
});
