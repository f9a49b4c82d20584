/**
 * The embedded engine's bulk writer: a worker thread with its own SQLite connection to one
 * database file, which runs the insert transactions of large unordered `insertMany` batches.
 * The calling thread encodes documents (BSON, index keys) while the worker writes the batch
 * before, so a bulk load uses two cores. Batches are written in the order they are sent, each
 * in one transaction, exactly as the calling thread would write them.
 */
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

/** One batch of documents for a bucketed collection (buckets.ts), encoded by the calling thread. */
export interface BucketBatch {
  readonly table: string;
  readonly idTable: string;
  readonly spanMs: number;
  readonly maxCount: number;
  readonly level: number;
  readonly ordered: boolean;
  /** The records of the documents as UTF-8, back to back: record i is `bytes[offsets[i], offsets[i + 1])`. */
  readonly bytes: ArrayBuffer;
  readonly offsets: Uint32Array;
  /** Per document: its time (ms), meta key and `_id` key. */
  readonly times: Float64Array;
  /** The meta keys of the batch, and per document the index of its own. */
  readonly metaKeys: readonly (string | null)[];
  readonly metaIndexes: Uint32Array;
  /** The `_id` keys as UTF-8, back to back: key i is `idKeys[idOffsets[i], idOffsets[i + 1])`. */
  readonly idKeys: ArrayBuffer;
  readonly idOffsets: Uint32Array;
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

/** The thread's answers (writer-thread.mjs). */
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

/** The thread's module: beside this file, in the sources as in dist (see the file). */
const WORKER_MODULE = new URL('./writer-thread.mjs', import.meta.url);

/** Flags that change how the main script or eval'd code is read, each with its value. */
const SCRIPT_FLAGS = new Set([
  '-e',
  '--eval',
  '-p',
  '--print',
  '--input-type',
  '--experimental-default-type',
  '--loader',
  '--experimental-loader',
  '--import',
  '--require',
  '-r',
]);

/**
 * The parent's `execArgv` for the writer thread, without the flags that concern how the
 * parent's own script is read (`--input-type=module`, `-e <code>`, loaders and preloads):
 * the thread is a module file that needs none of them. Other flags (memory, warnings,
 * conditions) are kept, as a worker inherits them by default.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] ?? '';
    const equals = arg.indexOf('=');
    const flag = arg.startsWith('--') && equals > 0 ? arg.slice(0, equals) : arg;
    if (!SCRIPT_FLAGS.has(flag)) kept.push(arg);
    // `--flag value` (not `--flag=value`): the value goes with it.
    else if (flag === arg) i++;
  }
  return kept;
}

/**
 * Start the writer thread with the parent's flags minus those of {@link workerExecArgv}
 * (inherited as they are when there are none of those). A worker accepts V8 options
 * (`--max-old-space-size`, `--stack-size`, …) only by inheritance, never in an explicit
 * `execArgv`, and inheriting would bring `--input-type` back (which a worker started from a
 * file refuses): when the parent has both kinds, the thread runs without flags, which its
 * module (SQLite and node: built-ins only) does not need.
 */
function startWorker(workerData: Record<string, unknown>): Worker {
  const options = {
    // A small heap: the thread holds one batch at a time; SQLite has its own cache.
    resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 },
    workerData,
  };
  const execArgv = workerExecArgv(process.execArgv);
  if (execArgv.length === process.execArgv.length) return new Worker(WORKER_MODULE, options);
  try {
    return new Worker(WORKER_MODULE, { ...options, execArgv });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    return new Worker(WORKER_MODULE, { ...options, execArgv: [] });
  }
}

export class BulkWriter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;
  /** The last message sent, settled: messages are answered in order. */
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {
    this.worker = startWorker({
      path,
      walAutocheckpoint: WAL_AUTOCHECKPOINT_PAGES,
      journalSizeLimit: JOURNAL_SIZE_LIMIT_BYTES,
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

  /** Write a batch of a bucketed collection in one transaction of the worker: one flag per document. */
  async insertBuckets(batch: BucketBatch): Promise<Uint8Array> {
    if (this.closing) {
      throw new StoreError('E_STORE_CLOSED', `the store database ${this.path} is closed`);
    }
    const answer = await this.send({ kind: 'buckets', batch }, [
      batch.times.buffer as ArrayBuffer,
      batch.bytes,
      batch.offsets.buffer as ArrayBuffer,
      batch.metaIndexes.buffer as ArrayBuffer,
      batch.idKeys,
      batch.idOffsets.buffer as ArrayBuffer,
    ]);
    if (answer.kind !== 'done') {
      throw new StoreError('E_STORE_CLOSED', `the store database ${this.path} is closed`);
    }
    return answer.inserted;
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
