import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { COURSE_COLLECTIONS, PACKAGE_LEDGER, UsageError } from '@edx-data/core';
import type { ImportPackageResult, PackageFileResult } from '@edx-data/course-extractor';
import type { CliCommand, CommandResult } from '../command.js';
import type { CommandContext } from '../context.js';
import { addKeyOptions, passphraseFrom } from '../secret-options.js';
import type { KeyOptions } from '../secret-options.js';
import { formatCount, formatTable, plural } from '../text-table.js';

interface ImportCommandOptions extends KeyOptions {
  readonly courseId?: string;
  readonly maxRejectedShare?: string;
  readonly reload?: boolean;
}

/** What `import` is asked to do, once its options are read. */
export interface ImportArgs {
  /** Package folders, weekly zips, or files. */
  readonly inputs: readonly string[];
  readonly key?: string | undefined;
  readonly passphrase?: string | undefined;
  readonly courseId?: string | undefined;
  readonly maxRejectedShare?: number | undefined;
  /** Read every file, even one loaded before unchanged. */
  readonly reload?: boolean | undefined;
}

function parseShare(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new UsageError(
      'E_OPTION',
      `--max-rejected-share ${text}: expected a number from 0 to 1 (0.1 = one row in ten)`,
    );
  }
  return value;
}

function renderFiles(result: ImportPackageResult): string {
  const collections = (r: PackageFileResult): string =>
    r.database === undefined
      ? r.collections.join(', ')
      : `${r.database}.${r.collections.join(`, ${r.database}.`)}`;
  const note = (r: PackageFileResult): string => {
    if (r.status === 'superseded') return `superseded by ${r.supersededBy ?? '?'}`;
    if (r.status === 'failed' || r.status === 'refused') return r.error ?? '';
    if (r.status === 'skipped' && r.loadedBefore !== undefined) {
      return `unchanged since ${r.loadedBefore.at.toISOString()} (${formatCount(r.loadedBefore.rows)} rows)`;
    }
    return r.notes.join('; ');
  };
  return formatTable(
    [
      { header: 'file' },
      { header: 'status' },
      { header: 'database.collection' },
      { header: 'rows', align: 'right' },
      { header: 'rejected', align: 'right' },
      { header: 'notes' },
    ],
    result.files.map((r) => [
      basename(r.path),
      r.status,
      collections(r),
      r.status === 'loaded' || r.status === 'refused' ? formatCount(r.rows) : '',
      r.status === 'loaded' || r.status === 'refused' ? formatCount(r.rejected) : '',
      note(r),
    ]),
  );
}

/**
 * Import the table, forum and structure files of packages into their course databases: one
 * call of `importPackage` (`@edx-data/course-extractor`), and its report.
 */
