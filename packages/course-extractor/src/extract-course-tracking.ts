/**
 * Course tracking extraction (issue 7, item 2): the master database's events of a course's
 * ids inside its window, copied into the course database's `tracking` collection, each with
 * the block it happened in and that block's `parent_data` from `course_structure`.
 */
import { batchSizeOption } from './batch-size.js';
import { COURSE_COLLECTIONS, courseDatabaseName, MASTER_TRACKING } from '@edx-data/core';
import type { Document, Filter, IndexSpec, Store } from '@edx-data/store';
import type { CourseConfig } from './course-config.js';
import type { ParentData } from './build-course-structure.js';
import { indexBlocks, resolveEventBlock } from './resolve-block.js';
import type { BlockIndex, EventBlock, StructureBlockFields } from './resolve-block.js';

/** The indexes of a course's `tracking` collection. */
export const COURSE_TRACKING_INDEXES: readonly IndexSpec[] = [
  { _time: 1 },
  { username: 1, _time: 1 },
  { event_type: 1 },
];

/** The fields an extracted event gets beside its original ones (absent when no block is found). */
export interface EventEnrichment {
  readonly block?: EventBlock;
  readonly parent_data?: ParentData;
}

export interface ExtractCourseTrackingOptions {
  /** Drop the course's `tracking` collection first, and rebuild it. @default false */
  readonly drop?: boolean | undefined;
  /** Events per write. @default 5000 */
  readonly batchSize?: number | undefined;
  /** The course database to write to. @default `config.database` */
  readonly database?: string | undefined;
  /** The master database to read. @default `MASTER_TRACKING.database` (`tracking_logs`) */
  readonly masterDatabase?: string | undefined;
  /** Called every `batchSize` events read, and at the end. */
  readonly onProgress?: ((progress: { readonly read: number }) => void) | undefined;
}

export interface ExtractCourseTrackingSummary {
  /** The course database and collection written. */
  readonly database: string;
  readonly collection: string;
  /** Canonical keys of the course ids extracted. */
  readonly courseKeys: readonly string[];
  /** The window: `from` included, `toExclusive` excluded (UTC instants), and its zone. */
  readonly from: Date;
  readonly toExclusive: Date;
  readonly timeZone: string;
  /** True when the collection was dropped first. */
  readonly dropped: boolean;
  /** Events of the master matching the course ids and the window. */
  readonly read: number;
  /** Of those: written now / already in the course collection (same `_id`). */
  readonly inserted: number;
  readonly alreadyPresent: number;
  /** Events read that carry a `block` (and its `parent_data`) / that name no known block. */
  readonly withBlock: number;
  readonly withoutBlock: number;
  /** Events whose original fields already had `block` or `parent_data`: copied unchanged. */
  readonly notEnriched: number;
  /** Events read per canonical course key. */
  readonly byCourse: Readonly<Record<string, number>>;
  /** Blocks of `course_structure` used for the join (0: no structure loaded yet). */
  readonly structureBlocks: number;
}

/**
 * The master filter of a course: on a bucketed master (the embedded engine) it selects the
 * buckets of these courses and window; on a plain one (MongoDB, or a master of the layout
 * before buckets) the `{_course_id: 1, _time: 1}` index serves it.
 */
export function courseTrackingFilter(
  config: Pick<CourseConfig, 'courseKeys' | 'from' | 'toExclusive'>,
): Filter {
  return {
    _course_id: { $in: [...config.courseKeys] },
    _time: { $gte: config.from, $lt: config.toExclusive },
  };
}

/** What {@link enrichEvent} did to an event. */
export type EnrichResult =
  /** `block` and `parent_data` were added. */
  | 'enriched'
  /** No block of the index is named by the event (or the index is empty). */
  | 'no-block'
  /** The event already has a field `block` or `parent_data` of its own: left as it is. */
  | 'conflict';

/**
 * Add `block` and `parent_data` to an event document, in place, when its block is known
 * (its original fields are never changed). Give it a copy (as read from a cursor), not a
 * document you keep: adding two fields is much cheaper than copying the whole event.
 */
export function enrichEvent(event: Document, index: BlockIndex): EnrichResult {
  if (index.size === 0) return 'no-block';
  const found = resolveEventBlock(index, event);
  if (found === undefined) return 'no-block';
  if (Object.hasOwn(event, 'block') || Object.hasOwn(event, 'parent_data')) return 'conflict';
  event['block'] = found.block;
  event['parent_data'] = found.parent_data;
  return 'enriched';
}

