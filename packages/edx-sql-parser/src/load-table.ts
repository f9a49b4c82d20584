/**
 * `loadTable`: one table file of a data package into its course database (DESIGN.md
 * "Databases and collections"; issue 11). The file is parsed with {@link parseSqlDump},
 * written into a temporary collection, indexed, and swapped in (`replaceCollections` of
 * `@edx-data/store`) only once the whole file was read and, for `.gpg`, verified, and only
 * when the refusal rule lets it: a failed or refused load leaves the old collection as it was.
 * Rejected rows and invalid cells go to the course database's `import_rejected` collection in
 * the store's one rejected-record shape.
 *
 * The store is imported only when `loadTable` runs (and only its types here), so that
 * programs that only parse never load it or its engines.
 */
import { basename } from 'node:path';
import {
  COURSE_COLLECTIONS,
  courseDatabaseName,
  openInput,
  tableCollection,
  tryParseCourseId,
  UsageError,
} from '@edx-data/core';
import type {
  OpenedInput,
  PassphraseProvider,
  ProgressCallback,
  ZipEntryInput,
} from '@edx-data/core';
import type {
  Collection,
  Database,
  Document,
  RejectedInput,
  RejectWriter,
  Store,
} from '@edx-data/store';
import { classifyTableFile, parseSqlDump } from './parse-sql-dump.js';
import type { SqlDumpSummary } from './parse-sql-dump.js';
import type { InvalidCell, InvalidCellCode, RejectedRow, SqlRow } from './types.js';

/** Fields indexed wherever a table has them. */
const INDEXED_FIELDS: readonly string[] = [
  'id',
  'user_id',
  'username',
  'course_id',
  'module_id',
  'student_id',
];

/** The default of {@link LoadTableOptions.maxRejectedShare}. */
export const DEFAULT_MAX_REJECTED_SHARE = 0.1;

export interface LoadTableOptions {
  /** OpenPGP private key (armored, or a file path) for `.gpg` files. */
  readonly key?: string | undefined;
  /** Passphrase of that key, or a function returning it. */
  readonly passphrase?: string | PassphraseProvider | undefined;
  /**
   * Load into this course's database whatever the file name says (any form:
   * `course-v1:Org+Course+Run`, `Org/Course/Run`). @default the course of the file name
   */
  readonly courseId?: string | undefined;
  /** Called as the file is read, with the bytes read of the file as stored. */
  readonly onProgress?: ProgressCallback | undefined;
  /**
   * The largest share of the file's rows that may be rejected (rows that cannot be split into
   * the header's fields; rows with invalid cells are loaded rows, not rejects) for the file
   * to replace its collection; above it the load is refused. Between 0 and 1.
   * @default 0.1 (a file whose structure is broken in more than one row in ten is more likely
   * the wrong file, cut short, or of another format than a table to trust)
   */
  readonly maxRejectedShare?: number | undefined;
  /** Abort the load: nothing is swapped in, this run's rejects are removed. */
  readonly signal?: AbortSignal | undefined;
}

/** What {@link loadTable} did with one table file. */
export interface LoadTableResult {
  /** The file as given: its path, or `archive.zip:entry`. */
  readonly file: string;
  /** The file name as recorded in `import_rejected` (the base name of the path or entry). */
  readonly fileName: string;
  /** The table, from the file name (`auth_user`, `courseware_studentmodule`, …). */
  readonly table: string;
  /** The course key the database was named after (`course-v1:Org+Course+Run`). */
  readonly courseKey: string;
  readonly database: string;
  /** The collection of the table (`user` for `auth_user`, …; see core `tableCollection`). */
  readonly collection: string;
  /**
   * `loaded`: the collection now holds the file's rows (or is gone, for a file without data
   * rows). `refused`: the refusal rule kept the old collection; see `refusal`.
   */
  readonly status: 'loaded' | 'refused';
  /** Why the load was refused. */
  readonly refusal?: string;
  /** How the file was read: `tsv`, `mysqldump`, or `empty` (not one line). */
  readonly format: NonNullable<SqlDumpSummary['format']>;
  /** Rows of the table in the file: loaded (or, when refused, that would have been) + rejected. */
  readonly records: number;
  /** Rows loaded (when refused: rows that would have been). */
  readonly rows: number;
  /** Of those, rows with at least one invalid cell (`null` there, text under `_invalid`). */
  readonly rowsWithInvalidCells: number;
  /** Cells that did not fit their column's type. */
  readonly invalidCells: number;
  /** Invalid cells by column and {@link InvalidCellCode}. */
  readonly invalidCellsByColumn: Readonly<
    Record<string, Readonly<Partial<Record<InvalidCellCode, number>>>>
  >;
  /** Rows not loaded (each kept in `import_rejected` with its reason). */
  readonly rejected: number;
  /** Rejected rows by code: the parser's `RejectCode`s, and `other-table` for rows of another table of a dump. */
  readonly rejectedByReason: Readonly<Record<string, number>>;
  /** Columns the schema does not know (loaded as strings), and schema columns the file lacks. */
  readonly unknownColumns: readonly string[];
  readonly missingColumns: readonly string[];
  /** True for a table without a schema (every column loaded as a string). */
  readonly unknownTable: boolean;
  /**
   * True when the server lacked `renameCollection`'s `dropTarget` (FerretDB) and the old
   * collection was dropped just before the rename: a short window without the collection.
   */
  readonly droppedBeforeRename: boolean;
}

