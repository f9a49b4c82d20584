/**
 * `loadForum`: a forum dump into the course database, as the `forum` collection (the
 * documents as exported) and the `forum_posts` collection (the flat view), swapped in only
 * once the whole file was read and verified.
 */
import { basename } from 'node:path';
import { ObjectId } from 'bson';
import { classifyFile, courseDatabaseName, UsageError } from '@edx-data/core';
import type { PassphraseProvider, ProgressCallback } from '@edx-data/core';
import type { Collection, Database, Document, Store } from '@edx-data/store';
import { forumPost } from './forum-post.js';
import type { ForumPost, ForumReplyCounts } from './forum-post.js';
import { checkOptions, inputName, newSummary, readForumDump } from './parse-forum-dump.js';
import type { ForumInput } from './parse-forum-dump.js';
import { forumPostType } from './parse-line.js';
import type { ForumDocument, ForumPostType, ForumReject, ForumRejectReason } from './types.js';

/** The collection of the documents as exported. */
export const FORUM_COLLECTION = 'forum';
/** The collection of the flat view ({@link forumPost}). */
export const FORUM_POSTS_COLLECTION = 'forum_posts';
/** The collection of rejected lines (shared with the other importers). */
export const REJECTED_COLLECTION = 'import_rejected';
/** The suffix of the collections being loaded, before they are swapped in. */
export const LOADING_SUFFIX = '__loading';

/** The longest `raw` kept in `import_rejected` (characters); longer lines are cut. */
const MAX_RAW_CHARS = 64 * 1024;
const REJECT_BATCH = 1000;

export interface LoadForumOptions {
  /**
   * The course, in any form (`course-v1:Org+Course+Run`, `Org/Course/Run`). @default read
   * from the file name (`{org}-{course}-{run}-{site}.mongo[.gpg]`); required for a stream
   */
  readonly courseId?: string | undefined;
  /** The file name recorded in `import_rejected`. @default the base name of the path */
  readonly file?: string | undefined;
  /** OpenPGP private key (armored, or a path) for a `.gpg` dump. */
  readonly key?: string | undefined;
  /** Passphrase of the key, or a function returning it. */
  readonly passphrase?: string | PassphraseProvider | undefined;
  /** Called as the file is read (bytes of the file as stored). */
  readonly onProgress?: ProgressCallback | undefined;
  /** Called for every rejected line (they also go to `import_rejected`). */
  readonly onReject?: ((reject: ForumReject) => void) | undefined;
  /** Abort the load (nothing is swapped in). */
  readonly signal?: AbortSignal | undefined;
}

/** What {@link loadForum} did. */
export interface LoadForumSummary {
  /** The file name as recorded in `import_rejected`. */
  readonly file: string;
  /** The course id the database was named after. */
  readonly courseId: string;
  /** The course database. */
  readonly database: string;
  /** Lines read (blank and rejected ones included). */
  readonly lines: number;
  /** Documents stored in `forum` (and rows in `forum_posts`). */
  readonly documents: number;
  /** Documents stored, by type. */
  readonly byType: Readonly<Record<ForumPostType, number>>;
  /** Lines rejected (duplicates of an `_id` included). */
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Partial<Record<ForumRejectReason, number>>>;
  readonly elapsedMs: number;
}

/** The record of a rejected line in `import_rejected`. */
export interface RejectedLine {
  readonly [field: string]: unknown;
  readonly file: string;
  readonly table: 'forum';
  readonly line: number;
  readonly reason: ForumRejectReason;
  readonly message: string;
  /** The line (cut at 64 KiB; see `raw_truncated`). */
  readonly raw: string;
  readonly raw_truncated: boolean;
}

