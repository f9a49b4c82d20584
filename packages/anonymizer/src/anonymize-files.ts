/**
 * The file driver: anonymises CSV files (each with its `<name>.schema.json` when it has one)
 * into an output folder, with one audit file. Streaming: one file at a time, one record at a
 * time (a file with quasi-identifier columns is read twice: pass 1 for disclosure control,
 * pass 2 to write). Everything is written to temporary files in the output folder and renamed
 * only when every file has succeeded: a failure, or an output below k, leaves nothing in
 * place of the output.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError, UsageError } from '@edx-data/core';
import type {
  AnonymisationAudit,
  ColumnAudit,
  DisclosureAudit,
  DisclosurePlanJson,
  FileAudit,
} from './audit.js';
import { AUDIT_FILE } from './audit.js';
import type { ColumnOptions, ColumnPlan, DataDictionary, DictionaryColumn } from './column-plan.js';
import { parseDataDictionary, planColumns } from './column-plan.js';
import { CsvFileWriter, readCsv } from './csv-io.js';
import type { Disclosure, DisclosureFactory } from './disclosure-contract.js';
import { DisclosureControl } from './disclosure/index.js';
import type { DisclosurePlan, QuasiIdentifier } from './disclosure/index.js';
import { fakeValues } from './fake-values.js';
import type { CountryLookup } from './generalise.js';
import { geoIpCountryLookup } from './geoip.js';
import type { AnonymizationKey } from './key.js';
import type { LearnerDirectory } from './learner-directory.js';
import { Pseudonymizer } from './pseudonymizer.js';
import { RowAnonymizer } from './row-anonymizer.js';
import { Scrubber } from './scrubber.js';

export interface AnonymizeFilesOptions extends ColumnOptions {
  /** CSV files (`.csv`, `.csv.gz`) and folders of them (not searched below). */
  readonly inputs: readonly string[];
  /** The output folder (created with mode 700; files are written with mode 600). */
  readonly out: string;
  readonly key: AnonymizationKey;
  /** Resolves every identifier of a learner to one pseudonym, and names learners to scrub. */
  readonly directory?: LearnerDirectory | undefined;
  /** The k of k-anonymity for files with quasi-identifier columns. @default 5 */
  readonly k?: number | undefined;
  /** Replaces the default quasi-identifiers (see docs/anonymisation.md); output column names. */
  readonly quasiIdentifiers?: readonly QuasiIdentifier[] | undefined;
  /** Largest share of learners disclosure control may suppress. @default the module's (0.05) */
  readonly maxSuppression?: number | undefined;
  /** Write a file that misses k anyway (the audit says so). @default false */
  readonly allowBelowK?: boolean | undefined;
  /** `placeholder` (`<EMAIL>`, …) or `fake` (faker values, stable per learner). @default placeholder */
  readonly scrub?: 'placeholder' | 'fake' | undefined;
  /** Scrub each part of a learner's name on its own too. @default true */
  readonly nameParts?: boolean | undefined;
  /** IP → country. @default geoip-country */
  readonly countryOf?: CountryLookup | undefined;
  /** Disclosure control. @default the package's `DisclosureControl` */
  readonly disclosure?: DisclosureFactory | undefined;
  /** Called every 100,000 rows and at the end of each pass. */
  readonly onProgress?:
    ((progress: { file: string; pass: 1 | 2; rows: number }) => void) | undefined;
}

const CSV_FILE = /\.csv(\.gz)?$/u;

function baseName(file: string): string {
  return basename(file).replace(CSV_FILE, '');
}

async function listInputs(inputs: readonly string[]): Promise<string[]> {
  if (inputs.length === 0)
    throw new UsageError('E_USAGE', 'name the CSV files or folders to anonymise');
  const files: string[] = [];
  for (const input of inputs) {
    const path = resolve(input);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined)
      throw new InputError('E_FILE_NOT_FOUND', 'no such file or folder', { file: input });
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter((n) => CSV_FILE.test(n)).sort();
      files.push(...names.map((n) => join(path, n)));
    } else if (CSV_FILE.test(path)) {
      files.push(path);
    } else {
      throw new UsageError(
        'E_USAGE',
        `${input}: expected a .csv or .csv.gz file, or a folder of them`,
      );
    }
  }
  if (files.length === 0) throw new UsageError('E_USAGE', `no .csv file in ${inputs.join(', ')}`);
  return files;
}

