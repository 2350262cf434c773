/**
 * The demo PKI: test-only CAs, a seal maker and sealer certificates for the four parties, in SM2, ECDSA P-256 and
 * RSA-2048, with encrypted keys, PKCS#12 files, CRLs, a SoftHSM2 import script and a machine-readable manifest.
 *
 * Everything is made in memory and returned as a map of relative paths to bytes; the CLI (`evoucher pki demo`)
 * writes it out. The layout is fixed (so tests and the demo find files through `manifest.json`); keys and serial
 * numbers are random on every run.
 *
 * THE KEYS ARE FOR TESTS AND DEMOS ONLY: their password is public.
 */
import { generateKeyPair, exportPrivateKeyPkcs8 } from '../crypto/index.js';
import type { PrivateKeyMaterial } from '../crypto/index.js';
import type { SignatureAlgorithm } from '../crypto/types.js';
import { EvoucherError } from '../errors.js';
import { issueCertificate, issueCrl } from './issue.js';
import type { NameSpec } from './issue.js';
import { encodePem } from './pem.js';
import { createPkcs12 } from './pkcs12.js';
import { PARTIES } from './types.js';
import type { CertificateInfo, KeyUsageName, Party } from './types.js';

/** The password of every demo key and PKCS#12 file. Public on purpose: these keys protect nothing. */
export const DEMO_PASSWORD = 'evoucher-demo';

/** The SoftHSM2 token label, user PIN and SO PIN the import script uses by default. */
export const DEMO_TOKEN = Object.freeze({ label: 'evoucher-demo', pin: '1234', soPin: '12345678' });

