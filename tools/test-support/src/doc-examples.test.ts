/**
 * The scripts of docs/reuse-one-parser.md run as written: each ```js block, preceded by an
 * `<!-- example: node <script> <args> -->` line, is saved under that name in a temporary folder
 * inside the repository (so `@edx-data/*` resolve to the workspace's built packages) and run
 * with Node; its stdout must equal the ```text block that follows it in the doc.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_REALDATA, REALDATA } from './realdata.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOC = join(ROOT, 'docs/reuse-one-parser.md');
const CLI = join(ROOT, 'apps/edx-pipeline/bin/edx-pipeline.js');

/** One script of the doc: its file name, its arguments, its code and the output it must print. */
interface DocExample {
  readonly script: string;
  readonly args: readonly string[];
  readonly code: string;
  readonly expected: string;
}

/** The examples of a markdown text, in order. */
function docExamples(markdown: string): DocExample[] {
  const pattern =
    /<!-- example: node (\S+)((?: \S+)*) -->\n\n```js\n([\s\S]*?)```\n[\s\S]*?```text\n([\s\S]*?)```/gu;
  return [...markdown.matchAll(pattern)].map((m) => ({
    script: m[1] ?? '',
    args: (m[2] ?? '').trim().split(' ').filter(Boolean),
    code: m[3] ?? '',
    expected: m[4] ?? '',
  }));
}

describe('docExamples', () => {
  it('reads the script, arguments, code and expected output of each example', () => {
    const markdown = [
      '<!-- example: node a.mjs $WORK/x y -->',
      '',
      '```js',
      "console.log('a');",
      '```',
      '',
      'Prose.',
      '',
      '```text',
      'a',
      '```',
    ].join('\n');
    expect(docExamples(markdown)).toEqual([
      { script: 'a.mjs', args: ['$WORK/x', 'y'], code: "console.log('a');\n", expected: 'a\n' },
    ]);
  });
});

describe.skipIf(!HAS_REALDATA)('docs/reuse-one-parser.md', () => {
  let work = '';
  let examples: DocExample[] = [];

  beforeAll(async () => {
    examples = docExamples(await readFile(DOC, 'utf8'));
    const cache = join(ROOT, 'node_modules/.cache');
    await mkdir(cache, { recursive: true });
    work = await mkdtemp(join(cache, 'edx-doc-examples-'));
    if (!existsSync(join(ROOT, 'apps/edx-pipeline/dist/main.js'))) {
      throw new Error('the packages are not built: run `npx nx run-many -t build` first');
    }
    await run(process.execPath, [CLI, 'generate', '--out', join(work, 'pkg'), '--encrypt']);
  }, 120_000);

  afterAll(async () => {
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  it('has one example per library', () => {
    expect(examples.map((e) => e.script)).toEqual([
      'sql-rows.mjs',
      'tracking-events.mjs',
      'forum-posts.mjs',
      'my-store.mjs',
      'decrypt.mjs',
    ]);
    for (const example of examples) expect(example.expected).not.toBe('');
  });

  it.each([0, 1, 2, 3, 4])('example %i prints what the doc shows', async (index) => {
    const example = examples[index];
    expect(example).toBeDefined();
    if (example === undefined) return;
    const file = join(work, example.script);
    await writeFile(file, example.code);
    const args = example.args.map((arg) =>
      arg
        .replace('$REALDATA', REALDATA)
        .replace('$PACKAGE', join(work, 'pkg'))
        .replace('$WORK', work),
    );
    const { stdout } = await run(process.execPath, [file, ...args], {
      cwd: work,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    expect(stdout, `${example.script} ${example.args.join(' ')}`).toBe(example.expected);
  });
});
