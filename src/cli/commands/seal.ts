/**
 * `evoucher seal <envelope> --position <id> --key <provider-uri> [--seal seal.esl] [--format ses|cms]
 *  [--policy p.json] [--time iso] [--body n] [--trust pem|dir] -o <out.xml>`
 *
 * Adds one seal to a voucher body (docs/sealing.md). A refusal prints its code and exits 1 without writing; a
 * `--chain` the stamp should not carry (a certificate that does not parse, the signer's, one given twice, out of
 * issuer-first order, more than the format carries) is a usage error: its code, exit 2, nothing written.
 */
import { EvoucherError } from '../../errors.js';
import { openKeyProvider } from '../../keys/index.js';
import { loadTrustStore } from '../../pki/index.js';
import { sealVoucher } from '../../seal/index.js';
import { chooseOption, parseCommandArgs, parseIndexOption, parseTimeOption, readCertificateOptions, readInput, readPolicyOption, refuseStdinTwice, requireOption, writeOutput } from '../args.js';
import { printRefusal, printStatus, printText } from '../output.js';

const USAGE = `usage: evoucher seal <envelope.xml|-> --position <id> --key <provider-uri> -o <out.xml|->
                     [--seal <seal.esl>] [--format ses|cms] [--policy <p.json>] [--time <iso>]
                     [--body <n>] [--trust <pem|dir>] [--chain <pem>]...

Adds one seal to a voucher body; the voucher bytes are never changed.
  --position, -p  seal position, e.g. cz_zfzyz (see: evoucher positions --type <VtCode>)
  --key, -k       key URI: file:<key.pem>?cert=<cert.pem>, pkcs12:<file.p12>, pkcs11:token=...;object=...
                  (password: EVOUCHER_KEY_PASSWORD or password-source=file:...; PIN: EVOUCHER_PIN or pin-source=...)
  --seal          GB/T 38540 seal object (.esl) for an ses seal; its certList must hold the signer certificate
  --format        ses (default with --seal) or cms (default without)
  --policy        seal policy JSON (default: the built-in positions of the voucher type)
  --time          signing time, ISO 8601 (default: now)
  --body          index of the VoucherBody to seal (default 0)
  --trust         also require a valid certificate path to these anchors at the signing time
  --chain         certificates (PEM or DER) to embed after the signer's in cms and ses seals (repeatable;
                  default the key's chain): issuer first, each an issuer of the signer's certificate (ses: or
                  of the seal maker's) or of one before it; none twice; at most 7 (cms) or 8 (ses)
  --output, -o    output file ('-' for standard output)
exit codes: 0 sealed, 1 refused (policy, seal, certificate or key; the code is printed), 2 usage or I/O error
            (a --chain the stamp should not carry included)`;

/**
 * Codes that mean "the arguments are wrong", not "the seal is refused": a `--chain` certificate that does not parse
 * is one too (its code kept), as is a chain that does not link (`ARG_INVALID`).
 */
function isUsage(e: EvoucherError): boolean {
  return e.code.startsWith('ARG_') || e.code === 'KEY_URI_INVALID' || e.code === 'KEY_FILE_UNREADABLE' || e.code === 'POLICY_INVALID' || e.detail['option'] === 'chain';
}

/**
 * Runs `evoucher seal`.
 *
 * @param args - the command's arguments.
 * @returns 0 sealed, 1 refused, 2 usage or I/O error.
 * @throws EvoucherError `ARG_*` for usage and I/O errors (the dispatcher prints them and exits 2).
 */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    {
      options: {
        position: { type: 'string', short: 'p' },
        key: { type: 'string', short: 'k' },
        seal: { type: 'string' },
        format: { type: 'string' },
        policy: { type: 'string' },
        time: { type: 'string' },
        body: { type: 'string' },
        trust: { type: 'string' },
        chain: { type: 'string', multiple: true },
        output: { type: 'string', short: 'o' },
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
  if (positionals.length !== 1) throw new EvoucherError('ARG_INVALID', 'exactly one envelope file is required');
  const input = positionals[0] as string;
  const position = requireOption(values.position, 'position');
  const keyUri = requireOption(values.key, 'key');
  const output = requireOption(values.output, 'output');
  const format = values.format === undefined ? undefined : chooseOption(values.format, ['ses', 'cms'] as const, 'format');
  const time = parseTimeOption(values.time, 'time');
  const body = parseIndexOption(values.body, 'body');
  refuseStdinTwice([
    { path: input, as: 'the envelope' },
    { path: values.seal, as: 'the seal object', option: 'seal' },
    { path: values.policy, as: 'the policy', option: 'policy' },
    ...(values.chain ?? []).map((path) => ({ path, as: 'a chain file', option: 'chain' })),
  ]);
  const envelope = await readInput(input);
  const seal = values.seal === undefined ? undefined : await readInput(values.seal, { maxBytes: 4 * 1024 * 1024 });
  const policy = await readPolicyOption(values.policy);
  const trust = values.trust === undefined ? undefined : await loadTrustStore(values.trust);
  // A --chain file that holds no certificate is refused: skipped, the key's own chain went in instead, unsaid.
  const chain = await readCertificateOptions(values.chain ?? [], 'chain', 1024 * 1024);

  let out: Uint8Array;
  let key: Awaited<ReturnType<typeof openKeyProvider>>;
  try {
    key = await openKeyProvider(keyUri);
  } catch (e) {
    // A key that does not open (wrong password or PIN, not the certificate's key) is a refusal, as when
    // sealing finds it out; an unreadable file or a malformed URI stays a usage or I/O error.
    return printRefusal('seal', e, isUsage);
  }
  try {
    out = await sealVoucher(envelope, {
      position,
      key,
      ...(seal === undefined ? {} : { seal }),
      ...(format === undefined ? {} : { format }),
      ...(policy === undefined ? {} : { policy }),
      ...(time === undefined ? {} : { time }),
      ...(body === undefined ? {} : { body }),
      ...(trust === undefined ? {} : { trust }),
      ...(chain.length === 0 ? {} : { chain }),
    });
  } catch (e) {
    return printRefusal('seal', e, isUsage);
  } finally {
    await key.close?.();
  }
  // The status line on standard error, and none when the envelope went to standard output (`-o -`, `-o /dev/stdout`).
  if (!(await writeOutput(output, out))) printStatus([`sealed ${position} → ${output}`]);
  return 0;
}
