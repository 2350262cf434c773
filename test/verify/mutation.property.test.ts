/**
 * Property (security.md §3 "Outcome", issue "hardening"): mutating a valid sealed envelope never yields a VALID
 * report and never makes the verifier throw. 10,000+ seeded mutations per run over four pre-sealed envelopes
 * (P-256 cms original, RSA cms receipt, SM2 cms original, SM2 ses original): byte flips, base64 characters replaced inside a voucher or a
 * stamp (still valid base64, so the change reaches the DER and XML readers and the digests), XML edits (drop,
 * duplicate or swap elements, change attributes), truncation and insertion.
 *
 * A mutation may be a no-op for the content (e.g. reordering `<Stamp>` elements, whose order is not signed,
 * or a base64 change in unused padding bits): VALID is then allowed, but only when the mutated envelope holds
 * exactly the same voucher bytes, flags and set of stamps as the original.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTrustStore, type TrustStore } from '../../src/pki/index.js';
import { verifyEnvelope } from '../../src/verify/index.js';
import { parseEnvelope } from '../../src/voucher/index.js';
import { parseCertificate } from '../../src/pki/index.js';
import { AT, allAnchors, key, makeSealObject, manifest, pkiText, seal, sealedOriginal, sealedReceipt, T, unsealed } from './helpers.js';

const SEED = 20_260_115;
const RUNS = 10_000;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

let bases: Uint8Array[] = [];
let fingerprints: string[] = [];
let trust: TrustStore;

/** A canonical description of what an envelope carries (order of stamps ignored: it is not signed). */
function fingerprint(bytes: Uint8Array): string | undefined {
  try {
    const env = parseEnvelope(bytes);
    return JSON.stringify(
      env.bodies.map((b) => ({
        flag: b.voucherFlag,
        v: Buffer.from(b.voucherBytes).toString('base64'),
        o: b.originalVoucherBytes === undefined ? null : Buffer.from(b.originalVoucherBytes).toString('base64'),
        s: b.stamps.map((s) => `${s.position}|${s.sequence}|${s.view}|${s.format}|${Buffer.from(s.bytes).toString('base64')}`).sort(),
      })),
    );
  } catch {
    return undefined;
  }
}

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const fromLatin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

/** Spans of base64 text inside `<Voucher>`, `<OriginalVoucher>` and `<Stamp>` elements. */
function base64Spans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  for (const m of text.matchAll(/<(Voucher|OriginalVoucher|Stamp)(?: [^>]*)?>([^<]+)</g)) {
    const start = (m.index ?? 0) + m[0].length - 1 - (m[2]?.length ?? 0);
    spans.push([start, start + (m[2]?.length ?? 0)]);
  }
  return spans;
}

type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'b64'; span: number; at: number; ch: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'xml'; op: 'drop' | 'dup' | 'swap' | 'attr' | 'text'; a: number; b: number; value: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('b64' as const), span: fc.nat(), at: fc.nat(), ch: fc.nat(63) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.array(fc.nat(255), { minLength: 1, maxLength: 8 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('xml' as const),
      op: fc.constantFrom('drop' as const, 'dup' as const, 'swap' as const, 'attr' as const, 'text' as const),
      a: fc.nat(),
      b: fc.nat(),
      value: fc.constantFrom('0', '1', '2', '3', '9', 'ses', 'cms', 'receipt', 'original', 'cz_zfzyz', 'dw_gz', 'yh_zqz', '', '<!--x-->', '&amp;', 'AAAA'),
    }),
  },
);

/** Element spans `<Name ...>...</Name>` or `<Name/>` of the envelope (no nesting parse needed: leaves and bodies). */
function elementSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  for (const m of text.matchAll(/<(VoucherCount|VoucherFlag|Voucher|OriginalVoucher|Stamp|Stamps|Attach|VoucherBody)\b[^>]*>/g)) {
    const name = m[1] ?? '';
    const start = m.index ?? 0;
    const end = text.indexOf(`</${name}>`, start);
    if (end > 0) spans.push([start, end + name.length + 3]);
  }
  return spans;
}

