import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { Command } from 'commander';
import {
  courseDatabaseName,
  EdxDataError,
  MASTER_TRACKING,
  PIPELINE_LEDGER,
  tryParseCourseId,
  UsageError,
} from '@edx-data/core';
import type { CourseConfig } from '@edx-data/course-extractor';
import type { Document, Store } from '@edx-data/store';
import type { CliCommand, CommandResult, JsonValue } from '../command.js';
import type { CommandContext } from '../context.js';
import type { PipelineConfig } from '../pipeline-config.js';
import { readPipelineConfig } from '../pipeline-config.js';
import { RunRecorder } from '../run-recorder.js';
import { formatCount, indent, plural } from '../text-table.js';
import { runAnonymize } from './anonymize.js';
import { runExport } from './export.js';
import { runExtractCourse } from './extract-course.js';
import { runImport } from './import.js';
import { runLoadTracking } from './load-tracking.js';

/**
 * One configured course in the run ledger (`PIPELINE_LEDGER`: `tracking_logs.pipeline_courses`),
 * keyed by its course database: when each stage last ran for it, and a hash of the settings it
 * ran with (a changed setting runs the stage again).
 */
export interface PipelineCourseEntry extends Document {
  readonly _id: string;
  readonly courseKeys: readonly string[];
  readonly extracted?: Date;
  /** Of the course config's course keys, days and time zone. */
  readonly extractHash?: string;
  readonly exported?: Date;
  /** Of the report names, parameters, gzip and the output folder. */
  readonly exportHash?: string;
  readonly anonymised?: Date;
  /** Of k, the key's file or variable name, and the output folder. */
  readonly anonymiseHash?: string;
}

/** What `runPipeline` hands back: the command's result, and the recorder of its stages. */
export interface PipelineRun {
  readonly result: CommandResult;
  /** The stages, files and report files of the run (what the run report shows). */
  readonly recorder: RunRecorder;
  /** `edx-pipeline run --config <file>`. */
  readonly title: string;
}

function hashOf(value: JsonValue): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

type SummaryRecord = { readonly [key: string]: JsonValue | undefined };

function records(value: JsonValue | undefined): readonly SummaryRecord[] {
  if (!Array.isArray(value)) return [];
  return (value as readonly JsonValue[]).filter(
    (item): item is SummaryRecord =>
      typeof item === 'object' && item !== null && !Array.isArray(item),
  );
}

/** What the loading stages of this run changed, for deciding which course stages run. */
interface Changes {
  /** Course database → collections (re)loaded into it by this run's import. */
  readonly imported: Map<string, Set<string>>;
  /** Tracking log files loaded by this run, each with its events per canonical course key. */
  readonly logs: { readonly file: string; readonly eventsByCourse: Record<string, number> }[];
}

function importChanges(summary: CommandResult['summary'], changes: Changes): void {
  for (const file of records(summary['files'])) {
    if (file['status'] !== 'loaded' || typeof file['database'] !== 'string') continue;
    const collections = changes.imported.get(file['database']) ?? new Set<string>();
    const list = file['collections'];
    if (Array.isArray(list)) {
      for (const name of list as readonly JsonValue[]) {
        if (typeof name === 'string') collections.add(name);
      }
    }
    changes.imported.set(file['database'], collections);
  }
}

function loadChanges(summary: CommandResult['summary'], changes: Changes): void {
  for (const file of records(summary['files'])) {
    if (file['status'] !== 'finished') continue;
    const byCourse = file['eventsByCourse'];
    const eventsByCourse: Record<string, number> = {};
    if (typeof byCourse === 'object' && byCourse !== null && !Array.isArray(byCourse)) {
      for (const [course, n] of Object.entries(byCourse as SummaryRecord)) {
        if (typeof n === 'number' && n > 0) eventsByCourse[course] = n;
      }
    }
    const path = file['file'];
    changes.logs.push({ file: typeof path === 'string' ? basename(path) : '?', eventsByCourse });
  }
}

/** The course id that names the course's database, for `export` and `anonymize --course`. */
function databaseCourse(config: CourseConfig): string {
  const ids = [config.edxId, ...config.courseKeys].filter((id) => id !== undefined);
  return (
    ids.find(
      (id) => tryParseCourseId(id)?.hasRun === true && courseDatabaseName(id) === config.database,
    ) ??
    config.courseKeys[0] ??
    ''
  );
}

