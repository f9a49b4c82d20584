import { InputError, UsageError } from '@edx-data/core';
import { generaliseCourseSet } from './hierarchies.js';
import { normalizeDisclosureOptions } from './options.js';
import type {
  DisclosureOptions,
  NormalizedDisclosureOptions,
  ResolvedQuasiIdentifier,
} from './options.js';

/** What {@link DisclosureControl.plan} chose, and what it costs. */
export interface DisclosurePlan {
  /** The k requested. */
  readonly k: number;
  /** Smallest equivalence class (in units) among the kept units; Infinity if none is kept. */
  readonly kReached: number;
  /** kReached ≥ k, lReached ≥ l (with a sensitive column) and unitsSuppressed within budget. */
  readonly satisfied: boolean;
  /** Generalisation level chosen per QI column (0 = as is). */
  readonly levels: Readonly<Record<string, number>>;
  /** Name of that level per QI column, e.g. `{ year_of_birth: '10-year band' }`. */
  readonly levelNames: Readonly<Record<string, string>>;
  readonly unitsTotal: number;
  readonly unitsSuppressed: number;
  readonly rowsTotal: number;
  readonly rowsSuppressed: number;
  /** Per QI column: kept cells whose value changed. */
  readonly cellsGeneralised: Readonly<Record<string, number>>;
  /** Number of equivalence classes among the kept units. */
  readonly equivalenceClasses: number;
  /** With a sensitive column: fewest distinct sensitive values in a kept class (Infinity if none). */
  readonly lReached?: number;
  /** With a sensitive column: the l requested. */
  readonly l?: number;
  /** The largest number of units the suppression budget allowed: ⌊maxSuppression × unitsTotal⌋. */
  readonly suppressionBudget: number;
  /** Information loss of the chosen levels: mean over QIs of level / top level, 0 to 1. */
  readonly loss: number;
  /** Per QI column: units with a value its hierarchy does not know (see the docs). */
  readonly unrecognised: Readonly<Record<string, number>>;
}

/**
 * One learner (or one row) seen in pass 1. Per QI: the value of all its rows, or the value of
 * each row once they differ. Sensitive: its distinct values.
 */
interface Unit {
  rows: number;
  readonly values: (string | string[])[];
  sensitive: string | string[] | undefined;
}

/** Units with identical pass-1 state: they generalise alike and share one class. */
interface Group {
  units: number;
  readonly rows: number;
  /** Per QI, the rows' values sorted (one entry per row). */
  readonly values: readonly (readonly string[])[];
  readonly sensitive: readonly string[];
}

interface Evaluation {
  /** Per group: the index of its class. */
  readonly classOf: Int32Array;
  /** Per class: 1 when it is suppressed. */
  readonly failing: Uint8Array;
  /** Units of the suppressed classes. */
  readonly suppressed: number;
}

/** Every group's value of every QI at every level, as a small integer code. */
interface Table {
  /** QI → level → per group, the code of its value. */
  readonly codes: readonly (readonly Int32Array[])[];
  /** QI → level → code → value. */
  readonly names: readonly (readonly (readonly string[])[])[];
}

interface Chosen {
  readonly levels: readonly number[];
  /** Per QI: per group, the code of its output value at the chosen level. */
  readonly codes: readonly Int32Array[];
  /** Per QI: code → output value. */
  readonly names: readonly (readonly string[])[];
  /** Per group: 1 when it is kept. */
  readonly kept: Uint8Array;
}

function addValue(slot: string | string[], rowsBefore: number, value: string): string | string[] {
  if (typeof slot !== 'string') {
    slot.push(value);
    return slot;
  }
  if (slot === value) return slot;
  const list = new Array<string>(rowsBefore).fill(slot);
  list.push(value);
  return list;
}

function rowValues(slot: string | string[], rows: number): string[] {
  return typeof slot === 'string' ? new Array<string>(rows).fill(slot) : [...slot].sort();
}

