/**
 * The equivalence classes of one level vector: a class key (the generalised codes of a tuple in
 * mixed radix, a number up to 2⁵³, else a string) → a dense class number, with the units of
 * each class. Open addressing over a `Float64Array` of keys, reused from one level vector to
 * the next; string keys (more combinations than 2⁵³) go to a `Map`.
 */
export class ClassIndex {
  #keys = new Float64Array(1024);
  #ids = new Int32Array(1024).fill(-1);
  #mask = 1023;
  #strings = new Map<string, number>();
  /** Units per class, by class number (longer than {@link size}). */
  units = new Uint32Array(1024);
  /** Number of classes. */
  size = 0;

  clear(): void {
    if (this.size > 0) this.#ids.fill(-1);
    this.#strings.clear();
    this.size = 0;
  }

  /** The class of `key`, added (with 0 units) when new. */
  index(key: number | string): number {
    if (typeof key === 'string') {
      let id = this.#strings.get(key);
      if (id === undefined) this.#strings.set(key, (id = this.#add()));
      return id;
    }
    let slot = mix(key) & this.#mask;
    for (;;) {
      const id = this.#ids[slot] ?? -1;
      if (id === -1) break;
      if (this.#keys[slot] === key) return id;
      slot = (slot + 1) & this.#mask;
    }
    const id = this.#add();
    this.#ids[slot] = id;
    this.#keys[slot] = key;
    if (this.size * 4 > this.#ids.length * 3) this.#grow();
    return id;
  }

  #add(): number {
    if (this.size === this.units.length) {
      const units = new Uint32Array(this.units.length * 2);
      units.set(this.units);
      this.units = units;
    }
    this.units[this.size] = 0;
    return this.size++;
  }

  #grow(): void {
    const keys = this.#keys;
    const ids = this.#ids;
    const slots = ids.length * 2;
    this.#keys = new Float64Array(slots);
    this.#ids = new Int32Array(slots).fill(-1);
    this.#mask = slots - 1;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] ?? -1;
      if (id === -1) continue;
      const key = keys[i] ?? 0;
      let slot = mix(key) & this.#mask;
      while (this.#ids[slot] !== -1) slot = (slot + 1) & this.#mask;
      this.#ids[slot] = id;
      this.#keys[slot] = key;
    }
  }
}

/** A 32-bit hash of a whole number below 2⁵³. */
function mix(key: number): number {
  let h = Math.imul((key >>> 0) ^ Math.imul((key / 4294967296) >>> 0, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
