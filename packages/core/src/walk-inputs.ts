import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { classifyFile } from './classify-file.js';
import type { ClassifyFileOptions, FileClassification } from './classify-file.js';
import { InputError } from './errors.js';
import type { ZipEntryInput } from './open-input.js';
import { listZipEntries } from './zip-archive.js';

const ZIP_NAME = /\.zip$/iu;

async function* zipEntries(archive: string, options: WalkInputsOptions): AsyncGenerator<InputFile> {
  for (const entry of await listZipEntries(archive)) {
    const base = entry.name.split('/').pop() ?? '';
    if (base.startsWith('.') || entry.name.split('/').some((part) => part.startsWith('__MACOSX')))
      continue;
    yield {
      path: `${archive}:${entry.name}`,
      size: entry.size,
      classification: classifyFile(entry.name, options),
      zip: { archive, entry: entry.name },
    };
  }
}

/** One file found by {@link walkInputs}. */
export interface InputFile {
  /**
   * The file's path: the walked folder joined with the path inside it; for an entry of a
   * zip archive, `<archive>:<entry>`.
   */
  readonly path: string;
  /** Size in bytes (uncompressed, for a zip entry). */
  readonly size: number;
  readonly classification: FileClassification;
  /** For an entry of a zip archive: the archive and the entry's name (give both to `openInput`). */
  readonly zip?: ZipEntryInput;
  /** A zip archive met in the folder that could not be read: yielded itself, with why. */
  readonly problem?: InputError;
}

export type WalkInputsOptions = ClassifyFileOptions;

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

async function* walk(dir: string, options: WalkInputsOptions): AsyncGenerator<InputFile> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort(byName);
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* walk(path, options);
      continue;
    }
    // Regular files, and symbolic links to files (links to folders are not followed).
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const info = await stat(path).catch(() => null);
    if (info === null || !info.isFile()) continue;
    if (ZIP_NAME.test(entry.name)) {
      const entries: InputFile[] = [];
      try {
        for await (const file of zipEntries(path, options)) entries.push(file);
      } catch (error) {
        const problem =
          error instanceof InputError
            ? error
            : new InputError('E_INPUT', String(error), { file: path });
        yield { path, size: info.size, classification: classifyFile(path, options), problem };
        continue;
      }
      yield* entries;
      continue;
    }
    yield { path, size: info.size, classification: classifyFile(path, options) };
  }
}

/**
 * Walks a folder recursively, in name order (code-unit order, folders where they sort), and
 * yields each file with its size and {@link classifyFile} classification. Names that start
 * with a dot are skipped, files and folders alike. A `.zip` archive (a weekly package), met
 * in the folder or given instead of it, is not yielded itself: its entries are, each with
 * `zip` set so that `openInput(file.zip)` streams it without unpacking. Throws an
 * {@link InputError} `E_FILE_NOT_FOUND` when `dir` does not exist or is neither a folder
 * nor a zip archive.
 */
export async function* walkInputs(
  dir: string,
  options: WalkInputsOptions = {},
): AsyncGenerator<InputFile> {
  const info = await stat(dir).catch((error: unknown) => {
    throw new InputError('E_FILE_NOT_FOUND', 'no such folder', { file: dir, cause: error });
  });
  if (info.isFile() && ZIP_NAME.test(dir)) {
    yield* zipEntries(dir, options);
    return;
  }
  if (!info.isDirectory()) {
    throw new InputError('E_FILE_NOT_FOUND', 'not a folder or a zip archive', { file: dir });
  }
  yield* walk(dir, options);
}
