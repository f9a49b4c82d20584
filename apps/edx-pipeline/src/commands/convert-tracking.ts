import type { Command } from 'commander';
import { MASTER_TRACKING } from '@edx-data/core';
import type { CliCommand, CommandResult } from '../command.js';
import type { CommandContext } from '../context.js';
import { formatCount } from '../text-table.js';

/**
 * Rewrite a master tracking collection of the layout before buckets (one document per event,
 * five B-trees) as compressed buckets: one call of `@edx-data/tracking-loader`.
 */
export async function runConvertTracking(context: CommandContext): Promise<CommandResult> {
  const { convertTrackingCollection } = await import('@edx-data/tracking-loader');
  const store = await context.openStore();
  const where = `${MASTER_TRACKING.database}.${MASTER_TRACKING.events}`;
  const result = await convertTrackingCollection(store, {
    onProgress: (copied) => {
      context.progress.update(`convert-tracking ${where}: ${formatCount(copied)} events`);
    },
  });
  context.progress.clear();
  const text =
    result.found === 'plain'
      ? `${where}: ${formatCount(result.copied)} events rewritten as buckets.`
      : result.found === 'bucketed'
        ? `${where} is already bucketed: nothing to do.`
        : `${where} does not exist: nothing to do.`;
  return { text, summary: { collection: where, found: result.found, copied: result.copied } };
}

export const convertTrackingCommand: CliCommand = {
  name: 'convert-tracking',

  configure(command: Command): void {
    command
      .summary(`rewrite an older ${MASTER_TRACKING.database} master as compressed buckets`)
      .description(
        `Rewrite ${MASTER_TRACKING.database}.${MASTER_TRACKING.events} written by a version before ` +
          'buckets (one document per event) as compressed buckets by course and day: about an ' +
          'eighth of the size, and extraction reads only the buckets of its course and window. ' +
          'The old collection stays as it was until the new one is complete. A master that is ' +
          'already bucketed (or on MongoDB, where the master is a plain indexed collection) is left alone.',
      );
  },

  run(context: CommandContext): Promise<CommandResult> {
    return runConvertTracking(context);
  },
};
