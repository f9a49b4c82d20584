/**
 * The one shape of a rejected record (a row, a line or a cell that could not be loaded), and
 * the one way to write it. Every loader keeps what it could not load in this shape, in the
 * collections the layout names (`import_rejected` of a course database, `tracking_rejected`
 * of the master), so a researcher reads every reject the same way.
 */
import type { Collection, Document } from '../types.js';

/**
 * The longest `raw` kept, in UTF-8 bytes (64 KiB): longer input is cut at a character
 * boundary, `raw_truncated` set and `raw_bytes` keeping the original size.
 */
export const MAX_REJECTED_RAW_BYTES = 64 * 1024;

/** What a loader says of one thing it could not load. */
export interface RejectedInput {
  /** The input file, by its base name (or `archive.zip:entry`). */
  readonly file: string;
  /** 1-based line (of the decrypted, decompressed text) where it starts; null when unknown. */
  readonly line: number | null;
  /** The column (its name, or a 1-based position), when one cell is at fault. */
  readonly column?: string | number | undefined;
  /** A short machine-readable code (`not-json`, `field-count`, `duplicate-id`, …). */
  readonly code: string;
  /** What was wrong and what was expected, in a sentence. */
  readonly reason: string;
  /** The text as read ('' when it was never buffered, as for an over-long line). */
  readonly raw: string;
}

/** A rejected record as stored. Loaders may add fields of their own (`table`, `run`, …). */
export interface RejectedRecord extends Document {
  readonly file: string;
  readonly line: number | null;
  readonly column?: string | number;
  readonly code: string;
  readonly reason: string;
  /** The raw text, cut at {@link MAX_REJECTED_RAW_BYTES}. */
  readonly raw: string;
  readonly raw_truncated: boolean;
  /** Size of the raw text before any cut, in UTF-8 bytes. */
  readonly raw_bytes: number;
}

/** Cut `text` to at most `maxBytes` UTF-8 bytes without splitting a character. */
function cutUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // step back over continuation bytes (10xxxxxx) to a character start
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

/** The stored form of a reject: `raw` cut to the documented size, `extra` fields added. */
export function rejectedRecord(input: RejectedInput, extra: Document = {}): RejectedRecord {
  const rawBytes = Buffer.byteLength(input.raw, 'utf8');
  const truncated = rawBytes > MAX_REJECTED_RAW_BYTES;
  return {
    ...extra,
    file: input.file,
    line: input.line,
    ...(input.column === undefined ? {} : { column: input.column }),
    code: input.code,
    reason: input.reason,
    raw: truncated ? cutUtf8(input.raw, MAX_REJECTED_RAW_BYTES) : input.raw,
    raw_truncated: truncated,
    raw_bytes: rawBytes,
  };
}

export interface RejectWriterOptions {
  /** Records per insert. @default 1000 */
  readonly batchSize?: number;
  /** Fields added to every record (a run id, the table). */
  readonly extra?: Document;
  /**
   * The `_id` of a record, so that a re-run stores it once (a repeat is counted in
   * `repeated`, not written twice). @default a new ObjectId
   */
  readonly id?: (input: RejectedInput) => unknown;
  /**
   * Make the records of this writer replace the earlier records of the same scope (e.g. `{
   * file, table }`): every record gets the scope's fields and a `run` id; {@link
   * RejectWriter.commit} removes the earlier runs' records of the scope (call it once the input
   * was loaded), {@link RejectWriter.discard} this run's (call it when the load failed).
   */
  readonly scope?: Document;
}

/** A run id: time-ordered, unique enough for one store. */
function newRunId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Buffers rejected records and writes them in batches to one collection, counting them by
 * code. `add` is synchronous (call it from a parser's `onReject`); `flush` writes what is
 * buffered (call it between batches and at the end).
 */
export class RejectWriter {
  readonly #collection: Collection;
  readonly #batchSize: number;
  readonly #extra: Document;
  readonly #id: ((input: RejectedInput) => unknown) | undefined;
  readonly #scope: Document | undefined;
  /** This writer's run id (set with the `scope` option). */
  readonly run: string | undefined;
  #pending: Document[] = [];
  #count = 0;
  #written = 0;
  #repeated = 0;
  readonly #byCode: Record<string, number> = {};

  constructor(collection: Collection, options: RejectWriterOptions = {}) {
    this.#collection = collection;
    this.#batchSize = options.batchSize ?? 1000;
    this.#scope = options.scope;
    this.run = options.scope === undefined ? undefined : newRunId();
    this.#extra = { ...options.extra, ...options.scope, ...(this.run ? { run: this.run } : {}) };
    this.#id = options.id;
  }

  /** Records added so far. */
  get count(): number {
    return this.#count;
  }

  /** Records written to the collection so far (repeats of stored ones excluded). */
  get written(): number {
    return this.#written;
  }

  /** Records not written because one with the same `_id` was already stored. */
  get repeated(): number {
    return this.#repeated;
  }

  /** Records added, by code. */
  get byCode(): Readonly<Record<string, number>> {
    return { ...this.#byCode };
  }

  /** True when a batch is full and `flush` should be awaited. */
  get full(): boolean {
    return this.#pending.length >= this.#batchSize;
  }

  add(input: RejectedInput): void {
    this.#count += 1;
    this.#byCode[input.code] = (this.#byCode[input.code] ?? 0) + 1;
    const record: Document = rejectedRecord(input, this.#extra);
    if (this.#id !== undefined) record['_id'] = this.#id(input);
    this.#pending.push(record);
  }

  /** Write the buffered records. */
  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    const result = await this.#collection.insertMany(batch, { ordered: false });
    this.#written += result.insertedCount;
    this.#repeated += result.duplicateCount;
  }

  /** Flush, then remove the records of the scope left by earlier runs (with `scope`). */
  async commit(): Promise<void> {
    await this.flush();
    if (this.#scope === undefined) return;
    await this.#collection.deleteMany({ ...this.#scope, run: { $ne: this.run } });
  }

  /** Drop what is buffered and remove this run's records (with `scope`): the load failed. */
  async discard(): Promise<void> {
    this.#pending = [];
    if (this.#scope === undefined) return;
    await this.#collection.deleteMany({ ...this.#scope, run: this.run });
  }
}
