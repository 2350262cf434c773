/**
 * The `evoucher` command line. This is the only layer that prints, reads files or chooses exit codes.
 *
 * Exit codes (design.md §8): 0 ok / all VALID, 1 invalid voucher or failed verification, 2 usage or I/O error.
 */
import { EvoucherError } from '../errors.js';
import { printError } from './output.js';

/** One sub-command: receives its own arguments and returns the exit code. */
export type CommandRunner = (args: string[]) => Promise<number>;

/** Sub-commands, loaded lazily so that `evoucher build` never loads the PKCS#11 module. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandRunner> }> = {
  build: { summary: 'build and validate a voucher from JSON into an MOF envelope', load: async () => (await import('./commands/build.js')).run },
  inspect: { summary: 'show the decoded voucher(s) and stamps of an envelope or voucher XML', load: async () => (await import('./commands/inspect.js')).run },
  validate: { summary: 'check voucher fixtures against the catalogue rules (no seals)', load: async () => (await import('./commands/validate.js')).run },
  seal: { summary: 'add one seal (ses or cms) at a position of a voucher body', load: async () => (await import('./commands/seal.js')).run },
  receipt: { summary: 'fill the X-fields of a sealed original into a receipt (回单) envelope', load: async () => (await import('./commands/receipt.js')).run },
  positions: { summary: 'list the seal positions of a voucher type (built-in or policy)', load: async () => (await import('./commands/positions.js')).run },
  'seal-make': { summary: 'make a GB/T 38540 seal object (.esl) with a seal maker key', load: async () => (await import('./commands/seal_make.js')).run },
  demo: { summary: 'build, seal in layers and summarise a 5201 and an 8202 with the demo PKI', load: async () => (await import('./commands/demo.js')).run },
  pki: { summary: 'demo PKI (test-only keys) and certificate path checks', load: async () => (await import('./commands/pki.js')).run },
  verify: { summary: 'verify the seal chain of every voucher and print a report (text, json, junit)', load: async () => (await import('./commands/verify.js')).run },
  'verify-seal': { summary: 'verify a standalone GB/T 38540 seal signature (SES_Signature) over a file', load: async () => (await import('./commands/verify_seal.js')).run },
};

function usage(): string {
  const lines = ['usage: evoucher <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(12)} ${c.summary}`);
  lines.push('', 'run `evoucher <command> --help` for the options of one command.');
  return lines.join('\n');
}

/**
 * Makes a reader that goes away an ordinary end of the process (`evoucher verify *.xml | head`): when standard
 * output is closed under it (EPIPE), the command stops at once, without a stack trace, with the exit code of an
 * I/O error (2), as Unix tools stop on SIGPIPE. Called by the `evoucher` launcher only, never by a library user.
 *
 * @example exitWhenOutputCloses()
 */
export function exitWhenOutputCloses(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    // A closed pipe ends the command quietly; any other failure (a full disk: ENOSPC) is an I/O error, said
    // with its code on standard error, never a stack trace and never exit 1 ("invalid voucher").
    if (e.code !== 'EPIPE') {
      try {
        process.stderr.write(`evoucher: ARG_IO: cannot write standard output (${e.code ?? 'error'})\n`);
      } catch {
        // Standard error failing too: the exit code says it.
      }
    }
    process.exit(2);
  });
  // Standard error failing (2>/dev/full) must not turn into an uncaught exception either.
  process.stderr.on('error', () => process.exit(2));
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    // Asked for: standard output, exit 0. No command at all is a usage error: standard error, exit 2.
    (name === undefined ? process.stderr : process.stdout).write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`evoucher: unknown command '${name}'\n${usage()}\n`);
    return 2;
  }
  try {
    const run = await command.load();
    return await run(rest);
  } catch (e) {
    if (e instanceof EvoucherError) {
      printError(`evoucher ${name}: ${e.code}: ${e.message}`);
    } else {
      printError(`evoucher ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return 2;
  }
}
