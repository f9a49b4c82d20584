import { createHmac } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, UsageError } from '@edx-data/core';
import { anonymizeFiles } from './anonymize-files.js';
import type { AnonymizeFilesOptions } from './anonymize-files.js';
import type { AnonymisationAudit } from './audit.js';
import { AnonymizationKey } from './key.js';
import { sampleDirectory } from './test-support/sample-directory.js';
import { expectedPseudonym } from './test-support/expected-pseudonym.js';

const SECRET = 'Zq8-unit-test-key-of-the-driver';
const key = AnonymizationKey.fromText(SECRET, '$TEST_KEY');
const root = mkdtempSync(join(tmpdir(), 'anonymizer-files-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const pseudonymOf = (subject: string): string => expectedPseudonym(SECRET, subject);

const PERSON_COURSE = [
  'user_id,username,name,year_of_birth,gender,ip,city,country,body,first_event',
  '1516,lm1md2.ssx,Iris Von,1962,f,8.8.8.8,Montreal,CA,"Hi, I am Iris Von, write me at lm1md2.ssx@example.org",2024-01-09T11:11:33.863Z',
  '1553,Madalyn_Crooks49,Madalyn Crooks,1963,f,53.14.5.118,Berlin,DE,thanks @lm1md2.ssx,2024-01-09T11:58:20.684Z',
  '1600,zed,Zed Zed,1990,m,8.8.4.4,Paris,FR,plain text,2024-01-10T00:00:00.000Z',
];
const PERSON_COURSE_SCHEMA = {
  report: 'pc',
  question: 'who?',
  columns: [
    { name: 'user_id', type: 'integer', description: 'id', identifier: 'user_id' },
    { name: 'username', type: 'string', description: 'name', identifier: 'username' },
    { name: 'name', type: 'string', description: 'full name', identifier: 'name' },
    { name: 'year_of_birth', type: 'integer', description: 'yob', identifier: 'birth_year' },
    { name: 'gender', type: 'string', description: 'gender' },
    { name: 'ip', type: 'string', description: 'ip', identifier: 'ip' },
    { name: 'city', type: 'string', description: 'city', identifier: 'location' },
    { name: 'country', type: 'string', description: 'country', identifier: 'location' },
    { name: 'body', type: 'string', description: 'text', identifier: 'free_text' },
    { name: 'first_event', type: 'datetime', description: 'first' },
  ],
};
const FORUM = ['username,title', 'Madalyn_Crooks49,Question for Iris', 'zed,hello'];
const FORUM_SCHEMA = {
  columns: [
    { name: 'username', type: 'string', identifier: 'username' },
    { name: 'title', type: 'string', identifier: 'free_text' },
  ],
};

async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

async function inputs(name: string): Promise<string> {
  return folder(name, {
    'pc.csv': `${PERSON_COURSE.join('\r\n')}\r\n`,
    'pc.schema.json': JSON.stringify(PERSON_COURSE_SCHEMA),
    'forum.csv': `${FORUM.join('\n')}\n`,
    'forum.schema.json': JSON.stringify(FORUM_SCHEMA),
    'manifest.json': '{"not":"a csv"}',
  });
}

function csv(file: string): string[][] {
  // (the outputs of these tests hold no quoted comma nor newline except where noted)
  return readFileSync(file, 'utf8')
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','));
}

function options(over: Partial<AnonymizeFilesOptions>): AnonymizeFilesOptions {
  return {
    inputs: [],
    out: '',
    key,
    directory: sampleDirectory(),
    quasiIdentifiers: [{ column: 'gender', hierarchy: 'gender' }],
    k: 2,
    ...over,
  };
}

