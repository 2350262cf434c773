/**
 * Real SoftHSM2 tokens for tests.
 *
 * `createTestToken()` initialises a token in a temporary SoftHSM2 token directory, imports the
 * given PKCS#8 keys (`softhsm2-util --import`) and certificates (`pkcs11-tool --write-object`),
 * and returns what a test needs to open it through a `pkcs11:` URI.
 *
 * All tokens of one test process share one token directory and one `SOFTHSM2_CONF` (set on
 * `process.env` at the first call): SoftHSM2 reads its configuration and its token list at
 * `C_Initialize`, so a token created while a provider keeps the module initialised is invisible
 * until every provider of the process is closed. Create all tokens first (e.g. in `beforeAll`),
 * then open providers. The directory is removed when the process exits.
 *
 * The function returns null only when SoftHSM2 is absent and `EVOUCHER_REQUIRE_PKCS11` is unset;
 * CI sets it, so CI never skips.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type * as Pkcs11Js from 'pkcs11js';

const run = promisify(execFile);

/** A key (with its certificate) to put on a test token. */
export interface TestTokenKey {
  /** CKA_LABEL of the key and the certificate (the URI `object`). */
  readonly label: string;
  /** The private key, plain PKCS#8 DER (omit to write only the certificate). */
  readonly keyPkcs8Der?: Uint8Array;
  /** The certificate, DER (omit to leave the key without a certificate). */
  readonly certDer?: Uint8Array;
  /** CKA_ID as hex, e.g. `01`. */
  readonly id: string;
  /** CKA_LABEL of the certificate when it is not `label`. */
  readonly certLabel?: string;
  /** CKA_ID of the certificate as hex when it is not `id`; `''` writes the certificate without a CKA_ID. */
  readonly certId?: string;
}

/** Options of {@link createTestToken}. */
export interface TestTokenOptions {
  /** Token label (at most 32 bytes); default a unique `evoucher-<pid>-<n>`. */
  readonly label?: string;
  /** User PIN; default `123456`. */
  readonly pin?: string;
  /** Security officer PIN; default `12345678`. */
  readonly soPin?: string;
  /** Keys and certificates to import. */
  readonly keys?: readonly TestTokenKey[];
}

/** A token made by {@link createTestToken}. */
export interface TestToken {
  /** Absolute path of libsofthsm2.so. */
  readonly modulePath: string;
  /** The token label. */
  readonly label: string;
  /** The user PIN. */
  readonly pin: string;
  /** Environment a child process needs to see the token (`SOFTHSM2_CONF`). */
  readonly env: Record<string, string>;
  /** The SoftHSM2 token directory (shared by the tokens of this process). */
  readonly tokenDir: string;
  /**
   * A `pkcs11:` URI for an object (key label) on this token, with `module-path` and a
   * `pin-source` file holding the PIN.
   */
  uri(object: string): string;
  /** Deletes the token (close its providers first). */
  cleanup(): Promise<void>;
}

/** Where Debian/Ubuntu and upstream builds install SoftHSM2. */
export const SOFTHSM_MODULE_CANDIDATES: readonly string[] = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
  '/usr/lib64/pkcs11/libsofthsm2.so',
  '/usr/lib64/softhsm/libsofthsm2.so',
];

/**
 * Finds libsofthsm2.so.
 *
 * @returns its path, or undefined when not installed
 */
