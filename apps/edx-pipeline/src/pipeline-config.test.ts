/**
 * The pipeline config: its schema file in docs/ is the TS const (`UPDATE_PIPELINE_SCHEMA=1`
 * rewrites it), the annotated example follows it, and each bad config is refused with the
 * file, the field's JSON pointer and what was expected.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '@edx-data/core';
import { readPipelineConfig, resolvePipelineConfig, schemaErrors } from './pipeline-config.js';
import { PIPELINE_CONFIG_SCHEMA } from './pipeline-config-schema.js';

const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url));
const SCHEMA_FILE = join(DOCS, 'pipeline-config.schema.json');
const dir = mkdtempSync(join(tmpdir(), 'edx-pipeline-config-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const COURSE = {
  course_ids: ['course-v1:McGillX+ATOC185x+2T2014'],
  date_of_course_enrollment: '2014-02-28',
  date_of_course_completion: '2014-08-30',
};

/** The message of the E_CONFIG error `value` gives, as if read from `pipeline.json` in `dir`. */
async function refusal(value: unknown): Promise<string> {
  try {
    await resolvePipelineConfig(value, 'pipeline.json', dir);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('E_CONFIG');
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('the pipeline config schema', () => {
  it('is docs/pipeline-config.schema.json', async () => {
    const text = `${JSON.stringify(PIPELINE_CONFIG_SCHEMA, null, 2)}\n`;
    if (process.env['UPDATE_PIPELINE_SCHEMA'] === '1') await writeFile(SCHEMA_FILE, text);
    expect(JSON.parse(await readFile(SCHEMA_FILE, 'utf8'))).toEqual(PIPELINE_CONFIG_SCHEMA);
  });

  it('accepts the annotated example of docs/', async () => {
    const example = JSON.parse(
      await readFile(join(DOCS, 'pipeline-config.example.json'), 'utf8'),
    ) as unknown;
    expect(await schemaErrors(example)).toEqual([]);
  });
});

describe(resolvePipelineConfig, () => {
  it('resolves every path against the config folder, keeps a MongoDB URI, and fills defaults', async () => {
    const config = await resolvePipelineConfig(
      {
        store: 'mongodb://db.example:27017',
        key: { file: 'keys/private.asc' },
        packages: ['in/packages', '/abs/zips'],
        logs: ['in/events'],
        courses: [COURSE],
        reports: { out: 'out/reports' },
        anonymise: { out: 'out/anon', keyEnv: 'PSEUDONYM_KEY' },
        report: 'out/report.html',
      },
      'pipeline.json',
      '/data/weekly',
    );
    expect(config).toMatchObject({
      store: 'mongodb://db.example:27017',
      key: { file: '/data/weekly/keys/private.asc', passphraseEnv: undefined },
      packages: ['/data/weekly/in/packages', '/abs/zips'],
      logs: ['/data/weekly/in/events'],
      reports: { out: '/data/weekly/out/reports', names: 'all', params: {}, gzip: false },
      anonymise: { out: '/data/weekly/out/anon', keyEnv: 'PSEUDONYM_KEY', k: 5 },
      report: '/data/weekly/out/report.html',
    });
    expect(config.courses.map((c) => [c.pointer, c.config.database])).toEqual([
      ['/courses/0', 'McGillX_ATOC185x_2T2014'],
    ]);
    const folder = await resolvePipelineConfig({ store: 'store' }, 'p.json', '/data/weekly');
    expect(folder.store).toBe('/data/weekly/store');
    expect(folder.anonymise).toBeUndefined();
    expect((await resolvePipelineConfig({ anonymise: false }, 'p.json', '/x')).anonymise).toBe(
      undefined,
    );
  });

  it('reads a course config file named by a course entry, relative to the config', async () => {
    await mkdir(join(dir, 'courses'), { recursive: true });
    await writeFile(join(dir, 'courses', 'atoc.json'), JSON.stringify(COURSE));
    const config = await resolvePipelineConfig(
      { courses: [{ config: 'courses/atoc.json' }] },
      'pipeline.json',
      dir,
    );
    expect(config.courses[0]?.config).toMatchObject({
      file: join(dir, 'courses', 'atoc.json'),
      courseKeys: ['course-v1:McGillX+ATOC185x+2T2014'],
      enrollmentDate: '2014-02-28',
    });
  });

  it('names the field and what was expected', async () => {
    expect(
      await refusal({ courses: [{ ...COURSE, date_of_course_enrollment: '2014-13-01' }] }),
    ).toBe(
      'pipeline.json: /courses/0/date_of_course_enrollment: expected a date YYYY-MM-DD, got "2014-13-01"',
    );
    expect(await refusal({ stor: 'x' })).toBe(
      'pipeline.json: /stor: unknown field "stor"; expected one of: store, key, packages, logs, courses, reports, anonymise, report',
    );
    expect(await refusal({ reports: { out: 'r', gzip: true, outt: 'x' } })).toBe(
      'pipeline.json: /reports/outt: unknown field "outt"; expected one of: out, names, params, gzip',
    );
    expect(await refusal({ key: { passphraseEnv: 'PASS' } })).toBe(
      'pipeline.json: /key/file: missing (required)',
    );
    expect(await refusal({ key: { file: 'k.asc', passphraseEnv: 'MY-PASS' } })).toBe(
      'pipeline.json: /key/passphraseEnv: expected an environment variable name (letters, digits and _), got "MY-PASS"',
    );
    expect(await refusal({ packages: 'in/packages' })).toBe(
      'pipeline.json: /packages: expected an array, got "in/packages"',
    );
    expect(await refusal({ reports: { out: 'r', names: 'some' } })).toBe(
      'pipeline.json: /reports/names: expected "all", got "some"',
    );
    expect(await refusal({ reports: { out: 'r', names: [] } })).toBe(
      'pipeline.json: /reports/names: expected at least 1 item, got none',
    );
    expect(await refusal({ anonymise: true })).toBe(
      'pipeline.json: /anonymise: expected false, got boolean true',
    );
    expect(
      await refusal({ reports: { out: 'r' }, anonymise: { out: 'a', keyEnv: 'K', k: 0 } }),
    ).toBe('pipeline.json: /anonymise/k: expected a number ≥ 1, got number 0');
    expect(await refusal({ anonymise: { out: 'a', keyEnv: 'K', k: 2.5 } })).toBe(
      'pipeline.json: /anonymise/k: expected a whole number, got number 2.5',
    );
    expect(await refusal({ courses: [{ config: 'a.json', course_ids: ['x'] }] })).toBe(
      'pipeline.json: /courses/0/course_ids: unknown field "course_ids"; expected one of: config',
    );
    // Every error, on one line.
    expect(await refusal({ courses: [{ course_ids: ['course-v1:A+B+C'] }] })).toBe(
      'pipeline.json: /courses/0/date_of_course_enrollment: missing (required); /courses/0/date_of_course_completion: missing (required)',
    );
    expect(await refusal([])).toBe('pipeline.json: expected a JSON object, got an array');
  });

  it('checks what the schema cannot: course ids, dates in order, report names, the key, one entry per course', async () => {
    expect(await refusal({ courses: [{ ...COURSE, course_ids: ['atoc185x'] }] })).toBe(
      'pipeline.json: /courses/0/course_ids/0: "atoc185x" is not a complete course id; expected course-v1:Org+Course+Run or Org/Course/Run',
    );
    expect(
      await refusal({
        courses: [
          COURSE,
          { ...COURSE, course_ids: ['course-v1:A+B+C'], date_of_course_completion: '2014-01-01' },
        ],
      }),
    ).toBe(
      'pipeline.json: /courses/1/date_of_course_completion: 2014-01-01 is before date_of_course_enrollment 2014-02-28',
    );
    expect(await refusal({ courses: [{ ...COURSE, time_zone: 'Mars/Olympus' }] })).toBe(
      'pipeline.json: /courses/0/time_zone: expected an IANA time zone name such as "UTC" or "America/Montreal", got "Mars/Olympus"',
    );
    expect(await refusal({ courses: [COURSE, { ...COURSE, edx_course_name: 'again' }] })).toBe(
      'pipeline.json: /courses/1: names the course database McGillX_ATOC185x_2T2014, as /courses/0 does (give each course once)',
    );
    expect(await refusal({ courses: [{ config: 'missing.json' }] })).toBe(
      `pipeline.json: /courses/0/config: no such course config file at ${join(dir, 'missing.json')}`,
    );
    expect(await refusal({ reports: { out: 'r', names: ['user_info', 'user_infos'] } })).toBe(
      'pipeline.json: /reports/names/1: unknown report "user_infos" (edx-pipeline export --list lists them)',
    );
    expect(await refusal({ reports: { out: 'r' }, anonymise: { out: 'a' } })).toBe(
      'pipeline.json: /anonymise: give the pseudonym key with one of keyFile or keyEnv',
    );
    expect(await refusal({ anonymise: { out: 'a', keyFile: 'k' } })).toBe(
      'pipeline.json: /anonymise: anonymised copies are of the reports: give /reports too',
    );
  });
});

describe(readPipelineConfig, () => {
  it('names the file as given when it is missing or not JSON', async () => {
    const missing = join(dir, 'none.json');
    await expect(readPipelineConfig(missing)).rejects.toThrow(`${missing}: no such config file`);
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ "store": "s", }');
    await expect(readPipelineConfig(broken)).rejects.toThrow(
      new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}: not valid JSON: `, 'u'),
    );
  });
});
