import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from './errors.js';
import { DEFAULT_MAX_LINE_BYTES, readLines } from './read-lines.js';
import type { Line, ReadLinesOptions } from './read-lines.js';

/** Yields `data` in pieces of `size` bytes. */
async function* chunked(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) {
    await Promise.resolve();
    yield new Uint8Array(data.subarray(i, i + size));
  }
}

async function collect(
  data: string | Buffer,
  size = 1,
  options: ReadLinesOptions = {},
): Promise<{ lines: Line[]; reader: ReturnType<typeof readLines> }> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const reader = readLines(chunked(bytes, size), options);
  const lines: Line[] = [];
  for await (const line of reader) lines.push(line);
  return { lines, reader };
}

const texts = (lines: readonly Line[]): string[] => lines.map((l) => l.text);

describe(readLines, () => {
  it('splits lines and yields a last line without a newline', async () => {
    for (const size of [1, 2, 3, 1000]) {
      const { lines, reader } = await collect('a\nbb\n\nccc', size);
      expect(lines).toEqual([
        { line: 1, text: 'a' },
        { line: 2, text: 'bb' },
        { line: 3, text: '' },
        { line: 4, text: 'ccc' },
      ]);
      expect(reader.summary).toMatchObject({ lines: 4, bytes: 9, invalidUtf8: 0, tooLong: 0 });
    }
  });

  it('does not yield an empty line after a final newline, nor for empty input', async () => {
    expect(texts((await collect('a\n')).lines)).toEqual(['a']);
    const empty = await collect('');
    expect(empty.lines).toEqual([]);
    expect(empty.reader.summary.lines).toBe(0);
  });

  it('strips the \\r of CRLF endings, also split across chunks', async () => {
    for (const size of [1, 2, 4]) {
      expect(texts((await collect('one\r\ntwo\r\nthree\r', size)).lines)).toEqual([
        'one',
        'two',
        'three',
      ]);
    }
    expect(texts((await collect('a\rb\n')).lines)).toEqual(['a\rb']);
  });

  it('strips a BOM at the start only', async () => {
    const data = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('{"a":1}\n\uFEFFkept\n', 'utf8'),
    ]);
    const { lines, reader } = await collect(data, 1);
    expect(texts(lines)).toEqual(['{"a":1}', '\uFEFFkept']);
    expect(reader.summary.bytes).toBe(data.length);
  });

  it('keeps 2-, 3- and 4-byte characters split across 1-byte chunks', async () => {
    const text = 'é€😀 naïve\n日本語\n';
    for (const size of [1, 2, 3, 5]) {
      const { lines, reader } = await collect(text, size);
      expect(texts(lines)).toEqual(['é€😀 naïve', '日本語']);
      expect(reader.summary.invalidUtf8).toBe(0);
    }
  });

  it('replaces and counts invalid UTF-8 but not a genuine U+FFFD', async () => {
    const data = Buffer.concat([
      Buffer.from('ok \uFFFD\n', 'utf8'),
      Buffer.from([0x61, 0xff, 0x62, 0x0a]), // a, invalid byte, b
      Buffer.from([0xe2, 0x82, 0x0a]), // a truncated 3-byte sequence
      Buffer.from([0xc3]), // a truncated 2-byte sequence at the very end
    ]);
    const { lines, reader } = await collect(data, 1);
    expect(texts(lines)).toEqual(['ok \uFFFD', 'a\uFFFDb', '\uFFFD', '\uFFFD']);
    expect(reader.summary.invalidUtf8).toBe(3);
  });

  it('reports an over-long line with its number, skips it and reads on', async () => {
    const issues: InputError[] = [];
    const data = `short\n${'x'.repeat(25)}\nnext\n${'y'.repeat(10)}\r\nlast${'z'.repeat(30)}`;
    for (const size of [1, 7, 1000]) {
      issues.length = 0;
      const { lines, reader } = await collect(data, size, {
        file: 'big.log',
        maxLineBytes: 10,
        onIssue: (issue) => issues.push(issue),
      });
      expect(lines).toEqual([
        { line: 1, text: 'short' },
        { line: 3, text: 'next' },
        { line: 4, text: 'y'.repeat(10) },
      ]);
      expect(issues.map((i) => [i.code, i.line, i.file])).toEqual([
        ['E_LINE_TOO_LONG', 2, 'big.log'],
        ['E_LINE_TOO_LONG', 5, 'big.log'],
      ]);
      expect(issues[0]).toBeInstanceOf(InputError);
      expect(issues[0]?.message).toBe('line is longer than 10 bytes; skipped at big.log:2');
      expect(reader.summary).toMatchObject({ lines: 5, tooLong: 2 });
      expect(reader.summary.issues).toEqual(issues);
    }
  });

  it('measures the limit in bytes, not characters', async () => {
    const { lines, reader } = await collect('éé\néééé\n', 1, { maxLineBytes: 4 });
    expect(lines).toEqual([{ line: 1, text: 'éé' }]);
    expect(reader.summary.tooLong).toBe(1);
  });

  it('skips a real 20 MB line against the default 16 MiB limit without buffering it', async () => {
    expect(DEFAULT_MAX_LINE_BYTES).toBe(16 * 1024 * 1024);
    const piece = Buffer.alloc(1 << 20, 0x61);
    async function* source(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('{"first":1}\n');
      for (let i = 0; i < 20; i++) {
        await Promise.resolve();
        yield piece;
      }
      yield Buffer.from('\n{"after":2}\n{"after":3}');
    }
    const issues: InputError[] = [];
    const reader = readLines(source(), { file: 'huge.log', onIssue: (e) => issues.push(e) });
    const lines: Line[] = [];
    for await (const line of reader) lines.push(line);
    expect(lines).toEqual([
      { line: 1, text: '{"first":1}' },
      { line: 3, text: '{"after":2}' },
      { line: 4, text: '{"after":3}' },
    ]);
    expect(issues.map((i) => [i.code, i.line])).toEqual([['E_LINE_TOO_LONG', 2]]);
    expect(reader.summary).toMatchObject({ lines: 4, tooLong: 1, bytes: 20 * (1 << 20) + 12 + 24 });
  });

  it('accepts a Node Readable, with or without an encoding set', async () => {
    const plain = readLines(Readable.from([Buffer.from('a\nb'), Buffer.from('c\n')]));
    const got: string[] = [];
    for await (const { text } of plain) got.push(text);
    expect(got).toEqual(['a', 'bc']);
    const encoded = Readable.from([Buffer.from('x\ny\n')]).setEncoding('utf8');
    const got2: string[] = [];
    for await (const { text } of readLines(encoded)) got2.push(text);
    expect(got2).toEqual(['x', 'y']);
  });

  it('returns the summary as the generator result', async () => {
    const reader = readLines(chunked(Buffer.from('a\nb\n'), 1));
    let next = await reader.next();
    while (next.done !== true) next = await reader.next();
    expect(next.value).toMatchObject({ lines: 2, bytes: 4 });
  });

  it('destroys the source when the loop stops early', async () => {
    const stream = new Readable({
      read() {
        this.push(Buffer.from('line\n'.repeat(100)));
      },
    });
    let seen = 0;
    for await (const line of readLines(stream)) {
      seen = line.line;
      if (seen === 3) break;
    }
    expect(seen).toBe(3);
    expect(stream.destroyed).toBe(true);
  });

  it('calls return() on a plain async iterable when stopped early', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for (;;) {
          await Promise.resolve();
          yield Buffer.from('x\n');
        }
      } finally {
        closed = true;
      }
    }
    for await (const line of readLines(source())) if (line.line === 2) break;
    expect(closed).toBe(true);
  });

  it('lets an error of the source through', async () => {
    const stream = new Readable({
      read() {
        // data is pushed by the test
      },
    });
    stream.push('a\n');
    setImmediate(() => stream.destroy(new Error('disk on fire')));
    const got: string[] = [];
    await expect(async () => {
      for await (const { text } of readLines(stream)) got.push(text);
    }).rejects.toThrow('disk on fire');
    expect(got).toEqual(['a']);
  });

  it('rejects an invalid maxLineBytes with a UsageError', () => {
    expect(() => readLines(chunked(Buffer.alloc(0), 1), { maxLineBytes: 0 })).toThrow(UsageError);
    expect(() => readLines(chunked(Buffer.alloc(0), 1), { maxLineBytes: 1.5 })).toThrow(
      /maxLineBytes/,
    );
  });
});
