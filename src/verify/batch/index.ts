/**
 * Batch verification of many files on worker threads, results in input order (see pool.ts).
 */
export { createVerifierPool, verifyFiles, verifyFilesJson, DEFAULT_MAX_FILE_BYTES, MAX_JOBS } from './pool.js';
export type { FileVerification, FileVerificationJson, VerifierPool, VerifyFilesOptions } from './pool.js';
export type { JsonReport, JsonReportOptions } from './render_json.js';
export type { FileError } from './protocol.js';
export { readFileBounded } from './read_file.js';
