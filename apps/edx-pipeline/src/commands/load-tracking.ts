import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError, UsageError, walkInputs } from '@edx-data/core';
import type { TrackingFileResult } from '@edx-data/tracking-loader';
import type { CliCommand, CommandResult } from '../command.js';
import { formatCount, formatTable, plural } from '../text-table.js';

interface LoadTrackingOptions {
  readonly key?: string;
  readonly passphraseEnv?: string;
  readonly maxRejects?: string;
}

/** Files named on the command line are loaded as given; folders give their tracking logs. */
async function trackingFiles(paths: readonly string[]): Promise<{ path: string; size: number }[]> {
  const files: { path: string; size: number }[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (info === null)
      throw new InputError('E_FILE_NOT_FOUND', 'no such file or folder', { file: path });
    if (info.isDirectory()) {
      for await (const file of walkInputs(path)) {
        if (file.classification.kind === 'events' && file.zip === undefined) {
          files.push({ path: file.path, size: file.size });
        }
      }
    } else {
      files.push({ path, size: info.size });
    }
  }
  return files;
}

function parseMaxRejects(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/u.test(value)) {
    throw new UsageError('E_OPTION', `--max-rejects ${value}: expected a whole number ≥ 0`);
  }
  return Number(value);
}

export const loadTrackingCommand: CliCommand = {
  name: 'load-tracking',

  configure(command: Command): void {
    command
      .summary('load edX tracking logs into the tracking_logs database')
      .description(
        'Load tracking logs (.log, .log.gz, .gpg decrypted on the fly) into ' +
          'tracking_logs.tracking, one document per event keyed by its time and the SHA-1 of its line, so a ' +
          'repeated or re-delivered line is stored once. Each file is recorded in ' +
          'tracking_logs.tracking_imported by the sha256 of its content: a finished file is ' +
          'skipped, an interrupted one is completed. Lines that cannot be loaded are kept with ' +
          'their reason in tracking_logs.tracking_rejected.',
      )
      .argument('<inputs...>', 'tracking log files, or folders holding them')
      .option('--key <file>', 'OpenPGP private key (armored) for .gpg files')
      .option('--passphrase-env <var>', 'environment variable holding the key passphrase')
      .option('--max-rejects <n>', 'fail a file that has more than n rejected lines');
  },

  async run(context, command): Promise<CommandResult> {
    const options = command.opts<LoadTrackingOptions>();
    const maxRejects = parseMaxRejects(options.maxRejects);
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
    const files = await trackingFiles(paths);
    if (files.length === 0) {
      throw new UsageError(
        'E_USAGE',
        `no tracking logs ({org}-edx-events-YYYY-MM-DD.log[.gz][.gpg]) in ${paths.join(', ')}`,
      );
    }
    const { loadTrackingLogs, TRACKING_DATABASE, TRACKING_REJECTED_COLLECTION } =
      await import('@edx-data/tracking-loader');
    const store = await context.openStore();
    const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
    const before = files.map((_, i) => files.slice(0, i).reduce((sum, file) => sum + file.size, 0));
    const result = await loadTrackingLogs(
      files.map((file) => file.path),
      store,
      {
        key: options.key,
        passphrase,
        maxRejects,
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
    const table = formatTable(
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
    const finished = result.files.filter((r) => r.status === 'finished');
    const events = finished.reduce((sum, r) => sum + (r.entry?.loaded ?? 0), 0);
    const where = `${TRACKING_DATABASE}.${TRACKING_REJECTED_COLLECTION}`;
    const lines = [
      table,
      '',
      `${plural(result.finished, 'file')} loaded, ${formatCount(result.skipped)} skipped (already loaded), ${formatCount(result.failed)} failed: ${plural(events, 'event')} (${formatCount(result.inserted)} new), ${plural(result.rejected, 'line')} rejected.`,
    ];
    if (result.rejected > 0) {
      lines.push(
        `Rejected lines are kept with their file, line number, reason and text in ${where} ` +
          `(list them with db.${TRACKING_REJECTED_COLLECTION}.find({ file: '<file>' }) in the ${TRACKING_DATABASE} database).`,
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
      })),
      totals: {
        files: result.files.length,
        finished: result.finished,
        skipped: result.skipped,
        failed: result.failed,
        events,
        inserted: result.inserted,
        rejected: result.rejected,
      },
      rejectedCollection: where,
    };
    return { text: lines.join('\n'), summary, rejected: result.rejected, failed: result.failed };
  },
};
