import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import type { InputFile } from '@edx-data/core';
import { InputError, UsageError, classifyFile, walkInputs } from '@edx-data/core';
import type { CliCommand, CommandResult } from '../command.js';
import type { TableImportResult } from '../import/import-tables.js';
import { REJECTED_COLLECTION, importTableFile } from '../import/import-tables.js';
import { formatCount, formatTable, plural } from '../text-table.js';

interface ImportCommandOptions {
  readonly key?: string;
  readonly passphraseEnv?: string;
  readonly courseId?: string;
}

/** The files named on the command line: folders and zips walked, files classified. */
async function inputFiles(paths: readonly string[]): Promise<InputFile[]> {
  const files: InputFile[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (info === null)
      throw new InputError('E_FILE_NOT_FOUND', 'no such file or folder', { file: path });
    if (info.isDirectory() || (info.isFile() && /\.zip$/iu.test(path))) {
      for await (const file of walkInputs(path)) files.push(file);
    } else {
      files.push({ path, size: info.size, classification: classifyFile(path) });
    }
  }
  return files;
}

interface FailedFile {
  readonly file: string;
  readonly error: string;
}

/** One loaded file, whatever its kind, for the table and the JSON summary. */
interface LoadedFile {
  readonly file: string;
  readonly kind: 'table' | 'forum' | 'course_structure';
  readonly database: string;
  readonly collection: string;
  readonly rows: number;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Record<string, number>>;
  readonly note: string;
}

function fromTable(r: TableImportResult): LoadedFile {
  return {
    file: r.file,
    kind: 'table',
    database: r.database,
    collection: r.collection,
    rows: r.rows,
    rejected: r.rejected,
    rejectedByReason: r.rejectedByReason,
    note: [
      r.unknownTable ? 'unknown table (loaded as text)' : '',
      r.unknownColumns.length > 0 ? `new columns: ${r.unknownColumns.join(', ')}` : '',
      r.missingColumns.length > 0 ? `missing: ${r.missingColumns.join(', ')}` : '',
    ]
      .filter((part) => part !== '')
      .join('; '),
  };
}

const LOADED_KINDS = new Set(['table', 'forum', 'course_structure']);

