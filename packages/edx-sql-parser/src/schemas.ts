/**
 * The column types of the tables of the weekly edX data package (edx-formats.md §2.2). Types
 * follow the producer (edx-analytics-exporter) and the edX Research Guide. Text columns that
 * look numeric (`username`, certificate `grade`, `hash_id`, `value`…) stay strings: the old
 * loader (mongoimport type inference) turned all-digit usernames into numbers.
 *
 * Columns are matched by header name, never by position (column sets changed over the years).
 */
import type { ColumnType, TableSchema } from './types.js';

type Columns = Readonly<Record<string, ColumnType>>;

function schema(
  table: string,
  columns: Columns,
  extra: { optionalColumns?: readonly string[]; escaping?: 'studentmodule' } = {},
): TableSchema {
  return {
    table,
    columns,
    escaping: extra.escaping ?? 'tsv',
    optionalColumns: extra.optionalColumns ?? [],
  };
}

const SCHEMAS: readonly TableSchema[] = [
  schema('auth_user', {
    id: 'int',
    username: 'string',
    first_name: 'string',
    last_name: 'string',
    email: 'string',
    password: 'string',
    is_staff: 'bool',
    is_active: 'bool',
    is_superuser: 'bool',
    last_login: 'datetime',
    date_joined: 'datetime',
    status: 'string',
    email_key: 'string',
    avatar_type: 'string',
    country: 'string',
    show_country: 'bool',
    date_of_birth: 'date',
    interesting_tags: 'string',
    ignored_tags: 'string',
    email_tag_filter_strategy: 'int',
    display_tag_filter_strategy: 'int',
    consecutive_days_visit_count: 'int',
  }),
  schema(
    'auth_userprofile',
    {
      id: 'int',
      user_id: 'int',
      name: 'string',
      language: 'string',
      location: 'string',
      meta: 'json',
      courseware: 'string',
      gender: 'string',
      mailing_address: 'string',
      year_of_birth: 'int',
      level_of_education: 'string',
      goals: 'string',
      allow_certificate: 'bool',
      country: 'string',
      city: 'string',
      bio: 'string',
      profile_image_uploaded_at: 'datetime',
      phone_number: 'string',
      state: 'string',
    },
    // `SELECT auth_userprofile.*` before 2021: columns came and went (edx-formats.md §2.1).
    { optionalColumns: ['allow_certificate', 'phone_number', 'state'] },
  ),
  schema('student_courseenrollment', {
    id: 'int',
    user_id: 'int',
    course_id: 'string',
    created: 'datetime',
    is_active: 'bool',
    mode: 'string',
  }),
  schema('certificates_generatedcertificate', {
    id: 'int',
    user_id: 'int',
    download_url: 'string',
    grade: 'string',
    course_id: 'string',
    key: 'string',
    distinction: 'bool',
    status: 'string',
    verify_uuid: 'string',
    download_uuid: 'string',
    name: 'string',
    created_date: 'datetime',
    modified_date: 'datetime',
    error_reason: 'string',
    mode: 'string',
  }),
  schema(
    'courseware_studentmodule',
    {
      id: 'int',
      module_type: 'string',
      module_id: 'string',
      student_id: 'int',
      state: 'json',
      grade: 'number',
      created: 'datetime',
      modified: 'datetime',
      max_grade: 'number',
      done: 'string',
      course_id: 'string',
    },
    { escaping: 'studentmodule' },
  ),
  // The second column was `id` until 2022-10-13, `user_id` since (edx-formats.md §2.1).
  schema(
    'user_id_map',
    { hash_id: 'string', id: 'int', user_id: 'int', username: 'string' },
    { optionalColumns: ['id', 'user_id'] },
  ),
  schema('user_api_usercoursetag', {
    id: 'int',
    user_id: 'int',
    key: 'string',
    course_id: 'string',
    value: 'string',
  }),
  schema('student_languageproficiency', { id: 'int', user_profile_id: 'int', code: 'string' }),
  schema('wiki_article', {
    id: 'int',
    current_revision_id: 'int',
    created: 'datetime',
    modified: 'datetime',
    owner_id: 'int',
    group_id: 'int',
    group_read: 'bool',
    group_write: 'bool',
    other_read: 'bool',
    other_write: 'bool',
  }),
  schema('wiki_articlerevision', {
    id: 'int',
    revision_number: 'int',
    user_message: 'string',
    automatic_log: 'string',
    ip_address: 'string',
    user_id: 'int',
    modified: 'datetime',
    created: 'datetime',
    previous_revision_id: 'int',
    deleted: 'bool',
    locked: 'bool',
    article_id: 'int',
    content: 'string',
    title: 'string',
  }),
  schema('teams', {
    id: 'int',
    team_id: 'string',
    name: 'string',
    course_id: 'string',
    topic_id: 'string',
    date_created: 'datetime',
    description: 'string',
    country: 'string',
    language: 'string',
    discussion_topic_id: 'string',
    last_activity_at: 'datetime',
    team_size: 'int',
  }),
  schema('teams_membership', {
    id: 'int',
    user_id: 'int',
    team_id: 'int',
    date_joined: 'datetime',
    last_activity_at: 'datetime',
  }),
  schema('student_courseaccessrole', {
    org: 'string',
    course_id: 'string',
    user_id: 'int',
    role: 'string',
  }),
  schema('django_comment_client_role_users', {
    course_id: 'string',
    user_id: 'int',
    name: 'string',
  }),
  schema('student_anonymoususerid', {
    id: 'int',
    user_id: 'int',
    anonymous_user_id: 'string',
    course_id: 'string',
  }),
  schema(
    'grades_persistentcoursegrade',
    {
      course_id: 'string',
      user_id: 'int',
      grading_policy_hash: 'string',
      percent_grade: 'number',
      letter_grade: 'string',
      passed_timestamp: 'datetime',
      created: 'datetime',
      modified: 'datetime',
      course_edited_timestamp: 'datetime',
    },
    // Listed by the Research Guide, not exported by the producer.
    { optionalColumns: ['course_edited_timestamp'] },
  ),
  schema('grades_persistentsubsectiongrade', {
    course_id: 'string',
    user_id: 'int',
    usage_key: 'string',
    earned_all: 'number',
    possible_all: 'number',
    earned_graded: 'number',
    possible_graded: 'number',
    first_attempted: 'datetime',
    created: 'datetime',
    modified: 'datetime',
  }),
  schema('credit_crediteligibility', {
    id: 'int',
    created: 'datetime',
    modified: 'datetime',
    username: 'string',
    deadline: 'datetime',
    course_id: 'string',
  }),
  schema('course_groups_cohortmembership', {
    user_id: 'int',
    course_id: 'string',
    group_type: 'string',
    name: 'string',
  }),
  // Exported 2015-08 to 2018; columns from the edx-analytics-pipeline acceptance fixture.
  schema('verify_student_verificationstatus', {
    timestamp: 'datetime',
    status: 'string',
    course_id: 'string',
    checkpoint_location: 'string',
    user_id: 'int',
  }),
];

const BY_TABLE: ReadonlyMap<string, TableSchema> = new Map(SCHEMAS.map((s) => [s.table, s]));

/** The names of the tables {@link getTableSchema} knows, in package order. */
export const KNOWN_TABLES: readonly string[] = SCHEMAS.map((s) => s.table);

/**
 * The schema of a data-package table (`auth_user`, `courseware_studentmodule`, …), or
 * `undefined` for a table the package does not know (its columns then load as strings).
 */
export function getTableSchema(table: string): TableSchema | undefined {
  return BY_TABLE.get(table);
}
