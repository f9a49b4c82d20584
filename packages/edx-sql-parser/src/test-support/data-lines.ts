import { readFile } from 'node:fs/promises';

/** One data record of a TSV table file: the line it starts on and its text. */
export interface DataRecord {
  readonly line: number;
  readonly text: string;
}

/**
 * The data records of a data-package TSV file, found without the parser (the expected side of
 * the realdata tests): the lines after the header, blank ones left out. Newlines inside fields
 * are written as `\n` escapes, so a record is one line, except in `courseware_studentmodule`
 * (edx-formats.md §2.4), where a line ending in an odd number of backslashes goes on on the
 * next line.
 */
export function dataRecords(text: string, studentModule: boolean): DataRecord[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const records: DataRecord[] = [];
  let pending: DataRecord | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    const continues = studentModule && /(?:^|[^\\])(?:\\\\)*\\$/.test(line);
    if (pending !== undefined) {
      pending = { line: pending.line, text: `${pending.text}\n${line}` };
    } else if (line === '') {
      continue;
    } else {
      pending = { line: i + 1, text: line };
    }
    if (!continues) {
      records.push(pending);
      pending = undefined;
    }
  }
  if (pending !== undefined) records.push(pending);
  return records;
}

/** The header and data records of a TSV table file on disk. */
export async function readTsvFile(
  path: string,
  studentModule: boolean,
): Promise<{ header: string[]; records: DataRecord[] }> {
  const text = await readFile(path, 'utf8');
  const end = text.indexOf('\n');
  const header = (end === -1 ? text : text.slice(0, end)).replace(/\r$/, '').split('\t');
  return { header, records: dataRecords(text, studentModule) };
}
