/**
 * Renders the catalogue as `docs/voucher-types.md`. The document is generated from the data (never edited
 * by hand): `npm run docs:voucher-types` writes it, and a test fails when it is out of date.
 */
import type { FieldDef, VoucherTypeDef } from '../types.js';
import { listCodeTables, listVoucherTypes } from './index.js';

const KIND_RULES: readonly [string, string][] = [
  ['id', 'any text without control characters'],
  ['text', 'any text without control characters'],
  ['code', '`[0-9A-Za-z._-]+` unless the element gives its own pattern'],
  ['amount', 'optional `-`, 1–15 integer digits without leading zeros, `.`, exactly 2 decimals (`8979.05`, `-12.00`, `0.00`; never `+`, separators or `-0.00`)'],
  ['date', '`yyyyMMdd`, a real calendar date (the builder and receipts also accept `yyyy-MM-dd` and write `yyyyMMdd`)'],
  ['year', '4 digits'],
  ['month', '`01`–`12`'],
  ['account', '`[0-9A-Z-]{1,32}` unless the element gives its own pattern'],
  ['bankNo', '12 digits (CNAPS bank number)'],
  ['integer', 'a non-negative integer without leading zeros'],
];

const SIGN: Readonly<Record<string, string>> = {
  positive: '> 0',
  negative: '< 0',
  zero: '= 0.00',
  nonzero: '≠ 0',
  nonnegative: '≥ 0',
  any: 'any sign',
};

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

function ruleOf(f: FieldDef): string {
  const parts: string[] = [];
  if (f.patternHint !== undefined) parts.push(f.patternHint);
  else if (f.pattern !== undefined) parts.push(`\`${f.pattern}\``);
  if (f.allowedCodes !== undefined) parts.push(`one of ${f.allowedCodes.map((c) => `\`${c}\``).join(', ')}`);
  if (f.codeTable !== undefined) parts.push(`table ${f.codeTable}`);
  if (f.notFuture === true) parts.push(f.type === 'year' ? 'not after this year' : 'not in the future');
  if (f.ref !== undefined) parts.push(`= main ${f.ref} (filled by the builder)`);
  if (f.requiredWhen !== undefined) parts.push(`required when ${f.requiredWhen.field} is ${f.requiredWhen.values.map((v) => `\`${v}\``).join(' or ')}`);
  if (f.requiredInReceipt === true) parts.push('required in the receipt');
  if (f.aliases !== undefined) parts.push(`also read as ${f.aliases.map((a) => `\`${a}\``).join(', ')}`);
  return parts.join('; ');
}

function fieldTable(fields: readonly FieldDef[]): string[] {
  const lines = ['| # | Element | 中文 | Meaning | Kind | Max bytes | Required | X | Rule |', '|---|---|---|---|---|---|---|---|---|'];
  fields.forEach((f, i) => {
    lines.push(
      `| ${i + 1} | \`${f.name}\` | ${cell(f.zh)} | ${cell(f.en)} | ${f.type} | ${f.maxBytes} | ${f.required ? 'yes' : ''} | ${f.x ? 'X' : ''} | ${cell(ruleOf(f))} |`,
    );
  });
  return lines;
}

function typeSection(t: VoucherTypeDef): string[] {
  const lines = [`## ${t.vtCode} ${t.zh}`, '', `*${t.en}.* ${t.flow}.`, ''];
  const rules: string[] = [];
  for (const r of t.signRules) rules.push(`${r.scope === 'main' ? '' : 'every detail '}\`${r.field}\` ${SIGN[r.sign] ?? r.sign}`);
  for (const r of t.totals) rules.push(`\`${r.field}\` = Σ detail \`${r.detailField}\` (exact)`);
  if (t.detailCountField !== undefined) rules.push(`\`${t.detailCountField}\` = number of detail lines`);
  rules.push(`${t.detail.min} to ${t.detail.max} detail lines, unique detail \`Id\``);
  lines.push(`**Rules:** ${rules.join('; ')}.`, '');
  lines.push(`**Seal positions** (default policy${t.positionsChosen ? ', **evoucher\'s choice**: domain.md gives no default for this type' : ', domain.md §6'}):`, '');
  lines.push('| Sequence | Position | Name | Party | Seal types | Required | View |', '|---|---|---|---|---|---|---|');
  for (const p of t.positions) {
    lines.push(`| ${p.sequence} | \`${p.id}\` | ${p.name} | ${p.party} | ${p.sealTypes.join(', ')} | ${p.required ? 'yes' : 'optional'} | ${p.view} |`);
  }
  lines.push('', `**Main elements** (\`<Voucher>\`, in document order):`, '', ...fieldTable(t.fields), '');
  lines.push(`**Detail elements** (\`<DetailList><Detail>\`, in document order):`, '', ...fieldTable(t.detail.fields), '');
  if (t.notes.length > 0) lines.push('**Notes:**', '', ...t.notes.map((n) => `- ${n}`), '');
  return lines;
}

