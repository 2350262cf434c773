/**
 * `chain()` of a PKCS#12 file hands out the intermediates of the signer's path, whichever same-named certificate
 * is listed first: a renewed CA (same subject, new key), a cross-certified CA (same subject and key, two
 * issuers) and a root key-update link certificate (self-issued, not self-signed) are all on a path a verifier
 * may build, and the file's self-signed root and unrelated certificates are still left out. A software key's
 * `chain=` certificates are chosen the same way (intermediatesOf).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPkcs12, openSoftwareKey, readPkcs12 } from '../../src/keys/index.js';
import { createTrustStore, validatePath } from '../../src/pki/index.js';
import { openssl, pemToDer, TEST_PASSWORD } from './fixtures.js';

let dir: string;
const file = (n: string): string => join(dir, n);
const der = async (n: string): Promise<Uint8Array> => pemToDer(await readFile(file(`${n}.cert.pem`), 'utf8'));
const hex = (d: Uint8Array): string => Buffer.from(d).toString('hex');

async function key(n: string): Promise<void> {
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(`${n}.key.pem`)]);
}
async function root(n: string, subj: string, keyName = n): Promise<void> {
  await openssl(['req', '-x509', '-new', '-key', file(`${keyName}.key.pem`), '-sha256', '-subj', subj, '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', file(`${n}.cert.pem`)]);
}
/** Certificate `n` for the key `keyName` with subject `subj`, issued by certificate `issuer` with key `issuerKey`. */
async function issue(n: string, subj: string, keyName: string, issuer: string, issuerKey: string, ca: boolean): Promise<void> {
  await openssl(['req', '-new', '-key', file(`${keyName}.key.pem`), '-subj', subj, '-out', file(`${n}.csr`)]);
  await writeFile(file(`${n}.ext`), ca
    ? 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n'
    : 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  await openssl(['x509', '-req', '-in', file(`${n}.csr`), '-CA', file(`${issuer}.cert.pem`), '-CAkey', file(`${issuerKey}.key.pem`), '-CAcreateserial', '-sha256', '-days', '30', '-extfile', file(`${n}.ext`), '-out', file(`${n}.cert.pem`)]);
}
/** As {@link issue}, a CA certificate whose subject is written as PrintableString where OpenSSL writes UTF8String. */
async function issuePrintable(n: string, subj: string, keyName: string, issuer: string, issuerKey: string): Promise<void> {
  await writeFile(file(`${n}.cnf`), '[req]\ndistinguished_name=dn\nstring_mask=default\n[dn]\n');
  await openssl(['req', '-new', '-config', file(`${n}.cnf`), '-key', file(`${keyName}.key.pem`), '-subj', subj, '-out', file(`${n}.csr`)]);
  await writeFile(file(`${n}.ext`), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  await openssl(['x509', '-req', '-in', file(`${n}.csr`), '-CA', file(`${issuer}.cert.pem`), '-CAkey', file(`${issuerKey}.key.pem`), '-CAcreateserial', '-sha256', '-days', '30', '-extfile', file(`${n}.ext`), '-out', file(`${n}.cert.pem`)]);
}
/** A PKCS#12 of the leaf's key and certificate, the other certificates in this order. */
async function p12(leaf: string, others: readonly string[]): Promise<Uint8Array> {
  const bundle = file(`${leaf}.others.pem`);
  await writeFile(bundle, (await Promise.all(others.map((o) => readFile(file(`${o}.cert.pem`), 'utf8')))).join(''));
  await openssl(['pkcs12', '-export', '-inkey', file(`${leaf}.key.pem`), '-in', file(`${leaf}.cert.pem`), '-certfile', bundle, '-passout', `pass:${TEST_PASSWORD}`, '-out', file(`${leaf}.p12`)]);
  return new Uint8Array(await readFile(file(`${leaf}.p12`)));
}
async function chainOf(data: Uint8Array): Promise<Uint8Array[]> {
  return (await openPkcs12({ data, password: TEST_PASSWORD }).chain?.()) ?? [];
}
async function pathStatus(leaf: string, anchor: string, intermediates: Uint8Array[]): Promise<string> {
  const r = validatePath(await der(leaf), { trust: createTrustStore([await der(anchor)]), intermediates, at: new Date(), usage: 'sealer' });
  return `${r.status}${r.code === undefined ? '' : ` ${r.code}`}`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-p12-paths-'));
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('PKCS#12 chain(): every intermediate a verifier may need, nothing else', () => {
  it('a renewed CA (same subject, new key) listed after the old one: the one that issued the leaf is handed out', async () => {
    for (const n of ['r', 'subold', 'subnew', 'leafa']) await key(n);
    await root('r', '/CN=renewal root');
    await issue('subold', '/CN=renewal sub', 'subold', 'r', 'r', true);
    await issue('subnew', '/CN=renewal sub', 'subnew', 'r', 'r', true);
    await issue('leafa', '/CN=renewal leaf', 'leafa', 'subnew', 'subnew', false);
    const chain = await chainOf(await p12('leafa', ['subold', 'subnew', 'r']));
    // The old CA has the leaf's issuer name but not its authority key identifier: it is on no path of the leaf.
    expect(chain.map(hex)).toEqual([hex(await der('subnew'))]);
    expect(await pathStatus('leafa', 'r', chain)).toBe('valid');
  }, 60_000);

  it('a cross-certified CA (same subject and key, two issuers): both certificates are handed out', async () => {
    for (const n of ['r1', 'r2', 'sub', 'leafb']) await key(n);
    await root('r1', '/CN=cross root one');
    await root('r2', '/CN=cross root two');
    await issue('sub2', '/CN=cross sub', 'sub', 'r2', 'r2', true);
    await issue('sub1', '/CN=cross sub', 'sub', 'r1', 'r1', true);
    await issue('leafb', '/CN=cross leaf', 'leafb', 'sub1', 'sub', false);
    const chain = await chainOf(await p12('leafb', ['sub2', 'r2', 'sub1', 'r1']));
    expect(chain.map(hex).sort()).toEqual([hex(await der('sub1')), hex(await der('sub2'))].sort());
    expect(await pathStatus('leafb', 'r1', chain)).toBe('valid');
    expect(await pathStatus('leafb', 'r2', chain)).toBe('valid');
  }, 60_000);

  it('a root key update: the NewWithOld link certificate (self-issued, not self-signed) is an intermediate', async () => {
    for (const n of ['old', 'new', 'interc', 'leafc']) await key(n);
    await root('oldroot', '/CN=rollover root', 'old');
    await root('newroot', '/CN=rollover root', 'new');
    await issue('newwithold', '/CN=rollover root', 'new', 'oldroot', 'old', true);
    await issue('interc', '/CN=rollover inter', 'interc', 'newroot', 'new', true);
    await issue('leafc', '/CN=rollover leaf', 'leafc', 'interc', 'interc', false);
    const chain = await chainOf(await p12('leafc', ['interc', 'newwithold', 'newroot']));
    expect(chain.map(hex)).toEqual([hex(await der('interc')), hex(await der('newwithold'))]);
    // A verifier that still trusts only the old root reaches it through the link certificate.
    expect(await pathStatus('leafc', 'oldroot', chain)).toBe('valid');
    expect(await pathStatus('leafc', 'newroot', chain)).toBe('valid');
  }, 60_000);

  it('an issuer whose subject is encoded as another string type than the leaf\'s issuer name is handed out', async () => {
    // The CA's certificate was re-issued (same name and key) with its subject as PrintableString, the leaf's issuer
    // name is UTF8String: path building compares names as RFC 5280 §7.1 does (src/pki/name.ts), so the re-issued
    // certificate links the leaf to the root, and a signer that left it out made stamps no verifier could chain.
    for (const n of ['re', 'se', 'leafe']) await key(n);
    await root('re', '/CN=encoding root');
    await issue('seutf8', '/CN=encoding sub', 'se', 're', 're', true);
    await issuePrintable('seprintable', '/CN=encoding sub', 'se', 're', 're');
    await issue('leafe', '/CN=encoding leaf', 'leafe', 'seutf8', 'se', false);
    const leafDer = await der('leafe');
    const subDer = await der('seprintable');
    expect(Buffer.from(subDer).includes(Buffer.from('130c656e636f64696e6720737562', 'hex'))).toBe(true); // PrintableString
    expect(Buffer.from(leafDer).includes(Buffer.from('0c0c656e636f64696e6720737562', 'hex'))).toBe(true); // UTF8String
    const chain = await chainOf(await p12('leafe', ['seprintable', 're']));
    expect(chain.map(hex)).toEqual([hex(subDer)]);
    expect(await pathStatus('leafe', 're', chain)).toBe('valid');
    const pemOf = async (n: string): Promise<string> => readFile(file(`${n}.cert.pem`), 'utf8');
    const software = openSoftwareKey({ key: await readFile(file('leafe.key.pem'), 'utf8'), certificate: await pemOf('leafe'), chain: [await pemOf('seprintable'), await pemOf('re')] });
    expect(((await software.chain?.()) ?? []).map(hex)).toEqual([hex(subDer)]);
  }, 60_000);

  it('still leaves out the self-signed roots and certificates off every path, each certificate once', async () => {
    for (const n of ['rd', 'id', 'leafd', 'stranger']) await key(n);
    await root('rd', '/CN=plain root');
    await root('stranger', '/CN=plain stranger');
    await issue('id', '/CN=plain inter', 'id', 'rd', 'rd', true);
    await issue('leafd', '/CN=plain leaf', 'leafd', 'id', 'id', false);
    const data = await p12('leafd', ['stranger', 'rd', 'id', 'id']);
    const chain = await chainOf(data);
    expect(chain.map(hex)).toEqual([hex(await der('id'))]);
    // The file's contents as read: the leaf found by its key, the same chain.
    const contents = readPkcs12(data, TEST_PASSWORD);
    expect(hex(contents.certificate.der)).toBe(hex(await der('leafd')));
    expect(contents.chain.map((c) => hex(c.der))).toEqual([hex(await der('id'))]);
  }, 60_000);
});
