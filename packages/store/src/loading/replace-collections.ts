/**
 * The one way to load a collection safely (DESIGN.md "Databases and collections"; decision 8):
 * fill temporary collections, build their indexes, and only then swap them in, so that a
 * load that fails (a file cut short, an integrity failure, a refusal) leaves the previous
 * collections exactly as they were. Every loader of the toolkit uses it.
 */
import { isEdxDataError, StoreError } from '@edx-data/core';
import type { Collection, Database, IndexSpec } from '../types.js';

/** Marks a temporary collection: `__tmp_<target>__<pid>_<8 hex>`. */
const TEMPORARY = /^__tmp_(.+)__(\d+)_([0-9a-f]{8})$/u;

/** The name of a temporary collection that will become `target`. */
function temporaryName(target: string): string {
  const token = Math.floor(Math.random() * 0x1_0000_0000)
    .toString(16)
    .padStart(8, '0');
  return `__tmp_${target}__${String(process.pid)}_${token}`;
}

/** True when `name` is a temporary collection of {@link replaceCollections}. */
export function isTemporaryCollection(name: string): boolean {
  return TEMPORARY.test(name);
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return false; // our own earlier attempt, abandoned
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Drop what crashed loads left behind in `db`: the temporary collections of `targets` (or of
 * every target) whose process is no longer running on this machine. Returns their names.
 */
export async function removeLeftoverCollections(
  db: Database,
  targets?: readonly string[],
): Promise<string[]> {
  const wanted = targets === undefined ? undefined : new Set(targets);
  const removed: string[] = [];
  for (const { name } of await db.listCollections()) {
    const match = TEMPORARY.exec(name);
    if (match === null) continue;
    if (wanted !== undefined && !wanted.has(match[1] ?? '')) continue;
    if (processAlive(Number(match[2]))) continue;
    await db.collection(name).drop();
    removed.push(name);
  }
  return removed;
}

export interface ReplaceCollectionsOptions<T extends string> {
  /** Indexes built on each temporary collection before the swap, by target name. */
  readonly indexes?: Readonly<Partial<Record<T, readonly IndexSpec[]>>>;
  /**
   * Called once every collection is filled and indexed, before anything is swapped in: throw
   * to abandon the load (the temporary collections are dropped, the old ones stay).
   */
  readonly beforeSwap?: (temporary: Readonly<Record<T, Collection>>) => Promise<void>;
}

/** What {@link replaceCollections} did, besides the value of `fill`. */
export interface ReplaceCollectionsResult<R> {
  readonly value: R;
  /**
   * True when the server refused `renameCollection` with `dropTarget` (FerretDB v1, some
   * managed MongoDB-compatible services) and the old collections were dropped just before the
   * renames: a short window in which readers saw no collection.
   */
  readonly droppedBeforeRename: boolean;
}

async function collectionExists(db: Database, name: string): Promise<boolean> {
  return (await db.listCollections()).some((info) => info.name === name);
}

/**
 * Load `targets` of `db` safely: `fill` writes into one temporary collection per target
 * (passed to it by target name); their `indexes` are built; `beforeSwap` may still refuse;
 * then each temporary collection is renamed over its target (`dropTarget`), in the order of
 * `targets`. If anything before the swap throws, the temporary collections are dropped and
 * the error is rethrown: the targets are untouched. A target given no document and no index
 * is dropped (an empty table); one with indexes but no document becomes an empty collection
 * with its indexes.
 *
 * Temporary collections are named `__tmp_<target>__<pid>_<hex>`; those of a crashed run
 * (its process gone) are removed first. Loading the same target from two processes at once
 * is not supported.
 *
 * On a server without `renameCollection`'s `dropTarget` (a `StoreError` `E_UNSUPPORTED` from
 * the engine), the target is dropped and the temporary collection renamed: the result says
 * so in `droppedBeforeRename`.
 */
export async function replaceCollections<T extends string, R>(
  db: Database,
  targets: readonly T[],
  fill: (temporary: Readonly<Record<T, Collection>>) => Promise<R>,
  options: ReplaceCollectionsOptions<T> = {},
): Promise<ReplaceCollectionsResult<R>> {
  await removeLeftoverCollections(db, targets);
  const temporary = {} as Record<T, Collection>;
  for (const target of targets) temporary[target] = db.collection(temporaryName(target));
  const dropTemporary = async (): Promise<void> => {
    for (const target of targets) await temporary[target].drop().catch(() => false);
  };
  let value: R;
  const filled = new Set<T>();
  try {
    value = await fill(temporary);
    for (const target of targets) {
      // (creating an index makes the collection: an empty table keeps its indexes)
      for (const spec of options.indexes?.[target] ?? []) {
        await temporary[target].createIndex(spec);
      }
      if (await collectionExists(db, temporary[target].name)) filled.add(target);
    }
    await options.beforeSwap?.(temporary);
  } catch (error) {
    await dropTemporary();
    throw error;
  }
  let droppedBeforeRename = false;
  try {
    for (const target of targets) {
      const source = temporary[target];
      if (!filled.has(target)) {
        await db.collection(target).drop();
        continue;
      }
      try {
        await source.rename(target, { dropTarget: true });
      } catch (error) {
        if (!isEdxDataError(error) || error.code !== 'E_UNSUPPORTED') throw error;
        droppedBeforeRename = true;
        await db.collection(target).drop();
        await source.rename(target);
      }
    }
  } catch (error) {
    await dropTemporary();
    throw error instanceof StoreError
      ? error
      : new StoreError('E_STORE', `swapping in ${targets.join(', ')} of ${db.name} failed`, {
          cause: error,
        });
  }
  return { value, droppedBeforeRename };
}
