import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyFile, UsageError } from '@edx-data/core';
import { generatePackage, GROUND_TRUTH_FILE } from './generate-package.js';
import type { GeneratedPackage, GroundTruth } from './generate-package.js';
import { QUIRKS } from './options.js';
import { GENERATED_TABLES } from './tables.js';
import {
  countEventLines,
  hashFiles,
  listFiles,
  parseTsv,
  readAllLines,
} from './test-support/read-package.js';

const OPTIONS = {
  org: 'McGillX',
  courses: 3,
  learners: 60,
  days: 3,
  seed: 11,
  quirks: QUIRKS,
} as const;

let root: string;
let pkg: GeneratedPackage;
let truth: GroundTruth;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'synthetic-data-'));
  pkg = await generatePackage({ ...OPTIONS, dir: join(root, 'a') });
  truth = pkg.groundTruth;
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function fileOf(kind: string, course?: string, table?: string): string {
  const file = truth.files.find(
    (f) =>
      f.kind === kind &&
      (course === undefined || f.course === course) &&
      (table === undefined || f.table === table),
  );
  if (file === undefined) throw new Error(`no ${kind} ${course ?? ''} ${table ?? ''}`);
  return join(pkg.dir, file.path);
}

async function table(course: string, name: string): Promise<ReturnType<typeof parseTsv>> {
  return parseTsv(await readAllLines(fileOf('table', course, name)));
}

