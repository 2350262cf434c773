/** Small helpers shared by the crypto tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EvoucherError } from '../../src/errors.js';
import type { ErrorCode } from '../../src/errors.js';

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
export const b64url = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));

/** Load a vector file from test/vectors. */
export function vector<T>(rel: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../vectors/${rel}`, import.meta.url)), 'utf8')) as T;
}

/** Run f and return the EvoucherError code it throws (fails the test if it does not throw one). */
export function codeOf(f: () => unknown): ErrorCode {
  try {
    f();
  } catch (e) {
    if (e instanceof EvoucherError) return e.code;
    throw new Error(`threw a non-EvoucherError: ${String(e)}`);
  }
  throw new Error('did not throw');
}
