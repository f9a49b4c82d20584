/**
 * The people and things of a synthetic package, built once in memory (they are small: one
 * record per learner, enrolment, block and forum post) and then written out as tables,
 * forum dumps, course structures and tracking logs.
 */
import { Faker, ar, base, de, en, es, fr, ja, pt_BR, ru, zh_CN } from '@faker-js/faker';
import type { LocaleDefinition } from '@faker-js/faker';
import { buildOutline } from './course-structure.js';
import type { CourseOutline } from './course-structure.js';
import type { NormalizedOptions } from './options.js';
import { Random, streamSeed } from './random.js';
import { DAY_MICROS } from './time.js';

export interface Course {
  readonly index: number;
  readonly org: string;
  readonly number: string;
  readonly run: string;
  /** `course-v1:Org+Course+Run`. */
  readonly key: string;
  /** `Org/Course/Run`. */
  readonly legacy: string;
  /** `Org-Course-Run`: the file name prefix. */
  readonly prefix: string;
  /** `user_id_map` with the newer `user_id` header (else the old `id`). */
  readonly newUserIdMap: boolean;
  /** The forum dump dialect: `new` (compact, ISO dates) or `old` (spaced, millis). */
  readonly forumDialect: 'new' | 'old';
  readonly outline: CourseOutline;
}

export interface Learner {
  readonly id: number;
  readonly profileId: number;
  readonly username: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly name: string;
  readonly email: string;
  readonly isStaff: boolean;
  readonly dateJoined: number;
  readonly lastLogin: number | null;
  readonly gender: string | null;
  readonly yearOfBirth: number | null;
  readonly levelOfEducation: string | null;
  readonly goals: string;
  readonly mailingAddress: string | null;
  readonly country: string | null;
  readonly city: string | null;
  readonly bio: string | null;
  readonly meta: string;
  readonly languages: readonly string[];
  readonly ip: string;
  readonly agent: string;
  readonly acceptLanguage: string;
  readonly session: string;
  readonly mobile: boolean;
}

export interface Enrollment {
  readonly id: number;
  readonly learner: Learner;
  readonly course: Course;
  /** Microseconds since the epoch. */
  readonly created: number;
  readonly isActive: boolean;
  /** When an inactive enrolment was deactivated (microseconds), else null. */
  readonly deactivated: number | null;
  readonly mode: string;
}

export interface Certificate {
  readonly id: number;
  readonly enrollment: Enrollment;
  readonly status: string;
  readonly grade: string;
  readonly created: number;
  readonly key: string;
  readonly verifyUuid: string;
  readonly downloadUuid: string;
}

export type ForumPostType = 'thread' | 'response' | 'comment';

export interface ForumPost {
  readonly id: string;
  readonly type: ForumPostType;
  readonly course: Course;
  readonly author: Learner;
  /** Milliseconds since the epoch. */
  readonly created: number;
  readonly updated: number;
  readonly body: string;
  readonly title: string;
  readonly threadType: 'discussion' | 'question';
  readonly commentableId: string;
  readonly thread: ForumPost | null;
  readonly parent: ForumPost | null;
  readonly votesUp: readonly string[];
  readonly endorsed: boolean;
  readonly endorser: Learner | null;
  readonly anonymous: boolean;
  readonly children: ForumPost[];
}

export interface World {
  readonly courses: readonly Course[];
  readonly learners: readonly Learner[];
  readonly enrollments: readonly Enrollment[];
  readonly certificates: readonly Certificate[];
  readonly forum: readonly ForumPost[];
  /** First microsecond of the first log day, and of the day after the last. */
  readonly windowStart: number;
  readonly windowEnd: number;
}

const COURSE_NUMBERS = [
  'ATOC185x',
  'CHEM181x',
  'COMP202x',
  'PHYS101.1x',
  'GROOC_x',
  'FP101x',
  'MATH141x',
  'BIOL112x',
  'ECON208x',
  'LING201x',
  'HIST_215x',
  'PSYC100x',
  'ENVR200x',
  'GEOG203x',
  'MUSC110x',
  'PHIL230x',
  'EPSC185x',
  'NUTR207x',
  'ANAT214x',
  'MGCR211x',
  'FREN205x',
  'CIVE281x',
  'MECH290x',
  'ARCH250x',
  'SOCI210x',
  'POLI221x',
];

