/** PEM reading (src/pki/pem.ts): explanatory text around blocks (RFC 7468 §5.2), and hostile PEM in linear time. */
import { describe, expect, it } from 'vitest';
import { decodePemBlocks, loadTrustStore, parseCertificate } from '../../src/pki/index.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anchor } from '../verify/helpers.js';

describe('PEM', () => {
  it('reads certificates with explanatory text before and between the blocks (openssl x509 -text, Bag Attributes)', async () => {
    const pem = anchor('p256');
    const text = `Certificate:\n    Data:\n        Version: 3 (0x2)\n${pem}Bag Attributes\n    friendlyName: root\n${anchor('rsa')}`;
    expect(decodePemBlocks(text, 'CERT_MALFORMED').map((b) => b.label)).toEqual(['CERTIFICATE', 'CERTIFICATE']);
    const one = `Certificate:\n    Data:\n        Version: 3 (0x2)\n${pem}`;
    expect(parseCertificate(new Uint8Array(Buffer.from(one, 'latin1'))).subject).toBe(parseCertificate(pem).subject);
    const dir = await mkdtemp(join(tmpdir(), 'evoucher-pem-'));
    try {
      await writeFile(join(dir, 'bundle.pem'), text);
      expect((await loadTrustStore(join(dir, 'bundle.pem'))).anchors).toHaveLength(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a BEGIN inside a line of text opens no block (RFC 7468 boundaries are lines; openssl x509 reads it alike)', () => {
    const pem = anchor('p256');
    const prose = 'Paste it between -----BEGIN CERTIFICATE----- and -----END CERTIFICATE----- lines, like this:\n';
    expect(decodePemBlocks(prose + pem, 'CERT_MALFORMED').map((b) => b.label)).toEqual(['CERTIFICATE']);
    expect(parseCertificate(new Uint8Array(Buffer.from(prose + pem, 'latin1'))).subject).toBe(parseCertificate(pem).subject);
    expect(decodePemBlocks(`note: -----BEGIN ???-----\n${pem}`, 'CERT_MALFORMED')).toHaveLength(1);
  });

  it('refuses BEGIN lines without an END at once (a regular expression took time quadratic in them)', () => {
    const hostile = '-----BEGIN CERTIFICATE-----\nAAAA\n'.repeat(30_000);
    expect(() => decodePemBlocks(hostile, 'CERT_MALFORMED')).toThrow(expect.objectContaining({ code: 'CERT_MALFORMED' }));
    expect(() => decodePemBlocks(`${anchor('p256')}-----BEGIN CERTIFICATE-----\nAAAA\n`, 'CERT_MALFORMED')).toThrow(/no END line/);
    expect(() => decodePemBlocks('-----BEGIN CERTIFICATE-----\nAAAA\n-----END X509 CRL-----\n', 'CERT_MALFORMED')).toThrow(/END line names 'X509 CRL', not 'CERTIFICATE'/);
  });
});
