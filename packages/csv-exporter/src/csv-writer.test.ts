import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ObjectId } from 'bson';
import { parseString } from 'fast-csv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellText, CsvWriter } from './csv-writer.js';
import type { ColumnSpec } from './report.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csv-writer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const COLUMNS: ColumnSpec[] = [
  { name: 'text', type: 'string', description: '' },
  { name: 'n', type: 'number', description: '' },
];

function parse(text: string): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const rows: string[][] = [];
    parseString<string[], string[]>(text)
      .on('error', reject)
      .on('data', (row: string[]) => rows.push(row))
      .on('end', () => {
        resolve(rows);
      });
  });
}

/** Awkward values: each must come back exactly. */
const AWKWARD = [
  'plain',
  'a, comma',
  'a "quoted" word',
  'line one\r\nline two',
  'bare\nnewline and bare\rreturn',
  'tab\there',
  '  leading and trailing spaces  ',
  'accents: é à ü ß ç, and 日本語, עברית, emoji 😀',
  '',
  '"',
  '=1+1',
];

describe(CsvWriter, () => {
  it('writes RFC 4180 that fast-csv reads back to the same values, UTF-8 byte for byte', async () => {
    const writer = new CsvWriter(dir, 'awkward', COLUMNS);
    for (const [i, text] of AWKWARD.entries()) await writer.write({ text, n: i });
    const [file] = await writer.close();
    const bytes = await readFile(join(dir, 'awkward.csv'));
    expect(file).toEqual({
      file: 'awkward.csv',
      rows: AWKWARD.length,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    const text = bytes.toString('utf8');
    // CRLF between records, a header, quotes only where needed, quotes doubled
    expect(text.startsWith('text,n\r\nplain,0\r\n"a, comma",1\r\n"a ""quoted"" word",2\r\n')).toBe(
      true,
    );
    expect(text.endsWith('=1+1,10\r\n')).toBe(true);
    expect(Buffer.from(text, 'utf8').equals(bytes)).toBe(true);
    expect(text).toContain('日本語, עברית, emoji 😀');
    const rows = await parse(text);
    expect(rows[0]).toEqual(['text', 'n']);
    expect(rows.slice(1)).toEqual(AWKWARD.map((t, i) => [t, String(i)]));
  });

  it('splits every n rows with the header in each file, and gzips on request', async () => {
    const writer = new CsvWriter(dir, 'split', COLUMNS, { splitRows: 2, gzip: true });
    for (let i = 0; i < 5; i++) await writer.write({ text: `row ${String(i)}`, n: i });
    const files = await writer.close();
    expect(files.map((f) => [f.file, f.rows])).toEqual([
      ['split_1.csv.gz', 2],
      ['split_2.csv.gz', 2],
      ['split_3.csv.gz', 1],
    ]);
    const third = gunzipSync(await readFile(join(dir, 'split_3.csv.gz'))).toString('utf8');
    expect(third).toBe('text,n\r\nrow 4,4\r\n');
    for (const f of files) {
      const bytes = await readFile(join(dir, f.file));
      expect(f.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('writes the header alone when there is no row, and a BOM on request', async () => {
    const writer = new CsvWriter(dir, 'empty', COLUMNS, { bom: true });
    expect(await writer.close()).toMatchObject([{ file: 'empty.csv', rows: 0 }]);
    expect(await readFile(join(dir, 'empty.csv'), 'utf8')).toBe('\uFEFFtext,n\r\n');
    expect((await readdir(dir)).filter((f) => f.startsWith('empty'))).toEqual(['empty.csv']);
  });
});

describe(cellText, () => {
  it('writes times as ISO 8601 UTC, nested values as JSON, nothing for null', () => {
    const id = new ObjectId('65a1b2c3d4e5f60718293a4b');
    expect(cellText(new Date(Date.UTC(2024, 0, 8, 9, 30)))).toBe('2024-01-08T09:30:00.000Z');
    expect(cellText(null)).toBe('');
    expect(cellText(undefined)).toBe('');
    expect(cellText(true)).toBe('true');
    expect(cellText(0.5)).toBe('0.5');
    expect(cellText(Number.NaN)).toBe('');
    expect(cellText(id)).toBe('65a1b2c3d4e5f60718293a4b');
    expect(cellText({ a: [1, 'é'], at: new Date(0), id })).toBe(
      '{"a":[1,"é"],"at":"1970-01-01T00:00:00.000Z","id":"65a1b2c3d4e5f60718293a4b"}',
    );
  });
});
