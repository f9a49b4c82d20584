import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '@edx-data/core';
import { parseCourseConfig, readCourseConfig } from './course-config.js';

const SCHEMA_FILE = new URL('../../../docs/course-config.schema.json', import.meta.url);

const BASE = {
  course_ids: ['McGillX/ATOC185x/2T2014'],
  date_of_course_enrollment: '2014-02-28',
  date_of_course_completion: '2014-08-30',
};

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe(parseCourseConfig, () => {
  it('reads the McGill template, matching course ids canonically, both days included', () => {
    const config = parseCourseConfig(
      JSON.stringify({
        edx_id: '',
        edx_course_name: 'Natural Disasters',
        course_ids: [
          'McGillX/ATOC185x/2T2014',
          'course-v1:McGillX+ATOC185x+2T2014',
          'McGillX/ATOC185x/asset',
        ],
        date_of_course_enrollment: '2014-02-28',
        date_of_course_completion: '2014-08-30',
      }),
    );
    expect(config).toMatchObject({
      edxId: undefined,
      edxCourseName: 'Natural Disasters',
      courseKeys: ['course-v1:McGillX+ATOC185x+2T2014', 'course-v1:McGillX+ATOC185x+asset'],
      enrollmentDate: '2014-02-28',
      completionDate: '2014-08-30',
      timeZone: 'UTC',
      database: 'McGillX_ATOC185x_2T2014',
    });
    expect(config.from.toISOString()).toBe('2014-02-28T00:00:00.000Z');
    expect(config.toExclusive.toISOString()).toBe('2014-08-31T00:00:00.000Z');
  });

  it('names the database after edx_id when it is a course id', () => {
    const config = parseCourseConfig({ ...BASE, edx_id: 'course-v1:McGillX+ATOC185x+3T2014' });
    expect(config.database).toBe('McGillX_ATOC185x_3T2014');
    expect(parseCourseConfig({ ...BASE, edx_id: 'atoc185x' }).database).toBe(
      'McGillX_ATOC185x_2T2014',
    );
  });

  it('computes the window in an IANA time zone across daylight-saving changes', () => {
    // Montreal: EST (-5) in winter, EDT (-4) from 2014-03-09 to 2014-11-02.
    const summer = parseCourseConfig({
      ...BASE,
      date_of_course_enrollment: '2014-03-01',
      date_of_course_completion: '2014-03-09',
      time_zone: 'America/Montreal',
    });
    expect(summer.timeZone).toBe('America/Montreal');
    expect(summer.from.toISOString()).toBe('2014-03-01T05:00:00.000Z');
    expect(summer.toExclusive.toISOString()).toBe('2014-03-10T04:00:00.000Z');
    const autumn = parseCourseConfig({
      ...BASE,
      date_of_course_enrollment: '2014-11-02',
      date_of_course_completion: '2014-11-02',
      time_zone: 'America/Montreal',
    });
    // The day the clocks go back lasts 25 hours.
    expect(autumn.toExclusive.getTime() - autumn.from.getTime()).toBe(25 * 3_600_000);
    const ahead = parseCourseConfig({ ...BASE, time_zone: 'Pacific/Kiritimati' });
    expect(ahead.from.toISOString()).toBe('2014-02-27T10:00:00.000Z');
  });

  it('starts a day whose midnight is skipped when the clocks jump', () => {
    // Havana moved its clocks from 00:00 to 01:00 on 2014-03-09.
    const config = parseCourseConfig({
      ...BASE,
      date_of_course_enrollment: '2014-03-09',
      date_of_course_completion: '2014-03-09',
      time_zone: 'America/Havana',
    });
    expect(config.from.toISOString()).toBe('2014-03-09T05:00:00.000Z');
    expect(config.toExclusive.toISOString()).toBe('2014-03-10T04:00:00.000Z');
  });

  it.each([
    [[], /expected a JSON object, got an array/],
    [
      { ...BASE, course_ids: 'McGillX/ATOC185x/2T2014' },
      /course_ids: expected an array of course ids/,
    ],
    [{ ...BASE, course_ids: [] }, /course_ids: expected at least one course id/],
    [
      { ...BASE, course_ids: ['McGillX/ATOC185x/2T2014', 7] },
      /course_ids\[1\]: expected a string, got number 7/,
    ],
    [
      { ...BASE, course_ids: ['atoc185x'] },
      /course_ids\[0\]: "atoc185x" is not a complete course id/,
    ],
    [
      { ...BASE, date_of_course_completion: '2014-8-30' },
      /date_of_course_completion: expected a date YYYY-MM-DD, got "2014-8-30"/,
    ],
    [
      { ...BASE, date_of_course_enrollment: '2014-02-30' },
      /date_of_course_enrollment: expected a date YYYY-MM-DD/,
    ],
    [
      { course_ids: BASE.course_ids, date_of_course_enrollment: '2014-02-28' },
      /date_of_course_completion: missing/,
    ],
    [{ ...BASE, date_of_course_completion: '2014-01-01' }, /is before date_of_course_enrollment/],
    [{ ...BASE, time_zone: 'Mars/Olympus' }, /time_zone: expected an IANA time zone name/],
    [{ ...BASE, timezone: 'UTC' }, /unknown field "timezone"/],
    [{ ...BASE, edx_id: 5 }, /edx_id: expected a string/],
  ])('rejects %j naming the field and what was expected', (json, message) => {
    const error = errorOf(() => parseCourseConfig(json, { file: 'atoc185x.json' }));
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/ at atoc185x\.json$/);
    expect(error.file).toBe('atoc185x.json');
    expect(['E_INPUT', 'E_COURSE_ID']).toContain(error.code);
  });

  it('reports invalid JSON text', () => {
    expect(
      errorOf(() => parseCourseConfig('{"course_ids": [', { file: 'c.json' })).message,
    ).toMatch(/not valid JSON.* at c\.json$/);
  });
});

