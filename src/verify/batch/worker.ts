/**
 * A worker thread of the batch verifier: builds its trust store, CRLs and path cache once, then reads and
 * verifies one file per task, in the order received, and answers with the reports.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isEvoucherError } from '../../errors.js';
import { createTrustStore, parseCrl } from '../../pki/index.js';
import type { VerifyOptions } from '../options.js';
import { verifyEnvelope } from '../verify.js';
import type { WorkerAnswer, WorkerInit, WorkerMessage, WorkerTask } from './protocol.js';
import { readFileBounded } from './read_file.js';

const init = workerData as WorkerInit;
const options: VerifyOptions = {
  trust: createTrustStore(init.anchors),
  at: new Date(init.at),
  crls: init.crls.map((c) => parseCrl(c)),
  intermediates: init.intermediates,
  requireRevocation: init.requireRevocation,
  ...(init.policy === undefined ? {} : { policy: init.policy }),
  ...(init.limits === undefined ? {} : { limits: init.limits }),
  ...(init.pathCache ? {} : { pathCache: false as const }),
};

// Ready: what fails from now on fails on a file (the pool blames a death before this on the pool itself).
parentPort?.postMessage({ ready: true } satisfies WorkerMessage);

async function answer(task: WorkerTask): Promise<WorkerAnswer> {
  let bytes: Uint8Array;
  try {
    bytes = readFileBounded(task.file, init.maxFileBytes);
  } catch (e) {
    return { id: task.id, error: { code: isEvoucherError(e) ? e.code : 'ARG_IO', message: e instanceof Error ? e.message : String(e) } };
  }
  try {
    return { id: task.id, reportsJson: JSON.stringify(await verifyEnvelope(bytes, options)) };
  } catch (e) {
    // verifyEnvelope throws only on misuse, which the main thread has ruled out; anything else is a fault.
    return { id: task.id, error: { code: isEvoucherError(e) ? e.code : 'VERIFY_INTERNAL_ERROR', message: e instanceof Error ? e.message : String(e) } };
  }
}

// Tasks come in chunks and are answered in chunks, each chunk in order and after the previous one, so answers
// leave in the order the tasks came.
let chain: Promise<void> = Promise.resolve();
parentPort?.on('message', (tasks: readonly WorkerTask[]) => {
  chain = chain.then(async () => {
    const answers: WorkerAnswer[] = [];
    for (const t of tasks) answers.push(await answer(t));
    parentPort?.postMessage(answers);
  });
});
