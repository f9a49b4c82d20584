/**
 * The course outline of one synthetic course, and its `course_structure` JSON
 * (edx-formats.md §4): a flat map from block-v1 usage key to `{category, children, metadata}`,
 * course → chapters → sequentials → verticals → video / problem / html / discussion, with one
 * `conditional` and one `wrapper` block (each holding leaves of their own).
 */
import type { Random } from './random.js';
import { pyDumpsPretty } from './python-json.js';

/** One input of a problem, as the server `problem_check` event describes it. */
export interface ProblemInput {
  readonly id: string;
  readonly responseType: string;
  readonly inputType: string;
  readonly question: string;
  readonly answers: readonly string[];
  readonly correct: string;
}

export interface Block {
  readonly key: string;
  /** The block id after `block@`. */
  readonly id: string;
  readonly category: string;
  readonly children: Block[];
  readonly metadata: Record<string, unknown>;
  /** Problems only. */
  readonly inputs: readonly ProblemInput[];
}

export interface CourseOutline {
  readonly root: Block;
  readonly blocks: readonly Block[];
  readonly chapters: readonly Block[];
  /** Each sequential with the chapter it is in. */
  readonly sequentials: readonly { readonly block: Block; readonly chapter: Block }[];
  readonly verticals: readonly Block[];
  readonly videos: readonly Block[];
  readonly problems: readonly Block[];
  readonly discussions: readonly Block[];
}

const TOPICS = [
  'Introduction',
  'Energy balance',
  'Énergie et climat',
  'Введение в анализ',
  'Ocean circulation',
  'データ構造',
  'Reaction kinetics',
  'Funciones y gráficas',
  'Week review',
  'Final exam',
  'Tides & waves',
  '"Quoted" topic',
  'Greenhouse effect',
  '量子力学入门',
];

const QUESTIONS: readonly (readonly [string, string, readonly string[], string])[] = [
  ['numericalresponse', 'formulaequationinput', ['3.14', '4500', '5', '2.71'], 'Enter the value'],
  [
    'choiceresponse',
    'checkboxgroup',
    ['choice_0', 'choice_1', 'choice_2'],
    'Select all that apply',
  ],
  [
    'multiplechoiceresponse',
    'choicegroup',
    ['choice_0', 'choice_1', 'choice_2', 'choice_3'],
    'Pick one',
  ],
  ['stringresponse', 'textline', ['Montréal', 'carbon', 'H2O', 'say "hi"'], 'Type the word'],
  ['optionresponse', 'optioninput', ['True', 'False'], 'True or false'],
];

