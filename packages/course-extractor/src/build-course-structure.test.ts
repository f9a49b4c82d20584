import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { InputError } from '@edx-data/core';
import { HAS_REALDATA } from '@edx-data/test-support';
import { buildCourseStructure, countByCategory } from './build-course-structure.js';
import type { StructureBlock } from './build-course-structure.js';
import { NESTED, key, structureJson } from './test-support/fixtures.js';
import type { BlockSpec } from './test-support/fixtures.js';
import { DEMO_STRUCTURE } from './test-support/realdata.js';

function byId(blocks: readonly StructureBlock[], id: string): StructureBlock {
  const block = blocks.find((b) => b.block_id === id);
  if (block === undefined) throw new Error(`no block ${id}`);
  return block;
}

describe(buildCourseStructure, () => {
  const { blocks, axis, issues } = buildCourseStructure(structureJson(NESTED));

  it('removes conditional and wrapper blocks and counts the rest', () => {
    expect(blocks.map((b) => b.block_id)).not.toContain('cond');
    expect(blocks.map((b) => b.block_id)).not.toContain('wrap');
    expect(issues.spliced).toBe(2);
    expect(blocks).toHaveLength(NESTED.length - 2);
    expect(countByCategory(blocks)).toEqual({
      chapter: 2,
      course: 1,
      html: 2,
      library_content: 1,
      problem: 6,
      sequential: 2,
      split_test: 1,
      vertical: 6,
      video: 1,
    });
    expect(issues).toEqual({ missingChildren: [], multipleParents: [], orphans: [], spliced: 2 });
  });

  it('splices the children into place, in order, and renumbers vertical_order', () => {
    const v1 = byId(blocks, 'v1');
    expect(v1.children).toEqual([
      key('problem', 'p1'),
      key('problem', 'p2'),
      key('html', 'h2'),
      key('html', 'h1'),
    ]);
    expect(byId(blocks, 'p1').parent_data.vertical_order).toBe(0);
    expect(byId(blocks, 'p2').parent_data.vertical_order).toBe(1);
    expect(byId(blocks, 'h2').parent_data.vertical_order).toBe(2);
    expect(byId(blocks, 'h1').parent_data.vertical_order).toBe(3);
    expect(byId(blocks, 'h2').parent).toBe(key('vertical', 'v1'));
  });

  it('gives the full parent_data chain of a leaf, in McGill field names', () => {
    expect(byId(blocks, 'p2').parent_data).toEqual({
      course_order: 0,
      course_id: 'course',
      course_display_name: 'The course',
      chapter_order: 0,
      chapter_id: 'chA',
      chapter_display_name: 'Week 1',
      sequential_order: 0,
      sequential_id: 's1',
      sequential_display_name: 'Lesson 1',
      vertical_order: 1,
      vertical_id: 'v1',
      vertical_display_name: 'vertical v1',
    });
    expect(byId(blocks, 'course').parent_data).toEqual({});
    expect(byId(blocks, 'chA').parent_data).toEqual({
      course_order: 0,
      course_id: 'course',
      course_display_name: 'The course',
    });
  });

  it('names the nearest vertical for nested verticals and split_test groups', () => {
    const p3 = byId(blocks, 'p3').parent_data;
    expect([p3.vertical_id, p3.vertical_order, p3.sequential_id, p3.sequential_order]).toEqual([
      'vIn',
      0,
      's1',
      1,
    ]);
    const st = byId(blocks, 'st').parent_data;
    expect([st.vertical_id, st.vertical_order]).toEqual(['v2', 1]);
    const p5 = byId(blocks, 'p5').parent_data;
    expect([p5.vertical_id, p5.vertical_order, p5.sequential_order, p5.chapter_id]).toEqual([
      'gB',
      0,
      1,
      'chA',
    ]);
  });

  it('reaches into library_content', () => {
    const p7 = byId(blocks, 'p7').parent_data;
    expect(p7).toMatchObject({
      vertical_id: 'v4',
      vertical_order: 0,
      sequential_id: 's2',
      chapter_id: 'chB',
      chapter_order: 0,
      course_order: 1,
    });
    expect(byId(blocks, 'chB').parent_data.course_order).toBe(1);
  });

  it('keeps the usage key as _id and the short id', () => {
    const p1 = byId(blocks, 'p1');
    expect(p1._id).toBe(key('problem', 'p1'));
    expect(p1.category).toBe('problem');
    expect(p1.display_name).toBe('P1');
    expect(p1.metadata).toEqual({ display_name: 'P1', weight: 2 });
  });

  it('lists the course axis in depth-first order with edx2bigquery paths', () => {
    expect(axis.map((r) => r.url_name)).toEqual([
      'course',
      'chA',
      's1',
      'v1',
      'p1',
      'p2',
      'h2',
      'h1',
      'v2',
      'vIn',
      'p3',
      'st',
      'gA',
      'p4',
      'gB',
      'p5',
      'chB',
      's2',
      'v4',
      'lc',
      'p6',
      'p7',
    ]);
    expect(axis.map((r) => r.index)).toEqual(axis.map((_, i) => i + 1));
    const row = (id: string) => axis.find((r) => r.url_name === id)!;
    expect(row('course').path).toBe('/1');
    expect(row('chA').path).toBe('/chA');
    expect(row('s1').path).toBe('/chA/s1');
    expect(row('v1').path).toBe('/chA/s1/1');
    expect(row('h2').path).toBe('/chA/s1/1/3');
    expect(row('p4').path).toBe('/chA/s1/2/2/1/1');
    expect(row('p7').path).toBe('/chB/s2/1/1/2');
  });

  it('fills the other axis fields, inheriting start, due, format and graded', () => {
    const row = (id: string) => axis.find((r) => r.url_name === id)!;
    expect(row('p2')).toEqual({
      index: 6,
      category: 'problem',
      url_name: 'p2',
      name: 'problem p2',
      path: '/chA/s1/1/2',
      parent: 'v1',
      chapter_mid: 'OrgX/C1/chapter/chA',
      graded: true,
      gformat: 'Homework',
      start: new Date('2024-01-08T00:00:00Z'),
      due: new Date('2024-02-01T00:00:00Z'),
      module_id: 'OrgX/C1/problem/p2',
      course_id: 'OrgX/C1/R1',
      usage_key: key('problem', 'p2'),
      is_split: false,
      split_url_name: null,
      data: {},
    });
    expect(row('chA').chapter_mid).toBeNull();
    expect(row('course').parent).toBeNull();
    expect(row('p6').graded).toBe(false);
    expect(row('p6').gformat).toBeNull();
    // chB starts before the course: the parent's start wins, as in edx2bigquery.
    expect(row('chB').start).toEqual(new Date('2024-01-01T00:00:00Z'));
    expect([row('p4').is_split, row('p4').split_url_name]).toEqual([true, 'st']);
    expect(row('st').data).toEqual({
      user_partition_id: '50',
      group_id_to_child: JSON.stringify({ '0': key('vertical', 'gA') }),
    });
    expect(row('p7').data).toEqual({ ytid: 'abcdefghijk' });
    expect(row('p1').data).toEqual({ weight: 2 });
  });

  it('uses courseId for course_id and module_id', () => {
    const built = buildCourseStructure(structureJson(NESTED), {
      courseId: 'course-v1:Other+Num+Run',
    });
    expect(built.axis[0]?.course_id).toBe('Other/Num/Run');
    expect(built.axis[0]?.module_id).toBe('Other/Num/course/course');
  });

  it('reports a missing child and loads the rest', () => {
    const json = structureJson([
      ['course', 'course', ['chapter:a', 'chapter:gone', 'chapter:b']],
      ['chapter', 'a', []],
      ['chapter', 'b', []],
    ]);
    const built = buildCourseStructure(json);
    expect(built.issues.missingChildren).toEqual([
      { parent: key('course', 'course'), child: key('chapter', 'gone') },
    ]);
    expect(built.blocks.map((b) => b.block_id)).toEqual(['course', 'a', 'b']);
    expect(built.blocks[2]?.parent_data.course_order).toBe(1);
  });

  it('reports blocks with several parents (the first in course order wins)', () => {
    const json = structureJson([
      ['course', 'course', ['chapter:a', 'chapter:b']],
      ['chapter', 'a', ['sequential:s']],
      ['chapter', 'b', ['sequential:s']],
      ['sequential', 's', []],
    ]);
    const built = buildCourseStructure(json);
    expect(built.issues.multipleParents).toEqual([
      { block: key('sequential', 's'), parents: [key('chapter', 'a'), key('chapter', 'b')] },
    ]);
    expect(built.blocks).toHaveLength(4);
    expect(built.blocks.find((b) => b.block_id === 's')?.parent_data.chapter_id).toBe('a');
  });

  it('loads orphans after the course, reported', () => {
    const json = structureJson([
      ['course', 'course', ['chapter:a']],
      ['chapter', 'a', []],
      ['vertical', 'lost', ['html:h']],
      ['html', 'h', []],
    ]);
    const built = buildCourseStructure(json);
    expect(built.issues.orphans).toEqual([key('vertical', 'lost')]);
    expect(built.axis.map((r) => r.url_name)).toEqual(['course', 'a', 'lost', 'h']);
    expect(built.blocks.find((b) => b.block_id === 'h')?.parent_data).toEqual({
      vertical_order: 0,
      vertical_id: 'lost',
      vertical_display_name: 'vertical lost',
    });
  });

  it('throws E_INPUT naming the blocks of a cycle', () => {
    const json = structureJson([
      ['course', 'course', ['chapter:a']],
      ['chapter', 'a', ['sequential:b']],
      ['sequential', 'b', ['vertical:c']],
      ['vertical', 'c', ['chapter:a']],
    ]);
    let error: unknown;
    try {
      buildCourseStructure(json);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('E_INPUT');
    const message = (error as InputError).message;
    for (const id of ['chapter+block@a', 'sequential+block@b', 'vertical+block@c']) {
      expect(message).toContain(id);
    }
  });

  it('finds a cycle that no root reaches, and one through a conditional', () => {
    const unreachable = structureJson([
      ['course', 'course', []],
      ['vertical', 'x', ['vertical:y']],
      ['vertical', 'y', ['vertical:x']],
    ]);
    expect(() => buildCourseStructure(unreachable)).toThrow(/vertical\+block@x/u);
    const throughConditional = structureJson([
      ['course', 'course', ['conditional:c']],
      ['conditional', 'c', ['wrapper:w']],
      ['wrapper', 'w', ['conditional:c']],
    ]);
    expect(() => buildCourseStructure(throughConditional)).toThrow(/conditional\+block@c/u);
  });

  it('reads i4x keys (McGill-era files)', () => {
    const json = {
      'i4x://McGillX/CHEM181x/course/1T2014': {
        category: 'course',
        children: ['i4x://McGillX/CHEM181x/chapter/0312'],
        metadata: { display_name: 'Chemistry' },
      },
      'i4x://McGillX/CHEM181x/chapter/0312': {
        category: 'chapter',
        children: ['i4x://McGillX/CHEM181x/sequential/ab12'],
        metadata: { display_name: 'Atoms' },
      },
      'i4x://McGillX/CHEM181x/sequential/ab12': {
        category: 'sequential',
        children: [],
        metadata: {},
      },
    };
    const built = buildCourseStructure(json);
    expect(built.blocks.map((b) => b.block_id)).toEqual(['1T2014', '0312', 'ab12']);
    expect(built.blocks[2]?.parent_data).toEqual({
      course_order: 0,
      course_id: '1T2014',
      course_display_name: 'Chemistry',
      chapter_order: 0,
      chapter_id: '0312',
      chapter_display_name: 'Atoms',
    });
    expect(built.blocks[2]?.display_name).toBeNull();
    expect(built.axis[2]).toMatchObject({
      course_id: 'McGillX/CHEM181x/1T2014',
      module_id: 'McGillX/CHEM181x/sequential/ab12',
      chapter_mid: 'McGillX/CHEM181x/chapter/0312',
      name: 'ab12',
      path: '/0312/ab12',
    });
  });

  it('rejects what is not a map of blocks', () => {
    expect(() => buildCourseStructure([])).toThrow(InputError);
    expect(() => buildCourseStructure({ a: { children: [] } })).toThrow(/no string "category"/u);
    expect(() => buildCourseStructure({ a: { category: 'html', children: 'x' } })).toThrow(
      /children/u,
    );
    expect(() => buildCourseStructure({}, { courseId: 'not a course' })).toThrow(/courseId/u);
  });
});

describe('the real edx-analytics-pipeline fixture', () => {
  it.runIf(HAS_REALDATA)('builds its one chapter and reports the missing sequential', async () => {
    const json: unknown = JSON.parse(await readFile(DEMO_STRUCTURE, 'utf8'));
    const { blocks, axis, issues } = buildCourseStructure(json);
    const chapter =
      'block-v1:edX+DemoX+Demo_Course+type@chapter+block@1414ffd5143b4b508f739b563ab468b7';
    expect(blocks).toEqual([
      {
        _id: chapter,
        block_id: '1414ffd5143b4b508f739b563ab468b7',
        category: 'chapter',
        display_name: 'About Exams and Certificates',
        children: [],
        parent: null,
        metadata: { display_name: 'About Exams and Certificates', start: '1970-01-01T05:00:00Z' },
        parent_data: {},
      },
    ]);
    expect(issues.missingChildren).toEqual([
      { parent: chapter, child: 'block-v1:edX+DemoX+Demo_Course+type@sequential+block@workflow' },
    ]);
    expect(issues.orphans).toEqual([chapter]);
    expect(axis).toHaveLength(1);
    expect(axis[0]?.course_id).toBe('edX/DemoX/Demo_Course');
  });
});

describe('large and deep structures', () => {
  it('builds 100 000 blocks in a wide course, and a 5000-deep chain, quickly', () => {
    const wide: BlockSpec[] = [
      ['course', 'course', ['chapter:c']],
      ['chapter', 'c', ['sequential:s']],
    ];
    const verticals: string[] = [];
    for (let v = 0; v < 1000; v++) {
      const leaves: string[] = [];
      for (let l = 0; l < 100; l++) {
        leaves.push(`html:h${v}_${l}`);
        wide.push(['html', `h${v}_${l}`, []]);
      }
      verticals.push(`vertical:v${v}`);
      wide.push(['vertical', `v${v}`, leaves]);
    }
    wide.push(['sequential', 's', verticals]);
    const started = performance.now();
    const built = buildCourseStructure(structureJson(wide));
    const wideMs = performance.now() - started;
    expect(built.blocks).toHaveLength(wide.length);
    expect(built.blocks.at(-1)?.parent_data).toMatchObject({
      vertical_id: 'v999',
      vertical_order: 99,
      sequential_order: 999,
    });

    const deep: BlockSpec[] = [['course', 'course', ['vertical:d0']]];
    for (let d = 0; d < 5000; d++) deep.push(['vertical', `d${d}`, [`vertical:d${d + 1}`]]);
    deep.push(['vertical', 'd5000', []]);
    const chain = buildCourseStructure(structureJson(deep));
    expect(chain.blocks.at(-1)?.parent_data.vertical_id).toBe('d4999');
    expect(wideMs).toBeLessThan(10_000);
    expect(performance.now() - started - wideMs).toBeLessThan(10_000);
  });
});
