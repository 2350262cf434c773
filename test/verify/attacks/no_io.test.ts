/**
 * security.md §1.7 (core) and §3 "Network": verification does no network or file I/O beyond its inputs: no AIA
 * or CRL fetching, no reading of a path a stamp or a certificate names. Every function of the I/O modules of
 * node (files, sockets, HTTP, DNS, TLS, processes, workers) and `fetch` is wrapped to record calls; a voucher
 * with `cms` and `ses` seals is verified with CRLs, intermediates and a seal maker, by `verifyEnvelope`,
 * `createVerifier` and `verifySesSignatureOverData`, and nothing is called. A control shows the wrapping sees the
 * SDK's own file reads (`loadTrustStore`).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';

const io = vi.hoisted(() => {
  const state = { armed: false, calls: [] as string[] };
  /** The module with every function (and class) recording its calls while armed. */
  const wrap = (name: string, mod: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(mod)) {
      out[k] =
        typeof v === 'function'
          ? new Proxy(v, {
              apply(target, self, args) {
                if (state.armed) state.calls.push(`${name}.${k}`);
                return Reflect.apply(target, self, args);
              },
              construct(target, args, newTarget) {
                if (state.armed) state.calls.push(`new ${name}.${k}`);
                return Reflect.construct(target, args, newTarget);
              },
            })
          : v;
    }
    return out;
  };
  return { state, wrap };
});

for (const m of ['node:fs', 'node:fs/promises', 'node:net', 'node:http', 'node:https', 'node:http2', 'node:dns', 'node:tls', 'node:dgram', 'node:child_process', 'node:worker_threads']) {
  vi.doMock(m, async (importOriginal: () => Promise<Record<string, unknown>>) => {
    const real = await importOriginal();
    const wrapped = io.wrap(m, real);
    return real['default'] !== undefined && typeof real['default'] === 'object' ? { ...wrapped, default: io.wrap(`${m}(default)`, real['default'] as Record<string, unknown>) } : wrapped;
  });
}

let h: typeof import('../helpers.js');
let api: typeof import('../../../src/verify/index.js');
let pki: typeof import('../../../src/pki/index.js');
let sealSig: typeof import('../../../src/verify/seal_signature.js');
let ses: typeof import('../../../src/seal/ses/index.js');
let cmsEnvelope: Uint8Array;
let sesEnvelope: Uint8Array;

beforeAll(async () => {
  h = await import('../helpers.js');
  api = await import('../../../src/verify/index.js');
  pki = await import('../../../src/pki/index.js');
  sealSig = await import('../../../src/verify/seal_signature.js');
  ses = await import('../../../src/seal/ses/index.js');
  cmsEnvelope = await h.sealedReceipt('p256');
  const dwSm2 = pki.parseCertificate(h.pkiText(h.manifest.roles['dw-sm2']?.cert ?? '')).der;
  const czSm2 = pki.parseCertificate(h.pkiText(h.manifest.roles['cz-sm2']?.cert ?? '')).der;
  let e = await h.seal(h.unsealed(), 'dw_gz', 'dw-sm2', h.T(0), { format: 'ses', seal: await h.makeSealObject(h.key('maker-sm2'), [dwSm2], { esId: 'TEST-SEAL-DW' }) });
  e = await h.seal(e, 'cz_zfzyz', 'cz-sm2', h.T(10), { format: 'ses', seal: await h.makeSealObject(h.key('maker-sm2'), [czSm2]) });
  sesEnvelope = e;
});

describe('verification does no I/O beyond its inputs', () => {
  it('control: the wrapping records the SDK reading a trust store from disk', async () => {
    io.state.calls.length = 0;
    io.state.armed = true;
    try {
      await pki.loadTrustStore(join(h.PKI, 'trust'));
    } finally {
      io.state.armed = false;
    }
    expect(io.state.calls.length).toBeGreaterThan(0);
  });

  it('verifyEnvelope, createVerifier and verifySesSignatureOverData call no file, network, process or worker function, and no fetch', async () => {
    // Everything the calls need is prepared before arming: the options are inputs.
    const trust = h.allAnchors();
    const crls = [h.crl('p256/ca.crl.pem'), h.crl('p256/root.crl.pem'), h.crl('sm2/ca.crl.pem'), h.crl('sm2/root.crl.pem')];
    const intermediates = [h.pkiText('p256/ca.cert.pem'), h.pkiText('sm2/ca.cert.pem')];
    const options = { trust, at: h.AT, crls, intermediates };
    const data = new TextEncoder().encode('Signature.xml');
    const standalone = await ses.makeSesSignature({
      seal: await h.makeSealObject(h.key('maker-sm2'), [pki.parseCertificate(h.pkiText(h.manifest.roles['cz-sm2']?.cert ?? '')).der]),
      signer: h.key('cz-sm2'),
      dataHash: (await import('../../../src/crypto/index.js')).digest('sm3', data),
      propertyInfo: 'x',
      time: h.T(10),
    });
    const realFetch = globalThis.fetch;
    const fetchCalls: unknown[] = [];
    globalThis.fetch = (async (...args: unknown[]) => {
      fetchCalls.push(args);
      throw new Error('no network during verification');
    }) as typeof fetch;
    io.state.calls.length = 0;
    io.state.armed = true;
    let statuses: string[];
    try {
      const a = await api.verifyEnvelope(cmsEnvelope, options);
      const b = await api.createVerifier(options).verify(sesEnvelope);
      const c = await sealSig.verifySesSignatureOverData(standalone, data, options);
      statuses = [...a, ...b].map((r) => r.status).concat(c.status);
    } finally {
      io.state.armed = false;
      globalThis.fetch = realFetch;
    }
    expect(io.state.calls).toEqual([]);
    expect(fetchCalls).toEqual([]);
    // The verdicts were really reached (revocation was checked against the given CRLs, not fetched).
    expect(statuses).toEqual(['VALID', 'VALID', 'VALID']);
  });
});
