import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { courseIdOfEvent, formatCourseKey, parseCourseId, tryParseCourseId } from './course-id.js';
import { InputError } from './errors.js';
import { REALDATA } from '@edx-data/test-support';

describe(tryParseCourseId, () => {
  // [text, org, course, run, form, ccx?]
  const complete: readonly [string, string, string, string, string, string?][] = [
    ['McGillX/CHEM181x/1T2014', 'McGillX', 'CHEM181x', '1T2014', 'slash'],
    ['MITx/6.00.1x/1T2014', 'MITx', '6.00.1x', '1T2014', 'slash'],
    ['MITx/6.00.1-x/1T2014', 'MITx', '6.00.1-x', '1T2014', 'slash'],
    ['MITx/6.00.1x/2T2017_2', 'MITx', '6.00.1x', '2T2017_2', 'slash'],
    ['Medicine/Sci-Write/Fall2014', 'Medicine', 'Sci-Write', 'Fall2014', 'slash'],
    ['edX/Open_DemoX/edx_demo_course', 'edX', 'Open_DemoX', 'edx_demo_course', 'slash'],
    ['  McGillX/ATOC185x_2/1T2015\n', 'McGillX', 'ATOC185x_2', '1T2015', 'slash'],
    ['MITx%2F6.00x%2F2013_Spring', 'MITx', '6.00x', '2013_Spring', 'slash'],
    ['course-v1:DelftX+FP101x+3T2015', 'DelftX', 'FP101x', '3T2015', 'course-v1'],
    ['course-v1:edX+DemoX+Demo_Course', 'edX', 'DemoX', 'Demo_Course', 'course-v1'],
    ['course-v1:MITx+6.00.1x+2T2017_2', 'MITx', '6.00.1x', '2T2017_2', 'course-v1'],
    [
      'course-v1:edX+DemoX+Demo_Course+branch@draft+version@5a1b',
      'edX',
      'DemoX',
      'Demo_Course',
      'course-v1',
    ],
    ['course-v1%3AedX%2BDemoX%2BDemo_Course', 'edX', 'DemoX', 'Demo_Course', 'course-v1'],
    ['course-v1:edX DemoX Demo_Course', 'edX', 'DemoX', 'Demo_Course', 'course-v1'],
    [
      'ccx-v1:AcceptanceX+Demo_ccx+T2_2014+ccx@101',
      'AcceptanceX',
      'Demo_ccx',
      'T2_2014',
      'ccx-v1',
      '101',
    ],
    [
      'block-v1:OpenCraft+DnDv2101x+2016+type@drag-and-drop-v2+block@3bfc485604ba44f48ca653ae4907b76b',
      'OpenCraft',
      'DnDv2101x',
      '2016',
      'block-v1',
    ],
    [
      'block-v1:edX+DemoX+Demo_Course+type@course+block@course',
      'edX',
      'DemoX',
      'Demo_Course',
      'block-v1',
    ],
    [
      'asset-v1:edX+DemoX+Demo_Course_2015+type@asset+block@Unit_1.pdf',
      'edX',
      'DemoX',
      'Demo_Course_2015',
      'asset-v1',
    ],
    ['i4x://edX/DemoX/course/1T2015', 'edX', 'DemoX', '1T2015', 'i4x'],
    // URLs and paths, slash and course-v1 forms, percent-encoded or not.
    ['/courses/McGillX/CHEM181x/1T2014/info', 'McGillX', 'CHEM181x', '1T2014', 'url'],
    ['/courses/McGillX/CHEM181x/1T2014', 'McGillX', 'CHEM181x', '1T2014', 'url'],
    ['/courses/MITx/6.00.1x/1T2014/courseware/', 'MITx', '6.00.1x', '1T2014', 'url'],
    [
      'http://example.m.sandbox.edx.org/courses/edX/E929/2014_T2/courseware/0b00125535c042e2a29385a31151f720/93cbaf77d8ea48a78e473367696415e4/',
      'edX',
      'E929',
      '2014_T2',
      'url',
    ],
    [
      'https://courses.edx.org/courses/course-v1:DelftX+FP101x+3T2015/courseware/5240e299c3604e319986d1d8b3459a5a/26402b5abcfd4cd390411b07668b6102/',
      'DelftX',
      'FP101x',
      '3T2015',
      'url',
    ],
    [
      'http://helga.local:8000/courses/course-v1:OpenCraft+PRDemo1+2016/courseware/f9ef/3be7/?child=first',
      'OpenCraft',
      'PRDemo1',
      '2016',
      'url',
    ],
    ['/courses/course-v1%3AedX%2BDemoX%2BDemo_Course/info', 'edX', 'DemoX', 'Demo_Course', 'url'],
    [
      '/courses/ccx-v1:AcceptanceX+Demo_ccx+T2_2014+ccx@102/courseware',
      'AcceptanceX',
      'Demo_ccx',
      'T2_2014',
      'url',
      '102',
    ],
    [
      '/courses/edX/E929/2014_T2/xblock/i4x:;_;_edX;_E929;_problem;_466bffd122ce457ea3ae34a46f0130fa/handler/xmodule_handler/problem_check',
      'edX',
      'E929',
      '2014_T2',
      'url',
    ],
    ['/courses/edX/DemoX/Demo_Course?x=1', 'edX', 'DemoX', 'Demo_Course', 'url'],
    ['/courses/MITx%2F6.00x%2F2013_Spring/info', 'MITx', '6.00x', '2013_Spring', 'url'],
    // Studio paths: a key anywhere in the path names the course.
    ['/course/course-v1:OpenCraft+VD101x+2016', 'OpenCraft', 'VD101x', '2016', 'url'],
    [
      '/xblock/outline/block-v1:OpenCraft+VD101x+2016+type@course+block@course',
      'OpenCraft',
      'VD101x',
      '2016',
      'url',
    ],
    [
      '/asset-v1:edX+DemoX+Demo_Course_2015+type@asset+block/Unit_1.pdf',
      'edX',
      'DemoX',
      'Demo_Course_2015',
      'url',
    ],
  ];

  it.each(complete)('parses %s', (text, org, course, run, form, ccx) => {
    const id = tryParseCourseId(text);
    expect(id).toMatchObject({ hasRun: true, org, course, run, form });
    expect(id?.ccx).toBe(ccx);
    expect(id?.legacy).toBe(`${org}/${course}/${run}`);
    expect(id?.key).toBe(
      ccx === undefined
        ? `course-v1:${org}+${course}+${run}`
        : `ccx-v1:${org}+${course}+${run}+ccx@${ccx}`,
    );
  });

  it('gives the same key for the slash, course-v1 and URL forms', () => {
    const keys = [
      'MITx/6.00.1-x/1T2014',
      'course-v1:MITx+6.00.1-x+1T2014',
      '/courses/MITx/6.00.1-x/1T2014/about',
      'https://courses.edx.org/courses/course-v1:MITx+6.00.1-x+1T2014/progress',
      'block-v1:MITx+6.00.1-x+1T2014+type@problem+block@abc',
    ].map((text) => tryParseCourseId(text)?.key);
    expect(new Set(keys)).toEqual(new Set(['course-v1:MITx+6.00.1-x+1T2014']));
  });

  it.each([
    ['i4x://edX/DemoX/sequential/93cb', 'edX', 'DemoX', 'i4x'],
    ['i4x://Medicine/HRP258/problem/31fcf9829f3d461e92c1f14cbaee1743', 'Medicine', 'HRP258', 'i4x'],
    ['c4x://McGillX/ATOC185x/asset/slides.pdf', 'McGillX', 'ATOC185x', 'c4x'],
    ['/c4x/McGillX/ATOC185x/asset/slides.pdf', 'McGillX', 'ATOC185x', 'c4x'],
  ] as const)('returns %s without a run', (text, org, course, form) => {
    expect(tryParseCourseId(text)).toEqual({
      hasRun: false,
      org,
      course,
      run: undefined,
      key: undefined,
      legacy: undefined,
      form,
    });
  });

  it.each([
    '',
    '   ',
    'problem_check',
    '/courses',
    '/courses/edX/DemoX',
    '/accounts/login',
    '/heartbeat',
    'http://courses.example.com/a/',
    'edX/DemoX',
    'a/b/c/d',
    './x/y',
    'edX//Demo',
    'course-v1:edX+DemoX',
    'course-v1:edX+DemoX+Demo+junk',
    'ccx-v1:AcceptanceX+Demo_ccx+T2_2014',
    'course-v1:edX+DemoX+Demo+ccx@1',
    'ccx-v1:A+B+C+ccx@x',
    'block-v1:version@5a1b+type@problem+block@abc',
    'library-v1:edX+lib1',
    'i4x-edX-DemoX-video-0b9e',
    'edX/Demo X/2014',
    'course-v1:bad/courseware/x',
    '/courses/course-v1:bad/courseware/x',
    '/dashboard?next=/courses/edX/DemoX/Demo_Course',
  ])('returns null for %j', (text) => {
    expect(tryParseCourseId(text)).toBeNull();
  });
});

