/**
 * The `timeseries` option of `createCollection`, shared by both engines: the embedded engine
 * stores such a collection as compressed buckets (embedded/buckets.ts); the MongoDB engine
 * creates a plain collection indexed by meta and time (mongodb/mongo-store.ts).
 */
import { StoreError } from '@edx-data/core';
import { isPlainObject } from './embedded/codec.js';

/** How a bucketed collection groups its documents (kept in the catalogue). */
export interface TimeseriesSpec {
  readonly timeField: string;
  readonly metaField?: string | undefined;
  readonly granularity: 'seconds' | 'minutes' | 'hours';
  /** The span of a bucket: its documents' times fall in one aligned window of this length. */
  readonly bucketSpanMs: number;
  /** The most documents in one bucket. */
  readonly bucketMaxCount: number;
}

/** MongoDB's bucket spans by granularity (`bucketMaxSpanSeconds`). */
const SPAN_SECONDS = { seconds: 3600, minutes: 86_400, hours: 2_592_000 } as const;
/** MongoDB's default bucket size is 1,000 measurements; deflate gains nothing beyond ~1 MB. */
export const DEFAULT_BUCKET_MAX_COUNT = 1000;

const FIELD_NAME = /^[^$.\0][^.\0]*$/u;

/**
 * The `timeseries` option of `createCollection`, checked: `timeField` (required), `metaField`,
 * `granularity` (`seconds` by default) or `bucketMaxSpanSeconds`, and our `bucketMaxCount`.
 */
export function timeseriesSpec(option: unknown): TimeseriesSpec {
  const bad = (what: string): never => {
    throw new StoreError('E_STORE', `createCollection: timeseries ${what}`);
  };
  if (!isPlainObject(option)) return bad('must be a document');
  const known = new Set([
    'timeField',
    'metaField',
    'granularity',
    'bucketMaxSpanSeconds',
    'bucketRoundingSeconds',
    'bucketMaxCount',
  ]);
  for (const key of Object.keys(option)) if (!known.has(key)) bad(`has an unknown option ${key}`);
  const { timeField, metaField, granularity = 'seconds' } = option;
  if (typeof timeField !== 'string' || !FIELD_NAME.test(timeField)) {
    bad('needs a timeField naming a top-level field');
  }
  if (metaField !== undefined && (typeof metaField !== 'string' || !FIELD_NAME.test(metaField))) {
    bad('metaField must name a top-level field');
  }
  if (metaField === timeField || metaField === '_id' || timeField === '_id') {
    bad('timeField and metaField must be two fields other than _id');
  }
  if (granularity !== 'seconds' && granularity !== 'minutes' && granularity !== 'hours') {
    bad(`granularity must be seconds, minutes or hours, not ${JSON.stringify(granularity)}`);
  }
  const g = granularity as TimeseriesSpec['granularity'];
  const span = option['bucketMaxSpanSeconds'] ?? SPAN_SECONDS[g];
  if (typeof span !== 'number' || !Number.isInteger(span) || span < 1 || span > 31_536_000) {
    bad('bucketMaxSpanSeconds must be an integer from 1 to 31536000');
  }
  const count = option['bucketMaxCount'] ?? DEFAULT_BUCKET_MAX_COUNT;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 100_000) {
    bad('bucketMaxCount must be an integer from 1 to 100000');
  }
  return {
    timeField: timeField as string,
    metaField: metaField as string | undefined,
    granularity: g,
    bucketSpanMs: (span as number) * 1000,
    bucketMaxCount: count as number,
  };
}
