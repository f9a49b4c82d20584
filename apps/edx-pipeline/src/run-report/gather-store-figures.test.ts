/**
 * gatherStoreFigures on a real store (embedded, and the MongoDB engine of MONGODB_URI when
 * set): a few hand-written tracking lines loaded with loadTrackingLogs (one file delivered
 * again, grown), a course database with rejected rows; every expected figure counted by hand
 * from the lines below. The databases carry this run's prefix (a MongoDB server is shared).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '@edx-data/store';
import { runPrefix, testEngines } from '@edx-data/test-support';
import type { TestEngine } from '@edx-data/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherStoreFigures } from './gather-store-figures.js';

const X = 'course-v1:GatherX+G1+2024';
const Y = 'course-v1:GatherY+G2+2024';

function line(user: string, time: string, course: string): string {
  return JSON.stringify({
    username: user,
    event_type: 'page_close',
    event_source: 'browser',
    time,
    context: { course_id: course },
    event: '{}',
  });
}

const ONE = [
  line('u1', '2024-03-01T10:00:00+00:00', X), // X 03-01
  line('u2', '2024-03-02T00:30:00+01:00', X), // 23:30 UTC: X 03-01
  line('u3', '2024-03-02T05:00:00+00:00', Y), // Y 03-02
  '{"username": "u9", ', // rejected: not-json (a "{" but cut JSON)
];
/** `one.log` delivered again with one more line. */
const TWO = [...ONE, line('u4', '2024-03-03T12:00:00+00:00', X)]; // X 03-03

const PREFIX = runPrefix('rr');
const MASTER = `${PREFIX}_tracking`;
const COURSE = `${PREFIX}_course_x`;
const DATABASES = [MASTER, COURSE];
// Loaded on first use, as the app does (they are lazy-loaded libraries).
const { openStore } = await import('@edx-data/store');

describe.each(await testEngines(openStore, PREFIX))(
  'gatherStoreFigures on the $label engine',
  (engine: TestEngine<Store>) => {
    let dir: string;
    let store: Store;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'gather-figures-'));
      await writeFile(join(dir, 'one.log'), `${ONE.join('\n')}\n`);
      await writeFile(join(dir, 'two.log'), `${TWO.join('\n')}\n`);
      const { loadTrackingLogs } = await import('@edx-data/tracking-loader');
      store = await engine.open();
      const loaded = await loadTrackingLogs([join(dir, 'one.log'), join(dir, 'two.log')], store, {
        database: MASTER,
      });
      expect(loaded.finished).toBe(2);
      const course = store.db(COURSE);
      const reject = (line: number, code: string) => ({
        file: 'auth_user.sql',
        line,
        code,
        reason: `row ${String(line)}: ${code}`,
        raw: '',
        raw_truncated: false,
        raw_bytes: 0,
      });
      await course
        .collection('import_rejected')
        .insertMany([reject(3, 'field-count'), reject(7, 'bad-date'), reject(9, 'field-count')]);
      await course.collection('user').insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3 }, { _id: 4 }]);
    });

    afterAll(async () => {
      await engine.cleanup(store);
      await rm(dir, { recursive: true, force: true });
    });

    it('counts collections, rejects by reason and events per course and day from the ledger', async () => {
      const figures = await gatherStoreFigures(store, { master: MASTER, databases: DATABASES });
      expect(figures.eventsByDay).toEqual([
        { course: X, day: '2024-03-01', events: 2 },
        { course: X, day: '2024-03-03', events: 1 },
        { course: Y, day: '2024-03-02', events: 1 },
      ]);
      // The bad line is kept once per content: line 4 of one.log and of two.log.
      expect(figures.rejects).toEqual([
        { collection: `${COURSE}.import_rejected`, reason: 'field-count', count: 2 },
        { collection: `${COURSE}.import_rejected`, reason: 'bad-date', count: 1 },
        { collection: `${MASTER}.tracking_rejected`, reason: 'not-json', count: 2 },
      ]);
      expect(figures.collections).toEqual([
        { database: COURSE, collection: 'import_rejected', documents: 3 },
        { database: COURSE, collection: 'user', documents: 4 },
        { database: MASTER, collection: 'tracking', documents: 4 },
        { database: MASTER, collection: 'tracking_imported', documents: 2 },
        { database: MASTER, collection: 'tracking_rejected', documents: 2 },
      ]);
      expect(figures.warnings).toEqual([]);
    });

    it('reads only the databases asked for', async () => {
      const figures = await gatherStoreFigures(store, { master: MASTER, databases: [COURSE] });
      expect(figures.eventsByDay).toEqual([]);
      expect(figures.collections.map((c) => c.database)).toEqual([COURSE, COURSE]);
      expect(figures.rejects.map((r) => r.count)).toEqual([2, 1]);
    });

    it('leaves out ledger entries without per-day counts and unfinished ones, and says so', async () => {
      const ledger = store.db(MASTER).collection('tracking_imported');
      await ledger.insertMany([
        { _id: 'old', file: 'old.log', status: 'finished', eventsByCourse: { [X]: 5, [Y]: 2 } },
        { _id: 'cut', file: 'cut.log', status: 'loading', eventsByCourse: {} },
      ]);
      try {
        const figures = await gatherStoreFigures(store, { master: MASTER, databases: DATABASES });
        expect(figures.eventsByDay.reduce((sum, e) => sum + e.events, 0)).toBe(4);
        expect(figures.warnings).toEqual([
          `1 finished file of ${MASTER}.tracking_imported was loaded before events were counted per day: 7 events of courses counted by it are not in the events per day.`,
          `1 file of ${MASTER}.tracking_imported is not finished (failed or interrupted): events it left in the master are not in the events per day until it is loaded again.`,
        ]);
      } finally {
        await ledger.deleteMany({ _id: { $in: ['old', 'cut'] } });
      }
    });
  },
);