/** The dictionary beside a CSV: `<name>.schema.json`, or for `<name>_3.csv` (split) `<name>.schema.json`. */
function findDictionary(file: string): string | undefined {
  const dir = dirname(file);
  const base = baseName(file);
  for (const name of [base, base.replace(/_\d+$/u, '')]) {
    const path = join(dir, `${name}.schema.json`);
    if (existsSync(path)) return path;
  }
  return undefined;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError('E_OPTION', `${name} ${String(value)}: expected a whole number ≥ 1`);
  }
  return value;
}

/** The quasi-identifiers of a file by default, from its plan (see docs/anonymisation.md). */
function defaultQuasiIdentifiers(plans: readonly ColumnPlan[]): QuasiIdentifier[] {
  const qis: QuasiIdentifier[] = [];
  for (const plan of plans) {
    const column = plan.output;
    if (column === null) continue;
    if (column === 'gender') qis.push({ column, hierarchy: 'gender' });
    else if (column === 'level_of_education') qis.push({ column, hierarchy: 'education' });
    else if (plan.action.kind === 'birth_year_band') qis.push({ column, hierarchy: 'birth_year' });
    else if (plan.action.kind === 'ip_country') qis.push({ column, hierarchy: 'country' });
    else if (plan.role === 'location') qis.push({ column, hierarchy: 'country' });
  }
  const hasLearner = plans.some((p) => p.action.kind === 'pseudonymise');
  const course = plans.find((p) => p.output === 'course_id');
  if (qis.length > 0 && hasLearner && course !== undefined) {
    qis.push({ column: 'course_id', hierarchy: 'course_set' });
  }
  return qis;
}

function learnerColumnOf(plans: readonly ColumnPlan[]): string | undefined {
  const ids = plans.filter((p) => p.action.kind === 'pseudonymise' && p.output !== null);
  const preferred = ids.find(
    (p) => p.action.kind === 'pseudonymise' && p.action.identifier === 'user_id',
  );
  return (preferred ?? ids[0])?.output ?? undefined;
}

const NOTES: Readonly<Record<ColumnPlan['action']['kind'], string>> = {
  keep: '',
  drop: '',
  pseudonymise:
    ' Anonymised: a keyed pseudonym (HMAC-SHA-256), the same for one learner in every file of the run.',
  ip_country:
    ' Anonymised: the country (ISO 3166 alpha-2) of the IP address; the address is not kept.',
  birth_year_band: ' Anonymised: a 5-year band (or wider, by disclosure control).',
  scrub:
    ' Anonymised: emails, phone numbers, personal URLs, @mentions and learners\u2019 names and usernames replaced.',
  shift_date: ' Anonymised: moved by a per-learner number of days.',
};

function outputDictionary(
  name: string,
  dictionary: DataDictionary | undefined,
  plans: readonly ColumnPlan[],
  disclosure: DisclosureAudit,
): Record<string, unknown> {
  const columns = plans.flatMap((plan): DictionaryColumn[] => {
    if (plan.output === null) return [];
    const kind = plan.action.kind;
    const type =
      kind === 'pseudonymise' || kind === 'ip_country' || kind === 'birth_year_band'
        ? 'string'
        : (plan.type ?? 'string');
    const qi = disclosure.applied
      ? disclosure.quasiIdentifiers.find((q) => q.column === plan.output)
      : undefined;
    return [
      {
        name: plan.output,
        type,
        description:
          `${plan.description ?? ''}${NOTES[kind]}${qi === undefined ? '' : ` Quasi-identifier (${qi.hierarchy} hierarchy): generalised by disclosure control.`}`.trim(),
        ...(kind === 'keep' || kind === 'drop' ? {} : { anonymisation: kind }),
      },
    ];
  });
  return {
    ...(dictionary ?? { report: name }),
    anonymised: true,
    columns,
  };
}

