/**
 * The path-validation cache: every answer equals a fresh validatePath (time re-stamped), hits happen only
 * inside the time window, a CRL change empties it, and a failure is never stored nor returned as a success.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createPathCache,
  createTrustStore,
  MAX_INTERMEDIATES,
  parseCertificate,
  parseCrl,
  pathCacheFor,
  validatePath,
  validatePathCached,
  type CertificateInfo,
  type Crl,
  type PathCache,
  type PathResult,
  type TrustStore,
  type ValidatePathOptions,
} from '../../src/pki/index.js';
import { crlDer, invalidityDate, reason } from './crl_der.js';
import { makeChain } from './helpers.js';

const PKI = join(import.meta.dirname, '..', '..', 'fixtures', 'pki');
const pem = (f: string): string => readFileSync(join(PKI, f), 'utf8');

const p256Root = parseCertificate(pem('trust/p256-root.cert.pem'));
const rsaRoot = parseCertificate(pem('trust/rsa-root.cert.pem'));
const ca = parseCertificate(pem('p256/ca.cert.pem'));
const cz = parseCertificate(pem('p256/cz.cert.pem'));
const revoked = parseCertificate(pem('p256/revoked.cert.pem'));
const crlClean: readonly Crl[] = [parseCrl(pem('p256/ca.crl.pem')), parseCrl(pem('p256/root.crl.pem'))];
const crlRevoking: readonly Crl[] = [parseCrl(pem('p256/ca-revoked.crl.pem')), parseCrl(pem('p256/root.crl.pem'))];

// A chain whose leaf lives only in the first half of 2026, to cross validity boundaries.
const short = makeChain('ec-p256', { tag: ' short', leaf: { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-06-30T00:00:00Z') } });

const trustP256 = createTrustStore([p256Root.der]);
const trustRsa = createTrustStore([rsaRoot.der]);
const trustBoth = createTrustStore([p256Root.der, short.root.der]);

const T = (iso: string): Date => new Date(iso);

/** Everything a result says, with certificates by fingerprint. */
function view(r: PathResult): unknown {
  return {
    status: r.status,
    code: r.code,
    message: r.message,
    at: r.at.toISOString(),
    chain: r.chain.map((c) => c.fingerprintSha256),
    checks: r.checks.map((c) => ({ ...c })),
  };
}

function expectSame(cache: PathCache, leaf: CertificateInfo | Uint8Array, options: ValidatePathOptions): PathResult {
  const cached = validatePathCached(leaf, options, cache);
  expect(view(cached)).toEqual(view(validatePath(leaf, options)));
  return cached;
}

