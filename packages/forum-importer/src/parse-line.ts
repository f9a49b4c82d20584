/**
 * The I/O-free core: one line of the dump → one typed forum document, or the reason it was
 * rejected. Extended JSON is decoded by `bson`'s `EJSON.parse` in canonical mode
 * (`relaxed: false`), which decodes `$oid` to `ObjectId` and all three `$date` forms (ISO
 * string, bare millis, `{"$numberLong": …}`) to `Date`; plain numbers then become JS numbers
 * again, and a `$numberLong` stays a `Long` only when it does not fit a double exactly.
 */
import { Double, EJSON, Int32, Long } from 'bson';
import { ObjectId } from 'bson';
import type { ForumDocument, ForumPostType, ForumRejectReason } from './types.js';

export type ParsedForumLine =
  | {
      readonly ok: true;
      readonly doc: ForumDocument;
      readonly type: ForumPostType;
      readonly shellSyntax: boolean;
    }
  | { readonly ok: false; readonly reason: ForumRejectReason; readonly message: string };

const SHELL_CALL =
  /(ISODate|ObjectId|NumberLong|NumberInt|new Date)\(\s*("(?:[^"\\]|\\.)*"|-?\d+)?\s*\)/y;

/**
 * Rewrites mongo-shell syntax outside JSON strings into extended JSON: `ISODate("…")` and
 * `new Date("…" | millis)` → `{"$date":…}`, `ObjectId("…")` → `{"$oid":"…"}`,
 * `NumberLong(n)` → `{"$numberLong":"n"}`, `NumberInt(n)` → `n`. Returns null when there was
 * nothing to rewrite.
 */
export function rewriteShellSyntax(text: string): string | null {
  let out = '';
  let last = 0;
  let changed = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // skip a JSON string
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
      continue;
    }
    if (c !== 0x49 && c !== 0x4f && c !== 0x4e && c !== 0x6e) continue; // I O N n
    SHELL_CALL.lastIndex = i;
    const match = SHELL_CALL.exec(text);
    if (match === null) continue;
    const [whole, fn = '', arg] = match;
    if (arg === undefined) continue;
    const quoted = arg.startsWith('"');
    const bare = quoted ? (JSON.parse(arg) as string) : arg;
    let replacement: string;
    if (fn === 'ISODate' || fn === 'new Date') {
      replacement = quoted ? `{"$date":${arg}}` : `{"$date":{"$numberLong":"${bare}"}}`;
    } else if (fn === 'ObjectId') {
      replacement = `{"$oid":${JSON.stringify(bare)}}`;
    } else if (fn === 'NumberLong') {
      replacement = `{"$numberLong":${JSON.stringify(bare)}}`;
    } else {
      replacement = bare;
    }
    out += text.slice(last, i) + replacement;
    i += whole.length - 1;
    last = i + 1;
    changed = true;
  }
  return changed ? out + text.slice(last) : null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class InvalidDate extends Error {}

/** Int32/Double → number, a safe Long → number; throws InvalidDate for a NaN date. */
function normalize(value: unknown, path: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Int32 || value instanceof Double) return value.valueOf();
  if (value instanceof Long) {
    const n = value.toNumber();
    return Number.isSafeInteger(n) ? n : value;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidDate(`${path} is not a valid date`);
    return value;
  }
  if (Array.isArray(value)) {
    const array: unknown[] = value;
    for (let i = 0; i < array.length; i++) array[i] = normalize(array[i], `${path}[${i}]`);
    return array;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value; // ObjectId, Binary…
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    record[key] = normalize(record[key], path === '' ? key : `${path}.${key}`);
  }
  return record;
}

function isNonEmpty(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

/**
 * Parses one non-blank line of a forum dump. Never throws: a bad line gives
 * `{ ok: false, reason, message }`.
 */
export function parseForumLine(text: string): ParsedForumLine {
  let parsed: unknown;
  let shellSyntax = false;
  try {
    parsed = EJSON.parse(text, { relaxed: false });
  } catch (error) {
    const rewritten = error instanceof SyntaxError ? rewriteShellSyntax(text) : null;
    if (rewritten === null) {
      return error instanceof SyntaxError
        ? { ok: false, reason: 'invalid-json', message: `not valid JSON: ${error.message}` }
        : { ok: false, reason: 'invalid-extended-json', message: messageOf(error) };
    }
    shellSyntax = true;
    try {
      parsed = EJSON.parse(rewritten, { relaxed: false });
    } catch (again) {
      return again instanceof SyntaxError
        ? { ok: false, reason: 'invalid-json', message: `not valid JSON: ${again.message}` }
        : { ok: false, reason: 'invalid-extended-json', message: messageOf(again) };
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const what = Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : typeof parsed;
    return { ok: false, reason: 'not-an-object', message: `the line is ${what}, not a document` };
  }
  if (Object.getPrototypeOf(parsed) !== Object.prototype) {
    return {
      ok: false,
      reason: 'not-an-object',
      message: 'the line is an extended-JSON value, not a document',
    };
  }
  try {
    normalize(parsed, '');
  } catch (error) {
    if (error instanceof InvalidDate) {
      return { ok: false, reason: 'invalid-date', message: error.message };
    }
    throw error;
  }
  const doc = parsed as Record<string, unknown>;
  const type = doc['_type'];
  if (type === undefined) return { ok: false, reason: 'no-type', message: 'no _type field' };
  if (type !== 'CommentThread' && type !== 'Comment') {
    return {
      ok: false,
      reason: 'unknown-type',
      message: `_type is ${JSON.stringify(type)}, not "CommentThread" or "Comment"`,
    };
  }
  if (!(doc['_id'] instanceof ObjectId)) {
    return {
      ok: false,
      reason: 'invalid-id',
      message: doc['_id'] === undefined ? 'no _id field' : '_id is not an ObjectId ($oid)',
    };
  }
  if (type === 'CommentThread') {
    return { ok: true, doc: doc as ForumDocument, type: 'thread', shellSyntax };
  }
  if (!(doc['comment_thread_id'] instanceof ObjectId)) {
    return {
      ok: false,
      reason: 'no-thread-id',
      message: 'a Comment without an ObjectId comment_thread_id',
    };
  }
  const isComment = doc['parent_id'] instanceof ObjectId || isNonEmpty(doc['parent_ids']);
  return {
    ok: true,
    doc: doc as ForumDocument,
    type: isComment ? 'comment' : 'response',
    shellSyntax,
  };
}

/** The type of a parsed forum document (`thread`, `response`, `comment`). */
export function forumPostType(doc: ForumDocument): ForumPostType {
  if (doc._type === 'CommentThread') return 'thread';
  return doc.parent_id instanceof ObjectId || isNonEmpty(doc.parent_ids) ? 'comment' : 'response';
}
