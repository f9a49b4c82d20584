/**
 * The vocabulary of identifying columns, shared by the writer of a data dictionary (the CSV
 * exporter: each `<report>.schema.json` column may carry an `identifier` role) and its reader
 * (the anonymiser, which decides from the role alone what to do with a column). One owner,
 * so that neither package depends on the other.
 */

/**
 * Every role a column may have, in the order the docs list them:
 * - learner identifiers (pseudonymised): `user_id`, `username`, `hash_id`, `anonymous_id`;
 * - direct identifiers (dropped or generalised): `name`, `email`, `ip`, `location`,
 *   `birth_year`;
 * - `free_text`: text a learner wrote, which may name anyone (scrubbed).
 */
export const IDENTIFIER_ROLES = [
  'user_id',
  'username',
  'hash_id',
  'anonymous_id',
  'name',
  'email',
  'ip',
  'free_text',
  'location',
  'birth_year',
] as const;

/**
 * What an identifying column holds, so that the anonymiser knows what to do with it without
 * guessing from names: learner identifiers (pseudonymised), direct identifiers (dropped or
 * generalised), free text (scrubbed).
 */
export type IdentifierRole = (typeof IDENTIFIER_ROLES)[number];

const ROLES: ReadonlySet<string> = new Set(IDENTIFIER_ROLES);

/** True when `value` is one of {@link IDENTIFIER_ROLES}. */
export function isIdentifierRole(value: unknown): value is IdentifierRole {
  return typeof value === 'string' && ROLES.has(value);
}
