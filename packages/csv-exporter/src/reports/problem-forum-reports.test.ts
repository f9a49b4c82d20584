/**
 * The problem, survey, forum and structure reports on a generated package loaded through
 * every stage (and `problem_ids` built), on the embedded engine and on the MongoDB engine of
 * `MONGODB_URI`: every figure is checked against the package's raw files (the server
 * `problem_check` lines of the .log.gz files, the forum .mongo file, the course structure
 * JSON) and the generator's ground truth.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProblemIds } from '@edx-data/course-extractor';
import { mongoTestUri } from '@edx-data/test-support';
import type { LoadedCourse } from '../test-support/course-fixture.js';
import { dropCourse, exportRows, loadCourse } from '../test-support/course-fixture.js';
import { rawChecks, rawForum, rawStructure } from '../test-support/problem-readers.js';
import type { RawCheck } from '../test-support/problem-readers.js';

const URI = mongoTestUri();
const ENGINES: { label: string; uri: string | undefined }[] = [
  { label: 'embedded', uri: undefined },
  ...(URI === undefined ? [] : [{ label: 'MongoDB', uri: URI }]),
];

function answerText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The `answers` cell of an attempt, from the raw event's `submission`. */
function wideAnswers(check: RawCheck): string {
  const submission = check.event['submission'] as Record<string, Record<string, unknown>>;
  const keys = Object.keys(submission).sort(
    (a, b) => Number(a.split('_').at(-2)) - Number(b.split('_').at(-2)),
  );
  const out: Record<string, string> = {};
  for (const key of keys) {
    const question = submission[key]?.['question'];
    const label = typeof question === 'string' && question !== '' ? `${key} : ${question}` : key;
    out[label] = answerText(submission[key]?.['answer']);
  }
  return JSON.stringify(out);
}

