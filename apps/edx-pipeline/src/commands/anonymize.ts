import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { courseDatabaseName, InputError, MASTER_TRACKING, UsageError } from '@edx-data/core';
import type {
  AnonymisationAudit,
  AnonymizeFilesOptions,
  HierarchyName,
  IdentifierClass,
  QuasiIdentifier,
} from '@edx-data/anonymizer';
import type { CliCommand, CommandResult, JsonValue } from '../command.js';
import type { CommandContext } from '../context.js';
import { formatCount, formatTable, plural } from '../text-table.js';

/** The options `anonymize` and `export --anonymize` share. */
export interface AnonymizeCommandOptions {
  readonly keyEnv?: string;
  readonly keyFile?: string;
  readonly k?: string;
  readonly quasiIdentifiers?: string;
  readonly maxSuppression?: string;
  readonly allowBelowK?: boolean;
  readonly idColumns?: string;
  readonly dropColumns?: string;
  readonly keepColumns?: string;
  readonly shiftDates?: string;
  readonly fake?: boolean;
  readonly nameParts?: boolean;
}

/** What `anonymize` is asked to do, once its options are read (the key not yet read). */
export interface AnonymizeArgs {
  readonly inputs: readonly string[];
  readonly out: string;
  /** The course whose learners make the directory (`all`: every course of the store); none: no directory. */
  readonly course?: string | undefined;
  readonly options: AnonymizeCommandOptions;
}

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function idColumns(
  text: string | undefined,
  classes: readonly IdentifierClass[],
): Record<string, IdentifierClass> {
  const out: Record<string, IdentifierClass> = {};
  for (const item of list(text)) {
    const [column = '', kind = 'user_id'] = item.split(':');
    if (!(classes as readonly string[]).includes(kind)) {
      throw new UsageError(
        'E_OPTION',
        `--id-columns ${item}: expected column or column:class, class one of ${classes.join(', ')}`,
      );
    }
    out[column] = kind as IdentifierClass;
  }
  return out;
}

function quasiIdentifiers(
  text: string | undefined,
  hierarchies: readonly HierarchyName[],
): QuasiIdentifier[] | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === 'none') return [];
  return list(text).map((item) => {
    const [column = '', hierarchy = ''] = item.split(':');
    if (column === '' || !(hierarchies as readonly string[]).includes(hierarchy)) {
      throw new UsageError(
        'E_OPTION',
        `--quasi-identifiers ${item}: expected column:hierarchy, hierarchy one of ${hierarchies.join(', ')} (or the word none)`,
      );
    }
    return { column, hierarchy: hierarchy as HierarchyName };
  });
}

function wholeNumber(option: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/u.test(text) || Number(text) < min) {
    throw new UsageError('E_OPTION', `${option} ${text}: expected a whole number ≥ ${String(min)}`);
  }
  return Number(text);
}

function share(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d*\.?\d+$/u.test(text) || value > 1) {
    throw new UsageError('E_OPTION', `--max-suppression ${text}: expected a share from 0 to 1`);
  }
  return value;
}

/** Add the options of anonymisation (for `anonymize` and `export --anonymize`). */
export function addAnonymizeOptions(command: Command): Command {
  return command
    .option(
      '--key-env <var>',
      'environment variable holding the pseudonym key (at least 16 bytes; never on the command line)',
    )
    .option('--key-file <file>', 'file holding the pseudonym key (instead of --key-env)')
    .option('--k <n>', 'k of k-anonymity for files with quasi-identifier columns', '5')
    .option(
      '--quasi-identifiers <list>',
      'column:hierarchy,… (country, birth_year, education, gender, course_set, suppress_only), or none; default: gender, year of birth, education, countries, course set',
    )
    .option(
      '--max-suppression <share>',
      'largest share of learners suppressed to reach k (default 0.05)',
    )
    .option('--allow-below-k', 'write a file that misses k anyway (the audit says so)')
    .option(
      '--id-columns <list>',
      'learner id columns of CSVs: column or column:class (user_id, username, hash_id, anonymous_id, email),…',
    )
    .option('--drop-columns <list>', 'columns to drop, wherever they are')
    .option(
      '--keep-columns <list>',
      'columns without an identifier role to pass as they are (a CSV without a data dictionary must name each column)',
    )
    .option(
      '--shift-dates <days>',
      'move each learner\u2019s dates by its own offset of up to this many days',
    )
    .option(
      '--fake',
      'scrub free text with fake names, emails, … (stable per learner) instead of <PERSON>, <EMAIL>, …',
    )
    .option('--no-name-parts', 'scrub full names only, not each part of a name on its own');
}

