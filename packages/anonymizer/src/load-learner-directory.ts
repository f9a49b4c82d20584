/**
 * A {@link LearnerDirectory} from course databases of the store: `user` (auth_user: id,
 * username, email, first and last name), `userprofile` (auth_userprofile: user_id, name),
 * `user_id_map` (hash_id with id or user_id, username) and `student_anonymoususerid`
 * (user_id, anonymous_user_id).
 */
import { COURSE_COLLECTIONS, tableCollection } from '@edx-data/core';
import type { Database, Document } from '@edx-data/store';
import { LearnerDirectory } from './learner-directory.js';

function field(row: Document, name: string): string | number | null {
  const value = row[name];
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'object' && value !== null && 'toString' in value) {
    const bson = (value as { _bsontype?: unknown })._bsontype;
    if (bson === 'Long' || bson === 'Int32') return (value as { toString(): string }).toString();
  }
  return null;
}

function textField(row: Document, name: string): string | null {
  const value = field(row, name);
  return value === null ? null : String(value);
}

/** Read the learners of these course databases into one directory (or into `directory`). */
export async function loadLearnerDirectory(
  databases: readonly Database[],
  directory: LearnerDirectory = new LearnerDirectory(),
): Promise<LearnerDirectory> {
  for (const db of databases) {
    for await (const row of db.collection(COURSE_COLLECTIONS.user).find({})) {
      const first = textField(row, 'first_name');
      const last = textField(row, 'last_name');
      directory.add({
        userId: field(row, 'id'),
        username: textField(row, 'username'),
        email: textField(row, 'email'),
        names: [first, last, first !== null && last !== null ? `${first} ${last}` : null],
      });
    }
    for await (const row of db.collection(COURSE_COLLECTIONS.userprofile).find({})) {
      directory.add({ userId: field(row, 'user_id'), names: [textField(row, 'name')] });
    }
    for await (const row of db.collection(COURSE_COLLECTIONS.user_id_map).find({})) {
      directory.add({
        userId: field(row, 'user_id') ?? field(row, 'id'),
        username: textField(row, 'username'),
        hashId: textField(row, 'hash_id'),
      });
    }
    const anonymous = db.collection(tableCollection('student_anonymoususerid'));
    for await (const row of anonymous.find({})) {
      directory.add({
        userId: field(row, 'user_id'),
        anonymousIds: [textField(row, 'anonymous_user_id')],
      });
    }
  }
  return directory;
}
