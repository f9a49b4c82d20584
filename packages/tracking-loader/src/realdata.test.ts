/**
 * Every tracking file of the shared real data (the file list of core's
 * realdata-tracking.test.ts), parsed with openInput + readLines + parseTrackingLog.
 *
 * Cross-check with core's frozen counts [lines, skipped, events, unparsable]: blank = skipped,
 * and loaded + rejected = events + unparsable. Core counts the ELAT lines (they end with `,`)
 * as unparsable; this parser loads them.
 */
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { courseIdOfEvent, MASTER_TRACKING } from '@edx-data/core';
import { openStore } from '@edx-data/store';
import { HAS_REALDATA, REALDATA } from '@edx-data/test-support';
import { describe, expect, it } from 'vitest';
import { loadTrackingLogs } from './load-tracking-logs.js';
import { parseFile } from './test-support/read-file.js';

function isTrackingFile(path: string): boolean {
  if (/\.log$/.test(path)) return true;
  if (/\.gz$/.test(path)) return !/\.tar\.gz$/.test(path);
  return /\.json$/.test(path) && !path.includes('course_structure');
}

function listTrackingFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTrackingFiles(path));
    else if (entry.isFile() && isTrackingFile(path)) out.push(relative(REALDATA, path));
  }
  return out.sort();
}

const PIPE_IN =
  'openedx+edx-analytics-pipeline/edx/analytics/tasks/tests/acceptance/fixtures/input';
const ERB =
  'openedx+event-routing-backends/event_routing_backends/management/commands/tests/fixtures';
const J2R = 'paepcke+json_to_relation/json_to_relation/test/data';
const ELAT = 'mvallet91+ELAT-Workbench/test';

/**
 * Files whose counts differ from "every non-blank line loads", with
 * [lines, blank, events, rejected by reason] as checked by hand.
 */
const SPECIAL: Readonly<Record<string, readonly [number, number, number, Record<string, number>]>> =
  {
    // Lines 3 and 11 are broken JSON after the logging prefix; line 10 has `timestamp`, no `time`.
    [`${ERB}/tracking.log`]: [12, 0, 9, { 'not-json': 2, 'bad-time': 1 }],
    // Segment events (`timestamp`, no `time`): not edX tracking events.
    [`${PIPE_IN}/load_events_acceptance_segment_20150414.log`]: [6, 0, 0, { 'bad-time': 6 }],
    [`${PIPE_IN}/load_events_acceptance_segment_20150415.log`]: [6, 0, 0, { 'bad-time': 6 }],
    // Not tracking events: JSON test objects, and two Mongo asset records (with `_id`).
    [`${J2R}/jsonArray.json`]: [6, 0, 0, { 'bad-time': 6 }],
    [`${J2R}/twoJSONRecords.json`]: [2, 0, 0, { 'reserved-field': 2 }],
    // Invalid JSON: the `event` string is written with `\\"` (a doubled backslash ends it).
    [`${J2R}/abExpAssignUser.json`]: [1, 0, 0, { 'not-json': 1 }],
    [`${J2R}/abExpChildRender.json`]: [1, 0, 0, { 'not-json': 1 }],
    [`${J2R}/processSeq_Goto.json`]: [1, 0, 0, { 'not-json': 1 }],
    // ELAT: one event per line, each ending with `,` (a JSON array's lines): all load.
    [`${ELAT}/forum_records.json`]: [30, 0, 30, {}],
    [`${ELAT}/ora_records.json`]: [63, 0, 63, {}],
    [`${ELAT}/video_records.json`]: [11, 0, 11, {}],
  };

