/**
 * `evoucher verify-seal <ses.der> --data <file> [--trust <pem|dir>] [--at <iso-time>] [--clock-skew <seconds>]
 *   [--crl <file>]... [--hash sm3|sha256] [--format text|json]`
 *
 * Verifies one standalone GB/T 38540 seal signature (`SES_Signature`, e.g. an OFD `SignedValue.dat`) over a
 * file: structure, maker signature, sealer signature, certList, `dataHash`, seal period and certificates at
 * `timeInfo`, and trust. Without `--trust` the trust checks are INDETERMINATE ("no trust anchor"). Exit codes
 * as `verify`: 0 VALID, 1 INVALID or INDETERMINATE, 2 usage or I/O error.
 */
import { EvoucherError } from '../../errors.js';
import { loadTrustStore } from '../../pki/index.js';
import { verifySesSignatureOverData, type SealSignatureReport } from '../../verify/index.js';
import { chooseOption, parseAt, parseClockSkew, parseCommandArgs, readCrlOptions, readInput, refuseStdinTwice, requireOption } from '../args.js';
import { printJson, printLines, printText } from '../output.js';
import { errorEntry } from '../verify_output.js';

const USAGE = `usage: evoucher verify-seal <ses.der> --data <file> [--trust <pem|dir>] [--at <iso-time>]
                            [--clock-skew <seconds>] [--crl <file>]... [--hash sm3|sha256] [--format text|json]

Verifies a standalone GB/T 38540 seal signature (SES_Signature DER, e.g. SignedValue.dat) over a file.
  --data, -d     the protected file (e.g. Signature.xml) (required)
  --trust, -t    trust anchors (PEM bundle or directory); without it trust is INDETERMINATE
  --at           validation time, ISO 8601 (default: now); certificates are judged at the seal's timeInfo
                 (YYYY-MM-DD: midnight UTC; YYYY-MM-DDTHH:MM[:SS[.fff]] needs Z or ±HH:MM)
  --clock-skew   seconds timeInfo may be after the validation time (the sealing machine's clock ahead of
                 this one): 0 (default) to 3600, e.g. 5 or 0.5. Only that check is relaxed
  --crl          CRLs (PEM, several blocks allowed, or DER); repeat for more
  --hash         hash of the data (default sm3)
  --format, -f   text (default) or json
exit codes: 0 VALID, 1 INVALID or INDETERMINATE, 2 usage or I/O error`;

/**
 * Text lines of a seal-signature report.
 *
 * @param file - the seal signature's file name.
 * @param r - the report.
 * @returns the lines.
 */
export function formatSealReport(file: string, r: SealSignatureReport): string[] {
  const lines = [`${r.status.padEnd(13)} ${file}${r.seal === undefined ? '' : ` seal ${r.seal.id} "${r.seal.name}"`}${r.signingTime === undefined ? '' : ` signed ${r.signingTime}`}`];
  if (r.signer !== undefined) lines.push(`  sealer: ${r.signer.subject}`);
  if (r.maker !== undefined) lines.push(`  maker:  ${r.maker.subject}`);
  if (r.seal !== undefined) lines.push(`  seal valid ${r.seal.validStart ?? '?'} to ${r.seal.validEnd ?? '?'}, vendor ${r.seal.vendor}, picture ${r.seal.picture.type} ${r.seal.picture.width}x${r.seal.picture.height} mm`);
  if (r.propertyInfo !== undefined) lines.push(`  protects: ${r.propertyInfo}`);
  for (const q of r.quirks) lines.push(`  tolerated: ${q}`);
  for (const c of r.checks) lines.push(`  ${c.status.padEnd(13)} ${c.check}${c.code === undefined ? '' : `: ${c.code}`}: ${c.message}`);
  return lines;
}

/**
 * Runs `evoucher verify-seal`.
 *
 * @param args - the command's arguments.
 * @returns 0 VALID, 1 INVALID or INDETERMINATE, 2 usage or I/O error.
 * @throws EvoucherError `ARG_*`, `TRUST_NO_ANCHORS`, `CERT_MALFORMED`, `CRL_MALFORMED` for usage errors.
 */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    {
      options: {
        data: { type: 'string', short: 'd' },
        trust: { type: 'string', short: 't' },
        at: { type: 'string' },
        'clock-skew': { type: 'string' },
        crl: { type: 'string', multiple: true },
        hash: { type: 'string' },
        format: { type: 'string', short: 'f' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    },
    args,
  );
  if (values.help === true) {
    printText(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new EvoucherError('ARG_INVALID', 'verify-seal takes exactly one seal signature file', {});
  const format = chooseOption(values.format, ['text', 'json'] as const, 'format');
  const hash = chooseOption(values.hash, ['sm3', 'sha256'] as const, 'hash');
  const file = positionals[0] ?? '';
  const at = parseAt(values.at);
  const clockSkewMs = parseClockSkew(values['clock-skew']);
  // Before anything is read: standard input named twice would give its second reader nothing.
  refuseStdinTwice([
    { path: file, as: 'the seal signature' },
    { path: values.data, as: 'the data', option: 'data' },
    ...(values.crl ?? []).map((path) => ({ path, as: 'a CRL', option: 'crl' })),
  ]);
  const dataPath = requireOption(values.data, 'data');
  let data: Uint8Array;
  let ses: Uint8Array;
  try {
    data = await readInput(dataPath);
    ses = await readInput(file, { maxBytes: 16 * 1024 * 1024 });
  } catch (e) {
    // As `verify --format json`: the file's entry where its report would be (the message names the file that could
    // not be read, the data or the seal signature), the reason on standard error, exit 2.
    if (format === 'json' && e instanceof EvoucherError && e.code === 'ARG_IO') printJson(errorEntry(file, e));
    throw e;
  }
  const trust = values.trust === undefined ? undefined : await loadTrustStore(values.trust);
  const crls = await readCrlOptions(values.crl ?? []);
  const report = await verifySesSignatureOverData(ses, data, {
    crls,
    dataHashAlgorithm: hash,
    ...(trust === undefined ? {} : { trust }),
    ...(at === undefined ? {} : { at }),
    ...(clockSkewMs === undefined ? {} : { clockSkewMs }),
  });
  if (format === 'json') printJson({ file, ...report });
  else printLines(formatSealReport(file, report));
  return report.status === 'VALID' ? 0 : 1;
}
