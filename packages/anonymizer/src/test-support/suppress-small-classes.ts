/**
 * A stand-in for disclosure control in the driver's tests: no generalisation, only the
 * suppression of every learner whose quasi-identifier values (as they are) are shared by
 * fewer than k learners. Satisfied when what is left has k ≥ requested and at most
 * `maxSuppression` (default 1: anything) of the learners went.
 */
import type { Disclosure, DisclosureOptions, DisclosurePlan } from '../disclosure-contract.js';

export function suppressSmallClasses(options: DisclosureOptions): Disclosure {
  const tupleOf = (row: Readonly<Record<string, string>>): string =>
    JSON.stringify(options.quasiIdentifiers.map((q) => row[q.column] ?? ''));
  const unitOf = (row: Readonly<Record<string, string>>, i: number): string =>
    options.learnerColumn === undefined ? `row ${i}` : (row[options.learnerColumn] ?? '');
  const learners = new Map<string, Set<string>>();
  const small = new Set<string>();
  let rows = 0;
  return {
    observe(row) {
      const tuple = tupleOf(row);
      const set = learners.get(tuple) ?? new Set<string>();
      set.add(unitOf(row, rows));
      learners.set(tuple, set);
      rows += 1;
    },
    plan(): DisclosurePlan {
      let kReached = Infinity;
      let units = 0;
      let suppressed = 0;
      for (const [tuple, set] of learners) {
        units += set.size;
        if (set.size < options.k) {
          small.add(tuple);
          suppressed += set.size;
        } else kReached = Math.min(kReached, set.size);
      }
      const share = units === 0 ? 0 : suppressed / units;
      return {
        k: options.k,
        kReached,
        satisfied: kReached >= options.k && share <= (options.maxSuppression ?? 1),
        levels: {},
        levelNames: {},
        unitsTotal: units,
        unitsSuppressed: suppressed,
        rowsTotal: rows,
        rowsSuppressed: 0,
        cellsGeneralised: {},
        equivalenceClasses: learners.size - small.size,
      };
    },
    apply(row) {
      return small.has(tupleOf(row)) ? null : { ...row };
    },
  };
}
