/**
 * Batch verification of many envelope files on every core.
 *
 * Design rationale:
 * - **Workers read, verify and answer.** Each worker thread (`node:worker_threads`, running the compiled
 *   package) reads its own files and verifies them with its own trust store, CRLs and path cache, built once.
 *   The main thread only hands out file names and collects reports, so it stays out of the way of the cores.
 * - **Results in input order.** Answers may arrive out of order across workers; they wait in a small buffer
 *   and leave in the order of the input.
 * - **Bounded work in flight.** At most `maxInFlight` files are between "taken from the input" and "yielded",
 *   whatever the number of files: a directory of a million vouchers streams through in flat memory. The input
 *   may be an async iterable, consumed only as fast as results are taken and never waited on while there is
 *   work to hand out or a result to yield (`input.ts`): files that arrive one by one are verified as they come,
 *   and an input that waits for the consumer's results cannot deadlock the batch.
 * - **Same verdicts as one thread.** Every worker gets the same resolved options, so a batch says exactly what
 *   `verifyEnvelope` says file by file: at the caller's validation time (`at`), else at the time each file is
 *   verified, as `createVerifier` validates each call when it has no `at`. A pool of a service or a stream that
 *   runs for days would otherwise judge the vouchers sealed after it started as sealed in the future.
 * - **Failures stay per file.** A file that cannot be read is reported with `ARG_IO`. A worker that dies
 *   (out of its heap limit, a native fault) is replaced, and the files it had not answered are tried again one
 *   at a time, each alone on a worker: only a file whose worker dies while verifying it alone is reported
 *   `VERIFY_INTERNAL_ERROR`, so a hostile file cannot take the verdicts of the files beside it. Workers that
 *   die before they are ready (a heap limit too small to start) are the pool's failure, not a file's, and are
 *   counted in a row: a worker that becomes ready starts the count again, so a service that runs for days
 *   outlives the odd worker that could not start. After more than 4 per job in a row, with none ready in between,
 *   the pool stops starting workers and the batch throws (a pool whose workers can never start fails at once, not
 *   after a loop of restarts); a later batch starts them afresh.
 * - **A batch ends, one way or another.** It holds the pool until it has yielded its last result, thrown, or been
 *   stopped by its consumer (`return()`, which `break` out of `for await` calls); the next batch is refused until
 *   then, never queued behind it. `close()` stops the workers at once and wakes a batch waiting for an answer or for
 *   its input, which then throws instead of waiting for answers that will never come. Workers keep the process
 *   alive only while a batch waits for them, and a one-shot batch dropped half-way closes its pool when it is
 *   collected.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { EvoucherError, isEvoucherError } from '../../errors.js';
import { atCallTime, resolveOptions, type VerifyOptions } from '../options.js';
import type { VerificationReport } from '../report.js';
import { verifyEnvelopeSync, type verifyEnvelope } from '../verify.js';
import type { FileError, WorkerInit, WorkerMessage, WorkerTask, WorkerTasks } from './protocol.js';
import { batchInput, END, WAIT, type BatchInput } from './input.js';
import { readFileBounded } from './read_file.js';
import { jsonLayout, renderJsonReports, type JsonLayout, type JsonReport, type JsonReportOptions } from './render_json.js';

/** The largest file a batch reads by default (the envelope reader has its own, smaller limits). */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
/** The most worker threads a batch starts. */
export const MAX_JOBS = 256;

/** Options of {@link verifyFiles}: the verifier's options plus how to spread the work. */
export interface VerifyFilesOptions extends VerifyOptions {
  /**
   * Worker threads; default the number of cores (`os.availableParallelism()`). `0` verifies in the calling
   * thread (no worker), which suits a handful of files.
   */
  readonly jobs?: number;
  /**
   * The most files handed out but not yet yielded; default 32 per worker (at least 32). Bounds memory: the
   * files themselves are read one at a time by each worker, so this bounds names and waiting reports.
   */
  readonly maxInFlight?: number;
  /** The largest file read, in bytes; default {@link DEFAULT_MAX_FILE_BYTES}. */
  readonly maxFileBytes?: number;
  /**
   * Heap and stack limits of each worker (node's `ResourceLimits`, in MiB); default node's. A worker that runs
   * out is replaced and only the file it was verifying is reported `VERIFY_INTERNAL_ERROR` (see the module
   * notes), and the calling process goes on: a bound on what one hostile file can cost a long-running service.
   */
  readonly workerResourceLimits?: ResourceLimits;
}

