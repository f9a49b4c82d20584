/**
 * Weekly data packages arrive as `{org}-{YYYY-MM-DD}.zip` (zip64 when over 4 GB), every
 * entry under `{org}-{date}/` and encrypted on its own. These helpers list a zip's entries
 * and stream one of them, without unpacking anything to disk (`yauzl`).
 */
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { InputError } from './errors.js';

/** One file inside a zip archive. */
export interface ZipEntryInfo {
  /** The entry's path inside the archive (`mcgillx-2014-10-12/…-auth_user-prod-analytics.sql.gpg`). */
  readonly name: string;
  /** Uncompressed size in bytes. */
  readonly size: number;
  readonly compressedSize: number;
}

function openArchive(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: true }, (error, zip) => {
      if (error !== null) {
        const code = (error as { code?: unknown }).code;
        reject(
          code === 'ENOENT'
            ? new InputError('E_FILE_NOT_FOUND', 'file not found', { file: path, cause: error })
            : new InputError('E_INPUT', `not a readable zip archive (${error.message})`, {
                file: path,
                cause: error,
              }),
        );
      } else {
        resolve(zip);
      }
    });
  });
}

/** Visit the entries of an open archive in their stored order; stop when `visit` returns true. */
function scan(zip: ZipFile, path: string, visit: (entry: Entry) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const onEntry = (entry: Entry): void => {
      if (visit(entry)) finish();
      else zip.readEntry();
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(
        new InputError('E_INPUT', `cannot read the zip archive (${error.message})`, {
          file: path,
          cause: error,
        }),
      );
    };
    const finish = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      zip.off('entry', onEntry);
      zip.off('end', finish);
      zip.off('error', onError);
    };
    zip.on('entry', onEntry);
    zip.once('end', finish);
    zip.once('error', onError);
    zip.readEntry();
  });
}

/** The files of a zip archive (folders left out), in the archive's order. */
export async function listZipEntries(path: string): Promise<ZipEntryInfo[]> {
  const zip = await openArchive(path);
  try {
    const out: ZipEntryInfo[] = [];
    await scan(zip, path, (entry) => {
      if (!entry.fileName.endsWith('/')) {
        out.push({
          name: entry.fileName,
          size: entry.uncompressedSize,
          compressedSize: entry.compressedSize,
        });
      }
      return false;
    });
    return out;
  } finally {
    zip.close();
  }
}

/** An entry's bytes as a stream, with its size; the archive closes when the stream does. */
export async function openZipEntry(
  path: string,
  name: string,
): Promise<{ stream: Readable; size: number }> {
  const zip = await openArchive(path);
  try {
    let found: Entry | undefined;
    await scan(zip, path, (entry) => {
      if (entry.fileName === name) found = entry;
      return found !== undefined;
    });
    if (found === undefined) {
      throw new InputError('E_FILE_NOT_FOUND', `no entry ${name} in the zip archive`, {
        file: path,
      });
    }
    const entry = found;
    const stream = await new Promise<Readable>((resolve, reject) => {
      zip.openReadStream(entry, (error, readable) => {
        if (error !== null) {
          reject(
            new InputError('E_INPUT', `cannot read ${name} in the zip archive (${error.message})`, {
              file: path,
              cause: error,
            }),
          );
        } else resolve(readable);
      });
    });
    stream.once('close', () => {
      zip.close();
    });
    return { stream, size: entry.uncompressedSize };
  } catch (error) {
    zip.close();
    throw error;
  }
}
