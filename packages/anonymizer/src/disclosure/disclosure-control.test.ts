import { InputError, UsageError } from '@edx-data/core';
import { describe, expect, it } from 'vitest';
import { DisclosureControl } from './disclosure-control.js';
import type { DisclosureOptions } from './options.js';

type Row = Record<string, string>;

/** Runs both passes over `rows`. */
function run(options: DisclosureOptions, rows: readonly Row[]) {
  const control = new DisclosureControl(options);
  for (const row of rows) control.observe(row);
  const plan = control.plan();
  return { plan, output: rows.map((row) => control.apply(row)) };
}

/**
 * Twelve learners, one row each. UN M49 sub-regions: CA, US Northern America; FR, DE Western
 * Europe; MX, BR Latin America and the Caribbean; JP, CN Eastern Asia.
 */
const TWELVE: readonly Row[] = [
  ['1', '1985', 'CA'],
  ['2', '1986', 'CA'],
  ['3', '1987', 'US'],
  ['4', '1988', 'US'],
  ['5', '1991', 'FR'],
  ['6', '1992', 'FR'],
  ['7', '1993', 'DE'],
  ['8', '1994', 'DE'],
  ['9', '1985', 'MX'],
  ['10', '1996', 'BR'],
  ['11', '1971', 'JP'],
  ['12', '1972', 'CN'],
].map(([user_id = '', year_of_birth = '', country = '']) => ({ user_id, year_of_birth, country }));

const YEAR_AND_COUNTRY = {
  learnerColumn: 'user_id',
  quasiIdentifiers: [
    { column: 'year_of_birth', hierarchy: 'birth_year' },
    { column: 'country', hierarchy: 'country' },
  ],
} as const;

