import { describe, expect, it } from 'vitest';
import { parsePublicKey, verifyMessage } from '../../src/crypto/index.js';
import { unhex, vector } from './helpers.js';

interface RealSeals {
  tests: { name: string; spkiHex: string; messageHex: string; signatureHex: string }[];
}

/** SM2 signatures made by other implementations (a commercial seal system and ofdrw). */
describe('SM2 signatures from real seal files', () => {
  const v = vector<RealSeals>('sm2/real-seal-signatures.json');
  it('has the eight signatures', () => {
    expect(v.tests.length).toBe(8);
  });
  for (const t of v.tests) {
    it(`${t.name}: verifies under the default ID only; a flipped bit fails`, () => {
      const key = parsePublicKey(unhex(t.spkiHex));
      expect(key.kind).toBe('sm2');
      const msg = unhex(t.messageHex);
      const sig = unhex(t.signatureHex);
      expect(verifyMessage('sm2-sm3', key, msg, sig)).toBe(true);
      expect(verifyMessage('sm2-sm3', key, msg, sig, { id: new Uint8Array(0) })).toBe(false);
      const tampered = msg.slice();
      tampered[Math.floor(tampered.length / 2)] = (tampered[Math.floor(tampered.length / 2)] as number) ^ 0x01;
      expect(verifyMessage('sm2-sm3', key, tampered, sig)).toBe(false);
    });
  }
});
