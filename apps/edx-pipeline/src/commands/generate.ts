import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '@edx-data/core';
import type { GeneratePackageOptions, Quirk } from '@edx-data/synthetic-data';
import type { CliCommand, CommandResult } from '../command.js';
import type { CommandContext } from '../context.js';
import { formatCount, plural } from '../text-table.js';

/** The options of `edx-pipeline generate`, as commander hands them over. */
export interface GenerateCommandOptions {
  readonly out: string;
  readonly learners: string;
  readonly days: string;
  readonly courses: string;
  readonly seed: string;
  readonly org: string;
  readonly start?: string;
  readonly quirks?: string;
  readonly encrypt?: boolean;
}

/** `--<name>` as an integer ≥ `min`. */
export function integer(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(
      'E_OPTION',
      `--${name} must be an integer >= ${min}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/** `--quirks`: `all`, or a comma-separated list of known quirks. */
export function parseQuirks(text: string | undefined, known: readonly Quirk[]): readonly Quirk[] {
  if (text === undefined) return [];
  if (text.trim() === 'all') return known;
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!(known as readonly string[]).includes(name)) {
      throw new UsageError(
        'E_OPTION',
        `--quirks: unknown quirk ${JSON.stringify(name)} (known: all, ${known.join(', ')})`,
      );
    }
  }
  return names as Quirk[];
}

/**
 * `edx-pipeline generate --out DIR [--learners N] [--days N] [--courses N] [--seed N]
 * [--encrypt]`: write a synthetic edX data package and its `ground-truth.json`.
 */
export const generateCommand: CliCommand = {
  name: 'generate',

  configure(command: Command): void {
    command
      .summary('write a synthetic edX data package, with its ground truth')
      .description(
        'Write a realistic synthetic edX data package (database tables, forum dumps, course ' +
          'structures, daily tracking logs) into DIR, and ground-truth.json with the exact ' +
          'numbers a correct load must reproduce. The same seed gives the same bytes. With ' +
          '--encrypt, a throwaway key pair is made (DIR/keys/private.asc, public.asc) and ' +
          'every file is encrypted to it.',
      )
      .requiredOption('--out <dir>', 'the folder to write the package into')
      .option('--learners <n>', 'learners in the org', '50')
      .option('--days <n>', 'days of tracking logs (one file per day)', '7')
      .option('--courses <n>', 'courses', '2')
      .option('--seed <n>', 'the seed', '1')
      .option('--org <name>', 'the organisation', 'SyntheticX')
      .option('--start <YYYY-MM-DD>', 'the first day of the logs (default: 2024-01-08)')
      .option('--quirks <list>', 'log oddities to put in: "all" or a comma-separated list')
      .option('--encrypt', 'encrypt every file to a throwaway key written to DIR/keys/');
  },

  async run(context, command): Promise<CommandResult> {
    const options = command.opts<GenerateCommandOptions>();
    // Loaded on use, so that other commands do not pay for faker and openpgp.
    const { QUIRKS } = await import('@edx-data/synthetic-data');
    return runGenerate(context, {
      out: options.out,
      org: options.org,
      learners: integer('learners', options.learners, 1),
      days: integer('days', options.days, 1),
      courses: integer('courses', options.courses, 1),
      seed: integer('seed', options.seed, 0),
      quirks: parseQuirks(options.quirks, QUIRKS),
      start: options.start,
      encrypt: options.encrypt === true,
    });
  },
};

/** What `generate` is asked to do, once its options are read. */
export interface GenerateArgs {
  readonly out: string;
  readonly org?: string | undefined;
  readonly learners: number;
  readonly days: number;
  readonly courses: number;
  readonly seed: number;
  readonly quirks?: readonly Quirk[] | undefined;
  readonly start?: string | undefined;
  /** Encrypt every file to a throwaway key written to `<out>/keys/`. */
  readonly encrypt?: boolean | undefined;
}

/** Write a synthetic package (`@edx-data/synthetic-data`) and report. */
export async function runGenerate(
  context: CommandContext,
  args: GenerateArgs,
): Promise<CommandResult> {
  const synthetic = await import('@edx-data/synthetic-data');
  const out = resolve(args.out);
  const settings: GeneratePackageOptions = {
    dir: out,
    learners: args.learners,
    days: args.days,
    courses: args.courses,
    seed: args.seed,
    quirks: args.quirks ?? [],
    ...(args.org === undefined ? {} : { org: args.org }),
    ...(args.start === undefined ? {} : { start: args.start }),
  };

  let keys: { readonly private: string; readonly public: string } | undefined;
  let encryptTo: string | undefined;
  if (args.encrypt === true) {
    const key = await synthetic.generateTestKey();
    context.addSecret(key.privateKey);
    const dir = join(out, 'keys');
    await mkdir(dir, { recursive: true });
    keys = { private: join(dir, 'private.asc'), public: join(dir, 'public.asc') };
    await writeFile(keys.private, key.privateKey, { mode: 0o600 });
    await chmod(keys.private, 0o600);
    await writeFile(keys.public, key.publicKey);
    encryptTo = key.publicKey;
  }

  const started = performance.now();
  let written = 0;
  const { groundTruth, groundTruthFile } = await synthetic.generatePackage({
    ...settings,
    ...(encryptTo === undefined ? {} : { encryptTo }),
    onFile: (file) => {
      written += 1;
      context.progress.update(`generate: ${formatCount(written)} files, ${file}`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  context.progress.clear();
  const totals = groundTruth.events.totals;

  const lines = [
    `Wrote a synthetic package to ${out} (seed ${groundTruth.options.seed}, ${seconds.toFixed(1)} s)`,
    `  ${plural(groundTruth.courseIds.length, 'course')}, ${plural(groundTruth.learners, 'learner')}, ${plural(totals.files, 'day')} of tracking logs`,
    `  ${plural(groundTruth.files.length, 'file')}; ${plural(totals.uniqueEvents, 'event')} (${formatCount(totals.rejectedLines)} broken, ${formatCount(totals.duplicateLines)} duplicate lines)`,
    `  ground truth: ${groundTruthFile}`,
  ];
  if (keys !== undefined) {
    lines.push(
      `  encrypted to a throwaway key: ${keys.private} (private, mode 600), ${keys.public}`,
    );
  }
  return {
    text: lines.join('\n'),
    summary: {
      out,
      groundTruth: groundTruthFile,
      org: groundTruth.options.org,
      seed: groundTruth.options.seed,
      courses: [...groundTruth.courseIds],
      learners: groundTruth.learners,
      days: totals.files,
      files: groundTruth.files.length,
      events: {
        lines: totals.lines,
        events: totals.events,
        unique: totals.uniqueEvents,
        rejected: totals.rejectedLines,
        duplicates: totals.duplicateLines,
      },
      quirks: [...groundTruth.options.quirks],
      encrypted: groundTruth.options.encrypted,
      ...(keys === undefined ? {} : { keys: { private: keys.private, public: keys.public } }),
      seconds: Math.round(seconds * 1000) / 1000,
    },
  };
}
