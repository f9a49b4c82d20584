/**
 * Where generated text goes: a file, through gzip (fixed level, mtime 0, so the bytes depend
 * only on the text) and OpenPGP encryption when asked, with backpressure: `write` resolves
 * when the pipeline can take more, so a whole log is never held in memory.
 */
import { createWriteStream } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { constants, createGzip } from 'node:zlib';
import { createMessage, encrypt } from 'openpgp';
import type { PublicKey } from 'openpgp';

/** Bytes gathered before one write to the stream. */
const BATCH_CHARS = 256 * 1024;

export interface SinkOptions {
  readonly gzip: boolean;
  /** Encrypt to these keys (none: plain file). */
  readonly encryptTo: readonly PublicKey[];
}

export interface TextSink {
  /** Queue `text`; resolves at once unless the stream needs draining. */
  write(text: string): Promise<void> | undefined;
  /** Flush, close, and wait until the file is on disk. */
  close(): Promise<void>;
}

function waitDrain(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (error: Error): void => {
      stream.off('drain', onDrain);
      reject(error);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

/** Open `path` for writing generated text. */
export function openSink(path: string, options: SinkOptions): TextSink {
  const head = new PassThrough({ highWaterMark: 1 << 20 });
  const stages: (NodeJS.ReadableStream | NodeJS.WritableStream)[] = [];
  let plain: Readable = head;
  if (options.gzip) {
    const gzip = createGzip({ level: 6, strategy: constants.Z_DEFAULT_STRATEGY });
    stages.push(gzip);
  }
  let done: Promise<void>;
  if (options.encryptTo.length === 0) {
    done = pipeline([head, ...stages, createWriteStream(path)]);
  } else {
    if (stages.length > 0) {
      const gzipped = new PassThrough({ highWaterMark: 1 << 20 });
      const inner = pipeline([head, ...stages, gzipped]);
      plain = gzipped;
      done = Promise.all([inner, encryptTo(plain, path, options.encryptTo)]).then(() => undefined);
    } else {
      done = encryptTo(plain, path, options.encryptTo);
    }
  }
  // Surface a failure on the first write after it, and never leave it unhandled.
  let failure: unknown;
  done.catch((error: unknown) => {
    failure = error;
    head.destroy();
  });

  let batch: string[] = [];
  let batchChars = 0;

  function flush(): Promise<void> | undefined {
    if (batch.length === 0) return undefined;
    const text = batch.length === 1 ? (batch[0] ?? '') : batch.join('');
    batch = [];
    batchChars = 0;
    if (failure !== undefined) {
      return Promise.reject(
        failure instanceof Error ? failure : new Error('writing failed', { cause: failure }),
      );
    }
    return head.write(text) ? undefined : waitDrain(head);
  }

  return {
    write(text) {
      batch.push(text);
      batchChars += text.length;
      return batchChars >= BATCH_CHARS ? flush() : undefined;
    },
    async close() {
      await flush();
      head.end();
      await done;
    },
  };
}

async function encryptTo(plain: Readable, path: string, keys: readonly PublicKey[]): Promise<void> {
  const message = await createMessage({
    binary: Readable.toWeb(plain),
    format: 'binary',
  });
  const encrypted: unknown = await encrypt({
    message,
    encryptionKeys: [...keys],
    format: 'binary',
  });
  const out = Readable.fromWeb(encrypted as NodeReadableStream<Uint8Array>);
  await pipeline(out, createWriteStream(path));
}
