/**
 * The config of `edx-pipeline run --config pipeline.json`: read, validated against
 * {@link PIPELINE_CONFIG_SCHEMA} (then the course configs by `parseCourseConfig`, the report
 * names by the catalogue), and its paths resolved against the config file's folder. Every
 * error is a `UsageError` `E_CONFIG` naming the file, the JSON pointer of the field and what
 * was expected: `pipeline.json: /courses/0/date_of_course_enrollment: expected a date
 * YYYY-MM-DD, got "2014-13-01"`. Fields: docs/pipeline-config.md.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { EdxDataError, UsageError } from '@edx-data/core';
import type { CourseConfig } from '@edx-data/course-extractor';
import type { ErrorObject } from 'ajv';
import { PIPELINE_CONFIG_SCHEMA } from './pipeline-config-schema.js';

/** One course of the config: its course config, and where in the config it was given. */
export interface PipelineCourse {
  readonly config: CourseConfig;
  /** Its JSON pointer in the config (`/courses/0`). */
  readonly pointer: string;
}

/** A validated config, every path absolute. */
export interface PipelineConfig {
  /** The config file, as given (named in messages). */
  readonly file: string;
  /** Its folder, absolute: relative paths of the config are relative to it. */
  readonly folder: string;
  /** A folder (absolute) or a MongoDB URI; undefined: `$EDX_STORE`, else `./edx-data`. */
  readonly store: string | undefined;
  readonly key: { readonly file: string; readonly passphraseEnv: string | undefined } | undefined;
  readonly packages: readonly string[];
  readonly logs: readonly string[];
  readonly courses: readonly PipelineCourse[];
  readonly reports:
    | {
        readonly out: string;
        readonly names: 'all' | readonly string[];
        readonly params: Readonly<Record<string, string>>;
        readonly gzip: boolean;
      }
    | undefined;
  readonly anonymise:
    | {
        readonly out: string;
        readonly keyFile: string | undefined;
        readonly keyEnv: string | undefined;
        readonly k: number;
      }
    | undefined;
  /** Where to write report.html, when asked. */
  readonly report: string | undefined;
}

/** The config as written (after schema validation). */
interface PipelineConfigFile {
  readonly store?: string;
  readonly key?: { readonly file: string; readonly passphraseEnv?: string };
  readonly packages?: readonly string[];
  readonly logs?: readonly string[];
  readonly courses?: readonly Readonly<Record<string, unknown>>[];
  readonly reports?: {
    readonly out: string;
    readonly names?: 'all' | readonly string[];
    readonly params?: Readonly<Record<string, string>>;
    readonly gzip?: boolean;
  };
  readonly anonymise?:
    | false
    | {
        readonly out: string;
        readonly keyFile?: string;
        readonly keyEnv?: string;
        readonly k?: number;
      };
  readonly report?: string;
}

/** The default k of the anonymised copies (as `anonymize --k`). */
export const DEFAULT_K = 5;

const MONGODB_URI = /^mongodb(?:\+srv)?:\/\//u;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') {
    return `${typeof value} ${String(value)}`;
  }
  return typeof value === 'object' ? 'an object' : typeof value;
}

const TYPE_PHRASES: Readonly<Record<string, string>> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

const PATTERN_PHRASES: Readonly<Record<string, string>> = {
  '^[A-Za-z_][A-Za-z0-9_]*$': 'an environment variable name (letters, digits and _)',
};

function escapePointer(name: string): string {
  return name.replace(/~/gu, '~0').replace(/\//gu, '~1');
}

/** One schema error as `<pointer>: <what was expected>`; null for one that only echoes another. */
export function explainSchemaError(error: ErrorObject): string | null {
  const at = error.instancePath;
  const got = describe(error.data);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'if':
      return null; // (the branch's own error says what was expected)
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      const properties = (error.parentSchema as { properties?: Record<string, unknown> })
        .properties;
      const known = Object.keys(properties ?? {}).filter((key) => !key.startsWith('$'));
      return `${at}/${escapePointer(name)}: unknown field "${name}"; expected one of: ${known.join(', ')}`;
    }
    case 'required':
      return `${at}/${escapePointer(String(params['missingProperty']))}: missing (required)`;
    case 'type': {
      const types = String(params['type']).split(',');
      return `${at}: expected ${types.map((t) => TYPE_PHRASES[t] ?? t).join(' or ')}, got ${got}`;
    }
    case 'format':
      return params['format'] === 'date'
        ? `${at}: expected a date YYYY-MM-DD, got ${got}`
        : `${at}: expected the format ${String(params['format'])}, got ${got}`;
    case 'pattern': {
      const pattern = String(params['pattern']);
      return `${at}: expected ${PATTERN_PHRASES[pattern] ?? `text matching ${pattern}`}, got ${got}`;
    }
    case 'const':
      return `${at}: expected ${JSON.stringify(params['allowedValue'])}, got ${got}`;
    case 'minItems':
      return `${at}: expected at least ${String(params['limit'])} item${params['limit'] === 1 ? '' : 's'}, got none`;
    case 'minLength':
      return `${at}: expected a non-empty string, got ""`;
    case 'minimum':
      return `${at}: expected a number ≥ ${String(params['limit'])}, got ${got}`;
    default:
      return `${at}: ${error.message ?? 'invalid'}`;
  }
}

