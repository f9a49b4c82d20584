/**
 * One database of the embedded engine: one SQLite file (WAL mode), with a writer connection,
 * a small pool of reader connections for cursors, and the catalogue of collections, their
 * extracted key columns and their indexes.
 */
import { chmodSync, closeSync, existsSync, openSync, unlinkSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { EJSON } from 'bson';
import { StoreError } from '@edx-data/core';
import { BulkWriter } from './bulk-writer.js';
import { JOURNAL_SIZE_LIMIT_BYTES, WAL_AUTOCHECKPOINT_PAGES } from './sqlite-settings.js';
import { bucketTablesSql, idTable } from './buckets.js';
import type { TimeseriesSpec } from './buckets.js';
import type { KeyColumn } from './query-plan.js';
import type { IndexInfo, IndexSpec } from '../types.js';

type Connection = BetterSqlite3.Database;

/** Format of the catalogue tables; bump with a migration when it changes. */
const FORMAT_VERSION = '1';

export interface IndexEntry extends IndexInfo {
  /** Name of the SQLite index. */
  readonly sqlName: string;
}

/** A collection's validator (`createCollection`): a filter every written document matches. */
export interface CollectionValidator {
  readonly validator: Record<string, unknown>;
}

/** What the catalogue knows about one collection. */
export interface CollectionMeta {
  readonly name: string;
  /** SQLite table holding the documents. */
  readonly table: string;
  /** Extracted key columns by dotted path. */
  readonly columns: Map<string, KeyColumn>;
  readonly indexes: IndexEntry[];
  /** The validator given to `createCollection`, if any. */
  readonly validation?: CollectionValidator | undefined;
  /** Set for a bucketed collection (`createCollection` with `timeseries`, buckets.ts). */
  readonly timeseries?: TimeseriesSpec | undefined;
}

/** The options of a collection kept in `_edx_meta` (a validator, the bucketing). */
interface SavedOptions {
  readonly validator?: Record<string, unknown>;
  readonly timeseries?: TimeseriesSpec;
}

/** Where a collection's options are kept in `_edx_meta` (by table, so a rename keeps them). */
const optionsKey = (table: string): string => `options:${table}`;

const SQLITE_ERRORS_CORRUPT = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);

/** Wrap an SQLite error as a StoreError naming the file. */
export function storeErrorFrom(error: unknown, file: string, action: string): StoreError {
  if (error instanceof StoreError) return error;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && SQLITE_ERRORS_CORRUPT.has(code)) {
    return new StoreError(
      'E_STORE_CORRUPT',
      `${file} is not a valid store database (${message}) while trying to ${action}`,
      { cause: error },
    );
  }
  if (code === 'SQLITE_BUSY') {
    return new StoreError(
      'E_STORE',
      `${file} is locked by another process (${message}) while trying to ${action}`,
      { cause: error },
    );
  }
  return new StoreError('E_STORE', `cannot ${action} in ${file}: ${message}`, { cause: error });
}

function configure(connection: Connection): void {
  connection.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a committed transaction survives a killed process; only an OS crash
  // or power loss can lose the last transactions, and never corrupts the file.
  connection.pragma('synchronous = NORMAL');
  connection.pragma('busy_timeout = 30000');
  connection.pragma('foreign_keys = OFF');
  // 8 MiB (and 16 MiB on the writer thread, bulk-writer.ts): more buys little once the hot
  // pages of a bulk load exceed it; the OS page cache holds the rest, outside our RSS.
  connection.pragma('cache_size = -8192');
  connection.pragma('temp_store = FILE');
  // Checkpoint the WAL every ~400 MB instead of SQLite's 4 MB (see sqlite-settings.ts).
  connection.pragma(`wal_autocheckpoint = ${String(WAL_AUTOCHECKPOINT_PAGES)}`);
  connection.pragma(`journal_size_limit = ${String(JOURNAL_SIZE_LIMIT_BYTES)}`);
}

