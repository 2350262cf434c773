// Module hooks for the benchmark (see register.js).
// - resolve: `./x.js` imported from a bench .ts file maps to `./x.ts` when that exists; an import that lands in
//   `<root>/src/` is redirected to the same path in `<root>/dist/` (the compiled package).
// - load: `.ts` files under bench/ are transpiled with the project's own TypeScript (types are checked by
//   `npm run typecheck`, not here).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const BENCH = new URL('./', import.meta.url);
const ROOT = new URL('../', BENCH);
const SRC = new URL('src/', ROOT).href;
const DIST = new URL('dist/', ROOT).href;

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL;
  if (parent !== undefined && parent.startsWith(BENCH.href) && (specifier.startsWith('./') || specifier.startsWith('../'))) {
    let url = new URL(specifier, parent);
    if (url.href.startsWith(SRC)) {
      url = new URL(DIST + url.href.slice(SRC.length));
      return nextResolve(url.href, context);
    }
    if (url.pathname.endsWith('.js')) {
      const ts = new URL(url.href.slice(0, -3) + '.ts');
      if (existsSync(fileURLToPath(ts))) return { url: ts.href, format: 'module', shortCircuit: true };
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (url.startsWith(BENCH.href) && url.endsWith('.ts')) {
    const source = readFileSync(fileURLToPath(url), 'utf8');
    const out = ts.transpileModule(source, {
      fileName: fileURLToPath(url),
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, sourceMap: false },
    });
    return { format: 'module', source: out.outputText, shortCircuit: true };
  }
  return nextLoad(url, context);
}
