/**
 * Test helpers that look at a page the way a reader does: Debian's `chromium` in headless
 * mode takes a screenshot, and {@link decodePng} turns it into pixels to assert on (what is
 * drawn, not only what the DOM says). Needs the `chromium` package (`npm test` installs it as
 * root).
 *
 * A suite that needs it guards itself with {@link hasChromium} (skipped locally with the
 * reason printed, an error under CI).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { inflateSync } from 'node:zlib';
import { environmentHas, programProblem } from './environment.js';

const execFileAsync = promisify(execFile);

const INSTALL_CHROMIUM =
  'install Chromium (Debian/Ubuntu: apt-get install chromium; `npm test` does as root)';

/** Why `chromium --version` cannot be run from PATH, or undefined when it can. */
export function chromiumProblem(): string | undefined {
  return programProblem('chromium', ['--version'], INSTALL_CHROMIUM);
}

let chromiumFound: boolean | undefined;

/**
 * True when `chromium` can be run. Otherwise the suite asking is skipped (the reason printed
 * once per run), or, under CI, this throws.
 *
 * ```ts
 * describe.skipIf(!hasChromium())('the report as drawn', () => { … });
 * ```
 */
export function hasChromium(): boolean {
  chromiumFound ??= environmentHas('Chromium', chromiumProblem());
  return chromiumFound;
}

/** An image as 8-bit RGBA pixels, row after row. */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  /** `width × height × 4` bytes: red, green, blue, alpha. */
  readonly data: Uint8Array;
}

export interface ScreenshotOptions {
  /** The window's size in CSS pixels (one device pixel each). @default 1100 × 900 */
  readonly width?: number;
  readonly height?: number;
}

/**
 * Open the HTML file `page` in headless Chromium (no sandbox, no GPU, scale factor 1, sRGB,
 * no scrollbars, a throwaway profile) and return its screenshot, decoded.
 */
export async function screenshot(page: string, options: ScreenshotOptions = {}): Promise<Pixels> {
  const width = options.width ?? 1100;
  const height = options.height ?? 900;
  const dir = await mkdtemp(join(tmpdir(), 'edx-chromium-'));
  const png = join(dir, 'screenshot.png');
  try {
    await execFileAsync(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--hide-scrollbars',
        '--force-device-scale-factor=1',
        '--force-color-profile=srgb',
        '--no-first-run',
        `--user-data-dir=${join(dir, 'profile')}`,
        `--window-size=${String(width)},${String(height)}`,
        `--screenshot=${png}`,
        pathToFileURL(page).href,
      ],
      { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
    );
    return decodePng(await readFile(png));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decode a PNG of 8-bit truecolour (colour type 2) or truecolour with alpha (6), not
 * interlaced: what Chromium writes. Concatenates the IDAT chunks, inflates them and reverses
 * each row's filter (none, sub, up, average, Paeth).
 * @throws Error for anything else, naming what was found
 */
export function decodePng(png: Uint8Array): Pixels {
  const bytes = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (!bytes.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG: bad signature');
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = body.subarray(8, 13);
      if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0) {
        throw new Error(
          `unsupported PNG: bit depth ${String(depth)}, colour type ${String(colour)}, interlace ${String(interlace)} (expected 8, 2 or 6, 0)`,
        );
      }
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + length;
  }
  if (channels === 0) throw new Error('not a PNG: no IHDR chunk');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) {
    throw new Error(
      `PNG data is ${String(raw.length)} bytes, expected ${String(height * (stride + 1))}`,
    );
  }
  const rows = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    const prev = out - stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? (rows[out + i - channels] ?? 0) : 0;
      const b = y > 0 ? (rows[prev + i] ?? 0) : 0;
      const c = y > 0 && i >= channels ? (rows[prev + i - channels] ?? 0) : 0;
      const x = line[i] ?? 0;
      let value: number;
      switch (filter) {
        case 0:
          value = x;
          break;
        case 1:
          value = x + a;
          break;
        case 2:
          value = x + b;
          break;
        case 3:
          value = x + ((a + b) >> 1);
          break;
        case 4:
          value = x + paeth(a, b, c);
          break;
        default:
          throw new Error(`PNG row ${String(y)} has an unknown filter ${String(filter)}`);
      }
      rows[out + i] = value & 0xff;
    }
  }
  if (channels === 4) return { width, height, data: rows };
  const data = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    data[p * 4] = rows[p * 3] ?? 0;
    data[p * 4 + 1] = rows[p * 3 + 1] ?? 0;
    data[p * 4 + 2] = rows[p * 3 + 2] ?? 0;
    data[p * 4 + 3] = 255;
  }
  return { width, height, data };
}
