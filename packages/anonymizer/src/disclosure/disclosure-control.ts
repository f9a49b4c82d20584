import { InputError, UsageError } from '@edx-data/core';
import { ClassIndex } from './class-index.js';
import { generaliseCourseSet } from './hierarchies.js';
import { LearnerTable } from './learner-table.js';
import { normalizeDisclosureOptions } from './options.js';
import { StateTable } from './state-table.js';
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

/** The values of one QI column as codes, and the multisets of learners whose rows disagree. */
interface QiDictionary {
  readonly codes: Map<string, number>;
  /** Code → value. */
  readonly values: string[];
  readonly bagCodes: Map<string, number>;
  /** Per bag: `[code, rows, code, rows, …]` by ascending code, two codes or more. */
  readonly bags: number[][];
}

/** A state's code for one QI: a value `v` is `2v`, a bag `b` (rows that disagree) is `2b + 1`. */
const valueSlot = (code: number): number => code * 2;
const bagSlot = (bag: number): number => bag * 2 + 1;

/** Every slot of a QI at every level, as a small integer code. */
interface Table {
  /** QI → level → slot → code of its value at that level. */
  readonly codes: readonly (readonly Uint32Array[])[];
  /** QI → level → code → value. */
  readonly names: readonly (readonly (readonly string[])[])[];
}

interface Evaluation {
  /** Per class: 1 when it is suppressed. */
  readonly failing: Uint8Array;
  /** Units of the suppressed classes. */
  readonly suppressed: number;
}

interface Chosen {
  readonly levels: readonly number[];
  /** Per QI: slot → code of its output value at the chosen level. */
  readonly codes: readonly Uint32Array[];
  /** Per QI: code → output value. */
  readonly names: readonly (readonly string[])[];
  /** Per state: 1 when it is kept. */
  readonly kept: Uint8Array;
}

/** The code of a slot number no state has (slots are numbered for values and bags alike). */
const NO_SLOT = 0xffffffff;

/** States are keyed a block at a time. */
const BLOCK = 2048;

/** `keys[s - start] += weights[slots[s]]` for the states of one block. */
function addWeights(
  keys: Float64Array,
  weights: Float64Array,
  slots: ArrayLike<number>,
  start: number,
  end: number,
): void {
  for (let s = start; s < end; s++) {
    keys[s - start] = (keys[s - start] ?? 0) + (weights[slots[s] ?? 0] ?? 0);
  }
}

function smallest(numbers: Iterable<number>): number {
  let min = Infinity;
  for (const n of numbers) if (n < min) min = n;
  return min;
}

function distinctSorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** `[code, rows, …]` with one more row of `code`. */
function addToRuns(runs: readonly number[], code: number): number[] {
  const next: number[] = [];
  let added = false;
  for (let i = 0; i < runs.length; i += 2) {
    const c = runs[i] ?? 0;
    const n = runs[i + 1] ?? 0;
    if (!added && code < c) {
      next.push(code, 1);
      added = true;
    }
    next.push(c, c === code ? n + 1 : n);
    if (c === code) added = true;
  }
  if (!added) next.push(code, 1);
  return next;
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
  private readonly dictionaries: QiDictionary[];
  private readonly sensitiveCodes = new Map<string, number>();
  private readonly sensitiveSetCodes = new Map<string, number>([['', 0]]);
  /** Per set of sensitive values: its distinct codes, ascending (set 0 is empty). */
  private readonly sensitiveSets: number[][] = [[]];
  /** Pass-1 states: `[rows, slot of each QI…, sensitive set]`, with units per state. */
  private readonly states: StateTable;
  /** With a learner column: learner → its state. */
  private readonly learners: LearnerTable | undefined;
  private readonly tuple: number[];
  private readonly keys = new Float64Array(BLOCK);
  private rowsSeen = 0;
  private chosen: Chosen | undefined;
  private result: DisclosurePlan | undefined;

  constructor(options: DisclosureOptions) {
    this.options = normalizeDisclosureOptions(options);
    const qis = this.options.quasiIdentifiers;
    this.dictionaries = qis.map(() => ({
      codes: new Map(),
      values: [],
      bagCodes: new Map(),
      bags: [],
    }));
    this.states = new StateTable(qis.length + 2);
    this.tuple = new Array<number>(qis.length + 2).fill(0);
    this.learners = this.options.learnerColumn === undefined ? undefined : new LearnerTable();
  }

  /** Pass 1: see every row (memory ∝ distinct states and learners, a few tens of bytes each). */
  observe(row: Readonly<Record<string, string>>): void {
    if (this.result !== undefined) {
      throw new UsageError('E_USAGE', 'disclosure control: observe() after plan()');
    }
    if (this.rowsSeen === 0) this.checkColumns(row);
    this.rowsSeen++;
    const { quasiIdentifiers, learnerColumn, sensitive } = this.options;
    const width = quasiIdentifiers.length;
    const tuple = this.tuple;
    const sensitiveCode =
      sensitive === undefined ? -1 : this.sensitiveCode(row[sensitive.column] ?? '');
    const learners = this.learners;
    const slot = learners === undefined ? -1 : learners.find(row[learnerColumn ?? ''] ?? '');
    if (slot === -1) {
      tuple[0] = 1;
      for (let q = 0; q < width; q++) {
        tuple[q + 1] = valueSlot(this.valueCode(q, row[quasiIdentifiers[q]?.column ?? ''] ?? ''));
      }
      tuple[width + 1] = sensitiveCode === -1 ? 0 : this.sensitiveSet([sensitiveCode]);
      const state = this.states.intern(tuple);
      this.states.addUnits(state, 1);
      learners?.add(row[learnerColumn ?? ''] ?? '', state);
      return;
    }
    // A learner seen before: its state moves to the one with this row added.
    const learnerTable = learners as LearnerTable;
    const before = learnerTable.value(slot);
    const rows = this.states.field(before, 0);
    tuple[0] = rows + 1;
    for (let q = 0; q < width; q++) {
      const code = this.valueCode(q, row[quasiIdentifiers[q]?.column ?? ''] ?? '');
      tuple[q + 1] = this.addRow(q, this.states.field(before, q + 1), rows, code);
    }
    const set = this.states.field(before, width + 1);
    tuple[width + 1] =
      sensitiveCode === -1
        ? set
        : this.sensitiveSet([...(this.sensitiveSets[set] ?? []), sensitiveCode]);
    const after = this.states.intern(tuple);
    this.states.addUnits(before, -1);
    this.states.addUnits(after, 1);
    learnerTable.setValue(slot, after);
  }

  /** After pass 1: choose levels and suppression. */
  plan(): DisclosurePlan {
    if (this.result !== undefined) return this.result;
    if (this.learners !== undefined) this.states.dropIndex();
    const { quasiIdentifiers, maxSuppression, k } = this.options;
    const units = this.states.units;
    let unitsTotal = 0;
    for (let s = 0; s < this.states.size; s++) unitsTotal += units.get(s);
    const budget = Math.floor(maxSuppression * unitsTotal + 1e-9);
    // Kept classes hold k units or more and suppressed ones one or more: more classes than
    // this means more than the budget suppressed, and the evaluation stops there.
    const limit = Math.floor(unitsTotal / k + budget);
    const table = this.generalisationTable();
    // Freed with the plan's locals: it grows to the most classes a level vector had.
    const classes = new ClassIndex();
    let best: { levels: number[]; evaluation: Evaluation } | undefined;
    let bestLoss = Infinity;
    // Level vectors that split the states alike have the same classes: one evaluation each.
    const same = samePartitionLevels(table);
    const seen = new Map<string, Evaluation | undefined>();
    for (const levels of this.latticeByLoss()) {
      const loss = this.loss(levels);
      if (best !== undefined && loss > bestLoss + 1e-9) break;
      const partition = levels.map((level, q) => same[q]?.[level] ?? level).join(',');
      let evaluation: Evaluation | undefined;
      if (seen.has(partition)) evaluation = seen.get(partition);
      else {
        evaluation = this.evaluate(classes, table, levels, true, limit);
        seen.set(partition, evaluation);
      }
      if (evaluation === undefined || evaluation.suppressed > budget) continue;
      if (best === undefined || evaluation.suppressed < best.evaluation.suppressed) {
        best = { levels, evaluation };
        bestLoss = loss;
      }
    }
    // The best attempt when nothing fits: everything at its top level, classes below k
    // suppressed (l is only reported), so that a caller allowed to go below the target still
    // gets an output.
    const levels = best?.levels ?? quasiIdentifiers.map((qi) => qi.top);
    this.result = this.describe(classes, table, levels, best !== undefined, budget);
    return this.result;
  }

  /** Pass 2 (after plan): the row with its QI cells generalised, or null when its unit is suppressed. */
  apply(row: Readonly<Record<string, string>>): Record<string, string> | null {
    const chosen = this.chosen;
    if (chosen === undefined) {
      throw new UsageError('E_USAGE', 'disclosure control: apply() before plan()');
    }
    const { quasiIdentifiers, learnerColumn } = this.options;
    const state = this.stateOf(row);
    if (state === -1) {
      throw new InputError(
        'E_INPUT',
        learnerColumn === undefined
          ? 'disclosure control: a row of pass 2 was not seen in pass 1 (the input changed between the passes)'
          : `disclosure control: learner "${row[learnerColumn] ?? ''}" of pass 2 was not seen in pass 1 (the input changed between the passes)`,
      );
    }
    if (chosen.kept[state] !== 1) return null;
    const output = { ...row };
    quasiIdentifiers.forEach((qi, q) => {
      if (qi.hierarchy === 'course_set' && chosen.levels[q] === 0) return;
      const slot = this.states.field(state, q + 1);
      output[qi.column] = chosen.names[q]?.[chosen.codes[q]?.[slot] ?? 0] ?? '';
    });
    return output;
  }

  /** The pass-1 state of the row's unit, or -1. */
  private stateOf(row: Readonly<Record<string, string>>): number {
    const { quasiIdentifiers, learnerColumn, sensitive } = this.options;
    if (this.learners !== undefined) {
      const slot = this.learners.find(row[learnerColumn ?? ''] ?? '');
      return slot === -1 ? -1 : this.learners.value(slot);
    }
    // Rows are units: the state of a row is its own values.
    const tuple = this.tuple;
    tuple[0] = 1;
    for (let q = 0; q < quasiIdentifiers.length; q++) {
      const code = this.dictionaries[q]?.codes.get(row[quasiIdentifiers[q]?.column ?? ''] ?? '');
      if (code === undefined) return -1;
      tuple[q + 1] = valueSlot(code);
    }
    let set = 0;
    if (sensitive !== undefined) {
      const code = this.sensitiveCodes.get(row[sensitive.column] ?? '');
      const known = code === undefined ? undefined : this.sensitiveSetCodes.get(String(code));
      if (known === undefined) return -1;
      set = known;
    }
    tuple[quasiIdentifiers.length + 1] = set;
    return this.states.find(tuple);
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

  private valueCode(q: number, value: string): number {
    const dictionary = this.dictionaries[q];
    if (dictionary === undefined) return 0;
    let code = dictionary.codes.get(value);
    if (code === undefined) {
      code = dictionary.values.length;
      dictionary.codes.set(value, code);
      dictionary.values.push(value);
    }
    return code;
  }

  /** The slot of a learner's QI `q` once a row of value `code` is added to its `rows` rows. */
  private addRow(q: number, slot: number, rows: number, code: number): number {
    const dictionary = this.dictionaries[q];
    if (dictionary === undefined) return slot;
    let runs: number[];
    if (slot % 2 === 0) {
      const value = slot / 2;
      if (value === code) return slot;
      runs = value < code ? [value, rows, code, 1] : [code, 1, value, rows];
    } else {
      runs = addToRuns(dictionary.bags[(slot - 1) / 2] ?? [], code);
    }
    const key = runs.join(',');
    let bag = dictionary.bagCodes.get(key);
    if (bag === undefined) {
      bag = dictionary.bags.length;
      dictionary.bagCodes.set(key, bag);
      dictionary.bags.push(runs);
    }
    return bagSlot(bag);
  }

  private sensitiveCode(value: string): number {
    let code = this.sensitiveCodes.get(value);
    if (code === undefined) this.sensitiveCodes.set(value, (code = this.sensitiveCodes.size));
    return code;
  }

  /** The number of the set of `codes` (distinct after sorting). */
  private sensitiveSet(codes: readonly number[]): number {
    const distinct = [...new Set(codes)].sort((a, b) => a - b);
    const key = distinct.join(',');
    let set = this.sensitiveSetCodes.get(key);
    if (set === undefined) {
      set = this.sensitiveSets.length;
      this.sensitiveSetCodes.set(key, set);
      this.sensitiveSets.push(distinct);
    }
    return set;
  }

  /** The distinct values of a slot of QI `q`. */
  private slotValues(q: number, slot: number): string[] {
    const dictionary = this.dictionaries[q];
    if (dictionary === undefined) return [];
    if (slot % 2 === 0) return [dictionary.values[slot / 2] ?? ''];
    const runs = dictionary.bags[(slot - 1) / 2] ?? [];
    const values: string[] = [];
    for (let i = 0; i < runs.length; i += 2) values.push(dictionary.values[runs[i] ?? 0] ?? '');
    return values;
  }

  /** Rows of a slot whose value is `value`, in a state of `rows` rows. */
  private rowsEqualTo(q: number, slot: number, rows: number, value: string): number {
    const dictionary = this.dictionaries[q];
    if (dictionary === undefined) return 0;
    if (slot % 2 === 0) return dictionary.values[slot / 2] === value ? rows : 0;
    const runs = dictionary.bags[(slot - 1) / 2] ?? [];
    let equal = 0;
    for (let i = 0; i < runs.length; i += 2) {
      if (dictionary.values[runs[i] ?? 0] === value) equal += runs[i + 1] ?? 0;
    }
    return equal;
  }

  /** Every slot of every QI at every level, as codes (per slot, not per learner). */
  private generalisationTable(): Table {
    const codes: Uint32Array[][] = [];
    const names: string[][][] = [];
    this.options.quasiIdentifiers.forEach((qi, q) => {
      const dictionary = this.dictionaries[q];
      const slots = 2 * Math.max(dictionary?.values.length ?? 0, dictionary?.bags.length ?? 0);
      const qiCodes: Uint32Array[] = [];
      const qiNames: string[][] = [];
      for (let level = 0; level <= qi.top; level++) {
        const ids = new Map<string, number>();
        const column = new Uint32Array(slots).fill(NO_SLOT);
        for (let slot = 0; slot < slots; slot++) {
          const known =
            slot % 2 === 0
              ? slot / 2 < (dictionary?.values.length ?? 0)
              : (slot - 1) / 2 < (dictionary?.bags.length ?? 0);
          if (!known) continue;
          const value = generaliseUnit(qi, this.slotValues(q, slot), level);
          let id = ids.get(value);
          if (id === undefined) ids.set(value, (id = ids.size));
          column[slot] = id;
        }
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
   * The classes of every state at `levels` (in `classes`), and the classes to suppress:
   * those below k, and with `withL` those with fewer than l distinct sensitive values.
   * `undefined` as soon as there are more than `limit` classes; `classOf` receives each
   * state's class.
   */
  private evaluate(
    classes: ClassIndex,
    table: Table,
    levels: readonly number[],
    withL: boolean,
    limit: number,
    classOf?: Int32Array,
  ): Evaluation | undefined {
    const { k, quasiIdentifiers } = this.options;
    const sensitive = withL ? this.options.sensitive : undefined;
    const width = quasiIdentifiers.length;
    const slots = quasiIdentifiers.map((_, q) => this.states.column(q + 1).values);
    const sets = this.states.column(width + 1).values;
    const units = this.states.units.values;
    // A class key is the states' value codes in mixed radix: a number while it fits. Each QI's
    // codes are multiplied by its radix beforehand, so a key is a sum of `width` lookups.
    const weighted: Float64Array[] = [];
    let combinations = 1;
    levels.forEach((level, q) => {
      const codes = table.codes[q]?.[level] ?? new Uint32Array();
      weighted.push(Float64Array.from(codes, (code) => code * combinations));
      combinations *= table.names[q]?.[level]?.length ?? 1;
    });
    const numeric = combinations <= Number.MAX_SAFE_INTEGER;
    classes.clear();
    const pairs = new Set<number>();
    const distinct: number[] = [];
    const sensitiveValues = this.sensitiveCodes.size;
    const states = this.states.size;
    const keys = this.keys;
    for (let start = 0; start < states; start += BLOCK) {
      const end = Math.min(start + BLOCK, states);
      if (numeric) {
        // Column by column over a block: each loop reads one typed array.
        keys.fill(0);
        for (let q = 0; q < width; q++) {
          const column = slots[q];
          const weights = weighted[q];
          if (column !== undefined && weights !== undefined) {
            addWeights(keys, weights, column, start, end);
          }
        }
      }
      for (let s = start; s < end; s++) {
        const u = units[s] ?? 0;
        if (u === 0) continue;
        let key: number | string = keys[s - start] ?? 0;
        if (!numeric) {
          key = '';
          for (let q = 0; q < width; q++) {
            key += `,${String(table.codes[q]?.[levels[q] ?? 0]?.[slots[q]?.[s] ?? 0] ?? 0)}`;
          }
        }
        const c = classes.index(key);
        if (classes.size > limit) return undefined;
        classes.units[c] = (classes.units[c] ?? 0) + u;
        if (classOf !== undefined) classOf[s] = c;
        if (sensitive !== undefined) {
          if (c === distinct.length) distinct.push(0);
          for (const value of this.sensitiveSets[sets[s] ?? 0] ?? []) {
            const pair = c * sensitiveValues + value;
            if (!pairs.has(pair)) {
              pairs.add(pair);
              distinct[c] = (distinct[c] ?? 0) + 1;
            }
          }
        }
      }
    }
    const failing = new Uint8Array(classes.size);
    let suppressed = 0;
    for (let c = 0; c < classes.size; c++) {
      const size = classes.units[c] ?? 0;
      if (size < k || (sensitive !== undefined && (distinct[c] ?? 0) < sensitive.l)) {
        failing[c] = 1;
        suppressed += size;
      }
    }
    return { failing, suppressed };
  }

  private describe(
    classes: ClassIndex,
    table: Table,
    levels: readonly number[],
    withL: boolean,
    budget: number,
  ): DisclosurePlan {
    const { k, quasiIdentifiers, sensitive } = this.options;
    const states = this.states;
    const classOf = new Int32Array(states.size);
    const evaluation = this.evaluate(classes, table, levels, withL, Infinity, classOf);
    const failing = evaluation?.failing ?? new Uint8Array();
    const kept = new Uint8Array(states.size);
    const chosen: Chosen = {
      levels,
      codes: levels.map((level, q) => table.codes[q]?.[level] ?? new Uint32Array()),
      names: levels.map((level, q) => table.names[q]?.[level] ?? []),
      kept,
    };
    this.chosen = chosen;

    const unrecognisedSlot = quasiIdentifiers.map((qi, q) => {
      const hierarchy = qi.values;
      return (slot: number): boolean =>
        hierarchy !== undefined && this.slotValues(q, slot).some((v) => !hierarchy.recognises(v));
    });
    const classSize = new Map<number, number>();
    const classValues = new Map<number, Set<number>>();
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
    const width = quasiIdentifiers.length;
    for (let s = 0; s < states.size; s++) {
      const units = states.units.get(s);
      if (units === 0) continue;
      const rows = states.field(s, 0);
      unitsTotal += units;
      rowsTotal += units * rows;
      quasiIdentifiers.forEach((qi, q) => {
        if (unrecognisedSlot[q]?.(states.field(s, q + 1)) === true) {
          unrecognised[qi.column] = (unrecognised[qi.column] ?? 0) + units;
        }
      });
      const c = classOf[s] ?? 0;
      if (failing[c] === 1) {
        unitsSuppressed += units;
        rowsSuppressed += units * rows;
        continue;
      }
      kept[s] = 1;
      classSize.set(c, (classSize.get(c) ?? 0) + units);
      if (sensitive !== undefined) {
        let set = classValues.get(c);
        if (set === undefined) classValues.set(c, (set = new Set()));
        for (const value of this.sensitiveSets[states.field(s, width + 1)] ?? []) set.add(value);
      }
      quasiIdentifiers.forEach((qi, q) => {
        if (qi.hierarchy === 'course_set' && levels[q] === 0) return;
        const slot = states.field(s, q + 1);
        const out = chosen.names[q]?.[chosen.codes[q]?.[slot] ?? 0] ?? '';
        const changed = rows - this.rowsEqualTo(q, slot, rows, out);
        cellsGeneralised[qi.column] = (cellsGeneralised[qi.column] ?? 0) + changed * units;
      });
    }
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
 * Per QI and level, the lowest level that splits the slots into the same groups (the level
 * itself when none does): a country column of ISO codes is the same at level 0 and 1.
 */
function samePartitionLevels(table: Table): number[][] {
  return table.codes.map((levels, q) =>
    levels.map((codes, level) => {
      for (let lower = 0; lower < level; lower++) {
        if (samePartition(levels[lower] ?? codes, codes, table.names[q]?.[lower]?.length ?? 0)) {
          return lower;
        }
      }
      return level;
    }),
  );
}

/** Whether two codings of the same slots group them alike (a one-to-one map between codes). */
function samePartition(a: Uint32Array, b: Uint32Array, codesOfA: number): boolean {
  const forward = new Int32Array(codesOfA).fill(-1);
  const backward = new Map<number, number>();
  for (let slot = 0; slot < a.length; slot++) {
    const x = a[slot] ?? NO_SLOT;
    const y = b[slot] ?? NO_SLOT;
    if (x === NO_SLOT) continue;
    if (forward[x] === -1) forward[x] = y;
    else if (forward[x] !== y) return false;
    const back = backward.get(y);
    if (back === undefined) backward.set(y, x);
    else if (back !== x) return false;
  }
  return true;
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
