/**
 * Importing the SDK must not load the pkcs11js native addon (style.md §2): only opening a
 * `pkcs11:` key does. Checked on the shared objects the process has mapped (`process.report`),
 * with a positive control proving the check sees the addon once it is loaded. This file runs in
 * its own forked process (vitest `pool: 'forks'`).
 */
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

function addonLoaded(): boolean {
  const report = process.report.getReport() as unknown as { sharedObjects?: string[] };
  const mapped = (report.sharedObjects ?? []).some((p) => p.endsWith('pkcs11.node'));
  const required = Object.keys(require.cache).some((p) => p.includes(`${'pkcs11js'}`));
  return mapped || required;
}

describe('lazy native module', () => {
  it('imports the SDK without loading pkcs11js, and loads it only when a pkcs11: key is opened', async () => {
    expect(addonLoaded()).toBe(false);
    const sdk = await import('../../src/index.js');
    await import('../../src/keys/index.js');
    await import('../../src/keys/software/index.js');
    expect(typeof sdk.openKeyProvider).toBe('function');
    expect(addonLoaded()).toBe(false);

    // Positive control: a pkcs11: URI whose module is a plain file loads the binding, then fails.
    const dir = await mkdtemp(join(tmpdir(), 'evoucher-lazy-'));
    try {
      const fake = join(dir, 'fake.so');
      await writeFile(fake, 'not a library');
      await expect(sdk.openKeyProvider(`pkcs11:object=x?module-path=${fake}&pin-value=1`)).rejects.toMatchObject({ code: 'KEY_MODULE_NOT_FOUND' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(addonLoaded()).toBe(true);
  });
});
