import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The engine is the functional core: no I/O, no clock, no environment, no adapters.
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'http', 'https', 'net', 'crypto'],
              message: 'The engine does no I/O.',
            },
            {
              group: ['i18next', 'express', 'ioredis', 'pino', 'twilio', '@slack/*'],
              message: 'The engine gets adapters as arguments.',
            },
            {
              group: [
                '../channels/*',
                '../http/*',
                '../store/*',
                '../i18n/*',
                '../cli/*',
                '../jobs/*',
              ],
              message: 'The engine imports nothing outside itself and flow/.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'The engine never reads process.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time is an argument to the engine.' },
        { object: 'Math', property: 'random', message: 'The engine is deterministic.' },
      ],
    },
  },
);
