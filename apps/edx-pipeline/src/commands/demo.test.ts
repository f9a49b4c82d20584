import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  COURSE_COLLECTIONS,
  courseDatabaseName,
  MASTER_TRACKING,
  tableCollection,
} from '@edx-data/core';
import type { GroundTruth } from '@edx-data/synthetic-data';
import { ExitCode } from '../exit-code.js';
import { run } from '../run.js';
import { captureIo } from '../test-support/capture-io.js';

const dir = mkdtempSync(join(tmpdir(), 'edx-pipeline-demo-'));

// Loaded the way the CLI loads them (lazily), as the module-boundary rule asks.
const { openStore } = await import('@edx-data/store');

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface DemoSummary {
  store: string;
  mismatches: number;
  checks: { what: string; expected: number; found: number }[];
  loadTracking: { totals: { inserted: number; rejected: number } };
  extractCourse: { database: string; read: number; withBlock: number }[];
}

/** The records of a CSV text (RFC 4180: quoted fields may hold commas, quotes and newlines). */
function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length > 0) records.push([...record, field]);
  return records;
}

const small = ['--learners', '12', '--days', '3', '--courses', '2', '--k', '3', '--no-progress'];

describe('edx-pipeline demo', () => {
  it('generates, imports, loads, extracts, and finds every ground-truth count in the store', async () => {
    const out = join(dir, 'demo');
    const io = captureIo();
    const code = await run(['demo', '--out', out, ...small], io);
    expect(io.err()).toBe('');
    expect(code).toBe(ExitCode.Ok);
    const text = io.out();
    expect(text).toMatch(/^1\. generate\n/u);
    expect(text).toMatch(/\n2\. import .*package --key .*private\.asc\n/u);
    expect(text).toMatch(/\n3\. load-tracking /u);
    expect(text).toMatch(
      /\n4\. extract-course --course-id course-v1:\S+ --from 2024-01-0[78] --to 2024-01-10\n/u,
    );
    expect(text).toMatch(/\n5\. extract-course /u);
    expect(text).toMatch(/Checked against ground-truth\.json: all \d+ counts equal/u);
    expect(text).toContain('npx edx-pipeline --store');

    // The store, read independently: the course trackings hold every event of the package.
    const store = await openStore(join(out, 'store'));
    const tracking = await store.db('tracking_logs').collection('tracking').countDocuments();
    const names = (await store.listDatabases()).map((d) => d.name);
    let inCourses = 0;
    for (const name of names.filter((n) => n !== 'tracking_logs')) {
      inCourses += await store.db(name).collection('tracking').countDocuments();
    }
    await store.close();
    expect(names).toContain('tracking_logs');
    expect(names.length).toBe(3);
    const truth = JSON.parse(
      await readFile(join(out, 'package', 'ground-truth.json'), 'utf8'),
    ) as GroundTruth;
    expect(tracking).toBe(truth.events.totals.uniqueEvents);
    // Every event with a course is in its course's tracking.
    expect(inCourses).toBe(tracking - truth.events.totals.eventsWithoutCourse);
    expect(inCourses).toBe(Object.values(truth.courses).reduce((sum, c) => sum + c.events, 0));

    // The reports, read as CSV here, against the ground truth and the package's raw files.
    expect(text).toMatch(/\n6\. export all --course <each course> --out .*reports\/<course>\n/u);
    expect(text).toMatch(/\n7\. anonymize <each course's reports> --course <course> --key-file /u);
    const catalogue = (await import('@edx-data/csv-exporter')).CATALOGUE.map((r) => r.name);
    for (const key of truth.courseIds) {
      const course = truth.courses[key];
      if (course === undefined) throw new Error(`no ground truth for ${key}`);
      const folder = courseDatabaseName(key);
      const reports = join(out, 'reports', folder);
      const written = (await readdir(reports)).filter((f) => f.endsWith('.csv')).sort();
      // Every report of the catalogue but the one that needs a parameter nobody gave.
      expect(written).toEqual(
        catalogue
          .filter((name) => name !== 'entrance_exit_surveys')
          .map((name) => `${name}.csv`)
          .sort(),
      );
      const userInfo = csvRecords(await readFile(join(reports, 'user_info.csv'), 'utf8'));
      // (the enrolled learners, as the import stored them: user ids and usernames)
      const reading = await openStore(join(out, 'store'));
      const enrolled = await reading
        .db(folder)
        .collection(tableCollection('student_courseenrollment'))
        .distinct('user_id');
      const usernames = await reading.db(folder).collection('user').distinct('username');
      await reading.close();
      const users = new Set(enrolled.map(String));
      expect(userInfo.length - 1).toBe(course.learners);
      expect(new Set(userInfo.slice(1).map((row) => row[0]))).toEqual(users);
      const posts = csvRecords(await readFile(join(reports, 'forum_posts.csv'), 'utf8'));
      expect(posts.length - 1).toBe(
        course.forum.thread + course.forum.response + course.forum.comment,
      );

      // Their anonymised copies: the same files, private, the learners' names gone.
      const anonymised = join(out, 'anonymised', folder);
      expect((await stat(anonymised)).mode & 0o777).toBe(0o700);
      const copies = (await readdir(anonymised)).filter((f) => f.endsWith('.csv')).sort();
      expect(copies).toEqual(written);
      const audit = JSON.parse(
        await readFile(join(anonymised, 'anonymisation-audit.json'), 'utf8'),
      ) as { files: { output: string; rowsWritten: number; rowsSuppressed: number }[] };
      const anonUsers = csvRecords(await readFile(join(anonymised, 'user_info.csv'), 'utf8'));
      const userAudit = audit.files.find((f) => f.output.endsWith('user_info.csv'));
      expect(anonUsers.length - 1).toBe(course.learners - (userAudit?.rowsSuppressed ?? -1));
      expect(anonUsers[0]).not.toContain('email');
      const header = anonUsers[0] ?? [];
      for (const row of anonUsers.slice(1)) {
        expect(row[header.indexOf('user_id')]).toMatch(/^ps_[a-z2-7]{20}$/u);
        expect(row[header.indexOf('username')]).toMatch(/^ps_[a-z2-7]{20}$/u);
        for (const cell of row) {
          expect(users.has(cell)).toBe(false);
          expect(usernames.includes(cell)).toBe(false);
        }
      }
    }
    expect((await stat(join(out, 'pseudonym.key'))).mode & 0o777).toBe(0o600);

    // The run report: self-contained, its events per day per course those of the ground
    // truth (which the generator counted as it wrote the logs), its report files on disk.
    expect(text).toMatch(/report\.html +the run report/u);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/\b(?:src|href)=["']?(?:https?:)?\/\//iu);
    expect(html).not.toContain('<script');
    expect(html).not.toContain(dir);
    const section = /<section id="events">[\s\S]*?<\/section>/u.exec(html)?.[0] ?? '';
    const cells = (row: string): string[] =>
      [...row.matchAll(/<t[hd][^>]*>([^<]*)<\/t[hd]>/gu)].map((m) => m[1] ?? '');
    const [head = [], ...body] = [...section.matchAll(/<tr[^>]*>[\s\S]*?<\/tr>/gu)].map((m) =>
      cells(m[0]),
    );
    const expectedDays = new Set(
      truth.courseIds.flatMap((key) => Object.keys(truth.courses[key]?.eventsByDay ?? {})),
    );
    expect(body.filter((row) => row[0] !== 'Total').map((row) => row[0])).toEqual(
      [...expectedDays].sort(),
    );
    for (const key of truth.courseIds) {
      const column = head.indexOf(key);
      expect(column).toBeGreaterThan(0);
      for (const row of body) {
        const day = row[0] ?? '';
        const expected =
          day === 'Total'
            ? (truth.courses[key]?.events ?? -1)
            : (truth.courses[key]?.eventsByDay[day] ?? 0);
        expect(Number((row[column] ?? '').replace(/,/gu, '')), `${key} ${day}`).toBe(expected);
      }
    }
    const links = [...html.matchAll(/<a href="([^"]+)">/gu)].map((m) =>
      decodeURIComponent(m[1] ?? ''),
    );
    const csvLinks = links.filter((link) => link.endsWith('.csv'));
    expect(csvLinks.length).toBeGreaterThan(60);
    for (const link of csvLinks) expect((await stat(join(out, link))).isFile()).toBe(true);
  }, 180_000);

  it('says what it did in --json, and starts again from an empty folder when re-run', async () => {
    const out = join(dir, 'demo-json');
    for (let i = 0; i < 2; i++) {
      const io = captureIo();
      const code = await run(['demo', '--out', out, '--json', ...small], io);
      expect(code).toBe(ExitCode.Ok);
      const summary = JSON.parse(io.out()) as DemoSummary;
      expect(summary.mismatches).toBe(0);
      expect(summary.checks.length).toBeGreaterThan(20);
      expect(summary.checks.every((c) => c.expected === c.found)).toBe(true);
      expect(
        summary.checks.some((c) =>
          c.what.endsWith('.tracking naming a block, with its parent_data'),
        ),
      ).toBe(true);
      // A fresh store each time: every event is new.
      expect(summary.loadTracking.totals.inserted).toBe(
        summary.checks.find((c) => c.what === 'tracking_logs.tracking')?.expected,
      );
      expect(summary.extractCourse).toHaveLength(2);
      expect(summary.extractCourse.every((e) => e.read > 0 && e.withBlock > 0)).toBe(true);
    }
  }, 180_000);

  it('keeps the broken lines of a package with quirks (exit 3), and the counts still match', async () => {
    const io = captureIo();
    const code = await run(
      [
        'demo',
        '--out',
        join(dir, 'demo-quirks'),
        '--quirks',
        'all',
        '--json',
        ...small,
        '--learners',
        '40',
        '--days',
        '5',
      ],
      io,
    );
    expect(code).toBe(ExitCode.Rejected);
    const summary = JSON.parse(io.out()) as DemoSummary;
    expect(summary.mismatches).toBe(0);
    expect(summary.loadTracking.totals.rejected).toBeGreaterThan(0);

    // The store, read independently of the demo's own checks, against the ground truth.
    const out = join(dir, 'demo-quirks');
    const truth = JSON.parse(
      await readFile(join(out, 'package', 'ground-truth.json'), 'utf8'),
    ) as GroundTruth;
    const store = await openStore(join(out, 'store'));
    try {
      const master = store.db(MASTER_TRACKING.database);
      expect(await master.collection(MASTER_TRACKING.events).countDocuments()).toBe(
        truth.events.totals.uniqueEvents,
      );
      // Every broken line is kept, by file and line number, as the generator wrote it.
      const rejects = await master
        .collection(MASTER_TRACKING.rejects)
        .find({}, { projection: { file: 1, line: 1 } })
        .toArray();
      const stored = rejects.map((r) => `${String(r['file'])}:${String(r['line'])}`).sort();
      const expected = truth.events.files
        .flatMap((f) =>
          f.rejectedLines.map((l) => `${f.file.split('/').pop() ?? ''}:${String(l.line)}`),
        )
        .sort();
      expect(expected.length).toBeGreaterThan(0);
      expect(stored).toEqual(expected);
      for (const course of Object.values(truth.courses)) {
        const db = store.db(courseDatabaseName(course.key));
        expect(await db.collection(COURSE_COLLECTIONS.tracking).countDocuments()).toBe(
          course.events,
        );
        for (const [table, rows] of Object.entries(course.tables)) {
          expect(await db.collection(tableCollection(table)).countDocuments()).toBe(rows);
        }
      }
    } finally {
      await store.close();
    }
  }, 180_000);

  it('refuses a folder it did not make (exit 2), and touches nothing in it', async () => {
    const mine = join(dir, 'not-a-demo');
    await mkdir(mine, { recursive: true });
    await writeFile(join(mine, 'thesis.tex'), 'keep me');
    const io = captureIo();
    const code = await run(['demo', '--out', mine, '--no-progress'], io);
    expect(code).toBe(ExitCode.Usage);
    expect(io.err()).toMatch(/not-a-demo is not empty and was not made by edx-pipeline demo/u);
    expect(await readFile(join(mine, 'thesis.tex'), 'utf8')).toBe('keep me');
  });
});
