/**
 * Split a byte stream into lines of UTF-8 text.
 *
 * Why not split2: with `maxLength` it either fails the whole stream ("maximum buffer
 * reached") or, with `skipOverflow`, drops the over-long line silently, with no way to learn
 * that a line was dropped or which one (so no E_LINE_TOO_LONG with a line number). It also
 * measures the limit in UTF-16 code units rather than bytes, only checks it at chunk ends,
 * and cannot count invalid UTF-8. It was also 2–5 s/GB slower than a Buffer `indexOf(10)`
 * splitter in our benchmark (shared/research/toolchain.md, rows b1/b2). So this splitter
 * works on bytes: lines are assembled as bytes and decoded whole, which keeps multibyte
 * characters intact across chunk boundaries.
 */
import type { Readable } from 'node:stream';
import { InputError, UsageError } from './errors.js';

/** 16 MiB: the default {@link ReadLinesOptions.maxLineBytes}. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/** How many issues {@link LineSummary.issues} keeps (the counts stay exact). */
const MAX_KEPT_ISSUES = 100;

export interface ReadLinesOptions {
  /** The file name used in issues (e.g. `tracking.log.gz`). */
  readonly file?: string | undefined;
  /**
   * Longest line accepted, in bytes, without its line ending. Longer lines are skipped and
   * reported as `E_LINE_TOO_LONG`; reading continues with the next line. @default 16 MiB
   */
  readonly maxLineBytes?: number | undefined;
  /** Called for each skipped line (`E_LINE_TOO_LONG`), with its 1-based line number. */
  readonly onIssue?: ((issue: InputError) => void) | undefined;
}

/** One line of text, without its line ending. */
export interface Line {
  /** 1-based physical line number in the input (skipped lines count too). */
  readonly line: number;
  readonly text: string;
}

/** Counts for the lines read so far; final once iteration has ended. */
export interface LineSummary {
  /** Lines seen, including skipped ones and a last line without a newline. */
  lines: number;
  /** Bytes read from the source (BOM and line endings included). */
  bytes: number;
  /** Invalid UTF-8 sequences, each replaced with U+FFFD. */
  invalidUtf8: number;
  /** Lines skipped because they were longer than `maxLineBytes`. */
  tooLong: number;
  /** The first 100 issues (`E_LINE_TOO_LONG`), in order. */
  issues: InputError[];
}

/** The generator returned by {@link readLines}, with its live {@link LineSummary}. */
export type LineReader = AsyncGenerator<Line, LineSummary, undefined> & {
  readonly summary: Readonly<LineSummary>;
};

const NEWLINE = 0x0a;
const CR = 0x0d;
const REPLACEMENT = '\uFFFD';
/** U+FFFD encoded, to tell replacement characters in the input from decoding errors. */
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

/**
 * Read `source` line by line. Lines end at `\n`; a `\r` before it is dropped, a UTF-8 BOM at
 * the start is dropped, and a last line without `\n` is still yielded. Invalid UTF-8 becomes
 * U+FFFD and is counted. A line longer than `maxLineBytes` is not thrown: it is reported
 * (`onIssue` and `summary.issues`) and skipped, without being buffered, and reading goes on.
 *
 * Stopping early (`break`, `return()`, or a throw in the loop body) destroys the source.
 *
 * @example
 * const lines = readLines(input.stream, { file: input.file, onIssue: (e) => log(e.message) });
 * for await (const { line, text } of lines) handle(line, text);
 * console.log(lines.summary); // { lines, bytes, invalidUtf8, tooLong, issues }
 *
 * @throws UsageError `E_OPTION` for an invalid `maxLineBytes`.
 */
export function readLines(
  source: Readable | AsyncIterable<Uint8Array>,
  options: ReadLinesOptions = {},
): LineReader {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
    throw new UsageError(
      'E_OPTION',
      `readLines: maxLineBytes must be a positive integer, got ${String(maxLineBytes)}`,
    );
  }
  const summary: LineSummary = { lines: 0, bytes: 0, invalidUtf8: 0, tooLong: 0, issues: [] };
  const generator = splitLines(
    source,
    { file: options.file, maxLineBytes, onIssue: options.onIssue },
    summary,
  );
  return Object.assign(generator, { summary });
}