function apply(base: Uint8Array, m: Mutation): Uint8Array {
  const n = base.length;
  switch (m.kind) {
    case 'flip': {
      const out = Uint8Array.from(base);
      const i = m.at % n;
      out[i] = (out[i] ?? 0) ^ m.mask;
      return out;
    }
    case 'b64': {
      const text = latin1(base);
      const spans = base64Spans(text);
      const span = spans[m.span % spans.length];
      if (span === undefined) return base;
      const i = span[0] + (m.at % Math.max(1, span[1] - span[0]));
      const ch = text[i] === '=' ? text[i] : B64[m.ch];
      return fromLatin1(text.slice(0, i) + (ch ?? 'A') + text.slice(i + 1));
    }
    case 'truncate':
      return base.subarray(0, m.at % n);
    case 'insert': {
      const i = m.at % (n + 1);
      return Uint8Array.from([...base.subarray(0, i), ...m.bytes, ...base.subarray(i)]);
    }
    case 'xml': {
      const text = latin1(base);
      const spans = elementSpans(text);
      const a = spans[m.a % spans.length];
      const b = spans[m.b % spans.length];
      if (a === undefined || b === undefined) return base;
      const [s, e] = a;
      switch (m.op) {
        case 'drop':
          return fromLatin1(text.slice(0, s) + text.slice(e));
        case 'dup':
          return fromLatin1(text.slice(0, e) + text.slice(s, e) + text.slice(e));
        case 'swap': {
          if (b[0] >= e) return fromLatin1(text.slice(0, s) + text.slice(b[0], b[1]) + text.slice(e, b[0]) + text.slice(s, e) + text.slice(b[1]));
          if (b[1] <= s) return fromLatin1(text.slice(0, b[0]) + text.slice(s, e) + text.slice(b[1], s) + text.slice(b[0], b[1]) + text.slice(e));
          return base;
        }
        case 'attr': {
          // Replace the value of one attribute of the start tag.
          const tagEnd = text.indexOf('>', s);
          const tag = text.slice(s, tagEnd);
          const attrs = [...tag.matchAll(/ (\w+)="([^"]*)"/g)];
          const at = attrs[m.b % Math.max(1, attrs.length)];
          if (at === undefined) return base;
          const vs = s + (at.index ?? 0) + at[1]!.length + 3;
          return fromLatin1(text.slice(0, vs) + m.value + text.slice(vs + (at[2]?.length ?? 0)));
        }
        case 'text': {
          const tagEnd = text.indexOf('>', s) + 1;
          return fromLatin1(text.slice(0, tagEnd) + m.value + text.slice(tagEnd));
        }
      }
    }
  }
  return base;
}

beforeAll(async () => {
  trust = createTrustStore(allAnchors());
  const holder = (role: string): Uint8Array => parseCertificate(pkiText(manifest.roles[role]?.cert ?? '')).der;
  let ses = await seal(unsealed(), 'dw_gz', 'dw-sm2', T(0), { format: 'ses', seal: await makeSealObject(key('maker-sm2'), [holder('dw-sm2')], { esId: 'M-DW' }) });
  ses = await seal(ses, 'cz_zfzyz', 'cz-sm2', T(10), { format: 'ses', seal: await makeSealObject(key('maker-sm2'), [holder('cz-sm2')], { esId: 'M-CZ' }) });
  bases = [await sealedOriginal('p256'), await sealedReceipt('rsa'), await sealedOriginal('sm2'), ses];
  fingerprints = bases.map((b) => fingerprint(b) ?? '');
  for (const b of bases) {
    const [r] = await verifyEnvelope(b, { trust, at: AT });
    expect(r?.status).toBe('VALID');
  }
}, 120_000);

describe('mutated envelopes', () => {
  it(`never VALID unless unchanged in content, never a throw (${RUNS} seeded mutations)`, async () => {
    let deep = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 19 }).map((n) => (n < 6 ? 0 : n < 12 ? 1 : n < 16 ? 2 : 3)), mutation, async (which, m) => {
        const base = bases[which] as Uint8Array;
        const mutated = apply(base, m);
        const reports = await verifyEnvelope(mutated, { trust, at: AT });
        expect(reports.length).toBeGreaterThan(0);
        for (const r of reports) {
          if (r.seals.length > 0) deep++;
          if (r.status === 'VALID') expect(fingerprint(mutated)).toBe(fingerprints[which]);
          // Frozen, serialisable, and consistent: a VALID report has no errors.
          expect(Object.isFrozen(r)).toBe(true);
          if (r.status === 'VALID') expect(r.errors).toEqual([]);
          else expect(r.errors.length).toBeGreaterThan(0);
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The mutations must reach the seal checks often, not only the XML reader.
    expect(deep).toBeGreaterThan(RUNS / 5);
  }, 300_000);
});
