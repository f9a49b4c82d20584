/**
 * Benchmark: reading an encrypted, gzipped tracking log (`.log.gz.gpg`) with core's
 * `openInput`, against `gpg --decrypt FILE | zcat > /dev/null` on the same file.
 *
 *   npm run bench:read-input -- [--bytes 1e9] [--runs 3] [--dir DIR] [--gen PATH]
 *
 * Generates a tracking log of `--bytes` uncompressed bytes with `gen-tracking.mjs`
 * (`../shared/bench/` beside the repository, or `--gen`), gzips it with GNU gzip, and encrypts
 * it with gpg to a throwaway RSA key (in its own `GNUPGHOME`) two ways, as data providers do:
 * naming the file (gpg sees a `.gz` and writes no compression packet) and from stdin (gpg wraps
 * the data in a ZLIB packet). With `--dir`, files already there are reused.
 *
 * For each kind of file, in the same run and alternating, `--runs` times (medians reported):
 * - `gpg+zcat`: `gpg --decrypt FILE | zcat > /dev/null`, via child processes;
 * - `consume`: a child Node process that runs `openInput` and reads the stream to its end;
 * - `lines`: the same plus `readLines`, counting lines.
 * Times are wall-clock times of the child processes (process start-up included for both).
 * MB/s is plaintext (uncompressed JSON) bytes per second; peak RSS is the child's `VmHWM`.
 * Goals (issue): ours ≥ 1.0× gpg+zcat for both kinds, peak RSS < 200 MB for a 1 GB log.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openInput, readLines } from '@edx-data/core';
import { flags, peakRssMiB, round } from './measure.js';

type Mode = 'consume' | 'lines';

/** What a child Node process reports (one JSON line on stdout). */
interface ChildResult {
  readonly mode: Mode;
  readonly seconds: number;
  readonly plaintextBytes: number;
  readonly lines: number | undefined;
  readonly layers: readonly string[];
  readonly integrityChecked: boolean;
  readonly peakRssMiB: number;
}

const options = flags(process.argv.slice(2));
const here = dirname(fileURLToPath(import.meta.url));

