/**
 * `forumPost`: the flat, one-row-per-post view of a forum document, for researchers
 * (the `forum_posts` collection).
 */
import type { ObjectId } from 'bson';
import { forumPostType } from './parse-line.js';
import type { ForumDocument, ForumPostType } from './types.js';

/** Reply counts of a thread or a response, counted over the whole file. */
export interface ForumReplyCounts {
  /** Responses to the thread (threads only). */
  readonly responses: number;
  /**
   * Every Comment document below the post: for a thread its responses plus the comments on
   * them (edX's own `comment_count`); for a response the comments on it.
   */
  readonly comments: number;
}

/** One post, flattened. See the README for the exact definitions. */
export interface ForumPost {
  readonly [field: string]: unknown;
  /** The `_id` of the forum document. */
  readonly _id: ObjectId;
  readonly post_type: ForumPostType;
  /** The thread: its own `_id` for a thread, `comment_thread_id` otherwise. */
  readonly thread_id: ObjectId;
  /** What the post replies to: null for a thread, the thread for a response, the response for a comment. */
  readonly parent_id: ObjectId | null;
  readonly author_id: string | null;
  readonly author_username: string | null;
  readonly created_at: Date | null;
  readonly updated_at: Date | null;
  /** Threads only. */
  readonly title: string | null;
  /** Length of `body` in Unicode code points (0 when there is no body). */
  readonly body_length: number;
  readonly votes_up: number;
  readonly votes_down: number;
  readonly votes_count: number;
  /** Threads: responses. Null for responses and comments. */
  readonly response_count: number | null;
  /** Threads: responses + comments; responses: their comments; comments: null. */
  readonly comment_count: number | null;
  /** Responses and comments: `endorsed`; null for threads. */
  readonly endorsed: boolean | null;
  readonly anonymous: boolean;
  readonly course_id: string | null;
  /** Threads only (the discussion topic or block). */
  readonly commentable_id: string | null;
  /** Threads only: `discussion` or `question` (null before 2014-09). */
  readonly thread_type: string | null;
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const date = (value: unknown): Date | null => (value instanceof Date ? value : null);
const num = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

function countOf(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

/**
 * The flat view of one forum document. `counts` are the reply counts computed over the
 * whole file ({@link loadForum} does this); without them, a thread's `comment_count` is its
 * own `comment_count` field, a response's is its `child_count` field, and `response_count`
 * is null.
 */
export function forumPost(doc: ForumDocument, counts?: ForumReplyCounts): ForumPost {
  const type = forumPostType(doc);
  const votes: Record<string, unknown> = doc.votes ?? {};
  const body = typeof doc.body === 'string' ? doc.body : '';
  let bodyLength = body.length;
  for (let i = 0; i < body.length; i++) {
    const unit = body.charCodeAt(i);
    if (unit >= 0xdc00 && unit <= 0xdfff) bodyLength--; // the second half of a pair
  }
  const thread = doc._type === 'CommentThread' ? doc : undefined;
  const comment = doc._type === 'Comment' ? doc : undefined;
  let commentCount: number | null = null;
  if (type === 'thread') commentCount = counts?.comments ?? num(doc['comment_count']);
  else if (type === 'response') commentCount = counts?.comments ?? num(doc['child_count']);
  return {
    _id: doc._id,
    post_type: type,
    thread_id: comment?.comment_thread_id ?? doc._id,
    parent_id:
      comment === undefined
        ? null
        : type === 'comment'
          ? (comment.parent_id ?? comment.parent_ids?.[0] ?? null)
          : comment.comment_thread_id,
    author_id: str(doc.author_id),
    author_username: str(doc.author_username),
    created_at: date(doc.created_at),
    updated_at: date(doc.updated_at),
    title: str(thread?.title),
    body_length: bodyLength,
    votes_up: num(votes['up_count']) ?? countOf(votes['up']),
    votes_down: num(votes['down_count']) ?? countOf(votes['down']),
    votes_count: num(votes['count']) ?? countOf(votes['up']) + countOf(votes['down']),
    response_count: type === 'thread' ? (counts?.responses ?? null) : null,
    comment_count: commentCount,
    endorsed: comment === undefined ? null : comment.endorsed === true,
    anonymous: doc.anonymous === true,
    course_id: str(doc.course_id),
    commentable_id: str(thread?.commentable_id),
    thread_type: str(thread?.thread_type),
  };
}
