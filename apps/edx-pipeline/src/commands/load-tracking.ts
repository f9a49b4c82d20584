import { basename, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { MASTER_TRACKING, UsageError } from '@edx-data/core';
import type { LoadTrackingLogsResult, TrackingFileResult } from '@edx-data/tracking-loader';
import type { CliCommand, CommandResult } from '../command.js';
import type { CommandContext } from '../context.js';
import { addKeyOptions, passphraseFrom } from '../secret-options.js';
import type { KeyOptions } from '../secret-options.js';
import { formatCount, formatTable, plural } from '../text-table.js';

interface LoadTrackingOptions extends KeyOptions {
  readonly maxRejects?: string;
  readonly verbose?: boolean;
}

/** What `load-tracking` is asked to do, once its options are read. */
export interface LoadTrackingArgs {
  /** Tracking log files, or folders holding them. */
  readonly inputs: readonly string[];
  readonly key?: string | undefined;
  readonly passphrase?: string | undefined;
  readonly maxRejects?: number | undefined;
  /** List every file a folder walk left out. */
  readonly verbose?: boolean | undefined;
}

function parseMaxRejects(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/u.test(value)) {
    throw new UsageError('E_OPTION', `--max-rejects ${value}: expected a whole number ≥ 0`);
  }
  return Number(value);
}

function renderFiles(result: LoadTrackingLogsResult): string {
  const row = (r: TrackingFileResult): string[] => {
    const e = r.entry;
    const n = (value: number | undefined): string =>
      value === undefined || r.status === 'failed' ? '' : formatCount(value);
    return [
      r.file,
      r.status,
      n(e?.lines),
      n(e?.loaded),
      r.status === 'finished' ? formatCount(e?.inserted ?? 0) : '',
      n(e?.duplicates),
      r.status === 'failed' ? '' : formatCount(e?.rejected ?? 0),
    ];
  };
  return formatTable(
    [
      { header: 'file' },
      { header: 'status' },
      { header: 'lines', align: 'right' },
      { header: 'events', align: 'right' },
      { header: 'new', align: 'right' },
      { header: 'repeated', align: 'right' },
      { header: 'rejected', align: 'right' },
    ],
    result.files.map(row),
  );
}

/**
 * Load tracking logs (files, or the logs found in folders) into the master tracking database:
 * one call of `@edx-data/tracking-loader`, and its report.
 */