describe(parseCourseId, () => {
  it('returns the parsed id', () => {
    expect(parseCourseId('McGillX/Body101x/1T2015').key).toBe('course-v1:McGillX+Body101x+1T2015');
  });

  it('throws E_COURSE_ID when there is no course id', () => {
    expect(() => parseCourseId('/heartbeat')).toThrow(InputError);
    expect(() => parseCourseId('/heartbeat')).toThrow(
      expect.objectContaining({ code: 'E_COURSE_ID', message: 'not a course id: "/heartbeat"' }),
    );
  });
});

describe(formatCourseKey, () => {
  it('formats course and CCX keys', () => {
    expect(formatCourseKey('edX', 'DemoX', 'Demo_Course')).toBe('course-v1:edX+DemoX+Demo_Course');
    expect(formatCourseKey('A', 'B', 'C', '7')).toBe('ccx-v1:A+B+C+ccx@7');
  });
});

describe(courseIdOfEvent, () => {
  const chem = { key: 'course-v1:McGillX+CHEM181x+1T2014', legacy: 'McGillX/CHEM181x/1T2014' };

  it.each([
    [
      'context.course_id first',
      {
        event_source: 'server',
        event_type: '/courses/edX/Other/2014/info',
        context: { course_id: 'McGillX/CHEM181x/1T2014' },
      },
      { ...chem, source: 'context' },
    ],
    [
      'context.course_id in course-v1 form',
      { context: { course_id: 'course-v1:DelftX+FP101x+3T2015' } },
      { key: 'course-v1:DelftX+FP101x+3T2015', legacy: 'DelftX/FP101x/3T2015', source: 'context' },
    ],
    [
      'a CCX context',
      { context: { course_id: 'ccx-v1:AcceptanceX+Demo_ccx+T2_2014+ccx@101' } },
      {
        key: 'ccx-v1:AcceptanceX+Demo_ccx+T2_2014+ccx@101',
        legacy: 'AcceptanceX/Demo_ccx/T2_2014',
        source: 'context',
      },
    ],
    [
      'the event_type URL when context.course_id is empty (not the empty string)',
      {
        event_source: 'server',
        event_type: '/courses/McGillX/CHEM181x/1T2014/info',
        context: { course_id: '' },
      },
      { ...chem, source: 'event_type' },
    ],
    [
      'the event_type URL when there is no context and no event_source',
      { event_type: '/courses/McGillX/CHEM181x/1T2014/courseware/ch1/seq1/' },
      { ...chem, source: 'event_type' },
    ],
    [
      'a course-v1 event_type URL (read whole, not as three slash segments)',
      {
        event_source: 'server',
        event_type:
          '/courses/course-v1:OpenCraft+DnDv2101x+2016/xblock/block-v1:OpenCraft+DnDv2101x+2016+type@drag-and-drop-v2+block@3bfc/handler/publish_event',
      },
      {
        key: 'course-v1:OpenCraft+DnDv2101x+2016',
        legacy: 'OpenCraft/DnDv2101x/2016',
        source: 'event_type',
      },
    ],
    [
      'dots in the URL are kept',
      { event_type: '/courses/MITx/6.00.1x/1T2014/info' },
      { key: 'course-v1:MITx+6.00.1x+1T2014', legacy: 'MITx/6.00.1x/1T2014', source: 'event_type' },
    ],
    [
      'the page URL of a browser event',
      {
        event_source: 'browser',
        event_type: 'play_video',
        context: {},
        page: 'https://courses.edx.org/courses/course-v1:DelftX+FP101x+3T2015/courseware/5240/2640/',
      },
      { key: 'course-v1:DelftX+FP101x+3T2015', legacy: 'DelftX/FP101x/3T2015', source: 'page' },
    ],
    [
      'GET.next of /accounts/login (event as a JSON string)',
      {
        event_source: 'server',
        event_type: '/accounts/login',
        event: '{"POST": {}, "GET": {"next": ["/courses/McGillX/CHEM181x/1T2014/courseware/"]}}',
        page: null,
      },
      { ...chem, source: 'login_next' },
    ],
    [
      'GET.next of /accounts/login/ (trailing slash, event as an object)',
      {
        event_type: '/accounts/login/',
        event: { GET: { next: ['/courses/course-v1:McGillX+CHEM181x+1T2014/info'] }, POST: {} },
      },
      { ...chem, source: 'login_next' },
    ],
    [
      'GET.next of a login event cut at 512 characters',
      {
        event_type: '/accounts/login',
        event:
          `{"GET": {"next": ["/courses/McGillX/CHEM181x/1T2014/info"]}, "POST": {"x": "${'y'.repeat(500)}`.slice(
            0,
            512,
          ),
      },
      { ...chem, source: 'login_next' },
    ],
    [
      'event.course_id of an enrollment event',
      {
        event_source: 'server',
        event_type: 'edx.course.enrollment.activated',
        context: { course_id: '' },
        event: { course_id: 'McGillX/CHEM181x/1T2014', user_id: 7, mode: 'honor' },
      },
      { ...chem, source: 'event' },
    ],
  ])('takes %s', (_name, event, expected) => {
    expect(courseIdOfEvent(event)).toEqual(expected);
  });

  it('takes the real login event of the Stanford fixture', () => {
    const event = JSON.parse(
      '{"username": "", "event_source": "server", "event_type": "/accounts/login", "context": {"course_id": "", "path": "/accounts/login"}, "event": "{\\"POST\\": {}, \\"GET\\": {\\"next\\": [\\"/courses/edX/Open_DemoX/edx_demo_course/courseware/interactive_demonstrations/basic_questions/\\"]}}", "page": null}',
    ) as unknown;
    expect(courseIdOfEvent(event)).toEqual({
      key: 'course-v1:edX+Open_DemoX+edx_demo_course',
      legacy: 'edX/Open_DemoX/edx_demo_course',
      source: 'login_next',
    });
  });

  it.each([
    ['not an object', 'problem_check'],
    ['null', null],
    ['an array', [1, 2]],
    [
      'a heartbeat',
      { event_source: 'server', event_type: '/heartbeat', context: { course_id: '' } },
    ],
    ['a course list page', { event_type: '/courses', page: null }],
    ['an i4x id only (no run)', { event: { problem_id: 'i4x://edX/DemoX/problem/abc' } }],
    ['a bad context id and nothing else', { context: { course_id: 42 }, page: 'http://x/about' }],
    ['a login without next', { event_type: '/accounts/login', event: '{"GET": {}, "POST": {}}' }],
    [
      'a next that is not a course',
      { event_type: '/accounts/login', event: { GET: { next: ['/dashboard'] } } },
    ],
  ])('returns null for %s', (_name, event) => {
    expect(courseIdOfEvent(event)).toBeNull();
  });

  it('ignores GET.next unless the event is a login', () => {
    expect(
      courseIdOfEvent({ event_type: '/register', event: { GET: { next: ['/courses/a/b/c/'] } } }),
    ).toBeNull();
  });
});

