/**
 * What `npm pack` puts in the tarball a consumer installs: everything the SDK and the CLI read at run time
 * (every `exports` target, the batch worker, the `demo` command's examples and demo PKI), nothing of the
 * repository's own (tests, benchmarks, TypeScript sources), and no source maps pointing at sources that are
 * not shipped. Also: the optional native binding stays optional, so an install without a compiler works.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

interface PackageJson {
  readonly bin: Readonly<Record<string, string>>;
  readonly exports: Readonly<Record<string, string | { readonly types: string; readonly default: string }>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
let files: Set<string>;

beforeAll(() => {
  // --ignore-scripts: list what is there (the global setup has built dist/), without rebuilding it.
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const [entry] = JSON.parse(out) as { files: { path: string }[] }[];
  files = new Set((entry?.files ?? []).map((f) => f.path));
}, 120_000);

describe('the npm package', () => {
  it('holds every exports target, the bin, the batch worker and what demo reads', () => {
    const targets = Object.values(pkg.exports).flatMap((v) => (typeof v === 'string' ? [v] : [v.types, v.default]));
    const needed = [
      ...targets.map((t) => t.replace(/^\.\//, '')),
      ...Object.values(pkg.bin),
      'dist/cli/main.js',
      'dist/verify/batch/worker.js',
      'fixtures/pki/manifest.json',
      'fixtures/pki/trust/p256-root.cert.pem',
      'fixtures/pki/sm2/cz.key.pem',
      'examples/5201.json',
      'examples/8202.json',
    ];
    expect(needed.filter((f) => !files.has(f))).toEqual([]);
  });

  it('holds no tests, benchmarks, sources or source maps of unshipped sources', () => {
    const unwanted = [...files].filter((f) => /^(test|bench|src|scripts|\.ci)\//.test(f) || f.endsWith('.map'));
    expect(unwanted).toEqual([]);
  });

  it('keeps pkcs11js optional: an install without a C++ toolchain still gets the software keys', () => {
    expect(pkg.dependencies?.['pkcs11js']).toBeUndefined();
    expect(pkg.optionalDependencies?.['pkcs11js']).toBeDefined();
  });
});