function smallest(numbers: Iterable<number>): number {
  let min = Infinity;
  for (const n of numbers) if (n < min) min = n;
  return min;
}

function distinctSorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/**
 * k-anonymity (and l-diversity) by full-domain generalisation and suppression, in two passes:
 * {@link observe} every row, {@link plan}, then {@link apply} to every row again.
 *
 * @example
 * const control = new DisclosureControl({ k: 5, learnerColumn: 'user_id', quasiIdentifiers: [
 *   { column: 'gender', hierarchy: 'gender' }, { column: 'year_of_birth', hierarchy: 'birth_year' } ] });
 * for (const row of rows) control.observe(row);
 * const plan = control.plan();
 * if (!plan.satisfied) throw new Error(`k = ${plan.kReached}`);
 * const output = rows.map((row) => control.apply(row)).filter((row) => row !== null);
 */
export class DisclosureControl {
  private readonly options: NormalizedDisclosureOptions;
  private readonly interned: Map<string, string>[];
  private units = new Map<string, Unit>();
  private rowsSeen = 0;
  private groups: Group[] = [];
  private groupOf = new Map<string, number>();
  private chosen: Chosen | undefined;
  private result: DisclosurePlan | undefined;

  constructor(options: DisclosureOptions) {
    this.options = normalizeDisclosureOptions(options);
    this.interned = this.options.quasiIdentifiers.map(() => new Map<string, string>());
  }

  /** Pass 1: see every row (memory ∝ distinct units, not rows). */
  observe(row: Readonly<Record<string, string>>): void {
    if (this.result !== undefined) {
      throw new UsageError('E_USAGE', 'disclosure control: observe() after plan()');
    }
    if (this.rowsSeen === 0) this.checkColumns(row);
    this.rowsSeen++;
    const { quasiIdentifiers, learnerColumn, sensitive } = this.options;
    const values = quasiIdentifiers.map((qi, i) => this.intern(i, row[qi.column] ?? ''));
    const sensitiveValue = sensitive === undefined ? undefined : (row[sensitive.column] ?? '');
    const id =
      learnerColumn === undefined
        ? JSON.stringify([values, sensitiveValue ?? null])
        : (row[learnerColumn] ?? '');
    const unit = this.units.get(id);
    if (unit === undefined) {
      this.units.set(id, { rows: 1, values, sensitive: sensitiveValue });
      return;
    }
    if (learnerColumn === undefined) {
      // Rows are units: identical rows are kept as one unit with a count.
      unit.rows++;
      return;
    }
    for (let i = 0; i < values.length; i++) {
      unit.values[i] = addValue(unit.values[i] ?? '', unit.rows, values[i] ?? '');
    }
    if (sensitiveValue !== undefined && unit.sensitive !== undefined) {
      if (typeof unit.sensitive === 'string') {
        if (unit.sensitive !== sensitiveValue) unit.sensitive = [unit.sensitive, sensitiveValue];
      } else if (!unit.sensitive.includes(sensitiveValue)) {
        unit.sensitive.push(sensitiveValue);
      }
    }
    unit.rows++;
  }

  /** After pass 1: choose levels and suppression. */
  plan(): DisclosurePlan {
    if (this.result !== undefined) return this.result;
    this.buildGroups();
    const { quasiIdentifiers, maxSuppression } = this.options;
    const unitsTotal = this.groups.reduce((sum, g) => sum + g.units, 0);
    const budget = Math.floor(maxSuppression * unitsTotal + 1e-9);
    const table = this.generalisationTable();
    let best: { levels: number[]; evaluation: Evaluation } | undefined;
    let bestLoss = Infinity;
    for (const levels of this.latticeByLoss()) {
      const loss = this.loss(levels);
      if (best !== undefined && loss > bestLoss + 1e-9) break;
      const evaluation = this.evaluate(table, levels, true);
      if (evaluation.suppressed > budget) continue;
      if (best === undefined || evaluation.suppressed < best.evaluation.suppressed) {
        best = { levels, evaluation };
        bestLoss = loss;
      }
    }
    if (best === undefined) {
      // The best attempt: everything at its top level, classes below k suppressed (l is only
      // reported), so that a caller allowed to go below the target still gets an output.
      const top = quasiIdentifiers.map((qi) => qi.top);
      best = { levels: top, evaluation: this.evaluate(table, top, false) };
    }
    this.result = this.describe(table, best.levels, best.evaluation, budget);
    return this.result;
  }

