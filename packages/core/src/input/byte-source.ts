/**
 * Where the bytes of an input come from: a file on disk or an entry of a zip archive. Both
 * are read in chunks, on demand, reporting progress over the bytes read.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { isEdxDataError } from '../errors.js';
import { openZipEntry } from '../zip-archive.js';
import { errnoCode, fail, messageOf } from './failure.js';

const CHUNK_BYTES = 1 << 20;

/** What reading a source listens to. */
export interface ReadControl {
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((bytesRead: number, totalBytes: number) => void) | undefined;
}

/** The bytes of an input, readable once from the start. */
export interface ByteSource {
  readonly totalBytes: number;
  /** The first `n` bytes (fewer for a shorter input), without consuming them. */
  head(n: number): Promise<Uint8Array>;
  /** Every byte from the start, counting them in `progress.bytesRead`. */
  chunks(progress: { bytesRead: number }, control: ReadControl): AsyncGenerator<Uint8Array>;
  close(): Promise<void>;
}

async function openFile(path: string): Promise<FileHandle> {
  try {
    const fh = await open(path, 'r');
    const stat = await fh.stat().catch(async (error: unknown) => {
      await fh.close();
      throw error;
    });
    if (!stat.isFile()) {
      await fh.close();
      throw fail('E_INPUT', 'not a regular file', path);
    }
    return fh;
  } catch (error) {
    if (isEdxDataError(error)) throw error;
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw fail('E_FILE_NOT_FOUND', 'file not found', path, error);
    }
    if (code === 'EISDIR') throw fail('E_INPUT', 'not a regular file', path, error);
    throw fail('E_INPUT', `cannot open the file (${messageOf(error)})`, path, error);
  }
}

/** Reads the file from `progress.bytesRead` to the end, in 1 MiB chunks, reporting progress. */
async function* fileChunks(
  fh: FileHandle,
  totalBytes: number,
  progress: { bytesRead: number },
  control: ReadControl,
): AsyncGenerator<Uint8Array> {
  for (;;) {
    control.signal?.throwIfAborted();
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, progress.bytesRead);
    if (bytesRead === 0) return;
    progress.bytesRead += bytesRead;
    control.onProgress?.(progress.bytesRead, totalBytes);
    yield buf.subarray(0, bytesRead);
  }
}

/** A regular file. @throws InputError `E_FILE_NOT_FOUND`, `E_INPUT` */
export async function fileSource(path: string): Promise<ByteSource> {
  const fh = await openFile(path);
  try {
    const totalBytes = (await fh.stat()).size;
    return {
      totalBytes,
      head: async (n) => {
        const buf = Buffer.alloc(n);
        return buf.subarray(0, (await fh.read(buf, 0, n, 0)).bytesRead);
      },
      chunks: (progress, control) => fileChunks(fh, totalBytes, progress, control),
      close: () => fh.close(),
    };
  } catch (error) {
    await fh.close().catch(() => undefined);
    throw error;
  }
}

/** An entry of a zip archive (its bytes inflated by the zip reader). */
export async function zipEntrySource(archive: string, entry: string): Promise<ByteSource> {
  const { stream, size } = await openZipEntry(archive, entry);
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const buffered: Buffer[] = [];
  let bufferedBytes = 0;
  let exhausted = false;
  const pull = async (): Promise<boolean> => {
    const next = await iterator.next();
    if (next.done === true) {
      exhausted = true;
      return false;
    }
    buffered.push(next.value);
    bufferedBytes += next.value.length;
    return true;
  };
  return {
    totalBytes: size,
    head: async (n) => {
      while (bufferedBytes < n && !exhausted && (await pull()));
      return Buffer.concat(buffered).subarray(0, n);
    },
    chunks: async function* (progress, control) {
      for (;;) {
        control.signal?.throwIfAborted();
        const chunk = buffered.shift() ?? ((await pull()) ? buffered.shift() : undefined);
        if (chunk === undefined) return;
        progress.bytesRead += chunk.length;
        control.onProgress?.(progress.bytesRead, size);
        yield chunk;
      }
    },
    close: () => {
      stream.destroy();
      return Promise.resolve();
    },
  };
}
