/**
 * Benchmark: a gzipped tracking log loaded into the embedded engine with `loadTrackingLogs`
 * (issues 6 and 14), next to a floor and DuckDB's own JSON reader measured in the same run.
 *
 *   npm run bench:load-tracking -- [--sizes 1e9,4e9] [--layout bucketed|plain|both]
 *                                  [--dir DIR] [--gen PATH] [--batch N] [--no-duckdb]
 *
 * For each size (uncompressed bytes), generates a log with `gen-tracking.mjs`
 * (`../shared/bench/` beside the repository, or `--gen`; gzip level 6; a log already in
 * `--dir` is reused), then, each in its own child Node process (so peak RSS, `VmHWM`, is per
 * measurement):
 * - `floor`: Node's gunzip stream, a `Buffer.indexOf(10)` line splitter, `JSON.parse` of
 *   each line, and nothing else;
 * - `duckdb`: `CREATE TABLE t AS SELECT * FROM read_json_auto('<file.gz>')` into a new
 *   DuckDB database file (`@duckdb/node-api`, default threads), then `CHECKPOINT` and
 *   `count(*)`;
 * - `load`, for each layout: `openStore(<new folder>)` and `loadTrackingLogs([file])` with the
 *   default indexes, to the end (events parsed, normalised, written, ledger finished). With
 *   `--layout plain` the master collection is first created as a plain collection (the layout
 *   before issue 14), into which the loader keeps loading; with `bucketed` the loader creates
 *   it (as the store's bucketed kind);
 * - `again`: the same call on the same store: the file is finished, so it is hashed and skipped.
 *
 * The store's size on disk is the sum of its folder's files: once before it is closed (WAL
 * included) and once after (closing checkpoints the WAL); DuckDB's is its database file.
 * Prints one JSON line per size and, at the end, a plain-text table of every row. Goals (issue
 * 14): load ≥ 0.5x the floor at every size, the rate at the last size within 10% of the first,
 * peak RSS < 300 MB, the store ≤ 0.25x the uncompressed log; moonshot: faster than DuckDB at a
 * third of its peak RSS.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { MASTER_TRACKING } from '@edx-data/core';
import { openStore } from '@edx-data/store';
import { loadTrackingLogs, TRACKING_INDEXES } from '@edx-data/tracking-loader';
import type { Layout } from './measure.js';
import {
  flags,
  folderBytes,
  layouts,
  peakRssMiB,
  round,
  runChildJson,
  textTable,
} from './measure.js';

type Mode = 'floor' | 'duckdb' | 'load' | 'again';

interface ChildResult {
  readonly mode: Mode;
  readonly seconds: number;
  readonly events: number;
  readonly bytes: number;
  readonly status?: string;
  readonly inserted?: number;
  /** The master collection as `listCollections` describes it (its kind, where given). */
  readonly collection?: Record<string, unknown>;
  /** Bytes of the store's folder before it was closed, WAL included. */
  readonly openBytes?: number;
  readonly peakRssMiB: number;
}

