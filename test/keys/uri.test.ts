import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePkcs11UriValue, MAX_KEY_URI_LENGTH, openKeyProvider, parseKeyUri } from '../../src/keys/index.js';
import type { Pkcs11KeyUri } from '../../src/keys/index.js';
import { thrownCode } from '../helpers/codes.js';

function errorOf(f: () => unknown): Error & { code?: string; detail?: Record<string, string> } {
  try {
    f();
  } catch (e) {
    return e as Error & { code?: string; detail?: Record<string, string> };
  }
  throw new Error('expected an error');
}

function p11(uri: string): Pkcs11KeyUri {
  const parsed = parseKeyUri(uri);
  if (parsed.scheme !== 'pkcs11') throw new Error('not pkcs11');
  return parsed;
}

describe('pkcs11: URIs (RFC 7512)', () => {
  it('parses the RFC 7512 §3 example with percent-decoding, an id of raw bytes and an empty serial', () => {
    const u = p11(
      'pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=?pin-source=file:/etc/token_pin',
    );
    expect(u.token).toBe('The Software PKCS#11 Softtoken');
    expect(u.manufacturer).toBe('Snake Oil, Inc.');
    expect(u.model).toBe('1.0');
    expect(u.object).toBe('my-certificate');
    expect(u.type).toBe('cert');
    expect(Buffer.from(u.id as Uint8Array).toString('hex')).toBe('69953e5cf4bdec91');
    expect(u.serial).toBe('');
    expect(u.pinSource).toBe('file:/etc/token_pin');
  });

  it('parses the design.md example', () => {
    const u = p11('pkcs11:token=evoucher;object=finance?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/secrets/pin');
    expect(u).toMatchObject({ token: 'evoucher', object: 'finance', modulePath: '/usr/lib/softhsm/libsofthsm2.so', pinSource: 'file:/run/secrets/pin' });
  });

  it('decodes UTF-8 labels and the library, slot and vendor attributes', () => {
    const u = p11(
      'pkcs11:token=%E8%B4%A2%E6%94%BF;library-manufacturer=SoftHSM%20project;library-version=2.6;slot-id=7;slot-description=x;slot-manufacturer=y;library-description=z?module-name=softhsm2&x-sm2-mechanism=0x80000101',
    );
    expect(u.token).toBe('财政');
    expect(u.libraryVersion).toEqual({ major: 2, minor: 6 });
    expect(u.slotId).toBe(7);
    expect(u.moduleName).toBe('softhsm2');
    expect(u.sm2Mechanism).toBe(0x80000101);
    expect(p11('pkcs11:object=a?x-sm2-mechanism=2147483905').sm2Mechanism).toBe(0x80000101);
  });

  it.each([
    ['unknown path attribute', 'pkcs11:token=a;colour=blue'],
    ['unknown query attribute', 'pkcs11:token=a?pin-file=/x'],
    ['vendor attribute we do not know', 'pkcs11:token=a;x-foo=1'],
    ['repeated attribute', 'pkcs11:token=a;token=b'],
    ['attribute without =', 'pkcs11:token'],
    ['bad percent escape', 'pkcs11:token=%G1'],
    ['truncated percent escape', 'pkcs11:token=ab%2'],
    ['raw space', 'pkcs11:token=my token'],
    ['raw slash in the path', 'pkcs11:object=a/b'],
    ['raw ; in the query', 'pkcs11:object=a?module-path=/x;y'],
    ['invalid UTF-8', 'pkcs11:token=%FF%FE'],
    ['type=public', 'pkcs11:object=a;type=public'],
    ['slot-id not a number', 'pkcs11:slot-id=abc'],
    ['library-version malformed', 'pkcs11:library-version=v2'],
    ['bad x-sm2-mechanism', 'pkcs11:object=a?x-sm2-mechanism=sm2'],
    ['pin-value with pin-source', 'pkcs11:object=a?pin-value=1&pin-source=/x'],
    ['module-path with module-name', 'pkcs11:object=a?module-path=/x&module-name=y'],
    ['empty module-path', 'pkcs11:object=a?module-path='],
    ['fragment', 'pkcs11:object=a#frag'],
  ])('refuses %s with KEY_URI_INVALID', (_name, uri) => {
    expect(thrownCode(() => parseKeyUri(uri))).toBe('KEY_URI_INVALID');
  });

  it('names the offending attribute but never a value', () => {
    const e = errorOf(() => parseKeyUri('pkcs11:token=a;colour=blue'));
    expect(e.detail?.['attribute']).toBe('colour');
    expect(e.message + JSON.stringify(e.detail)).not.toContain('blue');
  });

  it('keeps pin-value out of JSON, inspection and every error', () => {
    const u = p11('pkcs11:token=t;object=o?pin-value=S3cr3t-9472');
    expect(u.pinValue).toBe('S3cr3t-9472');
    expect(JSON.stringify(u)).not.toContain('S3cr3t');
    expect(inspect(u, { depth: 5 })).not.toContain('S3cr3t');
    for (const bad of [
      'pkcs11:token=t;bogus=1?pin-value=S3cr3t-9472',
      'pkcs11:token=t?pin-value=S3cr3t-9472&pin-value=S3cr3t-9472',
      'pkcs11:token=t?pin-value=S3cr3t-9472%ZZ',
      'pkcs11:token=t?pin-value=S3cr3t-9472&pin-source=/x',
      'pkcs11:token=t?pin-value=S3cr3t-9472&mystery=S3cr3t-9472',
    ]) {
      const e = errorOf(() => parseKeyUri(bad));
      expect(e.code).toBe('KEY_URI_INVALID');
      expect(`${e.message} ${JSON.stringify(e.detail)} ${e.stack ?? ''}`).not.toContain('S3cr3t');
    }
  });

  it('encodes values so that they decode back (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.uint8Array({ minLength: 1, maxLength: 40 }), (label, id) => {
        const u = p11(`pkcs11:token=${encodePkcs11UriValue(label)};id=${encodePkcs11UriValue(id)}?module-path=${encodePkcs11UriValue('/a b/c.so')}`);
        expect(u.token).toBe(label);
        expect(Buffer.from(u.id as Uint8Array).equals(Buffer.from(id))).toBe(true);
        expect(u.modulePath).toBe('/a b/c.so');
      }),
    );
  });
});

