import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '@edx-data/core';
import type { ExportManifest } from '@edx-data/csv-exporter';
import type { CliCommand, CommandResult, JsonValue } from '../command.js';
import type { CommandContext } from '../context.js';
import { formatCount, formatTable, plural } from '../text-table.js';
import type { AnonymizeCommandOptions } from './anonymize.js';
import { addAnonymizeOptions, anonymizeSettings, renderAudit } from './anonymize.js';

interface ExportCommandOptions extends AnonymizeCommandOptions {
  readonly anonymize?: boolean;
  readonly course?: string;
  readonly out?: string;
  readonly param?: readonly string[];
  readonly from?: string;
  readonly to?: string;
  readonly splitRows?: string;
  readonly gzip?: boolean;
  readonly bom?: boolean;
  readonly list?: boolean;
}

/** What `export` is asked to do, once its options are read. */
export interface ExportArgs {
  /** Report names, or `all`. */
  readonly reports: readonly string[] | 'all';
  readonly course: string;
  readonly out: string;
  readonly params?: Readonly<Record<string, string>> | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly splitRows?: number | undefined;
  readonly gzip?: boolean | undefined;
  readonly bom?: boolean | undefined;
  /** Write only anonymised files (the raw export goes to a private temporary folder, removed). */
  readonly anonymize?: AnonymizeCommandOptions | undefined;
}

function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parseParams(items: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf('=');
    if (at <= 0) {
      throw new UsageError(
        'E_OPTION',
        `--param ${item}: expected name=value (or report.name=value)`,
      );
    }
    params[item.slice(0, at)] = item.slice(at + 1);
  }
  return params;
}

function parseSplit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/u.test(text) || Number(text) < 1) {
    throw new UsageError('E_OPTION', `--split-rows ${text}: expected a whole number ≥ 1`);
  }
  return Number(text);
}

/** `export --list`: every report, its question and parameters. */
export async function runExportList(): Promise<CommandResult> {
  const { CATALOGUE } = await import('@edx-data/csv-exporter');
  const table = formatTable(
    [{ header: 'report' }, { header: 'question' }, { header: 'parameters' }],
    CATALOGUE.map((r) => [
      r.name,
      r.question,
      r.parameters
        .map(
          (p) =>
            `${p.name}${p.default === undefined ? '' : `=${Array.isArray(p.default) ? p.default.join(',') : String(p.default as string | number | boolean)}`}`,
        )
        .join(' '),
    ]),
  );
  return {
    text: `${table}\n\n${plural(CATALOGUE.length, 'report')}; definitions: docs/reports.md`,
    summary: {
      reports: CATALOGUE.map((r) => ({
        name: r.name,
        question: r.question,
        version: r.version,
        kind: r.kind,
        parameters: r.parameters.map((p) => ({
          name: p.name,
          type: p.type,
          description: p.description,
          default: Array.isArray(p.default)
            ? [...(p.default as readonly string[])]
            : (p.default as string | number | boolean | undefined),
          required: p.required === true,
        })),
      })),
    },
  };
}

function render(manifest: ExportManifest, out: string): string {
  const where = relative(process.cwd(), out) || '.';
  const table = formatTable(
    [
      { header: 'report' },
      { header: 'rows', align: 'right' },
      { header: 'files' },
      { header: 'seconds', align: 'right' },
    ],
    manifest.reports.map((r) => [
      r.name,
      formatCount(r.rows),
      r.files.map((f) => f.file).join(', '),
      r.seconds.toFixed(1),
    ]),
  );
  return [
    `${manifest.course.database}: ${plural(manifest.reports.length, 'report')} written to ${where} (${manifest.seconds.toFixed(1)} s, ${formatCount(manifest.inputs.trackingEvents)} events read once)`,
    table,
    ...manifest.skipped.map((s) => `skipped ${s.name}: ${s.reason}`),
    '',
    `Each report has its data dictionary beside it (<report>.schema.json); the run is described in ${where}/manifest.json.`,
  ].join('\n');
}