function resolveCourse(input: ForumInput, options: LoadForumOptions): string {
  if (options.courseId !== undefined) {
    if (typeof options.courseId !== 'string' || options.courseId.trim() === '') {
      throw new UsageError('E_OPTION', 'loadForum: `courseId` must be a non-empty string');
    }
    return options.courseId.trim();
  }
  const name = inputName(input);
  if (name === undefined) {
    throw new UsageError('E_OPTION', 'loadForum: `courseId` is required when reading a stream');
  }
  // core's classifyFile knows `.mongo[.gpg]`; a gzipped copy (`.mongo.gz`) is read the same way
  const found = classifyFile(basename(name).replace(/\.gz(?=(?:\.gpg)?$)/i, ''));
  if (found.kind !== 'forum') {
    const why = found.kind === 'unknown' ? found.reason : `a ${found.kind} file`;
    throw new UsageError(
      'E_OPTION',
      `loadForum: cannot tell the course from the name ${basename(name)} (${why}); pass \`courseId\``,
    );
  }
  return found.key;
}

function hexOf(value: unknown): string | undefined {
  return value instanceof ObjectId ? value.toHexString() : undefined;
}

async function dropQuietly<T extends Document>(collection: Collection<T>): Promise<void> {
  await collection.drop().catch(() => undefined);
}

/** Counts replies over the loaded documents: a map sized by threads + responses. */
async function countReplies(forum: Collection<ForumDocument>): Promise<{
  counts: Map<string, { responses: number; comments: number }>;
  byType: Record<ForumPostType, number>;
}> {
  const counts = new Map<string, { responses: number; comments: number }>();
  const byType: Record<ForumPostType, number> = { thread: 0, response: 0, comment: 0 };
  const bump = (id: unknown, responses: number): void => {
    const hex = hexOf(id);
    if (hex === undefined) return;
    const entry = counts.get(hex);
    if (entry === undefined) counts.set(hex, { responses, comments: 1 });
    else {
      entry.responses += responses;
      entry.comments += 1;
    }
  };
  const cursor = forum.find(
    {},
    { projection: { _type: 1, comment_thread_id: 1, parent_id: 1, parent_ids: 1 } },
  );
  for await (const doc of cursor) {
    const type = forumPostType(doc);
    byType[type] += 1;
    if (doc._type !== 'Comment') continue;
    bump(doc.comment_thread_id, type === 'response' ? 1 : 0);
    if (type === 'comment') bump(doc.parent_id ?? doc.parent_ids?.[0], 0);
  }
  return { counts, byType };
}

async function* flatPosts(
  forum: Collection<ForumDocument>,
  counts: Map<string, { responses: number; comments: number }>,
): AsyncGenerator<ForumPost> {
  const none: ForumReplyCounts = { responses: 0, comments: 0 };
  for await (const doc of forum.find({})) {
    const type = forumPostType(doc);
    const hex = doc._id.toHexString();
    yield forumPost(doc, type === 'comment' ? undefined : (counts.get(hex) ?? none));
  }
}

/**
 * Loads a forum dump into the course database: `forum` (the documents as exported, `_id`
 * kept, indexed on `author_id`, `comment_thread_id`, `course_id`, `created_at`) and
 * `forum_posts` (one flat row per post, see {@link forumPost}). Both are written to
 * `…__loading` collections and swapped in with `rename(…, { dropTarget: true })` only once
 * the whole file was read and verified, so a failed load leaves the previous collections as
 * they were. Rejected lines go to `import_rejected` (`{ file, table: 'forum', line, reason,
 * message, raw }`), replacing the earlier rejects of the same file name, also only on
 * success.
 *
 * Memory: one small entry per thread and response (the reply counts) and one number per
 * document (its line, to report duplicate `_id`s).
 */
