/**
 * Per-event counting shared by the person-course family (anchors.md §4a items 2–3): which
 * events count (non-empty username, `event_type` without `/xblock/`), the event-type counters
 * of edx2bigquery's person_course_day (with the newer `edx.*` aliases), the inter-event gaps
 * with the 5-minute cutoff, the videos played and the modal IP. One {@link ActivityTally}
 * holds a learner's (or a learner-day's) figures; it is reset, not reallocated.
 */
import { tryParseCourseId } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { ColumnSpec, ParameterSpec } from '../report.js';
import { numberOf, payloadOf } from '../reports/values.js';
import { isLearnerEvent } from './activity-shared.js';
import { eventTypeOf, videoIdOf } from '../reports/video-shared.js';

/** Gaps longer than this (seconds) between consecutive events of a day are not counted. */
export const DT_CUTOFF_SECONDS = 300;

/** The event-type counters, in column order. */
export const COUNTER_NAMES = [
  'nplay_video',
  'nproblem_check',
  'nshow_answer',
  'ntranscript',
  'nseq_goto',
  'nseek_video',
  'npause_video',
  'nprogcheck',
  'nforum_events',
] as const;

export type CounterName = (typeof COUNTER_NAMES)[number];

/** What `nforum_events` counts (E2B: discussion URL hits; SIM: the learner's forum posts). */
export type ForumEventsMeaning = 'urls' | 'urls_and_edx_forum' | 'posts';

/** The `forum_events` parameter of person_course and person_course_day. */
export const FORUM_EVENTS_PARAMETER: ParameterSpec = {
  name: 'forum_events',
  type: 'string',
  description:
    'What `nforum_events` counts: `urls` (E2B: events whose type is a `/courses/<course>/discussion/…` URL, either course id form), `urls_and_edx_forum` (those and `edx.forum.*` events), `posts` (SIM: the learner’s forum posts, person_course only; person_course_day falls back to `urls`)',
  default: 'urls',
  choices: ['urls', 'urls_and_edx_forum', 'posts'],
};

const LEGACY_AND_ALIASES: Readonly<Record<string, CounterName>> = {
  play_video: 'nplay_video',
  'edx.video.played': 'nplay_video',
  problem_check: 'nproblem_check',
  show_answer: 'nshow_answer',
  showanswer: 'nshow_answer',
  show_transcript: 'ntranscript',
  'edx.video.transcript.shown': 'ntranscript',
  seq_goto: 'nseq_goto',
  'edx.ui.lms.sequence.tab_selected': 'nseq_goto',
  seek_video: 'nseek_video',
  'edx.video.position.changed': 'nseek_video',
  pause_video: 'npause_video',
  'edx.video.paused': 'npause_video',
};

/** Video events whose `currentTime` is a playback position (play, pause, stop and aliases). */
const POSITION_EVENTS: ReadonlySet<string> = new Set([
  'play_video',
  'pause_video',
  'stop_video',
  'edx.video.played',
  'edx.video.paused',
  'edx.video.stopped',
]);

/** `edx.forum.*` events and discussion URLs that create a post. */
const FORUM_CREATED: ReadonlySet<string> = new Set([
  'edx.forum.thread.created',
  'edx.forum.response.created',
  'edx.forum.comment.created',
]);
const URL_POST = /\/discussion\/.*\/(?:threads\/create|reply)\/?$/u;
const URL_READ = /\/discussion\/forum\/[^/]+\/threads\/[^/]+\/?$/u;

/**
 * Whether an event counts at all (anchors.md §4a conventions, E2B's person_course_day
 * filter): a non-empty `username`, an `event_type` that does not contain `/xblock/`, a time.
 */
export function isActivityEvent(event: Document): boolean {
  return isLearnerEvent(event) && event['_time'] instanceof Date;
}

/** Tells which counter an event type feeds, for one course (its URLs in either id form). */
export class EventClassifier {
  readonly #prefixes: readonly string[];
  readonly #forum: ForumEventsMeaning;

  constructor(courseKey: string, forum: ForumEventsMeaning = 'urls') {
    const parsed = tryParseCourseId(courseKey);
    const forms = parsed?.hasRun === true ? [parsed.key, parsed.legacy] : [courseKey];
    this.#prefixes = [...new Set(forms)].map((form) => `/courses/${form}/`);
    this.#forum = forum;
  }

