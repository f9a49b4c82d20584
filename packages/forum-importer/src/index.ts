/**
 * @edx-data/forum-importer: the edX forum `.mongo` dump (mongoexport extended JSON) as typed
 * documents, a flat per-post view, and a loader into the course database.
 */
export { parseForumDump } from './parse-forum-dump.js';
export type { ForumDumpReader, ForumInput, ParseForumDumpOptions } from './parse-forum-dump.js';
export { parseForumLine, forumPostType } from './parse-line.js';
export type { ParsedForumLine } from './parse-line.js';
export { forumPost } from './forum-post.js';
export type { ForumPost, ForumReplyCounts } from './forum-post.js';
export { loadForum } from './load-forum.js';
export type { LoadForumOptions, LoadForumSummary } from './load-forum.js';
export type {
  Comment,
  CommentThread,
  ForumDocument,
  ForumDocumentBase,
  ForumParseSummary,
  ForumPostType,
  ForumReject,
  ForumRejectReason,
  ForumVotes,
} from './types.js';