describe.each(ENGINES)('problem and forum reports on a generated course ($label)', ({ uri }) => {
  let dir: string;
  let loaded: LoadedCourse;
  let checks: RawCheck[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pf-reports-'));
    loaded = await loadCourse(dir, {}, uri);
    await buildProblemIds(loaded.store, loaded.database);
    checks = await rawChecks(loaded);
  }, 300_000);

  afterAll(async () => {
    if (uri !== undefined) await dropCourse(loaded);
    await loaded.store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(
    report: string,
    params: Record<string, string> = {},
    window: { from?: string; to?: string } = {},
  ): Promise<Record<string, string>[]> {
    return exportRows(loaded.store, loaded.courseKey, report, dir, { params, ...window });
  }

  it('the data exercise the reports: problem checks, repeated attempts, forum posts', () => {
    expect(checks.length).toBeGreaterThan(20);
    const perLearnerProblem = new Map<string, number>();
    for (const c of checks) {
      const key = `${c.userId} ${c.problemId}`;
      perLearnerProblem.set(key, (perLearnerProblem.get(key) ?? 0) + 1);
    }
    expect([...perLearnerProblem.values()].some((n) => n > 1)).toBe(true);
  });

  it('problem_attempts: every server problem_check of the raw logs, in problem, learner, time order', async () => {
    const rows = await run('problem_attempts');
    expect(rows.length).toBe(checks.length);
    const byKey = new Map(checks.map((c) => [`${c.userId}|${c.problemId}|${c.time}`, c]));
    for (const row of rows) {
      const check = byKey.get(
        `${row['user_id'] ?? ''}|${row['problem_id'] ?? ''}|${row['time'] ?? ''}`,
      );
      expect(check, JSON.stringify(row)).toBeDefined();
      if (check === undefined) continue;
      expect(row['username']).toBe(check.username);
      expect(row['hash_id']).not.toBe('');
      expect(Number(row['attempt'])).toBe(check.attempts);
      expect(row['success']).toBe(check.success);
      expect(Number(row['grade'])).toBe(check.grade);
      expect(Number(row['max_grade'])).toBe(check.maxGrade);
      expect(row['answers']).toBe(wideAnswers(check));
      expect(row['problem_name']).not.toBe('');
    }
    const order = rows.map(
      (r) => [r['problem_id'] ?? '', Number(r['user_id']), r['time'] ?? ''] as const,
    );
    const sorted = [...order].sort(
      (a, b) =>
        (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0) ||
        a[1] - b[1] ||
        (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0),
    );
    expect(order).toEqual(sorted);
  });

  it('problem_attempts final: per learner and problem, the greatest attempt number, then the latest', async () => {
    const rows = await run('problem_attempts', { final: 'true' });
    const best = new Map<string, RawCheck>();
    for (const c of checks) {
      const key = `${c.userId}|${c.problemId}`;
      const found = best.get(key);
      if (
        found === undefined ||
        c.attempts > found.attempts ||
        (c.attempts === found.attempts && c.time > found.time)
      ) {
        best.set(key, c);
      }
    }
    expect(best.size).toBeLessThan(checks.length);
    expect(
      rows.map((r) => `${r['user_id'] ?? ''}|${r['problem_id'] ?? ''}|${r['time'] ?? ''}`).sort(),
    ).toEqual([...best.values()].map((c) => `${c.userId}|${c.problemId}|${c.time}`).sort());
  });

  it('problem_attempts long, for one problem and a window of whole days', async () => {
    const counts = new Map<string, number>();
    for (const c of checks) counts.set(c.problemId, (counts.get(c.problemId) ?? 0) + 1);
    const [problem = ''] = [...counts].sort((a, b) => b[1] - a[1]).map(([id]) => id);
    const days = [...new Set(checks.map((c) => c.time.slice(0, 10)))].sort();
    const from = days[1] ?? '';
    const to = days[days.length - 2] ?? '';
    const rows = await run(
      'problem_attempts',
      { problem_ids: problem, layout: 'long' },
      { from, to },
    );
    const inWindow = checks.filter(
      (c) => c.problemId === problem && c.time.slice(0, 10) >= from && c.time.slice(0, 10) <= to,
    );
    expect(inWindow.length).toBeGreaterThan(0);
    const expected = inWindow.flatMap((c) => {
      const submission = c.event['submission'] as Record<string, Record<string, unknown>>;
      const correctMap = c.event['correct_map'] as Record<string, Record<string, unknown>>;
      return Object.keys(submission).map(
        (key) =>
          `${c.userId}|${c.time}|${key}|${answerText(submission[key]?.['answer'])}|${String(correctMap[key]?.['correctness'])}`,
      );
    });
    expect(
      rows
        .map(
          (r) =>
            `${r['user_id'] ?? ''}|${r['time'] ?? ''}|${r['answer_key'] ?? ''}|${r['answer'] ?? ''}|${r['correctness'] ?? ''}`,
        )
        .sort(),
    ).toEqual(expected.sort());
  });

  it('activities_with_lower_completion: learners who tried and who ever succeeded, from the raw logs', async () => {
    const rows = await run('activities_with_lower_completion');
    const tried = new Map<string, Set<number>>();
    const right = new Map<string, Set<number>>();
    for (const c of checks) {
      tried.set(c.problemId, (tried.get(c.problemId) ?? new Set()).add(c.userId));
      if (c.success === 'correct') {
        right.set(c.problemId, (right.get(c.problemId) ?? new Set()).add(c.userId));
      }
    }
    expect(rows.length).toBe(tried.size);
    expect(rows.some((r) => r['learners_never_correct'] !== '0')).toBe(true);
    for (const row of rows) {
      const id = row['problem_id'] ?? '';
      const attempted = tried.get(id)?.size ?? 0;
      const correct = right.get(id)?.size ?? 0;
      expect(Number(row['learners_attempted'])).toBe(attempted);
      expect(Number(row['learners_correct'])).toBe(correct);
      expect(Number(row['learners_never_correct'])).toBe(attempted - correct);
      expect(Number(row['completion_share'])).toBeCloseTo(correct / attempted, 12);
    }
    const shares = rows.map((r) => Number(r['completion_share']));
    expect(shares).toEqual([...shares].sort((a, b) => a - b));
  });

  it('entrance_exit_surveys: each learner’s latest answer per question of the pages given', async () => {
    const problems = [...new Set(checks.map((c) => c.problemId))].sort();
    const entrance = problems.slice(0, 2);
    const exit = problems.slice(2, 3);
    const rows = await run('entrance_exit_surveys', {
      entrance: entrance.join(','),
      exit: exit.join(','),
    });
    const latest = new Map<string, { answer: string; time: string; question: string }>();
    for (const c of checks) {
      if (!entrance.includes(c.problemId) && !exit.includes(c.problemId)) continue;
      const submission = c.event['submission'] as Record<string, Record<string, unknown>>;
      for (const [key, sub] of Object.entries(submission)) {
        const id = `${c.userId}|${entrance.includes(c.problemId) ? 'entrance' : 'exit'}|${c.problemId}|${key}`;
        const found = latest.get(id);
        if (found === undefined || c.time >= found.time) {
          latest.set(id, {
            answer: answerText(sub['answer']),
            time: c.time,
            question: String(sub['question']),
          });
        }
      }
    }
    expect(latest.size).toBeGreaterThan(0);
    expect(rows.length).toBe(latest.size);
    for (const row of rows) {
      const want = latest.get(
        `${row['user_id'] ?? ''}|${row['survey'] ?? ''}|${row['problem_id'] ?? ''}|${row['answer_key'] ?? ''}`,
      );
      expect(want, JSON.stringify(row)).toBeDefined();
      expect(row['answer']).toBe(want?.answer);
      expect(row['time']).toBe(want?.time);
      expect(row['question']).toBe(want?.question);
    }
  });

  it('forum_posts: every document of the .mongo file, text as written, in time order', async () => {
    const rows = await run('forum_posts');
    const raw = await rawForum(loaded);
    const forum = loaded.truth.courses[loaded.courseKey]?.forum;
    expect(rows.length).toBe(raw.length);
    expect(rows.filter((r) => r['post_type'] === 'thread').length).toBe(forum?.thread);
    expect(rows.filter((r) => r['post_type'] === 'response').length).toBe(forum?.response);
    expect(rows.filter((r) => r['post_type'] === 'comment').length).toBe(forum?.comment);
    const byId = new Map(raw.map((doc) => [String(doc['_id']), doc]));
    for (const row of rows) {
      const doc = byId.get(row['post_id'] ?? '');
      expect(doc, row['post_id']).toBeDefined();
      expect(row['user_id']).toBe(doc?.['author_id']);
      expect(row['type']).toBe(doc?.['_type']);
      expect(row['body']).toBe(doc?.['body']);
      expect(row['title']).toBe(doc?.['title'] ?? '');
      expect(row['created_at']).toBe(doc?.['created_at']);
      expect(row['thread_id']).toBe(doc?.['comment_thread_id'] ?? doc?.['_id']);
    }
    const times = rows.map((r) => r['created_at'] ?? '');
    expect(times).toEqual([...times].sort());
    // titles with accents come out whole
    expect(rows.some((r) => /[À-ÿ]/u.test(r['title'] ?? ''))).toBe(true);
  });

  it('forum_word_counts: the counts of the top words, counted in the raw bodies', async () => {
    const rows = await run('forum_word_counts', { top: '10' });
    expect(rows.length).toBe(10);
    const bodies = (await rawForum(loaded)).map((doc) =>
      (typeof doc['body'] === 'string' ? doc['body'] : '').toLowerCase(),
    );
    for (const row of rows) {
      const word = row['word'] ?? '';
      expect(word.length).toBeGreaterThanOrEqual(3);
      const pattern = new RegExp(
        `(?<![\\p{L}\\p{M}\\p{N}'’])${word}(?![\\p{L}\\p{M}\\p{N}])`,
        'gu',
      );
      const counts = bodies.map((body) => body.match(pattern)?.length ?? 0);
      expect(Number(row['count']), word).toBe(counts.reduce((a, b) => a + b, 0));
      expect(Number(row['posts']), word).toBe(counts.filter((n) => n > 0).length);
    }
    const counts = rows.map((r) => Number(r['count']));
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it('sequential_aggregation: every sequential of the structure JSON, in course order', async () => {
    const rows = await run('sequential_aggregation');
    const structure = await rawStructure(loaded);
    const course = Object.values(structure).find((b) => b.category === 'course');
    const expected: Record<string, string>[] = [];
    const spliced = new Set(['conditional', 'wrapper']);
    const below = (key: string, counts: Map<string, number>): void => {
      for (const child of structure[key]?.children ?? []) {
        const category = structure[child]?.category ?? '';
        if (!spliced.has(category)) counts.set(category, (counts.get(category) ?? 0) + 1);
        below(child, counts);
      }
    };
    for (const chapterKey of course?.children ?? []) {
      for (const sequentialKey of structure[chapterKey]?.children ?? []) {
        const verticals = structure[sequentialKey]?.children ?? [];
        const counts = new Map<string, number>();
        for (const v of verticals) below(v, counts);
        expected.push({
          chapter_name: String(structure[chapterKey]?.metadata?.['display_name']),
          sequential_id: sequentialKey.split('@').at(-1) ?? '',
          sequential_name: String(structure[sequentialKey]?.metadata?.['display_name']),
          verticals: String(verticals.length),
          videos: String(counts.get('video') ?? 0),
          html: String(counts.get('html') ?? 0),
          problems: String(counts.get('problem') ?? 0),
          discussions: String(counts.get('discussion') ?? 0),
        });
      }
    }
    expect(
      rows.map((r) => ({
        chapter_name: r['chapter_name'],
        sequential_id: r['sequential_id'],
        sequential_name: r['sequential_name'],
        verticals: r['verticals'],
        videos: r['videos'],
        html: r['html'],
        problems: r['problems'],
        discussions: r['discussions'],
      })),
    ).toEqual(expected);
    const blocks = loaded.truth.courses[loaded.courseKey]?.blocks.after ?? {};
    const sum = (column: string): number => rows.reduce((n, r) => n + Number(r[column]), 0);
    expect(rows.length).toBe(blocks['sequential']);
    expect(sum('verticals')).toBe(blocks['vertical']);
    expect(sum('problems')).toBe(blocks['problem']);
    expect(sum('videos')).toBe(blocks['video']);
    expect(sum('html')).toBe(blocks['html']);
    expect(sum('discussions')).toBe(blocks['discussion']);
  });
});
