/**
 * What a multi-stage command (`demo`, `run`) records as it goes, for its run report: each
 * stage with its time and outcome, the files the loaders saw, the report files written.
 * The store's own figures are read at the end (`gatherStoreFigures`).
 */
import { mkdir } from 'node:fs/promises';
import { basename, dirname, relative } from 'node:path';
import type { Store } from '@edx-data/store';
import type { CommandResult, JsonValue } from './command.js';
import { storeForReport } from './report-store.js';
import { gatherStoreFigures, writeRunReport } from './run-report/index.js';
import type { RunFile, RunReport, RunReportFile, RunStage } from './run-report/run-report.js';

type Summary = CommandResult['summary'];

function text(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function count(value: JsonValue | undefined): number {
  return typeof value === 'number' ? value : 0;
}

function records(
  value: JsonValue | undefined,
): readonly { readonly [key: string]: JsonValue | undefined }[] {
  if (!Array.isArray(value)) return [];
  return (value as readonly JsonValue[]).filter(
    (item): item is { readonly [key: string]: JsonValue | undefined } =>
      typeof item === 'object' && item !== null && !Array.isArray(item),
  );
}

const FILE_STATUSES: Readonly<Record<string, RunFile['status']>> = {
  loaded: 'loaded',
  finished: 'loaded',
  skipped: 'skipped',
  failed: 'failed',
  superseded: 'superseded',
  refused: 'refused',
};

/** A path in a text: absolute (`/…`) or relative (`./…`, `../…`), after a space or bracket. */
const PATH_IN_TEXT = /(^|[\s(=])((?:\.{1,2})?\/[^\s,;()]+)/gu;

/**
 * `text` with every path replaced by its last segment (a run report may be shared: it names
 * files, never where they are on the machine).
 */
export function withoutPaths(text: string): string {
  return text.replace(PATH_IN_TEXT, (_, before: string, path: string) => {
    const trailing = /[.:]$/u.exec(path)?.[0] ?? '';
    const bare = trailing === '' ? path : path.slice(0, -1);
    return `${before}${basename(bare) || bare}${trailing}`;
  });
}

function optionalWithoutPaths(text: string | undefined): string | undefined {
  return text === undefined ? undefined : withoutPaths(text);
}

export class RunRecorder {
  readonly started = new Date();
  readonly stages: RunStage[] = [];
  readonly files: RunFile[] = [];
  readonly reports: RunReportFile[] = [];
  readonly warnings: string[] = [];

  /**
   * Run one stage and record it: its time, and `done`, or `failed` with the error's message
   * (then the error goes on to the caller). `unchanged` says why a stage that ran found
   * nothing new to do (every file loaded before): it is then recorded `skipped`, with that why.
   */
  async stage(
    name: string,
    subject: string,
    work: () => Promise<CommandResult>,
    detail: (result: CommandResult) => string = (result) => result.text.split('\n').at(-1) ?? '',
    unchanged: (result: CommandResult) => string | undefined = () => undefined,
  ): Promise<CommandResult> {
    const started = performance.now();
    const seconds = (): number => Math.round(performance.now() - started) / 1000;
    try {
      const result = await work();
      const failed = result.failed ?? 0;
      const why = failed > 0 ? undefined : unchanged(result);
      this.stages.push({
        name,
        subject,
        status: failed > 0 ? 'failed' : why === undefined ? 'done' : 'skipped',
        detail: withoutPaths(why ?? detail(result)),
        seconds: seconds(),
      });
      return result;
    } catch (error) {
      this.stages.push({
        name,
        subject,
        status: 'failed',
        detail: withoutPaths(error instanceof Error ? error.message : String(error)),
        seconds: seconds(),
      });
      throw error;
    }
  }

  /** A stage that did not run, and why. */
  skip(name: string, subject: string, why: string): void {
    this.stages.push({ name, subject, status: 'skipped', detail: withoutPaths(why), seconds: 0 });
  }

  /** The files of an `import` summary (`runImport`). */
  addImported(summary: Summary): void {
    for (const file of records(summary.files)) {
      this.files.push({
        stage: 'import',
        file: basename(text(file.file) ?? ''),
        status: FILE_STATUSES[text(file.status) ?? ''] ?? 'failed',
        records: count(file.rows),
        rejected: count(file.rejected),
        reason:
          optionalWithoutPaths(text(file.error) ?? text(file.supersededBy)) ??
          (file.status === 'skipped' ? 'loaded before, unchanged' : undefined),
      });
    }
  }

  /** The files of a `load-tracking` summary (`runLoadTracking`). */
  addLoaded(summary: Summary): void {
    for (const file of records(summary.files)) {
      const status = FILE_STATUSES[text(file.status) ?? ''] ?? 'failed';
      this.files.push({
        stage: 'load-tracking',
        file: basename(text(file.file) ?? ''),
        status,
        records: status === 'loaded' ? count(file.loaded) : 0,
        rejected: status === 'loaded' ? count(file.rejected) : 0,
        reason:
          optionalWithoutPaths(text(file.error)) ??
          (status === 'skipped' ? 'loaded before, unchanged' : undefined),
      });
    }
  }

  /**
   * The report files of an export summary (its manifest, `runExport`) written in `dir`, named
   * relative to `base` (the run report's folder).
   */
  addExported(summary: Summary, dir: string, base: string, course: string): void {
    for (const report of records(summary.reports)) {
      for (const file of records(report.files)) {
        this.reports.push({
          course,
          report: text(report.name) ?? '',
          file: relative(base, `${dir}/${text(file.file) ?? ''}`),
          rows: count(file.rows),
          anonymised: false,
        });
      }
    }
  }

  /** The files of an anonymisation summary (its audit, `runAnonymize`) written in `dir`. */
  addAnonymised(summary: Summary, dir: string, base: string, course: string): void {
    for (const file of records(summary.files)) {
      const output = text(file.output) ?? '';
      this.reports.push({
        course,
        report: basename(output).replace(/\.csv(?:\.gz)?$/u, ''),
        file: relative(base, `${dir}/${basename(output)}`),
        rows: count(file.rowsWritten),
        anonymised: true,
      });
    }
  }

  /**
   * The run report, with the store's figures read at the end (`gatherStoreFigures`): their
   * warnings come after the recorder's.
   */
  report(
    title: string,
    store: RunReport['store'],
    figures: Pick<RunReport, 'eventsByDay' | 'rejects' | 'collections'> & {
      readonly warnings?: readonly string[];
    },
  ): RunReport {
    return {
      title: withoutPaths(title),
      started: this.started,
      finished: new Date(),
      store,
      stages: this.stages,
      files: this.files,
      reports: this.reports,
      eventsByDay: figures.eventsByDay,
      rejects: figures.rejects,
      collections: figures.collections,
      warnings: [...this.warnings, ...(figures.warnings ?? [])],
    };
  }

  /**
   * Write the run report to `file` (its folder created if needed): this recorder's stages,
   * files and report files, and the store's figures of `databases` (every database of the
   * store when not given; pass them on a shared MongoDB server).
   */
  async writeReport(
    file: string,
    title: string,
    store: Store,
    databases?: readonly string[],
  ): Promise<void> {
    const figures = await gatherStoreFigures(store, databases === undefined ? {} : { databases });
    const folder = dirname(file);
    await mkdir(folder, { recursive: true });
    await writeRunReport(file, this.report(title, storeForReport(store, folder), figures));
  }
}
