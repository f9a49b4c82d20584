/**
 * Benchmark: `parseSqlDump` on a large `courseware_studentmodule` file of the data package.
 *
 *   npm run bench:sql-parse -- [--mb 500] [--dir DIR] [--runs 1] [--impl PATH]
 *
 * Generates (deterministically, streaming) a TSV file of about `--mb` MB in the data-package
 * format (edx-formats.md §2.1, §2.4): the header row, block-v1 module ids, `state` JSON whose
 * backslashes are doubled as the file's own escaping does (nested JSON in `student_answers`,
 * `\n` in answers), `NULL` grades, datetimes with and without a fraction. It goes to a
 * temporary directory (removed afterwards) or, with `--dir`, to DIR (kept, and reused when
 * already there).
 *
 * Then, each in its own child Node process (so peak RSS, `VmHWM`, is per measurement):
 * - `floor`: fs stream read, split on `\n` and `\t` (rows and fields counted), nothing else;
 * - `default`: `parseSqlDump(path)` consuming every row (JSON `state` parsed);
 * - `noJson`: `parseSqlDump(path, { parseJson: false })`.
 * With `--runs N` the three are run N times, alternating, and the median time of each is kept
 * (the machine may be busy). `--impl PATH` measures the `parseSqlDump` exported by another
 * build (a module path), to compare before and after a change.
 * Prints one JSON line. Goal (issue): `default` at least 0.5× the floor, peak RSS < 200 MB.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { parseSqlDump as ParseSqlDump } from '@edx-data/edx-sql-parser';
import { flags, peakRssMiB, round, runChildJson, seededRandom } from './measure.js';

type Mode = 'floor' | 'default' | 'noJson';

interface ChildResult {
  readonly mode: Mode;
  readonly seconds: number;
  readonly rows: number;
  readonly fields: number;
  readonly rejected: number;
  readonly peakRssMiB: number;
}

const HEADER = [
  'id',
  'module_type',
  'module_id',
  'student_id',
  'state',
  'grade',
  'created',
  'modified',
  'max_grade',
  'done',
  'course_id',
];
const COURSE = 'McGillX+CHEM181x+1T2014';
const FILE_NAME = `McGillX-CHEM181x-1T2014-courseware_studentmodule-prod-analytics.sql`;

function now(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

function hex32(next: () => number): string {
  let out = '';
  for (let i = 0; i < 4; i++) {
    out += Math.floor(next() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  }
  return out;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

function datetime(ms: number, fraction: boolean): string {
  const d = new Date(ms);
  const text =
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  return fraction ? `${text}.${String((ms % 1000) * 1000 + 123).padStart(6, '0')}` : text;
}

/** JSON as Python's `json.dumps` writes it (what edX stores): `", "` and `": "` separators. */
function pythonJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`).join(', ')}}`;
}

/** The file's escaping of a field (§2.4): every backslash doubled. */
const fileEscape = (text: string): string => text.replaceAll('\\', '\\\\');

