/**
 * Differential test against MySQL's own writer: MariaDB (Debian's package; `npm test`
 * installs it as root) holds tricky values; its data-package-style export (`mysql --batch`,
 * with the header) and its `mysqldump` must both parse back to exactly the values inserted.
 * Without MariaDB it is skipped with the reason printed (under CI that is a failure).
 */
import { hasMariaDb, startMariaDb } from '@edx-data/test-support';
import type { MariaDb } from '@edx-data/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowValue } from './types.js';
import { collect } from './test-support/collect.js';

const LONG = `${'long text with a tab\there and a newline\nthere, '.repeat(2000)}end`;

/** Tricky values for the text columns, one row each; `username` is all digits in some. */
const TEXTS: readonly (string | null)[] = [
  'plain',
  'tab\there',
  'new\nline',
  'carriage\rreturn inside',
  'back\\slash',
  'backslash then n: \\n is not a newline',
  'ends with a backslash \\',
  '',
  null,
  'héllo wörld ✓ 日本語 😀 Ωμέγα',
  '"double" and \'single\' quotes, a % and an _',
  'tabs\t\tand\n\nnewlines\r\nmixed\\t',
  LONG,
];

interface Row {
  readonly id: number;
  readonly username: string;
  readonly first_name: string | null;
  readonly last_name: string;
  readonly email: string;
  readonly is_staff: boolean;
  readonly last_login: Date | null;
  readonly date_joined: Date;
}

const ROWS: readonly Row[] = TEXTS.map((text, i) => ({
  id: i + 1,
  username: i % 3 === 0 ? `00${i}4${i}` : `learner_${i}`,
  first_name: text,
  last_name: text ?? 'null text',
  email: i % 4 === 0 ? '' : `user${i}@example.org`,
  is_staff: i % 2 === 0,
  last_login: i % 5 === 0 ? null : new Date(Date.UTC(2015, 7, 12, 23, 13, i, i * 7)),
  date_joined: new Date(Date.UTC(2014, 0, 1 + i, 8, 30, 0)),
}));

const hex = (text: string): string => `X'${Buffer.from(text, 'utf8').toString('hex')}'`;
const sqlDate = (date: Date): string =>
  `'${date.toISOString().replace('T', ' ').replace('Z', '')}'`;

function insertStatement(): string {
  const tuples = ROWS.map(
    (row) =>
      `(${row.id}, ${hex(row.username)}, ${row.first_name === null ? 'NULL' : hex(row.first_name)}, ${hex(row.last_name)}, ${hex(row.email)}, ${row.is_staff ? 1 : 0}, ${row.last_login === null ? 'NULL' : sqlDate(row.last_login)}, ${sqlDate(row.date_joined)})`,
  );
  return `INSERT INTO edx.auth_user VALUES ${tuples.join(',\n')};`;
}

function expectRows(rows: readonly { values: Record<string, RowValue> }[]): void {
  expect(rows).toHaveLength(ROWS.length);
  rows.forEach((row, i) => {
    expect(row.values).toEqual({ ...ROWS[i] });
  });
}

describe.skipIf(!hasMariaDb())('parseSqlDump against MariaDB', () => {
  let db: MariaDb;

  beforeAll(async () => {
    db = await startMariaDb();
    db.client([
      '-e',
      `CREATE DATABASE edx CHARACTER SET utf8mb4;
       CREATE TABLE edx.auth_user (
         id INT NOT NULL PRIMARY KEY, username VARCHAR(150) NOT NULL, first_name LONGTEXT NULL,
         last_name LONGTEXT NOT NULL, email VARCHAR(254) NOT NULL, is_staff TINYINT(1) NOT NULL,
         last_login DATETIME(6) NULL, date_joined DATETIME NOT NULL,
         KEY username_idx (username)
       ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;`,
    ]);
    db.client([], insertStatement());
  }, 120_000);

  afterAll(async () => {
    await db.stop();
  });

  it('reads `mysql --batch` output (the data-package format) back to exactly the values inserted', async () => {
    const tsv = db.client(['--batch', '-e', 'SELECT * FROM edx.auth_user ORDER BY id']);
    const { rows, rejected, summary } = await collect(
      { text: tsv, chunkSize: 4096 },
      { file: 'batch.tsv', table: 'auth_user' },
    );
    expect(rejected).toEqual([]);
    expect(summary.format).toBe('tsv');
    expectRows(rows);
  });

  it('reads `mysqldump` output back to exactly the values inserted', async () => {
    const dump = db.dump(['edx', 'auth_user']);
    const { rows, rejected, summary } = await collect(
      { text: dump, chunkSize: 4096 },
      { file: 'dump.sql' },
    );
    expect(rejected).toEqual([]);
    expect(summary.format).toBe('mysqldump');
    expect(rows.every((row) => row.table === 'auth_user')).toBe(true);
    expectRows(rows);
  });

  it('reads a one-row-per-INSERT dump (--skip-extended-insert) the same way', async () => {
    const dump = db.dump(['--skip-extended-insert', 'edx', 'auth_user']);
    const { rows, rejected } = await collect(
      { text: dump, chunkSize: 777 },
      { file: 'dump-rows.sql' },
    );
    expect(rejected).toEqual([]);
    expectRows(rows);
  });
});
