/**
 * The pure core: one row in, one row out, following a file's {@link ColumnPlan}s, with counts
 * of what was done to each column. No I/O: the driver (`anonymize-files.ts`) reads and writes.
 */
import type { ColumnPlan } from './column-plan.js';
import type { CountryLookup } from './generalise.js';
import { birthYearBand, ipToCountry, shiftDate } from './generalise.js';
import type { IdentifierClass } from './learner-directory.js';
import type { Pseudonymizer } from './pseudonymizer.js';
import type { ScrubCounts, Scrubber } from './scrubber.js';
import { emptyScrubCounts } from './scrubber.js';

/** What was done to one column, over the rows written. */
export interface ColumnCounts {
  /** Cells replaced by a pseudonym. */
  pseudonymised: number;
  /** Cells generalised (IP → country, year → band; by this step, not disclosure control). */
  generalised: number;
  /** Cells moved by the learner's day offset. */
  shifted: number;
  /** Date cells left as they were because they are not a date or time (or no learner). */
  notShifted: number;
  /** Cells of free text in which at least one span was replaced. */
  scrubbedCells: number;
  /** Spans replaced, by kind. */
  scrubbed: ScrubCounts;
}

export function emptyColumnCounts(): ColumnCounts {
  return {
    pseudonymised: 0,
    generalised: 0,
    shifted: 0,
    notShifted: 0,
    scrubbedCells: 0,
    scrubbed: emptyScrubCounts(),
  };
}

/** Zero the counts of one cell (reused from row to row: no allocation per cell). */
function reset(counts: ColumnCounts): void {
  counts.pseudonymised = 0;
  counts.generalised = 0;
  counts.shifted = 0;
  counts.notShifted = 0;
  counts.scrubbedCells = 0;
  const spans = counts.scrubbed;
  spans.EMAIL = 0;
  spans.PHONE = 0;
  spans.URL = 0;
  spans.USERNAME = 0;
  spans.PERSON = 0;
}

export interface RowAnonymizerSettings {
  readonly pseudonymizer: Pseudonymizer;
  readonly scrubber: Scrubber;
  readonly countryOf: CountryLookup;
  /** Largest day offset (0: dates are not moved). */
  readonly shiftDays: number;
  /**
   * Birth-year columns left as years by {@link RowAnonymizer.transform}, because disclosure
   * control generalises them (it needs the year); {@link RowAnonymizer.finish} bands them.
   */
  readonly deferredBirthYears?: ReadonlySet<string> | undefined;
}

/** Keys of a JSON payload (an event, an answer) that hold a learner identifier. */
const PAYLOAD_KEYS: Readonly<Record<string, IdentifierClass>> = {
  user_id: 'user_id',
  userid: 'user_id',
  author_id: 'user_id',
  student_id: 'user_id',
  username: 'username',
  author_username: 'username',
  anonymous_id: 'anonymous_id',
  anonymous_user_id: 'anonymous_id',
  anonymous_student_id: 'anonymous_id',
  hash_id: 'hash_id',
  email: 'email',
};

export class RowAnonymizer {
  readonly #plans: readonly ColumnPlan[];
  readonly #settings: RowAnonymizerSettings;
  /** Per input column name: the rows committed (see {@link commit}). */
  readonly counts: ReadonlyMap<string, ColumnCounts>;
  /** What the last {@link transform} did, per column, until committed. */
  readonly #last: ColumnCounts[];
  /** The output header. */
  readonly columns: readonly string[];

  constructor(plans: readonly ColumnPlan[], settings: RowAnonymizerSettings) {
    this.#plans = plans;
    this.#settings = settings;
    this.counts = new Map(plans.map((p) => [p.input, emptyColumnCounts()]));
    this.#last = plans.map(() => emptyColumnCounts());
    this.columns = plans.flatMap((p) => (p.output === null ? [] : [p.output]));
  }

