import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Keeps STYLE.md's house true: dependencies point one way, and only the composition root opens
// the database or reads the environment.

const SRC = resolve(import.meta.dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const layerOf = (file: string) => relative(SRC, file).split('/')[0]?.replace(/\.ts$/, '') ?? '';

/** Which layers each layer may import. */
const ALLOWED: Record<string, string[]> = {
  contracts: ['contracts'],
  domain: ['contracts', 'domain'],
  db: ['contracts', 'db'],
  services: ['contracts', 'domain', 'db', 'services'],
  http: ['contracts', 'services', 'http'],
  cli: ['contracts', 'services', 'http', 'cli', 'config'],
  worker: ['contracts', 'services', 'worker'],
  config: ['contracts'],
  main: ['cli', 'config', 'db', 'services', 'contracts'],
};

/** Packages that do I/O, which pure domain code must not use. */
const IO_PACKAGES = /^(node:(fs|net|http|https|child_process|zlib)|pg|kysely|@electric-sql\/pglite|hono)/;

const files = sourceFiles(SRC).map((file) => {
  const text = readFileSync(file, 'utf8');
  const imports = [...text.matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1] as string);
  return { file, layer: layerOf(file), text, imports };
});

describe('the import graph', () => {
  it('finds the source files', () => {
    expect(files.length).toBeGreaterThan(30);
  });

  it('points one way: contracts <- domain <- services <- {http, cli, worker}', () => {
    const violations = files.flatMap(({ file, layer, imports }) =>
      imports
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => layerOf(resolve(dirname(file), spec)))
        .filter((target) => !(ALLOWED[layer] ?? []).includes(target))
        .map((target) => `${relative(SRC, file)} imports ${target}`),
    );
    expect(violations).toEqual([]);
  });

  it('keeps domain code free of I/O and of the clock', () => {
    const violations = files
      .filter(({ layer }) => layer === 'domain')
      .flatMap(({ file, text, imports }) => [
        ...imports
          .filter((spec) => IO_PACKAGES.test(spec))
          .map((spec) => `${relative(SRC, file)} imports ${spec}`),
        ...(/new Date\(\)|Date\.now\(\)|Math\.random\(\)/.test(text)
          ? [`${relative(SRC, file)} reads the clock or Math.random`]
          : []),
      ]);
    expect(violations).toEqual([]);
  });

  it('lets only the composition root read the environment or open a database', () => {
    const violations = files
      .filter(({ file }) => !['main.ts', 'config.ts'].includes(relative(SRC, file)))
      .flatMap(({ file, text, imports }) => [
        ...(/process\.env/.test(text) ? [`${relative(SRC, file)} reads process.env`] : []),
        ...imports
          .filter((spec) => spec.endsWith('db/database.ts') && layerOf(file) !== 'db')
          .map(() => `${relative(SRC, file)} opens the database`),
      ]);
    expect(violations).toEqual([]);
  });

  it('uses named exports only', () => {
    expect(
      files.filter(({ text }) => /^export default/m.test(text)).map(({ file }) => relative(SRC, file)),
    ).toEqual([]);
  });
});
