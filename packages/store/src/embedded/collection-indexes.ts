/**
 * The indexes of an embedded collection: a real SQLite index over key columns extracted from
 * the documents (filled for the documents already stored), and their catalogue.
 */
import { StoreError, UsageError } from '@edx-data/core';
import { decodeDocument, pathKey } from './codec.js';
import { CollectionHandle } from './collection-handle.js';
import type { KeyColumn } from './query-plan.js';
import type { CollectionMeta, SqliteFile } from './sqlite-file.js';
import type { CreateIndexOptions, IndexInfo, IndexSpec } from '../types.js';

function defaultIndexName(spec: IndexSpec): string {
  return Object.entries(spec)
    .map(([path, direction]) => `${path}_${direction}`)
    .join('_');
}

export class CollectionIndexes extends CollectionHandle {
  createIndex(spec: IndexSpec, options: CreateIndexOptions = {}): Promise<string> {
    try {
      const entries = Object.entries(spec);
      // Callers in plain JS can pass anything: check what the type promises.
      const directions: unknown[] = entries.map(([, d]) => d);
      if (entries.length === 0 || directions.some((d) => d !== 1 && d !== -1)) {
        throw new UsageError(
          'E_USAGE',
          `createIndex on ${this.namespace}: the key must map field names to 1 or -1`,
        );
      }
      const name = options.name ?? defaultIndexName(spec);
      const unique = options.unique ?? false;
      if (entries.length === 1 && entries[0]?.[0] === '_id') return Promise.resolve('_id_');
      const file = this.writable();
      file.transaction(() => {
        const meta = file.createCollection(this.name);
        if (meta.timeseries) {
          throw new StoreError(
            'E_UNSUPPORTED',
            `createIndex on ${this.namespace}: a bucketed (timeseries) collection is read by its buckets' meta and time bounds; it has no other index`,
          );
        }
        const existing = meta.indexes.find((index) => index.name === name);
        if (existing) {
          if (JSON.stringify(existing.key) === JSON.stringify(spec) && existing.unique === unique)
            return;
          throw new StoreError(
            'E_STORE',
            `an index named ${name} with another key or options already exists on ${this.namespace}`,
          );
        }
        const fresh: [string, KeyColumn][] = [];
        const keys = entries.map(([path]) => {
          const known = meta.columns.get(path);
          if (known) return known;
          const key = file.addColumn(meta, path);
          fresh.push([path, key]);
          return key;
        });
        if (fresh.length > 0) this.backfill(file, meta, fresh);
        const sqlName = `${meta.table}_${keys.map((k) => k.column).join('_')}_${unique ? 'u' : 'i'}`;
        const columns = entries.map(
          ([, direction], i) => `"${keys[i]?.column ?? ''}" ${direction === -1 ? 'DESC' : 'ASC'}`,
        );
        try {
          file.writer.exec(
            `CREATE ${unique ? 'UNIQUE ' : ''}INDEX "${sqlName}" ON "${meta.table}" (${columns.join(', ')})`,
          );
        } catch (error) {
          if (String((error as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT')) {
            throw new StoreError(
              'E_DUPLICATE_KEY',
              `cannot create unique index ${name} on ${this.namespace}: existing documents repeat a key`,
              { cause: error },
            );
          }
          throw error;
        }
        file.recordIndex(meta, { name, key: { ...spec }, unique, sqlName });
      });
      return Promise.resolve(name);
    } catch (error) {
      return Promise.reject(this.wrap('create an index on')(error));
    }
  }

  /** Fill new key columns for the documents already stored (inside the transaction). */
  private backfill(
    file: SqliteFile,
    meta: CollectionMeta,
    fresh: readonly [string, KeyColumn][],
  ): void {
    const select = file.writer.prepare<[number], { rowid: number; doc: Buffer }>(
      `SELECT rowid, doc FROM "${meta.table}" WHERE rowid > ? ORDER BY rowid LIMIT 5000`,
    );
    const sets = fresh.map(([, key]) => `"${key.column}" = ?`).join(', ');
    const write = file.writer.prepare(`UPDATE "${meta.table}" SET ${sets} WHERE rowid = ?`);
    const segments = fresh.map(([path, key]) => ({ segments: path.split('.'), key }));
    let after = 0;
    for (;;) {
      const rows = select.all(after);
      if (rows.length === 0) return;
      for (const row of rows) {
        const doc = decodeDocument(row.doc);
        const params = segments.map(({ segments: s, key }) => {
          const k = pathKey(doc, s);
          if (k === null) file.markHasNull(meta, key);
          return k;
        });
        write.run(...params, row.rowid);
        after = row.rowid;
      }
    }
  }

  listIndexes(): Promise<IndexInfo[]> {
    const found = this.existing();
    const idIndex: IndexInfo = { name: '_id_', key: { _id: 1 }, unique: true };
    if (!found) return Promise.resolve([]);
    return Promise.resolve([
      idIndex,
      ...found.meta.indexes.map(({ name, key, unique }) => ({ name, key, unique })),
    ]);
  }
}