function now(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

/** Child mode: read one file with openInput (and readLines), report one JSON line. */
async function child(mode: Mode, file: string, key: string): Promise<void> {
  const started = now();
  const input = await openInput(file, { key });
  let lines: number | undefined;
  let bytes = 0;
  if (mode === 'lines') {
    const reader = readLines(input.stream, { file });
    // Touch every line's text, as a consumer would (`bytes` then counts UTF-16 units).
    for await (const line of reader) bytes += line.text.length;
    lines = reader.summary.lines;
  } else {
    for await (const chunk of input.stream as AsyncIterable<Buffer>) bytes += chunk.length;
  }
  const verdict = await input.done;
  const result: ChildResult = {
    mode,
    seconds: now() - started,
    plaintextBytes: verdict.plaintextBytes,
    lines,
    layers: verdict.layers,
    integrityChecked: verdict.integrityChecked,
    peakRssMiB: peakRssMiB(),
  };
  if (mode === 'consume' && bytes !== verdict.plaintextBytes) {
    throw new Error(`consumed ${bytes} bytes, verdict says ${verdict.plaintextBytes}`);
  }
  console.log(JSON.stringify(result));
}

/** Runs a command to its end; resolves with its stdout and wall time, rejects on failure. */
function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ stdout: string; seconds: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = now();
    const proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const seconds = now() - started;
      if (code === 0) resolvePromise({ stdout, seconds });
      else reject(new Error(`${command} ${args.join(' ')} exited ${String(code)}: ${stderr}`));
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const megabytes = (bytes: number, seconds: number): number => round(bytes / 1e6 / seconds, 1);

interface Files {
  readonly gz: string;
  readonly plain: string;
  readonly zlib: string;
  readonly key: string;
  readonly gnupgHome: string;
  readonly generated: unknown;
}

/** Generates (or reuses) the log, the gzip file, the key and both encrypted files. */
async function prepare(dir: string, bytes: number): Promise<Files> {
  const gz = join(dir, 'tracking.log.gz');
  const plain = `${gz}.gpg`;
  const zlib = `${gz}.zlib.gpg`;
  const gnupgHome = join(dir, 'gnupg');
  const key = join(gnupgHome, 'secret.asc');
  let generated: unknown = 'reused';
  if (!existsSync(gz)) {
    const log = join(dir, 'tracking.log');
    const gen =
      options['gen'] ??
      resolve(here, '..', '..', '..', '..', 'shared', 'bench', 'gen-tracking.mjs');
    const out = await run(process.execPath, [gen, '--out', log, '--bytes', String(bytes)]);
    generated = JSON.parse(out.stdout.trim().split('\n').pop() ?? 'null') as unknown;
    // GNU gzip, as data providers use it (`gzip -6`), into the .gz; the plain log goes.
    const fd = openSync(gz, 'w');
    try {
      await new Promise<void>((resolvePromise, reject) => {
        const proc = spawn('gzip', ['-6', '-c', log], { stdio: ['ignore', fd, 'inherit'] });
        proc.on('error', reject);
        proc.on('close', (code) => {
          if (code === 0) resolvePromise();
          else reject(new Error(`gzip exited ${String(code)}`));
        });
      });
    } finally {
      closeSync(fd);
    }
    rmSync(log);
  }
  const env = { ...process.env, GNUPGHOME: gnupgHome, LC_ALL: 'C' };
  const gpg = (args: readonly string[]): string =>
    execFileSync('gpg', ['--batch', '--no-tty', ...args], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const uid = 'bench-read-input <bench-read-input@example.invalid>';
  if (!existsSync(key)) {
    mkdirSync(gnupgHome, { recursive: true, mode: 0o700 });
    gpg(['--passphrase', '', '--quick-gen-key', uid, 'rsa2048', 'sign', 'never']);
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(['--with-colons', '--list-keys', uid]))?.[1];
    if (fpr === undefined) throw new Error('no fingerprint for the benchmark key');
    // A primary key made with `sign` can't encrypt: add the encryption subkey.
    gpg(['--passphrase', '', '--quick-add-key', fpr, 'rsa2048', 'encr', 'never']);
    const armored = gpg(['--armor', '--export-secret-keys', uid]);
    execFileSync('sh', ['-c', 'cat > "$1"', 'sh', key], { input: armored });
  }
  const encrypt = ['--yes', '--trust-model', 'always', '--recipient', uid];
  if (!existsSync(plain)) gpg([...encrypt, '--output', plain, '--encrypt', gz]);
  if (!existsSync(zlib)) {
    // From stdin: gpg can't tell the data is compressed and adds a ZLIB packet.
    const fd = openSync(gz, 'r');
    try {
      execFileSync('gpg', ['--batch', '--no-tty', ...encrypt, '--output', zlib, '--encrypt'], {
        env,
        stdio: [fd, 'ignore', 'inherit'],
      });
    } finally {
      closeSync(fd);
    }
  }
  return { gz, plain, zlib, key, gnupgHome, generated };
}

/** The compression packet gpg finds inside an encrypted file (`none` when there is none). */
function compressionPacket(file: string, gnupgHome: string): string {
  const out = execFileSync('gpg', ['--batch', '--no-tty', '--list-packets', file], {
    env: { ...process.env, GNUPGHOME: gnupgHome, LC_ALL: 'C' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 1 << 26,
  });
  const algo = /^:compressed packet: algo=(\d+)/m.exec(out)?.[1];
  if (algo === undefined) return 'none';
  return ({ '1': 'zip', '2': 'zlib', '3': 'bzip2' } as Record<string, string>)[algo] ?? algo;
}

async function ours(
  mode: Mode,
  file: string,
  key: string,
): Promise<ChildResult & { wall: number }> {
  const self = fileURLToPath(import.meta.url);
  const { stdout, seconds } = await run(process.execPath, [
    self,
    '--child',
    mode,
    '--file',
    file,
    '--key',
    key,
  ]);
  const result = JSON.parse(stdout.trim().split('\n').pop() ?? '') as ChildResult;
  return { ...result, wall: seconds };
}

async function gpgZcat(file: string, gnupgHome: string): Promise<number> {
  const { seconds } = await run(
    'bash',
    [
      '-c',
      'set -o pipefail; gpg --batch --no-tty --quiet --decrypt "$1" | zcat > /dev/null',
      'bash',
      file,
    ],
    { ...process.env, GNUPGHOME: gnupgHome, LC_ALL: 'C' },
  );
  return seconds;
}

async function main(): Promise<void> {
  const bytes = Number(options['bytes'] ?? 1e9);
  const runs = Number(options['runs'] ?? 3);
  const dir = options['dir'] ?? mkdtempSync(join(tmpdir(), 'edx-bench-read-input-'));
  mkdirSync(dir, { recursive: true });
  const files = await prepare(dir, bytes);
  execFileSync('sync');

  for (const [kind, file] of [
    ['gpg-from-file', files.plain],
    ['gpg-from-stdin', files.zlib],
  ] as const) {
    const gpgTimes: number[] = [];
    const results: Record<Mode, (ChildResult & { wall: number })[]> = { consume: [], lines: [] };
    for (let i = 0; i < runs; i++) {
      gpgTimes.push(await gpgZcat(file, files.gnupgHome));
      results.consume.push(await ours('consume', file, files.key));
      results.lines.push(await ours('lines', file, files.key));
    }
    const first = results.consume[0];
    if (first === undefined) throw new Error('--runs must be at least 1');
    const plaintext = first.plaintextBytes;
    for (const r of [...results.consume, ...results.lines]) {
      if (r.plaintextBytes !== plaintext) throw new Error('plaintext size differs between runs');
    }
    const gpgSeconds = median(gpgTimes);
    const gpgRate = megabytes(plaintext, gpgSeconds);
    const summarize = (mode: Mode): Record<string, unknown> => {
      const rs = results[mode];
      const wall = median(rs.map((r) => r.wall));
      const inner = median(rs.map((r) => r.seconds));
      return {
        seconds: round(wall, 2),
        mbPerSecond: megabytes(plaintext, wall),
        ratioToGpgZcat: round(gpgSeconds / wall, 2),
        inProcessSeconds: round(inner, 2),
        inProcessMbPerSecond: megabytes(plaintext, inner),
        peakRssMiB: round(Math.max(...rs.map((r) => r.peakRssMiB))),
        ...(mode === 'lines' ? { lines: rs[0]?.lines } : {}),
      };
    };
    const result = {
      bench: 'read-input',
      kind,
      compressionPacket: compressionPacket(file, files.gnupgHome),
      layers: first.layers,
      integrityChecked: first.integrityChecked,
      fileBytes: statSync(file).size,
      gzBytes: statSync(files.gz).size,
      plaintextBytes: plaintext,
      runs,
      gpgZcat: { seconds: round(gpgSeconds, 2), mbPerSecond: gpgRate },
      ours: { consume: summarize('consume'), lines: summarize('lines') },
      goal: { ratioToGpgZcat: 1, peakRssMiB: 200 },
    };
    console.log(JSON.stringify(result));
  }
  if (files.generated !== 'reused') console.error(`generated: ${JSON.stringify(files.generated)}`);
  try {
    // Stop the gpg-agent that key generation and decryption started in the throwaway home.
    execFileSync('gpgconf', ['--kill', 'gpg-agent'], {
      env: { ...process.env, GNUPGHOME: files.gnupgHome },
      stdio: 'ignore',
    });
  } catch {
    // no agent running, or no gpgconf
  }
  if (options['dir'] === undefined) rmSync(dir, { recursive: true, force: true });
}

const childMode = options['child'];
if (childMode === 'consume' || childMode === 'lines') {
  const file = options['file'];
  const key = options['key'];
  if (file === undefined || key === undefined) throw new Error('--child needs --file and --key');
  await child(childMode, file, key);
} else {
  await main();
}
