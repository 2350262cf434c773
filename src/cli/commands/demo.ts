/**
 * `evoucher demo [--variant ses|cms]... [--format text|json] [--out <dir>]`
 *
 * Builds a 5201 and an 8202 from `examples/`, applies every original-view position with the committed demo
 * PKI (`fixtures/pki/`, test-only keys) in an SM2 `ses` variant and a P-256 `cms` variant, fills and seals a
 * receipt, and prints a readable summary. {@link runDemo} returns the same as structured data.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EvoucherError } from '../../errors.js';
import { openKeyProvider } from '../../keys/index.js';
import type { KeyProvider } from '../../keys/index.js';
import { parseCertificate } from '../../pki/index.js';
import { createReceipt, makeSeal, parseStamp, positionsFor, sealVoucher, stampFacts } from '../../seal/index.js';
import type { SealFormat } from '../../seal/index.js';
import { buildVoucher, createEnvelope, parseEnvelope } from '../../voucher/index.js';
import type { VoucherData } from '../../voucher/index.js';
import { chooseOption, makeDirectory, parseCommandArgs, writeOutput } from '../args.js';
import { printJson, printText } from '../output.js';
import { verifyDemoEnvelope } from './verify.js';

/** The package root: `dist/cli/commands/` and `src/cli/commands/` are both three levels below it. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A demo variant: SM2 keys with GB/T 38540 `ses` seals, or P-256 keys with `cms` seals. */
export type DemoVariant = 'ses' | 'cms';

/** One seal of a demo voucher. */
export interface DemoSeal {
  readonly position: string;
  readonly name: string;
  readonly party: string;
  readonly sequence: number;
  readonly view: 'original' | 'receipt';
  readonly format: SealFormat;
  readonly algorithm: string;
  /** Signer certificate subject. */
  readonly signer: string;
  readonly organization?: string;
  readonly signingTime: string;
  /** `ses`: the seal object's esID. */
  readonly esId?: string;
}

/** One demo voucher (its final receipt envelope). */
export interface DemoVoucher {
  readonly variant: DemoVariant;
  readonly vtCode: string;
  readonly typeName: string;
  readonly voucherNo: string;
  readonly admDivCode: string;
  readonly amount: string;
  /** The original envelope with all original-view seals. */
  readonly original: Uint8Array;
  /** The receipt envelope with every seal. */
  readonly receipt: Uint8Array;
  readonly seals: readonly DemoSeal[];
  /** What a verification hook returned for the receipt envelope, if one was given. */
  readonly verification?: unknown;
}

/** The result of {@link runDemo}. */
export interface DemoResult {
  readonly pkiDir: string;
  readonly vouchers: readonly DemoVoucher[];
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** The demo PKI directory (with `manifest.json`); default `<package>/fixtures/pki`. */
  readonly pkiDir?: string;
  /** Directory of the example voucher JSON files; default `<package>/examples`. */
  readonly examplesDir?: string;
  /** Variants to run; default both. */
  readonly variants?: readonly DemoVariant[];
  /** The clock (seals are made one second apart, starting a minute before it); default now. */
  readonly now?: Date;
  /**
   * Called with every final receipt envelope and the demo trust anchors; its result is kept in
   * {@link DemoVoucher.verification} and printed by {@link formatDemo} when it has a `status`.
   */
  readonly verify?: (envelope: Uint8Array, context: { readonly trustDir: string; readonly variant: DemoVariant; readonly at: Date }) => Promise<unknown>;
}

interface Manifest {
  readonly password: string;
  readonly validity?: { readonly notBefore: string; readonly notAfter: string };
  readonly roles: Readonly<Record<string, { readonly cert: string; readonly key: string; readonly chain?: readonly string[] }>>;
}

const TYPE_NAMES: Readonly<Record<string, string>> = { '5201': '财政直接支付凭证 (direct payment)', '8202': '财政授权支付凭证 (authorized payment)' };

/** Receipt values (X-fields) of the demo: the bank paid the full amount on the demo day. */
function receiptFields(day: string, amount: string): Record<string, string> {
  return { XPayDate: day, XPayAmt: amount, XAgentBusinessNo: 'DEMO0000000001' };
}

async function openRole(pkiDir: string, manifest: Manifest, role: string): Promise<KeyProvider> {
  const r = manifest.roles[role];
  if (r === undefined) throw new EvoucherError('ARG_IO', `the demo PKI has no role ${role}`, { detail: { role } });
  const chain = (r.chain ?? []).map((c) => `&chain=${encodeURIComponent(join(pkiDir, c))}`).join('');
  const uri = `file:${encodeURIComponent(join(pkiDir, r.key))}?cert=${encodeURIComponent(join(pkiDir, r.cert))}${chain}`;
  return openKeyProvider(uri, { password: manifest.password });
}

