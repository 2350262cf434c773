/**
 * Revocation entries and CRLs the check must not misread (src/pki/revocation.ts): removeFromCRL outside a delta
 * CRL, two entries for one serial, invalidityDate, a delta CRL that names the certificate, and lists issued
 * after the certificate expired (RFC 5280 §3.3 lets a CA drop it from them).
 */
import { describe, expect, it } from 'vitest';
import { createTrustStore, parseCrl, validatePath, type Crl, type PathResult } from '../../src/pki/index.js';
import { parseCertificate } from '../../src/pki/index.js';
import { anchor, crl, issueSealer, manifest, pkiText } from '../verify/helpers.js';
import { CA_P256, crlDer, deltaCrlIndicator, expiredCertsOnCrl, invalidityDate, reason } from './crl_der.js';

const revoked = parseCertificate(pkiText(manifest.roles['revoked-p256']?.cert ?? ''));
const AT = new Date('2026-01-20T00:00:00Z');
const d = (iso: string): Date => new Date(iso);
const list = (o: Parameters<typeof crlDer>[0]): Crl => parseCrl(crlDer(o));
const validate = (cert: typeof revoked, crls: readonly Crl[], at = AT): PathResult =>
  validatePath(cert, { trust: createTrustStore([anchor('p256')]), intermediates: [CA_P256], at, crls: [...crls, crl('p256/root.crl.pem')], requireRevocation: true });
const leafRevocation = (r: PathResult) => r.checks.find((c) => c.check === 'revocation' && c.certificate === r.chain[0]?.subject);

describe('CRL entries', () => {
  it('a removeFromCRL entry revokes nothing and never hides another entry for the serial (it hid a keyCompromise one)', () => {
    const removed = { serial: revoked.serialNumber, date: d('2025-03-01T00:00:00Z'), extensions: [reason(8)] };
    const compromised = { serial: revoked.serialNumber, date: d('2025-06-01T00:00:00Z'), extensions: [reason(1)] };
    for (const entries of [[removed, compromised], [compromised, removed]]) {
      const r = validate(revoked, [list({ thisUpdate: d('2025-12-15T00:00:00Z'), nextUpdate: d('2026-06-01T00:00:00Z'), entries })]);
      expect(r.code).toBe('CERT_REVOKED');
      expect(leafRevocation(r)?.message).toContain('revoked at 2025-06-01');
    }
    // Alone, it leaves the certificate good (taken off hold), as OpenSSL's CA and openssl verify mean it.
    expect(validate(revoked, [list({ thisUpdate: d('2025-12-15T00:00:00Z'), nextUpdate: d('2026-06-01T00:00:00Z'), entries: [removed] })]).status).toBe('valid');
  });

  it('two entries for one serial: the earlier revocation counts', () => {
    const r = validate(revoked, [
      list({ thisUpdate: d('2025-12-15T00:00:00Z'), nextUpdate: d('2026-06-01T00:00:00Z'), entries: [
        { serial: revoked.serialNumber, date: d('2026-03-01T00:00:00Z'), extensions: [reason(4)] },
        { serial: revoked.serialNumber, date: d('2025-06-01T00:00:00Z'), extensions: [reason(1)] },
      ] }),
    ]);
    expect(r.code).toBe('CERT_REVOKED');
    expect(leafRevocation(r)?.message).toContain('revoked at 2025-06-01');
  });

  it('an invalidityDate before T revokes at T although the revocationDate is after it', () => {
    const crlOf = (extensions: readonly Uint8Array[]): Crl =>
      list({ thisUpdate: d('2026-02-02T00:00:00Z'), nextUpdate: d('2026-06-01T00:00:00Z'), entries: [{ serial: revoked.serialNumber, date: d('2026-02-01T00:00:00Z'), extensions }] });
    const r = validate(revoked, [crlOf([reason(1), invalidityDate(d('2025-11-01T00:00:00Z'))])]);
    expect(r.code).toBe('CERT_REVOKED');
    expect(leafRevocation(r)?.message).toContain('compromised since 2025-11-01T00:00:00.000Z (invalidityDate)');
    // Without it, the same entry is a revocation after T: good at T.
    expect(validate(revoked, [crlOf([reason(1)])]).status).toBe('valid');
  });

  it('a delta CRL that names the certificate leaves it undecided next to a base CRL that does not', () => {
    const base = list({ thisUpdate: d('2025-05-01T00:00:00Z'), nextUpdate: d('2026-05-01T00:00:00Z'), crlNumber: 1 });
    const delta = list({ thisUpdate: d('2026-01-19T00:00:00Z'), nextUpdate: d('2026-02-19T00:00:00Z'), crlNumber: 2, extensions: [deltaCrlIndicator(1)], entries: [{ serial: revoked.serialNumber, date: d('2025-06-01T00:00:00Z'), extensions: [reason(1)] }] });
    expect(validate(revoked, [base]).status).toBe('valid');
    const r = validate(revoked, [base, delta]);
    expect(r.status).toBe('indeterminate');
    expect(leafRevocation(r)).toMatchObject({ status: 'indeterminate', code: 'CERT_REVOCATION_UNKNOWN' });
    expect(leafRevocation(r)?.message).toContain('cannot use');
    // The same delta naming a revocation after T: good at T, as a base list naming it would say.
    const later = list({ thisUpdate: d('2026-01-19T00:00:00Z'), nextUpdate: d('2026-02-19T00:00:00Z'), crlNumber: 3, extensions: [deltaCrlIndicator(1)], entries: [{ serial: revoked.serialNumber, date: d('2026-01-25T00:00:00Z'), extensions: [reason(1)] }] });
    expect(validate(revoked, [base, later]).status).toBe('valid');
  });

  it('a delta CRL whose signature does not verify is no evidence: ignored next to a base CRL, as a forged base CRL is', () => {
    const base = list({ thisUpdate: d('2025-05-01T00:00:00Z'), nextUpdate: d('2026-05-01T00:00:00Z'), crlNumber: 1 });
    const der = crlDer({ thisUpdate: d('2026-01-19T00:00:00Z'), nextUpdate: d('2026-02-19T00:00:00Z'), crlNumber: 2, extensions: [deltaCrlIndicator(1)], entries: [{ serial: revoked.serialNumber, date: d('2025-06-01T00:00:00Z'), extensions: [reason(1)] }] });
    const forged = der.slice();
    forged[forged.length - 5] = (forged[forged.length - 5] as number) ^ 0xff; // inside the signature value
    const r = validate(revoked, [base, parseCrl(forged)]);
    expect(r.status).toBe('valid');
    expect(leafRevocation(r)).toMatchObject({ status: 'passed' });
  });
});

