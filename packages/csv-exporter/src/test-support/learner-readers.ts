/**
 * Raw readers for the learner reports' tests: figures computed from the package's TSV tables
 * and .log.gz lines with a few lines each, never through the reports' code.
 */
import type { LoadedCourse } from './course-fixture.js';
import { courseEvents, readTable } from './course-fixture.js';

/** The instant of a raw `time` field (`…+00:00`, or without a zone = UTC), in ms. */
export function rawTime(event: Record<string, unknown>): number {
  const raw = String(event['time']);
  return Date.parse(/[+Z]/u.test(raw.slice(19)) ? raw : `${raw}Z`);
}

/** The instant of a TSV datetime cell (`2023-12-05 08:38:13.450176`, UTC), in ms. */
export function tableTime(cell: string | null | undefined): number | null {
  return cell == null || cell === '' ? null : Date.parse(`${cell.replace(' ', 'T')}Z`);
}

/** `user_id_map`: user id → {username, hash_id}, and username → user id. */
export async function rawIdentities(loaded: LoadedCourse): Promise<{
  byId: Map<string, { username: string; hash_id: string }>;
  idOf: Map<string, string>;
}> {
  const byId = new Map<string, { username: string; hash_id: string }>();
  const idOf = new Map<string, string>();
  for (const row of await readTable(loaded, 'user_id_map')) {
    const id = row['user_id'] ?? row['id'] ?? '';
    byId.set(id, { username: row['username'] ?? '', hash_id: row['hash_id'] ?? '' });
    idOf.set(row['username'] ?? '', id);
  }
  return { byId, idOf };
}

/** User ids (text) of the rows of `certificates_generatedcertificate` with status downloadable. */
export async function rawCompleters(loaded: LoadedCourse): Promise<Set<string>> {
  const rows = await readTable(loaded, 'certificates_generatedcertificate');
  return new Set(rows.filter((r) => r['status'] === 'downloadable').map((r) => r['user_id'] ?? ''));
}

/** The course events of the raw logs with their instant, optionally inside [from, toExclusive). */
export async function rawCourseEvents(
  loaded: LoadedCourse,
  from?: number,
  toExclusive?: number,
): Promise<(Record<string, unknown> & { readonly ms: number })[]> {
  return (await courseEvents(loaded))
    .map((e) => ({ ...e, ms: rawTime(e) }))
    .filter(
      (e) =>
        (from === undefined || e.ms >= from) && (toExclusive === undefined || e.ms < toExclusive),
    );
}

/** The `context.user_id` of a raw event as text, or null. */
export function rawUserId(event: Record<string, unknown>): string | null {
  const context = event['context'] as Record<string, unknown> | undefined;
  const id = context?.['user_id'];
  return typeof id === 'number' || (typeof id === 'string' && /^\d+$/u.test(id))
    ? String(id)
    : null;
}
