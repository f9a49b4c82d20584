/**
 * Load the table files of a data package into their course databases (issue 4; DESIGN.md
 * "Databases and collections"): each file is parsed with `@edx-data/edx-sql-parser`,
 * written into a temporary collection, indexed, and swapped in only when the whole file was
 * read and (for `.gpg`) its integrity verified, so that a failed import leaves either the
 * old data or the new, never a mix. Rejected rows are kept, with their reasons, in the
 * course database's `import_rejected` collection.
 */
import { basename } from 'node:path';
import type { InputFile, PassphraseProvider } from '@edx-data/core';
import { courseDatabaseName, openInput, parseCourseId } from '@edx-data/core';
import type { RejectedRow, SqlDumpSummary, SqlRow } from '@edx-data/edx-sql-parser';
import { parseSqlDump } from '@edx-data/edx-sql-parser';
import type { Document, Store } from '@edx-data/store';

/** Collection names of DESIGN.md; every other table keeps its own name. */
export const COLLECTION_OF_TABLE: Readonly<Record<string, string>> = {
  auth_user: 'user',
  auth_userprofile: 'userprofile',
  certificates_generatedcertificate: 'certificates',
  student_courseenrollment: 'enrollment',
};

/** Fields indexed wherever a table has them. */
export const INDEXED_FIELDS = [
  'id',
  'user_id',
  'username',
  'course_id',
  'module_id',
  'student_id',
] as const;

/** Where rejected rows of table imports are kept, in each course database. */
export const REJECTED_COLLECTION = 'import_rejected';

export interface TableImportOptions {
  readonly key?: string | undefined;
  readonly passphrase?: string | PassphraseProvider | undefined;
  /** Load into this course's database whatever the file name says. */
  readonly courseId?: string | undefined;
  /** Bytes read of the file, as it is read. */
  readonly onProgress?: ((bytesRead: number, totalBytes: number) => void) | undefined;
}

/** What one table file gave. */
export interface TableImportResult {
  readonly file: string;
  readonly table: string;
  readonly database: string;
  readonly collection: string;
  readonly rows: number;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Record<string, number>>;
  /** Columns the schema does not know (loaded as strings) and columns the file lacks. */
  readonly unknownColumns: readonly string[];
  readonly missingColumns: readonly string[];
  readonly unknownTable: boolean;
  readonly format: SqlDumpSummary['format'];
}

function tableOf(file: InputFile): { table: string; courseKey: string | undefined } | undefined {
  const c = file.classification;
  if (c.kind !== 'table') return undefined;
  return { table: c.table, courseKey: c.key };
}

/** The document stored for a row: its values, keyed by its position in the file (stable across re-imports). */
function documentOf(row: SqlRow, position: number): Document {
  return { _id: position, ...row.values };
}

const REJECT_BATCH = 1000;

/**
 * Import one table file (a path, or an entry of a weekly zip) into its course database.
 * @throws when the file cannot be read to its end (nothing is swapped in then).
 */
export async function importTableFile(
  store: Store,
  file: InputFile,
  options: TableImportOptions = {},
): Promise<TableImportResult> {
  const found = tableOf(file);
  if (!found) throw new Error(`${file.path} is not a table file`);
  const courseKey =
    options.courseId === undefined ? found.courseKey : parseCourseId(options.courseId).key;
  if (courseKey === undefined) {
    throw new Error(`cannot tell the course of ${file.path}; give --course-id`);
  }
  const database = courseDatabaseName(courseKey);
  const db = store.db(database);
  const collection = COLLECTION_OF_TABLE[found.table] ?? found.table;
  const loading = db.collection(`${collection}__loading`);
  const rejects = db.collection(REJECTED_COLLECTION);
  const fileName = basename(file.zip?.entry ?? file.path);

  await loading.drop();
  const input = await openInput(file.zip ?? file.path, {
    key: options.key,
    passphrase: options.passphrase,
    onProgress: options.onProgress,
  });
  // Rejects of this run carry its id: they replace the file's earlier ones only on success.
  const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  let pending: Document[] = [];
  const flushRejects = async (): Promise<void> => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    await rejects.insertMany(batch, { ordered: false });
  };
  const reject = (row: Omit<RejectedRow, 'file'> & { reason: string }): void => {
    pending.push({
      ...row,
      file: fileName,
      raw: row.raw.slice(0, 10_000),
      import_run: run,
      imported_at: new Date(),
    });
  };
  const rows = parseSqlDump(input.stream, { file: fileName, table: found.table, onReject: reject });
  let otherTables = 0;
  async function* documents(): AsyncGenerator<Document> {
    let position = 0;
    for await (const row of rows) {
      if (row.table !== found?.table) {
        // A dump holding several tables: this import takes one; the others are kept as rejects.
        otherTables++;
        reject({
          table: row.table,
          line: row.line,
          reason: `a row of table ${row.table}, not ${found?.table ?? ''}`,
          raw: JSON.stringify(row.values),
        });
      } else {
        position++;
        yield documentOf(row, position);
      }
      if (pending.length >= REJECT_BATCH) await flushRejects();
    }
    await flushRejects();
  }
  try {
    await loading.insertMany(documents(), { ordered: true });
    await input.done; // the whole file was read and verified: only now may it replace the old data
  } catch (error) {
    input.stream.destroy();
    await loading.drop().catch(() => undefined);
    await rejects.deleteMany({ import_run: run }).catch(() => undefined);
    throw error;
  }
  const summary = rows.summary;
  const sample = await loading.findOne({});
  const columns = new Set(Object.keys(sample ?? {}));
  for (const field of INDEXED_FIELDS) {
    if (columns.has(field)) await loading.createIndex({ [field]: 1 });
  }
  if (sample === null) {
    // A header-only (or empty) file: the table is empty now.
    await db.collection(collection).deleteMany({});
    await loading.drop();
  } else {
    await loading.rename(collection, { dropTarget: true });
  }
  await rejects.deleteMany({ file: fileName, import_run: { $ne: run } });
  const unknownColumns = summary.schemaDrift.unknownColumns[found.table] ?? [];
  const missingColumns = summary.schemaDrift.missingColumns[found.table] ?? [];
  return {
    file: file.path,
    table: found.table,
    database,
    collection,
    rows: summary.rows,
    rejected: summary.rejected.count + otherTables,
    rejectedByReason: {
      ...summary.rejected.byReason,
      ...(otherTables > 0 ? { 'other-table': otherTables } : {}),
    },
    unknownColumns: [...unknownColumns],
    missingColumns: [...missingColumns],
    unknownTable: summary.schemaDrift.unknownTables.includes(found.table),
    format: summary.format,
  };
}
