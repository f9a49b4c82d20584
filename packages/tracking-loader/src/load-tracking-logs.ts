/**
 * Tracking logs into the master database (`MASTER_TRACKING` of `@edx-data/core`'s layout:
 * `tracking_logs`): batched unordered inserts keyed by the line hash `_id`, a per-file ledger
 * keyed by the file's content hash, and every line that cannot be loaded kept with its reason
 * in the store's rejected-record shape.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  InputError,
  isEdxDataError,
  MASTER_TRACKING,
  openInput,
  readLines,
  redactSecrets,
  UsageError,
} from '@edx-data/core';
import type { ErrorCode, PassphraseProvider, Progress } from '@edx-data/core';
import { RejectWriter } from '@edx-data/store';
import type { Collection, Document, RejectedInput, Store } from '@edx-data/store';
import { DistinctCounter } from './distinct-counter.js';
import { parseTrackingLog } from './parse-tracking-log.js';
import type { TrackingEvent } from './parse-tracking-line.js';

/**
 * How the master `tracking` collection is bucketed (the store's `timeseries` collections):
 * by canonical course key and day of `_time`. Extraction reads the buckets of one course and
 * window; nothing else reads the master.
 */
export const TRACKING_TIMESERIES = {
  timeField: '_time',
  metaField: '_course_id',
  granularity: 'minutes',
} as const;

/**
 * The indexes of a master `tracking` collection of the layout before buckets (a plain
 * collection), created when loading into one (see {@link createTrackingCollection}).
 */
export const TRACKING_INDEXES: readonly Readonly<Record<string, 1>>[] = [
  { _course_id: 1, _time: 1 },
  { username: 1, _time: 1 },
  { event_type: 1 },
];

export interface LoadTrackingLogsOptions {
  /** OpenPGP private key (armored text or a file path) for `.gpg` files. */
  readonly key?: string | undefined;
  /** Passphrase of the key, or a function returning it. */
  readonly passphrase?: string | PassphraseProvider | undefined;
  /** Called after each read from disk of the file being loaded. */
  readonly onProgress?: ((progress: TrackingLoadProgress) => void) | undefined;
  /** Events per insert (one transaction; up to two are being written while the next is read). @default 3000 */
  readonly batchSize?: number | undefined;
  /** Fail a file once it has more than this many rejected lines. @default no limit */
  readonly maxRejects?: number | undefined;
  /** Called when a file has finished, been skipped or failed. */
  readonly onFile?: ((result: TrackingFileResult) => void) | undefined;
  /** The master database to load into. @default `MASTER_TRACKING.database` (`tracking_logs`) */
  readonly database?: string | undefined;
}

/** Progress of a load: the file being read (its path, as given) and its index among the files. */
export interface TrackingLoadProgress extends Progress {
  /** Index of the file among the files loaded. */
  readonly index: number;
}

/** One file of the ledger `tracking_imported`, keyed by the sha256 of the file's bytes. */
export interface TrackingLedgerEntry extends Document {
  readonly _id: string;
  /** The base name (what `_load_file` of its events says) and the path it was loaded from. */
  readonly file: string;
  readonly path: string;
  readonly size: number;
  readonly status: 'loading' | 'finished';
  readonly started: Date;
  /**
   * The start time (`_load_date` of their events) of every run over this content, this one
   * last: an interrupted run's events are recognised by it when the file is completed.
   */
  readonly runs?: readonly Date[];
  readonly finished: Date | null;
  /** Lines read (events + rejected + blank). */
  readonly lines: number;
  readonly blank: number;
  /** Valid events, repeated lines included. */
  readonly events: number;
  /** Distinct events (`_id`s) of the file: all of them are in `tracking` once finished. */
  readonly loaded: number;
  /** Of `loaded`: inserted by the run that finished the file / already in the store (an interrupted run, an earlier delivery). */
  readonly inserted: number;
  readonly alreadyPresent: number;
  /** Repeated lines of the file (`events - loaded`): same `_id`, stored once. */
  readonly duplicates: number;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Record<string, number>>;
  /** Distinct events per canonical course key, and without a course. */
  readonly eventsByCourse: Readonly<Record<string, number>>;
  readonly eventsWithoutCourse: number;
  /**
   * Per canonical course key (the keys of `eventsByCourse`), per UTC day `YYYY-MM-DD` of the
   * event's `_time`: the distinct events this file's content added to `tracking`, that is
   * inserted by the run that finished it or by an earlier, interrupted run over the same bytes
   * (same file name, `_load_date` among `runs`). Events already stored from another file or
   * another delivery are counted by that file's entry, so the sum over the finished entries is
   * the master's events per course per day, without double counting. Events without a course
   * are not broken down by day (they are `eventsWithoutCourse`). Absent from entries written
   * before this field existed.
   */
  readonly eventsByCourseDay?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly firstTime: Date | null;
  readonly lastTime: Date | null;
  /** The last error, when a run failed on this file (status stays `loading`). */
  readonly error?: string;
  /** Its code (`E_INTEGRITY`, `E_GZIP_TRUNCATED`, …), when the toolkit raised it. */
  readonly errorCode?: ErrorCode;
  /** Events inserted by the failed run and deleted again (see `loadTrackingLogs`). */
  readonly rolledBack?: number;
}

