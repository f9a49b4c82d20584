/**
 * The edx-analytics-pipeline acceptance fixtures: data-package files as edX's own code reads
 * and writes them (read in place from shared/realdata, never copied).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSqlDump } from './parse-sql-dump.js';
import { collect } from './test-support/collect.js';
import {
  HAS_REALDATA,
  PIPELINE_FIXTURES,
  PIPELINE_STATE_INPUT as STATE_INPUT,
} from '@edx-data/test-support';

const STATE_OUTPUT = join(PIPELINE_FIXTURES, 'output/obfuscation/state');
const file = (table: string): string =>
  join(STATE_INPUT, `edX-DemoX-Demo_Course-${table}-acceptance.sql`);

describe.skipIf(!HAS_REALDATA)(parseSqlDump, () => {
  it('reads every TSV table of input/obfuscation/state: 4 rows each, no drift', async () => {
    const names = (await readdir(STATE_INPUT)).filter((n) => n.endsWith('.sql')).sort();
    expect(names).toHaveLength(12);
    const counts: Record<string, [number, number]> = {};
    for (const name of names) {
      const { rows, rejected, summary } = await collect(join(STATE_INPUT, name));
      expect(summary.format).toBe('tsv');
      expect(summary.schemaDrift).toEqual({
        unknownTables: [],
        unknownColumns: {},
        missingColumns: {},
      });
      counts[summary.table ?? name] = [rows.length, rejected.length];
    }
    expect(counts).toEqual({
      auth_user: [4, 0],
      auth_userprofile: [4, 0],
      certificates_generatedcertificate: [4, 0],
      courseware_studentmodule: [4, 0],
      student_courseenrollment: [4, 0],
      student_languageproficiency: [4, 0],
      // The fixture holds impossible dates (2015-09-31, 2015-11-31, 2015-1-31).
      teams: [1, 3],
      teams_membership: [4, 0],
      user_api_usercoursetag: [4, 0],
      verify_student_verificationstatus: [4, 0],
      wiki_article: [4, 0],
      // Header and 3 rows.
      wiki_articlerevision: [3, 0],
    });
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

  it('teams: rejects impossible dates with line and column, loads the valid row', async () => {
    const { rows, rejected } = await collect(file('teams'));
    expect(rows[0]?.values).toMatchObject({
      id: 1,
      team_size: 4,
      last_activity_at: new Date('2014-10-31T21:32:17Z'),
    });
    expect(rejected.map((r) => [r.line, r.column, r.reason])).toEqual([
      [
        3,
        11,
        'expected a datetime YYYY-MM-DD HH:MM:SS, got "2015-09-31 21:32:17" (column "last_activity_at")',
      ],
      [
        4,
        11,
        'expected a datetime YYYY-MM-DD HH:MM:SS, got "2015-11-31 21:32:17" (column "last_activity_at")',
      ],
      [
        5,
        11,
        'expected a datetime YYYY-MM-DD HH:MM:SS, got "2015-1-31 21:32:17" (column "last_activity_at")',
      ],
    ]);
  });

  it("reads the obfuscated output tables; '' in number and boolean columns is rejected", async () => {
    const names = (await readdir(STATE_OUTPUT)).filter((n) => n.endsWith('.sql')).sort();
    const counts: Record<string, [number, number]> = {};
    for (const name of names) {
      const { rows, rejected, summary } = await collect(join(STATE_OUTPUT, name));
      counts[summary.table ?? name] = [rows.length, rejected.length];
    }
    expect(counts).toMatchObject({
      // The obfuscator blanked show_country and the other int placeholders with ''.
      auth_user: [0, 4],
      courseware_studentmodule: [4, 0],
      student_courseenrollment: [4, 0],
      teams: [1, 3],
    });
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
