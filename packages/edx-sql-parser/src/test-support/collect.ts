import { Readable } from 'node:stream';
import { parseSqlDump } from '../parse-sql-dump.js';
import type { ParseSqlDumpOptions, SqlDumpSummary } from '../parse-sql-dump.js';
import type { RejectedRow, SqlRow } from '../types.js';

/** Everything {@link parseSqlDump} gave for `input`. */
export interface Collected {
  readonly rows: SqlRow[];
  readonly rejected: RejectedRow[];
  readonly summary: SqlDumpSummary;
}

/** Reads all of `input` (a path, or text given as a byte stream in `chunkSize` pieces). */
export async function collect(
  input: string | { text: string | Buffer; chunkSize?: number },
  options: ParseSqlDumpOptions = {},
): Promise<Collected> {
  const rejected: RejectedRow[] = [];
  let source: string | Readable;
  if (typeof input === 'string') source = input;
  else {
    const bytes = Buffer.isBuffer(input.text) ? input.text : Buffer.from(input.text, 'utf8');
    const size = input.chunkSize ?? 64 * 1024;
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    source = Readable.from(chunks);
  }
  const reader = parseSqlDump(source, {
    ...options,
    onReject: (r) => {
      rejected.push(r);
      options.onReject?.(r);
    },
  });
  const rows: SqlRow[] = [];
  for await (const row of reader) rows.push(row);
  return { rows, rejected, summary: reader.summary };
}

/** A TSV file from a header and rows of fields. */
export function tsv(header: readonly string[], ...rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((fields) => `${fields.join('\t')}\n`).join('');
}
