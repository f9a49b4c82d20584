/**
 * The update rules of the embedded engine's writes, as MongoDB has them: what an update
 * document may hold, and the document an upsert starts from.
 */
import { UsageError } from '@edx-data/core';
import { idKey, isPlainObject } from './codec.js';
import type { Document, Filter, UpdateDocument } from '../types.js';

export function sameId(a: unknown, b: unknown): boolean {
  return idKey(a) === idKey(b);
}

export function checkUpdate(update: UpdateDocument): UpdateDocument {
  const keys = Object.keys(update);
  if (Array.isArray(update) || keys.length === 0 || !keys.every((key) => key.startsWith('$'))) {
    throw new UsageError(
      'E_USAGE',
      'an update must be a document of update operators ($set, $inc, …); use replaceOne to replace a document',
    );
  }
  return update;
}

export function mergeSetOnInsert(update: UpdateDocument, setOnInsert: unknown): UpdateDocument {
  if (!isPlainObject(setOnInsert)) return update;
  const set = isPlainObject(update['$set']) ? update['$set'] : {};
  return { ...update, $set: { ...set, ...setOnInsert } };
}

/** The document an upsert starts from: the filter's equality conditions. */
export function seedFromFilter(filter: Filter): Document {
  const doc: Document = {};
  const assign = (path: string, value: unknown): void => {
    const segments = path.split('.');
    let target: Document = doc;
    for (const segment of segments.slice(0, -1)) {
      const next = target[segment];
      if (isPlainObject(next)) target = next;
      else {
        const created: Document = {};
        target[segment] = created;
        target = created;
      }
    }
    target[segments[segments.length - 1] ?? path] = value;
  };
  for (const [path, condition] of Object.entries(filter)) {
    if (path === '$and' && Array.isArray(condition)) {
      for (const sub of condition) if (isPlainObject(sub)) Object.assign(doc, seedFromFilter(sub));
    } else if (path.startsWith('$')) {
      continue;
    } else if (
      isPlainObject(condition) &&
      Object.keys(condition).some((key) => key.startsWith('$'))
    ) {
      if ('$eq' in condition) assign(path, condition['$eq']);
    } else {
      assign(path, condition);
    }
  }
  return doc;
}
