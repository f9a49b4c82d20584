import { Faker, base, en } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { DisclosureControl } from './disclosure-control.js';
import type { DisclosurePlan } from './disclosure-control.js';
import { generaliseCourseSet, valueHierarchy } from './hierarchies.js';
import type { DisclosureOptions, QuasiIdentifier } from './options.js';

type Row = Record<string, string>;

/**
 * A plain reference of the documented search (docs/anonymisation-disclosure.md), written for
 * this test with strings and maps only: a unit (learner, or distinct row) has per QI the values
 * of its rows; its value at a level is its rows' distinct generalised values joined with `|`
 * (for a course_set, its set of courses at that level); every level vector is tried by loss,
 * then lexicographically; the first within the suppression budget wins unless one of the same
 * loss suppresses fewer units.
 */
function referencePlan(options: DisclosureOptions, rows: readonly Row[]) {
  const qis = options.quasiIdentifiers;
  const units = new Map<string, { rows: Row[]; count: number }>();
  for (const row of rows) {
    const id =
      options.learnerColumn === undefined
        ? JSON.stringify([
            ...qis.map((qi) => row[qi.column]),
            options.sensitive === undefined ? null : row[options.sensitive.column],
          ])
        : (row[options.learnerColumn] ?? '');
    const unit = units.get(id) ?? { rows: [], count: 0 };
    if (options.learnerColumn === undefined) {
      unit.rows = [row];
      unit.count += 1;
    } else {
      unit.rows.push(row);
      unit.count = 1;
    }
    units.set(id, unit);
  }
  const top = (qi: QuasiIdentifier): number =>
    qi.hierarchy === 'course_set' ? 3 : (valueHierarchy(qi.hierarchy)?.levelNames.length ?? 1) - 1;
  const valueAt = (qi: QuasiIdentifier, unitRows: readonly Row[], level: number): string => {
    const values = unitRows.map((row) => row[qi.column] ?? '');
    if (qi.hierarchy === 'course_set') {
      return generaliseCourseSet([...new Set(values.filter((v) => v !== ''))].sort(), level);
    }
    const hierarchy = valueHierarchy(qi.hierarchy);
    return [...new Set(values.map((v) => hierarchy?.generalise(v, level) ?? v))].sort().join('|');
  };
  const loss = (levels: readonly number[]): number =>
    qis.reduce((sum, qi, i) => sum + (levels[i] ?? 0) / top(qi), 0) / qis.length;
  let vectors: number[][] = [[]];
  for (const qi of qis) {
    vectors = vectors.flatMap((v) => Array.from({ length: top(qi) + 1 }, (_, l) => [...v, l]));
  }
  vectors.sort((a, b) => loss(a) - loss(b));
  const list = [...units.values()];
  const total = list.reduce((sum, u) => sum + u.count, 0);
  const budget = Math.floor((options.maxSuppression ?? 0.05) * total + 1e-9);
  const classesAt = (levels: readonly number[]) => {
    const classes = new Map<string, { size: number; sensitive: Set<string> }>();
    const keyOf = list.map((unit) => {
      const key = JSON.stringify(qis.map((qi, i) => valueAt(qi, unit.rows, levels[i] ?? 0)));
      const entry = classes.get(key) ?? { size: 0, sensitive: new Set<string>() };
      entry.size += unit.count;
      if (options.sensitive !== undefined) {
        for (const row of unit.rows) entry.sensitive.add(row[options.sensitive.column] ?? '');
      }
      classes.set(key, entry);
      return key;
    });
    return { classes, keyOf };
  };
  const failing = (entry: { size: number; sensitive: Set<string> }, withL: boolean): boolean =>
    entry.size < options.k ||
    (withL && options.sensitive !== undefined && entry.sensitive.size < options.sensitive.l);
  const suppressedAt = (levels: readonly number[], withL: boolean): number => {
    const { classes } = classesAt(levels);
    return [...classes.values()].reduce((n, e) => n + (failing(e, withL) ? e.size : 0), 0);
  };
  let best: { levels: number[]; suppressed: number; loss: number } | undefined;
  for (const levels of vectors) {
    if (best !== undefined && loss(levels) > best.loss + 1e-9) break;
    const suppressed = suppressedAt(levels, true);
    if (suppressed > budget) continue;
    if (best === undefined || suppressed < best.suppressed) {
      best = { levels, suppressed, loss: loss(levels) };
    }
  }
  const levels = best?.levels ?? qis.map(top);
  const withL = best !== undefined;
  const { classes, keyOf } = classesAt(levels);
  const kept = list.map(
    (_, i) => !failing(classes.get(keyOf[i] ?? '') ?? { size: 0, sensitive: new Set() }, withL),
  );
  const keptClasses = [...classes.values()].filter((e) => !failing(e, withL));
  const unrecognised = Object.fromEntries(qis.map((qi) => [qi.column, 0]));
  const cellsGeneralised = Object.fromEntries(qis.map((qi) => [qi.column, 0]));
  let unitsSuppressed = 0;
  let rowsSuppressed = 0;
  list.forEach((unit, u) => {
    qis.forEach((qi) => {
      const hierarchy = valueHierarchy(qi.hierarchy);
      if (unit.rows.some((row) => hierarchy?.recognises(row[qi.column] ?? '') === false)) {
        unrecognised[qi.column] = (unrecognised[qi.column] ?? 0) + unit.count;
      }
    });
    if (!kept[u]) {
      unitsSuppressed += unit.count;
      rowsSuppressed += unit.count * unit.rows.length;
      return;
    }
    qis.forEach((qi, i) => {
      if (qi.hierarchy === 'course_set' && levels[i] === 0) return;
      const out = valueAt(qi, unit.rows, levels[i] ?? 0);
      const changed = unit.rows.filter((row) => row[qi.column] !== out).length;
      cellsGeneralised[qi.column] = (cellsGeneralised[qi.column] ?? 0) + changed * unit.count;
    });
  });
  const kReached = Math.min(...keptClasses.map((e) => e.size));
  const lReached = Math.min(...keptClasses.map((e) => e.sensitive.size));
  return {
    levels: Object.fromEntries(qis.map((qi, i) => [qi.column, levels[i]])),
    kReached,
    unitsTotal: total,
    unitsSuppressed,
    rowsTotal: list.reduce((n, unit) => n + unit.count * unit.rows.length, 0),
    rowsSuppressed,
    cellsGeneralised,
    equivalenceClasses: keptClasses.length,
    suppressionBudget: budget,
    unrecognised,
    satisfied:
      kReached >= options.k &&
      unitsSuppressed <= budget &&
      (options.sensitive === undefined || lReached >= options.sensitive.l),
    ...(options.sensitive === undefined ? {} : { lReached }),
    /** Per row: its output QI values, or null when suppressed. */
    output: rows.map((row) => {
      const id =
        options.learnerColumn === undefined
          ? undefined
          : list.findIndex((unit) => unit.rows.includes(row));
      const u =
        id ??
        list.findIndex(
          (unit) =>
            qis.every((qi) => unit.rows[0]?.[qi.column] === row[qi.column]) &&
            (options.sensitive === undefined ||
              unit.rows[0]?.[options.sensitive.column] === row[options.sensitive.column]),
        );
      const unit = list[u];
      if (unit === undefined || !kept[u]) return null;
      return qis.map((qi, i) =>
        qi.hierarchy === 'course_set' && levels[i] === 0
          ? (row[qi.column] ?? '')
          : valueAt(qi, unit.rows, levels[i] ?? 0),
      );
    }),
  };
}