/** Export reports of one course (`exportReports` of `@edx-data/csv-exporter`), and report. */
export async function runExport(context: CommandContext, args: ExportArgs): Promise<CommandResult> {
  if (args.anonymize !== undefined) return runExportAnonymized(context, args, args.anonymize);
  const { exportReports } = await import('@edx-data/csv-exporter');
  const store = await context.openStore({ create: false });
  const out = resolve(args.out);
  const manifest = await exportReports(store, {
    course: args.course,
    reports: args.reports,
    out,
    params: args.params,
    from: args.from,
    to: args.to,
    splitRows: args.splitRows,
    gzip: args.gzip,
    bom: args.bom,
    onProgress: ({ report, events }) => {
      context.progress.update(
        report === 'tracking'
          ? `export: course events, ${formatCount(events ?? 0)} read`
          : `export: ${report}`,
      );
    },
  });
  context.progress.clear();
  return {
    text: render(manifest, out),
    // (the manifest is plain JSON: dates are ISO strings already)
    summary: JSON.parse(JSON.stringify(manifest)) as { readonly [key: string]: JsonValue },
  };
}

/**
 * `export --anonymize`: the reports exported to a private temporary folder, anonymised into
 * `--out`, the temporary folder removed whatever happens: only anonymised files reach `--out`.
 */
async function runExportAnonymized(
  context: CommandContext,
  args: ExportArgs,
  options: AnonymizeCommandOptions,
): Promise<CommandResult> {
  const { anonymizeFiles } = await import('@edx-data/anonymizer');
  const raw = await mkdtemp(join(tmpdir(), 'edx-pipeline-export-'));
  try {
    // (the key and options are checked before anything is exported)
    const settings = await anonymizeSettings(context, {
      inputs: [raw],
      out: args.out,
      course: args.course,
      options,
    });
    const exported = await runExport(context, { ...args, out: raw, anonymize: undefined });
    const audit = await anonymizeFiles(settings);
    context.progress.clear();
    return {
      text: renderAudit(audit, settings.out),
      summary: {
        export: exported.summary,
        anonymisation: JSON.parse(JSON.stringify(audit)) as { readonly [key: string]: JsonValue },
      },
    };
  } finally {
    await rm(raw, { recursive: true, force: true });
  }
}

export const exportCommand: CliCommand = {
  name: 'export',

  configure(command: Command): void {
    command
      .summary('write research reports of a course as CSV, with data dictionaries')
      .description(
        'Write reports of the catalogue (docs/reports.md) for one course of the store: each as ' +
          '<report>.csv (RFC 4180, UTF-8, ISO 8601 UTC times) beside <report>.schema.json (its ' +
          'columns, types, definition and version), and one manifest.json (course, store, ' +
          'parameters, files with row counts and SHA-256, time taken). The reports over the ' +
          'course events share one read of them. `export --list` lists the reports.',
      )
      .argument('[reports...]', 'report names, or all')
      .option(
        '--course <id>',
        'the course (any form of its id), or all: every course of the store in one file per report, with a course_id column',
      )
      .option('--out <dir>', 'the folder to write into')
      .option(
        '--param <name=value>',
        'a report parameter (report.name=value for one report); repeat',
        collect,
      )
      .option('--from <YYYY-MM-DD>', 'first day of the events read (UTC, included)')
      .option('--to <YYYY-MM-DD>', 'last day of the events read (UTC, included)')
      .option('--split-rows <n>', 'start a new file every n rows (<report>_1.csv, …)')
      .option('--gzip', 'write .csv.gz')
      .option('--bom', 'start each file with a UTF-8 byte order mark (for spreadsheet programs)')
      .option('--list', 'list the reports, their questions and parameters')
      .option(
        '--anonymize',
        'write only anonymised files (see anonymize; the raw reports never reach --out)',
      );
    addAnonymizeOptions(command);
  },

  run(context, command): Promise<CommandResult> {
    const options = command.opts<ExportCommandOptions>();
    if (options.list === true) return runExportList();
    const names = command.args;
    if (names.length === 0) {
      throw new UsageError(
        'E_USAGE',
        'name the reports to export (or all); export --list lists them',
      );
    }
    if (options.course === undefined) throw new UsageError('E_USAGE', 'give --course <id>');
    if (options.out === undefined) throw new UsageError('E_USAGE', 'give --out <dir>');
    if (options.anonymize !== true && (options.keyEnv ?? options.keyFile) !== undefined) {
      throw new UsageError('E_USAGE', 'a pseudonym key is only read with --anonymize');
    }
    return runExport(context, {
      reports: names.includes('all') ? 'all' : names,
      course: options.course,
      out: options.out,
      params: parseParams(options.param ?? []),
      from: options.from,
      to: options.to,
      splitRows: parseSplit(options.splitRows),
      gzip: options.gzip,
      bom: options.bom,
      anonymize: options.anonymize === true ? options : undefined,
    });
  },
};
