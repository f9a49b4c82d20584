/**
 * The forum dump `{c}-prod.mongo`: one `mongoexport` document per line (edx-formats.md §3), in
 * one of two dialects: `new` (compact, keys sorted, `$date` as an ISO string, or as
 * `{"$numberLong": …}` millis) and `old` (spaced like the mongo shell, `$date` as bare millis).
 */
import { Random } from './random.js';
import { mongoIso } from './time.js';
import type { Course, ForumPost } from './world.js';

/** Extended-JSON leaf values, kept apart from plain objects while serialising. */
class MongoDate {
  constructor(
    readonly ms: number,
    readonly form: 'iso' | 'long' | 'millis',
  ) {}
}

class ObjectId {
  constructor(readonly hex: string) {}
}

function compact(value: unknown): string {
  if (value instanceof MongoDate) {
    if (value.form === 'long') return `{"$date":{"$numberLong":"${value.ms}"}}`;
    return value.form === 'iso' ? `{"$date":"${mongoIso(value.ms)}"}` : `{"$date":${value.ms}}`;
  }
  if (value instanceof ObjectId) return `{"$oid":"${value.hex}"}`;
  if (Array.isArray(value)) return `[${value.map(compact).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${compact(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function spaced(value: unknown): string {
  if (value instanceof MongoDate) return `{ "$date" : ${value.ms} }`;
  if (value instanceof ObjectId) return `{ "$oid" : "${value.hex}" }`;
  if (Array.isArray(value))
    return value.length === 0 ? '[]' : `[ ${value.map(spaced).join(', ')} ]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    return `{ ${keys.map((k) => `${JSON.stringify(k)} : ${spaced(record[k])}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}

/** The lines of the forum dump of `course` (each with its `\n`). */
export function forumLines(course: Course, posts: readonly ForumPost[], seed: number): string[] {
  const rng = new Random(seed, `forum-dump-${course.index}`);
  const old = course.forumDialect === 'old';
  const date = (ms: number): MongoDate =>
    new MongoDate(ms, old ? 'millis' : rng.chance(0.15) ? 'long' : 'iso');
  const lines: string[] = [];
  for (const post of posts) {
    if (post.course !== course) continue;
    const votes = {
      up: post.votesUp,
      down: [],
      up_count: post.votesUp.length,
      down_count: 0,
      count: post.votesUp.length,
      point: post.votesUp.length,
    };
    const doc: Record<string, unknown> = {
      _id: new ObjectId(post.id),
      votes,
      visible: true,
      abuse_flaggers: [],
      historical_abuse_flaggers: [],
      at_position_list: [],
      body: post.body,
      course_id: course.key,
      _type: post.type === 'thread' ? 'CommentThread' : 'Comment',
      anonymous: post.anonymous,
      anonymous_to_peers: false,
      author_id: String(post.author.id),
      author_username: post.author.username,
      created_at: date(post.created),
      updated_at: date(post.updated),
    };
    if (post.type === 'thread') {
      const last = Math.max(
        post.updated,
        ...post.children.flatMap((r) => [r.created, ...r.children.map((c) => c.created)]),
      );
      Object.assign(doc, {
        thread_type: post.threadType,
        context: 'course',
        comment_count: post.children.reduce((n, r) => n + 1 + r.children.length, 0),
        at_position_list: [],
        title: post.title,
        commentable_id: post.commentableId,
        closed: false,
        pinned: rng.chance(0.05),
        last_activity_at: date(last),
        tags_array: [],
      });
    } else {
      const thread = post.thread;
      const parent = post.parent;
      Object.assign(doc, {
        endorsed: post.endorsed,
        endorsement:
          post.endorsed && post.endorser !== null
            ? { user_id: String(post.endorser.id), time: date(post.created + 3_600_000) }
            : null,
        comment_thread_id: new ObjectId(thread?.id ?? ''),
        parent_ids: parent === null ? [] : [new ObjectId(parent.id)],
        ...(parent === null ? {} : { parent_id: new ObjectId(parent.id) }),
        sk: parent === null ? post.id : `${parent.id}-${post.id}`,
        child_count: post.children.length,
        depth: parent === null ? 0 : 1,
      });
    }
    lines.push(`${old ? spaced(doc) : compact(doc)}\n`);
  }
  return lines;
}
