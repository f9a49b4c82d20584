import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'sql-parser-cst';
import type { Default, Expr } from 'sql-parser-cst';
import { readLines } from '@edx-data/core';
import { describe, expect, it } from 'vitest';
import { parseMysqlDump, splitStatements } from './mysqldump.js';
import type { MysqlValue } from './mysql-literals.js';
import { linesOf, parseDumpFile, parseDumpText } from './test-support/mysqldump-fixtures.js';
import { PIPELINE_INPUT, realdataPresent } from './test-support/realdata.js';

const HAS_PIPELINE_INPUT = realdataPresent(PIPELINE_INPUT, 'mysqldump tests on real dumps');

const input = (name: string): string => join(PIPELINE_INPUT, name);

describe.skipIf(!HAS_PIPELINE_INPUT)(
  'parseMysqlDump on the real edx-analytics-pipeline dumps',
  () => {
    it('reads load_student_courseenrollment.sql (types from its CREATE TABLE)', async () => {
      const { rows, rejects, notices } = await parseDumpFile(
        input('load_student_courseenrollment.sql'),
      );
      expect(rejects).toEqual([]);
      expect(notices).toEqual([]);
      expect(rows).toHaveLength(7);
      expect(rows[0]).toEqual({
        table: 'student_courseenrollment',
        line: 12,
        columns: ['id', 'user_id', 'course_id', 'created', 'is_active', 'mode'],
        values: [1, 1, 'edX/Open_DemoX/edx_demo_course', '2014-06-27 16:02:38', 1, 'honor'],
        columnTypes: {
          id: 'int',
          user_id: 'int',
          course_id: 'string',
          created: 'datetime',
          is_active: 'bool',
          mode: 'string',
        },
      });
      expect(rows[4]?.values).toEqual([
        5,
        5,
        'edX/Open_DemoX/edx_demo_course',
        '2014-06-30 21:19:04',
        0,
        'honor',
      ]);
      expect(rows[6]?.values[2]).toBe('course-v1:edX+Open_DemoX+edx_demo_course2');
    });

    it('reads load_auth_userprofile.sql: column list, escaped newlines and tabs, NULL, the long field', async () => {
      const { rows, rejects, notices } = await parseDumpFile(input('load_auth_userprofile.sql'));
      expect(rejects).toEqual([]);
      expect(notices).toEqual([]);
      expect(rows.map((r) => r.line)).toEqual([3, 4, 5, 7]);
      const [first, second, , fourth] = rows;
      expect(first?.columns).toHaveLength(14);
      expect(first?.values).toEqual([
        1,
        1,
        'honor',
        'es-ES',
        'Europe',
        '',
        'course.xml',
        'm',
        'Luna\n10 - 3\n28300\nARANJUEZ',
        1984,
        'a',
        'Me\tencanta\taprender.',
        'ES',
        'Madrid',
      ]);
      expect(first?.columnTypes?.['year_of_birth']).toBe('int');
      // No column list in the INSERT: the CREATE TABLE's columns.
      expect(second?.columns).toEqual(first?.columns);
      expect(second?.values).toEqual([
        2,
        2,
        'audit',
        '',
        '',
        '',
        'course.xml',
        'm',
        null,
        1975,
        'b',
        null,
        '',
        null,
      ]);
      // "Testing the field truncation: 32766 characters" (the field itself holds 32,788).
      const goals = fourth?.values[11];
      expect(typeof goals === 'string' && /^x+$/.test(goals)).toBe(true);
      expect((goals as string).length).toBe(32788);
      expect(fourth?.values.slice(0, 11)).toEqual([
        4,
        4,
        'staff',
        '',
        '',
        '',
        'course.xml',
        null,
        null,
        2000,
        '',
      ]);
    });

    it('reads load_certificates_generatedcertificate.sql: decimals in strings, UNIQUE KEY/KEY removed', async () => {
      const { rows, rejects, notices } = await parseDumpFile(
        input('load_certificates_generatedcertificate.sql'),
      );
      expect([rejects, notices]).toEqual([[], []]);
      expect(rows).toHaveLength(4);
      expect(rows[1]?.values).toEqual([
        2,
        2,
        'example.com',
        '0.58',
        'course-v1:edX+DemoX+Demo_Course',
        '0ca7774b84d513fca3e77f66d4015c17',
        0,
        'downloadable',
        '079d741605944779921bd8d435e8b82a',
        '67973c34c2eb43909fb4983f850f3d9d',
        'John Doe',
        '2012-11-09 23:31:34',
        '2012-11-10 00:05:46',
        '',
        'honor',
      ]);
      expect(rows[1]?.columnTypes).toMatchObject({
        distinction: 'bool',
        created_date: 'datetime',
        key: 'string',
      });
    });

    it('reads load_courseware_studentmodule.sql: 45 tuples of one INSERT, JSON with escaped quotes', async () => {
      const { rows, rejects, notices } = await parseDumpFile(
        input('load_courseware_studentmodule.sql'),
      );
      expect([rejects, notices]).toEqual([[], []]);
      expect(rows).toHaveLength(45);
      expect(new Set(rows.map((r) => r.line))).toEqual(new Set([18]));
      expect(rows[0]?.values).toEqual([
        96112,
        'course',
        'i4x://edX/E929/course/2014_T1',
        1091,
        '{"position": 5}',
        null,
        '2014-03-04 14:28:27',
        '2014-04-11 18:50:52',
        null,
        'na',
        'edX/E929/2014_T1',
      ]);
      const last = rows[44];
      expect(last?.values[0]).toBe(97282);
      const state = JSON.parse(last?.values[4] as string) as {
        attempts: number;
        student_answers: Record<string, string>;
      };
      expect(state.attempts).toBe(1);
      expect(state.student_answers['c554538a57664fac80783b99d9d6da7c_2_1']).toBe('[482,173]');
      expect(last?.columnTypes).toMatchObject({
        grade: 'number',
        state: 'string',
        created: 'datetime',
      });
      // Every state is JSON once unescaped.
      for (const r of rows)
        expect(() => JSON.parse(r.values[4] as string) as unknown).not.toThrow();
    });
  },
);

