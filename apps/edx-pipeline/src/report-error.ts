import { inspect } from 'node:util';
import { UsageError, isEdxDataError } from '@edx-data/core';
import { ExitCode } from './exit-code.js';
import type { Writer } from './io.js';

/** The prefix of every line the CLI writes on stderr. */
export const PROGRAM_NAME = 'edx-pipeline';

/** True when `EDX_DEBUG` asks for stack traces (any value but empty, `0` or `false`). */
export function isDebug(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env['EDX_DEBUG']?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/** Squeeze a message onto one line. */
export function oneLine(text: string): string {
  return text
    .split(/\r?\n/u)
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .join(' ');
}

/** A thrown value that is not an Error (`throw 'boom'`), as text. */
function describeValue(value: unknown): string {
  return typeof value === 'string' ? value : inspect(value, { depth: 2, breakLength: Infinity });
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return `unexpected error: ${oneLine(describeValue(error))}`;
  const message = oneLine(error.message);
  const shown = message.length > 0 ? message : error.name;
  if (isEdxDataError(error)) return shown;
  return `unexpected error: ${shown} (set EDX_DEBUG=1 for the stack trace)`;
}

function stackOf(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth += 1) {
    const prefix = depth === 0 ? '' : 'caused by: ';
    if (current instanceof Error) {
      lines.push(`${prefix}${current.stack ?? current.message}`);
      current = current.cause;
    } else {
      lines.push(`${prefix}${describeValue(current)}`);
      current = undefined;
    }
  }
  return lines.join('\n');
}

/** The exit status for an error: 2 for a `UsageError`, 1 for anything else. */
export function exitCodeForError(error: unknown): ExitCode {
  return error instanceof UsageError ? ExitCode.Usage : ExitCode.Failure;
}

/**
 * Write `error` as one line (`edx-pipeline: <message>`) on `stderr`, with its stack and
 * causes only when `debug` is on, and return the exit status it calls for.
 */
export function reportError(error: unknown, stderr: Writer, debug: boolean): ExitCode {
  stderr.write(`${PROGRAM_NAME}: ${messageOf(error)}\n`);
  if (debug) stderr.write(`${stackOf(error)}\n`);
  return exitCodeForError(error);
}