describe('a certificate that expired before the list was issued', () => {
  const sealer = issueSealer('p256', { notAfter: d('2025-12-31T23:59:59Z') });
  const T = d('2025-12-01T08:00:00Z');

  it('a list issued after the expiry does not show it was not revoked, unless it keeps expired certificates', () => {
    const after = (extensions: readonly Uint8Array[] = []): Crl => list({ thisUpdate: d('2026-01-16T00:00:00Z'), nextUpdate: d('2026-02-16T00:00:00Z'), extensions });
    const r = validate(sealer.cert, [after()], T);
    expect(r.status).toBe('indeterminate');
    expect(leafRevocation(r)).toMatchObject({ status: 'indeterminate', code: 'CERT_REVOCATION_UNKNOWN' });
    expect(leafRevocation(r)?.message).toContain('issued after the certificate expired');
    expect(validate(sealer.cert, [after([expiredCertsOnCrl(d('2025-01-01T00:00:00Z'))])], T).status).toBe('valid');
    // ExpiredCertsOnCRL after its expiry: the list may still have dropped it.
    expect(validate(sealer.cert, [after([expiredCertsOnCrl(d('2026-01-01T00:00:00Z'))])], T).status).toBe('indeterminate');
    // A list issued before the expiry and current at T speaks of it.
    expect(validate(sealer.cert, [list({ thisUpdate: d('2025-12-20T00:00:00Z'), nextUpdate: d('2026-01-20T00:00:00Z') })], T).status).toBe('valid');
  });

  it('a list that names a revocation after T shows it was good at T, whenever it was issued', () => {
    const named = list({ thisUpdate: d('2026-01-16T00:00:00Z'), nextUpdate: d('2026-02-16T00:00:00Z'), entries: [{ serial: sealer.cert.serialNumber, date: d('2025-12-15T00:00:00Z'), extensions: [reason(1)] }] });
    const r = validate(sealer.cert, [named], T);
    expect(r.status).toBe('valid');
    expect(leafRevocation(r)?.message).toContain('revoked later, from 2025-12-15');
  });
});
