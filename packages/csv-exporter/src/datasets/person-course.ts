/**
 * `person_course`: one row per enrollment, edx2bigquery's person_course (anchors.md §4a
 * item 2): who the learner is, whether they viewed, explored, completed and were certified,
 * their activity counts from the course events, forum contributions and certificate.
 */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type {
  ColumnSpec,
  Emit,
  ReportContext,
  TrackingReducer,
  TrackingReport,
} from '../report.js';
import { LEARNER_COLUMNS } from '../reports/columns.js';
import { COMPLETED_STATUS } from '../reports/learner-shared.js';
import { numberOf, userIdOf, utcDay } from '../reports/values.js';
import { loadGeoIp } from '../reports/geoip.js';
import {
  ActivityTally,
  COUNTER_COLUMNS,
  EventClassifier,
  FORUM_EVENTS_PARAMETER,
  GAP_COLUMNS,
  isActivityEvent,
  zeroCounters,
} from './activity-counts.js';
import type { ForumEventsMeaning } from './activity-counts.js';

/** Chapters with fewer studentmodule users than this do not count for E2B's `explored`. */
const E2B_MIN_CHAPTER_USERS = 20;

/** A learner's figures from the events, kept until the end of the pass (a few numbers). */
interface Activity {
  readonly counts: Record<string, number>;
  readonly nevents: number;
  readonly ndays: number;
  readonly first: Date | null;
  readonly last: Date | null;
  readonly gaps: Record<string, number | null>;
  readonly videos: number;
  readonly ip: string | null;
}

interface Forum {
  threads: number;
  comments: number;
  votes: number;
  endorsed: number;
}

/** A Date from a stored Date or an ISO text; null otherwise. */
function dateOf(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value === 'string' && value !== '') {
    const time = new Date(value);
    return Number.isNaN(time.getTime()) ? null : time;
  }
  return null;
}

function booleanOf(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === '1' || value === 'true' || value === 'True') return true;
  if (value === 0 || value === '0' || value === 'false' || value === 'False') return false;
  return null;
}

function textOrNull(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number') return String(value);
  return null;
}

/** The url_name of a block id in any form (`block-v1:…+block@x`, `i4x://…/chapter/x`, `x`). */
function urlNameOf(id: unknown): string | null {
  if (typeof id !== 'string' || id === '') return null;
  const block = /block@([^+/]+)$/u.exec(id);
  if (block) return block[1] ?? null;
  return id.slice(id.lastIndexOf('/') + 1);
}

/** The first row of each user id of a collection (in `_id` order), or the newest by `newest`. */
async function rowsByUser(
  context: ReportContext,
  collection: string,
  userField = 'user_id',
): Promise<Map<number, Document>> {
  const out = new Map<number, Document>();
  for await (const row of context.db.collection(collection).find({}, { sort: { _id: 1 } })) {
    const id = userIdOf(row[userField]);
    if (id !== null && !out.has(id)) out.set(id, row);
  }
  return out;
}

async function collectionNames(context: ReportContext): Promise<Set<string>> {
  const names = new Set<string>();
  for (const info of await context.db.listCollections()) names.add(info.name);
  return names;
}

/** Everything person_course reads besides the events: per learner, a handful of values. */
interface CourseTables {
  readonly enrollments: Map<number, Document>;
  readonly profiles: Map<number, Document>;
  readonly certificates: Map<number, Document>;
  readonly grades: Map<number, Document>;
  readonly chaptersOf: Map<number, Set<string>>;
  readonly totalChapters: number;
  readonly totalVideos: number;
  readonly passingGrade: number | null;
  readonly forum: Map<number, Forum>;
  readonly roles: Map<number, Set<string>>;
}

