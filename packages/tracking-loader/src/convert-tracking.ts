/**
 * A master `tracking` collection written before buckets existed (a plain collection, one
 * document per event with five B-trees) rewritten as the bucketed collection of today's layout.
 */
import { MASTER_TRACKING } from '@edx-data/core';
import { replaceCollections } from '@edx-data/store';
import type { Document, Store } from '@edx-data/store';
import { TRACKING_TIMESERIES, trackingLayout } from './load-tracking-logs.js';
import type { TrackingLayout } from './load-tracking-logs.js';

export interface ConvertTrackingOptions {
  /** The master database. @default `MASTER_TRACKING.database` (`tracking_logs`) */
  readonly database?: string | undefined;
  /** Called every `batchSize` events copied. */
  readonly onProgress?: ((copied: number) => void) | undefined;
  /** Events per insert. @default 10000 */
  readonly batchSize?: number | undefined;
}

export interface ConvertTrackingResult {
  /** The layout found: `plain` was converted; `bucketed` and `none` were left as they were. */
  readonly found: TrackingLayout | 'none';
  /** Events copied into the new collection (0 unless converted). */
  readonly copied: number;
}

/**
 * Rewrite a plain master `tracking` collection as a bucketed one: every event is copied, in
 * `_id` order, into a new collection created with {@link TRACKING_TIMESERIES}, which then
 * replaces the old one (the store's safe replace: an interrupted conversion leaves the old
 * collection as it was). A bucketed or missing collection is left alone. The ledger and the
 * rejected lines are not touched: they are the same in both layouts.
 */
export async function convertTrackingCollection(
  store: Store,
  options: ConvertTrackingOptions = {},
): Promise<ConvertTrackingResult> {
  const database = options.database ?? MASTER_TRACKING.database;
  const found = await trackingLayout(store, database);
  if (found !== 'plain') return { found: found ?? 'none', copied: 0 };
  const db = store.db(database);
  const batchSize = options.batchSize ?? 10_000;
  const target = MASTER_TRACKING.events;
  const { value: copied } = await replaceCollections(db, [target], async (temporary) => {
    const into = await db.createCollection(temporary[target].name, {
      timeseries: TRACKING_TIMESERIES,
    });
    let count = 0;
    const source = db.collection(target).find({}, { sort: { _id: 1 } });
    async function* counted(): AsyncGenerator<Document> {
      for await (const event of source) {
        count++;
        if (count % batchSize === 0) options.onProgress?.(count);
        yield event;
      }
    }
    await into.insertMany(counted(), { ordered: false, batchSize });
    options.onProgress?.(count);
    return count;
  });
  return { found, copied };
}
