import { StoreError } from '@edx-data/core';
import type { EdxDataErrorOptions } from '@edx-data/core';
import type { BulkWriteResult } from './types.js';

/**
 * An ordered `bulkWrite` stopped at an operation that failed, as the driver's
 * `MongoBulkWriteError` reports it: the operations before it stay written, `index` is the
 * failed one's position, `result` counts what the others did. `code` is `E_DUPLICATE_KEY`
 * when the failure was a duplicate key, `E_STORE` otherwise. Both engines throw it.
 */
export class BulkWriteError extends StoreError {
  override readonly name: string = 'BulkWriteError';
  /** Position (0-based) of the operation that failed. */
  readonly index: number;
  /** What the operations before it did (they were written). */
  readonly result: BulkWriteResult;

  constructor(
    code: 'E_DUPLICATE_KEY' | 'E_STORE',
    message: string,
    index: number,
    result: BulkWriteResult,
    options: EdxDataErrorOptions = {},
  ) {
    super(code, message, options);
    this.index = index;
    this.result = result;
  }
}
