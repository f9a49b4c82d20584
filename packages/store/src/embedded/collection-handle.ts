/**
 * What every part of an embedded collection shares: its database, its name, and how to find
 * (or create) its table and wrap the errors of SQLite.
 */
import { isEdxDataError, StoreError } from '@edx-data/core';
import { storeErrorFrom } from './sqlite-file.js';
import type { CollectionMeta, SqliteFile } from './sqlite-file.js';
import type { Collection, Document } from '../types.js';

/** What a collection needs from its database. */
export interface DatabaseHandle {
  readonly name: string;
  /** The database file; `create` makes it when missing, otherwise `null` means empty. */
  file(create: boolean): SqliteFile | null;
  collection<T extends Document>(name: string): Collection<T>;
  /** Another database of the same store (for `$out` and `$merge` into it). */
  sibling(name: string): DatabaseHandle;
}

/** One collection of a database: the base of its reads, writes and indexes. */
export class CollectionHandle {
  constructor(
    protected readonly database: DatabaseHandle,
    readonly name: string,
  ) {}

  get dbName(): string {
    return this.database.name;
  }

  protected get namespace(): string {
    return `${this.database.name}.${this.name}`;
  }

  /** The file and catalogue entry, refreshed; undefined when the collection does not exist. */
  protected existing(): { file: SqliteFile; meta: CollectionMeta } | undefined {
    const file = this.database.file(false);
    if (!file) return undefined;
    file.refresh();
    const meta = file.collection(this.name);
    return meta ? { file, meta } : undefined;
  }

  protected writable(): SqliteFile {
    const file = this.database.file(true);
    if (!file) throw new StoreError('E_STORE', `cannot create the database of ${this.namespace}`);
    file.refresh();
    return file;
  }

  protected wrap(action: string): (error: unknown) => Error {
    return (error: unknown) => {
      // The toolkit's own errors (also those of a caller's source of documents) pass as they are.
      if (isEdxDataError(error)) return error;
      const file = this.database.file(false)?.path ?? this.namespace;
      return storeErrorFrom(error, file, `${action} ${this.namespace}`);
    };
  }
}