export interface TrackingFileResult {
  /** The path, as given. */
  readonly path: string;
  readonly file: string;
  readonly hash: string | null;
  readonly size: number;
  /** `finished` now, `skipped` (finished in an earlier run), or `failed`. */
  readonly status: 'finished' | 'skipped' | 'failed';
  /** The ledger entry (for `failed`, as left: status `loading`), or null if the file could not be read. */
  readonly entry: TrackingLedgerEntry | null;
  readonly error?: string;
  /** The error's code, when the toolkit raised it (`E_INTEGRITY`, `E_FILE_NOT_FOUND`, …). */
  readonly errorCode?: ErrorCode;
}

export interface LoadTrackingLogsResult {
  readonly files: readonly TrackingFileResult[];
  readonly finished: number;
  readonly skipped: number;
  readonly failed: number;
  /** Sums over the files finished now. */
  readonly inserted: number;
  readonly rejected: number;
}

/** sha256 (hex) of a file's bytes, as stored on disk. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputError('E_FILE_NOT_FOUND', 'no such file', { file: path, cause: error });
    }
    throw error;
  }
  return hash.digest('hex');
}

/** Which layout a master `tracking` collection has. */
export type TrackingLayout = 'bucketed' | 'plain';

/**
 * Make sure the master `tracking` collection exists, and say which layout it has. A new one is
 * created with the {@link TRACKING_TIMESERIES} option: compressed buckets on the embedded
 * engine; on MongoDB a plain collection with a `{_course_id, _time}` index (the store's README
 * says why). One written before buckets existed (a plain collection with
 * {@link TRACKING_INDEXES}) is kept as it is: it loads and extracts as before, and
 * {@link convertTrackingCollection} rewrites it as buckets.
 */
export async function createTrackingCollection(
  store: Store,
  database: string = MASTER_TRACKING.database,
): Promise<TrackingLayout> {
  const layout = await trackingLayout(store, database);
  if (layout !== undefined) return layout;
  await store
    .db(database)
    .createCollection(MASTER_TRACKING.events, { timeseries: TRACKING_TIMESERIES });
  return (await trackingLayout(store, database)) ?? 'plain';
}

/** The layout of the master `tracking` collection, or undefined when there is none. */
export async function trackingLayout(
  store: Store,
  database: string = MASTER_TRACKING.database,
): Promise<TrackingLayout | undefined> {
  const info = (await store.db(database).listCollections()).find(
    (collection) => collection.name === MASTER_TRACKING.events,
  );
  if (info === undefined) return undefined;
  return info.type === 'timeseries' ? 'bucketed' : 'plain';
}

/**
 * Load tracking logs into `tracking_logs.tracking`, one file after the other. A file whose
 * content hash is `finished` in `tracking_imported` is skipped; any other file is read whole
 * (so an interrupted load is completed, and a grown re-delivery adds only its new lines: the
 * others are duplicates of their `_id`). A file that fails is recorded and the others still
 * load; this function throws only for invalid options.
 */
export async function loadTrackingLogs(
  files: readonly string[],
  store: Store,
  options: LoadTrackingLogsOptions = {},
): Promise<LoadTrackingLogsResult> {
  const batchSize = options.batchSize ?? 3000;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new UsageError('E_OPTION', 'loadTrackingLogs: `batchSize` must be a positive integer');
  }
  const maxRejects = options.maxRejects;
  if (maxRejects !== undefined && (!Number.isSafeInteger(maxRejects) || maxRejects < 0)) {
    throw new UsageError('E_OPTION', 'loadTrackingLogs: `maxRejects` must be an integer ≥ 0');
  }
  const database = options.database ?? MASTER_TRACKING.database;
  const db = store.db(database);
  await createTrackingCollection(store, database);
  const ledger = db.collection<TrackingLedgerEntry>(MASTER_TRACKING.ledger);
  const results: TrackingFileResult[] = [];
  for (const [index, path] of files.entries()) {
    const result = await loadOneFile(path, index, {
      tracking: db.collection<TrackingEvent & Document>(MASTER_TRACKING.events),
      ledger,
      rejectedCollection: db.collection(MASTER_TRACKING.rejects),
      scratch: (hash) => db.collection(`${MASTER_TRACKING.scratchPrefix}${hash.slice(0, 16)}`),
      batchSize,
      maxRejects,
      options,
    });
    results.push(result);
    options.onFile?.(result);
  }
  const now = results.filter((r) => r.status === 'finished');
  return {
    files: results,
    finished: now.length,
    skipped: results.filter((r) => r.status === 'skipped').length,
    failed: results.filter((r) => r.status === 'failed').length,
    inserted: now.reduce((sum, r) => sum + (r.entry?.inserted ?? 0), 0),
    rejected: now.reduce((sum, r) => sum + (r.entry?.rejected ?? 0), 0),
  };
}

