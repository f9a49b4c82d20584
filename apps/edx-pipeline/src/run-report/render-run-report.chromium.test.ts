/**
 * The run report as drawn: each page is written to a file, opened in headless Chromium, and
 * the screenshot's pixels are checked. The chart's plot is found by its y axis (the longest
 * vertical run of the axis grey); inside it the courses' colours must appear, more of them
 * for more data, none for a course that is not in the report, and white where nothing is.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasChromium, screenshot } from '@edx-data/test-support';
import type { Pixels } from '@edx-data/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_MARGIN, CHART_PALETTE, writeRunReport } from './index.js';
import type { RunEventsOnDay, RunReport } from './index.js';

const A = 'course-v1:PixA+P1+2024';
const B = 'course-v1:PixB+P2+2024';
const DAYS = Array.from({ length: 14 }, (_, i) => `2024-03-${String(i + 1).padStart(2, '0')}`);
/** A zigzags 90, 10, 90, … on its first `days` days (then nothing: 0). */
const zigzag = (days: number): RunEventsOnDay[] =>
  DAYS.slice(0, days).map((day, i) => ({ course: A, day, events: i % 2 === 0 ? 90 : 10 }));
/** B is 20 every day (a total of 280, below A's 300 on 6 days: A keeps the first colour). */
const FLAT: RunEventsOnDay[] = DAYS.map((day) => ({ course: B, day, events: 20 }));
const COLOUR_A = CHART_PALETTE[0] ?? '';
const COLOUR_B = CHART_PALETTE[1] ?? '';
/** The chart's default size (see renderEventsChart): 960 wide, plot 320 high with its axes. */
const PLOT_WIDTH = 960 - CHART_MARGIN.left - CHART_MARGIN.right;

function report(eventsByDay: RunEventsOnDay[]): RunReport {
  return {
    title: 'edx-pipeline demo',
    started: new Date('2024-03-15T08:00:00Z'),
    finished: new Date('2024-03-15T08:00:42Z'),
    store: { engine: 'embedded', location: 'store' },
    stages: [{ name: 'load-tracking', subject: '', status: 'done', detail: 'ok', seconds: 2 }],
    files: [],
    eventsByDay,
    rejects: [],
    collections: [],
    reports: [],
    warnings: [],
  };
}

function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function pixel(image: Pixels, x: number, y: number): [number, number, number] {
  const at = (y * image.width + x) * 4;
  return [image.data[at] ?? 0, image.data[at + 1] ?? 0, image.data[at + 2] ?? 0];
}

/** Within 24 of `colour` on each channel (the core of a line, not its blended edge). */
function near(p: readonly number[], colour: readonly number[]): boolean {
  return p.every((v, i) => Math.abs(v - (colour[i] ?? 0)) <= 24);
}

interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** The plot: its y axis is the longest vertical run of the axis grey #333 (a series drawn across it leaves gaps of up to 16 px). */
function plotBox(image: Pixels): Box {
  const grey = rgb('#333333');
  let best = { x: 0, top: 0, bottom: 0, length: 0 };
  for (let x = 0; x < image.width; x++) {
    let start = -1;
    let last = -1;
    for (let y = 0; y < image.height; y++) {
      if (!near(pixel(image, x, y), grey)) continue;
      if (start < 0 || y - last > 16) start = y;
      last = y;
      if (last - start > best.length) best = { x, top: start, bottom: last, length: last - start };
    }
  }
  // The run goes on down the first day's tick; the x axis is the row near its end with the
  // most axis grey (a series at 0 may hide part of it).
  let bottom = best.bottom;
  let most = 0;
  for (let y = best.bottom - 10; y <= best.bottom; y++) {
    let n = 0;
    for (let x = best.x; x <= best.x + PLOT_WIDTH; x++) if (near(pixel(image, x, y), grey)) n += 1;
    if (n > most) [most, bottom] = [n, y];
  }
  return { left: best.x, top: best.top, right: best.x + PLOT_WIDTH, bottom };
}