export async function findSoftHsmModule(): Promise<string | undefined> {
  for (const p of SOFTHSM_MODULE_CANDIDATES) {
    try {
      await access(p);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

/**
 * Why SoftHSM2 tests cannot run here, or undefined when they can. Throws instead when
 * `EVOUCHER_REQUIRE_PKCS11` is set (CI), so a broken CI setup fails loudly.
 *
 * @returns the skip reason
 */
export async function softHsmUnavailableReason(): Promise<string | undefined> {
  const missing: string[] = [];
  if ((await findSoftHsmModule()) === undefined) missing.push('libsofthsm2.so');
  for (const [tool, args] of [
    ['softhsm2-util', ['--version']],
    ['pkcs11-tool', ['--show-info', '--module', '/nonexistent']],
  ] as const) {
    try {
      await run(tool, [...args]);
    } catch (e) {
      // pkcs11-tool exits non-zero for the bogus module; only "not found" means absent.
      if ((e as { code?: unknown }).code === 'ENOENT') missing.push(tool);
    }
  }
  if (missing.length === 0) return undefined;
  const reason = `SoftHSM2 not installed (missing ${missing.join(', ')}); install softhsm2 and opensc`;
  if (process.env['EVOUCHER_REQUIRE_PKCS11'] !== undefined && process.env['EVOUCHER_REQUIRE_PKCS11'] !== '') {
    throw new Error(`EVOUCHER_REQUIRE_PKCS11 is set but ${reason}`);
  }
  return reason;
}

interface Store {
  readonly dir: string;
  readonly conf: string;
  readonly labels: Set<string>;
}

let store: Store | undefined;
let counter = 0;
let chain: Promise<unknown> = Promise.resolve();

async function ensureStore(): Promise<Store> {
  if (store !== undefined) return store;
  const dir = await mkdtemp(join(tmpdir(), 'evoucher-softhsm-'));
  await mkdir(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  await writeFile(
    conf,
    [`directories.tokendir = ${join(dir, 'tokens')}`, 'objectstore.backend = file', 'log.level = ERROR', 'slots.removable = false', ''].join('\n'),
  );
  process.env['SOFTHSM2_CONF'] = conf;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  store = { dir, conf, labels: new Set() };
  return store;
}

async function tool(cmd: string, args: string[], env: NodeJS.ProcessEnv, what: string): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { env });
    return stdout;
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? '').trim();
    // The command line (with the test PIN) is left out of the message on purpose.
    throw new Error(`${cmd} failed to ${what}: ${stderr.slice(0, 500)}`);
  }
}

/**
 * Creates a SoftHSM2 token with keys and certificates.
 *
 * @param options - label, PINs and the keys to import
 * @returns the token, or null when SoftHSM2 is absent and `EVOUCHER_REQUIRE_PKCS11` is unset
 * @throws Error when a tool fails, the label is taken, or SoftHSM2 is absent while required
 * @example
 * const token = await createTestToken({ keys: [{ label: 'finance', keyPkcs8Der, certDer, id: '01' }] })
 * if (token === null) return // skipped: SoftHSM2 not installed
 * const signer = await openKeyProvider(token.uri('finance'))
 */
export function createTestToken(options: TestTokenOptions = {}): Promise<TestToken | null> {
  // softhsm2-util picks "the first free slot": two initialisations at once would race for it.
  const next = chain.then(() => create(options));
  chain = next.catch(() => undefined);
  return next;
}

