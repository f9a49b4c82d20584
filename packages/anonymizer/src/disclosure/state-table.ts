import { PackedColumn } from './packed-column.js';

/**
 * Distinct tuples of small integers (the pass-1 states of disclosure control: a learner's rows,
 * its code per quasi-identifier, its set of sensitive values), each stored once in packed
 * columns and numbered in order of arrival, with a count of units per tuple. An open-addressing
 * index (a `Uint32Array` of tuple number + 1) finds a tuple; {@link dropIndex} frees it when
 * only lookups by number remain.
 */
export class StateTable {
  readonly width: number;
  readonly #fields: PackedColumn[];
  /** Units (learners, or rows when rows are units) now in each state. */
  readonly units = new PackedColumn();
  #index: Uint32Array | undefined;
  #mask: number;
  /** Number of distinct tuples. */
  size = 0;

  constructor(width: number) {
    this.width = width;
    this.#fields = Array.from({ length: width }, () => new PackedColumn());
    this.#index = new Uint32Array(1024);
    this.#mask = 1023;
  }

  /** Field `f` of tuple `id`. */
  field(id: number, f: number): number {
    return this.#fields[f]?.get(id) ?? 0;
  }

  /** Column `f` (for loops over every tuple). */
  column(f: number): PackedColumn {
    const column = this.#fields[f];
    if (column === undefined) throw new RangeError(`state field ${String(f)}`);
    return column;
  }

  /** The number of `tuple`, or -1 when it has not been added. */
  find(tuple: ArrayLike<number>): number {
    const index = this.#index;
    if (index === undefined) throw new Error('state table: the index was dropped');
    let slot = hashTuple(tuple) & this.#mask;
    for (;;) {
      const stored = index[slot] ?? 0;
      if (stored === 0) return -1;
      if (this.#equals(stored - 1, tuple)) return stored - 1;
      slot = (slot + 1) & this.#mask;
    }
  }

  /** The number of `tuple`, added (with 0 units) when new. */
  intern(tuple: ArrayLike<number>): number {
    const found = this.find(tuple);
    if (found !== -1) return found;
    const id = this.size++;
    for (let f = 0; f < this.width; f++) this.#fields[f]?.push(tuple[f] ?? 0);
    this.units.push(0);
    if (this.size * 4 > (this.#index?.length ?? 0) * 3) this.#rebuild();
    else this.#place(id, tuple);
    return id;
  }

  addUnits(id: number, delta: number): void {
    this.units.set(id, this.units.get(id) + delta);
  }

  /** Frees the index: {@link find} and {@link intern} no longer work. */
  dropIndex(): void {
    this.#index = undefined;
  }

  #equals(id: number, tuple: ArrayLike<number>): boolean {
    for (let f = 0; f < this.width; f++) {
      if (this.#fields[f]?.get(id) !== tuple[f]) return false;
    }
    return true;
  }

  #place(id: number, tuple: ArrayLike<number>): void {
    const index = this.#index;
    if (index === undefined) return;
    let slot = hashTuple(tuple) & this.#mask;
    while (index[slot] !== 0) slot = (slot + 1) & this.#mask;
    index[slot] = id + 1;
  }

  #rebuild(): void {
    const slots = (this.#index?.length ?? 512) * 2;
    this.#index = new Uint32Array(slots);
    this.#mask = slots - 1;
    const tuple = new Array<number>(this.width);
    for (let id = 0; id < this.size; id++) {
      for (let f = 0; f < this.width; f++) tuple[f] = this.#fields[f]?.get(id) ?? 0;
      this.#place(id, tuple);
    }
  }
}

function hashTuple(tuple: ArrayLike<number>): number {
  let h = 0x9747b28c;
  for (let i = 0; i < tuple.length; i++) {
    h = Math.imul(h ^ (tuple[i] ?? 0), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
