/**
 * `loadForum`: a forum dump into the course database, as the `forum` collection (the
 * documents as exported) and the `forum_posts` collection (the flat view), swapped in only
 * once the whole file was read and verified.
 */
import { basename } from 'node:path';
import { ObjectId } from 'bson';
import { classifyFile, COURSE_COLLECTIONS, courseDatabaseName, UsageError } from '@edx-data/core';
import type { PassphraseProvider, ProgressCallback } from '@edx-data/core';
import { RejectWriter, replaceCollections } from '@edx-data/store';
import type { Collection, Database, IndexSpec, Store } from '@edx-data/store';
import { forumPost } from './forum-post.js';
import type { ForumPost, ForumReplyCounts } from './forum-post.js';
import { checkOptions, inputName, newSummary, readForumDump } from './parse-forum-dump.js';
import type { ForumInput } from './parse-forum-dump.js';
import { forumPostType } from './parse-line.js';
import type { ForumDocument, ForumPostType, ForumReject, ForumRejectReason } from './types.js';

const { forum: FORUM, forum_posts: FORUM_POSTS, rejects: REJECTS } = COURSE_COLLECTIONS;

/** Indexes of `forum` and `forum_posts`, built before they are swapped in. */
const FORUM_INDEXES: readonly IndexSpec[] = [
  { author_id: 1 },
  { comment_thread_id: 1 },
  { course_id: 1 },
  { created_at: 1 },
];
const FORUM_POSTS_INDEXES: readonly IndexSpec[] = [
  { thread_id: 1 },
  { author_id: 1 },
  { created_at: 1 },
];

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
 * `forum_posts` (one flat row per post, see {@link forumPost}). Both are filled and indexed
 * as temporary collections and swapped in (`replaceCollections` of `@edx-data/store`) only
 * once the whole file was read and verified, so a failed load leaves the previous collections
 * as they were. Rejected lines go to `import_rejected` in the store's rejected-record shape
 * (`{ file, table: 'forum', line, code, reason, raw, … }`), replacing the earlier rejects of
 * the same file name once the load succeeded.
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
  const rejects = new RejectWriter(db.collection(REJECTS), { scope: { file, table: 'forum' } });
  const record = (reject: ForumReject): void => {
    rejects.add({
      file,
      line: reject.line,
      code: reject.reason,
      reason: reject.message,
      raw: reject.raw,
    });
    options.onReject?.({ ...reject, file });
  };

  const summary = newSummary();
  const onProgress = options.onProgress;
  const progressFile = inputName(input) ?? file;
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
  try {
    const { value: byType } = await replaceCollections(
      db,
      [FORUM, FORUM_POSTS],
      async (temporary) => {
        const forum = temporary[FORUM] as Collection<ForumDocument>;
        const lineOf: number[] = [];
        async function* documents(): AsyncGenerator<ForumDocument> {
          for await (const { doc, line } of source) {
            lineOf.push(line);
            yield doc;
            if (rejects.full) await rejects.flush();
          }
        }
        const duplicates: number[] = [];
        await forum.insertMany(documents(), {
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
        const { counts, byType } = await countReplies(forum);
        await (temporary[FORUM_POSTS] as Collection<ForumPost>).insertMany(
          flatPosts(forum, counts),
          { ordered: true },
        );
        counts.clear();
        options.signal?.throwIfAborted();
        return byType;
      },
      { indexes: { [FORUM]: FORUM_INDEXES, [FORUM_POSTS]: FORUM_POSTS_INDEXES } },
    );
    await rejects.commit();
    return {
      file,
      courseId,
      database,
      lines: summary.lines,
      documents: byType.thread + byType.response + byType.comment,
      byType,
      rejected: rejects.count,
      rejectedByReason: rejects.byCode,
      elapsedMs: Date.now() - started,
    };
  } catch (error) {
    await rejects.discard().catch(() => undefined);
    throw error;
  }
}