  #count(plan: ColumnPlan): ColumnCounts {
    return this.counts.get(plan.input) ?? emptyColumnCounts();
  }

  /** Add what the last {@link transform} did to {@link counts} (for a row that is written). */
  commit(): void {
    for (const [i, plan] of this.#plans.entries()) {
      const last = this.#last[i];
      if (last === undefined) continue;
      const total = this.#count(plan);
      total.pseudonymised += last.pseudonymised;
      total.generalised += last.generalised;
      total.shifted += last.shifted;
      total.notShifted += last.notShifted;
      total.scrubbedCells += last.scrubbedCells;
      for (const kind of Object.keys(last.scrubbed) as (keyof ScrubCounts)[]) {
        total.scrubbed[kind] += last.scrubbed[kind];
      }
    }
  }

  /** The learner a row is about: the subject of its first non-empty identifier cell. */
  #subjectOf(row: readonly string[]): string | undefined {
    for (const [i, plan] of this.#plans.entries()) {
      const value = row[i] ?? '';
      if (plan.action.kind === 'pseudonymise' && value.trim() !== '') {
        return this.#settings.pseudonymizer.subjectOf(plan.action.identifier, value);
      }
    }
    return undefined;
  }

  #scrubJson(value: unknown, counts: ScrubCounts, key?: string): unknown {
    const { pseudonymizer, scrubber } = this.#settings;
    const idClass = key === undefined ? undefined : PAYLOAD_KEYS[key.toLowerCase()];
    if (idClass !== undefined && (typeof value === 'string' || typeof value === 'number')) {
      return pseudonymizer.pseudonym(idClass, String(value));
    }
    if (typeof value === 'string') return scrubber.scrub(value, counts);
    if (Array.isArray(value)) return value.map((item) => this.#scrubJson(item, counts));
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.#scrubJson(v, counts, k);
      return out;
    }
    return value;
  }

  #scrub(text: string, json: boolean, counts: ScrubCounts): string {
    if (json) {
      try {
        return JSON.stringify(this.#scrubJson(JSON.parse(text), counts));
      } catch {
        // (not JSON after all: scrubbed as text)
      }
    }
    return this.#settings.scrubber.scrub(text, counts);
  }

  /**
   * The row anonymised (cells in input column order → output columns by name). What it did
   * is added to {@link counts} by {@link commit}.
   */
  transform(row: readonly string[]): Record<string, string> {
    const { pseudonymizer, shiftDays } = this.#settings;
    const out: Record<string, string> = {};
    let subject: string | undefined | null = null;
    for (const [i, plan] of this.#plans.entries()) {
      if (plan.output === null) continue;
      const value = row[i] ?? '';
      const counts = this.#last[i] ?? emptyColumnCounts();
      reset(counts);
      const action = plan.action;
      let result = value;
      switch (action.kind) {
        case 'keep':
          // (a cell that is exactly a learner's username, email or name: a word of a word
          // count, say; columns of other types hold no names)
          if (plan.type === undefined || plan.type === 'string') {
            result = this.#settings.scrubber.scrubWholeCell(value, counts.scrubbed);
            if (result !== value) counts.scrubbedCells = 1;
          }
          break;
        case 'pseudonymise':
          result = pseudonymizer.pseudonym(action.identifier, value);
          if (result !== '') counts.pseudonymised += 1;
          break;
        case 'ip_country':
          result = ipToCountry(value, this.#settings.countryOf);
          if (value.trim() !== '') counts.generalised += 1;
          break;
        case 'birth_year_band':
          if (this.#settings.deferredBirthYears?.has(plan.output) === true) break;
          result = birthYearBand(value);
          if (result !== value) counts.generalised += 1;
          break;
        case 'scrub': {
          const spans = counts.scrubbed;
          result = this.#scrub(value, action.json, spans);
          if (spans.EMAIL + spans.PHONE + spans.URL + spans.USERNAME + spans.PERSON > 0) {
            counts.scrubbedCells = 1;
          }
          break;
        }
        case 'shift_date': {
          if (value.trim() === '') break;
          if (subject === null) subject = this.#subjectOf(row);
          const shifted =
            subject === undefined
              ? null
              : shiftDate(value, pseudonymizer.dayShift(subject, shiftDays));
          if (shifted === null) {
            counts.notShifted += 1;
          } else {
            result = shifted;
            counts.shifted += 1;
          }
          break;
        }
        case 'drop':
          break;
      }
      out[plan.output] = result;
    }
    return out;
  }

  /** After disclosure control: band the birth years it left as years; the cells in order. */
  finish(row: Readonly<Record<string, string>>): string[] {
    const deferred = this.#settings.deferredBirthYears;
    return this.columns.map((name) => {
      const value = row[name] ?? '';
      if (deferred?.has(name) !== true) return value;
      const band = birthYearBand(value);
      if (band !== value) {
        const plan = this.#plans.find((p) => p.output === name);
        if (plan !== undefined) this.#count(plan).generalised += 1;
      }
      return band;
    });
  }
}