/** Default validity of every demo certificate and CRL: 2025-01-01 to 2045-01-01 (UTC). */
export const DEMO_VALIDITY = Object.freeze({ notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2045-01-01T00:00:00Z') });

/** When the dedicated `revoked` sealer certificate was revoked (keyCompromise). */
export const DEMO_REVOCATION_DATE = new Date('2025-06-01T00:00:00Z');

/** The organisation identifier of each party's demo sealer (`<party>:<code>`, see docs/pki.md). */
export const DEMO_ORGANIZATIONS: Readonly<Record<Party, string>> = Object.freeze({
  dw: 'dw:110101001', // budget unit 110101001 under admDiv 110101
  cz: 'cz:110101', // finance bureau of admDiv 110101 (Dongcheng, Beijing)
  yh: 'yh:102100099996', // agent bank, CNAPS bank code (ICBC Beijing)
  rh: 'rh:0110000000', // PBOC treasury
});

const PARTY_NAMES: Readonly<Record<Party, string>> = Object.freeze({
  dw: 'Demo Budget Unit',
  cz: 'Demo Finance Bureau',
  yh: 'Demo Agent Bank',
  rh: 'Demo PBOC Treasury',
});

/** The algorithm families of the demo PKI and their folder names. */
export type DemoFamily = 'sm2' | 'p256' | 'rsa';

/** Every demo family, in a stable order. */
export const DEMO_FAMILIES: readonly DemoFamily[] = Object.freeze(['sm2', 'p256', 'rsa']);

const FAMILY: Readonly<Record<DemoFamily, { readonly kind: 'sm2' | 'ec-p256' | 'rsa'; readonly algorithm: SignatureAlgorithm; readonly label: string }>> = Object.freeze({
  sm2: { kind: 'sm2', algorithm: 'sm2-sm3', label: 'SM2' },
  p256: { kind: 'ec-p256', algorithm: 'ecdsa-p256-sha256', label: 'P-256' },
  rsa: { kind: 'rsa', algorithm: 'rsa-pkcs1-sha256', label: 'RSA' },
});

/** What a demo certificate is for. */
export type DemoRoleKind = 'root' | 'ca' | 'maker' | 'sealer';

/** One certificate of the demo PKI, as listed in `manifest.json`. */
export interface DemoRole {
  /** Role id, `<name>-<family>`, e.g. `cz-p256`; also the PKCS#11 label after import. */
  readonly id: string;
  readonly family: DemoFamily;
  readonly kind: DemoRoleKind;
  /** Signature algorithm the key makes. */
  readonly algorithm: SignatureAlgorithm;
  /** Key kind. */
  readonly keyKind: 'sm2' | 'ec-p256' | 'rsa';
  readonly party?: Party;
  readonly organizationIdentifier?: string;
  readonly subject: string;
  readonly serialNumber: string;
  readonly fingerprintSha256: string;
  /** Certificate PEM (relative path). */
  readonly cert: string;
  /** Encrypted PKCS#8 PEM (relative path), password {@link DEMO_PASSWORD}. */
  readonly key: string;
  /** PKCS#12 with key, certificate and chain (leaf roles only). */
  readonly p12?: string;
  /** Issuer certificates, issuer first, root last (relative paths). */
  readonly chain: readonly string[];
  /** Role id of the issuer (absent for roots). */
  readonly issuer?: string;
  /** True for the dedicated certificate that the `ca-revoked` CRL revokes. */
  readonly revoked?: boolean;
  /** PKCS#11 object label and id (hex) after `softhsm-import.sh` (P-256 and RSA leaf roles). */
  readonly pkcs11?: { readonly label: string; readonly id: string };
}

/** One CRL of the demo PKI. */
export interface DemoCrl {
  readonly file: string;
  /** Role id of the issuing CA. */
  readonly issuer: string;
  readonly thisUpdate: string;
  readonly nextUpdate: string;
  /** Role ids of the certificates it revokes. */
  readonly revokes: readonly string[];
}

/** `manifest.json`: everything a test or demo needs to find files without guessing. */
export interface DemoManifest {
  readonly version: 1;
  readonly warning: string;
  readonly password: string;
  readonly validity: { readonly notBefore: string; readonly notAfter: string };
  readonly revocationDate: string;
  /** The trust anchors (relative paths); `trust/` holds exactly these. */
  readonly trust: readonly string[];
  readonly roles: Readonly<Record<string, DemoRole>>;
  readonly crls: readonly DemoCrl[];
  readonly softhsm: { readonly script: string; readonly token: string; readonly pin: string; readonly soPin: string };
}

/** The generated demo PKI: relative path → bytes, and the manifest (also in `files` as `manifest.json`). */
export interface DemoPki {
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly manifest: DemoManifest;
}

/** Options of {@link createDemoPki}. */
export interface DemoPkiOptions {
  /** Key and PKCS#12 password (default {@link DEMO_PASSWORD}). */
  readonly password?: string;
  /** Validity start of every certificate (default 2025-01-01). */
  readonly notBefore?: Date;
  /** Validity end of every certificate (default 2045-01-01). */
  readonly notAfter?: Date;
  /** Families to make (default all three). */
  readonly families?: readonly DemoFamily[];
}

interface Made {
  readonly role: DemoRole;
  readonly cert: CertificateInfo;
  readonly key: PrivateKeyMaterial;
}

const LEAF_USAGE: readonly KeyUsageName[] = ['digitalSignature', 'nonRepudiation'];
const CA_USAGE: readonly KeyUsageName[] = ['keyCertSign', 'cRLSign'];
const PKCS11_ID_BASE: Readonly<Record<DemoFamily, number>> = { sm2: 0, p256: 0x00, rsa: 0x10 };
const PKCS11_INDEX: Readonly<Record<string, number>> = { dw: 1, cz: 2, yh: 3, rh: 4, maker: 5 };

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * Makes the demo PKI in memory.
 *
 * Per family (`sm2`, `p256`, `rsa`): a root CA, a sealer CA under it, a seal-maker certificate, sealer certificates
 * for `dw`, `cz`, `yh`, `rh` (subject OU = party, organizationIdentifier = {@link DEMO_ORGANIZATIONS}), and a
 * dedicated `revoked` sealer; keys as encrypted PKCS#8 PEM and leaf PKCS#12 files (password {@link DEMO_PASSWORD});
 * an empty CRL per CA and a CRL revoking the `revoked` certificate; plus `trust/`, `softhsm-import.sh`,
 * `manifest.json` and `README.md`.
 *
 * @param options - password, validity, families
 * @returns the files and the manifest
 * @throws EvoucherError `ARG_INVALID` for bad options
 * @example
 * const { files, manifest } = await createDemoPki();
 * manifest.roles['cz-p256'].p12; // 'p256/cz.p12'
 */
export async function createDemoPki(options: DemoPkiOptions = {}): Promise<DemoPki> {
  if (typeof options !== 'object' || options === null) throw new EvoucherError('ARG_INVALID', 'createDemoPki options must be an object');
  const bad = (option: string, what: string): never => {
    throw new EvoucherError('ARG_INVALID', `createDemoPki ${option} must be ${what}`, { detail: { option } });
  };
  // Only a missing option takes its default: `null` (or a Date string) is refused, not read as left out.
  const password = options.password === undefined ? DEMO_PASSWORD : options.password;
  // The password is written into softhsm-import.sh and passed to openssl (`-passin pass:`): neither carries a NUL.
  if (typeof password !== 'string' || password === '' || password.includes('\0')) bad('password', 'a non-empty string without NUL characters');
  const notBefore = options.notBefore === undefined ? DEMO_VALIDITY.notBefore : options.notBefore;
  const notAfter = options.notAfter === undefined ? DEMO_VALIDITY.notAfter : options.notAfter;
  if (!(notBefore instanceof Date) || Number.isNaN(notBefore.getTime())) bad('notBefore', 'a valid Date');
  if (!(notAfter instanceof Date) || Number.isNaN(notAfter.getTime())) bad('notAfter', 'a valid Date');
  if (!(notBefore < notAfter)) throw new EvoucherError('ARG_INVALID', 'notBefore must be before notAfter');
  const families = options.families === undefined ? DEMO_FAMILIES : options.families;
  if (!Array.isArray(families as unknown)) bad('families', `an array of ${DEMO_FAMILIES.map((f) => `'${f}'`).join(', ')}`);
  for (const f of families) if (!DEMO_FAMILIES.includes(f)) throw new EvoucherError('ARG_INVALID', `unknown demo family '${String(f)}'`);
  const revocationDate = new Date(Math.max(DEMO_REVOCATION_DATE.getTime(), notBefore.getTime()));

  const files = new Map<string, Uint8Array>();
  const roles: Record<string, DemoRole> = {};
  const crls: DemoCrl[] = [];
  const trust: string[] = [];

  for (const family of families) {
    const { kind, algorithm, label } = FAMILY[family];
    const made: Made[] = [];
    const make = async (
      name: string,
      roleKind: DemoRoleKind,
      subject: NameSpec,
      issuer: Made | undefined,
      extra: { party?: Party; revoked?: boolean } = {},
    ): Promise<Made> => {
      const key = generateKeyPair(kind);
      const ca = roleKind === 'root' || roleKind === 'ca';
      const cert = issueCertificate({
        subject,
        publicKey: key.publicKey,
        ...(issuer === undefined ? { selfSignKey: key } : { issuer: { certificate: issuer.cert, key: issuer.key } }),
        notBefore,
        notAfter,
        ...(ca ? { ca: true, pathLen: roleKind === 'root' ? 1 : 0 } : {}),
        keyUsage: ca ? CA_USAGE : LEAF_USAGE,
      });
      const id = `${name}-${family}`;
      const base = `${family}/${name}`;
      const chain: string[] = [];
      for (let p = issuer; p !== undefined; p = made.find((m) => m.role.id === p?.role.issuer)) chain.push(p.role.cert);
      files.set(`${base}.cert.pem`, text(encodePem('CERTIFICATE', cert.der)));
      files.set(`${base}.key.pem`, text(encodePem('ENCRYPTED PRIVATE KEY', exportPrivateKeyPkcs8(key, { password }))));
      let p12: string | undefined;
      if (!ca) {
        p12 = `${base}.p12`;
        const chainCerts = chain.map((c) => (made.find((m) => m.role.cert === c) as Made).cert);
        files.set(p12, await createPkcs12({ key, certificate: cert, chain: chainCerts, password, friendlyName: id }));
      }
      const pkcs11Index = PKCS11_INDEX[name];
      const role: DemoRole = {
        id,
        family,
        kind: roleKind,
        algorithm,
        keyKind: kind,
        ...(extra.party === undefined ? {} : { party: extra.party }),
        ...(cert.organizationIdentifier === undefined ? {} : { organizationIdentifier: cert.organizationIdentifier }),
        subject: cert.subject,
        serialNumber: cert.serialNumber,
        fingerprintSha256: cert.fingerprintSha256,
        cert: `${base}.cert.pem`,
        key: `${base}.key.pem`,
        ...(p12 === undefined ? {} : { p12 }),
        chain,
        ...(issuer === undefined ? {} : { issuer: issuer.role.id }),
        ...(extra.revoked === true ? { revoked: true } : {}),
        ...(family !== 'sm2' && pkcs11Index !== undefined
          ? { pkcs11: { label: id, id: (PKCS11_ID_BASE[family] + pkcs11Index).toString(16).padStart(2, '0') } }
          : {}),
      };
      const m: Made = { role, cert, key };
      made.push(m);
      roles[id] = role;
      return m;
    };

    const org = (o: string): NameSpec => [['C', 'CN'], ['O', o]];
    const root = await make('root', 'root', [...org('evoucher Demo PKI'), ['CN', `evoucher Demo ${label} Root CA`]], undefined);
    const ca = await make('ca', 'ca', [...org('evoucher Demo PKI'), ['CN', `evoucher Demo ${label} Sealer CA`]], root);
    await make('maker', 'maker', [...org('evoucher Demo Seal Maker'), ['CN', `evoucher Demo ${label} Seal Maker`]], ca);
    for (const party of PARTIES) {
      await make(
        party,
        'sealer',
        [...org(PARTY_NAMES[party]), ['OU', party], ['organizationIdentifier', DEMO_ORGANIZATIONS[party]], ['CN', `${PARTY_NAMES[party]} ${label} Sealer`]],
        ca,
        { party },
      );
    }
    const revoked = await make(
      'revoked',
      'sealer',
      [...org(PARTY_NAMES.cz), ['OU', 'cz'], ['organizationIdentifier', DEMO_ORGANIZATIONS.cz], ['CN', `${PARTY_NAMES.cz} ${label} Revoked Sealer`]],
      ca,
      { party: 'cz', revoked: true },
    );

    trust.push(`trust/${family}-root.cert.pem`);
    files.set(`trust/${family}-root.cert.pem`, text(encodePem('CERTIFICATE', root.cert.der)));

    const addCrl = (file: string, issuer: Made, thisUpdate: Date, revokes: readonly Made[], crlNumber: bigint): void => {
      const crl = issueCrl({
        issuer: { certificate: issuer.cert, key: issuer.key },
        thisUpdate,
        nextUpdate: notAfter,
        revoked: revokes.map((r) => ({ serialNumber: r.cert.serialNumber, revocationDate, reason: 1 })),
        crlNumber,
      });
      files.set(file, text(encodePem('X509 CRL', crl.der)));
      crls.push({ file, issuer: issuer.role.id, thisUpdate: thisUpdate.toISOString(), nextUpdate: notAfter.toISOString(), revokes: revokes.map((r) => r.role.id) });
    };
    addCrl(`${family}/root.crl.pem`, root, notBefore, [], 1n);
    addCrl(`${family}/ca.crl.pem`, ca, notBefore, [], 1n);
    addCrl(`${family}/ca-revoked.crl.pem`, ca, revocationDate, [revoked], 2n);
  }

  const manifest: DemoManifest = {
    version: 1,
    warning: 'test-only keys, never use in production: the password is public',
    password,
    validity: { notBefore: notBefore.toISOString(), notAfter: notAfter.toISOString() },
    revocationDate: revocationDate.toISOString(),
    trust,
    roles,
    crls,
    softhsm: { script: 'softhsm-import.sh', token: DEMO_TOKEN.label, pin: DEMO_TOKEN.pin, soPin: DEMO_TOKEN.soPin },
  };
  files.set('softhsm-import.sh', text(softhsmScript(Object.values(roles), password)));
  files.set('manifest.json', text(JSON.stringify(manifest, null, 2) + '\n'));
  files.set('README.md', text(readme(manifest, [...files.keys(), 'README.md'])));
  return { files, manifest };
}

/**
 * A string as one single-quoted shell word: nothing in it is expanded (`$(…)`, a backquote, `}`), and a line break
 * stays part of the word. A quote is written `'\''` (close, an escaped quote, open again).
 */
function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

function softhsmScript(roles: readonly DemoRole[], password: string): string {
  const lines = roles
    .filter((r) => r.pkcs11 !== undefined)
    .map((r) => `load_key ${r.pkcs11?.label ?? ''} ${r.pkcs11?.id ?? ''} ${r.key} ${r.cert}`);
  return `#!/bin/sh
# Loads the demo P-256 and RSA seal keys and certificates into a SoftHSM2 token.
# Test-only keys, never use in production.
#
# Usage: sh softhsm-import.sh
# Environment (all optional):
#   SOFTHSM2_CONF         SoftHSM2 configuration; default ./softhsm-token/softhsm2.conf in the current
#                         directory (created, with its token directory, when absent)
#   SOFTHSM2_MODULE       path of libsofthsm2.so (searched in the usual places otherwise)
#   EVOUCHER_TOKEN_LABEL  token label (default ${DEMO_TOKEN.label}); created when absent
#   EVOUCHER_PIN          user PIN (default ${DEMO_TOKEN.pin}); EVOUCHER_SO_PIN: SO PIN (default ${DEMO_TOKEN.soPin})
#   EVOUCHER_KEY_PASSWORD password of the encrypted key files (default DEMO_PASSWORD below)
# Objects: private key, public key and certificate per role, labelled with the role id (e.g. cz-p256).
set -eu
DIR=$(cd "$(dirname "$0")" && pwd)
TOKEN=\${EVOUCHER_TOKEN_LABEL:-${DEMO_TOKEN.label}}
PIN=\${EVOUCHER_PIN:-${DEMO_TOKEN.pin}}
SO_PIN=\${EVOUCHER_SO_PIN:-${DEMO_TOKEN.soPin}}
DEMO_PASSWORD=${shellQuote(password)}
PASSWORD=\${EVOUCHER_KEY_PASSWORD:-$DEMO_PASSWORD}
if [ -z "\${SOFTHSM2_MODULE:-}" ]; then
  for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so \\
           /usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so /usr/local/lib/softhsm/libsofthsm2.so \\
           /opt/homebrew/lib/softhsm/libsofthsm2.so; do
    if [ -f "$m" ]; then SOFTHSM2_MODULE=$m; break; fi
  done
fi
if [ -z "\${SOFTHSM2_MODULE:-}" ]; then echo "softhsm-import: libsofthsm2.so not found; set SOFTHSM2_MODULE" >&2; exit 2; fi
if [ -z "\${SOFTHSM2_CONF:-}" ]; then SOFTHSM2_CONF="$PWD/softhsm-token/softhsm2.conf"; fi
export SOFTHSM2_CONF
if [ ! -f "$SOFTHSM2_CONF" ]; then
  TOKENDIR="$(dirname "$SOFTHSM2_CONF")/tokens"
  mkdir -p "$TOKENDIR"
  printf 'directories.tokendir = %s\\nobjectstore.backend = file\\nlog.level = ERROR\\n' "$TOKENDIR" > "$SOFTHSM2_CONF"
fi
if ! softhsm2-util --show-slots | grep -q "Label: *$TOKEN *$"; then
  softhsm2-util --init-token --free --label "$TOKEN" --pin "$PIN" --so-pin "$SO_PIN" >/dev/null
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
P11="pkcs11-tool --module $SOFTHSM2_MODULE --token-label $TOKEN --login --pin $PIN"
load_key() { # label id key-file cert-file
  openssl pkey -in "$DIR/$3" -passin "pass:$PASSWORD" -outform DER -out "$TMP/key.der"
  openssl pkey -in "$DIR/$3" -passin "pass:$PASSWORD" -pubout -outform DER -out "$TMP/pub.der"
  openssl x509 -in "$DIR/$4" -outform DER -out "$TMP/cert.der"
  $P11 --write-object "$TMP/key.der" --type privkey --id "$2" --label "$1" --usage-sign >/dev/null
  $P11 --write-object "$TMP/pub.der" --type pubkey --id "$2" --label "$1" --usage-sign >/dev/null
  $P11 --write-object "$TMP/cert.der" --type cert --id "$2" --label "$1" >/dev/null
  rm -f "$TMP/key.der" "$TMP/pub.der" "$TMP/cert.der"
  echo "loaded $1 (id $2)"
}
${lines.join('\n')}
echo "token '$TOKEN' ready (SOFTHSM2_CONF=$SOFTHSM2_CONF)"
echo "e.g. pkcs11:token=$TOKEN;object=cz-p256?module-path=$SOFTHSM2_MODULE (PIN in EVOUCHER_PIN)"
`;
}

function describeFile(path: string, m: DemoManifest): string {
  if (path === 'manifest.json') return 'machine-readable index: role → files, algorithm, party, organisation, fingerprint; CRLs; trust';
  if (path === 'README.md') return 'this file';
  if (path === 'softhsm-import.sh') return 'loads the P-256 and RSA maker/sealer keys and certificates into a SoftHSM2 token';
  if (path.startsWith('trust/')) return 'trust anchor (root certificate)';
  const crl = m.crls.find((c) => c.file === path);
  if (crl !== undefined) return crl.revokes.length > 0 ? `CRL of ${crl.issuer} revoking ${crl.revokes.join(', ')}` : `empty CRL of ${crl.issuer}`;
  for (const r of Object.values(m.roles)) {
    if (path === r.cert) return `certificate of ${r.id}`;
    if (path === r.key) return `encrypted PKCS#8 private key of ${r.id}`;
    if (path === r.p12) return `PKCS#12 of ${r.id} (key, certificate, chain)`;
  }
  return '';
}

function readme(m: DemoManifest, paths: readonly string[]): string {
  const roles = Object.values(m.roles)
    .map(
      (r) =>
        `| \`${r.id}\` | ${r.kind}${r.revoked === true ? ' (revoked)' : ''} | ${r.algorithm} | ${r.party ?? ''} | ${r.organizationIdentifier ?? ''} | ${r.pkcs11 === undefined ? '' : `${r.pkcs11.label} / id ${r.pkcs11.id}`} | ${r.subject} |`,
    )
    .join('\n');
  const files = [...paths]
    .sort()
    .map((p) => `| \`${p}\` | ${describeFile(p, m)} |`)
    .join('\n');
  return `# evoucher demo PKI

> **Warning: test-only keys, never use in production.** Every private key here is protected by the public
> password \`${m.password}\`, so anyone can sign as these "parties". Trust these roots only in tests and demos.

Made by \`evoucher pki demo --out <dir>\` (regenerate with \`--force\`). The layout is fixed; keys, serial
numbers and fingerprints change on every run. Find files through \`manifest.json\` rather than by guessing.

- Password of every \`*.key.pem\` (encrypted PKCS#8, PBES2/AES-256-CBC) and \`*.p12\` (PBES2/AES-256-CBC,
  HMAC-SHA256 MAC): \`${m.password}\`
- Validity of every certificate: ${m.validity.notBefore} to ${m.validity.notAfter}
- Trust anchors: \`trust/\` (${m.trust.map((t) => `\`${t}\``).join(', ')})
- Sealer certificates name their party in the subject \`OU\` (\`dw\` budget unit, \`cz\` finance bureau,
  \`yh\` agent bank, \`rh\` PBOC treasury) and their organisation in \`organizationIdentifier\` (2.5.4.97),
  written \`<party>:<code>\`.
- \`*-revoked\` roles are revoked (keyCompromise, ${m.revocationDate}) by \`<family>/ca-revoked.crl.pem\`;
  \`root.crl.pem\` and \`ca.crl.pem\` are empty CRLs.
- SoftHSM2: \`sh softhsm-import.sh\` creates token \`${m.softhsm.token}\` (user PIN \`${m.softhsm.pin}\`, SO PIN
  \`${m.softhsm.soPin}\`) and loads the P-256 and RSA maker and sealer keys with their certificates, labelled with
  the role id (\`cz-p256\`, \`cz-rsa\`, ...). SoftHSM2 has no SM2, so the SM2 keys stay in files.

## Roles

| Role | Kind | Algorithm | Party | organizationIdentifier | PKCS#11 label / id | Subject |
|---|---|---|---|---|---|---|
${roles}

## Files

| File | Contents |
|---|---|
${files}
`;
}