interface Settings {
  readonly file: string | undefined;
  readonly maxLineBytes: number;
  readonly onIssue: ((issue: InputError) => void) | undefined;
}

const hasBom = (bytes: Buffer): boolean =>
  bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;

/** The I/O-free core: feed it chunks, get the texts of complete lines back. */
class LineSplitter {
  /** Pieces of the current line, when it spans chunks. */
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** The current line is over the limit: drop bytes until its end. */
  private skipping = false;
  private atStart = true;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

  constructor(
    private readonly settings: Settings,
    readonly summary: LineSummary,
  ) {}

  /** The lines completed by `chunk` (undefined for a skipped line: read `summary.lines`). */
  *push(chunk: Buffer): Generator<Line> {
    this.summary.bytes += chunk.length;
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const text = this.finish(chunk.subarray(start, nl));
      start = nl + 1;
      if (text !== undefined) yield { line: this.summary.lines, text };
    }
    this.keep(chunk.subarray(start));
  }

  /** The last line, if the input did not end with a newline. */
  end(): Line | undefined {
    if (this.partBytes === 0 && !this.skipping) return undefined;
    const text = this.finish(Buffer.alloc(0));
    return text === undefined ? undefined : { line: this.summary.lines, text };
  }

  private decode(bytes: Buffer): string {
    const text = this.decoder.decode(bytes);
    if (text.includes(REPLACEMENT)) {
      this.summary.invalidUtf8 +=
        countText(text, REPLACEMENT) - countBytes(bytes, REPLACEMENT_BYTES);
    }
    return text;
  }

  private reportTooLong(line: number): void {
    const { summary, settings } = this;
    summary.tooLong += 1;
    const issue = new InputError(
      'E_LINE_TOO_LONG',
      `line is longer than ${settings.maxLineBytes} bytes; skipped`,
      { file: settings.file, line },
    );
    if (summary.issues.length < MAX_KEPT_ISSUES) summary.issues.push(issue);
    settings.onIssue?.(issue);
  }

  /** Ends the current line; returns its text, or undefined when it was skipped. */
  private finish(last: Buffer): string | undefined {
    this.summary.lines += 1;
    const atStart = this.atStart;
    this.atStart = false;
    if (this.skipping) {
      this.skipping = false;
      return undefined;
    }
    let bytes =
      this.parts.length === 0
        ? last
        : Buffer.concat([...this.parts, last], this.partBytes + last.length);
    this.parts = [];
    this.partBytes = 0;
    if (atStart && hasBom(bytes)) bytes = bytes.subarray(3);
    if (bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, -1);
    if (bytes.length > this.settings.maxLineBytes) {
      this.reportTooLong(this.summary.lines);
      return undefined;
    }
    return this.decode(bytes);
  }

  /** Keeps a piece of an unfinished line, or starts skipping it once past the limit. */
  private keep(piece: Buffer): void {
    if (this.skipping || piece.length === 0) return;
    // +4: room for a BOM and a `\r` that `finish` will drop; it checks the exact limit.
    if (this.partBytes + piece.length > this.settings.maxLineBytes + 4) {
      this.parts = [];
      this.partBytes = 0;
      this.skipping = true;
      // Reported now (with the number the line will get), not when the line finally ends.
      this.reportTooLong(this.summary.lines + 1);
      return;
    }
    this.parts.push(piece);
    this.partBytes += piece.length;
  }
}

async function* splitLines(
  source: Readable | AsyncIterable<Uint8Array>,
  settings: Settings,
  summary: LineSummary,
): AsyncGenerator<Line, LineSummary, undefined> {
  const splitter = new LineSplitter(settings, summary);
  let completed = false;
  try {
    for await (const raw of source as AsyncIterable<Uint8Array | string>) {
      const chunk =
        typeof raw === 'string'
          ? Buffer.from(raw, 'utf8')
          : Buffer.isBuffer(raw)
            ? raw
            : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      yield* splitter.push(chunk);
    }
    const last = splitter.end();
    if (last !== undefined) yield last;
    completed = true;
    return summary;
  } finally {
    if (!completed && isDestroyable(source)) source.destroy();
  }
}

function isDestroyable(source: unknown): source is Readable {
  return typeof (source as { destroy?: unknown }).destroy === 'function';
}
