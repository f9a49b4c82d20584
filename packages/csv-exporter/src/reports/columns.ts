/** Column definitions that many reports share. */
import type { ColumnSpec } from '../report.js';

/** The three identifier columns of every learner-level row (see `LearnerDirectory`). */
export const LEARNER_COLUMNS: readonly ColumnSpec[] = [
  {
    name: 'user_id',
    type: 'integer',
    description: 'auth_user.id of the learner',
    identifier: 'user_id',
  },
  {
    name: 'username',
    type: 'string',
    description: 'The learner’s username',
    identifier: 'username',
  },
  {
    name: 'hash_id',
    type: 'string',
    description: 'edX’s pseudonymous id of the learner (user_id_map.hash_id), empty when unknown',
    identifier: 'hash_id',
  },
];

/** The block columns of a row about an event's place in the course (from its `parent_data`). */
export const PLACE_COLUMNS: readonly ColumnSpec[] = [
  {
    name: 'chapter_id',
    type: 'string',
    description: 'Chapter (section) of the block, its url_name',
  },
  { name: 'chapter_name', type: 'string', description: 'Display name of that chapter' },
  { name: 'sequential_id', type: 'string', description: 'Sequential (subsection), its url_name' },
  { name: 'sequential_name', type: 'string', description: 'Display name of that sequential' },
  { name: 'vertical_id', type: 'string', description: 'Vertical (unit), its url_name' },
  { name: 'vertical_name', type: 'string', description: 'Display name of that vertical' },
];
