/**
 * docs/api/ is generated from each package's src/index.ts: this test fails when a file there is
 * stale, missing or left over (`UPDATE_API_DOCS=1 npx vitest run --project
 * @edx-data/test-support api-docs` rewrites the folder).
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PackageApi } from './api-docs.js';
import { readPackageApis, renderApiDocs, renderPackageApi } from './api-docs.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const API_DIR = join(ROOT, 'docs/api');

describe('API docs', () => {
  let rendered = new Map<string, string>();
  let apis: PackageApi[] = [];

  beforeAll(() => {
    apis = readPackageApis(ROOT);
    rendered = renderApiDocs(ROOT);
  }, 120_000);

  it('docs/api/ holds exactly the generated files, each up to date', async () => {
    if (process.env['UPDATE_API_DOCS'] === '1') {
      await rm(API_DIR, { recursive: true, force: true });
      await mkdir(API_DIR, { recursive: true });
      for (const [name, text] of rendered) await writeFile(join(API_DIR, name), text);
    }
    const present = (await readdir(API_DIR)).sort();
    expect(present).toEqual([...rendered.keys()].sort());
    for (const [name, text] of rendered) {
      expect(await readFile(join(API_DIR, name), 'utf8'), `docs/api/${name} is stale`).toBe(text);
    }
  });

  it('documents every package under packages/ and every name its index.ts exports', async () => {
    expect(apis.map((a) => a.folder)).toEqual([
      'anonymizer',
      'core',
      'course-extractor',
      'csv-exporter',
      'edx-sql-parser',
      'forum-importer',
      'store',
      'synthetic-data',
      'tracking-loader',
    ]);
    // Every name in an `export { … }` list of the entry point is in the reference, and
    // nothing else is.
    for (const api of apis) {
      const source = await readFile(join(ROOT, 'packages', api.folder, 'src/index.ts'), 'utf8');
      const lists = [...source.matchAll(/export (?:type )?\{([^}]*)\}/gu)].map((m) => m[1] ?? '');
      const names = lists
        .flatMap((list) => list.split(','))
        .map(
          (n) =>
            n
              .trim()
              .split(/\s+as\s+/u)
              .pop() ?? '',
        )
        .filter((n) => n !== '');
      expect(api.exports.map((e) => e.name).sort(), `exports of ${api.name}`).toEqual(
        [...new Set(names)].sort(),
      );
    }
  });

  it('every import from @edx-data/* in the READMEs and docs names a real export', async () => {
    const exported = new Map(apis.map((a) => [a.name, new Set(a.exports.map((e) => e.name))]));
    const pages = [
      'README.md',
      ...apis.map((a) => `packages/${a.folder}/README.md`),
      ...(await readdir(join(ROOT, 'docs')))
        .filter((name) => name.endsWith('.md'))
        .map((name) => `docs/${name}`),
    ];
    const unknown: string[] = [];
    let imports = 0;
    for (const page of pages) {
      const text = await readFile(join(ROOT, page), 'utf8');
      const pattern = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'(@edx-data\/[\w-]+)'/gu;
      for (const [, list = '', from = ''] of text.matchAll(pattern)) {
        for (const item of list.split(',')) {
          const name =
            item
              .replace(/^\s*type\s+/u, '')
              .split(/\s+as\s+/u)[0]
              ?.trim() ?? '';
          if (name === '') continue;
          imports += 1;
          if (exported.get(from)?.has(name) !== true) unknown.push(`${page}: ${name} from ${from}`);
        }
      }
    }
    expect(unknown).toEqual([]);
    expect(imports).toBeGreaterThan(30);
  });

  it('shows kinds, signatures and doc comments as the sources declare them', () => {
    const core = apis.find((a) => a.folder === 'core');
    const store = apis.find((a) => a.folder === 'store');
    const layout = core?.exports.find((e) => e.name === 'courseDatabaseName');
    expect(layout).toMatchObject({
      kind: 'function',
      signature: 'function courseDatabaseName(courseId: string): string;',
      source: 'packages/core/src/layout.ts',
      external: false,
    });
    expect(layout?.doc).toContain('`McGillX_ATOC185x_2T2014`');
    expect(layout?.doc).toContain('@throws UsageError `E_DATABASE_NAME`');
    const master = core?.exports.find((e) => e.name === 'MASTER_TRACKING');
    expect(master?.kind).toBe('constant');
    expect(master?.signature).toContain('readonly database: "tracking_logs";');
    const objectId = store?.exports.find((e) => e.name === 'ObjectId');
    expect(objectId).toMatchObject({
      kind: 'class',
      external: true,
      source: 'bson',
      signature: "export { ObjectId } from 'bson';",
    });
    expect(objectId?.doc).toContain('The BSON ObjectId class');
    const error = core?.exports.find((e) => e.name === 'InputError');
    expect(error?.kind).toBe('class');
    expect(error?.signature).toMatch(/^class InputError extends EdxDataError/u);
    expect(error?.signature).not.toContain('{\n        super');
  });

  it('renders the same bytes twice, with sections in kind order', () => {
    const store = apis.find((a) => a.folder === 'store');
    expect(store).toBeDefined();
    if (store === undefined) return;
    const page = renderPackageApi(store);
    expect(renderPackageApi(store)).toBe(page);
    const functions = page.indexOf('\n## Functions\n');
    const classes = page.indexOf('\n## Classes\n');
    const interfaces = page.indexOf('\n## Interfaces\n');
    expect(functions).toBeGreaterThan(0);
    expect(classes).toBeGreaterThan(functions);
    expect(interfaces).toBeGreaterThan(classes);
    expect(page).toContain(
      '### openStore\n\nfunction · [`src/open-store.ts`](../../packages/store/src/open-store.ts)',
    );
  });

  it('turns {@link Name} into a link to an export of the page, or code for any other name', () => {
    const page = renderPackageApi({
      folder: 'demo',
      name: '@edx-data/demo',
      description: '',
      exports: [
        {
          name: 'readIt',
          kind: 'function',
          signature: 'function readIt(): void;',
          doc: 'Like {@link ReadOptions}, see {@link writeIt}; {@link readIt the reader}.',
          source: 'packages/demo/src/read.ts',
          external: false,
        },
        {
          name: 'ReadOptions',
          kind: 'interface',
          signature: 'interface ReadOptions {}',
          doc: '',
          source: 'packages/demo/src/read.ts',
          external: false,
        },
      ],
    });
    expect(page).toContain(
      'Like [`ReadOptions`](#readoptions), see `writeIt`; [`the reader`](#readit).',
    );
    expect(page).not.toContain('{@link');
  });
});