describe(DisclosureControl, () => {
  // Loss = (year level / 4 + country level / 4) / 2, so the search looks for the smallest sum
  // of the two levels. The reasoning for each case is in the comments.
  it('k=2 without suppression: 20-year band and sub-region (hand-computed)', () => {
    // Every sum ≤ 4 leaves a singleton (MX 1985 or BR 1996 alone in its band or region, or
    // single years). Sum 5: (3,2) gives 1980-1999 × {Northern America 4, Western Europe 4,
    // Latin America 2} and 1960-1979 × Eastern Asia 2; (4,1), (2,3), (1,4) leave MX or BR alone.
    const { plan, output } = run({ ...YEAR_AND_COUNTRY, k: 2, maxSuppression: 0 }, TWELVE);
    expect(plan).toMatchObject({
      k: 2,
      kReached: 2,
      satisfied: true,
      levels: { year_of_birth: 3, country: 2 },
      levelNames: { year_of_birth: '20-year band', country: 'UN M49 sub-region' },
      unitsTotal: 12,
      unitsSuppressed: 0,
      rowsTotal: 12,
      rowsSuppressed: 0,
      cellsGeneralised: { year_of_birth: 12, country: 12 },
      equivalenceClasses: 4,
      suppressionBudget: 0,
      loss: 5 / 8,
    });
    expect(output[9]).toEqual({
      user_id: '10',
      year_of_birth: '1980-1999',
      country: 'Latin America and the Caribbean',
    });
    expect(output[10]).toEqual({
      user_id: '11',
      year_of_birth: '1960-1979',
      country: 'Eastern Asia',
    });
  });

  it('k=2 with one unit of suppression: 5-year band and continent, BR suppressed', () => {
    // Budget ⌊0.1 × 12⌋ = 1. Sum 4, (1,3): 1985-1989 Americas 5, 1990-1994 Europe 4,
    // 1970-1974 Asia 2, and 1995-1999 Americas 1 (BR): one unit suppressed. Every sum ≤ 3
    // suppresses ≥ 2 (MX and BR alone at best), and the other sum-4 vectors ≥ 2.
    const { plan, output } = run({ ...YEAR_AND_COUNTRY, k: 2, maxSuppression: 0.1 }, TWELVE);
    expect(plan).toMatchObject({
      kReached: 2,
      satisfied: true,
      levels: { year_of_birth: 1, country: 3 },
      unitsSuppressed: 1,
      rowsSuppressed: 1,
      cellsGeneralised: { year_of_birth: 11, country: 11 },
      equivalenceClasses: 3,
      suppressionBudget: 1,
      loss: 0.5,
    });
    expect(output.map((row) => row === null)).toEqual([
      ...Array<boolean>(9).fill(false),
      true,
      false,
      false,
    ]);
    expect(output[8]).toEqual({ user_id: '9', year_of_birth: '1985-1989', country: 'Americas' });
  });

  it('k=3 without suppression: everything to *', () => {
    // JP 1971 and CN 1972 are the only learners before 1980 and the only ones in Asia: below
    // year level 4 they are a class of 2, and at year level 4 the continents leave Asia at 2.
    const { plan, output } = run({ ...YEAR_AND_COUNTRY, k: 3, maxSuppression: 0 }, TWELVE);
    expect(plan).toMatchObject({
      kReached: 12,
      satisfied: true,
      levels: { year_of_birth: 4, country: 4 },
      levelNames: { year_of_birth: '*', country: '*' },
      unitsSuppressed: 0,
      equivalenceClasses: 1,
      loss: 1,
    });
    expect(output[0]).toEqual({ user_id: '1', year_of_birth: '*', country: '*' });
  });

  it('k=3 with a budget of 3: 5-year band and continent, BR, JP and CN suppressed', () => {
    // Budget ⌊0.25 × 12⌋ = 3. Sums ≤ 2 have no class of 3; sum 3 suppresses ≥ 4. Sum 4,
    // (1,3): 1985-1989 Americas 5, 1990-1994 Europe 4 kept; BR (1), JP + CN (2) suppressed.
    const { plan, output } = run({ ...YEAR_AND_COUNTRY, k: 3, maxSuppression: 0.25 }, TWELVE);
    expect(plan).toMatchObject({
      kReached: 4,
      satisfied: true,
      levels: { year_of_birth: 1, country: 3 },
      unitsSuppressed: 3,
      rowsSuppressed: 3,
      cellsGeneralised: { year_of_birth: 9, country: 9 },
      equivalenceClasses: 2,
      suppressionBudget: 3,
    });
    expect(output.filter((row) => row === null)).toHaveLength(3);
    expect(output.slice(9).every((row) => row === null)).toBe(true);
  });

  it('uses the default budget of 5% (⌊0.6⌋ = 0 units of 12)', () => {
    const { plan } = run({ ...YEAR_AND_COUNTRY, k: 2 }, TWELVE);
    expect(plan.suppressionBudget).toBe(0);
    expect(plan.levels).toEqual({ year_of_birth: 3, country: 2 });
  });

  it('cannot reach k=5 with 3 learners and no suppression: satisfied false, best attempt', () => {
    const { plan, output } = run(
      { ...YEAR_AND_COUNTRY, k: 5, maxSuppression: 0 },
      TWELVE.slice(0, 3),
    );
    expect(plan).toMatchObject({
      satisfied: false,
      levels: { year_of_birth: 4, country: 4 },
      unitsTotal: 3,
      unitsSuppressed: 3,
      rowsSuppressed: 3,
      kReached: Infinity,
      equivalenceClasses: 0,
    });
    expect(output).toEqual([null, null, null]);
  });

  it('is satisfied with k=1 as the data is', () => {
    const { plan, output } = run({ ...YEAR_AND_COUNTRY, k: 1 }, TWELVE);
    expect(plan).toMatchObject({ kReached: 1, satisfied: true, loss: 0, equivalenceClasses: 12 });
    expect(output).toEqual(TWELVE);
  });

  it('counts only the cells that change (the code of an alpha-2 country does not)', () => {
    const rows = ['CA', 'Canada', 'CA', 'can'].map((country, i) => ({
      user_id: String(i),
      country,
    }));
    const { plan, output } = run(
      {
        k: 4,
        learnerColumn: 'user_id',
        quasiIdentifiers: [{ column: 'country', hierarchy: 'country' }],
      },
      rows,
    );
    expect(plan.levels).toEqual({ country: 1 });
    expect(plan.cellsGeneralised).toEqual({ country: 2 });
    expect(output.map((row) => row?.['country'])).toEqual(['CA', 'CA', 'CA', 'CA']);
  });

  it('reports the units with values a hierarchy does not know', () => {
    const rows = [
      { id: '1', year: '1980', country: 'Narnia' },
      { id: '2', year: 'n/a', country: 'FR' },
      { id: '3', year: '', country: '' },
    ];
    const { plan } = run(
      {
        k: 1,
        learnerColumn: 'id',
        quasiIdentifiers: [
          { column: 'year', hierarchy: 'birth_year' },
          { column: 'country', hierarchy: 'country' },
        ],
      },
      rows,
    );
    expect(plan.unrecognised).toEqual({ year: 1, country: 1 });
  });
});