/** sql-parser-cst's own reading of a literal node, in our value conventions. */
function cstValue(e: Expr | Default): unknown {
  switch (e.type) {
    case 'null_literal':
      return null;
    case 'string_literal':
      return e.value;
    case 'number_literal':
      return e.value;
    case 'boolean_literal':
      return e.value ? 1 : 0;
    case 'string_with_charset':
      return e.string.value;
    case 'prefix_op_expr':
      if (e.operator === '-' && e.expr.type === 'number_literal') return -e.expr.value;
      break;
    case 'blob_literal': {
      const bytes = Buffer.from(e.value);
      if (/^(?:b|0b)/i.test(e.text)) return bytes.reduce((n, b) => n * 256 + b, 0);
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        return e.text;
      }
    }
    default:
      break;
  }
  throw new Error(`no mapping for ${e.type}`);
}

/** Ours, compared in the CST's terms: decimal text → its number, bigint → number. */
function comparable(v: MysqlValue): unknown {
  if (typeof v === 'bigint') return Number(v);
  return v;
}

function cstRows(sql: string): unknown[][] {
  const cst = parse(sql, { dialect: 'mysql', includeRange: true });
  const rows: unknown[][] = [];
  for (const stmt of cst.statements) {
    if (stmt.type !== 'insert_stmt') continue;
    for (const clause of stmt.clauses) {
      if (clause.type !== 'values_clause') continue;
      for (const item of clause.values.items) {
        if (item.type !== 'paren_expr') throw new Error(item.type);
        rows.push(item.expr.items.map(cstValue));
      }
    }
  }
  return rows;
}

const TRICKY = [
  String.raw`INSERT INTO t VALUES (1,'a\0b\'c\"d\be\nf\rg\th\Zi\\j','50\% a\_b \q'),(2,"dq""x 'y'",'it''s');`,
  "INSERT IGNORE INTO `t` (`a`,`b`,`c`) VALUES (-5, -0.5, 1.5e-3),( 0 , NULL , TRUE ), (FALSE,'Montréal 😀 ñ','');",
  "REPLACE INTO t VALUES (0x4142,X'c3a9',b'101'),(_binary 'x\\0y',_utf8mb4'café',N'z');",
  "INSERT INTO t VALUES ('semi;colon -- not a comment /* nor this */','#hash',\"back`tick\"),\n('multi\nline','x','y');",
  "INSERT INTO t VALUES (9007199254740991,'\\\\','\\'');",
];

