/**
 * No object literal in `src/` begins with a spread and goes on (`{ ...a, b }`, `{ ...(c ? {} : { d }), e }`).
 *
 * Why: on Node 20 (V8 11) such a literal is built by cloning the spread object's hidden class and adding the
 * rest to the clone, and a clone keeps no transitions, so every call makes new hidden classes (maps and
 * descriptor arrays in the old generation). In the verifier that was a dozen per seal: old-space garbage for
 * the GC threads, and megamorphic property access everywhere a report went (docs/performance.md). Write the
 * fixed properties first, or use `Object.assign({}, a, { b })`. A spread alone (`{ ...a }`) or after a fixed
 * property is fine. test/verify/hidden_classes.test.ts checks the effect on the reports themselves.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** `file:line` of every object literal that starts with a spread and has more members. */
function leadingSpreads(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isObjectLiteralExpression(node) && node.properties.length > 1 && ts.isSpreadAssignment(node.properties[0] as ts.Node)) {
      found.push(`${relative(SRC, file).split(sep).join('/')}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('object literals', () => {
  it('none in src/ starts with a spread and goes on', () => {
    const found = sourceFiles(SRC).flatMap((f) => leadingSpreads(f, readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });

  it('the scan finds the pattern in all its forms, and only it', () => {
    const bad = ['const a = { ...b, c: 1 };', 'f({ ...(x ? {} : { y }), z });', 'const a = { ...b, ...c };'];
    const good = ['const a = { c: 1, ...b };', 'const a = { ...b };', 'const { a, ...rest } = b;', 'const a = Object.assign({}, b, { c: 1 });'];
    for (const s of bad) expect(leadingSpreads(join(SRC, 'x.ts'), s), s).toHaveLength(1);
    for (const s of good) expect(leadingSpreads(join(SRC, 'x.ts'), s), s).toEqual([]);
  });
});
