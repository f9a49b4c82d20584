import { createReadStream } from 'node:fs';
import { readLines } from '@edx-data/core';
import { parseMysqlDump } from '../mysqldump.js';
import type { MysqlDumpNotice, MysqlDumpOptions, MysqlDumpRow } from '../mysqldump.js';
import type { RejectedRow } from '../types.js';

/** Lines of a string, numbered from 1, as core's readLines gives them. */
export async function* linesOf(text: string): AsyncGenerator<{ line: number; text: string }> {
  const parts = text.split('\n');
  if (parts.at(-1) === '') parts.pop();
  let line = 0;
  for (const part of parts) {
    await Promise.resolve();
    yield { line: ++line, text: part };
  }
}

export interface DumpResult {
  readonly rows: MysqlDumpRow[];
  readonly rejects: RejectedRow[];
  readonly notices: MysqlDumpNotice[];
}

async function collect(
  lines: AsyncIterable<{ line: number; text: string }>,
  file: string,
  extra: Partial<MysqlDumpOptions> = {},
): Promise<DumpResult> {
  const rejects: RejectedRow[] = [];
  const notices: MysqlDumpNotice[] = [];
  const rows: MysqlDumpRow[] = [];
  for await (const row of parseMysqlDump(lines, {
    file,
    onReject: (r) => rejects.push(r),
    onNotice: (n) => notices.push(n),
    ...extra,
  })) {
    rows.push(row);
  }
  return { rows, rejects, notices };
}

/** Parse a dump given as a string. */
export function parseDumpText(
  text: string,
  extra: Partial<MysqlDumpOptions> = {},
): Promise<DumpResult> {
  return collect(linesOf(text), 'test.sql', extra);
}

/** Parse a dump file through core's readLines, as the CLI does. */
export function parseDumpFile(path: string): Promise<DumpResult> {
  return collect(readLines(createReadStream(path), { file: path }), path);
}
