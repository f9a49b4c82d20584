/**
 * The `problem_ids` collection of a course database (issue 7, item 3; McGill's
 * `parse_problem_ids.py`, mcgillx-inventory.md §1.6): one document per server `problem_check`
 * event of the course's `tracking`, with the learner's `user_id` and `hash_id` from
 * `user_id_map`.
 */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import { batchSizeOption } from './batch-size.js';
import type { BulkWriteOperation, Document, IndexSpec, Store } from '@edx-data/store';

const PROBLEM_IDS_INDEXES: readonly IndexSpec[] = [
  { problem_id: 1 },
  { user_id: 1 },
  { username: 1 },
  { time: 1 },
];

/** One document of `problem_ids`. */
export interface ProblemIdDocument extends Document {
  /** The `_id` of the tracking event. */
  readonly _id: unknown;
  readonly username: string | null;
  /** `user_id_map`'s id (`id`, or `user_id` since 2022), else the event's `context.user_id`. */
  readonly user_id: number | null;
  /** `user_id_map`'s `hash_id`; null when the learner is not in `user_id_map`. */
  readonly hash_id: string | null;
  readonly problem_id: string | null;
  /** Canonical course key of the event (`_course_id`), else `context.course_id`. */
  readonly course_id: string | null;
  /** `context.module` (`display_name`, `usage_key`). */
  readonly module: unknown;
  /** The event time (a Date). */
  readonly time: Date | null;
  /** The `event` payload as loaded (`answers`, `attempts`, `correct_map`, `grade`, `submission`, …). */
  readonly event: unknown;
  /** As in `tracking`, when the event was joined with the structure. */
  readonly block?: unknown;
  readonly parent_data?: unknown;
}

export interface BuildProblemIdsOptions {
  /** Drop `problem_ids` first. @default false */
  readonly drop?: boolean | undefined;
  /** Documents per write. @default 1000 */
  readonly batchSize?: number | undefined;
}

export interface BuildProblemIdsSummary {
  readonly database: string;
  readonly collection: string;
  /** Server `problem_check` events read from `tracking`. */
  readonly read: number;
  /** Documents new to `problem_ids` / already there (replaced by the same content). */
  readonly inserted: number;
  readonly alreadyPresent: number;
  /** Events whose learner is not in `user_id_map` (kept, with `hash_id: null`). */
  readonly withoutUser: number;
  /** Rows of `user_id_map` read. */
  readonly userIdMapRows: number;
}

interface UserRow {
  readonly id: number | null;
  readonly hashId: string | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function idOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/u.test(value)) return Number(value);
  return null;
}

/** The `problem_ids` document of a server `problem_check` event (pure). */
export function problemIdDocument(
  event: Document,
  users: {
    readonly byId: ReadonlyMap<number, UserRow>;
    readonly byUsername: ReadonlyMap<string, UserRow>;
  },
): { readonly doc: ProblemIdDocument; readonly matched: boolean } {
  const context = isRecord(event['context']) ? event['context'] : {};
  const payload = event['event'];
  const username = typeof event['username'] === 'string' ? event['username'] : null;
  const contextUserId = idOf(context['user_id']);
  // By id first (a username can change), then by username, kept a string (McGill cast
  // all-digit usernames to int and missed them).
  const user =
    (contextUserId === null ? undefined : users.byId.get(contextUserId)) ??
    (username === null ? undefined : users.byUsername.get(username));
  const problemId = isRecord(payload) ? payload['problem_id'] : undefined;
  const courseId = event['_course_id'] ?? context['course_id'];
  const time = event['_time'];
  const doc: Record<string, unknown> = {
    _id: event['_id'],
    username,
    user_id: user?.id ?? contextUserId,
    hash_id: user?.hashId ?? null,
    problem_id: typeof problemId === 'string' ? problemId : null,
    course_id: typeof courseId === 'string' ? courseId : null,
    module: context['module'] ?? null,
    time: time instanceof Date ? time : null,
    event: payload ?? null,
  };
  if (event['block'] !== undefined) doc['block'] = event['block'];
  if (event['parent_data'] !== undefined) doc['parent_data'] = event['parent_data'];
  return { doc: doc as ProblemIdDocument, matched: user !== undefined };
}

/**
 * Build `problem_ids` in a course database from its `tracking` (extracted first) and its
 * `user_id_map` (loaded by the table importer). Idempotent: each document is keyed by its
 * event's `_id` and replaced on a re-run, so a `user_id_map` loaded later fills in the
 * `hash_id`s. McGill's bugs fixed: no crash (its file did not compile), no N+1 queries,
 * usernames stay strings, learners missing from `user_id_map` are kept and counted instead
 * of skipped, `time` is a Date.
 *
 * @example
 * const summary = await buildProblemIds(store, 'McGillX_ATOC185x_2T2014');
 * console.log(summary.inserted, summary.withoutUser);
 */
export async function buildProblemIds(
  store: Store,
  database: string,
  options: BuildProblemIdsOptions = {},
): Promise<BuildProblemIdsSummary> {
  const batchSize = batchSizeOption(options.batchSize, 1000);
  const db = store.db(database);
  const byId = new Map<number, UserRow>();
  const byUsername = new Map<string, UserRow>();
  let userIdMapRows = 0;
  const projection = { id: 1, user_id: 1, hash_id: 1, username: 1 };
  for await (const row of db.collection(COURSE_COLLECTIONS.user_id_map).find({}, { projection })) {
    userIdMapRows++;
    const user: UserRow = {
      id: idOf(row['user_id']) ?? idOf(row['id']),
      hashId: typeof row['hash_id'] === 'string' ? row['hash_id'] : null,
    };
    if (user.id !== null) byId.set(user.id, user);
    const username = row['username'];
    if (typeof username === 'string' || typeof username === 'number') {
      byUsername.set(String(username), user);
    }
  }

  const target = db.collection(COURSE_COLLECTIONS.problem_ids);
  if (options.drop === true) await target.drop();
  let read = 0;
  let inserted = 0;
  let alreadyPresent = 0;
  let withoutUser = 0;
  let batch: BulkWriteOperation[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const result = await target.bulkWrite(batch, { ordered: false });
    inserted += result.upsertedCount;
    alreadyPresent += result.matchedCount;
    batch = [];
  };
  const filter = { event_type: 'problem_check', event_source: 'server' };
  for await (const event of db.collection(COURSE_COLLECTIONS.tracking).find(filter)) {
    read++;
    const { doc, matched } = problemIdDocument(event, { byId, byUsername });
    if (!matched) withoutUser++;
    batch.push({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  for (const spec of PROBLEM_IDS_INDEXES) await target.createIndex(spec);
  return {
    database,
    collection: COURSE_COLLECTIONS.problem_ids,
    read,
    inserted,
    alreadyPresent,
    withoutUser,
    userIdMapRows,
  };
}
