/**
 * `evoucher build --type <VtCode> --data <file.json|-> [--encoding gbk|utf8] [--root MOF|Root] [--bare] -o <out>`
 *
 * Builds a voucher from JSON (keys are XML element names, details under `DetailList`, amounts as
 * strings) and writes it in an MOF envelope (or, with `--bare`, as bare voucher XML). On invalid data it
 * prints every problem and exits 2 without writing anything.
 */
import { clipText, firstDuplicateKey } from '../../encoding/index.js';
import { EvoucherError } from '../../errors.js';
import { buildVoucher, createEnvelope, serializeVoucher, VoucherValidationError } from '../../voucher/index.js';
import type { VoucherData } from '../../voucher/index.js';
import { chooseOption, parseCommandArgs, readInput, requireOption, writeOutput } from '../args.js';
import { formatIssues, printError, printStatus, printText } from '../output.js';

const USAGE = `usage: evoucher build --type <VtCode> --data <file.json|-> -o <envelope.xml|->
                      [--encoding gbk|utf8] [--root MOF|Root] [--bare]

Builds and validates a voucher from JSON and writes it in an MOF envelope.
  --type, -t      voucher type (VtCode), e.g. 5201
  --data, -d      JSON file ('-' for standard input): XML element names as keys, amounts as strings,
                  detail lines under "DetailList": [ {...} ]
  --output, -o    output file ('-' for standard output)
  --encoding      voucher charset: gbk (default, the national exchange) or utf8
  --root          envelope root element: MOF (default) or Root
  --bare          write the bare voucher XML instead of an envelope
exit codes: 0 written, 2 invalid data, usage or I/O error (nothing is written)`;

/**
 * Runs `evoucher build`.
 *
 * @param args - the command's arguments.
 * @returns the exit code: 0 written; 2 invalid data (every problem printed), usage or I/O error.
 * @throws EvoucherError `ARG_*` for usage and I/O errors (the dispatcher prints them and exits 2).
 */
export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    {
      options: {
        type: { type: 'string', short: 't' },
        data: { type: 'string', short: 'd' },
        output: { type: 'string', short: 'o' },
        encoding: { type: 'string' },
        root: { type: 'string' },
        bare: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    args,
  );
  if (values.help === true) {
    printText(USAGE);
    return 0;
  }
  const type = requireOption(values.type, 'type');
  const dataPath = requireOption(values.data, 'data');
  const output = requireOption(values.output, 'output');
  const encoding = chooseOption(values.encoding, ['gbk', 'utf8'] as const, 'encoding') === 'gbk' ? 'GBK' : 'UTF-8';
  const root = chooseOption(values.root, ['MOF', 'Root'] as const, 'root');
  const raw = await readInput(dataPath);
  let text: string;
  try {
    // Bytes that are not UTF-8 are refused, never read as U+FFFD into the voucher's fields.
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch (e) {
    throw new EvoucherError('ARG_INVALID', `${dataPath} is not UTF-8 text`, { cause: e });
  }
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch (e) {
    throw new EvoucherError('ARG_INVALID', `${dataPath} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  // A key given twice (a second "PayAmt") would be taken silently, the last one winning; other JSON readers take
  // the first, so the voucher built would depend on the reader.
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== undefined) {
    const where = clipText(duplicate.path, 200);
    throw new EvoucherError('ARG_INVALID', `${dataPath}: the key '${clipText(duplicate.key, 64)}' appears twice in ${where} (JSON readers disagree on which one counts)`, {
      detail: { path: where },
    });
  }
  let bytes: Uint8Array;
  try {
    const voucher = buildVoucher(type, data as VoucherData, { encoding });
    bytes = values.bare === true ? serializeVoucher(voucher) : createEnvelope([voucher], { root });
  } catch (e) {
    if (e instanceof VoucherValidationError) {
      printError(`evoucher build: ${type}: ${e.issues.length} problem(s), nothing written`);
      for (const line of formatIssues(e.issues)) printError(line);
      return 2;
    }
    throw e;
  }
  if (!(await writeOutput(output, bytes))) printStatus([`wrote ${output} (${values.bare === true ? 'voucher' : 'envelope'} ${type}, ${encoding}, ${bytes.length} bytes)`]);
  return 0;
}
