import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@edx-data/forum-importer public API', () => {
  it('exports exactly these names (adding one is a deliberate act)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'forumPost',
      'forumPostType',
      'loadForum',
      'parseForumDump',
      'parseForumLine',
    ]);
  });
});