export async function loadForum(
  store: Store,
  input: ForumInput,
  options: LoadForumOptions = {},
): Promise<LoadForumSummary> {
  const started = Date.now();
  checkOptions({ onReject: options.onReject, file: options.file });
  const courseId = resolveCourse(input, options);
  const file = options.file ?? basename(inputName(input) ?? '<stream>');
  const database = courseDatabaseName(courseId);
  const db: Database = store.db(database);
  const forumLoading = db.collection<ForumDocument>(FORUM_COLLECTION + LOADING_SUFFIX);
  const postsLoading = db.collection<ForumPost>(FORUM_POSTS_COLLECTION + LOADING_SUFFIX);
  const rejectsLoading = db.collection<RejectedLine>(
    `${REJECTED_COLLECTION}__forum${LOADING_SUFFIX}`,
  );
  const dropTemporary = async (): Promise<void> => {
    await dropQuietly(forumLoading);
    await dropQuietly(postsLoading);
    await dropQuietly(rejectsLoading);
  };
  await dropTemporary();

  const summary = newSummary();
  const pending: RejectedLine[] = [];
  const rejectedByReason: Partial<Record<ForumRejectReason, number>> = {};
  let rejected = 0;
  const record = (reject: ForumReject): void => {
    rejected += 1;
    rejectedByReason[reject.reason] = (rejectedByReason[reject.reason] ?? 0) + 1;
    const cut = reject.raw.length > MAX_RAW_CHARS;
    pending.push({
      file,
      table: 'forum',
      line: reject.line,
      reason: reject.reason,
      message: reject.message,
      raw: cut ? reject.raw.slice(0, MAX_RAW_CHARS) : reject.raw,
      raw_truncated: cut,
    });
    options.onReject?.({ ...reject, file });
  };
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    await rejectsLoading.insertMany(pending.splice(0), { ordered: true });
  };

  const onProgress = options.onProgress;
  const progressFile = inputName(input) ?? file;
  const lineOf: number[] = [];
  try {
    const source = readForumDump(
      input,
      {
        file,
        key: options.key,
        passphrase: options.passphrase,
        signal: options.signal,
        onReject: record,
        onProgress:
          onProgress === undefined
            ? undefined
            : (bytesRead, totalBytes) => {
                onProgress({ file: progressFile, bytesRead, totalBytes });
              },
      },
      summary,
    );
    async function* documents(): AsyncGenerator<ForumDocument> {
      for await (const { doc, line } of source) {
        lineOf.push(line);
        yield doc;
        if (pending.length >= REJECT_BATCH) await flush();
      }
    }
    const duplicates: number[] = [];
    await forumLoading.insertMany(documents(), {
      ordered: false,
      onDuplicate: ({ index }) => duplicates.push(index),
    });
    for (const index of duplicates) {
      record({
        file,
        line: lineOf[index] ?? 0,
        reason: 'duplicate-id',
        message: 'another document of the file has the same _id; the first one was kept',
        raw: '',
      });
    }
    lineOf.length = 0;
    await flush();

    const { counts, byType } = await countReplies(forumLoading);
    await postsLoading.insertMany(flatPosts(forumLoading, counts), { ordered: true });
    counts.clear();
    for (const spec of [
      { author_id: 1 },
      { comment_thread_id: 1 },
      { course_id: 1 },
      { created_at: 1 },
    ] as const) {
      await forumLoading.createIndex(spec);
    }
    for (const spec of [{ thread_id: 1 }, { author_id: 1 }, { created_at: 1 }] as const) {
      await postsLoading.createIndex(spec);
    }
    options.signal?.throwIfAborted();

    await forumLoading.rename(FORUM_COLLECTION, { dropTarget: true });
    await postsLoading.rename(FORUM_POSTS_COLLECTION, { dropTarget: true });
    const rejects = db.collection<RejectedLine>(REJECTED_COLLECTION);
    await rejects.deleteMany({ file, table: 'forum' });
    if (rejected > 0) {
      await rejects.insertMany(rejectsLoading.find({}, { projection: { _id: 0 } }), {
        ordered: true,
      });
    }
    await dropQuietly(rejectsLoading);
    const documentsStored = byType.thread + byType.response + byType.comment;
    return {
      file,
      courseId,
      database,
      lines: summary.lines,
      documents: documentsStored,
      byType,
      rejected,
      rejectedByReason,
      elapsedMs: Date.now() - started,
    };
  } catch (error) {
    await dropTemporary();
    throw error;
  }
}
