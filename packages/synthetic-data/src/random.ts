/**
 * A small seeded pseudo-random generator (mulberry32). Every part of a package draws from its
 * own stream, derived from the seed and a label, so that changing one part (say, the forum)
 * does not shift the numbers of another (the tracking logs).
 */

/** FNV-1a of `label`, mixed with `seed`: the seed of one named stream. */
export function streamSeed(seed: number, label: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= Math.imul(seed >>> 16, 0x9e3779b1);
  return hash >>> 0;
}

const HEX = '0123456789abcdef';

/** A deterministic random stream. */
export class Random {
  private state: number;

  constructor(seed: number, label = '') {
    this.state = streamSeed(seed, label);
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max], both included. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One item of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new RangeError('Random.pick: empty list');
    return item;
  }

  /** One item, chosen with the given weights (same length as `items`). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      const w = weights[i] ?? 0;
      if (x < w) return items[i] as T;
      x -= w;
    }
    return this.pick(items);
  }

  /** `n` lower-case hex digits. */
  hex(n: number): string {
    let text = '';
    for (let i = 0; i < n; i++) text += HEX.charAt(this.int(16));
    return text;
  }

  /** A float in [min, max) rounded to `digits` decimals. */
  float(min: number, max: number, digits: number): number {
    const f = 10 ** digits;
    return Math.round((min + this.next() * (max - min)) * f) / f;
  }
}