/**
 * Learners with 1 to 4 rows; a learner's rows mostly agree, but now and then a row has another
 * country or year; some values are empty or unknown to their hierarchy.
 */
function table(seed: number, learners: number): Row[] {
  const faker = new Faker({ locale: [en, base], seed });
  const random = (): number => faker.number.float();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const countries = ['US', 'CA', 'FR', 'DE', 'Canada', 'JP', 'CN', 'BR', '', 'Atlantis'];
  const years = ['1985', '1986', '1991', '1994', '1972', '2001', '', 'n/a'];
  const rows: Row[] = [];
  for (let id = 1; id <= learners; id++) {
    const gender = pick(['m', 'f', 'f', 'o', '']);
    const education = pick(['b', 'm', 'hs', 'p', 'none', '', 'x']);
    const country = pick(countries);
    const year = pick(years);
    const n = 1 + Math.floor(random() * random() * 4);
    for (let r = 0; r < n; r++) {
      rows.push({
        user_id: `u${String(id)}`,
        gender,
        level_of_education: education,
        country: random() < 0.1 ? pick(countries) : country,
        year_of_birth: random() < 0.05 ? pick(years) : year,
        course_id: pick(['C1', 'C2', 'C3', 'C4', 'C5', 'C6', '']),
        certified: pick(['yes', 'no', 'no']),
      });
    }
  }
  return rows;
}

const QIS: readonly QuasiIdentifier[] = [
  { column: 'gender', hierarchy: 'gender' },
  { column: 'year_of_birth', hierarchy: 'birth_year' },
  { column: 'level_of_education', hierarchy: 'education' },
  { column: 'country', hierarchy: 'country' },
  { column: 'course_id', hierarchy: 'course_set' },
];

function run(options: DisclosureOptions, rows: readonly Row[]) {
  const control = new DisclosureControl(options);
  for (const row of rows) control.observe(row);
  const plan: DisclosurePlan = control.plan();
  const output = rows.map((row) => {
    const out = control.apply(row);
    return out === null ? null : options.quasiIdentifiers.map((qi) => out[qi.column] ?? '');
  });
  return { plan, output };
}

describe('DisclosureControl against a plain reference implementation', () => {
  it.each([
    { seed: 1, learners: 120, k: 2, maxSuppression: 0.05, learner: true },
    { seed: 2, learners: 200, k: 3, maxSuppression: 0.1, learner: true },
    { seed: 3, learners: 150, k: 5, maxSuppression: 0, learner: true },
    { seed: 4, learners: 150, k: 2, maxSuppression: 0.2, learner: false },
    { seed: 5, learners: 90, k: 2, maxSuppression: 0.1, learner: true, l: 2 },
    { seed: 6, learners: 60, k: 4, maxSuppression: 0.02, learner: true },
  ])('plans alike: %o', ({ seed, learners, k, maxSuppression, learner, l }) => {
    const rows = table(seed, learners);
    const options: DisclosureOptions = {
      k,
      maxSuppression,
      quasiIdentifiers: QIS,
      ...(learner ? { learnerColumn: 'user_id' } : {}),
      ...(l === undefined ? {} : { sensitive: { column: 'certified', l } }),
    };
    const { output: expected, ...plan } = referencePlan(options, rows);
    const actual = run(options, rows);
    expect(actual.plan).toMatchObject(plan);
    expect(actual.output).toEqual(expected);
    // The cases are not trivial: something is generalised.
    expect(Object.values(actual.plan.levels).some((level) => level > 0)).toBe(true);
  });
});
