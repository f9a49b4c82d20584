import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ObjectId } from 'bson';
import { courseDatabaseName } from '@edx-data/core';
import { isTemporaryCollection, openStore } from '@edx-data/store';
import type { Database, Store } from '@edx-data/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePackage, generateTestKey } from '@edx-data/synthetic-data';
import type { CourseTruth, GeneratedPackage } from '@edx-data/synthetic-data';
import { loadForum } from './load-forum.js';
import type { ForumPost } from './forum-post.js';
import type { RejectedRecord } from '@edx-data/store';
import type { ForumDocument } from './types.js';

let dir = '';
let store: Store;
let pkg: GeneratedPackage;

interface ForumFileTruth {
  readonly path: string;
  readonly course: CourseTruth;
}

function forumFiles(p: GeneratedPackage): ForumFileTruth[] {
  return p.groundTruth.files
    .filter((f) => f.kind === 'forum')
    .map((f) => {
      const course = p.groundTruth.courses[f.course ?? ''];
      if (course === undefined) throw new Error(`no truth for ${f.path}`);
      return { path: join(p.dir, f.path), course };
    });
}

async function collectionNames(db: Database): Promise<string[]> {
  return (await db.listCollections()).map((c) => c.name).sort();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forum-load-'));
  pkg = await generatePackage({
    dir: join(dir, 'pkg'),
    seed: 11,
    courses: 2,
    learners: 40,
    days: 1,
  });
  store = await openStore(join(dir, 'store'));
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe(loadForum, () => {
  it('loads generated dumps of both dialects with counts by type equal to the ground truth', async () => {
    const files = forumFiles(pkg);
    expect(new Set(files.map((f) => f.course.forumDialect))).toEqual(new Set(['new', 'old']));
    for (const { path, course } of files) {
      const summary = await loadForum(store, path);
      const total = course.forum.thread + course.forum.response + course.forum.comment;
      expect(total).toBeGreaterThan(0);
      expect(summary).toMatchObject({
        courseId: course.key,
        database: courseDatabaseName(course.key),
        documents: total,
        byType: course.forum,
        rejected: 0,
      });
      const db = store.db(summary.database);
      const forum = db.collection<ForumDocument>('forum');
      const posts = db.collection<ForumPost>('forum_posts');
      expect(await forum.countDocuments()).toBe(total);
      expect(await forum.countDocuments({ _type: 'CommentThread' })).toBe(course.forum.thread);
      expect(await posts.countDocuments({ post_type: 'thread' })).toBe(course.forum.thread);
      expect(await posts.countDocuments({ post_type: 'response' })).toBe(course.forum.response);
      expect(await posts.countDocuments({ post_type: 'comment' })).toBe(course.forum.comment);
      const threads = await posts.find({ post_type: 'thread' }).toArray();
      const sum = (k: 'response_count' | 'comment_count'): number =>
        threads.reduce((n, t) => n + (t[k] ?? 0), 0);
      expect(sum('response_count')).toBe(course.forum.response);
      expect(sum('comment_count')).toBe(course.forum.response + course.forum.comment);
      // the thread's own comment_count agrees with the one counted from the file
      for (const t of threads) {
        const own = await forum.findOne({ _id: t._id });
        expect(own?.['comment_count']).toBe(t.comment_count);
      }
      const one = await forum.findOne({});
      expect(one?._id).toBeInstanceOf(ObjectId);
      expect(one?.created_at).toBeInstanceOf(Date);
      expect(typeof one?.author_id).toBe('string');
      const indexed = (await forum.listIndexes()).map((i) => Object.keys(i.key).join(','));
      expect(indexed).toEqual(
        expect.arrayContaining(['author_id', 'comment_thread_id', 'course_id', 'created_at']),
      );
      expect((await collectionNames(db)).filter(isTemporaryCollection)).toEqual([]);
      expect(await db.collection('import_rejected').countDocuments()).toBe(0);
    }
  });

  it('rejects a truncated JSON line with its line number, loads the rest, and re-load replaces', async () => {
    const [{ path, course }] = forumFiles(pkg) as [ForumFileTruth];
    const lines = (await readFile(path, 'utf8')).split('\n');
    const total = course.forum.thread + course.forum.response + course.forum.comment;
    const broken = [...lines];
    const cutLine = (lines[2] ?? '').slice(0, 50);
    broken[2] = cutLine;
    const name = `${course.filePrefix}-prod.mongo`;
    const brokenPath = join(dir, 'broken', name);
    await rm(join(dir, 'broken'), { recursive: true, force: true });
    await mkdir(join(dir, 'broken'));
    await writeFile(brokenPath, broken.join('\n'));

    const first = await loadForum(store, brokenPath);
    expect(first.documents).toBe(total - 1);
    expect(first.rejected).toBe(1);
    expect(first.rejectedByReason).toEqual({ 'invalid-json': 1 });
    const db = store.db(first.database);
    const rejects = db.collection<RejectedRecord>('import_rejected');
    const stored = await rejects.find({}, { projection: { _id: 0 } }).toArray();
    expect(stored).toEqual([
      {
        file: name,
        table: 'forum',
        line: 3,
        code: 'invalid-json',
        reason: expect.stringContaining('not valid JSON') as unknown,
        raw: cutLine,
        raw_truncated: false,
        raw_bytes: Buffer.byteLength(cutLine),
        run: expect.any(String) as unknown,
      },
    ]);

    // the same file again: the same counts, the rejects replaced, not added
    const again = await loadForum(store, brokenPath);
    expect(again.documents).toBe(total - 1);
    expect(await rejects.countDocuments()).toBe(1);
    expect(await db.collection('forum').countDocuments()).toBe(total - 1);
    expect(await db.collection('forum_posts').countDocuments()).toBe(total - 1);

    // the repaired file: everything, and no rejects left for it
    const fixed = await loadForum(store, path);
    expect(fixed.documents).toBe(total);
    expect(await rejects.countDocuments()).toBe(0);
    expect(await db.collection('forum').countDocuments()).toBe(total);
    expect((await collectionNames(db)).filter(isTemporaryCollection)).toEqual([]);
  });

  it('leaves the previous collections when the file fails its check (truncated gzip)', async () => {
    const [{ path, course }] = forumFiles(pkg) as [ForumFileTruth];
    const total = course.forum.thread + course.forum.response + course.forum.comment;
    await loadForum(store, path);
    const gz = gzipSync(await readFile(path));
    const cut = join(dir, `${course.filePrefix}-prod.mongo.gz`);
    await writeFile(cut, gz.subarray(0, gz.length - 4));
    await expect(loadForum(store, cut)).rejects.toMatchObject({
      code: expect.stringMatching(/^E_GZIP_/) as unknown,
    });
    const db = store.db(courseDatabaseName(course.key));
    expect(await db.collection('forum').countDocuments()).toBe(total);
    expect(await db.collection('forum_posts').countDocuments()).toBe(total);
    expect((await collectionNames(db)).filter(isTemporaryCollection)).toEqual([]);
  });

  it('reports a duplicate _id as a reject and keeps the first document', async () => {
    const a = '{"_id":{"$oid":"000000000000000000000001"},"_type":"CommentThread","title":"a"}';
    const b = '{"_id":{"$oid":"000000000000000000000001"},"_type":"CommentThread","title":"b"}';
    const summary = await loadForum(store, Readable.from([Buffer.from(`${a}\n${b}\n`)]), {
      courseId: 'course-v1:DupX+D1+2024',
      file: 'DupX-D1-2024-prod.mongo',
    });
    expect(summary).toMatchObject({ documents: 1, rejected: 1, database: 'DupX_D1_2024' });
    const db = store.db('DupX_D1_2024');
    expect((await db.collection('forum').findOne({}))?.['title']).toBe('a');
    expect(
      await db
        .collection('import_rejected')
        .findOne({}, { projection: { _id: 0, reason: 0, run: 0 } }),
    ).toEqual({
      file: 'DupX-D1-2024-prod.mongo',
      table: 'forum',
      line: 2,
      code: 'duplicate-id',
      raw: '',
      raw_truncated: false,
      raw_bytes: 0,
    });
  });

  it('keeps every reject when there are more than a batch of them', async () => {
    const good = (n: number): string =>
      `{"_id":{"$oid":"${n.toString(16).padStart(24, '0')}"},"_type":"CommentThread"}`;
    const lines: string[] = [];
    for (let i = 1; i <= 2500; i++) lines.push(i % 2 === 0 ? good(i) : `{"broken":${i}`);
    const summary = await loadForum(store, Readable.from([Buffer.from(lines.join('\n'))]), {
      courseId: 'course-v1:ManyX+M1+2024',
    });
    expect(summary).toMatchObject({ documents: 1250, rejected: 1250 });
    const rejects = store.db('ManyX_M1_2024').collection('import_rejected');
    expect(await rejects.countDocuments({ file: '<stream>', code: 'invalid-json' })).toBe(1250);
    expect((await rejects.findOne({ line: 2499 }))?.['raw']).toBe('{"broken":2499');
  });

  it('loads an empty dump as empty collections', async () => {
    const summary = await loadForum(store, Readable.from([Buffer.from('\n')]), {
      courseId: 'EmptyX/E1/2024',
    });
    expect(summary).toMatchObject({
      documents: 0,
      rejected: 0,
      lines: 1,
      database: 'EmptyX_E1_2024',
    });
    const db = store.db('EmptyX_E1_2024');
    expect(await db.collection('forum').countDocuments()).toBe(0);
    expect(await collectionNames(db)).toEqual(expect.arrayContaining(['forum', 'forum_posts']));
  });

  it('needs a course id for a stream, and a forum file name otherwise', async () => {
    await expect(loadForum(store, Readable.from([]))).rejects.toMatchObject({ code: 'E_OPTION' });
    await expect(loadForum(store, join(dir, 'notes.txt'))).rejects.toMatchObject({
      code: 'E_OPTION',
    });
  });

  it('decrypts a .gpg dump with the key', async () => {
    const key = await generateTestKey();
    const enc = await generatePackage({
      dir: join(dir, 'enc'),
      seed: 3,
      courses: 1,
      learners: 10,
      days: 1,
      encryptTo: key.publicKey,
    });
    const [{ path, course }] = forumFiles(enc) as [ForumFileTruth];
    expect(path.endsWith('.mongo.gpg')).toBe(true);
    const progress: number[] = [];
    const summary = await loadForum(store, path, {
      key: key.privateKey,
      onProgress: (p) => progress.push(p.bytesRead),
    });
    expect(summary.byType).toEqual(course.forum);
    expect(progress.length).toBeGreaterThan(0);
  });
});