/** The outcome of one file of a batch. */
export interface FileVerification {
  /** Position of the file in the input, from 0. */
  readonly index: number;
  readonly file: string;
  /** One report per VoucherBody (empty when `error` is set). */
  readonly reports: readonly VerificationReport[];
  /** The file could not be read (`ARG_IO`) or its worker died verifying it alone (`VERIFY_INTERNAL_ERROR`). */
  readonly error?: FileError;
}

/** The outcome of one file of a batch whose reports come as JSON text ({@link VerifierPool.verifyFilesJson}). */
export interface FileVerificationJson {
  /** Position of the file in the input, from 0. */
  readonly index: number;
  readonly file: string;
  /** One JSON report per VoucherBody, made by the worker that verified it (empty when `error` is set). */
  readonly reports: readonly JsonReport[];
  /** As in {@link FileVerification}. */
  readonly error?: FileError;
}

/** What a batch yields, of either kind. */
type Outcome = FileVerification | FileVerificationJson;

interface Slot {
  worker: Worker;
  outstanding: number;
  /** The worker has built its trust store and said so: a death from now on is blamed on its files. */
  ready: boolean;
  /** Its one outstanding task is a file being tried again alone. */
  solo: boolean;
  /**
   * No worker runs for it: its worker died before it was ready, or was stopped with answers due, after too many
   * such deaths in a row; the next batch starts one.
   */
  down: boolean;
  lastError?: string;
}

function checkCount(value: number | undefined, name: string, min: number, max: number): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < min || value > max)) {
    throw new EvoucherError('ARG_INVALID', `${name} must be an integer from ${min} to ${max}`, { detail: { option: name } });
  }
}

const RESOURCE_LIMIT_KEYS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'] as const;

/** A copy of `limits` with only node's four keys, each a positive finite number; `ARG_INVALID` otherwise. */
function checkResourceLimits(limits: ResourceLimits | undefined): ResourceLimits | undefined {
  if (limits === undefined) return undefined;
  if (typeof limits !== 'object' || limits === null) throw new EvoucherError('ARG_INVALID', 'workerResourceLimits must be an object');
  const out: { -readonly [K in keyof ResourceLimits]: ResourceLimits[K] } = {};
  for (const k of Object.keys(limits)) {
    if (!(RESOURCE_LIMIT_KEYS as readonly string[]).includes(k)) throw new EvoucherError('ARG_INVALID', `workerResourceLimits.${k} is not a resource limit`, { detail: { option: k } });
  }
  for (const k of RESOURCE_LIMIT_KEYS) {
    const v = limits[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new EvoucherError('ARG_INVALID', `workerResourceLimits.${k} must be a positive number of MiB`, { detail: { option: k } });
    out[k] = v;
  }
  return out;
}

/**
 * Where the compiled worker is: next to this file in `dist/`; when this module runs from the TypeScript sources
 * (a test runner), the compiled worker in `dist/` all the same, since worker threads load JavaScript.
 */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts') ? here.replace(/([\\/])src([\\/]verify[\\/]batch[\\/])[^\\/]+\.ts$/, '$1dist$2worker.js') : here.replace(/[^\\/]+\.js$/, 'worker.js');
  if (!existsSync(file)) throw new EvoucherError('VERIFY_INTERNAL_ERROR', `the compiled batch worker is missing (${file}); run npm run build`);
  return file;
}

/** Node options a worker keeps, with no value. */
const WORKER_FLAGS = new Set([
  '--enable-source-maps',
  '--no-warnings',
  '--trace-warnings',
  '--no-deprecation',
  '--trace-deprecation',
  '--throw-deprecation',
  '--pending-deprecation',
  '--trace-uncaught',
  '--preserve-symlinks',
]);
/** Node options a worker keeps, with a value (`--name=value` or `--name value`). */
const WORKER_VALUE_FLAGS = new Set(['--unhandled-rejections', '--disable-warning', '--conditions', '-C']);