/**
 * Runs the demo: builds a 5201 and an 8202, seals every original-view position, fills and seals the receipt,
 * for each variant.
 *
 * @param options - PKI and examples directories, variants, clock, verification hook.
 * @returns the envelopes and a summary of every seal.
 * @throws EvoucherError `ARG_IO` when the demo PKI or the examples cannot be read; any sealing error (a bug).
 * @example
 * const result = await runDemo({ variants: ['cms'] }); result.vouchers[0].seals.map((s) => s.position)
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const pkiDir = options.pkiDir ?? join(PACKAGE_ROOT, 'fixtures', 'pki');
  const examplesDir = options.examplesDir ?? join(PACKAGE_ROOT, 'examples');
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(pkiDir, 'manifest.json'), 'utf8')) as Manifest;
  } catch (e) {
    throw new EvoucherError('ARG_IO', `cannot read the demo PKI at ${pkiDir}`, { cause: e, detail: { path: pkiDir } });
  }
  const now = options.now ?? new Date();
  const validity = {
    notBefore: new Date(manifest.validity?.notBefore ?? now.getTime() - 86_400_000),
    notAfter: new Date(manifest.validity?.notAfter ?? now.getTime() + 365 * 86_400_000),
  };
  let clock = Math.floor(now.getTime() / 1000) * 1000 - 60_000;
  const tick = (): Date => new Date((clock += 1000));
  const day = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', ''); // China Standard Time
  const vouchers: DemoVoucher[] = [];
  for (const variant of options.variants ?? (['ses', 'cms'] as const)) {
    const family = variant === 'ses' ? 'sm2' : 'p256';
    const keys = new Map<string, KeyProvider>();
    const sealObjects = new Map<string, Uint8Array>();
    const keyFor = async (party: string): Promise<KeyProvider> => {
      let k = keys.get(party);
      if (k === undefined) {
        k = await openRole(pkiDir, manifest, `${party}-${family}`);
        keys.set(party, k);
      }
      return k;
    };
    try {
      for (const vtCode of ['5201', '8202']) {
        let data: VoucherData;
        try {
          data = JSON.parse(await readFile(join(examplesDir, `${vtCode}.json`), 'utf8')) as VoucherData;
        } catch (e) {
          throw new EvoucherError('ARG_IO', `cannot read the example ${vtCode}.json`, { cause: e, detail: { path: examplesDir } });
        }
        const voucher = buildVoucher(vtCode, data, { now });
        let env = createEnvelope([voucher]);
        const positions = positionsFor(vtCode);
        const sealAt = async (id: string, party: string): Promise<void> => {
          const key = await keyFor(party);
          const seal = variant === 'ses' ? await sealObjectFor(party, key, sealObjects, () => keyFor('maker'), validity) : undefined;
          env = await sealVoucher(env, { position: id, key, format: variant, time: tick(), ...(seal === undefined ? {} : { seal }) });
        };
        for (const p of positions.filter((x) => x.view === 'original')) await sealAt(p.id, p.party);
        const original = env;
        env = createReceipt(env, { set: receiptFields(day, voucher.fields['PayAmt'] ?? '0.00'), now });
        for (const p of positions.filter((x) => x.view === 'receipt')) await sealAt(p.id, p.party);
        const body = parseEnvelope(env).bodies[0];
        if (body === undefined) throw new EvoucherError('ENVELOPE_MALFORMED', 'the demo envelope has no body');
        const seals = body.stamps.map((s): DemoSeal => {
          const facts = stampFacts(parseStamp(s));
          const cert = parseCertificate(facts.signerCertificate);
          const pos = positions.find((p) => p.id === s.position);
          return {
            position: s.position,
            name: pos?.name ?? s.position,
            party: pos?.party ?? '',
            sequence: s.sequence,
            view: s.view,
            format: facts.format,
            algorithm: facts.signatureAlgorithm,
            signer: cert.commonName ?? cert.subject,
            ...(cert.organizationIdentifier === undefined ? {} : { organization: cert.organizationIdentifier }),
            signingTime: facts.signingTime.toISOString(),
            ...(facts.sealObject === undefined ? {} : { esId: facts.sealObject.esId }),
          };
        });
        const verification = options.verify === undefined ? undefined : await options.verify(env, { trustDir: join(pkiDir, 'trust'), variant, at: now });
        vouchers.push({
          variant,
          vtCode,
          typeName: TYPE_NAMES[vtCode] ?? vtCode,
          voucherNo: voucher.fields['VoucherNo'] ?? '',
          admDivCode: voucher.fields['AdmDivCode'] ?? '',
          amount: voucher.fields['PayAmt'] ?? '',
          original,
          receipt: env,
          seals,
          ...(verification === undefined ? {} : { verification }),
        });
      }
    } finally {
      for (const k of keys.values()) await k.close?.();
    }
  }
  return { pkiDir, vouchers };
}

/**
 * `ses` needs a seal object per party: the demo makes one with the demo seal maker (`maker-sm2`) for the
 * party's SM2 certificate, named after the certificate's organisation and valid as long as the demo PKI.
 */
