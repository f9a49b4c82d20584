import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { InputError, UsageError } from '@edx-data/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { looksLikeSql, parseSqlDump } from './parse-sql-dump.js';
import { collect, tsv } from './test-support/collect.js';
import { createTestGpg, hasGpg, tamperLastByte } from '@edx-data/test-support';
import type { TestGpg } from '@edx-data/test-support';
import type { InvalidCell } from './types.js';

const ENROLLMENT = ['id', 'user_id', 'course_id', 'created', 'is_active', 'mode'];
const AUTH_USER = ['id', 'username', 'email', 'is_staff', 'last_login'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edx-sql-parser-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe(parseSqlDump, () => {
  it('types a TSV table by its header, telling NULL from an empty field', async () => {
    const text = tsv(
      AUTH_USER,
      ['1', 'honor', '', '1', '2015-08-12 23:13:03'],
      ['2', 'audit', 'NULL', '0', 'NULL'],
    );
    const { rows, rejected, summary } = await collect({ text }, { table: 'auth_user' });
    expect(rejected).toEqual([]);
    expect(rows).toEqual([
      {
        table: 'auth_user',
        line: 2,
        values: {
          id: 1,
          username: 'honor',
          email: '',
          is_staff: true,
          last_login: new Date('2015-08-12T23:13:03Z'),
        },
      },
      {
        table: 'auth_user',
        line: 3,
        values: { id: 2, username: 'audit', email: null, is_staff: false, last_login: null },
      },
    ]);
    expect(summary).toMatchObject({ format: 'tsv', table: 'auth_user', rows: 2, lines: 3 });
  });

  it('keeps all-digit usernames and ids in text columns as strings', async () => {
    const text = tsv(['hash_id', 'user_id', 'username'], ['0123456789', '42', '000123']);
    const { rows } = await collect({ text }, { table: 'user_id_map' });
    expect(rows[0]?.values).toEqual({ hash_id: '0123456789', user_id: 42, username: '000123' });
  });

  it('decodes escapes in one pass: \\\\n is a backslash and n', async () => {
    const text = tsv(
      ['id', 'name', 'goals'],
      ['1', String.raw`a\\nb`, String.raw`line1\r\nline2\ttab`],
    );
    const { rows } = await collect({ text }, { table: 'auth_userprofile' });
    expect(rows[0]?.values).toEqual({ id: 1, name: 'a\\nb', goals: 'line1\r\nline2\ttab' });
  });

  it('keeps multibyte characters split across chunks (1-byte chunks)', async () => {
    const text = tsv(['id', 'name'], ['1', 'Zoë 日本語 🎓'], ['2', 'Łódź']);
    const { rows } = await collect({ text, chunkSize: 1 }, { table: 'auth_userprofile' });
    expect(rows.map((r) => r.values['name'])).toEqual(['Zoë 日本語 🎓', 'Łódź']);
  });

  it('rejects a row with the wrong number of fields, with file and line, and loads the rest', async () => {
    const text = tsv(
      ENROLLMENT,
      ['1', '1', 'course-v1:X+Y+Z', '2015-08-12 23:13:04', '1', 'honor'],
      ['2', '2', 'course-v1:X+Y+Z', '2015-08-12 23:13:04', '1'],
      ['3', '3', 'course-v1:X+Y+Z', '2015-08-12 23:13:04', '0', 'audit'],
    );
    const { rows, rejected, summary } = await collect(
      { text },
      { file: 'X-Y-Z-student_courseenrollment-prod-analytics.sql' },
    );
    expect(rows.map((r) => r.values['id'])).toEqual([1, 3]);
    expect(rejected).toEqual([
      {
        file: 'X-Y-Z-student_courseenrollment-prod-analytics.sql',
        table: 'student_courseenrollment',
        line: 3,
        code: 'field-count',
        reason: 'expected 6 fields (header), got 5',
        raw: '2\t2\tcourse-v1:X+Y+Z\t2015-08-12 23:13:04\t1',
      },
    ]);
    expect(summary.rejected).toEqual({ count: 1, byReason: { 'field-count': 1 } });
  });

  it('keeps rows with invalid cells (null, text under _invalid), rejects a bad escape', async () => {
    const text = tsv(
      ENROLLMENT,
      ['1', 'x', 'c', '2015-08-12 23:13:04', '1', 'honor'],
      ['2', '2', 'c', '', '', 'honor'],
      ['3', '3', 'c', '2015-08-12 23:13:04', '1', 'bad\\'],
      ['4', '4', 'c', '2015-02-30 23:13:04', '7', 'ok'],
      ['5', '99999999999999999999', 'c', '2015-08-12 23:13:04', '0', 'audit'],
    );
    const cells: InvalidCell[] = [];
    const { rows, rejected, summary } = await collect(
      { text },
      { table: 'student_courseenrollment', onInvalidCell: (cell) => cells.push(cell) },
    );
    expect(rows.map((r) => [r.line, r.values])).toEqual([
      [
        2,
        {
          id: 1,
          user_id: null,
          course_id: 'c',
          created: new Date('2015-08-12T23:13:04Z'),
          is_active: true,
          mode: 'honor',
          _invalid: { user_id: 'x' },
        },
      ],
      [
        3,
        {
          id: 2,
          user_id: 2,
          course_id: 'c',
          created: null,
          is_active: null,
          mode: 'honor',
          _invalid: { created: '', is_active: '' },
        },
      ],
      [
        5,
        {
          id: 4,
          user_id: 4,
          course_id: 'c',
          created: null,
          is_active: null,
          mode: 'ok',
          _invalid: { created: '2015-02-30 23:13:04', is_active: '7' },
        },
      ],
      // Beyond 2^53 an integer is kept as its digits: not an invalid cell.
      [
        6,
        {
          id: 5,
          user_id: '99999999999999999999',
          course_id: 'c',
          created: new Date('2015-08-12T23:13:04Z'),
          is_active: false,
          mode: 'audit',
        },
      ],
    ]);
    expect(cells.map((c) => [c.line, c.column, c.name, c.code, c.text, c.reason])).toEqual([
      [2, 2, 'user_id', 'malformed', 'x', 'expected an integer, got "x" (column "user_id")'],
      [
        3,
        4,
        'created',
        'empty',
        '',
        'expected a datetime YYYY-MM-DD HH:MM:SS, got "" (column "created")',
      ],
      [3, 5, 'is_active', 'empty', '', 'expected 0 or 1, got "" (column "is_active")'],
      [
        5,
        4,
        'created',
        'out-of-range',
        '2015-02-30 23:13:04',
        'expected a datetime YYYY-MM-DD HH:MM:SS, got "2015-02-30 23:13:04" (out of range) (column "created")',
      ],
      [
        5,
        5,
        'is_active',
        'out-of-range',
        '7',
        'expected 0 or 1, got "7" (out of range) (column "is_active")',
      ],
    ]);
    expect(rejected.map((r) => [r.line, r.column, r.code, r.reason])).toEqual([
      [4, 6, 'bad-escape', 'a lone backslash at the end of the field (column "mode")'],
    ]);
    expect(summary.rows).toBe(4);
    expect(summary.rejected).toEqual({ count: 1, byReason: { 'bad-escape': 1 } });
    expect(summary.invalidCells).toEqual({
      count: 5,
      rows: 3,
      byReason: { malformed: 1, empty: 2, 'out-of-range': 2 },
      byColumn: {
        student_courseenrollment: {
          user_id: { malformed: 1 },
          created: { empty: 1, 'out-of-range': 1 },
          is_active: { empty: 1, 'out-of-range': 1 },
        },
      },
    });
  });

  it('refuses a header that names a column _invalid (kept for the text of invalid cells)', async () => {
    const error = await collect(
      { text: tsv(['id', '_invalid'], ['1', 'x']) },
      { table: 't' },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'E_INPUT', line: 1, column: 2 });
  });

  it('reports schema drift: unknown columns load as strings, missing ones are listed', async () => {
    const text = tsv(['id', 'user_id', 'course_id', 'brand_new'], ['1', '2', 'c', '17']);
    const { rows, summary } = await collect({ text }, { table: 'student_courseenrollment' });
    expect(rows[0]?.values).toEqual({ id: 1, user_id: 2, course_id: 'c', brand_new: '17' });
    expect(summary.schemaDrift).toEqual({
      unknownTables: [],
      unknownColumns: { student_courseenrollment: ['brand_new'] },
      missingColumns: { student_courseenrollment: ['created', 'is_active', 'mode'] },
    });
  });

  it('does not report an optional era column as missing (user_id_map id → user_id)', async () => {
    for (const second of ['id', 'user_id']) {
      const text = tsv(
        ['hash_id', second, 'username'],
        ['e9989f2cca1d699d88e14fd43ccb5b5f', '9999999', 'AAAAAAAA'],
      );
      const { rows, summary } = await collect({ text }, { table: 'user_id_map' });
      expect(rows[0]?.values[second]).toBe(9999999);
      expect(summary.schemaDrift.missingColumns).toEqual({});
    }
  });

  it('loads an unknown table as strings (escapes decoded) and reports it', async () => {
    const text = tsv(['id', 'note'], ['1', 'a\\tb'], ['2', 'NULL']);
    const { rows, summary } = await collect({ text }, { table: 'brand_new_table' });
    expect(rows.map((r) => r.values)).toEqual([
      { id: '1', note: 'a\tb' },
      { id: '2', note: null },
    ]);
    expect(summary.schemaDrift.unknownTables).toEqual(['brand_new_table']);
  });

  it('reads a header-only file and an empty file', async () => {
    const header = await collect({ text: tsv(ENROLLMENT) }, { table: 'student_courseenrollment' });
    expect(header.rows).toEqual([]);
    expect(header.summary).toMatchObject({ format: 'tsv', rows: 0, lines: 1 });
    const empty = await collect({ text: '' }, { table: 'student_courseenrollment' });
    expect(empty.rows).toEqual([]);
    expect(empty.summary).toMatchObject({ format: 'empty', rows: 0, lines: 0 });
  });

  it('accepts CRLF line ends (the CR is dropped) and skips blank lines, counting them', async () => {
    const text = 'id\tuser_profile_id\tcode\r\n1\t1\ten\r\n\r\n2\t2\tzh\r\n';
    const { rows, summary } = await collect({ text }, { table: 'student_languageproficiency' });
    expect(rows.map((r) => [r.line, r.values])).toEqual([
      [2, { id: 1, user_profile_id: 1, code: 'en' }],
      [4, { id: 2, user_profile_id: 2, code: 'zh' }],
    ]);
    expect(summary.emptyLines).toBe(1);
  });

  it('joins a studentmodule line ending in an escaping backslash with the next line', async () => {
    const header = ['id', 'module_id', 'state', 'grade'];
    const text = `${header.join('\t')}\n1\tm\t{"a": "x\\\\\\\ny"}\t0.5\n2\tm\tNULL\tNULL\n`;
    // Written: `x` + 3 backslashes + LF: `\\` is one backslash, `\` + LF a newline (not JSON: kept as text).
    const { rows, rejected } = await collect({ text }, { table: 'courseware_studentmodule' });
    expect(rejected).toEqual([]);
    expect(rows.map((r) => [r.line, r.values])).toEqual([
      [2, { id: 1, module_id: 'm', state: '{"a": "x\\\ny"}', grade: 0.5 }],
      [4, { id: 2, module_id: 'm', state: null, grade: null }],
    ]);
  });

  it('reads studentmodule state by undoubling backslashes only, then JSON', async () => {
    const header = ['id', 'state'];
    const text = `${header.join('\t')}\n1\t{"answer": "{\\\\"a\\\\": \\\\"b\\\\\\\\nc\\\\"}", "t": "x\\\\ny"}\n`;
    const { rows } = await collect({ text }, { table: 'courseware_studentmodule' });
    expect(rows[0]?.values['state']).toEqual({ answer: '{"a": "b\\nc"}', t: 'x\ny' });
  });

  it('keeps JSON columns as decoded text with parseJson: false', async () => {
    const text = `id\tstate\n1\t{"a": "x\\\\ny"}\n`;
    const { rows } = await collect(
      { text },
      { table: 'courseware_studentmodule', parseJson: false },
    );
    expect(rows[0]?.values).toEqual({ id: 1, state: '{"a": "x\\ny"}' });
    const parsed = await collect({ text }, { table: 'courseware_studentmodule' });
    expect(parsed.rows[0]?.values).toEqual({ id: 1, state: { a: 'x\ny' } });
  });

  it('counts unknown escapes (kept as written) in the summary', async () => {
    const text = tsv(['id', 'code'], ['1', String.raw`a\qb`]);
    const { rows, summary } = await collect({ text }, { table: 'student_languageproficiency' });
    expect(rows[0]?.values['code']).toBe(String.raw`a\qb`);
    expect(summary.unknownEscapes).toBe(1);
  });

  it('rejects a line longer than maxLineBytes and goes on', async () => {
    const text = tsv(['id', 'code'], ['1', 'x'.repeat(100)], ['2', 'en']);
    const { rows, rejected } = await collect(
      { text },
      { table: 'student_languageproficiency', maxLineBytes: 50 },
    );
    expect(rows.map((r) => r.values['id'])).toEqual([2]);
    expect(rejected).toMatchObject([{ line: 2, code: 'line-too-long', raw: '' }]);
  });

  it('waits for drain between chunks, so a consumer can write out what it buffered', async () => {
    // Every row is rejected (a field too many): nothing is yielded until the end.
    const text = tsv(
      ['id', 'code'],
      ...Array.from({ length: 50 }, (_, i) => [String(i), 'en', 'x']),
    );
    let waiting = false;
    const rejectedWhileWaiting: number[] = [];
    const atDrain: number[] = [];
    let rejects = 0;
    const { rows, rejected } = await collect(
      { text, chunkSize: 64 },
      {
        table: 'student_languageproficiency',
        onReject: (r) => {
          rejects += 1;
          if (waiting) rejectedWhileWaiting.push(r.line);
        },
        drain: () => {
          atDrain.push(rejects);
          waiting = true;
          return new Promise((resolve) => {
            setImmediate(() => {
              waiting = false;
              resolve();
            });
          });
        },
      },
    );
    expect(rows).toEqual([]);
    expect(rejected).toHaveLength(50);
    expect(rejectedWhileWaiting).toEqual([]);
    // Called before each of the chunks (and once more at the end), rejects piling up between.
    expect(atDrain.length).toBeGreaterThanOrEqual(Math.ceil(text.length / 64));
    expect(atDrain.at(-1)).toBe(50);
    expect(atDrain.some((n) => n > 0 && n < 50)).toBe(true);
  });

  it('throws a UsageError when a TSV table cannot be told, and for bad options', async () => {
    await expect(collect({ text: tsv(['a'], ['1']) })).rejects.toThrow(UsageError);
    expect(() => parseSqlDump(Readable.from([]), { maxLineBytes: 0 })).toThrow(UsageError);
    expect(() => parseSqlDump(42 as unknown as string)).toThrow(UsageError);
    expect(() =>
      parseSqlDump(Readable.from([]), { drain: 'soon' as unknown as () => undefined }),
    ).toThrow(UsageError);
  });

  it('throws an InputError for a repeated header name', async () => {
    const error = await collect({ text: tsv(['id', 'id']) }, { table: 't' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).column).toBe(2);
  });

  it('takes the table from the file name of a path, and reads .gz through openInput', async () => {
    const path = join(
      dir,
      'McGillX-CHEM181x-1T2014-student_languageproficiency-prod-analytics.sql.gz',
    );
    await writeFile(path, gzipSync(tsv(['id', 'user_profile_id', 'code'], ['1', '1', 'en'])));
    const { rows, summary } = await collect(path);
    expect(rows).toEqual([
      {
        table: 'student_languageproficiency',
        line: 2,
        values: { id: 1, user_profile_id: 1, code: 'en' },
      },
    ]);
    expect(summary).toMatchObject({
      file: path,
      table: 'student_languageproficiency',
      format: 'tsv',
    });
  });

  it('stops cleanly on break', async () => {
    const path = join(dir, 'X-Y-Z-student_languageproficiency-prod-analytics.sql');
    await writeFile(
      path,
      tsv(['id', 'user_profile_id', 'code'], ['1', '1', 'en'], ['2', '2', 'fr']),
    );
    const reader = parseSqlDump(path);
    for await (const row of reader) {
      expect(row.values['id']).toBe(1);
      break;
    }
    expect(reader.summary.rows).toBe(1);
    expect(await reader.next()).toEqual({ done: true, value: undefined });
  });

  it('destroys a stream source when the caller stops early', async () => {
    const source = Readable.from([Buffer.from(tsv(['id', 'code'], ['1', 'en'], ['2', 'fr']))]);
    for await (const row of parseSqlDump(source, { table: 'student_languageproficiency' })) {
      expect(row.values['id']).toBe(1);
      break;
    }
    expect(source.destroyed).toBe(true);
  });

  it('reads invalid UTF-8 as U+FFFD and counts it', async () => {
    const text = Buffer.concat([
      Buffer.from('id\tcode\n1\tx'),
      Buffer.from([0xff]),
      Buffer.from('y\n'),
    ]);
    const { rows, summary } = await collect({ text }, { table: 'student_languageproficiency' });
    expect(rows[0]?.values['code']).toBe('x\uFFFDy');
    expect(summary.invalidUtf8).toBe(1);
  });

  describe.skipIf(!hasGpg())('encrypted input', () => {
    let gpg: TestGpg;
    beforeAll(async () => {
      gpg = await createTestGpg();
    });
    afterAll(async () => {
      await gpg.dispose();
    });

    it('decrypts a .sql.gpg file with the key given', async () => {
      const plain = join(dir, 'X-Y-Z-auth_user-prod-analytics.sql');
      await writeFile(plain, tsv(AUTH_USER, ['7', '0042', 'a@x', '0', 'NULL']));
      await gpg.encrypt(plain, `${plain}.gpg`);
      const { rows } = await collect(`${plain}.gpg`, { key: gpg.armoredSecretKey });
      expect(rows).toEqual([
        {
          table: 'auth_user',
          line: 2,
          values: { id: 7, username: '0042', email: 'a@x', is_staff: false, last_login: null },
        },
      ]);
    });

    it('throws E_INTEGRITY after the last row when the file was tampered with', async () => {
      const plain = join(dir, 'X-Y-Z-student_languageproficiency-prod-analytics.sql');
      let text = 'id\tuser_profile_id\tcode\n';
      for (let i = 1; i <= 200_000; i++) text += `${i}\t${i}\ten\n`;
      await writeFile(plain, text);
      const encrypted = join(dir, 'T-A-M-student_languageproficiency-prod-analytics.sql.gpg');
      await gpg.encrypt(plain, encrypted, false);
      await tamperLastByte(encrypted);
      let seen = 0;
      let inOrder = true;
      const rejected: unknown[] = [];
      const error = await (async () => {
        const rows = parseSqlDump(encrypted, {
          key: gpg.armoredSecretKey,
          onReject: (r) => rejected.push(r),
        });
        for await (const row of rows) {
          seen += 1;
          if (row.values['id'] !== seen) inOrder = false;
        }
      })().catch((e: unknown) => e);
      // Every row came out, in order, before the verdict, which comes after the last byte.
      expect(seen).toBe(200_000);
      expect(inOrder).toBe(true);
      expect(rejected).toEqual([]);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).code).toBe('E_INTEGRITY');
    });
  });

  describe('format detection', () => {
    it('tells SQL text from a TSV header', () => {
      for (const line of [
        '-- MySQL dump 10.13',
        '/*!40101 SET NAMES utf8 */;',
        'CREATE TABLE `auth_user` (',
        'DROP TABLE IF EXISTS `x`;',
        'INSERT INTO `x` VALUES (1);',
        'set names utf8;',
        'LOCK TABLES `x` WRITE;',
        'USE `edxapp`;',
        '   -- indented comment',
      ]) {
        expect(looksLikeSql(line)).toBe(true);
      }
      for (const line of ['id\tusername', 'set\tuse', 'created\tid', 'use_count\tx', '--x']) {
        expect(looksLikeSql(line)).toBe(false);
      }
    });

    it('delegates a mysqldump to the mysqldump parser and types with the schema', async () => {
      const text = [
        '-- MySQL dump 10.13',
        '',
        'CREATE TABLE `auth_user` (',
        '  `id` int(11) NOT NULL AUTO_INCREMENT,',
        '  `username` varchar(150) NOT NULL,',
        '  `is_staff` tinyint(1) NOT NULL,',
        '  `last_login` datetime(6) DEFAULT NULL,',
        '  PRIMARY KEY (`id`)',
        ') ENGINE=InnoDB DEFAULT CHARSET=utf8;',
        "INSERT INTO `auth_user` VALUES (1,'00123',1,'2015-08-12 23:13:03.250000'),(2,'bob',0,NULL);",
        '',
      ].join('\n');
      const { rows, rejected, summary } = await collect({ text }, { file: 'dump.sql' });
      expect(rejected).toEqual([]);
      expect(rows.map((r) => [r.table, r.values])).toEqual([
        [
          'auth_user',
          {
            id: 1,
            username: '00123',
            is_staff: true,
            last_login: new Date('2015-08-12T23:13:03.250Z'),
          },
        ],
        ['auth_user', { id: 2, username: 'bob', is_staff: false, last_login: null }],
      ]);
      expect(summary).toMatchObject({ format: 'mysqldump', table: 'auth_user', rows: 2 });
      expect(summary.schemaDrift.missingColumns['auth_user']).toContain('email');
    });

    it("types an unknown table of a mysqldump with its CREATE TABLE's types", async () => {
      const text = [
        'CREATE TABLE `gizmo` (`id` bigint NOT NULL, `ok` tinyint(1), `at` date, `w` double);',
        "INSERT INTO `gizmo` VALUES (99999999999999999999,1,'2020-01-02',1.5),(2,'x',NULL,NULL);",
      ].join('\n');
      const { rows, rejected, summary } = await collect({ text }, { file: 'dump.sql' });
      expect(rows.map((r) => r.values)).toEqual([
        { id: '99999999999999999999', ok: true, at: new Date('2020-01-02T00:00:00Z'), w: 1.5 },
        { id: 2, ok: null, at: null, w: null, _invalid: { ok: 'x' } },
      ]);
      expect(rejected).toEqual([]);
      expect(summary.invalidCells).toEqual({
        count: 1,
        rows: 1,
        byReason: { malformed: 1 },
        byColumn: { gizmo: { ok: { malformed: 1 } } },
      });
      expect(summary.schemaDrift.unknownTables).toEqual(['gizmo']);
    });
  });
});
