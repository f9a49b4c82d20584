import { describe, expect, it } from 'vitest';
import { buildCourseStructure } from './build-course-structure.js';
import { indexBlocks, lookupBlock, lookupUrlBlock, resolveEventBlock } from './resolve-block.js';
import { NESTED, key, structureJson } from './test-support/fixtures.js';

const index = indexBlocks(
  buildCourseStructure(structureJson(NESTED), { courseId: 'course-v1:OrgX+C1+R1' }).blocks,
);
const idOf = (found: ReturnType<typeof lookupBlock>): string | undefined => found?.block.id;

describe(lookupBlock, () => {
  it('finds a block by usage key in every form, and by short id', () => {
    expect(idOf(lookupBlock(index, key('problem', 'p1')))).toBe(key('problem', 'p1'));
    expect(idOf(lookupBlock(index, 'i4x://OrgX/C1/problem/p1'))).toBe(key('problem', 'p1'));
    expect(idOf(lookupBlock(index, 'i4x-OrgX-C1-video-p7'))).toBe(key('video', 'p7'));
    expect(idOf(lookupBlock(index, 'p7'))).toBe(key('video', 'p7'));
    // Another run of the course keeps its block ids: matched by short id and category.
    expect(idOf(lookupBlock(index, 'block-v1:OrgX+C1+R2+type@html+block@h1'))).toBe(
      key('html', 'h1'),
    );
  });

  it('finds nothing for a wrong category, an unknown id or a spliced block', () => {
    expect(lookupBlock(index, 'block-v1:OrgX+C1+R1+type@video+block@p1')).toBeUndefined();
    expect(lookupBlock(index, 'nope')).toBeUndefined();
    expect(lookupBlock(index, key('conditional', 'cond'))).toBeUndefined();
    expect(lookupBlock(index, 'https://example.org/x')).toBeUndefined();
  });
});

describe(lookupUrlBlock, () => {
  const base = 'https://courses.edx.org/courses/course-v1:OrgX+C1+R1';
  it.each([
    [`${base}/courseware/chA/s1/`, key('sequential', 's1')],
    [`${base}/courseware/chA/s1/1`, key('vertical', 'v1')],
    [`${base}/courseware/chA/s1/2?activate_block_id=x#top`, key('vertical', 'v2')],
    [`${base}/courseware/chA/s1/9`, key('sequential', 's1')],
    [`${base}/courseware/chA/`, key('chapter', 'chA')],
    ['/courses/OrgX/C1/R1/courseware/chB/s2/1', key('vertical', 'v4')],
    [
      `/courses/course-v1:OrgX+C1+R1/xblock/${encodeURIComponent(key('problem', 'p3'))}/handler/xmodule_handler/problem_check`,
      key('problem', 'p3'),
    ],
    [`${base}/jump_to/${key('html', 'h2')}`, key('html', 'h2')],
  ])('%s → %s', (url, expected) => {
    expect(idOf(lookupUrlBlock(index, url))).toBe(expected);
    // Answered again from the cache.
    expect(idOf(lookupUrlBlock(index, url))).toBe(expected);
  });

  it('finds nothing outside the courseware', () => {
    expect(lookupUrlBlock(index, `${base}/info`)).toBeUndefined();
    expect(lookupUrlBlock(index, '/dashboard')).toBeUndefined();
    expect(lookupUrlBlock(index, `${base}/courseware/chZ/sZ/1`)).toBeUndefined();
  });
});

describe(resolveEventBlock, () => {
  it('tries event.id, event.problem_id, context.module.usage_key, event_type, then page', () => {
    const page = '/courses/OrgX/C1/R1/courseware/chA/s1/1';
    expect(
      idOf(
        resolveEventBlock(index, {
          event: { id: 'unknown', problem_id: key('problem', 'p4') },
          context: { module: { usage_key: key('problem', 'p5') } },
          page,
        }),
      ),
    ).toBe(key('problem', 'p4'));
    expect(
      idOf(
        resolveEventBlock(index, {
          event: '{"id": "p7", "currentTime": 1}',
          page,
        }),
      ),
    ).toBe(key('video', 'p7'));
    expect(
      idOf(
        resolveEventBlock(index, {
          event: '',
          context: { module: { usage_key: key('problem', 'p5') } },
          page,
        }),
      ),
    ).toBe(key('problem', 'p5'));
    expect(idOf(resolveEventBlock(index, { event: 'x=1', event_type: page, page: null }))).toBe(
      key('vertical', 'v1'),
    );
    expect(resolveEventBlock(index, { event_type: 'page_close' })).toBeUndefined();
  });

  it('returns the block with its parent_data, as course_structure has it', () => {
    const found = resolveEventBlock(index, { event: { problem_id: key('problem', 'p4') } });
    expect(found?.block).toEqual({
      id: key('problem', 'p4'),
      category: 'problem',
      display_name: 'problem p4',
    });
    expect(found?.parent_data).toMatchObject({
      vertical_id: 'gA',
      sequential_id: 's1',
      chapter_id: 'chA',
    });
  });
});
