/**
 * Benchmark of `anonymizeFiles` on a large person_course-like CSV (with its data dictionary):
 * `npm run bench:anonymize -- --size 1g [--dir DIR] [--qi none|default] [--k 5] [--heap MiB]`.
 *
 * The file (generated once with a seeded PRNG, then reused) has one row per learner and
 * course: ids, username, hash id, name, email, free text, year of birth, gender, education,
 * country, IP, counts and times. Two measurements, each in its own child Node process (so that
 * each has its own peak RSS):
 * - `floor`: a plain fast-csv read and write of the same file (parse → format → file);
 * - `anonymize`: `anonymizeFiles` (pseudonyms, drop, IP → country, year band, scrubbing, and
 *   with `--qi default` disclosure control over the default quasi-identifiers: two passes).
 * `--heap MiB` runs both children with `--max-old-space-size=MiB` (V8 otherwise lets garbage
 * grow the heap well past what is live: see docs/anonymisation.md).
 * Prints seconds, rows/s, MB/s, the ratio to the floor and peak RSS, then one JSON line.
 */
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { format, parse } from 'fast-csv';
import { flags, peakRssMiB, round, runChildJson, timed, seededRandom } from './measure.js';

const options = flags(process.argv.slice(2));

function bytesOf(size: string): number {
  const match = /^(\d+(?:\.\d+)?)([kmg]?)$/iu.exec(size);
  if (match === null) throw new Error(`--size ${size}: expected a number with k, m or g`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match[2] ?? '').toLowerCase()] ?? 1;
  return Math.round(Number(match[1]) * unit);
}

const COLUMNS = [
  ['course_id', 'string', undefined],
  ['user_id', 'integer', 'user_id'],
  ['username', 'string', 'username'],
  ['hash_id', 'string', 'hash_id'],
  ['name', 'string', 'name'],
  ['email', 'string', 'email'],
  ['registered', 'boolean', undefined],
  ['nevents', 'integer', undefined],
  ['grade', 'number', undefined],
  ['first_event', 'datetime', undefined],
  ['gender', 'string', undefined],
  ['year_of_birth', 'integer', 'birth_year'],
  ['level_of_education', 'string', undefined],
  ['profile_country', 'string', 'location'],
  ['modal_ip', 'string', 'ip'],
  ['cc_by_ip', 'string', 'location'],
  ['goals', 'string', 'free_text'],
] as const;

const FIRST = ['Ana', 'Bo', 'Chen', 'Dana', 'Eli', 'Fatima', 'Goran', 'Hana', 'Ivan', 'Jun'];
const LAST = ['Smith', 'Ng', 'Okafor', 'Silva', 'Kim', 'Novak', 'Haddad', 'Rossi', 'Berg', 'Tan'];
const COUNTRIES = ['US', 'IN', 'CA', 'GB', 'DE', 'BR', 'CN', 'FR', 'MX', 'NG', 'AU', 'ES'];
const EDUCATION = ['p', 'm', 'b', 'a', 'hs', 'jhs', 'el', 'none', 'other', ''];

