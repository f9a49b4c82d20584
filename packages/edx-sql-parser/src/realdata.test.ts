/**
 * The edx-analytics-pipeline acceptance fixtures: data-package files as edX's own code reads
 * and writes them (read in place from shared/realdata, never copied).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSqlDump } from './parse-sql-dump.js';
import { collect } from './test-support/collect.js';
import { HAS_REALDATA, PIPELINE_FIXTURES } from '@edx-data/test-support';
import { dataRecords, readTsvFile } from './test-support/data-lines.js';
import { STATE_INPUT, STATE_INVALID_CELLS, STATE_OUTPUT } from './test-support/realdata.js';
import type { InvalidCell } from './types.js';

const file = (table: string): string =>
  join(STATE_INPUT, `edX-DemoX-Demo_Course-${table}-acceptance.sql`);

describe.runIf(HAS_REALDATA)(parseSqlDump, () => {
  it('loads every data line of every TSV table of the state folders as a row; invalid cells keep their text', async () => {
    const invalid: (readonly [string, string, number, string, string])[] = [];
    const tables: string[] = [];
    for (const [dir, folder] of [
      ['input', STATE_INPUT],
      ['output', STATE_OUTPUT],
    ] as const) {
      const names = (await readdir(folder)).filter((n) => n.endsWith('.sql')).sort();
      expect(names).toHaveLength(12);
      for (const name of names) {
        const path = join(folder, name);
        const cells: InvalidCell[] = [];
        const { rows, rejected, summary } = await collect(path, {
          onInvalidCell: (cell) => cells.push(cell),
        });
        const table = summary.table ?? name;
        tables.push(`${dir}/${table}`);
        const { header, records } = await readTsvFile(path, table === 'courseware_studentmodule');
        expect(summary.format).toBe('tsv');
        expect(summary.schemaDrift).toEqual({
          unknownTables: [],
          unknownColumns: {},
          missingColumns: {},
        });
        expect(rejected, name).toEqual([]);
        expect(
          rows.map((r) => r.line),
          name,
        ).toEqual(records.map((r) => r.line));
        for (const cell of cells) {
          invalid.push([dir, cell.table, cell.line, cell.name, cell.text]);
          // The recorded text is the field as written in the file.
          const record = records.find((r) => r.line === cell.line);
          expect(record?.text.split('\t')[header.indexOf(cell.name)]).toBe(cell.text);
          expect(cell.column).toBe(header.indexOf(cell.name) + 1);
          const row = rows.find((r) => r.line === cell.line);
          expect(row?.values[cell.name]).toBeNull();
          expect((row?.values['_invalid'] as Record<string, string>)[cell.name]).toBe(cell.text);
        }
        const withInvalid = rows.filter((r) => '_invalid' in r.values).map((r) => r.line);
        expect(withInvalid).toEqual([...new Set(cells.map((c) => c.line))]);
        expect(summary.invalidCells.count).toBe(cells.length);
        expect(summary.invalidCells.rows).toBe(withInvalid.length);
      }
    }
    expect(tables).toHaveLength(24);
    expect(invalid).toEqual(STATE_INVALID_CELLS);
  });

  it('auth_user: NULL vs placeholder text, booleans, datetimes', async () => {
    const { rows } = await collect(file('auth_user'));
    expect(rows[3]).toEqual({
      table: 'auth_user',
      line: 5,
      values: {
        id: 4,
        username: 'staff',
        first_name: 'staff_first',
        last_name: 'staff_last',
        email: 'staff@example.com',
        password: 'pass4',
        is_staff: true,
        is_active: true,
        is_superuser: true,
        last_login: new Date('2015-09-11T13:36:15Z'),
        date_joined: new Date('2015-08-12T23:13:12Z'),
        status: 'status',
        email_key: null,
        avatar_type: 'avatar_type',
        country: 'country',
        show_country: false,
        date_of_birth: null,
        interesting_tags: 'tags',
        ignored_tags: 'tags',
        email_tag_filter_strategy: 0,
        display_tag_filter_strategy: 0,
        consecutive_days_visit_count: 0,
      },
    });
  });

  it("auth_userprofile: JSON meta, '' kept apart from NULL", async () => {
    const { rows } = await collect(file('auth_userprofile'));
    expect(rows[0]?.values).toMatchObject({
      meta: { old_emails: [['honor@example.com']] },
      year_of_birth: 1980,
      level_of_education: 'GS',
      profile_image_uploaded_at: new Date('2015-04-24T02:04:20Z'),
    });
    expect(rows[1]?.values).toMatchObject({
      meta: '',
      gender: null,
      year_of_birth: null,
      country: 'FR',
      profile_image_uploaded_at: null,
    });
    expect(rows[3]?.values['country']).toBe('UKR');
  });

  it('certificates: grade stays a string', async () => {
    const { rows } = await collect(file('certificates_generatedcertificate'));
    expect(rows.map((r) => r.values['grade'])).toEqual(['0.27', '0.0', '0.0', '0.51']);
    expect(rows[0]?.values['distinction']).toBe(false);
  });

  it('courseware_studentmodule: state undoubled and JSON-parsed, nested JSON kept as text', async () => {
    const { rows } = await collect(file('courseware_studentmodule'));
    const state = rows[0]?.values['state'] as { student_answers: Record<string, string> };
    const answer = state.student_answers['5b60fa3470a2440eafeee24d6806eb1a_2_1'] ?? '';
    expect(JSON.parse(answer)).toEqual({
      answer: 'correct',
      state:
        '{"state":"OC(O)C(Cl)(Cl)Cl\\nJME 2014-06-28 Mon Oct 26 19:53:17 GMT-400 2015\\n \\n' +
        '  7  6  0  0  0  0  0  0  0  0999 V2000\\n  5  7  1  0  0  0  0\\nM  END\\n",' +
        '"answer":"OC(O)C(Cl)(Cl)Cl"}',
    });
    expect(rows[1]?.values).toEqual({
      id: 2,
      module_type: 'chapter',
      module_id: 'block-v1:edX+DemoX+Demo_Course',
      student_id: 2,
      state: { position: 2 },
      grade: null,
      created: new Date('2015-11-06T11:28:36Z'),
      modified: new Date('2015-11-06T11:28:36Z'),
      max_grade: null,
      done: 'na',
      course_id: 'course-v1:edX+DemoX+Demo_Course',
    });
  });

  it('wiki_articlerevision: \\r\\n escapes decoded in content', async () => {
    const { rows } = await collect(file('wiki_articlerevision'));
    expect(rows[2]?.values['content']).toBe(
      'This is the wiki for **edX**.\r\n\r\n<h2>Purpose of the edX Guides</h2>\r\n\r\nThe purpose of this activity.',
    );
    expect(rows[1]?.values).toMatchObject({ user_message: '', ip_address: null, deleted: false });
  });

  it('teams: impossible dates are invalid cells with line, column and reason; all 4 rows load', async () => {
    const cells: InvalidCell[] = [];
    const { rows, rejected } = await collect(file('teams'), {
      onInvalidCell: (cell) => cells.push(cell),
    });
    expect(rejected).toEqual([]);
    expect(
      rows.map((r) => [r.values['id'], r.values['last_activity_at'], r.values['_invalid']]),
    ).toEqual([
      [1, new Date('2014-10-31T21:32:17Z'), undefined],
      [2, null, { last_activity_at: '2015-09-31 21:32:17' }],
      [3, null, { last_activity_at: '2015-11-31 21:32:17' }],
      [4, null, { last_activity_at: '2015-1-31 21:32:17' }],
    ]);
    expect(rows[1]?.values).toMatchObject({ team_size: 4, name: 'B Team' });
    expect(cells.map((c) => [c.line, c.column, c.code, c.reason])).toEqual([
      [
        3,
        11,
        'out-of-range',
        'expected a datetime YYYY-MM-DD HH:MM:SS, got "2015-09-31 21:32:17" (out of range) (column "last_activity_at")',
      ],
      [
        4,
        11,
        'out-of-range',
        'expected a datetime YYYY-MM-DD HH:MM:SS, got "2015-11-31 21:32:17" (out of range) (column "last_activity_at")',
      ],
      [
        5,
        11,
        'malformed',
        'expected a datetime YYYY-MM-DD HH:MM:SS, got "2015-1-31 21:32:17" (column "last_activity_at")',
      ],
    ]);
  });

  it("obfuscated auth_user: '' in bool, date and int columns costs no row", async () => {
    const { rows, summary } = await collect(
      join(STATE_OUTPUT, 'edX-DemoX-Demo_Course-auth_user-acceptance.sql'),
    );
    expect(rows[0]?.values).toEqual({
      id: 2048,
      username: 'username_2048',
      first_name: '',
      last_name: '',
      email: '',
      password: '',
      is_staff: true,
      is_active: true,
      is_superuser: false,
      last_login: new Date('2015-08-12T23:13:03Z'),
      date_joined: new Date('2015-08-12T23:13:03Z'),
      status: '',
      email_key: '',
      avatar_type: '',
      country: '',
      show_country: null,
      date_of_birth: null,
      interesting_tags: '',
      ignored_tags: '',
      email_tag_filter_strategy: null,
      display_tag_filter_strategy: null,
      consecutive_days_visit_count: null,
      _invalid: {
        show_country: '',
        date_of_birth: '',
        email_tag_filter_strategy: '',
        display_tag_filter_strategy: '',
        consecutive_days_visit_count: '',
      },
    });
    expect(summary.invalidCells).toEqual({
      count: 20,
      rows: 4,
      byReason: { empty: 20 },
      byColumn: {
        auth_user: {
          show_country: { empty: 4 },
          date_of_birth: { empty: 4 },
          email_tag_filter_strategy: { empty: 4 },
          display_tag_filter_strategy: { empty: 4 },
          consecutive_days_visit_count: { empty: 4 },
        },
      },
    });
  });

  it('obfuscated teams_membership: user ids as numbers', async () => {
    const { rows } = await collect(
      join(STATE_OUTPUT, 'edX-DemoX-Demo_Course-teams_membership-acceptance.sql'),
    );
    expect(rows.map((r) => r.values['user_id'])).toEqual([
      2048,
      2147483648,
      expect.any(Number),
      expect.any(Number),
    ]);
  });

  it('reads the 43 studentmodule rows of the pipeline output (header moved back to the top)', async () => {
    const path = join(
      PIPELINE_FIXTURES,
      'output/edX-E929-2014_T1-courseware_studentmodule-acceptance-analytics.sql.sorted',
    );
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    const header = lines.pop() ?? '';
    const text = `${[header, ...lines].join('\n')}\n`;
    const { rows, rejected, summary } = await collect(
      { text },
      { table: 'courseware_studentmodule' },
    );
    expect(rejected).toEqual([]);
    expect(summary.jsonKeptAsText).toBe(0);
    expect(summary.invalidCells.count).toBe(0);
    expect(rows.map((r) => r.line)).toEqual(dataRecords(text, true).map((r) => r.line));
    expect(rows).toHaveLength(43);
    expect(
      rows.every((r) => r.values['state'] === null || typeof r.values['state'] === 'object'),
    ).toBe(true);
    const algebra = rows.find((r) => r.values['id'] === 96119)?.values['state'] as {
      student_answers: Record<string, string>;
    };
    expect(
      algebra.student_answers['i4x-edX-E929-problem-Sample_Algebraic_Problem_2_1_dynamath'],
    ).toMatch(
      /^<math xmlns="http:\/\/www.w3.org\/1998\/Math\/MathML">\r\n {2}<mstyle displaystyle="true">/,
    );
    expect(rows[0]?.values).toMatchObject({
      id: 96112,
      module_type: 'course',
      state: { position: 5 },
      course_id: 'edX/E929/2014_T1',
    });
  });
});