/** One row of the table: a measurement of one size. */
interface Row {
  readonly size: string;
  readonly mode: string;
  readonly seconds: number;
  readonly events: number;
  readonly ratio: number;
  readonly peakRssMiB: number;
  readonly sizeBytes?: number;
  readonly logBytes: number;
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

/** DuckDB reads the .gz itself into a new database file: the rows it made. */
async function duckdb(file: string, database: string): Promise<number> {
  // Imported here only: the other children do not load DuckDB's native library.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  rmSync(database, { force: true });
  rmSync(`${database}.wal`, { force: true });
  const instance = await DuckDBInstance.create(database);
  const connection = await instance.connect();
  try {
    await connection.run(
      `CREATE TABLE t AS SELECT * FROM read_json_auto('${file.replaceAll("'", "''")}')`,
    );
    await connection.run('CHECKPOINT');
    const count = await connection.runAndReadAll('SELECT count(*) AS n FROM t');
    return Number(count.getRowObjects()[0]?.['n']);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

interface ChildOptions {
  readonly file: string;
  /** The store's folder, or DuckDB's database file. */
  readonly target: string;
  readonly layout: Layout;
  readonly batch: number | undefined;
}

async function child(mode: Mode, { file, target, layout, batch }: ChildOptions): Promise<void> {
  const started = now();
  let result: ChildResult;
  if (mode === 'floor') {
    const { events, bytes } = await floor(file);
    result = { mode, seconds: now() - started, events, bytes, peakRssMiB: peakRssMiB() };
  } else if (mode === 'duckdb') {
    const events = await duckdb(file, target);
    result = { mode, seconds: now() - started, events, bytes: 0, peakRssMiB: peakRssMiB() };
  } else {
    const store = await openStore(target);
    try {
      const master = store.db(MASTER_TRACKING.database);
      if (mode === 'load' && layout === 'plain') {
        // The layout before buckets: a plain collection with its indexes, kept as it is.
        const tracking = await master.createCollection(MASTER_TRACKING.events);
        for (const spec of TRACKING_INDEXES) await tracking.createIndex(spec);
      }
      const loaded = await loadTrackingLogs([file], store, { batchSize: batch });
      const seconds = now() - started;
      const entry = loaded.files[0]?.entry;
      const info = (await master.listCollections()).find((c) => c.name === MASTER_TRACKING.events);
      result = {
        mode,
        seconds,
        events: entry?.events ?? 0,
        bytes: statSync(file).size,
        status: loaded.files[0]?.status ?? 'none',
        inserted: loaded.inserted,
        collection: { ...info },
        openBytes: folderBytes(target),
        peakRssMiB: peakRssMiB(),
      };
      if (loaded.failed > 0) throw new Error(`load failed: ${String(loaded.files[0]?.error)}`);
    } finally {
      await store.close();
    }
  }
  console.log(JSON.stringify(result));
}

function runChild(
  mode: Mode,
  options: Omit<ChildOptions, 'batch'> & { readonly batch: string | undefined },
): ChildResult {
  const result = runChildJson(import.meta.url, [
    '--child',
    mode,
    '--file',
    options.file,
    '--target',
    options.target,
    '--layout',
    options.layout,
    ...(options.batch === undefined ? [] : ['--batch', options.batch]),
  ]) as ChildResult;
  // Each measurement as it ends (a long run stopped early still leaves its figures).
  console.error(`load-tracking: ${JSON.stringify({ ...result, layout: options.layout })}`);
  return result;
}

function generate(file: string, bytes: number, gen: string): void {
  execFileSync(process.execPath, [gen, '--out', file, '--bytes', String(bytes)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** `1e9` → `1 GB`, `4e9` → `4 GB`, `5e8` → `500 MB`. */
function sizeName(bytes: number): string {
  return bytes >= 1e9 ? `${String(round(bytes / 1e9, 1))} GB` : `${String(round(bytes / 1e6))} MB`;
}

async function main(): Promise<void> {
  const options = flags(process.argv.slice(2));
  const mode = options['child'];
  if (mode !== undefined) {
    await child(mode as Mode, {
      file: options['file'] ?? '',
      target: options['target'] ?? '',
      layout: layouts(options['layout'])[0] ?? 'bucketed',
      batch: options['batch'] === undefined ? undefined : Number(options['batch']),
    });
    return;
  }
  const sizes = (options['sizes'] ?? '1e9,4e9').split(',').map(Number);
  const wanted = layouts(options['layout']);
  const withDuckdb = options['no-duckdb'] === undefined;
  const keep = options['dir'] !== undefined;
  const dir = options['dir'] ?? mkdtempSync(join(tmpdir(), 'edx-bench-load-tracking-'));
  mkdirSync(dir, { recursive: true });
  const gen =
    options['gen'] ?? resolve(here, '..', '..', '..', '..', 'shared', 'bench', 'gen-tracking.mjs');
  const first = new Map<string, { rate: number; rss: number }>();
  const rows: Row[] = [];
  try {
    for (const size of sizes) {
      const file = join(dir, `tracking-${String(size)}.log.gz`);
      const generatedAt = now();
      const reused = existsSync(file);
      if (!reused) generate(file, size, gen);
      const generated = reused ? 'reused' : `${String(round(now() - generatedAt, 1))} s`;
      const batch = options['batch'];
      const at = { file, batch, layout: 'bucketed' as Layout };
      const base = runChild('floor', { ...at, target: '' });
      const logBytes = base.bytes;
      const row = (name: string, r: ChildResult, sizeBytes?: number): Row => ({
        size: sizeName(size),
        mode: name,
        seconds: r.seconds,
        events: r.events,
        ratio: base.seconds / r.seconds,
        peakRssMiB: r.peakRssMiB,
        ...(sizeBytes === undefined ? {} : { sizeBytes }),
        logBytes,
      });
      const describe = (r: ChildResult) => ({
        seconds: round(r.seconds, 2),
        eventsPerSecond: Math.round(r.events / r.seconds),
        mbPerSecond: round(logBytes / 1e6 / r.seconds),
        peakRssMiB: round(r.peakRssMiB),
      });
      /** Rate and RSS change from the first size, for `key`; remembered at the first size. */
      const growth = (key: string, r: ChildResult) => {
        const rate = r.events / r.seconds;
        const firstOf = first.get(key) ?? { rate, rss: r.peakRssMiB };
        first.set(key, firstOf);
        return {
          rateChangeFromFirstSize: round(rate / firstOf.rate - 1, 3),
          rssGrowthFromFirstSize: round(r.peakRssMiB / firstOf.rss - 1, 3),
        };
      };
      rows.push(row('floor', base));

      let duck: (ReturnType<typeof describe> & Record<string, unknown>) | undefined;
      let duckResult: ChildResult | undefined;
      if (withDuckdb) {
        const database = join(dir, `duckdb-${String(size)}.duckdb`);
        duckResult = runChild('duckdb', { ...at, target: database });
        const duckBytes = statSync(database).size + sizeIfAny(`${database}.wal`);
        rmSync(database, { force: true });
        rmSync(`${database}.wal`, { force: true });
        rows.push(row('duckdb read_json_auto', duckResult, duckBytes));
        duck = {
          what: "CREATE TABLE t AS SELECT * FROM read_json_auto('<file.gz>')",
          ...describe(duckResult),
          events: duckResult.events,
          ratio: round(base.seconds / duckResult.seconds, 3),
          sizeMB: round(duckBytes / 1e6),
          sizeOfLog: round(duckBytes / logBytes, 3),
          ...growth('duckdb', duckResult),
        };
      }

      const loads: Record<string, unknown> = {};
      for (const layout of wanted) {
        const storeDir = join(dir, `store-${String(size)}-${layout}`);
        rmSync(storeDir, { recursive: true, force: true });
        const load = runChild('load', { ...at, layout, target: storeDir });
        const storeBytes = folderBytes(storeDir);
        const again = runChild('again', { ...at, layout, target: storeDir });
        rmSync(storeDir, { recursive: true, force: true });
        if (load.events !== base.events) {
          throw new Error(
            `${layout}: loaded ${String(load.events)} events, the floor parsed ${String(base.events)}`,
          );
        }
        rows.push(row(`load ${layout}`, load, storeBytes), row(`again ${layout}`, again));
        loads[layout] = {
          ...describe(load),
          inserted: load.inserted,
          collection: load.collection,
          ratio: round(base.seconds / load.seconds, 3),
          storeMB: round(storeBytes / 1e6),
          storeOpenMB: round((load.openBytes ?? 0) / 1e6),
          storeOfLog: round(storeBytes / logBytes, 3),
          ...growth(layout, load),
          again: {
            seconds: round(again.seconds, 2),
            status: again.status,
            inserted: again.inserted,
            fractionOfFirst: round(again.seconds / load.seconds, 4),
          },
          ...(duckResult === undefined
            ? {}
            : {
                vsDuckdb: {
                  speed: round(duckResult.seconds / load.seconds, 3),
                  peakRss: round(load.peakRssMiB / duckResult.peakRssMiB, 3),
                },
              }),
        };
      }
      console.log(
        JSON.stringify({
          bench: 'load-tracking',
          engine: 'embedded',
          uncompressedMB: round(logBytes / 1e6),
          gzMB: round(statSync(file).size / 1e6),
          events: base.events,
          generated,
          floor: { what: 'gunzip + Buffer.indexOf(10) + JSON.parse', ...describe(base) },
          ...(duck === undefined ? {} : { duckdb: duck }),
          load: loads,
          goal: {
            ratio: 0.5,
            rateChange: 0.1,
            peakRssMiB: 300,
            storeOfLog: 0.25,
            againFraction: 0.1,
            moonshot: { vsDuckdbSpeed: 1, vsDuckdbPeakRss: 0.333 },
          },
        }),
      );
      if (!keep) rmSync(file, { force: true });
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\n${textTable(
      ['log', 'mode', 'seconds', 'events/s', 'x floor', 'peak RSS MiB', 'size MB', 'size/log'],
      rows.map((r) => [
        r.size,
        r.mode,
        round(r.seconds, 2),
        r.mode.startsWith('again') ? undefined : Math.round(r.events / r.seconds),
        r.mode.startsWith('again') ? undefined : round(r.ratio, 3),
        round(r.peakRssMiB),
        r.sizeBytes === undefined ? undefined : round(r.sizeBytes / 1e6),
        r.sizeBytes === undefined ? undefined : round(r.sizeBytes / r.logBytes, 3),
      ]),
    )}`,
  );
}

function sizeIfAny(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

await main();
