/**
 * The store as a user installs it (issue 11): the built package in a folder's
 * `node_modules`, with only the drivers the user installed, used by plain Node processes.
 *
 * - The engines' drivers are optional peers, loaded when a store is opened: without
 *   `mongodb` the embedded engine works and a MongoDB URI says what to install; without
 *   `better-sqlite3` the converse; with neither, the package still loads (a parser that
 *   depends on it for types and helpers installs no driver).
 * - The writer thread is a module file of its own: a large unordered `insertMany` works from
 *   `node --input-type=module -e` and from a CommonJS script.
 *
 * These tests run the built `dist`: `beforeAll` brings it up to date (a no-op after
 * `npm ci`, whose prepare step builds every package).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildStore,
  installStore,
  lastJsonLine,
  packageRoot,
  runNode,
} from './test-support/built-store.js';

const MONGODB_URI = process.env['MONGODB_URI'];
let dir: string;

beforeAll(async () => {
  const failure = await buildStore();
  expect(failure).toBeUndefined();
  dir = mkdtempSync(join(tmpdir(), 'edx-store-installed-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Opens a store at each location given and writes then reads a document; prints, for each,
 * the document read back or the error (name, code, message).
 */
const OPEN_EACH = `
import { openStore } from '@edx-data/store';
const results = [];
for (const location of process.argv.slice(2)) {
  try {
    const store = await openStore(location, { serverSelectionTimeoutMS: 1500 });
    const db = store.db('installed_' + process.pid);
    await db.collection('c').insertOne({ _id: 'a', n: 1 });
    const doc = await db.collection('c').findOne({ _id: 'a' });
    await store.dropDatabase(db.name);
    await store.close();
    results.push({ engine: store.engine, doc });
  } catch (error) {
    results.push({ error: { name: error.name, code: error.code, message: error.message } });
  }
}
console.log(JSON.stringify(results));
`;

function install(name: string, drivers: readonly string[]): string {
  const folder = join(dir, name);
  installStore(folder, drivers);
  writeFileSync(join(folder, 'open-each.mjs'), OPEN_EACH);
  return folder;
}

const usageError = (driver: string): unknown => ({
  error: {
    name: 'UsageError',
    code: 'E_USAGE',
    message: expect.stringContaining(`npm install ${driver}`) as unknown,
  },
});

describe('the engines are optional peers, loaded on demand', () => {
  it('with better-sqlite3 only: the embedded engine works, a MongoDB URI says to install mongodb', () => {
    const folder = install('sqlite-only', ['better-sqlite3']);
    const run = runNode(folder, ['open-each.mjs', join(folder, 'store'), 'mongodb://127.0.0.1:1/']);
    expect(lastJsonLine(run)).toStrictEqual([
      { engine: 'embedded', doc: { _id: 'a', n: 1 } },
      usageError('mongodb'),
    ]);
  });

  it('with mongodb only: a folder says to install better-sqlite3, MongoDB URIs reach the driver', () => {
    const folder = install('mongodb-only', ['mongodb']);
    const locations = [join(folder, 'store'), 'mongodb://127.0.0.1:1/'];
    if (MONGODB_URI === undefined || MONGODB_URI === '') {
      console.log('installed package, mongodb only: no write to a server (set MONGODB_URI)');
    } else {
      locations.push(MONGODB_URI);
    }
    const [embedded, unreachable, server] = lastJsonLine(
      runNode(folder, ['open-each.mjs', ...locations]),
    ) as unknown[];
    expect(embedded).toStrictEqual(usageError('better-sqlite3'));
    // The driver was loaded and looked for the server: not a usage error.
    expect(unreachable).toMatchObject({ error: { code: 'E_STORE_UNREACHABLE' } });
    if (locations.length === 3) {
      expect(server).toStrictEqual({ engine: 'mongodb', doc: { _id: 'a', n: 1 } });
    }
    expect(existsSync(join(folder, 'store'))).toBe(false);
  });

  it('with no driver at all: the package loads and its helpers work', () => {
    const folder = install('no-driver', []);
    const script = `
      import * as store from '@edx-data/store';
      const name = store.validateDatabaseName('McGillX_ATOC185x_2T2014');
      const record = store.rejectedRecord({ file: 'f.log', line: 3, code: 'E_INPUT', reason: 'bad', raw: 'x' });
      console.log(JSON.stringify({ name, line: record.line, temporary: store.isTemporaryCollection('x') }));
    `;
    const run = runNode(folder, ['--input-type=module', '-e', script]);
    expect(lastJsonLine(run)).toStrictEqual({
      name: 'McGillX_ATOC185x_2T2014',
      line: 3,
      temporary: false,
    });
    const opened = runNode(folder, ['open-each.mjs', join(folder, 'store')]);
    expect(lastJsonLine(opened)).toStrictEqual([usageError('better-sqlite3')]);
  });
});

describe('the writer thread is a module file of its own', () => {
  let folder: string;
  beforeAll(() => {
    folder = install('both', ['better-sqlite3', 'mongodb']);
  });

  it('is built into dist beside bulk-writer.js and packed', () => {
    expect(existsSync(join(packageRoot, 'dist', 'embedded', 'writer-thread.mjs'))).toBe(true);
    expect(existsSync(join(packageRoot, 'dist', 'embedded', 'bulk-writer.js'))).toBe(true);
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: packageRoot,
      encoding: 'utf8',
    });
    expect(pack.status, pack.stderr).toBe(0);
    const [packed] = JSON.parse(pack.stdout) as [{ files: { path: string }[] }];
    expect(packed.files.map((file) => file.path)).toContain('dist/embedded/writer-thread.mjs');
  });

  // 3000 documents in unordered batches of 1000: the writer thread writes them.
  const insertAndCount = (load: string): string => `
    ${load}
    (async () => {
      const store = await openStore(process.argv[process.argv.length - 1]);
      const events = store.db('threads').collection('events');
      const docs = Array.from({ length: 3000 }, (_, i) => ({ _id: i, pad: 'x'.repeat(100) }));
      const result = await events.insertMany(docs, { ordered: false, batchSize: 1000 });
      const counted = await events.countDocuments();
      await store.close();
      console.log(JSON.stringify({ inserted: result.insertedCount, counted }));
    })().catch((error) => { console.error(error); process.exitCode = 1; });
  `;

  // A V8 flag too: a worker refuses one in an explicit execArgv (it inherits them instead).
  it.each([[[]], [['--max-old-space-size=512']]])(
    'works from node --input-type=module -e (and flags %j)',
    (flags: string[]) => {
      const script = insertAndCount("import { openStore } from '@edx-data/store';");
      const target = join(folder, `esm${String(flags.length)}`);
      const run = runNode(folder, [...flags, '--input-type=module', '-e', script, target]);
      expect(run.status, run.stderr).toBe(0);
      expect(lastJsonLine(run)).toStrictEqual({ inserted: 3000, counted: 3000 });
    },
  );

  it('works from a CommonJS script (require of the ESM package)', () => {
    writeFileSync(
      join(folder, 'load.cjs'),
      insertAndCount("const { openStore } = require('@edx-data/store');"),
    );
    const run = runNode(folder, ['load.cjs', join(folder, 'cjs')]);
    expect(run.status, run.stderr).toBe(0);
    expect(lastJsonLine(run)).toStrictEqual({ inserted: 3000, counted: 3000 });
  });
});
