import { parse } from 'sql-parser-cst';
import { describe, expect, it } from 'vitest';
import {
  CreateTableError,
  columnTypeOf,
  parseCreateTable,
  pretreatCreateTable,
} from './create-table.js';

/** Does sql-parser-cst 0.42.1 reject this statement as written? */
function cstRejects(sql: string): boolean {
  try {
    parse(sql, { dialect: 'mysql' });
    return false;
  } catch {
    return true;
  }
}

describe(pretreatCreateTable, () => {
  // Each case: a statement sql-parser-cst rejects as written, what the pre-treatment
  // changes, and the columns read afterwards by sql-parser-cst (not the fallback).
  const cases: [string, string, string, Record<string, string>][] = [
    [
      'space-separated table options',
      'CREATE TABLE `t` (`id` int(11) NOT NULL) ENGINE=InnoDB AUTO_INCREMENT=8 DEFAULT CHARSET=utf8',
      'table options after ")" removed',
      { id: 'int(11)' },
    ],
    [
      'COLLATE= and ROW_FORMAT= table options',
      'CREATE TABLE t (a int) ENGINE=MyISAM COLLATE=utf8_bin ROW_FORMAT=DYNAMIC',
      'table options after ")" removed',
      { a: 'int' },
    ],
    [
      'inline KEY, INDEX, UNIQUE KEY, FULLTEXT KEY',
      'CREATE TABLE t (`a` int, `b` text, PRIMARY KEY (`a`), UNIQUE KEY `u` (`a`,`b`(10)), KEY `k` (`b`(5)), INDEX `i` (`a`), FULLTEXT KEY `f` (`b`))',
      'index definitions removed',
      { a: 'int', b: 'text' },
    ],
    [
      'CONSTRAINT … FOREIGN KEY after a KEY',
      'CREATE TABLE t (`a` int, KEY `k` (`a`), CONSTRAINT `fk` FOREIGN KEY (`a`) REFERENCES `u` (`id`) ON DELETE CASCADE)',
      'constraint definitions removed',
      { a: 'int' },
    ],
    [
      'column UNSIGNED / ZEROFILL',
      'CREATE TABLE t (`a` int(10) unsigned zerofill NOT NULL, `d` decimal(5,2) UNSIGNED)',
      'column UNSIGNED',
      { a: 'int(10)', d: 'decimal(5,2)' },
    ],
    [
      'column CHARACTER SET and COLLATE',
      "CREATE TABLE t (`s` varchar(5) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '')",
      'column CHARACTER SET',
      { s: 'varchar(5)' },
    ],
    ['column CHARSET', 'CREATE TABLE t (`s` text CHARSET latin1)', 'column CHARSET', { s: 'text' }],
    [
      'ON UPDATE CURRENT_TIMESTAMP',
      'CREATE TABLE t (`m` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP)',
      'column ON UPDATE',
      { m: 'timestamp' },
    ],
    [
      'CURRENT_TIMESTAMP(6) precision',
      'CREATE TABLE t (`m` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))',
      'CURRENT_TIMESTAMP(n) precision',
      { m: 'datetime(6)' },
    ],
  ];

  it.each(cases)('handles %s', (_name, sql, change, types) => {
    expect(cstRejects(sql)).toBe(true);
    const treated = pretreatCreateTable(sql);
    expect(treated.changes).toContain(change);
    expect(cstRejects(treated.sql)).toBe(false);
    const info = parseCreateTable(sql);
    expect(info.via).toBe('sql-parser-cst');
    expect(info.mysqlTypes).toEqual(types);
  });

  it('keeps strings that contain attribute words untouched', () => {
    const info = parseCreateTable(
      "CREATE TABLE t (`s` varchar(9) DEFAULT 'unsigned' COMMENT 'on update, KEY (x)', `n` int)",
    );
    expect(info.columns).toEqual(['s', 'n']);
    expect(info.changes).toEqual([]);
  });
});