describe.skipIf(!HAS_REALDATA)('the tracking logs of the shared real data', () => {
  const files = HAS_REALDATA ? listTrackingFiles(REALDATA) : [];

  it('finds the 116 tracking files of core’s table', () => {
    expect(files).toHaveLength(116);
  });

  it.each(files)('%s: loaded + rejected + blank = lines', async (file) => {
    const { events, rejected, summary, physicalLines } = await parseFile(
      join(REALDATA, file),
      file,
    );
    expect(summary.lines).toBe(physicalLines);
    const total = Object.values(summary.rejected).reduce((a, b) => a + b, 0);
    expect(summary.events + total + summary.blank).toBe(physicalLines);
    expect(events).toHaveLength(summary.events);
    expect(rejected).toHaveLength(total);
    const byReason: Record<string, number> = {};
    for (const r of rejected) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
    const special = SPECIAL[file];
    if (special !== undefined) {
      expect([summary.lines, summary.blank, summary.events, byReason]).toEqual(special);
    } else {
      expect(rejected).toEqual([]);
    }
    for (const e of events) {
      expect(e._load_file).toBe(file);
      expect(e._time).toBeInstanceOf(Date);
      expect(e._id.toHexString()).toMatch(/^[0-9a-f]{24}$/);
      expect(e._id.getTimestamp().getTime()).toBe(Math.floor(e._time.getTime() / 1000) * 1000);
      // The cached context lookup gives core's answer.
      const id = courseIdOfEvent(e);
      expect([e._course_id, e._course_id_legacy, e._course_id_source]).toEqual([
        id?.key ?? null,
        id?.legacy ?? null,
        id?.source ?? null,
      ]);
    }
  });

  it('all 116 load into a store with loadTrackingLogs: lines = events + rejected + blank, rejects kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tracking-realdata-'));
    const store = await openStore(join(dir, 'store'));
    try {
      const result = await loadTrackingLogs(
        files.map((f) => join(REALDATA, f)),
        store,
      );
      // A file whose bytes were loaded already (the same fixture in several repositories) is
      // skipped by its content hash.
      const finished = result.files.filter((f) => f.status === 'finished');
      const skipped = result.files.filter((f) => f.status === 'skipped');
      expect(finished.length + skipped.length).toBe(files.length);
      expect(skipped.length).toBeGreaterThan(0);
      const hashes = new Set(finished.map((f) => f.hash));
      expect(skipped.every((f) => hashes.has(f.hash))).toBe(true);
      const db = store.db(MASTER_TRACKING.database);
      let rejected = 0;
      for (const f of finished) {
        const e = f.entry;
        if (e === null) throw new Error(`no ledger entry for ${f.path}`);
        expect(e.events + e.rejected + e.blank, f.path).toBe(e.lines);
        expect(e.loaded + e.duplicates, f.path).toBe(e.events);
        rejected += e.rejected;
        expect(await db.collection(MASTER_TRACKING.rejects).countDocuments({ hash: e._id })).toBe(
          e.rejected,
        );
      }
      expect(result.rejected).toBe(rejected);
      // Distinct events are stored once, whichever files hold them.
      const stored = await db.collection(MASTER_TRACKING.events).countDocuments();
      expect(stored).toBe(result.inserted);
      // 9,109 + 109 events in 116 files (core's table), 8,950 of them distinct.
      expect(stored).toBe(8950);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('totals agree with core’s table (9,321 lines, 103 blank, 9,109 + 109 events and unparsable)', async () => {
    let lines = 0;
    let blank = 0;
    let loadedOrRejected = 0;
    for (const file of files) {
      const { summary } = await parseFile(join(REALDATA, file), file);
      lines += summary.lines;
      blank += summary.blank;
      loadedOrRejected += summary.lines - summary.blank;
    }
    expect([lines, blank, loadedOrRejected]).toEqual([9321, 103, 9109 + 109]);
  });

  it('the Stanford 2013 sample: 6,460 events, 40 `event` strings cut at 512, naive times', async () => {
    const file = `${J2R}/tracking.log-20130609.SCRUBBED.gz`;
    const { events, summary } = await parseFile(join(REALDATA, file), file);
    expect(summary.events).toBe(6460);
    expect(summary.eventTruncated).toBe(40);
    const truncated = events.filter((e) => e._event_truncated === true);
    expect(truncated).toHaveLength(40);
    for (const e of truncated) {
      expect(typeof e.event).toBe('string');
      expect((e.event as string).length).toBe(512);
      expect((e.event as string).startsWith('{')).toBe(true);
    }
    // Course ids as core's table has them: 223 from URL event types, 7 from `page`.
    const sources: Record<string, number> = {};
    for (const e of events)
      sources[String(e._course_id_source)] = (sources[String(e._course_id_source)] ?? 0) + 1;
    expect(sources).toEqual({ event_type: 223, page: 7, null: 6230 });
    expect(summary.eventsWithoutCourse).toBe(6230);
    expect(summary.firstTime?.toISOString().slice(0, 10)).toBe('2013-06-08');
    const naive = events.filter((e) => !/(Z|[+-]\d\d:\d\d)$/.test(String(e.time)));
    expect(naive.length).toBeGreaterThan(0);
    for (const e of naive.slice(0, 50)) {
      expect(e._time.toISOString().slice(0, 19)).toBe(String(e.time).slice(0, 19));
    }
  });

  it('event-routing-backends: the prefixed lines load, their prefix kept', async () => {
    const file = `${ERB}/tracking.log`;
    const { events, rejected, summary } = await parseFile(join(REALDATA, file), file);
    expect(summary.prefixed).toBe(events.filter((e) => e._prefix !== undefined).length);
    expect(summary.prefixed).toBeGreaterThan(0);
    for (const e of events.filter((x) => x._prefix !== undefined)) {
      expect(e._prefix).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO .* - $/);
    }
    expect(rejected.map((r) => [r.line, r.reason])).toEqual([
      [3, 'not-json'],
      [10, 'bad-time'],
      [11, 'not-json'],
    ]);
  });

  it('ELAT: the lines with a trailing comma load', async () => {
    const file = `${ELAT}/video_records.json`;
    const { events } = await parseFile(join(REALDATA, file), file);
    expect(events).toHaveLength(11);
    expect(events.every((e) => e._course_id === 'course-v1:DelftX+FP101x+3T2015')).toBe(true);
  });

  it('the pipeline’s student engagement fixture: 78 blank lines skipped, 226 events', async () => {
    const file = `${PIPE_IN}/student_engagement_acceptance_tracking.log`;
    const { summary } = await parseFile(join(REALDATA, file), file);
    expect([summary.lines, summary.blank, summary.events]).toEqual([304, 78, 226]);
  });
});
