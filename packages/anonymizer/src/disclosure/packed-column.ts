/**
 * A growable column of unsigned integers that starts one byte wide and widens to two, then four
 * bytes the first time a value needs it: disclosure control keeps one per quasi-identifier, and
 * most of them hold a handful of codes.
 */
export class PackedColumn {
  #data: Uint8Array | Uint16Array | Uint32Array;
  #max: number;
  /** Number of values pushed. */
  length = 0;

  constructor(capacity = 1024) {
    this.#data = new Uint8Array(Math.max(capacity, 16));
    this.#max = 0xff;
  }

  get(index: number): number {
    return this.#data[index] ?? 0;
  }

  set(index: number, value: number): void {
    if (value > this.#max) this.#widen(value);
    this.#data[index] = value;
  }

  /** Appends `value`; returns its index. */
  push(value: number): number {
    if (this.length === this.#data.length) this.#grow();
    const index = this.length++;
    this.set(index, value);
    return index;
  }

  /** The values, for tight loops (longer than `length`); valid until the next `push` or `set`. */
  get values(): Uint8Array | Uint16Array | Uint32Array {
    return this.#data;
  }

  /** Bytes held (for tests and diagnostics). */
  get bytes(): number {
    return this.#data.byteLength;
  }

  /** Grows by half (not doubling: a column of millions of learners should not overshoot much). */
  #grow(): void {
    const bigger = new (this.#data.constructor as Uint32ArrayConstructor)(
      Math.ceil(this.#data.length * 1.5),
    );
    bigger.set(this.#data);
    this.#data = bigger;
  }

  #widen(value: number): void {
    const wider =
      value <= 0xffff ? new Uint16Array(this.#data.length) : new Uint32Array(this.#data.length);
    wider.set(this.#data);
    this.#data = wider;
    this.#max = value <= 0xffff ? 0xffff : 0xffffffff;
  }
}