  /** Pass 2 (after plan): the row with its QI cells generalised, or null when its unit is suppressed. */
  apply(row: Readonly<Record<string, string>>): Record<string, string> | null {
    const chosen = this.chosen;
    if (chosen === undefined) {
      throw new UsageError('E_USAGE', 'disclosure control: apply() before plan()');
    }
    const { quasiIdentifiers, learnerColumn, sensitive } = this.options;
    const id =
      learnerColumn === undefined
        ? JSON.stringify([
            quasiIdentifiers.map((qi) => row[qi.column] ?? ''),
            sensitive === undefined ? null : (row[sensitive.column] ?? ''),
          ])
        : (row[learnerColumn] ?? '');
    const group = this.groupOf.get(id);
    if (group === undefined) {
      throw new InputError(
        'E_INPUT',
        learnerColumn === undefined
          ? 'disclosure control: a row of pass 2 was not seen in pass 1 (the input changed between the passes)'
          : `disclosure control: learner "${id}" of pass 2 was not seen in pass 1 (the input changed between the passes)`,
      );
    }
    if (chosen.kept[group] !== 1) return null;
    const output = { ...row };
    quasiIdentifiers.forEach((qi, q) => {
      if (qi.hierarchy === 'course_set' && chosen.levels[q] === 0) return;
      output[qi.column] = chosen.names[q]?.[chosen.codes[q]?.[group] ?? 0] ?? '';
    });
    return output;
  }

  private checkColumns(row: Readonly<Record<string, string>>): void {
    const { quasiIdentifiers, learnerColumn, sensitive } = this.options;
    const needed: [string, string][] = quasiIdentifiers.map((qi) => [
      qi.column,
      'quasi-identifier',
    ]);
    if (learnerColumn !== undefined) needed.push([learnerColumn, 'learner']);
    if (sensitive !== undefined) needed.push([sensitive.column, 'sensitive']);
    for (const [column, role] of needed) {
      if (!Object.hasOwn(row, column)) {
        throw new InputError(
          'E_INPUT',
          `disclosure control: the ${role} column "${column}" is not in the input (its columns: ${Object.keys(row).join(', ')})`,
        );
      }
    }
  }

  private intern(qi: number, value: string): string {
    const map = this.interned[qi];
    if (map === undefined) return value;
    const known = map.get(value);
    if (known !== undefined) return known;
    map.set(value, value);
    return value;
  }

  /** Units with the same pass-1 state become one group; `groupOf` maps a unit id to its group. */
  private buildGroups(): void {
    const byState = new Map<string, number>();
    const rowsAreUnits = this.options.learnerColumn === undefined;
    for (const [id, unit] of this.units) {
      const count = rowsAreUnits ? unit.rows : 1;
      const rows = rowsAreUnits ? 1 : unit.rows;
      const values = unit.values.map((slot) => rowValues(slot, rows));
      const sensitive =
        unit.sensitive === undefined
          ? []
          : typeof unit.sensitive === 'string'
            ? [unit.sensitive]
            : distinctSorted(unit.sensitive);
      const state = JSON.stringify([values, sensitive]);
      let index = byState.get(state);
      if (index === undefined) {
        index = this.groups.length;
        byState.set(state, index);
        this.groups.push({ units: 0, rows, values, sensitive });
      }
      const group = this.groups[index];
      if (group !== undefined) group.units += count;
      this.groupOf.set(id, index);
    }
    this.units = new Map();
  }