describe(generatePackage, () => {
  it('writes ground-truth.json equal to the returned ground truth', async () => {
    const written = JSON.parse(await readFile(pkg.groundTruthFile, 'utf8')) as GroundTruth;
    expect(written).toEqual(truth);
    expect(truth.courseIds).toEqual([
      'course-v1:McGillX+ATOC185x+1T2023',
      'course-v1:McGillX+CHEM181x+2T2024',
      'course-v1:McGillX+COMP202x+3T2023',
    ]);
    expect(truth.learners).toBe(60);
  });

  it('names every file so that core classifyFile reads it right', async () => {
    const files = (await listFiles(pkg.dir)).filter((f) => f !== GROUND_TRUTH_FILE);
    expect(files).toEqual(truth.files.map((f) => f.path).sort());
    expect(files).toHaveLength(3 * (GENERATED_TABLES.length + 2) + 3);
    for (const listed of truth.files) {
      const found = classifyFile(listed.path);
      expect(found.kind, listed.path).toBe(listed.kind);
      if (found.kind === 'table') {
        expect(found.table).toBe(listed.table);
        expect(found.key).toBe(listed.course);
        expect(found.site).toBe('prod');
        expect(found.ambiguous).toBe(false);
      } else if (found.kind === 'forum' || found.kind === 'course_structure') {
        expect(found.key).toBe(listed.course);
      } else if (found.kind === 'events') {
        expect(found).toMatchObject({
          org: 'mcgillx',
          site: 'edx',
          date: listed.date,
          compressed: true,
          encrypted: false,
        });
      }
    }
  });

  it('counts the events of every daily log exactly (lines, rejected, duplicates, courses, days)', async () => {
    const byCourseDay = new Map<string, number>();
    const blockEvents = new Map<string, number>();
    for (const file of truth.events.files) {
      const counted = countEventLines(await readAllLines(join(pkg.dir, file.file)));
      expect(counted.lines, file.file).toBe(file.lines);
      expect(counted.events).toBe(file.events);
      expect(counted.unique).toBe(file.uniqueEvents);
      expect(counted.duplicateLines).toEqual(file.duplicateLines);
      expect(counted.rejectedLines).toEqual(file.rejectedLines.map((r) => r.line));
      expect(counted.prefixed).toBe(file.prefixedLines);
      expect(Object.fromEntries(counted.byCourse)).toEqual(file.eventsByCourse);
      expect(counted.withoutCourse).toBe(file.eventsWithoutCourse);
      for (const [k, n] of counted.byCourseDay) byCourseDay.set(k, (byCourseDay.get(k) ?? 0) + n);
      for (const [k, n] of counted.blockEvents) blockEvents.set(k, (blockEvents.get(k) ?? 0) + n);
    }
    for (const [key, course] of Object.entries(truth.courses)) {
      for (const [day, n] of Object.entries(course.eventsByDay))
        expect(byCourseDay.get(`${key} ${day}`), `${key} ${day}`).toBe(n);
      expect(course.blockEvents).toBe(blockEvents.get(key));
      expect(Object.values(course.blockEventsByCategory).reduce((a, b) => a + b, 0)).toBe(
        course.blockEvents,
      );
    }
    // With every quirk on, each one shows up.
    const totals = truth.events.totals;
    expect(totals.rejectedLines).toBeGreaterThan(0);
    expect(totals.duplicateLines).toBeGreaterThan(0);
    expect(totals.prefixedLines).toBeGreaterThan(0);
    expect(totals.eventsWithoutCourse).toBeGreaterThan(0);
    expect(totals.uniqueEvents).toBe(totals.events - totals.duplicateLines);
    expect(totals.lines).toBe(totals.events + totals.rejectedLines);
  });

  it('keeps the event ground truth exact for other seeds', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const other = await generatePackage({
        dir: join(root, `seed-${seed}`),
        courses: 1,
        learners: 40,
        days: 2,
        seed,
        quirks: QUIRKS,
      });
      for (const file of other.groundTruth.events.files) {
        const counted = countEventLines(await readAllLines(join(other.dir, file.file)));
        expect(counted.lines).toBe(file.lines);
        expect(counted.unique).toBe(file.uniqueEvents);
        expect(counted.duplicateLines).toEqual(file.duplicateLines);
        expect(counted.rejectedLines).toEqual(file.rejectedLines.map((r) => r.line));
        expect(counted.prefixed).toBe(file.prefixedLines);
        expect(Object.fromEntries(counted.byCourse)).toEqual(file.eventsByCourse);
        expect(counted.withoutCourse).toBe(file.eventsWithoutCourse);
      }
    }
  });

  it('writes the event shapes and quirks of real logs', async () => {
    const lines = (
      await Promise.all(truth.events.files.map((f) => readAllLines(join(pkg.dir, f.file))))
    ).flat();
    const events = lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
    const types = new Set(events.map((e) => e['event_type']));
    for (const t of [
      'play_video',
      'pause_video',
      'seq_next',
      'problem_check',
      'page_close',
      'edx.course.enrollment.activated',
      'edx.forum.thread.created',
    ]) {
      expect(types, t).toContain(t);
    }
    const browserCheck = events.find(
      (e) => e['event_type'] === 'problem_check' && e['event_source'] === 'browser',
    );
    expect(typeof browserCheck?.['event']).toBe('string');
    expect(JSON.parse(browserCheck?.['event'] as string)).toMatch(
      /^input_[0-9a-f]{32}_\d_1(%5B%5D)?=/,
    );
    const serverCheck = events.find(
      (e) => e['event_type'] === 'problem_check' && e['event_source'] === 'server',
    );
    expect(serverCheck?.['event']).toMatchObject({
      attempts: expect.any(Number),
      correct_map: expect.any(Object),
      submission: expect.any(Object),
    });
    expect(
      events.some(
        (e) => typeof e['event_type'] === 'string' && e['event_type'].startsWith('/courses/'),
      ),
    ).toBe(true);
    expect(
      events.some(
        (e) =>
          e['event_source'] === 'mobile' &&
          typeof (e['context'] as Record<string, unknown>)['received_at'] === 'string',
      ),
    ).toBe(true);
    expect(events.some((e) => typeof e['event'] === 'string' && e['event'].length === 512)).toBe(
      true,
    );
    expect(events.some((e) => e['context'] === undefined)).toBe(true);
    const times = events.map((e) => String(e['time']));
    expect(times.some((t) => /T\d\d:\d\d:\d\d\.\d{6}\+00:00$/.test(t))).toBe(true);
    expect(times.some((t) => /T\d\d:\d\d:\d\d\+00:00$/.test(t))).toBe(true);
    expect(times.some((t) => /T\d\d:\d\d:\d\d\.\d{6}$/.test(t))).toBe(true);
    const ids = events.map(
      (e) => (e['context'] as Record<string, unknown> | undefined)?.['course_id'],
    );
    expect(ids).toContain('McGillX/ATOC185x/1T2023');
    expect(ids).toContain('course-v1:McGillX+ATOC185x+1T2023');
  });

  it('writes TSV tables with the row counts, headers and escapes of the ground truth', async () => {
    for (const [key, course] of Object.entries(truth.courses)) {
      for (const name of GENERATED_TABLES) {
        const parsed = await table(key, name);
        expect(parsed.rows.length, `${key} ${name}`).toBe(course.tables[name]);
        for (const row of parsed.rows) expect(row).toHaveLength(parsed.header.length);
      }
      expect((await table(key, 'user_id_map')).header[1]).toBe(course.userIdMapHeader);
      const enrollments = await table(key, 'student_courseenrollment');
      expect(enrollments.rows).toHaveLength(course.enrollments);
      expect(enrollments.rows.filter((r) => r[4] === '1')).toHaveLength(course.activeEnrollments);
      const certificates = await table(key, 'certificates_generatedcertificate');
      const status = certificates.header.indexOf('status');
      const byStatus: Record<string, number> = {};
      for (const row of certificates.rows)
        byStatus[row[status] ?? ''] = (byStatus[row[status] ?? ''] ?? 0) + 1;
      expect(byStatus).toEqual(course.certificatesByStatus);
      expect((await table(key, 'auth_user')).rows).toHaveLength(course.learners);
    }
    expect(new Set(Object.values(truth.courses).map((c) => c.userIdMapHeader))).toEqual(
      new Set(['id', 'user_id']),
    );

    const profiles = (
      await Promise.all(truth.courseIds.map((k) => table(k, 'auth_userprofile')))
    ).flatMap((t) => t.rows);
    const users = (await Promise.all(truth.courseIds.map((k) => table(k, 'auth_user')))).flatMap(
      (t) => t.rows,
    );
    const all = profiles.flat();
    expect(all.some((v) => v?.includes('\n'))).toBe(true);
    expect(all.some((v) => v?.includes('\r\n'))).toBe(true);
    expect(all.some((v) => v?.includes('\t'))).toBe(true);
    expect(all.some((v) => v?.includes('\\'))).toBe(true);
    expect(all.some((v) => v !== null && /[^ -~\t\r\n]/u.test(v))).toBe(true);
    const bio = (await table(truth.courseIds[0]!, 'auth_userprofile')).header.indexOf('bio');
    expect(profiles.some((r) => r[bio] === null)).toBe(true);
    expect(profiles.some((r) => r[bio] === '')).toBe(true);
    expect(users.some((r) => /^\d+$/.test(r[1] ?? ''))).toBe(true);
  });

  it('doubles the backslashes of courseware_studentmodule state, and only those', async () => {
    let nested = 0;
    for (const key of truth.courseIds) {
      const lines = await readAllLines(fileOf('table', key, 'courseware_studentmodule'));
      for (const line of lines.slice(1)) {
        const state = line.split('\t')[4] ?? '';
        if (state === 'NULL') continue;
        const parsed = JSON.parse(state.replaceAll('\\\\', '\\')) as Record<string, unknown>;
        expect(parsed).toBeTypeOf('object');
        if (state.includes('\\\\"')) nested += 1;
      }
    }
    expect(nested).toBeGreaterThan(0);
  });

  it('writes forum dumps in both mongoexport dialects with the counts of the ground truth', async () => {
    const forms = new Set<string>();
    for (const [key, course] of Object.entries(truth.courses)) {
      const lines = await readAllLines(fileOf('forum', key));
      const docs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const threads = docs.filter((d) => d['_type'] === 'CommentThread');
      const comments = docs.filter((d) => d['_type'] === 'Comment' && 'parent_id' in d);
      const responses = docs.filter((d) => d['_type'] === 'Comment' && !('parent_id' in d));
      expect({
        thread: threads.length,
        response: responses.length,
        comment: comments.length,
      }).toEqual(course.forum);
      const threadIds = new Set(threads.map((t) => (t['_id'] as { $oid: string }).$oid));
      for (const c of [...comments, ...responses])
        expect(threadIds).toContain((c['comment_thread_id'] as { $oid: string }).$oid);
      for (const d of docs) {
        const date = (d['created_at'] as { $date: unknown }).$date;
        forms.add(
          typeof date === 'number' ? 'millis' : typeof date === 'string' ? 'iso' : 'numberLong',
        );
      }
      expect(lines[0]?.startsWith('{ "_id" : ')).toBe(course.forumDialect === 'old');
    }
    expect(forms).toEqual(new Set(['millis', 'iso', 'numberLong']));
  });

  it('writes course structures whose blocks match the ground truth, before and after splicing', async () => {
    for (const [key, course] of Object.entries(truth.courses)) {
      const text = (await readAllLines(fileOf('course_structure', key))).join('\n');
      const blocks = JSON.parse(text) as Record<string, { category: string; children: string[] }>;
      const before: Record<string, number> = {};
      for (const b of Object.values(blocks)) before[b.category] = (before[b.category] ?? 0) + 1;
      expect(before).toEqual(course.blocks.before);
      expect(before['conditional']).toBeGreaterThan(0);
      expect(before['wrapper']).toBeGreaterThan(0);
      const roots = Object.entries(blocks).filter(([, b]) => b.category === 'course');
      expect(roots.map(([k]) => k)).toEqual([
        `block-v1:${key.slice('course-v1:'.length)}+type@course+block@course`,
      ]);
      // Splice: walk from the root, replacing conditional/wrapper blocks by their children.
      const after: Record<string, number> = {};
      const walk = (k: string): void => {
        const b = blocks[k]!;
        if (b.category !== 'conditional' && b.category !== 'wrapper')
          after[b.category] = (after[b.category] ?? 0) + 1;
        b.children.forEach(walk);
      };
      walk(roots[0]![0]);
      expect(after).toEqual(course.blocks.after);
    }
  });

  it('is deterministic: the same seed and options give byte-identical files', async () => {
    const again = await generatePackage({ ...OPTIONS, dir: join(root, 'b') });
    expect(again.groundTruth).toEqual(truth);
    const a = await hashFiles(pkg.dir);
    const b = await hashFiles(again.dir);
    expect(a.size).toBeGreaterThan(30);
    expect(b).toEqual(a);
    const other = await generatePackage({ ...OPTIONS, seed: 12, dir: join(root, 'c') });
    expect((await hashFiles(other.dir)).get(GROUND_TRUTH_FILE)).not.toBe(a.get(GROUND_TRUTH_FILE));
  });

  it('rejects invalid options with a UsageError', async () => {
    await expect(generatePackage({ dir: join(root, 'x'), learners: 0 })).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(generatePackage({ dir: join(root, 'x'), org: 'Mc-Gill' })).rejects.toThrow(/org/);
    await expect(
      generatePackage({ dir: join(root, 'x'), quirks: ['nope' as never] }),
    ).rejects.toThrow(/unknown quirk/);
    await expect(generatePackage({ dir: join(root, 'x'), encryptTo: 'not a key' })).rejects.toThrow(
      /encryptTo/,
    );
  });
});