/** Create the file with mode 0600 before SQLite opens it; its -wal/-shm inherit the mode. */
function createPrivateFile(path: string): void {
  if (existsSync(path)) return;
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
  }
  chmodSync(path, 0o600);
}

export class SqliteFile {
  readonly path: string;
  readonly writer: Connection;
  private readonly idleReaders: Connection[] = [];
  private readonly busyReaders = new Set<Connection>();
  private readonly collections = new Map<string, CollectionMeta>();
  private dataVersion = -1;
  private closed = false;
  private bulkWriter: BulkWriter | undefined;

  private constructor(path: string, writer: Connection) {
    this.path = path;
    this.writer = writer;
  }

  /** Open (and with `create`, create) the database file; `null` when it does not exist. */
  static open(path: string, create: boolean): SqliteFile | null {
    if (!create && !existsSync(path)) return null;
    let writer: Connection | undefined;
    try {
      if (create) createPrivateFile(path);
      writer = new BetterSqlite3(path, { fileMustExist: true });
      configure(writer);
      const file = new SqliteFile(path, writer);
      file.initCatalogue();
      return file;
    } catch (error) {
      writer?.close();
      throw storeErrorFrom(error, path, 'open the database');
    }
  }

  private initCatalogue(): void {
    this.writer.exec(`
      CREATE TABLE IF NOT EXISTS _edx_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS _edx_collections (
        name TEXT PRIMARY KEY, tbl TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS _edx_columns (
        tbl TEXT NOT NULL, path TEXT NOT NULL, col TEXT NOT NULL, has_null INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (tbl, path));
      CREATE TABLE IF NOT EXISTS _edx_indexes (
        tbl TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, is_unique INTEGER NOT NULL,
        sql_name TEXT NOT NULL, PRIMARY KEY (tbl, name));
      INSERT OR IGNORE INTO _edx_meta (key, value) VALUES ('format', '${FORMAT_VERSION}');
      INSERT OR IGNORE INTO _edx_meta (key, value) VALUES ('next_id', '1');
    `);
    const format = this.writer
      .prepare<[], { value: string }>("SELECT value FROM _edx_meta WHERE key = 'format'")
      .get();
    if (format?.value !== FORMAT_VERSION) {
      throw new StoreError(
        'E_STORE_CORRUPT',
        `${this.path} has store format ${format?.value ?? 'unknown'}, this version reads format ${FORMAT_VERSION}`,
      );
    }
    this.reloadCatalogue();
  }

  /** Re-read the catalogue when another connection (another process) committed since. */
  refresh(): void {
    this.assertOpen();
    const version = this.writer.pragma('data_version', { simple: true }) as number;
    if (version !== this.dataVersion) this.reloadCatalogue();
  }

  private reloadCatalogue(): void {
    this.collections.clear();
    const rows = this.writer
      .prepare<[], { name: string; tbl: string }>('SELECT name, tbl FROM _edx_collections')
      .all();
    const options = new Map(
      this.writer
        .prepare<[], { key: string; value: string }>(
          "SELECT key, value FROM _edx_meta WHERE key LIKE 'options:%'",
        )
        .all()
        .map((row) => [row.key, row.value]),
    );
    for (const row of rows) {
      const text = options.get(optionsKey(row.tbl));
      const saved =
        text === undefined ? undefined : (EJSON.parse(text, { relaxed: true }) as SavedOptions);
      this.collections.set(row.name, {
        name: row.name,
        table: row.tbl,
        columns: new Map(),
        indexes: [],
        validation: saved?.validator === undefined ? undefined : { validator: saved.validator },
        timeseries: saved?.timeseries,
      });
    }
    const byTable = new Map([...this.collections.values()].map((meta) => [meta.table, meta]));
    const columns = this.writer
      .prepare<[], { tbl: string; path: string; col: string; has_null: number }>(
        'SELECT tbl, path, col, has_null FROM _edx_columns',
      )
      .all();
    for (const row of columns)
      byTable.get(row.tbl)?.columns.set(row.path, { column: row.col, hasNull: row.has_null !== 0 });
    const indexes = this.writer
      .prepare<
        [],
        { tbl: string; name: string; spec: string; is_unique: number; sql_name: string }
      >('SELECT tbl, name, spec, is_unique, sql_name FROM _edx_indexes ORDER BY rowid')
      .all();
    for (const row of indexes) {
      byTable.get(row.tbl)?.indexes.push({
        name: row.name,
        key: JSON.parse(row.spec) as IndexSpec,
        unique: row.is_unique !== 0,
        sqlName: row.sql_name,
      });
    }
    this.dataVersion = this.writer.pragma('data_version', { simple: true }) as number;
  }

