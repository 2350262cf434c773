/**
 * `evoucher seal-make --maker <key-uri> --holder <cert.pem>... --name <name> --valid-from <date> --valid-to <date>
 *  [--picture <png>] [--es-id <id>] [--type <n>] -o <seal.esl>`
 *
 * Makes a GB/T 38540-2020 seal object (`SESeal`, a `.esl` file) signed by a seal maker, for the holders'
 * certificates. Without `--picture` the seal carries a generated round red seal with its name.
 */
import { EvoucherError } from '../../errors.js';
import { openKeyProvider } from '../../keys/index.js';
import { makeSeal, parseSeal } from '../../seal/index.js';
import { parseCommandArgs, parseIsoTime, readCertificateOptions, readInput, refuseStdinTwice, requireOption, writeOutput } from '../args.js';
import { printRefusal, printStatus, printText } from '../output.js';

const USAGE = `usage: evoucher seal-make --maker <key-uri> --holder <cert.pem>... --name <name>
                          --valid-from <date> --valid-to <date> -o <seal.esl>
                          [--picture <png>] [--es-id <id>] [--type <n>]

Makes a GB/T 38540-2020 seal object (SESeal) signed by the seal maker's SM2 key.
  --maker        seal maker key URI (file:, pkcs12:, pkcs11:); SM2
  --holder       PEM or DER certificate allowed to seal with it (repeatable; SM2)
  --name         the seal's name, e.g. the organisation's name
  --valid-from   start of validity: a date (00:00:00 China Standard Time) or an ISO 8601 time
  --valid-to     end of validity: a date (23:59:59 China Standard Time) or an ISO 8601 time
  --picture      PNG picture (default: a generated round red seal with the name), printed 40 × 40 mm;
                 the seal object must stay within 192 KiB (an ses stamp embeds it)
  --es-id        the seal id (default: 32 random hex digits)
  --type         property type (default 1, an organisation seal)
  --output, -o   output file ('-' for standard output)
exit codes: 0 written, 1 refused (key not SM2, maker certificate that may not sign, bad validity or
            validity past the maker certificate), 2 usage or I/O error (a picture too large included)`;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function parseDateOption(value: string, name: string, end: boolean): Date {
  // A date alone is a whole day in China Standard Time; a time needs its zone (parseIsoTime refuses days and
  // hours that do not exist instead of rolling them over).
  const text = DATE_ONLY.test(value) ? `${value}T${end ? '23:59:59' : '00:00:00'}+08:00` : value;
  return parseIsoTime(text, name) as Date;
}

async function readCertificate(path: string): Promise<Uint8Array> {
  // DER or PEM, read as every command reads certificate files: PEM may have explanatory text before its block
  // (`openssl x509 -text` output), which a look at the first bytes alone took for DER.
  const certs = await readCertificateOptions([path], 'holder', 1024 * 1024);
  if (certs.length !== 1) throw new EvoucherError('ARG_INVALID', `${path} must hold exactly one certificate`, { detail: { path } });
  return certs[0] as Uint8Array;
}

/**
 * Runs `evoucher seal-make`.
 *
 * @param args - the command's arguments.
 * @returns 0 written, 1 refused, 2 usage or I/O error.
 * @throws EvoucherError `ARG_*` for usage and I/O errors (the dispatcher prints them and exits 2).
 */
export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    {
      options: {
        maker: { type: 'string' },
        holder: { type: 'string', multiple: true },
        name: { type: 'string' },
        'valid-from': { type: 'string' },
        'valid-to': { type: 'string' },
        picture: { type: 'string' },
        'es-id': { type: 'string' },
        type: { type: 'string' },
        output: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    args,
  );
  if (values.help === true) {
    printText(USAGE);
    return 0;
  }
  const makerUri = requireOption(values.maker, 'maker');
  const name = requireOption(values.name, 'name');
  const output = requireOption(values.output, 'output');
  const holderPaths = values.holder ?? [];
  if (holderPaths.length === 0) throw new EvoucherError('ARG_MISSING', '--holder is required', { detail: { option: 'holder' } });
  const validStart = parseDateOption(requireOption(values['valid-from'], 'valid-from'), 'valid-from', false);
  const validEnd = parseDateOption(requireOption(values['valid-to'], 'valid-to'), 'valid-to', true);
  let type: number | undefined;
  if (values.type !== undefined) {
    if (!/^\d{1,4}$/.test(values.type)) throw new EvoucherError('ARG_INVALID', '--type must be a small non-negative integer', { detail: { option: 'type' } });
    type = Number(values.type);
  }
  refuseStdinTwice([...holderPaths.map((path) => ({ path, as: 'a holder certificate', option: 'holder' })), { path: values.picture, as: 'the picture', option: 'picture' }]);
  const holders = await Promise.all(holderPaths.map(readCertificate));
  const picture = values.picture === undefined ? undefined : await readInput(values.picture, { maxBytes: 2 * 1024 * 1024 });
  if (picture !== undefined && !(picture[0] === 0x89 && picture[1] === 0x50 && picture[2] === 0x4e && picture[3] === 0x47)) {
    throw new EvoucherError('ARG_INVALID', '--picture must be a PNG file', { detail: { option: 'picture' } });
  }
  let maker: Awaited<ReturnType<typeof openKeyProvider>> | undefined;
  let esl: Uint8Array;
  try {
    // Inside: a maker key that does not open is refused (exit 1), as `seal` refuses a sealer key.
    maker = await openKeyProvider(makerUri);
    esl = await makeSeal({
      maker,
      holders,
      name,
      validStart,
      validEnd,
      ...(values['es-id'] === undefined ? {} : { esId: values['es-id'] }),
      ...(type === undefined ? {} : { type }),
      ...(picture === undefined ? {} : { picture: { type: 'PNG' as const, data: picture, widthMm: 40, heightMm: 40 } }),
    });
  } catch (e) {
    return printRefusal('seal-make', e, (x) => x.code.startsWith('ARG_'));
  } finally {
    await maker?.close?.();
  }
  // The status line on standard error, and none when the seal file went to standard output (`-o -`, `-o /dev/stdout`).
  if (!(await writeOutput(output, esl))) {
    const seal = parseSeal(esl);
    printStatus([`seal ${seal.esId} "${seal.name}" for ${holders.length} holder(s), valid ${seal.validStart.toISOString()} .. ${seal.validEnd.toISOString()} → ${output}`]);
  }
  return 0;
}