/** Rows of a studentmodule file, as text lines (with their `\n`). */
function* studentModuleLines(): Generator<string> {
  const next = seededRandom(20140901);
  const blocks = Array.from({ length: 400 }, () => hex32(next));
  const types = ['problem', 'problem', 'problem', 'sequential', 'chapter', 'video', 'course'];
  const start = Date.UTC(2014, 8, 1);
  yield `${HEADER.join('\t')}\n`;
  for (let id = 1; ; id++) {
    const type = types[Math.floor(next() * types.length)] ?? 'problem';
    const block = blocks[Math.floor(next() * blocks.length)] ?? '';
    const moduleId =
      type === 'course'
        ? `block-v1:${COURSE}+type@course+block@course`
        : `block-v1:${COURSE}+type@${type}+block@${block}`;
    const student = 1000 + Math.floor(next() * 50_000);
    const created = start + Math.floor(next() * 120 * 86_400_000);
    const modified = created + Math.floor(next() * 7 * 86_400_000);
    let state: string;
    let grade = 'NULL';
    let maxGrade = 'NULL';
    if (type === 'problem') {
      const parts = 1 + Math.floor(next() * 3);
      const correctMap: Record<string, unknown> = {};
      const inputState: Record<string, unknown> = {};
      const answers: Record<string, string> = {};
      let correct = 0;
      for (let p = 0; p < parts; p++) {
        const key = `${block}_${p + 2}_1`;
        const ok = next() < 0.6;
        if (ok) correct++;
        correctMap[key] = {
          hint: '',
          hintmode: null,
          correctness: ok ? 'correct' : 'incorrect',
          msg: '',
          answervariable: null,
          npoints: null,
          queuestate: null,
        };
        inputState[key] = {};
        const kind = next();
        answers[key] =
          kind < 0.5
            ? `choice_${Math.floor(next() * 4)}`
            : kind < 0.8
              ? String(round(next() * 100, 2))
              : // Nested JSON and a newline: backslashes in the JSON text, doubled in the file.
                pythonJson({ answer: ok ? 'correct' : 'x', state: `line 1\nline ${p}` });
      }
      const done = next() < 0.9;
      const attempts = 1 + Math.floor(next() * 3);
      state = pythonJson({
        correct_map: correctMap,
        input_state: inputState,
        last_submission_time: new Date(modified).toISOString().slice(0, 19) + 'Z',
        attempts,
        seed: 1,
        done,
        student_answers: answers,
      });
      grade = `${correct}.0`;
      maxGrade = `${parts}.0`;
    } else if (type === 'video') {
      state = pythonJson({
        saved_video_position: `00:0${Math.floor(next() * 9)}:${pad2(Math.floor(next() * 60))}`,
        speed: '1.50',
      });
    } else {
      state = `{"position": ${1 + Math.floor(next() * 9)}}`;
    }
    const fraction = next() < 0.3;
    yield (
      `${id}\t${type}\t${moduleId}\t${student}\t${fileEscape(state)}\t${grade}\t` +
      `${datetime(created, fraction)}\t${datetime(modified, fraction)}\t${maxGrade}\tna\t` +
      `course-v1:${COURSE}\n`
    );
  }
}

/** Writes about `bytes` bytes of rows to `file`, streaming. */
async function generate(file: string, bytes: number): Promise<void> {
  const out = createWriteStream(file);
  let written = 0;
  let batch = '';
  for (const line of studentModuleLines()) {
    batch += line;
    if (batch.length >= 1 << 20 || written + batch.length >= bytes) {
      written += batch.length;
      if (!out.write(batch))
        await new Promise<void>((resolve) =>
          out.once('drain', () => {
            resolve();
          }),
        );
      batch = '';
      if (written >= bytes) break;
    }
  }
  await new Promise<void>((resolve, reject) => {
    out.end((error?: Error | null) => {
      if (error) reject(error);
      else resolve();
    });
  });
}

/**
 * The floor: read with fs streams (decoded as UTF-8), split each chunk on `\n` and each line
 * on `\t` (as `line.split('\t')` does), count rows and fields. Nothing else.
 */
async function floor(file: string): Promise<{ rows: number; fields: number }> {
  let rows = 0;
  let fields = 0;
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 })) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      fields += text.slice(start, nl).split('\t').length;
      rows++;
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') {
    fields += rest.split('\t').length;
    rows++;
  }
  // The header is not a row.
  return { rows: rows - 1, fields: fields - HEADER.length };
}

