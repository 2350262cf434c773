/**
 * The `@example` of the SDK's main entry points is TypeScript a consumer can paste: it parses, and the one that
 * needs nothing but its own arguments (buildVoucher) runs as written. The repository files an example names
 * (`fixtures/...`, `examples/...`) exist, in every doc comment of src/.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { buildVoucher } from '../../src/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

/** The main entry points and the file each is declared in. */
const MAIN: Readonly<Record<string, string>> = {
  buildVoucher: 'voucher/build.ts',
  sealVoucher: 'seal/apply.ts',
  verifyEnvelope: 'verify/verify.ts',
  openKeyProvider: 'keys/index.ts',
  loadTrustStore: 'pki/trust_store.ts',
  createVerifierPool: 'verify/batch/pool.ts',
};

function examplesOf(name: string, file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(join(SRC, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const decl = sf.statements.find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === name);
  if (decl === undefined) throw new Error(`${name} not declared in ${file}`);
  return ts
    .getJSDocTags(decl)
    .filter((t) => t.tagName.text === 'example')
    .map((t) => ts.getTextOfJSDocComment(t.comment) ?? '');
}

/** Syntax errors of a snippet, as the body of an async function (examples use `await`). */
function syntaxErrors(code: string): string[] {
  const sf = ts.createSourceFile('example.ts', `async function example() {\n${code}\n}\n`, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const diagnostics = (sf as ts.SourceFile & { readonly parseDiagnostics: readonly ts.Diagnostic[] }).parseDiagnostics;
  return diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

describe('@example of the main entry points', () => {
  it.each(Object.entries(MAIN))('%s has an example that parses', (name, file) => {
    const examples = examplesOf(name, file);
    expect(examples.length).toBeGreaterThan(0);
    expect(examples.flatMap(syntaxErrors)).toEqual([]);
  });

  it('buildVoucher runs as written', async () => {
    const [code] = examplesOf('buildVoucher', MAIN['buildVoucher'] ?? '');
    const js = ts.transpileModule(`${code ?? ''}\nreturn v;`, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
    // The example's own text, compiled above, with buildVoucher in scope.
    const run = new Function('buildVoucher', js) as (b: typeof buildVoucher) => ReturnType<typeof buildVoucher>;
    expect(run(buildVoucher).fields['PayAmt']).toBe('100.00');
  });
});

describe('files named in doc comments', () => {
  it('exist in the repository', () => {
    const missing: string[] = [];
    for (const file of sourceFiles(SRC)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/^\s*\*.*?'((?:fixtures|examples)\/[^']+)'/gmu)) {
        const named = m[1] ?? '';
        if (!existsSync(join(ROOT, named))) missing.push(`${relative(ROOT, file).split(sep).join('/')}: ${named}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
