/**
 * The stored documents that match a filter, with their rows: what updates, deletes and
 * `$merge` work on, read through the writer connection inside the caller's transaction.
 */
import { refuseOnBuckets } from './bucket-writes.js';
import { decodeDocument } from './codec.js';
import { createMatcher } from './matcher.js';
import { planFilter } from './query-plan.js';
import type { CollectionMeta, SqliteFile } from './sqlite-file.js';
import { sortDocuments } from './bson-operators.js';
import type { Document, Filter, SortSpec } from '../types.js';

/** Candidates in the order of a sort on their documents. */
function sortCandidates(candidates: readonly Candidate[], sort: SortSpec): Candidate[] {
  const byDoc = new Map(candidates.map((candidate) => [candidate.doc, candidate]));
  return sortDocuments(
    candidates.map((candidate) => candidate.doc),
    sort,
  ).map((doc) => byDoc.get(doc) as Candidate);
}

/** A stored document matching a filter, with its row. */
export interface Candidate {
  readonly rowid: number;
  readonly doc: Document;
  /** The stored bytes (to decode the document again, as it was). */
  readonly bytes: Buffer;
}

/**
 * The documents matching a filter, in insertion order (or in `sort` order), read through the
 * writer connection (inside the caller's write transaction); only the first with `limitOne`.
 */
export function matchingRows(
  file: SqliteFile,
  meta: CollectionMeta,
  filter: Filter,
  limitOne: boolean,
  sort?: SortSpec,
): Candidate[] {
  if (meta.timeseries) throw refuseOnBuckets(`${file.path}:${meta.name}`, 'an update');
  const sorted = sort !== undefined && Object.keys(sort).length > 0;
  const plan = planFilter(filter, meta.columns);
  const matcher = createMatcher(filter);
  const statement = file.writer.prepare<unknown[], { rowid: number; doc: Buffer }>(
    `SELECT rowid, doc FROM "${meta.table}" WHERE ${plan.sql} ORDER BY rowid`,
  );
  const out: Candidate[] = [];
  for (const row of statement.iterate(...plan.params)) {
    const doc = decodeDocument(row.doc);
    if (!matcher.test(doc, row.doc)) continue;
    out.push({ rowid: row.rowid, doc, bytes: row.doc });
    if (limitOne && !sorted) break;
  }
  if (!sorted) return out;
  const ordered = sortCandidates(out, sort);
  return limitOne ? ordered.slice(0, 1) : ordered;
}