async function child(mode: Mode, file: string, impl: string | undefined): Promise<void> {
  const { parseSqlDump } = (await import(impl ?? '@edx-data/edx-sql-parser')) as {
    parseSqlDump: typeof ParseSqlDump;
  };
  const started = now();
  let rows = 0;
  let fields = 0;
  let rejected = 0;
  if (mode === 'floor') {
    ({ rows, fields } = await floor(file));
  } else {
    const reader = parseSqlDump(file, mode === 'noJson' ? { parseJson: false } : {});
    for await (const row of reader) {
      rows++;
      // Touch the values, as a consumer would.
      if (row.values['state'] !== undefined) fields += 11;
    }
    rejected = reader.summary.rejected.count;
  }
  const result: ChildResult = {
    mode,
    seconds: now() - started,
    rows,
    fields,
    rejected,
    peakRssMiB: round(peakRssMiB()),
  };
  console.log(JSON.stringify(result));
}

function runChild(mode: Mode, file: string, impl: string | undefined): ChildResult {
  return runChildJson(import.meta.url, [
    '--child',
    mode,
    '--file',
    file,
    ...(impl === undefined ? [] : ['--impl', impl]),
  ]) as ChildResult;
}

async function main(): Promise<void> {
  const options = flags(process.argv.slice(2));
  const childMode = options['child'];
  if (childMode !== undefined) {
    await child(childMode as Mode, options['file'] ?? '', options['impl']);
    return;
  }
  const mb = Number(options['mb'] ?? 500);
  const keep = options['dir'] !== undefined;
  const dir = options['dir'] ?? mkdtempSync(join(tmpdir(), 'edx-bench-sql-'));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, FILE_NAME.replace('.sql', `-${mb}mb.sql`));
  try {
    const generatedAt = now();
    const reused = keep && existsSync(file);
    if (!reused) await generate(file, mb * 1e6);
    const generateSeconds = now() - generatedAt;
    const bytes = statSync(file).size;
    const modes = ['floor', 'default', 'noJson'] as const;
    const runs: ChildResult[][] = [[], [], []];
    for (let r = 0; r < Math.max(1, Number(options['runs'] ?? 1)); r++) {
      modes.forEach((mode, i) => runs[i]?.push(runChild(mode, file, options['impl'])));
    }
    const median = (list: ChildResult[] | undefined): ChildResult => {
      const sorted = [...(list ?? [])].sort((a, b) => a.seconds - b.seconds);
      const middle = sorted[Math.floor((sorted.length - 1) / 2)];
      if (middle === undefined) throw new Error('sql-parse: no run');
      return { ...middle, peakRssMiB: Math.max(...sorted.map((r) => r.peakRssMiB)) };
    };
    const [base, ours, noJson] = runs.map(median) as [ChildResult, ChildResult, ChildResult];
    const describe = (r: ChildResult): Record<string, number> => ({
      seconds: round(r.seconds, 2),
      rowsPerSecond: Math.round(r.rows / r.seconds),
      mbPerSecond: round(bytes / 1e6 / r.seconds),
      peakRssMiB: r.peakRssMiB,
      ...(r.mode === 'floor' ? {} : { rejected: r.rejected }),
    });
    const result = {
      bench: 'sql-parse',
      table: 'courseware_studentmodule',
      mb: round(bytes / 1e6),
      rows: base.rows,
      avgRowBytes: Math.round(bytes / (base.rows + 1)),
      generated: reused ? 'reused' : `${round(generateSeconds, 1)} s`,
      runs: runs[0]?.length ?? 0,
      ...(options['impl'] === undefined ? {} : { impl: options['impl'] }),
      floor: { what: 'fs stream, split on \\n and \\t, count', ...describe(base) },
      default: describe(ours),
      noJson: describe(noJson),
      ratioToFloor: {
        default: round(base.seconds / ours.seconds, 3),
        noJson: round(base.seconds / noJson.seconds, 3),
      },
      goal: { ratioToFloor: 0.5, peakRssMiB: 200 },
    };
    console.log(JSON.stringify(result));
    if (ours.rows !== base.rows || noJson.rows !== base.rows) {
      console.error(
        `sql-parse: row counts differ (floor ${base.rows}, default ${ours.rows}, noJson ${noJson.rows})`,
      );
      process.exitCode = 1;
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
