/**
 * Batch verification on worker threads: the same reports as verifying file by file in one thread, in input
 * order, with unreadable files reported per file, bounded work in flight, and misuse refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/commands/demo.js';
import { loadTrustStore, type TrustStore } from '../../src/pki/index.js';
import { createVerifierPool, verifyEnvelope, verifyFiles, verifyFilesJson, type FileVerification, type FileVerificationJson, type VerifyFilesOptions } from '../../src/verify/index.js';
import { chunkSize, workerExecArgv } from '../../src/verify/batch/pool.js';

const NOW = new Date('2026-01-15T02:00:00Z');
let dir: string;
let trust: TrustStore;
let files: string[];
const expected = new Map<string, unknown>();

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const out = new Uint8Array(bytes);
  out[at] = (out[at] as number) === 0x41 ? 0x42 : 0x41;
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evoucher-batch-'));
  trust = await loadTrustStore(join(import.meta.dirname, '..', '..', 'fixtures', 'pki', 'trust'));
  const demo = await runDemo({ now: NOW });
  const kinds: { name: string; bytes: Uint8Array }[] = [];
  for (const v of demo.vouchers) {
    kinds.push({ name: `${v.vtCode}-${v.variant}-original`, bytes: v.original });
    kinds.push({ name: `${v.vtCode}-${v.variant}-receipt`, bytes: v.receipt });
    // A base64 letter changed inside the last stamp: some seal fails.
    const text = new TextDecoder('latin1').decode(v.original);
    kinds.push({ name: `${v.vtCode}-${v.variant}-tampered`, bytes: flip(v.original, text.lastIndexOf('</Stamp>') - 40) });
  }
  kinds.push({ name: 'garbage', bytes: new TextEncoder().encode('<?xml version="1.0"?><MOF><VoucherCount>1') });
  kinds.push({ name: 'empty', bytes: new Uint8Array(0) });
  files = [];
  for (let i = 0; i < 3; i++) {
    for (const k of kinds) {
      const f = join(dir, `${String(files.length).padStart(3, '0')}-${k.name}.xml`);
      await writeFile(f, k.bytes);
      files.push(f);
    }
    files.push(join(dir, `missing-${i}.xml`));
  }
  await mkdir(join(dir, 'a-directory.xml'));
  files.push(join(dir, 'a-directory.xml'));
  // The single-threaded path, file by file: what every batch must reproduce.
  for (const f of files) {
    try {
      const bytes = new Uint8Array(await readFile(f));
      expected.set(f, JSON.parse(JSON.stringify(await verifyEnvelope(bytes, { trust, at: NOW }))));
    } catch {
      expected.set(f, 'ARG_IO');
    }
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(input: Iterable<string> | AsyncIterable<string>, options: Partial<VerifyFilesOptions>): Promise<FileVerification[]> {
  const out: FileVerification[] = [];
  for await (const r of verifyFiles(input, { trust, at: NOW, ...options })) out.push(r);
  return out;
}

/**
 * Checks the order of the results and the unreadable files, and hands each other result to `check` with the
 * single-threaded reports of its file.
 */
function expectInOrder<R extends { readonly index: number; readonly file: string; readonly reports: readonly unknown[]; readonly error?: { readonly code: string } }>(
  results: readonly R[],
  input: readonly string[],
  check: (r: R, want: { status: string }[]) => void,
): void {
  expect(results.map((r) => r.index)).toEqual(input.map((_, i) => i));
  expect(results.map((r) => r.file)).toEqual(input);
  for (const r of results) {
    const want = expected.get(r.file);
    if (want === 'ARG_IO') {
      expect(r.error?.code).toBe('ARG_IO');
      expect(r.reports).toEqual([]);
    } else {
      expect(r.error).toBeUndefined();
      check(r, want as { status: string }[]);
    }
  }
}

function expectLikeSingleThread(results: readonly FileVerification[], input: readonly string[]): void {
  expectInOrder(results, input, (r, want) => expect(JSON.parse(JSON.stringify(r.reports))).toEqual(want));
}

/** What each JSON report must read: the single-threaded report with the file first, indented afterwards. */
function expectJsonLikeSingleThread(results: readonly FileVerificationJson[], input: readonly string[], indent: number, depth: number): void {
  expectInOrder(results, input, (r, want) => {
    expect(r.reports.map((x) => x.status)).toEqual(want.map((x) => x.status));
    const texts = r.reports.map((x) => new TextDecoder('utf-8', { fatal: true }).decode(x.json));
    expect(texts).toEqual(want.map((x) => JSON.stringify({ file: r.file, ...x }, null, indent).replaceAll('\n', `\n${' '.repeat(indent * depth)}`)));
  });
}

