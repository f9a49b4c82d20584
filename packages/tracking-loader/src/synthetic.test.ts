/**
 * A generated month with every quirk: per file, events, rejected line numbers, distinct `_id`s
 * (= unique events) and per-course counts, and per-course-per-day counts, all equal to
 * ground-truth.json.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePackage, QUIRKS } from '@edx-data/synthetic-data';
import type { GeneratedPackage } from '@edx-data/synthetic-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFile } from './test-support/read-file.js';
import type { ParsedFile } from './test-support/read-file.js';

describe('a generated month (2 courses, 40 learners, 30 days, seed 5, every quirk)', () => {
  let root: string;
  let pkg: GeneratedPackage;
  const parsed = new Map<string, ParsedFile>();

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tracking-loader-'));
    pkg = await generatePackage({
      dir: root,
      courses: 2,
      learners: 40,
      days: 30,
      seed: 5,
      quirks: QUIRKS,
    });
    for (const file of pkg.groundTruth.events.files) {
      parsed.set(file.file, await parseFile(join(pkg.dir, file.file), file.file));
    }
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('has 30 daily logs, with every quirk present', () => {
    const totals = pkg.groundTruth.events.totals;
    expect(totals.files).toBe(30);
    expect(totals.rejectedLines).toBeGreaterThan(0);
    expect(totals.duplicateLines).toBeGreaterThan(0);
    expect(totals.prefixedLines).toBeGreaterThan(0);
  });

  it('per file: lines, events, rejected line numbers, prefixed lines as the ground truth', () => {
    for (const truth of pkg.groundTruth.events.files) {
      const { summary, rejected, events } = parsed.get(truth.file)!;
      expect(summary.lines, truth.file).toBe(truth.lines);
      expect(summary.blank).toBe(0);
      expect(summary.events).toBe(truth.events);
      expect(events).toHaveLength(truth.events);
      expect(rejected.map((r) => r.line)).toEqual(truth.rejectedLines.map((r) => r.line));
      expect(rejected.every((r) => r.reason === 'not-json')).toBe(true);
      expect(summary.rejected['not-json']).toBe(truth.rejectedLines.length);
      expect(summary.prefixed).toBe(truth.prefixedLines);
    }
  });

  it('per file: distinct _ids = unique events; repeated lines have the _id of the line before', () => {
    for (const truth of pkg.groundTruth.events.files) {
      const { events } = parsed.get(truth.file)!;
      expect(new Set(events.map((e) => e._id.toHexString())).size, truth.file).toBe(
        truth.uniqueEvents,
      );
      const seen = new Set<string>();
      const repeated: number[] = [];
      for (const e of events) {
        if (seen.has(e._id.toHexString())) repeated.push(e._load_line);
        seen.add(e._id.toHexString());
      }
      expect(repeated).toEqual(truth.duplicateLines);
      for (const line of truth.duplicateLines) {
        const copy = events.find((e) => e._load_line === line)!;
        const before = events.find((e) => e._load_line === line - 1)!;
        expect(copy._id.toHexString()).toBe(before._id.toHexString());
      }
    }
  });

  it('per file: unique events per canonical course, and without a course', () => {
    for (const truth of pkg.groundTruth.events.files) {
      const { events } = parsed.get(truth.file)!;
      const byCourse: Record<string, number> = {};
      let without = 0;
      const seen = new Set<string>();
      for (const e of events) {
        if (seen.has(e._id.toHexString())) continue;
        seen.add(e._id.toHexString());
        if (e._course_id === null) without += 1;
        else byCourse[e._course_id] = (byCourse[e._course_id] ?? 0) + 1;
      }
      expect(byCourse, truth.file).toEqual(truth.eventsByCourse);
      expect(without).toBe(truth.eventsWithoutCourse);
    }
  });

  it('per course and UTC day of _time: unique events as the ground truth', () => {
    const byCourseDay = new Map<string, Map<string, number>>();
    for (const { events } of parsed.values()) {
      const seen = new Set<string>();
      for (const e of events) {
        if (seen.has(e._id.toHexString()) || e._course_id === null) continue;
        seen.add(e._id.toHexString());
        const days = byCourseDay.get(e._course_id) ?? new Map<string, number>();
        byCourseDay.set(e._course_id, days);
        const day = e._time.toISOString().slice(0, 10);
        days.set(day, (days.get(day) ?? 0) + 1);
      }
    }
    expect([...byCourseDay.keys()].sort()).toEqual([...pkg.groundTruth.courseIds].sort());
    for (const [key, course] of Object.entries(pkg.groundTruth.courses)) {
      expect(Object.fromEntries(byCourseDay.get(key) ?? []), key).toEqual(course.eventsByDay);
      const total = [...(byCourseDay.get(key)?.values() ?? [])].reduce((a, b) => a + b, 0);
      expect(total).toBe(course.events);
    }
  });

  it('shows the quirks in the added fields: slash ids, missing context, cut events, naive times', () => {
    const all = [...parsed.values()].flatMap((p) => p.events);
    expect(
      all.some(
        (e) =>
          e._course_id_legacy !== null &&
          JSON.stringify(e.context ?? '').includes(e._course_id_legacy),
      ),
    ).toBe(true);
    expect(all.some((e) => e.context === undefined && e._course_id_source === 'page')).toBe(true);
    const cut = all.filter((e) => e._event_truncated === true);
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.every((e) => typeof e.event === 'string' && e.event.length === 512)).toBe(true);
    const naive = all.filter((e) => /:\d\d(\.\d+)?$/.test(String(e.time)));
    expect(naive.length).toBeGreaterThan(0);
    expect(all.some((e) => /:\d\d\+00:00$/.test(String(e.time)))).toBe(true);
    for (const e of all)
      expect(e._time.toISOString().slice(0, 19)).toBe(String(e.time).slice(0, 19));
  });
});
