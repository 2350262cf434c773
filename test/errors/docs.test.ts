/**
 * docs/errors.md lists every error code once, under the heading of its area array and in the order of that
 * array, and every voucher validation rule code once, under "Voucher validation rules"; it lists nothing else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as errors from '../../src/errors.js';
import { VOUCHER_RULE_CODES } from '../../src/voucher/index.js';

const DOC = readFileSync(join(import.meta.dirname, '../../docs/errors.md'), 'utf8');
const RULES_HEADING = 'Voucher validation rules';

/** Section heading → codes listed as `- \`CODE\`: meaning` under it. */
function sections(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current = '';
  for (const line of DOC.split('\n')) {
    const h = /^## (.+)$/.exec(line);
    if (h !== null) {
      current = h[1] ?? '';
      out.set(current, []);
      continue;
    }
    const item = /^- `([A-Z0-9_]+)`: \S/.exec(line);
    if (item !== null) out.get(current)?.push(item[1] ?? '');
  }
  return out;
}

/** Every `*_CODES` area array of src/errors.ts except the union. */
const AREAS: [string, readonly string[]][] = [];
for (const [name, value] of Object.entries(errors) as [string, unknown][]) {
  if (name.endsWith('_CODES') && name !== 'ERROR_CODES' && Array.isArray(value)) AREAS.push([name, value as readonly string[]]);
}

describe('docs/errors.md', () => {
  const secs = sections();
  const listed = [...secs.values()].flat();

  it('the area arrays make up ERROR_CODES', () => {
    expect(AREAS.flatMap(([, codes]) => codes).sort()).toEqual([...errors.ERROR_CODES].sort());
  });

  for (const [name, codes] of AREAS) {
    it(`lists every code of ${name} under its heading`, () => {
      const heading = [...secs.keys()].find((h) => h.includes(`\`${name}\``));
      expect(heading, `a "## ... (\`${name}\`)" heading`).toBeDefined();
      expect(codes.filter((c) => !(secs.get(heading ?? '') ?? []).includes(c))).toEqual([]);
    });

    it(`lists the codes of ${name} in the order of the array`, () => {
      const heading = [...secs.keys()].find((h) => h.includes(`\`${name}\``));
      expect(secs.get(heading ?? '')).toEqual([...codes]);
    });
  }

  it('lists every voucher validation rule code under "Voucher validation rules"', () => {
    const rules = secs.get(RULES_HEADING);
    expect(rules).toBeDefined();
    expect(VOUCHER_RULE_CODES.filter((c) => !(rules ?? []).includes(c))).toEqual([]);
  });

  it('lists each code once and nothing that is not a code', () => {
    const known = new Set<string>([...errors.ERROR_CODES, ...VOUCHER_RULE_CODES]);
    expect(listed.filter((c) => !known.has(c))).toEqual([]);
    expect(listed.filter((c, i) => listed.indexOf(c) !== i)).toEqual([]);
  });
});
