/**
 * `evoucher verify <files...> --trust <pem|dir> [--policy p.json] [--at <iso-time>] [--clock-skew <seconds>]
 *   [--crl <file>]... [--intermediate <pem>]... [--format text|json|junit]`
 *
 * Verifies every voucher of every envelope and prints one report per voucher (design.md §8). Exit codes:
 * 0 every voucher VALID, 1 any INVALID or INDETERMINATE, 2 usage or I/O error (a missing `--trust` included:
 * verifying with no anchors is never "trust all").
 */
import { EvoucherError } from '../../errors.js';
import { loadTrustStore, type TrustStore } from '../../pki/index.js';
import { createVerifier, verifyEnvelope, type VerificationReport, type VerifyOptions } from '../../verify/index.js';
import { chooseOption, parseAt, parseClockSkew, parseCommandArgs, readCertificateOptions, readCrlOptions, readInput, readInputs, readPolicyOption, refuseStdinTwice, requireOption } from '../args.js';
import { parseJobs, verifyFilesForCli } from '../batch.js';
import { printError, printText } from '../output.js';
import { createVerifyOutput } from '../verify_output.js';

const USAGE = `usage: evoucher verify <files...> --trust <pem|dir> [--policy p.json] [--at <iso-time>]
                       [--clock-skew <seconds>] [--crl <file>]... [--intermediate <pem>]...
                       [--format text|json|junit] [--jobs N] [--files-from <list|->]

Verifies the seal chain of every voucher in MOF envelopes and prints one report per voucher.
  --trust, -t       trust anchors: a PEM bundle or a directory of .pem/.crt/.cer files (required)
  --policy, -p      seal policy JSON (default: the built-in positions of each voucher type)
  --at              validation time, ISO 8601 (default: now); certificates are judged at each seal's signing time
                    (YYYY-MM-DD: midnight UTC; YYYY-MM-DDTHH:MM[:SS[.fff]] needs Z or ±HH:MM)
  --clock-skew      seconds a seal's signing time may be after the validation time (the sealing machine's
                    clock ahead of this one): 0 (default) to 3600, e.g. 5 or 0.5. Only that check is relaxed
  --crl             CRLs (PEM, several blocks allowed, or DER); repeat for more. With CRLs, revocation is
                    required (else not checked)
  --intermediate    extra untrusted CA certificates (PEM, several blocks allowed, or DER) to complete paths;
                    repeat for more
  --format, -f      text (default), json (one array, one report per voucher, with its file) or junit (CI)
  --jobs, -j        worker threads when verifying several files (default: the number of cores; 0: none).
                    Text output on a terminal shows a progress line on standard error for long runs
  --files-from      more files, one path per line of a UTF-8 list (- reads the list from standard input),
                    after those named on the command line: for more files than a command line holds
exit codes: 0 all VALID, 1 any INVALID or INDETERMINATE, 2 usage or I/O error`;

/**
 * Reads `--files-from`: one path per line (LF or CRLF), empty lines skipped.
 *
 * @param path - the list file, or `-` for standard input.
 * @param positionals - the files named on the command line.
 * @returns the listed paths.
 * @throws EvoucherError `ARG_IO` (unreadable or larger than the input limit), `ARG_INVALID` (not UTF-8, a NUL
 *   in a path, `-` listed, or standard input wanted twice).
 */
async function readFileList(path: string, positionals: readonly string[]): Promise<string[]> {
  const invalid = (message: string): never => {
    throw new EvoucherError('ARG_INVALID', `--files-from ${path}: ${message}`, { detail: { option: 'files-from' } });
  };
  if (path === '-' && positionals.includes('-')) invalid('standard input cannot be both the list and an envelope');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readInput(path));
  } catch (e) {
    if (e instanceof EvoucherError) throw e;
    return invalid('the list is not UTF-8 text');
  }
  const files: string[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    if (line === '-') invalid(`line ${i + 1}: '-' (standard input) cannot be listed`);
    if (line.includes('\0')) invalid(`line ${i + 1}: a path cannot hold a NUL character`);
    files.push(line);
  }
  return files;
}