/**
 * The node options of the workers: the diagnostic and module-resolution options of this process
 * (`process.execArgv`), and nothing else.
 *
 * An allowlist, because `new Worker` throws on every option that belongs to the process (V8 flags such as
 * `--max-old-space-size` or `--expose-gc`, `--stack-trace-limit`, `--abort-on-uncaught-exception`...), and
 * bank middleware commonly runs with those. V8 flags are process-wide, so the workers run under them all the
 * same. Module loaders and preloads (`--import`, `--loader`, `--require`...) are dropped on purpose: workers run
 * the compiled package only, and a TypeScript loader would start a loader thread per worker and cost hundreds of
 * milliseconds and tens of MiB each. Inspector options are dropped too (a second debugger on the same port).
 *
 * @param execArgv - the parent's node options (`process.execArgv`).
 * @returns the options for a worker.
 * @example workerExecArgv(['--max-old-space-size=4096', '--import', './ts.js', '--enable-source-maps']) // ['--enable-source-maps']
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i] as string;
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    if (WORKER_VALUE_FLAGS.has(name)) {
      if (eq >= 0) out.push(a);
      else if (i + 1 < execArgv.length) out.push(a, execArgv[++i] as string);
    } else if (eq < 0 && WORKER_FLAGS.has(a)) {
      out.push(a);
    }
  }
  return out;
}

/**
 * How many files go out in the next chunk. Near the end of an input of known length (an array) chunks shrink, to
 * half of each worker's share of what is left and down to 1 file, so the workers run out of files together instead
 * of one waiting for the other's last chunk (16 files, about 20 ms on a 2-core VM, at the end of every batch).
 * Only the sizes depend on the length: a wrong length changes no result.
 *
 * @param room - the most the chunk may hold (the chunk size, the worker's room and the window's).
 * @param left - files of the input not handed out yet, when known.
 * @param workers - worker threads.
 * @returns the chunk size, at least 1 when `room` is.
 * @example chunkSize(16, 20, 2) // 5
 */
export function chunkSize(room: number, left: number | undefined, workers: number): number {
  return left === undefined ? room : Math.min(room, Math.max(1, Math.ceil(left / (2 * workers))));
}

function errorOf(e: unknown, fallback: 'ARG_IO' | 'VERIFY_INTERNAL_ERROR'): FileError {
  return { code: isEvoucherError(e) ? e.code : fallback, message: e instanceof Error ? e.message : String(e) };
}

/** A set of warm worker threads that verifies batches of files with fixed options; see {@link createVerifierPool}. */
export interface VerifierPool {
  /** Worker threads (0: verification runs in the calling thread). */
  readonly jobs: number;
  /**
   * Verifies files and yields one result per file in input order (see {@link verifyFiles}). One batch at a
   * time: a batch holds the pool from its first `next()` until it has yielded its last result or thrown, or until
   * its consumer calls `return()` (`break`, `return` or a throw out of `for await` does). Starting another batch
   * meanwhile throws `ARG_INVALID` on its first `next()`, so a batch iterator dropped half-way keeps the pool
   * refusing batches until it is `return()`ed or the pool is closed.
   *
   * @param files - file paths (an array, or any iterable or async iterable; not one string).
   * @returns an async iterable of per-file results.
   * @throws EvoucherError `ARG_INVALID` on the first `next()` for an input that is not an iterable of names, at
   *   the place of a name that is not a string (after the results of the files before it), and when another
   *   batch is unfinished or the pool is closed; `VERIFY_INTERNAL_ERROR` when workers keep dying before they are
   *   ready (more than 4 per job in a row, none ready in between: the pool then stops starting them, and the next batch
   *   tries afresh); what the input itself throws, after the results before it.
   */
  verifyFiles(files: Iterable<string> | AsyncIterable<string>): AsyncGenerator<FileVerification, void, undefined>;
  /**
   * As {@link VerifierPool.verifyFiles}, but each report comes as UTF-8 JSON text with the file first, written
   * by the worker that verified it: for a consumer that writes the reports out (a JSON file, a socket), whose
   * thread then has nothing to parse, serialize or encode. The text is what `JSON.stringify` makes of
   * `{ file, ...report }` for the report {@link verifyEnvelope} returns, with DEL, C1 controls, line and paragraph
   * separators and bidirectional controls written as `\uXXXX` escapes (the same value, safe on a terminal).
   *
   * @param files - file paths (an array, or any iterable or async iterable).
   * @param json - indentation of the JSON; default one line per report.
   * @returns an async iterable of per-file results.
   * @throws EvoucherError `ARG_INVALID` on the first `next()` for a bad layout, as for a second batch at once.
   */
  verifyFilesJson(files: Iterable<string> | AsyncIterable<string>, json?: JsonReportOptions): AsyncGenerator<FileVerificationJson, void, undefined>;
  /**
   * Stops the workers at once, without waiting for a running batch. That batch ends: the `next()` it is
   * answering, or else its next one, rejects with `ARG_INVALID` (the message says from which input index on no
   * result was yielded), results that had arrived but were not yielded included; as any generator that threw,
   * it is done after that. The pool cannot be used afterwards; calling `close()` again returns the same promise.
   *
   * @returns a promise that resolves when every worker has stopped.
   */
  close(): Promise<void>;
}

