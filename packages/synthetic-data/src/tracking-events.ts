/**
 * The daily tracking logs: realistic sessions per learner (navigation, video, problems,
 * forum, enrolments, mobile), written one line at a time through a {@link TextSink}, with
 * the exact counts a correct load must reproduce.
 */
import { hash } from 'node:crypto';
import type { Block } from './course-structure.js';
import type { Quirk } from './options.js';
import { pyDumps } from './python-json.js';
import { Random } from './random.js';
import type { TextSink } from './sink.js';
import { DAY_MICROS, dayString, isoformat, loggingTime } from './time.js';
import type { Course, Enrollment, ForumPost, Learner, World } from './world.js';

/** What one daily log holds. */
export interface EventFileTruth {
  /** Path relative to the package folder. */
  readonly file: string;
  /** The day of the file (`YYYY-MM-DD`, UTC). */
  readonly date: string;
  /** Physical lines. */
  readonly lines: number;
  /** Lines that hold a valid event (duplicate copies included). */
  readonly events: number;
  /** Events once exact duplicate lines are dropped. */
  readonly uniqueEvents: number;
  /** 1-based numbers of the lines that repeat an earlier line exactly. */
  readonly duplicateLines: readonly number[];
  /** 1-based numbers of the lines that are not valid JSON (even after stripping a prefix). */
  readonly rejectedLines: readonly { readonly line: number; readonly reason: string }[];
  /** Lines with a logging prefix before the JSON (valid events, duplicate copies included). */
  readonly prefixedLines: number;
  /** Unique events per canonical course key. */
  readonly eventsByCourse: Readonly<Record<string, number>>;
  /** Unique events with no course (`/dashboard`, …). */
  readonly eventsWithoutCourse: number;
}

/** Running totals over all the daily logs, per course. */
export interface EventTally {
  /** course key → day (`YYYY-MM-DD` of the event `time`, UTC) → unique events. */
  readonly byCourseDay: Map<string, Map<string, number>>;
  /** course key → unique events whose `event.id`, `event.problem_id` or `context.module.usage_key` is a usage key. */
  readonly blockEvents: Map<string, number>;
  /** course key → block category → such events. */
  readonly blockEventsByCategory: Map<string, Map<string, number>>;
  /** course key → event_type → unique events. */
  readonly byType: Map<string, Map<string, number>>;
}

export function newTally(): EventTally {
  return {
    byCourseDay: new Map(),
    blockEvents: new Map(),
    blockEventsByCategory: new Map(),
    byType: new Map(),
  };
}

function bump<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function nested<K, J>(map: Map<K, Map<J, number>>, key: K): Map<J, number> {
  let inner = map.get(key);
  if (inner === undefined) {
    inner = new Map();
    map.set(key, inner);
  }
  return inner;
}

const HOST = 'courses.edx.org';
const VIDEO_CODES = ['html5', 'html5', 'html5', 'mobile', 'hls'];
const SPEEDS = ['0.75', '1.0', '1.25', '1.50', '2.0'];

/** An event as built, before quirks and serialisation. */
interface Draft {
  readonly doc: Record<string, unknown>;
  /** The course the event belongs to (null: none). */
  readonly course: Course | null;
  /** Microseconds of `time`. */
  readonly time: number;
  /** The category of the block it references, if any. */
  readonly block: string | undefined;
  readonly browser: boolean;
}

interface SessionState {
  readonly learner: Learner;
  readonly course: Course;
  /** The course id as this session writes it (course-v1 or the old slash form). */
  readonly courseId: string;
  t: number;
  chapter: Block;
  sequential: Block;
  position: number;
}