async function loadTables(context: ReportContext): Promise<CourseTables> {
  const names = await collectionNames(context);
  const has = (name: string): boolean => names.has(name);
  const enrollments = new Map<number, Document>();
  const enrollmentRows = context.db
    .collection(COURSE_COLLECTIONS.enrollment)
    .find({}, { sort: { _id: 1 } });
  for await (const row of enrollmentRows) {
    const id = userIdOf(row['user_id']);
    if (id === null) continue;
    const known = enrollments.get(id);
    const created = dateOf(row['created']);
    const knownCreated = known === undefined ? null : dateOf(known['created']);
    if (
      known === undefined ||
      (created !== null && (knownCreated === null || created < knownCreated))
    ) {
      enrollments.set(id, row);
    }
  }
  const profiles = has(COURSE_COLLECTIONS.userprofile)
    ? await rowsByUser(context, COURSE_COLLECTIONS.userprofile)
    : new Map<number, Document>();
  const certificates = has(COURSE_COLLECTIONS.certificates)
    ? await rowsByUser(context, COURSE_COLLECTIONS.certificates)
    : new Map<number, Document>();
  const grades = new Map<number, Document>();
  if (has('grades_persistentcoursegrade')) {
    const rows = context.db
      .collection('grades_persistentcoursegrade')
      .find({}, { sort: { _id: 1 } });
    for await (const row of rows) {
      const id = userIdOf(row['user_id']);
      if (id === null) continue;
      const known = grades.get(id);
      const modified = dateOf(row['modified']);
      const knownModified = known === undefined ? null : dateOf(known['modified']);
      if (
        known === undefined ||
        (modified !== null && (knownModified === null || modified > knownModified))
      ) {
        grades.set(id, row);
      }
    }
  }

  // the course structure: chapters (staff-only ones apart), videos, grade cutoffs
  const structureChapters = new Set<string>();
  const visibleChapters = new Set<string>();
  let totalVideos = 0;
  let passingGrade: number | null = null;
  if (has(COURSE_COLLECTIONS.course_structure)) {
    const blocks = context.db
      .collection(COURSE_COLLECTIONS.course_structure)
      .find({ category: { $in: ['chapter', 'video', 'course'] } });
    for await (const block of blocks) {
      const metadata =
        typeof block['metadata'] === 'object' && block['metadata'] !== null
          ? (block['metadata'] as Record<string, unknown>)
          : {};
      if (block['category'] === 'video') totalVideos += 1;
      else if (block['category'] === 'chapter') {
        const name = urlNameOf(block['_id']);
        if (name === null) continue;
        structureChapters.add(name);
        if (metadata['visible_to_staff_only'] !== true) visibleChapters.add(name);
      } else {
        const cutoffs = metadata['grade_cutoffs'];
        if (typeof cutoffs === 'object' && cutoffs !== null) {
          const values = Object.values(cutoffs).filter((v): v is number => typeof v === 'number');
          if (values.length > 0) passingGrade = Math.min(...values);
        }
      }
    }
  }

  // studentmodule chapter rows: the chapters each learner has state for, users per chapter
  const chaptersOf = new Map<number, Set<string>>();
  const usersOf = new Map<string, number>();
  if (has(COURSE_COLLECTIONS.courseware_studentmodule)) {
    const rows = context.db
      .collection(COURSE_COLLECTIONS.courseware_studentmodule)
      .find({ module_type: 'chapter' }, { projection: { _id: 0, student_id: 1, module_id: 1 } });
    for await (const row of rows) {
      const id = userIdOf(row['student_id']);
      const chapter = urlNameOf(row['module_id']);
      if (id === null || chapter === null) continue;
      let set = chaptersOf.get(id);
      if (set === undefined) chaptersOf.set(id, (set = new Set()));
      if (!set.has(chapter)) {
        set.add(chapter);
        usersOf.set(chapter, (usersOf.get(chapter) ?? 0) + 1);
      }
    }
  }
  let totalChapters: number;
  if (context.params['explored_chapters'] === 'all') totalChapters = visibleChapters.size;
  else {
    const used = [...structureChapters].filter(
      (c) => (usersOf.get(c) ?? 0) >= E2B_MIN_CHAPTER_USERS,
    ).length;
    totalChapters = used > 0 ? used : structureChapters.size;
  }

  const forum = new Map<number, Forum>();
  if (has(COURSE_COLLECTIONS.forum)) {
    const docs = context.db
      .collection(COURSE_COLLECTIONS.forum)
      .find({}, { projection: { _id: 0, _type: 1, author_id: 1, votes: 1, endorsed: 1 } });
    for await (const doc of docs) {
      const id = userIdOf(doc['author_id']);
      if (id === null) continue;
      let f = forum.get(id);
      if (f === undefined) forum.set(id, (f = { threads: 0, comments: 0, votes: 0, endorsed: 0 }));
      if (doc['_type'] === 'CommentThread') f.threads += 1;
      else if (doc['_type'] === 'Comment') f.comments += 1;
      else continue;
      const votes = doc['votes'];
      if (typeof votes === 'object' && votes !== null) {
        const count = (votes as Record<string, unknown>)['count'];
        if (typeof count === 'number' && Number.isFinite(count)) f.votes += count;
      }
      if (doc['endorsed'] === true) f.endorsed += 1;
    }
  }

  const roles = new Map<number, Set<string>>();
  const addRole = (userId: unknown, role: unknown): void => {
    const id = userIdOf(userId);
    if (id === null || typeof role !== 'string' || role === '') return;
    let set = roles.get(id);
    if (set === undefined) roles.set(id, (set = new Set()));
    set.add(role);
  };
  if (has('student_courseaccessrole')) {
    for await (const row of context.db.collection('student_courseaccessrole').find({})) {
      addRole(row['user_id'], row['role']);
    }
  }
  if (has('django_comment_client_role_users') && has('django_comment_client_role')) {
    const roleNames = new Map<number, string>();
    for await (const row of context.db.collection('django_comment_client_role').find({})) {
      const id = userIdOf(row['id']);
      if (id !== null && typeof row['name'] === 'string') roleNames.set(id, row['name']);
    }
    for await (const row of context.db.collection('django_comment_client_role_users').find({})) {
      const role = roleNames.get(userIdOf(row['role_id']) ?? -1);
      if (role !== undefined) addRole(row['user_id'], `forum_${role}`);
    }
  }

  return {
    enrollments,
    profiles,
    certificates,
    grades,
    chaptersOf,
    totalChapters,
    totalVideos,
    passingGrade,
    forum,
    roles,
  };
}