/** The code of an invalid cell in `import_rejected` (its row was loaded). */
export const INVALID_CELL_REJECT_CODE = 'invalid-cell';

/** Thrown inside `beforeSwap` to abandon the swap; caught by {@link loadTable}. */
class Refusal extends Error {}

/**
 * The code of the record a refused load adds to `import_rejected` (one per refused load,
 * `line: null`, `reason` the refusal): its `run` marks the rejects of that load.
 */
export const REFUSED_REJECT_CODE = 'refused';

function checkOptions(options: LoadTableOptions): number {
  const share = options.maxRejectedShare ?? DEFAULT_MAX_REJECTED_SHARE;
  if (typeof share !== 'number' || !(share >= 0 && share <= 1)) {
    throw new UsageError(
      'E_OPTION',
      `loadTable: \`maxRejectedShare\` must be a number from 0 to 1, got ${String(share)}`,
    );
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new UsageError('E_OPTION', 'loadTable: `onProgress` must be a function');
  }
  if (options.courseId !== undefined && typeof options.courseId !== 'string') {
    throw new UsageError('E_OPTION', 'loadTable: `courseId` must be a string');
  }
  return share;
}

function courseKeyOf(courseId: string): string {
  const key = tryParseCourseId(courseId.trim())?.key;
  if (key === undefined) {
    throw new UsageError(
      'E_OPTION',
      `loadTable: \`courseId\` "${courseId}" is not a complete course id (expected course-v1:Org+Course+Run or Org/Course/Run)`,
    );
  }
  return key;
}

function describeInput(input: string | ZipEntryInput): { path: string; name: string } {
  if (typeof input === 'string') {
    if (input === '') throw new UsageError('E_OPTION', 'loadTable: the path is empty');
    return { path: input, name: basename(input) };
  }
  if (
    typeof input !== 'object' ||
    typeof input.archive !== 'string' ||
    typeof input.entry !== 'string'
  ) {
    throw new UsageError(
      'E_OPTION',
      'loadTable: input must be a path or a zip entry { archive, entry }',
    );
  }
  return { path: `${input.archive}:${input.entry}`, name: basename(input.entry) };
}

/** Why the rows read must not replace the collection, or undefined when they may. */
function refusalOf(rows: number, rejected: number, maxShare: number): string | undefined {
  const records = rows + rejected;
  if (records === 0) return undefined;
  if (rows === 0) {
    return `all ${String(rejected)} rows of the file were rejected: loading it would empty the collection`;
  }
  const share = rejected / records;
  if (share > maxShare) {
    return `${String(rejected)} of the file's ${String(records)} rows were rejected (${(share * 100).toFixed(1)}%, more than the ${(maxShare * 100).toFixed(1)}% allowed by maxRejectedShare)`;
  }
  return undefined;
}

function rejectOfRow(row: RejectedRow): RejectedInput {
  return {
    file: row.file,
    line: row.line,
    column: row.columnName ?? row.column,
    code: row.code ?? 'sql',
    reason: row.reason,
    raw: row.raw,
  };
}

function rejectOfCell(cell: InvalidCell): RejectedInput {
  return {
    file: cell.file,
    line: cell.line,
    column: cell.name,
    code: INVALID_CELL_REJECT_CODE,
    reason: cell.reason,
    raw: cell.text,
  };
}

interface Fill {
  readonly summary: SqlDumpSummary;
  readonly rows: number;
  readonly otherTables: number;
}

