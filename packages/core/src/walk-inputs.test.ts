import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileClassification } from './classify-file.js';
import { walkInputs } from './walk-inputs.js';
import type { InputFile } from './walk-inputs.js';
import { HAS_REALDATA, REALDATA } from '@edx-data/test-support';

async function collect(dir: string): Promise<InputFile[]> {
  const files: InputFile[] = [];
  for await (const file of walkInputs(dir)) files.push(file);
  return files;
}

describe(walkInputs, () => {
  let root = '';

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'walk-inputs-'));
    const pkg = join(root, 'McGillX-2016-01-10');
    await mkdir(join(pkg, 'ora'), { recursive: true });
    await mkdir(join(root, '.git'));
    await mkdir(join(root, 'prod-edxapp-001'));
    await writeFile(join(root, '.git', 'HEAD'), 'x');
    await writeFile(join(root, '.DS_Store'), 'x');
    await writeFile(join(root, 'McGillX-2016-01-10.zip'), 'zip');
    await writeFile(join(root, 'mcgillx-edx-events-2016-01-09.log.gz.gpg'), '12345');
    await writeFile(join(root, 'prod-edxapp-001', '2014-02-13_McGillX.log'), '{}\n');
    await writeFile(join(pkg, 'McGillX-CHEM181x-1T2014-auth_user-prod-analytics.sql.gpg'), 'ab');
    await writeFile(
      join(pkg, 'ora', 'McGillX-CHEM181x-1T2014-submissions_score-prod-analytics.sql.gpg'),
      '',
    );
    await writeFile(join(pkg, 'B-notes.txt'), 'n');
    await symlink(join(pkg, 'B-notes.txt'), join(root, 'link-to-notes.txt'));
    await symlink(pkg, join(root, 'link-to-folder'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('yields every file in name order, with size and kind, skipping dotfiles', async () => {
    const files = await collect(root);
    expect(files.map((f) => [relative(root, f.path), f.size, f.classification.kind])).toEqual([
      ['McGillX-2016-01-10/B-notes.txt', 1, 'unknown'],
      ['McGillX-2016-01-10/McGillX-CHEM181x-1T2014-auth_user-prod-analytics.sql.gpg', 2, 'table'],
      [
        'McGillX-2016-01-10/ora/McGillX-CHEM181x-1T2014-submissions_score-prod-analytics.sql.gpg',
        0,
        'table',
      ],
      ['McGillX-2016-01-10.zip', 3, 'package_zip'],
      ['link-to-notes.txt', 1, 'unknown'],
      ['mcgillx-edx-events-2016-01-09.log.gz.gpg', 5, 'events'],
      ['prod-edxapp-001/2014-02-13_McGillX.log', 3, 'events'],
    ]);
    expect(files[2]?.classification).toMatchObject({ table: 'submissions_score', ora: true });
    // The fake zip cannot be read: it is yielded itself, with the reason.
    expect(files[3]?.problem?.message).toMatch(/not a readable zip archive/);
    expect(files[6]?.classification).toMatchObject({ layout: 'per-server', site: 'edx' });
  });

  it('can stop early', async () => {
    for await (const file of walkInputs(root)) {
      expect(file.classification.kind).toBe('unknown');
      break;
    }
  });

  it('passes courseIds on to classifyFile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'walk-inputs-ids-'));
    try {
      await writeFile(join(dir, 'MITx-6.00.1-x-1T2014-auth_user-prod-analytics.sql'), '');
      const files: InputFile[] = [];
      for await (const f of walkInputs(dir, { courseIds: ['MITx/6.00.1/x-1T2014'] })) files.push(f);
      expect(files[0]?.classification).toMatchObject({ course: '6.00.1', run: 'x-1T2014' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('throws E_FILE_NOT_FOUND for a missing folder or a file', async () => {
    await expect(collect(join(root, 'nope'))).rejects.toMatchObject({
      name: 'InputError',
      code: 'E_FILE_NOT_FOUND',
      file: join(root, 'nope'),
    });
    await expect(collect(join(root, 'link-to-notes.txt'))).rejects.toMatchObject({
      code: 'E_FILE_NOT_FOUND',
      message: expect.stringContaining('not a folder or a zip archive') as string,
    });
    await expect(collect(join(root, 'McGillX-2016-01-10.zip'))).rejects.toMatchObject({
      code: 'E_INPUT',
      message: expect.stringContaining('not a readable zip archive') as string,
    });
  });
});

const PIPE = 'openedx+edx-analytics-pipeline/edx/analytics/tasks/tests/acceptance/fixtures';

/** What each package-shaped file of the shared real data is (the rest is `unknown`). */
function expectedRealData(): Map<string, FileClassification> {
  const demo = {
    org: 'edX',
    course: 'DemoX',
    run: 'Demo_Course',
    key: 'course-v1:edX+DemoX+Demo_Course',
    ambiguous: false,
  };
  const expected = new Map<string, FileClassification>();
  const tables = [
    'courseware_studentmodule',
    'teams_membership',
    'certificates_generatedcertificate',
    'user_api_usercoursetag',
    'auth_userprofile',
    'student_courseenrollment',
    'teams',
    'wiki_article',
    'wiki_articlerevision',
    'auth_user',
    'student_languageproficiency',
    'verify_student_verificationstatus',
  ];
  for (const side of ['input', 'output']) {
    const state = `${PIPE}/${side}/obfuscation/state`;
    for (const table of tables) {
      expected.set(`${state}/edX-DemoX-Demo_Course-${table}-acceptance.sql`, {
        kind: 'table',
        ...demo,
        table,
        site: 'acceptance',
        encrypted: false,
        ora: false,
      });
    }
    expected.set(`${state}/edX-DemoX-Demo_Course-acceptance.mongo`, {
      kind: 'forum',
      ...demo,
      site: 'acceptance',
      encrypted: false,
    });
    expected.set(`${state}/edX-DemoX-Demo_Course-course_structure-acceptance.json`, {
      kind: 'course_structure',
      ...demo,
      site: 'acceptance',
      encrypted: false,
    });
  }
  expected.set(
    `${PIPE}/input/obfuscation/state/edX-DemoX-Demo_Course-course-acceptance.xml.tar.gz`,
    {
      kind: 'olx',
      ...demo,
      site: 'acceptance',
      encrypted: false,
    },
  );
  const daily = { kind: 'events', compressed: false, encrypted: false, layout: 'daily' } as const;
  expected.set(`${PIPE}/output/acceptancex-edx-events-2014-05-15.log`, {
    ...daily,
    org: 'acceptancex',
    site: 'edx',
    date: '2014-05-15',
  });
  expected.set(`${PIPE}/output/acceptancex-edge-events-2014-05-15.log`, {
    ...daily,
    org: 'acceptancex',
    site: 'edge',
    date: '2014-05-15',
  });
  for (const [site, date] of [
    ['edge', '2014-05-15'],
    ['edge', '2014-05-16'],
    ['edx', '2014-05-15'],
    ['edx', '2014-05-16'],
  ] as const) {
    expected.set(`${PIPE}/output/edx-${site}-events-${date}.log`, {
      ...daily,
      org: 'edx',
      site,
      date,
    });
  }
  // Self-hosted Open edX logs (event-routing-backends' fixture, json_to_relation's sample).
  const rotated = { kind: 'events', org: null, site: 'self-hosted', layout: 'rotated' } as const;
  expected.set(
    'openedx+event-routing-backends/event_routing_backends/management/commands/tests/fixtures/tracking.log',
    { ...rotated, date: null, compressed: false, encrypted: false },
  );
  expected.set(
    'paepcke+json_to_relation/json_to_relation/test/data/tracking.log-20130609.SCRUBBED.gz',
    {
      ...rotated,
      date: '2013-06-09',
      compressed: true,
      encrypted: false,
    },
  );
  return expected;
}

describe.skipIf(!HAS_REALDATA)('walkInputs over the shared real data', () => {
  it('classifies every file, and the package-shaped ones as what they are', async () => {
    const expected = expectedRealData();
    const seen = new Map<string, FileClassification>();
    for await (const file of walkInputs(REALDATA)) {
      seen.set(relative(REALDATA, file.path), file.classification);
    }
    expect(seen.size).toBeGreaterThanOrEqual(150);
    for (const [path, classification] of expected) {
      expect({ path, classification: seen.get(path) }).toEqual({ path, classification });
    }
    // Everything else (the PIPE load_*.sql scripts, test logs named by what they test,
    // per-course event exports, sorted outputs, JSON samples, PROVENANCE.md) is unknown.
    for (const [path, classification] of seen) {
      if (expected.has(path)) continue;
      expect({ path, kind: classification.kind }).toEqual({ path, kind: 'unknown' });
      expect(classification).toHaveProperty('reason', expect.any(String));
    }
    const reasonOf = (path: string): unknown => (seen.get(path) as { reason?: unknown }).reason;
    expect(reasonOf(`${PIPE}/input/load_auth_userprofile.sql`)).toMatch(/no known table/);
    expect(reasonOf(`${PIPE}/input/obfuscation_tracking.log`)).toMatch(/a log not named/);
    expect(
      reasonOf(`${PIPE}/output/AcceptanceX_Demo_ccx_T2_2014_ccx_101-events-2014-05-27.log`),
    ).toMatch(/a log not named/);
    expect(
      reasonOf(
        `${PIPE}/output/edX-E929-2014_T1-courseware_studentmodule-acceptance-analytics.sql.sorted`,
      ),
    ).toMatch(/\.sorted/);
  });
});