const COLUMNS: readonly ColumnSpec[] = [
  {
    name: 'course_id',
    type: 'string',
    description: 'The course, as its canonical key (`course-v1:…`)',
  },
  ...LEARNER_COLUMNS,
  { name: 'registered', type: 'boolean', description: 'Always true: the row is an enrollment' },
  {
    name: 'viewed',
    type: 'boolean',
    description:
      'Looked at the courseware: has studentmodule state for a chapter (default) or, with `viewed_from=events`, at least one event',
  },
  {
    name: 'explored',
    type: 'boolean',
    description: 'nchapters ≥ half of the course’s chapters (counted as `explored_chapters` says)',
  },
  { name: 'certified', type: 'boolean', description: 'Has a certificate of status `downloadable`' },
  {
    name: 'completed',
    type: 'boolean',
    description: 'certified, or grade ≥ the passing grade when the course has one',
  },
  {
    name: 'grade',
    type: 'number',
    description:
      'Certificate grade (default) or persistent course grade (`grade_from`), 0 to 1; empty when none',
  },
  {
    name: 'nevents',
    type: 'integer',
    description: 'Course events of the learner (see definition)',
  },
  {
    name: 'ndays_act',
    type: 'integer',
    description: 'Distinct UTC days with at least one of them',
  },
  ...COUNTER_COLUMNS,
  {
    name: 'nchapters',
    type: 'integer',
    description:
      'Distinct chapters with a studentmodule row (`module_type = chapter`) of the learner',
  },
  {
    name: 'nforum_posts',
    type: 'integer',
    description: 'Forum documents authored: nforum_threads + nforum_comments',
  },
  { name: 'nforum_threads', type: 'integer', description: 'Threads authored (`CommentThread`)' },
  {
    name: 'nforum_comments',
    type: 'integer',
    description: 'Responses and comments authored (`Comment`)',
  },
  {
    name: 'nforum_votes',
    type: 'integer',
    description: 'Votes received on them (sum of `votes.count`)',
  },
  {
    name: 'nforum_endorsed',
    type: 'integer',
    description: 'Comments of the learner that were endorsed',
  },
  {
    name: 'first_event',
    type: 'datetime',
    description: 'Time of the first event (UTC); empty when none',
  },
  {
    name: 'last_event',
    type: 'datetime',
    description: 'Time of the last event (UTC); empty when none',
  },
  ...GAP_COLUMNS,
  {
    name: 'nvideos_unique_viewed',
    type: 'integer',
    description: 'Distinct videos with a play, pause or stop event of the learner',
  },
  {
    name: 'nvideos_total_watched',
    type: 'number',
    description:
      'nvideos_unique_viewed / videos of the course structure (4 decimals); empty when the structure has no video',
  },
  { name: 'mode', type: 'string', description: 'Enrollment mode (audit, honor, verified, …)' },
  {
    name: 'is_active',
    type: 'boolean',
    description: 'Whether the enrollment is active (false: unenrolled)',
  },
  {
    name: 'start_time',
    type: 'datetime',
    description: 'When the learner enrolled (enrollment `created`)',
  },
  {
    name: 'cert_status',
    type: 'string',
    description: 'Certificate status; empty without a certificate',
  },
  { name: 'cert_created_date', type: 'datetime', description: 'Certificate `created_date`' },
  { name: 'cert_modified_date', type: 'datetime', description: 'Certificate `modified_date`' },
  { name: 'gender', type: 'string', description: 'Profile gender (m, f, o); empty when unknown' },
  {
    name: 'year_of_birth',
    type: 'integer',
    description: 'Profile year of birth',
    identifier: 'birth_year',
  },
  { name: 'level_of_education', type: 'string', description: 'Profile level of education code' },
  {
    name: 'profile_country',
    type: 'string',
    description: 'Profile country (ISO 3166 alpha-2)',
    identifier: 'location',
  },
  {
    name: 'modal_ip',
    type: 'string',
    description: 'The learner’s most frequent `ip` among the events (ties: smallest)',
    identifier: 'ip',
  },
  {
    name: 'cc_by_ip',
    type: 'string',
    description: 'Country of modal_ip (ISO alpha-2, offline geoip-country); empty when unknown',
    identifier: 'location',
  },
  {
    name: 'roles',
    type: 'string',
    description:
      'Course roles (`student_courseaccessrole.role`, `forum_<name>` of the forum roles), sorted, `;`-joined; empty when none or when the package has no role tables',
  },
];

