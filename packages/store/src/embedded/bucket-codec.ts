/**
 * How a bucketed collection keeps its documents: each document one line of text (a record),
 * the records of a bucket joined by `\n` and deflated together.
 *
 * A record is a typed JSON object whose keys are the document's field names, each prefixed
 * with one character that says how to read its value back:
 *
 * | tag | value |
 * |---|---|
 * | `s` `n` `b` `z` | string, number (finite, not -0), boolean, null |
 * | `D` | Date, as milliseconds since 1970 |
 * | `O` | ObjectId, as 24 hex digits |
 * | `j` | an object or array of only the above JSON types (written as JSON) |
 * | `B` | anything else (Long, Decimal128, binary, regex, -0, NaN, undefined, Dates inside objects, …): BSON of `{v: value}`, base64 |
 * | `P` | (a record with a JSON source) `JSON.parse` of the source's string value of the same field |
 *
 * A document that carries its JSON source (`setJsonSource` of `@edx-data/core`, set by the
 * tracking parser) is kept as its typed fields, a tab, then the source text: the text is stored
 * as read instead of being encoded again, which is most of the cost of a load.
 *
 * Reading a record gives the document the plain collection would give: the same values, the
 * same BSON types (numbers as JS numbers, as `promoteValues` does), `_id` first.
 */
import { jsonSourceOf } from '@edx-data/core';
import { BSON, ObjectId } from 'bson';
import { isPlainObject } from './codec.js';
import type { Document } from '../types.js';

const BSON_OPTIONS = { checkKeys: false, ignoreUndefined: false } as const;
const MAX_DEPTH = 64;

/** True when `JSON.stringify` and `JSON.parse` give the value back exactly. */
function jsonSafe(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || !jsonSafe(value[i], depth + 1)) return false;
    }
    return true;
  }
  if (!isPlainObject(value)) return false;
  for (const key in value) {
    if (!jsonSafe(value[key], depth + 1)) return false;
  }
  return true;
}

/** `"<tag><name>":` by tag, then field name (names repeat across documents: no concatenation per field). */
const keyCache = new Map<string, Map<string, string>>();
const MAX_CACHED_KEYS = 10_000;

function typedKey(tag: string, name: string): string {
  let byName = keyCache.get(tag);
  if (byName === undefined) {
    byName = new Map();
    keyCache.set(tag, byName);
  }
  let key = byName.get(name);
  if (key === undefined) {
    if (byName.size >= MAX_CACHED_KEYS) byName.clear();
    key = `${JSON.stringify(tag + name)}:`;
    byName.set(name, key);
  }
  return key;
}

/** One field as `"<tag><name>":<value>`. */
function typedField(name: string, value: unknown): string {
  switch (typeof value) {
    case 'string':
      return typedKey('s', name) + JSON.stringify(value);
    case 'boolean':
      return typedKey('b', name) + (value ? 'true' : 'false');
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0))
        return typedKey('n', name) + String(value);
      break;
    case 'object':
      if (value === null) return `${typedKey('z', name)}null`;
      if (value instanceof Date) {
        const ms = value.getTime();
        if (!Number.isNaN(ms)) return typedKey('D', name) + String(ms);
        break;
      }
      if (value instanceof ObjectId) return `${typedKey('O', name)}"${value.toHexString()}"`;
      if (jsonSafe(value, 0)) return typedKey('j', name) + JSON.stringify(value);
      break;
    default:
      break;
  }
  const bytes = BSON.serialize({ v: value }, BSON_OPTIONS);
  return `${typedKey('B', name)}"${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}"`;
}

function typedObject(doc: Document, names: Iterable<string>, decoded?: readonly string[]): string {
  let out = '{';
  let first = true;
  for (const name of names) {
    const value = doc[name];
    if (value === undefined && !Object.hasOwn(doc, name)) continue;
    const field =
      decoded?.includes(name) === true ? `${typedKey('P', name)}0` : typedField(name, value);
    out += first ? field : `,${field}`;
    first = false;
  }
  return `${out}}`;
}

/** The field names of a document, `_id` first. */
function idFirst(names: readonly string[]): readonly string[] {
  if (names[0] === '_id') return names;
  return ['_id', ...names.filter((name) => name !== '_id')];
}

/**
 * The record of a document (whose `_id` is set; it is written first). Its JSON source is used
 * when it has one and the text is one line; otherwise every field is typed.
 */
export function encodeRecord(doc: Document): string {
  const source = jsonSourceOf(doc);
  if (source !== undefined && !source.text.includes('\n')) {
    return `${typedObject(doc, idFirst(source.fields), source.decoded)}\t${source.text}`;
  }
  return typedObject(doc, idFirst(Object.keys(doc)));
}

function setField(doc: Document, name: string, value: unknown): void {
  if (name === '__proto__') {
    Object.defineProperty(doc, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else doc[name] = value;
}

function typedValue(tag: string, raw: unknown): unknown {
  switch (tag) {
    case 'D':
      return new Date(raw as number);
    case 'O':
      return ObjectId.createFromHexString(raw as string);
    case 'B':
      return BSON.deserialize(Buffer.from(raw as string, 'base64'), {
        promoteLongs: false,
        promoteBuffers: false,
      })['v'] as unknown;
    default:
      return raw;
  }
}

/** The document of a record (see {@link encodeRecord}). */
export function decodeRecord(record: string): Document {
  const tab = record.indexOf('\t');
  const typed = JSON.parse(tab === -1 ? record : record.slice(0, tab)) as Record<string, unknown>;
  let doc: Document = {};
  if (tab !== -1) {
    // The source as the document, with `_id` first as the plain collection stores it: a
    // placeholder that the typed `_id` below replaces in place (no copy of the fields).
    const rest = record.slice(record.indexOf('{', tab + 1) + 1);
    doc = JSON.parse(/^\s*\}/u.test(rest) ? '{"_id":0}' : `{"_id":0,${rest}`) as Document;
    if (!Object.keys(typed).some((key) => key.length === 4 && key.endsWith('_id'))) {
      delete doc['_id'];
    }
  }
  for (const key of Object.keys(typed)) {
    const name = key.slice(1);
    const tag = key.charAt(0);
    if (tag === 'P') setField(doc, name, JSON.parse(doc[name] as string) as unknown);
    else setField(doc, name, typedValue(tag, typed[key]));
  }
  return doc;
}
