/**
 * Glue between async iterators and web streams, used between the stages of
 * {@link openInput}: each keeps backpressure (one chunk at a time) and cancels upstream
 * when stopped early.
 */
import { ReadableStream } from 'node:stream/web';

/** A pull-based web stream over an async iterator (backpressure: one chunk at a time). */
export function toWebStream<T>(it: AsyncIterator<T>): ReadableStream<T> {
  return new ReadableStream<T>(
    {
      async pull(controller) {
        const next = await it.next();
        if (next.done === true) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await it.return?.();
      },
    },
    { highWaterMark: 1 },
  );
}

/** Reads the web stream to its end; cancels it if stopped early. */
async function* readAll(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } catch (error) {
    finished = true;
    throw error;
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** Reads the web stream to its end, mapping its errors; cancels it if stopped early. */
export function webChunks(
  stream: ReadableStream<Uint8Array>,
  mapError: (error: unknown) => Error,
): AsyncGenerator<Uint8Array> {
  return mapErrors(readAll(stream), mapError);
}

/** Passes the chunks through, mapping the errors thrown while reading them. */
export async function* mapErrors(
  src: AsyncGenerator<Uint8Array>,
  mapError: (error: unknown) => Error,
): AsyncGenerator<Uint8Array> {
  let finished = false;
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await src.next();
      } catch (error) {
        finished = true;
        throw mapError(error);
      }
      if (next.done === true) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!finished) await src.return(undefined).catch(() => undefined);
  }
}

/** Splits off the first `n` bytes (fewer at the end) without losing the rest. */
export async function peek(
  src: AsyncIterable<Uint8Array>,
  n: number,
): Promise<{ head: Uint8Array; rest: AsyncGenerator<Uint8Array>; cancel: () => Promise<void> }> {
  const it = src[Symbol.asyncIterator]();
  const seen: Uint8Array[] = [];
  let length = 0;
  let ended = false;
  while (length < n) {
    const next = await it.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    seen.push(next.value);
    length += next.value.length;
  }
  async function* rest(): AsyncGenerator<Uint8Array> {
    try {
      yield* seen.splice(0);
      if (ended) return;
      for (;;) {
        const next = await it.next();
        if (next.done === true) return;
        yield next.value;
      }
    } finally {
      if (!ended) await it.return?.();
    }
  }
  const cancel = async (): Promise<void> => {
    if (!ended) await it.return?.();
  };
  return { head: Buffer.concat(seen).subarray(0, n), rest: rest(), cancel };
}
