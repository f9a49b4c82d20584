import { mkdtempSync, rmSync } from 'node:fs';
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
});
