/** Small helpers shared by the stages of {@link openInput}: reading Node errors, making InputErrors. */
import { InputError } from '../errors.js';
import type { ErrorCode } from '../errors.js';

/** The `code` of a Node system or zlib error (`ENOENT`, `Z_BUF_ERROR`, …). */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An InputError about `file`, keeping the cause. */
export function fail(code: ErrorCode, message: string, file: string, cause?: unknown): InputError {
  return new InputError(code, message, cause === undefined ? { file } : { file, cause });
}