const LOCALES: readonly (readonly [string, LocaleDefinition, readonly string[], string])[] = [
  ['en', en, ['US', 'GB', 'CA', 'AU', 'IN'], 'en-US,en;q=0.8'],
  ['de', de, ['DE', 'AT', 'CH'], 'de-DE,de;q=0.9,en;q=0.5'],
  ['fr', fr, ['FR', 'CA', 'BE'], 'fr-CA,fr;q=0.8,en-US;q=0.6,en;q=0.4'],
  ['es', es, ['ES', 'MX', 'CO'], 'es-ES,es;q=0.8,en;q=0.6'],
  ['pt', pt_BR, ['BR', 'PT'], 'pt-BR,pt;q=0.8,en-US;q=0.6'],
  ['ru', ru, ['RU', 'UA'], 'ru-RU,ru;q=0.9'],
  ['ja', ja, ['JP'], 'ja,en-US;q=0.7'],
  ['zh', zh_CN, ['CN', 'TW'], 'zh-CN,zh;q=0.8,en;q=0.6'],
  ['ar', ar, ['EG', 'JO', 'MA'], 'ar,en;q=0.5'],
];
const LOCALE_WEIGHTS = [40, 8, 10, 10, 8, 6, 5, 8, 5];

const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36',
];

const LEVELS = ['p', 'm', 'b', 'a', 'hs', 'jhs', 'el', 'none', 'other', '', 'p_se', 'p_oth'];
const MODES = ['audit', 'honor', 'verified', 'professional', 'no-id-professional'];
const CERT_STATUSES = [
  'downloadable',
  'notpassing',
  'audit_passing',
  'audit_notpassing',
  'unverified',
  'generating',
  'error',
];
const CERT_WEIGHTS = [40, 25, 10, 10, 6, 5, 4];

function uniqueName(taken: Set<string>, wanted: string, rng: Random): string {
  let name = wanted;
  while (name === '' || taken.has(name)) name = `${wanted}${rng.between(1, 9999)}`;
  taken.add(name);
  return name;
}

function multiLine(faker: Faker, rng: Random): string {
  const lines = [faker.lorem.sentence()];
  const n = rng.between(0, 3);
  for (let i = 0; i < n; i++) lines.push(faker.lorem.sentence());
  let text = lines.join(rng.chance(0.3) ? '\r\n' : '\n');
  if (rng.chance(0.15)) text += `\tsee C:\\Users\\${faker.person.firstName()}\\notes.txt`;
  return text;
}

function buildLearners(options: NormalizedOptions): Learner[] {
  const rng = new Random(options.seed, 'learners');
  const fakers = LOCALES.map(([tag, locale]) => {
    const faker = new Faker({ locale: [locale, en, base] });
    faker.seed(streamSeed(options.seed, `faker-${tag}`));
    return faker;
  });
  const usernames = new Set<string>();
  const learners: Learner[] = [];
  let id = 1000 + rng.int(1000);
  for (let i = 0; i < options.learners; i++) {
    id += rng.between(1, 40);
    const l = rng.weighted([...LOCALES.keys()], LOCALE_WEIGHTS);
    const entry = LOCALES[l];
    const faker = fakers[l];
    if (entry === undefined || faker === undefined) throw new RangeError('no such locale');
    const [, , countries, acceptLanguage] = entry;
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    const digits = rng.chance(0.06);
    const wanted = digits
      ? String(rng.between(1_000_000, 99_999_999))
      : (rng.chance(0.5)
          ? faker.internet.username({ firstName, lastName })
          : faker.internet.username()
        ).replace(/[^\w.-]/g, '') || 'learner';
    const username = uniqueName(usernames, digits ? wanted : wanted.slice(0, 30), rng);
    const dateJoined = (options.startDay - rng.between(1, 700)) * DAY_MICROS + rng.int(DAY_MICROS);
    const country = rng.chance(0.07) ? (rng.chance(0.5) ? '' : null) : rng.pick(countries);
    learners.push({
      id,
      profileId: id - 900 + i,
      username,
      firstName,
      lastName,
      name: rng.chance(0.03) ? '' : `${firstName} ${lastName}`,
      email: `${username.toLowerCase()}@${rng.pick(['example.org', 'example.com', 'mail.example.net'])}`,
      isStaff: rng.chance(0.01),
      dateJoined,
      lastLogin: rng.chance(0.05) ? null : dateJoined + rng.int(DAY_MICROS * 30),
      gender: rng.weighted(['m', 'f', 'o', '', null], [40, 40, 4, 8, 8]),
      yearOfBirth: rng.chance(0.12) ? null : rng.between(1945, 2008),
      levelOfEducation: rng.chance(0.08) ? null : rng.pick(LEVELS),
      goals: rng.chance(0.3) ? '' : multiLine(faker, rng),
      mailingAddress: rng.chance(0.7)
        ? null
        : `${faker.location.streetAddress()}\r\n${faker.location.city()} ${faker.location.zipCode()}`,
      country,
      city: rng.chance(0.6) ? null : faker.location.city(),
      bio: rng.chance(0.5) ? null : rng.chance(0.3) ? '' : faker.lorem.paragraph(),
      meta: rng.chance(0.6)
        ? ''
        : JSON.stringify({
            old_emails: [
              [`old.${username.toLowerCase()}@example.org`, '2019-11-16T10:28:10.096489'],
            ],
            old_names: [[faker.person.fullName(), 'typo', '2020-10-22T12:23:10.598444']],
          })
            .replaceAll('","', '", "')
            .replaceAll('":', '": ')
            .replaceAll('],[', '], ['),
      languages: rng.chance(0.3)
        ? []
        : [LOCALES[l]?.[0] ?? 'en', ...(rng.chance(0.3) ? ['en'] : [])],
      ip: `${rng.between(1, 223)}.${rng.int(256)}.${rng.int(256)}.${rng.int(256)}`,
      agent: rng.pick(AGENTS),
      acceptLanguage,
      session: rng.hex(32),
      mobile: rng.chance(0.15),
    });
  }
  return learners;
}

