import { Long, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { parseForumLine, rewriteShellSyntax } from './parse-line.js';

const THREAD_OLD =
  '{ "_id" : { "$oid" : "50f1dd4ae05f6d2600000001" }, "_type" : "CommentThread", "author_id" : "7", ' +
  '"created_at" : { "$date" : 1358028106904 }, "votes" : { "up_count" : 2, "count" : 2 }, "comment_count" : 3 }';

describe(parseForumLine, () => {
  it('decodes the old dialect: spaced, $date as epoch millis', () => {
    const parsed = parseForumLine(THREAD_OLD);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.type).toBe('thread');
    expect(parsed.doc._id).toBeInstanceOf(ObjectId);
    expect(parsed.doc._id.toHexString()).toBe('50f1dd4ae05f6d2600000001');
    expect(parsed.doc.created_at).toEqual(new Date(1358028106904));
    expect(parsed.doc.author_id).toBe('7');
    expect(parsed.doc['comment_count']).toBe(3);
    expect(parsed.doc.votes?.up_count).toBe(2);
    expect(parsed.shellSyntax).toBe(false);
  });

  it('decodes $date as {"$numberLong": …} and keeps plain numbers as numbers', () => {
    const parsed = parseForumLine(
      '{"_id":{"$oid":"50f1dd4ae05f6d2600000002"},"_type":"Comment","comment_thread_id":{"$oid":"50f1dd4ae05f6d2600000001"},' +
        '"created_at":{"$date":{"$numberLong":"1358028106904"}},"depth":0,"ratio":1.5,"big":{"$numberLong":"123456789012345678"},"small":{"$numberLong":"12"}}',
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.type).toBe('response');
    expect(parsed.doc.created_at).toEqual(new Date(1358028106904));
    expect(parsed.doc['depth']).toBe(0);
    expect(parsed.doc['ratio']).toBe(1.5);
    expect(parsed.doc['small']).toBe(12);
    expect(parsed.doc['big']).toBeInstanceOf(Long);
    expect(String(parsed.doc['big'])).toBe('123456789012345678');
  });

  it('tells a comment on a response by parent_id or parent_ids', () => {
    const base =
      '"_type":"Comment","comment_thread_id":{"$oid":"50f1dd4ae05f6d2600000001"},"_id":{"$oid":"50f1dd4ae05f6d2600000003"}';
    const byParentId = parseForumLine(`{${base},"parent_id":{"$oid":"50f1dd4ae05f6d2600000002"}}`);
    const byParentIds = parseForumLine(
      `{${base},"parent_ids":[{"$oid":"50f1dd4ae05f6d2600000002"}]}`,
    );
    const response = parseForumLine(`{${base},"parent_ids":[]}`);
    expect(byParentId.ok && byParentId.type).toBe('comment');
    expect(byParentIds.ok && byParentIds.type).toBe('comment');
    expect(response.ok && response.type).toBe('response');
  });

  it('reads the mongo-shell form ISODate("…") / ObjectId("…") with a pre-pass', () => {
    const parsed = parseForumLine(
      '{ "_id" : ObjectId("50f1dd4ae05f6d2600000001"), "_type" : "CommentThread", ' +
        '"body" : "not ISODate(\\"x\\") here", "created_at" : ISODate("2014-08-29T15:11:49.442Z"), "n" : NumberLong(5) }',
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.shellSyntax).toBe(true);
    expect(parsed.doc._id.toHexString()).toBe('50f1dd4ae05f6d2600000001');
    expect(parsed.doc.created_at).toEqual(new Date('2014-08-29T15:11:49.442Z'));
    expect(parsed.doc.body).toBe('not ISODate("x") here');
    expect(parsed.doc['n']).toBe(5);
  });

  it.each([
    ['{"_id":{"$oid":"50f1dd4ae05f6d2600000001"},"_type":"Comm', 'invalid-json'],
    ['[1,2]', 'not-an-object'],
    ['"text"', 'not-an-object'],
    ['{"$date":"2014-08-29T15:11:49.442Z"}', 'not-an-object'],
    ['{"_id":{"$oid":"50f1dd4ae05f6d2600000001"}}', 'no-type'],
    ['{"_id":{"$oid":"50f1dd4ae05f6d2600000001"},"_type":"User"}', 'unknown-type'],
    ['{"_id":{"$oid":"xyz"},"_type":"CommentThread"}', 'invalid-extended-json'],
    ['{"_id":"abc","_type":"CommentThread"}', 'invalid-id'],
    ['{"_type":"CommentThread"}', 'invalid-id'],
    [
      '{"_id":{"$oid":"50f1dd4ae05f6d2600000001"},"_type":"CommentThread","created_at":{"$date":"garbage"}}',
      'invalid-date',
    ],
    ['{"_id":{"$oid":"50f1dd4ae05f6d2600000001"},"_type":"Comment"}', 'no-thread-id'],
  ])('rejects %s as %s', (line, reason) => {
    const parsed = parseForumLine(line);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason).toBe(reason);
    expect(parsed.message).not.toBe('');
  });
});

describe(rewriteShellSyntax, () => {
  it('returns null when there is nothing to rewrite, and leaves strings alone', () => {
    expect(rewriteShellSyntax('{"a":"ISODate(\\"2014\\")"}')).toBeNull();
    expect(rewriteShellSyntax('{"a":NumberInt(3),"b":new Date(5)}')).toBe(
      '{"a":3,"b":{"$date":{"$numberLong":"5"}}}',
    );
  });
});