describe(anonymizeFiles, () => {
  it('pseudonymises, drops, generalises and scrubs by the dictionary, and generalises to reach k', async () => {
    const dir = await inputs('basic');
    const out = join(root, 'basic-out');
    const audit = await anonymizeFiles(options({ inputs: [dir], out }));
    const p1516 = pseudonymOf('id:1516');
    const p1553 = pseudonymOf('id:1553');
    const p1600 = pseudonymOf('id:1600');
    // (k = 2 over gender: f, f, m: suppressing m would cost a third of the learners, over the
    // 5 % budget, so gender is generalised to *)
    expect(readFileSync(join(out, 'pc.csv'), 'utf8')).toBe(
      [
        'user_id,username,year_of_birth,gender,ip_country,country,body,first_event',
        `${p1516},${p1516},1960-1964,*,US,CA,"Hi, I am <PERSON>, write me at <EMAIL>",2024-01-09T11:11:33.863Z`,
        `${p1553},${p1553},1960-1964,*,DE,DE,thanks @<USERNAME>,2024-01-09T11:58:20.684Z`,
        `${p1600},${p1600},1990-1994,*,US,FR,plain text,2024-01-10T00:00:00.000Z`,
        '',
      ].join('\r\n'),
    );
    // the same learner, named by username only in another file: the same pseudonym
    expect(csv(join(out, 'forum.csv'))).toEqual([
      ['username', 'title'],
      [p1553, 'Question for <PERSON>'],
      [p1600, 'hello'],
    ]);
    expect(readdirSync(out).sort()).toEqual([
      'anonymisation-audit.json',
      'forum.csv',
      'forum.schema.json',
      'pc.csv',
      'pc.schema.json',
    ]);
    expect(statSync(out).mode & 0o777).toBe(0o700);
    for (const file of readdirSync(out)) expect(statSync(join(out, file)).mode & 0o777).toBe(0o600);

    const written = JSON.parse(
      readFileSync(join(out, 'anonymisation-audit.json'), 'utf8'),
    ) as AnonymisationAudit;
    expect(written.key.fingerprint).toBe(key.fingerprint);
    expect(written.kReached).toBe(3);
    const pc = written.files.find((f) => f.output === 'pc.csv');
    expect(pc).toMatchObject({
      rowsRead: 3,
      rowsWritten: 3,
      rowsSuppressed: 0,
      dropped: ['name', 'city'],
    });
    const column = (name: string) => pc?.columns.find((c) => c.column === name);
    expect(column('user_id')).toMatchObject({ action: 'pseudonymise', pseudonymised: 3 });
    expect(column('ip')).toMatchObject({
      action: 'ip_country',
      output: 'ip_country',
      generalised: 3,
    });
    expect(column('year_of_birth')).toMatchObject({ generalised: 3 });
    expect(column('body')).toMatchObject({
      scrubbedCells: 2,
      scrubbed: { EMAIL: 1, PHONE: 0, URL: 0, USERNAME: 1, PERSON: 1 },
    });
    expect(pc?.disclosure).toMatchObject({
      applied: true,
      learnerColumn: 'user_id',
      belowK: false,
    });
    const forum = written.files.find((f) => f.output === 'forum.csv');
    expect(forum?.disclosure.applied).toBe(false);
    expect(audit.files).toHaveLength(2);

    const schema = JSON.parse(readFileSync(join(out, 'pc.schema.json'), 'utf8')) as {
      columns: { name: string; identifier?: string; anonymisation?: string }[];
    };
    expect(schema.columns.map((c) => c.name)).toEqual(
      'user_id,username,year_of_birth,gender,ip_country,country,body,first_event'.split(','),
    );
    expect(schema.columns.every((c) => c.identifier === undefined)).toBe(true);
    expect(schema.columns[0]?.anonymisation).toBe('pseudonymise');

    const everything = readdirSync(out)
      .map((f) => readFileSync(join(out, f), 'utf8'))
      .join('\n');
    expect(everything).not.toContain(SECRET);
    for (const secret of ['lm1md2', 'Madalyn', 'Iris', '8.8.8.8', '1516', 'Montreal']) {
      expect(everything).not.toContain(secret);
    }
  });

  it('moves the dates of a learner by its own offset, the same in every run', async () => {
    const dir = await inputs('shift');
    const shiftOf = (subject: string) =>
      (createHmac('sha256', SECRET).update(`date-shift\0${subject}`).digest().readUInt32BE(0) %
        61) -
      30;
    const firsts: string[][] = [];
    for (const run of [1, 2]) {
      const out = join(root, `shift-out-${run}`);
      await anonymizeFiles(options({ inputs: [join(dir, 'pc.csv')], out, shiftDays: 30 }));
      firsts.push(
        csv(join(out, 'pc.csv'))
          .slice(1)
          .map((row) => row.at(-1) ?? ''),
      );
    }
    const moved = (iso: string, subject: string) =>
      new Date(Date.parse(iso) + shiftOf(subject) * 86_400_000).toISOString();
    expect(firsts[0]).toEqual([
      moved('2024-01-09T11:11:33.863Z', 'id:1516'),
      moved('2024-01-09T11:58:20.684Z', 'id:1553'),
      moved('2024-01-10T00:00:00.000Z', 'id:1600'),
    ]);
    expect(firsts[1]).toEqual(firsts[0]);
  });

  it('refuses an output below k: an error naming the file, and nothing in place of the output', async () => {
    const dir = await inputs('refuse');
    const out = join(root, 'refuse-out');
    await mkdir(out);
    writeFileSync(join(out, 'kept.txt'), 'already here');
    const run = anonymizeFiles(options({ inputs: [dir], out, k: 4, maxSuppression: 0 }));
    await expect(run).rejects.toThrow(InputError);
    await expect(
      anonymizeFiles(options({ inputs: [dir], out, k: 4, maxSuppression: 0 })),
    ).rejects.toMatchObject({ code: 'E_REFUSED', file: join(dir, 'pc.csv') });
    expect(readdirSync(out)).toEqual(['kept.txt']);
    // --allow-below-k writes it, and the audit says so
    const allowed = await anonymizeFiles(
      options({ inputs: [dir], out, k: 4, maxSuppression: 0, allowBelowK: true }),
    );
    expect(allowed.files[1]?.disclosure).toMatchObject({ applied: true, belowK: true });
  });

  it('refuses a CSV without a dictionary unless every column is named', async () => {
    const dir = await folder('roster', {
      'roster.csv': 'learner,score,notes\nlm1md2.ssx,3,hi\nzed,4,x\n',
    });
    const out = join(root, 'roster-out');
    const refused = anonymizeFiles(options({ inputs: [dir], out }));
    await expect(refused).rejects.toThrow(UsageError);
    await expect(anonymizeFiles(options({ inputs: [dir], out }))).rejects.toThrow(
      /roster\.csv has no data dictionary .*"learner", "score", "notes"/u,
    );
    expect(existsSync(join(out, 'roster.csv'))).toBe(false);
    await anonymizeFiles(
      options({
        inputs: [dir],
        out,
        idColumns: { learner: 'username' },
        keepColumns: ['score'],
        dropColumns: ['notes'],
      }),
    );
    expect(csv(join(out, 'roster.csv'))).toEqual([
      ['learner', 'score'],
      [pseudonymOf('id:1516'), '3'],
      [pseudonymOf('id:1600'), '4'],
    ]);
  });

  it('names the file and line of a header that does not match its dictionary, or a short record', async () => {
    const bad = await folder('bad-header', {
      'forum.csv': 'username,titel\nzed,x\n',
      'forum.schema.json': JSON.stringify(FORUM_SCHEMA),
    });
    await expect(
      anonymizeFiles(options({ inputs: [bad], out: join(root, 'o1') })),
    ).rejects.toMatchObject({
      code: 'E_INPUT',
      file: join(bad, 'forum.csv'),
      line: 1,
    });
    const short = await folder('short', {
      'forum.csv': 'username,title\nzed,x\nzed\n',
      'forum.schema.json': JSON.stringify(FORUM_SCHEMA),
    });
    await expect(
      anonymizeFiles(options({ inputs: [short], out: join(root, 'o2') })),
    ).rejects.toMatchObject({
      code: 'E_INPUT',
      line: 3,
    });
    const role = await folder('role', {
      'forum.csv': 'username,title\n',
      'forum.schema.json': JSON.stringify({
        columns: [{ name: 'username', identifier: 'nickname' }, { name: 'title' }],
      }),
    });
    await expect(
      anonymizeFiles(options({ inputs: [role], out: join(root, 'o3') })),
    ).rejects.toThrow(/unknown identifier role "nickname".* at .*forum\.schema\.json/u);
    expect(existsSync(join(root, 'o2', 'forum.csv'))).toBe(false);
  });

  it('gives other pseudonyms under another key, and none equal to an input', async () => {
    const dir = await inputs('keys');
    const other = AnonymizationKey.fromText('a second key that differs entirely', 'x');
    await anonymizeFiles(options({ inputs: [dir], out: join(root, 'k1') }));
    await anonymizeFiles(options({ inputs: [dir], out: join(root, 'k2'), key: other }));
    const a = csv(join(root, 'k1', 'forum.csv'))
      .slice(1)
      .map((r) => r[0]);
    const b = csv(join(root, 'k2', 'forum.csv'))
      .slice(1)
      .map((r) => r[0]);
    expect(a).toHaveLength(2);
    for (const [i, pseudonym] of a.entries()) {
      expect(b[i]).not.toBe(pseudonym);
      expect(['Madalyn_Crooks49', 'zed', '1553', '1600']).not.toContain(pseudonym);
    }
  });
});
