/**
 * Load a `course_structure` file into the course database: `course_structure` (one document
 * per block) and `course_axis`, each written to a temporary collection and swapped in.
 */
import { basename } from 'node:path';
import {
  COURSE_COLLECTIONS,
  courseDatabaseName,
  InputError,
  UsageError,
  classifyFile,
  openInput,
  tryParseCourseId,
} from '@edx-data/core';
import type { PassphraseProvider, ZipEntryInput } from '@edx-data/core';
import { replaceCollections } from '@edx-data/store';
import type { IndexSpec, Store } from '@edx-data/store';
import { buildCourseStructure, countByCategory } from './build-course-structure.js';
import type { StructureIssues } from './build-course-structure.js';
import { parseUsageKey } from './usage-key.js';

/**
 * The default bound on the (decrypted, inflated) size of a course structure file: 500 MiB,
 * just under the longest string V8 can hold (the file is parsed as one JSON text).
 */
export const DEFAULT_MAX_STRUCTURE_BYTES = 500 * 1024 * 1024;

export interface ImportCourseStructureOptions {
  /** The course id (any form). @default from the file name, else from the block keys */
  readonly courseId?: string | undefined;
  /** ASCII-armored OpenPGP private key, for `.gpg` files. */
  readonly key?: string | undefined;
  /** Passphrase of that key. */
  readonly passphrase?: string | PassphraseProvider | undefined;
  /** Refuse files larger than this once decrypted and inflated. @default 500 MiB */
  readonly maxBytes?: number | undefined;
}

export interface ImportCourseStructureSummary {
  readonly file: string;
  /** Canonical course key (`course-v1:Org+Course+Run`). */
  readonly courseKey: string;
  /** The course database written to. */
  readonly database: string;
  /** Documents written to `course_structure` (= rows of `course_axis`). */
  readonly blocks: number;
  /** Blocks loaded, by category (after splicing). */
  readonly blocksByCategory: Readonly<Record<string, number>>;
  readonly issues: StructureIssues;
}

const { course_structure: STRUCTURE, course_axis: AXIS } = COURSE_COLLECTIONS;

const STRUCTURE_INDEXES: readonly IndexSpec[] = [
  { block_id: 1 },
  { category: 1 },
  { parent: 1 },
  { 'parent_data.chapter_id': 1 },
  { 'parent_data.sequential_id': 1 },
  { 'parent_data.vertical_id': 1 },
];
const AXIS_INDEXES: readonly IndexSpec[] = [
  { index: 1 },
  { url_name: 1 },
  { category: 1 },
  { module_id: 1 },
  { chapter_mid: 1 },
];

/** A structure file: a path, or an entry of a weekly zip (`walkInputs` gives both). */
export type StructureInput = string | ZipEntryInput;

function nameOf(input: StructureInput): string {
  return typeof input === 'string' ? input : `${input.archive}:${input.entry}`;
}

async function readWhole(
  file: StructureInput,
  options: ImportCourseStructureOptions,
  maxBytes: number,
): Promise<string> {
  const input = await openInput(file, {
    ...(options.key === undefined ? {} : { key: options.key }),
    ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
  });
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of input.stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        throw new InputError(
          'E_INPUT',
          `the course structure is larger than ${maxBytes} bytes (raise maxBytes to load it)`,
          { file: nameOf(file) },
        );
      }
      chunks.push(chunk);
    }
  } catch (error) {
    input.stream.destroy();
    input.done.catch(() => undefined);
    throw error;
  }
  await input.done;
  let text: string;
  try {
    text = Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    throw new InputError('E_INPUT', `the course structure is too large to parse (${size} bytes)`, {
      file: nameOf(file),
      cause: error,
    });
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

function courseKeyOf(file: string, json: unknown, courseId: string | undefined): string {
  if (courseId !== undefined) {
    const parsed = tryParseCourseId(courseId);
    if (parsed?.hasRun !== true) {
      throw new UsageError('E_OPTION', `courseId: not a complete course id: ${courseId}`);
    }
    return parsed.key;
  }
  // The course named by the block keys (block-v1 keys, or the i4x course root) settles
  // file names whose dashes are ambiguous.
  let fromKeys: string | undefined;
  if (typeof json === 'object' && json !== null) {
    for (const key of Object.keys(json)) {
      const parsed = parseUsageKey(key);
      if (parsed.org === undefined || parsed.course === undefined || parsed.run === undefined) {
        continue;
      }
      const course = tryParseCourseId(`course-v1:${parsed.org}+${parsed.course}+${parsed.run}`);
      if (course?.hasRun === true) {
        fromKeys = course.key;
        break;
      }
    }
  }
  const classified = classifyFile(
    basename(file),
    fromKeys === undefined ? {} : { courseIds: [fromKeys] },
  );
  if (classified.kind === 'course_structure') return classified.key;
  if (fromKeys !== undefined) return fromKeys;
  throw new InputError(
    'E_COURSE_ID',
    'cannot tell the course from the file name or the block keys; pass courseId',
    { file },
  );
}

/**
 * Read a `course_structure` file (plain, gzipped or OpenPGP-encrypted), build the structure
 * and the course axis, and load them into the course database (`courseDatabaseName` of the
 * course key) as `course_structure` (`_id` = usage key) and `course_axis`, each replacing
 * the previous collection in one rename. Nothing is written before the file was read to its
 * end and its integrity checked.
 *
 * @example
 * const summary = await importCourseStructure(store, 'McGillX-ATOC185x-2T2014-course_structure-prod-analytics.json');
 * console.log(summary.blocksByCategory, summary.issues.missingChildren);
 *
 * @throws InputError `E_INPUT` for invalid JSON, a file over `maxBytes`, or a cycle;
 *   `E_COURSE_ID` when the course cannot be told; the errors of `openInput`.
 */
export async function importCourseStructure(
  store: Store,
  input: StructureInput,
  options: ImportCourseStructureOptions = {},
): Promise<ImportCourseStructureSummary> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_STRUCTURE_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new UsageError('E_OPTION', '`maxBytes` must be a positive integer');
  }
  const text = await readWhole(input, options, maxBytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError('E_INPUT', `not valid JSON: ${(error as Error).message}`, {
      file: nameOf(input),
      cause: error,
    });
  }
  const courseKey = courseKeyOf(
    typeof input === 'string' ? input : input.entry,
    json,
    options.courseId,
  );
  const structure = buildCourseStructure(json, { courseId: courseKey });
  const database = courseDatabaseName(courseKey);
  // Both are filled and indexed before either is swapped in, so a failure leaves the
  // previous load whole.
  await replaceCollections(
    store.db(database),
    [STRUCTURE, AXIS],
    async (temporary) => {
      if (structure.blocks.length > 0) {
        await temporary[STRUCTURE].insertMany(structure.blocks, { ordered: true });
      }
      const axis = structure.axis.map((row) => ({ _id: row.usage_key, ...row }));
      if (axis.length > 0) await temporary[AXIS].insertMany(axis, { ordered: true });
    },
    { indexes: { [STRUCTURE]: STRUCTURE_INDEXES, [AXIS]: AXIS_INDEXES } },
  );
  return {
    file: nameOf(input),
    courseKey,
    database,
    blocks: structure.blocks.length,
    blocksByCategory: countByCategory(structure.blocks),
    issues: structure.issues,
  };
}