describe('verifyFiles', () => {
  it('the fixtures cover VALID, INVALID and unreadable files', () => {
    const statuses = new Set([...expected.values()].flatMap((v) => (v === 'ARG_IO' ? ['ARG_IO'] : (v as { status: string }[]).map((r) => r.status))));
    expect([...statuses].sort()).toEqual(['ARG_IO', 'INVALID', 'VALID']);
  });

  for (const jobs of [0, 1, 2, 3]) {
    it(`jobs ${jobs}: every result equals the single-threaded verifier, in input order`, async () => {
      expectLikeSingleThread(await collect(files, { jobs }), files);
    });
  }

  it('keeps the order with one file in flight at a time and with a slow async input', async () => {
    expectLikeSingleThread(await collect(files, { jobs: 2, maxInFlight: 1 }), files);
    async function* slow(): AsyncGenerator<string> {
      for (const [i, f] of files.entries()) {
        if (i % 7 === 0) await new Promise((r) => setTimeout(r, 5));
        yield f;
      }
    }
    expectLikeSingleThread(await collect(slow(), { jobs: 2, maxInFlight: 3 }), files);
  });

  it('never takes more than maxInFlight files ahead of the consumer (flat memory)', async () => {
    let pulled = 0;
    let consumed = 0;
    let worst = 0;
    const many = Array.from({ length: 200 }, (_, i) => files[i % files.length] as string);
    function* counting(): Generator<string> {
      for (const f of many) {
        pulled++;
        worst = Math.max(worst, pulled - consumed);
        yield f;
      }
    }
    for await (const r of verifyFiles(counting(), { trust, at: NOW, jobs: 2, maxInFlight: 5 })) {
      expect(r.index).toBe(consumed);
      consumed++;
    }
    expect(consumed).toBe(200);
    expect(worst).toBeLessThanOrEqual(5 + 1);
  });

  it('stops cleanly when the consumer stops early', async () => {
    const seen: number[] = [];
    for await (const r of verifyFiles(files, { trust, at: NOW, jobs: 2 })) {
      seen.push(r.index);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([0, 1, 2]);
  });

  it('a named pipe without a writer is refused as not a file, without waiting for one', async () => {
    const fifo = join(dir, 'pipe.xml');
    execFileSync('mkfifo', [fifo]);
    const valid = files.find((f) => f.endsWith('-original.xml')) as string;
    for (const jobs of [0, 1]) {
      const out = await collect([valid, fifo, valid], { jobs });
      expect(out.map((r) => r.error?.code ?? r.reports[0]?.status)).toEqual(['VALID', 'ARG_IO', 'VALID']);
      expect(out[1]?.error?.message).toMatch(/not a file/);
    }
  }, 20_000);

  it('a file that kills its worker (out of its heap limit) fails alone; the files beside it get their verdicts', async () => {
    // 66,000 elements of two attributes each, within the node limit: a tree the strict reader refuses (unknown
    // elements), but only after building it, which takes more than a 20 MiB heap (it still dies at 32 MiB and
    // passes at 48). The demo envelopes verify in 12 MiB.
    const valid = files.find((f) => f.endsWith('-original.xml')) as string;
    const text = new TextDecoder('latin1').decode(await readFile(valid));
    const at = text.lastIndexOf('</');
    const heavy = join(dir, 'heavy.xml');
    await writeFile(heavy, Buffer.from(`${text.slice(0, at)}${'<Ab x="1" y="2"/>'.repeat(66_000)}${text.slice(at)}`, 'latin1'));
    const workerResourceLimits = { maxOldGenerationSizeMb: 20 };
    // Without a limit the file is merely INVALID: what kills the worker is the limit.
    const [free] = await collect([heavy], { jobs: 1 });
    expect(free?.reports[0]?.status).toBe('INVALID');

    const sample = files.slice(0, 12);
    const input = [...sample.slice(0, 3), heavy, ...sample.slice(3, 9), heavy, ...sample.slice(9)];
    for (const jobs of [1, 2]) {
      const out = await collect(input, { jobs, workerResourceLimits });
      expect(out.map((r) => r.file)).toEqual(input);
      const killed = out.filter((r) => r.file === heavy);
      expect(killed.map((r) => r.error?.code)).toEqual(['VERIFY_INTERNAL_ERROR', 'VERIFY_INTERNAL_ERROR']);
      expect(killed[0]?.error?.message).toMatch(/stopped while verifying this file alone: .*memory limit/);
      const rest = out.filter((r) => r.file !== heavy);
      expectLikeSingleThread(rest.map((r, i) => ({ ...r, index: i })), sample);
    }
    // The files tried again alone are answered as JSON too when the batch wants JSON.
    const json: FileVerificationJson[] = [];
    for await (const r of verifyFilesJson(input, { trust, at: NOW, jobs: 2, workerResourceLimits }, { indent: 2 })) json.push(r);
    expect(json.filter((r) => r.file === heavy).map((r) => r.error?.code)).toEqual(['VERIFY_INTERNAL_ERROR', 'VERIFY_INTERNAL_ERROR']);
    const rest = json.filter((r) => r.file !== heavy);
    expectJsonLikeSingleThread(rest.map((r, i) => ({ ...r, index: i })), sample, 2, 0);
  }, 120_000);

  it('workers that die before they are ready (a heap limit too small to start) stop the batch with a coded error', async () => {
    const workerResourceLimits = { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 };
    const valid = files.find((f) => f.endsWith('-original.xml')) as string;
    for (const jobs of [1, 2]) {
      await expect(collect([valid, valid, valid], { jobs, workerResourceLimits })).rejects.toMatchObject({ code: 'VERIFY_INTERNAL_ERROR', message: /keep stopping before they are ready/ });
    }
    // Limits large enough change nothing.
    expectLikeSingleThread(await collect(files, { jobs: 2, workerResourceLimits: { maxOldGenerationSizeMb: 256 } }), files);
  }, 60_000);

  it('refuses misuse before reading anything', async () => {
    const first = (o: VerifyFilesOptions): Promise<unknown> => verifyFiles(files, o).next();
    await expect(first({ trust: [] })).rejects.toMatchObject({ code: 'TRUST_NO_ANCHORS' });
    await expect(first({ trust, jobs: -1 })).rejects.toMatchObject({ code: 'ARG_INVALID' });
    await expect(first({ trust, jobs: 1.5 })).rejects.toMatchObject({ code: 'ARG_INVALID' });
    await expect(first({ trust, maxInFlight: 0 })).rejects.toMatchObject({ code: 'ARG_INVALID' });
    await expect(first({ trust, workerResourceLimits: { maxOldGenerationSizeMb: 0 } })).rejects.toMatchObject({ code: 'ARG_INVALID' });
    await expect(first({ trust, workerResourceLimits: { maxOldGenerationSizeMb: Number.NaN } })).rejects.toMatchObject({ code: 'ARG_INVALID' });
    await expect(first({ trust, workerResourceLimits: { heapMb: 64 } as never })).rejects.toMatchObject({ code: 'ARG_INVALID' });
  });

  it('hands out smaller chunks near the end of an input of known length, never an empty one', () => {
    expect(chunkSize(16, undefined, 2)).toBe(16); // an iterable: the chunk size until the end
    expect(chunkSize(16, 1000, 2)).toBe(16);
    expect([64, 40, 20, 9, 4, 1].map((left) => chunkSize(16, left, 2))).toEqual([16, 10, 5, 3, 1, 1]);
    expect(chunkSize(16, 40, 4)).toBe(5);
    expect(chunkSize(3, 40, 2)).toBe(3); // the worker's or the window's room still bounds it
    expect(chunkSize(16, 0, 2)).toBe(1); // an array that grew while it was read
    expect(chunkSize(16, -5, 2)).toBe(1);
  });

  it('an empty input yields nothing', async () => {
    expect(await collect([], { jobs: 2 })).toEqual([]);
  });
});

describe('verifyFilesJson', () => {
  for (const [jobs, indent, depth] of [[0, 2, 1], [1, 0, 0], [2, 2, 1], [3, 4, 2]] as const) {
    it(`jobs ${jobs}, indent ${indent}, depth ${depth}: the single-threaded reports as JSON, in input order`, async () => {
      const out: FileVerificationJson[] = [];
      for await (const r of verifyFilesJson(files, { trust, at: NOW, jobs }, { indent, depth })) out.push(r);
      expectJsonLikeSingleThread(out, files, indent, depth);
    });
  }

  it('shares a pool with verifyFiles, batch after batch, and refuses a bad layout', async () => {
    const pool = createVerifierPool({ trust, at: NOW, jobs: 2, maxInFlight: 6 });
    try {
      const json: FileVerificationJson[] = [];
      for await (const r of pool.verifyFilesJson(files, { indent: 2, depth: 1 })) json.push(r);
      expectJsonLikeSingleThread(json, files, 2, 1);
      const objects: FileVerification[] = [];
      for await (const r of pool.verifyFiles(files)) objects.push(r);
      expectLikeSingleThread(objects, files);
      // Stopped early, then the other kind: no answer of the first batch leaks into the next.
      for await (const r of pool.verifyFilesJson(files)) if (r.index === 1) break;
      const again: FileVerification[] = [];
      for await (const r of pool.verifyFiles(files)) again.push(r);
      expectLikeSingleThread(again, files);
      await expect(pool.verifyFilesJson(files, { indent: 11 }).next()).rejects.toMatchObject({ code: 'ARG_INVALID' });
      await expect(verifyFilesJson(files, { trust, jobs: 1 }, { depth: -1 }).next()).rejects.toMatchObject({ code: 'ARG_INVALID' });
    } finally {
      await pool.close();
    }
  });
});

describe('createVerifierPool', () => {
  it('verifies batch after batch with warm workers, also after a batch stopped early', async () => {
    const pool = createVerifierPool({ trust, at: NOW, jobs: 2, maxInFlight: 6 });
    try {
      for (let round = 0; round < 2; round++) {
        const out: FileVerification[] = [];
        for await (const r of pool.verifyFiles(files)) out.push(r);
        expectLikeSingleThread(out, files);
      }
      // Stop after two results while answers are still due: none of them may leak into the next batch.
      for await (const r of pool.verifyFiles(files)) if (r.index === 1) break;
      const reversed = [...files].reverse();
      const out: FileVerification[] = [];
      for await (const r of pool.verifyFiles(reversed)) out.push(r);
      expectLikeSingleThread(out, reversed);
    } finally {
      await pool.close();
    }
  });

  it('runs one batch at a time and nothing after close', async () => {
    const pool = createVerifierPool({ trust, at: NOW, jobs: 1 });
    const first = pool.verifyFiles(files);
    await first.next();
    await expect(pool.verifyFiles(files).next()).rejects.toMatchObject({ code: 'ARG_INVALID' });
    await first.return(undefined);
    await pool.close();
    await expect(pool.verifyFiles(files).next()).rejects.toMatchObject({ code: 'ARG_INVALID' });
  });

  it('workers keep the diagnostic and resolution options only: no loaders, preloads, V8 or inspector flags', () => {
    const parent = ['--import', './x.js', '--max-old-space-size=512', '--loader=ts-node/esm', '-r', 'dotenv/config', '--enable-source-maps', '--expose-gc', '--stack-trace-limit=50', '--inspect=9229', '--conditions', 'development', '--unhandled-rejections=strict', '--abort-on-uncaught-exception', '-C', 'node', '--no-warnings', '--title=bank', '--zero-fill-buffers'];
    expect(workerExecArgv(parent)).toEqual(['--enable-source-maps', '--conditions', 'development', '--unhandled-rejections=strict', '-C', 'node', '--no-warnings']);
    expect(workerExecArgv(['--conditions'])).toEqual([]);
  });

  it('node accepts every option a worker keeps (new Worker throws on process-wide ones)', async () => {
    const kept = workerExecArgv(['--enable-source-maps', '--no-warnings', '--trace-warnings', '--no-deprecation', '--trace-deprecation', '--pending-deprecation', '--trace-uncaught', '--preserve-symlinks', '--unhandled-rejections=strict', '--disable-warning=ExperimentalWarning', '--conditions=node', '-C', 'import']);
    expect(kept).toHaveLength(13);
    const seen = await new Promise<string[]>((resolve, reject) => {
      const w = new Worker('require("node:worker_threads").parentPort.postMessage(process.execArgv)', { eval: true, execArgv: kept });
      w.once('message', (m: string[]) => void w.terminate().then(() => resolve(m)));
      w.once('error', reject);
    });
    expect(seen).toEqual(kept);
    // The control: what the older filter passed on is refused.
    expect(() => new Worker('0', { eval: true, execArgv: ['--max-old-space-size=512'] })).toThrow(/invalid execArgv/);
  });
});
