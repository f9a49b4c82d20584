/**
 * The store's figures for a run report, read at the end of a run: documents per collection,
 * rejected records per reason, and events per course per UTC day. The master's events are
 * never scanned (they can be millions): the days come from the ledger `tracking_imported`,
 * whose finished entries count what each file added (`eventsByCourseDay`).
 */
import { COURSE_COLLECTIONS, MASTER_TRACKING } from '@edx-data/core';
import type { Store } from '@edx-data/store';
import type { TrackingLedgerEntry } from '@edx-data/tracking-loader';
import { formatCount } from '../text-table.js';
import type { RunEventsOnDay, RunRejects, RunReport } from './run-report.js';

export interface GatherStoreFiguresOptions {
  /** The master tracking database. @default `MASTER_TRACKING.database` (`tracking_logs`) */
  readonly master?: string;
  /**
   * The databases to count (the master and the course databases of this run). Pass them on a
   * shared MongoDB server. @default every database of the store but MongoDB's own `admin`,
   * `config` and `local`
   */
  readonly databases?: readonly string[];
}

/** The store's part of a {@link RunReport}, and what the reader must know about it. */
export interface StoreFigures extends Pick<RunReport, 'eventsByDay' | 'rejects' | 'collections'> {
  /** Figures that are incomplete, and why (ledger entries without per-day counts, unfinished files). */
  readonly warnings: readonly string[];
}

const SERVER_DATABASES = new Set(['admin', 'config', 'local']);

/**
 * Read the store's figures: `collections`, every collection of the databases with its
 * `countDocuments()` (sorted by database and collection); `rejects`, the master's
 * `tracking_rejected` and each other database's `import_rejected` grouped by the rejected
 * record's `code` (its machine-readable reason: `not-json`, `field-count`, …), largest first;
 * `eventsByDay`, the sum over the master ledger's finished entries of `eventsByCourseDay`.
 * Finished entries written before that field existed, and unfinished entries, are left out of
 * the days with a warning that says how many events that leaves out.
 */
export async function gatherStoreFigures(
  store: Store,
  options: GatherStoreFiguresOptions = {},
): Promise<StoreFigures> {
  const master = options.master ?? MASTER_TRACKING.database;
  const databases = [
    ...(options.databases ??
      (await store.listDatabases())
        .map((db) => db.name)
        .filter((name) => !SERVER_DATABASES.has(name))),
  ].sort();
  const collections: StoreFigures['collections'][number][] = [];
  const rejects: RunRejects[] = [];
  const warnings: string[] = [];
  let eventsByDay: RunEventsOnDay[] = [];
  for (const database of databases) {
    const db = store.db(database);
    const names = (await db.listCollections())
      .map((info) => info.name)
      .filter((name) => !name.startsWith('system.'))
      .sort();
    for (const collection of names) {
      collections.push({
        database,
        collection,
        documents: await db.collection(collection).countDocuments(),
      });
    }
    const rejected = database === master ? MASTER_TRACKING.rejects : COURSE_COLLECTIONS.rejects;
    if (names.includes(rejected)) rejects.push(...(await rejectsByCode(store, database, rejected)));
    if (database === master && names.includes(MASTER_TRACKING.ledger)) {
      const days = await ledgerDays(store, master);
      eventsByDay = days.eventsByDay;
      warnings.push(...days.warnings);
    }
  }
  return { eventsByDay, rejects, collections, warnings };
}

async function rejectsByCode(
  store: Store,
  database: string,
  collection: string,
): Promise<RunRejects[]> {
  const groups = await store
    .db(database)
    .collection(collection)
    .aggregate<{ _id: unknown; count: number }>([{ $group: { _id: '$code', count: { $sum: 1 } } }])
    .toArray();
  return groups
    .map((group) => ({
      collection: `${database}.${collection}`,
      reason: typeof group._id === 'string' && group._id !== '' ? group._id : '(no code)',
      count: group.count,
    }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));
}

/** Events per course per day from the ledger's finished entries, and what they leave out. */
async function ledgerDays(
  store: Store,
  master: string,
): Promise<{ eventsByDay: RunEventsOnDay[]; warnings: string[] }> {
  const ledger = store.db(master).collection<TrackingLedgerEntry>(MASTER_TRACKING.ledger);
  const sums = new Map<string, number>();
  let older = 0;
  let olderEvents = 0;
  let unfinished = 0;
  const cursor = ledger.find(
    {},
    { projection: { status: 1, loaded: 1, eventsByCourse: 1, eventsByCourseDay: 1 } },
  );
  for await (const entry of cursor) {
    if (entry.status !== 'finished') {
      unfinished += 1;
      continue;
    }
    const byDay = entry.eventsByCourseDay;
    if (byDay === undefined) {
      older += 1;
      // An entry of an old version may lack even `eventsByCourse`.
      const byCourse = entry.eventsByCourse as Readonly<Record<string, number>> | undefined;
      olderEvents += Object.values(byCourse ?? {}).reduce((a, b) => a + b, 0);
      continue;
    }
    for (const [course, days] of Object.entries(byDay)) {
      for (const [day, n] of Object.entries(days)) {
        const key = `${course}\u0000${day}`;
        sums.set(key, (sums.get(key) ?? 0) + n);
      }
    }
  }
  const eventsByDay = [...sums]
    .map(([key, events]) => {
      const [course = '', day = ''] = key.split('\u0000');
      return { course, day, events };
    })
    .sort((a, b) => (a.course < b.course ? -1 : a.course > b.course ? 1 : a.day < b.day ? -1 : 1));
  const warnings: string[] = [];
  const ledgerName = `${master}.${MASTER_TRACKING.ledger}`;
  if (older > 0) {
    warnings.push(
      `${formatCount(older)} finished file${older === 1 ? '' : 's'} of ${ledgerName} ${older === 1 ? 'was' : 'were'} loaded before events were counted per day: ${formatCount(olderEvents)} event${olderEvents === 1 ? '' : 's'} of courses counted by ${older === 1 ? 'it are' : 'them are'} not in the events per day.`,
    );
  }
  if (unfinished > 0) {
    warnings.push(
      `${formatCount(unfinished)} file${unfinished === 1 ? '' : 's'} of ${ledgerName} ${unfinished === 1 ? 'is' : 'are'} not finished (failed or interrupted): events ${unfinished === 1 ? 'it' : 'they'} left in the master are not in the events per day until ${unfinished === 1 ? 'it is' : 'they are'} loaded again.`,
    );
  }
  return { eventsByDay, warnings };
}