/**
 * Loads one table file of a data package (`…-auth_user-prod-analytics.sql[.gpg]`, TSV or a
 * real mysqldump; a path, or an entry of a weekly zip as core `walkInputs` gives it) into the
 * database of its course: collection `tableCollection(table)` (`auth_user` → `user`, …),
 * documents `{ _id: n, ...values }` (`n` the row's position among the file's rows, so a
 * re-import gives the same ids), indexed on `id`, `user_id`, `username`, `course_id`,
 * `module_id` and `student_id` where present.
 *
 * - A row that cannot be split into the header's fields is rejected; a cell that does not fit
 *   its column's type is `null` with its text under `_invalid`, and its row is loaded. Both go
 *   to `import_rejected` (`{ file, line, column?, code, reason, raw, raw_truncated, raw_bytes,
 *   table, run, imported_at }`; an invalid cell has `code: 'invalid-cell'`, its column's
 *   name and its text as `raw`).
 * - Refusal: the collection is not replaced when the file had rows and all were rejected, or
 *   more than `maxRejectedShare` of them were. The old collection stays, this run's rejects are
 *   kept so the reasons can be read, with one record `{ code: 'refused', line: null, reason }`
 *   whose `run` marks them, and the result says `status: 'refused'`. A file without data rows (header only, or empty) is loaded: its
 *   collection is dropped (the table is empty).
 * - Once a file was read whole (loaded or refused), its rejects replace its earlier ones,
 *   except that a refusal leaves the rejects of the load whose rows are still in place.
 *
 * @throws UsageError `E_OPTION` for bad options, for a name that is not a table file's, or
 *   when the course cannot be told (pass `courseId`); `E_DATABASE_NAME` for a course id
 *   without a run. InputError for a file that cannot be read to its end (openInput's codes:
 *   `E_FILE_NOT_FOUND`, `E_DECRYPT_*`, `E_PASSPHRASE_*`, `E_GZIP_*`, `E_GPG_*`,
 *   `E_INTEGRITY`) or a bad header (`E_INPUT`); the abort reason when `signal` aborts;
 *   StoreError from the store. Then nothing is swapped in and this run's rejects are removed.
 */
export async function loadTable(
  store: Store,
  input: string | ZipEntryInput,
  options: LoadTableOptions = {},
): Promise<LoadTableResult> {
  const maxShare = checkOptions(options);
  const { path, name } = describeInput(input);
  const found = classifyTableFile(name);
  if (found === undefined) {
    throw new UsageError(
      'E_OPTION',
      `loadTable: ${name} is not the name of a table file ({org}-{course}-{run}-{table}-{site}[-analytics].sql[.gz][.gpg])`,
    );
  }
  const table = found.table;
  const courseKey = options.courseId === undefined ? found.key : courseKeyOf(options.courseId);
  const database = courseDatabaseName(courseKey);
  const collection = tableCollection(table);
  options.signal?.throwIfAborted();

  const { RejectWriter, replaceCollections } = await import('@edx-data/store');
  const db: Database = store.db(database);
  const rejectsCollection = db.collection(COURSE_COLLECTIONS.rejects);
  // Rejects are found by file and run when a load replaces them.
  await rejectsCollection.createIndex({ file: 1, run: 1 });
  // Rejects of this run carry its id (`run`): they replace the file's earlier ones only once it
  // was read whole.
  const rejects = new RejectWriter(rejectsCollection, {
    scope: { file: name },
    extra: { table, imported_at: new Date() },
  });
  const onProgress = options.onProgress;

  let opened: OpenedInput | undefined;
  let filled: Fill | undefined;
  let refusal: string | undefined;
  let droppedBeforeRename = false;
  try {
    opened = await openInput(input, {
      key: options.key,
      passphrase: options.passphrase,
      signal: options.signal,
      onProgress:
        onProgress === undefined
          ? undefined
          : (bytesRead, totalBytes) => {
              onProgress({ file: path, bytesRead, totalBytes });
            },
    });
    const source = opened;
    const result = await replaceCollections(
      db,
      [collection],
      async (temporary: Readonly<Record<string, Collection>>) => {
        const value = await fillCollection(temporary[collection] as Collection, source, {
          file: name,
          table,
          rejects,
        });
        filled = value;
        return value;
      },
      {
        beforeSwap: () => {
          const value = filled as Fill;
          refusal = refusalOf(value.rows, rejected(value), maxShare);
          return refusal === undefined ? Promise.resolve() : Promise.reject(new Refusal(refusal));
        },
      },
    );
    droppedBeforeRename = result.droppedBeforeRename;
  } catch (error) {
    if (!(error instanceof Refusal)) {
      opened?.stream.destroy();
      await rejects.discard().catch(() => undefined);
      // An abort surfaces in the stream as its own AbortError: the caller gets its reason.
      throw options.signal?.aborted === true ? (options.signal.reason as unknown) : error;
    }
  }
  const fill = filled as unknown as Fill;
  await replaceEarlierRejects(rejectsCollection, rejects, name, refusal);
  return resultOf(fill, {
    path,
    name,
    table,
    courseKey,
    database,
    collection,
    refusal,
    droppedBeforeRename,
  });
}

