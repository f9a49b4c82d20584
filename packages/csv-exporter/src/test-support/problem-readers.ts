/**
 * Raw readers for the problem and forum reports' tests: the server `problem_check` events of
 * the package's logs, its forum `.mongo` file and its course structure JSON, read with the
 * formats' rules only (edx-formats.md), never with the code under test.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedCourse } from './course-fixture.js';
import { courseEvents } from './course-fixture.js';

/** One server `problem_check` event of the raw logs. */
export interface RawCheck {
  readonly username: string;
  readonly userId: number;
  readonly problemId: string;
  readonly attempts: number;
  /** ISO time, to the millisecond. */
  readonly time: string;
  readonly success: string;
  readonly grade: number;
  readonly maxGrade: number;
  readonly event: Record<string, unknown>;
}

function isoOf(raw: unknown): string {
  const text = String(raw);
  return new Date(Date.parse(/[+Z]/u.test(text.slice(19)) ? text : `${text}Z`)).toISOString();
}

/** The course's server `problem_check` events, in file order. */
export async function rawChecks(loaded: LoadedCourse): Promise<RawCheck[]> {
  const out: RawCheck[] = [];
  for (const e of await courseEvents(loaded)) {
    if (e['event_type'] !== 'problem_check' || e['event_source'] !== 'server') continue;
    const event = e['event'] as Record<string, unknown>;
    const context = e['context'] as Record<string, unknown>;
    out.push({
      username: String(e['username']),
      userId: Number(context['user_id']),
      problemId: String(event['problem_id']),
      attempts: Number(event['attempts']),
      time: isoOf(e['time']),
      success: String(event['success']),
      grade: Number(event['grade']),
      maxGrade: Number(event['max_grade']),
      event,
    });
  }
  return out;
}

function unwrap(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrap);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  if (typeof record['$oid'] === 'string') return record['$oid'];
  if (record['$date'] !== undefined) {
    const date = record['$date'];
    return new Date(
      typeof date === 'object' && date !== null
        ? Number((date as Record<string, unknown>)['$numberLong'])
        : (date as string | number),
    ).toISOString();
  }
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrap(v)]));
}

/** The course's forum `.mongo` file: one object per line, `$oid` → hex, `$date` → ISO text. */
export async function rawForum(loaded: LoadedCourse): Promise<Record<string, unknown>[]> {
  const file = loaded.truth.files.find((f) => f.kind === 'forum' && f.course === loaded.courseKey);
  if (file === undefined) throw new Error('no forum file');
  const text = await readFile(join(loaded.pkg.dir, file.path), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => unwrap(JSON.parse(line)) as Record<string, unknown>);
}

/** The course structure JSON of the course: block key → block. */
export async function rawStructure(
  loaded: LoadedCourse,
): Promise<
  Record<string, { category: string; children?: string[]; metadata?: Record<string, unknown> }>
> {
  const file = loaded.truth.files.find(
    (f) => f.kind === 'course_structure' && f.course === loaded.courseKey,
  );
  if (file === undefined) throw new Error('no course structure file');
  return JSON.parse(await readFile(join(loaded.pkg.dir, file.path), 'utf8')) as Record<
    string,
    { category: string; children?: string[]; metadata?: Record<string, unknown> }
  >;
}
