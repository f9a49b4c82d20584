/**
 * The error tree of the toolkit. Every error thrown by an `@edx-data/*` package is an
 * {@link EdxDataError} with a `code` from a closed union, so that callers (and the CLI) can
 * decide what to do without parsing messages. The tree splits by who is at fault:
 *
 * - {@link InputError}: the data is bad (a file, a line, a record).
 * - {@link UsageError}: the caller asked for something invalid (options, names, URIs).
 * - {@link StoreError}: the database said no, or could not be reached (`cause` keeps the
 *   driver's own error).
 */

/** Every code an {@link EdxDataError} can carry. Adding one is a deliberate act. */
export type ErrorCode =
  // usage
  | 'E_USAGE'
  | 'E_OPTION'
  | 'E_STORE_URI'
  | 'E_DATABASE_NAME'
  | 'E_COLLECTION_NAME'
  | 'E_STORE_NOT_FOUND'
  | 'E_CONFIG'
  // input
  | 'E_INPUT'
  | 'E_FILE_NOT_FOUND'
  | 'E_COURSE_ID'
  | 'E_DECRYPT_NO_KEY'
  | 'E_DECRYPT_WRONG_KEY'
  | 'E_PASSPHRASE_MISSING'
  | 'E_PASSPHRASE_WRONG'
  | 'E_INTEGRITY'
  | 'E_GPG_CORRUPT'
  | 'E_GPG_TRUNCATED'
  | 'E_GZIP_CORRUPT'
  | 'E_GZIP_TRUNCATED'
  | 'E_LINE_TOO_LONG'
  | 'E_REFUSED'
  // store
  | 'E_STORE'
  | 'E_STORE_UNREACHABLE'
  | 'E_STORE_CORRUPT'
  | 'E_DUPLICATE_KEY'
  | 'E_STORE_CLOSED'
  | 'E_UNSUPPORTED';

/** Where an error happened in an input, when it concerns one. */
export interface ErrorPosition {
  /** The input file (or zip entry) the error concerns. */
  readonly file?: string | undefined;
  /** 1-based line number in that file. */
  readonly line?: number | undefined;
  /** 1-based column (field) number, where it applies. */
  readonly column?: number | undefined;
}

export interface EdxDataErrorOptions extends ErrorPosition {
  readonly cause?: unknown;
}

function positionSuffix(pos: ErrorPosition): string {
  if (pos.file === undefined) return pos.line === undefined ? '' : ` at line ${pos.line}`;
  const line = pos.line === undefined ? '' : `:${pos.line}`;
  const column = pos.line !== undefined && pos.column !== undefined ? `:${pos.column}` : '';
  return ` at ${pos.file}${line}${column}`;
}

/** The root of every error the toolkit throws. */
export class EdxDataError extends Error {
  override readonly name: string = 'EdxDataError';
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(code: ErrorCode, message: string, options: EdxDataErrorOptions = {}) {
    super(
      message + positionSuffix(options),
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.code = code;
    this.file = options.file;
    this.line = options.line;
    this.column = options.column;
  }
}

/** Bad data in an input: a file, a line or a record that is not what was expected. */
export class InputError extends EdxDataError {
  override readonly name: string = 'InputError';
}

/** The caller asked for something invalid: an option, a name, a URI. */
export class UsageError extends EdxDataError {
  override readonly name: string = 'UsageError';
}

/** The store refused an operation or could not be reached. */
export class StoreError extends EdxDataError {
  override readonly name: string = 'StoreError';
}

/** True when `value` is an error thrown by this toolkit. */
export function isEdxDataError(value: unknown): value is EdxDataError {
  return value instanceof EdxDataError;
}