describe('path cache: answers', () => {
  it('a hit inside the window returns what validatePath returns, stamped with the caller time', () => {
    const cache = createPathCache();
    const base = { trust: trustP256, intermediates: [ca.der], usage: 'sealer' as const };
    const first = expectSame(cache, cz, { ...base, at: T('2026-01-15T02:00:00Z') });
    expect(first.status).toBe('valid');
    expect(cache.stats).toMatchObject({ hits: 0, misses: 1, stored: 1 });
    const second = expectSame(cache, cz, { ...base, at: T('2031-07-01T12:34:56.789Z') });
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1, stored: 1 });
    expect(second.at.toISOString()).toBe('2031-07-01T12:34:56.789Z');
    expect(second.message).toContain('2031-07-01T12:34:56.789Z');
    expect(second.message).not.toContain('2026-01-15');
    // The leaf given as bytes has the same identity as its parsed form.
    expectSame(cache, cz.der, { ...base, at: T('2027-01-01T00:00:00Z') });
    expect(cache.stats.hits).toBe(2);
  });

  it('a hit rewrites the validation time only where a result writes it, not in a subject that holds the same text', () => {
    const t1 = '2026-03-01T00:00:00.000Z';
    const odd = makeChain('ec-p256', { tag: ' restamp', root: { subject: [['C', 'CN'], ['CN', `Root ${t1}`]] } });
    const cache = createPathCache();
    const base = { trust: createTrustStore([odd.root.der]), intermediates: [odd.inter.der], usage: 'sealer' as const };
    expect(expectSame(cache, odd.leaf, { ...base, at: T(t1) }).status).toBe('valid');
    const second = expectSame(cache, odd.leaf, { ...base, at: T('2026-04-01T00:00:00.000Z') });
    expect(cache.stats.hits).toBe(1);
    expect(second.message).toContain(`Root ${t1}`);
    expect(second.message.endsWith(' at 2026-04-01T00:00:00.000Z')).toBe(true);
  });

  it('a hit rewrites the validation time in a skipped revocation check of a valid result (a stale list)', () => {
    const cache = createPathCache();
    const stale = parseCrl(crlDer({ thisUpdate: T('2026-01-01T00:00:00Z'), nextUpdate: T('2026-02-01T00:00:00Z'), entries: [] }));
    const options = (at: Date): ValidatePathOptions => ({ trust: trustP256, intermediates: [ca.der], crls: [stale, ...crlClean.slice(1)], at });
    const first = expectSame(cache, cz, options(T('2026-03-01T00:00:00Z')));
    expect(first.status).toBe('valid');
    expect(first.checks.some((c) => c.check === 'revocation' && c.status === 'skipped' && c.message.includes('stale at 2026-03-01T00:00:00.000Z'))).toBe(true);
    const second = expectSame(cache, cz, options(T('2026-04-01T00:00:00Z')));
    expect(cache.stats.hits).toBe(1);
    expect(second.checks.some((c) => c.message.includes('2026-03-01'))).toBe(false);

    // A list issued after the certificate expired (2045), current at T: "… current at T was issued after …".
    const late = parseCrl(crlDer({ thisUpdate: T('2046-01-01T00:00:00Z'), nextUpdate: T('2047-01-01T00:00:00Z'), entries: [] }));
    const lateOptions = (at: Date): ValidatePathOptions => ({ trust: trustP256, intermediates: [ca.der], crls: [late, ...crlClean.slice(1)], at });
    expect(expectSame(cache, cz, lateOptions(T('2030-01-01T00:00:00Z'))).checks.some((c) => c.message.includes('current at 2030-01-01T00:00:00.000Z'))).toBe(true);
    expectSame(cache, cz, lateOptions(T('2031-01-01T00:00:00Z')));
    expect(cache.stats.hits).toBe(2);
  });

  it('outside a certificate validity the cached success is not used (time window)', () => {
    const cache = createPathCache();
    const base = { trust: trustBoth, intermediates: [short.inter.der] };
    expect(expectSame(cache, short.leaf, { ...base, at: T('2026-03-01T00:00:00Z') }).status).toBe('valid');
    const expired = expectSame(cache, short.leaf, { ...base, at: T('2026-06-30T00:00:00.001Z') });
    expect(expired.status).toBe('invalid');
    expect(expired.code).toBe('CERT_EXPIRED');
    const early = expectSame(cache, short.leaf, { ...base, at: T('2025-12-31T23:59:59.999Z') });
    expect(early.code).toBe('CERT_NOT_YET_VALID');
    // notAfter itself is inside the validity (RFC 5280 §4.1.2.5: inclusive): valid, and not a time the cache may re-stamp.
    expect(expectSame(cache, short.leaf, { ...base, at: T('2026-06-30T00:00:00Z') }).status).toBe('valid');
    expect(expectSame(cache, short.leaf, { ...base, at: T('2026-06-29T23:59:59.999Z') }).status).toBe('valid');
    expect(cache.stats.hits).toBe(1);
  });

  it('a CRL change drops every entry: a revocation published later is seen at once', () => {
    const cache = createPathCache();
    const list: Crl[] = [...crlClean];
    const options = { trust: trustP256, intermediates: [ca.der], crls: list, requireRevocation: true, at: T('2026-01-15T00:00:00Z') };
    expect(expectSame(cache, revoked, options).status).toBe('valid');
    expect(expectSame(cache, revoked, options).status).toBe('valid');
    expect(cache.stats).toMatchObject({ hits: 1, stored: 1, crlInvalidations: 0 });
    // The caller's own array changes in place: the new CRL is seen.
    list[0] = crlRevoking[0] as Crl;
    const now = expectSame(cache, revoked, options);
    expect(now.status).toBe('invalid');
    expect(now.code).toBe('CERT_REVOKED');
    expect(cache.stats.crlInvalidations).toBe(1);
    expect(cache.size).toBe(0);
    // Back to the clean list: recomputed, never taken from before the change.
    const misses = cache.stats.misses;
    expect(expectSame(cache, revoked, { ...options, crls: crlClean }).status).toBe('valid');
    expect(cache.stats.misses).toBe(misses + 1);
    expect(cache.size).toBe(1);
  });

  it('an invalidityDate bounds the window: a success before it is not returned after it (it was, until the revocationDate)', () => {
    const cache = createPathCache();
    const listing = parseCrl(
      crlDer({
        thisUpdate: T('2026-02-02T00:00:00Z'),
        nextUpdate: T('2026-06-01T00:00:00Z'),
        entries: [{ serial: revoked.serialNumber, date: T('2026-02-01T00:00:00Z'), extensions: [reason(1), invalidityDate(T('2025-11-01T00:00:00Z'))] }],
      }),
    );
    const options = (at: Date): ValidatePathOptions => ({ trust: trustP256, intermediates: [ca.der], crls: [listing, ...crlClean.slice(1)], requireRevocation: true, at });
    expect(expectSame(cache, revoked, options(T('2025-10-01T00:00:00Z'))).status).toBe('valid');
    expect(expectSame(cache, revoked, options(T('2026-01-20T00:00:00Z'))).code).toBe('CERT_REVOKED');
  });

  it('entries validatePath skips and reports (no bytes), or lists that are not arrays, get its answer or its ARG_INVALID, never a TypeError', () => {
    const cache = createPathCache();
    const at = T('2026-01-15T00:00:00Z');
    const odd = (o: object): ValidatePathOptions => o as unknown as ValidatePathOptions;
    expect(expectSame(cache, cz, odd({ trust: trustP256, at, intermediates: [ca.der, null, {}] })).status).toBe('valid');
    expect(expectSame(cache, cz, odd({ trust: trustP256, at, intermediates: [ca.der], crls: [{}, ...crlClean] })).status).toBe('valid');
    expect(expectSame(cache, cz, odd({ trust: { anchors: [null, p256Root] }, at, intermediates: [ca.der] })).status).toBe('valid');
    for (const o of [{ trust: trustP256, at, intermediates: 'x' }, { trust: trustP256, at, crls: 'x' }]) {
      expect(() => validatePathCached(cz, odd(o), cache)).toThrow(expect.objectContaining({ code: 'ARG_INVALID' }));
    }
  });

  it('a sparse intermediates array gets validatePath\'s answer (which skips the holes), never a TypeError', () => {
    const cache = createPathCache();
    const intermediates: Uint8Array[] = [];
    intermediates[1] = ca.der;
    expect(expectSame(cache, cz, { trust: trustP256, intermediates, at: T('2026-01-15T00:00:00Z') }).status).toBe('valid');
  });

  it('a frozen trust store whose anchors accessor hands out another array is judged by the anchors it has now', () => {
    // A reloadable store: frozen, its anchors behind a getter. Removing an anchor must end the paths to it at once.
    class ReloadableTrust implements TrustStore {
      #anchors: readonly CertificateInfo[];
      constructor(anchors: readonly CertificateInfo[]) {
        this.#anchors = anchors;
        Object.freeze(this);
      }
      get anchors(): readonly CertificateInfo[] {
        return this.#anchors;
      }
      reload(anchors: readonly CertificateInfo[]): void {
        this.#anchors = anchors;
      }
    }
    const cache = createPathCache();
    const trust = new ReloadableTrust(trustP256.anchors);
    const at = T('2026-01-15T00:00:00Z');
    expect(expectSame(cache, cz, { trust, intermediates: [ca.der], at }).status).toBe('valid');
    trust.reload(trustRsa.anchors);
    expect(expectSame(cache, cz, { trust, intermediates: [ca.der], at }).code).toBe('CERT_UNTRUSTED');
    trust.reload(trustP256.anchors);
    expect(expectSame(cache, cz, { trust, intermediates: [ca.der], at }).status).toBe('valid');
  });

  it('more intermediates than validatePath reads are not keyed: no key, nor walk of the byte table, as long as the list', () => {
    const cache = createPathCache();
    const junk = Array.from({ length: MAX_INTERMEDIATES }, (_, i) => new Uint8Array([0x30, 0x02, i >> 8, i & 0xff]));
    const options = { trust: trustP256, intermediates: [ca.der, ...junk], at: T('2026-01-15T00:00:00Z') };
    expect(expectSame(cache, cz, options).status).toBe('valid');
    expect(cache.stats).toMatchObject({ hits: 0, misses: 0, stored: 0 });
    expect(cache.size).toBe(0);
  });

  it('the table of certificate bytes is bounded in bytes: distinct 64 KiB junk intermediates (a stamp carries up to 8) are not kept alive', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const cache = createPathCache();
    const at = T('2026-01-15T00:00:00Z');
    gc();
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 2000; i++) {
      const junk = new Uint8Array(64 * 1024);
      new DataView(junk.buffer).setUint32(0, i);
      validatePathCached(cz, { trust: trustP256, intermediates: [junk, ca.der], at }, cache);
    }
    gc();
    // 2,000 copies of 64 KiB were 125 MiB kept alive (8,192 would have been 512 MiB).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 2 ** 20);
    expect(expectSame(cache, cz, { trust: trustP256, intermediates: [ca.der], at }).status).toBe('valid');
  });

  it('a hand-made certificate or CRL object, even frozen, is read again: a buffer its caller refills never gets the old answer', () => {
    const cache = createPathCache();
    const at = T('2026-01-15T00:00:00Z');
    const buf = cz.der.slice();
    const leaf = Object.freeze({ der: buf }) as unknown as CertificateInfo;
    expect(expectSame(cache, leaf, { trust: trustP256, intermediates: [ca.der], at }).status).toBe('valid');
    buf[buf.length - 3] = (buf[buf.length - 3] as number) ^ 0xff; // now a certificate whose signature does not verify
    expect(expectSame(cache, leaf, { trust: trustP256, intermediates: [ca.der], at }).code).toBe('CERT_BAD_SIGNATURE');

    // Two lists of one length: one names another serial, the other the certificate.
    const other = (revoked.serialNumber.startsWith('1') ? '2' : '1') + revoked.serialNumber.slice(1);
    const listing = (serial: string): Uint8Array => crlDer({ thisUpdate: T('2026-01-01T00:00:00Z'), nextUpdate: T('2026-06-01T00:00:00Z'), entries: [{ serial, date: T('2026-01-10T00:00:00Z') }] });
    let clean = listing(other);
    let revoking = listing(revoked.serialNumber);
    while (revoking.length !== clean.length) [clean, revoking] = [listing(other), listing(revoked.serialNumber)];
    const crlBuf = clean.slice();
    const handMade = Object.freeze({ der: crlBuf }) as unknown as Crl;
    const options = { trust: trustP256, intermediates: [ca.der], crls: [handMade, ...crlClean.slice(1)], requireRevocation: true, at };
    expect(expectSame(cache, revoked, options).status).toBe('valid');
    crlBuf.set(revoking);
    expect(expectSame(cache, revoked, options).code).toBe('CERT_REVOKED');
  });

  it('a failure is never stored, and never answered by a success of another key', () => {
    const cache = createPathCache();
    const at = T('2026-01-15T00:00:00Z');
    for (let i = 0; i < 3; i++) {
      const r = expectSame(cache, revoked, { trust: trustP256, intermediates: [ca.der], crls: crlRevoking, requireRevocation: true, at });
      expect(r.code).toBe('CERT_REVOKED');
    }
    expect(cache.stats).toMatchObject({ hits: 0, misses: 3, stored: 0 });
    expect(cache.size).toBe(0);

    expect(expectSame(cache, cz, { trust: trustP256, intermediates: [ca.der], at }).status).toBe('valid');
    // Same leaf, but no intermediate, other anchors, or a usage the certificate does not allow: each fails.
    expect(expectSame(cache, cz, { trust: trustP256, at }).code).toBe('CERT_UNTRUSTED');
    expect(expectSame(cache, cz, { trust: trustRsa, intermediates: [ca.der], at }).code).toBe('CERT_UNTRUSTED');
    expect(expectSame(cache, ca, { trust: trustP256, at, usage: 'any' }).status).toBe('valid');
    expect(expectSame(cache, ca, { trust: trustP256, at, usage: 'sealer' }).code).toBe('CERT_KEY_USAGE');
    expect(cache.stats.stored).toBe(2);
  });

  it('a crafted intermediate made of two cached ones joined by any separator never hits', () => {
    const cache = createPathCache();
    const at = T('2026-01-15T00:00:00Z');
    expect(expectSame(cache, cz, { trust: trustP256, intermediates: [ca.der, short.inter.der], at }).status).toBe('valid');
    for (const sep of [[], [0x2c], [0x7c], [0x3a]]) {
      const joined = new Uint8Array([...ca.der, ...sep, ...short.inter.der]);
      expect(expectSame(cache, cz, { trust: trustP256, intermediates: [joined], at }).code).toBe('CERT_UNTRUSTED');
    }
    expect(cache.stats.hits).toBe(0);
  });

  it('after the table of certificate bytes has turned over, answers stay exact and another certificate never hits', () => {
    const cache = createPathCache();
    const at = T('2026-01-15T00:00:00Z');
    const base = { trust: trustP256, at };
    expect(expectSame(cache, cz, { ...base, intermediates: [ca.der] }).status).toBe('valid');
    // More distinct byte strings than the table keeps (8,192): each junk intermediate takes a number.
    for (let i = 0; i < 9000; i++) {
      const junk = new Uint8Array(8);
      new DataView(junk.buffer).setUint32(0, i);
      validatePathCached(cz, { ...base, intermediates: [junk, ca.der] }, cache);
    }
    const before = cache.stats.hits;
    // The same buffer refilled with another certificate's bytes: never the cached answer of the old bytes.
    const reused = new Uint8Array(ca.der);
    expect(expectSame(cache, cz, { ...base, intermediates: [reused] }).status).toBe('valid');
    const other = new Uint8Array(short.inter.der.length);
    other.set(short.inter.der);
    expect(expectSame(cache, cz, { ...base, intermediates: [other] }).code).toBe('CERT_UNTRUSTED');
    // The same bytes in another buffer find the entry made just now; another leaf does not.
    expectSame(cache, cz, { ...base, intermediates: [ca.der] });
    expect(cache.stats.hits).toBe(before + 1);
    expectSame(cache, cz.der, { ...base, intermediates: [ca.der] });
    expectSame(cache, short.leaf, { ...base, intermediates: [ca.der] });
    expectSame(cache, revoked, { ...base, intermediates: [ca.der] });
  });

  it('stays within maxEntries, and each trust store has its own default cache', () => {
    const cache = createPathCache({ maxEntries: 2 });
    const at = T('2026-01-15T00:00:00Z');
    for (const leaf of [cz, revoked, ca]) expectSame(cache, leaf, { trust: trustP256, intermediates: [ca.der], at, usage: 'any' });
    expect(cache.size).toBe(2);
    expect(pathCacheFor(trustP256)).toBe(pathCacheFor(trustP256));
    expect(pathCacheFor(trustP256)).not.toBe(pathCacheFor(trustRsa));
    expect(() => createPathCache({ maxEntries: 0 })).toThrow(expect.objectContaining({ code: 'ARG_INVALID' }));
    expect(() => validatePathCached(cz, { trust: trustP256, at }, {} as PathCache)).toThrow(expect.objectContaining({ code: 'ARG_INVALID' }));
  });
});

