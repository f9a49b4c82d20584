/**
 * Every identifier of every learner of a course (or several), resolved to one learner: so
 * that a file holding only usernames and another holding only user ids give the same
 * pseudonym to the same learner, and so that the scrubber knows every name, username and
 * email to look for in free text. Pure: {@link loadLearnerDirectory} fills it from a store.
 */

/** What the directory knows of one learner (every field may be missing). */
export interface LearnerRecord {
  readonly userId?: number | string | null | undefined;
  readonly username?: string | null | undefined;
  readonly hashId?: string | null | undefined;
  readonly anonymousIds?: readonly (string | null | undefined)[] | undefined;
  readonly email?: string | null | undefined;
  /** Full names (`userprofile.name`, `first_name last_name`) and their parts. */
  readonly names?: readonly (string | null | undefined)[] | undefined;
}

/** One learner, once merged: its canonical key is `id:<user id>`, else `username:<username>`. */
export interface Learner {
  readonly key: string;
  readonly userId: string | null;
  readonly username: string | null;
  readonly hashIds: ReadonlySet<string>;
  readonly anonymousIds: ReadonlySet<string>;
  readonly emails: ReadonlySet<string>;
  readonly names: ReadonlySet<string>;
}

interface MutableLearner {
  key: string;
  userId: string | null;
  username: string | null;
  hashIds: Set<string>;
  anonymousIds: Set<string>;
  emails: Set<string>;
  names: Set<string>;
}

/** The identifier classes a lookup can be made by (and a pseudonym made from). */
export const IDENTIFIER_CLASSES = [
  'user_id',
  'username',
  'hash_id',
  'anonymous_id',
  'email',
] as const;

export type IdentifierClass = (typeof IDENTIFIER_CLASSES)[number];

function text(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** A user id as written in a CSV cell (`1516`, `1516.0` from a spreadsheet). */
function userIdText(value: unknown): string | null {
  const t = text(value);
  if (t === null) return null;
  const match = /^(\d+)(?:\.0+)?$/u.exec(t);
  return match?.[1] === undefined ? null : String(BigInt(match[1]));
}

export class LearnerDirectory {
  readonly #byClass: Record<IdentifierClass, Map<string, MutableLearner>> = {
    user_id: new Map(),
    username: new Map(),
    hash_id: new Map(),
    anonymous_id: new Map(),
    email: new Map(),
  };
  readonly #learners = new Set<MutableLearner>();

  /** Learners known. */
  get size(): number {
    return this.#learners.size;
  }

  /** Every learner, in the order first added. */
  learners(): IterableIterator<Learner> {
    return this.#learners.values();
  }

  /**
   * Add what a record says of a learner; a record that shares a user id, username, hash id,
   * anonymous id or email with a known learner is merged into it.
   */
  add(record: LearnerRecord): void {
    const userId = userIdText(record.userId);
    const username = text(record.username);
    const hashId = text(record.hashId);
    const email = text(record.email)?.toLowerCase() ?? null;
    const anonymousIds = (record.anonymousIds ?? []).map(text).filter((v) => v !== null);
    const known =
      (userId === null ? undefined : this.#byClass.user_id.get(userId)) ??
      (username === null ? undefined : this.#byClass.username.get(username)) ??
      (hashId === null ? undefined : this.#byClass.hash_id.get(hashId)) ??
      anonymousIds.map((a) => this.#byClass.anonymous_id.get(a)).find((l) => l !== undefined) ??
      (email === null ? undefined : this.#byClass.email.get(email));
    if (known === undefined && userId === null && username === null) return;
    const learner: MutableLearner = known ?? {
      key: '',
      userId: null,
      username: null,
      hashIds: new Set(),
      anonymousIds: new Set(),
      emails: new Set(),
      names: new Set(),
    };
    learner.userId ??= userId;
    learner.username ??= username;
    learner.key =
      learner.userId === null ? `username:${learner.username ?? ''}` : `id:${learner.userId}`;
    if (hashId !== null) learner.hashIds.add(hashId);
    for (const id of anonymousIds) learner.anonymousIds.add(id);
    if (email !== null) learner.emails.add(email);
    for (const name of record.names ?? []) {
      const t = text(name);
      if (t !== null) learner.names.add(t.replace(/\s+/gu, ' '));
    }
    this.#learners.add(learner);
    if (learner.userId !== null) this.#byClass.user_id.set(learner.userId, learner);
    if (learner.username !== null) this.#byClass.username.set(learner.username, learner);
    for (const h of learner.hashIds) this.#byClass.hash_id.set(h, learner);
    for (const a of learner.anonymousIds) this.#byClass.anonymous_id.set(a, learner);
    for (const e of learner.emails) this.#byClass.email.set(e, learner);
  }

  /** The learner one identifier names, if known. */
  find(kind: IdentifierClass, value: string): Learner | undefined {
    const key =
      kind === 'user_id'
        ? userIdText(value)
        : kind === 'email'
          ? value.trim().toLowerCase()
          : value.trim();
    return key === null ? undefined : this.#byClass[kind].get(key);
  }
}
