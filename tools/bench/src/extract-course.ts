/**
 * Benchmark: extract one course out of three from a master of 3M tracking events on the
 * embedded store (issues 7 and 14).
 *
 *   npm run bench:extract-course -- [--events 3000000] [--layout bucketed|plain|both]
 *                                   [--batch N] [--dir DIR]
 *
 * For each layout, in its own child process and a new store: builds `tracking_logs.tracking`
 * with `--events` events shaped like the tracking loader's (original fields plus `_id`,
 * `_time`, `_course_id`, …) and a course structure of about 1,000 blocks for each course.
 * `bucketed` first creates the master as the loader does (`createCollection` with the
 * loader's `TRACKING_TIMESERIES`: the store's compressed buckets by course and day, issue 14);
 * `plain` is the layout before: a plain collection with the loader's `TRACKING_INDEXES`.
 * The store is closed (its size measured) and reopened, then, in the same run:
 *
 * - a plain indexed read: `find` with the extraction's filter, every document iterated;
 * - `extractCourseTracking` of the first course over the whole period (a third of the events),
 *   block join and writes to the course database included.
 *
 * Prints, for each layout, events/s for both, their ratio (goal: at least 0.5), the master's
 * size and peak RSS; with both layouts, the ratio of the bucketed extraction's events/s to
 * the plain one's (goal, issue 14: at least 3); then a plain-text table.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildCourseStructure,
  courseTrackingFilter,
  extractCourseTracking,
  parseCourseConfig,
} from '@edx-data/course-extractor';
import { COURSE_COLLECTIONS, courseDatabaseName, MASTER_TRACKING } from '@edx-data/core';
import { ObjectId, openStore } from '@edx-data/store';
import { TRACKING_INDEXES, TRACKING_TIMESERIES } from '@edx-data/tracking-loader';
import type { Document } from '@edx-data/store';
import type { Layout } from './measure.js';
import {
  flags,
  folderBytes,
  layouts,
  peakRssMiB,
  round,
  rssMiB,
  runChildJson,
  textTable,
  timed,
} from './measure.js';

const options = flags(process.argv.slice(2));
const total = Number(options['events'] ?? 3_000_000);
const batchSize = options['batch'] === undefined ? undefined : Number(options['batch']);

const COURSES = [
  { org: 'McGillX', course: 'ATOC185x', run: '2T2014' },
  { org: 'McGillX', course: 'CHEM181x', run: '1T2014' },
  { org: 'McGillX', course: 'Body101x', run: '1T2015' },
].map((c) => ({
  ...c,
  key: `course-v1:${c.org}+${c.course}+${c.run}`,
  legacy: `${c.org}/${c.course}/${c.run}`,
}));
const START = Date.UTC(2014, 8, 1);
const DAYS = 120;
const AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Safari/537.36';

interface Outline {
  readonly structure: Record<string, unknown>;
  /** [chapter id, sequential id] pairs, video and problem usage keys. */
  readonly sequentials: readonly (readonly [string, string])[];
  readonly videos: readonly string[];
  readonly problems: readonly string[];
}

