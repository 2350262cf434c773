/**
 * The demo's softhsm-import.sh carries the chosen key password as one quoted shell word: a password with shell
 * syntax in it is the password, never a command. The script's head (up to the password line) is run by `sh`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoucherError } from '../../src/errors.js';
import { createDemoPki, DEMO_PASSWORD } from '../../src/pki/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-demo-script-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the script up to its PASSWORD= line in `dir`, then prints $PASSWORD. */
async function passwordOf(password: string | undefined, env: Record<string, string> = {}): Promise<string> {
  const pki = await createDemoPki({ families: ['p256'], ...(password === undefined ? {} : { password }) });
  const script = new TextDecoder().decode(pki.files.get('softhsm-import.sh'));
  const lines = script.split('\n');
  const end = lines.findIndex((l) => l.startsWith('PASSWORD='));
  expect(end).toBeGreaterThan(0);
  const head = join(dir, 'head.sh');
  await writeFile(head, `${lines.slice(0, end + 1).join('\n')}\nprintf '%s' "$PASSWORD"\n`);
  const { EVOUCHER_KEY_PASSWORD: _unused, ...rest } = process.env;
  const r = spawnSync('sh', [head], { cwd: dir, env: { ...rest, ...env }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('softhsm-import.sh password', () => {
  it('carries a password with quotes, expansions, braces and a line break as the password itself', async () => {
    const hostile = `a'b"c$(touch pwned)\`touch pwned2\`}\${HOME}\nline2 \\ end'`;
    expect(await passwordOf(hostile)).toBe(hostile);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'pwned2'))).toBe(false);
  });

  it('defaults to the demo password, and EVOUCHER_KEY_PASSWORD still overrides it', async () => {
    expect(await passwordOf(undefined)).toBe(DEMO_PASSWORD);
    expect(await passwordOf('chosen', { EVOUCHER_KEY_PASSWORD: 'from-env' })).toBe('from-env');
  });

  it('refuses a password with a NUL, which neither the script nor openssl can carry', async () => {
    const e = await createDemoPki({ families: ['p256'], password: 'a\0b' }).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(EvoucherError);
    expect((e as EvoucherError).code).toBe('ARG_INVALID');
  });
});
