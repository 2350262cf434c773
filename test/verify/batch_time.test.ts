/**
 * The validation time of batches without `at`: each file is judged at the time it is verified, as
 * `createVerifier` judges each call. A pool of a service (or a stream of files that arrive for hours) made
 * before a voucher was sealed must not judge that voucher as sealed in the future.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrustStore, type TrustStore } from '../../src/pki/index.js';
import { createVerifierPool, verifyFiles, type FileVerification } from '../../src/verify/index.js';
import { PKI, seal, unsealed } from './helpers.js';

let dir: string;
let trust: TrustStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-batch-time-'));
  trust = await loadTrustStore(join(PKI, 'trust'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Seals a 5201 at whole seconds after `after` and writes it; resolves once its last signing time has passed. */
async function sealedAfter(after: number, name: string): Promise<{ file: string; last: number }> {
  const t1 = Math.ceil((after + 1) / 1000) * 1000;
  let e = unsealed('5201');
  e = await seal(e, 'dw_gz', 'dw-p256', new Date(t1));
  e = await seal(e, 'cz_zfzyz', 'cz-p256', new Date(t1 + 1000));
  const file = join(dir, name);
  await writeFile(file, e);
  const wait = t1 + 1000 - Date.now() + 50;
  if (wait > 0) await sleep(wait);
  return { file, last: t1 + 1000 };
}

function statusOf(r: FileVerification): string {
  return r.error?.code ?? r.reports.map((x) => `${x.status}${x.errors.map((e) => ` ${e.code}`).join('')}`).join(',');
}

describe('batches without at', () => {
  for (const jobs of [1, 0]) {
    it(`a pool (jobs ${jobs}) judges a voucher sealed after it was made at the time it verifies it`, async () => {
      const pool = createVerifierPool({ trust, jobs });
      try {
        const { file, last } = await sealedAfter(Date.now(), `pool-${jobs}.xml`);
        const out: FileVerification[] = [];
        for await (const r of pool.verifyFiles([file])) out.push(r);
        expect(out.map(statusOf)).toEqual(['VALID']);
        expect(Date.parse(out[0]?.reports[0]?.validationTime ?? '')).toBeGreaterThanOrEqual(last);
      } finally {
        await pool.close();
      }
    });
  }

  it('a one-shot batch over files that arrive later judges each when it verifies it', async () => {
    const started = Date.now();
    async function* arriving(): AsyncGenerator<string> {
      yield (await sealedAfter(started, 'stream-0.xml')).file;
      yield (await sealedAfter(Date.now(), 'stream-1.xml')).file;
    }
    const out: FileVerification[] = [];
    for await (const r of verifyFiles(arriving(), { trust, jobs: 1 })) out.push(r);
    expect(out.map(statusOf)).toEqual(['VALID', 'VALID']);
    const [a, b] = out.map((r) => Date.parse(r.reports[0]?.validationTime ?? ''));
    expect(b).toBeGreaterThan(a as number);
  });

  it('a given at is every file\'s validation time', async () => {
    const at = new Date(Date.now() - 5000);
    const { file } = await sealedAfter(Date.now(), 'fixed.xml');
    const pool = createVerifierPool({ trust, at, jobs: 1 });
    try {
      const out: FileVerification[] = [];
      for await (const r of pool.verifyFiles([file])) out.push(r);
      expect(out[0]?.reports[0]?.validationTime).toBe(at.toISOString());
      expect(statusOf(out[0] as FileVerification)).toContain('VERIFY_SIGNING_TIME_AFTER_VALIDATION');
    } finally {
      await pool.close();
    }
  });
});