export async function runImport(context: CommandContext, args: ImportArgs): Promise<CommandResult> {
  const { importPackage } = await import('@edx-data/course-extractor');
  const store = await context.openStore();
  const result = await importPackage(
    store,
    args.inputs.map((input) => resolve(input)),
    {
      key: args.key,
      passphrase: args.passphrase,
      courseId: args.courseId,
      maxRejectedShare: args.maxRejectedShare,
      reload: args.reload,
      onProgress: ({ file, runBytesRead, runTotalBytes }) => {
        context.progress.bytes(`import ${basename(file)}`, runBytesRead, runTotalBytes);
      },
    },
  );
  context.progress.clear();
  if (result.files.length === 0) {
    throw new UsageError(
      'E_USAGE',
      `no table, forum or course structure files (…-<table>-prod-analytics.sql, …-prod.mongo, …-course_structure-prod-analytics.json, .gpg or not) in ${args.inputs.join(', ')}`,
    );
  }
  const { totals } = result;
  const failed = totals.failed + totals.refused;
  const lines = [
    renderFiles(result),
    '',
    `${plural(totals.loaded, 'file')} loaded: ${plural(totals.rows, 'row')}, ${plural(totals.rejected, 'row')} rejected, ${plural(totals.invalidCells, 'invalid cell')}` +
      (totals.skipped > 0 ? `; ${formatCount(totals.skipped)} skipped (unchanged)` : '') +
      (totals.refused > 0 ? `; ${formatCount(totals.refused)} refused` : '') +
      (totals.failed > 0 ? `; ${formatCount(totals.failed)} failed` : '') +
      `${totals.superseded > 0 ? `; ${formatCount(totals.superseded)} superseded by a newer package` : ''}.`,
  ];
  if (totals.rejected > 0 || totals.invalidCells > 0) {
    lines.push(
      `Rejected rows and invalid cells are kept with their reasons in each course database's ${COURSE_COLLECTIONS.rejects} collection.`,
    );
  }
  if (totals.notImported > 0) {
    const kinds = new Map<string, number>();
    for (const file of result.notImported) kinds.set(file.kind, (kinds.get(file.kind) ?? 0) + 1);
    lines.push(
      `Not loaded by import: ${[...kinds].map(([kind, n]) => `${formatCount(n)} ${kind}`).join(', ')}.`,
    );
  }
  if (result.files.some((r) => r.droppedBeforeRename)) {
    lines.push(
      'The server has no renameCollection dropTarget: each old collection was dropped just before its replacement was renamed in.',
    );
  }
  for (const r of result.files) {
    if (r.status === 'failed') lines.push(`FAILED ${r.path}: ${r.error ?? 'unknown error'}`);
    if (r.status === 'refused') lines.push(`REFUSED ${r.path}: ${r.error ?? ''}`);
  }
  if (failed > 0) {
    context.warn(
      `${plural(failed, 'file')} could not be imported (their collections were left as they were)`,
    );
  }
  const summary = {
    files: result.files.map((r) => ({
      file: r.path,
      kind: r.kind,
      status: r.status,
      packageDate: r.packageDate,
      database: r.database,
      collections: [...r.collections],
      rows: r.rows,
      rejected: r.rejected,
      rejectedByReason: { ...r.rejectedByReason },
      invalidCells: r.invalidCells,
      notes: [...r.notes],
      error: r.error,
      errorCode: r.errorCode,
      supersededBy: r.supersededBy,
      hash: r.hash,
      loadedBefore:
        r.loadedBefore === undefined
          ? undefined
          : { ...r.loadedBefore, at: r.loadedBefore.at.toISOString() },
    })),
    notImported: result.notImported.map((f) => ({ file: f.path, kind: f.kind })),
    totals: { ...totals },
  };
  return { text: lines.join('\n'), summary, rejected: totals.rejected, failed };
}

export const importCommand: CliCommand = {
  name: 'import',

  configure(command: Command): void {
    addKeyOptions(
      command
        .summary('load the database tables of a data package into course databases')
        .description(
          'Load the table files (.sql, which are TSV, or real mysqldump files), forum dumps ' +
            '(.mongo) and course structures (.json) of package folders, weekly .zip files, or ' +
            'the files given (.gpg decrypted on the fly), each into the database of its course ' +
            `(collections ${COURSE_COLLECTIONS.user}, ${COURSE_COLLECTIONS.userprofile}, ${COURSE_COLLECTIONS.enrollment}, ${COURSE_COLLECTIONS.certificates}, ${COURSE_COLLECTIONS.courseware_studentmodule}, ` +
            `${COURSE_COLLECTIONS.user_id_map}, ${COURSE_COLLECTIONS.forum}, ${COURSE_COLLECTIONS.course_structure}, and every other table under its own name). ` +
            'A collection is replaced only once its file was read whole, and not when the file ' +
            'lost too many rows (refused). Of several packages of the same course, the newest ' +
            `wins. Rejected rows and invalid cells are kept in each course database's ${COURSE_COLLECTIONS.rejects} collection. ` +
            `Each file loaded is recorded in ${PACKAGE_LEDGER.database}.${PACKAGE_LEDGER.collection} by the SHA-256 of its bytes: ` +
            'a file loaded before, unchanged, into collections still there is skipped (--reload reads it again).',
        )
        .argument('<inputs...>', 'package folders, weekly .zip files, or table files'),
    )
      .option('--course-id <id>', 'load every file into this course, whatever the file names say')
      .option(
        '--max-rejected-share <x>',
        'refuse a table file when more than this share of its rows are rejected (default 0.1)',
      )
      .option('--reload', 'read every file again, even one loaded before unchanged');
  },

  run(context, command): Promise<CommandResult> {
    const options = command.opts<ImportCommandOptions>();
    return runImport(context, {
      inputs: command.args,
      key: options.key,
      passphrase: passphraseFrom(context, options),
      courseId: options.courseId,
      maxRejectedShare: parseShare(options.maxRejectedShare),
      reload: options.reload === true,
    });
  },
};