  /** The catalogue entry of a collection, or undefined when it does not exist. */
  collection(name: string): CollectionMeta | undefined {
    return this.collections.get(name);
  }

  collectionNames(): string[] {
    return [...this.collections.keys()].sort();
  }

  /** Create a collection's table (inside the caller's transaction). */
  createCollection(
    name: string,
    validation?: CollectionValidator,
    timeseries?: TimeseriesSpec,
  ): CollectionMeta {
    const existing = this.collections.get(name);
    if (existing) return existing;
    const table = `c${this.nextId()}`;
    if (timeseries === undefined) {
      this.writer.exec(`CREATE TABLE "${table}" (id TEXT PRIMARY KEY NOT NULL, doc BLOB NOT NULL)`);
    } else this.writer.exec(bucketTablesSql(table));
    this.writer
      .prepare('INSERT INTO _edx_collections (name, tbl, created_at) VALUES (?, ?, ?)')
      .run(name, table, new Date().toISOString());
    if (validation !== undefined || timeseries !== undefined) {
      const saved: SavedOptions = { ...validation, ...(timeseries && { timeseries }) };
      this.writer
        .prepare('INSERT INTO _edx_meta (key, value) VALUES (?, ?)')
        .run(optionsKey(table), EJSON.stringify(saved, { relaxed: false }));
    }
    const meta: CollectionMeta = {
      name,
      table,
      columns: new Map(),
      indexes: [],
      validation,
      timeseries,
    };
    this.collections.set(name, meta);
    return meta;
  }

  /** Add an extracted key column for a dotted path (inside the caller's transaction). */
  addColumn(meta: CollectionMeta, path: string): KeyColumn {
    const existing = meta.columns.get(path);
    if (existing) return existing;
    const column = `k${this.nextId()}`;
    this.writer.exec(`ALTER TABLE "${meta.table}" ADD COLUMN "${column}"`);
    this.writer
      .prepare('INSERT INTO _edx_columns (tbl, path, col, has_null) VALUES (?, ?, ?, 0)')
      .run(meta.table, path, column);
    const key: KeyColumn = { column, hasNull: false };
    meta.columns.set(path, key);
    return key;
  }

  /** Record that a key column now holds an unkeyed value (inside the caller's transaction). */
  markHasNull(meta: CollectionMeta, key: KeyColumn): void {
    if (key.hasNull) return;
    this.writer
      .prepare('UPDATE _edx_columns SET has_null = 1 WHERE tbl = ? AND col = ?')
      .run(meta.table, key.column);
    key.hasNull = true;
  }

  recordIndex(meta: CollectionMeta, entry: IndexEntry): void {
    this.writer
      .prepare(
        'INSERT INTO _edx_indexes (tbl, name, spec, is_unique, sql_name) VALUES (?, ?, ?, ?, ?)',
      )
      .run(meta.table, entry.name, JSON.stringify(entry.key), entry.unique ? 1 : 0, entry.sqlName);
    meta.indexes.push(entry);
  }

