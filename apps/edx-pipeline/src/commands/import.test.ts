import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { courseDatabaseName } from '@edx-data/core';
import type { GroundTruth } from '@edx-data/synthetic-data';
import { ExitCode } from '../exit-code.js';
import { COLLECTION_OF_TABLE } from '../import/import-tables.js';
import { run } from '../run.js';
import { captureIo } from '../test-support/capture-io.js';
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
        expected[`${db}.${COLLECTION_OF_TABLE[table] ?? table}`] = rows;
        loadedRows += rows;
      }
      const posts = course.forum.thread + course.forum.response + course.forum.comment;
      expected[`${db}.forum`] = posts;
      expected[`${db}.forum_posts`] = posts;
      expected[`${db}.course_structure`] = course.blocks.totalAfter;
      expected[`${db}.course_axis`] = course.blocks.totalAfter;
      loadedRows += posts + course.blocks.totalAfter;
    }
    const first = await counts(storeDir);
    expect(first).toEqual(expected);
    expect(io.out()).toContain(
      `24 files loaded: ${loadedRows.toLocaleString('en-US')} rows, 0 rows rejected.`,
    );

    const again = captureIo();
    expect(
      await run(['import', pkg, '--key', keyFile, '--store', storeDir, '--json'], again, {
        commands,
      }),
    ).toBe(ExitCode.Ok);
    expect(await counts(storeDir)).toEqual(first);
    const json = JSON.parse(again.out()) as { totals: { rows: number; rejected: number } };
    expect(json.totals.rows).toBe(loadedRows);

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

  it('says so when there is no table file, with exit 2', async () => {
    const io = captureIo();
    expect(
      await run(['import', join(pkg, 'events'), '--store', join(dir, 'none')], io, { commands }),
    ).toBe(ExitCode.Usage);
    expect(io.err()).toMatch(/no table, forum or course structure files/);
  });
});
