/**
 * The committed demo keys open through the key providers (`pkcs12:` and `file:` URIs), sign, and the signatures
 * verify with the certificates: the PKCS#12 writer of the demo PKI and the PKCS#12 reader of `src/keys` agree.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyMessage } from '../../src/crypto/index.js';
import { openKeyProvider } from '../../src/keys/index.js';
import { DEMO_PASSWORD, parseCertificate } from '../../src/pki/index.js';
import type { DemoManifest } from '../../src/pki/index.js';

const ROOT = join(import.meta.dirname, '..', '..', 'fixtures', 'pki');

describe('demo keys through the key providers', () => {
  it('every leaf PKCS#12 and encrypted PEM key opens, signs and verifies with its certificate and chain', async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, 'manifest.json'), 'utf8')) as DemoManifest;
    const message = new TextEncoder().encode('evoucher demo key check');
    for (const r of Object.values(manifest.roles)) {
      if (r.p12 === undefined) continue;
      const cert = parseCertificate(await readFile(join(ROOT, r.cert), 'utf8'));
      for (const uri of [`pkcs12:${r.p12}`, `file:${r.key}?cert=${r.cert}`]) {
        const p = await openKeyProvider(uri, { cwd: ROOT, password: DEMO_PASSWORD });
        try {
          expect(p.algorithm, `${r.id} ${uri}`).toBe(r.algorithm);
          expect(Buffer.compare(await p.certificate(), cert.der)).toBe(0);
          if (uri.startsWith('pkcs12:')) {
            const chain = (await p.chain?.()) ?? [];
            // The intermediates of the path, without its root (the trust anchor, docs/keys.md).
            expect(chain.map((d) => parseCertificate(d).fingerprintSha256)).toEqual(r.chain.slice(0, -1).map((c) => manifest.roles[Object.keys(manifest.roles).find((id) => manifest.roles[id]?.cert === c) as string]?.fingerprintSha256));
          }
          const sig = await p.sign(message);
          expect(verifyMessage(r.algorithm, cert.publicKey, message, sig), `${r.id} ${uri}`).toBe(true);
        } finally {
          await p.close?.();
        }
      }
    }
  });
});
