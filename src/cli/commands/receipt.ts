/**
 * `evoucher receipt <envelope> --set XPayDate=20261128 --set XPayAmt=100.00 [--detail-set 0:XPayAmt=...]
 *  [--body n] [--policy p.json] -o <receipt.xml>`
 *
 * Fills the X-fields of a fully sealed original and writes the receipt (回单) envelope: VoucherFlag 1, the
 * receipt bytes in `<Voucher>`, the original bytes in `<OriginalVoucher>`, the original seals kept. Seal the
 * receipt positions next with `evoucher seal`.
 */
import { EvoucherError } from '../../errors.js';
import { createReceipt } from '../../seal/index.js';
import { parseCommandArgs, parseIndexOption, readInput, readPolicyOption, refuseStdinTwice, requireOption, writeOutput } from '../args.js';
import { printError, printRefusal, printStatus, printText } from '../output.js';

const USAGE = `usage: evoucher receipt <envelope.xml|-> --set <XField>=<value>... -o <receipt.xml|->
                        [--detail-set <line>:<XField>=<value>...] [--body <n>] [--policy <p.json>]

Fills the X-fields of a fully sealed original and writes the receipt (回单) envelope.
  --set           a main X-field, e.g. --set XPayDate=20261128 --set XPayAmt=100.00 (repeatable)
  --detail-set    an X-field of detail line <line> (0-based), e.g. --detail-set 0:XPayAmt=100.00 (repeatable)
  --body          index of the VoucherBody (default 0)
  --policy        seal policy JSON deciding when the original is complete (default: built-in)
  --output, -o    output file ('-' for standard output)
exit codes: 0 written; 1 refused (original not fully sealed, already a receipt, invalid value);
            2 a field that is not an X-field or unknown, usage or I/O error`;

const ASSIGNMENT = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/s;
const DETAIL_ASSIGNMENT = /^(\d{1,4}):([A-Za-z][A-Za-z0-9]*)=(.*)$/s;

/**
 * Runs `evoucher receipt`.
 *
 * @param args - the command's arguments.
 * @returns 0 written; 1 refused; 2 usage (including a non-X field) or I/O error.
 * @throws EvoucherError `ARG_*` for usage and I/O errors (the dispatcher prints them and exits 2).
 */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    {
      options: {
        set: { type: 'string', multiple: true },
        'detail-set': { type: 'string', multiple: true },
        body: { type: 'string' },
        policy: { type: 'string' },
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
  const output = requireOption(values.output, 'output');
  const set: Record<string, string> = {};
  for (const a of values.set ?? []) {
    const m = ASSIGNMENT.exec(a);
    if (m === null) throw new EvoucherError('ARG_INVALID', `--set expects <XField>=<value>, got '${a.slice(0, 40)}'`, { detail: { option: 'set' } });
    if (Object.hasOwn(set, m[1] as string)) throw new EvoucherError('ARG_INVALID', `--set ${m[1] ?? ''} is given twice`, { detail: { option: 'set' } });
    set[m[1] as string] = m[2] as string;
  }
  const detailSet: Record<string, string>[] = [];
  for (const a of values['detail-set'] ?? []) {
    const m = DETAIL_ASSIGNMENT.exec(a);
    if (m === null) throw new EvoucherError('ARG_INVALID', `--detail-set expects <line>:<XField>=<value>, got '${a.slice(0, 40)}'`, { detail: { option: 'detail-set' } });
    const line = Number(m[1]);
    while (detailSet.length <= line) detailSet.push({});
    const lineSet = detailSet[line] as Record<string, string>;
    if (Object.hasOwn(lineSet, m[2] as string)) throw new EvoucherError('ARG_INVALID', `--detail-set ${line}:${m[2] ?? ''} is given twice`, { detail: { option: 'detail-set' } });
    lineSet[m[2] as string] = m[3] as string;
  }
  if (Object.keys(set).length === 0 && detailSet.length === 0) throw new EvoucherError('ARG_MISSING', '--set or --detail-set is required', { detail: { option: 'set' } });
  const body = parseIndexOption(values.body, 'body');
  refuseStdinTwice([{ path: positionals[0], as: 'the envelope' }, { path: values.policy, as: 'the policy', option: 'policy' }]);
  const envelope = await readInput(positionals[0] as string);
  const policy = await readPolicyOption(values.policy);
  let out: Uint8Array;
  try {
    out = createReceipt(envelope, { set, detailSet, ...(body === undefined ? {} : { body }), ...(policy === undefined ? {} : { policy }) });
  } catch (e) {
    if (e instanceof EvoucherError && e.code === 'VOUCHER_RECEIPT_FIELD_FORBIDDEN') {
      // Naming a field that is not an X-field (or does not exist) is a usage error.
      printError(`evoucher receipt: ${e.code}: ${e.message}`);
      return 2;
    }
    const exit = printRefusal('receipt', e, (x) => x.code.startsWith('ARG_') || x.code === 'POLICY_INVALID');
    if (e instanceof EvoucherError && 'issues' in e && Array.isArray((e as { issues?: unknown }).issues)) {
      for (const i of (e as unknown as { issues: { path: string; code: string; message: string }[] }).issues) printError(`  ${i.path}: ${i.code}: ${i.message}`);
    }
    return exit;
  }
  // The status line on standard error, and none when the envelope went to standard output (`-o -`, `-o /dev/stdout`).
  if (!(await writeOutput(output, out))) printStatus([`receipt → ${output}`]);
  return 0;
}
