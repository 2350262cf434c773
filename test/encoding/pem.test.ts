/**
 * The one PEM reader (src/encoding/pem.ts): what a block is, and that its three users (the key importer in
 * crypto, key files in keys, certificates and trust bundles in pki) read every text alike, each refusing a
 * malformed block under its own code.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importPrivateKey, parsePublicKey } from '../../src/crypto/keys.js';
import { encodePem, nextPemBegin, pemText, pemTextStart, readPem } from '../../src/encoding/pem.js';
import { isEvoucherError } from '../../src/errors.js';
import { openSoftwareKey } from '../../src/keys/index.js';
import { readCertificates, readPemBlocks } from '../../src/keys/software/pem.js';
import { createTrustStore, decodePemBlocks, loadTrustStore, parseCertificate } from '../../src/pki/index.js';

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

  it('a UTF-8 byte-order mark before the first line is part of no line (OpenSSL reads such files; they were taken for DER)', async () => {
    const subject = parseCertificate(certPem).subject;
    for (const input of [`\uFEFF${certPem}`, new Uint8Array(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(certPem, 'latin1')]))]) {
      expect(parseCertificate(input).subject).toBe(subject);
      expect(createTrustStore([input]).anchors).toHaveLength(1);
    }
    expect(importPrivateKey(`\uFEFF${keyPem}`).kind).toBe('ec-p256');
    expect(importPrivateKey(new Uint8Array(Buffer.from(`\xef\xbb\xbf${keyPem}`, 'latin1'))).kind).toBe('ec-p256');
    const dir = await mkdtemp(join(tmpdir(), 'evoucher-pem-bom-'));
    try {
      await writeFile(join(dir, 'bom.pem'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(certPem, 'latin1')]));
      expect((await loadTrustStore(join(dir, 'bom.pem'))).anchors).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // Only at the very start: a mark inside the text is text.
    expect(nextPemBegin(`x\n\uFEFF${certPem}`, 0)).toBe(-1);
  });

  it('header lines: refused in every block a user takes (certificate, public key), ignored in blocks it does not take', () => {
    const withHeader = certPem.replace('-----BEGIN CERTIFICATE-----\n', '-----BEGIN CERTIFICATE-----\nComment: x\n\n');
    expect(() => parseCertificate(withHeader)).toThrow(expect.objectContaining({ code: 'CERT_MALFORMED', message: expect.stringMatching(/header lines/) }));
    expect(() => readCertificates(withHeader)).toThrow(expect.objectContaining({ code: 'KEY_FORMAT_UNSUPPORTED', message: expect.stringMatching(/header lines/) }));
    expect(() => openSoftwareKey({ key: keyPem, certificate: withHeader })).toThrow(expect.objectContaining({ code: 'KEY_FORMAT_UNSUPPORTED' }));
    const spki = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }) as string;
    expect(parsePublicKey(spki).kind).toBe('ec-p256');
    const spkiHeader = spki.replace('-----BEGIN PUBLIC KEY-----\n', '-----BEGIN PUBLIC KEY-----\nProc-Type: 4,ENCRYPTED\n\n');
    expect(() => parsePublicKey(spkiHeader)).toThrow(expect.objectContaining({ code: 'CRYPTO_KEY_INVALID', message: expect.stringMatching(/header lines/) }));
    // A certificate next to a legacy encrypted key: the certificate is read (it used to be refused for the key's headers).
    const legacy = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'sec1', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    expect(parseCertificate(certPem + legacy).subject).toBe(parseCertificate(certPem).subject);
    expect(createTrustStore([certPem + legacy]).anchors).toHaveLength(1);
  });

  it("OpenSSL's TRUSTED CERTIFICATE is refused where certificates are read, not skipped (a bundle lost that anchor silently)", () => {
    const trusted = certPem.replaceAll('CERTIFICATE-----', 'TRUSTED CERTIFICATE-----');
    const otherPem = readFileSync(new URL('../../fixtures/pki/rsa/ca.cert.pem', import.meta.url), 'latin1');
    const bundle = otherPem + trusted;
    expect(() => createTrustStore([bundle])).toThrow(expect.objectContaining({ code: 'CERT_MALFORMED', message: expect.stringMatching(/TRUSTED CERTIFICATE/) }));
    expect(() => parseCertificate(trusted)).toThrow(expect.objectContaining({ code: 'CERT_MALFORMED', message: expect.stringMatching(/TRUSTED CERTIFICATE/) }));
    expect(() => readCertificates(bundle)).toThrow(expect.objectContaining({ code: 'KEY_FORMAT_UNSUPPORTED', message: expect.stringMatching(/TRUSTED CERTIFICATE/) }));
    // Read as blocks, it is one like any other.
    expect(decodePemBlocks(bundle, 'CERT_MALFORMED').map((b) => b.label)).toEqual(['CERTIFICATE', 'TRUSTED CERTIFICATE']);
  });

  it('X509 CERTIFICATE (an older label) is a certificate everywhere, trust stores included', () => {
    const old = certPem.replaceAll('CERTIFICATE-----', 'X509 CERTIFICATE-----');
    expect(createTrustStore([old]).anchors).toHaveLength(1);
    expect(parseCertificate(old).subject).toBe(parseCertificate(certPem).subject);
    expect(readCertificates(old)).toHaveLength(1);
  });

  it('misuse from JavaScript is ARG_INVALID, never a TypeError or a wrong reading', () => {
    const bad: (() => unknown)[] = [
      () => readPem(new Uint8Array(Buffer.from(certPem)) as unknown as string, { code: 'CERT_MALFORMED' }),
      () => readPem(Buffer.from(certPem) as unknown as string, { code: 'CERT_MALFORMED' }),
      () => readPem(undefined as unknown as string, { code: 'CERT_MALFORMED' }),
      () => readPem(certPem, undefined as never),
      () => readPem('-----BEGIN A-----\n', {} as never),
      () => pemText(undefined as never),
      () => pemTextStart(null as never),
      () => encodePem('A-----B', new Uint8Array([1])),
      () => encodePem('CERTIFICATE', new Uint8Array()),
      () => readPemBlocks(undefined as never),
      () => decodePemBlocks(undefined as never, 'CERT_MALFORMED'),
      () => openSoftwareKey({ key: 123 as never, certificate: certPem }),
    ];
    for (const f of bad) expect(f).toThrow(expect.objectContaining({ code: 'ARG_INVALID' }));
  });
});