  /** The part of a course URL after `/courses/<course>/`, or null for another type. */
  #coursePath(type: string): string | null {
    if (!type.startsWith('/courses/')) return null;
    for (const prefix of this.#prefixes) {
      if (type.startsWith(prefix)) return type.slice(prefix.length);
    }
    return null;
  }

  /** The counter an event type feeds, or null. */
  counterOf(type: string): CounterName | null {
    const named = LEGACY_AND_ALIASES[type];
    if (named !== undefined) return named;
    const path = this.#coursePath(type);
    if (path !== null) {
      if (path.startsWith('progress')) return 'nprogcheck';
      if (path.startsWith('discussion/') && this.#forum !== 'posts') return 'nforum_events';
      return null;
    }
    if (this.#forum === 'urls_and_edx_forum' && type.startsWith('edx.forum.')) {
      return 'nforum_events';
    }
    return null;
  }

  /** Whether the event type creates a forum post (`edx.forum.*.created`, legacy reply URLs). */
  isForumPost(type: string): boolean {
    if (FORUM_CREATED.has(type)) return true;
    return this.#coursePath(type) !== null && URL_POST.test(type);
  }

  /** Whether the event type reads a thread (`edx.forum.thread.viewed`, the thread page URL). */
  isForumRead(type: string): boolean {
    if (type === 'edx.forum.thread.viewed') return true;
    return this.#coursePath(type) !== null && URL_READ.test(type);
  }
}

/** Inter-event gaps (ms in, seconds out): count, sum, max, mean and population deviation. */
export class GapStats {
  n = 0;
  sumMs = 0;
  maxMs = 0;
  #mean = 0;
  #m2 = 0;

  add(gapMs: number): void {
    this.n += 1;
    this.sumMs += gapMs;
    if (gapMs > this.maxMs) this.maxMs = gapMs;
    const seconds = gapMs / 1000;
    const delta = seconds - this.#mean;
    this.#mean += delta / this.n;
    this.#m2 += delta * (seconds - this.#mean);
  }

  reset(): void {
    this.n = 0;
    this.sumMs = 0;
    this.maxMs = 0;
    this.#mean = 0;
    this.#m2 = 0;
  }

