/**
 * Batch verification of many files on worker threads, results in input order (see pool.ts).
 */
export { verifyFiles, DEFAULT_MAX_FILE_BYTES, MAX_JOBS } from './pool.js';
export type { FileVerification, VerifyFilesOptions } from './pool.js';
export type { FileError } from './protocol.js';
