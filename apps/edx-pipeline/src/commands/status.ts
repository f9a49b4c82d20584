import type { Command } from 'commander';
import type { Store } from '@edx-data/store';
import type { CliCommand, CommandResult } from '../command.js';
import { loadStoreApi } from '../store-api.js';
import { formatCount, formatTable, plural } from '../text-table.js';

/** MongoDB's own databases; listed only when `--db` names one. */
const SYSTEM_DATABASES = new Set(['admin', 'config', 'local']);

export interface CollectionStatus {
  readonly name: string;
  readonly documents: number;
}

export interface DatabaseStatus {
  readonly name: string;
  /** Bytes on disk, where the engine knows it. */
  readonly sizeOnDisk?: number;
  readonly documents: number;
  readonly collections: readonly CollectionStatus[];
}

export interface StoreStatus {
  readonly engine: string;
  readonly location: string;
  /** The `--db` filter, when one was given. */
  readonly db?: string;
  readonly databases: readonly DatabaseStatus[];
  readonly totals: {
    readonly databases: number;
    readonly collections: number;
    readonly documents: number;
  };
}

function byName(a: { readonly name: string }, b: { readonly name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Databases (all, or only `dbName`), their collections and document counts. A database
 * that does not exist is not created.
 */
export async function collectStatus(store: Store, dbName?: string): Promise<StoreStatus> {
  const listed = await store.listDatabases();
  const wanted = listed
    .filter((info) =>
      dbName === undefined ? !SYSTEM_DATABASES.has(info.name) : info.name === dbName,
    )
    .sort(byName);
  const databases: DatabaseStatus[] = [];
  for (const info of wanted) {
    const db = store.db(info.name);
    const collections: CollectionStatus[] = [];
    for (const { name } of (await db.listCollections()).sort(byName)) {
      collections.push({ name, documents: await db.collection(name).countDocuments() });
    }
    databases.push({
      name: info.name,
      ...(info.sizeOnDisk === undefined ? {} : { sizeOnDisk: info.sizeOnDisk }),
      documents: collections.reduce((sum, collection) => sum + collection.documents, 0),
      collections,
    });
  }
  return {
    engine: store.engine,
    location: store.location,
    ...(dbName === undefined ? {} : { db: dbName }),
    databases,
    totals: {
      databases: databases.length,
      collections: databases.reduce((sum, db) => sum + db.collections.length, 0),
      documents: databases.reduce((sum, db) => sum + db.documents, 0),
    },
  };
}

/** The human form: the store, an aligned table (one row per collection), and the totals. */
export function renderStatus(status: StoreStatus): string {
  const head = `Store: ${status.location} (${status.engine})`;
  if (status.databases.length === 0) {
    const none =
      status.db === undefined
        ? 'No databases yet.'
        : `No database named "${status.db}" in this store.`;
    return `${head}\n\n${none}`;
  }
  const rows: string[][] = [];
  for (const db of status.databases) {
    if (db.collections.length === 0) rows.push([db.name, '(no collections)', '0']);
    db.collections.forEach((collection, index) => {
      rows.push([index === 0 ? db.name : '', collection.name, formatCount(collection.documents)]);
    });
  }
  const table = formatTable(
    [{ header: 'database' }, { header: 'collection' }, { header: 'documents', align: 'right' }],
    rows,
  );
  const { totals } = status;
  const summary = `${plural(totals.databases, 'database')}, ${plural(totals.collections, 'collection')}, ${plural(totals.documents, 'document')}`;
  return `${head}\n\n${table}\n\n${summary}`;
}

export interface StatusOptions {
  /** `--db <name>`: only this database. */
  readonly db?: string;
}

/** `edx-pipeline status [--db <name>]`: what the store holds. */
export const statusCommand: CliCommand = {
  name: 'status',

  configure(command: Command): void {
    command
      .summary('list databases, collections and document counts')
      .description(
        'List the databases of the store, their collections and how many documents each holds.',
      )
      .option('--db <name>', 'only this database');
  },

  async run(context, command): Promise<CommandResult> {
    const options = command.opts<StatusOptions>();
    if (options.db !== undefined) {
      const { validateDatabaseName } = await loadStoreApi();
      validateDatabaseName(options.db);
    }
    const store = await context.openStore({ create: false });
    const status = await collectStatus(store, options.db);
    return {
      text: renderStatus(status),
      summary: {
        store: { engine: status.engine, location: status.location },
        ...(status.db === undefined ? {} : { db: status.db }),
        databases: status.databases.map((db) => ({
          name: db.name,
          ...(db.sizeOnDisk === undefined ? {} : { sizeOnDisk: db.sizeOnDisk }),
          documents: db.documents,
          collections: db.collections.map((c) => ({ name: c.name, documents: c.documents })),
        })),
        totals: { ...status.totals },
      },
    };
  },
};