interface LoadContext {
  readonly tracking: Collection<TrackingEvent & Document>;
  readonly ledger: Collection<TrackingLedgerEntry>;
  readonly rejectedCollection: Collection;
  /** The scratch collection of the file with this content hash (see `DistinctCounter`). */
  readonly scratch: (hash: string) => Collection;
  readonly batchSize: number;
  readonly maxRejects: number | undefined;
  readonly options: LoadTrackingLogsOptions;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function loadOneFile(
  path: string,
  index: number,
  ctx: LoadContext,
): Promise<TrackingFileResult> {
  const file = basename(path);
  let hash: string;
  let size = 0;
  try {
    hash = await hashFile(path);
    size = (await stat(path)).size;
  } catch (error) {
    return {
      path,
      file,
      hash: null,
      size,
      status: 'failed',
      entry: null,
      error: message(error),
      ...(isEdxDataError(error) ? { errorCode: error.code } : {}),
    };
  }
  const existing = await ctx.ledger.findOne({ _id: hash });
  if (existing !== null && existing.status === 'finished') {
    return { path, file, hash, size: existing.size, status: 'skipped', entry: existing };
  }

  const started = new Date();
  // The runs over this content so far (an entry of an older version only knows its last).
  const previousRuns =
    existing?.runs ?? (existing?.started instanceof Date ? [existing.started] : []);
  const runs = [...previousRuns.filter((date) => date instanceof Date), started];
  let entry: TrackingLedgerEntry = {
    _id: hash,
    file,
    path,
    size,
    status: 'loading',
    started,
    runs,
    finished: null,
    lines: 0,
    blank: 0,
    events: 0,
    loaded: 0,
    inserted: 0,
    alreadyPresent: 0,
    duplicates: 0,
    rejected: 0,
    rejectedByReason: {},
    eventsByCourse: {},
    eventsWithoutCourse: 0,
    eventsByCourseDay: {},
    firstTime: null,
    lastTime: null,
  };
  await ctx.ledger.bulkWrite([
    { replaceOne: { filter: { _id: hash }, replacement: entry, upsert: true } },
  ]);

  // `<content hash>:<line>`: a re-run over the same bytes stores a rejected line once.
  const rejects = new RejectWriter(ctx.rejectedCollection, {
    batchSize: ctx.batchSize,
    extra: { hash },
    id: (r: RejectedInput) => `${hash}:${String(r.line)}`,
  });
  const reject = (line: number, code: string, reason: string, raw: string): void => {
    rejects.add({ file, line, code, reason, raw });
  };
  const flushRejects = (): Promise<void> => rejects.flush();
  const counter = new DistinctCounter(ctx.tracking, ctx.scratch(hash), file, runs, ctx.batchSize);
  await counter.reset();

  const controller = new AbortController();
  try {
    const input = await openInput(path, {
      key: ctx.options.key,
      passphrase: ctx.options.passphrase,
      signal: controller.signal,
      onProgress: (bytesRead, totalBytes) => {
        size = totalBytes;
        ctx.options.onProgress?.({ file: path, index, bytesRead, totalBytes });
      },
    });
    // `done` may reject while we are still reading: keep it handled, await it at the end.
    const done = input.done.then(
      (verdict) => ({ ok: true as const, verdict }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const lines = readLines(input.stream, {
      file,
      onIssue: (issue) => {
        reject(issue.line ?? 0, 'line-too-long', issue.message, '');
      },
    });
    const parser = parseTrackingLog(lines, {
      file,
      loadDate: started,
      onReject: (r) => {
        reject(r.line, r.reason, r.detail, r.raw);
      },
    });
    const events = parser[Symbol.asyncIterator]();
    const source = { ended: false };
    const tooManyRejects = (): boolean =>
      ctx.maxRejects !== undefined && rejects.count > ctx.maxRejects;
    /**
     * The next batch: events taken from the parser one by one as the store encodes them (so
     * that each is collected at once, not kept until a whole batch is parsed); `pulled`
     * resolves when the batch has ended (full, the file's end, or rejects to write first).
     */
    const nextBatch = (): {
      take: AsyncGenerator<TrackingEvent & Document>;
      pulled: Promise<void>;
    } => {
      let pulledNow = (): void => undefined;
      const pulled = new Promise<void>((resolve) => {
        pulledNow = resolve;
      });
      async function* take(): AsyncGenerator<TrackingEvent & Document> {
        try {
          for (let n = 0; n < ctx.batchSize; n++) {
            const next = await events.next();
            if (next.done === true) {
              source.ended = true;
              return;
            }
            // Over the limit, the file fails: the event is not written.
            if (tooManyRejects()) return;
            yield next.value;
            if (rejects.full) return;
          }
        } finally {
          pulledNow();
        }
      }
      return { take: take(), pulled };
    };
    // One batch is being written (the embedded engine writes on its writer thread, MongoDB on
    // the server) while the next is read, parsed and encoded; a failure is kept and thrown at
    // the next settle.
    const writing: Promise<void>[] = [];
    let writeFailure: { error: unknown } | undefined;
    const settle = async (keep: number): Promise<void> => {
      while (writing.length > keep) await writing.shift();
      if (writeFailure !== undefined) throw writeFailure.error;
    };
    try {
      while (!source.ended && !tooManyRejects()) {
        await settle(1);
        const { take, pulled } = nextBatch();
        const written = counter.insert(take).catch((error: unknown) => {
          writeFailure ??= { error };
        });
        writing.push(written);
        await Promise.race([pulled, written]);
        await flushRejects();
      }
      if (tooManyRejects()) {
        throw new InputError(
          'E_INPUT',
          `more than ${String(ctx.maxRejects)} rejected lines (--max-rejects); the file was not finished`,
          { file },
        );
      }
      await settle(0);
      await flushRejects();
    } catch (error) {
      controller.abort(error);
      await Promise.all(writing);
      await flushRejects().catch(() => undefined);
      throw error;
    }
    const verdict = await done;
    if (!verdict.ok) throw verdict.error;
    size = verdict.verdict.totalBytes;

    await counter.reset();
    const summary = parser.summary;
    const { inserted, alreadyPresent, eventsByCourse, eventsWithoutCourse } = counter;
    const loaded = inserted + alreadyPresent;
    entry = {
      ...entry,
      size,
      status: 'finished',
      finished: new Date(),
      lines: summary.lines,
      blank: summary.blank,
      events: summary.events,
      loaded,
      inserted,
      alreadyPresent,
      duplicates: summary.events - loaded,
      rejected: rejects.count,
      rejectedByReason: rejects.byCode,
      eventsByCourse,
      eventsWithoutCourse,
      eventsByCourseDay: counter.eventsByCourseDay,
      firstTime: summary.firstTime,
      lastTime: summary.lastTime,
    };
    await ctx.ledger.bulkWrite([
      { replaceOne: { filter: { _id: hash }, replacement: entry, upsert: true } },
    ]);
    return { path, file, hash, size, status: 'finished', entry };
  } catch (error) {
    // A passphrase never reaches the ledger, whatever an error message holds.
    const passphrase = ctx.options.passphrase;
    const text = redactSecrets(message(error), typeof passphrase === 'string' ? [passphrase] : []);
    const code = isEdxDataError(error) ? { errorCode: error.code } : {};
    // Take back what this run inserted (a tampered .gpg hands out altered plaintext before it
    // fails): exactly the events stamped with this run's `_load_date`. Events that were already
    // there (an earlier run, another delivery) keep their own `_load_date` and stay.
    await counter.reset().catch(() => undefined);
    const span = counter.timeSpan;
    const removed =
      span === null
        ? 0
        : await ctx.tracking
            .deleteMany({
              _load_file: file,
              _load_date: started,
              // Bounds that let a bucketed master read only the buckets this run can have written.
              _time: { $gte: span.min, $lte: span.max },
            })
            .then((r) => r.deletedCount)
            .catch(() => 0);
    entry = {
      ...entry,
      size,
      inserted: counter.inserted - removed,
      rejected: rejects.count,
      rejectedByReason: rejects.byCode,
      error: text,
      ...code,
      rolledBack: removed,
    };
    await ctx.ledger
      .bulkWrite([{ replaceOne: { filter: { _id: hash }, replacement: entry, upsert: true } }])
      .catch(() => undefined);
    return { path, file, hash, size, status: 'failed', entry, error: text, ...code };
  }
}
