/**
 * loadTable on the embedded engine, and on the MongoDB engine when MONGODB_URI is set
 * (FerretDB in CI: the drop-then-rename path of the store's replaceCollections). Each test
 * loads into a course database of its own, named after this run.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InputError, StoreError, UsageError } from '@edx-data/core';
import type { Progress } from '@edx-data/core';
import type { Collection, Database, Document, InsertManyOptions, Store } from '@edx-data/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_REJECTED_SHARE, loadTable } from './load-table.js';
import type { LoadTableResult } from './load-table.js';
import { tsv } from './test-support/collect.js';
import { readTsvFile } from './test-support/data-lines.js';
import {
  embeddedEngine,
  lacksDropTarget,
  RUN_PREFIX,
  storesNestedArrays,
  testEngines,
} from './test-support/engines.js';
import { createTestGpg, HAS_REALDATA, hasGpg, tamperLastByte } from '@edx-data/test-support';
import type { TestGpg } from '@edx-data/test-support';
import { STATE_INPUT, STATE_INVALID_CELLS, STATE_OUTPUT } from './test-support/realdata.js';

const run = promisify(execFile);

const AUTH_USER = ['id', 'username', 'email', 'is_staff', 'last_login'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edx-sql-load-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Rejects of a file, in line and column order, without the fields that change per run. */
async function rejectsOf(db: Database, file: string): Promise<Document[]> {
  const records = await db
    .collection('import_rejected')
    .find({ file }, { sort: { line: 1, column: 1 }, projection: { _id: 0 } })
    .toArray();
  return records.map(({ run, imported_at, ...rest }) => {
    expect(typeof run).toBe('string');
    expect(imported_at).toBeInstanceOf(Date);
    return rest;
  });
}

async function runsOf(db: Database, file: string): Promise<unknown[]> {
  return (await db.collection('import_rejected').distinct('run', { file })).sort();
}

async function documents(db: Database, collection: string): Promise<Document[]> {
  return db
    .collection(collection)
    .find({}, { sort: { _id: 1 } })
    .toArray();
}

/** `store`, recording the size of each batch written to `import_rejected`. */
function spyRejectBatches(store: Store, sizes: number[]): Store {
  const bound = (target: object, prop: string | symbol): unknown => {
    const value: unknown = Reflect.get(target, prop, target);
    return typeof value === 'function'
      ? (value as (...a: unknown[]) => unknown).bind(target)
      : value;
  };
  const spyCollection = (collection: Collection): Collection =>
    new Proxy(collection, {
      get: (target, prop) =>
        prop === 'insertMany'
          ? async (docs: Iterable<Document>, options?: InsertManyOptions) => {
              const batch = [...docs];
              sizes.push(batch.length);
              return target.insertMany(batch, options);
            }
          : bound(target, prop),
    });
  const spyDb = (db: Database): Database =>
    new Proxy(db, {
      get: (target, prop) =>
        prop === 'collection'
          ? (name: string) => {
              const collection = target.collection(name);
              return name === 'import_rejected' ? spyCollection(collection) : collection;
            }
          : bound(target, prop),
    });
  return new Proxy(store, {
    get: (target, prop) =>
      prop === 'db' ? (name: string) => spyDb(target.db(name)) : bound(target, prop),
  });
}

const DOC_1 = {
  _id: 1,
  id: 1,
  username: '00123',
  email: 'h@x',
  is_staff: true,
  last_login: new Date('2015-08-12T23:13:03Z'),
};

