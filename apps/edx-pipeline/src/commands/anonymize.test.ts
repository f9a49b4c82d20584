import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { COURSE_COLLECTIONS, courseDatabaseName, MASTER_TRACKING } from '@edx-data/core';
import { ExitCode } from '../exit-code.js';
import { run } from '../run.js';
import { captureIo } from '../test-support/capture-io.js';

const { openStore } = await import('@edx-data/store');

const dir = mkdtempSync(join(tmpdir(), 'edx-pipeline-anonymize-'));
const demo = join(dir, 'demo');
const store = join(demo, 'store');
const KEY = 'k3y-of-the-leak-test-7f1c9e0b2a6d';
const OTHER_KEY = 'another-key-of-the-leak-test-55aa';
let course = '';

/** What the scanner looks for: every identifier of every learner of the store. */
interface Truth {
  readonly usernames: Set<string>;
  readonly emails: Set<string>;
  readonly names: Set<string>;
  readonly ips: Set<string>;
  readonly userIds: Set<string>;
}
const truth: Truth = {
  usernames: new Set(),
  emails: new Set(),
  names: new Set(),
  ips: new Set(),
  userIds: new Set(),
};

async function cli(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(env);
  const code = await run(['--no-progress', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

/**
 * Every identifier found in `text` as a whole token, case-insensitive (numbers as whole
 * numbers: not within a time, a date, a decimal or a range such as a year band).
 */
function scan(text: string): string[] {
  const found: string[] = [];
  const words = [...truth.usernames, ...truth.emails, ...truth.names, ...truth.ips];
  for (const word of words) {
    const pattern = new RegExp(
      `(?<![\\p{L}\\p{N}_.@-])${escape(word)}(?![\\p{L}\\p{N}_@-]|\\.\\p{L})`,
      'iu',
    );
    if (pattern.test(text)) found.push(word);
  }
  for (const id of truth.userIds) {
    // (a number among digits, dots, colons or dashes is part of another: a time, a band)
    const number = new RegExp(`(?<![\\p{L}\\p{N}_.:]|\\d-)${id}(?![\\p{N}_]|[.:-]\\d)`, 'u');
    if (number.test(text)) found.push(id);
  }
  return found;
}

function outputs(out: string): Map<string, string> {
  return new Map(readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
}

/** The learner columns of a CSV written by the anonymiser (no quoted comma in them). */
function column(text: string, name: string): string[] {
  const [header = '', ...rows] = text.split('\r\n').filter((l) => l !== '');
  const at = header.split(',').indexOf(name);
  return rows.map((row) => row.split(',')[at] ?? '');
}

beforeAll(async () => {
  const made = await cli(['demo', '--out', demo, '--learners', '30', '--days', '3', '--json']);
  expect(made.code).toBe(ExitCode.Ok);
  course = (JSON.parse(made.out) as { generate: { courses: string[] } }).generate.courses[0] ?? '';

  const db = await openStore(store);
  try {
    const course_db = db.db(courseDatabaseName(course));
    const learners: { id: string; username: string; email: string; name: string }[] = [];
    for await (const u of course_db.collection(COURSE_COLLECTIONS.user).find({})) {
      const user = {
        id: String(u['id']),
        username: String(u['username']),
        email: String(u['email']),
        name: `${String(u['first_name'])} ${String(u['last_name'])}`,
      };
      learners.push(user);
      truth.userIds.add(user.id);
      truth.usernames.add(user.username);
      truth.emails.add(user.email);
      truth.names.add(user.name);
    }
    for await (const p of course_db.collection(COURSE_COLLECTIONS.userprofile).find({})) {
      if (typeof p['name'] === 'string' && p['name'] !== '') truth.names.add(p['name']);
    }
    const events = db.db(MASTER_TRACKING.database).collection(MASTER_TRACKING.events);
    for await (const e of events.find({}, { projection: { ip: 1 } })) {
      if (typeof e['ip'] === 'string' && e['ip'] !== '') truth.ips.add(e['ip']);
    }
    // Forum text naming learners: their names, usernames, emails, a phone, a profile URL.
    const forum = course_db.collection(COURSE_COLLECTIONS.forum);
    let i = 0;
    for await (const post of forum.find({}, { projection: { _id: 1 } })) {
      const a = learners[i % learners.length];
      const b = learners[(i + 1) % learners.length];
      i += 1;
      if (a === undefined || b === undefined) continue;
      await forum.updateOne(
        { _id: post['_id'] },
        {
          $set: {
            title: `Question for ${b.name}`,
            body: `Hi ${b.name}, I am ${a.name} (${a.username}); write to ${a.email} or call +1 514 398 4455. Thanks @${b.username}! My page: https://courses.example.org/u/${a.username}`,
          },
        },
      );
    }
    expect(i).toBeGreaterThan(0);
  } finally {
    await db.close();
  }
  expect(truth.usernames.size).toBeGreaterThan(5);
  expect(truth.ips.size).toBeGreaterThan(5);
}, 180_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('edx-pipeline anonymize', () => {
  it('leaves no username, email, name, IP or user id in any file, forum text included', async () => {
    const raw = join(dir, 'raw');
    const exported = await cli([
      '--store',
      store,
      'export',
      'all',
      '--course',
      course,
      '--out',
      raw,
    ]);
    expect(exported.code).toBe(ExitCode.Ok);
    // the scanner finds them in the raw export (forum text included)
    const rawFound = new Set([...outputs(raw).values()].flatMap(scan));
    for (const set of Object.values(truth) as Set<string>[]) {
      expect([...set].some((v) => rawFound.has(v))).toBe(true);
    }

    const out = join(dir, 'anon');
    const result = await cli(
      [
        '--store',
        store,
        'anonymize',
        raw,
        '--out',
        out,
        '--key-env',
        'ANON_KEY',
        '--course',
        course,
      ].concat(['--k', '2']),
      { ANON_KEY: KEY },
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(ExitCode.Ok);
    const files = outputs(out);
    expect(files.size).toBe(readdirSync(raw).filter((f) => f !== 'manifest.json').length + 1);
    for (const [file, text] of files) {
      expect(scan(text), file).toEqual([]);
      expect(text, file).not.toContain(KEY);
    }
    expect(result.out).not.toContain(KEY);
    expect(files.get('forum_posts.csv')).toContain('<PERSON>');
    expect(files.get('forum_posts.csv')).toContain('<EMAIL>');

    // one learner, one pseudonym: user_id, username and hash_id columns, across files
    // (date_of_registration: every enrolled learner, and no quasi-identifier to suppress any)
    const registered = files.get('date_of_registration.csv') ?? '';
    const ids = column(registered, 'user_id');
    const rawIds = column(readFileSync(join(raw, 'date_of_registration.csv'), 'utf8'), 'user_id');
    expect(ids.length).toBe(rawIds.length);
    expect(new Set(ids).size).toBe(new Set(rawIds).size);
    expect(column(registered, 'username')).toEqual(ids);
    expect(column(registered, 'hash_id')).toEqual(ids);
    const known = new Set(ids);
    const info = files.get('user_info.csv') ?? '';
    for (const file of ['person_course.csv', 'forum_posts.csv', 'ip_to_country.csv']) {
      const used = column(files.get(file) ?? '', 'user_id');
      expect(used.length, file).toBeGreaterThan(0);
      for (const pseudonym of used) expect(known.has(pseudonym), file).toBe(true);
    }
    for (const pseudonym of known) {
      expect(pseudonym).toMatch(/^ps_[a-z2-7]{20}$/u);
      for (const set of Object.values(truth) as Set<string>[])
        expect(set.has(pseudonym)).toBe(false);
    }
    expect(statSync(out).mode & 0o777).toBe(0o700);

    // k-anonymity, checked here: learners per combination of the quasi-identifiers
    const personCourse = files.get('person_course.csv') ?? '';
    const pcQis = ['gender', 'year_of_birth', 'level_of_education', 'profile_country'].concat([
      'modal_ip_country',
      'cc_by_ip',
      'course_id',
    ]);
    expect(parseCsv(personCourse).length).toBeGreaterThan(2);
    expect(smallestClass(personCourse, 'user_id', pcQis)).toBeGreaterThanOrEqual(2);
    const infoQis = ['gender', 'year_of_birth', 'level_of_education', 'country'];
    expect(smallestClass(info, 'user_id', infoQis)).toBeGreaterThanOrEqual(2);
    const audit = JSON.parse(files.get('anonymisation-audit.json') ?? '{}') as {
      files: { output: string; disclosure: { quasiIdentifiers?: { column: string }[] } }[];
    };
    const qisOf = (file: string) =>
      audit.files
        .find((f) => f.output === file)
        ?.disclosure.quasiIdentifiers?.map((q) => q.column)
        .sort();
    expect(qisOf('person_course.csv')).toEqual([...pcQis].sort());
    expect(qisOf('user_info.csv')).toEqual([...infoQis].sort());

    // the same key again: the same pseudonyms; another key: every one changes
    const again = join(dir, 'anon-again');
    const other = join(dir, 'anon-other');
    const args = ['--store', store, 'anonymize', raw, '--key-env', 'ANON_KEY', '--course', course];
    const qi = ['--k', '2'];
    expect((await cli([...args, '--out', again, ...qi], { ANON_KEY: KEY })).code).toBe(0);
    expect((await cli([...args, '--out', other, ...qi], { ANON_KEY: OTHER_KEY })).code).toBe(0);
    const againIds = column(
      readFileSync(join(again, 'date_of_registration.csv'), 'utf8'),
      'user_id',
    );
    const otherIds = column(
      readFileSync(join(other, 'date_of_registration.csv'), 'utf8'),
      'user_id',
    );
    expect(againIds).toEqual(ids);
    for (const [i, id] of otherIds.entries()) expect(known.has(id), String(i)).toBe(false);
  });

  it('export --anonymize writes only anonymised files, and removes the raw ones', async () => {
    const out = join(dir, 'export-anon');
    // (the raw export goes to the temporary folder: this test's own, to see it emptied)
    const temp = join(dir, 'tmp');
    mkdirSync(temp);
    const previous = process.env['TMPDIR'];
    process.env['TMPDIR'] = temp;
    onTestFinished(() => {
      if (previous === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = previous;
    });
    const result = await cli(
      ['--store', store, 'export', 'all', '--course', course, '--out', out, '--anonymize'].concat([
        '--key-file',
        join(dir, 'key.txt'),
      ]),
    );
    // (no key file yet: a failure that names the file, not a key, and writes nothing)
    expect(result.code).toBe(ExitCode.Failure);
    expect(result.err).toMatch(/key\.txt/u);
    expect(readdirSyncSafe(out)).toEqual([]);
    expect(readdirSync(temp)).toEqual([]);

    writeFileSync(join(dir, 'key.txt'), `${KEY}\n`, { mode: 0o600 });
    const ok = await cli(
      ['--store', store, 'export', 'all', '--course', course, '--out', out, '--anonymize'].concat([
        '--key-file',
        join(dir, 'key.txt'),
        '--k',
        '2',
        '--json',
      ]),
    );
    expect(ok.err).toBe('');
    expect(ok.code).toBe(ExitCode.Ok);
    const files = outputs(out);
    expect(files.has('manifest.json')).toBe(false);
    expect(files.has('anonymisation-audit.json')).toBe(true);
    for (const [file, text] of files) expect(scan(text), file).toEqual([]);
    expect(ok.out).not.toContain(KEY);
    const summary = JSON.parse(ok.out) as { anonymisation: { key: { fingerprint: string } } };
    expect(summary.anonymisation.key.fingerprint).toMatch(/^[0-9a-f]{16}$/u);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('refuses a run that cannot reach k: exit 1, nothing written in place of the output', async () => {
    const raw = join(dir, 'raw');
    const out = join(dir, 'too-high-k');
    const result = await cli(
      ['--store', store, 'anonymize', raw, '--out', out, '--key-env', 'K', '--k', '1000'],
      { K: KEY },
    );
    expect(result.code).toBe(ExitCode.Failure);
    expect(result.err).toMatch(/k = 1000 not reached .* at .*\.csv/u);
    expect(result.err).not.toContain(KEY);
    expect(readdirSyncSafe(out)).toEqual([]);
  });

  it('exits 2 for a missing key, a short key, a CSV without a dictionary; never prints the key', async () => {
    const raw = join(dir, 'plain');
    rmSync(raw, { recursive: true, force: true });
    const csvDir = mkdtempSync(join(dir, 'plain-'));
    writeFileSync(join(csvDir, 'roster.csv'), 'learner,score\nalice,3\n');
    const out = join(dir, 'plain-out');
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['anonymize', csvDir, '--out', out], {}, /give the pseudonym key/u],
      [
        ['anonymize', csvDir, '--out', out, '--key-env', 'NOPE'],
        {},
        /--key-env NOPE: that variable is not set/u,
      ],
      [
        ['anonymize', csvDir, '--out', out, '--key-env', 'K'],
        { K: 'short-k3y' },
        /has 9 bytes; give at least 16/u,
      ],
      [
        ['anonymize', csvDir, '--out', out, '--key-env', 'K'],
        { K: KEY },
        /roster\.csv has no data dictionary/u,
      ],
      [
        ['anonymize', csvDir, '--out', out, '--key-env', 'K', '--k', '0'],
        { K: KEY },
        /--k 0: expected a whole number/u,
      ],
    ];
    for (const [args, env, message] of cases) {
      const result = await cli(args, env);
      expect(result.code, args.join(' ')).toBe(ExitCode.Usage);
      expect(result.err).toMatch(message);
      expect(result.err).not.toContain(KEY);
      expect(result.err).not.toContain('short-k3y');
      expect(result.err).not.toMatch(/\n\s+at /u);
    }
    expect(readdirSyncSafe(out)).toEqual([]);
    const named = await cli(
      [
        'anonymize',
        csvDir,
        '--out',
        out,
        '--key-env',
        'K',
        '--id-columns',
        'learner:username',
      ].concat(['--keep-columns', 'score']),
      { K: KEY },
    );
    expect(named.code).toBe(ExitCode.Ok);
    expect(readFileSync(join(out, 'roster.csv'), 'utf8')).toMatch(
      /^learner,score\r\nps_[a-z2-7]{20},3\r\n$/u,
    );
  });
});

/** The records of a CSV text (RFC 4180: quoted fields may hold commas, quotes, newlines). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  return records;
}

/** The smallest number of distinct learners sharing one combination of the QI columns. */
function smallestClass(text: string, learner: string, qis: readonly string[]): number {
  const [header = [], ...rows] = parseCsv(text);
  const at = (name: string) => {
    const i = header.indexOf(name);
    expect(i, name).toBeGreaterThanOrEqual(0);
    return i;
  };
  const classes = new Map<string, Set<string>>();
  for (const row of rows) {
    const key = JSON.stringify(qis.map((q) => row[at(q)]));
    const set = classes.get(key) ?? new Set<string>();
    set.add(row[at(learner)] ?? '');
    classes.set(key, set);
  }
  return Math.min(...[...classes.values()].map((s) => s.size));
}

function readdirSyncSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
