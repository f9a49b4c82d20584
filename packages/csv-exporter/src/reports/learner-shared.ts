/** Helpers that the learner reports share: completers, first enrollments, UTC days. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { ParameterSpec, ReportContext } from '../report.js';
import { eventUserId, userIdOf } from './values.js';

/** The certificate status that makes a learner a completer (McGill, E2B `certified`). */
export const COMPLETED_STATUS = 'downloadable';

/** The `completers_only` parameter of the reports that can be limited to completers. */
export const COMPLETERS_ONLY: ParameterSpec = {
  name: 'completers_only',
  type: 'boolean',
  description: 'Only learners with a certificate of status `downloadable` (the course completers)',
  default: false,
};

/** The user ids of the course completers: a certificate row of status `downloadable`. */
export async function completerIds(context: ReportContext): Promise<Set<number>> {
  const ids = new Set<number>();
  const rows = context.db
    .collection(COURSE_COLLECTIONS.certificates)
    .find({ status: COMPLETED_STATUS }, { projection: { _id: 0, user_id: 1 } });
  for await (const row of rows) {
    const id = userIdOf(row['user_id']);
    if (id !== null) ids.add(id);
  }
  return ids;
}

/** A learner's first enrollment: the earliest `created` among their enrollment rows. */
export interface FirstEnrollment {
  readonly userId: number;
  /** null when none of the learner's rows has a `created` time. */
  readonly created: Date | null;
}

/**
 * The first enrollment of every learner of `enrollment` (earliest `created`; null when none of
 * their rows has one), in ascending user id order. The rows come sorted by user id and time
 * from the server, the first dated one of each learner is kept here (FerretDB v1 implements
 * neither `$min` nor `$first` in `$group`).
 */
export async function firstEnrollments(context: ReportContext): Promise<FirstEnrollment[]> {
  const pipeline: Document[] = [
    { $sort: { user_id: 1, created: 1, _id: 1 } },
    { $project: { _id: 0, user_id: 1, created: 1 } },
  ];
  const byId = new Map<number, Date | null>();
  const rows = context.db.collection(COURSE_COLLECTIONS.enrollment).aggregate(pipeline);
  for await (const row of rows) {
    const id = userIdOf(row['user_id']);
    if (id === null) continue;
    const created = row['created'] instanceof Date ? row['created'] : null;
    const known = byId.get(id);
    if (known === undefined || (created !== null && (known === null || created < known))) {
      byId.set(id, created);
    }
  }
  return [...byId].sort(([a], [b]) => a - b).map(([userId, created]) => ({ userId, created }));
}

/**
 * The user id of the learner an event is about: the event's `context.user_id`, else the id the
 * learner directory knows for its `username`; null when neither.
 */
export function learnerIdOf(context: ReportContext, event: Document): number | null {
  return eventUserId(event) ?? context.learners.byUsername(event['username'])?.userId ?? null;
}