function rejected(fill: Fill): number {
  return fill.summary.rejected.count + fill.otherTables;
}

/** Parses the file into `target`, writing rejects as they come; ends once `done` resolved. */
async function fillCollection(
  target: Collection,
  source: OpenedInput,
  context: { readonly file: string; readonly table: string; readonly rejects: RejectWriter },
): Promise<Fill> {
  const { file, table, rejects } = context;
  const reader = parseSqlDump(source.stream, {
    file,
    table,
    onReject: (row) => {
      rejects.add(rejectOfRow(row));
    },
    onInvalidCell: (cell) => {
      rejects.add(rejectOfCell(cell));
    },
    // Between chunks: a full batch of rejects is written before reading on.
    drain: () => (rejects.full ? rejects.flush() : undefined),
  });
  let rows = 0;
  let otherTables = 0;
  let columns: readonly string[] | undefined;
  async function* documents(): AsyncGenerator<Document> {
    for await (const row of reader) {
      if (row.table === table) {
        rows += 1;
        columns ??= Object.keys(row.values);
        yield documentOf(row, rows);
      } else {
        // A dump holding several tables: this load takes one; the others are kept as rejects.
        otherTables += 1;
        rejects.add({
          file,
          line: row.line,
          code: 'other-table',
          reason: `a row of table ${row.table}, not ${table}`,
          raw: JSON.stringify(row.values),
        });
      }
    }
  }
  await target.insertMany(documents(), { ordered: true });
  // The whole file was read and verified: only now may it replace the old data.
  await source.done;
  await rejects.flush();
  const present = new Set(columns ?? []);
  if (rows > 0) {
    for (const field of INDEXED_FIELDS) {
      if (present.has(field)) await target.createIndex({ [field]: 1 });
    }
  }
  return { summary: reader.summary, rows, otherTables };
}

/** The document stored for a row: its values (with `_invalid`), keyed by its position. */
function documentOf(row: SqlRow, position: number): Document {
  return { _id: position, ...row.values };
}

/**
 * After a file was read whole: a load replaces every earlier reject of the file; a refusal
 * adds its `refused` record and replaces only the rejects of earlier refused loads (told by
 * their `refused` records), so the rejects of the rows still in place stay.
 */
async function replaceEarlierRejects(
  rejects: Collection,
  writer: RejectWriter,
  file: string,
  refusal: string | undefined,
): Promise<void> {
  if (refusal === undefined) {
    await writer.commit();
    return;
  }
  writer.add({ file, line: null, code: REFUSED_REJECT_CODE, reason: refusal, raw: '' });
  await writer.flush();
  const refusedRuns = await rejects.distinct('run', {
    file,
    code: REFUSED_REJECT_CODE,
    run: { $ne: writer.run },
  });
  if (refusedRuns.length > 0) {
    await rejects.deleteMany({ file, run: { $in: refusedRuns } });
  }
}

function resultOf(
  fill: Fill,
  context: {
    readonly path: string;
    readonly name: string;
    readonly table: string;
    readonly courseKey: string;
    readonly database: string;
    readonly collection: string;
    readonly refusal: string | undefined;
    readonly droppedBeforeRename: boolean;
  },
): LoadTableResult {
  const { summary, rows, otherTables } = fill;
  const { table, refusal } = context;
  const drift = summary.schemaDrift;
  const rejectedByReason: Record<string, number> = { ...summary.rejected.byReason };
  if (otherTables > 0) rejectedByReason['other-table'] = otherTables;
  const byColumn = summary.invalidCells.byColumn[table] ?? {};
  return {
    file: context.path,
    fileName: context.name,
    table,
    courseKey: context.courseKey,
    database: context.database,
    collection: context.collection,
    status: refusal === undefined ? 'loaded' : 'refused',
    ...(refusal === undefined ? {} : { refusal }),
    format: summary.format ?? 'empty',
    records: rows + rejected(fill),
    rows,
    rowsWithInvalidCells: summary.invalidCells.rows,
    invalidCells: summary.invalidCells.count,
    invalidCellsByColumn: structuredClone(byColumn),
    rejected: rejected(fill),
    rejectedByReason,
    unknownColumns: [...(drift.unknownColumns[table] ?? [])],
    missingColumns: [...(drift.missingColumns[table] ?? [])],
    unknownTable: drift.unknownTables.includes(table),
    droppedBeforeRename: context.droppedBeforeRename,
  };
}