async function readKeyText(
  context: CommandContext,
  options: AnonymizeCommandOptions,
): Promise<{ text: string; where: string }> {
  if ((options.keyEnv === undefined) === (options.keyFile === undefined)) {
    throw new UsageError(
      'E_OPTION',
      'give the pseudonym key with one of --key-env <var> or --key-file <file>',
    );
  }
  if (options.keyEnv !== undefined) {
    const text = context.env[options.keyEnv];
    if (text === undefined || text.trim() === '') {
      throw new UsageError('E_OPTION', `--key-env ${options.keyEnv}: that variable is not set`);
    }
    return { text, where: `$${options.keyEnv}` };
  }
  const file = options.keyFile ?? '';
  try {
    return { text: await readFile(file, 'utf8'), where: file };
  } catch (error) {
    throw new InputError('E_FILE_NOT_FOUND', 'cannot read the pseudonym key file', {
      file,
      cause: error,
    });
  }
}

/** Every course database of the store (every database but the master tracking one). */
async function directoryDatabases(context: CommandContext, course: string): Promise<string[]> {
  const store = await context.openStore({ create: false });
  const names = (await store.listDatabases()).map((d) => d.name);
  if (course !== 'all') {
    const name = courseDatabaseName(course);
    if (!names.includes(name)) {
      throw new UsageError(
        'E_USAGE',
        `--course ${course}: no database ${name} in this store (import the course first)`,
      );
    }
    return [name];
  }
  return names.filter((name) => name !== MASTER_TRACKING.database);
}

/** The library options of a run, the key read and registered as a secret. */
export async function anonymizeSettings(
  context: CommandContext,
  args: AnonymizeArgs,
): Promise<AnonymizeFilesOptions> {
  const { AnonymizationKey, HIERARCHY_NAMES, IDENTIFIER_CLASSES, loadLearnerDirectory } =
    await import('@edx-data/anonymizer');
  const o = args.options;
  const settings = {
    k: wholeNumber('--k', o.k, 1),
    quasiIdentifiers: quasiIdentifiers(o.quasiIdentifiers, HIERARCHY_NAMES),
    maxSuppression: share(o.maxSuppression),
    allowBelowK: o.allowBelowK === true,
    idColumns: idColumns(o.idColumns, IDENTIFIER_CLASSES),
    dropColumns: list(o.dropColumns),
    keepColumns: list(o.keepColumns),
    shiftDays: wholeNumber('--shift-dates', o.shiftDates, 0),
    scrub: o.fake === true ? ('fake' as const) : ('placeholder' as const),
    nameParts: o.nameParts !== false,
  };
  const { text, where } = await readKeyText(context, o);
  context.addSecret(text);
  context.addSecret(text.trim());
  const key = AnonymizationKey.fromText(text, where);
  let directory;
  if (args.course !== undefined) {
    const store = await context.openStore({ create: false });
    const names = await directoryDatabases(context, args.course);
    directory = await loadLearnerDirectory(names.map((name) => store.db(name)));
  }
  return {
    ...settings,
    inputs: args.inputs,
    out: resolve(args.out),
    key,
    directory,
    onProgress: ({ file, pass, rows }) => {
      context.progress.update(
        `anonymize: ${relative(process.cwd(), file)}, pass ${String(pass)}, ${formatCount(rows)} rows`,
      );
    },
  };
}