async function generate(file: string, target: number): Promise<{ rows: number }> {
  const random = seededRandom(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const out = createWriteStream(file);
  const formatter = format<string[], string[]>({
    rowDelimiter: '\r\n',
    includeEndRowDelimiter: true,
  });
  const done = pipeline(formatter, out);
  formatter.write(COLUMNS.map((c) => c[0]));
  let rows = 0;
  let bytes = 0;
  while (bytes < target) {
    const learner = 100_000 + rows;
    const first = pick(FIRST);
    const last = pick(LAST);
    const username = `${first.toLowerCase()}_${last.toLowerCase()}${learner}`;
    const row = [
      `course-v1:BenchX+C${1 + (rows % 3)}+2024`,
      String(learner),
      username,
      learner.toString(16).padStart(32, '0'),
      `${first} ${last}`,
      `${username}@example.org`,
      'true',
      String(Math.floor(random() * 2000)),
      random().toFixed(2),
      new Date(Date.UTC(2024, 0, 1) + Math.floor(random() * 9e9)).toISOString(),
      pick(['m', 'f', 'o', '']),
      String(1950 + Math.floor(random() * 55)),
      pick(EDUCATION),
      pick(COUNTRIES),
      `${String(1 + Math.floor(random() * 223))}.${String(Math.floor(random() * 256))}.${String(Math.floor(random() * 256))}.${String(Math.floor(random() * 256))}`,
      pick(COUNTRIES),
      random() < 0.3
        ? `I want to learn; write me at ${username}@example.org or call +1 514 398 ${String(1000 + Math.floor(random() * 9000))}`
        : 'to learn',
    ];
    bytes += row.reduce((n, cell) => n + cell.length + 1, 1);
    rows += 1;
    if (!formatter.write(row)) await once(formatter, 'drain');
  }
  formatter.end();
  await done;
  return { rows };
}

/** Child: a plain fast-csv read and write. */
async function floor(file: string, out: string): Promise<void> {
  let rows = 0;
  const { seconds } = await timed(() =>
    pipeline(
      createReadStream(file),
      parse({ headers: false }).on('data', () => (rows += 1)),
      format({ rowDelimiter: '\r\n', includeEndRowDelimiter: true }),
      createWriteStream(out),
    ),
  );
  console.log(JSON.stringify({ seconds, rows: rows - 1, peakRssMiB: peakRssMiB() }));
}

/** Child: anonymizeFiles over the file. */
async function anonymize(file: string, out: string, qi: string, k: number): Promise<void> {
  const { AnonymizationKey, anonymizeFiles } = await import('@edx-data/anonymizer');
  const key = AnonymizationKey.fromText('bench key, not a secret, 32 bytes', 'bench');
  const { value: audit, seconds } = await timed(() =>
    anonymizeFiles({
      inputs: [file],
      out,
      key,
      k,
      allowBelowK: true,
      ...(qi === 'none' ? { quasiIdentifiers: [] } : {}),
    }),
  );
  const written = audit.files[0];
  console.log(
    JSON.stringify({
      seconds,
      rows: written?.rowsRead ?? 0,
      rowsWritten: written?.rowsWritten ?? 0,
      disclosure: written?.disclosure.applied === true ? written.disclosure.plan : null,
      peakRssMiB: peakRssMiB(),
    }),
  );
}

interface ChildResult {
  readonly seconds: number;
  readonly rows: number;
  readonly peakRssMiB: number;
}

async function main(): Promise<void> {
  const target = bytesOf(options['size'] ?? '100m');
  const dir = options['dir'] ?? '/tmp/edx-bench-anonymize';
  const qi = options['qi'] ?? 'default';
  const k = Number(options['k'] ?? '5');
  const heap = options['heap'];
  if (heap !== undefined) {
    if (!/^\d+$/u.test(heap)) throw new Error(`--heap ${heap}: expected a number of MiB`);
    // (the children inherit the environment)
    process.env['NODE_OPTIONS'] =
      `${process.env['NODE_OPTIONS'] ?? ''} --max-old-space-size=${heap}`.trim();
  }
  mkdirSync(dir, { recursive: true });
  const input = join(dir, 'input');
  mkdirSync(input, { recursive: true });
  const file = join(input, `person_course_${options['size'] ?? '100m'}.csv`);
  const schema = join(input, `person_course_${options['size'] ?? '100m'}.schema.json`);
  if (!existsSync(file) || statSync(file).size < target) {
    const { seconds } = await timed(() => generate(file, target));
    console.error(`generated ${file} in ${round(seconds)} s`);
  }
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    schema,
    JSON.stringify({
      report: 'person_course',
      columns: COLUMNS.map(([name, type, identifier]) => ({
        name,
        type,
        description: name,
        ...(identifier === undefined ? {} : { identifier }),
      })),
    }),
  );
  const bytes = statSync(file).size;
  const self = fileURLToPath(import.meta.url);
  const floorOut = join(dir, 'floor.csv');
  const anonOut = join(dir, 'out');
  rmSync(floorOut, { force: true });
  rmSync(anonOut, { recursive: true, force: true });
  const base = runChildJson(`file://${self}`, [
    '--child',
    'floor',
    '--file',
    file,
    '--out',
    floorOut,
  ]) as ChildResult;
  const anon = runChildJson(`file://${self}`, [
    '--child',
    'anonymize',
    '--file',
    file,
    '--out',
    anonOut,
    '--qi',
    qi,
    '--k',
    String(k),
  ]) as ChildResult & { disclosure: unknown };
  const mb = bytes / 1e6;
  const line = (name: string, r: ChildResult): string =>
    `${name.padEnd(10)} ${round(r.seconds).toFixed(1).padStart(7)} s  ${Math.round(
      r.rows / r.seconds,
    )
      .toLocaleString('en')
      .padStart(10)} rows/s  ${round(mb / r.seconds)
      .toFixed(1)
      .padStart(6)} MB/s  peak RSS ${round(r.peakRssMiB).toFixed(0)} MiB`;
  console.log(
    `input: ${file} (${round(mb).toFixed(0)} MB, ${base.rows.toLocaleString('en')} rows), quasi-identifiers: ${qi}${heap === undefined ? '' : `, old space ≤ ${heap} MiB`}`,
  );
  console.log(line('floor', base));
  console.log(line('anonymize', anon));
  console.log(`ratio to the floor: ${round(anon.seconds / base.seconds, 2).toFixed(2)}`);
  console.log(
    JSON.stringify({
      bench: 'anonymize',
      bytes,
      rows: base.rows,
      qi,
      heapMiB: heap === undefined ? null : Number(heap),
      floor: base,
      anonymize: anon,
      ratio: round(anon.seconds / base.seconds, 2),
    }),
  );
  rmSync(floorOut, { force: true });
  rmSync(anonOut, { recursive: true, force: true });
}

const childMode = options['child'];
if (childMode === 'floor' || childMode === 'anonymize') {
  const file = options['file'];
  const out = options['out'];
  if (file === undefined || out === undefined) throw new Error('--child needs --file and --out');
  if (childMode === 'floor') await floor(file, out);
  else await anonymize(file, out, options['qi'] ?? 'default', Number(options['k'] ?? '5'));
} else {
  await main();
}