/** Why a course's extraction runs this run (none: skipped), and whether it rebuilds. */
function extractReasons(
  course: CourseConfig,
  entry: PipelineCourseEntry | null,
  hash: string,
  changes: Changes,
): { whys: string[]; drop: boolean } {
  const whys: string[] = [];
  let drop = false;
  if (entry?.extracted === undefined) whys.push('never extracted');
  else if (entry.extractHash !== hash) {
    whys.push('course config changed');
    drop = true;
  }
  const touching = changes.logs
    .map((log) => ({
      file: log.file,
      events: course.courseKeys.reduce((sum, key) => sum + (log.eventsByCourse[key] ?? 0), 0),
    }))
    .filter((log) => log.events > 0);
  if (touching.length > 0) {
    const events = touching.reduce((sum, log) => sum + log.events, 0);
    const files =
      touching.length <= 2
        ? touching.map((log) => log.file).join(', ')
        : plural(touching.length, 'log');
    whys.push(`${plural(events, 'new event')} in ${files}`);
  }
  const imported = changes.imported.get(course.database);
  if (imported !== undefined) {
    const names = [...imported].sort();
    whys.push(
      `${course.database} re-imported (${names.length <= 3 ? names.join(', ') : plural(names.length, 'collection')})`,
    );
    // The events' parent_data come from the structure: a new structure rebuilds them.
    if (imported.has('course_structure')) drop = true;
  }
  return { whys, drop };
}

/** The reasons that hold, each given as `[holds, reason]`. */
function holding(reasons: readonly (readonly [boolean, string])[]): string[] {
  return reasons.filter(([holds]) => holds).map(([, why]) => why);
}

/** The stages of one run as they go: recorded, printed, their rejects and failures counted. */
class Steps {
  readonly lines: string[] = [];
  rejected = 0;
  failed = 0;

  constructor(
    private readonly context: CommandContext,
    readonly recorder: RunRecorder,
  ) {}

  /**
   * A loading stage (import, load-tracking): it always runs (its ledger decides file by file),
   * and is recorded `skipped` with the why `unchanged` gives when it loaded nothing new.
   */
  async load(
    name: string,
    subject: string,
    work: () => Promise<CommandResult>,
    unchanged: (totals: SummaryRecord) => string | undefined,
  ): Promise<CommandResult> {
    const result = await this.recorder.stage(name, subject, work, undefined, (r) =>
      unchanged((r.summary['totals'] ?? {}) as SummaryRecord),
    );
    this.count(result);
    const stage = this.recorder.stages.at(-1);
    if (stage?.status === 'skipped')
      this.lines.push(`${name} ${subject}: skipped (${stage.detail})`, '');
    else this.lines.push(`${name} ${subject}`, indent(result.text), '');
    return result;
  }

  /**
   * A stage of one course: skipped (recorded with `skipWhy`) when no reason in `whys` holds;
   * else run, its failure recorded, warned and counted so that the other courses go on.
   * @returns the stage's result, `skipped`, or undefined when it failed
   */
  async course(
    name: string,
    subject: string,
    whys: readonly string[],
    skipWhy: string,
    work: () => Promise<CommandResult>,
  ): Promise<CommandResult | 'skipped' | undefined> {
    if (whys.length === 0) {
      this.recorder.skip(name, subject, skipWhy);
      this.lines.push(`${name} ${subject}: skipped (${skipWhy})`, '');
      return 'skipped';
    }
    this.lines.push(`${name} ${subject}: ${whys.join('; ')}`);
    try {
      const result = await this.recorder.stage(name, subject, work);
      this.count(result);
      this.lines.push(indent(result.text), '');
      return result;
    } catch (error) {
      if (!(error instanceof EdxDataError)) throw error;
      this.failed += 1;
      this.lines.push(indent(`FAILED: ${error.message}`), '');
      this.context.warn(`${name} ${subject}: ${error.message}`);
      return undefined;
    }
  }

  private count(result: CommandResult): void {
    this.rejected += result.rejected ?? 0;
    this.failed += result.failed ?? 0;
  }
}

const outcomeOf = (result: CommandResult | 'skipped' | undefined): string =>
  result === undefined ? 'failed' : result === 'skipped' ? 'skipped' : 'done';

/**
 * The whole pipeline of a config: import, load-tracking, then for each course extract-course,
 * export and anonymise, each skipped when its inputs have not changed since it last ran (the
 * package and tracking ledgers, and the run ledger `tracking_logs.pipeline_courses`).
 */
