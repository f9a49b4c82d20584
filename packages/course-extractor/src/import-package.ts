/**
 * The course databases of a data package: every table, forum and course structure file of
 * the folders, weekly zips or files given, each through its loader (`loadTable` of
 * `@edx-data/edx-sql-parser`, `loadForum` of `@edx-data/forum-importer`,
 * `importCourseStructure` of this package) into the database of its course. When several
 * files give the same collection of the same course (weekly packages given together), only
 * the newest package's file is loaded, whatever the order of the arguments; the others are
 * reported as superseded. A file that fails, or is refused, leaves its collections as they
 * were and the others still load. Each file loaded is recorded in the package ledger
 * (`PACKAGE_LEDGER`: `tracking_logs.package_imported`) by the SHA-256 of its bytes: a later
 * call skips a file whose bytes and target are unchanged while its collections are still
 * there (unless `reload`).
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, sep } from 'node:path';
import {
  classifyFile,
  COURSE_COLLECTIONS,
  InputError,
  isEdxDataError,
  redactSecrets,
  tableCollection,
  tryParseCourseId,
  walkInputs,
} from '@edx-data/core';
import type {
  ErrorCode,
  FileKind,
  InputFile,
  PassphraseProvider,
  Progress,
  ZipEntryInput,
} from '@edx-data/core';
import { loadTable } from '@edx-data/edx-sql-parser';
import { loadForum } from '@edx-data/forum-importer';
import type { Store } from '@edx-data/store';
import { importCourseStructure } from './import-course-structure.js';
import { PackageLedger } from './package-ledger.js';

/** The kinds of file `importPackage` loads. */
export type PackageFileKind = 'table' | 'forum' | 'course_structure';

/**
 * What became of a file: `loaded`; `refused` by a loader's safety rule (its collection kept,
 * its rejects written: see `error`); `failed` (unreadable, integrity, store error: nothing
 * swapped in); `superseded` by the same collection of a newer package (not read); `skipped`:
 * loaded before with the same bytes into the same target, its collections still there (not
 * read; see `loadedBefore`).
 */
export type PackageFileStatus = 'loaded' | 'refused' | 'failed' | 'superseded' | 'skipped';

/** One file of the package, and what its load gave. */
export interface PackageFileResult {
  /** The file as walked: its path, or `archive.zip:entry`. */
  readonly path: string;
  readonly kind: PackageFileKind;
  readonly status: PackageFileStatus;
  /** The date of the package the file came in (`YYYY-MM-DD` of its folder or zip), if named. */
  readonly packageDate: string | null;
  /** The course database written (known once the file was loaded or refused). */
  readonly database?: string;
  /** The collections the file fills (`user`, `forum` and `forum_posts`, …). */
  readonly collections: readonly string[];
  /** Rows, documents or blocks loaded (0 when not read). */
  readonly rows: number;
  /** Records rejected (kept in the course database's `import_rejected`). */
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Record<string, number>>;
  /** Table cells that did not fit their column's type (loaded as null, text kept). */
  readonly invalidCells: number;
  /** Short remarks for a report (schema drift, forum counts, structure issues). */
  readonly notes: readonly string[];
  /** Why the file failed or was refused (redacted of the passphrase). */
  readonly error?: string;
  readonly errorCode?: ErrorCode;
  /** For a superseded file: the file loaded instead. */
  readonly supersededBy?: string;
  /**
   * SHA-256 (hex) of the file's bytes, as the package ledger keeps it (for a zip entry, of the
   * archive's bytes and the entry's name); set for a file loaded or skipped.
   */
  readonly hash?: string;
  /** For a skipped file: when it was loaded, and what that load gave. */
  readonly loadedBefore?: {
    readonly at: Date;
    readonly rows: number;
    readonly rejected: number;
  };
  /**
   * True when the server lacked `renameCollection`'s `dropTarget` (FerretDB v1) and the old
   * collection was dropped just before the new one was renamed in.
   */
  readonly droppedBeforeRename: boolean;
}

/** A file of the inputs that `importPackage` does not load (tracking logs, OLX, unknown). */
export interface NotImportedFile {
  readonly path: string;
  readonly kind: FileKind;
}

export interface ImportPackageResult {
  readonly files: readonly PackageFileResult[];
  readonly notImported: readonly NotImportedFile[];
  readonly totals: {
    readonly loaded: number;
    readonly refused: number;
    readonly failed: number;
    readonly superseded: number;
    /** Files not read: loaded before, unchanged (see `PackageFileStatus`). */
    readonly skipped: number;
    readonly notImported: number;
    readonly rows: number;
    readonly rejected: number;
    readonly invalidCells: number;
  };
}