describe(readCourseConfig, () => {
  it('reads a file (with a BOM) and names a missing one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'course-config-'));
    try {
      const file = join(dir, 'course.json');
      await writeFile(file, `\uFEFF${JSON.stringify(BASE)}`);
      expect((await readCourseConfig(file)).file).toBe(file);
      await expect(readCourseConfig(join(dir, 'none.json'))).rejects.toMatchObject({
        code: 'E_FILE_NOT_FOUND',
        file: join(dir, 'none.json'),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

interface SchemaProperty {
  readonly type?: string;
  readonly pattern?: string;
  readonly minItems?: number;
  readonly minLength?: number;
  readonly items?: SchemaProperty;
}
interface Schema {
  readonly required: readonly string[];
  readonly additionalProperties: boolean;
  readonly properties: Readonly<Record<string, SchemaProperty>>;
  readonly examples: readonly unknown[];
}

/** The schema's structural rules (required, types, patterns, sizes): enough for these examples. */
function schemaAccepts(schema: Schema, value: unknown): boolean {
  const typeOk = (rule: SchemaProperty, v: unknown): boolean => {
    if (rule.type === 'string') {
      return (
        typeof v === 'string' &&
        (rule.pattern === undefined || new RegExp(rule.pattern, 'u').test(v)) &&
        v.length >= (rule.minLength ?? 0)
      );
    }
    if (rule.type === 'array') {
      return (
        Array.isArray(v) &&
        v.length >= (rule.minItems ?? 0) &&
        v.every((item) => rule.items === undefined || typeOk(rule.items, item))
      );
    }
    return true;
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  if (!schema.required.every((field) => field in record)) return false;
  return Object.entries(record).every(([field, v]) => {
    const rule = schema.properties[field];
    if (rule === undefined) return schema.additionalProperties;
    return typeOk(rule, v);
  });
}

describe('docs/course-config.schema.json', () => {
  it('agrees with parseCourseConfig on its examples and on invalid configs', async () => {
    const schema = JSON.parse(await readFile(SCHEMA_FILE, 'utf8')) as Schema;
    expect(schema.required).toEqual([
      'course_ids',
      'date_of_course_enrollment',
      'date_of_course_completion',
    ]);
    const cases: unknown[] = [
      ...schema.examples,
      BASE,
      { ...BASE, time_zone: 'UTC', edx_course_name: 'x' },
      { ...BASE, course_ids: [] },
      { ...BASE, course_ids: 'McGillX/ATOC185x/2T2014' },
      { ...BASE, date_of_course_enrollment: '28/02/2014' },
      { ...BASE, extra: true },
      { ...BASE, time_zone: 3 },
      { course_ids: BASE.course_ids },
      'not an object',
    ];
    for (const example of cases) {
      let parsed = true;
      try {
        parseCourseConfig(example);
      } catch {
        parsed = false;
      }
      expect({ example, accepted: schemaAccepts(schema, example) }).toEqual({
        example,
        accepted: parsed,
      });
    }
    expect(schema.examples.length).toBeGreaterThanOrEqual(2);
  });
});
