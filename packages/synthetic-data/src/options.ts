import { UsageError } from '@edx-data/core';
import { dayNumber } from './time.js';

/** The oddities of real tracking logs that {@link generatePackage} can put in on request. */
export type Quirk =
  /** Some events have a `time` without a zone (`2013-06-08T22:52:37.563104`), as before Aug 2013. */
  | 'naive-timestamps'
  /** Many events fall on a whole second, so Python's `isoformat` leaves out the fraction. */
  | 'no-microseconds'
  /** Some sessions use the old `Org/Course/Run` course id (context, URLs) instead of `course-v1:`. */
  | 'mixed-course-ids'
  /** Some browser events have no `context` (the course is then only in `page`). */
  | 'missing-context'
  /** Some implicit (URL) events have a long POST, so their `event` string is cut at 512 characters. */
  | 'truncated-event'
  /** Some lines start with a Python logging header before the JSON. */
  | 'logging-prefix'
  /** Some lines are cut mid-JSON (invalid JSON): a correct load rejects them. */
  | 'broken-lines'
  /** Some lines are exact copies of the line before them. */
  | 'duplicate-lines';

/** Every {@link Quirk}. */
export const QUIRKS: readonly Quirk[] = [
  'naive-timestamps',
  'no-microseconds',
  'mixed-course-ids',
  'missing-context',
  'truncated-event',
  'logging-prefix',
  'broken-lines',
  'duplicate-lines',
];

export interface GeneratePackageOptions {
  /** The folder to write the package into (created if needed; existing files are overwritten). */
  readonly dir: string;
  /** The organisation (`McGillX`); daily log names use it lower-cased. @default 'SyntheticX' */
  readonly org?: string;
  /** How many courses. @default 2 */
  readonly courses?: number;
  /** How many learners in the org (each enrols in one or more courses). @default 50 */
  readonly learners?: number;
  /** How many days of tracking logs (one file per day). @default 7 */
  readonly days?: number;
  /** The first day of the tracking logs, `YYYY-MM-DD`. @default '2024-01-08' */
  readonly start?: string;
  /** The seed: the same seed and options give byte-identical files. @default 1 */
  readonly seed?: number;
  /**
   * Encrypt every file to this ASCII-armored OpenPGP public key (or to each of several), as
   * binary `.gpg` (name + `.gpg`). @default no encryption
   */
  readonly encryptTo?: string | readonly string[];
  /** Oddities to put into the tracking logs. @default none */
  readonly quirks?: Iterable<Quirk>;
  /** Called after each file is written, with its path relative to `dir`. */
  readonly onFile?: (file: string) => void;
}

export interface NormalizedOptions {
  readonly dir: string;
  readonly org: string;
  readonly courses: number;
  readonly learners: number;
  readonly days: number;
  readonly start: string;
  readonly startDay: number;
  readonly seed: number;
  readonly encryptTo: readonly string[];
  readonly quirks: ReadonlySet<Quirk>;
  readonly onFile: ((file: string) => void) | undefined;
}

function count(name: string, value: number | undefined, fallback: number, max: number): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new UsageError(
      'E_OPTION',
      `generatePackage: \`${name}\` must be an integer from 1 to ${max}, got ${String(n)}`,
    );
  }
  return n;
}

/** Validate the options (throwing `UsageError` `E_OPTION`) and fill in the defaults. */
export function normalizeOptions(options: GeneratePackageOptions): NormalizedOptions {
  if (typeof options.dir !== 'string' || options.dir === '') {
    throw new UsageError('E_OPTION', 'generatePackage: `dir` is required');
  }
  const org = options.org ?? 'SyntheticX';
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(org)) {
    throw new UsageError(
      'E_OPTION',
      `generatePackage: \`org\` must be letters and digits, got ${JSON.stringify(org)}`,
    );
  }
  const start = options.start ?? '2024-01-08';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || Number.isNaN(Date.parse(`${start}T00:00:00Z`))) {
    throw new UsageError('E_OPTION', `generatePackage: \`start\` must be YYYY-MM-DD, got ${start}`);
  }
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new UsageError('E_OPTION', `generatePackage: \`seed\` must be an integer >= 0`);
  }
  const keys =
    options.encryptTo === undefined
      ? []
      : typeof options.encryptTo === 'string'
        ? [options.encryptTo]
        : [...options.encryptTo];
  for (const key of keys) {
    if (typeof key !== 'string' || !key.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')) {
      throw new UsageError(
        'E_OPTION',
        'generatePackage: `encryptTo` must be ASCII-armored OpenPGP public keys',
      );
    }
  }
  const quirks = new Set<Quirk>();
  for (const quirk of options.quirks ?? []) {
    if (!QUIRKS.includes(quirk)) {
      throw new UsageError(
        'E_OPTION',
        `generatePackage: unknown quirk ${JSON.stringify(quirk)} (known: ${QUIRKS.join(', ')})`,
      );
    }
    quirks.add(quirk);
  }
  return {
    dir: options.dir,
    org,
    courses: count('courses', options.courses, 2, 26),
    learners: count('learners', options.learners, 50, 1_000_000),
    days: count('days', options.days, 7, 3660),
    start,
    startDay: dayNumber(start),
    seed,
    encryptTo: keys,
    quirks,
    onFile: options.onFile,
  };
}