describe('file: and pkcs12: URIs', () => {
  it('parses relative and absolute forms', () => {
    expect(parseKeyUri('file:keys/k.pem?cert=keys/c.pem')).toEqual({ scheme: 'file', keyPath: 'keys/k.pem', certPath: 'keys/c.pem', chainPaths: [] });
    expect(parseKeyUri('file:///etc/k.pem?cert=/etc/c.pem&chain=a.pem&chain=b.pem&password-source=file:pw')).toEqual({
      scheme: 'file',
      keyPath: '/etc/k.pem',
      certPath: '/etc/c.pem',
      chainPaths: ['a.pem', 'b.pem'],
      passwordSource: 'file:pw',
    });
    expect(parseKeyUri('file://localhost/k.pem')).toMatchObject({ keyPath: '/k.pem' });
    expect(parseKeyUri('file:my%20key.pem')).toMatchObject({ keyPath: 'my key.pem' });
    expect(parseKeyUri('pkcs12:finance.p12?password-source=file:/run/secrets/p12')).toEqual({
      scheme: 'pkcs12',
      path: 'finance.p12',
      passwordSource: 'file:/run/secrets/p12',
    });
  });

  it.each([
    ['unknown scheme', 'pem:k.pem'],
    ['no scheme', 'k.pem'],
    ['empty', ''],
    ['remote host', 'file://example.com/k.pem'],
    ['unknown parameter', 'file:k.pem?certificate=c.pem'],
    ['repeated cert', 'file:k.pem?cert=a&cert=b'],
    ['pkcs12 with cert=', 'pkcs12:a.p12?cert=c.pem'],
    ['empty path', 'pkcs12:?password-source=x'],
    ['control character', 'file:k.pem\n?cert=c'],
    ['too long', `file:${'a'.repeat(MAX_KEY_URI_LENGTH)}`],
  ])('refuses %s with KEY_URI_INVALID', (_name, uri) => {
    expect(thrownCode(() => parseKeyUri(uri))).toBe('KEY_URI_INVALID');
  });

  it('refuses a secret source that is not a file', async () => {
    for (const src of ['https://example.com/pw', '|/bin/echo', 'env:X']) {
      await expect(openKeyProvider(`pkcs12:x.p12?password-source=${encodeURIComponent(src)}`, { cwd: '/nonexistent' })).rejects.toMatchObject({
        code: 'KEY_URI_INVALID',
      });
    }
  });

  it('asks for a module when a pkcs11 URI names none', async () => {
    await expect(openKeyProvider('pkcs11:token=t;object=o?pin-value=1234', { env: {} })).rejects.toMatchObject({ code: 'KEY_URI_INVALID' });
  });
});
