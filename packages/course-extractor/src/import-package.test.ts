/**
 * importPackage on a generated package (embedded engine, and the MongoDB engine of
 * MONGODB_URI: FerretDB in `npm test`): every table, forum and structure file lands in its
 * course database with the ground truth's counts; of two packages of the same course the
 * newest wins whatever the order of the arguments; a refused file keeps the old collection;
 * a file loaded before, unchanged, is skipped while its collections are there.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COURSE_COLLECTIONS,
  courseDatabaseName,
  PACKAGE_LEDGER,
  tableCollection,
} from '@edx-data/core';
import { openStore } from '@edx-data/store';
import type { Store } from '@edx-data/store';
import { generatePackage } from '@edx-data/synthetic-data';
import type { GeneratedFile, GeneratedPackage } from '@edx-data/synthetic-data';
import { mongoTestUri } from '@edx-data/test-support';
import { importPackage } from './import-package.js';
import type { PackageLedgerEntry } from './package-ledger.js';

/** An org of its own per run, so that its course databases meet nothing on a shared server. */
const ORG = `Imp${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

let dir: string;
let pkg: GeneratedPackage;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'course-extractor-package-'));
  pkg = await generatePackage({
    dir: join(dir, 'package'),
    org: ORG,
    courses: 2,
    learners: 25,
    days: 2,
    seed: 21,
  });
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What a correct import of `file` leaves in the store, from the ground truth alone. */
function expectedOf(file: GeneratedFile): { database: string; collection: string; rows: number } {
  const course = file.course ?? '';
  const truth = pkg.groundTruth.courses[course];
  if (file.kind === 'table') {
    return {
      database: courseDatabaseName(course),
      collection: tableCollection(file.table ?? ''),
      rows: file.rows ?? -1,
    };
  }
  if (file.kind === 'forum') {
    const forum = truth?.forum;
    return {
      database: courseDatabaseName(course),
      collection: COURSE_COLLECTIONS.forum,
      rows: (forum?.thread ?? 0) + (forum?.response ?? 0) + (forum?.comment ?? 0),
    };
  }
  return {
    database: courseDatabaseName(course),
    collection: COURSE_COLLECTIONS.course_structure,
    rows: truth?.blocks.totalAfter ?? -1,
  };
}

/** FerretDB v1 refuses these documents: a file hitting them fails, reported (known gap). */
const FERRETDB_GAP = /nested arrays/u;

const engines: { label: string; open: () => Promise<Store>; ferret: boolean }[] = [
  { label: 'embedded', open: () => openStore(join(dir, 'store')), ferret: false },
];
const uri = mongoTestUri();
if (uri !== undefined) {
  engines.push({ label: 'MongoDB', open: () => openStore(uri), ferret: true });
}

describe.each(engines)('importPackage on the $label engine', ({ open, ferret }) => {
  let store: Store;

  beforeAll(async () => {
    store = await open();
  });

  afterAll(async () => {
    for (const course of pkg.groundTruth.courseIds) {
      await store.dropDatabase(courseDatabaseName(course)).catch(() => false);
    }
    await store.close();
  });

  it('loads every table, forum and structure file with the ground-truth counts', async () => {
    const result = await importPackage(store, [pkg.dir]);
    const loadable = pkg.groundTruth.files.filter((f) => f.kind !== 'events');
    expect(result.files).toHaveLength(loadable.length);
    // The tracking logs, and ground-truth.json, are not for import.
    expect(result.notImported.map((f) => [f.path, f.kind]).sort()).toEqual(
      [
        ...pkg.groundTruth.files
          .filter((f) => f.kind === 'events')
          .map((f) => [join(pkg.dir, f.path), 'events']),
        [pkg.groundTruthFile, 'unknown'],
      ].sort(),
    );
    for (const file of loadable) {
      const got = result.files.find((r) => r.path === join(pkg.dir, file.path));
      const want = expectedOf(file);
      if (got?.status === 'failed' && ferret) {
        // Only FerretDB's listed gaps may fail a file there; the file says so.
        expect(got.error).toMatch(FERRETDB_GAP);
        continue;
      }
      expect(got, file.path).toMatchObject({ status: 'loaded', database: want.database });
      expect(got?.collections).toContain(want.collection);
      expect(got?.rows).toBe(want.rows);
      expect(await store.db(want.database).collection(want.collection).countDocuments()).toBe(
        want.rows,
      );
    }
    expect(result.totals.failed).toBe(result.files.filter((f) => f.status === 'failed').length);
    if (!ferret) expect(result.totals.failed).toBe(0);
  }, 120_000);

  it('skips a file loaded before unchanged while its collections are there, and reloads on request', async () => {
    const loadable = pkg.groundTruth.files.filter((f) => f.kind !== 'events');
    const before = await importPackage(store, [pkg.dir]);
    // (on FerretDB a file of its listed gaps failed the first time: it is tried again)
    const failed = before.files.filter((f) => f.status === 'failed').map((f) => f.path);
    const loaded = loadable.filter((f) => !failed.includes(join(pkg.dir, f.path)));
    expect(before.totals).toMatchObject({
      loaded: 0,
      skipped: loaded.length,
      rows: 0,
      rejected: 0,
    });
    for (const file of loaded) {
      const got = before.files.find((r) => r.path === join(pkg.dir, file.path));
      const want = expectedOf(file);
      expect(got, file.path).toMatchObject({ status: 'skipped', database: want.database });
      expect(got?.loadedBefore?.rows).toBe(want.rows);
      expect(got?.hash).toBe(
        createHash('sha256')
          .update(await readFile(join(pkg.dir, file.path)))
          .digest('hex'),
      );
    }

    // The ledger entry of auth_user: its target, its file's SHA-256, its rows.
    const userFile = loaded.find((f) => f.kind === 'table' && f.table === 'auth_user')!;
    const user = expectedOf(userFile);
    const entry = await store
      .db(PACKAGE_LEDGER.database)
      .collection<PackageLedgerEntry>(PACKAGE_LEDGER.collection)
      .findOne({ _id: `course-v1:${(userFile.course ?? '').replace(/^course-v1:/u, '')} user` });
    expect(entry).toMatchObject({
      path: join(pkg.dir, userFile.path),
      database: user.database,
      collections: ['user'],
      rows: user.rows,
      rejected: 0,
      hash: createHash('sha256')
        .update(await readFile(join(pkg.dir, userFile.path)))
        .digest('hex'),
    });

    // A collection dropped: its file is loaded again, the others still skipped.
    await store.db(user.database).collection(user.collection).drop();
    const afterDrop = await importPackage(store, [pkg.dir]);
    expect(afterDrop.files.filter((f) => f.status === 'loaded').map((f) => f.path)).toEqual([
      join(pkg.dir, userFile.path),
    ]);
    expect(afterDrop.totals).toMatchObject({
      loaded: 1,
      skipped: loaded.length - 1,
      rows: user.rows,
    });
    expect(await store.db(user.database).collection(user.collection).countDocuments()).toBe(
      user.rows,
    );

    // reload: every file read again.
    const reloaded = await importPackage(store, [pkg.dir], { reload: true });
    expect(reloaded.totals).toMatchObject({ loaded: loaded.length, skipped: 0 });
  }, 120_000);

  it('skips the entries of a zip given again, and loads them all from a changed zip', async (context) => {
    const hasZip = await new Promise<boolean>((resolve) => {
      execFile('zip', ['-v'], (error) => {
        resolve(error === null);
      });
    });
    if (!hasZip) {
      context.skip();
      return;
    }
    const file = pkg.groundTruth.files.find(
      (f) => f.kind === 'table' && f.table === 'certificates_generatedcertificate',
    )!;
    const want = expectedOf(file);
    const folder = await mkdtemp(join(dir, 'zip-'));
    const archive = join(folder, `${ORG}-2024-02-04.zip`);
    const zip = (...names: string[]): Promise<void> =>
      new Promise((resolve, reject) => {
        execFile('zip', ['-q', archive, ...names], { cwd: pkg.dir }, (error) => {
          if (error === null) resolve();
          else reject(new Error(`zip failed: ${error.message}`));
        });
      });
    await zip(file.path);
    const first = await importPackage(store, [archive]);
    expect(first.files).toMatchObject([{ status: 'loaded', rows: want.rows }]);
    const again = await importPackage(store, [archive]);
    expect(again.files).toMatchObject([
      { status: 'skipped', rows: 0, loadedBefore: { rows: want.rows } },
    ]);
    expect(again.files[0]?.hash).toBe(first.files[0]?.hash);
    // Another entry added: the archive's bytes changed, so each of its entries is read again.
    await zip(pkg.groundTruthFile.slice(pkg.dir.length + 1));
    const changed = await importPackage(store, [archive]);
    expect(changed.files).toMatchObject([{ status: 'loaded', rows: want.rows }]);
    expect(await store.db(want.database).collection(want.collection).countDocuments()).toBe(
      want.rows,
    );
  }, 60_000);

  it('keeps the newest package of a course whatever the order of the arguments', async () => {
    const userFile = pkg.groundTruth.files.find(
      (f) => f.kind === 'table' && f.table === 'auth_user',
    )!;
    const text = await readFile(join(pkg.dir, userFile.path), 'utf8');
    const lines = text.split('\n');
    const header = lines[0] ?? '';
    const older = join(dir, 'weekly', `${ORG}-2024-01-07`);
    const newer = join(dir, 'weekly', `${ORG}-2024-01-14`);
    await mkdir(older, { recursive: true });
    await mkdir(newer, { recursive: true });
    const name = basename(userFile.path);
    // The older package has every learner; the newer one the first three rows only.
    await writeFile(join(older, name), text);
    await writeFile(join(newer, name), `${[header, ...lines.slice(1, 4)].join('\n')}\n`);
    const users = store.db(courseDatabaseName(userFile.course ?? '')).collection('user');
    for (const order of [
      [newer, older],
      [older, newer],
    ]) {
      await users.drop();
      const result = await importPackage(store, order);
      expect(result.files.map((f) => [f.path, f.status, f.packageDate])).toEqual(
        order.map((folder) => [
          join(folder, name),
          folder === newer ? 'loaded' : 'superseded',
          folder === newer ? '2024-01-14' : '2024-01-07',
        ]),
      );
      expect(result.files.find((f) => f.status === 'superseded')?.supersededBy).toBe(
        join(newer, name),
      );
      expect(await users.countDocuments()).toBe(3);
    }
  }, 60_000);

  it('refuses a file whose rows were all rejected, keeping the collection it would replace', async () => {
    const file = pkg.groundTruth.files.find(
      (f) => f.kind === 'table' && f.table === 'student_courseenrollment',
    )!;
    const want = expectedOf(file);
    const enrollment = store.db(want.database).collection(want.collection);
    await importPackage(store, [join(pkg.dir, file.path)]);
    expect(await enrollment.countDocuments()).toBe(want.rows);
    const broken = join(dir, 'broken', basename(file.path));
    await mkdir(join(dir, 'broken'), { recursive: true });
    const header = (await readFile(join(pkg.dir, file.path), 'utf8')).split('\n')[0] ?? '';
    // Every row has one field: none can be split into the header's fields.
    await writeFile(broken, `${header}\nonly-one-field\nagain\n`);
    const result = await importPackage(store, [broken]);
    expect(result.files).toMatchObject([
      { status: 'refused', errorCode: 'E_REFUSED', rejected: 2, rows: 0 },
    ]);
    expect(result.totals).toMatchObject({ refused: 1, loaded: 0 });
    expect(await enrollment.countDocuments()).toBe(want.rows);
    const rejects = store.db(want.database).collection(COURSE_COLLECTIONS.rejects);
    expect(await rejects.countDocuments({ file: basename(broken), code: { $ne: 'refused' } })).toBe(
      2,
    );
  }, 60_000);
});
