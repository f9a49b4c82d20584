/**
 * The tracking logs among the paths a user gives: files are taken as they are; folders are
 * walked, and of their files only those named like a tracking log are taken (edX's daily
 * exports `{org}-{site}-events-YYYY-MM-DD.log[.gz][.gpg]`, the older per-server files, and
 * self-hosted Open edX's `tracking.log` and its rotations, as `classifyFile` of
 * `@edx-data/core` knows them). Everything a walk leaves out is listed with the reason, so
 * that a loader can say what it did not load.
 */
import { stat } from 'node:fs/promises';
import { InputError, walkInputs } from '@edx-data/core';

/** A file to load. */
export interface TrackingLogFile {
  readonly path: string;
  /** Bytes on disk. */
  readonly size: number;
}

/** A file a folder walk left out, and why. */
export interface IgnoredFile {
  readonly path: string;
  readonly reason: string;
}

export interface FoundTrackingLogs {
  /** The files to load, in the order given (a folder's files by name). */
  readonly files: readonly TrackingLogFile[];
  /** Files found in folders that are not tracking logs by their name (or sit inside a zip). */
  readonly ignored: readonly IgnoredFile[];
}

/**
 * Resolve `paths` (files and folders) to the tracking logs to load.
 * @throws InputError `E_FILE_NOT_FOUND` for a path that does not exist
 */
export async function findTrackingLogs(paths: readonly string[]): Promise<FoundTrackingLogs> {
  const files: TrackingLogFile[] = [];
  const ignored: IgnoredFile[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (info === null) {
      throw new InputError('E_FILE_NOT_FOUND', 'no such file or folder', { file: path });
    }
    if (!info.isDirectory()) {
      files.push({ path, size: info.size });
      continue;
    }
    for await (const file of walkInputs(path)) {
      const kind = file.classification.kind;
      if (file.zip !== undefined) {
        ignored.push({ path: file.path, reason: 'inside a zip archive' });
      } else if (kind === 'events') {
        files.push({ path: file.path, size: file.size });
      } else {
        ignored.push({
          path: file.path,
          reason:
            kind === 'unknown'
              ? 'not a tracking log by name'
              : `not a tracking log by name (a ${kind.replaceAll('_', ' ')} file)`,
        });
      }
    }
  }
  return { files, ignored };
}
