// Child of hostile_certs.test.ts (run with --expose-gc): verifies vouchers each sealed under a fresh self-made
// certificate whose names fill it (what anyone can send), with the compiled package, and prints how much heap
// stays in use after full collections: first for certificates of about 60 KiB (the most a stamp carries), then
// for certificates of about 4 KiB.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { algorithmForKey, generateKeyPair, signMessage } from '../../dist/crypto/index.js';
import { buildVoucher, createEnvelope, createVerifier, issueCertificate, loadTrustStore, sealVoucher } from '../../dist/index.js';

const root = join(import.meta.dirname, '..', '..');
const trust = await loadTrustStore(join(root, 'fixtures', 'pki', 'trust'));
const at = new Date('2026-01-20T00:00:00Z');
const data = JSON.parse(readFileSync(join(root, 'examples', '5201.json'), 'utf8'));
const unsealed = createEnvelope([buildVoucher('5201', data, { now: new Date('2025-11-30T12:00:00+08:00') })]);
const verifier = createVerifier({ trust, at });
const key = generateKeyPair('ec-p256');
const algorithm = algorithmForKey(key);
const heap = () => {
  for (let i = 0; i < 3; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
};
async function round(count, nameLength) {
  for (let i = 0; i < count; i++) {
    const cert = issueCertificate({
      subject: [['CN', `${i}-${'x'.repeat(nameLength)}`], ['OU', 'cz']],
      publicKey: key.publicKey,
      selfSignKey: key,
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2030-01-01T00:00:00Z'),
      keyUsage: ['digitalSignature', 'nonRepudiation'],
    });
    const provider = { algorithm, certificate: async () => cert.der, sign: async (d) => signMessage(algorithm, key, d) };
    const sealed = await sealVoucher(unsealed, { position: 'cz_zfzyz', key: provider, time: new Date('2026-01-10T00:00:00Z') });
    const [r] = await verifier.verify(sealed);
    if (r?.status !== 'INDETERMINATE' || !r.errors.some((e) => e.code === 'CERT_UNTRUSTED')) throw new Error(`unexpected report: ${JSON.stringify(r?.errors)}`);
  }
}
const [largeCount, smallCount] = process.argv.slice(2).map(Number);
await round(4, 10); // code compiled, ordinary caches warm
const h0 = heap();
await round(largeCount, 30000);
const h1 = heap();
await round(smallCount, 1800);
const h2 = heap();
process.stdout.write(JSON.stringify({ large: h1 - h0, small: h2 - h1 }));
