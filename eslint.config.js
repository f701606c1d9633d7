import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'media/**', 'client/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['server/src/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: ['ws', '@fastify/websocket', 'send', '@fastify/send'].map((name) => ({
            name,
            message: 'We write our own WebSocket and Range streaming: this library is for tests and benchmarks only.',
          })),
          patterns: [{ group: ['**/synth/*'], message: 'Fixture writers are for tests, benchmarks and demo scripts: production code never ships them.' }],
        },
      ],
    },
  },
  { files: ['client/**/*.{ts,tsx}'], languageOptions: { globals: { ...globals.browser } } },
);
