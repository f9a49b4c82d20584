import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { forumPost } from './forum-post.js';
import { parseForumLine } from './parse-line.js';
import type { ForumDocument } from './types.js';

const T = '52a4887a932d6ce165000057';
const R = '69963c2c9103a8d2ac7dcb34';
const C = 'af573b91e8f6d23c9b3ac0d8';

function doc(line: string): ForumDocument {
  const parsed = parseForumLine(line);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.doc;
}

const thread = doc(
  `{"_id":{"$oid":"${T}"},"_type":"CommentThread","anonymous":false,"author_id":"4","author_username":"staff",` +
    `"body":"Hé ☕ 😀","closed":false,"comment_count":9,"commentable_id":"i4x-edX-DemoX-course-Demo_Course",` +
    `"course_id":"edX/DemoX/Demo_Course","created_at":{"$date":"2013-12-08T14:52:42.000Z"},"thread_type":"question",` +
    `"title":"Certificates","updated_at":{"$date":1386514362000},"votes":{"count":3,"down":["9"],"down_count":1,"point":1,"up":["1","2"],"up_count":2}}`,
);
const response = doc(
  `{"_id":{"$oid":"${R}"},"_type":"Comment","anonymous":true,"author_id":"2","author_username":"audit","body":"Me too.",` +
    `"child_count":4,"comment_thread_id":{"$oid":"${T}"},"course_id":"edX/DemoX/Demo_Course","created_at":{"$date":{"$numberLong":"1386870302211"}},` +
    `"endorsed":true,"parent_ids":[],"updated_at":{"$date":"2013-12-12T17:45:02.211Z"},"votes":{"up":["1"],"down":[]}}`,
);
const comment = doc(
  `{"_id":{"$oid":"${C}"},"_type":"Comment","author_id":"4","author_username":"staff","body":"",` +
    `"comment_thread_id":{"$oid":"${T}"},"course_id":"edX/DemoX/Demo_Course","created_at":{"$date":"2013-12-12T17:44:08.128Z"},` +
    `"endorsed":false,"parent_id":{"$oid":"${R}"},"parent_ids":[{"$oid":"${R}"}],"updated_at":{"$date":"2013-12-12T17:44:08.128Z"},` +
    `"votes":{"count":0,"down":[],"down_count":0,"point":0,"up":[],"up_count":0}}`,
);

describe(forumPost, () => {
  it('flattens a thread, with counts from the file', () => {
    const post = forumPost(thread, { responses: 2, comments: 5 });
    expect(post).toEqual({
      _id: new ObjectId(T),
      post_type: 'thread',
      thread_id: new ObjectId(T),
      parent_id: null,
      author_id: '4',
      author_username: 'staff',
      created_at: new Date('2013-12-08T14:52:42.000Z'),
      updated_at: new Date(1386514362000),
      title: 'Certificates',
      body_length: 6,
      votes_up: 2,
      votes_down: 1,
      votes_count: 3,
      response_count: 2,
      comment_count: 5,
      endorsed: null,
      anonymous: false,
      course_id: 'edX/DemoX/Demo_Course',
      commentable_id: 'i4x-edX-DemoX-course-Demo_Course',
      thread_type: 'question',
    });
  });

  it('falls back to the document counts without file counts', () => {
    const post = forumPost(thread);
    expect(post.comment_count).toBe(9);
    expect(post.response_count).toBeNull();
    expect(forumPost(response).comment_count).toBe(4);
  });

  it('flattens a response (votes counted from the lists when counts are missing)', () => {
    const post = forumPost(response, { responses: 0, comments: 1 });
    expect(post).toEqual({
      _id: new ObjectId(R),
      post_type: 'response',
      thread_id: new ObjectId(T),
      parent_id: new ObjectId(T),
      author_id: '2',
      author_username: 'audit',
      created_at: new Date(1386870302211),
      updated_at: new Date('2013-12-12T17:45:02.211Z'),
      title: null,
      body_length: 7,
      votes_up: 1,
      votes_down: 0,
      votes_count: 1,
      response_count: null,
      comment_count: 1,
      endorsed: true,
      anonymous: true,
      course_id: 'edX/DemoX/Demo_Course',
      commentable_id: null,
      thread_type: null,
    });
  });

  it('flattens a comment on a response', () => {
    const post = forumPost(comment, { responses: 7, comments: 7 });
    expect(post).toEqual({
      _id: new ObjectId(C),
      post_type: 'comment',
      thread_id: new ObjectId(T),
      parent_id: new ObjectId(R),
      author_id: '4',
      author_username: 'staff',
      created_at: new Date('2013-12-12T17:44:08.128Z'),
      updated_at: new Date('2013-12-12T17:44:08.128Z'),
      title: null,
      body_length: 0,
      votes_up: 0,
      votes_down: 0,
      votes_count: 0,
      response_count: null,
      comment_count: null,
      endorsed: false,
      anonymous: false,
      course_id: 'edX/DemoX/Demo_Course',
      commentable_id: null,
      thread_type: null,
    });
  });
});