/**
 * Starts a pool of worker threads for repeated batches with the same options (a verifying service, a watch
 * loop): the workers, their parsed trust anchors, path caches and compiled code stay warm between batches.
 * The validation time is `options.at` for every file of every batch, else the time each file is verified.
 *
 * @param options - the verifier options (trust anchors required) plus `jobs`, `maxInFlight`, `maxFileBytes`, `workerResourceLimits`.
 * @returns the pool; call `close()` when done.
 * @throws EvoucherError for misuse only: `TRUST_NO_ANCHORS`, `ARG_INVALID`, `CERT_MALFORMED` (a bad anchor),
 *   `POLICY_INVALID`; `VERIFY_INTERNAL_ERROR` when the compiled worker is missing.
 * @example
 * const pool = createVerifierPool({ trust, jobs: 2 })
 * try { for await (const r of pool.verifyFiles(paths)) console.log(r.file, r.reports[0]?.status) } finally { await pool.close() }
 */
export function createVerifierPool(options: VerifyFilesOptions): VerifierPool {
  const o = resolveOptions(options);
  checkCount(options.jobs, 'jobs', 0, MAX_JOBS);
  checkCount(options.maxInFlight, 'maxInFlight', 1, 1_000_000);
  checkCount(options.maxFileBytes, 'maxFileBytes', 1, Number.MAX_SAFE_INTEGER);
  const resourceLimits = checkResourceLimits(options.workerResourceLimits);
  const jobs = options.jobs ?? Math.min(availableParallelism(), MAX_JOBS);
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  // 32 per worker: files go out and answers come back 16 at a time, and the collecting thread, which shares the
  // cores with the workers, wakes for a sixteenth of the files (8 per worker measured 3-4 % slower on 2 cores).
  const maxInFlight = options.maxInFlight ?? Math.max(32, jobs * 32);
  const perWorker = Math.max(1, Math.ceil(maxInFlight / Math.max(1, jobs)));
  const chunk = Math.max(1, Math.floor(perWorker / 2));
  const init: WorkerInit = {
    anchors: o.trust.anchors.map((a) => a.der),
    crls: o.crls.map((c) => c.der),
    intermediates: o.intermediates.map((c) => c.der),
    at: options.at === undefined ? undefined : o.at.getTime(),
    clockSkewMs: o.clockSkewMs,
    requireRevocation: o.requireRevocation,
    ...(o.policy === undefined ? {} : { policy: o.policy }),
    ...(o.limits === undefined ? {} : { limits: o.limits }),
    pathCache: options.pathCache !== false,
    maxFileBytes,
  };
  const script = jobs === 0 ? '' : workerFile();
  const execArgv = workerExecArgv(process.execArgv);

  /** Tasks handed out and not answered yet: id → file, the slot working on it, and the batch it belongs to. */
  const pending = new Map<number, { file: string; slot: Slot; index: number }>();
  /** Answers of the running batch, by input index. */
  let done = new Map<number, Outcome>();
  /** Files of the running batch whose worker died, to be tried again alone, in input order. */
  let retry: { file: string; index: number }[] = [];
  let wake: (() => void) | undefined;
  const signal = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  /**
   * Workers that died before they were ready since a worker last became ready. Counted in a row, not over the
   * pool's life: a pool that runs for days and loses a worker at start-up now and then must go on verifying.
   */
  let startupDeaths = 0;
  /** The most start-up deaths in a row: past it the pool stops starting workers and the batch throws {@link fatal}. */
  const maxStartupDeaths = jobs * 4;
  /** Set when workers keep dying before they are ready: the running batch (or else the next) throws it. */
  let fatal: EvoucherError | undefined;
  let closed = false;
  /** What `close()` returned, for a second call. */
  let closing: Promise<void> | undefined;
  let busy = false;
  /** A batch waits in event(): the workers are ref'd. */
  let awaiting = false;
  let nextId = 0;
  const slots: Slot[] = [];

  const start = (slot?: Slot): Slot => {
    const worker = new Worker(script, { workerData: init, execArgv, ...(resourceLimits === undefined ? {} : { resourceLimits }) });
    // Workers keep the process alive only while a batch waits for them (see event()).
    if (!awaiting) worker.unref();
    const s: Slot = slot ?? { worker, outstanding: 0, ready: false, solo: false, down: false };
    s.worker = worker;
    s.outstanding = 0;
    s.ready = false;
    s.solo = false;
    s.down = false;
    delete s.lastError;
    worker.on('message', (message: WorkerMessage) => {
      if (!Array.isArray(message)) {
        if (s.worker === worker) {
          s.ready = true;
          // A worker could start: the deaths before it were sporadic, not a pool that cannot start.
          startupDeaths = 0;
        }
        return;
      }
      for (const a of message) {
        const p = pending.get(a.id);
        if (p === undefined || p.slot.worker !== worker) continue;
        pending.delete(a.id);
        s.outstanding--;
        done.set(
          p.index,
          'error' in a
            ? { index: p.index, file: p.file, reports: [], error: a.error }
            : 'rendered' in a
              ? { index: p.index, file: p.file, reports: a.rendered }
              : { index: p.index, file: p.file, reports: JSON.parse(a.reportsJson) as VerificationReport[] },
        );
      }
      if (s.outstanding === 0) s.solo = false;
      signal();
    });
    worker.on('error', (e) => {
      s.lastError = e instanceof Error ? e.message : String(e);
    });
    worker.on('exit', () => {
      if (s.worker !== worker || closed || s.down) return;
      const why = s.lastError === undefined ? '' : `: ${s.lastError}`;
      // A worker died. A file it was verifying alone is the cause and is reported; its other files were only
      // in the wrong place and are tried again alone. A worker that died before it was ready blames nothing.
      const blame = s.ready && s.solo;
      for (const [id, p] of pending) {
        if (p.slot !== s) continue;
        pending.delete(id);
        if (blame) done.set(p.index, { index: p.index, file: p.file, reports: [], error: { code: 'VERIFY_INTERNAL_ERROR', message: `the verifying worker stopped while verifying this file alone${why}` } });
        else retry.push({ file: p.file, index: p.index });
      }
      retry.sort((x, y) => x.index - y.index);
      if (!s.ready && ++startupDeaths > maxStartupDeaths) {
        // Not replaced: a pool whose workers cannot start fails now instead of restarting them for ever.
        s.down = true;
        fatal ??= new EvoucherError('VERIFY_INTERNAL_ERROR', `batch workers keep stopping before they are ready (${startupDeaths} in a row, none ready in between)${why}`, {
          detail: { startupDeaths: String(startupDeaths) },
        });
      } else {
        start(s);
      }
      signal();
    });
    return s;
  };
  for (let i = 0; i < jobs; i++) slots.push(start());

  /** How a batch ends when the pool is closed under it: `from` is the first input index it yields no result for. */
  const closedUnder = (from: number): EvoucherError =>
    new EvoucherError('ARG_INVALID', `the verifier pool was closed while this batch ran: no result from input index ${from} on`, { detail: { from: String(from) } });

  /**
   * Waits for the next event of the running batch: an answer, a worker's exit, the input's answer or close().
   * The workers keep the process alive only meanwhile, so that a batch its consumer dropped half-way does not.
   */
  async function event(): Promise<void> {
    awaiting = true;
    for (const s of slots) s.worker.ref();
    try {
      await new Promise<void>((resolve) => (wake = resolve));
    } finally {
      awaiting = false;
      // Not once closed: terminate() holds a stopping worker ref'd until it has exited, so that the promise of
      // close() settles before the process may end.
      if (!closed) for (const s of slots) s.worker.unref();
    }
  }

  /** One file verified in this thread. */
  function verifyHere(index: number, file: string, json: JsonLayout | undefined): Outcome {
    let bytes: Uint8Array;
    try {
      bytes = readFileBounded(file, maxFileBytes);
    } catch (e) {
      return { index, file, reports: [], error: errorOf(e, 'ARG_IO') };
    }
    // The options resolved once: the same trust store, CRLs and path cache for every file, and the caller's
    // validation time, else the time the file is verified (as on the workers).
    const at = atCallTime(o, options.at !== undefined);
    if (json === undefined) return { index, file, reports: verifyEnvelopeSync(bytes, at) };
    return { index, file, reports: renderJsonReports(file, verifyEnvelopeSync(bytes, at, false), json) };
  }

  async function* inThisThread(input: BatchInput, json: JsonLayout | undefined): AsyncGenerator<Outcome, void, undefined> {
    for (let index = 0; ; index++) {
      if (closed) throw closedUnder(index);
      let file = input.take();
      while (file === WAIT) {
        await event();
        if (closed) throw closedUnder(index);
        file = input.take();
      }
      if (file === END) return;
      yield verifyHere(index, file, json);
    }
  }

  async function* onWorkers(input: BatchInput, json: JsonLayout | undefined, total: number | undefined): AsyncGenerator<Outcome, void, undefined> {
    /** Input index of the next file taken from the input. */
    let nextIndex = 0;
    let nextYield = 0;
    /** The input has ended, or failed (`inputError`): the batch ends once every earlier file is yielded. */
    let exhausted = false;
    let inputError: { readonly error: unknown } | undefined;
    /**
     * Files taken from the input and not handed out yet, in input order. They go out as one chunk when it is
     * full, at the input's end, when no more may be taken (`maxInFlight`), or when the input has to wait and a
     * worker is idle: files that arrive one by one are not held back for a chunk while a core has nothing to do.
     */
    const staged: { readonly id: number; readonly file: string; readonly index: number }[] = [];
    const handOut = (slot: Slot, count: number): void => {
      const tasks: WorkerTask[] = [];
      for (const t of staged.splice(0, count)) {
        pending.set(t.id, { file: t.file, slot, index: t.index });
        tasks.push({ id: t.id, file: t.file });
      }
      slot.outstanding += tasks.length;
      slot.worker.postMessage({ tasks, json } satisfies WorkerTasks);
    };
    for (;;) {
      // Closed: the workers are gone, and answers still due never come.
      if (closed) throw closedUnder(nextYield);
      if (fatal !== undefined) throw fatal;
      // Files whose worker died go first, each alone on an idle worker; no new file goes out meanwhile, so
      // workers drain and become idle.
      for (const s of slots) {
        const r = s.outstanding === 0 ? retry.shift() : undefined;
        if (r === undefined) continue;
        const id = nextId++;
        pending.set(id, { file: r.file, slot: s, index: r.index });
        s.outstanding = 1;
        s.solo = true;
        s.worker.postMessage({ tasks: [{ id, file: r.file }], json } satisfies WorkerTasks);
      }
      let waiting = false;
      while (retry.length === 0) {
        let slot: Slot | undefined;
        for (const s of slots) if (!s.solo && s.outstanding < perWorker && (slot === undefined || s.outstanding < slot.outstanding)) slot = s;
        if (slot === undefined) break;
        // Files go out in chunks and come back in chunks: fewer messages for the thread that shares the cores.
        const room = chunkSize(Math.min(chunk, perWorker - slot.outstanding), total === undefined ? undefined : total - (nextIndex - staged.length), slots.length);
        let full = false;
        while (!exhausted && !waiting && staged.length < room) {
          if (nextIndex - nextYield >= maxInFlight) {
            full = true;
            break;
          }
          let file: ReturnType<BatchInput['take']>;
          try {
            file = input.take();
          } catch (e) {
            // Not thrown at once: the files before it are verified and yielded first, as with no workers.
            inputError = { error: e };
            exhausted = true;
            break;
          }
          if (file === WAIT) waiting = true;
          else if (file === END) exhausted = true;
          else staged.push({ id: nextId++, file, index: nextIndex++ });
        }
        if (staged.length === 0) break;
        // A short chunk waits for more files only while its worker is busy and the input is merely slow.
        if (staged.length < room && !exhausted && !full && slot.outstanding > 0) break;
        handOut(slot, room);
      }
      let yielded = false;
      while (done.has(nextYield)) {
        // Also after a yield: close() may have come while the consumer held the last result. What had arrived
        // is dropped with the rest, so that the batch ends at the same point whatever the workers had answered.
        if (closed) throw closedUnder(nextYield);
        const r = done.get(nextYield) as Outcome;
        done.delete(nextYield);
        nextYield++;
        yielded = true;
        yield r;
      }
      if (exhausted && nextYield === nextIndex) {
        if (inputError !== undefined) throw inputError.error;
        return;
      }
      if (fatal !== undefined) throw fatal;
      // After yielding, room was made: hand out more before waiting. Otherwise an answer is due (a file
      // between nextYield and nextIndex is pending, waiting to be tried again, staged behind a busy worker, or
      // done) or the input is asked: its answer, a worker's message or exit, or close() wakes this loop.
      if (!yielded) await event();
    }
  }

  /** One batch; `json` set: reports rendered as JSON (the outcomes are {@link FileVerificationJson}). */
  async function* batch(files: Iterable<string> | AsyncIterable<string>, json: JsonLayout | undefined): AsyncGenerator<Outcome, void, undefined> {
    if (closed) throw new EvoucherError('ARG_INVALID', 'the verifier pool is closed');
    if (busy) {
      throw new EvoucherError(
        'ARG_INVALID',
        'the verifier pool runs one batch at a time, and a batch is unfinished: take its results to the end, break out of its for await or call its return(), or close the pool',
      );
    }
    const input = batchInput(files, signal);
    busy = true;
    let threw = false;
    try {
      if (fatal !== undefined) {
        // An earlier batch (or the idle pool) gave up on workers that kept dying before they were ready: this
        // batch starts them afresh, and throws the same way if they still cannot start.
        fatal = undefined;
        startupDeaths = 0;
        for (const s of slots) if (s.down) start(s);
      }
      yield* jobs === 0 ? inThisThread(input, json) : onWorkers(input, json, Array.isArray(files) ? files.length : undefined);
    } catch (e) {
      threw = true;
      throw e;
    } finally {
      try {
        // An input still answering a next() is stopped when it answers: the batch ends now. After close(), its
        // return() is not waited for either. When the batch threw, that error is the one that leaves, not one
        // from the input's return() (as with for await).
        const stopping = input.stop(!closed);
        await (threw ? stopping.catch(() => undefined) : stopping);
      } finally {
        if (pending.size > 0) {
          // The consumer stopped early: answers still due belong to no one; fresh workers start clean. Not once the
          // pool is closed: close() stops the workers of the slots, and a worker started now would outlive it.
          const stale = [...new Set([...pending.values()].map((p) => p.slot))];
          pending.clear();
          if (!closed) {
            for (const s of stale) {
              const old = s.worker;
              // After workers kept dying before they were ready, none is started now: the next batch starts them.
              if (fatal === undefined) start(s);
              else s.down = true;
              void old.terminate();
            }
          }
        }
        done = new Map();
        retry = [];
        // Last: a batch started while this one was being cleaned up would have lost its answers here.
        busy = false;
      }
    }
  }

  const pool: VerifierPool = {
    jobs,
    verifyFiles(files: Iterable<string> | AsyncIterable<string>): AsyncGenerator<FileVerification, void, undefined> {
      return batch(files, undefined) as AsyncGenerator<FileVerification, void, undefined>;
    },
    async *verifyFilesJson(files: Iterable<string> | AsyncIterable<string>, json?: JsonReportOptions): AsyncGenerator<FileVerificationJson, void, undefined> {
      const layout = jsonLayout(json);
      yield* batch(files, layout) as AsyncGenerator<FileVerificationJson, void, undefined>;
    },
    close(): Promise<void> {
      if (closing === undefined) {
        closed = true;
        // A running batch waiting for an answer or for its input is woken, sees the pool closed and throws.
        signal();
        closing = Promise.all(slots.map((s) => s.worker.terminate())).then(() => undefined);
      }
      return closing;
    },
  };
  return Object.freeze(pool);
}

