import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { classifyFile } from './classify-file.js';
import type { ClassifyFileOptions, FileClassification } from './classify-file.js';
import { InputError } from './errors.js';

/** One file found by {@link walkInputs}. */
export interface InputFile {
  /** The file's path: the walked folder joined with the path inside it. */
  readonly path: string;
  /** Size in bytes. */
  readonly size: number;
  readonly classification: FileClassification;
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
    yield { path, size: info.size, classification: classifyFile(path, options) };
  }
}

/**
 * Walks a folder recursively, in name order (code-unit order, folders where they sort), and
 * yields each file with its size and {@link classifyFile} classification. Names that start
 * with a dot are skipped, files and folders alike. Throws an {@link InputError}
 * `E_FILE_NOT_FOUND` when `dir` does not exist or is not a folder.
 */
export async function* walkInputs(
  dir: string,
  options: WalkInputsOptions = {},
): AsyncGenerator<InputFile> {
  const info = await stat(dir).catch((error: unknown) => {
    throw new InputError('E_FILE_NOT_FOUND', 'no such folder', { file: dir, cause: error });
  });
  if (!info.isDirectory()) {
    throw new InputError('E_FILE_NOT_FOUND', 'not a folder', { file: dir });
  }
  yield* walk(dir, options);
}