describe.each(await testEngines())('loadTable on the $label engine', (engine) => {
  let store: Store;
  let swapDrops: boolean;
  let nestedArrays: boolean;
  let courses = 0;
  /** A course of its own: its file prefix, and its database. */
  const course = (): { prefix: string; database: string } => {
    courses += 1;
    const c = `C${String(courses)}`;
    return { prefix: `${RUN_PREFIX}-${c}-R`, database: `${RUN_PREFIX}_${c}_R` };
  };

  beforeAll(async () => {
    store = await engine.open();
    swapDrops = await lacksDropTarget(store);
    nestedArrays = await storesNestedArrays(store);
  });
  afterAll(async () => {
    await engine.cleanup(store);
  });

  it('stores rows with exact values, invalid cells as null with their text under _invalid, and both problems in import_rejected', async () => {
    const { prefix, database } = course();
    const name = `${prefix}-auth_user-prod-analytics.sql`;
    const path = join(dir, name);
    await writeFile(
      path,
      tsv(
        AUTH_USER,
        ['1', '00123', 'h@x', '1', '2015-08-12 23:13:03'],
        ['2', 'audit', 'NULL', '', '2015-09-31 10:00:00'],
        ['3', 'broken'],
        ['4', 'ok', '', '0', 'NULL'],
      ),
    );
    const progress: Progress[] = [];
    const result = await loadTable(store, path, {
      maxRejectedShare: 0.25,
      onProgress: (p) => progress.push(p),
    });
    expect(result).toEqual({
      file: path,
      fileName: name,
      table: 'auth_user',
      courseKey: `course-v1:${RUN_PREFIX}+C${String(courses)}+R`,
      database,
      collection: 'user',
      status: 'loaded',
      format: 'tsv',
      records: 4,
      rows: 3,
      rowsWithInvalidCells: 1,
      invalidCells: 2,
      invalidCellsByColumn: { is_staff: { empty: 1 }, last_login: { 'out-of-range': 1 } },
      rejected: 1,
      rejectedByReason: { 'field-count': 1 },
      unknownColumns: [],
      missingColumns: expect.arrayContaining(['first_name', 'date_joined']) as string[],
      unknownTable: false,
      droppedBeforeRename: swapDrops,
    } satisfies LoadTableResult);
    const size = (await readFile(path)).length;
    expect(progress.at(-1)).toEqual({ file: path, bytesRead: size, totalBytes: size });
    const db = store.db(database);
    expect(await documents(db, 'user')).toEqual([
      DOC_1,
      {
        _id: 2,
        id: 2,
        username: 'audit',
        email: null,
        is_staff: null,
        last_login: null,
        _invalid: { is_staff: '', last_login: '2015-09-31 10:00:00' },
      },
      { _id: 3, id: 4, username: 'ok', email: '', is_staff: false, last_login: null },
    ]);
    const indexed = (await db.collection('user').listIndexes()).map((i) => i.key);
    expect(indexed).toEqual(expect.arrayContaining([{ id: 1 }, { username: 1 }]));
    expect(await rejectsOf(db, name)).toEqual([
      {
        table: 'auth_user',
        file: name,
        line: 3,
        column: 'is_staff',
        code: 'invalid-cell',
        reason: 'expected 0 or 1, got "" (column "is_staff")',
        raw: '',
        raw_truncated: false,
        raw_bytes: 0,
      },
      {
        table: 'auth_user',
        file: name,
        line: 3,
        column: 'last_login',
        code: 'invalid-cell',
        reason:
          'expected a datetime YYYY-MM-DD HH:MM:SS, got "2015-09-31 10:00:00" (out of range) (column "last_login")',
        raw: '2015-09-31 10:00:00',
        raw_truncated: false,
        raw_bytes: 19,
      },
      {
        table: 'auth_user',
        file: name,
        line: 4,
        code: 'field-count',
        reason: 'expected 5 fields (header), got 2',
        raw: '3\tbroken',
        raw_truncated: false,
        raw_bytes: 8,
      },
    ]);
    expect(await db.listCollections()).not.toContainEqual(
      expect.objectContaining({ name: expect.stringMatching(/^__tmp_/) as string }),
    );
  });

  it('replaces a file’s rejects on re-import, and cuts a long raw row at 64 KiB', async () => {
    const { prefix, database } = course();
    const name = `${prefix}-auth_user-prod-analytics.sql`;
    const path = join(dir, name);
    const long = `5\t${'é'.repeat(40_000)}`; // 80,002 bytes, one field short
    const rows = Array.from({ length: 9 }, (_, i) => [
      String(i + 1),
      `u${String(i)}`,
      'e',
      '0',
      'NULL',
    ]);
    await writeFile(path, `${tsv(AUTH_USER, ...rows)}${long}\n`);
    const first = await loadTable(store, path);
    expect(first).toMatchObject({ status: 'loaded', rows: 9, rejected: 1 });
    const db = store.db(database);
    const [stored] = await rejectsOf(db, name);
    expect(stored).toMatchObject({
      line: 11,
      code: 'field-count',
      raw_truncated: true,
      raw_bytes: 80_002,
    });
    expect(Buffer.byteLength(stored?.['raw'] as string)).toBeLessThanOrEqual(64 * 1024);
    expect(long.startsWith(stored?.['raw'] as string)).toBe(true);
    const runs = await runsOf(db, name);
    expect(runs).toHaveLength(1);

    // Corrected: no rejects left for the file.
    await writeFile(path, tsv(AUTH_USER, ...rows));
    const second = await loadTable(store, path);
    expect(second).toMatchObject({ status: 'loaded', rows: 9, rejected: 0 });
    expect(second.droppedBeforeRename).toBe(swapDrops);
    expect(await rejectsOf(db, name)).toEqual([]);

    // Another problem: only the new reject.
    await writeFile(path, tsv(AUTH_USER, ...rows, ['10', 'x', 'e', '0', 'NULL', 'extra']));
    await loadTable(store, path);
    expect((await rejectsOf(db, name)).map((r) => [r['line'], r['reason']])).toEqual([
      [11, 'expected 5 fields (header), got 6'],
    ]);
    const last = await runsOf(db, name);
    expect(last).toHaveLength(1);
    expect(last).not.toEqual(runs);
    expect(await db.collection('user').countDocuments()).toBe(9);
  });

  it('refuses a file whose rows were all rejected: the old collection stays, the reasons are kept', async () => {
    const { prefix, database } = course();
    const name = `${prefix}-auth_user-prod-analytics.sql`;
    const path = join(dir, name);
    const good = tsv(
      AUTH_USER,
      ['1', '00123', 'h@x', '1', '2015-08-12 23:13:03'],
      ['2', 'b', 'e', '', 'NULL'],
    );
    await writeFile(path, good);
    await loadTable(store, path);
    const db = store.db(database);
    const before = await documents(db, 'user');
    expect(before).toHaveLength(2);
    const [inPlace] = await runsOf(db, name);

    await writeFile(path, tsv(AUTH_USER, ['1', '00123'], ['2', 'b', 'c']));
    const refused = await loadTable(store, path);
    const refusal = 'all 2 rows of the file were rejected: loading it would empty the collection';
    expect(refused).toMatchObject({
      status: 'refused',
      refusal,
      records: 2,
      rows: 0,
      rejected: 2,
      rejectedByReason: { 'field-count': 2 },
    });
    expect(await documents(db, 'user')).toEqual(before);
    // The invalid cell of the rows still in place, and the refusal with its reasons.
    const records = async (): Promise<unknown[][]> =>
      (
        await db
          .collection('import_rejected')
          .find({ file: name }, { sort: { line: 1, code: 1 } })
          .toArray()
      ).map((r) => [
        r['line'],
        r['code'],
        r['run'] === inPlace ? 'in place' : 'refused',
        r['code'] === 'refused' ? r['reason'] : '',
      ]);
    const afterRefusal = [
      [null, 'refused', 'refused', refusal],
      [2, 'field-count', 'refused', ''],
      [3, 'field-count', 'refused', ''],
      [3, 'invalid-cell', 'in place', ''],
    ];
    expect(await records()).toEqual(afterRefusal);
    // Refused again: the earlier refusal's rejects are replaced, not added to.
    await loadTable(store, path);
    expect(await records()).toEqual(afterRefusal);
    expect(await runsOf(db, name)).toHaveLength(2);
    // Loaded again: every earlier reject of the file goes.
    await writeFile(path, good);
    await loadTable(store, path);
    expect((await rejectsOf(db, name)).map((r) => [r['line'], r['code']])).toEqual([
      [3, 'invalid-cell'],
    ]);
  });

  it(`refuses more than maxRejectedShare of rejected rows (default ${String(DEFAULT_MAX_REJECTED_SHARE)}); rows with invalid cells are not rejects`, async () => {
    const { prefix, database } = course();
    const name = `${prefix}-student_languageproficiency-prod-analytics.sql`;
    const path = join(dir, name);
    const header = ['id', 'user_profile_id', 'code'];
    // 10 rows: 8 good, 2 with a field too many (20 %).
    const rows = Array.from({ length: 10 }, (_, i) =>
      i < 2 ? [String(i + 1), '1', 'en', 'x'] : [String(i + 1), '1', 'en'],
    );
    await writeFile(path, tsv(header, ...rows));
    const db = store.db(database);
    const refused = await loadTable(store, path);
    expect(refused).toMatchObject({
      status: 'refused',
      refusal:
        "2 of the file's 10 rows were rejected (20.0%, more than the 10.0% allowed by maxRejectedShare)",
      rows: 8,
      rejected: 2,
    });
    expect((await db.listCollections()).map((c) => c.name)).toEqual(['import_rejected']);
    const loaded = await loadTable(store, path, { maxRejectedShare: 0.2 });
    expect(loaded).toMatchObject({ status: 'loaded', rows: 8, rejected: 2 });
    expect(await db.collection('student_languageproficiency').countDocuments()).toBe(8);

    // Every cell of a typed column invalid: all rows still load.
    await writeFile(path, tsv(header, ['x', 'y', 'en'], ['1.5', '', 'fr']));
    const invalid = await loadTable(store, path);
    expect(invalid).toMatchObject({
      status: 'loaded',
      rows: 2,
      rejected: 0,
      invalidCells: 4,
      rowsWithInvalidCells: 2,
    });
    expect(await documents(db, 'student_languageproficiency')).toEqual([
      {
        _id: 1,
        id: null,
        user_profile_id: null,
        code: 'en',
        _invalid: { id: 'x', user_profile_id: 'y' },
      },
      {
        _id: 2,
        id: null,
        user_profile_id: null,
        code: 'fr',
        _invalid: { id: '1.5', user_profile_id: '' },
      },
    ]);
    await expect(loadTable(store, path, { maxRejectedShare: 2 })).rejects.toThrow(UsageError);
  });

  it('a header-only file empties its table (and its rejects)', async () => {
    const { prefix, database } = course();
    const name = `${prefix}-auth_user-prod-analytics.sql`;
    const path = join(dir, name);
    await writeFile(path, tsv(AUTH_USER, ['1', '00123', 'h@x', '1', '2015-08-12 23:13:03'], ['2']));
    await loadTable(store, path, { maxRejectedShare: 0.5 });
    const db = store.db(database);
    expect(await db.collection('user').countDocuments()).toBe(1);
    expect(await rejectsOf(db, name)).toHaveLength(1);
    await writeFile(path, tsv(AUTH_USER));
    const result = await loadTable(store, path);
    expect(result).toMatchObject({ status: 'loaded', format: 'tsv', records: 0, rows: 0 });
    expect(await db.collection('user').countDocuments()).toBe(0);
    expect(await rejectsOf(db, name)).toEqual([]);
  });

  it('an abort stops the load and leaves the old collection', async () => {
    const { prefix, database } = course();
    const path = join(dir, `${prefix}-student_languageproficiency-prod-analytics.sql`);
    const header = ['id', 'user_profile_id', 'code'];
    await writeFile(path, tsv(header, ['1', '1', 'en']));
    await loadTable(store, path);
    const db = store.db(database);
    const before = await documents(db, 'student_languageproficiency');

    // 4 MiB and more (reads of 1 MiB), in rows of about 110 bytes: some 10,000 rows a read.
    // (FerretDB v1 cannot delete more than about 32,000 documents in one go.)
    const code = 'e'.repeat(100);
    let text = tsv(header);
    for (let i = 1; i <= 40_000; i++) text += `${String(i)}\t1\t${code}\tx\n`;
    await writeFile(path, text);
    const controller = new AbortController();
    const reason = new Error('stopped by the test');
    const error = await loadTable(store, path, {
      signal: controller.signal,
      maxRejectedShare: 1,
      // Half-way: rejects (every row has a field too many) have been written by then.
      onProgress: ({ bytesRead, totalBytes }) => {
        if (bytesRead > totalBytes / 2) controller.abort(reason);
      },
    }).catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(await documents(db, 'student_languageproficiency')).toEqual(before);
    expect(await db.collection('import_rejected').countDocuments()).toBe(0);
    expect((await db.listCollections()).map((c) => c.name)).not.toContainEqual(
      expect.stringMatching(/^__tmp_/),
    );
    await expect(loadTable(store, path, { signal: controller.signal })).rejects.toBe(reason);
  });

  it('takes the course from courseId, and reads an entry of a zip', async (context) => {
    const zip = await run('zip', ['-v']).then(
      () => true,
      () => false,
    );
    if (!zip) {
      console.log('loadTable zip entry test: skipped (no `zip` program to build the archive)');
      context.skip();
    }
    const { database } = course();
    const inner = 'McGillX-X1-2T2014-auth_user-prod-analytics.sql';
    const folder = await mkdtemp(join(dir, 'zip-'));
    await writeFile(
      join(folder, inner),
      tsv(AUTH_USER, ['1', '00123', 'h@x', '1', '2015-08-12 23:13:03']),
    );
    const archive = join(folder, 'mcgillx-2014-06-01.zip');
    await run('zip', ['-q', archive, inner], { cwd: folder });
    const result = await loadTable(
      store,
      { archive, entry: inner },
      { courseId: `${RUN_PREFIX}/C${String(courses)}/R` },
    );
    expect(result).toMatchObject({
      file: `${archive}:${inner}`,
      fileName: inner,
      database,
      courseKey: `course-v1:${RUN_PREFIX}+C${String(courses)}+R`,
      status: 'loaded',
      rows: 1,
    });
    expect(await documents(store.db(database), 'user')).toEqual([DOC_1]);
    await expect(loadTable(store, join(folder, 'notes.txt'))).rejects.toMatchObject({
      name: 'UsageError',
      code: 'E_OPTION',
    });
    await expect(
      loadTable(store, { archive, entry: inner }, { courseId: 'McGillX/X1' }),
    ).rejects.toMatchObject({ code: 'E_OPTION' });
  });

  describe.skipIf(!hasGpg())('encrypted files', () => {
    let gpg: TestGpg;
    beforeAll(async () => {
      gpg = await createTestGpg();
    });
    afterAll(async () => {
      await gpg.dispose();
    });

    it('an integrity failure leaves the old collection and no rejects of the failed run', async () => {
      const { prefix, database } = course();
      const name = `${prefix}-auth_user-prod-analytics.sql`;
      const plain = join(dir, name);
      const encrypted = join(dir, `${name}.gpg`);
      const key = gpg.armoredSecretKey;
      const good = tsv(
        AUTH_USER,
        ['1', '00123', 'h@x', '1', '2015-08-12 23:13:03'],
        ['2', 'b', 'e', 'x', 'NULL'],
      );
      await writeFile(plain, good);
      await gpg.encrypt(plain, encrypted);
      expect(await loadTable(store, encrypted, { key })).toMatchObject({
        status: 'loaded',
        rows: 2,
      });
      const db = store.db(database);
      const before = await documents(db, 'user');
      const rejectsBefore = await db.collection('import_rejected').find({}).toArray();
      expect(rejectsBefore).toHaveLength(1);

      // A new version, tampered with after encryption, with problems of its own: enough
      // (3000 invalid cells) that some are written before the verdict, at the end.
      const rows = Array.from({ length: 3000 }, (_, i) => [
        String(i + 10),
        `n${String(i)}`,
        'e',
        '',
        'NULL',
      ]);
      await writeFile(plain, tsv(AUTH_USER, ...rows, ['99', 'short']));
      await gpg.encrypt(plain, encrypted, false);
      await tamperLastByte(encrypted);
      const error = await loadTable(store, encrypted, { key }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).code).toBe('E_INTEGRITY');
      expect(await documents(db, 'user')).toEqual(before);
      expect(await db.collection('import_rejected').find({}).toArray()).toEqual(rejectsBefore);
      expect((await db.listCollections()).map((c) => c.name).sort()).toEqual([
        'import_rejected',
        'user',
      ]);
    });
  });

  describe.runIf(HAS_REALDATA)('the edx-analytics-pipeline state folders', () => {
    it('loads every data line of every file as a row, with its invalid cells in import_rejected', async () => {
      const invalid: unknown[] = [];
      const { database } = course();
      for (const [folder, path] of [
        ['input', STATE_INPUT],
        ['output', STATE_OUTPUT],
      ] as const) {
        const courseId = `${RUN_PREFIX}/C${String(courses)}/R`;
        const names = (await readdir(path)).filter((n) => n.endsWith('.sql')).sort();
        expect(names).toHaveLength(12);
        for (const name of names) {
          const attempt = await loadTable(store, join(path, name), { courseId }).catch(
            (e: unknown) => e,
          );
          if (
            !nestedArrays &&
            name.includes('-auth_userprofile-') &&
            attempt instanceof StoreError &&
            attempt.message.includes('nested arrays')
          ) {
            // Its meta holds { old_emails: [[…]] }: the server refuses it, nothing is swapped in.
            console.log(
              `loadTable realdata test on ${engine.label}: known gap: ${folder}/${name} is refused by the server (no arrays of arrays, FerretDB v1)`,
            );
            continue;
          }
          if (attempt instanceof Error) throw attempt;
          const result = attempt as LoadTableResult;
          const { records } = await readTsvFile(
            join(path, name),
            result.table === 'courseware_studentmodule',
          );
          expect(result, name).toMatchObject({
            status: 'loaded',
            database,
            rows: records.length,
            records: records.length,
            rejected: 0,
          });
          const db = store.db(database);
          expect(await db.collection(result.collection).countDocuments(), name).toBe(
            records.length,
          );
          for (const r of await rejectsOf(db, name)) {
            expect(r['code']).toBe('invalid-cell');
            invalid.push([folder, r['table'], r['line'], r['column'], r['raw']]);
          }
        }
        // The output folder's files replace the input folder's (same names, same course).
        if (folder === 'input') continue;
        const users = await documents(store.db(database), 'user');
        expect(users.map((u) => [u['id'], u['show_country'], u['_invalid']])).toEqual(
          [2048, 2147483648, 2147485696, 8388608].map((id) => [
            id,
            null,
            {
              show_country: '',
              date_of_birth: '',
              email_tag_filter_strategy: '',
              display_tag_filter_strategy: '',
              consecutive_days_visit_count: '',
            },
          ]),
        );
      }
      const sorted = (cells: readonly unknown[]): string[] =>
        cells.map((c) => JSON.stringify(c)).sort();
      expect(sorted(invalid)).toEqual(sorted(STATE_INVALID_CELLS));
      // The output files' rejects replaced those of the input files of the same names.
      const left = await rejectsOf(
        store.db(database),
        'edX-DemoX-Demo_Course-teams-acceptance.sql',
      );
      expect(left.map((r) => [r['line'], r['raw']])).toEqual([
        [3, '2015-09-31 21:32:17'],
        [4, '2015-11-31 21:32:17'],
        [5, '2015-1-31 21:32:17'],
      ]);
    });
  });
});