describe(parseCreateTable, () => {
  it('reads a real edX CREATE TABLE with its types', () => {
    const info = parseCreateTable(
      'CREATE TABLE `student_courseenrollment` (`id` int(11) NOT NULL AUTO_INCREMENT,`user_id` int(11) NOT NULL,`course_id` varchar(255) NOT NULL,`created` datetime DEFAULT NULL,`is_active` tinyint(1) NOT NULL,`mode` varchar(100) NOT NULL,PRIMARY KEY (`id`)) ENGINE=InnoDB AUTO_INCREMENT=8 DEFAULT CHARSET=utf8',
    );
    expect(info).toMatchObject({
      table: 'student_courseenrollment',
      via: 'sql-parser-cst',
      columns: ['id', 'user_id', 'course_id', 'created', 'is_active', 'mode'],
      columnTypes: {
        id: 'int',
        user_id: 'int',
        course_id: 'string',
        created: 'datetime',
        is_active: 'bool',
        mode: 'string',
      },
    });
  });

  it('reads IF NOT EXISTS, db.table, TEMPORARY and odd column names', () => {
    expect(parseCreateTable('CREATE TABLE IF NOT EXISTS `db`.`t` (a int)').table).toBe('t');
    const info = parseCreateTable('CREATE TEMPORARY TABLE `x``y` (`weird col` int, `a``b` json)');
    expect(info.table).toBe('x`y');
    expect(info.columnTypes).toEqual({ 'weird col': 'int', 'a`b': 'json' });
  });

  it('falls back to its own column reader, and says why, when sql-parser-cst fails', () => {
    const info = parseCreateTable(
      'CREATE TABLE `places` (`id` bigint(20) NOT NULL, `pos` point NOT NULL, `area` geometry, `price` double precision, `at` datetime(3), SPATIAL KEY `p` (`pos`)) ENGINE=InnoDB',
    );
    expect(info.via).toBe('fallback');
    expect(info.fallbackReason).toMatch(/^sql-parser-cst: Syntax Error: Unexpected "point"/);
    expect(info.columns).toEqual(['id', 'pos', 'area', 'price', 'at']);
    expect(info.mysqlTypes).toEqual({
      id: 'bigint(20)',
      pos: 'point',
      area: 'geometry',
      price: 'double precision',
      at: 'datetime(3)',
    });
    expect(info.columnTypes).toEqual({
      id: 'int',
      pos: 'string',
      area: 'string',
      price: 'number',
      at: 'datetime',
    });
  });

  it('throws CreateTableError when there is no column list', () => {
    expect(() => parseCreateTable('CREATE TABLE t LIKE u')).toThrow(CreateTableError);
    expect(() => parseCreateTable('CREATE TABLE t (KEY k (a))')).toThrow(/no columns/);
    expect(() => parseCreateTable('CREATE VIEW v AS SELECT 1')).toThrow(CreateTableError);
  });
});

describe(columnTypeOf, () => {
  it.each([
    ['tinyint(1)', 'bool'],
    ['TINYINT(4)', 'int'],
    ['bool', 'bool'],
    ['bit(1)', 'bool'],
    ['bit(8)', 'int'],
    ['int(11)', 'int'],
    ['bigint(20)', 'int'],
    ['smallint(6)', 'int'],
    ['mediumint', 'int'],
    ['year(4)', 'int'],
    ['decimal(5,2)', 'number'],
    ['double', 'number'],
    ['double precision', 'number'],
    ['float(7,4)', 'number'],
    ['datetime', 'datetime'],
    ['datetime(6)', 'datetime'],
    ['timestamp', 'datetime'],
    ['date', 'date'],
    ['json', 'json'],
    ['char(32)', 'string'],
    ['varchar(255)', 'string'],
    ['longtext', 'string'],
    ["enum('a','b')", 'string'],
    ['blob', 'string'],
    ['time', 'string'],
  ] as const)('maps %s to %s', (mysql, type) => {
    expect(columnTypeOf(mysql)).toBe(type);
  });
});