/** Progress of an import: the file being read, and the bytes of the whole run. */
export interface PackageProgress extends Progress {
  readonly runBytesRead: number;
  readonly runTotalBytes: number;
}

export interface ImportPackageOptions {
  /** OpenPGP private key (armored, or a file path) for `.gpg` files. */
  readonly key?: string | undefined;
  /** Passphrase of the key, or a function returning it. */
  readonly passphrase?: string | PassphraseProvider | undefined;
  /** Load every file into this course, whatever the file names say. */
  readonly courseId?: string | undefined;
  /**
   * Load every file, even one the package ledger says was loaded before unchanged (each is
   * recorded again).
   * @default false
   */
  readonly reload?: boolean | undefined;
  /** The refusal threshold of `loadTable`. @default loadTable's */
  readonly maxRejectedShare?: number | undefined;
  readonly onProgress?: ((progress: PackageProgress) => void) | undefined;
  /** Called as each file is done (superseded ones first, then skipped ones). */
  readonly onFile?: ((result: PackageFileResult) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

const LOADED_KINDS: ReadonlySet<string> = new Set<PackageFileKind>([
  'table',
  'forum',
  'course_structure',
]);

/** A loadable file with what decides which file of a collection wins. */
interface Candidate {
  readonly file: InputFile;
  readonly kind: PackageFileKind;
  readonly target: string;
  readonly packageDate: string | null;
  readonly modified: number;
  readonly order: number;
}

const DATE = /(\d{4}-\d{2}-\d{2})/gu;

function lastDate(text: string): string | null {
  const all = [...text.matchAll(DATE)].map((m) => m[1] ?? '');
  return all.at(-1) ?? null;
}

/**
 * The date of the package a file came in: the last `YYYY-MM-DD` of a weekly zip's name, or
 * of the folders of its path (`{org}-{date}/…`), nearest first.
 */
function packageDateOf(file: InputFile): string | null {
  if (file.zip !== undefined) {
    return lastDate(dirname(file.zip.entry)) ?? lastDate(basename(file.zip.archive));
  }
  const folders = dirname(file.path).split(sep).reverse();
  for (const folder of folders) {
    const date = lastDate(folder);
    if (date !== null) return date;
  }
  return null;
}

/** Same course, same collection(s): the files that compete for one target. */
function targetOf(file: InputFile, kind: PackageFileKind, courseId: string | undefined): string {
  const c = file.classification;
  const course =
    courseId ??
    ('key' in c && typeof c.key === 'string'
      ? c.key
      : `?${basename(file.zip?.entry ?? file.path)}`);
  if (kind === 'table' && c.kind === 'table') return `${course}\u0000${tableCollection(c.table)}`;
  return `${course}\u0000${kind}`;
}

/** The key of a target in the package ledger: its course and collection, joined by a space. */
function ledgerId(candidate: Candidate): string {
  return candidate.target.replace('\u0000', ' ');
}

async function inputFiles(paths: readonly string[]): Promise<InputFile[]> {
  const files: InputFile[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (info === null) {
      throw new InputError('E_FILE_NOT_FOUND', 'no such file or folder', { file: path });
    }
    if (info.isDirectory() || (info.isFile() && /\.zip$/iu.test(path))) {
      for await (const file of walkInputs(path)) files.push(file);
    } else {
      files.push({ path, size: info.size, classification: classifyFile(path) });
    }
  }
  return files;
}

async function modifiedOf(file: InputFile): Promise<number> {
  const info = await stat(file.zip?.archive ?? file.path).catch(() => null);
  return info?.mtimeMs ?? 0;
}

/** Newest package first: by package date, then file time, then the later argument. */
function newerFirst(a: Candidate, b: Candidate): number {
  if (a.packageDate !== b.packageDate) {
    if (a.packageDate === null) return 1;
    if (b.packageDate === null) return -1;
    return a.packageDate < b.packageDate ? 1 : -1;
  }
  if (a.modified !== b.modified) return b.modified - a.modified;
  return b.order - a.order;
}

function emptyResult(
  candidate: Candidate,
  status: PackageFileStatus,
): Omit<PackageFileResult, 'collections'> {
  return {
    path: candidate.file.path,
    kind: candidate.kind,
    status,
    packageDate: candidate.packageDate,
    rows: 0,
    rejected: 0,
    rejectedByReason: {},
    invalidCells: 0,
    notes: [],
    droppedBeforeRename: false,
  };
}

function collectionsOf(candidate: Candidate): readonly string[] {
  const c = candidate.file.classification;
  if (c.kind === 'table') return [tableCollection(c.table)];
  if (c.kind === 'forum') return [COURSE_COLLECTIONS.forum, COURSE_COLLECTIONS.forum_posts];
  return [COURSE_COLLECTIONS.course_structure, COURSE_COLLECTIONS.course_axis];
}

const count = (n: number): string => n.toLocaleString('en-US');

async function loadOne(
  store: Store,
  candidate: Candidate,
  options: ImportPackageOptions,
  onProgress: (bytesRead: number) => void,
): Promise<PackageFileResult> {
  const input: string | ZipEntryInput = candidate.file.zip ?? candidate.file.path;
  const base = { ...emptyResult(candidate, 'loaded'), collections: collectionsOf(candidate) };
  if (candidate.kind === 'table') {
    const r = await loadTable(store, input, {
      key: options.key,
      passphrase: options.passphrase,
      courseId: options.courseId,
      maxRejectedShare: options.maxRejectedShare,
      signal: options.signal,
      onProgress: ({ bytesRead }) => {
        onProgress(bytesRead);
      },
    });
    return {
      ...base,
      status: r.status,
      database: r.database,
      rows: r.rows,
      rejected: r.rejected,
      rejectedByReason: r.rejectedByReason,
      invalidCells: r.invalidCells,
      notes: [
        r.unknownTable ? 'unknown table (loaded as text)' : '',
        r.unknownColumns.length > 0 ? `new columns: ${r.unknownColumns.join(', ')}` : '',
        r.missingColumns.length > 0 ? `missing: ${r.missingColumns.join(', ')}` : '',
        r.invalidCells > 0
          ? `${count(r.invalidCells)} invalid cells in ${count(r.rowsWithInvalidCells)} rows (null, text kept)`
          : '',
      ].filter((note) => note !== ''),
      ...(r.refusal === undefined ? {} : { error: r.refusal, errorCode: 'E_REFUSED' as const }),
      droppedBeforeRename: r.droppedBeforeRename,
    };
  }
  if (candidate.kind === 'forum') {
    const r = await loadForum(store, input, {
      key: options.key,
      passphrase: options.passphrase,
      courseId: options.courseId,
      signal: options.signal,
      onProgress: ({ bytesRead }) => {
        onProgress(bytesRead);
      },
    });
    return {
      ...base,
      database: r.database,
      rows: r.documents,
      rejected: r.rejected,
      rejectedByReason: r.rejectedByReason,
      notes: [
        `${count(r.byType.thread)} threads, ${count(r.byType.response)} responses, ${count(r.byType.comment)} comments (also in ${COURSE_COLLECTIONS.forum_posts})`,
      ],
    };
  }
  const r = await importCourseStructure(store, input, {
    key: options.key,
    passphrase: options.passphrase,
    courseId: options.courseId,
  });
  const missing = r.issues.missingChildren.length;
  const several = r.issues.multipleParents.length;
  return {
    ...base,
    database: r.database,
    rows: r.blocks,
    notes: [
      missing > 0 ? `${count(missing)} missing children` : '',
      several > 0 ? `${count(several)} blocks with several parents` : '',
    ].filter((note) => note !== ''),
  };
}

/**
 * Import the table, forum and course structure files of `paths` (package folders, weekly
 * `.zip` files, or files) into their course databases; see the module comment. Never throws
 * for one file: each file's outcome is in the result.
 *
 * @throws InputError `E_FILE_NOT_FOUND` for a path that does not exist; UsageError
 *   `E_COURSE_ID`-class errors for a bad `courseId`
 */
export async function importPackage(
  store: Store,
  paths: readonly string[],
  options: ImportPackageOptions = {},
): Promise<ImportPackageResult> {
  if (options.courseId !== undefined && tryParseCourseId(options.courseId)?.hasRun !== true) {
    throw new InputError('E_COURSE_ID', `not a complete course id: ${options.courseId}`);
  }
  const all = await inputFiles(paths);
  const notImported: NotImportedFile[] = [];
  const candidates: Candidate[] = [];
  for (const [order, file] of all.entries()) {
    const kind = file.classification.kind;
    if (!LOADED_KINDS.has(kind) || file.problem !== undefined) {
      notImported.push({ path: file.path, kind });
      continue;
    }
    const loaded = kind as PackageFileKind;
    candidates.push({
      file,
      kind: loaded,
      target: targetOf(file, loaded, options.courseId),
      packageDate: packageDateOf(file),
      modified: await modifiedOf(file),
      order,
    });
  }

  // The newest file of each target is loaded; the others are superseded by it.
  const byTarget = new Map<string, Candidate[]>();
  for (const candidate of candidates) {
    const group = byTarget.get(candidate.target) ?? [];
    group.push(candidate);
    byTarget.set(candidate.target, group);
  }
  const results = new Map<Candidate, PackageFileResult>();
  const toLoad: Candidate[] = [];
  for (const group of byTarget.values()) {
    const [newest, ...older] = [...group].sort(newerFirst);
    if (newest === undefined) continue;
    toLoad.push(newest);
    for (const candidate of older) {
      const result: PackageFileResult = {
        ...emptyResult(candidate, 'superseded'),
        collections: collectionsOf(candidate),
        supersededBy: newest.file.path,
      };
      results.set(candidate, result);
      options.onFile?.(result);
    }
  }
  toLoad.sort((a, b) => a.order - b.order);

  // Of those, the files loaded before unchanged (their collections still there) are skipped.
  const ledger = new PackageLedger(store);
  const hashes = new Map<Candidate, string>();
  const toRead: Candidate[] = [];
  for (const candidate of toLoad) {
    options.signal?.throwIfAborted();
    // (a file that cannot be read is left to its loader, which says why)
    const hash = await ledger.hash(candidate.file).catch(() => undefined);
    if (hash !== undefined) hashes.set(candidate, hash);
    const before =
      hash === undefined || options.reload === true
        ? null
        : await ledger.unchanged(ledgerId(candidate), hash);
    if (before === null || hash === undefined) {
      toRead.push(candidate);
      continue;
    }
    const result: PackageFileResult = {
      ...emptyResult(candidate, 'skipped'),
      database: before.database,
      collections: [...before.collections],
      hash,
      loadedBefore: { at: before.loaded, rows: before.rows, rejected: before.rejected },
    };
    results.set(candidate, result);
    options.onFile?.(result);
  }

  const runTotalBytes = toRead.reduce((sum, c) => sum + c.file.size, 0);
  let doneBytes = 0;
  const secrets = typeof options.passphrase === 'string' ? [options.passphrase] : [];
  for (const candidate of toRead) {
    options.signal?.throwIfAborted();
    let result: PackageFileResult;
    try {
      result = await loadOne(store, candidate, options, (bytesRead) => {
        options.onProgress?.({
          file: candidate.file.path,
          bytesRead,
          totalBytes: candidate.file.size,
          runBytesRead: doneBytes + bytesRead,
          runTotalBytes,
        });
      });
    } catch (error) {
      result = {
        ...emptyResult(candidate, 'failed'),
        collections: collectionsOf(candidate),
        error: redactSecrets(error instanceof Error ? error.message : String(error), secrets),
        ...(isEdxDataError(error) ? { errorCode: error.code } : {}),
      };
    }
    doneBytes += candidate.file.size;
    const hash = hashes.get(candidate);
    if (result.status === 'loaded' && hash !== undefined && result.database !== undefined) {
      await ledger.record({
        _id: ledgerId(candidate),
        hash,
        path: candidate.file.path,
        kind: candidate.kind,
        database: result.database,
        collections: [...result.collections],
        rows: result.rows,
        rejected: result.rejected,
        loaded: new Date(),
      });
      result = { ...result, hash };
    }
    results.set(candidate, result);
    options.onFile?.(result);
  }

  const files = candidates.map((c) => results.get(c)).filter((r) => r !== undefined);
  const tally = (status: PackageFileStatus): number =>
    files.filter((f) => f.status === status).length;
  const loaded = files.filter((f) => f.status === 'loaded');
  return {
    files,
    notImported,
    totals: {
      loaded: loaded.length,
      refused: tally('refused'),
      failed: tally('failed'),
      superseded: tally('superseded'),
      skipped: tally('skipped'),
      notImported: notImported.length,
      rows: loaded.reduce((sum, f) => sum + f.rows, 0),
      rejected: files.reduce((sum, f) => sum + f.rejected, 0),
      invalidCells: loaded.reduce((sum, f) => sum + f.invalidCells, 0),
    },
  };
}