async function loadIndex(store: Store, database: string): Promise<BlockIndex> {
  const blocks = await store
    .db(database)
    .collection(COURSE_COLLECTIONS.course_structure)
    .find(
      {},
      {
        projection: {
          _id: 1,
          block_id: 1,
          category: 1,
          display_name: 1,
          children: 1,
          parent_data: 1,
        },
      },
    )
    .toArray();
  return indexBlocks(blocks as unknown as StructureBlockFields[]);
}

/**
 * Copy the master's events of `config.courseKeys` inside the window into the course
 * database's `tracking` collection (same `_id`s: a re-run inserts nothing), enriching each
 * with `block` `{id, category, display_name}` and `parent_data` from the course database's
 * `course_structure` (loaded once), and index the collection (`_time`, `username`+`_time`,
 * `event_type`).
 *
 * The read takes only the master's buckets of the courses and window (`{_course_id: {$in},
 * _time: {$gte, $lt}}`; an index range scan on a plain master); the writes are unordered batches. Events of a course id whose own database has a
 * `course_structure` are joined with that one, the others with the target database's.
 *
 * @example
 * const config = await readCourseConfig('atoc185x.json');
 * const summary = await extractCourseTracking(store, config);
 * console.log(summary.inserted, summary.withBlock);
 *
 * @throws UsageError `E_OPTION` for a bad `batchSize`; StoreError from the store.
 */
export async function extractCourseTracking(
  store: Store,
  config: CourseConfig,
  options: ExtractCourseTrackingOptions = {},
): Promise<ExtractCourseTrackingSummary> {
  const batchSize = batchSizeOption(options.batchSize, 5000);
  const database = options.database ?? config.database;
  const master = store
    .db(options.masterDatabase ?? MASTER_TRACKING.database)
    .collection(MASTER_TRACKING.events);
  const target = store.db(database).collection(COURSE_COLLECTIONS.tracking);
  const dropped = options.drop === true;
  if (dropped) await target.drop();

  // One structure index per database, each loaded once.
  const indexes = new Map<string, BlockIndex>();
  const indexOf = async (name: string): Promise<BlockIndex> => {
    let index = indexes.get(name);
    if (index === undefined) {
      index = await loadIndex(store, name);
      indexes.set(name, index);
    }
    return index;
  };
  const fallback = await indexOf(database);
  const indexByCourse = new Map<string, BlockIndex>();
  for (const key of config.courseKeys) {
    const own = await indexOf(courseDatabaseName(key));
    indexByCourse.set(key, own.size > 0 ? own : fallback);
  }

  let read = 0;
  let withBlock = 0;
  let notEnriched = 0;
  const byCourse: Record<string, number> = {};
  for (const key of config.courseKeys) byCourse[key] = 0;
  const onProgress = options.onProgress;
  async function* enriched(): AsyncGenerator<Document> {
    for await (const event of master.find(courseTrackingFilter(config))) {
      read++;
      const course = typeof event['_course_id'] === 'string' ? event['_course_id'] : '';
      byCourse[course] = (byCourse[course] ?? 0) + 1;
      const result = enrichEvent(event, indexByCourse.get(course) ?? fallback);
      if (result === 'enriched') withBlock++;
      else if (result === 'conflict') notEnriched++;
      if (onProgress !== undefined && read % batchSize === 0) onProgress({ read });
      yield event;
    }
  }
  // Indexes first: keying each document as it is written is cheaper than a backfill.
  for (const spec of COURSE_TRACKING_INDEXES) await target.createIndex(spec);
  const written = await target.insertMany(enriched(), { ordered: false, batchSize });
  onProgress?.({ read });
  let structureBlocks = 0;
  for (const index of new Set(indexByCourse.values())) structureBlocks += index.size;
  return {
    database,
    collection: COURSE_COLLECTIONS.tracking,
    courseKeys: config.courseKeys,
    from: config.from,
    toExclusive: config.toExclusive,
    timeZone: config.timeZone,
    dropped,
    read,
    inserted: written.insertedCount,
    alreadyPresent: written.duplicateCount,
    withBlock,
    withoutBlock: read - withBlock,
    notEnriched,
    byCourse,
    structureBlocks,
  };
}
