/**
 * Learners by a 64-bit hash of their (pseudonymised) identifier, each with one number (its
 * state): open addressing with linear probing in three `Uint32Array`s (hash high, hash low,
 * value + 1), doubling when three quarters full. 12 bytes a slot, 16 to 24 bytes a learner;
 * the identifier itself is not kept.
 *
 * Two learners whose hashes are equal are taken for one. With n learners and a 64-bit hash the
 * chance that any two collide is about n² / 2⁶⁵: 1e-9 for 200,000 learners, 2.4e-7 for
 * 3 million, 2.7e-6 for 10 million.
 */

const high = { value: 0 };

/**
 * A 64-bit hash of `text` (cyrb53 extended to 64 bits: two 32-bit lanes mixed together); the
 * low half is returned, the high half left in `high.value`.
 */
function hash64(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  high.value = h2 >>> 0;
  return h1 >>> 0;
}

export class LearnerTable {
  #high: Uint32Array;
  #low: Uint32Array;
  /** value + 1; 0 = empty slot. */
  #values: Uint32Array;
  #mask: number;
  /** Number of learners. */
  size = 0;

  constructor(capacity = 1024) {
    let slots = 16;
    while (slots < capacity) slots *= 2;
    this.#high = new Uint32Array(slots);
    this.#low = new Uint32Array(slots);
    this.#values = new Uint32Array(slots);
    this.#mask = slots - 1;
  }

  /** The slot of `id` (its value by {@link value}), or -1 when it is not there. */
  find(id: string): number {
    const low = hash64(id);
    const hi = high.value;
    let slot = low & this.#mask;
    for (;;) {
      if (this.#values[slot] === 0) return -1;
      if (this.#low[slot] === low && this.#high[slot] === hi) return slot;
      slot = (slot + 1) & this.#mask;
    }
  }

  value(slot: number): number {
    return (this.#values[slot] ?? 1) - 1;
  }

  setValue(slot: number, value: number): void {
    this.#values[slot] = value + 1;
  }

  /** Adds `id` (not there yet) with `value`. */
  add(id: string, value: number): void {
    if ((this.size + 1) * 4 > this.#values.length * 3) this.#grow();
    const low = hash64(id);
    this.#put(high.value, low, value + 1);
    this.size++;
  }

  /** Bytes held (for diagnostics). */
  get bytes(): number {
    return this.#values.byteLength * 3;
  }

  #put(hi: number, low: number, stored: number): void {
    let slot = low & this.#mask;
    while (this.#values[slot] !== 0) slot = (slot + 1) & this.#mask;
    this.#high[slot] = hi;
    this.#low[slot] = low;
    this.#values[slot] = stored;
  }

  #grow(): void {
    const high = this.#high;
    const low = this.#low;
    const values = this.#values;
    const slots = values.length * 2;
    this.#high = new Uint32Array(slots);
    this.#low = new Uint32Array(slots);
    this.#values = new Uint32Array(slots);
    this.#mask = slots - 1;
    for (let i = 0; i < values.length; i++) {
      const stored = values[i] ?? 0;
      if (stored !== 0) this.#put(high[i] ?? 0, low[i] ?? 0, stored);
    }
  }
}
