/**
 * Verifying the same envelope again builds its report from the same hidden classes. A report part made by a
 * pattern that gives every result a fresh hidden class (on Node 20, an object literal that starts with a spread
 * and goes on: test/style/object_spread.test.ts) fails here; such parts were a dozen new maps per seal, old-space
 * garbage for the GC threads (docs/performance.md).
 *
 * V8's `%HaveSameMap` needs `--allow-natives-syntax`, so the check runs in a child process on the compiled
 * package (built by test/global_setup.ts).
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dist = (p: string): string => JSON.stringify(pathToFileURL(join(ROOT, 'dist', p)).href);

const CHILD = `
import { runDemo } from ${dist('cli/commands/demo.js')};
import { loadTrustStore } from ${dist('pki/index.js')};
import { verifyEnvelope } from ${dist('verify/index.js')};
const at = new Date('2026-01-15T02:00:00Z');
const trust = await loadTrustStore(${JSON.stringify(join(ROOT, 'fixtures', 'pki', 'trust'))});
const demo = await runDemo({ now: at });
const out = { compared: 0, objects: 0, statuses: [], differ: [] };
function walk(a, b, path) {
  if (typeof a !== 'object' || a === null) return;
  out.objects++;
  if (!%HaveSameMap(a, b)) out.differ.push(path);
  for (const k of Object.keys(a)) walk(a[k], b[k], path + '.' + k);
}
const inputs = demo.vouchers.flatMap((v) => [[v.variant + ' ' + v.vtCode + ' original', v.original], [v.variant + ' ' + v.vtCode + ' receipt', v.receipt]]);
// Warm up (the first run of each path fills the caches and the inline caches), then compare two later runs.
for (let i = 0; i < 3; i++) for (const [, bytes] of inputs) await verifyEnvelope(bytes, { trust, at });
for (const [name, bytes] of inputs) {
  const one = await verifyEnvelope(bytes, { trust, at });
  const two = await verifyEnvelope(bytes, { trust, at });
  out.compared++;
  out.statuses.push(one.map((r) => r.status).join(','));
  walk(one, two, name);
}
console.log(JSON.stringify(out));
`;

describe('report hidden classes', () => {
  it('two verifications of one envelope give reports of the same shapes, object by object', () => {
    const text = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', CHILD], { encoding: 'utf8', timeout: 120_000 });
    const out = JSON.parse(text) as { compared: number; objects: number; statuses: string[]; differ: string[] };
    expect(out.compared).toBeGreaterThanOrEqual(4);
    expect(out.statuses.every((s) => s === 'VALID')).toBe(true);
    expect(out.objects).toBeGreaterThan(50 * out.compared);
    expect(out.differ).toEqual([]);
  }, 180_000);
});