function count(image: Pixels, box: Box, colour: string): number {
  const target = rgb(colour);
  let n = 0;
  for (let y = box.top; y <= box.bottom + 2; y++) {
    for (let x = box.left + 1; x <= box.right + 3; x++) {
      if (near(pixel(image, x, y), target)) n += 1;
    }
  }
  return n;
}

describe.skipIf(!hasChromium())('the run report as Chromium draws it', () => {
  let dir: string;
  const shots = new Map<string, Pixels>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'run-report-chromium-'));
    const pages: [string, RunEventsOnDay[]][] = [
      ['full', [...zigzag(14), ...FLAT]],
      ['part', [...zigzag(6), ...FLAT]],
      ['withoutB', zigzag(14)],
    ];
    for (const [name, events] of pages) {
      const page = join(dir, `${name}.html`);
      await writeRunReport(page, report(events));
      shots.set(name, await screenshot(page, { width: 1100, height: 1000 }));
    }
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const shot = (name: string): Pixels => shots.get(name) as Pixels;

  it('finds the plot where its size says, with both courses drawn in it', () => {
    const image = shot('full');
    const box = plotBox(image);
    // The y axis spans the plot's height: 320 - 16 - 40 = 264 px.
    expect(box.bottom - box.top).toBeGreaterThanOrEqual(262);
    expect(box.bottom - box.top).toBeLessThanOrEqual(266);
    expect(count(image, box, COLOUR_A)).toBeGreaterThan(500);
    expect(count(image, box, COLOUR_B)).toBeGreaterThan(300);
  });

  it('draws more of a course with more data, the same of one that did not change', () => {
    const full = shot('full');
    const part = shot('part');
    const fullBox = plotBox(full);
    const partBox = plotBox(part);
    const a = [count(full, fullBox, COLOUR_A), count(part, partBox, COLOUR_A)];
    const b = [count(full, fullBox, COLOUR_B), count(part, partBox, COLOUR_B)];
    console.log(`pixels of A (full, part): ${a.join(', ')}; of B: ${b.join(', ')}`);
    // 13 zigzag segments against 5 and a flat run along 0: about 1.8 times the length, 1.5
    // times the pixels (a flat line has no blended edge; 3,865 against 2,558 on Chromium 156).
    expect(a[0]).toBeGreaterThan(1.3 * (a[1] ?? 0));
    expect(Math.abs((b[0] ?? 0) - (b[1] ?? 0))).toBeLessThan(0.15 * (b[1] ?? 1));
  });

  it('leaves white where there is no data', () => {
    const image = shot('part');
    const box = plotBox(image);
    // Days 8 to 13 (0-based 7..12): A is 0 and B is 20, so from the top tick (100) down to
    // just above B's line (y of 20) nothing is drawn but the light grid.
    const step = PLOT_WIDTH / 13;
    const yOf = (n: number): number => box.bottom - (n / 100) * (box.bottom - box.top);
    const grid = rgb('#e6e6e6');
    let white = 0;
    for (let y = box.top + 3; y < yOf(20) - 6; y++) {
      for (let x = Math.ceil(box.left + 7 * step + 4); x < box.left + 12 * step - 4; x++) {
        const p = pixel(image, x, y);
        if (p.every((v) => v === 255)) white += 1;
        else expect(near(p, grid), `pixel ${String(x)},${String(y)} is ${p.join(',')}`).toBe(true);
      }
    }
    expect(white).toBeGreaterThan(30_000);
  });

  it('has no trace of a course that is not in the report', () => {
    const image = shot('withoutB');
    const everything = { left: 0, top: 0, right: image.width - 4, bottom: image.height - 3 };
    expect(count(image, everything, COLOUR_B)).toBe(0);
    expect(count(image, plotBox(image), COLOUR_A)).toBeGreaterThan(500);
    // …while the full page shows B's colour in the legend too, outside the plot.
    const full = shot('full');
    const box = plotBox(full);
    const legend = {
      left: 0,
      top: box.bottom + 41,
      right: full.width - 4,
      bottom: full.height - 3,
    };
    expect(count(full, legend, COLOUR_B)).toBeGreaterThan(20);
  });
});
