/**
 * SQL cross-check of person_course: the generated package's raw files (the course's tracking
 * log lines, the enrollment, certificate, profile, user_id_map and studentmodule tables, the
 * forum `.mongo` file) are loaded as plain rows into an in-memory SQLite, the columns are
 * computed there with SQL (window functions for the gaps and the modal IP), and compared
 * column by column with the person_course CSV exported from the loaded store; the per-day
 * counts, times and gaps likewise with person_course_day.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportReports } from '../export-reports.js';
import { courseEvents, loadCourse, readCsv, readTable } from '../test-support/course-fixture.js';
import type { LoadedCourse } from '../test-support/course-fixture.js';
import { rawForum } from '../test-support/problem-readers.js';

type SqlRow = Record<string, string | number | null>;

describe('person_course against SQL over the raw files', () => {
  let dir: string;
  let loaded: LoadedCourse;
  let sql: Database.Database;
  let csv: Record<string, string>[];
  let dayCsv: Record<string, string>[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'person-course-sql-'));
    loaded = await loadCourse(dir);
    const out = join(dir, 'out');
    await exportReports(loaded.store, {
      course: loaded.courseKey,
      reports: ['person_course', 'person_course_day'],
      out,
    });
    csv = await readCsv(join(out, 'person_course.csv'));
    dayCsv = await readCsv(join(out, 'person_course_day.csv'));

    sql = new Database(':memory:');
    sql.exec(`
      CREATE TABLE events (username TEXT, time TEXT, event_type TEXT, event_source TEXT,
                           ip TEXT, user_id INTEGER);
      CREATE TABLE enrollment (user_id INTEGER, created TEXT, mode TEXT, is_active TEXT);
      CREATE TABLE certificates (user_id INTEGER, status TEXT, grade TEXT);
      CREATE TABLE users (user_id INTEGER, username TEXT);
      CREATE TABLE studentmodule (student_id INTEGER, module_type TEXT, module_id TEXT);
      CREATE TABLE forum (author_id INTEGER, type TEXT, votes INTEGER, endorsed INTEGER);
    `);
    const insertEvent = sql.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)');
    for (const e of await courseEvents(loaded)) {
      const context = (e['context'] ?? {}) as Record<string, unknown>;
      const userId = context['user_id'];
      insertEvent.run(
        typeof e['username'] === 'string' ? e['username'] : null,
        String(e['time']),
        typeof e['event_type'] === 'string' ? e['event_type'] : null,
        typeof e['event_source'] === 'string' ? e['event_source'] : null,
        typeof e['ip'] === 'string' ? e['ip'] : null,
        typeof userId === 'number' ? userId : null,
      );
    }
    const insertEnrollment = sql.prepare('INSERT INTO enrollment VALUES (?, ?, ?, ?)');
    for (const r of await readTable(loaded, 'student_courseenrollment')) {
      insertEnrollment.run(Number(r['user_id']), r['created'], r['mode'], r['is_active']);
    }
    const insertCertificate = sql.prepare('INSERT INTO certificates VALUES (?, ?, ?)');
    for (const r of await readTable(loaded, 'certificates_generatedcertificate')) {
      insertCertificate.run(Number(r['user_id']), r['status'], r['grade']);
    }
    const insertUser = sql.prepare('INSERT INTO users VALUES (?, ?)');
    for (const r of await readTable(loaded, 'user_id_map')) {
      insertUser.run(Number(r['user_id'] ?? r['id']), r['username']);
    }
    const insertModule = sql.prepare('INSERT INTO studentmodule VALUES (?, ?, ?)');
    for (const r of await readTable(loaded, 'courseware_studentmodule')) {
      insertModule.run(Number(r['student_id']), r['module_type'], r['module_id']);
    }
    const insertForum = sql.prepare('INSERT INTO forum VALUES (?, ?, ?, ?)');
    for (const d of await rawForum(loaded)) {
      const votes = (d['votes'] ?? {}) as Record<string, unknown>;
      insertForum.run(
        Number(d['author_id']),
        String(d['_type']),
        typeof votes['count'] === 'number' ? votes['count'] : 0,
        d['endorsed'] === true ? 1 : 0,
      );
    }
  }, 120_000);

  afterAll(async () => {
    sql.close();
    await loaded.store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The SQL figures of every enrolled learner, by user id. */
  function expected(): Map<number, SqlRow> {
    const key = loaded.courseKey;
    const legacy = loaded.truth.courses[key]?.legacyId ?? '';
    const prefix = (form: string, rest: string): string => `/courses/${form}/${rest}`;
    const starts = (rest: string): string =>
      `(substr(event_type, 1, length('${prefix(key, rest)}')) = '${prefix(key, rest)}' OR ` +
      `substr(event_type, 1, length('${prefix(legacy, rest)}')) = '${prefix(legacy, rest)}')`;
    const rows = sql
      .prepare(
        `
      WITH ev AS (
        SELECT e.username, e.event_type, e.event_source, e.ip,
               COALESCE(e.user_id, u.user_id) AS user_id,
               CAST(ROUND((julianday(CASE WHEN substr(e.time, 20, 1) = '.'
                                          THEN substr(e.time, 1, 23) ELSE substr(e.time, 1, 19) END)
                           - 2440587.5) * 86400000) AS INTEGER) AS ms,
               substr(e.time, 1, 10) AS day
        FROM events e LEFT JOIN users u ON u.username = e.username
        WHERE e.username IS NOT NULL AND e.username <> '' AND instr(e.event_type, '/xblock/') = 0
      ),
      gaps AS (
        SELECT user_id, ms - LAG(ms) OVER (PARTITION BY username, day ORDER BY ms) AS gap FROM ev
      ),
      dt AS (
        SELECT user_id, SUM(gap) AS sum_ms, COUNT(gap) AS n, MAX(gap) AS max_ms,
               AVG(gap / 1000.0) AS mean, AVG((gap / 1000.0) * (gap / 1000.0)) AS mean_sq
        FROM gaps WHERE gap <= 300000 GROUP BY user_id
      ),
      ips AS (
        SELECT user_id, ip, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY COUNT(*) DESC, ip) AS k
        FROM ev WHERE ip IS NOT NULL AND ip <> '' GROUP BY user_id, ip
      ),
      act AS (
        SELECT user_id, COUNT(*) AS nevents, COUNT(DISTINCT day) AS ndays_act,
          SUM(event_type IN ('play_video', 'edx.video.played')) AS nplay_video,
          SUM(event_type = 'problem_check') AS nproblem_check,
          SUM(event_type IN ('show_answer', 'showanswer')) AS nshow_answer,
          SUM(event_type IN ('show_transcript', 'edx.video.transcript.shown')) AS ntranscript,
          SUM(event_type IN ('seq_goto', 'edx.ui.lms.sequence.tab_selected')) AS nseq_goto,
          SUM(event_type IN ('seek_video', 'edx.video.position.changed')) AS nseek_video,
          SUM(event_type IN ('pause_video', 'edx.video.paused')) AS npause_video,
          SUM(${starts('progress')}) AS nprogcheck,
          SUM(${starts('discussion/')}) AS nforum_events,
          MIN(ms) AS first_ms, MAX(ms) AS last_ms
        FROM ev GROUP BY user_id
      ),
      forum_by AS (
        SELECT author_id, SUM(type = 'CommentThread') AS threads, SUM(type = 'Comment') AS comments,
               SUM(votes) AS votes, SUM(endorsed) AS endorsed
        FROM forum GROUP BY author_id
      ),
      chapters AS (
        SELECT student_id, COUNT(DISTINCT module_id) AS n FROM studentmodule
        WHERE module_type = 'chapter' GROUP BY student_id
      )
      SELECT en.user_id, en.mode, en.is_active,
        COALESCE(a.nevents, 0) AS nevents, COALESCE(a.ndays_act, 0) AS ndays_act,
        COALESCE(a.nplay_video, 0) AS nplay_video, COALESCE(a.nproblem_check, 0) AS nproblem_check,
        COALESCE(a.nshow_answer, 0) AS nshow_answer, COALESCE(a.ntranscript, 0) AS ntranscript,
        COALESCE(a.nseq_goto, 0) AS nseq_goto, COALESCE(a.nseek_video, 0) AS nseek_video,
        COALESCE(a.npause_video, 0) AS npause_video, COALESCE(a.nprogcheck, 0) AS nprogcheck,
        COALESCE(a.nforum_events, 0) AS nforum_events,
        a.first_ms, a.last_ms,
        COALESCE(d.sum_ms, 0) AS sum_ms, COALESCE(d.n, 0) AS n_dt, d.max_ms, d.mean,
        d.mean_sq,
        COALESCE(f.threads, 0) + COALESCE(f.comments, 0) AS nforum_posts,
        COALESCE(f.threads, 0) AS nforum_threads, COALESCE(f.comments, 0) AS nforum_comments,
        COALESCE(f.votes, 0) AS nforum_votes, COALESCE(f.endorsed, 0) AS nforum_endorsed,
        EXISTS (SELECT 1 FROM certificates c
                WHERE c.user_id = en.user_id AND c.status = 'downloadable') AS certified,
        COALESCE(ch.n, 0) AS nchapters,
        ip.ip AS modal_ip
      FROM (SELECT user_id, mode, is_active FROM enrollment GROUP BY user_id) en
      LEFT JOIN act a ON a.user_id = en.user_id
      LEFT JOIN dt d ON d.user_id = en.user_id
      LEFT JOIN forum_by f ON f.author_id = en.user_id
      LEFT JOIN chapters ch ON ch.student_id = en.user_id
      LEFT JOIN ips ip ON ip.user_id = en.user_id AND ip.k = 1
      ORDER BY en.user_id`,
      )
      .all() as SqlRow[];
    return new Map(rows.map((r) => [Number(r['user_id']), r]));
  }

  it('has one row per enrollment, in user id order', () => {
    const ids = [...expected().keys()];
    expect(csv.map((r) => Number(r['user_id']))).toEqual(ids);
    expect(csv).toHaveLength(loaded.truth.courses[loaded.courseKey]?.enrollments ?? -1);
  });

  it('the data exercises the columns', () => {
    const sum = (column: string): number =>
      csv.reduce((total, r) => total + Number(r[column] ?? 0), 0);
    for (const column of [
      'nevents',
      'nplay_video',
      'nproblem_check',
      'nseq_goto',
      'nseek_video',
      'npause_video',
      'ntranscript',
      'n_dt',
      'nforum_posts',
      'nchapters',
    ]) {
      expect(sum(column), column).toBeGreaterThan(0);
    }
  });

  it('every column computed in SQL equals the CSV', () => {
    const figures = expected();
    const iso = (ms: unknown): string => (typeof ms === 'number' ? new Date(ms).toISOString() : '');
    for (const row of csv) {
      const s = figures.get(Number(row['user_id']));
      expect(s, row['user_id']).toBeDefined();
      if (s === undefined) continue;
      const integers = [
        'nevents',
        'ndays_act',
        'nplay_video',
        'nproblem_check',
        'nshow_answer',
        'ntranscript',
        'nseq_goto',
        'nseek_video',
        'npause_video',
        'nprogcheck',
        'nforum_events',
        'n_dt',
        'nforum_posts',
        'nforum_threads',
        'nforum_comments',
        'nforum_votes',
        'nforum_endorsed',
        'nchapters',
      ];
      const context = `user ${row['user_id'] ?? ''}`;
      for (const column of integers) {
        expect(Number(row[column]), `${context} ${column}`).toBe(Number(s[column]));
      }
      expect(row['first_event'], context).toBe(iso(s['first_ms']));
      expect(row['last_event'], context).toBe(iso(s['last_ms']));
      expect(Number(row['sum_dt']), context).toBeCloseTo(Number(s['sum_ms']) / 1000, 3);
      expect(row['max_dt'], context).toBe(
        s['max_ms'] === null ? '' : String(Number(s['max_ms']) / 1000),
      );
      if (s['mean'] === null) {
        expect(row['avg_dt'], context).toBe('');
        expect(row['sdv_dt'], context).toBe('');
      } else {
        const mean = Number(s['mean']);
        expect(Number(row['avg_dt']), context).toBeCloseTo(mean, 2);
        const sdv = Math.sqrt(Math.max(0, Number(s['mean_sq']) - mean * mean));
        expect(Number(row['sdv_dt']), context).toBeCloseTo(sdv, 2);
      }
      expect(row['certified'], context).toBe(s['certified'] === 1 ? 'true' : 'false');
      expect(row['viewed'], context).toBe(Number(s['nchapters']) > 0 ? 'true' : 'false');
      expect(row['mode'], context).toBe(s['mode']);
      expect(row['is_active'], context).toBe(s['is_active'] === '1' ? 'true' : 'false');
      expect(row['modal_ip'], context).toBe(s['modal_ip'] ?? '');
    }
  });

  it('person_course_day: the per-day columns computed in SQL equal the CSV', () => {
    const rows = sql
      .prepare(
        `
      WITH ev AS (
        SELECT username, event_type,
               CAST(ROUND((julianday(CASE WHEN substr(time, 20, 1) = '.'
                                          THEN substr(time, 1, 23) ELSE substr(time, 1, 19) END)
                           - 2440587.5) * 86400000) AS INTEGER) AS ms,
               substr(time, 1, 10) AS day
        FROM events
        WHERE username IS NOT NULL AND username <> '' AND instr(event_type, '/xblock/') = 0
      ),
      gaps AS (
        SELECT username, day, ms - LAG(ms) OVER (PARTITION BY username, day ORDER BY ms) AS gap
        FROM ev
      )
      SELECT e.username, e.day, e.nevents, e.nplay_video, e.nproblem_check, e.first_ms, e.last_ms,
             COALESCE(g.sum_ms, 0) AS sum_ms, COALESCE(g.n, 0) AS n_dt, g.max_ms
      FROM (SELECT username, day, COUNT(*) AS nevents,
                   SUM(event_type IN ('play_video', 'edx.video.played')) AS nplay_video,
                   SUM(event_type = 'problem_check') AS nproblem_check,
                   MIN(ms) AS first_ms, MAX(ms) AS last_ms
            FROM ev GROUP BY username, day) e
      LEFT JOIN (SELECT username, day, SUM(gap) AS sum_ms, COUNT(gap) AS n, MAX(gap) AS max_ms
                 FROM gaps WHERE gap <= 300000 GROUP BY username, day) g
        ON g.username = e.username AND g.day = e.day
      ORDER BY e.username, e.day`,
      )
      .all() as SqlRow[];
    expect(rows.length).toBeGreaterThan(csv.length);
    const iso = (ms: unknown): string => new Date(Number(ms)).toISOString();
    expect(
      dayCsv.map((r) => [
        r['username'],
        r['date'],
        Number(r['nevents']),
        Number(r['nplay_video']),
        Number(r['nproblem_check']),
        r['first_event'],
        r['last_event'],
        Number(r['sum_dt']),
        Number(r['n_dt']),
        r['max_dt'],
      ]),
    ).toEqual(
      rows.map((s) => [
        s['username'],
        s['day'],
        s['nevents'],
        s['nplay_video'],
        s['nproblem_check'],
        iso(s['first_ms']),
        iso(s['last_ms']),
        Number(s['sum_ms']) / 1000,
        s['n_dt'],
        s['max_ms'] === null ? '' : String(Number(s['max_ms']) / 1000),
      ]),
    );
  });
});
