/** Small helpers shared by the benchmarks: timing, peak memory, and one JSON result line. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '@edx-data/core';

/** Peak resident set size of this process so far, in MiB (Linux `VmHWM`). */
export function peakRssMiB(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux: fall back to the current RSS
  }
  return process.memoryUsage.rss() / 2 ** 20;
}

/** Current resident set size, in MiB. */
export function rssMiB(): number {
  return process.memoryUsage.rss() / 2 ** 20;
}

export interface Timed<T> {
  readonly value: T;
  readonly seconds: number;
}

export async function timed<T>(fn: () => Promise<T> | T): Promise<Timed<T>> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Parse `--name value` flags into a record. */
export function flags(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg.startsWith('--')) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) out[arg.slice(2)] = 'true';
      else {
        out[arg.slice(2)] = next;
        i++;
      }
    }
  }
  return out;
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Run `script` (a benchmark file URL) in a child Node process with `args` and return the
 * JSON of the last line it prints: each measurement in its own process has its own peak RSS.
 */
export function runChildJson(scriptUrl: string, args: readonly string[]): unknown {
  const out = execFileSync(process.execPath, [new URL(scriptUrl).pathname, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
}

/**
 * The master tracking collection's layout: `bucketed` (the store's compressed time buckets,
 * issue 14) or `plain` (one row per event, the layout before it).
 */
export type Layout = 'bucketed' | 'plain';

/**
 * The layouts `--layout` asks for: `bucketed`, `plain` or `both` (bucketed first).
 * @throws UsageError `E_USAGE` for any other value
 */
export function layouts(value: string | undefined): readonly Layout[] {
  switch (value ?? 'bucketed') {
    case 'bucketed':
      return ['bucketed'];
    case 'plain':
      return ['plain'];
    case 'both':
      return ['bucketed', 'plain'];
    default:
      throw new UsageError(
        'E_USAGE',
        `--layout ${String(value)}: expected bucketed, plain or both`,
      );
  }
}

/** Bytes of every file under `dir` (0 when it does not exist). */
export function folderBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) bytes += folderBytes(path);
    else if (entry.isFile()) bytes += statSync(path).size;
  }
  return bytes;
}

/** A cell of {@link textTable}: undefined prints as an empty cell. */
export type Cell = string | number | undefined;

/** A plain-text table, columns padded, numbers right-aligned: to paste in a note. */
export function textTable(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = [head, ...rows].map((row) =>
    row.map((cell) => (cell === undefined ? '' : String(cell))),
  );
  const widths = head.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const numeric = head.map((_, i) => rows.every((row) => typeof row[i] !== 'string'));
  return cells
    .map((row) =>
      row
        .map((cell, i) =>
          numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A small seeded PRNG (mulberry32): the same sequence for the same seed, in every bench. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
