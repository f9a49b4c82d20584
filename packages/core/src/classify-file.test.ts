import { describe, expect, it } from 'vitest';
import { ORA_TABLES, PACKAGE_TABLES, classifyFile } from './classify-file.js';

const chem = {
  org: 'McGillX',
  course: 'CHEM181x',
  run: '1T2014',
  key: 'course-v1:McGillX+CHEM181x+1T2014',
  ambiguous: false,
};
const demo = {
  org: 'edX',
  course: 'DemoX',
  run: 'Demo_Course',
  key: 'course-v1:edX+DemoX+Demo_Course',
  ambiguous: false,
};

describe(classifyFile, () => {
  describe('tables', () => {
    it.each([
      [
        'McGillX-CHEM181x-1T2014-auth_user-prod-analytics.sql',
        { ...chem, table: 'auth_user', site: 'prod', encrypted: false, ora: false },
      ],
      [
        'McGillX-2014-10-12/McGillX-CHEM181x-1T2014-auth_userprofile-prod-analytics.sql.gpg',
        { ...chem, table: 'auth_userprofile', site: 'prod', encrypted: true, ora: false },
      ],
      [
        'DelftX-FP101x-3T2015-courseware_studentmodule-edge-analytics.sql',
        {
          org: 'DelftX',
          course: 'FP101x',
          run: '3T2015',
          key: 'course-v1:DelftX+FP101x+3T2015',
          ambiguous: false,
          table: 'courseware_studentmodule',
          site: 'edge',
          encrypted: false,
          ora: false,
        },
      ],
      [
        'MITx-00.00-TestClass-auth_user-prod-edge-analytics.sql',
        {
          org: 'MITx',
          course: '00.00',
          run: 'TestClass',
          key: 'course-v1:MITx+00.00+TestClass',
          ambiguous: false,
          table: 'auth_user',
          site: 'prod-edge',
          encrypted: false,
          ora: false,
        },
      ],
      [
        'MITx-6.00.1-x-1T2014-auth_user-prod-analytics.sql',
        {
          org: 'MITx',
          course: '6.00.1-x',
          run: '1T2014',
          key: 'course-v1:MITx+6.00.1-x+1T2014',
          ambiguous: true,
          table: 'auth_user',
          site: 'prod',
          encrypted: false,
          ora: false,
        },
      ],
      [
        'MITx-6.00.1x-2T2017_2-student_courseenrollment-prod-analytics.sql.gpg',
        {
          org: 'MITx',
          course: '6.00.1x',
          run: '2T2017_2',
          key: 'course-v1:MITx+6.00.1x+2T2017_2',
          ambiguous: false,
          table: 'student_courseenrollment',
          site: 'prod',
          encrypted: true,
          ora: false,
        },
      ],
      [
        'edX-DemoX-Demo_Course-auth_user-acceptance.sql',
        { ...demo, table: 'auth_user', site: 'acceptance', encrypted: false, ora: false },
      ],
      [
        'testX-DemoX-2014_T2-courseware_studentmodule-acceptance-analytics.sql',
        {
          org: 'testX',
          course: 'DemoX',
          run: '2014_T2',
          key: 'course-v1:testX+DemoX+2014_T2',
          ambiguous: false,
          table: 'courseware_studentmodule',
          site: 'acceptance',
          encrypted: false,
          ora: false,
        },
      ],
      [
        // a course number that is itself a table name: the table is matched from the right
        'edX-teams-2015-teams-prod-analytics.sql',
        {
          org: 'edX',
          course: 'teams',
          run: '2015',
          key: 'course-v1:edX+teams+2015',
          ambiguous: false,
          table: 'teams',
          site: 'prod',
          encrypted: false,
          ora: false,
        },
      ],
      [
        'mcgillx-2016-01-10/ora/McGillX-CHEM181x-1T2014-assessment_assessment-prod-analytics.sql.gpg',
        { ...chem, table: 'assessment_assessment', site: 'prod', encrypted: true, ora: true },
      ],
      [
        'ora\\McGillX-CHEM181x-1T2014-submissions_newtable-prod-analytics.sql',
        { ...chem, table: 'submissions_newtable', site: 'prod', encrypted: false, ora: true },
      ],
      [
        'AcceptanceX-Demo_ccx-T2_2014-ccx-101-auth_user-prod-analytics.sql',
        {
          org: 'AcceptanceX',
          course: 'Demo_ccx',
          run: 'T2_2014',
          ccx: '101',
          key: 'ccx-v1:AcceptanceX+Demo_ccx+T2_2014+ccx@101',
          ambiguous: false,
          table: 'auth_user',
          site: 'prod',
          encrypted: false,
          ora: false,
        },
      ],
    ])('reads %s', (path, expected) => {
      expect(classifyFile(path)).toEqual({ kind: 'table', ...expected });
    });

    it.each([...PACKAGE_TABLES])('knows the package table %s', (table) => {
      expect(classifyFile(`McGillX-CHEM181x-1T2014-${table}-prod-analytics.sql.gpg`)).toMatchObject(
        {
          kind: 'table',
          table,
          ora: false,
          run: '1T2014',
        },
      );
    });

    it.each([...ORA_TABLES])('knows the ORA table %s', (table) => {
      expect(
        classifyFile(`x-2016-01-10/ora/McGillX-CHEM181x-1T2014-${table}-prod-analytics.sql.gpg`),
      ).toMatchObject({
        kind: 'table',
        table,
        ora: true,
        run: '1T2014',
      });
    });

    it('lists 20 package tables and 21 ORA tables', () => {
      expect(PACKAGE_TABLES).toHaveLength(20);
      expect(ORA_TABLES).toHaveLength(21);
    });

    it('splits ambiguous names like a given course id', () => {
      const name = 'MITx-6.00.1-x-1T2014-auth_user-prod-analytics.sql';
      expect(classifyFile(name, { courseIds: ['MITx/6.00.1/x-1T2014'] })).toMatchObject({
        course: '6.00.1',
        run: 'x-1T2014',
        key: 'course-v1:MITx+6.00.1+x-1T2014',
        ambiguous: false,
      });
      expect(
        classifyFile(name, { courseIds: ['course-v1:MITx+6.00.1-x+1T2014', 'garbage'] }),
      ).toMatchObject({ course: '6.00.1-x', run: '1T2014', ambiguous: false });
    });

    it('matches given course ids after replacing non-ASCII characters by _', () => {
      expect(
        classifyFile('UAMx-Química1x-1T2016-auth_user-prod-analytics.sql'.replace('í', '_'), {
          courseIds: ['course-v1:UAMx+Química1x+1T2016'],
        }),
      ).toMatchObject({ course: 'Química1x', key: 'course-v1:UAMx+Química1x+1T2016' });
    });
  });

  describe('other package files', () => {
    it.each([
      [
        'McGillX-CHEM181x-1T2014-prod.mongo.gpg',
        { kind: 'forum', ...chem, site: 'prod', encrypted: true },
      ],
      [
        'McGillX-CHEM181x-1T2014-edge.mongo',
        { kind: 'forum', ...chem, site: 'edge', encrypted: false },
      ],
      [
        'MITx-00.00-TestClass-prod-edge.mongo',
        {
          kind: 'forum',
          org: 'MITx',
          course: '00.00',
          run: 'TestClass',
          key: 'course-v1:MITx+00.00+TestClass',
          ambiguous: false,
          site: 'prod-edge',
          encrypted: false,
        },
      ],
      [
        'edX-DemoX-Demo_Course-acceptance.mongo',
        { kind: 'forum', ...demo, site: 'acceptance', encrypted: false },
      ],
      [
        'McGillX-CHEM181x-1T2014-course_structure-prod-analytics.json.gpg',
        { kind: 'course_structure', ...chem, site: 'prod', encrypted: true },
      ],
      [
        'edX-DemoX-Demo_Course-course_structure-acceptance.json',
        { kind: 'course_structure', ...demo, site: 'acceptance', encrypted: false },
      ],
      [
        'McGillX-CHEM181x-1T2014-course-prod-analytics.xml.tar.gz.gpg',
        { kind: 'olx', ...chem, site: 'prod', encrypted: true },
      ],
      [
        'edX-DemoX-Demo_Course-course-acceptance.xml.tar.gz',
        { kind: 'olx', ...demo, site: 'acceptance', encrypted: false },
      ],
      [
        'McGillX-email_opt_in-prod-analytics.csv.gpg',
        { kind: 'email_opt_in', org: 'McGillX', site: 'prod', encrypted: true },
      ],
      [
        'McGillX-2014-10-12.zip',
        { kind: 'package_zip', org: 'McGillX', date: '2014-10-12', emailOptIn: false },
      ],
      [
        'email-opt-in/McGillX-2014-12-07.zip',
        { kind: 'package_zip', org: 'McGillX', date: '2014-12-07', emailOptIn: true },
      ],
      [
        'McGillX-2014-10-12/McGillX-CHEM181x-1T2014-auth_user-prod-analytics.sql.failed',
        {
          kind: 'failed',
          of: {
            kind: 'table',
            ...chem,
            table: 'auth_user',
            site: 'prod',
            encrypted: false,
            ora: false,
          },
        },
      ],
      [
        'McGillX-CHEM181x-1T2014-course_structure-prod-analytics.json.failed.gpg',
        {
          kind: 'failed',
          of: { kind: 'course_structure', ...chem, site: 'prod', encrypted: true },
        },
      ],
    ])('reads %s', (path, expected) => {
      expect(classifyFile(path)).toEqual(expected);
    });
  });

  describe('tracking logs', () => {
    it.each([
      [
        'mcgillx-edx-events-2014-10-14.log.gz.gpg',
        { org: 'mcgillx', site: 'edx', date: '2014-10-14', compressed: true, encrypted: true },
      ],
      [
        'mitx/edx/events/2014/mitx-edx-events-2014-10-14.log.gz',
        { org: 'mitx', site: 'edx', date: '2014-10-14', compressed: true, encrypted: false },
      ],
      [
        'harvardx-edge-events-2015-01-01.log',
        { org: 'harvardx', site: 'edge', date: '2015-01-01', compressed: false, encrypted: false },
      ],
      [
        'delftx-prod-events-2016-02-29.log.gz.gpg',
        { org: 'delftx', site: 'prod', date: '2016-02-29', compressed: true, encrypted: true },
      ],
      [
        // the 2014 Research Guide's example, without "-events"
        'universityx-edge-2014-07-25.log.gz.gpg',
        { org: 'universityx', site: 'edge', date: '2014-07-25', compressed: true, encrypted: true },
      ],
    ])('reads the daily file %s', (path, expected) => {
      expect(classifyFile(path)).toEqual({ kind: 'events', layout: 'daily', ...expected });
    });

    it.each([
      [
        'logs/prod-edxapp-001/2014-02-13_McGillX.log.gz',
        {
          org: 'McGillX',
          site: 'edx',
          date: '2014-02-13',
          compressed: true,
          server: 'prod-edxapp-001',
        },
      ],
      [
        'prod-edge-edxapp-002/2014-02-13_HarvardX.log',
        {
          org: 'HarvardX',
          site: 'edge',
          date: '2014-02-13',
          compressed: false,
          server: 'prod-edge-edxapp-002',
        },
      ],
      [
        'prod-edge1a2b/2014-08-23_HarvardX.log',
        {
          org: 'HarvardX',
          site: 'edge',
          date: '2014-08-23',
          compressed: false,
          server: 'prod-edge1a2b',
        },
      ],
    ])('reads the per-server file %s', (path, expected) => {
      expect(classifyFile(path)).toEqual({
        kind: 'events',
        layout: 'per-server',
        encrypted: false,
        ...expected,
      });
    });
  });

  describe('self-hosted Open edX tracking logs', () => {
    const rotated = {
      kind: 'events',
      org: null,
      site: 'self-hosted',
      layout: 'rotated',
      encrypted: false,
    };
    it.each([
      ['/edx/var/log/tracking/tracking.log', { date: null, compressed: false }],
      ['tracking.log-20130609.gz', { date: '2013-06-09', compressed: true }],
      ['app10/tracking.log-20130610', { date: '2013-06-10', compressed: false }],
      ['tracking.log-20150224-1424773021.gz', { date: '2015-02-24', compressed: true }],
      ['tracking.log-2016-02-29.gz', { date: '2016-02-29', compressed: true }],
      ['tracking.log-20130609.SCRUBBED.gz', { date: '2013-06-09', compressed: true }],
      ['tracking.log.1', { date: null, compressed: false, rotation: 1 }],
      ['tracking.log.12.gz', { date: null, compressed: true, rotation: 12 }],
    ])('reads %s', (path, expected) => {
      expect(classifyFile(path)).toEqual({ ...rotated, ...expected });
    });

    it('reads an encrypted one and a failed one', () => {
      expect(classifyFile('tracking.log-20130609.gz.gpg')).toEqual({
        ...rotated,
        date: '2013-06-09',
        compressed: true,
        encrypted: true,
      });
      expect(classifyFile('tracking.log.failed')).toEqual({
        kind: 'failed',
        of: { ...rotated, date: null, compressed: false },
      });
    });
  });

  describe('unknown files', () => {
    it.each([
      ['', 'an empty path'],
      ['.DS_Store', 'a hidden file'],
      ['x/.hidden.sql', 'a hidden file'],
      ['2014-02-13_McGillX.log', 'outside a prod-edxapp-NNN folder'],
      ['mcgillx-edx-events-2014-02-30.log.gz', 'not a calendar date: 2014-02-30'],
      ['McGillX-2014-13-01.zip', 'not a calendar date'],
      ['load_auth_userprofile.sql', 'no known table'],
      ['McGillX-CHEM181x-auth_user-prod-analytics.sql', 'no known table'],
      ['CHEM181x-auth_user-prod-analytics.sql', 'no known table'],
      ['edX_DemoX_Demo_Course-events-2015-10-01.log', 'a log not named'],
      ['answer_dist_acceptance_tracking.log', 'a log not named like a tracking log'],
      ['load_events_acceptance_segment_20150414.log', 'a log not named'],
      ['clicktracking.log-20121026.gz', 'a log not named'],
      ['tracking.log-20130230.gz', 'not a calendar date: 2013-02-30'],
      ['tracking.log-2013.gz', 'a log not named'],
      ['tracking.log.gz.1', 'a log not named'],
      ['tracking.logs', '(.logs)'],
      ['testX-DemoX-2014_T2-courseware_studentmodule-acceptance-analytics.sql.sorted', '(.sorted)'],
      ['McGillX-CHEM181x-1T2014-course_structure.json', 'no -course_structure-{site}'],
      ['forum_records.json', 'no -course_structure-{site}'],
      ['McGillX-CHEM181x-1T2014.xml.tar.gz', 'no -course-{site}'],
      ['McGillX-prod.mongo', 'does not start with {org}-{course}-{run}'],
      ['courses.txt', 'list of courses'],
      ['README', 'without an extension'],
    ])('says why %j is unknown', (path, reason) => {
      const result = classifyFile(path);
      expect(result.kind).toBe('unknown');
      expect(result).toMatchObject({ reason: expect.stringContaining(reason) as string });
    });
  });
});
