/**
 * `evoucher positions --type <VtCode> [--adm-div <code>] [--policy p.json] [--format text|json]`
 *
 * Lists the seal positions of a voucher type under the built-in defaults or a policy, as the national
 * library's position query does (domain.md §6).
 */
import { EvoucherError } from '../../errors.js';
import { positionsFor } from '../../seal/index.js';
import { chooseOption, parseCommandArgs, readPolicyOption, requireOption } from '../args.js';
import { printJson, printText } from '../output.js';

const USAGE = `usage: evoucher positions --type <VtCode> [--adm-div <code>] [--policy <p.json>] [--format text|json]

Lists the seal positions of a voucher type (id, name, party, seal types, formats, sequence, required, view).
  --type, -t     voucher type (VtCode), e.g. 5201
  --adm-div      AdmDivCode (6 digits), for per-region overrides of a policy
  --policy       seal policy JSON (default: the built-in positions)
  --format       text (default) or json (an array of objects)
exit codes: 0 listed, 2 unknown type, bad policy, usage or I/O error`;

/**
 * Runs `evoucher positions`.
 *
 * @param args - the command's arguments.
 * @returns 0 listed; 2 for usage errors.
 * @throws EvoucherError `ARG_*`, `VOUCHER_UNKNOWN_TYPE`, `POLICY_INVALID` (the dispatcher prints them and exits 2).
 */
export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    {
      options: {
        type: { type: 'string', short: 't' },
        'adm-div': { type: 'string' },
        policy: { type: 'string' },
        format: { type: 'string' },
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
  const format = chooseOption(values.format, ['text', 'json'] as const, 'format');
  // A voucher's AdmDivCode is 6 digits (as a policy's keys are): any other code matches no override and would list
  // the per-type positions as if they applied to it.
  const admDiv = values['adm-div'];
  if (admDiv !== undefined && !/^[0-9]{6}$/.test(admDiv)) {
    throw new EvoucherError('ARG_INVALID', `--adm-div ${admDiv} is not an AdmDivCode (6 digits)`, { detail: { option: 'adm-div' } });
  }
  const policy = await readPolicyOption(values.policy);
  const positions = positionsFor(type, admDiv, policy);
  if (format === 'json') {
    printJson(
      positions.map((p) => ({
        id: p.id,
        name: p.name,
        party: p.party,
        sealTypes: p.sealTypes,
        formats: p.formats,
        sequence: p.sequence,
        required: p.required,
        view: p.view,
        ...(p.organizations === undefined ? {} : { organizations: p.organizations }),
      })),
    );
    return 0;
  }
  const lines = [`seal positions of ${type}${values['adm-div'] === undefined ? '' : ` (AdmDivCode ${values['adm-div']})`}:`];
  lines.push('  seq  id          party  view      required  formats   name');
  for (const p of positions) {
    lines.push(
      `  ${String(p.sequence).padEnd(4)} ${p.id.padEnd(11)} ${p.party.padEnd(6)} ${p.view.padEnd(9)} ${(p.required ? 'yes' : 'no').padEnd(9)} ${p.formats.join(',').padEnd(9)} ${p.name}`,
    );
  }
  printText(lines.join('\n'));
  return 0;
}
