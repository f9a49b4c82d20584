/**
 * docs/getting-started.md, section 3 ("Your own data, step by step"), runs as written: its
 * ```sh blocks are run in order by bash in one temporary folder inside the repository (so
 * `npx edx-pipeline` is the workspace's built CLI), the ```json file it says to save is saved,
 * and every line of the ```text block after a command must appear, in order, in what the
 * command printed (`…` stands for anything; decimal numbers, the timings, for any decimal).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOC = join(ROOT, 'docs/getting-started.md');
const SECTION = /\n## 3\. [^\n]*\n([\s\S]*?)\n## 4\. /u;

/** A fenced block of the section, with the prose line before it. */
interface Block {
  readonly lang: string;
  readonly body: string;
  readonly before: string;
}

function blocks(section: string): Block[] {
  return [...section.matchAll(/([^\n]*)\n\n```(\w+)\n([\s\S]*?)```/gu)].map((m) => ({
    before: m[1] ?? '',
    lang: m[2] ?? '',
    body: m[3] ?? '',
  }));
}

/** A line of expected output as a pattern over the printed line (spaces collapsed). */
function linePattern(expected: string): RegExp {
  const parts = expected
    .trim()
    .split(/\s+/u)
    .join(' ')
    .split('…')
    .map((part) =>
      part.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&').replace(/\d+\\\.\d+/gu, '\\d+\\.\\d+'),
    );
  return new RegExp(`^${parts.join('.*')}$`, 'u');
}

/** The expected lines that do not appear in order among the printed ones. */
function missingLines(expected: string, printed: string): string[] {
  const lines = printed
    .split('\n')
    .map((line) => line.trim().split(/\s+/u).join(' '))
    .filter((line) => line !== '');
  let at = 0;
  const missing: string[] = [];
  for (const want of expected.split('\n').filter((line) => line.trim() !== '')) {
    if (want.trim() === '…') continue;
    const pattern = linePattern(want);
    const found = lines.findIndex((line, i) => i >= at && pattern.test(line));
    if (found === -1) missing.push(want);
    else at = found + 1;
  }
  return missing;
}

describe('missingLines', () => {
  it('matches lines in order, with … for anything and any decimal for a decimal', () => {
    const printed = 'a  b\nfile x (0.6 s, key 0123abcd, 4 known)\nlast 12\n';
    expect(missingLines('a b\n…\nfile x (1.2 s, key …, 4 known)\nlast 12', printed)).toEqual([]);
    expect(missingLines('last 12\na b', printed)).toEqual(['a b']);
    expect(missingLines('file x (0.6 s, key …, 5 known)', printed)).toEqual([
      'file x (0.6 s, key …, 5 known)',
    ]);
    expect(missingLines('last 1', printed)).toEqual(['last 1']);
  });
});

describe('docs/getting-started.md, step by step', () => {
  let work = '';
  const steps: { script: string; expected: string }[] = [];
  let section = '';

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'apps/edx-pipeline/dist/main.js'))) {
      throw new Error('the packages are not built: run `npx nx run-many -t build` first');
    }
    section = SECTION.exec(await readFile(DOC, 'utf8'))?.[1] ?? '';
    const cache = join(ROOT, 'node_modules/.cache');
    await mkdir(cache, { recursive: true });
    work = await mkdtemp(join(cache, 'edx-getting-started-'));
    const all = blocks(section);
    for (const [i, block] of all.entries()) {
      const save = /Save this as `([^`]+)`/u.exec(block.before)?.[1];
      if (block.lang === 'json' && save !== undefined) {
        await writeFile(join(work, save), block.body);
      }
      if (block.lang !== 'sh') continue;
      const next = all[i + 1];
      steps.push({ script: block.body, expected: next?.lang === 'text' ? next.body : '' });
    }
  }, 60_000);

  afterAll(async () => {
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  it('has the steps of a researcher: generate, store, import, load, extract, export, anonymise', () => {
    const commands = steps.map((s) => /npx edx-pipeline (\S+)/u.exec(s.script)?.[1] ?? '(none)');
    expect(commands).toEqual([
      'generate',
      '(none)',
      'import',
      'load-tracking',
      'extract-course',
      'export',
      'anonymize',
    ]);
    expect(steps.filter((s) => s.expected !== '').length).toBe(5);
  });

  it('runs every command as written and prints what the doc shows', async () => {
    // One bash for all the blocks, so that `export` lines carry over; a marker splits the output.
    const marker = '@@edx-getting-started-step@@';
    const script = ['set -euo pipefail', ...steps.map((s) => `echo ${marker}\n${s.script}`)].join(
      '\n',
    );
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env['EDX_STORE'];
    const { stdout } = await run('bash', ['-c', script], {
      cwd: work,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    const outputs = stdout.split(`${marker}\n`).slice(1);
    expect(outputs).toHaveLength(steps.length);
    for (const [i, step] of steps.entries()) {
      expect(missingLines(step.expected, outputs[i] ?? ''), step.script).toEqual([]);
    }
    expect(existsSync(join(work, 'edx-data/tracking_logs.sqlite'))).toBe(true);
    expect(existsSync(join(work, 'reports/atoc185x/manifest.json'))).toBe(true);
    expect(existsSync(join(work, 'anonymised/atoc185x/anonymisation-audit.json'))).toBe(true);
  }, 180_000);
});
