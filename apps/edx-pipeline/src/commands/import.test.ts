import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COURSE_COLLECTIONS,
  courseDatabaseName,
  PACKAGE_LEDGER,
  tableCollection,
} from '@edx-data/core';
import type { GroundTruth } from '@edx-data/synthetic-data';
import { ExitCode } from '../exit-code.js';
import { run } from '../run.js';
import { captureIo } from '../test-support/capture-io.js';
import { mongoTestUri } from '@edx-data/test-support';
import { importCommand } from './import.js';

const commands = [importCommand];
let dir: string;
let pkg: string;
let keyFile: string;
let truth: GroundTruth;

// Loaded the way the CLI loads them (lazily), as the module-boundary rule asks.
const { generatePackage, generateTestKey } = await import('@edx-data/synthetic-data');
const { openStore } = await import('@edx-data/store');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edx-pipeline-import-'));
  pkg = join(dir, 'package');
  const key = await generateTestKey();
  keyFile = join(dir, 'private.asc');
  await writeFile(keyFile, key.privateKey, { mode: 0o600 });
  ({ groundTruth: truth } = await generatePackage({
    dir: pkg,
    org: 'SyntheticX',
    courses: 2,
    learners: 40,
    days: 1,
    seed: 11,
    encryptTo: key.publicKey,
  }));
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function counts(storeDir: string): Promise<Record<string, number>> {
  const store = await openStore(storeDir);
  const out: Record<string, number> = {};
  for (const { name } of await store.listDatabases()) {
    for (const c of await store.db(name).listCollections()) {
      out[`${name}.${c.name}`] = await store.db(name).collection(c.name).countDocuments();
    }
  }
  await store.close();
  return out;
}

