/** `forum_posts`: every thread, response and comment of the course forum, with its text. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { QueryReport, ReportContext, Row } from '../report.js';
import { LEARNER_COLUMNS } from './columns.js';
import { isRecord } from './values.js';

/** An id as text: a string as is, an ObjectId as its hex; null otherwise. */
function idText(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (isRecord(value) && typeof value['toHexString'] === 'function') {
    return (value as { toHexString(): string }).toHexString();
  }
  return null;
}

function dateOf(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'string' || typeof value === 'number') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function postRow(context: ReportContext, doc: Document): Row {
  const thread = doc['_type'] === 'CommentThread';
  const parentIds = Array.isArray(doc['parent_ids']) ? (doc['parent_ids'] as unknown[]) : [];
  const parent = idText(doc['parent_id']) ?? idText(parentIds[0]);
  const type = thread ? 'thread' : parent !== null ? 'comment' : 'response';
  const threadId = thread ? idText(doc['_id']) : idText(doc['comment_thread_id']);
  const votes = isRecord(doc['votes']) ? doc['votes'] : {};
  return {
    ...context.learners.columns(doc['author_id'], doc['author_username']),
    post_id: idText(doc['_id']),
    type: text(doc['_type']),
    post_type: type,
    thread_id: threadId,
    parent_id: thread ? null : type === 'comment' ? parent : threadId,
    title: thread ? text(doc['title']) : null,
    body: text(doc['body']),
    created_at: dateOf(doc['created_at']),
    updated_at: dateOf(doc['updated_at']),
    anonymous: doc['anonymous'] === true,
    thread_type: thread ? text(doc['thread_type']) : null,
    commentable_id: thread ? text(doc['commentable_id']) : null,
    endorsed: thread ? null : doc['endorsed'] === true,
    votes_up: num(votes['up_count']),
    votes_down: num(votes['down_count']),
    votes_count: num(votes['count']),
  };
}

export const forumPosts: QueryReport = {
  kind: 'query',
  name: 'forum_posts',
  question: 'What did each learner post in the course forum, and when?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.forum],
  columns: [
    ...LEARNER_COLUMNS,
    { name: 'post_id', type: 'string', description: 'The post’s forum `_id` (hex)' },
    { name: 'type', type: 'string', description: 'The forum `_type`: CommentThread or Comment' },
    {
      name: 'post_type',
      type: 'string',
      description: 'thread; response (a Comment on the thread); comment (a Comment on a response)',
    },
    { name: 'thread_id', type: 'string', description: 'The thread the post belongs to' },
    {
      name: 'parent_id',
      type: 'string',
      description: 'What it replies to: empty for a thread, the thread, or the response',
    },
    {
      name: 'title',
      type: 'string',
      description: 'Thread title (threads only)',
      identifier: 'free_text',
    },
    {
      name: 'body',
      type: 'string',
      description: 'The text of the post, as written',
      identifier: 'free_text',
    },
    { name: 'created_at', type: 'datetime', description: 'When it was posted (UTC)' },
    { name: 'updated_at', type: 'datetime', description: 'When it was last edited (UTC)' },
    {
      name: 'anonymous',
      type: 'boolean',
      description: 'Posted as anonymous (shown so to other learners; the author is still known)',
    },
    {
      name: 'thread_type',
      type: 'string',
      description: 'Threads only: discussion or question (empty in old exports)',
    },
    {
      name: 'commentable_id',
      type: 'string',
      description: 'Threads only: the discussion topic or block it was posted in',
    },
    { name: 'endorsed', type: 'boolean', description: 'Responses and comments: endorsed' },
    { name: 'votes_up', type: 'integer', description: 'votes.up_count, when present' },
    { name: 'votes_down', type: 'integer', description: 'votes.down_count, when present' },
    { name: 'votes_count', type: 'integer', description: 'votes.count, when present' },
  ],
  definition: [
    'One row per document of the course’s `forum` collection (the package’s `.mongo` file:',
    'every `CommentThread` and `Comment`, deleted or not as exported), in order of',
    '`created_at`, then `_id` (a `$sort` pipeline). The author is `author_id` (its user id)',
    'with `author_username`; `username` and `hash_id` come from `user_id_map` when the author',
    'is there, else `author_username`. A Comment with a `parent_id` (or `parent_ids`) replies',
    'to a response (`comment`), otherwise to its thread (`response`). Title and body are',
    'written as stored, every character kept (UTF-8; commas, quotes and line breaks quoted',
    'per RFC 4180). Anonymous posts keep their author, flagged in `anonymous`. The thread,',
    'response, comment split is the one of the `forum_posts` view and of edx2bigquery’s',
    '`forum_posts` (anchors.md A1).',
  ].join('\n'),
  changes: [
    'The McGill `basic forum` report could not be run from the CLI (its name collided with',
    '`parse forum`: `KeyError`), and its CSV writer encoded text as ASCII with `ignore`, so',
    'accents and every non-Latin letter vanished from titles and bodies; here the text is',
    'UTF-8 as written. It had only type, title, body and date; here the thread, the parent,',
    'edits, votes and the anonymous flag are kept so threads can be rebuilt, and the',
    'identifiers are split into `user_id`, `username`, `hash_id` with title and body marked',
    'free text for the anonymiser.',
  ].join('\n'),
  async *rows(context: ReportContext): AsyncGenerator<Row> {
    const cursor = context.db
      .collection(COURSE_COLLECTIONS.forum)
      .aggregate([{ $sort: { created_at: 1, _id: 1 } }]);
    for await (const doc of cursor) yield postRow(context, doc);
  },
};