export interface DayContext {
  readonly world: World;
  readonly quirks: ReadonlySet<Quirk>;
  readonly seed: number;
  /** Scheduled events of the day: enrolments and forum posts. */
  readonly enrollmentsOn: Map<
    number,
    {
      readonly enrollment: Enrollment;
      readonly time: number;
      readonly kind: 'activated' | 'deactivated';
    }[]
  >;
  readonly postsOn: Map<number, ForumPost[]>;
  readonly threadsByCourse: Map<Course, ForumPost[]>;
  readonly enrollmentsByLearner: Map<Learner, Enrollment[]>;
  readonly engagement: Map<Learner, number>;
}

export function dayContext(world: World, quirks: ReadonlySet<Quirk>, seed: number): DayContext {
  const enrollmentsOn: DayContext['enrollmentsOn'] = new Map();
  const enrollmentsByLearner = new Map<Learner, Enrollment[]>();
  const add = (time: number, enrollment: Enrollment, kind: 'activated' | 'deactivated'): void => {
    if (time < world.windowStart || time >= world.windowEnd) return;
    const day = Math.floor(time / DAY_MICROS);
    let list = enrollmentsOn.get(day);
    if (list === undefined) enrollmentsOn.set(day, (list = []));
    list.push({ enrollment, time, kind });
  };
  for (const e of world.enrollments) {
    add(e.created, e, 'activated');
    if (e.deactivated !== null) add(e.deactivated, e, 'deactivated');
    let list = enrollmentsByLearner.get(e.learner);
    if (list === undefined) enrollmentsByLearner.set(e.learner, (list = []));
    list.push(e);
  }
  const postsOn = new Map<number, ForumPost[]>();
  const threadsByCourse = new Map<Course, ForumPost[]>();
  for (const post of world.forum) {
    const time = post.created * 1000;
    if (post.type === 'thread') {
      let threads = threadsByCourse.get(post.course);
      if (threads === undefined) threadsByCourse.set(post.course, (threads = []));
      threads.push(post);
    }
    if (time < world.windowStart || time >= world.windowEnd) continue;
    const day = Math.floor(time / DAY_MICROS);
    let list = postsOn.get(day);
    if (list === undefined) postsOn.set(day, (list = []));
    list.push(post);
  }
  const rng = new Random(seed, 'engagement');
  const engagement = new Map<Learner, number>();
  for (const learner of world.learners) engagement.set(learner, rng.float(0.1, 0.7, 3));
  return {
    world,
    quirks,
    seed,
    enrollmentsOn,
    postsOn,
    threadsByCourse,
    enrollmentsByLearner,
    engagement,
  };
}

const PREFIX_LEVELS = [
  'INFO 20 [tracking] [user None] [ip None] logger.py:41 - ',
  'INFO 1234 [tracking] logger.py:39 - ',
];

