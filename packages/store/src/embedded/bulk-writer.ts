/**
 * The embedded engine's bulk writer: a worker thread with its own SQLite connection to one
 * database file, which runs the insert transactions of large unordered `insertMany` batches.
 * The calling thread encodes documents (BSON, index keys) while the worker writes the batch
 * before, so a bulk load uses two cores. Batches are written in the order they are sent, each
 * in one transaction, exactly as the calling thread would write them.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { StoreError } from '@edx-data/core';
import { storeErrorFrom } from './sqlite-file.js';
import { JOURNAL_SIZE_LIMIT_BYTES, WAL_AUTOCHECKPOINT_PAGES } from './sqlite-settings.js';

/** One batch for the worker: rows already encoded by the calling thread. */
export interface BulkBatch {
  /** The table and its key columns, in the order of each row's `keys`. */
  readonly table: string;
  readonly columns: readonly string[];
  /** `_id` keys, one per row. */
  readonly ids: readonly string[];
  /** BSON bytes of all rows, back to back; row i is `bytes[offsets[i], offsets[i + 1])`. */
  readonly bytes: Uint8Array;
  readonly offsets: Uint32Array;
  /** `columns.length` keys per row, row after row. */
  readonly keys: readonly (string | null)[];
  /** Key columns that hold a null key in this batch (their `has_null` is set with it). */
  readonly nullColumns: readonly string[];
}

/** What the worker did with a batch. */
export type BulkOutcome =
  /** One flag per row: 1 inserted, 0 refused (its `_id` or a unique key exists). */
  | { readonly kind: 'done'; readonly inserted: Uint8Array }
  /** The table's key columns changed (an index was created): nothing was written. */
  | { readonly kind: 'relayout' };

/** The worker's answer to a message: a batch's outcome, or `closed` to `close`. */
type Answer = BulkOutcome | { readonly kind: 'closed' };

interface Pending {
  readonly resolve: (answer: Answer) => void;
  readonly reject: (error: Error) => void;
}

type Reply =
  | { readonly id: number; readonly kind: 'done'; readonly inserted: Uint8Array }
  | { readonly id: number; readonly kind: 'relayout' }
  | {
      readonly id: number;
      readonly kind: 'error';
      readonly code?: string;
      readonly message: string;
    }
  | { readonly id: number; readonly kind: 'closed' };

/**
 * The worker's code (CommonJS, run with `eval`, so that it works from the sources under test
 * as from the built package). It loads the same better-sqlite3 as the calling thread.
 */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
let db;
try {
  db = new Database(workerData.path, { fileMustExist: true });
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 30000');
  db.pragma('cache_size = -16384');
  db.pragma('temp_store = FILE');
  db.pragma('wal_autocheckpoint = ' + workerData.walAutocheckpoint);
  db.pragma('journal_size_limit = ' + workerData.journalSizeLimit);
} catch (error) {
  parentPort.postMessage({ id: -1, kind: 'error', code: error.code, message: error.message });
}
const statements = new Map();
const columnsOf = db && db.prepare('SELECT col FROM _edx_columns WHERE tbl = ?').pluck();
const markNull = db && db.prepare(
  'UPDATE _edx_columns SET has_null = 1 WHERE tbl = ? AND col = ? AND has_null = 0');
function insertStatement(table, columns) {
  const sql = 'INSERT INTO "' + table + '" (id, doc' +
    columns.map((c) => ', "' + c + '"').join('') + ') VALUES (?, ?' +
    columns.map(() => ', ?').join('') + ') ON CONFLICT DO NOTHING';
  let statement = statements.get(sql);
  if (!statement) { statement = db.prepare(sql); statements.set(sql, statement); }
  return statement;
}
const write = (batch) => db.transaction(() => {
  const current = columnsOf.all(batch.table);
  if (current.length !== batch.columns.length ||
      current.some((c) => !batch.columns.includes(c))) return null;
  for (const column of batch.nullColumns) markNull.run(batch.table, column);
  const statement = insertStatement(batch.table, batch.columns);
  const n = batch.ids.length;
  const k = batch.columns.length;
  const inserted = new Uint8Array(n);
  const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  const params = new Array(2 + k);
  for (let i = 0; i < n; i++) {
    params[0] = batch.ids[i];
    params[1] = bytes.subarray(batch.offsets[i], batch.offsets[i + 1]);
    for (let j = 0; j < k; j++) params[2 + j] = batch.keys[i * k + j];
    inserted[i] = statement.run(params).changes === 1 ? 1 : 0;
  }
  return inserted;
}).immediate();
parentPort.on('message', (message) => {
  if (message.kind === 'close') {
    try { if (db) db.close(); } finally { parentPort.postMessage({ id: message.id, kind: 'closed' }); }
    return;
  }
  try {
    const inserted = write(message.batch);
    if (inserted === null) parentPort.postMessage({ id: message.id, kind: 'relayout' });
    else parentPort.postMessage({ id: message.id, kind: 'done', inserted }, [inserted.buffer]);
  } catch (error) {
    parentPort.postMessage({ id: message.id, kind: 'error', code: error.code, message: error.message });
  }
});
`;

const sqliteEntry = createRequire(import.meta.url).resolve('better-sqlite3');

export class BulkWriter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;
  /** The last message sent, settled: messages are answered in order. */
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // A small heap: the thread holds one batch at a time; SQLite has its own cache.
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 },
      workerData: {
        path,
        sqlite: sqliteEntry,
        walAutocheckpoint: WAL_AUTOCHECKPOINT_PAGES,
        journalSizeLimit: JOURNAL_SIZE_LIMIT_BYTES,
      },
    });
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => {
      this.onReply(reply);
    });
    this.worker.on('error', (error) => {
      this.fail(storeErrorFrom(error, this.path, 'write in the background'));
    });
    this.worker.on('exit', () => {
      this.fail(new StoreError('E_STORE', `the writer thread of ${this.path} stopped`));
    });
  }

  private onReply(reply: Reply): void {
    if (reply.id === -1 && reply.kind === 'error') {
      this.fail(storeErrorFrom(reply, this.path, 'open the writer thread'));
      return;
    }
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.kind === 'done') waiting.resolve({ kind: 'done', inserted: reply.inserted });
    else if (reply.kind === 'relayout' || reply.kind === 'closed')
      waiting.resolve({ kind: reply.kind });
    else {
      const error = Object.assign(new Error(reply.message), { code: reply.code });
      waiting.reject(storeErrorFrom(error, this.path, 'insert into'));
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  private send(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Answer> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const answer = new Promise<Answer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...message, id }, transfer);
    });
    this.last = answer.catch(() => undefined);
    return answer;
  }

  /** Write a batch in one transaction of the worker; `batch.bytes` is transferred (unusable after). */
  async insert(batch: BulkBatch): Promise<BulkOutcome> {
    const closed = (): StoreError =>
      new StoreError('E_STORE_CLOSED', `the store database ${this.path} is closed`);
    if (this.closing) throw closed();
    const answer = await this.send({ kind: 'insert', batch }, [batch.bytes.buffer as ArrayBuffer]);
    if (answer.kind === 'closed') throw closed();
    return answer;
  }

  /** Resolves once every batch sent so far is written (or failed). */
  async idle(): Promise<void> {
    await this.last;
  }

  /** Wait for the batches sent, close the worker's connection and end the thread. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.idle();
      if (!this.failure) await this.send({ kind: 'close' }).catch(() => undefined);
      await this.worker.terminate();
    })();
    return this.closing;
  }
}