function buildCourses(options: NormalizedOptions): Course[] {
  const courses: Course[] = [];
  for (let i = 0; i < options.courses; i++) {
    const rng = new Random(options.seed, `course-${i}`);
    const number = COURSE_NUMBERS[i] ?? `COURSE${i}x`;
    const run = `${1 + (i % 3)}T${2023 + (i % 2)}`;
    const startDay = options.startDay - rng.between(10, 60);
    const startIso = `${new Date(startDay * 86_400_000).toISOString().slice(0, 10)}T14:00:00Z`;
    courses.push({
      index: i,
      org: options.org,
      number,
      run,
      key: `course-v1:${options.org}+${number}+${run}`,
      legacy: `${options.org}/${number}/${run}`,
      prefix: `${options.org}-${number}-${run}`,
      newUserIdMap: i % 2 === 0,
      forumDialect: i % 2 === 0 ? 'new' : 'old',
      outline: buildOutline(rng, options.org, number, run, startIso),
    });
  }
  return courses;
}

function objectId(rng: Random, ms: number): string {
  return (
    Math.floor(ms / 1000)
      .toString(16)
      .padStart(8, '0')
      .slice(-8) + rng.hex(16)
  );
}

const TITLES = [
  'Question about the homework',
  'Problème avec la vidéo 3',
  'Где найти транскрипт?',
  'Deadline for week 2?',
  '宿題の質問',
  'Great lecture, thanks!',
  'Error in problem 4 "units"',
  '¿Alguien más tiene este error?',
];

