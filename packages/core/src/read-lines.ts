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
import { lineBatches } from './line-batches.js';
import type { BatchSummary, LineBatchSettings } from './line-batches.js';

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

interface Settings extends LineBatchSettings {
  readonly onIssue: ((issue: InputError) => void) | undefined;
}

/** {@link readLines} over {@link lineBatches}: one line at a time, with the live summary. */
async function* splitLines(
  source: Readable | AsyncIterable<Uint8Array>,
  settings: Settings,
  summary: LineSummary,
): AsyncGenerator<Line, LineSummary, undefined> {
  const counts: BatchSummary = { lines: 0, bytes: 0, invalidUtf8: 0 };
  for await (const batch of lineBatches(source, settings, counts)) {
    summary.bytes = counts.bytes;
    for (let i = 0; i < batch.items.length; i++) {
      const item = batch.items[i];
      summary.lines = batch.lines[i] ?? summary.lines;
      summary.invalidUtf8 = batch.invalid[i] ?? summary.invalidUtf8;
      if (item instanceof InputError) {
        summary.tooLong += 1;
        if (summary.issues.length < MAX_KEPT_ISSUES) summary.issues.push(item);
        settings.onIssue?.(item);
      } else if (item !== undefined) {
        yield { line: summary.lines, text: item };
      }
    }
  }
  summary.lines = counts.lines;
  summary.bytes = counts.bytes;
  summary.invalidUtf8 = counts.invalidUtf8;
  return summary;
}
