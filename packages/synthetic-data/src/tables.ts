/**
 * The TSV tables of one course in the weekly database package (edx-formats.md §2), as rows
 * ready for {@link tsvRow} / {@link studentModuleRow}.
 */
import { createHash } from 'node:crypto';
import { pyDumps } from './python-json.js';
import { Random } from './random.js';
import { DAY_MICROS, sqlDatetime } from './time.js';
import type { Cell } from './tsv.js';
import type { Course, World } from './world.js';

/** The tables written for every course, in the order they are written. */
export const GENERATED_TABLES = [
  'auth_user',
  'auth_userprofile',
  'student_courseenrollment',
  'certificates_generatedcertificate',
  'courseware_studentmodule',
  'user_id_map',
  'user_api_usercoursetag',
  'student_languageproficiency',
  'grades_persistentcoursegrade',
  'student_anonymoususerid',
] as const;

export type GeneratedTable = (typeof GENERATED_TABLES)[number];

export interface TableData {
  readonly header: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

const AUTH_USER = [
  'id',
  'username',
  'first_name',
  'last_name',
  'email',
  'password',
  'is_staff',
  'is_active',
  'is_superuser',
  'last_login',
  'date_joined',
  'status',
  'email_key',
  'avatar_type',
  'country',
  'show_country',
  'date_of_birth',
  'interesting_tags',
  'ignored_tags',
  'email_tag_filter_strategy',
  'display_tag_filter_strategy',
  'consecutive_days_visit_count',
];

const AUTH_USERPROFILE = [
  'id',
  'user_id',
  'name',
  'language',
  'location',
  'meta',
  'courseware',
  'gender',
  'mailing_address',
  'year_of_birth',
  'level_of_education',
  'goals',
  'country',
  'city',
  'bio',
  'profile_image_uploaded_at',
  'state',
];

const CERTIFICATES = [
  'id',
  'user_id',
  'download_url',
  'grade',
  'course_id',
  'key',
  'distinction',
  'status',
  'verify_uuid',
  'download_uuid',
  'name',
  'created_date',
  'modified_date',
  'error_reason',
  'mode',
];

const STUDENT_MODULE = [
  'id',
  'module_type',
  'module_id',
  'student_id',
  'state',
  'grade',
  'created',
  'modified',
  'max_grade',
  'done',
  'course_id',
];

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

function clock(us: number): string {
  const seconds = Math.floor(us / 1_000_000) % 3600;
  return `00:${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

/** Every table of `course`. */
export function courseTables(
  world: World,
  course: Course,
  seed: number,
): Map<GeneratedTable, TableData> {
  const rng = new Random(seed, `tables-${course.index}`);
  const enrollments = world.enrollments.filter((e) => e.course === course);
  const learners = [...new Set(enrollments.map((e) => e.learner))].sort((a, b) => a.id - b.id);
  const tables = new Map<GeneratedTable, TableData>();
  const dt = (us: number | null): string | null => (us === null ? null : sqlDatetime(us));

  tables.set('auth_user', {
    header: AUTH_USER,
    rows: learners.map((l) => [
      l.id,
      l.username,
      l.firstName,
      l.lastName,
      l.email,
      '',
      l.isStaff ? 1 : 0,
      1,
      0,
      dt(l.lastLogin),
      dt(l.dateJoined),
      '',
      null,
      '',
      '',
      0,
      null,
      '',
      '',
      0,
      0,
      0,
    ]),
  });

  tables.set('auth_userprofile', {
    header: AUTH_USERPROFILE,
    rows: learners.map((l) => [
      l.profileId,
      l.id,
      l.name,
      '',
      '',
      l.meta,
      'course.xml',
      l.gender,
      l.mailingAddress,
      l.yearOfBirth,
      l.levelOfEducation,
      l.goals,
      l.country,
      l.city,
      l.bio,
      l.bio === null ? null : sqlDatetime(l.dateJoined + DAY_MICROS),
      null,
    ]),
  });

  tables.set('student_courseenrollment', {
    header: ['id', 'user_id', 'course_id', 'created', 'is_active', 'mode'],
    rows: enrollments.map((e) => [
      e.id,
      e.learner.id,
      course.key,
      sqlDatetime(e.created, true),
      e.isActive ? 1 : 0,
      e.mode,
    ]),
  });

  tables.set('certificates_generatedcertificate', {
    header: CERTIFICATES,
    rows: world.certificates
      .filter((c) => c.enrollment.course === course)
      .map((c) => [
        c.id,
        c.enrollment.learner.id,
        c.status === 'downloadable' ? `https://certificates.example.org/${c.downloadUuid}.pdf` : '',
        c.grade,
        course.key,
        c.key,
        0,
        c.status,
        c.verifyUuid,
        c.downloadUuid,
        c.enrollment.learner.name,
        sqlDatetime(c.created),
        sqlDatetime(c.created + rng.int(DAY_MICROS)),
        c.status === 'error'
          ? 'Traceback (most recent call last):\n  File "x.py", line 1\nKeyError: \'grade\''
          : '',
        c.enrollment.mode,
      ]),
  });

  const moduleRows: Cell[][] = [];
  let moduleId = 10_000 + course.index * 1_000_000;
  const { outline } = course;
  for (const e of enrollments) {
    const created = Math.max(e.created, world.windowStart);
    const add = (
      type: string,
      key: string,
      state: string | null,
      grade: number | null,
      max: number | null,
    ): void => {
      moduleId += 1;
      const at = created + rng.int(world.windowEnd - created);
      moduleRows.push([
        moduleId,
        type,
        key,
        e.learner.id,
        state,
        grade,
        sqlDatetime(at),
        sqlDatetime(at + rng.int(DAY_MICROS)),
        max,
        'na',
        course.key,
      ]);
    };
    if (!rng.chance(0.85)) continue;
    for (const chapter of outline.chapters) {
      if (rng.chance(0.5))
        add(
          'chapter',
          chapter.key,
          pyDumps({ position: rng.between(1, Math.max(1, chapter.children.length)) }),
          null,
          null,
        );
    }
    for (const { block } of outline.sequentials) {
      if (rng.chance(0.4))
        add(
          'sequential',
          block.key,
          pyDumps({ position: rng.between(1, Math.max(1, block.children.length)) }),
          null,
          null,
        );
    }
    for (const video of outline.videos) {
      if (rng.chance(0.3)) {
        add(
          'video',
          video.key,
          pyDumps({
            saved_video_position: clock(rng.int(600_000_000)),
            speed: rng.pick([1, 1.25, 1.5]),
          }),
          null,
          null,
        );
      }
    }
    for (const problem of outline.problems) {
      if (!rng.chance(0.35)) continue;
      if (rng.chance(0.1)) {
        add('problem', problem.key, null, null, problem.inputs.length);
        continue;
      }
      const studentAnswers: Record<string, string> = {};
      const correctMap: Record<string, unknown> = {};
      const inputState: Record<string, unknown> = {};
      let grade = 0;
      for (const input of problem.inputs) {
        const answer = rng.chance(0.6) ? input.correct : rng.pick(input.answers);
        if (answer === input.correct) grade += 1;
        // Some answers are JSON text themselves (as JS input / custom responses store them).
        studentAnswers[input.id] = rng.chance(0.2)
          ? pyDumps({ answer, state: `{"value": "${answer}\\n"}` })
          : answer;
        correctMap[input.id] = {
          correctness: answer === input.correct ? 'correct' : 'incorrect',
          npoints: null,
          msg: '',
          hint: '',
          hintmode: null,
          queuestate: null,
        };
        inputState[input.id] = {};
      }
      const state = {
        correct_map: correctMap,
        input_state: inputState,
        last_submission_time: `${sqlDatetime(created).replace(' ', 'T')}Z`,
        attempts: rng.between(1, 3),
        seed: 1,
        done: true,
        student_answers: studentAnswers,
      };
      add('problem', problem.key, pyDumps(state), grade, problem.inputs.length);
    }
  }
  tables.set('courseware_studentmodule', { header: STUDENT_MODULE, rows: moduleRows });

  tables.set('user_id_map', {
    header: ['hash_id', course.newUserIdMap ? 'user_id' : 'id', 'username'],
    rows: learners.map((l) => [md5(`${seed}-${l.id}`), l.id, l.username]),
  });

  let tagId = 300 + course.index * 10_000;
  tables.set('user_api_usercoursetag', {
    header: ['id', 'user_id', 'key', 'course_id', 'value'],
    rows: learners
      .filter(() => rng.chance(0.5))
      .map((l) => [
        (tagId += 1),
        l.id,
        'xblock.partition_service.partition_0',
        course.key,
        String(rng.int(2)),
      ]),
  });

  let langId = 700 + course.index * 10_000;
  const languageRows: Cell[][] = [];
  for (const l of learners)
    for (const code of l.languages) languageRows.push([(langId += 1), l.profileId, code]);
  tables.set('student_languageproficiency', {
    header: ['id', 'user_profile_id', 'code'],
    rows: languageRows,
  });

  tables.set('grades_persistentcoursegrade', {
    header: [
      'course_id',
      'user_id',
      'grading_policy_hash',
      'percent_grade',
      'letter_grade',
      'passed_timestamp',
      'created',
      'modified',
    ],
    rows: enrollments
      .filter(() => rng.chance(0.7))
      .map((e) => {
        const percent = rng.float(0, 1, 2);
        const at = world.windowEnd - rng.int(DAY_MICROS * 3);
        return [
          course.key,
          e.learner.id,
          `${rng.hex(27)}=`,
          percent,
          percent >= 0.6 ? 'Pass' : '',
          percent >= 0.6 ? sqlDatetime(at, true) : null,
          sqlDatetime(at, true),
          sqlDatetime(at + rng.int(DAY_MICROS), true),
        ];
      }),
  });

  let anonId = 900 + course.index * 10_000;
  tables.set('student_anonymoususerid', {
    header: ['id', 'user_id', 'anonymous_user_id', 'course_id'],
    rows: learners.map((l) => [
      (anonId += 1),
      l.id,
      md5(`anon-${seed}-${course.key}-${l.id}`),
      course.key,
    ]),
  });

  return tables;
}