describe('course_set', () => {
  // L1 {A}, L2 {B}, L3 {A, B}, L4 {B, C}: all sets differ; counts are 1, 1, 2, 2.
  const rows: readonly Row[] = [
    { user_id: 'L1', course_id: 'A', grade: '0.1' },
    { user_id: 'L2', course_id: 'B', grade: '0.2' },
    { user_id: 'L3', course_id: 'A', grade: '0.3' },
    { user_id: 'L3', course_id: 'B', grade: '0.4' },
    { user_id: 'L4', course_id: 'C', grade: '0.5' },
    { user_id: 'L4', course_id: 'B', grade: '0.6' },
  ];

  it('generalises the set to the number of courses, in the course column', () => {
    const { plan, output } = run(
      {
        k: 2,
        maxSuppression: 0,
        learnerColumn: 'user_id',
        courseColumn: 'course_id',
        quasiIdentifiers: [{ column: 'course_id', hierarchy: 'course_set' }],
      },
      rows,
    );
    expect(plan).toMatchObject({
      levels: { course_id: 1 },
      levelNames: { course_id: 'number of courses' },
      unitsTotal: 4,
      rowsTotal: 6,
      cellsGeneralised: { course_id: 6 },
      equivalenceClasses: 2,
      kReached: 2,
    });
    expect(output.map((row) => row?.['course_id'])).toEqual(['1', '1', '2', '2', '2', '2']);
    expect(output[3]).toEqual({ user_id: 'L3', course_id: '2', grade: '0.4' });
  });

  it('keeps every course at level 0', () => {
    const { plan, output } = run(
      {
        k: 1,
        learnerColumn: 'user_id',
        quasiIdentifiers: [{ column: 'course_id', hierarchy: 'course_set' }],
      },
      rows,
    );
    expect(plan.cellsGeneralised).toEqual({ course_id: 0 });
    expect(output).toEqual(rows);
  });
});

describe('a learner is one unit', () => {
  const rows: readonly Row[] = [
    { user_id: 'a', gender: 'f', country: 'CA', course_id: 'X' },
    { user_id: 'a', gender: 'f', country: 'US', course_id: 'Y' },
    { user_id: 'b', gender: 'f', country: 'CA', course_id: 'X' },
    { user_id: 'c', gender: 'f', country: 'US', course_id: 'Y' },
    { user_id: 'c', gender: 'f', country: 'US', course_id: 'Z' },
    { user_id: 'd', gender: 'm', country: 'FR', course_id: 'X' },
    { user_id: 'd', gender: 'm', country: 'FR', course_id: 'Y' },
    { user_id: 'd', gender: 'm', country: 'FR', course_id: 'Z' },
  ];
  const qis = [
    { column: 'gender', hierarchy: 'gender' },
    { column: 'country', hierarchy: 'country' },
  ] as const;

  it('counts learners, not rows, and gives a learner with two countries both', () => {
    // Level 0: a = f/CA|US, b = f/CA, c = f/US, d = m/FR: four classes of 1.
    const { plan, output } = run({ k: 1, learnerColumn: 'user_id', quasiIdentifiers: qis }, rows);
    expect(plan).toMatchObject({ unitsTotal: 4, rowsTotal: 8, equivalenceClasses: 4 });
    expect(output[0]?.['country']).toBe('CA|US');
    expect(output[1]?.['country']).toBe('CA|US');
    expect(plan.cellsGeneralised).toEqual({ gender: 0, country: 2 });
  });

  it('suppresses all rows of a learner together and generalises them alike', () => {
    // Budget ⌊0.25 × 4⌋ = 1. Loss = (gender level + country level / 4) / 2. Country levels 0
    // and 1 leave four classes of one (a = CA|US, b = CA, c = US, d = FR). Country level 2
    // (loss 1/4): a, b, c are f/Northern America (3); d, m/Western Europe, is suppressed with
    // its 3 rows.
    const { plan, output } = run(
      { k: 2, maxSuppression: 0.25, learnerColumn: 'user_id', quasiIdentifiers: qis },
      rows,
    );
    expect(plan).toMatchObject({
      levels: { gender: 0, country: 2 },
      unitsSuppressed: 1,
      rowsSuppressed: 3,
      kReached: 3,
      cellsGeneralised: { gender: 0, country: 5 },
    });
    expect(output.slice(5)).toEqual([null, null, null]);
    expect(output.slice(0, 5).map((row) => row?.['country'])).toEqual(
      Array<string>(5).fill('Northern America'),
    );
  });

  it('without a learner column, counts rows', () => {
    const { plan } = run({ k: 1, quasiIdentifiers: qis }, rows);
    // Distinct rows: f/CA (2), f/US (3), m/FR (3).
    expect(plan).toMatchObject({ unitsTotal: 8, rowsTotal: 8, equivalenceClasses: 3, kReached: 2 });
  });
});