  /** Every group's value of every QI at every level, as codes (values are not kept per group). */
  private generalisationTable(): Table {
    const codes: Int32Array[][] = [];
    const names: string[][][] = [];
    this.options.quasiIdentifiers.forEach((qi, q) => {
      const qiCodes: Int32Array[] = [];
      const qiNames: string[][] = [];
      for (let level = 0; level <= qi.top; level++) {
        const ids = new Map<string, number>();
        const column = new Int32Array(this.groups.length);
        this.groups.forEach((group, g) => {
          const value = generaliseUnit(qi, group.values[q] ?? [], level);
          let id = ids.get(value);
          if (id === undefined) ids.set(value, (id = ids.size));
          column[g] = id;
        });
        qiCodes.push(column);
        qiNames.push([...ids.keys()]);
      }
      codes.push(qiCodes);
      names.push(qiNames);
    });
    return { codes, names };
  }

  /** Every level vector, least loss first (ties: in lexicographic order). */
  private latticeByLoss(): number[][] {
    let vectors: number[][] = [[]];
    for (const qi of this.options.quasiIdentifiers) {
      const next: number[][] = [];
      for (const vector of vectors) {
        for (let level = 0; level <= qi.top; level++) next.push([...vector, level]);
      }
      vectors = next;
    }
    return vectors
      .map((levels) => ({ levels, loss: this.loss(levels) }))
      .sort((a, b) => a.loss - b.loss)
      .map(({ levels }) => levels);
  }

  private loss(levels: readonly number[]): number {
    const qis = this.options.quasiIdentifiers;
    let sum = 0;
    qis.forEach((qi, i) => (sum += (levels[i] ?? 0) / qi.top));
    return sum / qis.length;
  }

  /**
   * The classes of every group at `levels`, and the classes to suppress: those below k, and
   * with `withL` those with fewer than l distinct sensitive values.
   */
  private evaluate(table: Table, levels: readonly number[], withL: boolean): Evaluation {
    const { k } = this.options;
    const sensitive = withL ? this.options.sensitive : undefined;
    const columns = levels.map((level, q) => table.codes[q]?.[level] ?? new Int32Array());
    // A class key is the groups' value codes in mixed radix: a number while it fits.
    const radix: number[] = [];
    let combinations = 1;
    levels.forEach((level, q) => {
      radix.push(combinations);
      combinations *= table.names[q]?.[level]?.length ?? 1;
    });
    const numeric = combinations <= Number.MAX_SAFE_INTEGER;
    const classOf = new Int32Array(this.groups.length);
    const classIndex = new Map<number | string, number>();
    const units: number[] = [];
    const diverse: Set<string>[] = [];
    this.groups.forEach((group, g) => {
      let key: number | string = numeric ? 0 : '';
      columns.forEach((codes, q) => {
        const code = codes[g] ?? 0;
        key = numeric ? (key as number) + code * (radix[q] ?? 0) : `${key as string},${code}`;
      });
      let c = classIndex.get(key);
      if (c === undefined) {
        c = units.length;
        classIndex.set(key, c);
        units.push(0);
        if (sensitive !== undefined) diverse.push(new Set());
      }
      classOf[g] = c;
      units[c] = (units[c] ?? 0) + group.units;
      const values = diverse[c];
      if (values !== undefined) for (const value of group.sensitive) values.add(value);
    });
    const failing = new Uint8Array(units.length);
    units.forEach((size, c) => {
      const distinct = diverse[c]?.size ?? Infinity;
      if (size < k || (sensitive !== undefined && distinct < sensitive.l)) failing[c] = 1;
    });
    let suppressed = 0;
    this.groups.forEach((group, g) => {
      if (failing[classOf[g] ?? 0] === 1) suppressed += group.units;
    });
    return { classOf, failing, suppressed };
  }

