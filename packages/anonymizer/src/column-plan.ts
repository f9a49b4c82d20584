/**
 * What happens to each column of a file, decided from its data dictionary (the `identifier`
 * role of each column of `<report>.schema.json`) or, for a CSV without one, from the
 * caller's lists (`idColumns`, `dropColumns`, `keepColumns`). A column of unknown content
 * never passes by default: a CSV without a dictionary must name every column.
 */
import { InputError, isIdentifierRole, UsageError } from '@edx-data/core';
import type { IdentifierRole } from '@edx-data/core';
import { isCountryColumn } from './generalise.js';
import type { IdentifierClass } from './learner-directory.js';

/** A column of a data dictionary, as the exporter writes it. */
export interface DictionaryColumn {
  readonly name: string;
  readonly type: string;
  readonly description?: string | undefined;
  readonly identifier?: IdentifierRole | undefined;
}

/** The parts of a `<report>.schema.json` the anonymiser reads (the rest is copied). */
export interface DataDictionary {
  readonly report?: string | undefined;
  readonly columns: readonly DictionaryColumn[];
  readonly [key: string]: unknown;
}

/** What is done to a column. */
export type ColumnAction =
  | { readonly kind: 'keep' }
  | { readonly kind: 'pseudonymise'; readonly identifier: IdentifierClass }
  | { readonly kind: 'drop' }
  | { readonly kind: 'ip_country' }
  | { readonly kind: 'birth_year_band' }
  | { readonly kind: 'scrub'; readonly json: boolean }
  | { readonly kind: 'shift_date' };

export interface ColumnPlan {
  /** The column's name in the input. */
  readonly input: string;
  /** Its name in the output (an IP column becomes `<name>_country`); null when dropped. */
  readonly output: string | null;
  readonly action: ColumnAction;
  /** Its role in the dictionary, or the class given by `idColumns`. */
  readonly role?: IdentifierRole | undefined;
  /** Its type in the dictionary. */
  readonly type?: string | undefined;
  readonly description?: string | undefined;
}

/** What the caller says about columns, for every file of a run. */
export interface ColumnOptions {
  /** Learner identifier columns to pseudonymise, by name, with their class. */
  readonly idColumns?: Readonly<Record<string, IdentifierClass>> | undefined;
  /** Columns to drop wherever they are. */
  readonly dropColumns?: readonly string[] | undefined;
  /**
   * Columns to pass through as they are: in a CSV without a dictionary, every column that is
   * neither an id nor dropped must be listed here; in a file with one, only columns without an
   * identifier role may be (to keep a role's column, there is no way: that is the point).
   */
  readonly keepColumns?: readonly string[] | undefined;
  /** Move dates and times by a per-learner offset of up to this many days. @default 0 (off) */
  readonly shiftDays?: number | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A data dictionary from the text of a `<report>.schema.json`.
 * @throws InputError `E_INPUT` naming the file when it is not JSON, has no `columns`, or a
 *   column has no name or an unknown `identifier` role
 */
export function parseDataDictionary(text: string, file: string): DataDictionary {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      'E_INPUT',
      `not JSON: expected a data dictionary (${(error as Error).message})`,
      {
        file,
      },
    );
  }
  if (!isRecord(parsed) || !Array.isArray(parsed['columns'])) {
    throw new InputError('E_INPUT', 'expected a data dictionary: an object with a "columns" list', {
      file,
    });
  }
  const columns = (parsed['columns'] as unknown[]).map((column, i): DictionaryColumn => {
    if (!isRecord(column) || typeof column['name'] !== 'string' || column['name'] === '') {
      throw new InputError('E_INPUT', `column ${i + 1} has no "name"`, { file });
    }
    const identifier = column['identifier'];
    if (identifier !== undefined && !isIdentifierRole(identifier)) {
      throw new InputError(
        'E_INPUT',
        `column "${column['name']}" has an unknown identifier role ${JSON.stringify(identifier)} (expected one of user_id, username, hash_id, anonymous_id, name, email, ip, free_text, location, birth_year)`,
        { file },
      );
    }
    return {
      name: column['name'],
      type: typeof column['type'] === 'string' ? column['type'] : 'string',
      description: typeof column['description'] === 'string' ? column['description'] : undefined,
      identifier,
    };
  });
  return { ...parsed, columns };
}

