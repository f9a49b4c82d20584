import { Faker, base, en } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { DisclosureControl } from './disclosure-control.js';
import type { QuasiIdentifier } from './options.js';

type Row = Record<string, string>;

const COURSES = ['course-v1:McGillX+ATOC185x+2T2014', 'course-v1:McGillX+CHEM181x+1T2015'].concat(
  ['BODY101x', 'GROOCx', 'FOOD101x', 'PHYS131x'].map((c) => `course-v1:McGillX+${c}+1T2016`),
);

/** A person_course-like table: 5,000 learners with 1 to 3 courses each, from a fixed seed. */
function personCourse(seed: number): Row[] {
  const faker = new Faker({ locale: [en, base], seed });
  const pick = <T>(items: readonly T[], weights: readonly number[]): T =>
    faker.helpers.weightedArrayElement(
      items.map((value, i) => ({ value, weight: weights[i] ?? 1 })),
    );
  const countries = ['US', 'IN', 'GB', 'CA', 'BR', 'MX', 'FR', 'DE', 'CN', 'NG', 'EG', 'AU'];
  const rows: Row[] = [];
  for (let id = 1; id <= 5000; id++) {
    const gender = pick(['m', 'f', 'o', ''], [55, 35, 2, 8]);
    const year = faker.datatype.boolean(0.9)
      ? String(Math.round(faker.number.float({ min: 1940, max: 2005 }) * 0.5 + 1988 * 0.5))
      : '';
    const education = pick(
      ['p', 'm', 'b', 'a', 'hs', 'jhs', 'el', 'none', 'other', 'p_se', 'p_oth', ''],
      [4, 20, 30, 5, 18, 3, 1, 2, 3, 1, 1, 12],
    );
    const country = faker.datatype.boolean(0.1)
      ? faker.location.countryCode('alpha-2')
      : faker.datatype.boolean(0.05)
        ? ''
        : pick(countries, [30, 15, 6, 6, 5, 4, 4, 4, 4, 3, 2, 2]);
    const courses = faker.helpers.arrayElements(COURSES, pick([1, 2, 3], [70, 20, 10]));
    for (const course of courses) {
      rows.push({
        course_id: course,
        user_id: String(id),
        username: faker.internet.username(),
        gender,
        year_of_birth: year,
        level_of_education: education,
        profile_country: country,
        grade: String(faker.number.int(100) / 100),
      });
    }
  }
  return rows;
}

const QUASI_IDENTIFIERS: readonly QuasiIdentifier[] = [
  { column: 'gender', hierarchy: 'gender' },
  { column: 'year_of_birth', hierarchy: 'birth_year' },
  { column: 'level_of_education', hierarchy: 'education' },
  { column: 'profile_country', hierarchy: 'country' },
  { column: 'course_id', hierarchy: 'course_set' },
];

/**
 * An independent k-anonymity check (no library code): a learner's QI tuple is its rows' values
 * of the single-valued QIs (which must agree across its rows) and the set of its course cells;
 * learners are grouped by tuple and the smallest group is k.
 */
function checkKAnonymity(output: readonly Row[]): { k: number; learners: number } {
  const byLearner = new Map<string, Row[]>();
  for (const row of output) {
    const id = row['user_id'] ?? '';
    byLearner.set(id, [...(byLearner.get(id) ?? []), row]);
  }
  const single = ['gender', 'year_of_birth', 'level_of_education', 'profile_country'];
  const groups = new Map<string, number>();
  for (const rows of byLearner.values()) {
    const first = rows[0] ?? {};
    for (const row of rows) {
      for (const column of single) expect(row[column]).toBe(first[column]);
    }
    const courses = [...new Set(rows.map((row) => row['course_id']))].sort();
    const tuple = JSON.stringify([...single.map((column) => first[column]), courses]);
    groups.set(tuple, (groups.get(tuple) ?? 0) + 1);
  }
  return { k: Math.min(...groups.values()), learners: byLearner.size };
}

describe('k-anonymity of a generated person_course (independent check)', () => {
  const input = personCourse(20261125);
  const learnersIn = new Set(input.map((row) => row['user_id'])).size;

  it.each([2, 5, 10])('reaches k = %i within the default suppression budget (5 in 100)', (k) => {
    const control = new DisclosureControl({
      k,
      learnerColumn: 'user_id',
      courseColumn: 'course_id',
      quasiIdentifiers: QUASI_IDENTIFIERS,
    });
    for (const row of input) control.observe(row);
    const plan = control.plan();
    const output: Row[] = [];
    const rowsOut = new Map<string, number>();
    for (const row of input) {
      const out = control.apply(row);
      if (out === null) continue;
      output.push(out);
      rowsOut.set(row['user_id'] ?? '', (rowsOut.get(row['user_id'] ?? '') ?? 0) + 1);
      // Only QI cells change.
      expect([out['username'], out['grade']]).toEqual([row['username'], row['grade']]);
    }

    const check = checkKAnonymity(output);
    expect(check.k).toBeGreaterThanOrEqual(k);
    expect(plan.satisfied).toBe(true);
    expect(plan.kReached).toBe(check.k);

    // A learner keeps all its rows or none.
    const rowsIn = new Map<string, number>();
    for (const row of input)
      rowsIn.set(row['user_id'] ?? '', (rowsIn.get(row['user_id'] ?? '') ?? 0) + 1);
    for (const [id, n] of rowsOut) expect(n).toBe(rowsIn.get(id));

    const suppressed = learnersIn - check.learners;
    expect(suppressed).toBeLessThanOrEqual(Math.floor(0.05 * learnersIn));
    expect(plan).toMatchObject({
      unitsTotal: learnersIn,
      unitsSuppressed: suppressed,
      rowsTotal: input.length,
      rowsSuppressed: input.length - output.length,
    });
  });
});
