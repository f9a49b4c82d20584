/**
 * Streaming CSV in and out with `fast-csv`: records as string arrays, read from a `.csv` or
 * `.csv.gz` file with backpressure (memory stays flat whatever the file size), written as
 * RFC 4180 with CRLF (as the exporter writes), to a file created with mode 600.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream';
import { pipeline as pipelinePromise } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { format, parse } from 'fast-csv';
import { InputError, isEdxDataError } from '@edx-data/core';

/** One record of a CSV file, with its number (the header is record 1). */
export interface CsvRecord {
  readonly cells: readonly string[];
  readonly record: number;
}

/**
 * The records of a CSV file (the header first), as they are read.
 * @throws InputError `E_INPUT` naming the file for text `fast-csv` cannot read,
 *   `E_GZIP_CORRUPT` for a bad `.gz`
 */
export async function* readCsv(file: string): AsyncGenerator<CsvRecord> {
  const parser = parse<string[], string[]>({ headers: false, ignoreEmpty: false });
  const source = createReadStream(file);
  let failure: unknown;
  const rows = file.endsWith('.gz')
    ? pipeline(source, createGunzip(), parser, (error) => (failure = error ?? failure))
    : pipeline(source, parser, (error) => (failure = error ?? failure));
  let record = 0;
  try {
    for await (const cells of rows as AsyncIterable<string[]>) {
      record += 1;
      if (record === 1 && cells[0]?.startsWith('\uFEFF') === true) {
        yield { cells: [cells[0].slice(1), ...cells.slice(1)], record };
        continue;
      }
      yield { cells, record };
    }
  } catch (error) {
    if (isEdxDataError(error)) throw error;
    const cause = failure ?? error;
    const code = (cause as { code?: unknown }).code;
    if (code === 'ENOENT') {
      throw new InputError('E_FILE_NOT_FOUND', 'no such file', { file, cause });
    }
    throw new InputError(
      code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' ? 'E_GZIP_CORRUPT' : 'E_INPUT',
      `cannot read the CSV (${(cause as Error).message})`,
      { file, line: record + 1, cause },
    );
  } finally {
    source.destroy();
  }
}

/** A CSV file being written: `write` waits when the disk is behind; `close` ends it. */
export class CsvFileWriter {
  readonly #formatter = format<string[], string[]>({
    rowDelimiter: '\r\n',
    includeEndRowDelimiter: true,
  });
  readonly #finished: Promise<void>;
  rows = 0;

  constructor(file: string, options: { readonly gzip?: boolean } = {}) {
    const out = createWriteStream(file, { mode: 0o600, flags: 'wx' });
    this.#finished =
      options.gzip === true
        ? pipelinePromise(this.#formatter, createGzip(), out)
        : pipelinePromise(this.#formatter, out);
    // (a failure is reported by close(); this keeps it from being unhandled meanwhile)
    this.#finished.catch(() => undefined);
  }

  /** Write one record (the header is written like any other, first). */
  async write(cells: readonly string[]): Promise<void> {
    this.rows += 1;
    if (!this.#formatter.write([...cells])) {
      await Promise.race([once(this.#formatter, 'drain'), this.#finished]);
    }
  }

  async close(): Promise<void> {
    this.#formatter.end();
    await this.#finished;
  }

  /** Stop writing (after a failure elsewhere); the caller removes the file. */
  async abort(): Promise<void> {
    this.#formatter.destroy();
    await this.#finished.catch(() => undefined);
  }
}
