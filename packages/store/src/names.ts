import { MAX_DATABASE_NAME_BYTES, UsageError } from '@edx-data/core';

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
