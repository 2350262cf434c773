// Writes docs/voucher-types.md from the voucher catalogue (run through `npm run docs:voucher-types`, which builds first).
import { writeFileSync } from 'node:fs';
import { renderVoucherTypesMarkdown } from '../dist/voucher/catalogue/markdown.js';

writeFileSync(new URL('../docs/voucher-types.md', import.meta.url), renderVoucherTypesMarkdown());