export function buildOutline(
  rng: Random,
  org: string,
  course: string,
  run: string,
  startIso: string,
): CourseOutline {
  const blocks: Block[] = [];
  const chapters: Block[] = [];
  const sequentials: { block: Block; chapter: Block }[] = [];
  const verticals: Block[] = [];
  const videos: Block[] = [];
  const problems: Block[] = [];
  const discussions: Block[] = [];
  const prefix = `block-v1:${org}+${course}+${run}+type@`;

  function make(
    category: string,
    metadata: Record<string, unknown>,
    id = rng.hex(32),
    inputs: ProblemInput[] = [],
  ): Block {
    const block: Block = {
      key: `${prefix}${category}+block@${id}`,
      id,
      category,
      children: [],
      metadata,
      inputs,
    };
    blocks.push(block);
    return block;
  }

  function leaf(category: string): Block {
    switch (category) {
      case 'video': {
        const minutes = rng.between(2, 14);
        const block = make('video', {
          display_name: `${rng.pick(TOPICS)} (video)`,
          youtube_id_1_0: rng.hex(11),
          html5_sources: [`https://video.example.org/${rng.hex(12)}.mp4`],
          download_video: rng.chance(0.5),
          end_time: `00:${String(minutes).padStart(2, '0')}:${String(rng.int(60)).padStart(2, '0')}`,
        });
        videos.push(block);
        return block;
      }
      case 'problem': {
        const id = rng.hex(32);
        const inputs: ProblemInput[] = [];
        const n = rng.between(1, 3);
        for (let k = 0; k < n; k++) {
          const [responseType, inputType, answers, question] = rng.pick(QUESTIONS);
          inputs.push({
            id: `${id}_${k + 2}_1`,
            responseType,
            inputType,
            question: `${question} (${k + 1})`,
            answers,
            correct: rng.pick(answers),
          });
        }
        const block = make(
          'problem',
          {
            display_name: `Problem ${problems.length + 1}`,
            weight: n,
            max_attempts: rng.pick([null, 1, 2, 3]),
            showanswer: rng.pick(['finished', 'always', 'past_due']),
          },
          id,
          inputs,
        );
        problems.push(block);
        return block;
      }
      case 'discussion': {
        const id = rng.hex(32);
        const block = make(
          'discussion',
          {
            display_name: 'Discussion',
            discussion_category: rng.pick(TOPICS),
            discussion_target: `Topic ${discussions.length + 1}`,
            discussion_id: id,
          },
          id,
        );
        discussions.push(block);
        return block;
      }
      default:
        return make('html', {
          display_name: rng.pick(['Text', 'Reading', 'Lecture notes', 'Überblick']),
        });
    }
  }

  const root = make(
    'course',
    {
      display_name: `${course}: ${rng.pick(TOPICS)}`,
      start: startIso,
      end: null,
      days_early_for_beta: 0.0,
      graceperiod: '18000 seconds',
      showanswer: 'finished',
      advanced_modules: ['conditional', 'wrapper'],
      discussion_topics: { General: { id: `i4x-${org}-${course}-${run}-general` } },
      tabs: [{ type: 'courseware' }, { type: 'discussion', name: 'Discussion' }],
    },
    'course',
  );
  const nChapters = rng.between(3, 5);
  for (let c = 0; c < nChapters; c++) {
    const chapter = make('chapter', {
      display_name: `Week ${c + 1}: ${rng.pick(TOPICS)}`,
      start: startIso,
    });
    root.children.push(chapter);
    chapters.push(chapter);
    const nSeq = rng.between(2, 3);
    for (let s = 0; s < nSeq; s++) {
      const graded = rng.chance(0.4);
      const sequential = make('sequential', {
        display_name: `Lesson ${c + 1}.${s + 1}`,
        graded,
        format: graded ? 'Homework' : undefined,
        visible_to_staff_only: false,
      });
      chapter.children.push(sequential);
      sequentials.push({ block: sequential, chapter });
      const nVert = rng.between(2, 3);
      for (let v = 0; v < nVert; v++) {
        const vertical = make('vertical', { display_name: `Unit ${v + 1}` });
        sequential.children.push(vertical);
        verticals.push(vertical);
        const nLeaves = rng.between(1, 3);
        for (let l = 0; l < nLeaves; l++) {
          vertical.children.push(
            leaf(rng.weighted(['video', 'problem', 'html', 'discussion'], [35, 35, 20, 10])),
          );
        }
      }
    }
  }
  // One conditional (shown once a problem is answered) and one wrapper, each with leaves.
  const first = verticals[0];
  const last = verticals[verticals.length - 1];
  if (first !== undefined && last !== undefined) {
    const conditional = make('conditional', {
      display_name: 'Bonus (after the quiz)',
      show_tag_list: [],
    });
    conditional.children.push(leaf('problem'), leaf('html'));
    first.children.push(conditional);
    const wrapper = make('wrapper', { display_name: 'Extra material' });
    wrapper.children.push(leaf('video'), leaf('html'));
    last.children.push(wrapper);
  }
  return { root, blocks, chapters, sequentials, verticals, videos, problems, discussions };
}

/** The `{c}-course_structure-prod-analytics.json` text. */
export function courseStructureJson(outline: CourseOutline): string {
  const map: Record<string, unknown> = {};
  for (const block of outline.blocks) {
    map[block.key] = {
      category: block.category,
      children: block.children.map((child) => child.key),
      metadata: block.metadata,
    };
  }
  return `${pyDumpsPretty(map)}\n`;
}

/** Block counts by category, with and without the `conditional`/`wrapper` containers. */
export function blockCounts(outline: CourseOutline): {
  before: Record<string, number>;
  after: Record<string, number>;
} {
  const before: Record<string, number> = {};
  for (const block of outline.blocks) before[block.category] = (before[block.category] ?? 0) + 1;
  const after = { ...before };
  delete after['conditional'];
  delete after['wrapper'];
  return { before: sortKeys(before), after: sortKeys(after) };
}

/** A copy of `record` with its keys in sorted order. */
export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key] as T;
  return out;
}
