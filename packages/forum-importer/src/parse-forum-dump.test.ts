import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ObjectId } from 'bson';
import { HAS_REALDATA, PIPELINE_STATE_INPUT } from '@edx-data/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseForumDump } from './parse-forum-dump.js';
import type { Comment, ForumDocument, ForumReject } from './types.js';

const DEMO = join(PIPELINE_STATE_INPUT, 'edX-DemoX-Demo_Course-acceptance.mongo');

const thread = (n: number): string =>
  `{"_id":{"$oid":"${n.toString(16).padStart(24, '0')}"},"_type":"CommentThread","title":"t${n}","created_at":{"$date":${1_400_000_000_000 + n}}}`;

async function collect(reader: AsyncIterable<ForumDocument>): Promise<ForumDocument[]> {
  const out: ForumDocument[] = [];
  for await (const doc of reader) out.push(doc);
  return out;
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forum-parse-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe(parseForumDump, () => {
  it.skipIf(!HAS_REALDATA)(
    'reads the real edX-DemoX acceptance dump with checked values',
    async () => {
      const reader = parseForumDump(DEMO);
      const docs = (await collect(reader)) as Comment[];
      expect(docs).toHaveLength(3);
      const [first, second, third] = docs;
      expect(first?._id).toBeInstanceOf(ObjectId);
      expect(first?._id.toHexString()).toBe('cd72760dff103dd383012d3f');
      expect(first?._type).toBe('Comment');
      expect(first?.comment_thread_id.toHexString()).toBe('52a4887a932d6ce165000057');
      expect(first?.author_id).toBe('1');
      expect(first?.author_username).toBe('honor');
      expect(first?.course_id).toBe('edX/DemoX/Demo_Course');
      // the only $date form in this file: an ISO string
      expect(first?.created_at).toEqual(new Date('2013-12-13T02:59:58.520Z'));
      expect(first?.updated_at).toBeInstanceOf(Date);
      expect(first?.votes).toEqual({
        count: 1,
        down: [],
        down_count: 0,
        point: 1,
        up: ['1'],
        up_count: 1,
      });
      expect(first?.endorsed).toBe(false);
      expect(second?.author_id).toBe('2');
      expect(second?.created_at?.getTime()).toBe(Date.parse('2013-12-12T17:45:02.211Z'));
      expect(third?.parent_id?.toHexString()).toBe('69963c2c9103a8d2ac7dcb34');
      expect(third?.parent_ids?.[0]).toBeInstanceOf(ObjectId);
      expect(third?.votes?.count).toBe(0);
      expect(reader.summary).toEqual({
        lines: 3,
        emptyLines: 0,
        documents: 3,
        shellSyntax: 0,
        byType: { thread: 0, response: 2, comment: 1 },
        rejected: 0,
        rejectedByReason: {},
      });
    },
  );

  it('rejects a truncated JSON line with its line number and loads the rest', async () => {
    const text = [thread(1), thread(2).slice(0, 40), '', thread(3), '[1]', thread(4)].join('\n');
    const rejects: ForumReject[] = [];
    const reader = parseForumDump(Readable.from([Buffer.from(text)]), {
      file: 'x.mongo',
      onReject: (r) => rejects.push(r),
    });
    const docs = await collect(reader);
    expect(docs.map((d) => d['title'])).toEqual(['t1', 't3', 't4']);
    expect(rejects.map((r) => [r.file, r.line, r.reason])).toEqual([
      ['x.mongo', 2, 'invalid-json'],
      ['x.mongo', 5, 'not-an-object'],
    ]);
    expect(rejects[0]?.raw).toBe(thread(2).slice(0, 40));
    expect(reader.summary).toMatchObject({
      lines: 6,
      emptyLines: 1,
      documents: 3,
      rejected: 2,
      rejectedByReason: { 'invalid-json': 1, 'not-an-object': 1 },
    });
  });

  it('keeps a multibyte character split across chunks, from an AsyncIterable', async () => {
    const line = Buffer.from(
      '{"_id":{"$oid":"000000000000000000000001"},"_type":"CommentThread","body":"café ☕"}\n',
    );
    const byteAtATime: AsyncIterable<Uint8Array> = Readable.from(
      [...line].map((byte) => Uint8Array.of(byte)),
      { objectMode: true },
    );
    const docs = await collect(parseForumDump(byteAtATime));
    expect(docs[0]?.body).toBe('café ☕');
  });

  it('opens a gzip file by path, and throws after the last document when it is truncated', async () => {
    const text = `${[thread(1), thread(2), thread(3)].join('\n')}\n`;
    const good = join(dir, 'Org-C-R-prod.mongo.gz');
    await writeFile(good, gzipSync(text));
    expect((await collect(parseForumDump(good))).length).toBe(3);

    const gz = gzipSync(text);
    const cut = join(dir, 'Org-C-R-cut.mongo.gz');
    await writeFile(cut, gz.subarray(0, gz.length - 4));
    const seen: ForumDocument[] = [];
    const reader = parseForumDump(cut);
    await expect(
      (async () => {
        for await (const doc of reader) seen.push(doc);
      })(),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^E_GZIP_/) as unknown });
    expect(seen).toHaveLength(3);
  });

  it('stops early on break and closes the source', async () => {
    const stream = Readable.from([Buffer.from([thread(1), thread(2), thread(3)].join('\n'))]);
    const reader = parseForumDump(stream);
    for await (const doc of reader) {
      expect(doc._type).toBe('CommentThread');
      break;
    }
    expect(stream.destroyed).toBe(true);
    expect(reader.summary.documents).toBe(1);
  });

  it('rejects a line longer than maxLineBytes as line-too-long', async () => {
    const long = `{"_id":{"$oid":"000000000000000000000009"},"_type":"CommentThread","body":"${'x'.repeat(200)}"}`;
    const rejects: ForumReject[] = [];
    const reader = parseForumDump(Readable.from([Buffer.from(`${thread(1)}\n${long}\n`)]), {
      maxLineBytes: 150,
      onReject: (r) => rejects.push(r),
    });
    expect(await collect(reader)).toHaveLength(1);
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([[2, 'line-too-long']]);
  });
});