  /** Drop a collection's table and catalogue entries (inside the caller's transaction). */
  dropCollection(name: string): boolean {
    const meta = this.collections.get(name);
    if (!meta) return false;
    this.writer.exec(`DROP TABLE "${meta.table}"`);
    if (meta.timeseries) this.writer.exec(`DROP TABLE "${idTable(meta.table)}"`);
    this.writer.prepare('DELETE FROM _edx_columns WHERE tbl = ?').run(meta.table);
    this.writer.prepare('DELETE FROM _edx_indexes WHERE tbl = ?').run(meta.table);
    this.writer.prepare('DELETE FROM _edx_collections WHERE name = ?').run(name);
    this.writer.prepare('DELETE FROM _edx_meta WHERE key = ?').run(optionsKey(meta.table));
    this.collections.delete(name);
    return true;
  }

  /** Rename a collection in the catalogue (inside the caller's transaction). */
  renameCollection(from: string, to: string): void {
    const meta = this.collections.get(from);
    if (!meta) return;
    this.writer.prepare('UPDATE _edx_collections SET name = ? WHERE name = ?').run(to, from);
    this.collections.delete(from);
    this.collections.set(to, { ...meta, name: to });
  }

  private nextId(): number {
    const row = this.writer
      .prepare<[], { value: string }>("SELECT value FROM _edx_meta WHERE key = 'next_id'")
      .get();
    const id = Number(row?.value ?? '1');
    this.writer.prepare("UPDATE _edx_meta SET value = ? WHERE key = 'next_id'").run(String(id + 1));
    return id;
  }

  /** Run `fn` in one write transaction; rolled back when it throws. */
  transaction<R>(fn: () => R): R {
    this.assertOpen();
    const run = this.writer.transaction(fn);
    try {
      const result = run.immediate();
      this.dataVersion = this.writer.pragma('data_version', { simple: true }) as number;
      return result;
    } catch (error) {
      // The catalogue in memory may be ahead of a rolled-back transaction.
      this.reloadCatalogue();
      throw error;
    }
  }

  /** A reader connection for a cursor; give it back with {@link releaseReader}. */
  acquireReader(): Connection {
    this.assertOpen();
    const reader = this.idleReaders.pop() ?? this.openReader();
    this.busyReaders.add(reader);
    return reader;
  }

  releaseReader(reader: Connection): void {
    this.busyReaders.delete(reader);
    if (this.closed || this.idleReaders.length >= 4) reader.close();
    else this.idleReaders.push(reader);
  }

  private openReader(): Connection {
    try {
      const reader = new BetterSqlite3(this.path, { fileMustExist: true });
      reader.pragma('busy_timeout = 30000');
      return reader;
    } catch (error) {
      throw storeErrorFrom(error, this.path, 'open a reader');
    }
  }

  private assertOpen(): void {
    if (this.closed)
      throw new StoreError('E_STORE_CLOSED', `the store database ${this.path} is closed`);
  }

  /** The writer thread for large unordered inserts (started on first use). */
  bulk(): BulkWriter {
    this.assertOpen();
    this.bulkWriter ??= new BulkWriter(this.path);
    return this.bulkWriter;
  }

  /** Resolves when the writer thread (if any) has written everything it was sent. */
  async bulkIdle(): Promise<void> {
    await this.bulkWriter?.idle();
  }

  /** Let the writer thread finish and stop it, then close. */
  async closeAsync(): Promise<void> {
    const writer = this.bulkWriter;
    this.bulkWriter = undefined;
    await writer?.close();
    this.close();
  }

  close(): void {
    if (this.closed) return;
    // Without closeAsync: the thread ends when its pending batches (if any) are written.
    void this.bulkWriter?.close();
    this.bulkWriter = undefined;
    this.closed = true;
    for (const reader of this.idleReaders) reader.close();
    this.idleReaders.length = 0;
    for (const reader of this.busyReaders) reader.close();
    this.busyReaders.clear();
    this.writer.close();
  }

  /** Close and delete the file with its WAL and shared-memory files. */
  destroy(): void {
    this.close();
    for (const suffix of ['', '-wal', '-shm']) {
      try {
        unlinkSync(this.path + suffix);
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
      }
    }
  }
}
