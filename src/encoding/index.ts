/**
 * Encoding layer: strict charsets (GBK, UTF-8), strict base64, DER and PEM.
 */
export { charsetFromLabel, clipText, decodeText, encodeText, findUnmappable, gbkByteLength } from './charset.js';
export type { Charset } from './charset.js';
export { decodeBase64, encodeBase64 } from './base64.js';
export { escapeJsonForDisplay, firstDuplicateKey } from './json.js';
export { CERTIFICATE_LABELS, encodePem, pemText, pemTextStart, readPem, selectPem } from './pem.js';
export type { PemBlock, ReadPemOptions } from './pem.js';
export * from './der.js';