export const importCommand: CliCommand = {
  name: 'import',

  configure(command: Command): void {
    command
      .summary('load the database tables of a data package into course databases')
      .description(
        'Load the table files (.sql, which are TSV, or real mysqldump files; .gpg decrypted on ' +
          'the fly) of a package folder, a weekly .zip, or the files given, each into the ' +
          'database of its course (collections user, userprofile, enrollment, certificates, ' +
          'courseware_studentmodule, user_id_map, and every other table under its own name). ' +
          'A re-import replaces a collection only once its file was read whole. Rejected rows ' +
          `are kept in each course database's ${REJECTED_COLLECTION} collection.`,
      )
      .argument('<inputs...>', 'package folders, weekly .zip files, or table files')
      .option('--key <file>', 'OpenPGP private key (armored) for .gpg files')
      .option('--passphrase-env <var>', 'environment variable holding the key passphrase')
      .option('--course-id <id>', 'load every table into this course, whatever the file names say');
  },

  async run(context, command): Promise<CommandResult> {
    const options = command.opts<ImportCommandOptions>();
    const paths = command.args.map((arg) => resolve(arg));
    let passphrase: string | undefined;
    if (options.passphraseEnv !== undefined) {
      passphrase = context.env[options.passphraseEnv];
      if (passphrase === undefined) {
        throw new UsageError(
          'E_OPTION',
          `--passphrase-env ${options.passphraseEnv}: that variable is not set`,
        );
      }
      context.addSecret(passphrase);
    }
    const all = await inputFiles(paths);
    const tables = all.filter((file) => LOADED_KINDS.has(file.classification.kind));
    const skipped = all.filter((file) => !LOADED_KINDS.has(file.classification.kind));
    if (tables.length === 0) {
      throw new UsageError(
        'E_USAGE',
        `no table, forum or course structure files (…-<table>-prod-analytics.sql, …-prod.mongo, …-course_structure-prod-analytics.json, .gpg or not) in ${paths.join(', ')}`,
      );
    }
    const store = await context.openStore();
    const totalBytes = tables.reduce((sum, file) => sum + file.size, 0);
    let doneBytes = 0;
    const results: LoadedFile[] = [];
    const failed: FailedFile[] = [];
    for (const file of tables) {
      const name = basename(file.zip?.entry ?? file.path);
      const onProgress = (bytesRead: number): void => {
        context.progress.bytes(`import ${name}`, doneBytes + bytesRead, totalBytes);
      };
      try {
        if (file.classification.kind === 'course_structure') {
          const { importCourseStructure } = await import('@edx-data/course-extractor');
          const structure = await importCourseStructure(store, file.zip ?? file.path, {
            key: options.key,
            passphrase,
            courseId: options.courseId,
          });
          const missing = structure.issues.missingChildren.length;
          const several = structure.issues.multipleParents.length;
          results.push({
            file: file.path,
            kind: 'course_structure',
            database: structure.database,
            collection: 'course_structure',
            rows: structure.blocks,
            rejected: 0,
            rejectedByReason: {},
            note: [
              'course_axis too',
              missing > 0 ? `${formatCount(missing)} missing children` : '',
              several > 0 ? `${formatCount(several)} blocks with several parents` : '',
            ]
              .filter((part) => part !== '')
              .join('; '),
          });
        } else if (file.classification.kind === 'forum') {
          const { loadForum } = await import('@edx-data/forum-importer');
          const forum = await loadForum(store, file.zip ?? file.path, {
            key: options.key,
            passphrase,
            courseId: options.courseId,
            onProgress: ({ bytesRead }) => {
              onProgress(bytesRead);
            },
          });
          results.push({
            file: file.path,
            kind: 'forum',
            database: forum.database,
            collection: 'forum',
            rows: forum.documents,
            rejected: forum.rejected,
            rejectedByReason: forum.rejectedByReason,
            note: `${formatCount(forum.byType.thread)} threads, ${formatCount(forum.byType.response)} responses, ${formatCount(forum.byType.comment)} comments (also in forum_posts)`,
          });
        } else {
          results.push(
            fromTable(
              await importTableFile(store, file, {
                key: options.key,
                passphrase,
                courseId: options.courseId,
                onProgress,
              }),
            ),
          );
        }
      } catch (error) {
        failed.push({
          file: file.path,
          error: error instanceof Error ? error.message : String(error),
        });
      }
      doneBytes += file.size;
    }
    context.progress.clear();

    const rejected = results.reduce((sum, r) => sum + r.rejected, 0);
    const rows = results.reduce((sum, r) => sum + r.rows, 0);
    const table = formatTable(
      [
        { header: 'file' },
        { header: 'database.collection' },
        { header: 'rows', align: 'right' },
        { header: 'rejected', align: 'right' },
        { header: 'notes' },
      ],
      results.map((r) => [
        basename(r.file),
        `${r.database}.${r.collection}`,
        formatCount(r.rows),
        formatCount(r.rejected),
        r.note,
      ]),
    );
    const lines = [
      table,
      '',
      `${plural(results.length, 'file')} loaded: ${plural(rows, 'row')}, ${plural(rejected, 'row')} rejected.`,
    ];
    if (rejected > 0) {
      lines.push(
        `Rejected rows are kept with their reasons in each course database's ${REJECTED_COLLECTION} collection.`,
      );
    }
    if (skipped.length > 0) {
      const kinds = new Map<string, number>();
      for (const file of skipped)
        kinds.set(file.classification.kind, (kinds.get(file.classification.kind) ?? 0) + 1);
      lines.push(
        `Not loaded by import: ${[...kinds].map(([kind, n]) => `${formatCount(n)} ${kind}`).join(', ')}.`,
      );
    }
    for (const failure of failed) lines.push(`FAILED ${failure.file}: ${failure.error}`);
    const summary = {
      files: results.map((r) => ({
        file: r.file,
        kind: r.kind,
        database: r.database,
        collection: r.collection,
        rows: r.rows,
        rejected: r.rejected,
        rejectedByReason: { ...r.rejectedByReason },
        notes: r.note,
      })),
      totals: {
        files: results.length,
        rows,
        rejected,
        failed: failed.length,
        skipped: skipped.length,
      },
      failed: failed.map((f) => ({ file: f.file, error: f.error })),
    };
    if (failed.length > 0) {
      context.warn(
        `${plural(failed.length, 'file')} could not be imported (their collections were left as they were)`,
      );
    }
    return { text: lines.join('\n'), summary, rejected, failed: failed.length };
  },
};
