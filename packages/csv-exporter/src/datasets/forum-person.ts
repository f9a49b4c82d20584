/** `forum_person`: per learner, what they wrote in the forum, what it received, and what they read. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, Row, TrackingReducer, TrackingReport } from '../report.js';
import { LEARNER_COLUMNS } from '../reports/columns.js';
import { eventUserId, isRecord, numberOf, userIdOf } from '../reports/values.js';
import { TabReader, eventTypeOf, textOrNull } from '../reports/video-shared.js';

interface Written {
  readonly userId: number | null;
  readonly username: string | null;
  threads: number;
  responses: number;
  comments: number;
  votes: number;
  upvotes: number;
  endorsed: number;
  pinned: number;
  first: Date | null;
  last: Date | null;
}

function dateOf(value: unknown): Date | null {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  return date === null || Number.isNaN(date.getTime()) ? null : date;
}

function hasParent(doc: Document): boolean {
  const ids = doc['parent_ids'];
  const parent = doc['parent_id'];
  return (
    (parent !== null && parent !== undefined && parent !== '') ||
    (Array.isArray(ids) && ids.length > 0)
  );
}

function emptyWritten(userId: number | null, username: string | null): Written {
  return {
    userId,
    username,
    threads: 0,
    responses: 0,
    comments: 0,
    votes: 0,
    upvotes: 0,
    endorsed: 0,
    pinned: 0,
    first: null,
    last: null,
  };
}

const keyOf = (userId: number | null, username: string | null): string =>
  userId !== null ? `#${userId}` : `@${username ?? ''}`;

export const forumPerson: TrackingReport = {
  kind: 'tracking',
  name: 'forum_person',
  question: 'How much did each learner write in, receive from, and read the course forum?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.tracking, COURSE_COLLECTIONS.forum],
  columns: [
    ...LEARNER_COLUMNS,
    {
      name: 'nforum_posts',
      type: 'integer',
      description: 'Threads + responses + comments the learner wrote',
    },
    { name: 'nforum_threads', type: 'integer', description: 'CommentThread documents they wrote' },
    {
      name: 'nforum_responses',
      type: 'integer',
      description: 'Comment documents they wrote on a thread (no parent)',
    },
    {
      name: 'nforum_comments',
      type: 'integer',
      description: 'Comment documents they wrote on a response (with a parent)',
    },
    { name: 'nforum_votes', type: 'integer', description: 'Sum of votes.count over their posts' },
    {
      name: 'nforum_upvotes',
      type: 'integer',
      description: 'Sum of votes.up_count over their posts',
    },
    {
      name: 'nforum_endorsed',
      type: 'integer',
      description: 'Their Comments with endorsed = true',
    },
    { name: 'nforum_pinned', type: 'integer', description: 'Their threads with pinned = true' },
    {
      name: 'first_post',
      type: 'datetime',
      description: 'created_at of their first post; empty when none',
    },
    {
      name: 'last_post',
      type: 'datetime',
      description: 'created_at of their last post; empty when none',
    },
    {
      name: 'nforum_reads',
      type: 'integer',
      description: '`edx.forum.thread.viewed` events of the learner',
    },
    {
      name: 'nforum_pages',
      type: 'integer',
      description: 'Page visits of the course’s discussion tab (`/courses/<id>/discussion/…` URLs)',
    },
    {
      name: 'nforum_events',
      type: 'integer',
      description:
        'All `edx.forum.*` events of the learner (reads, posts, votes, follows, searches, …)',
    },
  ],
  definition: [
    '**Writing** (edx2bigquery’s forum columns of `person_course`, anchors.md §4a items 2 and 8):',
    'the course’s `forum` documents whose `created_at` is in the export window, by author',
    '(`author_id` = user id, else `author_username`): a `CommentThread` is a thread, a `Comment`',
    'with a `parent_id` (or non-empty `parent_ids`) a comment, any other `Comment` a response.',
    '`nforum_votes` / `nforum_upvotes` sum `votes.count` / `votes.up_count` over those posts',
    '(votes received), `nforum_endorsed` counts their endorsed Comments, `nforum_pinned` their',
    'pinned threads.',
    '',
    '**Reading**, from the learner’s events in the window: `nforum_reads` = `edx.forum.thread.viewed`',
    'events, `nforum_pages` = page visits of the discussion tab (implicit events whose',
    '`event_type` is a `/courses/<id>/discussion/…` path of this course, either course-id form:',
    'the tab rule of `navigation_tabs`), `nforum_events` = events whose type starts with',
    '`edx.forum.`. The learner of an event is its `context.user_id`, else its username.',
    '',
    'One row per learner who wrote a post or has a read, page or forum event; rows in',
    '`username` order (then user id).',
  ].join('\n'),
  changes: [
    'edx2bigquery’s `forum_person` is one row per (learner, post) from its `forum_events`; its',
    '`person_course` has the per-learner totals (`nforum_posts`, `nforum_votes`,',
    '`nforum_endorsed`, `nforum_pinned`, threads, comments). This dataset gives those totals',
    'per learner, with responses and comments apart, and the reads from the logs: the',
    '`edx.forum.*` events that neither edx2bigquery’s nor simeon’s URL patterns count, and the',
    'discussion pages of both course-id forms (edx2bigquery matched the slash form only).',
  ].join('\n'),
  async start(context: ReportContext): Promise<TrackingReducer> {
    const tabs = new TabReader(context.courseKey);
    const { from, toExclusive } = context.window;
    const written = new Map<string, Written>();
    const projection = {
      _type: 1,
      author_id: 1,
      author_username: 1,
      parent_id: 1,
      parent_ids: 1,
      votes: 1,
      endorsed: 1,
      pinned: 1,
      created_at: 1,
    };
    for await (const doc of context.db
      .collection(COURSE_COLLECTIONS.forum)
      .find({}, { projection })) {
      const created = dateOf(doc['created_at']);
      if (from !== null && (created === null || created < from)) continue;
      if (toExclusive !== null && (created === null || created >= toExclusive)) continue;
      const userId = userIdOf(doc['author_id']);
      const username = textOrNull(doc['author_username']);
      const key = keyOf(userId, username);
      let w = written.get(key);
      if (w === undefined) {
        w = emptyWritten(userId, username);
        written.set(key, w);
      }
      const thread = doc['_type'] === 'CommentThread';
      if (thread) w.threads++;
      else if (hasParent(doc)) w.comments++;
      else w.responses++;
      const votes = isRecord(doc['votes']) ? doc['votes'] : {};
      w.votes += numberOf(votes['count']) ?? 0;
      w.upvotes += numberOf(votes['up_count']) ?? 0;
      if (!thread && doc['endorsed'] === true) w.endorsed++;
      if (thread && doc['pinned'] === true) w.pinned++;
      if (created !== null) {
        if (w.first === null || created < w.first) w.first = created;
        if (w.last === null || created > w.last) w.last = created;
      }
    }

    const rows: Row[] = [];
    const rowOf = (w: Written, reads: number, pages: number, events: number): Row => ({
      ...context.learners.columns(w.userId, w.username),
      nforum_posts: w.threads + w.responses + w.comments,
      nforum_threads: w.threads,
      nforum_responses: w.responses,
      nforum_comments: w.comments,
      nforum_votes: w.votes,
      nforum_upvotes: w.upvotes,
      nforum_endorsed: w.endorsed,
      nforum_pinned: w.pinned,
      first_post: w.first,
      last_post: w.last,
      nforum_reads: reads,
      nforum_pages: pages,
      nforum_events: events,
    });
    let userId: number | null = null;
    let reads = 0;
    let pages = 0;
    let events = 0;
    return {
      event(event: Document): void {
        const username = event['username'];
        if (typeof username !== 'string' || username === '') return;
        const type = eventTypeOf(event);
        if (type.startsWith('edx.forum.')) {
          events++;
          if (type === 'edx.forum.thread.viewed') reads++;
        } else if (type.includes('/discussion') && tabs.tabOf(type) === 'discussion') {
          pages++;
        } else return;
        userId ??= eventUserId(event);
      },
      endLearner(username: string): void {
        const id = userId ?? context.learners.byUsername(username)?.userId ?? null;
        const key = keyOf(id, id === null ? username : null);
        const w =
          written.get(key) ?? (id === null ? undefined : written.get(keyOf(null, username)));
        if (w !== undefined) written.delete(keyOf(w.userId, w.username));
        if (w !== undefined || reads + pages + events > 0) {
          rows.push(rowOf(w ?? emptyWritten(id, username), reads, pages, events));
        }
        userId = null;
        reads = 0;
        pages = 0;
        events = 0;
      },
      end(emit: Emit): void {
        for (const w of written.values()) rows.push(rowOf(w, 0, 0, 0));
        const name = (r: Row): string => (typeof r['username'] === 'string' ? r['username'] : '');
        const id = (r: Row): number => (typeof r['user_id'] === 'number' ? r['user_id'] : -1);
        rows.sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : id(a) - id(b)));
        for (const row of rows) emit(row);
      },
    };
  },
};