interface Pending {
  readonly temp: string;
  readonly final: string;
}

function tempName(out: string, name: string): string {
  return join(out, `.${name}.tmp-${randomBytes(6).toString('hex')}`);
}

function jsonPlan(plan: DisclosurePlan): DisclosurePlanJson {
  return { ...plan, kReached: Number.isFinite(plan.kReached) ? plan.kReached : null };
}

/**
 * Anonymise CSV files into a folder, with `anonymisation-audit.json` beside them.
 * @throws UsageError for bad options, a CSV without a dictionary whose columns are not all
 *   named (`E_REFUSED`), an output folder that is an input's folder
 * @throws InputError naming the file for a header that does not match its dictionary, a
 *   record of the wrong length, unreadable CSV, or an output that misses k (`E_REFUSED`)
 */
export async function anonymizeFiles(options: AnonymizeFilesOptions): Promise<AnonymisationAudit> {
  const started = performance.now();
  const k = positiveInteger('k', options.k ?? 5);
  const shiftDays = options.shiftDays ?? 0;
  if (!Number.isInteger(shiftDays) || shiftDays < 0) {
    throw new UsageError(
      'E_OPTION',
      `shift days ${String(shiftDays)}: expected a whole number ≥ 0`,
    );
  }
  const scrubMode = options.scrub ?? 'placeholder';
  const nameParts = options.nameParts ?? true;
  const files = await listInputs(options.inputs);
  const out = resolve(options.out);
  const names = new Map<string, string>();
  for (const file of files) {
    if (dirname(file) === out) {
      throw new UsageError(
        'E_USAGE',
        `the output folder ${out} holds the input ${basename(file)}: write elsewhere`,
      );
    }
    const other = names.get(basename(file));
    if (other !== undefined) {
      throw new UsageError(
        'E_USAGE',
        `two inputs are named ${basename(file)} (${other}, ${file}): one output folder cannot hold both`,
      );
    }
    names.set(basename(file), file);
  }
  const disclosureFactory: DisclosureFactory =
    options.disclosure ?? ((settings) => new DisclosureControl(settings));

  const pseudonymizer = new Pseudonymizer(options.key, options.directory);
  const plainScrubber = new Scrubber({ directory: options.directory, nameParts });
  const scrubber =
    scrubMode === 'fake'
      ? new Scrubber({
          directory: options.directory,
          nameParts,
          replace: fakeValues({
            seedOf: (subject) => pseudonymizer.seedOf(subject),
            isReal: (value) => plainScrubber.isKnown(value),
          }),
        })
      : plainScrubber;
  const countryOf = options.countryOf ?? geoIpCountryLookup();

  const created = !existsSync(out);
  await mkdir(out, { recursive: true, mode: 0o700 });
  if (created) await chmod(out, 0o700);
  const pending: Pending[] = [];
  const audits: FileAudit[] = [];
  try {
    for (const file of files) {
      const dictionaryFile = findDictionary(file);
      const dictionary =
        dictionaryFile === undefined
          ? undefined
          : parseDataDictionary(await readFile(dictionaryFile, 'utf8'), dictionaryFile);
      const outName = basename(file);
      const temp = tempName(out, outName);
      pending.push({ temp, final: join(out, outName) });
      const audit = await anonymizeOne({
        file,
        temp,
        dictionary,
        dictionaryFile,
        options,
        settings: { pseudonymizer, scrubber, countryOf, shiftDays },
        k,
        disclosureFactory,
      });
      audits.push(audit.audit);
      const schemaName = `${baseName(file)}.schema.json`;
      if (!pending.some((p) => p.final === join(out, schemaName))) {
        const schemaTemp = tempName(out, schemaName);
        pending.push({ temp: schemaTemp, final: join(out, schemaName) });
        await writeFile(
          schemaTemp,
          `${JSON.stringify(outputDictionary(baseName(file), dictionary, audit.plans, audit.audit.disclosure), null, 2)}\n`,
          { mode: 0o600, flag: 'wx' },
        );
      }
    }
    const reached = audits.flatMap((a) =>
      a.disclosure.applied && a.disclosure.plan.kReached !== null
        ? [a.disclosure.plan.kReached]
        : [],
    );
    const result: AnonymisationAudit = {
      tool: '@edx-data/anonymizer',
      createdAt: new Date().toISOString(),
      key: { fingerprint: options.key.fingerprint },
      directory: options.directory === undefined ? null : { learners: options.directory.size },
      options: {
        k,
        quasiIdentifiers: options.quasiIdentifiers ?? 'default',
        maxSuppression: options.maxSuppression ?? null,
        allowBelowK: options.allowBelowK === true,
        shiftDays,
        scrub: scrubMode,
        nameParts,
      },
      files: audits,
      kReached: reached.length === 0 ? null : Math.min(...reached),
      seconds: (performance.now() - started) / 1000,
    };
    const auditTemp = tempName(out, AUDIT_FILE);
    pending.push({ temp: auditTemp, final: join(out, AUDIT_FILE) });
    await writeFile(auditTemp, `${JSON.stringify(result, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    for (const p of pending) await rename(p.temp, p.final);
    return result;
  } catch (error) {
    await Promise.all(pending.map((p) => rm(p.temp, { force: true })));
    throw error;
  }
}

interface OneFile {
  readonly file: string;
  readonly temp: string;
  readonly dictionary: DataDictionary | undefined;
  readonly dictionaryFile: string | undefined;
  readonly options: AnonymizeFilesOptions;
  readonly settings: {
    readonly pseudonymizer: Pseudonymizer;
    readonly scrubber: Scrubber;
    readonly countryOf: CountryLookup;
    readonly shiftDays: number;
  };
  readonly k: number;
  readonly disclosureFactory: DisclosureFactory;
}

async function readHeader(file: string): Promise<string[]> {
  for await (const { cells } of readCsv(file)) return [...cells];
  throw new InputError('E_INPUT', 'the file is empty: expected a CSV header', { file, line: 1 });
}

/** The records after the header, checked for length. */
async function* records(file: string, width: number): AsyncGenerator<readonly string[]> {
  for await (const { cells, record } of readCsv(file)) {
    if (record === 1) continue;
    if (cells.length !== width) {
      throw new InputError(
        'E_INPUT',
        `record ${record} has ${cells.length} fields, expected ${width} (as the header)`,
        { file, line: record },
      );
    }
    yield cells;
  }
}

/**
 * The input columns pass 1 transforms: those whose output disclosure control reads (the
 * other columns, free text above all, are anonymised in pass 2 only), or every column when
 * one of them depends on the rest of the row (a shifted date follows the row's learner).
 */
function pass1Columns(plans: readonly ColumnPlan[], outputs: readonly string[]): number[] {
  const wanted = new Set(outputs);
  const needed = plans.flatMap((plan, i) =>
    plan.output !== null && wanted.has(plan.output) ? [i] : [],
  );
  return needed.some((i) => plans[i]?.action.kind === 'shift_date')
    ? plans.map((_, i) => i)
    : needed;
}

async function anonymizeOne(one: OneFile): Promise<{ audit: FileAudit; plans: ColumnPlan[] }> {
  const { file, options } = one;
  const header = await readHeader(file);
  const plans = planColumns(header, one.dictionary, options, file);
  const present = new Set(plans.flatMap((p) => (p.output === null ? [] : [p.output])));
  const qis =
    options.quasiIdentifiers === undefined
      ? defaultQuasiIdentifiers(plans)
      : options.quasiIdentifiers.filter((q) => present.has(q.column));
  const deferred = new Set(qis.filter((q) => q.hierarchy === 'birth_year').map((q) => q.column));
  const rows = new RowAnonymizer(plans, { ...one.settings, deferredBirthYears: deferred });
  const progress = (pass: 1 | 2, n: number): void => options.onProgress?.({ file, pass, rows: n });

  let disclosure: Disclosure | undefined;
  let disclosureAudit: DisclosureAudit = {
    applied: false,
    reason:
      options.quasiIdentifiers === undefined
        ? 'no quasi-identifier column (gender, year of birth, education, country, IP)'
        : 'none of the quasi-identifiers given is a column of this file',
  };
  let rowsRead = 0;
  if (qis.length > 0) {
    const learnerColumn = learnerColumnOf(plans);
    const courseColumn = qis.some((q) => q.hierarchy === 'course_set') ? 'course_id' : undefined;
    disclosure = one.disclosureFactory({
      k: one.k,
      quasiIdentifiers: qis,
      ...(learnerColumn === undefined ? {} : { learnerColumn }),
      ...(courseColumn === undefined ? {} : { courseColumn }),
      ...(options.maxSuppression === undefined ? {} : { maxSuppression: options.maxSuppression }),
    });
    const observed = pass1Columns(plans, [
      ...qis.map((q) => q.column),
      ...(learnerColumn === undefined ? [] : [learnerColumn]),
    ]);
    const pass1 = new RowAnonymizer(
      observed.map((i) => plans[i] as ColumnPlan),
      { ...one.settings, deferredBirthYears: deferred },
    );
    for await (const cells of records(file, header.length)) {
      disclosure.observe(pass1.transform(observed.map((i) => cells[i] ?? '')));
      rowsRead += 1;
      if (rowsRead % 100_000 === 0) progress(1, rowsRead);
    }
    progress(1, rowsRead);
    const plan = disclosure.plan();
    const belowK = !plan.satisfied;
    if (belowK && options.allowBelowK !== true) {
      const reached = Number.isFinite(plan.kReached)
        ? `k = ${String(plan.kReached)}`
        : 'no learner kept';
      throw new InputError(
        'E_REFUSED',
        `k = ${String(one.k)} not reached over ${qis.map((q) => q.column).join(', ')} (best: ${reached}, ${String(plan.unitsSuppressed)} of ${String(plan.unitsTotal)} units suppressed); nothing written. Lower --k, give other --quasi-identifiers, or --allow-below-k`,
        { file },
      );
    }
    disclosureAudit = {
      applied: true,
      quasiIdentifiers: qis,
      learnerColumn: learnerColumn ?? null,
      courseColumn: courseColumn ?? null,
      plan: jsonPlan(plan),
      belowK,
    };
  }

  const writer = new CsvFileWriter(one.temp, { gzip: file.endsWith('.gz') });
  let rowsWritten = 0;
  let rowsSuppressed = 0;
  let rowsSeen = 0;
  try {
    await writer.write(rows.columns);
    for await (const cells of records(file, header.length)) {
      rowsSeen += 1;
      const anonymised = rows.transform(cells);
      const kept = disclosure === undefined ? anonymised : disclosure.apply(anonymised);
      if (rowsSeen % 100_000 === 0) progress(2, rowsSeen);
      if (kept === null) {
        rowsSuppressed += 1;
        continue;
      }
      rows.commit();
      await writer.write(rows.finish(kept));
      rowsWritten += 1;
    }
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  progress(2, rowsSeen);

  const columns: ColumnAudit[] = plans.map((plan) => {
    const counts = rows.counts.get(plan.input);
    return {
      column: plan.input,
      output: plan.output,
      role: plan.role ?? null,
      action: plan.action.kind,
      pseudonymised: counts?.pseudonymised ?? 0,
      generalised: counts?.generalised ?? 0,
      shifted: counts?.shifted ?? 0,
      notShifted: counts?.notShifted ?? 0,
      scrubbedCells: counts?.scrubbedCells ?? 0,
      scrubbed: counts?.scrubbed ?? { EMAIL: 0, PHONE: 0, URL: 0, USERNAME: 0, PERSON: 0 },
    };
  });
  return {
    plans,
    audit: {
      input: file,
      output: basename(file),
      dictionary: one.dictionaryFile ?? null,
      rowsRead: rowsSeen,
      rowsWritten,
      rowsSuppressed,
      columns,
      dropped: plans.filter((p) => p.output === null).map((p) => p.input),
      disclosure: disclosureAudit,
    },
  };
}
