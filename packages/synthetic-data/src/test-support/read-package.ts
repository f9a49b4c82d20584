/**
 * Independent readers for the tests: they read a generated package back with core's
 * `openInput` + `readLines` and recount what `ground-truth.json` claims, without using the
 * generator's code.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { courseIdOfEvent, openInput, readLines } from '@edx-data/core';

/** Every file under `dir`, relative, `/`-separated, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

/** sha256 of every file under `dir`. */
export async function hashFiles(dir: string): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const file of await listFiles(dir)) {
    hashes.set(
      file,
      createHash('sha256')
        .update(await readFile(join(dir, file)))
        .digest('hex'),
    );
  }
  return hashes;
}

/** The lines of a (possibly gzipped and encrypted) file, read through core. */
export async function readAllLines(path: string, key?: string): Promise<string[]> {
  const input = await openInput(path, key === undefined ? {} : { key });
  const lines: string[] = [];
  for await (const { text } of readLines(input.stream, { file: path })) lines.push(text);
  await input.done;
  return lines;
}

/** Undo the exporter's escaping in one left-to-right pass (edx-formats.md §2.1 rule 4). */
export function unescapeTsv(field: string): string | null {
  if (field === 'NULL') return null;
  return field.replace(/\\(.)/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c === '0' ? '\0' : c,
  );
}

export interface Tsv {
  readonly header: string[];
  readonly rows: (string | null)[][];
}

export function parseTsv(lines: readonly string[]): Tsv {
  const [head = '', ...body] = lines;
  return {
    header: head.split('\t'),
    rows: body.filter((l) => l !== '').map((l) => l.split('\t').map(unescapeTsv)),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parse one log line like a tolerant loader: JSON, else the `{…}` after a prefix. */
export function parseEventLine(text: string): Record<string, unknown> | null {
  const tryParse = (t: string): unknown => {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return undefined;
    }
  };
  let value = tryParse(text);
  if (value === undefined) {
    const match = /^.*?(\{.*\})\s*$/.exec(text);
    if (match?.[1] !== undefined) value = tryParse(match[1]);
  }
  return isRecord(value) ? value : null;
}

export interface CountedFile {
  lines: number;
  events: number;
  unique: number;
  duplicateLines: number[];
  rejectedLines: number[];
  prefixed: number;
  byCourse: Map<string, number>;
  withoutCourse: number;
  byCourseDay: Map<string, number>;
  blockEvents: Map<string, number>;
}

function usageKeyOf(event: Record<string, unknown>): string | undefined {
  let payload: unknown = event['event'];
  if (typeof payload === 'string') {
    try {
      payload = JSON.parse(payload) as unknown;
    } catch {
      payload = undefined;
    }
  }
  const context = event['context'];
  const module = isRecord(context) ? context['module'] : undefined;
  const candidates = [
    isRecord(payload) ? payload['id'] : undefined,
    isRecord(payload) ? payload['problem_id'] : undefined,
    isRecord(module) ? module['usage_key'] : undefined,
  ];
  return candidates.find((c): c is string => typeof c === 'string' && c.startsWith('block-v1:'));
}

/** Count a daily log the way a correct loader would. */
export function countEventLines(lines: readonly string[]): CountedFile {
  const counted: CountedFile = {
    lines: lines.length,
    events: 0,
    unique: 0,
    duplicateLines: [],
    rejectedLines: [],
    prefixed: 0,
    byCourse: new Map(),
    withoutCourse: 0,
    byCourseDay: new Map(),
    blockEvents: new Map(),
  };
  const seen = new Set<string>();
  lines.forEach((text, index) => {
    const event = parseEventLine(text);
    if (event === null) {
      counted.rejectedLines.push(index + 1);
      return;
    }
    counted.events += 1;
    if (!text.startsWith('{')) counted.prefixed += 1;
    if (seen.has(text)) {
      counted.duplicateLines.push(index + 1);
      return;
    }
    seen.add(text);
    counted.unique += 1;
    const course = courseIdOfEvent(event)?.key;
    if (course === undefined) {
      counted.withoutCourse += 1;
      return;
    }
    counted.byCourse.set(course, (counted.byCourse.get(course) ?? 0) + 1);
    const day = `${course} ${String(event['time']).slice(0, 10)}`;
    counted.byCourseDay.set(day, (counted.byCourseDay.get(day) ?? 0) + 1);
    if (usageKeyOf(event) !== undefined)
      counted.blockEvents.set(course, (counted.blockEvents.get(course) ?? 0) + 1);
  });
  return counted;
}
