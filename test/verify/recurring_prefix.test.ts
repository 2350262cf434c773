/**
 * The verifier hashes a holder's seal object once, not in every seal and every later seal's chain: both hashing
 * hints (the SM2 digest of each `TBS_Sign`, the chain digest of each earlier `ses` stamp) are in use, and the
 * verdicts do not change.
 */
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/commands/demo.js';
import { clearRecurringPrefixes, recurringPrefixCount } from '../../src/crypto/recurring_prefix.js';
import { verifyEnvelope, type VerificationReport } from '../../src/verify/index.js';
import { parseEnvelope } from '../../src/voucher/index.js';
import { allAnchors } from './helpers.js';

const NOW = new Date('2026-01-15T02:00:00Z');
const verifyOne = async (bytes: Uint8Array): Promise<VerificationReport> =>
  (await verifyEnvelope(bytes, { trust: allAnchors(), at: new Date(NOW.getTime() + 3_600_000) }))[0] as VerificationReport;

describe('recurring seal objects', () => {
  it('remembers one state per signed structure and per earlier stamp, and verifies alike from them', async () => {
    const envelope = (await runDemo({ now: NOW, variants: ['ses'] })).vouchers[0]?.original as Uint8Array;
    const stamps = parseEnvelope(envelope).bodies[0]?.stamps ?? [];
    expect(stamps.map((s) => s.format)).toEqual(['ses', 'ses', 'ses']);
    clearRecurringPrefixes();
    expect((await verifyOne(envelope)).status).toBe('VALID');
    // Three TBS_Sign prefixes (three seal objects, for the SM2 digests) and two earlier stamps (for the chain
    // digests of the second and third seals): without either hint the count would be 2 or 3.
    expect(recurringPrefixCount('sm3')).toBe(5);
    expect((await verifyOne(envelope)).status).toBe('VALID');
    expect(recurringPrefixCount('sm3')).toBe(5);
    // A tampered seal object in the last stamp is still caught with the states remembered.
    const tampered = Uint8Array.from(envelope);
    const text = Buffer.from(tampered).toString('latin1');
    const at = text.lastIndexOf('<Stamp ');
    const b64 = text.indexOf('>', at) + 200;
    tampered[b64] = tampered[b64] === 0x41 ? 0x42 : 0x41;
    expect((await verifyOne(tampered)).status).toBe('INVALID');
  });
});
