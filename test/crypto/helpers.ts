/** Small helpers shared by the crypto tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export { codeOf, hex } from '../helpers/codes.js';

export const unhex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
export const b64url = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));

/** Load a vector file from test/vectors. */
export function vector<T>(rel: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../vectors/${rel}`, import.meta.url)), 'utf8')) as T;
}