/** The human summary of a run. */
export function renderAudit(audit: AnonymisationAudit, out: string): string {
  const where = relative(process.cwd(), out) || '.';
  const table = formatTable(
    [
      { header: 'file' },
      { header: 'rows', align: 'right' },
      { header: 'suppressed', align: 'right' },
      { header: 'pseudonymised', align: 'right' },
      { header: 'scrubbed', align: 'right' },
      { header: 'dropped' },
      { header: 'k' },
    ],
    audit.files.map((f) => [
      f.output,
      formatCount(f.rowsWritten),
      formatCount(f.rowsSuppressed),
      formatCount(f.columns.reduce((n, c) => n + c.pseudonymised, 0)),
      formatCount(f.columns.reduce((n, c) => n + c.scrubbedCells, 0)),
      f.dropped.join(' '),
      f.disclosure.applied
        ? `${f.disclosure.plan.kReached === null ? '-' : String(f.disclosure.plan.kReached)}${f.disclosure.belowK ? ' (below k)' : ''}`
        : 'no QI',
    ]),
  );
  return [
    `${plural(audit.files.length, 'file')} anonymised into ${where} (${audit.seconds.toFixed(1)} s, key ${audit.key.fingerprint}${audit.directory === null ? ', no learner directory' : `, ${formatCount(audit.directory.learners)} learners known`})`,
    table,
    '',
    `What was done to each column, and the k reached: ${where}/anonymisation-audit.json.`,
  ].join('\n');
}

/** Anonymise CSV files (`anonymizeFiles` of `@edx-data/anonymizer`), and report. */
export async function runAnonymize(
  context: CommandContext,
  args: AnonymizeArgs,
): Promise<CommandResult> {
  const { anonymizeFiles } = await import('@edx-data/anonymizer');
  const settings = await anonymizeSettings(context, args);
  const audit = await anonymizeFiles(settings);
  context.progress.clear();
  return {
    text: renderAudit(audit, settings.out),
    summary: JSON.parse(JSON.stringify(audit)) as { readonly [key: string]: JsonValue },
  };
}

export const anonymizeCommand: CliCommand = {
  name: 'anonymize',

  configure(command: Command): void {
    addAnonymizeOptions(
      command
        .summary('anonymise CSV files: keyed pseudonyms, scrubbed free text, k-anonymity, an audit')
        .description(
          'Write anonymised copies of CSV files (and of every .csv in a folder) into --out: every ' +
            'learner identifier becomes a keyed pseudonym (HMAC-SHA-256; the same learner gets the ' +
            'same pseudonym in every file and run with the same key), names, emails and cities are ' +
            'dropped, IP addresses become countries, years of birth 5-year bands, free text is ' +
            'scrubbed, and files with quasi-identifiers are made k-anonymous (refused below k). ' +
            'Column roles come from each <name>.schema.json; a CSV without one must name every ' +
            'column (--id-columns, --drop-columns, --keep-columns). Nothing is written in place ' +
            'of the output when any file fails. See docs/anonymisation.md.',
        )
        .argument('<inputs...>', 'CSV files (.csv, .csv.gz) or folders of them')
        .option('--out <dir>', 'the folder to write into (created with mode 700)')
        .option(
          '--course <id>',
          'resolve every identifier through the learners of this course of the store (or all courses), and scrub their names',
        ),
    );
  },

  run(context, command): Promise<CommandResult> {
    const options = command.opts<AnonymizeCommandOptions & { out?: string; course?: string }>();
    if (options.out === undefined) throw new UsageError('E_USAGE', 'give --out <dir>');
    return runAnonymize(context, {
      inputs: command.args,
      out: options.out,
      course: options.course,
      options,
    });
  },
};
