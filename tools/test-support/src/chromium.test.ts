import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { chromiumProblem, decodePng, hasChromium, screenshot } from './chromium.js';

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body, Buffer.alloc(4)]); // the CRC is not checked
}

/** A 3 × 3 RGB PNG whose rows are filtered up front with `filters` (the PNG spec's forward rules). */
function png(pixels: number[][], filters: number[]): Buffer {
  const width = 3;
  const stride = width * 3;
  const rows: number[][] = [];
  for (const [y, row] of pixels.entries()) {
    const prev = pixels[y - 1] ?? new Array<number>(stride).fill(0);
    const filtered = row.map((x, i) => {
      const a = i >= 3 ? (row[i - 3] ?? 0) : 0;
      const b = prev[i] ?? 0;
      const c = i >= 3 ? (prev[i - 3] ?? 0) : 0;
      const p = a + b - c;
      const pred =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predictor = [0, a, b, (a + b) >> 1, pred][filters[y] ?? 0] ?? 0;
      return (x - predictor + 256) & 0xff;
    });
    rows.push([filters[y] ?? 0, ...filtered]);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(pixels.length, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from(rows.flat()))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe(decodePng, () => {
  const pixels = [
    [255, 0, 0, 0, 255, 0, 0, 0, 255],
    [10, 200, 30, 250, 5, 128, 1, 2, 3],
    [255, 255, 255, 0, 0, 0, 17, 99, 201],
  ];
  const rgba = (rows: number[][]): number[] =>
    rows.flatMap((row) => [0, 1, 2].flatMap((p) => [...row.slice(p * 3, p * 3 + 3), 255]));

  it('reverses every row filter: none, sub, up, average, Paeth', () => {
    for (const filters of [
      [0, 1, 2],
      [3, 4, 1],
      [4, 3, 2],
    ]) {
      const image = decodePng(png(pixels, filters));
      expect(image.width).toBe(3);
      expect(image.height).toBe(3);
      expect([...image.data]).toEqual(rgba(pixels));
    }
  });

  it('refuses what is not an 8-bit truecolour PNG, saying what it found', () => {
    expect(() => decodePng(Buffer.from('GIF89a'))).toThrow('not a PNG: bad signature');
    const grey = png(pixels, [0, 0, 0]);
    grey[8 + 8 + 9] = 0; // colour type 0 (grey)
    expect(() => decodePng(grey)).toThrow('colour type 0');
  });
});

describe('chromiumProblem', () => {
  it('names the missing program and how to install it', () => {
    vi.stubEnv('PATH', '');
    try {
      expect(chromiumProblem()).toMatch(
        /^`chromium` could not be run \(.*ENOENT.*\); install Chromium/,
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe.skipIf(!hasChromium())('screenshot', () => {
  it('draws a page at one device pixel per CSS pixel, in sRGB', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'test-support-chromium-'));
    try {
      const page = join(dir, 'page.html');
      await writeFile(
        page,
        '<!DOCTYPE html><body style="margin:0;background:#fff">' +
          '<div style="position:absolute;left:10px;top:20px;width:30px;height:40px;background:#c0392b"></div>',
      );
      // Chromium 156 draws nothing in a window as small as 200 × 100: 400 × 300 is safe.
      const image = await screenshot(page, { width: 400, height: 300 });
      expect([image.width, image.height]).toEqual([400, 300]);
      const at = (x: number, y: number): number[] => [
        ...image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 3),
      ];
      expect(at(10, 20)).toEqual([0xc0, 0x39, 0x2b]);
      expect(at(39, 59)).toEqual([0xc0, 0x39, 0x2b]);
      expect(at(40, 20)).toEqual([255, 255, 255]);
      expect(at(10, 60)).toEqual([255, 255, 255]);
      expect(at(9, 19)).toEqual([255, 255, 255]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