/**
 * Verifies many envelope files, on worker threads, and yields one result per file **in input order** as soon
 * as it and every earlier file are done. Memory stays flat in the number of files: at most `maxInFlight` files
 * are in progress or waiting to be yielded.
 *
 * Each result holds what {@link verifyEnvelope} returns for the file's bytes with the same options; the
 * validation time is `options.at` for every file, else the time each file is verified. Stopping the iteration early
 * (`break` out of `for await`, or `return()`) stops the workers. An iterator dropped without either does not
 * keep the process alive, and its workers stop once it is garbage-collected; call `return()` to stop them at
 * once. For repeated batches, {@link createVerifierPool} keeps the workers warm.
 *
 * @param files - file paths (an array, or any iterable or async iterable, e.g. a directory stream).
 * @param options - the verifier options (trust anchors required) plus `jobs`, `maxInFlight`, `maxFileBytes`, `workerResourceLimits`.
 * @returns an async iterable of per-file results.
 * @throws EvoucherError on the first `next()`, for misuse only: `TRUST_NO_ANCHORS`, `ARG_INVALID`,
 *   `CERT_MALFORMED` (a bad anchor), `POLICY_INVALID`; `VERIFY_INTERNAL_ERROR` when the compiled worker is
 *   missing or workers keep dying before they are ready (more than 4 per job in a row, none ready in between; then from a
 *   later `next()`).
 * @example
 * for await (const r of verifyFiles(paths, { trust, jobs: 2 })) {
 *   console.log(r.file, r.error?.code ?? r.reports.map((x) => x.status).join(','))
 * }
 */