describe('l-diversity', () => {
  const learners = (certified: readonly string[]): Row[] =>
    ['CA', 'CA', 'US', 'US', 'FR', 'DE'].map((country, i) => ({
      user_id: String(i),
      country,
      certified: certified[i] ?? '',
    }));
  const base = {
    k: 2,
    maxSuppression: 0,
    learnerColumn: 'user_id',
    quasiIdentifiers: [{ column: 'country', hierarchy: 'country' }],
  } as const;

  it('generalises further to reach l', () => {
    // k=2 alone: sub-regions Northern America (4) and Western Europe (2). FR and DE are both
    // certified, so l=2 fails in Western Europe and in Europe: only * has both values.
    const rows = learners(['1', '0', '0', '1', '1', '1']);
    expect(run(base, rows).plan.levels).toEqual({ country: 2 });
    const { plan } = run({ ...base, sensitive: { column: 'certified', l: 2 } }, rows);
    expect(plan).toMatchObject({ levels: { country: 4 }, lReached: 2, l: 2, satisfied: true });
  });

  it('reports a class with one sensitive value: lReached 1, not satisfied', () => {
    const rows = learners(['1', '1', '1', '1', '1', '1']);
    const { plan, output } = run({ ...base, sensitive: { column: 'certified', l: 2 } }, rows);
    expect(plan).toMatchObject({ lReached: 1, satisfied: false, kReached: 6, unitsSuppressed: 0 });
    expect(output.every((row) => row !== null)).toBe(true);
  });

  it('suppresses a class that lacks l when the budget allows', () => {
    // Budget ⌊0.4 × 6⌋ = 2: as is, CA {1, 0} and US {0, 1} are kept, FR and DE (one learner,
    // one value each) are suppressed.
    const rows = learners(['1', '0', '0', '1', '1', '1']);
    const { plan, output } = run(
      { ...base, maxSuppression: 0.4, sensitive: { column: 'certified', l: 2 } },
      rows,
    );
    expect(plan).toMatchObject({ levels: { country: 0 }, unitsSuppressed: 2, lReached: 2 });
    expect(output.slice(4)).toEqual([null, null]);
  });
});

describe('errors', () => {
  const qis = [{ column: 'gender', hierarchy: 'gender' }] as const;

  it.each([
    [{ k: 0, quasiIdentifiers: qis }, /k must be a whole number/],
    [{ k: 2.5, quasiIdentifiers: qis }, /k must be a whole number/],
    [{ k: 2, quasiIdentifiers: [] }, /at least one quasi-identifier/],
    [
      { k: 2, quasiIdentifiers: [{ column: 'zip', hierarchy: 'postcode' }] },
      /unknown hierarchy "postcode"/,
    ],
    [{ k: 2, quasiIdentifiers: [...qis, ...qis] }, /declared twice/],
    [{ k: 2, quasiIdentifiers: qis, maxSuppression: 1.5 }, /maxSuppression/],
    [{ k: 2, quasiIdentifiers: qis, learnerColumn: 'gender' }, /learner column/],
    [{ k: 2, quasiIdentifiers: qis, sensitive: { column: 'grade', l: 0 } }, /sensitive.l/],
    [
      {
        k: 2,
        quasiIdentifiers: [{ column: 'course', hierarchy: 'course_set' }],
        courseColumn: 'course_id',
      },
      /courseColumn "course_id" differs/,
    ],
  ])('refuses bad options with E_OPTION (%#)', (options, message) => {
    const attempt = () => new DisclosureControl(options as DisclosureOptions);
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as UsageError).code).toBe('E_OPTION');
    }
  });

  it('names a column missing from the first row', () => {
    const control = new DisclosureControl({
      k: 2,
      learnerColumn: 'user_id',
      quasiIdentifiers: [...qis, { column: 'year_of_birth', hierarchy: 'birth_year' }],
    });
    const observe = () => {
      control.observe({ user_id: '1', gender: 'f' });
    };
    expect(observe).toThrow(InputError);
    expect(observe).toThrow('the quasi-identifier column "year_of_birth" is not in the input');
  });

  it('refuses calls out of order, and a learner pass 1 did not see', () => {
    const control = new DisclosureControl({ k: 1, learnerColumn: 'id', quasiIdentifiers: qis });
    expect(() => control.apply({ id: '1', gender: 'f' })).toThrow(/apply\(\) before plan\(\)/);
    control.observe({ id: '1', gender: 'f' });
    control.plan();
    expect(() => {
      control.observe({ id: '2', gender: 'm' });
    }).toThrow(/observe\(\) after plan\(\)/);
    expect(() => control.apply({ id: '2', gender: 'm' })).toThrow(InputError);
  });
});
