/**
 * The folder layout is the architecture (design.md §2, style.md §1): this test walks the import graph
 * of `src/` and fails on an import that crosses a module boundary the design does not allow.
 *
 * Allowed direct imports between top-level areas (`errors.ts` and `encoding/` are the base every area
 * may use):
 *   encoding → (nothing)            crypto → encoding
 *   voucher  → encoding             keys   → crypto
 *   pki      → crypto, encoding     seal   → voucher, crypto, keys, pki, encoding
 *   verify   → voucher, crypto, pki, seal, encoding (never keys: verifying needs no private key)
 *   cli      → the public entry points only (the `exports` map of package.json)
 *   index.ts → re-exports of the areas' entry points
 * Nothing outside `src/cli` imports `src/cli`. Only `src/keys/pkcs11` may name `pkcs11js`, and only as a
 * type import or a dynamic `import()` (the lazy load itself is proved by test/keys/lazy_load.test.ts).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

/** Top-level areas each area may import directly (besides itself, `errors.ts` and `encoding/`). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  encoding: [],
  crypto: [],
  voucher: [],
  keys: ['crypto'],
  pki: ['crypto'],
  seal: ['voucher', 'crypto', 'keys', 'pki'],
  verify: ['voucher', 'crypto', 'pki', 'seal'],
  index: ['crypto', 'keys', 'voucher', 'pki', 'seal', 'verify'],
};
const BASE = ['errors', 'encoding'];

interface ImportEdge {
  readonly from: string; // path relative to src/, '/'-separated
  readonly spec: string;
  readonly target: string | undefined; // resolved path relative to src/ for relative specifiers
  readonly typeOnly: boolean;
  readonly dynamic: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

function rel(p: string): string {
  return relative(SRC, p).split(sep).join('/');
}

function importsOf(file: string): ImportEdge[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const edges: ImportEdge[] = [];
  const add = (spec: string, typeOnly: boolean, dynamic: boolean): void => {
    const target = spec.startsWith('.') ? rel(resolve(dirname(file), spec).replace(/\.js$/, '.ts')) : undefined;
    edges.push({ from: rel(file), spec, target, typeOnly, dynamic });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.importClause;
      const typeOnly = c !== undefined && (c.isTypeOnly || (c.namedBindings !== undefined && ts.isNamedImports(c.namedBindings) && c.name === undefined && c.namedBindings.elements.length > 0 && c.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly, false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly, false);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg !== undefined && ts.isStringLiteralLike(arg)) add(arg.text, false, true);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

/** The area of a path relative to src/: its first folder, or the file name without `.ts` at the top. */
function areaOf(path: string): string {
  const [first, ...rest] = path.split('/');
  return rest.length === 0 ? (first ?? '').replace(/\.ts$/, '') : (first ?? '');
}

/** src/ paths of the public entry points (package.json `exports`, whose `types` point into dist/). */
function publicEntryPoints(): Set<string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | { types?: string }> };
  const out = new Set<string>();
  for (const v of Object.values(pkg.exports)) {
    const types = typeof v === 'string' ? undefined : v.types;
    if (types !== undefined) out.add(types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts'));
  }
  return out;
}

const EDGES = sourceFiles(SRC).flatMap(importsOf);

describe('import boundaries (design.md §2)', () => {
  it('sees the source tree', () => {
    expect(EDGES.length).toBeGreaterThan(100);
    expect(publicEntryPoints()).toContain('index.ts');
  });

  it('each area imports only the areas the design allows', () => {
    const bad = EDGES.filter((e) => {
      if (e.target === undefined) return false;
      const from = areaOf(e.from);
      const to = areaOf(e.target);
      if (from === 'cli' || from === to || BASE.includes(to)) return false;
      return !(ALLOWED[from] ?? []).includes(to);
    }).map((e) => `${e.from} → ${e.spec}`);
    expect(bad).toEqual([]);
  });

  it('the CLI uses the SDK only through its public entry points', () => {
    const entries = publicEntryPoints();
    const bad = EDGES.filter((e) => areaOf(e.from) === 'cli' && e.target !== undefined && areaOf(e.target) !== 'cli' && !entries.has(e.target)).map((e) => `${e.from} → ${e.spec}`);
    expect(bad).toEqual([]);
  });

  it('nothing outside src/cli imports src/cli', () => {
    const bad = EDGES.filter((e) => areaOf(e.from) !== 'cli' && e.target !== undefined && areaOf(e.target) === 'cli').map((e) => `${e.from} → ${e.spec}`);
    expect(bad).toEqual([]);
  });

  it('pkcs11js is named only under src/keys/pkcs11, and never loaded by a static import', () => {
    const native = EDGES.filter((e) => e.spec === 'pkcs11js' || e.spec.startsWith('pkcs11js/'));
    expect(native.length).toBeGreaterThan(0);
    expect(native.filter((e) => !e.from.startsWith('keys/pkcs11/')).map((e) => e.from)).toEqual([]);
    expect(native.filter((e) => !e.typeOnly && !e.dynamic).map((e) => e.from)).toEqual([]);
  });

  it('only keys/index.ts reaches keys/pkcs11 from outside it, and only by a dynamic import', () => {
    const bad = EDGES.filter((e) => e.target?.startsWith('keys/pkcs11/') === true && !e.from.startsWith('keys/pkcs11/') && !(e.from === 'keys/index.ts' && e.dynamic) && !e.typeOnly && areaOf(e.from) !== 'cli').map((e) => `${e.from} → ${e.spec}`);
    expect(bad).toEqual([]);
  });
});
