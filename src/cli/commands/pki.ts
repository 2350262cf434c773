/**
 * `evoucher pki <subcommand>`: demo PKI generation and certificate checks.
 *
 *   evoucher pki demo --out <dir> [--force] [--password <p> | --password-file <path>]
 *   evoucher pki verify <cert.pem> --trust <pem|dir> [--untrusted <pem>]... [--crl <pem>]... [--at <iso>]
 *                       [--usage sealer|maker|any] [--require-revocation] [--format text|json]
 */
import { join } from 'node:path';
import { EvoucherError } from '../../errors.js';
import { CERTIFICATE_LABELS, createDemoPki, decodePemBlocks, loadTrustStore, validatePath } from '../../pki/index.js';
import type { CertificateUsage, PathResult } from '../../pki/index.js';
import { parseAt, parseCommandArgs, readCertificateOptions, readCrlOptions, readInput, refuseStdinTwice } from '../args.js';
import { printError, printLines, printStatus, toJson } from '../output.js';
import { readPasswordOptions } from '../password.js';
import { checkDirectory, writeDirectory } from '../write_directory.js';

const USAGE = `usage:
  evoucher pki demo --out <dir> [--force] [--password <p> | --password-file <path>]
      make the demo PKI (test-only keys): SM2, P-256 and RSA roots and sealer CAs, a seal maker, sealers
      for dw/cz/yh/rh, a revoked sealer, encrypted keys, PKCS#12, CRLs, trust/, softhsm-import.sh,
      manifest.json and README.md, written whole or not at all. Refuses a non-empty directory unless
      --force, which replaces one that holds only these files (an earlier run). The key password (default
      the public evoucher-demo) comes from --password or --password-file (one line; - reads standard
      input), never from EVOUCHER_KEY_PASSWORD: it is written in the clear into README.md, manifest.json
      and softhsm-import.sh.
  evoucher pki verify <cert.pem> --trust <pem|dir> [--untrusted <pem>]... [--crl <pem>]... [--at <iso-time>]
                      [--usage sealer|maker|any] [--require-revocation] [--format text|json]
      validate a certificate's path; exit 0 valid, 1 invalid or indeterminate, 2 usage or I/O error.`;

/**
 * Runs `evoucher pki`.
 * @param args - the arguments after `pki`
 * @returns the exit code
 */
export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    // Asked for: standard output, exit 0. No subcommand is a usage error: standard error, exit 2 (as `evoucher` alone).
    (sub === undefined ? process.stderr : process.stdout).write(USAGE + '\n');
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'demo') return demo(rest);
  if (sub === 'verify') return verify(rest);
  printError(`evoucher pki: ARG_INVALID: unknown subcommand '${sub}'`);
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

