// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '**/dist/', 'data/', 'coverage/', 'scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Kysely lives only in repositories and the db layer.
    files: ['src/**/*.ts'],
    ignores: [
      'src/db/**',
      'src/**/*.repository.ts',
      'src/**/*.test.ts',
      'src/test/**',
      'src/context.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'kysely',
              message: 'SQL lives in *.repository.ts only.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // Architecture guard: domain files are pure (STYLE.md).
    files: ['src/**/*.domain.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'kysely', 'fastify', 'pg', '@electric-sql/*'],
              message: 'Domain files are pure: no I/O.',
            },
            {
              group: ['**/db/*', '**/*.repository.ts', '**/*.service.ts', '**/config.ts'],
              message: 'Domain files are pure.',
            },
          ],
        },
      ],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['bin/*.js'], languageOptions: { globals: { process: 'readonly' } } },
  {
    files: ['web/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  prettier,
);
