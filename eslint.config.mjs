import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/**
 * Libraries, apps and tools depend on libraries only. Their tests (and test helpers) may
 * also use `type:test` projects (@edx-data/test-support, never published), which depend on
 * no other project.
 */
function moduleBoundaries({ tests }) {
  const test = tests ? ['type:test'] : [];
  return [
    'error',
    {
      enforceBuildableLibDependency: true,
      allow: [],
      depConstraints: [
        { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', ...test] },
        { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', ...test] },
        { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
        { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:test'] },
      ],
    },
  ];
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: [
      '**/dist',
      '**/out-tsc',
      '**/node_modules',
      '**/vitest.config.ts',
      '**/*.mjs',
      '**/bin/*.js',
    ],
  },
  ...tseslint.configs.strictTypeChecked.map((config) => ({ ...config, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries({ tests: false }),
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/test-support/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries({ tests: true }),
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
];