/** 8 chapters × 5 sequentials × 4 verticals × (2 videos + 2 problems): 1,009 blocks. */
function outline(org: string, course: string, run: string): Outline {
  const prefix = `block-v1:${org}+${course}+${run}+type@`;
  const id = (category: string, n: string): string => `${prefix}${category}+block@${n}`;
  const structure: Record<string, unknown> = {};
  const add = (key: string, category: string, children: string[], name: string): void => {
    structure[key] = { category, children, metadata: { display_name: name } };
  };
  const sequentials: [string, string][] = [];
  const videos: string[] = [];
  const problems: string[] = [];
  const chapters: string[] = [];
  for (let c = 0; c < 8; c++) {
    const chapter = `ch${c}`;
    const seqs: string[] = [];
    for (let s = 0; s < 5; s++) {
      const seq = `${chapter}s${s}`;
      const verticals: string[] = [];
      for (let v = 0; v < 4; v++) {
        const vertical = `${seq}v${v}`;
        const leaves: string[] = [];
        for (let l = 0; l < 2; l++) {
          const video = id('video', createHash('md5').update(`${vertical}video${l}`).digest('hex'));
          const problem = id('problem', createHash('md5').update(`${vertical}p${l}`).digest('hex'));
          add(video, 'video', [], `Video ${vertical}.${l}`);
          add(problem, 'problem', [], `Problem ${vertical}.${l}`);
          leaves.push(video, problem);
          videos.push(video);
          problems.push(problem);
        }
        add(id('vertical', vertical), 'vertical', leaves, `Unit ${vertical}`);
        verticals.push(id('vertical', vertical));
      }
      add(id('sequential', seq), 'sequential', verticals, `Lesson ${seq}`);
      seqs.push(id('sequential', seq));
      sequentials.push([chapter, seq]);
    }
    add(id('chapter', chapter), 'chapter', seqs, `Week ${c}`);
    chapters.push(id('chapter', chapter));
  }
  add(id('course', run), 'course', chapters, `${course} ${run}`);
  return { structure, sequentials, videos, problems };
}

function at<T>(list: readonly T[], i: number): T {
  const item = list[i];
  if (item === undefined) throw new RangeError(`no item ${i}`);
  return item;
}

/**
 * Events as the tracking loader stores them, round-robin over the courses, in time order: the
 * original fields first (as parsed; a JSON `event` string decoded, `_event_decoded` set), then
 * the fields the loader adds, `_id` an ObjectId of the time in seconds and 8 bytes of a SHA-1.
 */
function* masterEvents(n: number, outlines: readonly Outline[]): Generator<Document> {
  const loadDate = new Date();
  const span = DAYS * 86_400_000;
  for (let i = 0; i < n; i++) {
    const c = i % COURSES.length;
    const course = at(COURSES, c);
    const shape = at(outlines, c);
    const time = new Date(START + Math.floor((i / n) * span));
    const day = time.toISOString().slice(0, 10);
    const user = (i * 2654435761) % 20_000;
    const [chapter, seq] = shape.sequentials[i % shape.sequentials.length] ?? ['', ''];
    const page = `https://courses.edx.org/courses/${course.key}/courseware/${chapter}/${seq}/${(i % 4) + 1}`;
    const kind = i % 5;
    const base: Document = {
      username: `learner${user}`,
      ip: `10.${user % 256}.${(user >> 8) % 256}.1`,
      agent: AGENT,
      host: 'courses.edx.org',
      session: createHash('md5').update(String(user)).digest('hex'),
      referer: page,
      accept_language: 'en-US,en;q=0.9',
      time: `${time.toISOString().slice(0, 23)}000+00:00`,
    };
    const context = { course_id: course.key, org_id: course.org, user_id: user, path: '/event' };
    let original: Document;
    let decoded = true;
    if (kind === 0 || kind === 1) {
      const video = shape.videos[i % shape.videos.length] ?? '';
      original = {
        ...base,
        event_source: 'browser',
        event_type: kind === 0 ? 'play_video' : 'pause_video',
        event: { id: video.slice(video.lastIndexOf('@') + 1), currentTime: i % 600, code: 'html5' },
        context,
        page,
      };
    } else if (kind === 2) {
      const problem = shape.problems[i % shape.problems.length] ?? '';
      decoded = false;
      original = {
        ...base,
        event_source: 'server',
        event_type: 'problem_check',
        event: {
          problem_id: problem,
          attempts: 1 + (i % 3),
          grade: i % 2,
          max_grade: 1,
          success: i % 2 === 1 ? 'correct' : 'incorrect',
          answers: { [`${problem}_2_1`]: 'choice_1' },
        },
        context: { ...context, module: { display_name: 'Problem', usage_key: problem } },
        page: null,
      };
    } else if (kind === 3) {
      // A server page view: `event` is the string '{"POST": {}, "GET": {}}', which the loader decodes.
      original = {
        ...base,
        event_source: 'server',
        event_type: `/courses/${course.key}/courseware/${chapter}/${seq}/`,
        event: { POST: {}, GET: {} },
        context,
        page: null,
      };
    } else {
      decoded = false;
      original = {
        ...base,
        event_source: 'browser',
        event_type: 'page_close',
        event: '',
        context,
        page,
      };
    }
    yield {
      ...original,
      // As the tracking loader's ids: the time in seconds, then 8 bytes of the line's SHA-1.
      _id: new ObjectId(
        Math.floor(time.getTime() / 1000)
          .toString(16)
          .padStart(8, '0') + createHash('sha1').update(`line ${i}`).digest('hex').slice(0, 16),
      ),
      _time: time,
      _course_id: course.key,
      _course_id_legacy: course.legacy,
      _course_id_source: 'context',
      _load_file: `mcgillx-edx-events-${day}.log.gz`,
      _load_line: i + 1,
      _load_date: loadDate,
      ...(decoded ? { _event_decoded: true } : {}),
    };
  }
}

