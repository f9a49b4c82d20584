import { describe, expect, it } from 'vitest';
import { IDENTIFIER_ROLES, isIdentifierRole } from './identifier-role.js';

describe(isIdentifierRole, () => {
  it('knows the ten roles of the data dictionary', () => {
    expect(IDENTIFIER_ROLES).toHaveLength(10);
    for (const role of ['user_id', 'username', 'hash_id', 'anonymous_id', 'name', 'email']) {
      expect(isIdentifierRole(role)).toBe(true);
    }
    for (const role of ['ip', 'free_text', 'location', 'birth_year']) {
      expect(isIdentifierRole(role)).toBe(true);
    }
  });

  it('refuses anything else', () => {
    for (const value of ['', 'User_id', 'city', 'userid', 1, null, undefined, {}]) {
      expect(isIdentifierRole(value)).toBe(false);
    }
  });
});