const LEARNER_ROLES: Readonly<Partial<Record<IdentifierRole, IdentifierClass>>> = {
  user_id: 'user_id',
  username: 'username',
  hash_id: 'hash_id',
  anonymous_id: 'anonymous_id',
};

function actionOfRole(column: DictionaryColumn, shiftDays: number): ColumnAction {
  const role = column.identifier;
  const learner = role === undefined ? undefined : LEARNER_ROLES[role];
  if (learner !== undefined) return { kind: 'pseudonymise', identifier: learner };
  switch (role) {
    case 'name':
    case 'email':
      return { kind: 'drop' };
    case 'ip':
      return { kind: 'ip_country' };
    case 'free_text':
      return { kind: 'scrub', json: column.type === 'json' };
    case 'location':
      return isCountryColumn(column.name) ? { kind: 'keep' } : { kind: 'drop' };
    case 'birth_year':
      return { kind: 'birth_year_band' };
    default:
      return shiftDays > 0 && (column.type === 'date' || column.type === 'datetime')
        ? { kind: 'shift_date' }
        : { kind: 'keep' };
  }
}

function outputName(name: string, action: ColumnAction): string | null {
  if (action.kind === 'drop') return null;
  return action.kind === 'ip_country' ? `${name}_country` : name;
}

/**
 * The plan of a file's columns: from its dictionary when there is one (the header must match
 * it, name for name), else from the options alone.
 * @throws InputError `E_INPUT` naming the file when the header does not match the dictionary
 * @throws UsageError `E_REFUSED` naming the file and columns when a CSV without a dictionary
 *   has columns the options do not name, `E_OPTION` when `keepColumns` names a column with an
 *   identifier role
 */
export function planColumns(
  header: readonly string[],
  dictionary: DataDictionary | undefined,
  options: ColumnOptions,
  file: string,
): ColumnPlan[] {
  const ids = options.idColumns ?? {};
  const drop = new Set(options.dropColumns ?? []);
  const keep = new Set(options.keepColumns ?? []);
  const shiftDays = options.shiftDays ?? 0;
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) {
      throw new InputError('E_INPUT', `the header names column "${name}" twice`, { file, line: 1 });
    }
    seen.add(name);
  }
  if (dictionary !== undefined) {
    const expected = dictionary.columns.map((c) => c.name);
    if (expected.length !== header.length || expected.some((name, i) => header[i] !== name)) {
      throw new InputError(
        'E_INPUT',
        `the header (${header.join(',')}) does not match its data dictionary (expected ${expected.join(',')})`,
        { file, line: 1 },
      );
    }
    return dictionary.columns.map((column) => {
      const idClass = ids[column.name];
      if (keep.has(column.name) && column.identifier !== undefined) {
        throw new UsageError(
          'E_OPTION',
          `--keep-columns ${column.name}: that column holds a learner identifier (${column.identifier}) in ${file}; it cannot be kept as is`,
        );
      }
      const action: ColumnAction = drop.has(column.name)
        ? { kind: 'drop' }
        : idClass !== undefined
          ? { kind: 'pseudonymise', identifier: idClass }
          : actionOfRole(column, shiftDays);
      return {
        input: column.name,
        output: outputName(column.name, action),
        action,
        role: column.identifier ?? (idClass === undefined ? undefined : idClass),
        type: column.type,
        description: column.description,
      };
    });
  }
  const unknown = header.filter(
    (name) => !drop.has(name) && !keep.has(name) && ids[name] === undefined,
  );
  if (unknown.length > 0) {
    throw new UsageError(
      'E_REFUSED',
      `${file} has no data dictionary (<name>.schema.json) and ${unknown.length === 1 ? 'column' : 'columns'} ${unknown.map((c) => `"${c}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} in none of --id-columns, --drop-columns, --keep-columns: a column of unknown content is not passed on; name each one`,
    );
  }
  return header.map((name) => {
    const idClass = ids[name];
    const action: ColumnAction = drop.has(name)
      ? { kind: 'drop' }
      : idClass !== undefined
        ? { kind: 'pseudonymise', identifier: idClass }
        : { kind: 'keep' };
    return { input: name, output: outputName(name, action), action, role: idClass };
  });
}
