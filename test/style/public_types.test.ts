/**
 * The declarations a consumer compiles against (`dist/**.d.ts`, reached from the `exports` map of package.json):
 * every type they name is exported from a public entry point, so a consumer can name it too (a parameter
 * type, the return type of a function it wraps), and none of them needs the optional `pkcs11js` package,
 * which an install without a C++ toolchain does not have. The global setup has built `dist/`.
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dist') + sep;

let program: ts.Program;
let entries: string[];

beforeAll(() => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | { types?: string }> };
  entries = Object.values(pkg.exports).flatMap((v) => (typeof v === 'string' || v.types === undefined ? [] : [join(ROOT, v.types)]));
  program = ts.createProgram(entries, { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, types: ['node'] });
}, 60_000);

/** The named types the public declarations use that no entry point exports, each with an export that uses it. */
function unnameable(): string[] {
  const checker = program.getTypeChecker();
  const exported = new Set<ts.Symbol>();
  const roots: [string, ts.Symbol][] = [];
  for (const entry of entries) {
    const sf = program.getSourceFile(entry);
    if (sf === undefined) throw new Error(`entry point not found: ${entry}`);
    const moduleSymbol = checker.getSymbolAtLocation(sf);
    if (moduleSymbol === undefined) continue;
    for (const e of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e;
      exported.add(symbol);
      roots.push([e.name, symbol]);
    }
  }
  const seen = new Set<ts.Symbol>();
  const missing = new Map<string, string>();
  const visitSymbol = (symbol: ts.Symbol, from: string): void => {
    if (seen.has(symbol)) return;
    seen.add(symbol);
    for (const d of symbol.declarations ?? []) if (d.getSourceFile().fileName.startsWith(DIST)) visitNode(d, from);
  };
  const visitNode = (node: ts.Node, from: string): void => {
    const name = ts.isTypeReferenceNode(node) ? node.typeName : ts.isExpressionWithTypeArguments(node) ? node.expression : ts.isTypeQueryNode(node) ? node.exprName : undefined;
    if (name !== undefined) {
      let symbol = checker.getSymbolAtLocation(name);
      if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      const decl = symbol?.declarations?.[0];
      if (symbol !== undefined && decl !== undefined && decl.getSourceFile().fileName.startsWith(DIST) && !(symbol.flags & ts.SymbolFlags.TypeParameter)) {
        const key = `${relative(ROOT, decl.getSourceFile().fileName).split(sep).join('/')}: ${symbol.name}`;
        if (!exported.has(symbol) && !missing.has(key)) missing.set(key, from);
        visitSymbol(symbol, from);
      }
    }
    ts.forEachChild(node, (c) => visitNode(c, from));
  };
  for (const [name, symbol] of roots) visitSymbol(symbol, name);
  return [...missing].map(([k, from]) => `${k} (used by ${from})`).sort();
}

describe('the public declarations', () => {
  it('name only types a consumer can import', () => {
    expect(unnameable()).toEqual([]);
  }, 60_000);

  it('do not need the optional pkcs11js package', () => {
    const needing = program
      .getSourceFiles()
      .filter((sf) => sf.fileName.startsWith(DIST) && /\bfrom '(pkcs11js)'|import\('pkcs11js'\)/.test(sf.text))
      .map((sf) => relative(ROOT, sf.fileName).split(sep).join('/'));
    expect(needing).toEqual([]);
  }, 60_000);
});
