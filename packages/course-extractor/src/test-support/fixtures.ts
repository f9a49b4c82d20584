/** Tiny hand-made course structures for the tests. */

export const PREFIX = 'block-v1:OrgX+C1+R1+type@';

/** The block-v1 usage key of a block of the test course. */
export function key(category: string, id: string): string {
  return `${PREFIX}${category}+block@${id}`;
}

export type BlockSpec = readonly [
  category: string,
  id: string,
  children: readonly string[],
  metadata?: Record<string, unknown>,
];

/** A course_structure JSON map from specs whose children are `category:id` references. */
export function structureJson(specs: readonly BlockSpec[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [category, id, children, metadata] of specs) {
    out[key(category, id)] = {
      category,
      children: children.map((ref) => {
        const [c, i] = ref.split(':');
        return key(c ?? '', i ?? '');
      }),
      metadata: metadata ?? { display_name: `${category} ${id}` },
    };
  }
  return out;
}

/**
 * course → chA → s1 → v1 [p1, cond[p2, wrap[h2]], h1], v2 [vIn[p3], st[gA[p4], gB[p5]]];
 * course → chB → s2 → v4 → lc [p6, p7].
 */
export const NESTED: readonly BlockSpec[] = [
  [
    'course',
    'course',
    ['chapter:chA', 'chapter:chB'],
    { display_name: 'The course', start: '2024-01-01T00:00:00Z' },
  ],
  ['chapter', 'chA', ['sequential:s1'], { display_name: 'Week 1', start: '2024-01-08T00:00:00Z' }],
  [
    'sequential',
    's1',
    ['vertical:v1', 'vertical:v2'],
    { display_name: 'Lesson 1', graded: true, format: 'Homework', due: '2024-02-01T00:00:00Z' },
  ],
  ['vertical', 'v1', ['problem:p1', 'conditional:cond', 'html:h1']],
  ['conditional', 'cond', ['problem:p2', 'wrapper:wrap']],
  ['wrapper', 'wrap', ['html:h2']],
  ['problem', 'p1', [], { display_name: 'P1', weight: 2 }],
  ['problem', 'p2', []],
  ['html', 'h1', []],
  ['html', 'h2', []],
  ['vertical', 'v2', ['vertical:vIn', 'split_test:st']],
  ['vertical', 'vIn', ['problem:p3']],
  ['problem', 'p3', []],
  [
    'split_test',
    'st',
    ['vertical:gA', 'vertical:gB'],
    {
      display_name: 'AB',
      user_partition_id: 50,
      group_id_to_child: { '0': key('vertical', 'gA') },
    },
  ],
  ['vertical', 'gA', ['problem:p4']],
  ['vertical', 'gB', ['problem:p5']],
  ['problem', 'p4', []],
  ['problem', 'p5', []],
  ['chapter', 'chB', ['sequential:s2'], { display_name: 'Week 2', start: '2023-12-01T00:00:00Z' }],
  ['sequential', 's2', ['vertical:v4']],
  ['vertical', 'v4', ['library_content:lc']],
  ['library_content', 'lc', ['problem:p6', 'video:p7']],
  ['problem', 'p6', []],
  ['video', 'p7', [], { display_name: 'V', youtube_id_1_0: 'abcdefghijk' }],
];
