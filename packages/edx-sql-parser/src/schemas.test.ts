import { PACKAGE_TABLES } from '@edx-data/core';
import { describe, expect, it } from 'vitest';
import { KNOWN_TABLES, getTableSchema } from './schemas.js';

describe(getTableSchema, () => {
  it('knows every table of the weekly package', () => {
    expect([...KNOWN_TABLES].sort()).toEqual([...PACKAGE_TABLES].sort());
    for (const table of KNOWN_TABLES) expect(getTableSchema(table)?.table).toBe(table);
  });

  it('returns undefined for an unknown table', () => {
    expect(getTableSchema('no_such_table')).toBeUndefined();
    expect(getTableSchema('toString')).toBeUndefined();
  });

  it('keeps numeric-looking text columns as strings', () => {
    expect(getTableSchema('auth_user')?.columns['username']).toBe('string');
    expect(getTableSchema('certificates_generatedcertificate')?.columns['grade']).toBe('string');
    expect(getTableSchema('user_id_map')?.columns['hash_id']).toBe('string');
    expect(getTableSchema('user_api_usercoursetag')?.columns['value']).toBe('string');
    expect(getTableSchema('credit_crediteligibility')?.columns['username']).toBe('string');
  });

  it('types the JSON, number, date and boolean columns', () => {
    const studentmodule = getTableSchema('courseware_studentmodule');
    expect(studentmodule?.escaping).toBe('studentmodule');
    expect(studentmodule?.columns).toMatchObject({
      state: 'json',
      grade: 'number',
      max_grade: 'number',
      created: 'datetime',
      student_id: 'int',
      done: 'string',
    });
    expect(getTableSchema('auth_userprofile')?.columns).toMatchObject({
      meta: 'json',
      year_of_birth: 'int',
    });
    expect(getTableSchema('auth_user')?.columns).toMatchObject({
      is_staff: 'bool',
      last_login: 'datetime',
      date_of_birth: 'date',
    });
    expect(getTableSchema('grades_persistentcoursegrade')?.columns['percent_grade']).toBe('number');
  });

  it('accepts both eras of user_id_map (`id`, later `user_id`)', () => {
    const schema = getTableSchema('user_id_map');
    expect(schema?.columns).toEqual({
      hash_id: 'string',
      id: 'int',
      user_id: 'int',
      username: 'string',
    });
    expect(schema?.optionalColumns).toEqual(['id', 'user_id']);
  });
});
