/**
 * The learners of a course database, by user id and by username, with their edX `hash_id`:
 * what every learner-level report puts in its `user_id`, `username` and `hash_id` columns
 * (separate columns, so that the anonymiser can find them). Read once per export from
 * `user_id_map` (the package's own map: `hash_id`, `id` or `user_id`, `username`) and `user`
 * (`auth_user`, for learners missing from the map).
 */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Database, Document } from '@edx-data/store';

/** One learner's identifiers; a field is null when the course database does not know it. */
export interface Learner {
  readonly userId: number | null;
  readonly username: string | null;
  readonly hashId: string | null;
}

/** The identifier columns of a learner-level row. */
export interface LearnerColumns {
  readonly user_id: number | null;
  readonly username: string | null;
  readonly hash_id: string | null;
}

function idOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/u.test(value)) return Number(value);
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'object' && value !== null && 'toNumber' in value) {
    const n = (value as { toNumber(): number }).toNumber();
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}

function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

export class LearnerDirectory {
  readonly #byId = new Map<number, Learner>();
  readonly #byUsername = new Map<string, Learner>();

  /** Read `user_id_map` and `user` of a course database. */
  static async load(db: Database): Promise<LearnerDirectory> {
    const directory = new LearnerDirectory();
    const projection = { _id: 0, id: 1, user_id: 1, username: 1, hash_id: 1 };
    for await (const row of db
      .collection(COURSE_COLLECTIONS.user_id_map)
      .find({}, { projection })) {
      directory.add(row, true);
    }
    const users = db.collection(COURSE_COLLECTIONS.user);
    for await (const row of users.find({}, { projection: { _id: 0, id: 1, username: 1 } })) {
      directory.add(row, false);
    }
    return directory;
  }

  /** Add a row of `user_id_map` (`fromMap`) or `user`; the map's `hash_id` wins. */
  add(row: Document, fromMap: boolean): void {
    const userId = idOf(row['user_id']) ?? idOf(row['id']);
    const username = textOf(row['username']);
    const known =
      (userId === null ? undefined : this.#byId.get(userId)) ??
      (username === null ? undefined : this.#byUsername.get(username));
    const learner: Learner = {
      userId: known?.userId ?? userId,
      username: known?.username ?? username,
      hashId: known?.hashId ?? (fromMap ? textOf(row['hash_id']) : null),
    };
    if (learner.userId !== null) this.#byId.set(learner.userId, learner);
    if (learner.username !== null) this.#byUsername.set(learner.username, learner);
  }

  /** Learners known, by user id. */
  get size(): number {
    return this.#byId.size;
  }

  byId(userId: unknown): Learner | undefined {
    const id = idOf(userId);
    return id === null ? undefined : this.#byId.get(id);
  }

  byUsername(username: unknown): Learner | undefined {
    const name = textOf(username);
    return name === null ? undefined : this.#byUsername.get(name);
  }

  /**
   * The identifier columns of a row about the learner with this user id or username (the
   * id is tried first); what the directory does not know is taken from the arguments.
   */
  columns(userId: unknown, username?: unknown): LearnerColumns {
    const learner = this.byId(userId) ?? this.byUsername(username);
    return {
      user_id: learner?.userId ?? idOf(userId),
      username: learner?.username ?? textOf(username),
      hash_id: learner?.hashId ?? null,
    };
  }
}
