import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CRYPTO_CODES } from '../../src/errors.js';

describe('docs/errors.md', () => {
  it('lists every CRYPTO code under the Crypto heading', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../docs/errors.md', import.meta.url)), 'utf8');
    const start = doc.search(/^## Crypto/m);
    expect(start).toBeGreaterThanOrEqual(0);
    const rest = doc.slice(start + 3);
    const next = rest.search(/^## /m);
    const section = next === -1 ? rest : rest.slice(0, next);
    for (const code of CRYPTO_CODES) expect(section).toContain(`\`${code}\``);
  });
});