async function demo(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    {
      options: {
        out: { type: 'string', short: 'o' },
        force: { type: 'boolean' },
        password: { type: 'string' },
        'password-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    },
    args,
  );
  if (values.help === true) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (values.out === undefined || values.out === '') throw new EvoucherError('ARG_MISSING', '--out <dir> is required');
  const out = values.out;
  // Checked before the keys are made (seconds for RSA): a directory that cannot be written, a password given twice.
  const target = await checkDirectory(out, values.force === true);
  const given = await readPasswordOptions(values);
  const pki = await createDemoPki(given === undefined ? {} : { password: given.password });
  // Whole or not at all: a failure halfway (a full disk) leaves the directory as it was, not old and new keys mixed.
  await writeDirectory(target, pki.files, { modeOf: (path) => (path.endsWith('.sh') ? 0o755 : undefined), what: 'the demo pki' });
  const roles = Object.keys(pki.manifest.roles).length;
  // A password the caller chose is not echoed into logs (the demo's own one is said: it is in its README).
  const password = given === undefined ? pki.manifest.password : `(as given with ${given.source})`;
  printStatus([`wrote ${pki.files.size} files (${roles} certificates) to ${out}`, `test-only keys, never use in production. password: ${password}; see ${join(out, 'README.md')}`]);
  return 0;
}

async function readPemFile(path: string): Promise<string> {
  // Bounded and non-blocking like every other input (a named pipe refused at once, /dev/zero not read without end).
  return Buffer.from(await readInput(path, { maxBytes: 16 * 1024 * 1024 })).toString('latin1');
}

async function verify(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    {
      options: {
        trust: { type: 'string' },
        untrusted: { type: 'string', multiple: true },
        crl: { type: 'string', multiple: true },
        at: { type: 'string' },
        usage: { type: 'string' },
        'require-revocation': { type: 'boolean' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    },
    args,
  );
  if (values.help === true) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new EvoucherError('ARG_MISSING', 'exactly one certificate file is required');
  refuseStdinTwice([
    { path: positionals[0] as string, as: 'the certificate' },
    ...(values.untrusted ?? []).map((path) => ({ path, as: 'an untrusted certificate file', option: 'untrusted' })),
    ...(values.crl ?? []).map((path) => ({ path, as: 'a CRL file', option: 'crl' })),
  ]);
  if (values.trust === undefined) throw new EvoucherError('ARG_MISSING', '--trust <pem|dir> is required');
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new EvoucherError('ARG_INVALID', '--format must be text or json');
  const usage = (values.usage ?? 'sealer') as CertificateUsage;
  if (!['sealer', 'maker', 'any'].includes(usage)) throw new EvoucherError('ARG_INVALID', '--usage must be sealer, maker or any');
  const at = parseAt(values.at) ?? new Date();
  const trust = await loadTrustStore(values.trust);
  // A PEM file gives its first CERTIFICATE block; anything else is handed over as DER, so that a malformed
  // certificate is reported (exit 1) rather than refused as a usage error.
  // A PEM whose block cannot be decoded (bad base64, no CERTIFICATE block) is such a certificate too.
  const leafText = await readPemFile(positionals[0] as string);
  let unreadablePem: EvoucherError | undefined;
  let leafBlock: { readonly der: Uint8Array } | undefined;
  if (leafText.includes('-----BEGIN')) {
    try {
      leafBlock = decodePemBlocks(leafText, 'CERT_MALFORMED', CERTIFICATE_LABELS)[0];
    } catch (e) {
      if (!(e instanceof EvoucherError) || e.code !== 'CERT_MALFORMED') throw e;
      unreadablePem = e;
    }
  }
  const leafDer = leafBlock?.der ?? new Uint8Array(Buffer.from(leafText, 'latin1'));
  // PEM (one or more blocks) or DER, as `verify` reads them; a file that holds none (a DER CRL read as PEM, a
  // certificate given as --crl) is refused: skipped, it left a revoked certificate VALID.
  const intermediates = await readCertificateOptions(values.untrusted ?? [], 'untrusted');
  const crls = await readCrlOptions(values.crl ?? []);
  const r: PathResult =
    unreadablePem === undefined
      ? validatePath(leafDer, { trust, intermediates, crls, at, usage, requireRevocation: values['require-revocation'] === true })
      : {
          status: 'invalid',
          code: 'CERT_MALFORMED',
          message: `leaf certificate cannot be used: ${unreadablePem.message}`,
          chain: [],
          checks: [{ check: 'parse', status: 'failed', code: 'CERT_MALFORMED', message: `leaf certificate: ${unreadablePem.message}` }],
          at,
        };
  if (format === 'json') {
    const json = {
      status: r.status,
      ...(r.code === undefined ? {} : { code: r.code }),
      message: r.message,
      at: r.at.toISOString(),
      chain: r.chain.map((c) => ({
        subject: c.subject,
        issuer: c.issuer,
        serialNumber: c.serialNumber,
        fingerprintSha256: c.fingerprintSha256,
        notBefore: c.notBefore.toISOString(),
        notAfter: c.notAfter.toISOString(),
        ...(c.party === undefined ? {} : { party: c.party }),
        ...(c.organizationIdentifier === undefined ? {} : { organizationIdentifier: c.organizationIdentifier }),
      })),
      checks: r.checks,
    };
    process.stdout.write(toJson(json) + '\n');
  } else {
    const lines = [`${r.status.toUpperCase()}${r.code === undefined ? '' : ` ${r.code}`}: ${r.message}`, `validation time: ${r.at.toISOString()}`];
    for (const c of r.chain) lines.push(`  ${c.subject}${c.party === undefined ? '' : ` [party ${c.party}${c.organizationIdentifier === undefined ? '' : `, org ${c.organizationIdentifier}`}]`}`);
    for (const c of r.checks) lines.push(`  ${c.status.padEnd(13)} ${c.check.padEnd(20)} ${c.code ?? ''} ${c.message}${c.certificate === undefined ? '' : ` (${c.certificate})`}`);
    // Names and messages come from the certificates: escaped like every text report.
    printLines(lines);
  }
  return r.status === 'valid' ? 0 : 1;
}