describe('path cache: property', () => {
  const leaves = [cz, revoked, ca, short.leaf, short.inter];
  const pools: readonly (readonly Uint8Array[])[] = [[], [ca.der], [short.inter.der], [short.inter.der, ca.der]];
  const stores: readonly TrustStore[] = [trustP256, trustRsa, trustBoth];
  const crlSets: readonly (readonly Crl[] | undefined)[] = [undefined, crlClean, crlRevoking];
  // Around every boundary of the fixtures: validity of the short leaf, the revocation date, CRL thisUpdate.
  const times = [
    '2024-12-31T23:59:59.999Z',
    '2025-01-01T00:00:00.000Z',
    '2025-05-31T23:59:59.999Z',
    '2025-06-01T00:00:00.000Z',
    '2025-06-01T00:00:00.001Z',
    '2025-12-31T23:59:59.999Z',
    '2026-01-01T00:00:00.000Z',
    '2026-03-15T08:00:00.000Z',
    '2026-06-30T00:00:00.000Z',
    '2026-06-30T00:00:00.001Z',
    '2030-01-01T00:00:00.000Z',
    '2045-01-01T00:00:00.001Z',
  ].map(T);
  const query = fc.record({
    leaf: fc.nat(leaves.length - 1),
    pool: fc.nat(pools.length - 1),
    store: fc.nat(stores.length - 1),
    crls: fc.nat(crlSets.length - 1),
    require: fc.boolean(),
    usage: fc.constantFrom('sealer' as const, 'any' as const),
    at: fc.nat(times.length - 1),
  });

  it('any sequence of queries on one cache answers exactly as validatePath', () => {
    fc.assert(
      fc.property(fc.array(query, { minLength: 1, maxLength: 16 }), (qs) => {
        const cache = createPathCache({ maxEntries: 8 });
        for (const q of qs) {
          const crls = crlSets[q.crls];
          const options: ValidatePathOptions = {
            trust: stores[q.store] as TrustStore,
            intermediates: pools[q.pool] as readonly Uint8Array[],
            at: times[q.at] as Date,
            requireRevocation: q.require,
            usage: q.usage,
            ...(crls === undefined ? {} : { crls }),
          };
          expectSame(cache, leaves[q.leaf] as CertificateInfo, options);
        }
      }),
      { numRuns: 60, seed: 6 },
    );
  });
});
