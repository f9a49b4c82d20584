/**
 * Readers shared by the video and navigation reports: video event names (legacy browser names
 * and their `edx.video.*` aliases), the video of an event, numeric payload fields, and the
 * course tab a page visit belongs to.
 */
import { COURSE_COLLECTIONS, tryParseCourseId } from '@edx-data/core';
import type { Database, Document } from '@edx-data/store';
import type { ColumnSpec } from '../report.js';
import { numberOf, payloadOf } from './values.js';

/** Event types that start playing a video (legacy browser name, newer/mobile alias). */
export const PLAY_EVENTS: ReadonlySet<string> = new Set(['play_video', 'edx.video.played']);

/** Event types of a seek (legacy browser name, newer/mobile alias). */
export const SEEK_EVENTS: ReadonlySet<string> = new Set([
  'seek_video',
  'edx.video.position.changed',
]);

/** Event types of a speed change (the legacy name is the only one edX writes). */
export const SPEED_EVENTS: ReadonlySet<string> = new Set(['speed_change_video']);

/** Event types that show a video's transcript (legacy browser name, newer alias). */
export const TRANSCRIPT_EVENTS: ReadonlySet<string> = new Set([
  'show_transcript',
  'edx.video.transcript.shown',
]);

/** The event's type, or `''`. */
export function eventTypeOf(event: Document): string {
  const type = event['event_type'];
  return typeof type === 'string' ? type : '';
}

/** A non-empty string, or null. */
export function textOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * The video of a video event, as the block's `url_name`: `event.id` is a bare id in browser
 * events (`1465ce3f…`), a usage key in mobile ones (`block-v1:…+type@video+block@1465ce3f…`)
 * and `i4x-Org-Course-video-<name>` in old logs; all three give the same `url_name`.
 */
export function videoIdOf(payload: Record<string, unknown>): string | null {
  const id = textOrNull(payload['id']);
  if (id === null) return null;
  const block = /block@([^+/]+)$/u.exec(id);
  if (block) return block[1] ?? null;
  const i4x = /^i4x[-:/]+[^-/]+[-/]+[^-/]+[-/]+video(?:alpha)?[-/]+(.+)$/u.exec(id);
  if (i4x) return i4x[1] ?? null;
  return id;
}

/** The `video_id`, `video_name` and `video_code` of a video event. */
export function videoOf(event: Document): {
  video_id: string | null;
  video_name: string | null;
  video_code: string | null;
} {
  const payload = payloadOf(event);
  const block = event['block'];
  const name =
    typeof block === 'object' && block !== null
      ? textOrNull((block as Record<string, unknown>)['display_name'])
      : null;
  return {
    video_id: videoIdOf(payload),
    video_name: name,
    video_code: textOrNull(payload['code']),
  };
}

/** The video columns of a row about a video event. */
export const VIDEO_COLUMNS: readonly ColumnSpec[] = [
  {
    name: 'video_id',
    type: 'string',
    description:
      'The video block’s url_name, from `event.id` (a bare id, a `block-v1:` usage key or an `i4x-` id, all reduced to the url_name)',
  },
  {
    name: 'video_name',
    type: 'string',
    description: 'Display name of the video block (from the course structure), empty when unknown',
  },
  {
    name: 'video_code',
    type: 'string',
    description: '`event.code`: the YouTube id, or `html5`, `hls`, `mobile`',
  },
];

/**
 * A course tab: the first path segment after the course id of a page URL, and the tab it is.
 * Static tabs are `static:<slug>`.
 */
const NAMED_TABS: Readonly<Record<string, string>> = {
  '': 'course',
  course: 'course',
  info: 'info',
  courseware: 'courseware',
  progress: 'progress',
  discussion: 'discussion',
  instructor: 'instructor',
  wiki: 'wiki',
  course_wiki: 'wiki',
  dates: 'dates',
  bookmarks: 'bookmarks',
  teams: 'teams',
  edxnotes: 'notes',
  notes: 'notes',
  pdfbook: 'textbooks',
  htmlbook: 'textbooks',
  book: 'textbooks',
  syllabus: 'syllabus',
};

/** The order of the named tabs in a report (static tabs follow, by slug). */
export const TAB_ORDER: readonly string[] = [
  'course',
  'info',
  'courseware',
  'progress',
  'discussion',
  'wiki',
  'dates',
  'bookmarks',
  'teams',
  'notes',
  'textbooks',
  'syllabus',
  'instructor',
];

