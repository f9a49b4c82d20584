/**
 * Paths of this package's real-data tests, on top of the shared location
 * (`@edx-data/test-support`: `REALDATA`, `HAS_REALDATA`, `PIPELINE_FIXTURES`, …), and the
 * invalid cells of the acceptance fixtures, found by reading them by hand.
 */
import { join } from 'node:path';
import { PIPELINE_FIXTURES, PIPELINE_STATE_INPUT } from '@edx-data/test-support';

/** `input/obfuscation/state`: one TSV file per table, as in a real package. */
export const STATE_INPUT = PIPELINE_STATE_INPUT;

/** `output/obfuscation/state`: the same tables as edX's obfuscator writes them. */
export const STATE_OUTPUT = join(PIPELINE_FIXTURES, 'output/obfuscation/state');

/** The impossible dates of the `teams` fixture (in both state folders). */
const TEAMS_DATES = [
  ['teams', 3, 'last_activity_at', '2015-09-31 21:32:17'],
  ['teams', 4, 'last_activity_at', '2015-11-31 21:32:17'],
  ['teams', 5, 'last_activity_at', '2015-1-31 21:32:17'],
] as const;

/**
 * Every invalid cell of the two state folders, read by hand from the files (the expected side
 * of the realdata tests), in file-name order: folder, table, line, column, text.
 */
export const STATE_INVALID_CELLS: readonly (readonly [
  folder: 'input' | 'output',
  table: string,
  line: number,
  column: string,
  text: string,
])[] = [
  ...TEAMS_DATES.map(([t, l, c, x]) => ['input', t, l, c, x] as const),
  // The obfuscator blanked these auth_user columns with '' (bool, date and int columns).
  ...[2, 3, 4, 5].flatMap((line) =>
    [
      'show_country',
      'date_of_birth',
      'email_tag_filter_strategy',
      'display_tag_filter_strategy',
      'consecutive_days_visit_count',
    ].map((column) => ['output', 'auth_user', line, column, ''] as const),
  ),
  ...TEAMS_DATES.map(([t, l, c, x]) => ['output', t, l, c, x] as const),
  // …and wiki_article's owner_id and group_id (int columns).
  ...[2, 3, 4, 5].flatMap((line) =>
    ['owner_id', 'group_id'].map((column) => ['output', 'wiki_article', line, column, ''] as const),
  ),
];
