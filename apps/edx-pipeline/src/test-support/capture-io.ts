import type { CliIo } from '../io.js';

/** An in-memory `CliIo`: what was written on stdout and stderr, as strings. */
export interface CapturedIo extends CliIo {
  readonly out: () => string;
  readonly err: () => string;
}

export function captureIo(env: Readonly<Record<string, string | undefined>> = {}): CapturedIo {
  let out = '';
  let err = '';
  return {
    stdout: {
      write: (text: string) => {
        out += text;
      },
    },
    stderr: {
      write: (text: string) => {
        err += text;
      },
    },
    env,
    out: () => out,
    err: () => err,
  };
}