/** Compare two tab names: named tabs in {@link TAB_ORDER}, then static tabs by slug. */
export function compareTabs(a: string, b: string): number {
  const rank = (tab: string): number => {
    const i = TAB_ORDER.indexOf(tab);
    return i === -1 ? TAB_ORDER.length : i;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** A static tab's slug as Studio makes it: 32 hexadecimal digits. */
const STATIC_SLUG = /^[0-9a-f]{32}$/u;

/**
 * The tab of a page visit of this course (implicit server event whose `event_type` is the
 * URL path), or null when the event is not a tab visit. See `navigation_tabs` for the rules.
 */
export class TabReader {
  readonly #prefixes: readonly string[];
  readonly #staticSlugs: ReadonlySet<string>;

  /** @param staticSlugs slugs of the course's static tabs (its `tabs` metadata), if known */
  constructor(courseKey: string, staticSlugs: Iterable<string> = []) {
    this.#staticSlugs = new Set(staticSlugs);
    const parsed = tryParseCourseId(courseKey);
    const forms = new Set([courseKey]);
    if (parsed?.hasRun === true) {
      forms.add(parsed.key);
      forms.add(parsed.legacy);
    }
    this.#prefixes = [...forms].map((form) => `/courses/${form}`);
  }

  /** The tab of an event type (a URL path, maybe with a host, query or fragment), or null. */
  tabOf(eventType: string): string | null {
    if (!eventType.includes('/courses/')) return null;
    let path = eventType.replace(/^https?:\/\/[^/]+/u, '').replace(/[?#].*$/su, '');
    try {
      path = decodeURIComponent(path);
    } catch {
      return null;
    }
    const prefix = this.#prefixes.find((p) => path === p || path.startsWith(`${p}/`));
    if (prefix === undefined) return null;
    const rest = path.slice(prefix.length + 1);
    const segments = rest.split('/');
    const first = segments[0] ?? '';
    const named = NAMED_TABS[first];
    if (named !== undefined) {
      // courseware AJAX calls (`…/goto_position`) are not visits
      if (named === 'courseware' && segments.at(-1) === 'goto_position') return null;
      // the course home and the info page are single pages: nothing may follow them
      if ((first === '' || first === 'info') && segments.slice(1).some((s) => s !== '')) {
        return null;
      }
      return named;
    }
    // a static tab is exactly `/<slug>/` (or `/<slug>`): one segment, nothing after it
    const after = segments.slice(1).filter((s) => s !== '');
    if (after.length === 0 && (STATIC_SLUG.test(first) || this.#staticSlugs.has(first))) {
      return `static:${first}`;
    }
    return null;
  }
}

/** A static tab of the course metadata: its slug and name. */
export interface StaticTab {
  readonly slug: string;
  readonly name: string | null;
}

/**
 * The static tabs of the course (`tabs` of the course block's metadata in the course
 * structure, entries of type `static_tab` with their `url_slug` and `name`); empty when the
 * structure does not list them.
 */
export async function staticTabsOf(db: Database): Promise<StaticTab[]> {
  const course = await db
    .collection(COURSE_COLLECTIONS.course_structure)
    .findOne({ category: 'course' });
  const metadata = course?.['metadata'];
  const tabs =
    typeof metadata === 'object' && metadata !== null
      ? (metadata as Record<string, unknown>)['tabs']
      : undefined;
  if (!Array.isArray(tabs)) return [];
  const out: StaticTab[] = [];
  for (const tab of tabs as unknown[]) {
    if (typeof tab !== 'object' || tab === null) continue;
    const t = tab as Record<string, unknown>;
    const slug = textOrNull(t['url_slug']);
    if (t['type'] === 'static_tab' && slug !== null) {
      out.push({ slug, name: textOrNull(t['name']) });
    }
  }
  return out;
}

/**
 * The URL → tab rules, for the definitions of the navigation reports (Markdown).
 */
export const TAB_RULES = [
  'A **tab visit** is a course event whose `event_type` is a page path of this course (the',
  'implicit server events edX writes for every page request): `/courses/<course id>/<rest>`,',
  'with the course id in its `course-v1:` or its old `Org/Course/Run` form, percent-encoded or',
  'not (a host, query string or fragment is ignored). Browser events (named events such as',
  '`play_video`) are actions inside a page, not visits, and are not counted. The tab is read from',
  'the first segment of `<rest>`:',
  '',
  '| first segment | tab |',
  '|---|---|',
  '| (none: `/courses/<id>` or `/courses/<id>/`), `course` | `course` (course home / outline) |',
  '| `info` (nothing after it) | `info` (course info, updates) |',
  '| `courseware` (any path under it, except `…/goto_position` calls) | `courseware` |',
  '| `progress` | `progress` |',
  '| `discussion` (any path under it) | `discussion` |',
  '| `wiki`, `course_wiki` | `wiki` |',
  '| `dates`, `bookmarks`, `teams` | the same name |',
  '| `edxnotes`, `notes` | `notes` |',
  '| `pdfbook`, `htmlbook`, `book` | `textbooks` |',
  '| `syllabus` | `syllabus` |',
  '| `instructor` | `instructor` (course team dashboard) |',
  '| a static tab: one segment and nothing after it, 32 hexadecimal digits (the slug Studio gives) or a `url_slug` of a `static_tab` in the course block’s `tabs` metadata | `static:<slug>` |',
  '',
  'Any other path (`xblock/…` handlers, `jump_to…`, `about`, …) is not a tab visit. `tab_name`',
  'is the static tab’s `name` from the course metadata when it is listed there, else the tab.',
  'Rows of named tabs come in the order of the table, static tabs after them by slug.',
].join('\n');

/**
 * The position where the event that ends a viewing of `videoId` says the video stopped:
 * `old_time` of a seek, `currentTime` (or `current_time`) of any other event of the same
 * video; null when the event is about another video, `videoId` is null, or it has no position.
 */
export function stopPosition(event: Document, videoId: string | null): number | null {
  const payload = payloadOf(event);
  if (videoId === null || videoIdOf(payload) !== videoId) return null;
  if (SEEK_EVENTS.has(eventTypeOf(event))) return numberOf(payload['old_time']);
  return numberOf(payload['currentTime'] ?? payload['current_time']);
}
