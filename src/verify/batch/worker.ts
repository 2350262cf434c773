/**
 * A worker thread of the batch verifier: builds its trust store, CRLs and path cache once, then reads and
 * verifies one file per task, in the order received, and answers with the reports.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isEvoucherError } from '../../errors.js';
import { createTrustStore, parseCrl } from '../../pki/index.js';
import { atCallTime, resolveOptions } from '../options.js';
import { verifyEnvelopeSync } from '../verify.js';
import type { WorkerAnswer, WorkerInit, WorkerMessage, WorkerTask, WorkerTasks } from './protocol.js';
import { readFileBounded } from './read_file.js';
import { renderJsonReports, type JsonLayout } from './render_json.js';

const init = workerData as WorkerInit;
// Resolved once (the policy checked, intermediates parsed), not per file.
const options = resolveOptions({
  trust: createTrustStore(init.anchors),
  ...(init.at === undefined ? {} : { at: new Date(init.at) }),
  clockSkewMs: init.clockSkewMs,
  crls: init.crls.map((c) => parseCrl(c)),
  intermediates: init.intermediates,
  requireRevocation: init.requireRevocation,
  ...(init.policy === undefined ? {} : { policy: init.policy }),
  ...(init.limits === undefined ? {} : { limits: init.limits }),
  ...(init.pathCache ? {} : { pathCache: false as const }),
});

// Ready: what fails from now on fails on a file (the pool blames a death before this on the pool itself).
parentPort?.postMessage({ ready: true } satisfies WorkerMessage);

function answer(task: WorkerTask, json: JsonLayout | undefined): WorkerAnswer {
  let bytes: Uint8Array;
  try {
    bytes = readFileBounded(task.file, init.maxFileBytes);
  } catch (e) {
    return { id: task.id, error: { code: isEvoucherError(e) ? e.code : 'ARG_IO', message: e instanceof Error ? e.message : String(e) } };
  }
  try {
    // Not frozen: the reports leave as JSON text at once.
    const reports = verifyEnvelopeSync(bytes, atCallTime(options, init.at !== undefined), false);
    return json === undefined ? { id: task.id, reportsJson: JSON.stringify(reports) } : { id: task.id, rendered: renderJsonReports(task.file, reports, json) };
  } catch (e) {
    // The verifier throws only on misuse, which the main thread has ruled out; anything else is a fault.
    return { id: task.id, error: { code: isEvoucherError(e) ? e.code : 'VERIFY_INTERNAL_ERROR', message: e instanceof Error ? e.message : String(e) } };
  }
}

// Tasks come in chunks and are answered in chunks; verification is synchronous, so each chunk is answered
// before the next message is taken and answers leave in the order the tasks came.
parentPort?.on('message', (m: WorkerTasks) => {
  const answers = m.tasks.map((t) => answer(t, m.json));
  // Rendered reports are moved, not copied: each has an array buffer of its own.
  const moved: ArrayBuffer[] = [];
  if (m.json !== undefined) for (const a of answers) if ('rendered' in a) for (const r of a.rendered) moved.push(r.json.buffer as ArrayBuffer);
  parentPort?.postMessage(answers, moved);
});
