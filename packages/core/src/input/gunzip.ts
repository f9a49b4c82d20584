/** Gunzipping a byte stream (every member of a multi-member gzip), with typed errors. */
import { once } from 'node:events';
import { createGunzip } from 'node:zlib';
import type { InputError } from '../errors.js';
import { errnoCode, fail, messageOf } from './failure.js';

function gzipError(error: unknown, file: string): InputError {
  if (errnoCode(error) === 'Z_BUF_ERROR') {
    return fail(
      'E_GZIP_TRUNCATED',
      'gzip data ends too early (truncated file or incomplete download)',
      file,
      error,
    );
  }
  return fail('E_GZIP_CORRUPT', `gzip data is corrupt (${messageOf(error)})`, file, error);
}

/**
 * Gunzips `src` (all members of a multi-member gzip), mapping zlib errors to InputErrors.
 *
 * With `verifyOnError` (the source is decrypted data), a gzip error is only reported after the
 * rest of the source has been read and discarded: if the ciphertext was tampered with, the
 * decompressor usually trips first, but the true cause is the failed integrity check at the
 * end, and that is the error to report.
 */
export async function* gunzipChunks(
  src: AsyncIterable<Uint8Array>,
  file: string,
  verifyOnError: boolean,
): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const it = src[Symbol.asyncIterator]();
  const stopFeeding = new AbortController();
  /** `ended`: the source ran out cleanly; `error`: reading the source failed. */
  const state: { ended: boolean; error: Error | undefined } = { ended: false, error: undefined };
  // A function, so that TypeScript does not narrow the field across the awaits below.
  const sourceError = (): Error | undefined => state.error;
  /**
   * The next chunk, already asked for while gunzip works on the one before: the stages
   * upstream (decryption, inflation) then run alongside it instead of in turn.
   */
  let prefetched: Promise<IteratorResult<Uint8Array>> | undefined;
  const pull = (): Promise<IteratorResult<Uint8Array>> => {
    const next = prefetched ?? it.next();
    prefetched = undefined;
    return next;
  };
  const feeding = (async () => {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await pull();
      } catch (error) {
        state.error = error instanceof Error ? error : new Error(String(error));
        gunzip.destroy(state.error);
        return;
      }
      if (next.done === true) {
        state.ended = true;
        if (!gunzip.destroyed) gunzip.end();
        return;
      }
      if (gunzip.destroyed) return;
      if (!gunzip.write(next.value)) {
        prefetched = it.next();
        prefetched.catch(() => undefined); // awaited later, by pull()
        try {
          await once(gunzip, 'drain', { signal: stopFeeding.signal });
        } catch {
          return; // gunzip failed (its error reaches the reader below) or we stopped
        }
      }
    }
  })();
  let failed = false;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    failed = true;
    if (state.error !== undefined) throw state.error;
    const mapped = gzipError(error, file);
    if (!verifyOnError) throw mapped;
    stopFeeding.abort();
    await feeding;
    const late = sourceError();
    if (late !== undefined) throw late;
    // Drain the rest of the decrypted data: an integrity failure there wins.
    while (!state.ended) state.ended = (await pull()).done === true;
    throw mapped;
  } finally {
    stopFeeding.abort();
    gunzip.destroy();
    await feeding;
    if (!state.ended && !failed && state.error === undefined) await it.return?.();
  }
}
