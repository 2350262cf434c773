/**
 * Messages between the batch verifier and its worker threads. Everything here survives the structured clone
 * of `postMessage`: certificates and CRLs travel as DER bytes and are parsed again in each worker.
 */
import type { ErrorCode } from '../../errors.js';
import type { SealPolicy } from '../../seal/policy.js';
import type { ParseEnvelopeOptions } from '../../voucher/index.js';
import type { JsonLayout, JsonReport } from './render_json.js';

/** What every worker starts with (`workerData`). */
export interface WorkerInit {
  /** Trust anchors, DER. */
  readonly anchors: readonly Uint8Array[];
  /** CRLs, DER. */
  readonly crls: readonly Uint8Array[];
  /** Extra untrusted certificates, DER. */
  readonly intermediates: readonly Uint8Array[];
  /**
   * The validation time the caller fixed, ms since the epoch, shared by every worker; undefined when the caller
   * gave none, and then each file is verified at the time it is verified (as `createVerifier` does per call).
   */
  readonly at: number | undefined;
  /** The allowed clock skew, ms, as resolved by the main thread (0: none). */
  readonly clockSkewMs: number;
  readonly requireRevocation: boolean;
  readonly policy?: SealPolicy;
  readonly limits?: ParseEnvelopeOptions['limits'];
  /** False when the caller switched the path cache off. */
  readonly pathCache: boolean;
  /** The largest file read, in bytes. */
  readonly maxFileBytes: number;
}

/** One file to verify (tasks travel in chunks, answers in arrays). */
export interface WorkerTask {
  readonly id: number;
  readonly file: string;
}

/** A chunk of files, and how to answer: report objects as JSON text, or each report rendered (`json`). */
export interface WorkerTasks {
  readonly tasks: readonly WorkerTask[];
  readonly json: JsonLayout | undefined;
}

/** A coded problem with one file (it could not be read, or its worker failed). */
export interface FileError {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * The answer for one task. Reports travel as JSON text (they are JSON data by design): parsing it costs the
 * collecting thread about half of what a structured clone of the same objects does, and that thread shares
 * the cores with the workers. A batch that wants JSON out gets each report rendered here (`rendered`, its
 * buffers transferred), and the collecting thread has nothing to parse.
 */
export type WorkerAnswer =
  | { readonly id: number; readonly reportsJson: string }
  | { readonly id: number; readonly rendered: readonly JsonReport[] }
  | { readonly id: number; readonly error: FileError };

/** What a worker posts: once `{ ready: true }` when its trust store is built, then arrays of answers. */
export type WorkerMessage = readonly WorkerAnswer[] | { readonly ready: true };