describe('edx-pipeline import', () => {
  it('loads every table of an encrypted package with the ground truth row counts, and a re-run gives the same database', async () => {
    const storeDir = join(dir, 'store');
    const io = captureIo();
    const code = await run(
      ['import', pkg, '--key', keyFile, '--store', storeDir, '--no-progress'],
      io,
      { commands },
    );
    expect(io.err()).toBe('');
    expect(code).toBe(ExitCode.Ok);
    const expected: Record<string, number> = {};
    let loadedRows = 0;
    for (const course of Object.values(truth.courses)) {
      const db = courseDatabaseName(course.key);
      for (const [table, rows] of Object.entries(course.tables)) {
        expected[`${db}.${tableCollection(table)}`] = rows;
        loadedRows += rows;
      }
      const posts = course.forum.thread + course.forum.response + course.forum.comment;
      expected[`${db}.forum`] = posts;
      expected[`${db}.forum_posts`] = posts;
      expected[`${db}.course_structure`] = course.blocks.totalAfter;
      expected[`${db}.course_axis`] = course.blocks.totalAfter;
      // (the table loader indexes it before loading: empty when nothing was rejected)
      expected[`${db}.${COURSE_COLLECTIONS.rejects}`] = 0;
      loadedRows += posts + course.blocks.totalAfter;
    }
    // The package ledger: one entry per file loaded (each fills its own collections).
    expected[`${PACKAGE_LEDGER.database}.${PACKAGE_LEDGER.collection}`] = 24;
    const first = await counts(storeDir);
    expect(first).toEqual(expected);
    expect(io.out()).toContain(
      `24 files loaded: ${loadedRows.toLocaleString('en-US')} rows, 0 rows rejected, 0 invalid cells.`,
    );

    // Again: every file was loaded before, unchanged: none is read.
    const again = captureIo();
    expect(
      await run(['import', pkg, '--key', keyFile, '--store', storeDir, '--no-progress'], again, {
        commands,
      }),
    ).toBe(ExitCode.Ok);
    expect(await counts(storeDir)).toEqual(first);
    expect(again.out()).toContain(
      '0 files loaded: 0 rows, 0 rows rejected, 0 invalid cells; 24 skipped (unchanged).',
    );
    expect(again.out()).toMatch(/auth_user-prod-analytics\.sql\.gpg +skipped .*unchanged since/u);

    // --reload reads every file again, and gives the same database.
    const reloaded = captureIo();
    expect(
      await run(
        ['import', pkg, '--key', keyFile, '--store', storeDir, '--json', '--reload'],
        reloaded,
        { commands },
      ),
    ).toBe(ExitCode.Ok);
    expect(await counts(storeDir)).toEqual(first);
    const json = JSON.parse(reloaded.out()) as {
      totals: { rows: number; rejected: number; skipped: number; loaded: number };
    };
    expect(json.totals).toMatchObject({ rows: loadedRows, skipped: 0, loaded: 24 });

    // Real types: all-digit usernames stay strings, datetimes are Dates, ids are numbers.
    const store = await openStore(storeDir);
    const course = Object.values(truth.courses)[0];
    const users = await store
      .db(courseDatabaseName(course?.key ?? ''))
      .collection('user')
      .find({}, { limit: 5 })
      .toArray();
    for (const user of users) {
      expect(typeof user['username']).toBe('string');
      expect(typeof user['id']).toBe('number');
      expect(user['date_joined']).toBeInstanceOf(Date);
    }
    await store.close();
  }, 120_000);

  it('keeps the old collection when a file fails its integrity check, and exits 1', async () => {
    const storeDir = join(dir, 'store-tamper');
    const course = Object.values(truth.courses)[0];
    const userFile =
      truth.files.find((f) => f.path.includes(`${course?.filePrefix ?? ''}-auth_user-`))?.path ??
      '';
    const path = join(pkg, userFile);
    expect(
      await run(['import', path, '--key', keyFile, '--store', storeDir], captureIo(), { commands }),
    ).toBe(ExitCode.Ok);
    const before = await counts(storeDir);
    const bytes = await readFile(path);
    const tampered = join(dir, userFile.split('/').pop() ?? 'x');
    const copy = Buffer.from(bytes);
    copy[Math.floor(copy.length / 2)] = (copy[Math.floor(copy.length / 2)] ?? 0) ^ 0xff;
    await writeFile(tampered, copy);
    const io = captureIo();
    expect(
      await run(['import', tampered, '--key', keyFile, '--store', storeDir], io, { commands }),
    ).toBe(ExitCode.Failure);
    expect(io.out()).toMatch(/FAILED .*auth_user/);
    expect(await counts(storeDir)).toEqual(before);
  }, 120_000);

  it('keeps rejected rows with their reason, exits 3, and replaces them on re-import', async () => {
    const storeDir = join(dir, 'store-rejects');
    const name = 'RejX-R1-2024-auth_user-prod-analytics.sql';
    const file = join(dir, 'rejects', name);
    await mkdir(join(dir, 'rejects'), { recursive: true });
    const header = 'id\tusername\temail\tis_staff\tlast_login';
    // 12 rows: one cannot be split (under the 10% refusal threshold), one has an invalid cell.
    const others = Array.from(
      { length: 9 },
      (_, i) => `${String(i + 5)}\tu${String(i)}\tu@x\t0\tNULL`,
    );
    await writeFile(
      file,
      `${[header, '1\tann\ta@x\t0\tNULL', '2\tbob', '3\tcy\tc@x\tyes\tNULL', '4\tdi\td@x\t1\tNULL', ...others].join('\n')}\n`,
    );
    const first = captureIo();
    expect(await run(['import', file, '--store', storeDir, '--json'], first, { commands })).toBe(
      ExitCode.Rejected,
    );
    const json = JSON.parse(first.out()) as {
      files: { status: string; rows: number; rejected: number; invalidCells: number }[];
    };
    expect(json.files).toMatchObject([
      { status: 'loaded', rows: 12, rejected: 1, invalidCells: 1 },
    ]);
    const store = await openStore(storeDir);
    try {
      const db = store.db('RejX_R1_2024');
      const rejects = db.collection(COURSE_COLLECTIONS.rejects);
      const stored = await rejects.find({}, { sort: { line: 1 } }).toArray();
      // Line 3 (`2\tbob`) cannot be split into the header's five fields; line 4's is_staff
      // (`yes`) is not a boolean: the row stays, the cell is null and its text is kept.
      expect(stored.map((r) => [r['line'], r['code'], r['column'] ?? null, r['raw']])).toEqual([
        [3, expect.any(String) as unknown, null, '2\tbob'],
        [4, 'invalid-cell', 'is_staff', 'yes'],
      ]);
      expect(await db.collection('user').findOne({ id: 3 })).toMatchObject({
        username: 'cy',
        is_staff: null,
        _invalid: { is_staff: 'yes' },
      });
      // The fixed file replaces the rows and the rejects.
      await writeFile(file, `${header}\n1\tann\ta@x\t0\tNULL\n2\tbob\tb@x\t0\tNULL\n`);
      expect(await run(['import', file, '--store', storeDir], captureIo(), { commands })).toBe(
        ExitCode.Ok,
      );
      expect(await rejects.countDocuments()).toBe(0);
      expect(await db.collection('user').countDocuments()).toBe(2);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('refuses a file whose rows were all rejected: the collection stays, exit 1', async () => {
    const storeDir = join(dir, 'store-refused');
    const name = 'RefX-R1-2024-auth_user-prod-analytics.sql';
    const good = join(dir, 'refused-good', name);
    const bad = join(dir, 'refused-bad', name);
    await mkdir(join(dir, 'refused-good'), { recursive: true });
    await mkdir(join(dir, 'refused-bad'), { recursive: true });
    const header = 'id\tusername\temail\tis_staff\tlast_login';
    await writeFile(good, `${header}\n1\tann\ta@x\t0\tNULL\n2\tbob\tb@x\t0\tNULL\n`);
    await writeFile(bad, `${header}\nnot\ta row\nnor\tthis\n`);
    expect(await run(['import', good, '--store', storeDir], captureIo(), { commands })).toBe(
      ExitCode.Ok,
    );
    const io = captureIo();
    expect(await run(['import', bad, '--store', storeDir], io, { commands })).toBe(
      ExitCode.Failure,
    );
    expect(io.out()).toMatch(/REFUSED .*refused-bad.*auth_user/u);
    const store = await openStore(storeDir);
    try {
      const db = store.db('RefX_R1_2024');
      expect(await db.collection('user').countDocuments()).toBe(2);
      expect(
        await db
          .collection(COURSE_COLLECTIONS.rejects)
          .countDocuments({ code: { $ne: 'refused' } }),
      ).toBe(2);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('never prints the --passphrase-env value, even where a message would hold it', async () => {
    const storeDir = join(dir, 'store-passphrase');
    // A passphrase that also appears in the name of a file that fails: its message names the file.
    const passphrase = 'Pz9-hunter2';
    const folder = join(dir, `pkg-${passphrase}`);
    await mkdir(folder, { recursive: true });
    const name = 'PassX-P1-2024-auth_user-prod-analytics.sql.gpg';
    await writeFile(join(folder, name), 'not OpenPGP at all');
    const io = captureIo({ EDX_TEST_PASSPHRASE: passphrase });
    const code = await run(
      [
        'import',
        folder,
        '--key',
        keyFile,
        '--passphrase-env',
        'EDX_TEST_PASSPHRASE',
        '--store',
        storeDir,
        '--json',
      ],
      io,
      { commands },
    );
    expect(code).toBe(ExitCode.Failure);
    const out = io.out();
    expect((JSON.parse(out) as { totals: { failed: number } }).totals.failed).toBe(1);
    expect(out).not.toContain(passphrase);
    expect(io.err()).not.toContain(passphrase);
    expect(out).toContain('***');
  });

  it('says so when there is no table file, with exit 2', async () => {
    const io = captureIo();
    expect(
      await run(['import', join(pkg, 'events'), '--store', join(dir, 'none')], io, { commands }),
    ).toBe(ExitCode.Usage);
    expect(io.err()).toMatch(/no table, forum or course structure files/);
  });
});

const mongoUri = mongoTestUri();
describe.skipIf(mongoUri === undefined)('edx-pipeline import on the MongoDB engine', () => {
  it('loads every file of a generated package, except what FerretDB cannot store (reported)', async () => {
    // An org of this run only: its course databases meet nothing else on a shared server.
    const org = `CliImp${Date.now().toString(36)}`;
    const generated = await generatePackage({
      dir: join(dir, 'mongo-package'),
      org,
      courses: 2,
      learners: 15,
      days: 1,
      seed: 5,
    });
    const io = captureIo();
    const code = await run(
      ['import', generated.dir, '--store', mongoUri ?? '', '--json', '--no-progress'],
      io,
      { commands },
    );
    const json = JSON.parse(io.out()) as {
      files: { file: string; status: string; rows: number; error?: string }[];
    };
    const store = await openStore(mongoUri);
    try {
      const tables = generated.groundTruth.files.filter((f) => f.kind !== 'events');
      expect(json.files).toHaveLength(tables.length);
      const failed = json.files.filter((f) => f.status !== 'loaded');
      // FerretDB v1 refuses arrays nested in arrays (userprofile `meta.old_emails`): such a
      // file fails and says why; every other file loads.
      for (const f of failed) expect(f.error).toMatch(/nested arrays/u);
      expect(code).toBe(failed.length > 0 ? ExitCode.Failure : ExitCode.Ok);
      for (const file of tables.filter((f) => f.kind === 'table')) {
        const got = json.files.find((f) => f.file === join(generated.dir, file.path));
        if (got?.status !== 'loaded') continue;
        expect(got.rows).toBe(file.rows);
        const db = store.db(courseDatabaseName(file.course ?? ''));
        expect(await db.collection(tableCollection(file.table ?? '')).countDocuments()).toBe(
          file.rows,
        );
      }
      expect(json.files.filter((f) => f.status === 'loaded').length).toBeGreaterThan(
        tables.length / 2,
      );
    } finally {
      for (const course of generated.groundTruth.courseIds) {
        await store.dropDatabase(courseDatabaseName(course)).catch(() => false);
      }
      await store.close();
    }
  }, 180_000);
});
