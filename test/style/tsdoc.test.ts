/**
 * Every function, class and constant exported from a public entry point (the `exports` map of
 * package.json) carries a `/** ... *\/` doc comment (style.md §7; jose's declaration_comments test).
 * Checked with the TypeScript compiler: each exported symbol is followed through re-exports to its
 * declaration, and the declaration (or its variable statement) must have a JSDoc block.
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function entryPoints(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | { types?: string }> };
  const out: string[] = [];
  for (const v of Object.values(pkg.exports)) {
    const types = typeof v === 'string' ? undefined : v.types;
    if (types !== undefined) out.push(join(ROOT, 'src', types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts')));
  }
  return out;
}

function hasDocComment(decl: ts.Declaration): boolean {
  const node = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
  return ts.getJSDocCommentsAndTags(node).some((d) => ts.isJSDoc(d)) || (node as ts.Node & { jsDoc?: ts.JSDoc[] }).jsDoc?.length !== undefined;
}

function undocumented(): { entries: number; checked: number; missing: string[] } {
  const entries = entryPoints();
  const program = ts.createProgram(entries, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, noEmit: true, allowJs: false });
  const checker = program.getTypeChecker();
  const missing = new Set<string>();
  let checked = 0;
  for (const entry of entries) {
    const sf = program.getSourceFile(entry);
    if (sf === undefined) throw new Error(`entry point not found: ${entry}`);
    const moduleSymbol = checker.getSymbolAtLocation(sf);
    if (moduleSymbol === undefined) continue;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      for (const decl of symbol.declarations ?? []) {
        const isValue = ts.isFunctionDeclaration(decl) || ts.isClassDeclaration(decl) || ts.isVariableDeclaration(decl);
        if (!isValue) continue;
        const file = decl.getSourceFile().fileName;
        if (!file.startsWith(join(ROOT, 'src') + sep)) continue; // re-exported from a dependency
        // Overloads: one doc comment on the first signature documents them all.
        if (ts.isFunctionDeclaration(decl) && decl.body !== undefined && (symbol.declarations ?? []).some((d) => d !== decl && ts.isFunctionDeclaration(d) && hasDocComment(d))) continue;
        checked++;
        if (!hasDocComment(decl)) missing.add(`${relative(ROOT, file).split(sep).join('/')}: ${symbol.name}`);
      }
    }
  }
  return { entries: entries.length, checked, missing: [...missing].sort() };
}

describe('TSDoc on the public API (style.md §7)', () => {
  it('every exported function, class and constant has a doc comment', () => {
    const { entries, checked, missing } = undocumented();
    expect(entries).toBeGreaterThanOrEqual(10);
    expect(checked).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  }, 60_000);
});