// The buffering is the loader's, whatever the engine: checked once, on the embedded engine.
describe('loadTable memory', () => {
  const embedded = embeddedEngine();
  let store: Store;
  beforeAll(async () => {
    store = await embedded.open();
  });
  afterAll(async () => {
    await embedded.cleanup(store);
  });

  it('writes rejects while it reads: a file of nothing but rejects is never held in memory', async () => {
    const path = join(dir, `${RUN_PREFIX}-M-R-student_languageproficiency-prod-analytics.sql`);
    const rows = 32_000;
    const code = 'e'.repeat(100);
    let text = tsv(['id', 'user_profile_id', 'code']);
    for (let i = 1; i <= rows; i++) text += `${String(i)}\t1\t${code}\tx\n`;
    await writeFile(path, text);
    const batches: number[] = [];
    const result = await loadTable(spyRejectBatches(store, batches), path);
    expect(result).toMatchObject({ status: 'refused', rows: 0, rejected: rows });
    // Every rejected row, and the record of the refusal.
    expect(batches.reduce((a, b) => a + b, 0)).toBe(rows + 1);
    // Batches of 1000, plus at most the rows of one chunk read (1 MiB, rows of 107 to 112 bytes).
    expect(Math.max(...batches)).toBeLessThanOrEqual(1000 + Math.ceil((1 << 20) / 107));
    // Written as it was read: a batch per chunk at least (the file is 3 MiB and more).
    expect(text.length).toBeGreaterThan(3 << 20);
    expect(batches.length).toBeGreaterThanOrEqual(Math.floor(text.length / (1 << 20)));
  });
});