export async function runPipeline(
  context: CommandContext,
  config: PipelineConfig,
): Promise<PipelineRun> {
  const title = `edx-pipeline run --config ${config.file}`;
  const steps = new Steps(context, new RunRecorder());
  const { recorder } = steps;
  const store: Store = await context.openStore({ fallback: config.store });
  const where = (path: string): string => relative(config.folder, path) || '.';
  const started = performance.now();

  let passphrase: string | undefined;
  const passphraseEnv = config.key?.passphraseEnv;
  if (passphraseEnv !== undefined) {
    passphrase = context.env[passphraseEnv];
    if (passphrase === undefined) {
      throw new UsageError(
        'E_CONFIG',
        `${config.file}: /key/passphraseEnv: the variable ${passphraseEnv} is not set`,
      );
    }
    context.addSecret(passphrase);
  }
  const key = config.key?.file;
  const changes: Changes = { imported: new Map(), logs: [] };

  // 1. The packages, then the logs: their ledgers skip the files loaded before, unchanged.
  if (config.packages.length > 0) {
    const imported = await steps.load(
      'import',
      config.packages.map(where).join(' '),
      () => runImport(context, { inputs: config.packages, key, passphrase }),
      (totals) =>
        totals['loaded'] === 0 && totals['refused'] === 0
          ? `unchanged: ${plural(Number(totals['skipped'] ?? 0), 'file')} loaded before`
          : undefined,
    );
    recorder.addImported(imported.summary);
    importChanges(imported.summary, changes);
  }
  if (config.logs.length > 0) {
    const loaded = await steps.load(
      'load-tracking',
      config.logs.map(where).join(' '),
      () => runLoadTracking(context, { inputs: config.logs, key, passphrase }),
      (totals) =>
        totals['finished'] === 0
          ? `unchanged: ${plural(Number(totals['skipped'] ?? 0), 'file')} loaded before`
          : undefined,
    );
    recorder.addLoaded(loaded.summary);
    loadChanges(loaded.summary, changes);
  }

  // 2. Each course: extract, export, anonymise, each only when its inputs changed.
  const ledger = store
    .db(PIPELINE_LEDGER.database)
    .collection<PipelineCourseEntry>(PIPELINE_LEDGER.collection);
  const { AUDIT_FILE } = await import('@edx-data/anonymizer');
  const base = config.report === undefined ? config.folder : dirname(config.report);
  const courses: JsonValue[] = [];
  for (const { config: course } of config.courses) {
    const subject = course.courseKeys.join(' ');
    const database = course.database;
    const entry = await ledger.findOne({ _id: database });
    const record = async (fields: Partial<PipelineCourseEntry>): Promise<void> => {
      await ledger.updateOne(
        { _id: database },
        { $set: { courseKeys: [...course.courseKeys], ...fields } },
        { upsert: true },
      );
    };
    const outcome: Record<string, string> = {};
    const done = (): void => {
      courses.push({ course: subject, database, ...outcome });
    };

    const extractHash = hashOf({
      courseKeys: [...course.courseKeys],
      from: course.enrollmentDate,
      to: course.completionDate,
      timeZone: course.timeZone,
    });
    const { whys, drop } = extractReasons(course, entry, extractHash, changes);
    const extracted = await steps.course(
      'extract-course',
      subject,
      drop ? [...whys, 'rebuilt from scratch'] : whys,
      'no new events, structure unchanged',
      () => runExtractCourse(context, { config: course, drop }),
    );
    outcome['extract'] = outcomeOf(extracted);
    if (extracted === undefined) {
      done();
      continue;
    }
    if (extracted !== 'skipped') await record({ extracted: new Date(), extractHash });

    const reports = config.reports;
    if (reports === undefined) {
      done();
      continue;
    }
    const reportsDir = join(reports.out, database);
    const exportHash = hashOf({
      names: reports.names === 'all' ? 'all' : [...reports.names],
      params: { ...reports.params },
      gzip: reports.gzip,
      out: reportsDir,
    });
    const exported = await steps.course(
      'export',
      subject,
      holding([
        [extracted !== 'skipped', 'extracted this run'],
        [extracted === 'skipped' && changes.imported.has(database), `${database} re-imported`],
        [entry?.exported === undefined, 'never exported'],
        [
          entry?.exported !== undefined && entry.exportHash !== exportHash,
          'report settings changed',
        ],
        [
          entry?.exported !== undefined && !existsSync(join(reportsDir, 'manifest.json')),
          `no manifest.json in ${where(reportsDir)}`,
        ],
      ]),
      'not extracted or imported this run, report settings unchanged',
      () =>
        runExport(context, {
          reports: reports.names,
          course: databaseCourse(course),
          out: reportsDir,
          params: reports.params,
          gzip: reports.gzip,
        }),
    );
    outcome['export'] = outcomeOf(exported);
    if (exported !== undefined && exported !== 'skipped') {
      recorder.addExported(exported.summary, reportsDir, base, subject);
      await record({ exported: new Date(), exportHash });
    }

    const anonymise = config.anonymise;
    if (anonymise === undefined || exported === undefined) {
      done();
      continue;
    }
    const anonymisedDir = join(anonymise.out, database);
    const anonymiseHash = hashOf({
      k: anonymise.k,
      key: anonymise.keyFile ?? `$${anonymise.keyEnv ?? ''}`,
      out: anonymisedDir,
    });
    const anonymised = await steps.course(
      'anonymise',
      subject,
      holding([
        [exported !== 'skipped', 'exported this run'],
        [entry?.anonymised === undefined, 'never anonymised'],
        [
          entry?.anonymised !== undefined && entry.anonymiseHash !== anonymiseHash,
          'anonymisation settings changed',
        ],
        [
          entry?.anonymised !== undefined && !existsSync(join(anonymisedDir, AUDIT_FILE)),
          `no ${AUDIT_FILE} in ${where(anonymisedDir)}`,
        ],
      ]),
      'no export this run, settings unchanged',
      () =>
        runAnonymize(context, {
          inputs: [reportsDir],
          out: anonymisedDir,
          course: databaseCourse(course),
          options: {
            ...(anonymise.keyFile === undefined ? {} : { keyFile: anonymise.keyFile }),
            ...(anonymise.keyEnv === undefined ? {} : { keyEnv: anonymise.keyEnv }),
            k: String(anonymise.k),
          },
        }),
    );
    outcome['anonymise'] = outcomeOf(anonymised);
    if (anonymised !== undefined && anonymised !== 'skipped') {
      recorder.addAnonymised(anonymised.summary, anonymisedDir, base, subject);
      await record({ anonymised: new Date(), anonymiseHash });
    }
    done();
  }

  // 3. The run report, when the config asks for one: the recorder's stages and files, and the
  // store's figures. On MongoDB, of this run's databases only (the server may hold others).
  let reportFile: string | undefined;
  if (config.report !== undefined) {
    reportFile = config.report;
    await recorder.writeReport(
      reportFile,
      title,
      store,
      store.engine === 'embedded'
        ? undefined
        : [
            ...new Set([
              MASTER_TRACKING.database,
              ...config.courses.map((c) => c.config.database),
              ...changes.imported.keys(),
            ]),
          ],
    );
    steps.lines.push(`The run report: ${where(reportFile)}`, '');
  }

  const seconds = (performance.now() - started) / 1000;
  const tally = (status: string): number =>
    recorder.stages.filter((s) => s.status === status).length;
  steps.lines.push(
    `${plural(recorder.stages.length, 'stage')}: ${formatCount(tally('done'))} ran, ${formatCount(tally('skipped'))} skipped (unchanged), ${formatCount(tally('failed'))} failed (${seconds.toFixed(1)} s).`,
  );
  const result: CommandResult = {
    text: steps.lines.join('\n'),
    summary: {
      config: config.file,
      store: { engine: store.engine, location: store.location },
      seconds: Math.round(seconds * 1000) / 1000,
      stages: recorder.stages.map((s) => ({ ...s })),
      files: recorder.files.map((f) => ({ ...f })),
      courses,
      report: reportFile ?? null,
    },
    rejected: steps.rejected,
    failed: steps.failed,
  };
  return { result, recorder, title };
}

/** `edx-pipeline run --config pipeline.json`: the whole pipeline of a config file. */
export const runPipelineCommand: CliCommand = {
  name: 'run',

  configure(command: Command): void {
    command
      .summary('run the whole pipeline of a config file, skipping what has not changed')
      .description(
        'Run import (the config\u2019s packages), load-tracking (its logs), then for each of its ' +
          'courses extract-course, export and anonymise, into the store of the config (or ' +
          '--store). A stage whose inputs have not changed since it last ran is skipped and ' +
          'says so: a package file or log loaded before is not read again, a course is ' +
          're-extracted only when a log of this run has events of it, its database was ' +
          're-imported or its config changed, and re-exported (and re-anonymised) only after ' +
          'that or when its report settings changed. The config is described in ' +
          'docs/pipeline-config.md.',
      )
      .requiredOption('--config <file>', 'the pipeline config (JSON)');
  },

  async run(context, command): Promise<CommandResult> {
    const options = command.opts<{ config: string }>();
    const config = await readPipelineConfig(options.config);
    const { result } = await runPipeline(context, config);
    return result;
  },
};
