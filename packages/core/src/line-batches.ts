/**
 * Lines of a byte stream in batches, one batch per chunk read, with the rules of
 * {@link readLines} (which is built on it) (LF line ends, a CR before the LF and a BOM at the start dropped, a last line without
 * LF kept, invalid UTF-8 read as U+FFFD and counted, lines over `maxLineBytes` reported and
 * skipped without being buffered), but with one `await` per chunk rather than one per line:
 * the TSV hot loop runs synchronously over a chunk's lines.
 *
 * Issues (`E_LINE_TOO_LONG`) are items of the batch, in input order, so the reader reports them
 * when it reaches them (as `readLines` does, lazily). Each item carries the line count and the
 * invalid-UTF-8 count `readLines` would show when handing it out, so a summary taken after an
 * early stop is the same too.
 */
import type { Readable } from 'node:stream';
import { InputError } from './errors.js';

/** The lines (or issues) completed by one chunk. */
export interface LineBatch {
  /** A line's text, or the issue of a line that was skipped. */
  readonly items: (string | InputError)[];
  /** For a text: its 1-based line number; for an issue: the lines counted when it was raised. */
  readonly lines: number[];
  /** Invalid UTF-8 sequences counted once the item was read. */
  readonly invalid: number[];
}

/** Counts over the whole input; final once the batches are exhausted. */
export interface BatchSummary {
  lines: number;
  bytes: number;
  invalidUtf8: number;
}

/** What {@link lineBatches} needs to know. */
export interface LineBatchSettings {
  /** The file name used in issues. */
  readonly file: string | undefined;
  /** Longest line accepted, in bytes, without its line ending. */
  readonly maxLineBytes: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const REPLACEMENT = '\uFFFD';
const REPLACEMENT_BYTES = Buffer.from(REPLACEMENT, 'utf8');

function countText(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) n++;
  return n;
}

function countBytes(haystack: Buffer, needle: Buffer): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) n++;
  return n;
}

const hasBom = (bytes: Buffer): boolean =>
  bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;

/** The splitter of core `readLines`, filling a batch per chunk. */
class BatchSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private skipping = false;
  private atStart = true;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  private batch: LineBatch = { items: [], lines: [], invalid: [] };

  constructor(
    private readonly settings: LineBatchSettings,
    readonly summary: BatchSummary,
  ) {}

  /** The batch filled so far; a new one is started. */
  take(): LineBatch {
    const batch = this.batch;
    this.batch = { items: [], lines: [], invalid: [] };
    return batch;
  }

  push(chunk: Buffer): void {
    this.summary.bytes += chunk.length;
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      this.finish(chunk.subarray(start, nl));
      start = nl + 1;
    }
    this.keep(chunk.subarray(start));
  }

  end(): void {
    if (this.partBytes === 0 && !this.skipping) return;
    this.finish(Buffer.alloc(0));
  }

  private add(item: string | InputError): void {
    const { batch, summary } = this;
    batch.items.push(item);
    batch.lines.push(summary.lines);
    batch.invalid.push(summary.invalidUtf8);
  }

  private decode(bytes: Buffer): string {
    const text = this.decoder.decode(bytes);
    if (text.includes(REPLACEMENT)) {
      this.summary.invalidUtf8 +=
        countText(text, REPLACEMENT) - countBytes(bytes, REPLACEMENT_BYTES);
    }
    return text;
  }

  private tooLong(line: number): void {
    const { settings } = this;
    this.add(
      new InputError(
        'E_LINE_TOO_LONG',
        `line is longer than ${settings.maxLineBytes} bytes; skipped`,
        { file: settings.file, line },
      ),
    );
  }

  private finish(last: Buffer): void {
    this.summary.lines += 1;
    const atStart = this.atStart;
    this.atStart = false;
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    let bytes =
      this.parts.length === 0
        ? last
        : Buffer.concat([...this.parts, last], this.partBytes + last.length);
    if (this.parts.length !== 0) {
      this.parts = [];
      this.partBytes = 0;
    }
    if (atStart && hasBom(bytes)) bytes = bytes.subarray(3);
    if (bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, -1);
    if (bytes.length > this.settings.maxLineBytes) {
      this.tooLong(this.summary.lines);
      return;
    }
    this.add(this.decode(bytes));
  }

  private keep(piece: Buffer): void {
    if (this.skipping || piece.length === 0) return;
    if (this.partBytes + piece.length > this.settings.maxLineBytes + 4) {
      this.parts = [];
      this.partBytes = 0;
      this.skipping = true;
      this.tooLong(this.summary.lines + 1);
      return;
    }
    this.parts.push(piece);
    this.partBytes += piece.length;
  }
}

function isDestroyable(source: unknown): source is Readable {
  return typeof (source as { destroy?: unknown }).destroy === 'function';
}

/**
 * The batches of lines of `source` (a batch may be empty). Stopping early destroys the source,
 * as `readLines` does.
 */
export async function* lineBatches(
  source: Readable | AsyncIterable<Uint8Array>,
  settings: LineBatchSettings,
  summary: BatchSummary,
): AsyncGenerator<LineBatch, undefined, undefined> {
  const splitter = new BatchSplitter(settings, summary);
  let completed = false;
  try {
    for await (const raw of source as AsyncIterable<Uint8Array | string>) {
      const chunk =
        typeof raw === 'string'
          ? Buffer.from(raw, 'utf8')
          : Buffer.isBuffer(raw)
            ? raw
            : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      splitter.push(chunk);
      yield splitter.take();
    }
    splitter.end();
    yield splitter.take();
    completed = true;
    return undefined;
  } finally {
    if (!completed && isDestroyable(source)) source.destroy();
  }
}
