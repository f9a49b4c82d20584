/** What both kinds of embedded collection do with the options of `insertMany`. */
import { UsageError } from '@edx-data/core';
import type { InsertManyOptions } from '../types.js';

/** Default number of documents per write transaction of the embedded engine. */
export const DEFAULT_BATCH_SIZE = 5000;

/** Duplicates listed in an `insertMany` result (all are counted, and given to `onDuplicate`). */
export const MAX_REPORTED_DUPLICATES = 1000;

/** The batch size of an `insertMany`. @throws UsageError `E_OPTION` when not a positive integer */
export function batchSizeOf(options: InsertManyOptions): number {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new UsageError(
      'E_OPTION',
      `insertMany: batchSize must be a positive integer, got ${String(batchSize)}`,
    );
  }
  return batchSize;
}