export async function runLoadTracking(
  context: CommandContext,
  args: LoadTrackingArgs,
): Promise<CommandResult> {
  const { findTrackingLogs, loadTrackingLogs, trackingLayout } =
    await import('@edx-data/tracking-loader');
  const { files, ignored } = await findTrackingLogs(args.inputs.map((input) => resolve(input)));
  if (files.length === 0) {
    throw new UsageError(
      'E_USAGE',
      `no tracking logs in ${args.inputs.join(', ')} (named {org}-edx-events-YYYY-MM-DD.log[.gz][.gpg], tracking.log[-YYYYMMDD][.gz] or tracking.log.N[.gz]${ignored.length > 0 ? `; ${plural(ignored.length, 'other file')} ignored` : ''})`,
    );
  }
  const store = await context.openStore();
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  const before = files.map((_, i) => files.slice(0, i).reduce((sum, file) => sum + file.size, 0));
  const result = await loadTrackingLogs(
    files.map((file) => file.path),
    store,
    {
      key: args.key,
      passphrase: args.passphrase,
      maxRejects: args.maxRejects,
      onProgress: ({ file, index, bytesRead }) => {
        context.progress.bytes(
          `load-tracking ${basename(file)}`,
          (before[index] ?? 0) + bytesRead,
          totalBytes,
        );
      },
    },
  );
  context.progress.clear();

  const finished = result.files.filter((r) => r.status === 'finished');
  const events = finished.reduce((sum, r) => sum + (r.entry?.loaded ?? 0), 0);
  const where = `${MASTER_TRACKING.database}.${MASTER_TRACKING.rejects}`;
  const lines = [
    renderFiles(result),
    '',
    `${plural(result.finished, 'file')} loaded, ${formatCount(result.skipped)} skipped (already loaded), ${formatCount(result.failed)} failed: ${plural(events, 'event')} (${formatCount(result.inserted)} new), ${plural(result.rejected, 'line')} rejected.`,
  ];
  if (ignored.length > 0) {
    lines.push(
      `${plural(ignored.length, 'file')} ignored: not tracking logs by name${args.verbose === true ? ':' : ' (list them with --verbose).'}`,
    );
    if (args.verbose === true) {
      for (const file of ignored) {
        lines.push(`  ${relative(process.cwd(), file.path) || file.path}: ${file.reason}`);
      }
    }
  }
  if (store.engine === 'embedded' && (await trackingLayout(store)) === 'plain') {
    lines.push(
      `${MASTER_TRACKING.database}.${MASTER_TRACKING.events} has the layout of a version before buckets (one document per event): ` +
        '`edx-pipeline convert-tracking` rewrites it as compressed buckets (about an eighth of the size, faster to extract).',
    );
  }
  if (result.rejected > 0) {
    lines.push(
      `Rejected lines are kept with their file, line number, reason and text in ${where} ` +
        `(list them with db.${MASTER_TRACKING.rejects}.find({ file: '<file>' }) in the ${MASTER_TRACKING.database} database).`,
    );
  }
  for (const failure of result.files.filter((r) => r.status === 'failed')) {
    lines.push(`FAILED ${failure.path}: ${failure.error ?? 'unknown error'}`);
  }
  if (result.failed > 0) {
    context.warn(
      `${plural(result.failed, 'file')} could not be loaded (not marked finished; a re-run completes them)`,
    );
  }
  const summary = {
    files: result.files.map((r) => ({
      file: r.path,
      status: r.status,
      hash: r.hash,
      size: r.size,
      lines: r.entry?.lines,
      events: r.entry?.events,
      loaded: r.entry?.loaded,
      inserted: r.entry?.inserted,
      alreadyPresent: r.entry?.alreadyPresent,
      duplicates: r.entry?.duplicates,
      rejected: r.entry?.rejected,
      rejectedByReason: r.entry === null ? undefined : { ...r.entry.rejectedByReason },
      eventsByCourse: r.entry === null ? undefined : { ...r.entry.eventsByCourse },
      error: r.error,
      errorCode: r.errorCode,
    })),
    ignored: ignored.map((file) => ({ file: file.path, reason: file.reason })),
    totals: {
      files: result.files.length,
      finished: result.finished,
      skipped: result.skipped,
      failed: result.failed,
      ignored: ignored.length,
      events,
      inserted: result.inserted,
      rejected: result.rejected,
    },
    rejectedCollection: where,
  };
  return { text: lines.join('\n'), summary, rejected: result.rejected, failed: result.failed };
}

export const loadTrackingCommand: CliCommand = {
  name: 'load-tracking',

  configure(command: Command): void {
    addKeyOptions(
      command
        .summary(`load edX tracking logs into the ${MASTER_TRACKING.database} database`)
        .description(
          'Load tracking logs (.log, .log.gz, .gpg decrypted on the fly) into ' +
            `${MASTER_TRACKING.database}.${MASTER_TRACKING.events} (compressed buckets by course and day on the embedded store), ` +
            'each event keyed by its time and the SHA-1 of its line, so a ' +
            'repeated or re-delivered line is stored once. Each file is recorded in ' +
            `${MASTER_TRACKING.database}.${MASTER_TRACKING.ledger} by the sha256 of its content: a finished file is ` +
            'skipped, an interrupted one is completed. Lines that cannot be loaded are kept with ' +
            `their reason in ${MASTER_TRACKING.database}.${MASTER_TRACKING.rejects}. In folders, files named like ` +
            "edX's daily exports ({org}-edx-events-YYYY-MM-DD.log[.gz][.gpg]) or self-hosted " +
            'Open edX logs (tracking.log and its rotations) are loaded; the others are counted as ignored.',
        )
        .argument('<inputs...>', 'tracking log files, or folders holding them'),
    )
      .option('--max-rejects <n>', 'fail a file that has more than n rejected lines')
      .option('--verbose', 'list the files of the folders that are not tracking logs');
  },

  run(context, command): Promise<CommandResult> {
    const options = command.opts<LoadTrackingOptions>();
    const maxRejects = parseMaxRejects(options.maxRejects);
    return runLoadTracking(context, {
      inputs: command.args,
      key: options.key,
      passphrase: passphraseFrom(context, options),
      maxRejects,
      verbose: options.verbose,
    });
  },
};
