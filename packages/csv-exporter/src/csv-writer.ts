/**
 * Writing a report as CSV with `fast-csv`: RFC 4180 (fields quoted when they hold a comma, a
 * quote, CR or LF; quotes doubled; CRLF between records), UTF-8 with nothing dropped, a header
 * row in every file, times as ISO 8601 UTC, nested values as JSON. Optionally split into
 * `<name>_<i>.csv` every `splitRows` rows, and gzipped (`.csv.gz`). Each file's rows, bytes and
 * SHA-256 are counted as it is written (for the manifest).
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { format } from 'fast-csv';
import type { CsvFormatterStream } from 'fast-csv';
import type { ColumnSpec, Row } from './report.js';

/** One file written. */
export interface WrittenFile {
  /** The file name (in the export folder). */
  readonly file: string;
  /** Data rows (the header not counted). */
  readonly rows: number;
  /** Bytes on disk. */
  readonly bytes: number;
  /** SHA-256 (hex) of the bytes on disk. */
  readonly sha256: string;
}

export interface CsvWriterOptions {
  /** Start a new file every this many rows (`<name>_1.csv`, `<name>_2.csv`, …). */
  readonly splitRows?: number | undefined;
  /** Write `.csv.gz`. */
  readonly gzip?: boolean | undefined;
  /** Start each file with a UTF-8 byte order mark (for spreadsheet programs). @default false */
  readonly bom?: boolean | undefined;
}

function isObjectIdLike(value: object): value is { toHexString(): string } {
  return '_bsontype' in value && value._bsontype === 'ObjectId' && 'toHexString' in value;
}

/** A value inside JSON: Dates as ISO strings, ObjectIds as hex, Longs and bigints as numbers. */
function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  const holder = this as Record<string, unknown>;
  const raw = holder[key];
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? null : raw.toISOString();
  if (typeof raw === 'bigint') return Number.isSafeInteger(Number(raw)) ? Number(raw) : String(raw);
  if (typeof raw === 'object' && raw !== null) {
    if (isObjectIdLike(raw)) return raw.toHexString();
    const bsonType = (raw as { _bsontype?: unknown })._bsontype;
    if (bsonType === 'Long' || bsonType === 'Int32' || bsonType === 'Double') {
      return (raw as { toNumber?: () => number; valueOf(): unknown }).toNumber?.() ?? raw.valueOf();
    }
    if (bsonType === 'Decimal128') return (raw as { toString(): string }).toString();
  }
  return value;
}

/**
 * The text of a cell: '' for null and undefined; a Date as ISO 8601 UTC
 * (`2024-01-08T09:30:00.000Z`); a boolean as `true`/`false`; a number as JavaScript writes it;
 * an ObjectId as its hex; anything else that is not a string as JSON.
 */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (typeof value === 'object') {
    if (isObjectIdLike(value)) return value.toHexString();
    const bsonType = (value as { _bsontype?: unknown })._bsontype;
    if (bsonType === 'Long' || bsonType === 'Decimal128') {
      return (value as { toString(): string }).toString();
    }
  }
  // (undefined for a function or a symbol)
  const json = JSON.stringify(value, jsonReplacer) as unknown;
  return typeof json === 'string' ? json : '';
}

/** Counts and hashes the bytes going to disk. */
class Tally extends Transform {
  bytes = 0;
  readonly hash = createHash('sha256');

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    this.push(chunk);
    done();
  }
}

/**
 * Puts a UTF-8 byte order mark before the text (fast-csv's own `writeBOM` leaves it out of a
 * file that has a header and no row).
 */
class ByteOrderMark extends Transform {
  #written = false;

  #mark(): void {
    if (this.#written) return;
    this.#written = true;
    this.push(Buffer.from('\uFEFF', 'utf8'));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.#mark();
    this.push(chunk);
    done();
  }

  override _flush(done: () => void): void {
    this.#mark();
    done();
  }
}

interface OpenFile {
  readonly file: string;
  readonly formatter: CsvFormatterStream<string[], string[]>;
  readonly tally: Tally;
  readonly finished: Promise<void>;
  rows: number;
}

/**
 * Writes one report's rows into one or more files of a folder. `write` waits when the disk
 * is behind (backpressure); `close` ends the last file and returns every file written. With no
 * row at all, one file with the header alone is written.
 */
export class CsvWriter {
  readonly #dir: string;
  readonly #name: string;
  readonly #columns: readonly string[];
  readonly #options: CsvWriterOptions;
  readonly #files: WrittenFile[] = [];
  #current: OpenFile | undefined;
  #rows = 0;

  constructor(
    dir: string,
    name: string,
    columns: readonly ColumnSpec[],
    options: CsvWriterOptions = {},
  ) {
    this.#dir = dir;
    this.#name = name;
    this.#columns = columns.map((c) => c.name);
    this.#options = options;
  }

  /** Rows written so far. */
  get rows(): number {
    return this.#rows;
  }

  #fileName(index: number): string {
    const ext = this.#options.gzip === true ? '.csv.gz' : '.csv';
    return this.#options.splitRows === undefined
      ? `${this.#name}${ext}`
      : `${this.#name}_${String(index)}${ext}`;
  }

  #open(): OpenFile {
    const file = this.#fileName(this.#files.length + 1);
    const formatter = format<string[], string[]>({
      headers: [...this.#columns],
      alwaysWriteHeaders: true,
      rowDelimiter: '\r\n',
      includeEndRowDelimiter: true,
    });
    const tally = new Tally();
    const out = createWriteStream(join(this.#dir, file), { mode: 0o600 });
    const stages: NodeJS.ReadWriteStream[] = [];
    if (this.#options.bom === true) stages.push(new ByteOrderMark());
    if (this.#options.gzip === true) stages.push(createGzip());
    const finished = pipeline([formatter, ...stages, tally, out]);
    return { file, formatter, tally, finished, rows: 0 };
  }

  async #closeCurrent(): Promise<void> {
    const current = this.#current;
    if (current === undefined) return;
    this.#current = undefined;
    current.formatter.end();
    await current.finished;
    this.#files.push({
      file: current.file,
      rows: current.rows,
      bytes: current.tally.bytes,
      sha256: current.tally.hash.digest('hex'),
    });
  }

  /** Write one row (its cells in column order; missing ones empty). */
  async write(row: Row): Promise<void> {
    const split = this.#options.splitRows;
    if (this.#current !== undefined && split !== undefined && this.#current.rows >= split) {
      await this.#closeCurrent();
    }
    this.#current ??= this.#open();
    const current = this.#current;
    current.rows += 1;
    this.#rows += 1;
    if (!current.formatter.write(this.#columns.map((name) => cellText(row[name])))) {
      await once(current.formatter, 'drain');
    }
  }

  /** End the last file; returns every file written, in order. */
  async close(): Promise<readonly WrittenFile[]> {
    if (this.#current === undefined && this.#files.length === 0) this.#current = this.#open();
    await this.#closeCurrent();
    return [...this.#files];
  }
}
