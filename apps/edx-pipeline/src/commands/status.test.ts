import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../exit-code.js';
import { run } from '../run.js';
import { captureIo } from '../test-support/capture-io.js';
import { createFakeStore } from '../test-support/fake-store.js';
import { collectStatus, renderStatus } from './status.js';

/** The `--json` form of `status`. */
interface StatusJson {
  readonly store: { readonly engine: string; readonly location: string };
  readonly db?: string;
  readonly databases: readonly {
    readonly name: string;
    readonly documents: number;
    readonly collections: readonly { readonly name: string; readonly documents: number }[];
  }[];
  readonly totals: {
    readonly databases: number;
    readonly collections: number;
    readonly documents: number;
  };
}

const parseStatus = (text: string) => JSON.parse(text) as StatusJson;

const docs = (count: number) => Array.from({ length: count }, (_, index) => ({ index }));

describe(renderStatus, () => {
  it('shows an aligned table, one row per collection, and the totals', async () => {
    const store = createFakeStore(
      {
        tracking_logs: { tracking: docs(1234), tracking_imported: docs(2) },
        McGillX_ATOC185x_2T2014: { user: docs(3), enrollment: docs(3) },
        admin: { system_users: docs(1) },
        empty_db: {},
      },
      '/srv/edx-data',
    );
    expect(renderStatus(await collectStatus(store))).toBe(
      [
        'Store: /srv/edx-data (embedded)',
        '',
        'database                 collection         documents',
        'McGillX_ATOC185x_2T2014  enrollment                 3',
        '                         user                       3',
        'empty_db                 (no collections)           0',
        'tracking_logs            tracking               1,234',
        '                         tracking_imported          2',
        '',
        '3 databases, 4 collections, 1,242 documents',
      ].join('\n'),
    );
  });

  it('says so when the store is empty, or the --db database does not exist', async () => {
    const store = createFakeStore({}, '/srv/edx-data');
    expect(renderStatus(await collectStatus(store))).toBe(
      'Store: /srv/edx-data (embedded)\n\nNo databases yet.',
    );
    expect(renderStatus(await collectStatus(store, 'nope'))).toBe(
      'Store: /srv/edx-data (embedded)\n\nNo database named "nope" in this store.',
    );
  });
});

describe('edx-pipeline status, on an embedded store', () => {
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edx-pipeline-status-'));
    // Loaded lazily, as the CLI itself does (store-api.ts).
    const { openStore } = await import('@edx-data/store');
    const store = await openStore(dir);
    try {
      const course = store.db('McGillX_ATOC185x_2T2014');
      await course.collection('user').insertMany(docs(3));
      await course.collection('enrollment').insertMany(docs(5));
      await store.db('tracking_logs').collection('tracking').insertMany(docs(1500));
    } finally {
      await store.close();
    }
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists databases, collections and counts for people', async () => {
    const io = captureIo();
    expect(await run(['--store', dir, 'status'], io)).toBe(ExitCode.Ok);
    expect(io.err()).toBe('');
    const out = io.out();
    expect(out).toContain(`(embedded)\n\ndatabase `);
    expect(out).toMatch(/^McGillX_ATOC185x_2T2014 +enrollment +5$/mu);
    expect(out).toMatch(/^ +user +3$/mu);
    expect(out).toMatch(/^tracking_logs +tracking +1,500$/mu);
    expect(out).toMatch(/\n2 databases, 3 collections, 1,508 documents\n$/u);
  });

  it('prints one JSON object with --json, reading the store from EDX_STORE', async () => {
    const io = captureIo({ EDX_STORE: dir });
    expect(await run(['status', '--json'], io)).toBe(ExitCode.Ok);
    expect(io.out().trimEnd().split('\n')).toHaveLength(1);
    const summary = parseStatus(io.out());
    expect(summary.store.engine).toBe('embedded');
    expect(summary.databases.map((db) => db.name)).toEqual([
      'McGillX_ATOC185x_2T2014',
      'tracking_logs',
    ]);
    expect(summary.databases[0]).toMatchObject({
      name: 'McGillX_ATOC185x_2T2014',
      documents: 8,
      collections: [
        { name: 'enrollment', documents: 5 },
        { name: 'user', documents: 3 },
      ],
    });
    expect(summary.totals).toEqual({ databases: 2, collections: 3, documents: 1508 });
  });

  it('shows only the --db database, and does not create a missing one', async () => {
    const io = captureIo();
    expect(await run(['--json', '--store', dir, 'status', '--db', 'tracking_logs'], io)).toBe(0);
    const summary = parseStatus(io.out());
    expect(summary.db).toBe('tracking_logs');
    expect(summary.databases).toEqual([
      expect.objectContaining({
        name: 'tracking_logs',
        collections: [{ name: 'tracking', documents: 1500 }],
      }),
    ]);

    expect(await run(['--store', dir, 'status', '--db', 'missing_db'], captureIo())).toBe(0);
    const again = captureIo();
    await run(['--json', '--store', dir, 'status'], again);
    expect(parseStatus(again.out()).totals.databases).toBe(2);
  });
});
