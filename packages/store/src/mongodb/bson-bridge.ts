import { deserialize, serialize } from 'bson';
import type { ReadOptions } from '../types.js';

/**
 * The driver is CommonJS and deserializes with its own (CommonJS) copy of `bson`, while this
 * ESM project imports `bson`'s ESM build: two sets of classes, so `instanceof ObjectId`
 * would fail on values the driver returns. Reads therefore ask the driver for raw BSON
 * (`raw: true`) and decode it here with the ESM build, with the same options the embedded
 * engine applies: longs stay `Long`, int32/double become numbers unless `promoteValues` is
 * false. Writes need nothing: both copies serialize each other's values.
 */
export interface DecodeOptions {
  readonly promoteLongs: false;
  readonly promoteValues: boolean;
}

export function decodeOptions(options: ReadOptions): DecodeOptions {
  return { promoteLongs: false, promoteValues: options.promoteValues ?? true };
}

/** Decode one raw BSON document returned by the driver. */
export function decodeDocument(raw: Uint8Array, options: DecodeOptions): Record<string, unknown> {
  return deserialize(raw, options);
}

/**
 * Re-create a value the driver already decoded (an upserted `_id`, `distinct` values) with
 * the ESM classes. Read it from the driver with `promoteValues: false, promoteLongs: false`
 * so that no BSON type is lost on the way.
 */
export function fromDriverValue(value: unknown, options: DecodeOptions): unknown {
  return deserialize(serialize({ value }), options)['value'];
}
