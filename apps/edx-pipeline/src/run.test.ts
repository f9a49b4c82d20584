import { readFileSync } from 'node:fs';
import { InputError } from '@edx-data/core';
import { describe, expect, it } from 'vitest';
import type { CliCommand } from './command.js';
import { ExitCode } from './exit-code.js';
import { run } from './run.js';
import type { OpenStore } from './store-api.js';
import { captureIo } from './test-support/capture-io.js';
import { createFakeStore } from './test-support/fake-store.js';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** A fake `openStore` that remembers what it was asked for. */
function fakeOpener() {
  const calls: (string | undefined)[] = [];
  const store = createFakeStore({ course_a: { user: [{}, {}] } });
  const openStore: OpenStore = (uri) => {
    calls.push(uri);
    return Promise.resolve(store);
  };
  return { calls, store, openStore };
}

/** A command that does what the test says, to check the runner. */
function probe(name: string, body: CliCommand['run']): CliCommand {
  return { name, configure: () => undefined, run: body };
}

const lines = (text: string) => text.split('\n').filter((line) => line.length > 0);

describe(run, () => {
  it('lists the status command in --help, on stdout, exit 0', async () => {
    const io = captureIo();
    expect(await run(['--help'], io)).toBe(ExitCode.Ok);
    expect(io.out()).toMatch(/^\s+status \[options\]\s+list databases/mu);
    expect(io.out()).toContain('--store <uri>');
    expect(io.err()).toBe('');
  });

  it('prints the package version with --version', async () => {
    const io = captureIo();
    expect(await run(['--version'], io)).toBe(ExitCode.Ok);
    expect(io.out()).toBe(`${manifest.version}\n`);
  });

  it('prints help on stderr and exits 2 when no command is given', async () => {
    const io = captureIo();
    expect(await run([], io)).toBe(ExitCode.Usage);
    expect(io.err()).toContain('Usage: edx-pipeline');
    expect(io.out()).toBe('');
  });

  it.each([
    [['--store', '/data/a', '--json', '--no-progress', 'status']],
    [['status', '--store', '/data/a', '--json', '--no-progress']],
    [['--json', 'status', '--store=/data/a']],
  ])('accepts global options before or after the command: %j', async (argv) => {
    const { calls, openStore } = fakeOpener();
    const io = captureIo();
    expect(await run(argv, io, { openStore })).toBe(ExitCode.Ok);
    expect(calls).toEqual(['/data/a']);
    expect(JSON.parse(io.out())).toMatchObject({ totals: { documents: 2 } });
    expect(io.err()).toBe('');
  });

  it('leaves the store to EDX_STORE, then ./edx-data, when --store is not given', async () => {
    const { calls, openStore } = fakeOpener();
    expect(await run(['status'], captureIo({ EDX_STORE: '/env/store' }), { openStore })).toBe(0);
    expect(calls).toEqual([undefined]);
  });

  it.each([
    [['stauts'], /^edx-pipeline: unknown command 'stauts' \(Did you mean status\?\)\n$/u],
    [['--frobnicate', 'status'], /^edx-pipeline: unknown option '--frobnicate'/u],
    [['status', '--frobnicate'], /^edx-pipeline: unknown option '--frobnicate'/u],
    [['status', 'extra'], /^edx-pipeline: too many arguments for 'status'/u],
    [['status', '--store'], /^edx-pipeline: option '--store <uri>' argument missing/u],
  ])('exits 2 with one line for the usage error in %j', async (argv, message) => {
    const { calls, openStore } = fakeOpener();
    const io = captureIo();
    expect(await run(argv, io, { openStore })).toBe(ExitCode.Usage);
    expect(lines(io.err())).toHaveLength(1);
    expect(io.err()).toMatch(message);
    expect(io.out()).toBe('');
    expect(calls).toEqual([]);
  });

  it('exits 2 with one line for an invalid database name in --db, without opening the store', async () => {
    const { calls, openStore } = fakeOpener();
    const io = captureIo();
    expect(await run(['status', '--db', 'bad.name'], io, { openStore })).toBe(ExitCode.Usage);
    expect(lines(io.err())).toEqual([
      expect.stringMatching(/^edx-pipeline: invalid database name "bad\.name": it contains "\."/u),
    ]);
    expect(calls).toEqual([]);
  });

  it('exits 2 with one line and no stack for an unknown store URI scheme', async () => {
    const io = captureIo();
    expect(await run(['--store', 'postgres://x', 'status'], io)).toBe(ExitCode.Usage);
    expect(lines(io.err())).toEqual([
      'edx-pipeline: unknown store URI scheme "postgres:"; expected mongodb://, mongodb+srv:// or a folder path',
    ]);
    expect(io.err()).not.toMatch(/\bat .+:\d+/u);
    expect(io.out()).toBe('');
  });

  it('exits 1 within 15 s for an unreachable MongoDB, never printing its password', async () => {
    const started = Date.now();
    const io = captureIo({ EDX_DEBUG: '1' });
    const code = await run(
      ['--json', 'status', '--store', 'mongodb://user:secret@127.0.0.1:1/'],
      io,
    );
    expect(code).toBe(ExitCode.Failure);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(io.err()).toMatch(/^edx-pipeline: .+/u);
    expect(io.out() + io.err()).not.toContain('secret');
  }, 20_000);

  it('reports an unexpected error in one line, with no stack unless EDX_DEBUG is set', async () => {
    const command = probe('boom', () => Promise.reject(new TypeError('x is not a function')));
    const io = captureIo();
    expect(await run(['boom'], io, { commands: [command] })).toBe(ExitCode.Failure);
    expect(io.err()).toBe(
      'edx-pipeline: unexpected error: x is not a function (set EDX_DEBUG=1 for the stack trace)\n',
    );

    const debugIo = captureIo({ EDX_DEBUG: '1' });
    expect(await run(['boom'], debugIo, { commands: [command] })).toBe(ExitCode.Failure);
    expect(debugIo.err()).toContain('TypeError: x is not a function\n    at ');
  });

  it('reports a toolkit error as its message, on one line, exit 1', async () => {
    const command = probe('load', () =>
      Promise.reject(
        new InputError('E_INPUT', 'expected 12 fields, got 3\nmore', { file: 'a.sql', line: 7 }),
      ),
    );
    const io = captureIo();
    expect(await run(['load'], io, { commands: [command] })).toBe(ExitCode.Failure);
    expect(io.err()).toBe('edx-pipeline: expected 12 fields, got 3 more at a.sql:7\n');
  });

  it('exits 3 when records were rejected, after printing the summary', async () => {
    const command = probe('load', () =>
      Promise.resolve({
        text: 'loaded 10, rejected 2',
        summary: { loaded: 10, rejected: 2 },
        rejected: 2,
      }),
    );
    const io = captureIo();
    expect(await run(['load'], io, { commands: [command] })).toBe(ExitCode.Rejected);
    expect(io.out()).toBe('loaded 10, rejected 2\n');
    expect(io.err()).toBe(
      'edx-pipeline: warning: finished, but 2 input records were rejected (exit status 3)\n',
    );

    const jsonIo = captureIo();
    expect(await run(['load', '--json'], jsonIo, { commands: [command] })).toBe(ExitCode.Rejected);
    expect(JSON.parse(jsonIo.out())).toEqual({ loaded: 10, rejected: 2 });
  });

  it('closes the store when the command ends, whether it succeeds or fails', async () => {
    for (const fails of [false, true]) {
      const { store, openStore } = fakeOpener();
      const command = probe('use', async (context) => {
        await context.openStore();
        if (fails) throw new Error('failed');
        return { text: '', summary: {} };
      });
      expect(await run(['use'], captureIo(), { openStore, commands: [command] })).toBe(
        fails ? 1 : 0,
      );
      expect(store.closed).toBe(true);
    }
  });

  it('never prints a URI password, a passphrase from the environment or an added secret', async () => {
    const command = probe('leak', (context) => {
      context.addSecret('added-secret');
      context.warn('key passphrase is hunter22, added-secret');
      throw new Error('cannot reach mongodb://admin:p%40ss@db.example.org/ (password p@ss)');
    });
    const io = captureIo({ EDX_GPG_PASSPHRASE: 'hunter22' });
    const argv = ['leak', '--store', 'mongodb://admin:p%40ss@db.example.org/'];
    expect(await run(argv, io, { commands: [command] })).toBe(ExitCode.Failure);
    const output = io.out() + io.err();
    for (const secret of ['hunter22', 'added-secret', 'p%40ss', 'p@ss']) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain('mongodb://admin:***@db.example.org/');
  });
});
