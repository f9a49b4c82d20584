import { createHash } from 'node:crypto';
import { UsageError } from '@edx-data/core';

/** MongoDB's limit on database names, in bytes. */
export const MAX_DATABASE_NAME_BYTES = 63;

const FORBIDDEN_DATABASE_CHARS = /[/\\. "$*<>:|?\0]/u;

/**
 * Check a database name against MongoDB's rules (no `/\. "$*<>:|?`, no NUL, not empty, at
 * most 63 bytes) and return it. Both engines apply the same rules, so a name that works on
 * the embedded store also works on MongoDB.
 * @throws UsageError `E_DATABASE_NAME`
 */
export function validateDatabaseName(name: string): string {
  if (name.length === 0) {
    throw new UsageError('E_DATABASE_NAME', 'invalid database name: it is empty');
  }
  const bad = FORBIDDEN_DATABASE_CHARS.exec(name);
  if (bad) {
    const shown = bad[0] === '\0' ? 'NUL' : `"${bad[0]}"`;
    throw new UsageError(
      'E_DATABASE_NAME',
      `invalid database name "${name.replace('\0', '\\0')}": it contains ${shown}; a database name may not contain any of / \\ . " $ * < > : | ? space or NUL`,
    );
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_DATABASE_NAME_BYTES) {
    throw new UsageError(
      'E_DATABASE_NAME',
      `invalid database name "${name}": it is ${bytes} bytes long, at most ${MAX_DATABASE_NAME_BYTES} are allowed`,
    );
  }
  return name;
}

/**
 * Check a collection name (not empty, no `$`, no NUL, not in the `system.` namespace) and
 * return it.
 * @throws UsageError `E_COLLECTION_NAME`
 */
export function validateCollectionName(name: string): string {
  if (
    name.length === 0 ||
    name.includes('$') ||
    name.includes('\0') ||
    name.startsWith('system.')
  ) {
    throw new UsageError(
      'E_COLLECTION_NAME',
      `invalid collection name "${name.replace('\0', '\\0')}": it must be non-empty, contain no "$" or NUL and not start with "system."`,
    );
  }
  return name;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 8);
}

/**
 * The database name of a course: the course key's org, course and run joined by `_`, with
 * every character outside `[A-Za-z0-9_-]` replaced by `_`; cut to 63 bytes with a short,
 * stable hash of the whole course id appended when it is longer.
 *
 * `course-v1:McGillX+ATOC185x+2T2014` and `McGillX/ATOC185x/2T2014` both give
 * `McGillX_ATOC185x_2T2014`; `ccx-v1:Org+Course+Run+ccx@5` gives `Org_Course_Run_ccx_5`.
 * @throws UsageError `E_DATABASE_NAME` for an empty course id
 */
export function courseDatabaseName(courseId: string): string {
  const trimmed = courseId.trim();
  const body = trimmed.replace(/^(course-v1|ccx-v1):/u, '');
  const parts = body.split(/[+/]/u).filter((part) => part.length > 0);
  if (parts.length === 0) {
    throw new UsageError(
      'E_DATABASE_NAME',
      `cannot name a database after the course id "${courseId}"`,
    );
  }
  const name = parts.join('_').replace(/[^A-Za-z0-9_-]/gu, '_');
  if (name.length <= MAX_DATABASE_NAME_BYTES) return name;
  const suffix = `_${shortHash(body)}`;
  return name.slice(0, MAX_DATABASE_NAME_BYTES - suffix.length) + suffix;
}