function buildForum(
  options: NormalizedOptions,
  courses: readonly Course[],
  enrollments: readonly Enrollment[],
  windowStart: number,
  windowEnd: number,
): ForumPost[] {
  const posts: ForumPost[] = [];
  const startMs = windowStart / 1000;
  const spanMs = (windowEnd - windowStart) / 1000;
  const endMs = windowEnd / 1000;
  for (const course of courses) {
    const rng = new Random(options.seed, `forum-${course.index}`);
    const members = enrollments.filter((e) => e.course === course).map((e) => e.learner);
    if (members.length === 0) continue;
    const faker = new Faker({ locale: [en, base] });
    faker.seed(streamSeed(options.seed, `forum-text-${course.index}`));
    const topics = [
      `i4x-${course.org}-${course.number}-${course.run}-general`,
      ...course.outline.discussions.map((d) => d.id),
    ];
    const nThreads = Math.max(1, Math.round(members.length * 0.3));
    for (let t = 0; t < nThreads; t++) {
      const author = rng.pick(members);
      // Most threads are written during the log window, some before it.
      const created = Math.floor(
        rng.chance(0.8) ? startMs + rng.next() * spanMs : startMs - rng.next() * 20 * 86_400_000,
      );
      const threadType = rng.chance(0.3) ? 'question' : 'discussion';
      const thread: ForumPost = {
        id: objectId(rng, created),
        type: 'thread',
        course,
        author,
        created,
        updated: created + (rng.chance(0.2) ? rng.int(3_600_000) : 0),
        body: rng.chance(0.5)
          ? faker.lorem.paragraphs(rng.between(1, 3), '\n\n')
          : faker.lorem.sentence(),
        title: rng.pick(TITLES),
        threadType,
        commentableId: rng.pick(topics),
        thread: null,
        parent: null,
        votesUp: votes(rng, members),
        endorsed: false,
        endorser: null,
        anonymous: rng.chance(0.05),
        children: [],
      };
      posts.push(thread);
      const nResponses = rng.between(0, 3);
      let endorsedOne = false;
      for (let r = 0; r < nResponses; r++) {
        const rCreated = thread.created + rng.between(60_000, 2 * 86_400_000);
        if (rCreated >= endMs) continue;
        const endorse: boolean = threadType === 'question' && !endorsedOne && rng.chance(0.5);
        endorsedOne ||= endorse;
        const response: ForumPost = {
          id: objectId(rng, rCreated),
          type: 'response',
          course,
          author: rng.pick(members),
          created: rCreated,
          updated: rCreated,
          body: faker.lorem.sentences(rng.between(1, 3)),
          title: '',
          threadType,
          commentableId: thread.commentableId,
          thread,
          parent: null,
          votesUp: votes(rng, members),
          endorsed: endorse,
          endorser: endorse ? rng.pick(members) : null,
          anonymous: false,
          children: [],
        };
        posts.push(response);
        thread.children.push(response);
        const nComments = rng.between(0, 2);
        for (let c = 0; c < nComments; c++) {
          const cCreated = rCreated + rng.between(60_000, 86_400_000);
          if (cCreated >= endMs) continue;
          const comment: ForumPost = {
            id: objectId(rng, cCreated),
            type: 'comment',
            course,
            author: rng.pick(members),
            created: cCreated,
            updated: cCreated,
            body: faker.lorem.sentence(),
            title: '',
            threadType,
            commentableId: thread.commentableId,
            thread,
            parent: response,
            votesUp: votes(rng, members),
            endorsed: false,
            endorser: null,
            anonymous: false,
            children: [],
          };
          posts.push(comment);
          response.children.push(comment);
        }
      }
    }
  }
  return posts;
}

function votes(rng: Random, members: readonly Learner[]): string[] {
  const up = new Set<string>();
  const n = rng.weighted([0, 1, 2, 3], [60, 25, 10, 5]);
  for (let i = 0; i < n; i++) up.add(String(rng.pick(members).id));
  return [...up];
}

export function buildWorld(options: NormalizedOptions): World {
  const windowStart = options.startDay * DAY_MICROS;
  const windowEnd = (options.startDay + options.days) * DAY_MICROS;
  const courses = buildCourses(options);
  const learners = buildLearners(options);
  const rng = new Random(options.seed, 'enrollments');
  const enrollments: Enrollment[] = [];
  let enrollmentId = 5000;
  for (const learner of learners) {
    const chosen = courses.filter((_, i) => rng.chance(i === 0 ? 0.85 : 0.45));
    if (chosen.length === 0) chosen.push(rng.pick(courses));
    for (const course of chosen) {
      enrollmentId += rng.between(1, 5);
      const during = rng.chance(0.3);
      const created = during
        ? windowStart + rng.int(windowEnd - windowStart)
        : windowStart - rng.between(1, 60) * DAY_MICROS + rng.int(DAY_MICROS);
      const isActive = !rng.chance(0.1);
      const deactivated = isActive
        ? null
        : Math.max(created + rng.int(DAY_MICROS), windowStart + rng.int(windowEnd - windowStart));
      enrollments.push({
        id: enrollmentId,
        learner,
        course,
        created,
        isActive,
        deactivated,
        mode: rng.weighted(MODES, [45, 20, 25, 5, 5]),
      });
    }
  }
  const certificates: Certificate[] = [];
  const certRng = new Random(options.seed, 'certificates');
  let certId = 100;
  for (const enrollment of enrollments) {
    if (!certRng.chance(0.45)) continue;
    certId += 1;
    const status = certRng.weighted(CERT_STATUSES, CERT_WEIGHTS);
    certificates.push({
      id: certId,
      enrollment,
      status,
      grade:
        status === 'downloadable' || status === 'audit_passing'
          ? String(certRng.float(0.6, 1, 2))
          : String(certRng.float(0, 0.59, 2)),
      created: windowEnd + certRng.int(DAY_MICROS),
      key: certRng.hex(32),
      verifyUuid: certRng.hex(32),
      downloadUuid: certRng.hex(32),
    });
  }
  const forum = buildForum(options, courses, enrollments, windowStart, windowEnd);
  return { courses, learners, enrollments, certificates, forum, windowStart, windowEnd };
}