export function verifyFiles(files: Iterable<string> | AsyncIterable<string>, options: VerifyFilesOptions): AsyncGenerator<FileVerification, void, undefined> {
  return onePool(options, (pool) => pool.verifyFiles(files));
}

/**
 * Closes the pool of a one-shot batch whose iterator its consumer dropped half-way (neither finished nor
 * `return()`ed), once the iterator is collected: its worker threads do not outlive it. Until then they do not
 * keep the process alive either (see `event()` in {@link createVerifierPool}).
 */
const droppedBatches = new FinalizationRegistry<VerifierPool>((pool) => {
  void pool.close();
});

/** One batch on a pool of its own, made at the first `next()` and closed when the batch ends, is stopped or is dropped. */
function onePool<T>(options: VerifyFilesOptions, batch: (pool: VerifierPool) => AsyncGenerator<T, void, undefined>): AsyncGenerator<T, void, undefined> {
  async function* run(): AsyncGenerator<T, void, undefined> {
    const pool = createVerifierPool(options);
    // The pool must not hold the iterator, or it would never be collected: it holds only its workers and state.
    droppedBatches.register(iterator, pool, pool);
    try {
      yield* batch(pool);
    } finally {
      droppedBatches.unregister(pool);
      await pool.close();
    }
  }
  const iterator = run();
  return iterator;
}

/**
 * As {@link verifyFiles}, but each report comes as UTF-8 JSON text with the file first, written by the worker
 * that verified it (see {@link VerifierPool.verifyFilesJson}): for a consumer that only writes the reports out.
 *
 * @param files - file paths (an array, or any iterable or async iterable).
 * @param options - as for {@link verifyFiles}.
 * @param json - indentation of the JSON; default one line per report.
 * @returns an async iterable of per-file results.
 * @throws EvoucherError as {@link verifyFiles}; `ARG_INVALID` for a bad layout.
 * @example
 * for await (const r of verifyFilesJson(paths, { trust }, { indent: 2 })) for (const x of r.reports) out.write(x.json)
 */
export async function* verifyFilesJson(
  files: Iterable<string> | AsyncIterable<string>,
  options: VerifyFilesOptions,
  json?: JsonReportOptions,
): AsyncGenerator<FileVerificationJson, void, undefined> {
  // Checked before any worker starts.
  const layout = jsonLayout(json);
  yield* onePool(options, (pool) => pool.verifyFilesJson(files, layout));
}
