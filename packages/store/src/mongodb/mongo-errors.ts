import { isEdxDataError, redactSecrets, StoreError } from '@edx-data/core';
import type { ErrorCode } from '@edx-data/core';
import { EJSON } from 'bson';
import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import type { WriteError } from 'mongodb';

/** Server codes of a duplicate key (11001 is the pre-2.6 spelling some servers still send). */
const DUPLICATE_KEY_CODES = new Set([11000, 11001]);

/** Server code of "ns does not exist". */
export const NAMESPACE_NOT_FOUND = 26;

/** Server code of "not implemented" (FerretDB: an option or stage it lacks). */
export const NOT_IMPLEMENTED = 238;

/**
 * Hides secrets in driver messages: URI passwords (by pattern) and the literal password of
 * the store's URI (raw and percent-decoded), wherever the driver may have echoed it.
 */
export class Redactor {
  readonly #secrets: string[];

  constructor(uri: string) {
    const userinfo = /^[a-z][a-z0-9+.-]*:\/\/(\S*)@/iu.exec(uri)?.[1]; // to the last @: a password may hold @ / ? #
    const colon = userinfo?.indexOf(':') ?? -1;
    const password = userinfo !== undefined && colon >= 0 ? userinfo.slice(colon + 1) : '';
    const secrets = new Set<string>();
    if (password.length > 0) {
      secrets.add(password);
      try {
        secrets.add(decodeURIComponent(password));
      } catch {
        // a malformed escape: the raw form is enough
      }
    }
    this.#secrets = [...secrets];
  }

  text(text: string): string {
    return redactSecrets(text, this.#secrets);
  }

  /**
   * Scrub an error (and its causes) in place so that it can be kept as a `cause`: its
   * message and stack no longer hold the password.
   */
  error(err: unknown): unknown {
    let current: unknown = err;
    for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
      try {
        current.message = this.text(current.message);
        if (current.stack !== undefined) current.stack = this.text(current.stack);
      } catch {
        // a read-only property: leave it
      }
      current = current.cause;
    }
    return err;
  }
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** True when `err` is a server error with this `code`. */
export function hasServerCode(err: unknown, code: number): boolean {
  return err instanceof MongoServerError && err.code === code;
}

export function isDuplicateKeyCode(code: unknown): boolean {
  return typeof code === 'number' && DUPLICATE_KEY_CODES.has(code);
}

/** The write errors of a bulk write error, always as an array. */
export function writeErrorsOf(err: MongoBulkWriteError): WriteError[] {
  const errors = err.writeErrors;
  // `OneOrMore<WriteError>`: the class itself is not exported at runtime
  return Array.isArray(errors) ? [...(errors as readonly WriteError[])] : [errors as WriteError];
}

/** A short, readable rendering of an `_id` for messages: `ObjectId("…")`, `"abc"`, `42`. */
export function describeId(id: unknown): string {
  try {
    if (id !== null && typeof id === 'object' && '_bsontype' in id && id._bsontype === 'ObjectId') {
      return `ObjectId("${(id as unknown as { toHexString(): string }).toHexString()}")`;
    }
    return EJSON.stringify(id, { relaxed: true });
  } catch {
    return String(id);
  }
}

/**
 * Wrap anything a driver call threw as a `StoreError` whose message (and `cause`) hold no
 * password. A toolkit error (a `StoreError`, a `UsageError`) passes through untouched.
 */
export function wrapError(
  err: unknown,
  redactor: Redactor,
  what: string,
  code: ErrorCode = 'E_STORE',
): Error {
  if (isEdxDataError(err)) return err;
  redactor.error(err);
  if (
    isDuplicateKeyCode(err instanceof MongoServerError ? err.code : undefined) &&
    !(err instanceof MongoBulkWriteError)
  ) {
    return new StoreError(
      'E_DUPLICATE_KEY',
      `${what}: duplicate key: ${redactor.text(messageOf(err))}`,
      { cause: err },
    );
  }
  return new StoreError(code, `${what}: ${redactor.text(messageOf(err))}`, { cause: err });
}