async function sealObjectFor(
  party: string,
  key: KeyProvider,
  cache: Map<string, Uint8Array>,
  maker: () => Promise<KeyProvider>,
  validity: { readonly notBefore: Date; readonly notAfter: Date },
): Promise<Uint8Array> {
  const cached = cache.get(party);
  if (cached !== undefined) return cached;
  const holder = await key.certificate();
  const org = /(?:^|,)O=([^,]+)/.exec(parseCertificate(holder).subject)?.[1] ?? `Demo ${party}`;
  const esl = await makeSeal({
    maker: await maker(),
    holders: [holder],
    name: org,
    esId: `EVOUCHER-DEMO-${party.toUpperCase()}-0001`,
    validStart: validity.notBefore,
    validEnd: validity.notAfter,
  });
  cache.set(party, esl);
  return esl;
}

/**
 * Formats a demo result as readable text: per voucher, its type, number and amount, and every seal with its
 * position, party, signer, format and time; then the verification status (or that it is pending).
 *
 * @param result - from {@link runDemo}.
 * @returns the text.
 * @example
 * console.log(formatDemo(await runDemo()))
 */
export function formatDemo(result: DemoResult): string {
  const lines: string[] = [`evoucher demo (demo PKI: ${result.pkiDir}; test-only keys)`];
  for (const v of result.vouchers) {
    lines.push('', `[${v.variant === 'ses' ? 'SM2 / GB/T 38540 ses' : 'P-256 / CMS'}] ${v.vtCode} ${v.typeName}`);
    lines.push(`  voucher ${v.voucherNo}  AdmDivCode ${v.admDivCode}  amount ${v.amount}`);
    for (const s of v.seals) {
      lines.push(
        `  ${String(s.sequence).padStart(2)}. ${s.position.padEnd(9)} ${s.party.padEnd(3)} ${s.view.padEnd(8)} ${s.format} ${s.algorithm.padEnd(17)} ${s.signingTime}  ${s.signer}${s.organization === undefined ? '' : ` (${s.organization})`}${s.esId === undefined ? '' : `  seal ${s.esId}`}`,
      );
    }
    const status = typeof v.verification === 'object' && v.verification !== null && 'status' in v.verification ? String((v.verification as { status: unknown }).status) : undefined;
    lines.push(status === undefined ? '  verification: pending (no verifier hooked into the demo yet)' : `  verification: ${status}`);
  }
  return lines.join('\n');
}

const USAGE = `usage: evoucher demo [--variant ses|cms]... [--format text|json] [--out <dir>]

Builds a 5201 and an 8202, seals every position with the bundled demo PKI (test-only keys) in an SM2 ses
variant and a P-256 cms variant, fills and seals the receipts, and prints a summary.
  --variant   run only this variant (repeatable; default both)
  --format    text (default) or json
  --out       also write each original and receipt envelope into this directory
exit codes: 0 done, 1 a verification failed, 2 usage or I/O error`;

/**
 * Runs `evoucher demo`.
 *
 * @param args - the command's arguments.
 * @returns 0 done, 1 when a verification hook reported a status other than VALID, 2 usage or I/O error.
 * @throws EvoucherError `ARG_*` for usage and I/O errors (the dispatcher prints them and exits 2).
 */
export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    {
      options: {
        variant: { type: 'string', multiple: true },
        format: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    args,
  );
  if (values.help === true) {
    printText(USAGE);
    return 0;
  }
  const format = chooseOption(values.format, ['text', 'json'] as const, 'format');
  const variants = (values.variant ?? []).map((v) => chooseOption(v, ['ses', 'cms'] as const, 'variant'));
  const result = await runDemo({ verify: verifyDemoEnvelope, ...(variants.length === 0 ? {} : { variants }) });
  if (values.out !== undefined) {
    const out = values.out;
    // A path that is a file, or under one, is an I/O error with its code (ARG_IO, exit 2), never a bare EEXIST.
    await makeDirectory(out).catch((e: unknown) => {
      throw new EvoucherError('ARG_IO', `cannot create ${out}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e, detail: { path: out } });
    });
    // Each envelope replaced whole or not at all, as every `-o` is written.
    for (const v of result.vouchers) {
      await writeOutput(join(out, `${v.vtCode}-${v.variant}-original.xml`), v.original);
      await writeOutput(join(out, `${v.vtCode}-${v.variant}-receipt.xml`), v.receipt);
    }
  }
  if (format === 'json') {
    printJson({
      pkiDir: result.pkiDir,
      vouchers: result.vouchers.map(({ original: _o, receipt: _r, ...v }) => v),
    });
  } else {
    printText(formatDemo(result));
  }
  const failed = result.vouchers.some(
    (v) => typeof v.verification === 'object' && v.verification !== null && 'status' in v.verification && (v.verification as { status: unknown }).status !== 'VALID',
  );
  return failed ? 1 : 0;
}
