/**
 * `evoucher verify` and hostile file names: a name that is not UTF-8 never verifies another file, and JUnit
 * reads every name back as itself and carries no raw control or bidirectional character.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/commands/demo.js';
import { displayLine, toJunit } from '../../src/cli/output.js';
import { collectResult, ROOT, runCli, type CliResult } from './spawn_cli.js';

const AT = '2026-01-15T02:00:00Z';
const TRUST = join(ROOT, 'fixtures', 'pki', 'trust');
let dir: string;
let valid: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-verify-names-'));
  const demo = await runDemo({ now: new Date(AT), variants: ['cms'] });
  valid = (demo.vouchers[0] as { original: Uint8Array }).original;
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `sh -c script` with `$EVOUCHER` set to the CLI (the names are made by the shell: raw bytes). */
function runShell(script: string): Promise<CliResult> {
  return collectResult(spawn('sh', ['-c', script], { cwd: dir, env: { ...process.env, EVOUCHER: `${process.execPath} ${join(ROOT, 'bin', 'evoucher.js')}` }, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** The value of an attribute as an XML reader gives it (the character references this writer uses decoded). */
function readAttribute(xml: string, element: string, name: string): string | undefined {
  const m = new RegExp(`<${element} [^>]*?${name}="([^"]*)"`).exec(xml);
  if (m === null) return undefined;
  // Raw white space in an attribute is read as a space (XML 1.0 §3.3.3), before references are expanded.
  return (m[1] as string)
    .replace(/[\t\n\r]/g, ' ')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&(lt|gt|quot|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', amp: '&' })[e] as string);
}

describe('evoucher verify: file names', () => {
  it('a name that is not UTF-8 is refused, not verified as the file node decodes it to (a planted VALID copy)', async () => {
    const inbox = join(dir, 'inbox');
    await mkdir(inbox);
    // The sender's forged voucher under a Latin-1 name, and a VALID copy under the name node decodes that to.
    await writeFile(join(inbox, 'x\ufffd.xml'), valid);
    const r = await runShell(`printf '<MOF>' > "$(printf 'inbox/x\\377.xml')" && exec $EVOUCHER verify "$(printf 'inbox/x\\377.xml')" --trust '${TRUST}' --at ${AT} --format json`);
    expect(r.stderr).toMatch(/ARG_INVALID: .*U\+FFFD/);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('VALID');
    // The same names globbed: still refused, never "2 of 2 VALID".
    const all = await runShell(`exec $EVOUCHER verify inbox/* --trust '${TRUST}' --at ${AT} --jobs 2`);
    expect(all.code).toBe(2);
    expect(all.stdout).toBe('');
    // A name with a real U+FFFD is verified exactly through a UTF-8 list.
    const listed = await runCli(['verify', '--files-from', '-', '--trust', TRUST, '--at', AT], { input: `${join(inbox, 'x\ufffd.xml')}\n` });
    expect(listed.code).toBe(0);
  });

  it('JUnit reads every name back as itself and carries no raw control, separator or bidirectional character', async () => {
    const names = ['a\nVALID  forged.xml', 'b\r\x1b[2Kc.xml', 't\tab.xml', 'c1\u009b31m.xml', '\u202egnp.xml', 'alm\u061c.xml', 'q"<&]]>.xml'];
    for (const n of names) await writeFile(join(dir, n), valid);
    const files = names.map((n) => join(dir, n));
    for (const jobs of ['0', '2']) {
      const r = await runCli(['verify', ...files, '--trust', TRUST, '--at', AT, '--format', 'junit', '--jobs', jobs]);
      expect(r.code).toBe(0);
      const suites = r.stdout.split('\n').filter((l) => l.startsWith('  <testsuite '));
      expect(suites.length).toBe(names.length);
      for (const [i, line] of suites.entries()) {
        // ESC is not an XML character: that name is shown with U+FFFD.
        if (names[i]?.includes('\x1b') === true) continue;
        expect(readAttribute(line, 'testsuite', 'name')).toBe(files[i]);
      }
      expect(r.stdout).not.toMatch(/[\r\t\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u);
      const { XMLValidator } = await import('fast-xml-parser');
      expect(XMLValidator.validate(r.stdout)).toBe(true);
    }
  });

  it('JSON reads every name back as itself and carries no raw C1, separator or bidirectional character', async () => {
    const names = ['c1\u009b31m.json.xml', '\u202egnp.json.xml', 'alm\u061c.json.xml', 'sep\u2028.json.xml', 'del\u007f.json.xml'];
    for (const n of names) await writeFile(join(dir, n), valid);
    const files = names.map((n) => join(dir, n));
    for (const jobs of ['0', '2']) {
      const r = await runCli(['verify', ...files, '--trust', TRUST, '--at', AT, '--format', 'json', '--jobs', jobs]);
      expect(r.code, jobs).toBe(0);
      expect(r.stdout).not.toMatch(/[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u);
      expect(r.stdout).toContain('\\u202egnp');
      const out = JSON.parse(r.stdout) as { file: string }[];
      expect(out.map((x) => x.file)).toEqual(files);
    }
  });

  it('the XML writer keeps line breaks of a problem text, writes CR as a reference', () => {
    const xml = toJunit([{ name: 'n', cases: [{ name: 'c', failures: [{ message: 'm\r\n', type: 'T', text: 'a\r\nb\u2028' }] }] }]);
    expect(xml).toContain('<failure message="m&#xd;&#xa;" type="T">a&#xd;\nb&#x2028;</failure>');
  });

  it('text lines escape the Arabic letter mark (U+061C) as the other bidirectional marks', () => {
    expect(displayLine('ZF\u061c1\u200f2')).toBe('ZF\\u061c1\\u200f2');
  });
});