  private describe(
    table: Table,
    levels: readonly number[],
    evaluation: Evaluation,
    budget: number,
  ): DisclosurePlan {
    const { k, quasiIdentifiers, sensitive } = this.options;
    const kept = Uint8Array.from(evaluation.classOf, (c) => 1 - (evaluation.failing[c] ?? 0));
    const chosen: Chosen = {
      levels,
      codes: levels.map((level, q) => table.codes[q]?.[level] ?? new Int32Array()),
      names: levels.map((level, q) => table.names[q]?.[level] ?? []),
      kept,
    };
    this.chosen = chosen;

    const classSize = new Map<number, number>();
    const classValues = new Map<number, Set<string>>();
    const cellsGeneralised: Record<string, number> = {};
    const unrecognised: Record<string, number> = {};
    for (const qi of quasiIdentifiers) {
      cellsGeneralised[qi.column] = 0;
      unrecognised[qi.column] = 0;
    }
    let unitsTotal = 0;
    let rowsTotal = 0;
    let unitsSuppressed = 0;
    let rowsSuppressed = 0;
    this.groups.forEach((group, g) => {
      unitsTotal += group.units;
      rowsTotal += group.units * group.rows;
      quasiIdentifiers.forEach((qi, i) => {
        const values = group.values[i] ?? [];
        if (qi.values !== undefined && values.some((v) => qi.values?.recognises(v) === false)) {
          unrecognised[qi.column] = (unrecognised[qi.column] ?? 0) + group.units;
        }
      });
      if (kept[g] !== 1) {
        unitsSuppressed += group.units;
        rowsSuppressed += group.units * group.rows;
        return;
      }
      const key = evaluation.classOf[g] ?? 0;
      classSize.set(key, (classSize.get(key) ?? 0) + group.units);
      if (sensitive !== undefined) {
        let set = classValues.get(key);
        if (set === undefined) classValues.set(key, (set = new Set()));
        for (const value of group.sensitive) set.add(value);
      }
      quasiIdentifiers.forEach((qi, i) => {
        if (qi.hierarchy === 'course_set' && levels[i] === 0) return;
        const out = chosen.names[i]?.[chosen.codes[i]?.[g] ?? 0] ?? '';
        const changed = (group.values[i] ?? []).filter((value) => value !== out).length;
        cellsGeneralised[qi.column] = (cellsGeneralised[qi.column] ?? 0) + changed * group.units;
      });
    });
    const kReached = smallest(classSize.values());
    const lReached =
      sensitive === undefined ? undefined : smallest([...classValues.values()].map((s) => s.size));
    const satisfied =
      kReached >= k &&
      unitsSuppressed <= budget &&
      (sensitive === undefined || (lReached ?? 0) >= sensitive.l);
    const levelMap: Record<string, number> = {};
    const levelNames: Record<string, string> = {};
    quasiIdentifiers.forEach((qi, i) => {
      const level = levels[i] ?? 0;
      levelMap[qi.column] = level;
      levelNames[qi.column] = qi.levelNames[level] ?? '';
    });
    return {
      k,
      kReached,
      satisfied,
      levels: levelMap,
      levelNames,
      unitsTotal,
      unitsSuppressed,
      rowsTotal,
      rowsSuppressed,
      cellsGeneralised,
      equivalenceClasses: classSize.size,
      ...(sensitive === undefined ? {} : { lReached: lReached ?? Infinity, l: sensitive.l }),
      suppressionBudget: budget,
      loss: this.loss(levels),
      unrecognised,
    };
  }
}

/**
 * A unit's value of one QI at `level`, from the values of its rows (sorted): for a course_set,
 * the set of its non-empty courses; otherwise its rows' distinct generalised values joined with
 * `|` (one value in the usual case of a learner whose rows agree).
 */
function generaliseUnit(
  qi: ResolvedQuasiIdentifier,
  values: readonly string[],
  level: number,
): string {
  if (qi.values === undefined) {
    return generaliseCourseSet(distinctSorted(values.filter((v) => v !== '')), level);
  }
  const hierarchy = qi.values;
  return distinctSorted(values.map((value) => hierarchy.generalise(value, level))).join('|');
}
