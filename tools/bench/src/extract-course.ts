/**
 * Benchmark: extract one course out of three from a master of 3M tracking events on the
 * embedded store (issue 7).
 *
 *   npm run bench:extract-course -- [--events 3000000] [--batch N] [--dir DIR]
 *
 * Builds `tracking_logs.tracking` with `--events` events shaped like the tracking loader's
 * (original fields plus `_id`, `_time`, `_course_id`, … and the loader's three indexes), a
 * course structure of about 1,000 blocks for each course, then times, in the same run:
 *
 * - a plain indexed read: `find` with the extraction's filter, every document iterated;
 * - `extractCourseTracking` of the first course over the whole period (a third of the events),
 *   block join and writes to the course database included.
 *
 * Prints events/s for both, their ratio (goal: at least 0.5) and peak RSS.
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
import type { Document } from '@edx-data/store';
import { flags, peakRssMiB, round, rssMiB, timed } from './measure.js';

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

/** Events as the tracking loader stores them, round-robin over the courses, in time order. */
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
      // As the tracking loader's ids: the time in seconds, then 8 bytes of the line's SHA-1.
      _id: new ObjectId(
        Math.floor(time.getTime() / 1000)
          .toString(16)
          .padStart(8, '0') + createHash('sha1').update(`line ${i}`).digest('hex').slice(0, 16),
      ),
      username: `learner${user}`,
      ip: `10.${user % 256}.${(user >> 8) % 256}.1`,
      agent: AGENT,
      host: 'courses.edx.org',
      session: createHash('md5').update(String(user)).digest('hex'),
      referer: page,
      accept_language: 'en-US,en;q=0.9',
      time: `${time.toISOString().slice(0, 23)}000+00:00`,
      _time: time,
      _course_id: course.key,
      _course_id_legacy: course.legacy,
      _course_id_source: 'context',
      _load_file: `mcgillx-edx-events-${day}.log.gz`,
      _load_line: i + 1,
      _load_date: loadDate,
    };
    const context = { course_id: course.key, org_id: course.org, user_id: user, path: '/event' };
    if (kind === 0 || kind === 1) {
      const video = shape.videos[i % shape.videos.length] ?? '';
      yield {
        ...base,
        event_source: 'browser',
        event_type: kind === 0 ? 'play_video' : 'pause_video',
        event: { id: video.slice(video.lastIndexOf('@') + 1), currentTime: i % 600, code: 'html5' },
        context,
        page,
        _event_decoded: true,
      };
    } else if (kind === 2) {
      const problem = shape.problems[i % shape.problems.length] ?? '';
      yield {
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
      yield {
        ...base,
        event_source: 'server',
        event_type: `/courses/${course.key}/courseware/${chapter}/${seq}/`,
        event: '{"POST": {}, "GET": {}}',
        context,
        page: null,
      };
    } else {
      yield {
        ...base,
        event_source: 'browser',
        event_type: 'page_close',
        event: '',
        context,
        page,
      };
    }
  }
}

async function main(): Promise<void> {
  const dir = options['dir'] ?? mkdtempSync(join(tmpdir(), 'edx-bench-extract-'));
  const store = await openStore(join(dir, 'store'));
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
    const master = store.db(MASTER_TRACKING.database).collection(MASTER_TRACKING.events);
    await master.drop();
    await master.createIndex({ _course_id: 1, _time: 1 });
    await master.createIndex({ username: 1, _time: 1 });
    await master.createIndex({ event_type: 1 });
    return master.insertMany(masterEvents(total, outlines), { ordered: false });
  });

  const course = at(COURSES, 0);
  const last = new Date(START + (DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  const config = parseCourseConfig({
    edx_id: course.key,
    course_ids: [course.legacy],
    date_of_course_enrollment: new Date(START).toISOString().slice(0, 10),
    date_of_course_completion: last,
  });
  const master = store.db(MASTER_TRACKING.database).collection(MASTER_TRACKING.events);
  await store.db(config.database).collection(COURSE_COLLECTIONS.tracking).drop();

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
    extractCourseTracking(store, config, batchSize === undefined ? {} : { batchSize }),
  );
  clearInterval(sampler);
  const count = await store
    .db(config.database)
    .collection(COURSE_COLLECTIONS.tracking)
    .countDocuments();
  await store.close();
  if (options['dir'] === undefined) rmSync(dir, { recursive: true, force: true });

  const readRate = read.value / read.seconds;
  const extractRate = extracted.value.read / extracted.seconds;
  const result = {
    bench: 'extract-course',
    masterEvents: built.value.insertedCount,
    masterBuildSeconds: round(built.seconds, 1),
    course: course.key,
    window: [config.from.toISOString(), config.toExclusive.toISOString()],
    events: extracted.value.read,
    inserted: extracted.value.inserted,
    withBlock: extracted.value.withBlock,
    counted: count,
    indexedRead: { seconds: round(read.seconds, 2), eventsPerSecond: Math.round(readRate) },
    extract: { seconds: round(extracted.seconds, 2), eventsPerSecond: Math.round(extractRate) },
    ratio: round(extractRate / readRate, 3),
    peakRssMiB: round(Math.max(peakRssMiB(), peakSample)),
    goal: { ratio: 0.5 },
  };
  console.log(JSON.stringify(result));
  if (count !== read.value || extracted.value.read !== read.value) {
    console.error(`extract-course: read ${read.value} events, extracted ${count}`);
    process.exitCode = 1;
  }
}

await main();
