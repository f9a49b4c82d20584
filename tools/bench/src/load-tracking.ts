/**
 * Benchmark: a gzipped tracking log loaded into the embedded engine with `loadTrackingLogs`
 * (issue 6), next to a floor measured in the same run.
 *
 *   npm run bench:load-tracking -- [--sizes 1e9,4e9] [--dir DIR] [--gen PATH] [--batch N]
 *
 * For each size (uncompressed bytes), generates a log with `gen-tracking.mjs`
 * (`../shared/bench/` beside the repository, or `--gen`; gzip level 6), then, each in its own
 * child Node process (so peak RSS, `VmHWM`, is per measurement):
 * - `floor`: Node's gunzip stream, a `Buffer.indexOf(10)` line splitter, `JSON.parse` of
 *   each line, and nothing else;
 * - `load`: `openStore(<new folder>)` and `loadTrackingLogs([file])` with the default indexes,
 *   to the end (events parsed, normalised, written, ledger finished);
 * - `again`: the same call on the same store: the file is finished, so it is hashed and skipped.
 * Prints one JSON line per size: events/s, MB/s (uncompressed) and peak RSS of each, the
 * ratio load/floor, the second run's time as a fraction of the first, and the RSS growth from
 * the first size to the others. Goals (issue 6): ratio ≥ 0.5, peak RSS < 300 MB and at most
 * 10% higher for 4 GB than for 1 GB, second run < 10% of the first.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { openStore } from '@edx-data/store';
import { loadTrackingLogs } from '@edx-data/tracking-loader';
import { flags, peakRssMiB, round, runChildJson } from './measure.js';
import { MASTER_TRACKING } from '@edx-data/core';

type Mode = 'floor' | 'load' | 'again';

interface ChildResult {
  readonly mode: Mode;
  readonly seconds: number;
  readonly events: number;
  readonly bytes: number;
  readonly status?: string;
  readonly inserted?: number;
  readonly peakRssMiB: number;
}

const here = dirname(fileURLToPath(import.meta.url));

function now(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

/** The floor: gunzip, split on `\n` with `Buffer.indexOf`, `JSON.parse` each line. */
async function floor(file: string): Promise<{ events: number; bytes: number }> {
  let events = 0;
  let bytes = 0;
  let rest: Buffer | null = null;
  const onLine = (buf: Buffer, start: number, end: number): void => {
    if (end === start) return;
    bytes += end - start + 1;
    JSON.parse(buf.toString('utf8', start, end));
    events++;
  };
  const gunzip = createReadStream(file, { highWaterMark: 1 << 20 }).pipe(
    createGunzip({ chunkSize: 1 << 20 }),
  );
  for await (const chunk of gunzip as AsyncIterable<Buffer>) {
    const buf: Buffer = rest === null ? chunk : Buffer.concat([rest, chunk]);
    let start = 0;
    let nl: number;
    while ((nl = buf.indexOf(10, start)) !== -1) {
      onLine(buf, start, nl);
      start = nl + 1;
    }
    rest = start < buf.length ? buf.subarray(start) : null;
  }
  if (rest !== null) onLine(rest, 0, rest.length);
  return { events, bytes };
}

async function child(mode: Mode, file: string, storeDir: string, batch: number | undefined) {
  const started = now();
  let result: ChildResult;
  if (mode === 'floor') {
    const { events, bytes } = await floor(file);
    result = { mode, seconds: now() - started, events, bytes, peakRssMiB: peakRssMiB() };
  } else {
    const store = await openStore(storeDir);
    try {
      const loaded = await loadTrackingLogs([file], store, { batchSize: batch });
      const entry = loaded.files[0]?.entry;
      result = {
        mode,
        seconds: now() - started,
        events: entry?.events ?? 0,
        bytes: statSync(file).size,
        status: loaded.files[0]?.status ?? 'none',
        inserted: loaded.inserted,
        peakRssMiB: peakRssMiB(),
      };
      if (loaded.failed > 0) throw new Error(`load failed: ${String(loaded.files[0]?.error)}`);
    } finally {
      await store.close();
    }
  }
  console.log(JSON.stringify(result));
}

function runChild(mode: Mode, file: string, storeDir: string, batch: string | undefined) {
  return runChildJson(import.meta.url, [
    '--child',
    mode,
    '--file',
    file,
    '--store',
    storeDir,
    ...(batch === undefined ? [] : ['--batch', batch]),
  ]) as ChildResult;
}

function generate(file: string, bytes: number, gen: string): void {
  execFileSync(process.execPath, [gen, '--out', file, '--bytes', String(bytes)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function main(): Promise<void> {
  const options = flags(process.argv.slice(2));
  const mode = options['child'];
  if (mode !== undefined) {
    const batch = options['batch'] === undefined ? undefined : Number(options['batch']);
    await child(mode as Mode, options['file'] ?? '', options['store'] ?? '', batch);
    return;
  }
  const sizes = (options['sizes'] ?? '1e9,4e9').split(',').map(Number);
  const keep = options['dir'] !== undefined;
  const dir = options['dir'] ?? mkdtempSync(join(tmpdir(), 'edx-bench-load-tracking-'));
  mkdirSync(dir, { recursive: true });
  const gen =
    options['gen'] ?? resolve(here, '..', '..', '..', '..', 'shared', 'bench', 'gen-tracking.mjs');
  const firstRss: { value?: number } = {};
  try {
    for (const size of sizes) {
      const file = join(dir, `tracking-${String(size)}.log.gz`);
      const generatedAt = now();
      const reused = existsSync(file);
      if (!reused) generate(file, size, gen);
      const generated = reused ? 'reused' : `${String(round(now() - generatedAt, 1))} s`;
      const storeDir = join(dir, `store-${String(size)}`);
      rmSync(storeDir, { recursive: true, force: true });
      const base = runChild('floor', file, storeDir, options['batch']);
      const load = runChild('load', file, storeDir, options['batch']);
      const again = runChild('again', file, storeDir, options['batch']);
      const storeBytes = statSync(join(storeDir, `${MASTER_TRACKING.database}.sqlite`)).size;
      rmSync(storeDir, { recursive: true, force: true });
      if (load.events !== base.events) {
        throw new Error(
          `loaded ${String(load.events)} events, the floor parsed ${String(base.events)}`,
        );
      }
      const describe = (r: ChildResult) => ({
        seconds: round(r.seconds, 2),
        eventsPerSecond: Math.round(r.events / r.seconds),
        mbPerSecond: round(base.bytes / 1e6 / r.seconds),
        peakRssMiB: round(r.peakRssMiB),
      });
      firstRss.value ??= load.peakRssMiB;
      console.log(
        JSON.stringify({
          bench: 'load-tracking',
          engine: 'embedded',
          uncompressedMB: round(base.bytes / 1e6),
          gzMB: round(statSync(file).size / 1e6),
          events: base.events,
          generated,
          floor: { what: 'gunzip + Buffer.indexOf(10) + JSON.parse', ...describe(base) },
          load: { ...describe(load), inserted: load.inserted, storeMB: round(storeBytes / 1e6) },
          ratio: round(base.seconds / load.seconds, 3),
          again: {
            seconds: round(again.seconds, 2),
            status: again.status,
            inserted: again.inserted,
            fractionOfFirst: round(again.seconds / load.seconds, 4),
          },
          rssGrowthFromFirstSize: round(load.peakRssMiB / firstRss.value - 1, 3),
          goal: { ratio: 0.5, peakRssMiB: 300, rssGrowth: 0.1, againFraction: 0.1 },
        }),
      );
      if (!keep) rmSync(file, { force: true });
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