/** What one layout's child measured. */
interface LayoutResult {
  readonly layout: Layout;
  readonly masterEvents: number;
  readonly masterBuildSeconds: number;
  readonly masterMB: number;
  readonly course: string;
  readonly window: readonly string[];
  readonly read: number;
  readonly readSeconds: number;
  readonly extracted: number;
  readonly inserted: number;
  readonly withBlock: number;
  readonly counted: number;
  readonly extractSeconds: number;
  readonly peakRssMiB: number;
}

/** Builds the master in `layout` in a new store under `dir`, then reads and extracts. */
async function measure(layout: Layout, dir: string): Promise<LayoutResult> {
  const storeDir = join(dir, `store-${layout}`);
  rmSync(storeDir, { recursive: true, force: true });
  const store = await openStore(storeDir);
  const outlines = COURSES.map((c) => outline(c.org, c.course, c.run));

  const built = await timed(async () => {
    for (const [i, course] of COURSES.entries()) {
      const { blocks } = buildCourseStructure(outlines[i]?.structure, { courseId: course.key });
      const structure = store
        .db(courseDatabaseName(course.key))
        .collection(COURSE_COLLECTIONS.course_structure);
      await structure.drop();
      await structure.insertMany(blocks);
    }
    const database = store.db(MASTER_TRACKING.database);
    const master = database.collection(MASTER_TRACKING.events);
    await master.drop();
    if (layout === 'bucketed') {
      // As the tracking loader creates it; a bucketed collection has no other index.
      await database.createCollection(MASTER_TRACKING.events, { timeseries: TRACKING_TIMESERIES });
    } else {
      for (const spec of TRACKING_INDEXES) await master.createIndex(spec);
    }
    return master.insertMany(masterEvents(total, outlines), { ordered: false });
  });
  await store.close();
  const masterBytes = folderBytes(storeDir);
  const reopened = await openStore(storeDir);

  const course = at(COURSES, 0);
  const last = new Date(START + (DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  const config = parseCourseConfig({
    edx_id: course.key,
    course_ids: [course.legacy],
    date_of_course_enrollment: new Date(START).toISOString().slice(0, 10),
    date_of_course_completion: last,
  });
  const master = reopened.db(MASTER_TRACKING.database).collection(MASTER_TRACKING.events);
  await reopened.db(config.database).collection(COURSE_COLLECTIONS.tracking).drop();

  let peakSample = rssMiB();
  const sampler = setInterval(() => {
    peakSample = Math.max(peakSample, rssMiB());
  }, 100);
  const read = await timed(async () => {
    let n = 0;
    for await (const doc of master.find(courseTrackingFilter(config))) if (doc['_id']) n++;
    return n;
  });
  const extracted = await timed(() =>
    extractCourseTracking(reopened, config, batchSize === undefined ? {} : { batchSize }),
  );
  clearInterval(sampler);
  const counted = await reopened
    .db(config.database)
    .collection(COURSE_COLLECTIONS.tracking)
    .countDocuments();
  await reopened.close();
  rmSync(storeDir, { recursive: true, force: true });
  return {
    layout,
    masterEvents: built.value.insertedCount,
    masterBuildSeconds: built.seconds,
    masterMB: round(masterBytes / 1e6),
    course: course.key,
    window: [config.from.toISOString(), config.toExclusive.toISOString()],
    read: read.value,
    readSeconds: read.seconds,
    extracted: extracted.value.read,
    inserted: extracted.value.inserted,
    withBlock: extracted.value.withBlock,
    counted,
    extractSeconds: extracted.seconds,
    peakRssMiB: Math.max(peakRssMiB(), peakSample),
  };
}

async function main(): Promise<void> {
  const wanted = layouts(options['layout']);
  const child = options['child'];
  if (child !== undefined) {
    console.log(JSON.stringify(await measure(wanted[0] ?? 'bucketed', child)));
    return;
  }
  const dir = options['dir'] ?? mkdtempSync(join(tmpdir(), 'edx-bench-extract-'));
  const results: LayoutResult[] = [];
  try {
    for (const layout of wanted) {
      // Each layout in its own process: its own peak RSS, no cache left by the other.
      const args = ['--child', dir, '--layout', layout, '--events', String(total)];
      if (batchSize !== undefined) args.push('--batch', String(batchSize));
      let r: LayoutResult;
      try {
        r = runChildJson(import.meta.url, args) as LayoutResult;
      } catch {
        // The child printed its error; the other layout is still measured.
        console.error(`extract-course: the ${layout} layout failed`);
        process.exitCode = 1;
        continue;
      }
      results.push(r);
      const readRate = r.read / r.readSeconds;
      const extractRate = r.extracted / r.extractSeconds;
      console.log(
        JSON.stringify({
          bench: 'extract-course',
          layout,
          masterEvents: r.masterEvents,
          masterBuildSeconds: round(r.masterBuildSeconds, 1),
          masterMB: r.masterMB,
          course: r.course,
          window: r.window,
          events: r.extracted,
          inserted: r.inserted,
          withBlock: r.withBlock,
          counted: r.counted,
          indexedRead: { seconds: round(r.readSeconds, 2), eventsPerSecond: Math.round(readRate) },
          extract: {
            seconds: round(r.extractSeconds, 2),
            eventsPerSecond: Math.round(extractRate),
          },
          ratio: round(extractRate / readRate, 3),
          peakRssMiB: round(r.peakRssMiB),
          goal: { ratio: 0.5 },
        }),
      );
      if (r.counted !== r.read || r.extracted !== r.read) {
        console.error(`extract-course (${layout}): read ${r.read} events, extracted ${r.counted}`);
        process.exitCode = 1;
      }
    }
  } finally {
    if (options['dir'] === undefined) rmSync(dir, { recursive: true, force: true });
  }
  const bucketed = results.find((r) => r.layout === 'bucketed');
  const plain = results.find((r) => r.layout === 'plain');
  const rate = (r: LayoutResult): number => r.extracted / r.extractSeconds;
  if (bucketed !== undefined && plain !== undefined) {
    console.log(
      JSON.stringify({
        bench: 'extract-course',
        extractBucketedOverPlain: round(rate(bucketed) / rate(plain), 3),
        readBucketedOverPlain: round(
          bucketed.read / bucketed.readSeconds / (plain.read / plain.readSeconds),
          3,
        ),
        goal: { extractBucketedOverPlain: 3 },
      }),
    );
  }
  console.log(
    `\n${textTable(
      [
        'layout',
        'master MB',
        'build s',
        'read s',
        'read events/s',
        'extract s',
        'extract events/s',
        'extract/read',
        'peak RSS MiB',
      ],
      results.map((r) => [
        r.layout,
        r.masterMB,
        round(r.masterBuildSeconds, 1),
        round(r.readSeconds, 2),
        Math.round(r.read / r.readSeconds),
        round(r.extractSeconds, 2),
        Math.round(rate(r)),
        round(rate(r) / (r.read / r.readSeconds), 3),
        round(r.peakRssMiB),
      ]),
    )}`,
  );
}

await main();
