/**
 * Encoding layer: strict charsets (GBK, UTF-8) and strict base64.
 */
export { charsetFromLabel, clipText, decodeText, encodeText, findUnmappable, gbkByteLength } from './charset.js';
export type { Charset } from './charset.js';
export { decodeBase64, encodeBase64 } from './base64.js';
export * from './der.js';