describe('cross-check with sql-parser-cst', () => {
  it('reads the same values as sql-parser-cst from real and tricky INSERTs', async () => {
    const statements: string[] = [...TRICKY];
    if (HAS_PIPELINE_INPUT) {
      for (const name of [
        'load_auth_userprofile.sql',
        'load_certificates_generatedcertificate.sql',
        'load_courseware_studentmodule.sql',
        'load_student_courseenrollment.sql',
      ]) {
        for await (const s of splitStatements(linesOf(readFileSync(input(name), 'utf8')))) {
          if (/^INSERT/i.test(s.text)) statements.push(`${s.text};`);
        }
      }
      expect(statements.length).toBe(TRICKY.length + 7);
    }
    let tuples = 0;
    for (const sql of statements) {
      const expected = cstRows(sql);
      const { rows, rejects } = await parseDumpText(sql);
      expect(rejects).toEqual([]);
      const ours = rows.map((r) =>
        r.values.map((v, k) => {
          // Decimals are kept as text: compare them as the number the CST reads.
          const cst = expected[rows.indexOf(r)]?.[k];
          const decimal =
            typeof v === 'string' &&
            typeof cst === 'number' &&
            /^[-+]?[\d.]+(?:e[-+]?\d+)?$/i.test(v) &&
            /[.e]/i.test(v);
          return decimal ? Number(v) : comparable(v);
        }),
      );
      expect(ours).toEqual(expected);
      tuples += rows.length;
    }
    expect(tuples).toBe(HAS_PIPELINE_INPUT ? 10 + 60 : 10);
  });

  it('keeps decimals as text where sql-parser-cst rounds them to a double', async () => {
    const sql = 'INSERT INTO t VALUES (12345678901234567890.123456789, 18446744073709551615);';
    const [cst] = cstRows(sql);
    const { rows } = await parseDumpText(sql);
    expect(cst).toEqual([12345678901234567000, 18446744073709552000]);
    expect(rows[0]?.values).toEqual(['12345678901234567890.123456789', 18446744073709551615n]);
  });
});

