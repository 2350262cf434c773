/**
 * The one PEM reader (src/encoding/pem.ts): what a block is, and that its three users (the key importer in
 * crypto, key files in keys, certificates and trust bundles in pki) read every text alike, each refusing a
 * malformed block under its own code.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importPrivateKey } from '../../src/crypto/keys.js';
import { encodePem, nextPemBegin, pemText, pemTextStart, readPem } from '../../src/encoding/pem.js';
import { isEvoucherError } from '../../src/errors.js';
import { readPemBlocks } from '../../src/keys/software/pem.js';
import { decodePemBlocks } from '../../src/pki/index.js';

const certPem = readFileSync(new URL('../../fixtures/pki/p256/ca.cert.pem', import.meta.url), 'latin1');
const keyDer = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' });
const keyPem = encodePem('PRIVATE KEY', new Uint8Array(keyDer));

/** The code each user throws for `text`, or 'OK'. */
function codes(text: string): { pki: string; keys: string; crypto: string } {
  const code = (f: () => unknown): string => {
    try {
      f();
      return 'OK';
    } catch (e) {
      return isEvoucherError(e) ? e.code : `RAW ${String(e)}`;
    }
  };
  return {
    pki: code(() => decodePemBlocks(text, 'CERT_MALFORMED')),
    keys: code(() => readPemBlocks(text)),
    crypto: code(() => importPrivateKey(text)),
  };
}

describe('readPem', () => {
  it('reads blocks with explanatory text before, between and after them, and writes what it reads', () => {
    const text = `Bag Attributes\n    friendlyName: finance\nsubject=/CN=x\n${keyPem}\nsee -----BEGIN NOTHING----- here\n${certPem}trailing words\n`;
    const blocks = readPem(text, { code: 'CERT_MALFORMED' });
    expect(blocks.map((b) => [b.label, b.headers])).toEqual([
      ['PRIVATE KEY', false],
      ['CERTIFICATE', false],
    ]);
    expect(Buffer.from(blocks[0]?.der ?? []).equals(keyDer)).toBe(true);
    expect(encodePem('CERTIFICATE', blocks[1]?.der ?? new Uint8Array()).trim()).toBe(certPem.trim());
    // The three users see the same blocks.
    expect(readPemBlocks(text).map((b) => b.label)).toEqual(['PRIVATE KEY', 'CERTIFICATE']);
    expect(decodePemBlocks(text, 'CERT_MALFORMED').map((b) => b.label)).toEqual(['PRIVATE KEY', 'CERTIFICATE']);
    expect(importPrivateKey(text).kind).toBe('ec-p256');
    expect(readPem('no blocks at all', { code: 'CERT_MALFORMED' })).toEqual([]);
  });

  it('a BEGIN opens a block only at the start of a line (after blanks); text before the first block must be text', () => {
    expect(nextPemBegin('a -----BEGIN X-----\n\t -----BEGIN Y-----', 0)).toBe(22);
    expect(pemTextStart('text\r\n-----BEGIN A-----')).toBe(6);
    expect(pemTextStart('\u0001\n-----BEGIN A-----')).toBe(-1);
    expect(pemText(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]))).toBeUndefined();
    expect(pemText(new TextEncoder().encode(`x\n${certPem}`))).toBe(`x\n${certPem}`);
  });

  const malformed: [string, string][] = [
    ['a block without its END line', `${certPem}-----BEGIN CERTIFICATE-----\nAAAA\n`],
    ['an END line naming another label', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END CERTIFICATE-----\n'],
    ['a BEGIN line without a valid label', '-----BEGIN -----\nAAAA\n-----END -----\n'],
    ['a label with a dash', '-----BEGIN PRIVATE-KEY-----\nAAAA\n-----END PRIVATE-KEY-----\n'],
    ['bad base64', keyPem.replace(/\n([A-Za-z0-9+/]{4})/u, '\n!!!!')],
    ['base64 of a wrong length', keyPem.replace(/\n([A-Za-z0-9+/])/u, '\n')],
    ['an empty body', '-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n'],
  ];
  for (const [what, text] of malformed) {
    it(`${what}: refused by every user, each under its own code`, () => {
      expect(codes(text)).toEqual({ pki: 'CERT_MALFORMED', keys: 'KEY_FORMAT_UNSUPPORTED', crypto: 'CRYPTO_KEY_INVALID' });
      expect(() => readPem(text, { code: 'CRL_MALFORMED' })).toThrow(expect.objectContaining({ code: 'CRL_MALFORMED' }));
    });
  }

  it('RFC 1421 headers are set aside and reported: legacy encrypted keys are refused by name, certificates with headers refused', () => {
    const legacy = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'sec1', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    const [block] = readPem(legacy, { code: 'CRYPTO_KEY_INVALID' });
    expect(block?.headers).toBe(true);
    expect(block?.label).toBe('EC PRIVATE KEY');
    expect(codes(legacy)).toEqual({ pki: 'CERT_MALFORMED', keys: 'OK', crypto: 'KEY_FORMAT_UNSUPPORTED' });
    expect(() => decodePemBlocks(legacy, 'CERT_MALFORMED')).toThrow(/header lines/);
  });

  it('bounds the number of blocks when asked (key files: 64)', () => {
    const many = certPem.repeat(65);
    expect(readPem(many, { code: 'CERT_MALFORMED' })).toHaveLength(65);
    expect(() => readPem(many, { code: 'CERT_MALFORMED', maxBlocks: 64 })).toThrow(/more than 64/);
    expect(() => readPemBlocks(many)).toThrow(expect.objectContaining({ code: 'KEY_FORMAT_UNSUPPORTED' }));
  });

  it('stays linear on hostile text (a lazy regular expression took hours at 16 MiB)', () => {
    const hostile = [
      '-----BEGIN CERTIFICATE-----\nAAAA\n'.repeat(100_000),
      'x -----BEGIN '.repeat(300_000),
      `-----BEGIN CERTIFICATE-----\n${'AAAA\n'.repeat(600_000)}`,
    ];
    const started = Date.now();
    for (const text of hostile) {
      try {
        readPem(text, { code: 'CERT_MALFORMED' });
      } catch (e) {
        expect(isEvoucherError(e, 'CERT_MALFORMED')).toBe(true);
      }
    }
    // Tens of ms here; the bound only catches a quadratic scan (hours on these inputs).
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