async function create(options: TestTokenOptions): Promise<TestToken | null> {
  const reason = await softHsmUnavailableReason();
  if (reason !== undefined) return null;
  const modulePath = (await findSoftHsmModule()) as string;
  const s = await ensureStore();
  counter += 1;
  const label = options.label ?? `evoucher-${process.pid}-${counter}`;
  const pin = options.pin ?? '123456';
  const soPin = options.soPin ?? '12345678';
  if (Buffer.byteLength(label) > 32) throw new Error('token label longer than 32 bytes');
  if (s.labels.has(label)) throw new Error(`token label ${label} already used in this process`);
  const env = { ...process.env, SOFTHSM2_CONF: s.conf };
  await tool('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin], env, 'init the token');
  s.labels.add(label);

  const work = await mkdtemp(join(s.dir, 'import-'));
  try {
    for (const [i, key] of (options.keys ?? []).entries()) {
      if (!/^(?:[0-9A-Fa-f]{2})+$/u.test(key.id)) throw new Error(`key id must be hex bytes: ${key.id}`);
      if (key.keyPkcs8Der !== undefined) {
        const keyFile = join(work, `key-${i}.pem`);
        const b64 = Buffer.from(key.keyPkcs8Der).toString('base64').replace(/.{64}/gu, '$&\n');
        await writeFile(keyFile, `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`, { mode: 0o600 });
        await tool(
          'softhsm2-util',
          ['--import', keyFile, '--token', label, '--label', key.label, '--id', key.id, '--pin', pin],
          env,
          `import key ${key.label}`,
        );
      }
      if (key.certDer === undefined) continue;
      const certFile = join(work, `cert-${i}.der`);
      await writeFile(certFile, key.certDer);
      const certId = key.certId ?? key.id;
      if (certId !== '' && !/^(?:[0-9A-Fa-f]{2})+$/u.test(certId)) throw new Error(`certificate id must be hex bytes: ${certId}`);
      await tool(
        'pkcs11-tool',
        [
          '--module', modulePath, '--token-label', label, '--login', '--pin', pin, '--write-object', certFile, '--type', 'cert',
          '--label', key.certLabel ?? key.label, ...(certId === '' ? [] : ['--id', certId]),
        ],
        env,
        `write certificate ${key.certLabel ?? key.label}`,
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  const pinFile = join(s.dir, `pin-${label}`);
  await writeFile(pinFile, `${pin}\n`, { mode: 0o600 });
  let deleted = false;
  return {
    modulePath,
    label,
    pin,
    env: { SOFTHSM2_CONF: s.conf },
    tokenDir: join(s.dir, 'tokens'),
    uri(object: string): string {
      return `pkcs11:token=${pathValue(label)};object=${pathValue(object)}?module-path=${queryValue(modulePath)}&pin-source=${queryValue(`file:${pinFile}`)}`;
    },
    async cleanup(): Promise<void> {
      if (deleted) return;
      deleted = true;
      await tool('softhsm2-util', ['--delete-token', '--token', label], { ...process.env, SOFTHSM2_CONF: s.conf }, 'delete the token');
      await rm(pinFile, { force: true });
      s.labels.delete(label);
    },
  };
}

/** RFC 7512 §2.3: everything but unreserved characters is percent-encoded in a path value. */
function pathValue(v: string): string {
  return [...Buffer.from(v, 'utf8')]
    .map((b) => (/[A-Za-z0-9\-._~]/u.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

/** Query values may also carry "/" and ":" unescaped (RFC 7512 §2.3 pk11-query-res-avail). */
function queryValue(v: string): string {
  return pathValue(v).replace(/%2F/gu, '/').replace(/%3A/gu, ':');
}

/** pkcs11js, as the test's own "other code of the process" (CommonJS: the API is the default export). */
export async function pkcs11js(): Promise<typeof Pkcs11Js> {
  const ns = (await import('pkcs11js')) as unknown as { readonly default?: typeof Pkcs11Js };
  return ns.default ?? (ns as unknown as typeof Pkcs11Js);
}

/**
 * Runs `f` with a user session of the token opened by other code of the process (its own pkcs11js instance),
 * then logs out, closes and finalizes.
 */
export async function withUserSession<T>(token: TestToken, readWrite: boolean, f: (p11: Pkcs11Js.PKCS11, lib: typeof Pkcs11Js, session: Buffer) => Promise<T> | T): Promise<T> {
  const lib = await pkcs11js();
  const p11 = new lib.PKCS11();
  p11.load(token.modulePath);
  p11.C_Initialize();
  try {
    const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === token.label);
    if (slot === undefined) throw new Error('test token not found');
    const session = p11.C_OpenSession(slot, lib.CKF_SERIAL_SESSION | (readWrite ? lib.CKF_RW_SESSION : 0));
    p11.C_Login(session, lib.CKU_USER, token.pin);
    try {
      return await f(p11, lib, session);
    } finally {
      p11.C_Logout(session);
      p11.C_CloseSession(session);
    }
  } finally {
    p11.C_Finalize();
  }
}
