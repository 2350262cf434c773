/**
 * Memory stays bounded however many hostile certificates arrive: every stamp may embed a certificate of up to
 * 64 KiB that anyone can make, and a service verifies whatever it is sent for days. The parsed-certificate cache
 * kept 512 of any size, each about 30 times its bytes in heap (names as text, keys and a hex rope per byte):
 * 200 vouchers sealed under fresh 60 KiB certificates kept about 400 MiB alive, 512 about 1 GiB. Measured in a
 * child process with --expose-gc; the compiled package (dist/) is what runs.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const MiB = 1024 * 1024;

describe('memory under hostile certificates', () => {
  it('keeps a bounded heap over vouchers each sealed under a fresh large certificate', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', join(import.meta.dirname, 'hostile_certs_child.mjs'), '200', '600'], {
      cwd: join(import.meta.dirname, '..', '..'),
      maxBuffer: 1 << 20,
    });
    const { large, small } = JSON.parse(stdout) as { large: number; small: number };
    // 8 large certificates are kept (about 1 MiB each); before: about 2 MiB per voucher.
    expect(large).toBeLessThan(24 * MiB);
    // 512 certificates of 4 KiB are kept (about 20 KiB each); before: about 126 KiB each, 64 MiB.
    expect(small).toBeLessThan(24 * MiB);
  }, 180_000);
});