const PIPE_INPUT = `${REALDATA}/openedx+edx-analytics-pipeline/edx/analytics/tasks/tests/acceptance/fixtures/input`;
const HAS_PIPE_INPUT = existsSync(PIPE_INPUT);
if (!HAS_PIPE_INPUT) {
  console.log(
    `courseIdOfEvent over the PIPE tracking fixtures: skipped (${PIPE_INPUT} not found; set EDX_REALDATA)`,
  );
}

describe.skipIf(!HAS_PIPE_INPUT)('courseIdOfEvent over the PIPE tracking fixtures', () => {
  it('finds a well-formed id for most events, from the context whenever it has one', () => {
    const sources = new Map<string, number>();
    for (const name of readdirSync(PIPE_INPUT).filter((n) => n.endsWith('.log'))) {
      for (const line of readFileSync(join(PIPE_INPUT, name), 'utf8').split('\n')) {
        let event: unknown;
        try {
          event = JSON.parse(line);
        } catch {
          continue;
        }
        const found = courseIdOfEvent(event);
        sources.set(found?.source ?? 'none', (sources.get(found?.source ?? 'none') ?? 0) + 1);
        if (found === null) continue;
        const id = parseCourseId(found.key);
        expect(id.hasRun && id.legacy).toBe(found.legacy);
        const context = (event as { context?: { course_id?: unknown } }).context?.course_id;
        if (typeof context === 'string' && context !== '') {
          expect(found).toMatchObject({ source: 'context', key: parseCourseId(context).key });
        }
      }
    }
    expect(sources.get('context')).toBeGreaterThan(1000);
    expect(sources.get('event_type')).toBeGreaterThan(100);
    expect(sources.get('event')).toBeGreaterThanOrEqual(1);
  });
});
