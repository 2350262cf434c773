/**
 * The committed demo PKI (`fixtures/pki/`, made by `evoucher pki demo`): consistent with its manifest and README,
 * and every certificate in it validates (or is revoked) as the manifest says, at a pinned time.
 */
import { spawnSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_ORGANIZATIONS,
  DEMO_PASSWORD,
  checkCertificateBinding,
  loadTrustStore,
  parseCertificate,
  parseCrl,
  validatePath,
} from '../../src/pki/index.js';
import type { DemoManifest, TrustStore } from '../../src/pki/index.js';

const ROOT = join(import.meta.dirname, '..', '..', 'fixtures', 'pki');
const AT = new Date('2026-06-01T00:00:00Z');
let manifest: DemoManifest;
let trust: TrustStore;
const read = (p: string): Promise<string> => readFile(join(ROOT, p), 'utf8');

beforeAll(async () => {
  manifest = JSON.parse(await read('manifest.json')) as DemoManifest;
  trust = await loadTrustStore(join(ROOT, 'trust'));
});

describe('fixtures/pki', () => {
  it('has a README that warns, gives the password and lists every file and role', async () => {
    const readme = await read('README.md');
    expect(readme.toLowerCase()).toContain('test-only keys, never use in production');
    expect(readme).toContain(`\`${DEMO_PASSWORD}\``);
    const walk = async (d: string): Promise<string[]> =>
      (await Promise.all((await readdir(join(ROOT, d), { withFileTypes: true })).map((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)])))).flat();
    const files = await walk('');
    expect(files.length).toBeGreaterThan(70);
    for (const f of files) expect(readme, f).toContain('`' + f + '`');
    for (const id of Object.keys(manifest.roles)) expect(readme).toContain('`' + id + '`');
    expect(trust.anchors).toHaveLength(3);
  });

  it('matches its manifest: subjects, serials, fingerprints, parties and organisations', async () => {
    for (const r of Object.values(manifest.roles)) {
      const c = parseCertificate(await read(r.cert));
      expect({ s: c.subject, n: c.serialNumber, f: c.fingerprintSha256, p: c.party, o: c.organizationIdentifier }).toEqual({
        s: r.subject,
        n: r.serialNumber,
        f: r.fingerprintSha256,
        p: r.party,
        o: r.organizationIdentifier,
      });
      if (r.kind === 'sealer' && r.party !== undefined) {
        expect(checkCertificateBinding(c, { party: r.party, organizationIdentifiers: [DEMO_ORGANIZATIONS[r.party]], fingerprintsSha256: [r.fingerprintSha256] }).status).toBe('passed');
      }
    }
  });

  it('every maker and sealer validates with revocation required; the revoked ones are CERT_REVOKED', async () => {
    for (const r of Object.values(manifest.roles)) {
      if (r.kind !== 'maker' && r.kind !== 'sealer') continue;
      const intermediates = await Promise.all(r.chain.map(async (p) => parseCertificate(await read(p)).der));
      const crls = await Promise.all(manifest.crls.filter((c) => c.file.startsWith(`${r.family}/`)).map(async (c) => parseCrl(await read(c.file))));
      const res = validatePath(parseCertificate(await read(r.cert)), { trust, intermediates, crls, at: AT, requireRevocation: true, usage: r.kind });
      if (r.revoked === true) expect(res.code, r.id).toBe('CERT_REVOKED');
      else expect(res.status, `${r.id}: ${res.message}`).toBe('valid');
    }
  });

  it('openssl verify accepts the committed P-256 and RSA sealer chains', () => {
    for (const f of ['p256', 'rsa']) {
      const r = spawnSync('openssl', ['verify', '-attime', String(AT.getTime() / 1000), '-CAfile', `trust/${f}-root.cert.pem`, '-untrusted', `${f}/ca.cert.pem`, `${f}/cz.cert.pem`, `${f}/maker.cert.pem`], { cwd: ROOT, encoding: 'utf8' });
      expect(r.stdout).toContain(`${f}/cz.cert.pem: OK`);
      expect(r.stdout).toContain(`${f}/maker.cert.pem: OK`);
    }
  });
});
