/**
 * The documents of the forum `.mongo` dump (edx-formats.md §3): `CommentThread` (a thread)
 * and `Comment` (a response to a thread, or a comment on a response). Fields not listed here
 * are kept as they are (the schema grew over the years).
 */
import type { ObjectId } from 'bson';

/** What a forum document is: a thread, a response to it, or a comment on a response. */
export type ForumPostType = 'thread' | 'response' | 'comment';

/** The `votes` sub-document. */
export interface ForumVotes {
  /** User ids (strings) of the up-votes. */
  readonly up?: readonly string[];
  readonly down?: readonly string[];
  readonly up_count?: number;
  readonly down_count?: number;
  readonly count?: number;
  readonly point?: number;
  readonly [field: string]: unknown;
}

/** Fields shared by threads and comments. */
export interface ForumDocumentBase {
  readonly _id: ObjectId;
  readonly _type: 'CommentThread' | 'Comment';
  /** The auth_user id of the author, as a string (`"1"`). */
  readonly author_id?: string;
  readonly author_username?: string;
  readonly anonymous?: boolean;
  readonly anonymous_to_peers?: boolean;
  /** Markdown. */
  readonly body?: string;
  readonly course_id?: string;
  readonly created_at?: Date;
  readonly updated_at?: Date;
  readonly votes?: ForumVotes;
  readonly abuse_flaggers?: readonly string[];
  readonly historical_abuse_flaggers?: readonly string[];
  readonly visible?: boolean;
  /** Any other field, as exported (ObjectId, Date and Long values decoded). */
  readonly [field: string]: unknown;
}

/** A thread (`_type: "CommentThread"`). */
export interface CommentThread extends ForumDocumentBase {
  readonly _type: 'CommentThread';
  readonly title?: string;
  /** `discussion` or `question` (since 2014-09). */
  readonly thread_type?: string;
  readonly commentable_id?: string;
  /** edX's count of the Comment documents under the thread (responses and comments). */
  readonly comment_count?: number;
  readonly closed?: boolean;
  readonly pinned?: boolean;
  readonly last_activity_at?: Date;
  readonly tags_array?: readonly unknown[];
  readonly context?: string;
}

/** A response (no `parent_id`) or a comment on a response (`parent_id` set). */
export interface Comment extends ForumDocumentBase {
  readonly _type: 'Comment';
  /** The thread this response or comment belongs to. */
  readonly comment_thread_id: ObjectId;
  /** The response a comment replies to; absent on responses. */
  readonly parent_id?: ObjectId;
  readonly parent_ids?: readonly ObjectId[];
  readonly endorsed?: boolean;
  readonly endorsement?: { readonly user_id?: string; readonly time?: Date } | null;
  readonly sk?: string;
  readonly child_count?: number;
  readonly depth?: number;
}

/** A document of the forum dump. */
export type ForumDocument = CommentThread | Comment;

/** Why a line of the dump was not loaded. */
export type ForumRejectReason =
  /** Not valid JSON (a truncated line, for instance), even after the mongo-shell pre-pass. */
  | 'invalid-json'
  /** Valid JSON, but not an object (an array, a string, a number…). */
  | 'not-an-object'
  /** An extended-JSON value that cannot be decoded (`{"$oid": "xyz"}`…). */
  | 'invalid-extended-json'
  /** A `$date` that is not a date (`{"$date": "garbage"}`). */
  | 'invalid-date'
  /** No `_type` field. */
  | 'no-type'
  /** `_type` is neither `CommentThread` nor `Comment`. */
  | 'unknown-type'
  /** `_id` missing or not an ObjectId. */
  | 'invalid-id'
  /** A `Comment` without an ObjectId `comment_thread_id`. */
  | 'no-thread-id'
  /** The line is longer than `maxLineBytes` (16 MiB by default). */
  | 'line-too-long'
  /** Another document of the file already had this `_id` (loading only). */
  | 'duplicate-id';

/** One rejected line. */
export interface ForumReject {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  readonly reason: ForumRejectReason;
  /** A readable explanation. */
  readonly message: string;
  /** The line as read (empty for `line-too-long`). */
  readonly raw: string;
}

/** Counts for the lines read so far; final once iteration has ended. */
export interface ForumParseSummary {
  /** Lines seen, blank and rejected ones included. */
  lines: number;
  /** Blank lines (skipped, not rejected). */
  emptyLines: number;
  /** Documents yielded. */
  documents: number;
  /** Lines that needed the mongo-shell pre-pass (`ISODate("…")`, `ObjectId("…")`…). */
  shellSyntax: number;
  /** Documents yielded, by type. */
  byType: Record<ForumPostType, number>;
  /** Lines rejected. */
  rejected: number;
  /** Lines rejected, by reason (only reasons that occurred). */
  rejectedByReason: Partial<Record<ForumRejectReason, number>>;
}