  /** `sum_dt`, `avg_dt`, `sdv_dt`, `max_dt`, `n_dt` (seconds, 3 decimals; null when n = 0). */
  columns(): {
    sum_dt: number;
    avg_dt: number | null;
    sdv_dt: number | null;
    max_dt: number | null;
    n_dt: number;
  } {
    if (this.n === 0) return { sum_dt: 0, avg_dt: null, sdv_dt: null, max_dt: null, n_dt: 0 };
    return {
      sum_dt: this.sumMs / 1000,
      avg_dt: round3(this.sumMs / 1000 / this.n),
      sdv_dt: round3(Math.sqrt(Math.max(0, this.#m2 / this.n))),
      max_dt: this.maxMs / 1000,
      n_dt: this.n,
    };
  }
}

/** A number rounded to 3 decimals. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The columns of the gaps, for a dataset's column list. */
export const GAP_COLUMNS: readonly ColumnSpec[] = [
  {
    name: 'sum_dt',
    type: 'number',
    description:
      'Sum of the gaps (seconds) between consecutive events of the same UTC day, gaps over 5 minutes left out (≈ active time)',
  },
  {
    name: 'avg_dt',
    type: 'number',
    description: 'Mean of those gaps (s, 3 decimals); empty when none',
  },
  {
    name: 'sdv_dt',
    type: 'number',
    description: 'Population standard deviation of those gaps (s, 3 decimals); empty when none',
  },
  { name: 'max_dt', type: 'number', description: 'Longest of those gaps (s); empty when none' },
  { name: 'n_dt', type: 'integer', description: 'Number of those gaps' },
];

/** The event-type counter columns, for a dataset's column list. */
export const COUNTER_COLUMNS: readonly ColumnSpec[] = [
  {
    name: 'nplay_video',
    type: 'integer',
    description: '`play_video` events (and `edx.video.played`): plays, not all video events',
  },
  {
    name: 'nproblem_check',
    type: 'integer',
    description: '`problem_check` events, browser and server alike (as E2B counts them)',
  },
  { name: 'nshow_answer', type: 'integer', description: '`show_answer` / `showanswer` events' },
  {
    name: 'ntranscript',
    type: 'integer',
    description: '`show_transcript` events (and `edx.video.transcript.shown`)',
  },
  {
    name: 'nseq_goto',
    type: 'integer',
    description: '`seq_goto` events (and `edx.ui.lms.sequence.tab_selected`)',
  },
  {
    name: 'nseek_video',
    type: 'integer',
    description: '`seek_video` events (and `edx.video.position.changed`)',
  },
  {
    name: 'npause_video',
    type: 'integer',
    description: '`pause_video` events (and `edx.video.paused`)',
  },
  {
    name: 'nprogcheck',
    type: 'integer',
    description:
      'Visits of the progress page: event type `/courses/<course>/progress…` (either course id form)',
  },
  {
    name: 'nforum_events',
    type: 'integer',
    description:
      'Forum events as the `forum_events` parameter says (default: `/courses/<course>/discussion/…` URL events)',
  },
];

/**
 * The figures of one learner, or one learner-day, from its events (given in time order).
 * Gaps are taken between consecutive events of the same UTC day only.
 */
export class ActivityTally {
  nevents = 0;
  readonly counters = new Map<CounterName, number>();
  first: Date | null = null;
  last: Date | null = null;
  readonly days = new Set<string>();
  readonly gaps = new GapStats();
  readonly ips = new Map<string, number>();
  /** Video url_name → greatest playback position seen (s; 0 when none given). */
  readonly videos = new Map<string, number>();
  /** Server `problem_check` events, and their distinct problems. */
  problemChecks = 0;
  readonly problems = new Set<string>();
  forumReads = 0;
  forumPosts = 0;
  /** The learner's user id, from the first event that carries one. */
  userId: number | null = null;
  #lastMs = 0;
  #lastDay = '';

  constructor(private readonly classifier: EventClassifier) {}

  /** Count one event (already accepted by {@link isActivityEvent}); `day` is its UTC day. */
  add(event: Document, time: Date, day: string): void {
    this.nevents += 1;
    const ms = time.getTime();
    if (this.first === null) this.first = time;
    this.last = time;
    if (day === this.#lastDay) {
      const gap = ms - this.#lastMs;
      if (gap <= DT_CUTOFF_SECONDS * 1000) this.gaps.add(gap);
    } else {
      this.days.add(day);
      this.#lastDay = day;
    }
    this.#lastMs = ms;
    const type = eventTypeOf(event);
    const counter = this.classifier.counterOf(type);
    if (counter !== null) this.counters.set(counter, (this.counters.get(counter) ?? 0) + 1);
    const ip = event['ip'];
    if (typeof ip === 'string' && ip !== '') this.ips.set(ip, (this.ips.get(ip) ?? 0) + 1);
    if (POSITION_EVENTS.has(type)) {
      const payload = payloadOf(event);
      const video = videoIdOf(payload);
      if (video !== null) {
        const position = numberOf(payload['currentTime']) ?? 0;
        const known = this.videos.get(video);
        if (known === undefined || position > known) this.videos.set(video, position);
      }
    } else if (type === 'problem_check' && event['event_source'] === 'server') {
      this.problemChecks += 1;
      const problem = payloadOf(event)['problem_id'];
      if (typeof problem === 'string' && problem !== '') this.problems.add(problem);
    } else if (this.classifier.isForumRead(type)) this.forumReads += 1;
    else if (this.classifier.isForumPost(type)) this.forumPosts += 1;
    if (this.userId === null) {
      const context = event['context'];
      if (typeof context === 'object' && context !== null) {
        const id = (context as Record<string, unknown>)['user_id'];
        if (typeof id === 'number' && Number.isSafeInteger(id)) this.userId = id;
        else if (typeof id === 'string' && /^\d+$/u.test(id)) this.userId = Number(id);
      }
    }
  }

  /** The counter columns, every counter present (0 when none). */
  counterColumns(): Record<CounterName, number> {
    const out = zeroCounters();
    for (const [name, n] of this.counters) out[name] = n;
    return out;
  }

  /** The most frequent IP (ties: the smallest in code-unit order), or null. */
  modalIp(): string | null {
    let best: string | null = null;
    let bestCount = 0;
    for (const [ip, count] of this.ips) {
      if (count > bestCount || (count === bestCount && best !== null && ip < best)) {
        best = ip;
        bestCount = count;
      }
    }
    return best;
  }

  /** Sum of the greatest positions reached in each video (s, 3 decimals). */
  videoSeconds(): number {
    let sum = 0;
    for (const position of this.videos.values()) sum += position;
    return round3(sum);
  }

  reset(): void {
    this.nevents = 0;
    this.counters.clear();
    this.first = null;
    this.last = null;
    this.days.clear();
    this.gaps.reset();
    this.ips.clear();
    this.videos.clear();
    this.problemChecks = 0;
    this.problems.clear();
    this.forumReads = 0;
    this.forumPosts = 0;
    this.userId = null;
    this.#lastMs = 0;
    this.#lastDay = '';
  }
}

/** Every counter at 0 (the counters of a learner without events). */
export function zeroCounters(): Record<CounterName, number> {
  const out = {} as Record<CounterName, number>;
  for (const name of COUNTER_NAMES) out[name] = 0;
  return out;
}