describe(parseMysqlDump, () => {
  it('skips comments, conditional comments, SET, LOCK/UNLOCK, DROP, USE, transactions', async () => {
    const dump = [
      '-- MySQL dump 10.13',
      '/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;',
      '/*!40101 SET NAMES utf8 */;',
      'SET NAMES utf8mb4;',
      '# hash comment',
      'USE `edxapp`;',
      'DROP TABLE IF EXISTS `t`;',
      '/* a block',
      '   comment over lines; with a semicolon */',
      'CREATE TABLE `t` (`id` int(11) NOT NULL, `name` varchar(5) DEFAULT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8;',
      'LOCK TABLES `t` WRITE;',
      '/*!40000 ALTER TABLE `t` DISABLE KEYS */;',
      'START TRANSACTION;',
      "INSERT INTO `t` VALUES (1,'a'),(2,NULL); -- trailing comment",
      'COMMIT;',
      '/*!40000 ALTER TABLE `t` ENABLE KEYS */;',
      'UNLOCK TABLES;',
      '-- Dump completed',
    ].join('\n');
    const { rows, rejects, notices } = await parseDumpText(dump);
    expect([rejects, notices]).toEqual([[], []]);
    expect(rows).toEqual([
      {
        table: 't',
        line: 14,
        columns: ['id', 'name'],
        values: [1, 'a'],
        columnTypes: { id: 'int', name: 'string' },
      },
      {
        table: 't',
        line: 14,
        columns: ['id', 'name'],
        values: [2, null],
        columnTypes: { id: 'int', name: 'string' },
      },
    ]);
  });

  it('reads a statement split across lines, with each tuple at its own line', async () => {
    const dump =
      "INSERT INTO t (a, b)\nVALUES\n  (1, 'x'),\n  (2,\n   'y');\nINSERT INTO t (a,b) VALUES (3,'z');";
    const { rows } = await parseDumpText(dump);
    expect(rows.map((r) => [r.line, ...r.values])).toEqual([
      [3, 1, 'x'],
      [4, 2, 'y'],
      [6, 3, 'z'],
    ]);
  });

  it("keeps a raw newline inside a quoted string, a backslash-newline and '' doubling", async () => {
    const dump =
      "INSERT INTO t (a) VALUES ('line 1\nline 2; still; inside'),('it''s\\\nnext'),('end');\nINSERT INTO t (a) VALUES ('after');";
    const { rows, rejects } = await parseDumpText(dump);
    expect(rejects).toEqual([]);
    expect(rows.map((r) => [r.line, r.values[0]])).toEqual([
      [1, 'line 1\nline 2; still; inside'],
      [2, "it's\nnext"],
      [3, 'end'],
      [4, 'after'],
    ]);
  });

  it("removes comments inside a statement and keeps the tuples' lines", async () => {
    const dump = [
      "INSERT INTO t (a, b) VALUES (1, 'x -- kept'), -- a comment (9,'no')",
      "/* block (8,'no'),",
      "   still comment */ (2, '/* kept */'), # hash (7)",
      "(3 /*! inline */, 'y');",
    ].join('\n');
    const { rows, rejects } = await parseDumpText(dump);
    expect(rejects).toEqual([]);
    expect(rows.map((r) => [r.line, ...r.values])).toEqual([
      [1, 1, 'x -- kept'],
      [3, 2, '/* kept */'],
      [4, 3, 'y'],
    ]);
  });

  it('rejects a wrong-arity tuple and loads the next ones', async () => {
    const dump =
      "CREATE TABLE t (a int, b varchar(3));\nINSERT INTO t VALUES (1,'x'),\n(2),\n(3,'z',4),(5,'w');";
    const { rows, rejects } = await parseDumpText(dump);
    expect(rows.map((r) => r.values)).toEqual([
      [1, 'x'],
      [5, 'w'],
    ]);
    expect(rejects).toEqual([
      {
        file: 'test.sql',
        table: 't',
        line: 3,
        reason: 'expected 2 values, got 1',
        code: 'field-count',
        raw: '(2)',
      },
      {
        file: 'test.sql',
        table: 't',
        line: 4,
        reason: 'expected 2 values, got 3',
        code: 'field-count',
        raw: "(3,'z',4)",
      },
    ]);
  });

  it('rejects the rest of a statement after a syntax error, and reads the next statement', async () => {
    const dump =
      'INSERT INTO t (a) VALUES (1),(oops),(3);\nINSERT INTO t (a) VALUES (4),(5) junk;\nINSERT INTO t (a) VALUES (6);';
    const { rows, rejects } = await parseDumpText(dump);
    expect(rows.map((r) => r.values[0])).toEqual([1, 4, 5, 6]);
    expect(rejects).toHaveLength(2);
    expect(rejects[0]).toMatchObject({ table: 't', line: 1, raw: '(oops),(3)', code: 'sql' });
    expect(rejects[0]?.reason).toMatch(
      /unexpected word oops; the rest of the statement is not read/,
    );
    expect(rejects[1]).toMatchObject({ table: 't', line: 2, raw: 'junk' });
  });

  it('rejects an unterminated string at the end of the input', async () => {
    const { rows, rejects } = await parseDumpText("INSERT INTO t (a) VALUES (1),('open\nmore);");
    expect(rows.map((r) => r.values)).toEqual([[1]]);
    expect(rejects[0]).toMatchObject({ line: 1, raw: "('open\nmore);" });
    expect(rejects[0]?.reason).toMatch(/unterminated string/);
  });

  it('reads INSERT IGNORE, REPLACE INTO, LOW_PRIORITY, db.table and ON DUPLICATE KEY UPDATE', async () => {
    const dump = [
      'INSERT IGNORE INTO `db`.`t` (`a`) VALUES (1);',
      'REPLACE INTO t (a) VALUES (2);',
      'INSERT LOW_PRIORITY t (a) VALUE (3);',
      'INSERT INTO t (a) VALUES (4) ON DUPLICATE KEY UPDATE a = VALUES(a);',
    ].join('\n');
    const { rows, rejects } = await parseDumpText(dump);
    expect(rejects).toEqual([]);
    expect(rows.map((r) => [r.table, r.values[0]])).toEqual([
      ['t', 1],
      ['t', 2],
      ['t', 3],
      ['t', 4],
    ]);
  });

  it('names columns col1..colN when neither the INSERT nor a CREATE TABLE gives them, with a notice', async () => {
    const { rows, notices } = await parseDumpText("INSERT INTO u VALUES (1,'a',NULL),(2,'b',3);");
    expect(rows[1]).toEqual({
      table: 'u',
      line: 1,
      columns: ['col1', 'col2', 'col3'],
      values: [2, 'b', 3],
    });
    expect(notices).toEqual([
      {
        file: 'test.sql',
        line: 1,
        table: 'u',
        message: 'no column list and no CREATE TABLE for u: columns named col1..col3',
      },
    ]);
  });

  it('gives columnTypes for the INSERT columns known from the CREATE TABLE', async () => {
    const dump =
      "CREATE TABLE t (a tinyint(1), b json, c date);\nINSERT INTO t (c, a, x) VALUES ('2014-01-02', 1, 2);";
    const { rows } = await parseDumpText(dump);
    expect(rows[0]?.columnTypes).toEqual({ c: 'date', a: 'bool' });
  });

  it('notices a CREATE TABLE read by the fallback reader and still uses its columns', async () => {
    const dump = 'CREATE TABLE g (id int, p point);\nINSERT INTO g VALUES (1, 0x41);';
    const { rows, notices } = await parseDumpText(dump);
    expect(rows[0]).toMatchObject({
      columns: ['id', 'p'],
      values: [1, 'A'],
      columnTypes: { id: 'int', p: 'string' },
    });
    expect(notices[0]?.message).toMatch(
      /^CREATE TABLE read by the fallback column reader \(sql-parser-cst: Syntax Error/,
    );
  });

  it('rejects a statement longer than the limit whole, and goes on', async () => {
    const long = `INSERT INTO big (a) VALUES ${Array.from({ length: 200 }, (_, k) => `(${k})`).join(',')};`;
    const { rows, rejects } = await parseDumpText(`${long}\nINSERT INTO small (a) VALUES (1);`, {
      maxStatementChars: 500,
    });
    expect(rows.map((r) => r.table)).toEqual(['small']);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ table: 'big', line: 1 });
    expect(rejects[0]?.reason).toMatch(/statement longer than the limit \(\d+ > 500 chars\)/);
  });

  it('notices statements of an unknown kind and reads an INSERT without a final semicolon', async () => {
    const { rows, notices } = await parseDumpText(
      'CREATE VIEW v AS SELECT 1;\nINSERT INTO t (a) VALUES (7)',
    );
    expect(rows.map((r) => r.values)).toEqual([[7]]);
    expect(notices).toEqual([
      { file: 'test.sql', line: 1, message: 'statement skipped: "CREATE VIEW v AS SELECT 1"' },
    ]);
  });

  it('reads through core readLines fed one byte at a time (UTF-8 split across chunks)', async () => {
    const dump =
      "CREATE TABLE t (a int, b text);\r\nINSERT INTO t VALUES (1,'Montréal 😀\nñ'),\r\n(2,'x');\r\n";
    const bytes = Buffer.from(dump, 'utf8');
    async function* oneByte(): AsyncGenerator<Uint8Array> {
      for (const b of bytes) {
        await Promise.resolve();
        yield Uint8Array.of(b);
      }
    }
    const rows: unknown[] = [];
    for await (const row of parseMysqlDump(readLines(oneByte()), { file: 'x.sql' })) {
      rows.push([row.line, ...row.values]);
    }
    expect(rows).toEqual([
      [2, 1, 'Montréal 😀\nñ'],
      [4, 2, 'x'], // the raw newline inside the string moved it to line 4
    ]);
  });

  it('stops reading its input when the consumer breaks early', async () => {
    let closed = false;
    async function* lines(): AsyncGenerator<{ line: number; text: string }> {
      try {
        for (let k = 1; k <= 1000; k++) {
          await Promise.resolve();
          yield { line: k, text: `INSERT INTO t (a) VALUES (${k});` };
        }
      } finally {
        closed = true;
      }
    }
    const seen: unknown[] = [];
    for await (const row of parseMysqlDump(lines(), { file: 'x.sql' })) {
      seen.push(row.values[0]);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(closed).toBe(true);
  });
});
