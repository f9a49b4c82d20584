/**
 * `parseForumDump`: the forum `.mongo` dump as an async generator of typed documents.
 */
import type { Readable } from 'node:stream';
import { openInput, readLines, UsageError } from '@edx-data/core';
import type { OpenedInput, PassphraseProvider, ZipEntryInput } from '@edx-data/core';

/** A dump to read: a path, an entry of a weekly zip, or bytes (a stream or async iterable). */
export type ForumInput = string | ZipEntryInput | Readable | AsyncIterable<Uint8Array>;

/** The input as something `openInput` opens (a path or a zip entry), or undefined for bytes. */
export function openableInput(input: ForumInput): string | ZipEntryInput | undefined {
  if (typeof input === 'string') return input;
  if ('archive' in input && 'entry' in input) return input;
  return undefined;
}

/** The file name of an input, for messages and `import_rejected`. */
export function inputName(input: ForumInput): string | undefined {
  const openable = openableInput(input);
  if (openable === undefined) return undefined;
  return typeof openable === 'string' ? openable : `${openable.archive}:${openable.entry}`;
}
import { parseForumLine } from './parse-line.js';
import type { ForumDocument, ForumParseSummary, ForumReject } from './types.js';

export interface ParseForumDumpOptions {
  /** The file name used in rejects and errors. @default the path, or `'<stream>'` */
  readonly file?: string | undefined;
  /** OpenPGP private key (armored, or a path) for a `.gpg` dump. */
  readonly key?: string | undefined;
  /** Passphrase of the key, or a function returning it. */
  readonly passphrase?: string | PassphraseProvider | undefined;
  /** Called for every rejected line; the line is skipped and counted either way. */
  readonly onReject?: ((reject: ForumReject) => void) | undefined;
  /** Longest line accepted, in bytes. @default 16 MiB */
  readonly maxLineBytes?: number | undefined;
  /** Called with the bytes read from disk (path input only). */
  readonly onProgress?: ((bytesRead: number, totalBytes: number) => void) | undefined;
  /** Abort reading (path input only). */
  readonly signal?: AbortSignal | undefined;
}

/** The generator returned by {@link parseForumDump}, with its live {@link ForumParseSummary}. */
export type ForumDumpReader = AsyncGenerator<ForumDocument, ForumParseSummary, undefined> & {
  readonly summary: Readonly<ForumParseSummary>;
};

export function newSummary(): ForumParseSummary {
  return {
    lines: 0,
    emptyLines: 0,
    documents: 0,
    shellSyntax: 0,
    byType: { thread: 0, response: 0, comment: 0 },
    rejected: 0,
    rejectedByReason: {},
  };
}

export function checkOptions(options: ParseForumDumpOptions): void {
  if (options.onReject !== undefined && typeof options.onReject !== 'function') {
    throw new UsageError('E_OPTION', 'parseForumDump: `onReject` must be a function');
  }
  if (options.file !== undefined && typeof options.file !== 'string') {
    throw new UsageError('E_OPTION', 'parseForumDump: `file` must be a string');
  }
}

/**
 * Reads a forum dump (`{org}-{course}-{run}-{site}.mongo`, one mongoexport document per
 * line, either dialect) and yields each document, typed, with `ObjectId` and `Date` values.
 * A path is opened with core's `openInput` (`.gpg` decrypted, gzip inflated); the
 * generator throws the integrity error of the file (`E_INTEGRITY`…) after the last document,
 * so commit nothing before it ended. A bad line is rejected (reported to `onReject`, counted
 * in `summary`) and reading goes on. Blank lines are counted, not rejected.
 *
 * @example
 * const dump = parseForumDump('McGillX-CHEM181x-1T2014-prod.mongo', { onReject: console.warn });
 * for await (const doc of dump) console.log(doc._type, doc._id.toHexString());
 * console.log(dump.summary.byType); // { thread: 12, response: 30, comment: 8 }
 */
export function parseForumDump(
  input: ForumInput,
  options: ParseForumDumpOptions = {},
): ForumDumpReader {
  checkOptions(options);
  const summary = newSummary();
  const generator = documentsOf(readForumDump(input, options, summary), summary);
  return Object.assign(generator, { summary });
}

async function* documentsOf(
  source: AsyncGenerator<NumberedDocument, ForumParseSummary, undefined>,
  summary: ForumParseSummary,
): AsyncGenerator<ForumDocument, ForumParseSummary, undefined> {
  for await (const { doc } of source) yield doc;
  return summary;
}

/** A document with the 1-based line it came from. */
export interface NumberedDocument {
  readonly doc: ForumDocument;
  readonly line: number;
}

/** {@link parseForumDump}, yielding the line number of each document too. */
export async function* readForumDump(
  input: ForumInput,
  options: ParseForumDumpOptions,
  summary: ForumParseSummary,
): AsyncGenerator<NumberedDocument, ForumParseSummary, undefined> {
  let opened: OpenedInput | undefined;
  let source: Readable | AsyncIterable<Uint8Array>;
  let file = options.file ?? inputName(input) ?? '<stream>';
  const openable = openableInput(input);
  if (openable === undefined) source = input as Readable | AsyncIterable<Uint8Array>;
  else {
    opened = await openInput(openable, {
      key: options.key,
      passphrase: options.passphrase,
      onProgress: options.onProgress,
      signal: options.signal,
    });
    file = options.file ?? opened.file;
    source = opened.stream;
  }
  const reject = (
    line: number,
    reason: ForumReject['reason'],
    message: string,
    raw: string,
  ): void => {
    summary.rejected += 1;
    summary.rejectedByReason[reason] = (summary.rejectedByReason[reason] ?? 0) + 1;
    options.onReject?.({ file, line, reason, message, raw });
  };
  const lines = readLines(source, {
    file,
    maxLineBytes: options.maxLineBytes,
    onIssue: (issue) => {
      reject(issue.line ?? 0, 'line-too-long', issue.message, '');
    },
  });
  try {
    for await (const { line, text } of lines) {
      summary.lines = lines.summary.lines;
      if (text.trim() === '') {
        summary.emptyLines += 1;
        continue;
      }
      const parsed = parseForumLine(text);
      if (!parsed.ok) {
        reject(line, parsed.reason, parsed.message, text);
        continue;
      }
      summary.documents += 1;
      summary.byType[parsed.type] += 1;
      if (parsed.shellSyntax) summary.shellSyntax += 1;
      yield { doc: parsed.doc, line };
    }
    summary.lines = lines.summary.lines;
    if (opened !== undefined) await opened.done;
  } finally {
    summary.lines = lines.summary.lines;
    await lines.return(lines.summary);
  }
  return summary;
}