/**
 * The verification hook of `evoucher demo`: verifies a demo envelope against the demo trust anchors at the
 * demo's clock and returns the report of its single voucher.
 *
 * @param envelope - the envelope.
 * @param context - the demo's trust directory and clock.
 * @returns the report.
 * @throws EvoucherError `ARG_IO` / `TRUST_NO_ANCHORS` when the trust directory cannot be read.
 * @example
 * await runDemo({ verify: verifyDemoEnvelope })
 */
export async function verifyDemoEnvelope(envelope: Uint8Array, context: { readonly trustDir: string; readonly at: Date }): Promise<VerificationReport> {
  const trust = await loadTrustStore(context.trustDir);
  const [report] = await verifyEnvelope(envelope, { trust, at: context.at });
  if (report === undefined) throw new EvoucherError('ENVELOPE_MALFORMED', 'the demo envelope has no voucher');
  return report;
}

/**
 * Runs `evoucher verify`.
 *
 * @param args - the command's arguments.
 * @returns 0 all VALID, 1 any INVALID or INDETERMINATE, 2 usage or I/O error.
 * @throws EvoucherError `ARG_*`, `TRUST_NO_ANCHORS`, `CERT_MALFORMED`, `CRL_MALFORMED`, `POLICY_INVALID` for
 *   usage errors (the dispatcher prints them and exits 2).
 */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    {
      options: {
        trust: { type: 'string', short: 't' },
        policy: { type: 'string', short: 'p' },
        at: { type: 'string' },
        'clock-skew': { type: 'string' },
        crl: { type: 'string', multiple: true },
        intermediate: { type: 'string', multiple: true },
        format: { type: 'string', short: 'f' },
        jobs: { type: 'string', short: 'j' },
        'files-from': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    },
    args,
    // A name that holds U+FFFD is refused (parseCommandArgs): it would open, verify and report *another* file, one a
    // sender can plant under that name (a VALID copy), while the file meant stays unverified.
    '(name it in a UTF-8 --files-from list)',
  );
  if (values.help === true) {
    printText(USAGE);
    return 0;
  }
  const format = chooseOption(values.format, ['text', 'json', 'junit'] as const, 'format');
  const at = parseAt(values.at) ?? new Date();
  const clockSkewMs = parseClockSkew(values['clock-skew']);
  // Before anything is read: standard input named twice would give its second reader nothing.
  refuseStdinTwice([
    { path: values['files-from'], as: 'the list', option: 'files-from' },
    ...positionals.map((path) => ({ path, as: 'an envelope' })),
    { path: values.policy, as: 'the policy', option: 'policy' },
    ...(values.crl ?? []).map((path) => ({ path, as: 'a CRL', option: 'crl' })),
    ...(values.intermediate ?? []).map((path) => ({ path, as: 'an intermediate', option: 'intermediate' })),
  ]);
  const listed = values['files-from'] === undefined ? [] : await readFileList(values['files-from'], positionals);
  const files = [...positionals, ...listed];
  if (files.length === 0) throw new EvoucherError('ARG_MISSING', 'verify needs at least one file', {});
  const trust: TrustStore = await loadTrustStore(requireOption(values.trust, 'trust'));
  const policy = await readPolicyOption(values.policy);
  const crls = await readCrlOptions(values.crl ?? []);
  const intermediates = await readCertificateOptions(values.intermediate ?? [], 'intermediate', 1024 * 1024);
  const jobs = parseJobs(values.jobs);

  const output = createVerifyOutput(format, at);
  const options: VerifyOptions = { trust, at, crls, intermediates, ...(policy === undefined ? {} : { policy }), ...(clockSkewMs === undefined ? {} : { clockSkewMs }) };
  // Several files: the batch path (worker threads, input order kept); one file or standard input: this thread.
  if (files.length > 1 && jobs > 0 && !files.includes('-')) {
    await verifyFilesForCli(files, options, { jobs, format }, output);
  } else {
    // Options resolved once (policy checked, intermediates parsed), as the batch path does.
    const verifier = createVerifier(options);
    for await (const r of readInputs(files)) {
      if ('error' in r) {
        printError(`evoucher verify: ${r.file}: ${r.error.code}: ${r.error.message}`);
        await output.add({ file: r.file, reports: [], ioError: { code: r.error.code, message: r.error.message } });
      } else {
        await output.add({ file: r.file, reports: await verifier.verify(r.bytes) });
      }
    }
  }
  await output.end();
  return output.exitCode();
}