/**
 * Renders the whole catalogue as Markdown.
 *
 * @returns the text of `docs/voucher-types.md`.
 * @example writeFileSync('docs/voucher-types.md', renderVoucherTypesMarkdown())
 */
export function renderVoucherTypesMarkdown(): string {
  const types = listVoucherTypes();
  const lines = [
    '# Voucher types',
    '',
    '<!-- Generated from src/voucher/catalogue/ by `npm run docs:voucher-types`. Do not edit: a test fails when',
    '     this file and the catalogue differ. -->',
    '',
    'The catalogue of voucher types evoucher builds, writes, reads and validates. Each type is data',
    '(`src/voucher/catalogue/vt<VtCode>.ts`): adding a type is adding a data file, not code. Sources and the',
    'meaning of the fields: domain.md §2–§8; the field lists are rebuilt from implementations and DA/T 95,',
    'so expect regional variants.',
    '',
    '| VtCode | Name | English | Details | Seal positions |',
    '|---|---|---|---|---|',
    ...types.map((t) => `| [${t.vtCode}](#${t.vtCode}-${t.zh}) | ${t.zh} | ${t.en} | ${t.detail.min}–${t.detail.max} | ${t.positions.map((p) => `\`${p.id}\``).join(' → ')}${t.positionsChosen ? ' (evoucher\'s choice)' : ''} |`),
    '',
    '## Conventions',
    '',
    '- **Element names** are the XML names; the builder\'s JSON uses them as keys and puts detail lines under `DetailList`.',
    '- **Max bytes** count GBK bytes (a CJK character is 2 bytes, ASCII 1) whatever the voucher\'s charset; a character',
    '  GBK cannot encode (private-use characters and the euro sign included: envelope.md) is an error (`VOUCHER_CHAR_UNMAPPABLE`), never a `?`.',
    '- **Required** elements must be non-blank. The builder writes every element of the type (blank ones as',
    '  `<Element/>`); the reader keeps exactly the elements present.',
    '- **X** marks X-fields: empty in the original, filled by the processing party in the receipt (回单). A',
    '  receipt may differ from its original only in X-fields.',
    '- Dates "not in the future" are compared with today in China Standard Time (UTC+8), the clock given as `now` (a `Date` that is not valid is `ARG_INVALID`); from year 10000 in China Standard Time no date is in the future.',
    '- Rule codes are listed in [errors.md](errors.md#voucher-validation-rules).',
    '',
    '**Value kinds:**',
    '',
    '| Kind | Format |',
    '|---|---|',
    ...KIND_RULES.map(([k, r]) => `| ${k} | ${r} |`),
    '',
    '**Code tables** (a closed table rejects other values with `VOUCHER_CODE_VALUE`; an open one documents',
    'known values only; an element\'s own allowed values take precedence):',
    '',
  ];
  for (const t of listCodeTables()) {
    lines.push(`- **${t.name}** ${t.zh} (${t.en}), ${t.closed ? 'closed' : 'open'}; ${t.source}: ${t.values.map((v) => `\`${v.code}\` ${v.zh}`).join(', ')}.`);
  }
  lines.push('');
  for (const t of types) lines.push(...typeSection(t));
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
