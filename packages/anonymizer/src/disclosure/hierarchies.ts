import { countryPlace } from './country-regions.js';

/** The generalisation hierarchies a quasi-identifier can use. */
export type HierarchyName =
  'country' | 'birth_year' | 'education' | 'gender' | 'course_set' | 'suppress_only';

/** The value every hierarchy ends with: nothing is said. */
export const SUPPRESSED = '*';

/** The value that a value no hierarchy level recognises becomes above level 0. */
export const UNKNOWN = 'unknown';

/**
 * A generalisation hierarchy over single values (every hierarchy but `course_set`): a list of
 * levels, level 0 the value as found, the last one {@link SUPPRESSED}. An empty value stays
 * empty at every level but the last.
 */
export interface ValueHierarchy {
  readonly name: Exclude<HierarchyName, 'course_set'>;
  /** The name of each level, by level number. */
  readonly levelNames: readonly string[];
  /** `value` at `level` (0 ≤ level < levelNames.length). */
  generalise(value: string, level: number): string;
  /** Whether the hierarchy knows `value` (empty counts as known: it is "missing"). */
  recognises(value: string): boolean;
}

function hierarchy(
  name: ValueHierarchy['name'],
  levelNames: readonly string[],
  middle: (value: string, level: number) => string | undefined,
): ValueHierarchy {
  const top = levelNames.length - 1;
  return {
    name,
    levelNames,
    generalise(value, level) {
      if (level <= 0) return value;
      if (level >= top) return SUPPRESSED;
      if (value.trim() === '') return '';
      return middle(value, level) ?? UNKNOWN;
    },
    recognises(value) {
      return value.trim() === '' || top < 2 || middle(value, top - 1) !== undefined;
    },
  };
}

/** Country: as found → ISO alpha-2 code → UN M49 sub-region → M49 region (continent) → `*`. */
const country = hierarchy(
  'country',
  ['as is', 'country (ISO 3166-1 alpha-2)', 'UN M49 sub-region', 'continent (UN M49 region)', '*'],
  (value, level) => {
    const place = countryPlace(value);
    if (place === undefined) return level === 1 ? value.trim() : undefined;
    return level === 1 ? place.code : level === 2 ? place.subRegion : place.region;
  },
);

/** Band of `width` years holding `year`, aligned on multiples of `width`: `1985-1989`. */
export function yearBand(year: number, width: number): string {
  const start = year - (((year % width) + width) % width);
  return `${start}-${start + width - 1}`;
}

const BAND_WIDTHS = [0, 5, 10, 20] as const;

/** Year of birth: year → 5-year band → 10-year band → 20-year band → `*`. */
const birthYear = hierarchy(
  'birth_year',
  ['year', '5-year band', '10-year band', '20-year band', '*'],
  (value, level) => {
    const text = value.trim();
    if (!/^\d{4}$/.test(text)) return undefined;
    return yearBand(Number(text), BAND_WIDTHS[level] ?? 1);
  },
);

/** edX `level_of_education` codes and their group. */
const EDUCATION_GROUPS: ReadonlyMap<string, string> = new Map([
  ['p', 'tertiary'],
  ['p_se', 'tertiary'],
  ['p_oth', 'tertiary'],
  ['m', 'tertiary'],
  ['b', 'tertiary'],
  ['a', 'tertiary'],
  ['hs', 'school'],
  ['jhs', 'school'],
  ['el', 'school'],
  ['none', 'none'],
  ['other', 'other'],
]);

/** Level of education: edX code → group (tertiary, school, none, other) → `*`. */
const education = hierarchy('education', ['code', 'group', '*'], (value) =>
  EDUCATION_GROUPS.get(value.trim().toLowerCase()),
);

/** Gender: value → `*`. */
const gender = hierarchy('gender', ['as is', '*'], () => undefined);

/** Any column that has no hierarchy: value → `*`. */
const suppressOnly = hierarchy('suppress_only', ['as is', '*'], () => undefined);

const VALUE_HIERARCHIES: ReadonlyMap<string, ValueHierarchy> = new Map(
  [country, birthYear, education, gender, suppressOnly].map((h) => [h.name, h]),
);

/** The hierarchy called `name`, or `undefined` for `course_set` and unknown names. */
export function valueHierarchy(name: string): ValueHierarchy | undefined {
  return VALUE_HIERARCHIES.get(name);
}

/** The level names of the `course_set` hierarchy. */
export const COURSE_SET_LEVELS: readonly string[] = [
  'set of courses',
  'number of courses',
  'number of courses in bands (1, 2-4, 5+)',
  '*',
];

/** The set of a learner's courses at `level`; `courses` are distinct and sorted. */
export function generaliseCourseSet(courses: readonly string[], level: number): string {
  if (level <= 0) return courses.join('|');
  if (level >= COURSE_SET_LEVELS.length - 1) return SUPPRESSED;
  const n = courses.length;
  if (level === 1) return String(n);
  return n === 0 ? '0' : n === 1 ? '1' : n <= 4 ? '2-4' : '5+';
}

/** Every hierarchy name, for validation and messages. */
export const HIERARCHY_NAMES: readonly HierarchyName[] = [
  'country',
  'birth_year',
  'education',
  'gender',
  'course_set',
  'suppress_only',
];
