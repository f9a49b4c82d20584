import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError, UsageError } from '@edx-data/core';
import { DEFAULT_STORE_LOCATION, openStore } from './open-store.js';

describe(openStore, () => {
  it('opens the embedded engine for a folder, a file:// URL, EDX_STORE, or the default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edx-open-'));
    try {
      const byPath = await openStore(join(dir, 'a'));
      expect(byPath.engine).toBe('embedded');
      expect(byPath.location).toBe(join(dir, 'a'));
      const byUrl = await openStore(`file://${join(dir, 'b')}`);
      expect(byUrl.location).toBe(join(dir, 'b'));
      const byEnv = await openStore(undefined, { env: { EDX_STORE: join(dir, 'c') } });
      expect(byEnv.location).toBe(join(dir, 'c'));
      const byDefault = await openStore(undefined, { env: {} });
      expect(byDefault.location).toBe(join(process.cwd(), DEFAULT_STORE_LOCATION));
      await Promise.all([byPath.close(), byUrl.close(), byEnv.close(), byDefault.close()]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown URI scheme with a UsageError', async () => {
    const error: unknown = await openStore('postgres://user:pw@host/db').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('E_STORE_URI');
    expect((error as UsageError).message).toBe(
      'unknown store URI scheme "postgres:"; expected mongodb://, mongodb+srv:// or a folder path',
    );
  });

  it('gives up on an unreachable MongoDB within the timeout, without leaking the password', async () => {
    const started = Date.now();
    const error: unknown = await openStore('mongodb://reader:s3cret-pw@127.0.0.1:1/', {
      serverSelectionTimeoutMS: 1500,
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('E_STORE_UNREACHABLE');
    expect((error as StoreError).message).not.toContain('s3cret-pw');
    expect((error as StoreError).message).toContain('127.0.0.1:1');
  });

  describe('with create: false (a command that only reads)', () => {
    const refusal = async (location: string): Promise<UsageError> => {
      const error: unknown = await openStore(location, { create: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).code).toBe('E_STORE_NOT_FOUND');
      return error as UsageError;
    };

    it('refuses a location that holds no store, saying what is there, and creates nothing', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'edx-open-'));
      try {
        const missing = join(dir, 'typo');
        expect((await refusal(missing)).message).toBe(`no store at ${missing}: no such folder`);
        expect(existsSync(missing)).toBe(false);
        expect((await refusal(`file://${missing}`)).message).toBe(
          `no store at ${missing}: no such folder`,
        );

        const file = join(dir, 'notes.txt');
        writeFileSync(file, 'hello');
        expect((await refusal(file)).message).toBe(
          `no store at ${file}: it is a file, not a store folder`,
        );

        const empty = join(dir, 'empty');
        mkdirSync(empty);
        expect((await refusal(empty)).message).toBe(`no store at ${empty}: an empty folder`);

        // 12 entries, one of them named like a database but not an SQLite file.
        const other = join(dir, 'other');
        mkdirSync(other);
        for (let i = 0; i < 10; i++) writeFileSync(join(other, `f${i}.csv`), 'a,b');
        mkdirSync(join(other, 'sub'));
        writeFileSync(join(other, 'fake.sqlite'), 'not a database');
        expect((await refusal(other)).message).toBe(
          `no store at ${other}: a folder with 12 entries but no store databases (*.sqlite)`,
        );
        expect(existsSync(join(other, 'x.sqlite'))).toBe(false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('opens an existing store, and by default a missing folder becomes a store on first write', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'edx-open-'));
      try {
        const location = join(dir, 'store');
        const created = await openStore(location);
        expect(existsSync(location)).toBe(false);
        await created.db('courses').collection('c').insertOne({ _id: 1 });
        await created.close();
        const reading = await openStore(location, { create: false });
        expect(await reading.db('courses').collection('c').countDocuments()).toBe(1);
        expect((await reading.listDatabases()).map((info) => info.name)).toStrictEqual(['courses']);
        await reading.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('has nothing to check on MongoDB: the server is contacted as usual', async () => {
      const error: unknown = await openStore('mongodb://127.0.0.1:1/', {
        create: false,
        serverSelectionTimeoutMS: 500,
      }).catch((e: unknown) => e);
      expect((error as StoreError).code).toBe('E_STORE_UNREACHABLE');
    });
  });
});
