// Lint for every package (run per package by `turbo run lint`).
// Beyond typescript-eslint's recommended rules, one house rule: the domain core stays pure.
// Files holding deciders and models (model.ts, decide.ts, anything under a domain/ folder) may
// not import infrastructure (express, kafkajs, mongodb, lmdb, chdb, @clickhouse/*), and may not
// read the clock or random numbers: time and ids arrive with the command (STYLE.md 1).
import tseslint from 'typescript-eslint';

const infrastructure = ['express', 'kafkajs', 'mongodb', 'lmdb', 'chdb', 'chdb/*', '@clickhouse/*', 'node:fs', 'fs', 'node:http', 'http'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs', '**/src/generated/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['**/src/**/model.ts', '**/src/**/decide.ts', '**/src/**/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: infrastructure,
              message: 'Domain files stay pure: infrastructure belongs in adapters, routes or service.ts (ARCHITECTURE.md 3).',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time arrives with the command (metadata.now), not from the clock.' },
        { object: 'Math', property: 'random', message: 'Ids and randomness arrive with the command.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Time arrives with the command (metadata.now), not from the clock.' },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts', '**/bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