/** Write the log of one day (`day` = days since 1970-01-01) and count what it holds. */
export async function writeDay(
  ctx: DayContext,
  day: number,
  file: string,
  sink: TextSink,
  tally: EventTally,
): Promise<EventFileTruth> {
  const { world, quirks } = ctx;
  const rng = new Random(ctx.seed, `events-${day}`);
  const dayStart = day * DAY_MICROS;
  const dayEnd = dayStart + DAY_MICROS;
  const q = {
    naive: quirks.has('naive-timestamps'),
    noMicro: quirks.has('no-microseconds'),
    mixed: quirks.has('mixed-course-ids'),
    noContext: quirks.has('missing-context'),
    truncated: quirks.has('truncated-event'),
    prefix: quirks.has('logging-prefix'),
    broken: quirks.has('broken-lines'),
    duplicate: quirks.has('duplicate-lines'),
  };

  let lines = 0;
  let events = 0;
  let unique = 0;
  let prefixed = 0;
  let withoutCourse = 0;
  const duplicateLines: number[] = [];
  const rejectedLines: { line: number; reason: string }[] = [];
  const byCourse = new Map<string, number>();
  const seen = new Set<string>();

  async function emit(draft: Draft): Promise<void> {
    const { doc } = draft;
    let time = draft.time;
    if (q.noMicro && rng.chance(0.2)) time -= time % 1_000_000;
    doc['time'] = isoformat(time, q.naive && rng.chance(0.05));
    if (q.noContext && draft.browser && rng.chance(0.05)) delete doc['context'];
    let text = pyDumps(doc);
    if (q.broken && rng.chance(0.004)) {
      // Cut mid-JSON, as TRACK_MAX_EVENT cuts an over-long event.
      let cut = text.slice(0, Math.floor(text.length * rng.float(0.2, 0.9, 3)));
      while (cut.endsWith('}')) cut = cut.slice(0, -1);
      lines += 1;
      rejectedLines.push({ line: lines, reason: 'truncated JSON' });
      const pending = sink.write(`${cut}\n`);
      if (pending !== undefined) await pending;
    }
    const hasPrefix = q.prefix && rng.chance(0.03);
    if (hasPrefix) text = `${loggingTime(time)} ${rng.pick(PREFIX_LEVELS)}${text}`;
    const copies = q.duplicate && rng.chance(0.005) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      lines += 1;
      events += 1;
      if (hasPrefix) prefixed += 1;
      const digest = hash('md5', text, 'base64');
      if (seen.has(digest)) {
        duplicateLines.push(lines);
      } else {
        seen.add(digest);
        unique += 1;
        const course = draft.course;
        if (course === null) {
          withoutCourse += 1;
        } else {
          bump(byCourse, course.key);
          bump(nested(tally.byCourseDay, course.key), dayOf(time));
          bump(nested(tally.byType, course.key), String(doc['event_type']));
          if (draft.block !== undefined) {
            bump(tally.blockEvents, course.key);
            bump(nested(tally.blockEventsByCategory, course.key), draft.block);
          }
        }
      }
      const pending = sink.write(`${text}\n`);
      if (pending !== undefined) await pending;
    }
  }

  const micro = (): number => rng.int(1_000_000);
  const days = new Map<number, string>();
  const dayOf = (us: number): string => {
    const n = Math.floor(us / DAY_MICROS);
    let text = days.get(n);
    if (text === undefined) days.set(n, (text = dayString(n)));
    return text;
  };

  function base(
    learner: Learner | null,
    s: SessionState | null,
    eventType: string,
    source: string,
  ): Record<string, unknown> {
    return {
      username: learner === null ? '' : learner.username,
      event_source: source,
      event_type: eventType,
      ip: learner === null ? '' : learner.ip,
      agent: learner === null ? '' : learner.agent,
      host: HOST,
      referer:
        s === null
          ? ''
          : `https://${HOST}/courses/${s.courseId}/courseware/${s.chapter.id}/${s.sequential.id}/`,
      accept_language: learner === null ? '' : learner.acceptLanguage,
    };
  }

  function context(s: SessionState, path: string): Record<string, unknown> {
    return {
      course_user_tags: {},
      user_id: s.learner.id,
      org_id: s.course.org,
      course_id: s.courseId,
      path,
    };
  }

  function pageUrl(s: SessionState): string {
    return `https://${HOST}/courses/${s.courseId}/courseware/${s.chapter.id}/${s.sequential.id}/${s.position}`;
  }

  function browser(
    s: SessionState,
    eventType: string,
    payload: string,
    block?: string,
    name?: string,
  ): Draft {
    const doc = base(s.learner, s, eventType, 'browser');
    if (name !== undefined) doc['name'] = name;
    doc['event'] = payload;
    doc['context'] = context(s, '/event');
    doc['time'] = '';
    doc['page'] = pageUrl(s);
    doc['session'] = s.learner.session;
    return { doc, course: s.course, time: s.t, block, browser: true };
  }

  function server(
    s: SessionState,
    eventType: string,
    event: unknown,
    path: string,
    name?: string,
    block?: string,
  ): Draft {
    const doc = base(s.learner, s, eventType, 'server');
    if (name !== undefined) doc['name'] = name;
    doc['event'] = event;
    doc['context'] = context(s, path);
    doc['time'] = '';
    doc['page'] = null;
    doc['session'] = s.learner.session;
    return { doc, course: s.course, time: s.t, block, browser: false };
  }

  function advance(s: SessionState, min: number, max: number): void {
    s.t += rng.between(min, max) * 1_000_000 + micro();
  }

  function implicit(s: SessionState, path: string, post: Record<string, unknown>): Draft {
    const body = pyDumps({ POST: post, GET: {} });
    return server(s, path, body.slice(0, 512), path);
  }

  function chooseSequential(s: SessionState): void {
    const { block, chapter } = rng.pick(s.course.outline.sequentials);
    s.sequential = block;
    s.chapter = chapter;
    s.position = 1;
  }

  async function video(s: SessionState): Promise<void> {
    const v = rng.pick(s.course.outline.videos);
    const code = rng.pick(VIDEO_CODES);
    let position = rng.float(0, 30, 3);
    const payload = (extra: Record<string, unknown>): string =>
      JSON.stringify({ id: v.id, code, ...extra });
    await emit(browser(s, 'load_video', payload({}), undefined));
    advance(s, 1, 5);
    await emit(browser(s, 'play_video', payload({ currentTime: position }), undefined));
    const steps = rng.between(0, 3);
    for (let i = 0; i < steps; i++) {
      advance(s, 5, 120);
      position = rng.float(position, position + 120, 3);
      const kind = rng.weighted(
        ['pause_video', 'seek_video', 'speed_change_video', 'show_transcript', 'hide_transcript'],
        [40, 25, 15, 12, 8],
      );
      if (kind === 'seek_video') {
        const to = rng.float(0, position + 60, 3);
        await emit(
          browser(
            s,
            kind,
            payload({
              old_time: position,
              new_time: to,
              type: rng.pick(['onSlideSeek', 'onSkipSeek']),
            }),
          ),
        );
        position = to;
      } else if (kind === 'speed_change_video') {
        await emit(
          browser(
            s,
            kind,
            payload({ current_time: position, old_speed: '1.0', new_speed: rng.pick(SPEEDS) }),
          ),
        );
      } else {
        await emit(browser(s, kind, payload({ currentTime: position })));
        if (kind === 'pause_video') {
          advance(s, 2, 30);
          await emit(browser(s, 'play_video', payload({ currentTime: position })));
        }
      }
    }
    advance(s, 5, 200);
    await emit(
      browser(
        s,
        rng.chance(0.5) ? 'stop_video' : 'pause_video',
        payload({ currentTime: rng.float(position, position + 200, 3) }),
      ),
    );
    if (rng.chance(0.3)) {
      advance(s, 1, 10);
      const post = {
        saved_video_position: [`00:0${rng.int(10)}:${String(rng.int(60)).padStart(2, '0')}`],
      };
      await emit(
        implicit(
          s,
          `/courses/${s.courseId}/xblock/${v.key}/handler/xmodule_handler/save_user_state`,
          post,
        ),
      );
    }
  }

  async function problem(s: SessionState): Promise<void> {
    const p = rng.pick(s.course.outline.problems);
    const answers: Record<string, string | string[]> = {};
    const form: string[] = [];
    const correctMap: Record<string, unknown> = {};
    const submission: Record<string, unknown> = {};
    let grade = 0;
    for (const input of p.inputs) {
      const right = rng.chance(0.6);
      const answer = right ? input.correct : rng.pick(input.answers);
      const correct = answer === input.correct;
      if (correct) grade += 1;
      if (input.inputType === 'checkboxgroup') {
        answers[input.id] = [answer];
        form.push(`input_${input.id}%5B%5D=${encodeURIComponent(answer)}`);
      } else {
        answers[input.id] = answer;
        form.push(`input_${input.id}=${encodeURIComponent(answer)}`);
      }
      correctMap[input.id] = {
        correctness: correct ? 'correct' : 'incorrect',
        npoints: null,
        msg: '',
        hint: '',
        hintmode: null,
        queuestate: null,
      };
      submission[input.id] = {
        input_type: input.inputType,
        question: input.question,
        response_type: input.responseType,
        answer,
        variant: '',
        correct,
      };
    }
    await emit(browser(s, 'problem_check', JSON.stringify(form.join('&'))));
    const max = p.inputs.length;
    const path = `/courses/${s.courseId}/xblock/${p.key}/handler/xmodule_handler/problem_check`;
    const event = {
      answers,
      attempts: rng.between(1, 3),
      correct_map: correctMap,
      grade,
      max_grade: max,
      problem_id: p.key,
      state: {
        student_answers: {},
        seed: 1,
        done: null,
        correct_map: {},
        input_state: Object.fromEntries(p.inputs.map((i) => [i.id, {}])),
      },
      submission,
      success: grade === max ? 'correct' : 'incorrect',
    };
    s.t += rng.int(400_000);
    const draft = server(s, 'problem_check', event, path, 'problem_check', 'problem');
    draft.doc['context'] = {
      ...(draft.doc['context'] as Record<string, unknown>),
      module: { display_name: String(p.metadata['display_name']), usage_key: p.key },
    };
    await emit(draft);
  }

  async function navigate(s: SessionState): Promise<void> {
    const count = s.sequential.children.length;
    const kind = rng.weighted(['seq_next', 'seq_prev', 'seq_goto'], [50, 15, 35]);
    const old = s.position;
    const next =
      kind === 'seq_next'
        ? Math.min(old + 1, count + 1)
        : kind === 'seq_prev'
          ? Math.max(1, old - 1)
          : rng.between(1, Math.max(1, count));
    s.position = next;
    const name =
      kind === 'seq_next'
        ? 'edx.ui.lms.sequence.next_selected'
        : kind === 'seq_prev'
          ? 'edx.ui.lms.sequence.previous_selected'
          : 'edx.ui.lms.sequence.tab_selected';
    await emit(
      browser(
        s,
        kind,
        JSON.stringify({ old, new: next, id: s.sequential.key }),
        'sequential',
        rng.chance(0.5) ? name : undefined,
      ),
    );
  }

  async function forumView(s: SessionState): Promise<void> {
    const threads = ctx.threadsByCourse.get(s.course);
    if (threads === undefined || threads.length === 0) return;
    const thread = rng.pick(threads);
    if (thread.created * 1000 > s.t) return;
    const path = `/courses/${s.courseId}/discussion/forum/${thread.commentableId}/threads/${thread.id}`;
    await emit(
      server(
        s,
        'edx.forum.thread.viewed',
        {
          id: thread.id,
          commentable_id: thread.commentableId,
          title: thread.title,
          title_truncated: false,
          user_course_roles: [],
          user_forums_roles: ['Student'],
          target_username: thread.author.username,
          url: `https://${HOST}${path}`,
        },
        path,
        'edx.forum.thread.viewed',
      ),
    );
  }

  async function longPost(s: SessionState): Promise<void> {
    // A POST whose json.dumps is longer than 512 characters: its `event` is cut there.
    const threads = ctx.threadsByCourse.get(s.course) ?? [];
    const topic = threads.length > 0 ? rng.pick(threads).commentableId : 'general';
    const words: string[] = [];
    const n = rng.between(90, 160);
    for (let i = 0; i < n; i++)
      words.push(
        rng.pick([
          'the',
          'wave',
          'énergie',
          'is',
          'a',
          'problem',
          'why',
          'energy',
          'flux',
          'model',
          '"quoted"',
          'données',
        ]),
      );
    await emit(
      implicit(s, `/courses/${s.courseId}/discussion/${topic}/threads/create`, {
        body: [words.join(' ')],
        title: ['Long question'],
        thread_type: ['question'],
        anonymous: ['false'],
      }),
    );
  }

  async function session(learner: Learner, enrollment: Enrollment, start: number): Promise<void> {
    const course = enrollment.course;
    const first = course.outline.sequentials[0];
    if (first === undefined) return;
    const s: SessionState = {
      learner,
      course,
      courseId: q.mixed && rng.chance(0.35) ? course.legacy : course.key,
      t: start,
      chapter: first.chapter,
      sequential: first.block,
      position: 1,
    };
    if (rng.chance(0.3)) {
      const doc = base(learner, null, '/dashboard', 'server');
      doc['event'] = pyDumps({ POST: {}, GET: {} });
      doc['context'] = { user_id: learner.id, org_id: '', course_id: '', path: '/dashboard' };
      doc['time'] = '';
      doc['page'] = null;
      await emit({ doc, course: null, time: s.t, block: undefined, browser: false });
      advance(s, 2, 30);
    }
    chooseSequential(s);
    await emit(
      implicit(s, `/courses/${s.courseId}/courseware/${s.chapter.id}/${s.sequential.id}/`, {}),
    );
    const actions = rng.between(2, 12);
    for (let a = 0; a < actions && s.t < dayEnd - 3_600_000_000; a++) {
      advance(s, 3, 90);
      const action = rng.weighted(
        ['video', 'problem', 'navigate', 'chapter', 'forum', 'long'],
        [30, 25, 30, 8, 5, q.truncated ? 2 : 0],
      );
      if (action === 'video') await video(s);
      else if (action === 'problem') await problem(s);
      else if (action === 'navigate') await navigate(s);
      else if (action === 'forum') await forumView(s);
      else if (action === 'long') await longPost(s);
      else {
        chooseSequential(s);
        await emit(
          implicit(s, `/courses/${s.courseId}/courseware/${s.chapter.id}/${s.sequential.id}/`, {}),
        );
      }
    }
    advance(s, 5, 600);
    await emit(browser(s, 'page_close', rng.chance(0.5) ? '' : '{}'));
  }

  /** A mobile video event, `time` when it happened, `received_at` when the server got it. */
  async function mobile(
    learner: Learner,
    enrollment: Enrollment,
    time: number,
    received: number,
  ): Promise<void> {
    const course = enrollment.course;
    const v = rng.pick(course.outline.videos);
    const name = rng.pick([
      'edx.video.loaded',
      'edx.video.played',
      'edx.video.paused',
      'edx.video.position.changed',
      'edx.video.stopped',
    ]);
    const doc = base(learner, null, name, 'mobile');
    doc['ip'] = '';
    doc['agent'] = 'Dalvik/2.1.0 (Linux; U; Android 13; SM-S911B Build/TP1A.220624.014)';
    doc['name'] = name;
    doc['event'] = { code: 'mobile', id: v.key, currentTime: rng.float(0, 500, 3) };
    doc['context'] = {
      user_id: learner.id,
      org_id: course.org,
      course_id: course.key,
      path: '/segmentio/event',
      received_at: isoformat(received),
      application: { name: 'edx.mobileapp.android', version: '2.26.1' },
      client: {
        os: { name: 'Android', version: '13' },
        locale: 'en-US',
        device: { manufacturer: 'samsung', model: 'SM-S911B' },
      },
      component: 'videoplayer',
      module: { display_name: String(v.metadata['display_name']), usage_key: v.key },
    };
    doc['time'] = '';
    doc['page'] = null;
    await emit({ doc, course, time, block: 'video', browser: false });
  }

  function liveEnrollments(learner: Learner, at: number): Enrollment[] {
    return (ctx.enrollmentsByLearner.get(learner) ?? []).filter(
      (e) => e.created <= at && (e.deactivated === null || e.deactivated > at),
    );
  }

  // Mobile events sent late: they happened yesterday evening, the server got them today.
  for (const learner of world.learners) {
    if (!learner.mobile || !rng.chance(0.2)) continue;
    const happened = dayStart - rng.between(60, 7_200) * 1_000_000 - micro();
    const live = liveEnrollments(learner, happened);
    if (live.length === 0) continue;
    const enrollment = rng.pick(live);
    const n = rng.between(1, 4);
    for (let i = 0; i < n; i++) {
      await mobile(
        learner,
        enrollment,
        happened + i * 7_000_000,
        dayStart + rng.int(3_600) * 1_000_000 + micro(),
      );
    }
  }

  for (const learner of world.learners) {
    if (!rng.chance(ctx.engagement.get(learner) ?? 0.3)) continue;
    const start = dayStart + rng.int(DAY_MICROS - 4 * 3_600_000_000);
    const live = liveEnrollments(learner, start);
    if (live.length === 0) continue;
    const enrollment = rng.pick(live);
    if (learner.mobile && rng.chance(0.4)) {
      let t = start;
      const n = rng.between(2, 8);
      for (let i = 0; i < n; i++) {
        t += rng.between(5, 120) * 1_000_000 + micro();
        await mobile(learner, enrollment, t, t + rng.between(1, 20) * 1_000_000);
      }
    } else {
      await session(learner, enrollment, start);
    }
  }

  for (const { enrollment, time, kind } of ctx.enrollmentsOn.get(day) ?? []) {
    const s: SessionState = {
      learner: enrollment.learner,
      course: enrollment.course,
      courseId: enrollment.course.key,
      t: time,
      chapter: enrollment.course.outline.chapters[0] ?? enrollment.course.outline.root,
      sequential: enrollment.course.outline.root,
      position: 1,
    };
    const name = `edx.course.enrollment.${kind}`;
    const draft = server(
      s,
      name,
      { course_id: s.courseId, user_id: enrollment.learner.id, mode: enrollment.mode },
      '/change_enrollment',
      name,
    );
    draft.doc['referer'] = `https://${HOST}/courses/${s.courseId}/about`;
    await emit(draft);
  }

  for (const post of ctx.postsOn.get(day) ?? []) {
    const course = post.course;
    const s: SessionState = {
      learner: post.author,
      course,
      courseId: course.key,
      t: post.created * 1000 + rng.int(1000),
      chapter: course.outline.root,
      sequential: course.outline.root,
      position: 1,
    };
    const thread = post.thread ?? post;
    const common = {
      commentable_id: post.commentableId,
      body: post.body.slice(0, 2000),
      truncated: post.body.length > 2000,
      id: post.id,
      user_forums_roles: ['Student'],
      user_course_roles: [],
      options: { followed: post.type === 'thread' },
      url: `https://${HOST}/courses/${course.key}/discussion/forum/${post.commentableId}/threads/${thread.id}`,
    };
    let name: string;
    let event: Record<string, unknown>;
    let path: string;
    if (post.type === 'thread') {
      name = 'edx.forum.thread.created';
      event = {
        ...common,
        title: post.title,
        title_truncated: false,
        thread_type: post.threadType,
        anonymous: post.anonymous,
        anonymous_to_peers: false,
        group_id: null,
      };
      path = `/courses/${course.key}/discussion/${post.commentableId}/threads/create`;
    } else if (post.type === 'response') {
      name = 'edx.forum.response.created';
      event = { ...common, discussion: { id: thread.id } };
      path = `/courses/${course.key}/discussion/threads/${thread.id}/reply`;
    } else {
      name = 'edx.forum.comment.created';
      event = { ...common, discussion: { id: thread.id }, response: { id: post.parent?.id ?? '' } };
      path = `/courses/${course.key}/discussion/comments/${post.parent?.id ?? ''}/reply`;
    }
    await emit(server(s, name, event, path, name));
  }

  return {
    file,
    date: dayString(day),
    lines,
    events,
    uniqueEvents: unique,
    duplicateLines,
    rejectedLines,
    prefixedLines: prefixed,
    eventsByCourse: Object.fromEntries(
      [...byCourse.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    ),
    eventsWithoutCourse: withoutCourse,
  };
}
