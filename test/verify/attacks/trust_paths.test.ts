/**
 * security.md §1.13 ("an intermediate without cA/keyCertSign ⇒ INVALID") and §3 ("embedded certificates count
 * only as intermediates"), through the verifier: the stamp carries the path, and a certificate in it that may not
 * issue certificates breaks it whatever its own validity (test/pki/chain.test.ts has the validatePath units).
 * - A genuine sealer (a leaf under the anchors) used as a CA for a forged sealer → CERT_NOT_CA.
 * - A sub-CA made by the genuine demo CA with cA but without keyCertSign → CERT_KEY_USAGE at the chain check.
 * Both forged sealers name the right party, so nothing else fails: the chain check alone refuses them.
 */
import { describe, expect, it } from 'vitest';
import { generateKeyPair, importPrivateKey } from '../../../src/crypto/index.js';
import { issueCertificate, parseCertificate } from '../../../src/pki/index.js';
import { craftStamp, failures, manifest, pkiText, providerFor, seal, T, unsealed, verifyOne } from '../helpers.js';

const window = { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') };
const czSubject = (cn: string): [string, string][] => [['C', 'CN'], ['O', 'Forged'], ['OU', 'cz'], ['organizationIdentifier', 'cz:110101'], ['CN', cn]];

function role(id: string): { cert: ReturnType<typeof parseCertificate>; key: ReturnType<typeof importPrivateKey> } {
  const r = manifest.roles[id];
  if (r === undefined) throw new Error(`no role ${id}`);
  return { cert: parseCertificate(pkiText(r.cert)), key: importPrivateKey(pkiText(r.key), { password: manifest.password }) };
}

describe('a certificate in the path that may not issue certificates', () => {
  it('a genuine sealer certificate (not a CA) issuing a forged sealer, carried in the stamp → INVALID, CERT_NOT_CA', async () => {
    const genuine = role('cz-p256');
    const ca = role('ca-p256');
    const k = generateKeyPair('ec-p256');
    const forged = issueCertificate({ subject: czSubject('Sealer issued by a sealer'), publicKey: k.publicKey, issuer: { certificate: genuine.cert, key: genuine.key }, keyUsage: ['digitalSignature', 'nonRepudiation'], ...window });
    const provider = providerFor(k, forged, [genuine.cert.der, ca.cert.der]);
    const e = await craftStamp(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), { position: 'cz_zfzyz', sequence: 2, provider, time: T(10) });
    const r = await verifyOne(e);
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].chain:CERT_NOT_CA']);
    expect(r.seals[1]?.checks.find((c) => c.check === 'signature')?.status).toBe('passed');
  });

  it('a sub-CA with cA but without keyCertSign, issued by the genuine demo CA → INVALID, CERT_KEY_USAGE on the chain', async () => {
    const ca = role('ca-p256');
    const subKey = generateKeyPair('ec-p256');
    const sub = issueCertificate({ subject: [['C', 'CN'], ['O', 'Forged'], ['CN', 'Sub-CA without keyCertSign']], publicKey: subKey.publicKey, issuer: { certificate: ca.cert, key: ca.key }, ca: true, keyUsage: ['digitalSignature'], ...window });
    const k = generateKeyPair('ec-p256');
    const leaf = issueCertificate({ subject: czSubject('Sealer under a sub-CA'), publicKey: k.publicKey, issuer: { certificate: sub, key: subKey }, keyUsage: ['digitalSignature', 'nonRepudiation'], ...window });
    const e = await craftStamp(await seal(unsealed(), 'dw_gz', 'dw-p256', T(0)), { position: 'cz_zfzyz', sequence: 2, provider: providerFor(k, leaf, [sub.der, ca.cert.der]), time: T(10) });
    const r = await verifyOne(e);
    expect(r.status).toBe('INVALID');
    expect(failures(r)).toEqual(['seals[1].chain:CERT_KEY_USAGE']);
  });
});