function isDay(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

type Validate = ((value: unknown) => boolean) & { errors?: ErrorObject[] | null };
let validator: Promise<Validate> | undefined;

/** The compiled schema (ajv loaded on first use: only `run` needs it). */
function schemaValidator(): Promise<Validate> {
  validator ??= import('ajv').then(({ Ajv }) => {
    const ajv = new Ajv({ allErrors: true, verbose: true, strictTypes: false });
    ajv.addFormat('date', isDay);
    return ajv.compile(PIPELINE_CONFIG_SCHEMA) as Validate;
  });
  return validator;
}

/**
 * Check a parsed config against the schema alone.
 * @returns each error as `<JSON pointer>: <what was expected>`; empty when it follows the schema
 */
export async function schemaErrors(value: unknown): Promise<string[]> {
  const validate = await schemaValidator();
  if (validate(value)) return [];
  const lines = (validate.errors ?? []).map(explainSchemaError).filter((line) => line !== null);
  return [...new Set(lines)];
}

/**
 * A course config error of `parseCourseConfig` as `<pointer>: <message>`: its field
 * (`course config: course_ids[1]: …`) becomes a pointer under `base`.
 */
function coursePointerMessage(base: string, error: EdxDataError): string {
  const match = /^course config: ([a-z_]+)(?:\[(\d+)\])?: (.*)$/su.exec(error.message);
  if (match === null) return `${base}: ${error.message.replace(/^course config: /u, '')}`;
  const [, field = '', index, rest = ''] = match;
  return `${base}/${field}${index === undefined ? '' : `/${index}`}: ${rest}`;
}

/**
 * Validate a parsed config and resolve it: paths against `folder`, course configs read and
 * checked, report names checked against the catalogue.
 * @throws UsageError `E_CONFIG` naming `file`, the field's JSON pointer and what was expected
 */
export async function resolvePipelineConfig(
  value: unknown,
  file: string,
  folder: string,
): Promise<PipelineConfig> {
  const fail = (lines: readonly string[]): never => {
    // (one line, as the CLI writes every error: several are joined by "; ")
    throw new UsageError('E_CONFIG', `${file}: ${lines.join('; ')}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail([`expected a JSON object, got ${describe(value)}`]);
  }
  const errors = await schemaErrors(value);
  if (errors.length > 0) fail(errors);
  const config = value as PipelineConfigFile;
  const path = (p: string): string => resolve(folder, p);

  const { parseCourseConfig, readCourseConfig } = await import('@edx-data/course-extractor');
  const courses: PipelineCourse[] = [];
  const problems: string[] = [];
  for (const [i, entry] of (config.courses ?? []).entries()) {
    const pointer = `/courses/${String(i)}`;
    try {
      const course =
        typeof entry['config'] === 'string'
          ? await readCourseConfig(path(entry['config']))
          : parseCourseConfig(entry);
      const other = courses.find((c) => c.config.database === course.database);
      if (other !== undefined) {
        problems.push(
          `${pointer}: names the course database ${course.database}, as ${other.pointer} does (give each course once)`,
        );
      }
      courses.push({ config: course, pointer });
    } catch (error) {
      if (!(error instanceof EdxDataError)) throw error;
      problems.push(
        typeof entry['config'] === 'string'
          ? `${pointer}/config: ${error.message}`
          : coursePointerMessage(pointer, error),
      );
    }
  }

  const reports = config.reports;
  const names = reports?.names ?? 'all';
  if (names !== 'all') {
    const { CATALOGUE } = await import('@edx-data/csv-exporter');
    const known = new Set(CATALOGUE.map((r) => r.name));
    names.forEach((name, i) => {
      if (!known.has(name)) {
        problems.push(
          `/reports/names/${String(i)}: unknown report ${JSON.stringify(name)} (edx-pipeline export --list lists them)`,
        );
      }
    });
  }
  const anonymise = config.anonymise === false ? undefined : config.anonymise;
  if (anonymise !== undefined) {
    if ((anonymise.keyFile === undefined) === (anonymise.keyEnv === undefined)) {
      problems.push('/anonymise: give the pseudonym key with one of keyFile or keyEnv');
    }
    if (reports === undefined) {
      problems.push('/anonymise: anonymised copies are of the reports: give /reports too');
    }
  }
  if (problems.length > 0) fail(problems);

  return {
    file,
    folder,
    store:
      config.store === undefined || MONGODB_URI.test(config.store)
        ? config.store
        : path(config.store),
    key:
      config.key === undefined
        ? undefined
        : { file: path(config.key.file), passphraseEnv: config.key.passphraseEnv },
    packages: (config.packages ?? []).map(path),
    logs: (config.logs ?? []).map(path),
    courses,
    reports:
      reports === undefined
        ? undefined
        : {
            out: path(reports.out),
            names: names === 'all' ? 'all' : [...names],
            params: { ...reports.params },
            gzip: reports.gzip === true,
          },
    anonymise:
      anonymise === undefined
        ? undefined
        : {
            out: path(anonymise.out),
            keyFile: anonymise.keyFile === undefined ? undefined : path(anonymise.keyFile),
            keyEnv: anonymise.keyEnv,
            k: anonymise.k ?? DEFAULT_K,
          },
    report: config.report === undefined ? undefined : path(config.report),
  };
}

/**
 * Read a pipeline config file (UTF-8 JSON), validate it and resolve its paths.
 * @throws UsageError `E_CONFIG` for a file that cannot be read, is not JSON, or does not follow
 *   the schema (each error naming the field's JSON pointer)
 */
export async function readPipelineConfig(file: string): Promise<PipelineConfig> {
  const absolute = isAbsolute(file) ? file : resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      'E_CONFIG',
      `${file}: ${code === 'ENOENT' ? 'no such config file' : `cannot read it (${String(code)})`}`,
      { cause: error },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text) as unknown;
  } catch (error) {
    throw new UsageError('E_CONFIG', `${file}: not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return resolvePipelineConfig(value, file, dirname(absolute));
}