export const personCourse: TrackingReport = {
  kind: 'tracking',
  name: 'person_course',
  question:
    'For every enrolled learner: did they view, explore, complete, get certified, and how active were they?',
  version: '1',
  parameters: [
    {
      name: 'viewed_from',
      type: 'string',
      description:
        '`studentmodule` (E2B: a studentmodule row of a chapter) or `events` (at least one course event)',
      default: 'studentmodule',
      choices: ['studentmodule', 'events'],
    },
    {
      name: 'explored_chapters',
      type: 'string',
      description:
        'The chapters `explored` is measured against: `used` (E2B: chapters of the structure with ≥ 20 studentmodule users, all chapters when none has) or `all` (SIM: chapters of the structure not `visible_to_staff_only`)',
      default: 'used',
      choices: ['used', 'all'],
    },
    {
      name: 'grade_from',
      type: 'string',
      description:
        '`certificate` (E2B: certificates_generatedcertificate.grade) or `persistent_grade` (SIM: grades_persistentcoursegrade.percent_grade, newest `modified`)',
      default: 'certificate',
      choices: ['certificate', 'persistent_grade'],
    },
    {
      name: 'passing_grade',
      type: 'number',
      description:
        'The grade (0 to 1) from which a learner has completed; default: the lowest `grade_cutoffs` value of the course block, if the structure has it',
    },
    FORUM_EVENTS_PARAMETER,
  ],
  reads: [COURSE_COLLECTIONS.enrollment, COURSE_COLLECTIONS.tracking],
  columns: COLUMNS,
  definition: [
    'One row per learner enrolled in the course (distinct `user_id` of `enrollment`; of several',
    'rows, the earliest `created`), in ascending `user_id` order; a learner without events has',
    'zero counts and empty times. Definitions follow anchors.md §4a item 2 (E2B',
    '`make_person_course.py`):',
    '',
    '- **Events** are the course events of the export window with a non-empty `username` and an',
    '  `event_type` that does not contain `/xblock/` (xblock handler calls duplicate the semantic',
    '  events). They are matched to the enrollment by `context.user_id`, else by username.',
    '  `nevents` counts them, `ndays_act` counts their distinct UTC days, first/last are their',
    '  earliest and latest `time`. The counters count event types (legacy name and newer alias, see',
    '  the columns); `nprogcheck` and `nforum_events` count course URLs in either course id form.',
    '- **Gaps**: for consecutive events of the learner on the same UTC day, dt = the time between',
    '  them in seconds; dt > 300 s (5 minutes) is left out. `sum_dt`, `n_dt`, `max_dt`, `avg_dt`',
    '  and the population standard deviation `sdv_dt` are over the kept gaps of all days.',
    '- **viewed** = a studentmodule row with `module_type = chapter` (default) — or ≥ 1 event with',
    '  `viewed_from=events`; **nchapters** = distinct chapters (url_name) among those rows;',
    '  **explored** = nchapters ≥ total/2 (total: see `explored_chapters`; false when total = 0).',
    '- **certified** = certificate status `downloadable`; **grade** = certificate grade (or',
    '  persistent grade); **completed** = certified, or grade ≥ passing grade when there is one',
    '  (parameter, else the lowest `grade_cutoffs` of the course block; the generated packages',
    '  have none, so there completed = certified).',
    '- **Forum** (forum collection, by `author_id`): threads = `CommentThread`, comments = `Comment`',
    '  (responses and comments), posts = both, votes = sum of `votes.count`, endorsed = Comments',
    '  with `endorsed: true`.',
    '- **Videos**: distinct videos (url_name of `event.id`) with a play, pause or stop event (or',
    '  `edx.video.*` alias); total watched = that / the videos of the course structure.',
    '- **Context**: enrollment mode, is_active, created; profile gender, year of birth, level of',
    '  education, country; certificate status and dates; modal IP = the most frequent `ip` of the',
    '  events (ties: smallest), its country by geoip-country; roles from the role tables if loaded.',
  ].join('\n'),
  changes: [
    'Follows **E2B** (`make_person_course.py`, with person_course_day totals); **SIM**',
    '(`person_course.sql`) differs in: `viewed` (any studentmodule row mapped to a chapter; here',
    '`viewed_from`), total chapters for `explored` (E2B drops chapters with < 20 users, SIM drops',
    'staff-only ones: `explored_chapters=used|all`), the grade (SIM: persistent course grade:',
    '`grade_from`), and `nforum_events`, which SIM fills with the post count (`forum_events=posts`).',
    'Fixed pitfalls of both: URL counters match both course id forms (E2B only the slash form);',
    'newer event names (`edx.video.played`, `edx.ui.lms.sequence.tab_selected`, …) feed the same',
    'counters; days are UTC days of the event time, not log file names; `sdv_dt` is over all kept',
    'gaps, not E2B’s pooled per-day approximation. Geography is the country only (no city/region',
    'database offline); `verified_enroll_time`, email domain and transcript language are not',
    'included. There is no roles table in the generated packages: `roles` is then empty.',
  ].join('\n'),
  async start(context: ReportContext): Promise<TrackingReducer> {
    const tables = await loadTables(context);
    const forumMeaning = (context.params['forum_events'] ?? 'urls') as ForumEventsMeaning;
    const classifier = new EventClassifier(context.courseKey, forumMeaning);
    const tally = new ActivityTally(classifier);
    const activity = new Map<number, Activity>();
    const geoip = loadGeoIp();
    return {
      event(event: Document): void {
        if (!isActivityEvent(event)) return;
        const time = event['_time'] as Date;
        tally.add(event, time, utcDay(time));
      },
      endLearner(username: string): void {
        if (tally.nevents > 0) {
          const id = tally.userId ?? context.learners.byUsername(username)?.userId ?? null;
          if (id !== null && tables.enrollments.has(id) && !activity.has(id)) {
            activity.set(id, {
              counts: tally.counterColumns(),
              nevents: tally.nevents,
              ndays: tally.days.size,
              first: tally.first,
              last: tally.last,
              gaps: tally.gaps.columns(),
              videos: tally.videos.size,
              ip: tally.modalIp(),
            });
          }
        }
        tally.reset();
      },
      end(emit: Emit): void {
        const viewedFromEvents = context.params['viewed_from'] === 'events';
        const fromPersistent = context.params['grade_from'] === 'persistent_grade';
        const given = context.params['passing_grade'];
        const passing = typeof given === 'number' ? given : tables.passingGrade;
        const ids = [...tables.enrollments.keys()].sort((a, b) => a - b);
        for (const id of ids) {
          const enrollment = tables.enrollments.get(id) ?? {};
          const profile = tables.profiles.get(id);
          const certificate = tables.certificates.get(id);
          const a = activity.get(id);
          const forum = tables.forum.get(id) ?? { threads: 0, comments: 0, votes: 0, endorsed: 0 };
          const nchapters = tables.chaptersOf.get(id)?.size ?? 0;
          const certified = certificate?.['status'] === COMPLETED_STATUS;
          const grade = fromPersistent
            ? numberOf(tables.grades.get(id)?.['percent_grade'])
            : numberOf(certificate?.['grade']);
          const counts = { ...(a?.counts ?? zeroCounters()) };
          if (forumMeaning === 'posts') counts['nforum_events'] = forum.threads + forum.comments;
          const gaps = a?.gaps ?? { sum_dt: 0, avg_dt: null, sdv_dt: null, max_dt: null, n_dt: 0 };
          const ip = a?.ip ?? null;
          const videos = a?.videos ?? 0;
          const roles = tables.roles.get(id);
          emit({
            course_id: context.courseKey,
            ...context.learners.columns(id),
            registered: true,
            viewed: viewedFromEvents ? (a?.nevents ?? 0) > 0 : nchapters > 0,
            explored: tables.totalChapters > 0 && nchapters >= tables.totalChapters / 2,
            certified,
            completed: certified || (passing !== null && grade !== null && grade >= passing),
            grade,
            nevents: a?.nevents ?? 0,
            ndays_act: a?.ndays ?? 0,
            ...counts,
            nchapters,
            nforum_posts: forum.threads + forum.comments,
            nforum_threads: forum.threads,
            nforum_comments: forum.comments,
            nforum_votes: forum.votes,
            nforum_endorsed: forum.endorsed,
            first_event: a?.first ?? null,
            last_event: a?.last ?? null,
            ...gaps,
            nvideos_unique_viewed: videos,
            nvideos_total_watched:
              tables.totalVideos > 0
                ? Math.round((videos / tables.totalVideos) * 10000) / 10000
                : null,
            mode: textOrNull(enrollment['mode']),
            is_active: booleanOf(enrollment['is_active']),
            start_time: dateOf(enrollment['created']),
            cert_status: textOrNull(certificate?.['status']),
            cert_created_date: dateOf(certificate?.['created_date']),
            cert_modified_date: dateOf(certificate?.['modified_date']),
            gender: textOrNull(profile?.['gender']),
            year_of_birth:
              typeof profile?.['year_of_birth'] === 'number' ? profile['year_of_birth'] : null,
            level_of_education: textOrNull(profile?.['level_of_education']),
            profile_country: textOrNull(profile?.['country']),
            modal_ip: ip,
            cc_by_ip:
              ip === null ? null : (geoip.lookup(ip.split(',')[0]?.trim() ?? '')?.country ?? null),
            roles: roles === undefined ? null : [...roles].sort().join(';'),
          });
        }
      },
    };
  },
};
