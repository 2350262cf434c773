import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderVoucherTypesMarkdown } from '../../src/voucher/catalogue/markdown.js';
import { listVoucherTypes } from '../../src/voucher/index.js';

describe('docs/voucher-types.md', () => {
  const doc = readFileSync(join(import.meta.dirname, '../../docs/voucher-types.md'), 'utf8');

  it('is the catalogue rendered (run `npm run docs:voucher-types` after changing the catalogue)', () => {
    expect(doc).toBe(renderVoucherTypesMarkdown());
  });

  it('documents every type, element and seal position', () => {
    for (const t of listVoucherTypes()) {
      expect(doc).toContain(`## ${t.vtCode} ${t.zh}`);
      for (const f of [...t.fields, ...t.detail.fields]) expect(doc).toContain(`\`${f.name}\``);
      for (const p of t.positions) expect(doc).toContain(`| ${p.sequence} | \`${p.id}\` |`);
    }
  });
});
