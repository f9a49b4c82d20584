import { UsageError } from '@edx-data/core';

/**
 * The `batchSize` option: `fallback` when absent.
 * @throws UsageError `E_OPTION` when it is not a positive integer
 */
export function batchSizeOption(value: number | undefined, fallback: number): number {
  const batchSize = value ?? fallback;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new UsageError(
      'E_OPTION',
      `batchSize must be a positive integer, got ${String(batchSize)}`,
    );
  }
  return batchSize;
}
